"""The command line's reading options, and results written as tables, CSV or JSON.

:class:`Reading` turns a command's options and the funnel's ``[input]`` sections into
the reading layer's :class:`~b2bfunnel.tables._reading.FileReading`, which reads every
file; the readers are re-exported here for the commands. What stays here is what only
a command does: building survey and KOL records from the fields read, and writing.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

import attrs

from .._time import read_zone
from ..errors import InvalidInputError
from ..kol import KOLCandidate, KOLConfig
from ..progress import stderr_line
from ..surveys import Response
from ..tables._columns import KINDS, PRESETS, InputConfig, closest_column
from ..tables._currency import Currencies, parse_rate
from ..tables._dates import DateReader, read_formats
from ..tables._event_file import (
    NO_PROPERTIES,
    EventTally,
    ResolvedName,
    count_names,
    event_of,
    event_row,
    is_salesforce_length,
    iter_events,
    open_events,
    properties_of,
    read_event_cells,
    read_events,
    resolve_name,
)
from ..tables._labels import ValueMap
from ..tables._reading import (
    FileReading,
    Records,
    built,
    candidate_rows,
    located,
    read_deal_file,
    read_kind,
    read_leads,
    response_rows,
)
from ._args import parse_maps

__all__ = [
    "NO_PROPERTIES",
    "EventTally",
    "Reading",
    "Records",
    "ResolvedName",
    "count_names",
    "event_of",
    "event_row",
    "finite",
    "in_one_currency",
    "is_salesforce_length",
    "iter_events",
    "located",
    "open_events",
    "out_option",
    "properties_of",
    "read_candidate_file",
    "read_candidates",
    "read_deal_file",
    "read_event_cells",
    "read_events",
    "read_kind",
    "read_leads",
    "read_responses",
    "resolve_name",
    "rows_read",
    "safe_cell",
    "write_csv",
    "write_json",
    "write_rows",
    "write_table",
]

# --- reading ----------------------------------------------------------------------


class Reading(FileReading):
    """How one run reads its files, from the command's options and the funnel's
    ``[columns.*]``, ``[aliases]`` and ``[input]`` together (see
    :class:`~b2bfunnel.tables._reading.FileReading`, which reads them)."""

    def __init__(self, args: Any = None, config: InputConfig | None = None) -> None:
        config = config or InputConfig()
        settings = config.input

        def option(name: str, key: str | None = None) -> Any:
            value = getattr(args, name, None)
            return value if value is not None else settings.get(key or name)

        preset: str | None = option("crm", "from")
        zone_name = option("timezone")
        zone = read_zone(zone_name, "--timezone") if zone_name else None
        formats = getattr(args, "date_format", None) or settings.get("date_format") or ()
        rates = dict(config.currency.get("rates", {}))
        rates.update(parse_rate(r, "--rate") for r in getattr(args, "rate", None) or ())
        base = getattr(args, "currency", None) or config.currency.get("base")
        super().__init__(
            maps=parse_maps(getattr(args, "map", None) or ()),
            preset=preset,
            columns=config.columns,
            aliases=config.aliases,
            encoding=option("encoding"),
            delimiter=option("delimiter"),
            decimal=option("decimal"),
            zone=zone,
            dates=DateReader(read_formats(list(formats), "--date-format"), zone),
            values=ValueMap.of(preset, config.values),
            currencies=Currencies.of(base, rates),
            skip_invalid=bool(getattr(args, "skip_invalid", False)),
            report=getattr(args, "report", None),
            notes=getattr(args, "notes", None),
            progress=(lambda name: rows_read(name, sys.stderr))
            if _is_terminal(sys.stderr)
            else None,
        )

    def check_column(self, option: str, column: str | None, path: Path) -> None:
        """Refuse an option (``--by``) naming a column that ``path`` does not have."""
        header = self.headers.get(Path(path), [])
        if column is None or column in header:
            return
        close = closest_column(column, header)
        hint = f"; did you mean {close!r}?" if close else ""
        shown = ", ".join(repr(h) for h in header)
        raise InvalidInputError(
            f"no column {column!r} in {path}{hint} the header has: {shown}", path=option
        )

    def require_any(self, path: Path, fields: Sequence[str]) -> None:
        """Refuse a file in which none of ``fields`` has a column, naming them and the
        headers closest to each (a file of another kind, or a CRM's own headers)."""
        header = self.headers.get(Path(path), [])
        if any(field in header for field in fields):
            return
        written = self.written.get(Path(path), header)
        close = {f: c for f in fields if (c := closest_column(f, written))}
        hint = "; ".join(f"{f}: {c!r}?" for f, c in close.items()) or "none close"
        crms = [
            crm
            for crm, kinds in PRESETS.items()
            if any(kinds.get(k, {}).get(f) in written for k in KINDS for f in fields)
        ]
        fix = f"read it with --from {crms[0]}" if crms else "map them with --map FIELD=COLUMN"
        raise InvalidInputError(
            f"none of the columns this command reads is in the file; looked for "
            f"{', '.join(fields)}; closest headers: {hint}; {fix}",
            path=str(path),
        )


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def rows_read(name: str, stream: TextIO) -> Callable[[int], None]:
    """Rows of the file called ``name`` read and the rate, rewritten in place on
    ``stream`` (the API's ``progress="stderr"`` line, with a rate)."""
    line = stderr_line(f"b2bfunnel: {name}:", stream, unit="rows", rate=True)
    return lambda rows: line(rows, None)


def read_responses(
    path: Path,
    score_column: str = "score",
    at_column: str = "at",
    reading: FileReading | None = None,
) -> list[Response]:
    """Survey answers from CSV (fields read by
    :func:`~b2bfunnel.tables._reading.response_rows`), bad rows raised at the end."""
    reading = reading or Reading()
    rows = response_rows(path, reading, score_column, at_column)
    responses = built(path, rows, Response, reading, "response")
    reading.check()
    return responses


def read_candidates(
    path: Path, reading: FileReading | None = None, config: KOLConfig | None = None
) -> list[KOLCandidate]:
    """KOL candidates from CSV (fields read by
    :func:`~b2bfunnel.tables._reading.candidate_rows`). With ``config``, a risk flag it
    does not know is a bad row, at its line and column."""
    return read_candidate_file(path, reading, config)[0]


def read_candidate_file(
    path: Path, reading: FileReading | None = None, config: KOLConfig | None = None
) -> tuple[list[KOLCandidate], str | None]:
    """:func:`read_candidates` and the currency their costs are in (the base when
    converting, else the one found, else None)."""
    reading = reading or Reading()
    out, codes = [], []
    for (line, fields), found in candidate_rows(path, reading):
        for candidate in built(path, [(line, fields)], KOLCandidate, reading, "candidate"):
            try:
                if config is not None:
                    config.check_flags(candidate.risk_flags, f"{path}:{line}:risk_flags")
                out.append(candidate)
                codes.append(found)
            except InvalidInputError as exc:
                reading.bad.add(exc)
    reading.check()
    return in_one_currency(out, codes, reading.currencies, f"{path}:cost_per_post")


def in_one_currency(
    candidates: list[KOLCandidate],
    codes: list[dict[str, str]],
    currencies: Currencies,
    where: str,
) -> tuple[list[KOLCandidate], str | None]:
    """The candidates with their costs in one currency, and that currency: a mix is
    refused unless ``currencies`` has a base and rates, which convert each cost to the
    base."""
    currency = currencies.settle({c for found in codes for c in found.values()}, where)
    if currencies.base is None:
        return candidates, currency
    out = []
    for candidate, found in zip(candidates, codes, strict=True):
        changes: dict[str, Any] = {
            field: currencies.convert(getattr(candidate, field), code)
            for field, code in found.items()
        }
        out.append(attrs.evolve(candidate, **changes) if changes else candidate)
    return out, currency


# --- writing ----------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_DECIMAL_CELL = re.compile(r"[+-]?\d+\.\d+%?")
_RISKY_FIRST = frozenset("=+-@\t")
# Control characters (C0, DEL, C1) shown as escapes in text tables, so a cell cannot
# move the cursor, recolour the terminal or fake a line of output.
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROLS.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})


