"""Tables in: a pandas DataFrame or any iterable of mappings as rows, and events from one.

A DataFrame is recognised by what it does (``columns`` and ``to_dict``), never by
importing pandas: iterating one yields its column names, not its rows, so it must be
told apart. Its cells are read as a CSV reader would read them: NaN, NaT, ``None``
and pandas ``NA`` are blank (the key is left out, as an empty CSV cell is), numpy
scalars are Python numbers and pandas Timestamps are datetimes.

``columns`` maps the library's field names to the table's headers, as the command
line's column mappings and ``[columns.*]`` do: ``columns={"job_title": "Job Title"}``. A call
taking several tables applies such a mapping to each of them; to map each its own
way, key the mappings by the call's table parameter, as ``[columns.*]`` does by file:
``columns={"profiles": {"id": "Record ID"}, "outcomes": {"lead_id": "Lead"}}``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from .._time import read_zone
from ..errors import InvalidInputError
from ..events import Event
from ._columns import missing_column
from ._dates import DateReader
from ._file import comma_decimal
from ._records import BLANK as _BLANK
from ._records import at_row, cell, event_cells
from ._table import Columns
from ._values import is_blank, require_iterable

__all__ = [
    "TABLES",
    "events_in",
    "has_field",
    "header_renames",
    "headers_of",
    "is_frame",
    "is_rows",
    "table_rows",
]

# The names of the table parameters of the entry points, which key per-table mappings.
TABLES = (
    "profiles", "events", "outcomes", "deals", "touches", "records", "responses", "candidates",
    "contacts", "accounts",
)  # fmt: skip


def is_frame(table: Any) -> bool:
    """Whether ``table`` is a DataFrame: pandas (or any with ``columns`` and
    ``to_dict``), polars (``to_dicts``) or pyarrow (``column_names`` and ``to_pylist``).
    Any other frame-like object (a polars LazyFrame, a Spark or Dask frame...) is
    refused with what to pass instead."""
    if _frame_kind(table) is not None:
        return True
    if any(hasattr(table, name) for name in _FRAMEISH):
        raise InvalidInputError(
            f"cannot read a {type(table).__module__.partition('.')[0]} "
            f"{type(table).__name__} as rows; pass a pandas, polars or pyarrow table "
            "(e.g. .collect() or .to_pandas() first) or a list of dicts",
            path="table",
        )
    return False


# Attributes that mark an object as a table of some library this layer cannot read.
# ("collect" first: asking a polars LazyFrame for its columns resolves its schema.)
_FRAMEISH = ("collect", "to_pandas", "toPandas", "column_names", "schema", "columns")


def _frame_kind(table: Any) -> str | None:
    if isinstance(table, Mapping | str | bytes | list | tuple):
        return None
    if callable(getattr(table, "to_dicts", None)) and hasattr(table, "columns"):
        return "polars"
    if callable(getattr(table, "to_pylist", None)) and hasattr(table, "column_names"):
        return "arrow"
    if callable(getattr(table, "to_dict", None)) and hasattr(table, "columns"):
        return "pandas"
    return None


def is_rows(table: Any) -> bool:
    """Whether ``table`` is a table (a DataFrame, or a non-empty list of mappings)
    rather than already-built records."""
    return is_frame(table) or (
        isinstance(table, list | tuple) and bool(table) and isinstance(table[0], Mapping)
    )


def has_field(
    table: Any, rows: Sequence[Any], field: str, columns: Columns | None, path: str
) -> bool:
    """Whether a table has a column for ``field`` (mapped by ``columns``), even if every
    cell of it is blank; rows given as mappings: whether any of them has ``field``."""
    if is_frame(table):
        header = (_columns_of(columns, path) or {}).get(field, field)
        return header in headers_of(table, rows)
    return any(isinstance(row, Mapping) and field in row for row in rows)


def headers_of(table: Any, rows: Sequence[Any]) -> list[str]:
    """The column headers of a DataFrame, or the keys of the first of its ``rows``."""
    if _frame_kind(table) == "arrow":
        return [str(c) for c in table.column_names]
    if is_frame(table):
        return [str(c) for c in table.columns]
    return [str(h) for h in rows[0]] if rows and isinstance(rows[0], Mapping) else []


def table_rows(
    table: Any, columns: Columns | None = None, *, path: str = "rows", decimal: str | None = None
) -> Iterable[Mapping[str, Any]]:
    """The rows of ``table`` as mappings keyed by field name.

    An iterable of mappings without ``columns`` is returned as it is (no copy); a
    DataFrame, or ``columns`` given, gives new dicts with blank cells left out. With
    ``decimal=","`` a text cell that is a number is read as a CSV file's is
    (``"1.200,5"`` becomes ``"1,200.5"``); numbers stay as they are.

    >>> rows = table_rows([{"Job Title": "CIO", "id": "L1"}], {"job_title": "Job Title"})
    >>> list(rows)
    [{'job_title': 'CIO', 'id': 'L1'}]
    >>> per_table = {"profiles": {"id": "Record ID"}, "outcomes": {"lead_id": "Lead"}}
    >>> list(table_rows([{"Lead": "L1"}], per_table, path="outcomes"))
    [{'lead_id': 'L1'}]
    """
    if decimal not in (None, ".", ","):
        raise InvalidInputError(f"expected '.' or ',', got {decimal!r}", path="decimal")
    rows = _rows(table, columns, path)
    if decimal != ",":
        return rows
    return (
        {k: comma_decimal(v) if type(v) is str else v for k, v in row.items()}
        if isinstance(row, Mapping)
        else row
        for row in rows
    )


def _rows(table: Any, columns: Columns | None, path: str) -> Iterable[Mapping[str, Any]]:
    if is_frame(table):
        fields = header_renames(columns, path, headers_of(table, ()))
        return _frame_rows(table, fields)
    fields = header_renames(columns, path)
    if not fields:
        unchanged: Iterable[Mapping[str, Any]] = require_iterable(table, path, "rows")
        return unchanged
    return ({fields.get(k, k): v for k, v in row.items()} for row in _mappings(table, path))


def header_renames(
    columns: Columns | None, path: str, headers: Sequence[str] | None = None
) -> dict[str, str]:
    """``{header: field}`` for the table ``path`` from ``columns`` (a flat mapping, or
    per-table mappings keyed by ``path``); with ``headers``, a mapped header they lack
    is refused, naming the closest one (checked before any row is read).

    >>> header_renames({"profiles": {"id": "Record ID"}}, "profiles", ["Record ID", "x"])
    {'Record ID': 'id'}
    """
    fields = _fields_by_header(_columns_of(columns, path), path)
    if headers is not None:
        _check_headers(fields, headers, path)
    return fields


def _columns_of(columns: Any, path: str) -> Any:
    """The mapping for the table ``path`` from per-table mappings; a flat one as it is."""
    if not isinstance(columns, Mapping) or not any(
        isinstance(v, Mapping) for v in columns.values()
    ):
        return columns
    for key, value in columns.items():
        if key not in TABLES:
            close = difflib.get_close_matches(str(key), TABLES, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise InvalidInputError(
                f"unknown table {key!r}; {hint}expected one of {', '.join(TABLES)}",
                path=f"{path}.columns",
            )
        if not isinstance(value, Mapping):
            raise InvalidInputError(
                "expected per-table mappings only, or one mapping of field names to headers",
                path=f"{path}.columns.{key}",
            )
    return columns.get(path)


def _fields_by_header(columns: Mapping[str, str] | None, path: str) -> dict[str, str]:
    if columns is None:
        return {}
    if not isinstance(columns, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise InvalidInputError(
            'expected a mapping of field names to column headers, e.g. {"job_title": "Job Title"}',
            path=f"{path}.columns",
        )
    return {header: field for field, header in columns.items()}


def _check_headers(fields: Mapping[str, str], headers: Sequence[str], path: str) -> None:
    for header, field in fields.items():
        if header not in headers:
            raise missing_column(field, headers, path=f"{path}.columns", mapped=header)


def _mappings(table: Any, path: str) -> Iterator[Mapping[str, Any]]:
    for index, row in enumerate(require_iterable(table, path, "rows")):
        if not isinstance(row, Mapping):
            raise InvalidInputError(
                f"expected a mapping of column names to values, got {type(row).__name__}",
                path=f"{path}[{index}]",
            )
        yield row


def _records(frame: Any) -> list[dict[str, Any]]:
    """A DataFrame's rows as dicts of Python values (polars and pyarrow give those)."""
    kind = _frame_kind(frame)
    if kind == "polars":
        return list(frame.to_dicts())
    if kind == "arrow":
        return list(frame.to_pylist())
    return list(frame.to_dict("records"))


