"""Pipeline velocity: the revenue a pipeline produces per day."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, localcontext
from typing import Any, ClassVar

import attrs
from dateutil.relativedelta import relativedelta

from .. import plot as charts
from .._display import Displayed, Plotted, Summarised, Summary, View
from .._money import EXACT, decimal_of, money
from .._stats import z_for
from .._time import read_datetime, require_aware
from ..errors import InvalidInputError
from ..plot import Charts
from ..records import flatten
from ..tables._deals import DealsRead, deals_read, preset_columns
from ..tables._frames import table_rows
from ..tables._labels import outcome_of
from ..tables._options import ReadOptions, read_options
from ..tables._table import Columns, TableLike
from ._summaries import report_view, velocity_summary

OUTCOMES = ("won", "lost", "open")
_DAY = Decimal(86_400)
# Amounts from 10**300 on are refused: no deal is that large, and the bootstrap works in
# floats, which end near 1.8e308.
_HUGE = 300
# Exponents as wide as Decimal allows, so a product of large figures cannot overflow.
_WIDE_EXPONENTS = Context(Emax=MAX_EMAX, Emin=MIN_EMIN)


def _amount(value: Any, path: str) -> Decimal:
    amount = money(value, path)
    if amount.adjusted() >= _HUGE:
        raise InvalidInputError(f"expected an amount below 10^{_HUGE}, got {value!r}", path=path)
    return amount


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


# A checked deal: (state at as_of: 0 open, 1 won, 2 lost, -1 not counted), amount,
# cycle seconds (won only), the deal itself.
_Deal = tuple[int, Decimal, int, Mapping[str, Any]]


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
) -> Iterator[_Deal]:
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


def _tally(rows: Iterable[tuple[int, Any, Any]]) -> tuple[int, int, int, Any, Any]:
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


def _report(checked: Sequence[_Deal], as_of: datetime) -> VelocityReport:
    with localcontext(EXACT):  # a sum of money is exact, whatever the order it is added in
        opportunities, won, lost, value, seconds = _tally(d[:3] for d in checked)
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
    checked, currency, found = checked_deals(deals, options, as_of, since, preset, plain=plain)
    report = _report(checked, as_of)
    # What the reading found (footers, skipped rows, amounts read two ways) goes with
    # the figures: nothing the reader decided is silent.
    return attrs.evolve(report, currency=currency, notes=(*report.notes, *found))


def checked_deals(
    deals: TableLike,
    options: ReadOptions,
    as_of: datetime,
    since: datetime | None,
    preset: str | None = None,
    *,
    plain: bool = False,
) -> tuple[list[_Deal], str | None, tuple[str, ...]]:
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
    checked: list[_Deal] = []
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


def _found(read: DealsRead) -> tuple[str, ...]:
    return (*read.notes, *(a.warning() for a in read.ambiguous))


def _located(exc: InvalidInputError, rows: Sequence[int]) -> InvalidInputError:
    """An error about ``deals[i]`` of the read records, at the row it was read from."""
    parts = exc.parts
    if len(parts) >= 2 and parts[0] == "deals" and isinstance(parts[1], int):
        return exc.relocate(f"deals[{rows[parts[1]]}]", depth=2)
    return exc


def _json_scalar(value: Any) -> Any:
    """``value`` if JSON holds it as it is, else its text (ISO 8601 for dates)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _cohort_text(value: Any) -> str:
    """A cohort as a JSON object key."""
    text = _json_scalar(value)
    return text if isinstance(text, str) else str(text)


