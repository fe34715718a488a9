"""Calibration: Platt scaling of a score to a probability, and the table that checks it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

from .._display import Displayed
from ._logistic import logistic, sigmoid
from ._rates import ConversionRate, rate_of

__all__ = ["CalibrationBin", "calibration_table", "platt"]


@attrs.frozen(repr=False)
class CalibrationBin(Displayed):
    """Leads whose score falls in ``[low, high]``: mean predicted probability against the
    observed conversion rate (with its interval)."""

    low: float
    high: float
    predicted: float
    observed: ConversionRate

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "low": self.low,
            "high": self.high,
            "predicted": self.predicted,
            **self.observed.to_dict(),
        }


def platt(scores: Sequence[float], labels: Sequence[bool]) -> tuple[float, float]:
    """``(a, b)`` of ``P(convert) = 1 / (1 + exp(-(a + b * score)))`` by maximum likelihood.

    A tiny ridge keeps it finite when the classes separate perfectly.
    """
    scale = max((abs(s) for s in scores), default=0.0) or 1.0
    rows = [((0, s / scale),) if s else () for s in scores]
    fit = logistic(rows, labels, 1, l2=1e-6)
    return fit.intercept, fit.coefficients[0] / scale


def calibration_table(
    scores: Sequence[float],
    labels: Sequence[bool],
    coefficients: tuple[float, float],
    z: float,
    bins: int = 10,
    offset: float = 0.0,
) -> tuple[CalibrationBin, ...]:
    """Predicted against observed per group of about ``len/bins`` leads by score;
    tied scores stay in one group. Bounds are reported with ``offset`` added."""
    a, b = coefficients
    order = sorted(range(len(scores)), key=scores.__getitem__)
    n = len(order)
    out = []
    start = 0
    while start < n:
        end = min(n, start + max(1, math.ceil(n / bins)))
        while end < n and scores[order[end]] == scores[order[end - 1]]:
            end += 1
        rows = order[start:end]
        predicted = math.fsum(sigmoid(a + b * scores[i]) for i in rows) / len(rows)
        out.append(
            CalibrationBin(
                scores[rows[0]] + offset,
                scores[rows[-1]] + offset,
                predicted,
                rate_of([labels[i] for i in rows], z),
            )
        )
        start = end
    return tuple(out)
