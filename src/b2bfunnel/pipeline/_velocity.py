"""Pipeline velocity: the revenue a pipeline produces per day."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from .._display import Displayed, View
from .._money import EXACT, decimal_of, money
from .._time import require_aware
from ..errors import InvalidInputError
from ..tables._table import Columns, TableLike
from ._deals import CheckedDeal, windowed_deals
from ._summaries import report_view

_DAY = Decimal(86_400)
# Exponents as wide as Decimal allows, so a product of large figures cannot overflow.
_WIDE_EXPONENTS = Context(Emax=MAX_EMAX, Emin=MIN_EMIN)


def _number(
    value: Any,
    path: str,
    *,
    low: Decimal | None = None,
    high: Decimal | None = None,
    positive: bool = False,
) -> Decimal:
    """A finite, non-negative number as Decimal (floats via their repr)."""
    number = decimal_of(value, path, "number")
    if number < 0 or (positive and number == 0):
        bound = "> 0" if positive else ">= 0"
        raise InvalidInputError(f"expected a number {bound}, got {value!r}", path=path)
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidInputError(f"expected a number {low}..{high}, got {value!r}", path=path)
    return number


def pipeline_velocity(
    *,
    opportunities: Decimal | int | float | str,
    avg_deal_value: Decimal | int | float | str,
    win_rate: Decimal | int | float | str,
    cycle_days: Decimal | int | float | str,
) -> Decimal:
    """Value per day: opportunities x average deal value x win rate / cycle length in days.

    >>> pipeline_velocity(opportunities=40, avg_deal_value=25_000, win_rate=0.25, cycle_days=50)
    Decimal('5000.00')
    """
    opps = _number(opportunities, "opportunities")
    value = money(avg_deal_value, "avg_deal_value")
    rate = _number(win_rate, "win_rate", low=Decimal(0), high=Decimal(1))
    days = _number(cycle_days, "cycle_days", positive=True)
    with localcontext(_WIDE_EXPONENTS):
        return opps * value * rate / days


@attrs.frozen(repr=False)
class VelocityReport(Displayed):
    """Pipeline velocity of a set of deals at ``as_of``.

    - ``opportunities``: deals open at ``as_of`` (created by then, not closed by then);
    - ``avg_deal_value``: mean amount of the deals won in the window;
    - ``win_rate``: won / (won + lost) among the deals closed in the window;
    - ``cycle_days``: mean days from creation to close of the deals won in the window;
    - ``velocity``: opportunities x avg_deal_value x win_rate / cycle_days.

    A figure that is undefined (no deal won or closed in the window) is ``None``, and so
    is the velocity; ``notes`` says why. ``interval`` is a seeded bootstrap percentile
    interval of the velocity, set on the reports of :func:`compare_velocity` (``None``
    elsewhere, or when no resample gave a velocity). ``currency`` is the ISO code of the
    amounts when the reader knew it (``None``: not stated).
    """

    opportunities: int
    won: int
    lost: int
    avg_deal_value: Decimal | None
    win_rate: Decimal | None
    cycle_days: Decimal | None
    velocity: Decimal | None
    as_of: datetime
    notes: tuple[str, ...] = ()
    interval: tuple[float, float] | None = None
    currency: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (Decimals as strings)."""

        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "opportunities": self.opportunities,
            "won": self.won,
            "lost": self.lost,
            "avg_deal_value": text(self.avg_deal_value),
            "win_rate": text(self.win_rate),
            "cycle_days": text(self.cycle_days),
            "velocity": text(self.velocity),
            "as_of": self.as_of.isoformat(),
            "notes": list(self.notes),
            "interval": None if self.interval is None else list(self.interval),
            "currency": self.currency,
        }

    def _view(self) -> View:
        return report_view(self)


