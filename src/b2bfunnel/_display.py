"""How results show themselves: a readable ``repr``, HTML and Markdown for notebooks.

Result classes take :class:`Displayed` (or :class:`Plotted`, which adds ``.plot``) as
a base and ``repr=False`` in their attrs decorator; everything else is built here from
the fields their ``to_dict`` shows, so a new field appears without touching this module.
Cells and tables are drawn by :mod:`b2bfunnel._markup` (inline styles only, every
text escaped, so a lead named ``<script>`` stays text).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar

from . import records
from ._markup import (
    CELL,
    MAX_ROWS,
    TABLE,
    TITLE,
    Bounds,
    cell,
    elide,
    esc,
    html_table,
    markdown_table,
    md,
    number,
    td,
)
from ._summary import Summary
from .plot import plot as draw

__all__ = [
    "MAX_ROWS",
    "Bounds",
    "Displayed",
    "Plotted",
    "Summarised",
    "Summary",
    "cell",
    "elide",
    "html_table",
    "markdown_table",
    "number",
    "show",
    "text",
]


class Displayed:
    """Base of result classes: readable ``repr``, ``_repr_html_``, ``_repr_markdown_``.

    A class shapes its display by overriding ``_view`` (what a notebook shows) and
    ``__repr__``; ``to_records`` reads its ``_rows`` (one row per part, when it has
    parts) and ``_flat`` (its own row) where it defines them.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return text(self)

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_markdown_(self) -> str:
        return self._view().markdown()

    def _view(self) -> View:
        return show(self)


class Summarised(Displayed):
    """Base of results that sum themselves up (:meth:`summary`): their notebook
    displays are their summary's, headline first, table bounded."""

    __slots__ = ()

    def summary(self) -> Summary:
        """A headline of what was measured, then a compact table (see
        :class:`~b2bfunnel.records.Summary`)."""
        raise NotImplementedError

    def _repr_html_(self) -> str:
        return self.summary()._repr_html_()

    def _repr_markdown_(self) -> str:
        return self.summary()._repr_markdown_()


class Plotted(Displayed):
    """A displayed result that also draws itself with matplotlib (``b2bfunnel[plot]``)."""

    __slots__ = ()

    def plot(self, ax: Any = None, kind: str | None = None) -> Any:
        """Draw this result on ``ax`` (a new figure when None) and return the Axes;
        ``kind`` picks a chart where there are several (see :mod:`b2bfunnel.plot`)."""
        return draw(self, ax=ax, kind=kind)


class _Banded(Protocol):
    @property
    def band(self) -> str: ...


_Score = TypeVar("_Score", bound=_Banded)


class Ranked(list[_Score]):
    """Base of rankings: a list of scores, best first, whose ``repr`` elides past the
    first rows and which shows its top rows (``_row`` of each, after its rank) under a
    count per band in a notebook."""

    __slots__ = ()
    _noun: ClassVar[str]

    def bands(self) -> dict[str, int]:
        """How many fall in each band, in the order the bands first appear (best band
        first, as a ranking is sorted best first)."""
        return dict(Counter(score.band for score in self))

    def __repr__(self) -> str:
        shown = ", ".join(repr(score) for score in self[:MAX_ROWS])
        more = f", …(+{len(self) - MAX_ROWS})" if len(self) > MAX_ROWS else ""
        return f"[{shown}{more}]"

    def _row(self, score: _Score) -> dict[str, Any]:
        raise NotImplementedError

    def _view(self) -> View:
        rows = [{"rank": rank, **self._row(s)} for rank, s in enumerate(self[:MAX_ROWS], 1)]
        noun = self._noun if len(self) == 1 else f"{self._noun}s"
        return View(f"Ranking of {len(self)} {noun}", list(self.bands().items()), rows, len(self))

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_markdown_(self) -> str:
        return self._view().markdown()


# --- text ---------------------------------------------------------------------------


