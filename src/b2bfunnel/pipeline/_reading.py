"""Touches and deals tables read for attribution with the reading options.

Deals go through the one deal reader (text dates, amounts, CRM outcome labels,
currencies) whenever a cell needs reading; touches through the one row reader when
their times are text, they carry amounts (``value``, ``cost``), or an option asks
for it. A table of Python values (datetimes, Decimals, outcome names) passes through
untouched, so a large one costs nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..errors import InvalidInputError
from ..tables._deals import deals_read
from ..tables._frames import table_rows
from ..tables._options import ReadOptions
from ..tables._read import read_rows

__all__ = ["TOUCH_MONEY", "TablesRead", "read_touch_and_deal_tables"]

# Touch fields that hold money (a touch's value or its cost), read as amounts.
TOUCH_MONEY = ("value", "cost")
_DEAL_TEXT = ("amount", "created_at", "closed_at", "lead_created_at")
_OUTCOMES = ("won", "lost", "open")


@attrs.frozen
class TablesRead:
    """Touch and deal rows ready for the journeys, the currency of the amounts, what
    the reading noted, and the table row of each deal row (to locate later errors)."""

    touches: Iterable[Mapping[str, Any]]
    deals: Sequence[Mapping[str, Any]]
    currency: str | None
    notes: tuple[str, ...]
    deal_index: Sequence[int] | None


def _needs_reading(rows: Sequence[Any]) -> bool:
    for row in rows:
        if not isinstance(row, Mapping):
            return False  # refused where the deals are checked, at its index
        if any(type(row.get(f)) is str for f in _DEAL_TEXT):
            return True
        outcome = row.get("outcome")
        if type(outcome) is str and outcome not in _OUTCOMES:
            return True
    return False


def _first(rows: Sequence[Any]) -> Mapping[str, Any]:
    return rows[0] if rows and isinstance(rows[0], Mapping) else {}


def _good_touch(row: Mapping[str, Any]) -> bool:
    lead, at, channel = row.get("lead_id"), row.get("at"), row.get("channel")
    return (
        isinstance(lead, str)
        and bool(lead)
        and isinstance(at, datetime)
        and at.utcoffset() is not None
        and isinstance(channel, str)
        and bool(channel)
    )


def _touches(
    touches: Any, options: ReadOptions
) -> tuple[Iterable[Mapping[str, Any]], str | None, tuple[str, ...]]:
    rows = table_rows(touches, options.columns, path="touches")
    plain = not (options.rewrites or options.skip_invalid or options.currencies.base)
    if plain:
        if isinstance(rows, list | tuple):
            listed: Sequence[Any] = rows
        elif isinstance(rows, Iterable) and not isinstance(rows, str | bytes | Mapping):
            listed = list(rows)
        else:
            return rows, None, ()
        first = _first(listed)
        if type(first.get("at")) is not str and not any(f in first for f in TOUCH_MONEY):
            return listed, None, ()
        rows = listed
    read = read_rows(rows, attrs.evolve(options, columns=None), "touches", money=TOUCH_MONEY)
    kept = read.rows
    skipped = 0
    if options.skip_invalid:
        kept = [r for r in read.rows if _good_touch(r)]
        skipped = len(read.rows) - len(kept)
    notes = read.notes
    if skipped:
        notes = (*notes, f"skipped {skipped} bad touches (skip_invalid=True)")
    return kept, read.currency, notes


def read_touch_and_deal_tables(
    touches: Any, deals: Any, options: ReadOptions, *, plain: bool
) -> TablesRead:
    """Touch and deal rows read with ``options`` (``plain``: no option was given, so
    deals of Python values pass as they are); the deals' and touches' amounts must be
    in one currency unless ``currency``/``rates`` convert them."""
    touch_rows, touch_currency, notes = _touches(touches, options)
    deal_rows = list(table_rows(deals, options.columns, path="deals"))
    if plain and not _needs_reading(deal_rows):
        currency, index = touch_currency, None
        return TablesRead(touch_rows, deal_rows, currency, notes, index)
    read = deals_read(deal_rows, attrs.evolve(options, columns=None))
    found = {c for c in (touch_currency, read.currency) if c}
    currency = options.currencies.settle(found, "deals.amount")
    notes = (*notes, *read.notes, *(a.warning() for a in read.ambiguous))
    return TablesRead(touch_rows, read.records, currency, notes, read.rows)


def relocated(exc: InvalidInputError, index: Sequence[int] | None) -> InvalidInputError:
    """An error about ``deals[i]`` of the rows read, at the table row it came from."""
    parts = exc.parts
    if (
        index is not None
        and len(parts) >= 2
        and parts[0] == "deals"
        and isinstance(parts[1], int)
        and parts[1] < len(index)
    ):
        return exc.relocate(f"deals[{index[parts[1]]}]", depth=2)
    return exc