@attrs.frozen(repr=False)
class Lift(Displayed):
    """One cohort against the baseline cohort.

    ``velocity_ratio`` = velocity / baseline velocity (``relative_velocity`` = ratio - 1);
    ``relative_cycle`` the relative change of cycle days (negative = faster);
    ``interval`` a seeded bootstrap interval of the ratio, and ``cycle_interval`` one of
    the relative cycle change from the same resamples; ``levers`` the log change of
    velocity split into its four levers (they add up to ``log_change``; a longer cycle
    counts negatively); ``main_lever`` the one that moved most.
    """

    cohort: Hashable
    baseline: Hashable
    velocity_ratio: float | None
    relative_velocity: float | None
    relative_cycle: float | None
    interval: tuple[float, float] | None
    levers: Mapping[str, float] = attrs.field(hash=False)
    log_change: float | None
    main_lever: str | None
    samples: int
    undefined_samples: int
    cycle_interval: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (a cohort that is not a JSON scalar, such as a date, as
        text)."""
        return {
            "cohort": _json_scalar(self.cohort),
            "baseline": _json_scalar(self.baseline),
            "velocity_ratio": self.velocity_ratio,
            "relative_velocity": self.relative_velocity,
            "relative_cycle": self.relative_cycle,
            "interval": None if self.interval is None else list(self.interval),
            "levers": dict(self.levers),
            "log_change": self.log_change,
            "main_lever": self.main_lever,
            "samples": self.samples,
            "undefined_samples": self.undefined_samples,
            "cycle_interval": None if self.cycle_interval is None else list(self.cycle_interval),
        }


@attrs.frozen(repr=False, eq=False)
class VelocityComparison(Summarised, Plotted, Mapping[Hashable, VelocityReport]):
    """A :class:`VelocityReport` per cohort, and each cohort's :class:`Lift` against the
    ``baseline`` cohort in ``lifts``.

    It is an immutable mapping of cohort to report and behaves like one: ``==`` any
    mapping with the same items (a dict included; the lifts follow from the reports),
    ``copy()`` and ``|`` give plain dicts.
    """

    _charts: ClassVar[Charts] = (("levers", charts.velocity_levers),)

    reports: Mapping[Hashable, VelocityReport] = attrs.field(hash=False)
    baseline: Hashable
    lifts: Mapping[Hashable, Lift] = attrs.field(hash=False)

    def __getitem__(self, key: Hashable) -> VelocityReport:
        return self.reports[key]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.reports)

    def __len__(self) -> int:
        return len(self.reports)

    def copy(self) -> dict[Hashable, VelocityReport]:
        """The reports as a new dict."""
        return dict(self.reports)

    def __or__(self, other: Any) -> dict[Hashable, VelocityReport]:
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**self.reports, **other}

    def __ror__(self, other: Any) -> dict[Hashable, VelocityReport]:
        if not isinstance(other, Mapping):
            return NotImplemented
        return {**other, **self.reports}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (cohort keys as text; dates in ISO 8601)."""
        return {
            "baseline": _cohort_text(self.baseline),
            "reports": {_cohort_text(k): r.to_dict() for k, r in self.reports.items()},
            "lifts": {_cohort_text(k): lift.to_dict() for k, lift in self.lifts.items()},
        }

    def summary(self) -> Summary:
        """Cohorts and deals counted, the velocity ratio with its bootstrap interval,
        then each cohort's levers and velocity (money in whole minor units)."""
        return velocity_summary(self)

    def _rows(self) -> list[dict[str, Any]]:
        rows = []
        for key, report in self.reports.items():
            row: dict[str, Any] = {"cohort": key, "baseline": key == self.baseline}
            row.update(flatten(report))
            lift = self.lifts.get(key)
            if lift is not None:
                lifted = flatten(lift, "lift.")
                lifted.pop("lift.cohort", None)
                lifted.pop("lift.baseline", None)
                row.update(lifted)
            rows.append(row)
        return rows


def _log_levers(base: VelocityReport, other: VelocityReport) -> dict[str, float] | None:
    figures = []
    for report in (base, other):
        if report.velocity is None or not report.velocity or not report.opportunities:
            return None
        assert report.avg_deal_value and report.win_rate and report.cycle_days
        figures.append(
            (
                report.opportunities,
                float(report.avg_deal_value),
                float(report.win_rate),
                float(report.cycle_days),
            )
        )
    (o1, a1, w1, c1), (o2, a2, w2, c2) = figures
    return {
        "opportunities": math.log(o2 / o1),
        "deal_value": math.log(a2 / a1),
        "win_rate": math.log(w2 / w1),
        "cycle_days": -math.log(c2 / c1),
    }


def _figures(sample: Sequence[tuple[int, float, float]]) -> tuple[float | None, float | None]:
    """Velocity and cycle seconds of a resample; ``None`` where undefined."""
    opportunities, won, lost, value, seconds = _tally(sample)
    if not won:
        return None, None
    if not seconds:
        return None, 0.0
    velocity = opportunities * (value / won) * (won / (won + lost)) / (seconds / 86_400 / won)
    return float(velocity), seconds / won


Interval = tuple[float, float] | None


def _percentile_interval(values: list[float], confidence: float) -> Interval:
    if not values:
        return None
    values.sort()
    tail = (1 - confidence) / 2
    low = values[min(len(values) - 1, int(tail * len(values)))]
    high = values[min(len(values) - 1, int((1 - tail) * len(values)))]
    return (low, high)


def _bootstrap(
    base: Sequence[tuple[int, float, float]],
    these: Sequence[tuple[int, float, float]],
    samples: int,
    rng: random.Random,
    confidence: float,
) -> tuple[Interval, Interval, int, Interval, Interval]:
    """Percentile intervals of the velocity ratio and of the relative cycle change over
    ``samples`` resamples of each cohort, how many resamples left the ratio undefined, and
    the intervals of the baseline's and the cohort's own velocities from the same resamples."""
    ratios = []
    cycles = []
    base_velocities = []
    velocities = []
    undefined = 0
    for _ in range(samples):
        v0, c0 = _figures(rng.choices(base, k=len(base)))
        v1, c1 = _figures(rng.choices(these, k=len(these)))
        if v0 is not None:
            base_velocities.append(v0)
        if v1 is not None:
            velocities.append(v1)
        if not v0 or v1 is None:
            undefined += 1
        else:
            ratios.append(v1 / v0)
        if c0 and c1 is not None:
            cycles.append(c1 / c0 - 1)
    return (
        _percentile_interval(ratios, confidence),
        _percentile_interval(cycles, confidence),
        undefined,
        _percentile_interval(base_velocities, confidence),
        _percentile_interval(velocities, confidence),
    )


