"""What ``rank()`` returns: the list of scores, best first, that shows itself."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from . import plot as charts
from ._display import Ranked
from .plot import Charts
from .plot import plot as draw

if TYPE_CHECKING:
    from .scoring import Score

__all__ = ["Ranking"]


class Ranking(Ranked["Score"]):
    """A list of :class:`Score`, best first, as ``rank()`` has always returned, which in
    a notebook displays as its top rows with a count per band and draws the
    distribution of scores by band (``.plot()``).

    >>> import b2bfunnel as bf
    >>> from datetime import datetime, timezone
    >>> now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    >>> ranked = bf.ScoringModel.default().rank(
    ...     [{"id": "L1", "job_title": "CIO", "employees": 900}, {"id": "L2"}], [], as_of=now)
    >>> [s.lead_id for s in ranked], ranked.bands()
    (['L1', 'L2'], {'warm': 1, 'cold': 1})
    """

    _charts: ClassVar[Charts] = (("bands", charts.ranking_bands),)
    _noun = "lead"

    __slots__ = ()

    def _row(self, score: Score) -> dict[str, Any]:
        row: dict[str, Any] = {
            "lead_id": score.lead_id,
            "total": score.total,
            "band": score.band,
            "grade": score.grade,
        }
        for name, sub in score.scores.items():  # named scores, when the model has them
            row[f"score.{name}"] = sub.total
        row["top reasons"] = ", ".join(f"{c.points:+g} {c.rule}" for c in score.top_reasons(2))
        return row

    def plot(self, ax: Any = None, kind: str | None = None) -> Any:
        """Bars of how many leads fall in each band; returns the matplotlib Axes."""
        return draw(self, ax=ax, kind=kind)
