"""Reading CSV tables into records and writing results as tables, CSV or JSON."""

from __future__ import annotations

import json
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TextIO

import attrs

from .._time import read_zone
from ..errors import InvalidInputError
from ..events import Event
from ..kol import KOLCandidate, KOLConfig
from ..progress import stderr_line
from ..surveys import Response
from ..tables import BadRows, comma_decimal, open_table
from ..tables import Table as TableFile
from ..tables._columns import KINDS, PRESETS, InputConfig, closest_column, column_map
from ..tables._currency import Currencies, parse_rate
from ..tables._dates import DateReader, read_formats
from ..tables._deals import DealOptions, read_deals
from ..tables._labels import ValueMap, survey_score
from ..tables._numbers import settle_decimal
from ..tables._records import (
    CANDIDATE_REQUIRED,
    at_row,
    candidate_fields,
    money_currencies,
    response_fields,
)
from ..tables._shapes import is_second_header
from ._args import parse_maps

# --- reading ----------------------------------------------------------------------


class Reading:
    """How one run reads its files: the command's options and the funnel's ``[columns.*]``,
    ``[aliases]`` and ``[input]`` together. It collects bad rows (reported all at once
    by :meth:`check`) and the data report (warnings a user must see)."""

    def __init__(self, args: Any = None, config: InputConfig | None = None) -> None:
        config = config or InputConfig()
        settings = config.input

        def option(name: str, key: str | None = None) -> Any:
            value = getattr(args, name, None)
            return value if value is not None else settings.get(key or name)

        self.maps = parse_maps(getattr(args, "map", None) or ())
        self.preset: str | None = option("crm", "from")
        self.columns = config.columns
        self.aliases = config.aliases
        self.encoding: str | None = option("encoding")
        self.delimiter: str | None = option("delimiter")
        self.decimal_given: str | None = option("decimal")
        self.decimal: str = self.decimal_given or "."
        zone = option("timezone")
        self.zone = read_zone(zone, "--timezone") if zone else None
        formats = getattr(args, "date_format", None) or settings.get("date_format") or ()
        self.dates = DateReader(read_formats(list(formats), "--date-format"), self.zone)
        self.values = ValueMap.of(self.preset, config.values)
        rates = dict(config.currency.get("rates", {}))
        rates.update(parse_rate(r, "--rate") for r in getattr(args, "rate", None) or ())
        base = getattr(args, "currency", None) or config.currency.get("base")
        self.currencies = Currencies.of(base, rates)
        self.bad = BadRows(skip=bool(getattr(args, "skip_invalid", False)))
        report, notes = getattr(args, "report", None), getattr(args, "notes", None)
        self.report: list[str] = report if report is not None else []
        self.notes: list[str] = notes if notes is not None else []
        self.headers: dict[Path, list[str]] = {}
        self.written: dict[Path, list[str]] = {}
        self.progress = _is_terminal(sys.stderr)

    def open(
        self, path: Path, kind: str, required: Sequence[str] = (), *, raw: bool = False
    ) -> TableFile:
        """Open a file of ``kind`` (``leads``, ``events``...) requiring ``required``
        (with ``raw``, cells as written: no decimal swap)."""
        table = open_table(
            path,
            columns=lambda header: column_map(
                kind, header, preset=self.preset, maps=self.maps, config=self.columns
            ),
            encoding=self.encoding,
            delimiter=self.delimiter,
            decimal="." if raw else self.decimal,
            bad=self.bad,
            on_note=self.notes.append,
        )
        table.require(required)
        self.headers[Path(path)] = table.columns
        self.written[Path(path)] = table.header
        if self.progress:
            table.on_progress = rows_read(Path(path).name, sys.stderr)
        return table

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

    def warn(self, message: str) -> None:
        """Add a line to the data report."""
        self.report.append(message)

    def check(self) -> None:
        """Raise if bad rows were found (unless skipped; then count them in the report)."""
        self.bad.check()
        if self.bad.count:
            noun = "row" if self.bad.count == 1 else "rows"
            self.notes.append(f"skipped {self.bad.count} bad {noun} (--skip-invalid)")
            self.bad.problems.clear()

    def time(self, text: str, where: str) -> datetime | None:
        """The timestamp in a cell, or ``None`` after recording the bad row."""
        try:
            return self.dates.read(text, where)
        except InvalidInputError as exc:
            self.bad.add(exc)
            return None


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