def text(obj: Any, depth: int = 0) -> str:
    """One readable line: ISO times, rounded figures, long parts elided."""
    fields = records.public_fields(obj)
    if depth:
        shown = list(fields.items())[:3]
        more = ", …" if len(fields) > 3 else ""
        return f"{type(obj).__name__}({_pairs(shown, depth)}{more})"
    return f"{type(obj).__name__}({_pairs(fields.items(), depth)})"


def _pairs(items: Iterable[tuple[str, Any]], depth: int) -> str:
    return ", ".join(f"{key}={_short(value, depth + 1)}" for key, value in items)


def _short(value: Any, depth: int) -> str:
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        return number(value)
    if records.is_result(value):
        return text(value, depth) if depth < 2 else f"{type(value).__name__}(…)"
    if isinstance(value, Mapping):
        items = list(value.items())
        body = ", ".join(f"{_short(k, depth)}: {_short(v, depth + 1)}" for k, v in items[:3])
        return "{" + body + (", …" if len(items) > 3 else "") + "}"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        if items and isinstance(items[0], Mapping):
            return f"[{len(items)} items]"
        body = ", ".join(_short(v, depth + 1) for v in items[:3])
        return "[" + body + (f", …(+{len(items) - 3})" if len(items) > 3 else "") + "]"
    return repr(value)


# --- tables ---------------------------------------------------------------------------


class View:
    """What a result shows: a title, headline figures and an optional table of rows
    (``total`` counts the rows when only the first ones were built)."""

    def __init__(
        self,
        title: str,
        pairs: list[tuple[str, Any]],
        rows: list[dict[str, Any]] | None,
        total: int | None = None,
    ) -> None:
        self.title, self.pairs, self.rows = title, pairs, rows
        self.total = len(rows or ()) if total is None else total

    def html(self) -> str:
        """The view as an HTML fragment with inline styles."""
        parts = [f'<div style="{TITLE}">{esc(self.title)}</div>']
        if self.pairs:
            body = "".join(
                f'<tr><th style="{CELL}">{esc(k)}</th>{td(v)}</tr>' for k, v in self.pairs
            )
            parts.append(f'<table style="{TABLE}">{body}</table>')
        if self.rows is not None:
            parts.append(html_table(self.rows, self.total))
        return "<div>" + "".join(parts) + "</div>"

    def markdown(self) -> str:
        """The view as Markdown: a bold title, the figures, then the table."""
        parts = [f"**{md(self.title)}**"]
        if self.pairs:
            parts.append(markdown_table([{"field": k, "value": v} for k, v in self.pairs]))
        if self.rows is not None:
            parts.append(markdown_table(self.rows, self.total))
        return "\n\n".join(parts) + "\n"


def show(obj: Any) -> View:
    """The :class:`View` of a result: its plain fields above the rows of its parts
    when it has parts (``_rows``), else its one flat row."""
    title = type(obj).__name__
    if getattr(obj, "_rows", None) is not None:
        return View(title, plain_fields(obj), merge_bounds(records.to_records(obj)))
    return View(title, list(merge_bounds([records.flatten(obj)])[0].items()), None)


def plain_fields(obj: Any) -> list[tuple[str, Any]]:
    """The public fields of ``obj`` that are single values, not parts."""
    return [(k, v) for k, v in records.public_fields(obj).items() if is_plain(v)]


def is_plain(value: Any) -> bool:
    """Whether a field's value is one cell (no nested part)."""
    return value is None or isinstance(value, str | int | float | Decimal | date | enum.Enum)


def merge_bounds(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows with each ``x_low``/``x_high`` pair shown as one ``x`` cell ``[low, high]``."""
    out = []
    for row in rows:
        merged: dict[str, Any] = {}
        for key, value in row.items():
            if key.endswith("_high") and key[:-5] + "_low" in row:
                continue
            if key.endswith("_low") and key[:-4] + "_high" in row:
                high = row[key[:-4] + "_high"]
                value = None if value is None else Bounds(value, high)
                key = key[:-4]
            merged[key] = value
        out.append(merged)
    return out


# --- per-type views ---------------------------------------------------------------------
