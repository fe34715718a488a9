"""Reading a nurture experiment: how many leads per arm it needs, and what it found.

:func:`arm_sample_size` plans (Fleiss without continuity correction, two-sided);
:func:`compare_arms` compares each arm with the control: Wilson intervals per arm,
Newcombe's hybrid score interval for the difference and a pooled z-test, or, with
``sequential=True``, the always-valid mixture SPRT of Johari, Pekelis & Walsh
("Always valid inference", Operations Research 2022), safe to look at every day."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeAlias

import attrs

from .. import plot as charts
from .._display import Displayed, View
from .._stats import two_sided_p, wilson, z_for, z_one_sided
from .._time import parse_datetime, require_aware
from ..errors import InvalidInputError
from ..plot import Charts
from ..plot import plot as draw
from ._definition import Split
from ._flow import NurtureFlow
from ._state import Action, NurtureState

History: TypeAlias = tuple[NurtureState, tuple[Action, ...]]
StatesOrHistories: TypeAlias = (
    Iterable[NurtureState | Mapping[str, Any] | History] | Mapping[str, History]
)
"""Nurture states, their ``to_dict`` data, ``(state, actions)`` pairs, or
``Funnel.simulate``'s mapping of lead id to such a pair."""
Outcomes: TypeAlias = Iterable[Mapping[str, Any]] | Mapping[str, datetime]
"""Mappings with ``lead_id`` and ``at``, or a mapping of lead id to outcome time."""

__all__ = ["ArmComparison", "ArmResult", "arm_sample_size", "compare_arms"]

# tau when none is given: the absolute difference of this relative lift on the control.
DEFAULT_LIFT = 0.2


def _number(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"expected a finite number, got {value!r}", path=path)
    return float(value)


def _arm_count(arms: Any) -> int:
    if type(arms) is not int or arms < 2:
        raise InvalidInputError(f"expected a whole number of arms >= 2, got {arms!r}", path="arms")
    return arms


def arm_sample_size(
    baseline_rate: float,
    min_detectable_lift: float,
    *,
    power: float = 0.8,
    confidence: float = 0.95,
    arms: int = 2,
) -> int:
    """Leads per arm to detect a relative lift of ``min_detectable_lift`` (0.2: the rate
    times 1.2) on ``baseline_rate`` with a two-sided test at ``confidence`` and
    ``power`` (Fleiss, without continuity correction); with more than two arms, each
    arm is compared with the control at alpha / (arms - 1) (Bonferroni).

    >>> arm_sample_size(0.05, 0.2)
    8158
    """
    p1 = _number(baseline_rate, "baseline_rate")
    lift = _number(min_detectable_lift, "min_detectable_lift")
    if not 0 < p1 < 1:
        raise InvalidInputError(
            f"a rate is strictly between 0 and 1, got {baseline_rate!r}", path="baseline_rate"
        )
    p2 = p1 * (1 + lift)
    if lift == 0 or not 0 < p2 < 1:
        raise InvalidInputError(
            f"the lifted rate {p2:g} must differ from the baseline and be between 0 and 1",
            path="min_detectable_lift",
        )
    alpha = 1 - _number(confidence, "confidence")
    z_for(confidence)  # checks the range
    z_alpha = z_for(1 - alpha / (_arm_count(arms) - 1))
    z_beta = z_one_sided(power, "power")
    mean = (p1 + p2) / 2
    root = z_alpha * math.sqrt(2 * mean * (1 - mean)) + z_beta * math.sqrt(
        p1 * (1 - p1) + p2 * (1 - p2)
    )
    return math.ceil(root * root / (p2 - p1) ** 2)


@attrs.frozen(repr=False)
class ArmResult(Displayed):
    """One arm: ``n`` leads whose horizon is over, ``conversions``, the ``rate`` and its
    Wilson ``interval``; against the control (None for the control itself) the
    ``difference`` of rates, its ``difference_interval`` and the ``p_value``."""

    name: str
    n: int
    conversions: int
    rate: float
    interval: tuple[float, float]
    holdout: bool = False
    difference: float | None = None
    difference_interval: tuple[float, float] | None = None
    p_value: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "name": self.name,
            "n": self.n,
            "conversions": self.conversions,
            "rate": self.rate,
            "interval": list(self.interval),
            "holdout": self.holdout,
            "difference": self.difference,
            "difference_interval": None
            if self.difference_interval is None
            else list(self.difference_interval),
            "p_value": self.p_value,
        }


