"""A survey metric by segment and period: NPS, effort and first-contact resolution."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from typing import Any, ClassVar, Generic, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from .. import plot as charts
from .._display import Displayed, Plotted
from ..errors import InvalidInputError
from ..plot import Charts
from ..records import flatten
from ..tables._table import Columns, TableLike
from ._core import CATEGORY, NPSResult, checked_scores
from ._effort import CESResult, RateResult, ces, fcr
from ._survey import Response, Ticket, read_answers, survey_values

PERIODS = ("month", "quarter")
MISSING = "(none)"


def period_of(at: datetime, period: str) -> tuple[str, date, date | None]:
    """Label, first day and first day after a month or calendar quarter (local date of
    ``at``); the first day after is None for the last period of year 9999.

    >>> from datetime import datetime, timezone
    >>> period_of(datetime(2026, 11, 23, tzinfo=timezone.utc), "quarter")
    ('2026-Q4', datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    """
    if period == "month":
        start, months, label = date(at.year, at.month, 1), 1, f"{at.year}-{at.month:02d}"
    else:
        quarter = (at.month - 1) // 3
        start, months, label = date(at.year, 3 * quarter + 1, 1), 3, f"{at.year}-Q{quarter + 1}"
    last_period_of_9999 = at.year == 9999 and start.month + months > 12
    end = None if last_period_of_9999 else start + relativedelta(months=months)
    return label, start, end


# The result of a report's metric: NPSResult (nps_report), CESResult (ces_report) or
# RateResult (fcr_report).
R = TypeVar("R", "NPSResult", "CESResult", "RateResult")


@attrs.frozen(repr=False)
class ReportCell(Displayed, Generic[R]):
    """One segment x period cell; ``small`` when its n is below the report's ``min_n``."""

    segment: str | None
    period: str | None
    period_start: date | None
    result: R
    small: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "segment": self.segment,
            "period": self.period,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "small": self.small,
            **self.result.to_dict(),
        }


@attrs.frozen(repr=False)
class Report(Plotted, Generic[R]):
    """A metric by segment and/or period, with the overall figure; cells sorted."""

    _charts: ClassVar[Charts] = (("cells", charts.report_cells),)

    metric: str
    by: str | None
    period: str | None
    min_n: int
    overall: R
    cells: tuple[ReportCell[R], ...]
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "metric": self.metric,
            "by": self.by,
            "period": self.period,
            "min_n": self.min_n,
            "overall": self.overall.to_dict(),
            "cells": [c.to_dict() for c in self.cells],
            "skipped": self.skipped,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [flatten(cell) for cell in self.cells]


def _grouped(
    items: Sequence[Any], by: str | None, period: str | None, path: str
) -> dict[tuple[str | None, str | None], list[Any]]:
    if period is not None and period not in PERIODS:
        raise InvalidInputError(
            f"unknown period {period!r}; allowed: {', '.join(PERIODS)}", path="period"
        )
    if by is not None and not isinstance(by, str):
        raise InvalidInputError(f"expected a segment name, got {by!r}", path="by")
    groups: dict[tuple[str | None, str | None], list[Any]] = {}
    labels: dict[tuple[int, int], str] = {}
    for index, item in enumerate(items):
        segment = item.segments.get(by, MISSING) if by is not None else None
        label = None
        if period is not None:
            at = item.at
            if at is None:
                raise InvalidInputError("has no time; a report by period needs one",
                                        path=f"{path}[{index}].at")  # fmt: skip
            bucket = (at.year, at.month if period == "month" else (at.month - 1) // 3)
            label = labels.get(bucket)
            if label is None:
                label = labels[bucket] = period_of(at, period)[0]
        key = (segment, label)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(item)
    return groups


def _report(
    metric: str,
    items: Sequence[Any],
    by: str | None,
    period: str | None,
    min_n: int,
    path: str,
    measure: Callable[[Sequence[Any]], R],
    skipped: int = 0,
) -> Report[R]:
    if type(min_n) is not int or min_n < 1:
        raise InvalidInputError(f"expected a whole number >= 1, got {min_n!r}", path="min_n")
    groups = _grouped(items, by, period, path)
    starts: dict[str, date] = {}
    if period is not None:
        for members in groups.values():
            name, start, _ = period_of(members[0].at, period)
            starts[name] = start
    cells = []
    for (segment, label), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0] or "", starts.get(kv[0][1] or "", date.min))
    ):
        result = measure(members)
        cells.append(ReportCell(segment, label, starts.get(label) if label else None, result,
                                result.n < min_n))  # fmt: skip
    return Report(metric, by, period, min_n, measure(items), tuple(cells), skipped)


def nps_report(
    responses: TableLike | Iterable[Response],
    *,
    by: str | None = None,
    period: str | None = None,
    min_n: int = 30,
    confidence: float = 0.95,
    method: str = "auto",
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> Report[NPSResult]:
    """NPS by segment field ``by`` and/or ``period`` (``"month"`` or ``"quarter"``).

    Each cell has its n and margin of error; cells with fewer than ``min_n`` responses
    are flagged ``small`` (too few to trust). Periods are calendar months or quarters of
    each response's own local date; a response without the segment field goes to
    ``"(none)"``.

    ``responses`` may also be a table (a DataFrame or mappings; ``columns`` maps field
    names to its headers): a row with a blank score is skipped and counted in
    ``skipped``.
    """
    answers, skipped = read_answers(
        responses,
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )

    def measure(members: Sequence[Response]) -> NPSResult:
        counts = [0, 0, 0]
        for member in members:
            counts[CATEGORY[member.score]] += 1
        return NPSResult.from_counts(counts[0], counts[1], counts[2],
                                     confidence=confidence, method=method)  # fmt: skip

    return _report("nps", answers, by, period, min_n, "responses", measure, skipped)


def ces_report(
    responses: TableLike | Iterable[Response],
    *,
    by: str | None = None,
    period: str | None = None,
    min_n: int = 30,
    low_effort_min: int = 5,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> Report[CESResult]:
    """Customer effort (1..7 answers in ``Response.score``) by segment and/or period;
    from a table as :func:`nps_report` reads one."""
    answers, skipped = read_answers(
        responses,
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    checked_scores([r.score for r in answers], "responses", 1, 7)
    return _report("ces", answers, by, period, min_n, "responses",
                   lambda members: ces([m.score for m in members], low_effort_min=low_effort_min,
                                       confidence=confidence), skipped)  # fmt: skip


def fcr_report(
    tickets: Iterable[Ticket],
    *,
    by: str | None = None,
    period: str | None = None,
    min_n: int = 30,
    confidence: float = 0.95,
) -> Report[RateResult]:
    """First-contact resolution by segment and/or period."""
    values, _ = survey_values(tickets, Ticket, "tickets")
    return _report("fcr", values, by, period, min_n, "tickets",
                   lambda members: fcr([m.first_contact_resolved for m in members],
                                       confidence=confidence))  # fmt: skip