def rows(path: Path, reading: Reading | None = None) -> Iterable[tuple[int, dict[str, str]]]:
    """``(line number, row)`` of a CSV file with a header; blank cells dropped."""
    return (reading or Reading()).open(path, "answers")


def read_leads(path: Path, reading: Reading | None = None) -> list[dict[str, str]]:
    """Lead profiles from a CSV file with an ``id`` column and any profile columns.

    Rows after the last lead with at most one non-empty cell are a report's footer
    ("Copyright ...", "Generado por ..."), skipped with one note; elsewhere such a row
    is a bad row, unless its one cell is a lead id (a lead with no other field)."""
    reading = reading or Reading()
    leads: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    table = reading.open(path, "leads", ["id"])
    thin: list[tuple[int, dict[str, str]]] = []  # rows that are a footer if nothing follows
    footers = len(table.columns) >= 2
    for line, row in table:
        if footers and len(row) <= 1:
            thin.append((line, row))
            continue
        for early, lone in thin:
            if _is_lone_id(lone):
                _take_lead(reading, path, early, lone, leads, seen)
            else:
                reading.bad.add(
                    InvalidInputError(
                        f"one cell, {next(iter(lone.values()))!r}, and no lead id",
                        path=f"{path}:{early}",
                    )
                )
        thin.clear()
        _take_lead(reading, path, line, row, leads, seen)
    if thin:
        noun = "row" if len(thin) == 1 else "rows"
        reading.notes.append(f"{path}: skipped {len(thin)} footer {noun} after the last lead")
    reading.check()
    return leads


def _is_lone_id(row: Mapping[str, str]) -> bool:
    """A row whose one cell is an id (no spaces): a lead with no other field."""
    lead_id = row.get("id")
    return lead_id is not None and len(row) == 1 and not any(c.isspace() for c in lead_id)


def _take_lead(
    reading: Reading,
    path: Path,
    line: int,
    row: dict[str, str],
    leads: list[dict[str, str]],
    seen: dict[str, int],
) -> None:
    lead_id = row.get("id")
    if not lead_id:
        reading.bad.add(InvalidInputError("empty lead id", path=f"{path}:{line}:id"))
    elif lead_id in seen:
        reading.bad.add(
            InvalidInputError(
                f"duplicate lead id {lead_id!r} (first on line {seen[lead_id]})",
                path=f"{path}:{line}:id",
            )
        )
    else:
        seen[lead_id] = line
        leads.append(row)


_EVENT_COLUMNS = ("lead_id", "name", "at")


class _NoProperties(Mapping[str, str]):
    """The properties of an event no rule reads them of: empty, read-only, one object
    that pickles by name (events cross processes in ``score``)."""

    def __getitem__(self, key: str) -> str:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __reduce__(self) -> str:
        return "NO_PROPERTIES"

    def __repr__(self) -> str:
        return "NO_PROPERTIES"


NO_PROPERTIES: Mapping[str, str] = _NoProperties()


class EventTally:
    """Counts taken while events stream past, for the data report: events per name,
    events of leads outside ``ids``, and those leads' ids that may be a Salesforce id in
    its other form (15 or 18 characters)."""

    def __init__(self, ids: Iterable[str]) -> None:
        self.ids = set(ids)
        self.names: Counter[str] = Counter()
        self.unknown = 0
        self.strangers: set[str] = set()


def is_salesforce_length(lead_id: str) -> bool:
    """Whether an id has the length of a Salesforce id (15 or 18 characters)."""
    return len(lead_id) in (15, 18)


