"""Hot thresholds from an evaluation's rows: how many leads first cross a threshold per
period (:meth:`Evaluation.crossings`), and the threshold for a Sales capacity or a
target conversion rate (:meth:`Evaluation.threshold_for`)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from .._display import Displayed
from .._stats import z_for
from .._time import SECONDS_PER_DAY
from ..errors import InvalidInputError
from ._rates import ConversionRate, rate_of

if TYPE_CHECKING:  # for the signatures only: the result module imports this one
    from ._evaluate import Evaluation


@attrs.frozen(repr=False)
class ThresholdSuggestion(Displayed):
    """A suggested hot threshold and what the leads at or above it did.

    ``per_period`` is how many leads per ``per_days`` would have been passed to Sales;
    ``stats`` the conversion of every lead at or above the threshold.
    """

    threshold: float | None
    per_days: float
    per_period: float
    stats: ConversionRate
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "threshold": self.threshold,
            "per_days": self.per_days,
            "per_period": self.per_period,
            **self.stats.to_dict(),
            "reason": self.reason,
        }


def count_crossings(evaluation: Evaluation, threshold: float, per_days: float) -> float:
    """:meth:`Evaluation.crossings` of an evaluation whose peaks were checked."""
    value = _finite(threshold, "threshold")
    tops, bottoms = _window_peaks(evaluation, _positive(per_days, "per_days"))
    return _crossed(tops, bottoms, value) / len(evaluation.cutoffs)


def suggest_threshold(
    evaluation: Evaluation, capacity: float | None, per_days: float, rate: float | None
) -> ThresholdSuggestion:
    """:meth:`Evaluation.threshold_for` of an evaluation whose peaks were checked."""
    if (capacity is None) == (rate is None):
        raise InvalidInputError("give exactly one of capacity= or rate=", path="capacity")
    window = _positive(per_days, "per_days")
    z = z_for(evaluation.confidence)
    periods = len(evaluation.cutoffs)
    tops, bottoms = _window_peaks(evaluation, window)
    ascending = sorted(evaluation.scores)
    if capacity is not None:
        limit = _positive(capacity, "capacity")
        chosen = None
        for threshold in sorted({*ascending, *tops, *bottoms}, reverse=True):
            crossed = _crossed(tops, bottoms, threshold)
            if crossed / periods > limit:
                break
            chosen = (threshold, crossed)
        if chosen is None:
            return ThresholdSuggestion(
                None,
                window,
                0.0,
                rate_of((), z),
                f"even the top score is first crossed by more than {limit:g} leads "
                f"per {window:g} days",
            )
        threshold, crossed = chosen
        reason = f"about {crossed / periods:.1f} leads per {window:g} days first crossed it"
    else:
        target = _positive(rate, "rate")
        found = None
        conversions = 0
        order = sorted(range(len(evaluation.scores)), key=lambda i: -evaluation.scores[i])
        for position, i in enumerate(order):
            conversions += evaluation.labels[i]
            if (
                position + 1 < len(order)
                and evaluation.scores[order[position + 1]] == evaluation.scores[i]
            ):
                continue
            if conversions / (position + 1) >= target:
                found = evaluation.scores[i]
        if found is None:
            return ThresholdSuggestion(
                None,
                window,
                0.0,
                rate_of((), z),
                f"no threshold reaches a conversion rate of {target:.1%}",
            )
        threshold, crossed = found, _crossed(tops, bottoms, found)
        reason = f"the lowest threshold whose leads converted at {target:.1%} or more"
    rows = [i for i, score in enumerate(evaluation.scores) if score >= threshold]
    stats = rate_of(
        [evaluation.labels[i] for i in rows],
        z,
        _clusters_of(evaluation, rows) if periods > 1 else None,
    )
    return ThresholdSuggestion(threshold, window, crossed / periods, stats, reason)


def _window_peaks(evaluation: Evaluation, days: float) -> tuple[list[float], list[float]]:
    """For the leads whose running peak rose in the ``days`` before their cutoff,
    sorted: their peaks at the cutoff, and (where they had one) before the window."""
    seconds = days * SECONDS_PER_DAY
    tops: list[float] = []
    bottoms: list[float] = []
    blocks = [(e.n, e.cutoff) for e in evaluation.per_cutoff] or [(evaluation.n, evaluation.cutoff)]
    end = 0
    for size, cutoff in blocks:
        start = cutoff.timestamp() - seconds
        begin, end = end, end + size
        for steps in evaluation.peaks[begin:end]:  # (time, peak) pairs, oldest first
            if not steps or steps[-2] <= start:
                continue
            tops.append(steps[-1])
            for j in range(len(steps) - 4, -1, -2):
                if steps[j] <= start:
                    bottoms.append(steps[j + 1])
                    break
    tops.sort()
    bottoms.sort()
    return tops, bottoms


def _clusters_of(evaluation: Evaluation, rows: Sequence[int]) -> list[str]:
    return [evaluation.lead_ids[i] for i in rows]


def _positive(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(f"expected a positive number, got {value!r}", path=path)
    if not math.isfinite(value):
        raise InvalidInputError(f"expected a finite number, got {value!r}", path=path)
    return float(value)


def _finite(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"expected a finite number, got {value!r}", path=path)
    return float(value)


def _crossed(tops: Sequence[float], bottoms: Sequence[float], threshold: float) -> int:
    """Leads whose peak before the window was below ``threshold`` and at the cutoff at or
    above it (every bottom is its lead's top or lower, so the counts subtract)."""
    return (len(tops) - bisect_left(tops, threshold)) - (
        len(bottoms) - bisect_left(bottoms, threshold)
    )