def tally_of(rows: Iterable[tuple[int, Any, Any]]) -> tuple[int, int, int, Any, Any]:
    """Open, won and lost counts, and the won deals' summed amounts and cycle seconds.

    The sums start at 0, so they stay Decimal and int for exact reports and float for
    the bootstrap.
    """
    opportunities = won = lost = 0
    value: Any = 0
    seconds: Any = 0
    for state, amount, cycle in rows:
        if state == 0:
            opportunities += 1
        elif state == 1:
            won += 1
            value += amount
            seconds += cycle
        elif state == 2:
            lost += 1
    return opportunities, won, lost, value, seconds


def report_of(checked: Sequence[CheckedDeal], as_of: datetime) -> VelocityReport:
    with localcontext(EXACT):  # a sum of money is exact, whatever the order it is added in
        opportunities, won, lost, value, seconds = tally_of(d[:3] for d in checked)
    return assemble(opportunities, won, lost, Decimal(value), seconds, as_of)


def assemble(
    opportunities: int, won: int, lost: int, value: Decimal, seconds: int, as_of: datetime
) -> VelocityReport:
    notes = []
    avg = cycle = rate = velocity = None
    if won:
        avg = value / won
        cycle = Decimal(seconds) / _DAY / won
    else:
        notes.append("no deal won in the window: average deal value and cycle length are undefined")
    if won + lost:
        rate = Decimal(won) / (won + lost)
    else:
        notes.append("no deal closed in the window: the win rate is undefined")
    if cycle is not None and cycle == 0:
        notes.append("won deals closed the moment they were created: cycle length is 0")
    if avg is not None and rate is not None and cycle:
        velocity = opportunities * avg * rate / cycle
    else:
        notes.append("the velocity is undefined")
    return VelocityReport(opportunities, won, lost, avg, rate, cycle, velocity, as_of, tuple(notes))


def velocity_from_deals(
    deals: TableLike,
    *,
    as_of: datetime,
    window: int | timedelta | relativedelta | None = None,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
    preset: str | None = None,
    skip_invalid: bool = False,
) -> VelocityReport:
    """Velocity from deal records (``created_at``, ``amount``, ``outcome`` won/lost/open
    and, when closed, ``closed_at``; an open deal's ``closed_at`` is its expected close,
    not counted). ``window`` (days, a timedelta or relativedelta) limits the closed
    deals used for value, win rate and cycle to those closed in it.

    Deals as a CRM exports them are read with the reading options: ``decimal``,
    ``date_format`` (one or several strptime formats; ISO 8601 is tried first),
    ``timezone`` (of naive times), ``values`` (the CRM's labels,
    ``{"outcome": {"won": ["Closed Won"], "open": "*"}}``), ``currency`` and ``rates``
    (amounts in several currencies converted to ``currency``; the report says it),
    ``preset`` (``"salesforce"``, ``"hubspot"`` or ``"pipedrive"``: the headers and
    values of that CRM's deals export); ``skip_invalid=True`` leaves bad deals out
    (counted in ``notes``) instead of raising at the first.

    >>> from datetime import datetime, timezone
    >>> at = lambda d: datetime(2026, 11, d, tzinfo=timezone.utc)
    >>> deals = [
    ...     {"created_at": at(1), "closed_at": at(11), "amount": 1000, "outcome": "won"},
    ...     {"created_at": at(1), "closed_at": at(21), "amount": 3000, "outcome": "won"},
    ...     {"created_at": at(2), "closed_at": at(5), "amount": 500, "outcome": "lost"},
    ...     {"created_at": at(3), "amount": 2000, "outcome": "open"},
    ... ]
    >>> r = velocity_from_deals(deals, as_of=at(23))
    >>> r.opportunities, r.avg_deal_value, r.win_rate, r.cycle_days
    (1, Decimal('2000'), Decimal('0.6666666666666666666666666667'), Decimal('15'))
    >>> round(r.velocity, 2)
    Decimal('88.89')
    """
    require_aware(as_of, "as_of")
    _, checked, currency, found = windowed_deals(
        deals,
        as_of,
        window,
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
    report = report_of(checked, as_of)
    # What the reading found (footers, skipped rows, amounts read two ways) goes with
    # the figures: nothing the reader decided is silent.
    return attrs.evolve(report, currency=currency, notes=(*report.notes, *found))
