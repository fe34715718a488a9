"""Time-split validation: fit on an earlier cutoff, evaluate base and fitted on a later one."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import attrs

from .._display import Summarised, Summary
from .._stats import z_for
from .._time import require_aware
from ..errors import InvalidInputError
from ..events import Event
from ..scoring import ScoringModel
from ..tables._kinds import outcome_fields, profile_fields
from ..tables._options import read_options
from ..tables._read import read_events, rows_of
from ..tables._table import Columns, TableLike
from ._evaluate import MIN_POSITIVES, Evaluation, snapshots, summarise
from ._fit import FittedModel, fit_points
from ._metrics import auc_difference
from ._snapshot import as_events, check_horizon
from ._summaries import split_summary

__all__ = ["TimeSplit", "time_split"]


@attrs.frozen(repr=False)
class TimeSplit(Summarised):
    """Base and fitted models side by side on the same later leads.

    ``difference`` is the fitted AUC minus the base AUC, with a paired DeLong interval
    (None under the minimum of positives).
    """

    fitted: FittedModel
    base: Evaluation
    learned: Evaluation
    difference: float | None
    difference_interval: tuple[float, float] | None

    def describe(self) -> str:
        """One line: both AUCs with intervals and the difference."""
        line = f"base AUC {self.base.describe_auc()}; fitted {self.learned.describe_auc()}"
        if self.difference is not None:
            line += f"; difference {self.difference:+.2f}"
            if self.difference_interval is not None:
                low, high = self.difference_interval
                line += f" ({low:+.2f} to {high:+.2f})"
        return line

    def summary(self) -> Summary:
        """Base and fitted AUC, the difference with its paired interval, then the
        learned points: what a notebook shows (at most 40 rows)."""
        return split_summary(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "fitted": self.fitted.to_dict(),
            "base": self.base.to_dict(),
            "learned": self.learned.to_dict(),
            "difference": self.difference,
            "difference_interval": None
            if self.difference_interval is None
            else list(self.difference_interval),
        }


def time_split(
    profiles: TableLike,
    events: Iterable[Event],
    outcomes: TableLike,
    *,
    fit_cutoff: datetime,
    cutoff: datetime,
    horizon_days: float = 90,
    base: ScoringModel | None = None,
    method: str = "naive_bayes",
    fields: Iterable[str] = (),
    min_support: int = 30,
    pdo: float = 20,
    base_points: float | None = None,
    data_end: datetime | None = None,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> TimeSplit:
    """Fit points at ``fit_cutoff`` and compare base and fitted models at ``cutoff``.

    ``fit_cutoff + horizon_days`` must not pass ``cutoff``: the fit may use no outcome
    the evaluation will be judged on. Tables, ``columns`` and the other reading options
    as for :func:`evaluate`.
    """
    require_aware(fit_cutoff, "fit_cutoff")
    require_aware(cutoff, "cutoff")
    days = check_horizon(horizon_days)
    if fit_cutoff + timedelta(days=days) > cutoff:
        raise InvalidInputError(
            f"the fit's {days:g}-day horizon after {fit_cutoff.isoformat()} passes the "
            f"evaluation cutoff {cutoff.isoformat()}; fit on a cutoff at least "
            f"{days:g} days earlier",
            path="fit_cutoff",
        )
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    leads = list(rows_of(profiles, options, "profiles", kind=profile_fields))
    batch = as_events(read_events(events, options))
    known = list(rows_of(outcomes, options, "outcomes", kind=outcome_fields))
    model = ScoringModel.default() if base is None else base
    fitted = fit_points(
        leads,
        batch,
        known,
        cutoff=fit_cutoff,
        horizon_days=days,
        base=model,
        method=method,
        fields=fields,
        min_support=min_support,
        pdo=pdo,
        base_points=base_points,
        data_end=data_end,
        confidence=confidence,
    )
    (before,), _ = snapshots(model, leads, batch, known, cutoff, None, days, data_end, peaks=True)
    (after,), _ = snapshots(
        fitted.model, leads, batch, known, cutoff, None, days, data_end, peaks=True
    )
    base_eval = summarise([before], confidence)
    learned_eval = summarise([after], confidence)
    totals = {s.lead_id: s.total for s in after.scores}
    labels = list(before.labels)
    positives = sum(labels)
    difference = interval = None
    if positives and positives < len(labels):
        difference, variance = auc_difference(
            [totals[s.lead_id] for s in before.scores], [s.total for s in before.scores], labels
        )
        if min(positives, len(labels) - positives) >= MIN_POSITIVES:
            half = z_for(confidence) * math.sqrt(max(variance, 0.0))
            interval = (difference - half, difference + half)
    return TimeSplit(fitted, base_eval, learned_eval, difference, interval)
