"""Scoring results: contributions, scores and the persisted per-lead state."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, Protocol

import attrs

from .._display import Displayed, View, elide, number
from .._rank_frame import reasons_text
from .._time import from_ts
from ..errors import InvalidInputError
from ._times import Times

Row = tuple[str, float, str, float, int, "float | None", "str | None"]


def _read_only(mapping: Mapping[str, float]) -> Mapping[str, float]:
    return mapping if type(mapping) is MappingProxyType else MappingProxyType(dict(mapping))


def _read_only_scores(mapping: Mapping[str, SubScore]) -> Mapping[str, SubScore]:
    return mapping if type(mapping) is MappingProxyType else MappingProxyType(dict(mapping))


def _fmt(points: float) -> str:
    return f"{points:+.1f}"


@attrs.frozen(repr=False)
class Contribution(Displayed):
    """One rule that counted: its points after decay and caps, and the events behind it.

    ``raw_points`` is what the rule gave before decay and caps; ``events`` how many
    events counted (0 for profile rules) and ``last_at`` the latest of them.
    """

    rule: str
    points: float
    kind: str
    raw_points: float
    events: int = 0
    last_at: datetime | None = None
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "rule": self.rule,
            "points": self.points,
            "kind": self.kind,
            "raw_points": self.raw_points,
            "events": self.events,
            "last_at": self.last_at.isoformat() if self.last_at else None,
            "group": self.group,
        }

    def describe(self) -> str:
        """One line: points, rule and why."""
        if self.kind == "explicit":
            why = "profile"
        else:
            noun = "event" if self.events == 1 else "events"
            when = self.last_at.date().isoformat() if self.last_at else "?"
            why = f"{self.events} {noun}, last {when}"
        if abs(self.points - self.raw_points) > 1e-9:
            why += f"; {self.raw_points:g} before decay and caps"
        return f"{_fmt(self.points):>7}  {self.rule} ({why})"


@attrs.frozen(repr=False)
class Score(Displayed):
    """A lead's score at ``as_of``, with everything that explains it.

    ``rows`` holds the contributions in compact form ``(rule, points, kind, raw_points,
    events, last event as POSIX seconds, group)``; read them as :attr:`contributions`.

    ``total = explicit + implicit``; ``band`` names the configured band of the total;
    ``hot`` is ``total >= hot_threshold``; ``grade`` keeps fit (letter, from explicit
    points) and engagement (digit, from implicit points) apart, ``"A1"`` best;
    ``hot_since`` is the time of the first event at which the lead's score reached the
    hot threshold (the moment the rep should have been notified); ``decay_factor`` the
    share of decaying behaviour points left after inactivity decay; ``last_reset`` the
    time of the newest reset event (``reset_on``), before which behaviour no longer
    counts, and since which ``hot_since`` is judged. ``scores`` holds the model's
    named scores by name (each a :class:`SubScore`; empty for a model without any).
    """

    lead_id: str
    total: float
    explicit: float
    implicit: float
    band: str
    hot: bool
    rows: tuple[Row, ...]
    as_of: datetime
    grade: str = ""
    hot_since: datetime | None = None
    last_activity: datetime | None = None
    decay_factor: float = 1.0
    groups: Mapping[str, float] = attrs.field(factory=dict, converter=_read_only, hash=False)
    last_reset: datetime | None = None
    scores: Mapping[str, SubScore] = attrs.field(
        factory=dict, converter=_read_only_scores, hash=False
    )

    @functools.cached_property
    def contributions(self) -> tuple[Contribution, ...]:
        """One :class:`Contribution` per rule that counted, in rule order.

        Built on first access from :attr:`rows`, so ranking a whole CRM export does not
        pay for explanations nobody reads.
        """
        return tuple(map(_contribution, self.rows))

    def top_reasons(self, n: int = 3) -> tuple[Contribution, ...]:
        """The ``n`` contributions with the largest absolute points (ties by rule name);
        only those ``n`` are built."""
        return tuple(map(_contribution, self.top_rows(n)))

    def top_rows(self, n: int = 3) -> tuple[Row, ...]:
        """:meth:`top_reasons` in the compact form of :attr:`rows`, for readers of many
        scores that need no :class:`Contribution` objects.

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> s = bf.ScoringModel.default().score(
        ...     {"id": "L1", "job_title": "CTO", "employees": 900},
        ...     [bf.Event("L1", "webinar_completed", at)], as_of=at)
        >>> [(row[0], row[1]) for row in s.top_rows(1)]
        [('it_leader_at_large_company', 50.0)]
        """
        if type(n) is not int or n < 0:
            raise InvalidInputError(f"expected a whole number >= 0, got {n!r}", path="n")
        return tuple(sorted(self.rows, key=_by_weight)[:n])

    def explain(self) -> str:
        """A readable, multi-line account of the score.

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> s = bf.ScoringModel.default().score(
        ...     {"id": "L1", "job_title": "CTO", "employees": 900},
        ...     [bf.Event("L1", "webinar_completed", at)], as_of=at)
        >>> print(s.explain())
        L1: 75.0 points (warm, grade A3) as of 2026-11-20T00:00:00+00:00
            +50.0  it_leader_at_large_company (profile)
            +25.0  webinar_completed (1 event, last 2026-11-20)
        """
        head = (
            f"{self.lead_id}: {self.total:.1f} points ({self.band}, grade {self.grade}) "
            f"as of {self.as_of.isoformat()}"
        )
        lines = [head]
        lines += [f"  {c.describe()}" for c in self.contributions]
        if self.decay_factor < 1 and self.last_activity is not None:
            idle = (self.as_of - self.last_activity).total_seconds() / 86_400
            lines.append(
                f"  behaviour points x{self.decay_factor:.2f} "
                f"after {idle:.0f} days without activity"
            )
        if self.last_reset is not None:
            lines.append(f"  reset {self.last_reset.isoformat()}: older behaviour no longer counts")
        if self.hot_since is not None:
            lines.append(f"  hot since {self.hot_since.isoformat()}")
        for sub in self.scores.values():
            lines += sub.explain_lines()
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        out = {
            "lead_id": self.lead_id,
            "total": self.total,
            "explicit": self.explicit,
            "implicit": self.implicit,
            "band": self.band,
            "hot": self.hot,
            "grade": self.grade,
            "as_of": self.as_of.isoformat(),
            "hot_since": self.hot_since.isoformat() if self.hot_since else None,
            "last_activity": self.last_activity.isoformat() if self.last_activity else None,
            "decay_factor": self.decay_factor,
            "groups": dict(self.groups),
            "contributions": [c.to_dict() for c in self.contributions],
        }
        if self.last_reset is not None:  # only models with reset_on have one
            out["last_reset"] = self.last_reset.isoformat()
        if self.scores:  # only models with named scores have them
            out["scores"] = {name: sub.to_dict() for name, sub in self.scores.items()}
        return out

    def __repr__(self) -> str:
        top = ", ".join(f"{c.points:+g} {elide(c.rule, 16)}" for c in self.top_reasons(2))
        return (
            f"Score(lead_id={self.lead_id!r}, total={number(self.total)}, band={self.band!r}, "
            f"grade={self.grade!r}, as_of={self.as_of.isoformat()}, top=[{top}])"
        )

    def _view(self) -> View:
        pairs = [
            ("total", self.total),
            ("band", self.band),
            ("grade", self.grade),
            ("explicit", self.explicit),
            ("implicit", self.implicit),
            ("as of", self.as_of),
            ("hot since", self.hot_since),
        ]
        pairs += [
            (f"score {sub.name}", f"{number(sub.total)} ({sub.band})")
            for sub in self.scores.values()
        ]
        rows = _contribution_rows(self.contributions)
        return View(f"Score of {self.lead_id}", [(k, v) for k, v in pairs if v is not None], rows)

    def _flat(self, _prefix: str = "") -> dict[str, Any]:
        """The row ``to_records`` gives: the figures, then the points of each rule that
        counted (``points.<rule>``) and of each capped group (``group.<name>``)."""
        # The columns of the ranking table (b2bfunnel._rank_frame), in its order.
        row: dict[str, Any] = {
            "lead_id": self.lead_id,
            "total": self.total,
            "explicit": self.explicit,
            "implicit": self.implicit,
            "decay_factor": self.decay_factor,
            "band": self.band,
            "grade": self.grade,
            "hot": self.hot,
            "as_of": self.as_of,
            "hot_since": self.hot_since,
            "last_activity": self.last_activity,
            "reasons": reasons_text(self),
        }
        # The compact rows (rule, points, ...) rather than contributions: building a
        # Contribution per rule would cost more than the rest of the row.
        for rule, points, *_ in self.rows:
            row[f"points.{rule}"] = points
        for group, points in self.groups.items():
            row[f"group.{group}"] = points
        row.update(named_columns(self.scores))
        return row


class Banded(Protocol):
    """A named score's total and band: a :class:`SubScore`, or a timeline's point."""

    @property
    def total(self) -> float: ...

    @property
    def band(self) -> str: ...


def named_columns(scores: Mapping[str, Banded], digits: int | None = None) -> dict[str, Any]:
    """``score.NAME`` and ``band.NAME`` of each named score: the columns every row of a
    ranking or a timeline gives them (totals rounded to ``digits`` when given)."""
    row: dict[str, Any] = {}
    for name, sub in scores.items():
        row[f"score.{name}"] = sub.total if digits is None else round(sub.total, digits)
        row[f"band.{name}"] = sub.band
    return row


@attrs.frozen(repr=False)
class SubScore(Displayed):
    """One named score of a lead (``Score.scores[name]``): the model restricted to the
    score's rules, with the score's own bands, threshold, decay, caps and resets.

    ``total = explicit + implicit``; ``band`` is the score's band of the total and
    ``hot`` says whether it reached the score's hot threshold, first at ``hot_since``;
    ``last_reset`` is the newest of the score's reset events. ``rows`` holds the
    contributions in the compact form of :attr:`Score.rows`.
    """

    name: str
    total: float
    explicit: float
    implicit: float
    band: str
    hot: bool
    rows: tuple[Row, ...]
    hot_since: datetime | None = None
    last_reset: datetime | None = None

    @functools.cached_property
    def contributions(self) -> tuple[Contribution, ...]:
        """One :class:`Contribution` per rule of the score that counted, in rule order."""
        return tuple(map(_contribution, self.rows))

    def explain_lines(self) -> list[str]:
        """The lines :meth:`Score.explain` gives this score: a head, then its rules."""
        hot = f", hot since {self.hot_since.isoformat()}" if self.hot_since else ""
        reset = f", reset {self.last_reset.isoformat()}" if self.last_reset else ""
        lines = [f"  score {self.name}: {self.total:.1f} points ({self.band}{hot}{reset})"]
        return lines + [f"    {c.describe()}" for c in self.contributions]

    def explain(self) -> str:
        """A readable, multi-line account of the score."""
        return "\n".join(line[2:] for line in self.explain_lines())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "name": self.name,
            "total": self.total,
            "explicit": self.explicit,
            "implicit": self.implicit,
            "band": self.band,
            "hot": self.hot,
            "hot_since": self.hot_since.isoformat() if self.hot_since else None,
            "last_reset": self.last_reset.isoformat() if self.last_reset else None,
            "contributions": [c.to_dict() for c in self.contributions],
        }

    def __repr__(self) -> str:
        return (
            f"SubScore(name={self.name!r}, total={number(self.total)}, band={self.band!r}, "
            f"hot={self.hot!r})"
        )

    def _view(self) -> View:
        pairs = [
            ("total", self.total),
            ("band", self.band),
            ("explicit", self.explicit),
            ("implicit", self.implicit),
            ("hot since", self.hot_since),
            ("last reset", self.last_reset),
        ]
        rows = _contribution_rows(self.contributions)
        return View(f"Score {self.name}", [(k, v) for k, v in pairs if v is not None], rows)


def _contribution_rows(contributions: Iterable[Contribution]) -> list[dict[str, Any]]:
    """The rows of a score's display: each contribution's rule, points, events, last."""
    return [
        {"rule": c.rule, "points": c.points, "events": c.events, "last": c.last_at}
        for c in contributions
    ]


def _contribution(row: Row) -> Contribution:
    rule, points, kind, raw, events, last, group = row
    return Contribution(
        rule, points, kind, raw, events, None if last is None else from_ts(last), group
    )


def _by_weight(row: Row) -> tuple[float, str]:
    """Largest absolute points first, ties by rule name."""
    return -abs(row[1]), row[0]


# A rule accumulator is EMPTY (no events yet, whatever the kind) or one of:
#   (count, last_ts)            counted events (aggregate decay, or no decay)
#   (count, last_ts, weight)    half-life sum: weight = sum 2 ** ((t - last_ts) / half_life)
#   Times                       the times still able to count (expiry, or capped per-event)
# Typed Any inside the engine: the rule's kind, fixed by the model, says which, and
# the hot loops index tuples directly. RuleEntry spells the same out for public
# signatures (ScoreState.rules).
Accumulator = Any
RuleEntry = tuple[int, float | None] | tuple[int, float, float] | Times
EMPTY: Accumulator = (0, None)
