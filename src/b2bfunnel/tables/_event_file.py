"""Reading an events file: one event per row, its cells read the one way every
channel reads an event's (:func:`~b2bfunnel.tables._records.event_cells`).

The readers here stream millions of rows: a row of plain cells (stripped text ids,
ISO 8601 with an offset) is taken the quick way, any other goes through
``event_cells``, so a CSV file refuses what a DataFrame or a list of dicts refuses,
with the same message after its ``file:line:``. ``b2bfunnel score``'s parallel scan
(``cli/_event_scan.py``) reads its rows through :func:`event_row` the same way.

>>> import pathlib, tempfile
>>> from zoneinfo import ZoneInfo
>>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
>>> _ = path.write_text("lead_id,name,at\\nL1,visit,2026-11-02 10:00\\n", encoding="utf-8")
>>> (event,) = read_events(path, FileReading(zone=ZoneInfo("Europe/Madrid")))
>>> event.lead_id, event.at.isoformat()
('L1', '2026-11-02T10:00:00+01:00')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path

import attrs

from ..errors import InvalidInputError
from ..events import Event
from ._file import Table, comma_decimal
from ._reading import FileReading
from ._records import at_row, event_cells

__all__ = [
    "NO_PROPERTIES",
    "EventTally",
    "ResolvedName",
    "count_names",
    "event_of",
    "event_row",
    "is_salesforce_length",
    "iter_events",
    "open_events",
    "properties_of",
    "read_event_cells",
    "read_events",
    "resolve_name",
]

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
    reading: FileReading,
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
    reading: FileReading,
    path: Path,
    line: int,
    cells: list[str],
    at_lead: int,
    at_name: int,
    at_at: int,
) -> tuple[str, str, datetime] | None:
    """A row's lead, name and time, or ``None`` after recording the bad row: plain
    cells (text, ISO 8601 with an offset) taken here, the rest read by
    :func:`read_event_cells`."""
    try:
        lead_id, name, text = cells[at_lead].strip(), cells[at_name].strip(), cells[at_at].strip()
    except IndexError:  # a short row: its missing cells are blank
        lead_id, name, text = (cells[i].strip() if i < len(cells) else "" for i in
                               (at_lead, at_name, at_at))  # fmt: skip
    if lead_id and name and text:
        try:
            at = datetime.fromisoformat(text)
            if at.tzinfo is not None:
                return lead_id, name, at
        except ValueError:
            pass
    return read_event_cells(reading, path, line, lead_id, name, text)


def read_event_cells(
    reading: FileReading, path: Path, line: int, lead_id: str, name: str, text: str
) -> tuple[str, str, datetime] | None:
    """:func:`~b2bfunnel.tables._records.event_cells` of a row's cells (the reading
    every channel shares), or ``None`` after recording the bad row at
    ``file:line:field``."""
    try:
        return event_cells(lead_id, name, text, zone=reading.zone, dates=reading.dates)
    except InvalidInputError as exc:
        reading.bad.add(at_row(exc, f"{path}:{line}:"))
        return None


def open_events(
    path: Path, reading: FileReading
) -> tuple[Table, tuple[int, int, int], list[tuple[int, str]]]:
    """The events file, the positions of its lead, name and time columns, and the
    ``(position, field)`` of its property columns."""
    table = reading.open(path, "events", _EVENT_COLUMNS)
    positions = tuple(table.names.index(c) for c in _EVENT_COLUMNS)
    others = [(i, n) for i, n in enumerate(table.names) if n and n not in _EVENT_COLUMNS]
    return table, (positions[0], positions[1], positions[2]), others


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
    reading: FileReading,
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
    path: Path, reading: FileReading | None = None, name_of: Callable[[str], str] | None = None
) -> list[Event]:
    """Every event of a CSV file (see :func:`iter_events`); bad rows raise at the end."""
    reading = reading or FileReading()
    events = list(iter_events(path, reading, name_of))
    reading.check()
    return events
