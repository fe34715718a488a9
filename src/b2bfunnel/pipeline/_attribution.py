"""Multi-touch attribution of won-deal value, with money that adds up exactly."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import attrs

from .._display import Plotted
from .._frames import table_rows
from .._money import money
from .._time import require_aware
from ..errors import InvalidInputError

MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "markov",
)
DIMENSIONS = ("channel", "campaign", "kol")
NONE = "(none)"
_START, _CONVERSION, _NULL = "(start)", "(conversion)", "(null)"
_UNCHECKED = object()  # no tzinfo is this, so the first datetime is always checked

# A touch in a journey: (POSIX time, dimension value, original touch index).
Touch = tuple[float, str, int]


@attrs.frozen(repr=False)
class AttributionReport(Plotted):
    """Credit for won-deal value per value of ``by`` (channel, campaign or KOL), per model.

    ``totals[model][key]`` is Decimal; for every model the credits of each deal add up
    exactly to its amount (remainders go, a minor unit at a time, to the largest
    fractional shares, ties to the earlier touch). ``unattributed`` is the value of won
    deals with no touch in their lookback window.
    """

    by: str
    models: tuple[str, ...]
    totals: Mapping[str, Mapping[str, Decimal]] = attrs.field(hash=False)
    won_deals: int
    revenue: Decimal
    unattributed: Decimal
    touchpoints: int

    def rows(self) -> list[dict[str, Any]]:
        """One row per key with each model's credit, keys by the first model's credit."""
        keys = sorted(
            {k for model in self.models for k in self.totals[model]},
            key=lambda k: (-self.totals[self.models[0]].get(k, Decimal(0)), k),
        )
        return [
            {self.by: key, **{m: self.totals[m].get(key, Decimal(0)) for m in self.models}}
            for key in keys
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (money as strings)."""
        return {
            "by": self.by,
            "models": list(self.models),
            "totals": {m: {k: str(v) for k, v in t.items()} for m, t in self.totals.items()},
            "won_deals": self.won_deals,
            "revenue": str(self.revenue),
            "unattributed": str(self.unattributed),
            "touchpoints": self.touchpoints,
        }