@attrs.frozen(repr=False)
class ArmComparison(Displayed):
    """What an experiment found: per arm its rate and, against the ``control``, the
    difference; the ``winner`` (None unless every arm has ``min_n`` leads, the rates
    vary and an interval excludes zero) and the ``reasons`` for it. ``pending`` leads
    were assigned too recently for their horizon to be over; ``converted_before``
    leads had converted before their assignment; both are left out, and so are the
    ``unassigned`` leads (states that never reached the split). ``method`` is
    ``"newcombe"`` (one look) or ``"msprt"`` (always valid, with ``tau``)."""

    _charts: ClassVar[Charts] = (("arms", charts.arm_rates),)

    split: str
    control: str
    arms: tuple[ArmResult, ...]
    winner: str | None
    reasons: tuple[str, ...]
    pending: int
    converted_before: int
    horizon_days: float
    as_of: datetime
    confidence: float
    min_n: int
    method: str
    tau: float | None = None
    unassigned: int = 0

    def arm(self, name: str) -> ArmResult:
        """The result of the arm called ``name``."""
        for result in self.arms:
            if result.name == name:
                return result
        known = ", ".join(result.name for result in self.arms)
        raise InvalidInputError(f"unknown arm {name!r}; arms: {known}", path="name")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "split": self.split,
            "control": self.control,
            "arms": [arm.to_dict() for arm in self.arms],
            "winner": self.winner,
            "reasons": list(self.reasons),
            "pending": self.pending,
            "converted_before": self.converted_before,
            "horizon_days": self.horizon_days,
            "as_of": self.as_of.isoformat(),
            "confidence": self.confidence,
            "min_n": self.min_n,
            "method": self.method,
            "tau": self.tau,
            "unassigned": self.unassigned,
        }

    def _view(self) -> View:
        pairs = [
            ("split", self.split),
            ("control", self.control),
            ("winner", self.winner or "none yet"),
            ("why", "; ".join(self.reasons)),
            ("method", self.method),
            ("pending", self.pending),
        ]
        rows = []
        for arm in self.arms:
            row = arm.to_dict()
            row["interval"] = tuple(arm.interval)
            row["difference_interval"] = (
                None if arm.difference_interval is None else tuple(arm.difference_interval)
            )
            rows.append(row)
        return View(f"ArmComparison of {self.split}", pairs, rows)

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_markdown_(self) -> str:
        return self._view().markdown()

    def plot(self, ax: Any = None) -> Any:
        """Each arm's conversion rate with its interval, the control in grey; the winner
        in the title (needs ``b2bfunnel[plot]``). Returns the Axes."""
        return draw(self, ax=ax)


# --- compare_arms ---------------------------------------------------------------------


def _assignments(
    items: StatesOrHistories, split: str
) -> tuple[dict[str, tuple[str, datetime]], int]:
    """Per lead, its arm of ``split`` and when it was assigned; and how many leads
    never reached the split."""
    if isinstance(items, Mapping):
        items = items.values()  # simulate's output: lead id -> (state, actions)
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidInputError(
            f"expected nurture states, their dicts or (state, actions) pairs, got "
            f"{type(items).__name__}",
            path="states",
        )
    found: dict[str, tuple[str, datetime]] = {}
    outside = 0
    for index, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2:
            item = item[0]
        if isinstance(item, Mapping):
            item = NurtureState.from_dict(item)
        if not isinstance(item, NurtureState):
            raise InvalidInputError(
                f"expected a NurtureState, its dict or a (state, actions) pair, got "
                f"{type(item).__name__}",
                path=f"states[{index}]",
            )
        if split in item.arms:
            found[item.lead_id] = (item.arms[split], item.assigned_at[split])
        else:
            outside += 1
    return found, outside


def _first_outcomes(outcomes: Outcomes) -> dict[str, datetime]:
    """Each lead's first outcome: from mappings with ``lead_id`` and ``at`` (an aware
    datetime or ISO 8601 text), or a mapping of lead id -> time."""
    if isinstance(outcomes, Mapping):
        outcomes = [{"lead_id": k, "at": v} for k, v in outcomes.items()]
    if isinstance(outcomes, str | bytes) or not isinstance(outcomes, Iterable):
        raise InvalidInputError(
            f"expected outcomes (mappings with lead_id and at), got {type(outcomes).__name__}",
            path="outcomes",
        )
    first: dict[str, datetime] = {}
    for index, item in enumerate(outcomes):
        where = f"outcomes[{index}]"
        lead = item.get("lead_id") if isinstance(item, Mapping) else None
        if not isinstance(lead, str) or not lead:
            raise InvalidInputError("expected a mapping with a lead_id and at", path=where)
        at = item.get("at")
        at = parse_datetime(at, f"{where}.at") if isinstance(at, str) else at
        at = require_aware(at, f"{where}.at")
        if lead not in first or at < first[lead]:
            first[lead] = at
    return first


