"""How results show themselves: a readable ``repr``, HTML and Markdown for notebooks.

Result classes take :class:`Displayed` (or :class:`Plotted`, which adds ``.plot``) as
a base and ``repr=False`` in their attrs decorator; everything else is built here from
the fields their ``to_dict`` shows, so a new field appears without touching this module.
HTML uses inline styles only (notebooks and e-mail strip style sheets) and escapes
every text, so a lead named ``<script>`` stays text.
"""

from __future__ import annotations

import enum
import html
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, Protocol, TypeVar

from . import records
from .plot import plot as draw

__all__ = ["Displayed", "Plotted", "html_table", "markdown_table", "show", "text"]

MAX_ROWS = 20
_TABLE = "border-collapse:collapse;font-size:0.9em;margin:0.3em 0"
_CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left"
_NUMBER = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:right"
_HEAD = "padding:2px 8px;border-bottom:2px solid #888;text-align:left"
_TITLE = "font-weight:bold;margin:0.2em 0"


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


def number(value: float | Decimal) -> str:
    """A figure as a person reads it: at most four decimals (money to the cent)."""
    if isinstance(value, Decimal):
        if value.is_finite() and value.as_tuple().exponent < -2:  # type: ignore[operator]
            return str(value.quantize(Decimal("0.01")) if abs(value) >= 1 else round(value, 4))
        return str(value)
    return repr(round(value, 4))


def elide(word: str, width: int) -> str:
    """``word``, cut to ``width`` characters with an ellipsis."""
    return word if len(word) <= width else word[: width - 1] + "…"


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
        parts = [f'<div style="{_TITLE}">{_esc(self.title)}</div>']
        if self.pairs:
            body = "".join(
                f'<tr><th style="{_CELL}">{_esc(k)}</th>{_td(v)}</tr>' for k, v in self.pairs
            )
            parts.append(f'<table style="{_TABLE}">{body}</table>')
        if self.rows is not None:
            parts.append(html_table(self.rows, self.total))
        return "<div>" + "".join(parts) + "</div>"

    def markdown(self) -> str:
        """The view as Markdown: a bold title, the figures, then the table."""
        parts = [f"**{_md(self.title)}**"]
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


class Bounds(tuple[Any, Any]):
    """An interval shown as ``[low, high]``."""

    __slots__ = ()

    def __new__(cls, low: Any, high: Any) -> Bounds:
        return super().__new__(cls, (low, high))


def cell(value: Any) -> str:
    """A value as table text (blank for None)."""
    if value is None:
        return ""
    if isinstance(value, Bounds):
        return f"[{cell(value[0])}, {cell(value[1])}]"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, float | Decimal):
        return number(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal | Bounds) and not isinstance(value, bool)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _td(value: Any) -> str:
    style = _NUMBER if _is_number(value) else _CELL
    return f'<td style="{style}">{_esc(cell(value))}</td>'


def html_table(rows: list[dict[str, Any]], total: int | None = None) -> str:
    """Rows as an HTML table (at most :data:`MAX_ROWS` of ``total``, then a line saying
    how many more)."""
    limit, total = MAX_ROWS, len(rows) if total is None else total
    columns: dict[str, None] = {}
    for row in rows[:limit]:
        columns.update(dict.fromkeys(row))
    head = "".join(f'<th style="{_HEAD}">{_esc(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(_td(row.get(c)) for c in columns) + "</tr>" for row in rows[:limit]
    )
    more = f"<div>… {total - limit} more rows</div>" if total > limit else ""
    return f'<table style="{_TABLE}"><tr>{head}</tr>{body}</table>{more}'


def _md(value: Any) -> str:
    text = cell(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return html.escape(text, quote=False)


def markdown_table(rows: list[dict[str, Any]], total: int | None = None) -> str:
    """Rows as a Markdown pipe table (at most :data:`MAX_ROWS` of ``total``)."""
    limit, total = MAX_ROWS, len(rows) if total is None else total
    columns: dict[str, None] = {}
    for row in rows[:limit]:
        columns.update(dict.fromkeys(row))
    lines = [
        "| " + " | ".join(_md(c) for c in columns) + " |",
        "|" + "|".join("---:" if _numeric_column(rows, c) else "---" for c in columns) + "|",
    ]
    lines += ["| " + " | ".join(_md(row.get(c)) for c in columns) + " |" for row in rows[:limit]]
    if total > limit:
        lines.append(f"\n… {total - limit} more rows")
    return "\n".join(lines)


def _numeric_column(rows: list[dict[str, Any]], column: str) -> bool:
    values = [row.get(column) for row in rows[:MAX_ROWS] if row.get(column) is not None]
    return bool(values) and all(_is_number(v) for v in values)


# --- per-type views ---------------------------------------------------------------------