def allocate(units: int, weights: Sequence[float]) -> list[int]:
    """Split whole ``units`` by ``weights`` exactly: floors, then the remaining units to
    the largest remainders (ties to the earlier position).

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    """
    n = len(weights)
    first = weights[0]
    if all(w == first for w in weights) or sum(weights) <= 0:
        base, left = divmod(units, n)  # equal shares: exact in integers
        return [base + 1 if i < left else base for i in range(n)]
    nonzero = [i for i, w in enumerate(weights) if w]
    if len(nonzero) == 1:
        out = [0] * n
        out[nonzero[0]] = units
        return out
    total = sum(weights)
    shares = [units * w / total for w in weights]
    floors = [int(s) for s in shares]
    left = units - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (floors[i] - shares[i], i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def _weights(
    model: str,
    journey: Sequence[Touch],
    close: float,
    lead_created: float | None,
    opened: float,
    half_life: float,
    effect: Mapping[str, float],
) -> list[float]:
    n = len(journey)
    if model == "first_touch":
        return [1.0] + [0.0] * (n - 1)
    if model == "last_touch":
        return [0.0] * (n - 1) + [1.0]
    if model == "linear":
        return [1.0] * n
    if model == "time_decay":
        return [0.5 ** ((close - t) / half_life) for t, _, _ in journey]
    if model == "position_based":
        if n <= 2:
            return [1.0] * n
        return [0.4] + [0.2 / (n - 2)] * (n - 2) + [0.4]
    if model == "w_shaped":
        weights = [0.0] * n
        created = 0
        if lead_created is not None:
            created = max(
                (i for i, (t, _, _) in enumerate(journey) if t <= lead_created), default=0
            )
        opportunity = max((i for i, (t, _, _) in enumerate(journey) if t <= opened), default=0)
        for role in (0, created, opportunity):
            weights[role] += 0.3
        rest = [i for i in range(n) if i not in (0, created, opportunity)]
        for i in rest:
            weights[i] += 0.1 / len(rest)
        return weights
    counts: dict[str, int] = defaultdict(int)
    for _, key, _ in journey:
        counts[key] += 1
    return [effect.get(key, 0.0) / counts[key] for _, key, _ in journey]


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (small dense systems)."""
    size = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-15:
            continue
        for row in range(size):
            if row != col and a[row][col]:
                factor = a[row][col] / a[col][col]
                a[row] = [x - factor * y for x, y in zip(a[row], a[col], strict=True)]
    return [a[i][size] / a[i][i] if abs(a[i][i]) > 1e-15 else 0.0 for i in range(size)]


def conversion_probability(
    transitions: Mapping[str, Mapping[str, int]], removed: str | None = None
) -> float:
    """Probability of reaching conversion from the start of the absorbing chain, solved
    exactly from the linear system (no simulation); a ``removed`` state sends its
    incoming transitions to the null state."""
    # Sorted, so the linear system (and its floating-point result) does not depend on
    # the order in which journeys were given.
    states = sorted(s for s in transitions if s != removed)
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    matrix = [[0.0] * size for _ in range(size)]
    rhs = [0.0] * size
    for state in states:
        row = index[state]
        matrix[row][row] = 1.0
        out = transitions[state]
        total = sum(out.values())
        if not total:
            continue
        for target, count in sorted(out.items()):
            p = count / total
            if target == _CONVERSION:
                rhs[row] += p
            elif target in index:
                matrix[row][index[target]] -= p
    solution = _solve(matrix, rhs)
    return solution[index[_START]] if _START in index else 0.0


def removal_effects(paths: Iterable[tuple[Sequence[str], bool]]) -> dict[str, float]:
    """Each state's removal effect: the share of conversions lost without it."""
    transitions: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    transitions[_START]
    for path, converted in paths:
        previous = _START
        for state in path:
            transitions[previous][state] += 1
            transitions[state]
            previous = state
        transitions[previous][_CONVERSION if converted else _NULL] += 1
    base = conversion_probability(transitions)
    if base <= 0:
        return {}
    channels = sorted(s for s in transitions if s != _START)
    return {c: max(0.0, 1 - conversion_probability(transitions, c) / base) for c in channels}


def attribute(
    touches: Iterable[Mapping[str, Any]],
    deals: Iterable[Mapping[str, Any]],
    *,
    models: Sequence[str] = MODELS,
    by: str = "channel",
    lookback_days: float | None = 90,
    half_life_days: float = 7,
    columns: Mapping[str, str] | None = None,
) -> AttributionReport:
    """Attribute won-deal value over the touchpoints before each deal closed.

    Touches have ``lead_id``, ``at`` (timezone-aware) and ``channel`` (and optionally
    ``campaign``, ``kol``); deals have ``lead_id``, ``amount``, ``outcome``
    (won/lost/open), ``created_at`` (when the opportunity was created), ``closed_at``
    when closed, and optionally ``lead_created_at``. A deal's journey is its lead's
    touches in the ``lookback_days`` before it closed (or before its lead's last touch,
    for an open deal). Models: first and last touch, linear, time decay (half-life
    ``half_life_days``), position-based 40/20/40, W-shaped 30/30/30/10 (first touch,
    lead creation, opportunity creation, the rest), and Markov removal effect (won
    journeys convert, lost and open ones do not).

    Each table may also be a pandas DataFrame; ``columns`` maps field names to its
    headers (``{"amount": "Amount (EUR)"}``).

    >>> from datetime import datetime, timezone
    >>> t = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
    >>> touches = [{"lead_id": "L1", "at": t(1), "channel": "kol_webinar"},
    ...            {"lead_id": "L1", "at": t(5), "channel": "email"},
    ...            {"lead_id": "L1", "at": t(9), "channel": "paid_search"}]
    >>> deals = [{"lead_id": "L1", "amount": "1000.00", "outcome": "won",
    ...           "created_at": t(6), "closed_at": t(20)}]
    >>> r = attribute(touches, deals, models=["linear", "position_based"])
    >>> r.totals["linear"]
    {'email': Decimal('333.33'), 'kol_webinar': Decimal('333.34'), 'paid_search': Decimal('333.33')}
    >>> r.totals["position_based"]["email"]
    Decimal('200.00')
    """
    touches = table_rows(touches, columns, path="touches")
    deals = table_rows(deals, columns, path="deals")
    chosen = tuple(models)
    for index, model in enumerate(chosen):
        if model not in MODELS:
            raise InvalidInputError(
                f"unknown model {model!r}; allowed: {', '.join(MODELS)}", path=f"models[{index}]"
            )
    if by not in DIMENSIONS:
        raise InvalidInputError(
            f"unknown dimension {by!r}; allowed: {', '.join(DIMENSIONS)}", path="by"
        )
    if lookback_days is not None and (
        isinstance(lookback_days, bool)
        or not isinstance(lookback_days, int | float)
        or lookback_days <= 0
    ):
        raise InvalidInputError(
            f"expected days > 0 or None, got {lookback_days!r}", path="lookback_days"
        )
    if (
        isinstance(half_life_days, bool)
        or not isinstance(half_life_days, int | float)
        or (half_life_days <= 0)
    ):
        raise InvalidInputError(f"expected days > 0, got {half_life_days!r}", path="half_life_days")
    by_lead: dict[str, list[Touch]] = defaultdict(list)
    count = 0
    checked_zone: Any = _UNCHECKED
    for index, touch in enumerate(touches):
        # Paths are only built on the error paths: this loop runs once per touchpoint.
        if type(touch) is not dict and not isinstance(touch, Mapping):
            raise InvalidInputError(
                f"expected a mapping, got {type(touch).__name__}", path=f"touches[{index}]"
            )
        lead = touch.get("lead_id")
        if type(lead) is not str or not lead:
            raise InvalidInputError(
                f"expected a lead id, got {lead!r}", path=f"touches[{index}].lead_id"
            )
        at: Any = touch.get("at")
        if type(at) is not datetime or at.tzinfo is not checked_zone:
            # Touches nearly always share one tzinfo: check awareness once per zone.
            require_aware(at, f"touches[{index}].at")
            checked_zone = at.tzinfo
        channel = touch.get("channel")
        if type(channel) is not str or not channel:
            raise InvalidInputError(
                f"expected a channel name, got {channel!r}", path=f"touches[{index}].channel"
            )
        if by == "channel":
            key = channel
        else:
            key = touch.get(by) or NONE
            if not isinstance(key, str):
                raise InvalidInputError(
                    f"expected text, got {key!r}", path=f"touches[{index}].{by}"
                )
        by_lead[lead].append((at.timestamp(), key, index))
        count += 1
    for journey in by_lead.values():
        journey.sort()
    window = None if lookback_days is None else lookback_days * 86_400
    markov = "markov" in chosen
    half_life = half_life_days * 86_400
    won: list[tuple[int, Decimal, list[Touch], float, float | None, float]] = []
    paths: list[tuple[list[str], bool]] = []
    for index, deal in enumerate(deals):
        path = f"deals[{index}]"
        if not isinstance(deal, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(deal).__name__}", path=path)
        lead = deal.get("lead_id")
        if not isinstance(lead, str) or not lead:
            raise InvalidInputError(f"expected a lead id, got {lead!r}", path=f"{path}.lead_id")
        amount = money(deal.get("amount"), f"{path}.amount")
        outcome = deal.get("outcome")
        if outcome not in ("won", "lost", "open"):
            raise InvalidInputError(
                f"unknown outcome {outcome!r}; allowed: won, lost, open", path=f"{path}.outcome"
            )
        created_at: Any = deal.get("created_at")
        if type(created_at) is not datetime or created_at.tzinfo is not checked_zone:
            require_aware(created_at, f"{path}.created_at")
        opened = created_at.timestamp()
        lead_created = deal.get("lead_created_at")
        created_ts = (
            None
            if lead_created is None
            else require_aware(lead_created, f"{path}.lead_created_at").timestamp()
        )
        journey = by_lead.get(lead, [])
        if outcome == "open":
            end = journey[-1][0] if journey else opened
            if deal.get("closed_at") is not None:
                raise InvalidInputError("an open deal has no closed_at", path=f"{path}.closed_at")
        else:
            closed: Any = deal.get("closed_at")
            if type(closed) is not datetime or closed.tzinfo is not checked_zone:
                require_aware(closed, f"{path}.closed_at")
            end = closed.timestamp()
            if end < opened:
                raise InvalidInputError("closed_at is before created_at", path=f"{path}.closed_at")
            if journey and journey[-1][0] > end:  # journeys are sorted by time
                late = next(t for t in journey if t[0] > end)
                raise InvalidInputError(
                    f"a touch of lead {lead!r} comes after its deal closed at {closed.isoformat()}",
                    path=f"touches[{late[2]}].at",
                )
        if outcome != "won" and not markov:
            continue  # only the Markov model learns from journeys that did not convert
        start = -float("inf") if window is None else end - window
        if journey and journey[0][0] >= start and journey[-1][0] <= end:
            kept = journey
        else:
            kept = [t for t in journey if start <= t[0] <= end]
        if markov:
            paths.append(([key for _, key, _ in kept], outcome == "won"))
        if outcome == "won":
            won.append((index, amount, kept, end, created_ts, opened))
    places = max([2] + [-int(a.as_tuple().exponent) for _, a, _, _, _, _ in won])
    scale = Decimal(10) ** places
    effect = removal_effects(paths) if markov else {}
    units: dict[str, dict[str, int]] = {model: defaultdict(int) for model in chosen}
    revenue = unattributed = Decimal(0)
    for _, amount, journey, close, created_ts, opened in won:
        revenue += amount
        if not journey:
            unattributed += amount
            continue
        whole = int(amount * scale)
        for model in chosen:
            weights = _weights(model, journey, close, created_ts, opened, half_life, effect)
            totals = units[model]
            for (_, key, _), share in zip(journey, allocate(whole, weights), strict=True):
                totals[key] += share
    result = {
        model: {
            k: (Decimal(v) / scale).quantize(Decimal(1).scaleb(-places))
            for k, v in sorted(units[model].items())
        }
        for model in chosen
    }
    return AttributionReport(by, chosen, result, len(won), revenue, unattributed, count)