def _frame_rows(frame: Any, fields: Mapping[str, str]) -> list[dict[str, Any]]:
    names = [fields.get(h, h) for h in headers_of(frame, ())]
    rows = []
    for record in _records(frame):
        row = {}
        for name, value in zip(names, record.values(), strict=True):
            value = cell(value)
            if value is not _BLANK:
                row[name] = value
        rows.append(row)
    return rows


def events_in(
    events: Any,
    *,
    columns: Columns | None = None,
    timezone: str | None = None,
    skip_invalid: bool = False,
    path: str = "events",
) -> Any:
    """``events`` as given when they are :class:`Event` values; a table of events (a
    DataFrame or a list of mappings: ``lead_id``, ``name``, ``at``, other columns as
    properties, mapped by ``columns``) read as :func:`events_from` reads it."""
    if not is_rows(events):
        return events
    mapping = header_renames(columns, path)
    by_field = {field: header for header, field in mapping.items()}
    required = (
        by_field.get("lead_id", "lead_id"), by_field.get("name", "name"), by_field.get("at", "at")
    )  # fmt: skip
    return _events(events, required, None, timezone, path, skip_invalid)


def _events(
    table: Any,
    required: tuple[str, str, str],
    properties: Sequence[str] | None,
    timezone: str | None,
    path: str,
    skip: bool,
    dates: DateReader | None = None,
) -> list[Event]:
    """Events from ``table``; times without an offset read in ``timezone`` (or by
    ``dates``, its formats and zone)."""
    if dates is not None:
        zone = dates.zone
    else:
        zone = None if timezone is None else read_zone(timezone, "timezone")
    lead_id, name, at = required
    for key, column in zip(("lead_id", "name", "at"), required, strict=True):
        if not isinstance(column, str):
            raise InvalidInputError(
                f"expected a column name, got {type(column).__name__}", path=key
            )
    if is_frame(table) and _frame_kind(table) != "pandas":
        table = _records(table)  # polars and pyarrow: rows of Python values
    if is_frame(table):
        headers = headers_of(table, ())
        roles = {**{c: "property" for c in properties or ()}, lead_id: "lead_id", name: "name"}
        _check_headers({**roles, at: "at"}, headers, path)
        kept = [c for c in headers if c not in required] if properties is None else properties
        rows = _frame_rows_of(table, required, kept, zone)
    else:
        rows = _mapping_rows(table, required, properties, path)
    return _build(rows, required, zone, path, skip, dates)


