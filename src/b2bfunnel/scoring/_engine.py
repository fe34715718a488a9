"""The compiled form of a scoring model and its point arithmetic.

Batch scoring, the incremental state and the hot-crossing replay all add events to the
same per-rule accumulators and read points from them here, so they agree exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._time import SECONDS_PER_DAY, from_ts
from ..tables._values import name_key
from ._result import EMPTY, Accumulator, Row, Score
from ._rules import Decay, ExplicitRule, ImplicitRule, Tier, tier_of
from ._times import EMPTY_TIMES, Times

if TYPE_CHECKING:
    from ._model import ScoringModel

COUNT, WEIGHT, TIMES = 0, 1, 2
# Every reported figure is rounded to this many decimals, which also makes results
# independent of the order in which floating-point sums were accumulated.
PLACES = 6
_UNIT = 10**PLACES


Targets = tuple[tuple[int, int, Any], ...]


class Dispatch(dict[str, Targets | None]):
    """Event name -> the implicit rules it feeds. Looked up with ``[name]``: a name not
    written as a rule's event is matched under :func:`name_key` (``Webinar_Completed``
    is ``webinar_completed``) once, then remembered (``None``: no rule), so the hot
    loop stays one dict look-up per event."""

    MEMO_SIZE = 65_536

    def __init__(self, exact: dict[str, Targets]) -> None:
        super().__init__(exact)
        self.by_key: dict[str, Targets] = {}
        for name, targets in exact.items():
            self.by_key.setdefault(name_key(name), targets)

    def __missing__(self, name: str) -> Targets | None:
        targets = self.by_key.get(name_key(name)) if isinstance(name, str) else None
        if len(self) < self.MEMO_SIZE:
            self[name] = targets
        return targets


class Engine:
    """A model's rules compiled for speed: which rules an event name feeds, how each
    rule accumulates its events, and whether shortcuts for the hot check apply."""

    __slots__ = (
        "bands",
        "capped",
        "decay",
        "default_fingerprint",
        "dispatch",
        "engagement_grades",
        "expiry_window",
        "explicit",
        "explicit_items",
        "fingerprint",
        "fit_grades",
        "groups",
        "hot_threshold",
        "implicit",
        "kinds",
        "max_total",
        "monotone",
        "plans",
        "row_meta",
        "running_total_ok",
        "step_points",
    )

    def __init__(self, model: ScoringModel, default_fingerprint: Callable[[], str]) -> None:
        self.fingerprint: str = model.fingerprint
        # The default model's fingerprint, computed on first need by the model module
        # (states of an earlier default model are re-based onto the default model).
        self.default_fingerprint = default_fingerprint
        self.hot_threshold: float = model.hot_threshold
        self.explicit: tuple[ExplicitRule, ...] = model.explicit
        self.implicit: tuple[ImplicitRule, ...] = model.implicit
        self.decay: Decay = model.decay
        self.bands: tuple[Tier, ...] = model.bands
        self.fit_grades: tuple[Tier, ...] = model.fit_grades
        self.engagement_grades: tuple[Tier, ...] = model.engagement_grades
        self.groups: tuple[tuple[str, float | None], ...] = model.groups
        self.max_total: float | None = model.max_total
        per_event = self.decay.per_event
        kinds = []
        for rule in self.implicit:
            if not rule.decays or not per_event:
                kinds.append(COUNT)
            elif self.decay.kind == "half_life" and rule.max_count is None:
                kinds.append(WEIGHT)
            else:
                kinds.append(TIMES)
        self.kinds: tuple[int, ...] = tuple(kinds)
        aggregate = [r.decays and not per_event for r in self.implicit]
        dispatch: dict[str, list[tuple[int, int, Any]]] = {}
        for index, rule in enumerate(self.implicit):
            where = rule.where._predicate if rule.where is not None else None
            dispatch.setdefault(rule.event, []).append((index, kinds[index], where))
        self.dispatch = Dispatch({k: tuple(v) for k, v in dispatch.items()})
        # Monotone: adding an event never lowers the score at event times, so the peak
        # over event times is the score at the last event.
        self.monotone: bool = not per_event and all(r.points >= 0 for r in self.implicit)
        self.running_total_ok: bool = (
            not per_event and self.max_total is None and all(c is None for _, c in self.groups)
        )
        self.expiry_window: float | None = (
            self.decay.param("days") * SECONDS_PER_DAY if self.decay.kind == "expiry" else None
        )
        # What values() and build() read of each rule, unpacked once rather than per lead;
        # row_meta is (name, kind, group) by rule index, explicit rules first.
        offset = len(self.explicit)
        self.explicit_items: tuple[tuple[float, float, int, None], ...] = tuple(
            (float(r.points), float(r.points), 0, None) for r in self.explicit
        )
        self.plans: tuple[tuple[int, int, Any, int | None, float | None, bool], ...] = tuple(
            (offset + i, kinds[i], r.points, r.max_count, r.max_points, aggregate[i])
            for i, r in enumerate(self.implicit)
        )
        self.row_meta: tuple[tuple[str, str, str | None], ...] = tuple(
            (r.name, "explicit", r.group) for r in self.explicit
        ) + tuple((r.name, "implicit", r.group) for r in self.implicit)
        # Points each event of a rule adds to a running sum, where that is exact: whole
        # points with no caps (else None: the difference of rule_value() is needed).
        self.step_points: tuple[float | None, ...] = tuple(
            float(r.points)
            if r.max_count is None and r.max_points is None and float(r.points).is_integer()
            else None
            for r in self.implicit
        )
        self.capped: bool = self.max_total is not None or any(c is not None for _, c in self.groups)

    def needs_event(self, name: str) -> bool:
        """Whether scoring reads the events called ``name`` beyond lead and time: a rule
        counts them, or the hot-crossing replay needs every event."""
        return not self.running_total_ok or self.dispatch[name] is not None

    def needs_properties(self, name: str) -> bool:
        """Whether scoring reads the properties of events called ``name``: a rule that
        counts them filters them with ``where``."""
        targets = self.dispatch[name]
        return targets is not None and any(where is not None for _, _, where in targets)

    def match_profile(self, profile: Mapping[str, Any]) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(self.explicit) if r.when._predicate(profile))

    def empty_rules(self) -> list[Accumulator]:
        return [EMPTY] * len(self.kinds)

    def apply(
        self,
        accs: list[Accumulator],
        targets: tuple[tuple[int, int, Any], ...],
        properties: Mapping[str, Any],
        t: float,
    ) -> None:
        """Add one event (its ``properties``, at ``t``) to the accumulators of the rules
        it matches."""
        for index, kind, where in targets:
            if where is not None and not where(properties):
                continue
            acc = accs[index]
            if kind == COUNT:
                count = acc[0]
                accs[index] = (count + 1, t if not count or t > acc[1] else acc[1])
            elif kind == WEIGHT:
                accs[index] = self.add_weight(acc, t)
            else:
                accs[index] = self.add_time(index, acc, t)

    def add_weight(self, acc: Accumulator, t: float) -> Accumulator:
        if not acc[0]:
            return (1, t, 1.0)
        count, anchor, weight = acc
        half_life = self.decay.param("half_life_days") * SECONDS_PER_DAY
        if t > anchor:  # re-anchor on the newest event so every term stays <= 1
            return (count + 1, t, weight * 0.5 ** ((t - anchor) / half_life) + 1.0)
        return (count + 1, anchor, weight + 0.5 ** ((anchor - t) / half_life))

    def add_time(self, index: int, acc: Accumulator, t: float) -> Accumulator:
        times: Times = acc if type(acc) is Times else EMPTY_TIMES
        window = self.expiry_window
        horizon = None
        if window is not None:
            # Scores are read at or after the newest event, so older ones can never count.
            newest = times.newest() if times else t
            horizon = (t if t > newest else newest) - window
        return times.add(t, horizon, self.implicit[index].max_count)

    def values(
        self,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        asof_ts: float,
    ) -> tuple[list[list[Any]], float]:
        """Per counted rule ``[rule index, value, raw, events, last_ts]`` and the decay factor.

        Rule indices count explicit rules first, then implicit ones.
        """
        items: list[list[Any]] = [[j, *self.explicit_items[j]] for j in explicit]
        decay = self.decay
        decaying: list[list[Any]] = []
        decaying_total = 0.0
        # accs may carry more after the rules: zip stops at the rules
        for plan, acc in zip(self.plans, accs, strict=False):
            index, kind, points, max_count, cap, aggregate = plan
            if kind == COUNT:
                count, rule_last = acc
                if not count:
                    continue
                if max_count is not None and count > max_count:
                    count = max_count
                value = float(count * points)
            elif kind == WEIGHT:
                if not acc[0]:
                    continue
                count, rule_last, weight = acc
                half_life = decay.param("half_life_days") * SECONDS_PER_DAY
                value = points * weight * 0.5 ** ((asof_ts - rule_last) / half_life)
            else:
                if type(acc) is not Times:
                    continue
                expiry = decay.kind == "expiry"
                horizon = asof_ts - decay.param("days") * SECONDS_PER_DAY if expiry else -math.inf
                low, high = acc.window(horizon, asof_ts)
                if max_count is not None:
                    low = max(low, high - max_count)
                if low >= high:
                    continue
                count, rule_last = high - low, acc.at(high - 1)
                if expiry:  # every time in the window counts in full
                    value = float(points * count)
                else:
                    value = points * math.fsum(
                        decay.event_factor((asof_ts - acc.at(i)) / SECONDS_PER_DAY)
                        for i in range(low, high)
                    )
            if cap is not None and abs(value) > cap:
                value = math.copysign(cap, value)
            item = [index, value, count * points, count, rule_last]
            items.append(item)
            if aggregate:
                decaying.append(item)
                decaying_total += value
        factor = 1.0
        if decaying and last is not None:
            factor = decay.factor(decaying_total, (asof_ts - last) / SECONDS_PER_DAY)
            if factor != 1.0:
                for item in decaying:
                    item[1] *= factor
        if self.capped:
            offset = len(self.explicit)
            for name, cap in self.groups:
                if cap is not None:
                    _cap([it for it in items if self.row_meta[it[0]][2] == name], cap, offset)
            if self.max_total is not None:
                _cap(items, self.max_total, offset)
        return items, factor

    def total(
        self, explicit: Sequence[int], accs: Sequence[Accumulator], last: float | None, at: float
    ) -> float:
        items, _ = self.values(explicit, accs, last, at)
        return round(math.fsum(round(it[1], PLACES) for it in items), PLACES)

    def total_at(self, explicit: Sequence[int], accs: Sequence[Accumulator], last: float) -> float:
        """The total at the time of the newest event ``last`` (nothing decayed yet)."""
        if self.running_total_ok:
            return self.undecayed_total(explicit, accs)
        return self.total(explicit, accs, last, last)

    def undecayed_total(self, explicit: Sequence[int], accs: Sequence[Accumulator]) -> float:
        """Score at the last event for models where :func:`._replay.first_hot_running` applies."""
        running = 0.0
        for j in explicit:
            running += self.explicit[j].points
        rule_value = self.rule_value
        for index in range(len(self.implicit)):
            acc = accs[index]
            if acc[0]:
                running += rule_value(index, acc[0])
        return round_points(running)

    def rule_value(self, index: int, count: int) -> float:
        """Undecayed points of implicit rule ``index`` for ``count`` events, after its caps."""
        rule = self.implicit[index]
        if rule.max_count is not None and count > rule.max_count:
            count = rule.max_count
        value = count * rule.points
        cap = rule.max_points
        if cap is not None and abs(value) > cap:
            value = math.copysign(cap, value)
        return float(value)

    def build(
        self,
        lead_id: str,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        as_of: datetime,
        asof_ts: float,
        hot_since: datetime | None,
    ) -> Score:
        items, factor = self.values(explicit, accs, last, asof_ts)
        offset = len(self.explicit)
        rows: list[Row] = []
        explicit_total = implicit_total = 0.0
        meta = self.row_meta
        for index, value, raw, count, rule_last in items:
            # inline round_points: this runs once per rule per lead
            points = value + 0.0 if value.is_integer() else round(value, PLACES) + 0.0
            if index < offset:
                explicit_total += points
            else:
                implicit_total += points
            name, kind, group = meta[index]
            rows.append((name, points, kind, float(raw), count, rule_last, group))
        explicit_total = round_points(explicit_total)
        implicit_total = round_points(implicit_total)
        total = round_points(explicit_total + implicit_total)
        groups: Mapping[str, float] = _NO_GROUPS
        if self.groups:
            sums = {name: 0.0 for name, _ in self.groups}
            for row in rows:
                if row[6] is not None:
                    sums[row[6]] += row[1]
            groups = {name: round_points(v) for name, v in sums.items()}
        return Score(
            lead_id,
            total,
            explicit_total,
            implicit_total,
            tier_of(self.bands, total),
            total >= self.hot_threshold,
            tuple(rows),
            as_of,
            tier_of(self.fit_grades, explicit_total)
            + tier_of(self.engagement_grades, implicit_total),
            hot_since,
            None if last is None else from_ts(last),
            round_points(factor),
            groups,
        )


_NO_GROUPS: Mapping[str, float] = MappingProxyType({})


def round_points(value: float) -> float:
    """``value`` to :data:`PLACES` decimals (-0.0 becomes 0.0); integers pass untouched,
    because ``round`` with digits is slow and they are the common case."""
    if value.is_integer():
        return value + 0.0
    return round(value, PLACES) + 0.0


def _cap(items: list[list[Any]], cap: float, offset: int) -> None:
    """Scale the positive behaviour values of ``items`` so their sum is at most ``cap``.

    Profile points (rule index below ``offset``) are never scaled: configuration
    guarantees a cap holds all of them, so shrinking behaviour points always suffices.
    Rows are shown rounded to :data:`PLACES`, so the scaled rows are split in whole
    millionths by largest remainder: the shown rows then add up to the cap exactly,
    never a millionth over it (or under it, which could cost a capped lead its ``hot``).
    """
    total = math.fsum(it[1] for it in items)
    if total <= cap:
        return
    scaled = [it for it in items if it[1] > 0 and it[0] >= offset]
    positive = math.fsum(it[1] for it in scaled)
    kept = sum(round(it[1] * _UNIT) for it in items if not (it[1] > 0 and it[0] >= offset))
    target = max(0, math.floor(cap * _UNIT + 0.5) - kept)
    shares = [it[1] / positive * target for it in scaled]
    units = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(scaled)), key=lambda i: units[i] - shares[i])
    for i in by_remainder[: max(0, target - sum(units))]:
        units[i] += 1
    for item, unit in zip(scaled, units, strict=True):
        item[1] = unit / _UNIT
