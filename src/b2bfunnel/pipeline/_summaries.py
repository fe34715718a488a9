"""The summaries of a velocity comparison and an attribution report (``summary()``),
and the display of one velocity report.

Money is shown in whole minor units (``25340.00`` beside ``24061.22``): the
currency's when the deals said it, else cents; attribution's own ``minor_unit``.
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._display import Bounds, View, show
from .._markup import cell, in_minor_unit
from .._summary import Summary
from ..tables._currency import minor_unit

if TYPE_CHECKING:  # for the signatures only: the result modules import this one
    from ._attribution import AttributionReport
    from ._velocity import VelocityReport
    from ._velocity_comparison import VelocityComparison

__all__ = ["attribution_summary", "places_of", "report_view", "velocity_summary"]


def places_of(currency: str | None) -> int:
    """Decimals of ``currency``'s minor unit (2 when it is not known)."""
    return 2 if currency is None else minor_unit(currency)


# The fields of a report shown in whole minor units (the interval is of the velocity),
# and those that are Decimal only to be exact, shown as the rates and days they are.
_MONEY = frozenset(("avg_deal_value", "velocity", "interval"))
_NOT_MONEY = frozenset(("win_rate", "cycle_days"))


def _shown(key: str, value: Any, places: int) -> Any:
    if key in _MONEY:
        if isinstance(value, Bounds):
            return Bounds(in_minor_unit(value[0], places), in_minor_unit(value[1], places))
        return in_minor_unit(value, places)
    if key in _NOT_MONEY and isinstance(value, Decimal):
        return float(value)
    return value


def report_view(report: VelocityReport) -> View:
    """A report's notebook view: its fields, money in whole minor units."""
    view = show(report)
    places = places_of(report.currency)
    view.pairs = [(key, _shown(key, value, places)) for key, value in view.pairs]
    return view


def _interval(value: tuple[float, float] | None, places: int) -> tuple[Any, Any] | None:
    if value is None:
        return None
    return (in_minor_unit(value[0], places), in_minor_unit(value[1], places))


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _row(
    key: Hashable, report: VelocityReport, comparison: VelocityComparison, places: int
) -> tuple[Any, ...]:
    lift = comparison.lifts.get(key)
    return (
        cell(key),
        report.opportunities,
        report.won,
        report.lost,
        in_minor_unit(report.avg_deal_value, places),
        _float(report.win_rate),
        _float(report.cycle_days),
        in_minor_unit(report.velocity, places),
        _interval(report.interval, places),
        None if lift is None else lift.velocity_ratio,
        None if lift is None else lift.interval,
    )


def velocity_summary(comparison: VelocityComparison) -> Summary:
    """Cohorts and deals counted, the velocity ratio of the one compared cohort with its
    bootstrap interval, then each cohort's levers and velocity per day."""
    reports = list(comparison.reports.values())
    currencies = {report.currency for report in reports} - {None}
    currency = currencies.pop() if len(currencies) == 1 else None
    places = places_of(currency)
    headline: list[tuple[str, Any]] = [
        ("as of", reports[0].as_of.isoformat() if reports else None),
        ("cohorts", len(reports)),
        ("baseline", cell(comparison.baseline)),
        ("deals (open, won, lost)", sum(r.opportunities + r.won + r.lost for r in reports)),
        ("currency", currency),
    ]
    if len(comparison.lifts) == 1:
        (key, lift), *_ = comparison.lifts.items()
        headline += [
            (f"velocity ratio {cell(key)} / {cell(comparison.baseline)}", lift.velocity_ratio),
            ("bootstrap interval", lift.interval),
            ("main lever", lift.main_lever),
        ]
    notes = [f"{cell(key)}: {note}" for key, r in comparison.reports.items() for note in r.notes]
    return Summary(
        "Pipeline velocity by cohort",
        [(label, value) for label, value in headline if value is not None],
        (
            "cohort",
            "open",
            "won",
            "lost",
            "avg deal value",
            "win rate",
            "cycle days",
            "velocity per day",
            "velocity interval",
            "ratio",
            "ratio interval",
        ),
        [_row(key, report, comparison, places) for key, report in comparison.reports.items()],
        notes,
    )


def attribution_summary(report: AttributionReport) -> Summary:
    """Won deals, revenue and how much of it had touches, then each key's credit per
    model, best first by the first model."""
    exponent = report.minor_unit.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 2

    def money(value: Decimal) -> Decimal | None:
        return in_minor_unit(value, places)

    headline: list[tuple[str, Any]] = [
        ("won deals", report.won_deals),
        ("revenue", money(report.revenue)),
        ("attributed", money(report.attributed)),
        ("unattributed (no touch in the lookback)", money(report.unattributed)),
        ("touchpoints", report.touchpoints),
        ("touches of no deal", report.unattributed_touches),
        ("level", report.level),
        ("models", ", ".join(report.models)),
    ]
    rows = [
        (row[report.by], *(money(row[model]) for model in report.models)) for row in report.rows()
    ]
    notes = []
    if "markov" in report.models:
        notes.append(
            f"Markov removal effects ({report.markov_split} split), with "
            f"{report.non_converting_paths} non-converting journeys"
        )
    return Summary(
        f"Attribution of won revenue by {report.by}",
        headline,
        (report.by, *report.models),
        rows,
        notes,
    )
