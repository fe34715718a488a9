"""Reading CSV files into typed field mappings, the way every command reads them.

A :class:`FileReading` is how one run reads its files: the column mappings
(``columns=``, a CRM preset, ``[columns.*]``), the encoding, delimiter and decimal
mark, the time zone and date formats, the CRM's value labels and currencies. It opens
each file (:func:`~b2bfunnel.tables.open_table`), collects the bad rows of every file
to report them all at once, and the notes and warnings a user must see. The readers
here hand each row to the one converter of its record kind
(:mod:`~b2bfunnel.tables._records`), as the readers of rows given in Python do, and
put the row's ``file:line:`` in front of a refusal; they return field mappings (or
:class:`~b2bfunnel.events.Event` values), never a domain module's records.

The command line builds a :class:`FileReading` from its options; a program can build
one from keyword arguments. Events are read by :mod:`._event_file`.

>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "leads.csv"
>>> _ = path.write_text("id;Empleados\\nL1;1.200\\nCopyright 2026\\n", encoding="utf-8")
>>> reading = FileReading(decimal=",")
>>> read_leads(path, reading), reading.notes
([{'id': 'L1', 'Empleados': '1,200'}], [...: skipped 1 footer row after the last lead'])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import InvalidInputError
from ._columns import column_map
from ._currency import Currencies
from ._dates import DateReader
from ._deals import DealOptions, read_deals
from ._file import BadRows, Table, open_table
from ._kinds import Converter, profile_fields
from ._labels import ValueMap, survey_score
from ._numbers import settle_decimal
from ._records import (
    CANDIDATE_REQUIRED,
    at_row,
    candidate_fields,
    money_currencies,
    response_fields,
)
from ._shapes import is_second_header

__all__ = [
    "FileReading",
    "Records",
    "Row",
    "built",
    "candidate_rows",
    "located",
    "read_deal_file",
    "read_kind",
    "read_leads",
    "response_rows",
]


class FileReading:
    """How one run reads its files, and what it found: the bad rows of every file
    (reported all at once by :meth:`check`), notes, and the data report's warnings.

    Every option is a keyword: ``maps`` (field -> header given for this run, by
    file kind; ``None``: every kind),
    ``preset`` (a CRM's headers), ``columns`` (``[columns.KIND]`` tables),
    ``aliases``, ``encoding``, ``delimiter``, ``decimal`` (``None``: not given, read
    as ``.``), ``zone`` (for times without an offset), ``dates`` (formats to try after
    ISO 8601), ``values`` (CRM labels), ``currencies``, ``skip_invalid``; ``report``
    and ``notes`` may be lists to add to; ``progress`` makes a progress callback for
    a file's name.
    """

    def __init__(
        self,
        *,
        maps: Mapping[str | None, Mapping[str, str]] | None = None,
        preset: str | None = None,
        columns: Mapping[str, Mapping[str, str]] | None = None,
        aliases: Mapping[str, str] | None = None,
        encoding: str | None = None,
        delimiter: str | None = None,
        decimal: str | None = None,
        zone: tzinfo | None = None,
        dates: DateReader | None = None,
        values: ValueMap | None = None,
        currencies: Currencies | None = None,
        skip_invalid: bool = False,
        report: list[str] | None = None,
        notes: list[str] | None = None,
        progress: Callable[[str], Callable[[int], Any]] | None = None,
    ) -> None:
        self.maps = dict(maps or {})
        self.preset = preset
        self.columns = columns or {}
        self.aliases = aliases or {}
        self.encoding = encoding
        self.delimiter = delimiter
        self.decimal_given = decimal
        self.decimal: str = decimal or "."
        self.zone = zone
        self.dates = dates or DateReader((), zone)
        self.values = values or ValueMap.of(preset, {})
        self.currencies = currencies or Currencies()
        self.bad = BadRows(skip=skip_invalid)
        self.report: list[str] = report if report is not None else []
        self.notes: list[str] = notes if notes is not None else []
        self.headers: dict[Path, list[str]] = {}
        self.written: dict[Path, list[str]] = {}
        self.progress = progress

    def open(
        self, path: Path, kind: str, required: Sequence[str] = (), *, raw: bool = False
    ) -> Table:
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
        if self.progress is not None:
            table.on_progress = self.progress(Path(path).name)
        return table

    def warn(self, message: str) -> None:
        """Add a line to the data report."""
        self.report.append(message)

    def check(self) -> None:
        """Raise if bad rows were found (unless skipped; then count them in a note)."""
        self.bad.check()
        if self.bad.count:
            noun = "row" if self.bad.count == 1 else "rows"
            self.notes.append(f"skipped {self.bad.count} bad {noun} (skip_invalid=True)")
            self.bad.problems.clear()

    def time(self, text: str, where: str) -> datetime | None:
        """The timestamp in a cell, or ``None`` after recording the bad row."""
        try:
            return self.dates.read(text, where)
        except InvalidInputError as exc:
            self.bad.add(exc)
            return None


def read_leads(path: Path, reading: FileReading | None = None) -> list[dict[str, str]]:
    """Lead profiles from a CSV file with an ``id`` column and any profile columns.

    Rows after the last lead with at most one non-empty cell are a report's footer
    ("Copyright ...", "Generado por ..."), skipped with one note; elsewhere such a row
    is a bad row, unless its one cell is a lead id (a lead with no other field)."""
    reading = reading or FileReading()
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
    reading: FileReading,
    path: Path,
    line: int,
    row: dict[str, str],
    leads: list[dict[str, str]],
    seen: dict[str, int],
) -> None:
    try:
        fields = profile_fields(row)  # the one reading of a profile, as rows in Python
    except InvalidInputError as exc:
        reading.bad.add(at_row(exc, f"{path}:{line}:"))
        return
    lead_id = fields["id"]
    if lead_id in seen:
        reading.bad.add(
            InvalidInputError(
                f"duplicate lead id {lead_id!r} (first on line {seen[lead_id]})",
                path=f"{path}:{line}:id",
            )
        )
    else:
        seen[lead_id] = line
        leads.append(fields)


Row = tuple[int, dict[str, Any]]
"""A row read: its file line and its typed fields."""


def built(
    path: Path, rows: Iterable[Row], make: Callable[..., Any], reading: FileReading, own: str
) -> list[Any]:
    """``make(**fields)`` of each row (a domain module's record), a refusal recorded
    at the row's ``file:line:field`` (``own`` is the record's own name in its
    constructor's paths, ``response.score``)."""
    out = []
    for line, fields in rows:
        try:
            out.append(make(**fields))
        except InvalidInputError as exc:
            reading.bad.add(at_row(exc, f"{path}:{line}:", own))
    return out


def response_rows(
    path: Path,
    reading: FileReading | None = None,
    score_column: str = "score",
    at_column: str = "at",
) -> list[Row]:
    """Survey answers' fields from CSV, read by the one converter
    (:func:`~b2bfunnel.tables._records.response_fields`): a 0..10 ``score_column``;
    optional ``at_column``, ``comment`` and ``account``; every other column is a
    segment. A second header row (``Response``...) is skipped with a note; a row
    without a score is skipped and counted in the data report. Bad rows go to
    ``reading`` (call its ``check()``)."""
    reading = reading or FileReading()
    out: list[Row] = []
    blank = 0
    renamed = {score_column: "score", at_column: "at"}
    table = reading.open(path, "survey", [score_column])
    first = True
    for line, row in table:
        cells = {renamed.get(k, k): v for k, v in row.items()}
        if first and is_second_header(row, [score_column], _is_score, table.header_of):
            reading.notes.append(f"{path}:{line}: skipped a second header row")
            first = False
            continue
        first = False
        try:
            fields = response_fields(cells, zone=reading.zone, dates=reading.dates)
        except InvalidInputError as exc:
            reading.bad.add(_field_back(at_row(exc, f"{path}:{line}:", "response"), renamed))
            continue
        if fields is None:
            blank += 1
        else:
            out.append((line, fields))
    if blank:
        reading.warn(f"{path}: {blank} responses without a score were skipped")
    return out


def _is_score(_field: str, text: str) -> bool:
    return survey_score(text) is not None


def _field_back(exc: InvalidInputError, renamed: Mapping[str, str]) -> InvalidInputError:
    """``exc``, located at ``file:line:field``, with the field named as the file's
    column."""
    back = {v: k for k, v in renamed.items() if k != v}
    location, *field = exc.parts
    if len(field) != 1 or not isinstance(field[0], str) or field[0] not in back:
        return exc
    return exc.relocate(f"{location}{back[field[0]]}", depth=2)


def candidate_rows(
    path: Path, reading: FileReading | None = None
) -> list[tuple[Row, dict[str, str]]]:
    """KOL candidates' fields from CSV, read by the one converter
    (:func:`~b2bfunnel.tables._records.candidate_fields`), each with the currency of
    each of its costs (see :func:`~b2bfunnel.tables._records.money_currencies`).
    Without ``decimal``, costs that read two ways (``€1.500``) are said in the data
    report."""
    reading = reading or FileReading()
    out = []
    costs: dict[str, list[str]] = {"cost_per_post": [], "campaign_cost": []}
    for line, row in reading.open(path, "kols", CANDIDATE_REQUIRED):
        for field, texts in costs.items():
            if field in row:
                texts.append(row[field])
        try:
            out.append(((line, candidate_fields(row)), money_currencies(row)))
        except InvalidInputError as exc:
            reading.bad.add(at_row(exc, f"{path}:{line}:", "candidate"))
    if reading.decimal_given is None:
        for field, texts in costs.items():
            found = settle_decimal(field, texts, path=f"{path}:{field}")[1]
            if found is not None:
                reading.warn(f"{path}: {found.warning()}")
    return out


class Records(NamedTuple):
    """Records read from a CSV file, with the file line each came from, and the
    currency of their amounts (deals)."""

    path: Path
    records: list[dict[str, Any]]
    lines: list[int]
    currency: str | None = None


def read_kind(
    path: Path,
    convert: Converter,
    required: Sequence[str] = (),
    reading: FileReading | None = None,
    kind: str = "leads",
) -> Records:
    """The rows of a CSV file of ``kind`` converted by ``convert``, the converter of
    their record kind (see :mod:`._kinds`), which the rows given in Python go through
    too; a bad row is recorded at ``file:line:field`` and raised at the end."""
    reading = reading or FileReading()
    table = Records(path, [], [])
    for line, row in reading.open(path, kind, required):
        try:
            table.records.append(convert(row, zone=reading.zone, dates=reading.dates))
        except InvalidInputError as exc:
            reading.bad.add(at_row(exc, f"{path}:{line}:"))
            continue
        table.lines.append(line)
    reading.check()
    return table


def read_deal_file(path: Path, reading: FileReading, required: Sequence[str]) -> Records:
    """Deals from a CRM's export (see :func:`~b2bfunnel.tables._deals.read_deals`):
    footers skipped, labels, dates, amounts and currencies read; ambiguous amounts and
    notes go to the data report. The records' ``currency`` is the amounts'."""
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
    return Records(path, read.records, [lines[i] for i in read.rows], read.currency)


def located(tables: Mapping[str, Records], call: Callable[[], Any]) -> Any:
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
