"""The deals velocity counts: each deal record checked, and where it stands at ``as_of``.

A deal is read by the one deal reader (``tables._deals``) when it is not already held
as Python values; the ``window`` limits the closed deals counted to those closed in it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from .._money import money
from .._time import read_datetime
from ..errors import InvalidInputError
from ..tables._deals import DealsRead, deals_read, preset_columns
from ..tables._frames import table_rows
from ..tables._labels import outcome_of
from ..tables._options import ReadOptions, read_options
from ..tables._table import TableLike

OUTCOMES = ("won", "lost", "open")
# Amounts from 10**300 on are refused: no deal is that large, and the bootstrap works in
# floats, which end near 1.8e308.
_HUGE = 300


def _amount(value: Any, path: str) -> Decimal:
    amount = money(value, path)
    if amount.adjusted() >= _HUGE:
        raise InvalidInputError(f"expected an amount below 10^{_HUGE}, got {value!r}", path=path)
    return amount


# A checked deal: (state at as_of: 0 open, 1 won, 2 lost, -1 not counted), amount,
# cycle seconds (won only), the deal itself.
CheckedDeal = tuple[int, Decimal, int, Mapping[str, Any]]


def _opens_earlier(window: relativedelta) -> bool:
    middle = datetime(5000, 1, 1)
    try:
        return bool(middle - window < middle)
    except (OverflowError, ValueError):
        return True  # thousands of years: reaches past year 1 from any as_of


def window_start(
    as_of: datetime, window: int | timedelta | relativedelta | None
) -> datetime | None:
    """When the window opens; ``None`` when it reaches back past year 1 (no limit)."""
    if window is None:
        return None
    if isinstance(window, timedelta) and window > timedelta(0):
        span: timedelta | relativedelta = window
    elif isinstance(window, relativedelta) and _opens_earlier(window):
        span = window
    elif isinstance(window, int) and not isinstance(window, bool) and window > 0:
        try:
            span = timedelta(days=window)
        except OverflowError:
            return None
    else:
        raise InvalidInputError(
            "expected days (a whole number > 0), a positive timedelta or a relativedelta, "
            f"got {window!r}",
            path="window",
        )
    try:
        return as_of - span
    except (OverflowError, ValueError):  # before 0001-01-01: every closed deal is in
        return None


def check_deals(
    deals: Iterable[Mapping[str, Any]], as_of: datetime, since: datetime | None
) -> Iterator[CheckedDeal]:
    """Validate each deal and say where it stands at ``as_of``."""
    if isinstance(deals, str | bytes | Mapping) or not isinstance(deals, Iterable):
        raise InvalidInputError(f"expected deal records, got {type(deals).__name__}", path="deals")
    for index, deal in enumerate(deals):
        path = f"deals[{index}]"
        if not isinstance(deal, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(deal).__name__}", path=path)
        created: Any = deal.get("created_at")
        if type(created) is not datetime or created.utcoffset() is None:
            created = read_datetime(created, f"{path}.created_at")
        amount = deal.get("amount")
        # Finite first: ordering a NaN raises decimal.InvalidOperation.
        if (
            type(amount) is not Decimal
            or not amount.is_finite()
            or amount < 0
            or amount.adjusted() >= _HUGE
        ):
            amount = _amount(amount, f"{path}.amount")
        outcome = deal.get("outcome")
        if outcome not in OUTCOMES:
            outcome = outcome_of(outcome)
        closed: Any = deal.get("closed_at")
        if outcome == "open":
            closed = None  # an open deal's close date is the expected one, not a close
        elif outcome in ("won", "lost"):
            if closed is None:
                raise InvalidInputError(
                    f"a {outcome} deal needs closed_at", path=f"{path}.closed_at"
                )
            if type(closed) is not datetime or closed.utcoffset() is None:
                closed = read_datetime(closed, f"{path}.closed_at")
            if closed < created:
                raise InvalidInputError(
                    f"closed_at {closed.isoformat()} is before created_at {created.isoformat()}",
                    path=f"{path}.closed_at",
                )
        else:
            raise InvalidInputError(
                f"unknown outcome {outcome!r}; allowed: {', '.join(OUTCOMES)}",
                path=f"{path}.outcome",
            )
        if created > as_of:
            yield -1, amount, 0, deal
        elif closed is None or closed > as_of:
            yield 0, amount, 0, deal
        elif since is not None and closed <= since:
            yield -1, amount, 0, deal
        elif outcome == "won":
            delta = closed - created
            yield 1, amount, delta.days * 86_400 + delta.seconds, deal
        else:
            yield 2, amount, 0, deal


def checked_deals(
    deals: TableLike,
    options: ReadOptions,
    as_of: datetime,
    since: datetime | None,
    preset: str | None = None,
    *,
    plain: bool = False,
) -> tuple[list[CheckedDeal], str | None, tuple[str, ...]]:
    """The deals of a table read by the one deal reader (text cells with the reading
    options) and checked at ``as_of``, with the currency of their amounts and what the
    reading noted. With ``skip_invalid`` a deal the checks refuse is left out too;
    ``plain`` (no option given) tries the deals as Python values first."""
    deals, columns = preset_columns(deals, preset, options.columns)
    rows = list(table_rows(deals, columns, path="deals"))
    if plain:
        # Deals already held as Python values (datetimes, Decimals, the outcome names)
        # need no reading; anything else is read by the one deal reader below, so a
        # cell is read the same whether or not an option is given.
        try:
            return list(check_deals(rows, as_of, since)), None, ()
        except InvalidInputError:
            pass
    read = deals_read(rows, options)
    if not options.skip_invalid:
        try:
            return list(check_deals(read.records, as_of, since)), read.currency, _found(read)
        except InvalidInputError as exc:
            raise _located(exc, read.rows) from None
    checked: list[CheckedDeal] = []
    refused = 0
    for record in read.records:
        try:
            checked.extend(check_deals([record], as_of, since))
        except InvalidInputError:
            refused += 1
    found = _found(read)
    if refused:
        noun = "deal" if refused == 1 else "deals"
        found = (*found, f"skipped {refused} bad {noun} (skip_invalid=True)")
    return checked, read.currency, found


def windowed_deals(
    deals: TableLike,
    as_of: datetime,
    window: int | timedelta | relativedelta | None,
    *,
    columns: Any = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
    preset: str | None = None,
) -> tuple[datetime | None, list[CheckedDeal], str | None, tuple[str, ...]]:
    """The deals of a table as :func:`velocity_from_deals` reads them, with the reading
    options checked each at its parameter: when ``window`` opens, the deals checked at
    ``as_of``, the currency of their amounts and what the reading noted. With no option
    given, deals already held as Python values are taken as they are."""
    since = window_start(as_of, window)
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
        currency=currency,
        rates=rates,
        preset=preset,
    )
    given = (decimal, date_format, timezone, values, currency, rates, preset)
    plain = all(option is None for option in given) and not skip_invalid
    checked, code, found = checked_deals(deals, options, as_of, since, preset, plain=plain)
    return since, checked, code, found


def _found(read: DealsRead) -> tuple[str, ...]:
    return (*read.notes, *(a.warning() for a in read.ambiguous))


def _located(exc: InvalidInputError, rows: Sequence[int]) -> InvalidInputError:
    """An error about ``deals[i]`` of the read records, at the row it was read from."""
    parts = exc.parts
    if len(parts) >= 2 and parts[0] == "deals" and isinstance(parts[1], int):
        return exc.relocate(f"deals[{rows[parts[1]]}]", depth=2)
    return exc
