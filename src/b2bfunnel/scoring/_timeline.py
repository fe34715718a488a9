"""History results: a lead's score over time and the changes of its band or grade."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Plotted, View, number
from ..events import Event
from ..plot import Charts


@attrs.frozen(repr=False)
class TimelinePoint(Plotted):
    """A lead's score at one step of a :class:`Timeline`: what ``score(as_of=at)`` says
    of its ``total``, ``band`` and ``grade``."""

    at: datetime
    total: float
    band: str
    grade: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "at": self.at.isoformat(),
            "total": self.total,
            "band": self.band,
            "grade": self.grade,
        }

    def __repr__(self) -> str:
        return (
            f"TimelinePoint(at={self.at.isoformat()}, total={number(self.total)}, "
            f"band={self.band!r}, grade={self.grade!r})"
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
        """One row per step for ``to_records`` / ``to_pandas``."""
        return [
            {
                "lead_id": self.lead_id,
                "at": p.at,
                "total": p.total,
                "band": p.band,
                "grade": p.grade,
            }
            for p in self.points
        ]

    def _view(self) -> View:
        rows = [{"at": p.at, "total": p.total, "band": p.band, "grade": p.grade} for p in self]
        pairs = [("points", len(self.points)), ("every", str(self.every))]
        return View(f"Score history of {self.lead_id}", pairs, rows)


@attrs.frozen(repr=False)
class BandChange(Plotted):
    """A change of a lead's band or grade at ``at``, and its cause.

    ``cause`` is the :class:`Event` that caused it, or a string naming the passing of
    time (``"decay"``: the model's decay, or a rule's window letting events go);
    ``reason`` says the same in words. ``total`` and ``previous_total`` are the scores
    at ``at`` and just before.
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

    def explain(self) -> str:
        """One line: when, from what to what, and why.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 3, 1, tzinfo=timezone.utc)
        >>> print(BandChange(at, "warm", "A2", "hot", "A1", 95.0, 100.0, "decay",
        ...                  "decay").explain())
        2026-03-01T00:00:00+00:00: hot -> warm (grade A1 -> A2), 100.0 -> 95.0 points: decay
        """
        grade = (
            f" (grade {self.previous_grade} -> {self.grade})"
            if self.grade != self.previous_grade
            else ""
        )
        return (
            f"{self.at.isoformat()}: {self.previous_band} -> {self.band}{grade}, "
            f"{self.previous_total:.1f} -> {self.total:.1f} points: {self.reason}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; an event cause as its ``name`` and ``at``."""
        cause: Any = self.cause
        if isinstance(cause, Event):
            cause = {"event": cause.name, "at": cause.at.isoformat()}
        return {
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

    def __repr__(self) -> str:
        return f"BandChange({self.explain()})"
