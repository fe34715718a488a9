"""Funnel and SLA metrics from lead lifecycle records."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Displayed, Plotted
from .._stats import wilson, z_for
from .._time import require_aware
from ..errors import InvalidInputError
from ..plot import Charts
from ..records import flatten
from ..tables._frames import is_frame
from ..tables._kinds import lifecycle_fields
from ..tables._options import ReadOptions, read_options
from ..tables._read import rows_of
from ..tables._table import Columns, TableLike
from ..tables._values import name_key

STAGES = ("lead", "mql", "sql", "opportunity", "won")


@attrs.frozen(repr=False)
class StageStats(Displayed):
    """One stage: how many records reached it (its n), how many moved on to the next
    stage, the rate with its Wilson ``interval``, and the median and 90th-percentile
    days it took (of those that moved on)."""

    stage: str
    reached: int
    converted: int
    rate: float | None
    median_days: float | None
    p90_days: float | None
    interval: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data = attrs.asdict(self)
        data["interval"] = None if self.interval is None else list(self.interval)
        return data


@attrs.frozen(repr=False)
class FunnelMetrics(Plotted):
    """Conversion between stages, time in stage, the SLA on SQL contact, and why Sales
    rejected leads. ``sla_share`` (of ``sqls``, its n) and its Wilson ``sla_interval``
    are None when there is no SQL; intervals are at ``confidence``."""

    _charts: ClassVar[Charts] = (("stages", charts.funnel_stages),)

    records: int
    stages: tuple[StageStats, ...]
    sla_hours: float
    sqls: int
    contacted_in_sla: int
    sla_share: float | None
    never_contacted: int
    rejection_reasons: Mapping[str, int] = attrs.field(hash=False)
    sla_interval: tuple[float, float] | None = None
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "records": self.records,
            "stages": [s.to_dict() for s in self.stages],
            "sla_hours": self.sla_hours,
            "sqls": self.sqls,
            "contacted_in_sla": self.contacted_in_sla,
            "sla_share": self.sla_share,
            "sla_interval": None if self.sla_interval is None else list(self.sla_interval),
            "never_contacted": self.never_contacted,
            "rejection_reasons": dict(self.rejection_reasons),
            "confidence": self.confidence,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [flatten(stage) for stage in self.stages]


def p90(values: list[float]) -> float:
    """The 90th percentile by nearest rank: the smallest value with 90% at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


_NO_REASON = "(no reason given)"


def _stage_times(record: Mapping[str, Any], path: str) -> dict[str, datetime]:
    """The stage times of a record, checked aware and in stage order."""
    times: dict[str, datetime] = {}
    for stage in STAGES:
        value = record.get(f"{stage}_at")
        if value is not None:
            times[stage] = require_aware(value, f"{path}.{stage}_at")
    for key in ("rejected_at", "first_contact_at"):
        if record.get(key) is not None:
            require_aware(record[key], f"{path}.{key}")
    previous = None
    for stage in STAGES:
        if stage not in times:
            continue
        if previous is not None and times[stage] < times[previous]:
            raise InvalidInputError(
                f"{stage}_at {times[stage].isoformat()} is before "
                f"{previous}_at {times[previous].isoformat()}",
                path=f"{path}.{stage}_at",
            )
        previous = stage
    return times


class Tally:
    """Counts and durations gathered record by record, before any rate is computed."""

    def __init__(self, sla: timedelta) -> None:
        self.sla = sla
        self.records = self.sqls = self.within = self.never = 0
        self.reached = dict.fromkeys(STAGES, 0)
        self.durations: dict[str, list[float]] = {stage: [] for stage in STAGES}
        # reason key -> spelling -> count: one reason however it is capitalised or accented
        self.reasons: dict[str, dict[str, int]] = {}

    def add(self, record: Any, path: str) -> None:
        if not isinstance(record, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(record).__name__}", path=path)
        times = _stage_times(record, path)
        reason = record.get("rejection_reason")
        if reason is not None and not isinstance(reason, str):
            # Checked before counting: a refused record (skipped with skip_invalid)
            # leaves the tally as it was.
            raise InvalidInputError(
                f"expected text, got {reason!r}", path=f"{path}.rejection_reason"
            )
        self.records += 1
        for position, stage in enumerate(STAGES):
            if stage not in times:
                continue
            self.reached[stage] += 1
            following = STAGES[position + 1] if position + 1 < len(STAGES) else None
            if following in times:
                gap = times[following] - times[stage]
                self.durations[stage].append(gap.total_seconds() / 86_400)
        if "sql" in times:
            self.sqls += 1
            contact = record.get("first_contact_at")
            if contact is None:
                self.never += 1
            elif contact - times["sql"] <= self.sla:
                self.within += 1
        if reason is not None:
            self._reason(" ".join(reason.split()) or _NO_REASON)
        elif record.get("rejected_at") is not None:
            self._reason(_NO_REASON)

    def _reason(self, text: str) -> None:
        spellings = self.reasons.setdefault(name_key(text), {})
        spellings[text] = spellings.get(text, 0) + 1

    def rejection_reasons(self) -> dict[str, int]:
        """Each reason under its most frequent spelling, most frequent reason first."""
        named = []
        for spellings in self.reasons.values():
            label = min(spellings, key=lambda text: (-spellings[text], text))
            named.append((label, sum(spellings.values())))
        return dict(sorted(named, key=lambda item: (-item[1], item[0])))

    def stages(self, z: float) -> tuple[StageStats, ...]:
        out = []
        for stage in STAGES:
            done = self.durations[stage]
            n = self.reached[stage]
            last = stage == "won"
            out.append(
                StageStats(
                    stage,
                    n,
                    0 if last else len(done),
                    None if last or not n else len(done) / n,
                    statistics.median(done) if done else None,
                    p90(done) if done else None,
                    None if last or not n else wilson(len(done), n, z),
                )
            )
        return tuple(out)