def iter_events(
    path: Path,
    reading: Reading,
    name_of: Callable[[str], str] | None = None,
    tally: EventTally | None = None,
) -> Iterator[Event]:
    """Events from a CSV file, one at a time: ``lead_id``, ``name``, ``at`` (ISO 8601
    with offset); other non-empty columns become the event's properties. ``name_of``
    gives the model's name of each event name; ``tally`` counts them. Bad rows go to
    ``reading``; call its ``check()`` after the last event."""
    ids = tally.ids if tally is not None else None
    unknown = 0
    strangers: set[str] = set()
    table, (at_lead, at_name, at_at), others = open_events(path, reading)
    swap = table.decimal == ","
    resolved: dict[str, ResolvedName] = {}
    for line, cells in table.cells():
        row = event_row(reading, path, line, cells, at_lead, at_name, at_at)
        if row is None:
            continue
        lead_id, name, at = row
        found = resolved.get(name) or resolve_name(resolved, name, name_of, None)
        event = event_of(reading, path, line, lead_id, found.model_name, at, cells, others, swap)
        if event is None:
            continue
        found.count += 1
        if ids is not None and lead_id not in ids:
            unknown += 1
            if is_salesforce_length(lead_id):
                strangers.add(lead_id)
        yield event
    count_names(tally, unknown, resolved, strangers)


def event_row(
    reading: Reading,
    path: Path,
    line: int,
    cells: list[str],
    at_lead: int,
    at_name: int,
    at_at: int,
) -> tuple[str, str, datetime] | None:
    """A row's lead, name and time, or ``None`` after recording the bad row."""
    try:
        lead_id, name, text = cells[at_lead].strip(), cells[at_name].strip(), cells[at_at].strip()
    except IndexError:
        lead_id = name = text = ""
    if not (lead_id and name and text):
        empty_cell(reading, path, line, lead_id, name)
        return None
    try:
        at = datetime.fromisoformat(text)
        if at.tzinfo is not None:
            return lead_id, name, at
    except ValueError:
        pass
    parsed = reading.time(text, f"{path}:{line}:at")
    return None if parsed is None else (lead_id, name, parsed)


def open_events(
    path: Path, reading: Reading
) -> tuple[TableFile, tuple[int, int, int], list[tuple[int, str]]]:
    """The events file, the positions of its lead, name and time columns, and the
    ``(position, field)`` of its property columns."""
    table = reading.open(path, "events", _EVENT_COLUMNS)
    positions = tuple(table.names.index(c) for c in _EVENT_COLUMNS)
    others = [(i, n) for i, n in enumerate(table.names) if n and n not in _EVENT_COLUMNS]
    return table, (positions[0], positions[1], positions[2]), others


def empty_cell(reading: Reading, path: Path, line: int, lead_id: str, name: str) -> None:
    missing = "lead_id" if not lead_id else "name" if not name else "at"
    reading.bad.add(InvalidInputError("empty cell", path=f"{path}:{line}:{missing}"))


@attrs.define
class ResolvedName:
    """What a reader works out once per distinct CRM event name: the model's name of
    it, whether its rows' events are built (else only their times are kept), whether
    their properties are read; and the rows counted so far. Mutable, so a row counts
    with ``found.count += 1`` (a Counter per row costs twice as much)."""

    model_name: str
    built: bool
    reads_properties: bool
    count: int = 0


def resolve_name(
    resolved: dict[str, ResolvedName],
    name: str,
    name_of: Callable[[str], str] | None,
    needs: Callable[[str], bool] | None,
    needs_properties: Callable[[str], bool] | None = None,
) -> ResolvedName:
    """The :class:`ResolvedName` of a CRM's event name, stored in ``resolved``."""
    model_name = name_of(name) if name_of is not None else name
    built = needs is None or needs(model_name)
    read = built and (needs_properties is None or needs_properties(model_name))
    found = resolved[name] = ResolvedName(model_name, built, read)
    return found


def event_of(
    reading: Reading,
    path: Path,
    line: int,
    lead_id: str,
    name: str,
    at: datetime,
    cells: list[str],
    others: list[tuple[int, str]],
    swap: bool,
) -> Event | None:
    """The row's :class:`Event`, its other non-empty columns as properties; ``None``
    after recording a bad row."""
    try:
        return Event.from_cells(lead_id, name, at, properties_of(cells, others, swap))
    except InvalidInputError as exc:
        # Of the event's path (event.at, event.properties.x), the cell: its last part.
        reading.bad.add(exc.relocate(f"{path}:{line}:", depth=len(exc.parts) - 1))
        return None


