"""History results: a lead's score over time and the changes of its band or grade."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Displayed, Plotted, View, number
from ..events import Event
from ..plot import Charts
from ._result import named_columns


@attrs.frozen(repr=False)
class NamedPoint(Displayed):
    """A named score at one step of a :class:`Timeline` (``TimelinePoint.scores[NAME]``):
    what ``score(as_of=at).scores[NAME]`` says of its ``total`` and ``band``."""

    total: float
    band: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"total": self.total, "band": self.band}

    def __repr__(self) -> str:
        return f"NamedPoint(total={number(self.total)}, band={self.band!r})"


_NO_SCORES: Mapping[str, NamedPoint] = MappingProxyType({})


def _read_only_points(mapping: Mapping[str, NamedPoint]) -> Mapping[str, NamedPoint]:
    return mapping if type(mapping) is MappingProxyType else MappingProxyType(dict(mapping))


@attrs.frozen(repr=False)
class TimelinePoint(Plotted):
    """A lead's score at one step of a :class:`Timeline`: what ``score(as_of=at)`` says
    of its ``total``, ``band`` and ``grade``, and of each named score in ``scores``
    (name -> :class:`NamedPoint`, in the model's order; empty for a model without
    named scores)."""

    at: datetime
    total: float
    band: str
    grade: str
    scores: Mapping[str, NamedPoint] = attrs.field(
        default=_NO_SCORES, converter=_read_only_points, hash=False
    )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``scores`` only for a model with named scores)."""
        out: dict[str, Any] = {
            "at": self.at.isoformat(),
            "total": self.total,
            "band": self.band,
            "grade": self.grade,
        }
        if self.scores:
            out["scores"] = {name: p.to_dict() for name, p in self.scores.items()}
        return out

    def row(self) -> dict[str, Any]:
        """``at``, ``total``, ``band``, ``grade``, then ``score.NAME`` and ``band.NAME``
        of each named score (the columns of a ranking's named scores)."""
        return {
            "at": self.at,
            "total": self.total,
            "band": self.band,
            "grade": self.grade,
            **named_columns(self.scores),
        }

    def __repr__(self) -> str:
        named = "".join(f", {name}={number(p.total)} {p.band!r}" for name, p in self.scores.items())
        return (
            f"TimelinePoint(at={self.at.isoformat()}, total={number(self.total)}, "
            f"band={self.band!r}, grade={self.grade!r}{named})"
        )


@attrs.frozen(repr=False)
class Timeline(Plotted):
    """A lead's score at each step from ``start`` through ``end`` (``every`` apart),
    from :meth:`ScoringModel.history`; iterate it for its :class:`TimelinePoint`.

    ``.plot()`` draws the total over time (matplotlib, imported when drawing).
    """

    lead_id: str
    every: timedelta
    points: tuple[TimelinePoint, ...]

    _charts: ClassVar[Charts] = (("total", charts.timeline_total),)

    def __len__(self) -> int:
        return len(self.points)

    def __iter__(self) -> Iterator[TimelinePoint]:
        return iter(self.points)

    def __getitem__(self, index: int) -> TimelinePoint:
        return self.points[index]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "lead_id": self.lead_id,
            "every_seconds": self.every.total_seconds(),
            "points": [p.to_dict() for p in self.points],
        }

    def __repr__(self) -> str:
        if not self.points:
            return f"Timeline(lead_id={self.lead_id!r}, points=0)"
        first, last = self.points[0], self.points[-1]
        return (
            f"Timeline(lead_id={self.lead_id!r}, points={len(self.points)}, "
            f"from={first.at.isoformat()} {number(first.total)} {first.band!r}, "
            f"to={last.at.isoformat()} {number(last.total)} {last.band!r})"
        )

    def _rows(self) -> list[dict[str, Any]]:
        """One row per step for ``to_records`` / ``to_pandas``; a model's named scores
        add ``score.NAME`` and ``band.NAME``."""
        return [{"lead_id": self.lead_id, **p.row()} for p in self.points]

    def _view(self) -> View:
        rows = [p.row() for p in self]
        pairs = [("points", len(self.points)), ("every", str(self.every))]
        return View(f"Score history of {self.lead_id}", pairs, rows)


@attrs.frozen(repr=False)
class BandChange(Plotted):
    """A change of a lead's band or grade at ``at``, and its cause.

    ``cause`` is the :class:`Event` that caused it, or a string naming the passing of
    time (``"decay"``: the model's decay, or a rule's window letting events go);
    ``reason`` says the same in words. ``total`` and ``previous_total`` are the scores
    at ``at`` and just before.

    ``score`` is ``None`` for the model's main score, else the name of the named score
    that changed: then ``band``, ``previous_band``, ``total`` and ``previous_total`` are
    that score's, and ``grade`` and ``previous_grade`` are ``""`` (grades are the
    fit/engagement grid of the main score; a named score's change is of its band only).
    """

    at: datetime
    band: str
    grade: str
    previous_band: str
    previous_grade: str
    total: float
    previous_total: float
    cause: Event | str
    reason: str
    score: str | None = None

    def explain(self) -> str:
        """One line: when, from what to what, and why.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> print(BandChange(at, "warm", "A2", "hot", "A1", 95.0, 100.0, "decay",
        ...                  "decay").explain())
        2026-03-01T00:00:00+00:00: hot -> warm (grade A1 -> A2), 100.0 -> 95.0 points: decay
        >>> print(BandChange(at, "hot", "", "warm", "", 30.0, 15.0, "decay", "decay",
        ...                  "product_a").explain())
        2026-03-01T00:00:00+00:00: product_a: warm -> hot, 15.0 -> 30.0 points: decay
        """
        grade = (
            f" (grade {self.previous_grade} -> {self.grade})"
            if self.grade != self.previous_grade
            else ""
        )
        score = "" if self.score is None else f"{self.score}: "
        return (
            f"{self.at.isoformat()}: {score}{self.previous_band} -> {self.band}{grade}, "
            f"{self.previous_total:.1f} -> {self.total:.1f} points: {self.reason}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; an event cause as its ``name`` and ``at``; ``score``
        only for a named score's change."""
        cause: Any = self.cause
        if isinstance(cause, Event):
            cause = {"event": cause.name, "at": cause.at.isoformat()}
        out: dict[str, Any] = {
            "at": self.at.isoformat(),
            "band": self.band,
            "grade": self.grade,
            "previous_band": self.previous_band,
            "previous_grade": self.previous_grade,
            "total": self.total,
            "previous_total": self.previous_total,
            "cause": cause,
            "reason": self.reason,
        }
        if self.score is not None:
            out["score"] = self.score
        return out

    def __repr__(self) -> str:
        return f"BandChange({self.explain()})"