def _counts(
    assigned: Mapping[str, tuple[str, datetime]],
    first: Mapping[str, datetime],
    horizon: timedelta,
    as_of: datetime,
) -> tuple[dict[str, list[int]], int, int]:
    """Per arm [n, conversions]; leads pending; leads converted before assignment."""
    counts: dict[str, list[int]] = {}
    pending = before = 0
    for lead, (arm, at) in assigned.items():
        cell = counts.setdefault(arm, [0, 0])
        if at + horizon > as_of:
            pending += 1
            continue
        outcome = first.get(lead)
        if outcome is not None and outcome < at:
            before += 1
            continue
        cell[0] += 1
        cell[1] += outcome is not None and outcome <= at + horizon
    return counts, pending, before


def newcombe(
    x1: int, n1: int, x0: int, n0: int, z: float
) -> tuple[float, tuple[float, float], float | None]:
    """Difference p1 - p0, Newcombe's hybrid score interval (from the Wilson intervals)
    and the pooled two-sided z-test p-value (None when the pooled variance is zero)."""
    p1, p0 = x1 / n1, x0 / n0
    l1, u1 = wilson(x1, n1, z)
    l0, u0 = wilson(x0, n0, z)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    pooled = (x1 + x0) / (n1 + n0)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n0)
    p_value = None if variance <= 0 else two_sided_p(d / math.sqrt(variance))
    return d, (low, high), p_value


def msprt(
    x1: int, n1: int, x0: int, n0: int, tau: float, alpha: float
) -> tuple[float, tuple[float, float], float] | None:
    """The mixture SPRT with a N(0, tau^2) mixing distribution on the difference:
    the difference, its always-valid interval at ``alpha`` and the always-valid
    p-value at this look (1 / the likelihood ratio, at most 1); None when the
    estimate's variance is zero."""
    p1, p0 = x1 / n1, x0 / n0
    variance = p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0
    if variance <= 0:
        return None
    d = p1 - p0
    t2 = tau * tau
    log_ratio = 0.5 * math.log(variance / (variance + t2)) + d * d * t2 / (
        2 * variance * (variance + t2)
    )
    half = math.sqrt(
        variance
        * (variance + t2)
        / t2
        * (2 * math.log(1 / alpha) + math.log((variance + t2) / variance))
    )
    p_value = 1.0 if log_ratio <= 0 else min(1.0, math.exp(-log_ratio))
    return d, (d - half, d + half), p_value


def pick_winner(
    results: list[ArmResult], control: str, min_n: int, varies: bool
) -> tuple[str | None, tuple[str, ...]]:
    """The winner by the rules of :class:`ArmComparison`, and why."""
    small = [arm.name for arm in results if arm.n < min_n]
    if small:
        return None, (f"arms under {min_n} leads: {', '.join(small)}",)
    if not varies:
        return None, ("no variance: every lead converted, or none did",)
    others = [arm for arm in results if arm.name != control]
    above = [a for a in others if a.difference_interval and a.difference_interval[0] > 0]
    if above:
        best = max(above, key=lambda a: a.rate)
        return best.name, (f"{best.name} beats {control}: the interval excludes zero",)
    if all(a.difference_interval and a.difference_interval[1] < 0 for a in others):
        return control, (f"{control} beats every other arm: the intervals exclude zero",)
    return None, ("no difference interval excludes zero yet",)