def properties_of(cells: list[str], others: list[tuple[int, str]], swap: bool) -> dict[str, str]:
    """The row's non-empty ``others`` cells by field (numbers in ``.``-decimal form when
    ``swap``)."""
    row = {n: t for i, n in others if i < len(cells) and (t := cells[i].strip())}
    if swap and row:
        return {n: comma_decimal(t) for n, t in row.items()}
    return row


def count_names(
    tally: EventTally | None,
    unknown: int,
    resolved: dict[str, ResolvedName],
    strangers: Iterable[str] = (),
) -> None:
    """Add a reader's counts to ``tally``: rows of leads not among its ids (and those
    leads' ids, see :class:`EventTally`), rows per model name."""
    if tally is not None:
        tally.unknown += unknown
        tally.strangers.update(strangers)
        for found in resolved.values():
            if found.count:
                tally.names[found.model_name] += found.count


def read_events(
    path: Path, reading: Reading | None = None, name_of: Callable[[str], str] | None = None
) -> list[Event]:
    """Every event of a CSV file (see :func:`iter_events`); bad rows raise at the end."""
    reading = reading or Reading()
    events = list(iter_events(path, reading, name_of))
    reading.check()
    return events


def read_responses(
    path: Path,
    score_column: str = "score",
    at_column: str = "at",
    reading: Reading | None = None,
) -> list[Response]:
    """Survey answers from CSV, read by the one converter
    (:func:`~b2bfunnel.tables._records.response_fields`): a 0..10 ``score_column``;
    optional ``at_column``, ``comment`` and ``account``; every other column is a
    segment. A row without a score is skipped and counted in the data report."""
    reading = reading or Reading()
    responses = []
    blank = 0
    renamed = {score_column: "score", at_column: "at"}
    table = reading.open(path, "survey", [score_column])
    first = True
    for line, row in table:
        where = f"{path}:{line}:"
        cells = {renamed.get(k, k): v for k, v in row.items()}
        if first and is_second_header(row, [score_column], _is_score, table.header_of):
            reading.notes.append(f"{path}:{line}: skipped a second header row")
            first = False
            continue
        first = False
        try:
            fields = response_fields(cells, zone=reading.zone, dates=reading.dates)
            if fields is None:
                blank += 1
            else:
                responses.append(Response(**fields))
        except InvalidInputError as exc:
            exc = at_row(exc, where, "response")
            if score_column != "score" or at_column != "at":
                exc = _field_back(exc, renamed)
            reading.bad.add(exc)
    reading.check()
    if blank:
        reading.warn(f"{path}: {blank} responses without a score were skipped")
    return responses


def _is_score(_field: str, text: str) -> bool:
    return survey_score(text) is not None


def _field_back(exc: InvalidInputError, renamed: Mapping[str, str]) -> InvalidInputError:
    """``exc``, located at ``file:line:field``, with the field named as the file's
    column."""
    back = {v: k for k, v in renamed.items()}
    location, *field = exc.parts
    if len(field) != 1 or not isinstance(field[0], str) or field[0] not in back:
        return exc
    return exc.relocate(f"{location}{back[field[0]]}", depth=2)


