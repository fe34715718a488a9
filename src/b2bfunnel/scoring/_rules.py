"""Scoring configuration values: rules, decay, tiers (bands and grades)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._conditions import Condition
from .._config import Reader, join
from .._tiers import Tier
from ..errors import InvalidInputError
from ..tables._values import as_number

DECAY_PARAMS: dict[str, dict[str, float]] = {
    "none": {},
    "inactivity": {"grace_days": 30, "half_life_days": 30},
    "half_life": {"half_life_days": 30},
    "linear": {"points_per_day": 1, "grace_days": 0},
    "expiry": {"days": 90},
    "stepwise": {"every_days": 30, "points": 10},
}
PER_EVENT_KINDS = frozenset(("half_life", "expiry"))


@attrs.frozen
class Decay:
    """How behaviour (implicit) points shrink toward zero over time.

    Kinds and their parameters (defaults in brackets):

    - ``none``: points never decay.
    - ``inactivity`` (the default): nothing decays while the lead had an event in the
      last ``grace_days`` [30]; past that, decaying points halve every
      ``half_life_days`` [30] of further inactivity.
    - ``half_life``: each event's points halve every ``half_life_days`` [30] of its age.
    - ``linear``: after ``grace_days`` [0] without activity, decaying points lose
      ``points_per_day`` [1] per further day of inactivity, down to zero.
    - ``expiry``: an event older than ``days`` [90] no longer counts (ActiveCampaign-style).
    - ``stepwise``: every ``every_days`` [30] without activity subtracts ``points`` [10].

    ``inactivity``, ``linear`` and ``stepwise`` act on the sum of decaying behaviour
    points; ``half_life`` and ``expiry`` act on each event. None flips a sign.

    >>> Decay("half_life", {"half_life_days": 7}).event_factor(7.0)
    0.5
    """

    kind: str = "inactivity"
    params: Mapping[str, float] = attrs.field(factory=dict, hash=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.params, Mapping):
            raise InvalidInputError(
                f"expected a mapping of parameters, got {type(self.params).__name__}",
                path="decay.params",
            )
        # Store every parameter of the kind, so equal decays compare equal.
        reader = Reader()
        check_decay({"kind": self.kind, **self.params}, "decay", reader)
        reader.raise_if_any("decay")
        object.__setattr__(self, "params", {**DECAY_PARAMS[self.kind], **self.params})

    @property
    def per_event(self) -> bool:
        """True when each event decays by its own age (``half_life``, ``expiry``)."""
        return self.kind in PER_EVENT_KINDS

    def param(self, name: str) -> float:
        """A parameter, or its default for this kind."""
        try:
            value: float = self.params[name]
        except (KeyError, TypeError):
            raise InvalidInputError(
                f"{self.kind} decay has no parameter {name!r}; it has "
                f"{', '.join(self.params) or 'none'}",
                path="name",
            ) from None
        return float(value)

    def event_factor(self, age_days: float) -> float:
        """Share of an event's points left at ``age_days`` (per-event kinds)."""
        if type(age_days) is not float:
            age_days = _days(age_days, "age_days")
        if self.kind == "half_life":
            return float(0.5 ** (max(age_days, 0.0) / self.param("half_life_days")))
        if self.kind == "expiry":
            return 1.0 if age_days <= self.param("days") else 0.0
        return 1.0

    def factor(self, total: float, idle_days: float) -> float:
        """Share (0..1) of the decaying points ``total`` left after ``idle_days`` idle.

        Aggregate kinds only; the multiplier is applied to every decaying rule alike,
        so the sign of each is kept and the explanation stays proportional.
        """
        if type(total) is not float:
            total = _days(total, "total")
        if type(idle_days) is not float:
            idle_days = _days(idle_days, "idle_days")
        if idle_days <= 0 or self.kind in ("none", "half_life", "expiry"):
            return 1.0
        if self.kind == "inactivity":
            over = idle_days - self.param("grace_days")
            return 0.5 ** (over / self.param("half_life_days")) if over > 0 else 1.0
        if self.kind == "linear":
            over = idle_days - self.param("grace_days")
            cut = self.param("points_per_day") * over if over > 0 else 0.0
        else:  # stepwise
            steps = idle_days / self.param("every_days")  # inf for a tiny every_days
            points = self.param("points")
            cut = points * (math.floor(steps) if math.isfinite(steps) else steps) if points else 0.0
        if cut <= 0:
            return 1.0
        magnitude = abs(total)
        return max(0.0, magnitude - cut) / magnitude if magnitude else 0.0

    def to_dict(self) -> dict[str, Any]:
        """``{"kind": ..., <every parameter of the kind>}``."""
        return {"kind": self.kind, **self.params}


