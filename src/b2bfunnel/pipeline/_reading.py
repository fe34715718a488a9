"""Touches and deals tables read for attribution with the reading options.

Deals go through the one deal reader (text dates, amounts, CRM outcome labels,
currencies) whenever a cell needs reading; touches through the one touch converter
(:func:`~b2bfunnel.tables._kinds.touch_fields`), after the one row reader when they
carry amounts (``value``, ``cost``) or an option asks for it. Deals of Python values
(datetimes, Decimals, outcome names) pass through untouched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from ..errors import InvalidInputError
from ..tables._deals import deals_read
from ..tables._frames import table_rows
from ..tables._kinds import touch_fields
from ..tables._options import ReadOptions
from ..tables._read import read_rows, rows_of

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


def _touches(
    touches: Any, options: ReadOptions
) -> tuple[Iterable[Mapping[str, Any]], str | None, tuple[str, ...]]:
    """Touch rows, each converted by the one touch converter (with the options' dates),
    amounts read through the one row reader when the touches carry them or an option
    asks for more reading."""
    rows = table_rows(touches, options.columns, path="touches")
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        return rows, None, ()  # refused where the touches are read
    listed: Sequence[Any] = rows if isinstance(rows, list | tuple) else list(rows)
    unmapped = attrs.evolve(options, columns=None)
    plain = not (options.rewrites or options.skip_invalid or options.currencies.base)
    if plain and not any(f in _first(listed) for f in TOUCH_MONEY):
        return rows_of(listed, unmapped, "touches", kind=touch_fields), None, ()
    read = read_rows(listed, unmapped, "touches", kind=touch_fields, money=TOUCH_MONEY)
    return read.rows, read.currency, read.notes


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
