"""A result's summary: a headline of what was measured, then one compact table.

Like statsmodels' ``summary()``: ``print`` it for plain text; a notebook shows it as
HTML or Markdown (at most :data:`~b2bfunnel._markup.MAX_ROWS` rows, then how many
more); :meth:`Summary.to_dict` gives its figures as JSON-ready data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import attrs

from ._markup import CELL, MAX_ROWS, TABLE, TITLE, Bounds, cell, esc, html_table, markdown_table, td
from .errors import InvalidInputError

__all__ = ["Summary"]


def _pairs(value: Sequence[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple((str(label), _plain(figure)) for label, figure in value)


def _plain(value: Any) -> Any:
    """An interval (any pair, a list included) as a plain tuple, held as it is."""
    return tuple(value) if isinstance(value, tuple | list) else value


def _rows(value: Sequence[Sequence[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(_plain(item) for item in row) for row in value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(text) for text in value)


def _shown(value: Any) -> Any:
    """A value as a cell draws it: a pair as one ``[low, high]`` cell."""
    return Bounds(*value) if isinstance(value, tuple) and len(value) == 2 else value


def _json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


@attrs.frozen(repr=False)
class Summary:
    """What a result says at a glance: a ``title``, ``headline`` figures (label,
    value) saying what was measured, on how many and the key figure with its
    interval, then one table (``header`` and ``rows``) and ``notes``.

    ``str()`` gives plain text; a notebook shows HTML (escaped, inline styles) or
    Markdown, at most 20 table rows followed by how many more. Money is rounded to its
    minor unit; an interval is a ``(low, high)`` pair.

    >>> from b2bfunnel.records import Summary
    >>> s = Summary("NPS", [("responses", 200), ("NPS", 20.0)], ["group", "n"], [["all", 200]])
    >>> print(s)
    NPS
    ================
    responses    200
    NPS         20.0
    ----------------
    group    n
    all    200
    """

    title: str
    headline: tuple[tuple[str, Any], ...] = attrs.field(converter=_pairs)
    header: tuple[str, ...] = attrs.field(converter=_texts)
    rows: tuple[tuple[Any, ...], ...] = attrs.field(converter=_rows)
    notes: tuple[str, ...] = attrs.field(default=(), converter=_texts)

    def __attrs_post_init__(self) -> None:
        if len(set(self.header)) != len(self.header):
            raise InvalidInputError(
                f"expected distinct column names, got {self.header}", path="header"
            )
        for index, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise InvalidInputError(
                    f"has {len(row)} cells for {len(self.header)} columns {self.header}",
                    path=f"rows[{index}]",
                )

    def __repr__(self) -> str:
        return str(self)

    def __str__(self) -> str:
        heads = [(label, cell(_shown(value))) for label, value in self.headline]
        lines = []
        if heads:
            left = max(len(label) for label, _ in heads)
            right = max(len(text) for _, text in heads)
            lines = [f"{label:<{left}}   {text:>{right}}" for label, text in heads]
        table = self._text_table()
        width = max(len(line) for line in [self.title, *lines, *table])
        parts = [self.title, "=" * width, *lines]
        if table:
            parts += ["-" * width, *table]
        parts += [f"Note: {note}" for note in self.notes]
        return "\n".join(parts)

    def _text_table(self) -> list[str]:
        if not self.header:
            return []
        cells = [[cell(_shown(value)) for value in row] for row in self.rows]
        widths = [
            max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(self.header)
        ]
        numeric = [
            any(isinstance(row[i], int | float | Decimal | tuple) for row in self.rows)
            and not any(isinstance(row[i], str) for row in self.rows)
            for i in range(len(self.header))
        ]

        def line(texts: Sequence[str]) -> str:
            return "  ".join(
                text.rjust(width) if right else text.ljust(width)
                for text, width, right in zip(texts, widths, numeric, strict=True)
            ).rstrip()

        return [line(self.header), *(line(row) for row in cells)]

    def _records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.header, map(_shown, row), strict=True)) for row in self.rows]

    def _repr_html_(self) -> str:
        parts = [f'<div style="{TITLE}">{esc(self.title)}</div>']
        if self.headline:
            body = "".join(
                f'<tr><th style="{CELL}">{esc(label)}</th>{td(_shown(value))}</tr>'
                for label, value in self.headline
            )
            parts.append(f'<table style="{TABLE}">{body}</table>')
        if self.header:
            parts.append(html_table(self._records()[:MAX_ROWS], len(self.rows), self.header))
        parts += [f"<div>{esc(note)}</div>" for note in self.notes]
        return "<div>" + "".join(parts) + "</div>"

    def _repr_markdown_(self) -> str:
        title = esc(self.title).replace("*", "\\*")
        parts = [f"**{title}**"]
        if self.headline:
            parts.append(
                "\n".join(
                    f"- {esc(label)}: {esc(cell(_shown(value)))}".replace("|", "\\|")
                    for label, value in self.headline
                )
            )
        if self.header:
            parts.append(markdown_table(self._records()[:MAX_ROWS], len(self.rows), self.header))
        parts += [f"*Note:* {esc(note)}" for note in self.notes]
        return "\n\n".join(parts) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: headline as ``{label: value}``, rows as lists
        (intervals as ``[low, high]``, Decimal money as text)."""
        return {
            "title": self.title,
            "headline": {label: _json(value) for label, value in self.headline},
            "header": list(self.header),
            "rows": [[_json(value) for value in row] for row in self.rows],
            "notes": list(self.notes),
        }
