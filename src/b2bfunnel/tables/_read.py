"""The one reader of tables given in Python, with the reading options.

Every function that takes a table hands it here with its :class:`ReadOptions`:
:func:`rows_of` gives the rows keyed by field, each converted by its record kind's
one converter (``kind``: :mod:`._kinds`) with dates, amounts, labels and decimal
commas read first (:func:`read_rows`; bad rows skipped and counted with
``skip_invalid``, else every bad row is refused at once at ``name[i].field``);
:func:`read_events` gives :class:`Event` values from an events table (each event's
cells read by :func:`~b2bfunnel.tables._records.event_cells`); deals go through
:func:`~b2bfunnel.tables._deals.deals_read`. When no option asks for more, a table
without a kind passes through as it is, so the common case costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from .._public import publish
from ..errors import InvalidInputError
from ..events import Event
from ._frames import _events, events_in, is_rows, table_rows
from ._kinds import Converter
from ._numbers import AmbiguousNumbers, settle_decimal
from ._options import ReadOptions, all_at_once, read_options
from ._records import at_row
from ._table import Columns, TableLike

__all__ = ["RowsRead", "events_from", "profile_of", "read_events", "read_rows", "rows_of"]

_T = TypeVar("_T")


@attrs.frozen
class RowsRead:
    """Rows read (keyed by field), the index of the table row each came from, how many
    bad rows were skipped, the currency of the amounts and amounts read two ways."""

    rows: list[dict[str, Any]]
    index: list[int]
    skipped: int = 0
    currency: str | None = None
    ambiguous: tuple[AmbiguousNumbers, ...] = ()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reading did that a user should know."""
        found = [a.warning() for a in self.ambiguous]
        if self.skipped:
            noun = "row" if self.skipped == 1 else "rows"
            found.append(f"skipped {self.skipped} bad {noun} (skip_invalid=True)")
        return tuple(found)