CHUNK = 65_536


def _frame_rows_of(
    frame: Any, required: Sequence[str], kept: Sequence[str], zone: Any
) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    """Rows ``(lead, name, time, properties)`` of a DataFrame, converted a chunk at a
    time, so that millions of cells never exist as Python objects twice over."""
    for start in range(0, len(frame), CHUNK):
        part = frame.iloc[start : start + CHUNK]
        leads, names = part[required[0]].tolist(), part[required[1]].tolist()
        times = _frame_times(part[required[2]], zone)
        if kept:
            values = zip(*(part[c].tolist() for c in kept), strict=True)
            props = [_properties(zip(kept, row, strict=True)) for row in values]
        else:
            props = [{} for _ in range(len(leads))]
        yield from zip(leads, names, times, props, strict=True)


def _mapping_rows(
    table: Any, required: Sequence[str], properties: Sequence[str] | None, path: str
) -> Iterator[tuple[Any, Any, Any, dict[str, Any]]]:
    lead_id, name, at = required
    for row in _mappings(table, path):
        if properties is None:
            pairs: Iterable[tuple[str, Any]] = ((k, v) for k, v in row.items() if k not in required)
        else:
            pairs = ((c, row.get(c)) for c in properties)
        yield row.get(lead_id), row.get(name), row.get(at), _properties(pairs)


def _build(
    rows: Iterable[tuple[Any, Any, Any, dict[str, Any]]],
    required: tuple[str, str, str],
    zone: Any,
    path: str = "table",
    skip: bool = False,
    dates: DateReader | None = None,
) -> list[Event]:
    """One event per row ``(lead, name, at, properties)``; with ``skip``, bad rows are
    left out instead of raising.

    Millions of rows go through here: the common cells (text ids, aware datetimes)
    are taken as they are, the rest read by :func:`event_cells`, the one reading of
    an event's cells (a CSV file's reader calls it too), which says what is wrong.
    """
    events: list[Event] = []
    append = events.append
    from_cells = Event.from_cells
    for index, (lead, what, when, properties) in enumerate(rows):
        try:
            if not (
                type(lead) is str
                and (lead := lead.strip())
                and type(what) is str
                and (what := what.strip())
                and type(when) is datetime
                and when.utcoffset() is not None
            ):
                lead, what, when = event_cells(
                    lead, what, when, zone=zone, dates=dates, fields=required
                )
            append(from_cells(lead, what, when, properties))
        except InvalidInputError as exc:
            if skip:
                continue
            raise at_row(exc, f"{path}[{index}].", "event") from None
    return events


def _properties(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    out = {}
    for key, value in pairs:
        kind = type(value)
        if kind is str:
            if value := value.strip():  # as a CSV file's cells are read
                out[key] = value
        elif kind is float:
            if value == value:
                out[key] = value
        elif value is not None:
            plain = cell(value)
            if plain is not _BLANK:
                out[key] = plain
    return out


def _frame_times(column: Any, zone: Any) -> list[Any]:
    """A datetime column as Python datetimes, all at once (much faster than per cell)."""
    if not str(column.dtype).startswith("datetime64"):
        return list(column.tolist())
    if zone is not None and column.dt.tz is None:
        return [None if is_blank(t) else t.replace(tzinfo=zone) for t in _py(column)]
    return _py(column)


def _py(column: Any) -> list[Any]:
    return list(column.dt.to_pydatetime().tolist())
