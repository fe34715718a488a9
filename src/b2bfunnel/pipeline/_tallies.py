"""Mergeable velocity and funnel tallies: count where the rows are, add, compute once.

Velocity depends on its deals only through counts (open, won, lost) and two sums (won
value, won cycle seconds); the funnel through counts, the days each conversion took and
the rejection reasons counted per spelling. Each partition is summarised into a tally,
the tallies merged (counts and sums add: associative, commutative, exact) and the
report computed once, equal to computing it on every row together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal, localcontext
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from .._money import EXACT
from .._stats import z_for
from .._time import require_aware
from ..errors import InvalidInputError
from ..tables._options import read_options
from ..tables._table import Columns, TableLike
from ._deals import windowed_deals
from ._funnel import STAGES, FunnelMetrics, Tally, check_sla, gather, metrics_of
from ._velocity import VelocityReport, assemble

__all__ = ["FunnelTally", "VelocityTally"]


def _count(_instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not int or value < 0:
        raise InvalidInputError(f"expected a count >= 0, got {value!r}", path=attribute.name)


def _aware(_instance: Any, attribute: Any, value: Any) -> None:
    require_aware(value, attribute.name)


def _aware_or_none(_instance: Any, attribute: Any, value: Any) -> None:
    if value is not None:
        require_aware(value, attribute.name)


def _positive_span(_instance: Any, _attribute: Any, value: Any) -> None:
    check_sla(value)


def _money_sum(_instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not Decimal or not value.is_finite() or value < 0:
        raise InvalidInputError(f"expected a Decimal >= 0, got {value!r}", path=attribute.name)


def _refuse(other: Any, expected: str) -> InvalidInputError:
    return InvalidInputError(f"expected {expected}, got {other!r}", path="other")


@attrs.frozen
class VelocityTally:
    """The counts and sums behind :func:`b2bfunnel.velocity_from_deals`: mergeable, exact.

    ``opportunities`` deals open at ``as_of``; ``won`` and ``lost`` deals closed after
    ``since`` (the window's start; ``None``: no limit) and by ``as_of``; ``won_value``
    their amounts summed exactly; ``cycle_seconds`` their creation-to-close seconds;
    ``currency`` the ISO code of the amounts when the reader knew it (tallies in two
    currencies do not merge).

    >>> from datetime import datetime, timezone
    >>> at = lambda d: datetime(2026, 11, d, tzinfo=timezone.utc)
    >>> a = VelocityTally.of([{"created_at": at(1), "closed_at": at(11), "amount": 1000,
    ...                        "outcome": "won"}], as_of=at(23))
    >>> b = VelocityTally.of([{"created_at": at(3), "amount": 2000, "outcome": "open"}],
    ...                      as_of=at(23))
    >>> r = a.merge(b).report()
    >>> r.opportunities, r.won, r.avg_deal_value, r.cycle_days
    (1, 1, Decimal('1000'), Decimal('10'))
    """

    as_of: datetime = attrs.field(validator=_aware)
    since: datetime | None = attrs.field(validator=_aware_or_none)
    opportunities: int = attrs.field(validator=_count)
    won: int = attrs.field(validator=_count)
    lost: int = attrs.field(validator=_count)
    won_value: Decimal = attrs.field(validator=_money_sum)
    cycle_seconds: int = attrs.field(validator=_count)
    currency: str | None = None

    @classmethod
    def of(
        cls,
        deals: TableLike,
        *,
        as_of: datetime,
        window: int | timedelta | relativedelta | None = None,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
        currency: str | None = None,
        rates: Mapping[str, Any] | None = None,
    ) -> VelocityTally:
        """The tally of deal records, read and windowed as :func:`velocity_from_deals`
        reads them, with the same reading options (give every partition the same
        ``as_of``, ``window``, ``currency`` and ``rates``)."""
        require_aware(as_of, "as_of")
        since, checked, code, _ = windowed_deals(
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
        counts = [0, 0, 0]
        value = Decimal(0)
        seconds = 0
        with localcontext(EXACT):
            for state, amount, cycle, _ in checked:
                if state >= 0:
                    counts[state] += 1
                if state == 1:
                    value += amount
                    seconds += cycle
        return cls(as_of, since, counts[0], counts[1], counts[2], value, seconds, code)

    def merge(self, other: VelocityTally) -> VelocityTally:
        """The tally of both sets of deals (same ``as_of`` and window)."""
        if not isinstance(other, VelocityTally):
            raise _refuse(other, "a VelocityTally")
        if (other.as_of, other.since) != (self.as_of, self.since):
            raise InvalidInputError(
                f"expected a tally as of {self.as_of.isoformat()} with the same window, "
                f"got one as of {other.as_of.isoformat()}",
                path="other",
            )
        if self.currency and other.currency and self.currency != other.currency:
            raise InvalidInputError(
                f"expected a tally in {self.currency}, got one in {other.currency}: give "
                "every partition the same currency= and rates=",
                path="other",
            )
        with localcontext(EXACT):
            value = self.won_value + other.won_value
        return VelocityTally(
            self.as_of,
            self.since,
            self.opportunities + other.opportunities,
            self.won + other.won,
            self.lost + other.lost,
            value,
            self.cycle_seconds + other.cycle_seconds,
            self.currency or other.currency,
        )

    def report(self) -> VelocityReport:
        """:func:`b2bfunnel.velocity_from_deals` of every deal counted. (The bootstrap
        interval of :func:`b2bfunnel.compare_velocity` resamples deals: it needs the
        deals, not a tally.)"""
        report = assemble(
            self.opportunities, self.won, self.lost, self.won_value, self.cycle_seconds, self.as_of
        )
        return attrs.evolve(report, currency=self.currency)


# (days, how many conversions took exactly that long), ascending
Durations = tuple[tuple[float, int], ...]
# (reason key, spelling, count): one reason however it is capitalised or accented
Reasons = tuple[tuple[str, str, int], ...]


def _check_stages(_instance: Any, attribute: Any, value: Any) -> None:
    if not isinstance(value, tuple) or len(value) != len(STAGES):
        raise InvalidInputError(
            f"expected one entry per stage ({', '.join(STAGES)}), got {value!r}",
            path=attribute.name,
        )


def _pairs(value: Any, kinds: tuple[type, ...]) -> bool:
    """Whether ``value`` is a tuple of tuples of ``kinds`` whose last item is a count > 0."""
    if not isinstance(value, tuple):
        return False
    if not value:
        return True
    # Column by column with sets: a merge re-checks every pair, so this stays cheap.
    if {type(item) for item in value} != {tuple} or {len(item) for item in value} != {len(kinds)}:
        return False
    columns = list(zip(*value, strict=True))
    return (
        all(
            {type(x) for x in column} == {kind} for column, kind in zip(columns, kinds, strict=True)
        )
        and min(columns[-1]) > 0
    )


def _check_durations(instance: Any, attribute: Any, value: Any) -> None:
    _check_stages(instance, attribute, value)
    if not all(_pairs(stage, (float, int)) for stage in value):
        raise InvalidInputError(
            "expected (days, count > 0) pairs for each stage", path=attribute.name
        )


def _check_reasons(_instance: Any, attribute: Any, value: Any) -> None:
    if not _pairs(value, (str, str, int)):
        raise InvalidInputError(
            "expected (reason key, spelling, count > 0) triples", path=attribute.name
        )


def _sorted(value: Sequence[tuple[str, str, int]]) -> Sequence[tuple[str, str, int]]:
    # Anything else reaches the validator unchanged, which says what is expected.
    return tuple(sorted(value)) if isinstance(value, list | tuple) else value


def _durations(days: Iterable[float]) -> Durations:
    return tuple(sorted(Counter(days).items()))


@attrs.frozen
class FunnelTally:
    """The counts behind :func:`b2bfunnel.funnel_metrics`: mergeable, exact.

    Stage counts, SQL and SLA counts and rejection reasons are counts. The median and
    90th-percentile days of a stage are not: no count rebuilds them, so the tally keeps
    each stage's conversion times as ``(days, count)`` pairs, one per distinct duration.
    It grows with the distinct durations (few when stage times are whole days), not
    with the records, and the quantiles from it are exact.

    >>> from datetime import datetime, timezone
    >>> t = lambda d: datetime(2026, 11, d, tzinfo=timezone.utc)
    >>> a = FunnelTally.of([{"lead_at": t(1), "mql_at": t(3)}])
    >>> b = FunnelTally.of([{"lead_at": t(1), "mql_at": t(2)}, {"lead_at": t(2)}])
    >>> lead = a.merge(b).metrics().stages[0]
    >>> lead.reached, lead.converted, lead.median_days
    (3, 2, 1.5)
    """

    sla: timedelta = attrs.field(validator=_positive_span)
    records: int = attrs.field(validator=_count)
    reached: tuple[int, ...] = attrs.field(validator=_check_stages)
    durations: tuple[Durations, ...] = attrs.field(validator=_check_durations)
    sqls: int = attrs.field(validator=_count)
    contacted_in_sla: int = attrs.field(validator=_count)
    never_contacted: int = attrs.field(validator=_count)
    reasons: Reasons = attrs.field(converter=_sorted, validator=_check_reasons)

    @classmethod
    def of(
        cls,
        records: TableLike,
        *,
        sla: timedelta = timedelta(hours=24),
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
    ) -> FunnelTally:
        """The tally of lifecycle records, read as :func:`funnel_metrics` reads them,
        with the same reading options (give every partition the same ``sla``)."""
        check_sla(sla)
        options = read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        tally = gather(records, sla, options)
        return cls(
            sla,
            tally.records,
            tuple(tally.reached[s] for s in STAGES),
            tuple(_durations(tally.durations[s]) for s in STAGES),
            tally.sqls,
            tally.within,
            tally.never,
            tuple(
                (key, text, n)
                for key, spellings in tally.reasons.items()
                for text, n in spellings.items()
            ),
        )

    def merge(self, other: FunnelTally) -> FunnelTally:
        """The tally of both sets of records (same ``sla``)."""
        if not isinstance(other, FunnelTally) or other.sla != self.sla:
            raise _refuse(other, f"a FunnelTally with sla={self.sla!r}")
        reasons: Counter[tuple[str, str]] = Counter()
        for key, text, n in (*self.reasons, *other.reasons):
            reasons[key, text] += n
        durations = []
        for mine, theirs in zip(self.durations, other.durations, strict=True):
            both: Counter[float] = Counter(dict(mine))
            both.update(dict(theirs))
            durations.append(tuple(sorted(both.items())))
        return FunnelTally(
            self.sla,
            self.records + other.records,
            tuple(a + b for a, b in zip(self.reached, other.reached, strict=True)),
            tuple(durations),
            self.sqls + other.sqls,
            self.contacted_in_sla + other.contacted_in_sla,
            self.never_contacted + other.never_contacted,
            tuple((key, text, n) for (key, text), n in reasons.items()),
        )

    def metrics(self, *, confidence: float = 0.95) -> FunnelMetrics:
        """:func:`b2bfunnel.funnel_metrics` of every record counted."""
        z_for(confidence)
        tally = Tally(self.sla)
        tally.records, tally.sqls = self.records, self.sqls
        tally.within, tally.never = self.contacted_in_sla, self.never_contacted
        for stage, reached, durations in zip(STAGES, self.reached, self.durations, strict=True):
            tally.reached[stage] = reached
            tally.durations[stage] = [days for days, n in durations for _ in range(n)]
        for key, text, n in self.reasons:
            tally.reasons.setdefault(key, {})[text] = n
        return metrics_of(tally, confidence)