def safe_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    A cell whose first character after leading spaces, CR and LF is ``= + - @`` or a
    tab gets a leading apostrophe, unless the whole cell is a plain decimal number
    such as ``-12.5`` (``-inf``, ``+nan`` and ``-1_000`` are not).

    >>> safe_cell("=HYPERLINK(\\"x\\")"), safe_cell(-12.5), safe_cell("\\r@home")
    ('\\'=HYPERLINK("x")', '-12.5', "'\\r@home")
    """
    text = "" if value is None else str(value)
    first = text.lstrip(" \r\n")[:1]
    if first in _RISKY_FIRST and first and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def _shown(value: Any) -> str:
    return str(value).translate(_CONTROLS)


def write_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Rows as an aligned text table (numbers right-aligned, control characters escaped)."""
    if not rows:
        out.write("(no leads)\n")
        return
    columns = list(rows[0])
    cells = [[_shown(r[c]) for c in columns] for r in rows]
    titles = [_shown(c) for c in columns]
    widths = [max(len(t), *(len(row[i]) for row in cells)) for i, t in enumerate(titles)]
    numeric = {c for c in columns if all(_is_number(r[c]) for r in rows)}

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if c in numeric else v.ljust(w)
            for v, w, c in zip(values, widths, columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out.write(line(titles) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def write_json(payload: Any, out: TextIO) -> int:
    """Write ``payload`` as indented JSON (strict JSON: a non-finite number, such as a
    missing bound, is ``null``); the command's exit status (0)."""
    json.dump(finite(payload), out, ensure_ascii=False, indent=2, allow_nan=False)
    out.write("\n")
    return 0


def finite(value: Any) -> Any:
    """``value`` with every infinite or NaN float (in lists and dicts) as ``None``.

    >>> finite({"low": 1.5, "high": float("inf"), "xs": [float("nan"), 2]})
    {'low': 1.5, 'high': None, 'xs': [None, 2]}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def write_csv(
    rows: list[dict[str, Any]], out: TextIO, *, delimiter: str = ",", decimal: str = "."
) -> None:
    """Rows as spreadsheet-safe CSV with a header (see :func:`safe_cell`); with
    ``decimal=","`` numbers are written ``12,5``."""
    if not rows:
        return
    specials = frozenset(f'{delimiter}"\r\n')

    def quoted(text: str) -> str:
        # The csv module quotes only the line terminator's characters, so a lone CR
        # would split the row in a spreadsheet: quote CR and LF explicitly.
        if specials.isdisjoint(text):
            return text
        return '"' + text.replace('"', '""') + '"'

    plain_numbers = decimal == "." and delimiter != "."

    def cell(value: Any) -> str:
        kind = type(value)
        if (kind is int or kind is float) and value >= 0 and plain_numbers:
            return str(value)  # starts with a digit (or is inf): nothing to escape
        text = safe_cell(value)
        if decimal == "," and (_is_number(value) or _DECIMAL_CELL.fullmatch(text)):
            text = text.replace(".", ",")
        return quoted(text)

    def line(cells: list[str]) -> str:
        # One empty cell alone would be a blank line, which readers skip.
        return (delimiter.join(cells) if cells != [""] else '""') + "\n"

    out.write(line([quoted(safe_cell(c)) for c in rows[0]]))
    for row in rows:
        out.write(line([cell(v) for v in row.values()]))


def write_rows(args: Any, rows: list[dict[str, Any]], out: TextIO) -> None:
    """Rows as CSV when ``args.format`` is ``csv`` (with ``--out-delimiter`` and
    ``--out-decimal``, which default to ``--delimiter`` and ``--decimal`` when given,
    else ``,`` and ``.``), else as a text table."""
    if args.format == "csv":
        write_csv(rows, out, delimiter=out_option(args, "delimiter", ","),
                  decimal=out_option(args, "decimal", "."))  # fmt: skip
    else:
        write_table(rows, out)


def out_option(args: Any, name: str, default: str) -> str:
    """``--out-NAME``, else ``--NAME`` as given on the command line, else ``default``
    (never what was sniffed from or configured for the input files)."""
    value = getattr(args, f"out_{name}", None) or getattr(args, name, None) or default
    return str(value)
