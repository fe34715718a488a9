"""Funnel and SLA metrics from lead lifecycle records."""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from .._display import Displayed, Plotted
from .._frames import table_rows
from .._time import require_aware
from ..errors import InvalidInputError

STAGES = ("lead", "mql", "sql", "opportunity", "won")


@attrs.frozen(repr=False)
class StageStats(Displayed):
    """One stage: how many records reached it, how many moved on to the next stage, the
    rate, and the median and 90th-percentile days it took (of those that moved on)."""

    stage: str
    reached: int
    converted: int
    rate: float | None
    median_days: float | None
    p90_days: float | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return attrs.asdict(self)


@attrs.frozen(repr=False)
class FunnelMetrics(Plotted):
    """Conversion between stages, time in stage, the SLA on SQL contact, and why Sales
    rejected leads. ``sla_share`` is None when there is no SQL."""

    records: int
    stages: tuple[StageStats, ...]
    sla_hours: float
    sqls: int
    contacted_in_sla: int
    sla_share: float | None
    never_contacted: int
    rejection_reasons: Mapping[str, int] = attrs.field(hash=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "records": self.records,
            "stages": [s.to_dict() for s in self.stages],
            "sla_hours": self.sla_hours,
            "sqls": self.sqls,
            "contacted_in_sla": self.contacted_in_sla,
            "sla_share": self.sla_share,
            "never_contacted": self.never_contacted,
            "rejection_reasons": dict(self.rejection_reasons),
        }


def p90(values: list[float]) -> float:
    """The 90th percentile by nearest rank: the smallest value with 90% at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def funnel_metrics(
    records: Iterable[Mapping[str, Any]],
    *,
    sla: timedelta = timedelta(hours=24),
    columns: Mapping[str, str] | None = None,
) -> FunnelMetrics:
    """Funnel and SLA metrics from lifecycle records.

    Each record may have ``lead_at``, ``mql_at``, ``sql_at``, ``opportunity_at``,
    ``won_at`` (timezone-aware; a later stage never before an earlier one),
    ``rejected_at``, ``first_contact_at`` and ``rejection_reason``. A stage's rate is the
    share of records that reached it and also reached the next one; its days are
    measured on those. An SQL is contacted within the SLA when its first contact came at
    most ``sla`` after it became SQL (or before); an SQL never contacted breaches it.

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
    if not isinstance(sla, timedelta) or sla <= timedelta(0):
        raise InvalidInputError(f"expected a positive timedelta, got {sla!r}", path="sla")
    reached = Counter[str]()
    durations: dict[str, list[float]] = {stage: [] for stage in STAGES}
    reasons = Counter[str]()
    sqls = within = never = count = 0
    for index, record in enumerate(table_rows(records, columns, path="records")):
        path = f"records[{index}]"
        if not isinstance(record, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(record).__name__}", path=path)
        count += 1
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
        for position, stage in enumerate(STAGES):
            if stage not in times:
                continue
            reached[stage] += 1
            following = STAGES[position + 1] if position + 1 < len(STAGES) else None
            if following in times:
                gap = times[following] - times[stage]
                durations[stage].append(gap.total_seconds() / 86_400)
        if "sql" in times:
            sqls += 1
            contact = record.get("first_contact_at")
            if contact is None:
                never += 1
            elif contact - times["sql"] <= sla:
                within += 1
        reason = record.get("rejection_reason")
        if reason is not None:
            if not isinstance(reason, str):
                raise InvalidInputError(
                    f"expected text, got {reason!r}", path=f"{path}.rejection_reason"
                )
            reasons[reason.strip() or "(no reason given)"] += 1
        elif record.get("rejected_at") is not None:
            reasons["(no reason given)"] += 1
    stages = []
    for stage in STAGES:
        done = durations[stage]
        n = reached[stage]
        stages.append(
            StageStats(
                stage,
                n,
                len(done) if stage != "won" else 0,
                (len(done) / n if n else None) if stage != "won" else None,
                statistics.median(done) if done else None,
                p90(done) if done else None,
            )
        )
    return FunnelMetrics(
        count,
        tuple(stages),
        sla.total_seconds() / 3600,
        sqls,
        within,
        within / sqls if sqls else None,
        never,
        dict(reasons.most_common()),
    )