def compare_velocity(
    deals: TableLike,
    *,
    by: str,
    as_of: datetime,
    window: int | timedelta | relativedelta | None = None,
    baseline: Hashable | None = None,
    samples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
) -> VelocityComparison:
    """Velocity per cohort of deal key ``by`` (e.g. ``influenced`` by a KOL), and how each
    cohort compares with the ``baseline`` one (default: ``False`` for a yes/no key, else
    the first cohort in sorted order). The bootstrap resamples deals within each cohort
    ``samples`` times with ``random.Random(seed)``: the same inputs give the same interval.
    Deals are read as :func:`velocity_from_deals` reads them, with the same reading
    options; each report carries the amounts' ``currency``.
    """
    require_aware(as_of, "as_of")
    if not isinstance(by, str):
        raise InvalidInputError(f"expected a deal key, got {by!r}", path="by")
    if type(samples) is not int or samples < 0:
        raise InvalidInputError(f"expected a whole number >= 0, got {samples!r}", path="samples")
    z_for(confidence)
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
    )
    given = (columns, decimal, date_format, timezone, values, currency, rates)
    plain = all(option is None for option in given[1:]) and not skip_invalid
    checked, currency, found = checked_deals(deals, options, as_of, since, plain=plain)
    cohorts = _cohorts(checked, by)
    keys = sorted(cohorts, key=repr)
    baseline = _baseline(cohorts, keys, baseline, by)
    reports = {key: _report(cohorts[key], as_of) for key in keys}
    reports = {
        key: attrs.evolve(r, currency=currency, notes=(*r.notes, *found))
        for key, r in reports.items()
    }
    rng = random.Random(seed)
    # Sorted, so the resamples (and the interval) do not depend on the input order.
    base_deals = sorted((s, float(a), float(c)) for s, a, c, _ in cohorts[baseline])
    lifts = {}
    own: dict[Any, Interval] = {}
    for key in keys:
        if key == baseline:
            continue
        these = sorted((s, float(a), float(c)) for s, a, c, _ in cohorts[key])
        interval, cycle_interval, undefined, base_interval, own_interval = _bootstrap(
            base_deals, these, samples, rng, confidence
        )
        # The baseline's interval comes from the first comparison's resamples of it.
        own.setdefault(baseline, base_interval)
        own[key] = own_interval
        lifts[key] = _lift(
            key,
            baseline,
            reports[baseline],
            reports[key],
            samples,
            undefined,
            interval,
            cycle_interval,
        )
    reports = {key: attrs.evolve(report, interval=own.get(key)) for key, report in reports.items()}
    return VelocityComparison(reports, baseline, lifts)


def _cohorts(deals: Iterable[_Deal], by: str) -> dict[Hashable, list[_Deal]]:
    """The checked deals grouped by their value of ``by``, which each must have."""
    cohorts: dict[Hashable, list[_Deal]] = {}
    for index, checked in enumerate(deals):
        if by not in checked[3]:
            raise InvalidInputError(f"has no {by!r}", path=f"deals[{index}].{by}")
        key = checked[3][by]
        if not isinstance(key, Hashable):
            raise InvalidInputError(
                f"expected a simple value, got {key!r}", path=f"deals[{index}].{by}"
            )
        cohorts.setdefault(key, []).append(checked)
    return cohorts


def _baseline(
    cohorts: Mapping[Hashable, object], keys: list[Hashable], baseline: Hashable | None, by: str
) -> Hashable | None:
    """The baseline cohort: the one given, else ``False`` for a yes/no key, else the first."""
    if not isinstance(baseline, Hashable):
        raise InvalidInputError(f"expected a cohort value, got {baseline!r}", path="baseline")
    if baseline is None:
        baseline = False if False in cohorts else (keys[0] if keys else None)
    if baseline not in cohorts:
        raise InvalidInputError(
            f"no deal has {by} = {baseline!r}; cohorts: {keys}", path="baseline"
        )
    return baseline


def _lift(
    key: Hashable,
    baseline: Hashable | None,
    base: VelocityReport,
    other: VelocityReport,
    samples: int,
    undefined: int,
    interval: Interval,
    cycle_interval: Interval,
) -> Lift:
    """How cohort ``key`` (``other``) compares with the baseline's report ``base``."""
    ratio = rel_cycle = None
    if base.velocity and other.velocity is not None:
        ratio = float(other.velocity / base.velocity)
    if base.cycle_days and other.cycle_days is not None:
        rel_cycle = float(other.cycle_days / base.cycle_days) - 1
    levers = _log_levers(base, other)
    total = sum(levers.values()) if levers else None
    main = max(levers, key=lambda k: (abs(levers[k]), k)) if levers else None
    return Lift(
        key,
        baseline,
        ratio,
        None if ratio is None else ratio - 1,
        rel_cycle,
        interval,
        levers or {},
        total,
        main,
        samples,
        undefined,
        cycle_interval,
    )