def _days(value: Any, path: str) -> float:
    """``value`` as a float, for the decay methods' numeric arguments."""
    number = as_number(value)
    if number is None or isinstance(value, str):
        raise InvalidInputError(f"expected a number, got {value!r}", path=path)
    return number


@attrs.frozen
class ExplicitRule:
    """Profile (fit) points: ``points`` when the profile satisfies ``when``. Never decays."""

    name: str
    points: float
    when: Condition
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The rule as configuration data."""
        out: dict[str, Any] = {
            "name": self.name,
            "points": self.points,
            "when": self.when.to_dict(),
        }
        if self.group is not None:
            out["group"] = self.group
        return out


@attrs.frozen
class ImplicitRule:
    """Behaviour points: ``points`` for each event named ``event`` whose properties match.

    ``max_count`` caps how many events count (the most recent ones), ``max_points`` the
    magnitude of the rule's total; ``decays = False`` keeps the points from decaying.
    ``within_days`` counts only events of the last N days before ``as_of``;
    ``max_per_day`` and ``max_per_week`` count only the first events of each calendar
    day and ISO week (in the model's ``timezone``). They apply in that order, then
    ``max_count``, then decay, then ``max_points`` (see ``docs/scoring.md``).
    """

    name: str
    event: str
    points: float
    where: Condition | None = None
    decays: bool = True
    max_count: int | None = None
    max_points: float | None = None
    group: str | None = None
    within_days: float | None = None
    max_per_day: int | None = None
    max_per_week: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The rule as configuration data (optional keys only when set)."""
        out: dict[str, Any] = {"name": self.name, "event": self.event, "points": self.points}
        if self.where is not None:
            out["where"] = self.where.to_dict()
        if not self.decays:
            out["decays"] = False
        for key in OPTIONAL_IMPLICIT_KEYS:
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


# --- reading configuration --------------------------------------------------------

# A rule's points, at most this far from 0: a score adds up a rule's points for every
# event of a lead, and sums near 1e308 would overflow to infinity (and inf - inf is NaN).
MAX_POINTS = 1e12

EXPLICIT_KEYS = ("name", "points", "when", "group")
# Keys of an implicit rule that are written only when set, and how each is read.
OPTIONAL_IMPLICIT_KEYS = (
    "max_count",
    "max_points",
    "group",
    "within_days",
    "max_per_day",
    "max_per_week",
)
IMPLICIT_KEYS = ("name", "event", "points", "where", "decays", *OPTIONAL_IMPLICIT_KEYS)


def read_explicit(data: Any, path: str, reader: Reader) -> ExplicitRule | None:
    """Read one ``[[scoring.explicit]]`` rule."""
    before = len(reader.problems)
    table = reader.table(data, path, EXPLICIT_KEYS, required=("name", "points", "when"))
    if table is None:
        return None
    name = reader.string(table.get("name"), join(path, "name")) if "name" in table else None
    points = (
        reader.number(table["points"], join(path, "points"), magnitude=MAX_POINTS)
        if "points" in table
        else None
    )
    when = Condition.parse(table["when"], join(path, "when"), reader) if "when" in table else None
    group = reader.string(table["group"], join(path, "group")) if "group" in table else None
    if len(reader.problems) != before or name is None or points is None or when is None:
        return None
    return ExplicitRule(name, points, when, group)


def read_implicit(data: Any, path: str, reader: Reader) -> ImplicitRule | None:
    """Read one ``[[scoring.implicit]]`` rule."""
    before = len(reader.problems)
    table = reader.table(data, path, IMPLICIT_KEYS, required=("name", "event", "points"))
    if table is None:
        return None
    get = table.get
    name = reader.string(get("name"), join(path, "name")) if "name" in table else None
    event = reader.string(get("event"), join(path, "event")) if "event" in table else None
    points = (
        reader.number(get("points"), join(path, "points"), magnitude=MAX_POINTS)
        if "points" in table
        else None
    )
    where = Condition.parse(get("where"), join(path, "where"), reader) if "where" in table else None
    decays = reader.boolean(get("decays"), join(path, "decays")) if "decays" in table else True
    numbers = {
        key: _read_limit(key, get(key), join(path, key), reader) if key in table else None
        for key in _LIMIT_KEYS
    }
    group = reader.string(get("group"), join(path, "group")) if "group" in table else None
    if len(reader.problems) != before or name is None or event is None or points is None:
        return None
    counts = {k: int(v) for k, v in numbers.items() if k in _COUNT_KEYS and v is not None}
    return ImplicitRule(
        name,
        event,
        points,
        where,
        bool(decays),
        counts.get("max_count"),
        numbers["max_points"],
        group,
        numbers["within_days"],
        counts.get("max_per_day"),
        counts.get("max_per_week"),
    )


_COUNT_KEYS = ("max_count", "max_per_day", "max_per_week")
_LIMIT_KEYS = (*_COUNT_KEYS, "max_points", "within_days")


def _read_limit(key: str, value: object, path: str, reader: Reader) -> float | None:
    """A count (an integer >= 1) or a positive number."""
    if key in _COUNT_KEYS:
        return reader.number(value, path, minimum=1, integer=True)
    return reader.number(value, path, exclusive_minimum=0)


def read_decay(data: Any, path: str, reader: Reader) -> Decay | None:
    """Read ``[scoring.decay]``: ``kind`` and that kind's parameters."""
    checked = check_decay(data, path, reader)
    return None if checked is None else Decay(*checked)


def check_decay(data: Any, path: str, reader: Reader) -> tuple[str, dict[str, float]] | None:
    """Validate decay data, recording problems; ``(kind, params)`` when valid."""
    if not isinstance(data, Mapping):
        reader.error(path, f"expected a table, got {type(data).__name__}")
        return None
    kind = data.get("kind", "inactivity")
    if reader.string(kind, join(path, "kind"), choices=DECAY_PARAMS) is None:
        return None
    known = ("kind", *DECAY_PARAMS[kind])
    before = len(reader.problems)
    reader.table(data, path, known)
    params: dict[str, float] = {}
    for name in DECAY_PARAMS[kind]:
        if name in data:
            # A grace period may be zero; every other parameter must be positive.
            value = (
                reader.number(data[name], join(path, name), minimum=0)
                if name == "grace_days"
                else reader.number(data[name], join(path, name), exclusive_minimum=0)
            )
            if value is not None:
                params[name] = value
    if len(reader.problems) != before:
        return None
    return kind, params


def read_reset_on(value: Any, path: str, reader: Reader) -> tuple[str, ...]:
    """Event names that reset behaviour points: distinct non-empty strings."""
    items = reader.array(value, path)
    names: list[str] = []
    for index, item in enumerate(items or ()):
        name = reader.string(item, join(path, index))
        if name is not None and name in names:
            reader.error(join(path, index), f"{name!r} is listed twice")
        elif name is not None:
            names.append(name)
    return tuple(names)


def agree_hot(
    bands: Sequence[Tier], threshold: float | None, given: bool, path: str, reader: Reader
) -> float | None:
    """The hot threshold, made to agree with custom bands: a lead is hot exactly when
    its band is the one starting at the threshold or a higher one.

    Without ``hot_threshold``, a band named ``hot`` sets it. Otherwise the threshold
    must be where a band starts, and a band named ``hot`` must start there.
    """
    hot_band = next((band for band in bands if band.name == "hot"), None)
    if not given and hot_band is not None and hot_band.min is not None:
        return hot_band.min
    if threshold is None:
        return None
    starts = [band.min for band in bands if band.min is not None]
    if threshold not in starts:
        reader.error(
            join(path, "hot_threshold"),
            f"{threshold:g} is not where a band starts ({', '.join(f'{m:g}' for m in starts)}),"
            " so a lead could be hot in a band that is not; start a band at it",
        )
    elif hot_band is not None and hot_band.min != threshold:
        reader.error(
            join(path, "bands"),
            f"the band 'hot' starts at {hot_band.min if hot_band.min is not None else 'the bottom'}"
            f" but hot_threshold is {threshold:g}; make them equal",
        )
    return threshold