def compare_arms(
    states_or_histories: StatesOrHistories,
    outcomes: Outcomes,
    *,
    split: str,
    horizon_days: float,
    as_of: datetime,
    control: str | None = None,
    confidence: float = 0.95,
    min_n: int = 100,
    sequential: bool = False,
    tau: float | None = None,
    flow: NurtureFlow | None = None,
) -> ArmComparison:
    """Compare the arms of ``split``: a conversion is an outcome within ``horizon_days``
    of the lead's assignment; leads whose horizon is not over at ``as_of`` are left
    out and counted. Each arm is compared with ``control`` (default: the holdout of
    ``flow``'s split, else its first arm; without ``flow``, the first arm by name).
    With more than two arms each difference uses alpha / (arms - 1). ``sequential``
    gives always-valid intervals and p-values (mixture SPRT, mixing N(0, ``tau``^2);
    ``tau`` defaults to a 20% lift on the control's rate). See ``docs/nurture.md``.
    """
    as_of = require_aware(as_of, "as_of")
    if not isinstance(split, str) or not split:
        raise InvalidInputError(f"expected a split's name, got {split!r}", path="split")
    if not isinstance(sequential, bool):
        raise InvalidInputError(f"expected true or false, got {sequential!r}", path="sequential")
    horizon = _number(horizon_days, "horizon_days")
    if horizon <= 0:
        raise InvalidInputError(
            f"expected a positive number of days, got {horizon_days!r}", path="horizon_days"
        )
    z = z_for(confidence)
    if type(min_n) is not int or min_n < 1:
        raise InvalidInputError(f"expected a whole number >= 1, got {min_n!r}", path="min_n")
    if tau is not None and not _number(tau, "tau") > 0:
        raise InvalidInputError(f"expected a positive difference, got {tau!r}", path="tau")
    assigned, outside = _assignments(states_or_histories, split)
    first = _first_outcomes(outcomes)
    counts, pending, before = _counts(assigned, first, timedelta(days=horizon), as_of)
    order, holdouts = _arm_order(flow, split, counts)
    if not order:
        raise InvalidInputError(f"no lead was assigned an arm of split {split!r}", path="split")
    control = _control(control, order, holdouts)
    alpha = (1 - confidence) / max(1, len(order) - 1)
    x0, n0 = counts.get(control, [0, 0])[1], counts.get(control, [0, 0])[0]
    if tau is None and n0:
        base = x0 / n0 or sum(c[1] for c in counts.values()) / max(
            1, sum(c[0] for c in counts.values())
        )
        tau = DEFAULT_LIFT * base if sequential and base > 0 else None
    results = []
    for name in order:
        n, x = counts.get(name, [0, 0])
        result = ArmResult(name, n, x, x / n if n else 0.0, wilson(x, n, z), name in holdouts)
        if name != control and n and n0:
            result = _against(result, x0, n0, alpha, sequential, tau)
        results.append(result)
    total_n = sum(r.n for r in results)
    total_x = sum(r.conversions for r in results)
    winner, reasons = pick_winner(results, control, min_n, 0 < total_x < total_n)
    return ArmComparison(
        split,
        control,
        tuple(results),
        winner,
        reasons,
        pending,
        before,
        horizon,
        as_of,
        confidence,
        min_n,
        "msprt" if sequential else "newcombe",
        tau if sequential else None,
        outside,
    )


def _against(
    result: ArmResult, x0: int, n0: int, alpha: float, sequential: bool, tau: float | None
) -> ArmResult:
    """``result`` with its difference from the control (x0 of n0), by either method."""
    if sequential:
        found = None if tau is None else msprt(result.conversions, result.n, x0, n0, tau, alpha)
        if found is None:
            return attrs.evolve(result, difference=result.rate - x0 / n0)
        d, interval, p_value = found
        return attrs.evolve(result, difference=d, difference_interval=interval, p_value=p_value)
    d, interval, p = newcombe(result.conversions, result.n, x0, n0, z_for(1 - alpha))
    return attrs.evolve(result, difference=d, difference_interval=interval, p_value=p)


def _arm_order(
    flow: NurtureFlow | None, split: str, counts: Mapping[str, list[int]]
) -> tuple[list[str], set[str]]:
    """The arms in the flow's order (then any stored arm it no longer has, by name),
    and which are holdouts."""
    if flow is None:
        return sorted(counts), set()
    if not isinstance(flow, NurtureFlow):
        raise InvalidInputError(f"expected a NurtureFlow, got {type(flow).__name__}", path="flow")
    found: Split | None = next((s for s in flow.splits if s.name == split), None)
    if found is None:
        known = ", ".join(s.name for s in flow.splits) or "none"
        raise InvalidInputError(f"unknown split {split!r}; the flow has: {known}", path="split")
    names = [arm.name for arm in found.arms]
    return names + sorted(set(counts) - set(names)), {a.name for a in found.arms if a.holdout}


def _control(control: str | None, order: list[str], holdouts: set[str]) -> str:
    if control is None:
        return next((name for name in order if name in holdouts), order[0])
    if control not in order:
        raise InvalidInputError(
            f"unknown arm {control!r}; arms: {', '.join(order)}", path="control"
        )
    return control