def read_rows(
    table: Any,
    options: ReadOptions,
    path: str,
    *,
    kind: Converter | None = None,
    money: Collection[str] = (),
    times: Collection[str] | None = None,
    keep: Collection[str] = (),
) -> RowsRead:
    """The rows of ``table`` read with ``options`` (see :meth:`ReadOptions.read_row`),
    then converted by ``kind`` (its record kind's converter, times read with the
    options' dates); amounts of the ``money`` fields in one currency (a mix is refused
    unless ``currency``/``rates`` convert it)."""
    given = list(table_rows(table, options.columns, path=path))
    decimal, ambiguous = options.decimal, None
    if money and decimal is None:
        for field in money:
            texts = (v for r in given if isinstance(r, Mapping) and type(v := r.get(field)) is str)
            mark, found = settle_decimal(field, texts, path=f"{path}.{field}")
            decimal = decimal if mark == "." and decimal else mark
            ambiguous = ambiguous or found

    def read(row: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
        record, code = options.read_row(row, money, decimal, times, keep)
        if kind is not None:
            record = kind(record, zone=options.zone, dates=options.dates)
        return record, code

    index, pairs, skipped = _each(given, path, read, options.skip_invalid)
    rows = [record for record, _ in pairs]
    codes = [code for _, code in pairs]
    currency = None
    if money:
        where = f"{path}.{next(iter(money))}"
        currency = options.currencies.settle({c for c in codes if c}, where)
        if options.currencies.base is not None:
            for record, code in zip(rows, codes, strict=True):
                for field in money:
                    if isinstance(record.get(field), Decimal):
                        record[field] = options.currencies.convert(record[field], code)
    return RowsRead(rows, index, skipped, currency, (ambiguous,) if ambiguous else ())


def rows_of(
    table: Any,
    options: ReadOptions,
    path: str,
    *,
    kind: Converter | None = None,
    money: Collection[str] = (),
) -> Iterable[Mapping[str, Any]]:
    """The rows of ``table`` keyed by field, each converted by ``kind`` (the one
    converter of its record kind, :mod:`._kinds`) when given: read by :func:`read_rows`
    when an option asks for more reading than the decimal comma, else as
    :func:`table_rows` gives them (without ``kind``: lazily, no copy). Every bad row is
    refused at once, at ``path[i].field``.

    >>> from b2bfunnel.tables._kinds import outcome_fields
    >>> rows = [{"Lead": "L1", "When": "02/11/2026"}]
    >>> options = read_options(columns={"lead_id": "Lead", "at": "When"},
    ...                        date_format="%d/%m/%Y", timezone="UTC")
    >>> [r["at"].isoformat() for r in rows_of(rows, options, "outcomes", kind=outcome_fields)]
    ['2026-11-02T00:00:00+00:00']
    """
    more = attrs.evolve(options, decimal=None).rewrites
    if more or money or options.skip_invalid:
        return read_rows(table, options, path, kind=kind, money=money).rows
    rows = table_rows(table, options.columns, path=path, decimal=options.decimal)
    if kind is None:
        return rows
    return _each(rows, path, lambda row: kind(row, zone=options.zone, dates=options.dates))[1]


def _each(
    rows: Iterable[Any],
    path: str,
    read: Callable[[Mapping[str, Any]], _T],
    skip: bool = False,
) -> tuple[list[int], list[_T], int]:
    """``read`` of each row (a mapping, else refused at ``path[i]``): the indexes of
    the rows read, what was read, and how many bad rows were skipped (``skip``), else
    every bad row refused at once at ``path[i].field``."""
    index: list[int] = []
    out: list[_T] = []
    skipped = 0
    errors: list[InvalidInputError] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidInputError(
                f"expected a mapping of column names to values, got {type(row).__name__}",
                path=f"{path}[{i}]",
            )
        try:
            out.append(read(row))
        except InvalidInputError as exc:
            if skip:
                skipped += 1
            else:
                errors.append(at_row(exc, f"{path}[{i}]."))
            continue
        index.append(i)
    if errors:  # every bad row at once
        raise all_at_once(errors)
    return index, out, skipped


def profile_of(profile: Any, options: ReadOptions) -> Any:
    """One profile (a mapping) read with ``options``: its fields mapped by ``columns``,
    its cells read as a profiles table's are; errors at ``profile.field``."""
    if not isinstance(profile, Mapping):
        return profile  # refused by the scorer, which says what it expected
    (row,) = table_rows([profile], options.columns, path="profiles")
    if not options.rewrites:
        return row
    try:
        return options.read_row(row)[0]
    except InvalidInputError as exc:
        raise at_row(exc, "profile.") from None


def read_events(events: Any, options: ReadOptions, path: str = "events") -> Any:
    """``events`` as given when they are :class:`Event` values, else a table of events
    (``lead_id``, ``name``, ``at``; other columns are properties) read with
    ``options``."""
    if not is_rows(events):
        return events
    if not options.rewrites:
        zone = options.timezone if isinstance(options.timezone, str) else None
        return events_in(
            events,
            columns=options.columns,
            timezone=zone,
            skip_invalid=options.skip_invalid,
            path=path,
        )
    return _read_events(events, options, path, ("lead_id", "name", "at"), None)


def _read_events(
    table: Any,
    options: ReadOptions,
    path: str,
    required: tuple[str, str, str],
    properties: Sequence[str] | None,
) -> list[Event]:
    """Events from rows whose labels and numbers the options read first; each event's
    cells read by :func:`~b2bfunnel.tables._records.event_cells` with the options'
    dates."""
    read = read_rows(table, options, path, times=(), keep=required)
    return _events(read.rows, required, properties, None, path, options.skip_invalid, options.dates)


def events_from(
    table: TableLike,
    *,
    lead_id: str = "lead_id",
    name: str = "name",
    at: str = "at",
    properties: Sequence[str] | None = None,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> list[Event]:
    """Events from a table (a DataFrame or an iterable of mappings), one per row.

    ``lead_id``, ``name`` and ``at`` name the columns holding each (or ``columns``
    maps them, ``{"lead_id": "Lead"}``); ``at`` may hold datetimes, ISO 8601 text or
    text in one of ``date_format``. Times without a zone are read in ``timezone`` (an
    IANA name such as ``"Europe/Madrid"``); without it they are refused.
    ``properties`` names the columns kept as event properties (default: every other
    column); blank cells are left out. ``values`` maps a CRM's labels (of ``name`` or
    a property); ``decimal=","`` reads number text with a decimal comma;
    ``skip_invalid=True`` skips the bad rows instead of raising at the first.

    >>> import b2bfunnel as bf
    >>> rows = [{"Lead": "L1", "Event": "webinar_completed", "When": "02/11/2026 10:00",
    ...          "page": "/pricing"}]
    >>> (e,) = bf.events_from(rows, lead_id="Lead", name="Event", at="When",
    ...                       date_format="%d/%m/%Y %H:%M", timezone="Europe/Madrid")
    >>> e.lead_id, e.name, e.at.isoformat(), dict(e.properties)
    ('L1', 'webinar_completed', '2026-11-02T10:00:00+01:00', {'page': '/pricing'})
    """
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    mapped = _mapped(columns)
    required = (
        mapped.get("lead_id", lead_id), mapped.get("name", name), mapped.get("at", at)
    )  # fmt: skip
    for key, column in zip(("lead_id", "name", "at"), required, strict=True):
        if not isinstance(column, str):
            raise InvalidInputError(
                f"expected a column name, got {type(column).__name__}", path=key
            )
    # Other fields mapped by ``columns`` are properties under their field's name.
    others = {k: v for k, v in mapped.items() if k not in ("lead_id", "name", "at")}
    if not options.rewrites and not others:
        zone = timezone if isinstance(timezone, str) else None
        return _events(table, required, properties, zone, "table", skip_invalid)
    renamed = attrs.evolve(options, columns=others or None)
    return _read_events(table, renamed, "table", required, properties)


def _mapped(columns: Any) -> dict[str, str]:
    """The headers of ``lead_id``, ``name`` and ``at`` in a flat ``columns`` mapping."""
    if columns is None:
        return {}
    if not isinstance(columns, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
    ):
        raise InvalidInputError(
            'expected a mapping of field names to column headers, e.g. {"lead_id": "Lead"}',
            path="columns",
        )
    return dict(columns)


publish(globals(), ["events_from"])
