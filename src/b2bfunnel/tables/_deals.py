"""Deals as CRMs export them, read into the records velocity and attribution take.

:func:`read_deals` takes rows of text by field (columns already mapped) and gives
deal records: ``created_at``/``closed_at`` through the :class:`DateReader`,
``amount`` through the one number reader (in the base currency, converted by the
:class:`Currencies`), ``outcome`` through the :class:`ValueMap` (a preset's labels
included). An open deal's close date is its expected close, ``expected_close_at``.
Pipedrive's ``won_at``/``lost_at`` columns give ``closed_at`` by outcome. Footer rows
are skipped with a note; rows mapped to ``skip`` (Pipedrive's ``deleted``) are
counted. Bad rows go to ``bad`` with their location (``locate(i, field)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import Any

import attrs

from ..errors import InvalidInputError
from ._columns import column_map
from ._currency import Currencies
from ._dates import DateReader, consistent_formats, needs_format
from ._frames import headers_of, is_frame
from ._labels import SKIP, ValueMap
from ._numbers import AmbiguousNumbers, read_value, settle_decimal
from ._options import ReadOptions, all_at_once, read_options
from ._records import row_cells
from ._shapes import footer_start
from ._table import Columns
from ._values import is_blank

__all__ = [
    "DealOptions",
    "DealsRead",
    "deal_records",
    "deals_read",
    "preset_columns",
    "read_deals",
]

OUTCOMES = ("won", "lost", "open")
TIMES = ("created_at", "closed_at", "lead_created_at", "won_at", "lost_at")


@attrs.frozen
class DealOptions:
    """How deal cells are read: decimal mark (``None``: settled per column), dates,
    value labels and currencies."""

    decimal: str | None = None
    dates: DateReader = attrs.field(factory=DateReader)
    values: ValueMap = attrs.field(factory=ValueMap)
    currencies: Currencies = attrs.field(factory=Currencies)


@attrs.frozen
class DealsRead:
    """Deal records with the index of the row each came from, the currency their
    amounts are in, notes (footers, skipped rows) and ambiguous amounts."""

    records: list[dict[str, Any]]
    rows: list[int]
    currency: str | None
    notes: tuple[str, ...]
    ambiguous: tuple[AmbiguousNumbers, ...]


def _date_error(
    exc: InvalidInputError,
    text: str,
    field: str,
    rows: Sequence[Mapping[str, Any]],
    dates: DateReader,
) -> InvalidInputError:
    """A slashed date refused for want of a format names the formats its whole column
    fits (every value of it, not only this one)."""
    if dates.formats or not needs_format(text):
        return exc
    column = (v for r in rows if isinstance(v := r.get(field), str))
    shown = " or ".join(repr(f) for f in consistent_formats(column)) or "a format of your own"
    return InvalidInputError(
        f"{text!r} is not ISO 8601; the column {field!r} fits date_format={shown}",
        path=exc.path,
    )


def _closed(row: Mapping[str, Any], outcome: str) -> Any:
    own = row.get("won_at") if outcome == "won" else row.get("lost_at")
    return own if own is not None else row.get("closed_at")


def read_deals(
    rows: Sequence[Mapping[str, Any]],
    options: DealOptions,
    locate: Callable[[int, str], str],
    bad: Callable[[InvalidInputError], None],
) -> DealsRead:
    """Deal records from ``rows`` (cells by field: text is read, other values kept)."""
    end = footer_start(rows, max((len(r) for r in rows), default=0))
    notes = []
    if end < len(rows):
        notes.append(f"skipped {len(rows) - end} footer rows after the last deal")
    rows = rows[:end]
    decimal, ambiguous = options.decimal or ".", None
    if options.decimal is None:
        decimal, ambiguous = settle_decimal(
            "amount",
            (a for r in rows if isinstance(a := r.get("amount"), str)),
            path=locate(0, "amount"),
        )
    records: list[dict[str, Any]] = []
    kept: list[int] = []
    codes: list[str | None] = []
    skipped = 0
    for index, row in enumerate(rows):
        try:
            record = _deal(row, index, options, decimal, locate, rows)
        except InvalidInputError as exc:
            bad(exc)
            continue
        if record is None:
            skipped += 1
            continue
        codes.append(record.pop("_currency"))
        records.append(record)
        kept.append(index)
    if skipped:
        notes.append(f"skipped {skipped} deleted deals")
    found = {c for c in codes if c is not None}
    currency = options.currencies.settle(found, locate(0, "amount"))
    for record, code in zip(records, codes, strict=True):
        if "amount" in record:  # a deal without one is refused where amounts are needed
            record["amount"] = options.currencies.convert(record["amount"], code or currency)
    return DealsRead(records, kept, currency, tuple(notes), (ambiguous,) if ambiguous else ())


def _deal(
    given: Mapping[str, Any],
    index: int,
    options: DealOptions,
    decimal: str,
    locate: Callable[[int, str], str],
    rows: Sequence[Mapping[str, Any]],
) -> dict[str, Any] | None:
    # Text cells are read here; other values (datetimes, Decimals from Python or a
    # DataFrame) are left for the domain's checks. Blanks are no value.
    row = {k: v for k, v in given.items() if not is_blank(v)}
    record: dict[str, Any] = dict(row)
    if isinstance(row.get("outcome"), str):
        outcome = options.values.read("outcome", row["outcome"], OUTCOMES, locate(index, "outcome"))
        if outcome == SKIP:
            return None
        record["outcome"] = outcome
    for field in TIMES:
        if isinstance(row.get(field), str):
            try:
                record[field] = options.dates.read(row[field], locate(index, field))
            except InvalidInputError as exc:
                raise _date_error(exc, row[field], field, rows, options.dates) from None
    state = record.get("outcome")
    closed = _closed(record, state) if state in ("won", "lost") else record.get("closed_at")
    record.pop("won_at", None)
    record.pop("lost_at", None)
    record.pop("closed_at", None)
    if state == "open":
        if closed is not None:
            record["expected_close_at"] = closed
    elif closed is not None:
        record["closed_at"] = closed
    code = record.pop("currency", None)
    code = code if isinstance(code, str) else None
    if isinstance(row.get("amount"), str):
        value = read_value(
            row["amount"], kind="money", decimal=decimal, path=locate(index, "amount")
        )
        if value.value < 0:
            raise InvalidInputError(
                f"{row['amount']!r} is negative; expected an amount >= 0",
                path=locate(index, "amount"),
            )
        if value.currency and code and value.currency != code.strip().upper():
            raise InvalidInputError(
                f"{row['amount']!r} is in {value.currency} but the currency column says {code!r}",
                path=locate(index, "amount"),
            )
        record["amount"] = value.value
        code = value.currency or code
    record["_currency"] = None if code is None else code.strip().upper()
    return record


def deal_records(
    rows: Iterable[Any],
    *,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
    preset: str | None = None,
    path: str = "deals",
    skip_invalid: bool = False,
) -> DealsRead:
    """Deals given in Python (mappings, or a DataFrame's rows) read with the reading
    options of the API; the first bad row raises, located at ``path[i].field``
    (``skip_invalid=True``: bad rows are left out and counted in the notes).

    >>> read = deal_records(
    ...     [{"created_at": "01/02/2026", "closed_at": "15/03/2026",
    ...       "amount": "EUR 12.500,00", "outcome": "Closed Won"}],
    ...     date_format="%d/%m/%Y", timezone="Europe/Madrid",
    ...     values={"outcome": {"won": ["Closed Won"]}})
    >>> read.records[0]["amount"], read.records[0]["outcome"], read.currency
    (Decimal('12500.00'), 'won', 'EUR')
    """
    options = read_options(
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
        currency=currency,
        rates=rates,
        preset=preset,
    )
    return deals_read(rows, options, path)


def deals_read(rows: Iterable[Any], options: ReadOptions, path: str = "deals") -> DealsRead:
    """Deals given in Python read with checked reading options (see :func:`deal_records`)."""
    listed = list(rows)
    for index, row in enumerate(listed):
        if not isinstance(row, Mapping):
            raise InvalidInputError(
                f"expected a mapping, got {type(row).__name__}", path=f"{path}[{index}]"
            )
        listed[index] = row_cells(row)  # blanks out, text stripped: as a file's cells
    skipped: list[InvalidInputError] = []
    how = DealOptions(options.decimal, options.dates, options.values, options.currencies)
    read = read_deals(listed, how, lambda i, field: f"{path}[{i}].{field}", skipped.append)
    if skipped and not options.skip_invalid:  # every bad row at once
        raise all_at_once(skipped)
    if not skipped:
        return read
    noun = "row" if len(skipped) == 1 else "rows"
    note = f"skipped {len(skipped)} bad {noun} (skip_invalid=True)"
    return attrs.evolve(read, notes=(*read.notes, note))


def preset_columns(
    table: Any, preset: str | None, columns: Columns | None, path: str = "deals"
) -> tuple[Any, Columns | None]:
    """The table (materialised when it is an iterator) and its ``columns`` with the
    headers of ``preset``'s deals export that the table has; the caller's own mapping
    wins."""
    if preset is None:
        return table, columns
    listed = table if is_frame(table) else list(table)
    header = headers_of(listed, [] if is_frame(listed) else listed)
    mapped: dict[str, str] = column_map("deals", header, preset=preset)
    own = columns.get(path) if isinstance(columns, Mapping) and path in columns else columns
    if isinstance(own, Mapping):
        mapped.update({str(k): str(v) for k, v in own.items()})
    return listed, mapped
