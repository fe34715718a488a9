"""Cells and tables as text, HTML and Markdown: the bottom of every display.

Kept below :mod:`b2bfunnel._display` (result views) and :mod:`b2bfunnel._summary`
(summaries) so both draw tables the same way without importing each other. HTML uses
inline styles only (notebooks and e-mail strip style sheets) and escapes every text,
so a lead named ``<script>`` stays text.
"""

from __future__ import annotations

import enum
import html
from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

__all__ = [
    "MAX_ROWS",
    "Bounds",
    "cell",
    "elide",
    "esc",
    "html_table",
    "in_minor_unit",
    "is_number",
    "markdown_table",
    "md",
    "number",
    "td",
]

MAX_ROWS = 20
TABLE = "border-collapse:collapse;font-size:0.9em;margin:0.3em 0"
CELL = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:left"
NUMBER = "padding:2px 8px;border-bottom:1px solid #ddd;text-align:right"
HEAD = "padding:2px 8px;border-bottom:2px solid #888;text-align:left"
TITLE = "font-weight:bold;margin:0.2em 0"


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


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal | Bounds) and not isinstance(value, bool)


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def td(value: Any) -> str:
    style = NUMBER if is_number(value) else CELL
    return f'<td style="{style}">{esc(cell(value))}</td>'


def _columns(rows: list[dict[str, Any]], header: Sequence[str] | None) -> Sequence[str]:
    """The given header, else every key of the shown rows in first-seen order."""
    if header is not None:
        return header
    columns: dict[str, None] = {}
    for row in rows[:MAX_ROWS]:
        columns.update(dict.fromkeys(row))
    return list(columns)


def html_table(
    rows: list[dict[str, Any]], total: int | None = None, header: Sequence[str] | None = None
) -> str:
    """Rows as an HTML table (at most :data:`MAX_ROWS` of ``total``, then a line saying
    how many more); ``header`` names the columns (default: the rows' keys)."""
    limit, total = MAX_ROWS, len(rows) if total is None else total
    columns = _columns(rows, header)
    head = "".join(f'<th style="{HEAD}">{esc(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(td(row.get(c)) for c in columns) + "</tr>" for row in rows[:limit]
    )
    more = f"<div>… {total - limit} more rows</div>" if total > limit else ""
    return f'<table style="{TABLE}"><tr>{head}</tr>{body}</table>{more}'


def md(value: Any) -> str:
    text = cell(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return html.escape(text, quote=False)


def markdown_table(
    rows: list[dict[str, Any]], total: int | None = None, header: Sequence[str] | None = None
) -> str:
    """Rows as a Markdown pipe table (at most :data:`MAX_ROWS` of ``total``); ``header``
    names the columns (default: the rows' keys)."""
    limit, total = MAX_ROWS, len(rows) if total is None else total
    columns = _columns(rows, header)
    lines = [
        "| " + " | ".join(md(c) for c in columns) + " |",
        "|" + "|".join("---:" if _numeric_column(rows, c) else "---" for c in columns) + "|",
    ]
    lines += ["| " + " | ".join(md(row.get(c)) for c in columns) + " |" for row in rows[:limit]]
    if total > limit:
        lines.append(f"\n… {total - limit} more rows")
    return "\n".join(lines)


def _numeric_column(rows: list[dict[str, Any]], column: str) -> bool:
    values = [row.get(column) for row in rows[:MAX_ROWS] if row.get(column) is not None]
    return bool(values) and all(is_number(v) for v in values)


def in_minor_unit(value: Decimal | float | None, places: int = 2) -> Decimal | None:
    """Money as shown: a Decimal with exactly ``places`` decimals (half to even), so
    ``25340`` shows as ``25340.00`` beside ``24061.22``; None stays None."""
    if value is None:
        return None
    amount = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    if not amount.is_finite():
        return amount
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