def funnel_metrics(
    records: TableLike,
    *,
    sla: timedelta = timedelta(hours=24),
    columns: Columns | None = None,
    confidence: float = 0.95,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> FunnelMetrics:
    """Funnel and SLA metrics from lifecycle records.

    Each record may have ``lead_at``, ``mql_at``, ``sql_at``, ``opportunity_at``,
    ``won_at`` (timezone-aware; a later stage never before an earlier one),
    ``rejected_at``, ``first_contact_at`` and ``rejection_reason``. A stage's rate is the
    share of records that reached it and also reached the next one; its days are
    measured on those. An SQL is contacted within the SLA when its first contact came at
    most ``sla`` after it became SQL (or before); an SQL never contacted breaches it.
    Rates carry their n and a Wilson interval at ``confidence``; rejection reasons are
    counted case- and accent-insensitively. A table as a CRM exports it is read with the
    reading options (``columns``, ``decimal``, ``date_format``, ``timezone`` of dates
    without an offset, ``values``, ``skip_invalid``).

    >>> from datetime import datetime, timezone
    >>> t = lambda d, h=0: datetime(2026, 11, d, h, tzinfo=timezone.utc)
    >>> m = funnel_metrics([
    ...     {"lead_at": t(1), "mql_at": t(3), "sql_at": t(5), "first_contact_at": t(5, 20)},
    ...     {"lead_at": t(1), "mql_at": t(2), "sql_at": t(4), "first_contact_at": t(6)},
    ...     {"lead_at": t(2), "rejected_at": t(3), "rejection_reason": "no budget"},
    ... ])
    >>> [(s.stage, s.reached, s.converted, s.median_days) for s in m.stages[:2]]
    [('lead', 3, 2, 1.5), ('mql', 2, 2, 2.0)]
    >>> m.sla_share, dict(m.rejection_reasons)
    (0.5, {'no budget': 1})
    """
    check_sla(sla)
    z_for(confidence)  # checked before the work, not after
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    return metrics_of(gather(records, sla, options), confidence)


def check_sla(sla: Any) -> None:
    """Refuse an SLA that is not a positive timedelta."""
    if not isinstance(sla, timedelta) or sla <= timedelta(0):
        raise InvalidInputError(f"expected a positive timedelta, got {sla!r}", path="sla")


def gather(records: TableLike, sla: timedelta, options: ReadOptions) -> Tally:
    """The counts and durations of lifecycle records (or a DataFrame), checked; each
    row read by the one lifecycle converter, with the reading ``options``."""
    if not is_frame(records) and (
        isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable)
    ):
        raise InvalidInputError(
            f"expected lifecycle records, got {type(records).__name__}", path="records"
        )
    rows = rows_of(records, options, "records", kind=lifecycle_fields)
    tally = Tally(sla)
    for index, record in enumerate(rows):
        try:
            tally.add(record, f"records[{index}]")
        except InvalidInputError:
            if not options.skip_invalid:
                raise
            # skip_invalid: a record the checks refuse (stages out of order) is left out
    return tally


def metrics_of(tally: Tally, confidence: float) -> FunnelMetrics:
    """The metrics of the counts and durations gathered in ``tally``."""
    z = z_for(confidence)
    sqls = tally.sqls
    return FunnelMetrics(
        tally.records,
        tally.stages(z),
        tally.sla.total_seconds() / 3600,
        sqls,
        tally.within,
        tally.within / sqls if sqls else None,
        tally.never,
        tally.rejection_reasons(),
        wilson(tally.within, sqls, z) if sqls else None,
        confidence,
    )
