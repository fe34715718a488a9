"""``compare_velocity``: velocity per cohort of deals, and each cohort's :class:`Lift`
over the baseline cohort, with seeded bootstrap intervals."""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from typing import Any, ClassVar

import attrs
from dateutil.relativedelta import relativedelta

from .. import plot as charts
from .._display import Displayed, Plotted, Summarised, Summary
from .._stats import z_for
from .._time import require_aware
from ..errors import InvalidInputError
from ..plot import Charts
from ..records import flatten
from ..tables._table import Columns, TableLike
from ._deals import CheckedDeal, windowed_deals
from ._summaries import velocity_summary
from ._velocity import VelocityReport, report_of, tally_of


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
    opportunities, won, lost, value, seconds = tally_of(sample)
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
    )
    cohorts = _cohorts(checked, by)
    keys = sorted(cohorts, key=repr)
    baseline = _baseline(cohorts, keys, baseline, by)
    reports = {key: report_of(cohorts[key], as_of) for key in keys}
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


def _cohorts(deals: Iterable[CheckedDeal], by: str) -> dict[Hashable, list[CheckedDeal]]:
    """The checked deals grouped by their value of ``by``, which each must have."""
    cohorts: dict[Hashable, list[CheckedDeal]] = {}
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