def read_candidates(
    path: Path, reading: Reading | None = None, config: KOLConfig | None = None
) -> list[KOLCandidate]:
    """KOL candidates from CSV, read by the one converter
    (:func:`~b2bfunnel.tables._records.candidate_fields`). With ``config``, a risk flag
    it does not know is a bad row, at its line and column."""
    reading = reading or Reading()
    out = []
    codes: list[dict[str, str]] = []
    costs: dict[str, list[str]] = {"cost_per_post": [], "campaign_cost": []}
    for line, row in reading.open(path, "kols", CANDIDATE_REQUIRED):
        where = f"{path}:{line}:"
        for field, texts in costs.items():
            if field in row:
                texts.append(row[field])
        try:
            candidate = KOLCandidate(**candidate_fields(row))
        except InvalidInputError as exc:
            reading.bad.add(at_row(exc, where, "candidate"))
            continue
        try:
            if config is not None:
                config.check_flags(candidate.risk_flags, f"{where}risk_flags")
            out.append(candidate)
            codes.append(money_currencies(row))
        except InvalidInputError as exc:
            reading.bad.add(exc)
    reading.check()
    if reading.decimal_given is None:  # costs that read two ways (€1.500) are said
        for field, texts in costs.items():
            found = settle_decimal(field, texts, path=f"{path}:{field}")[1]
            if found is not None:
                reading.warn(f"{path}: {found.warning()}")
    return in_one_currency(out, codes, reading.currencies, f"{path}:cost_per_post")


def in_one_currency(
    candidates: list[KOLCandidate],
    codes: list[dict[str, str]],
    currencies: Currencies,
    where: str,
) -> list[KOLCandidate]:
    """The candidates with their costs in one currency: a mix is refused unless
    ``currencies`` has a base and rates, which convert each cost to the base."""
    currencies.settle({c for found in codes for c in found.values()}, where)
    if currencies.base is None:
        return candidates
    out = []
    for candidate, found in zip(candidates, codes, strict=True):
        changes: dict[str, Any] = {
            field: currencies.convert(getattr(candidate, field), code)
            for field, code in found.items()
        }
        out.append(attrs.evolve(candidate, **changes) if changes else candidate)
    return out


class Table(NamedTuple):
    """Records read from a CSV file, with the file line each came from."""

    path: Path
    records: list[dict[str, Any]]
    lines: list[int]
    currency: str | None = None


def read_records(
    path: Path,
    times: Sequence[str],
    required: Sequence[str] = (),
    reading: Reading | None = None,
    kind: str = "deals",
) -> Table:
    """CSV rows as records: the ``times`` columns parsed as ISO 8601 (blank = absent),
    every other non-blank cell kept as text."""
    reading = reading or Reading()
    table = Table(path, [], [])
    for line, row in reading.open(path, kind, required):
        record: dict[str, Any] = dict(row)
        good = True
        for column in times:
            if column in record:
                at = reading.time(record[column], f"{path}:{line}:{column}")
                good = good and at is not None
                record[column] = at
        if good:
            table.records.append(record)
            table.lines.append(line)
    reading.check()
    return table


def read_deal_file(path: Path, reading: Reading, required: Sequence[str]) -> Table:
    """Deals from a CRM's export (see :func:`b2bfunnel._deals.read_deals`): footers
    skipped, labels, dates, amounts and currencies read; ambiguous amounts and notes
    go to the data report. The table's ``currency`` is the amounts' currency."""
    lines, rows = [], []
    for line, row in reading.open(path, "deals", required, raw=True):
        lines.append(line)
        rows.append(row)
    options = DealOptions(reading.decimal_given, reading.dates, reading.values, reading.currencies)
    read = read_deals(
        rows,
        options,
        lambda i, field: f"{path}:{lines[i] if lines else 1}:{field}",
        reading.bad.add,
    )
    reading.check()
    reading.notes.extend(f"{path}: {note}" for note in read.notes)
    for ambiguous in read.ambiguous:
        reading.warn(f"{path}: {ambiguous.warning()}")
    return Table(path, read.records, [lines[i] for i in read.rows], read.currency)


def located(tables: Mapping[str, Table], call: Callable[[], Any]) -> Any:
    """Run ``call``; an error about item ``name[i].key`` of the records of
    ``tables[name]`` becomes ``file:line:key``, with the line the record came from
    (blank lines are skipped when reading, so the index alone would not say)."""
    try:
        return call()
    except InvalidInputError as exc:
        parts = exc.parts
        if len(parts) > 2 and parts[0] in tables and isinstance(parts[1], int):
            table = tables[str(parts[0])]
            raise exc.relocate(f"{table.path}:{table.lines[parts[1]]}:", depth=2) from None
        raise


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
