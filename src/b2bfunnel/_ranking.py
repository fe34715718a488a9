"""What ``rank()`` returns: the list of scores, best first, that shows itself."""

from __future__ import annotations

from collections import Counter
from operator import attrgetter
from typing import TYPE_CHECKING, Any, ClassVar

from . import plot as charts
from ._display import MAX_ROWS, View
from .plot import Charts
from .plot import plot as draw

if TYPE_CHECKING:
    from .scoring import Score

__all__ = ["Ranking"]


class Ranking(list["Score"]):
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

    __slots__ = ()

    def bands(self) -> dict[str, int]:
        """How many leads fall in each band, in the order the bands first appear (best
        band first, as a ranking is sorted best first)."""
        return dict(Counter(map(attrgetter("band"), self)))

    def __repr__(self) -> str:
        shown = ", ".join(repr(score) for score in self[:MAX_ROWS])
        more = f", …(+{len(self) - MAX_ROWS})" if len(self) > MAX_ROWS else ""
        return f"[{shown}{more}]"

    def _view(self) -> View:
        rows = [
            {
                "rank": rank,
                "lead_id": s.lead_id,
                "total": s.total,
                "band": s.band,
                "grade": s.grade,
                "top reasons": ", ".join(f"{c.points:+g} {c.rule}" for c in s.top_reasons(2)),
            }
            for rank, s in enumerate(self[:MAX_ROWS], 1)
        ]
        noun = "lead" if len(self) == 1 else "leads"
        return View(f"Ranking of {len(self)} {noun}", list(self.bands().items()), rows, len(self))

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_markdown_(self) -> str:
        return self._view().markdown()

    def plot(self, ax: Any = None, kind: str | None = None) -> Any:
        """Bars of how many leads fall in each band; returns the matplotlib Axes."""
        return draw(self, ax=ax, kind=kind)
