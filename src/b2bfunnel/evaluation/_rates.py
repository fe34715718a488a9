"""Conversion rates of groups of leads, with Wilson intervals that respect clustering."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import attrs

from .._display import Displayed
from .._stats import wilson

__all__ = ["ConversionRate", "rate_of", "rate_of_counts"]


@attrs.frozen(repr=False)
class ConversionRate(Displayed):
    """How many leads, how many converted, the rate and its interval."""

    n: int
    conversions: int
    rate: float
    interval: tuple[float, float]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "n": self.n,
            "conversions": self.conversions,
            "rate": self.rate,
            "interval": list(self.interval),
        }


def rate_of_counts(n: int, conversions: int, z: float) -> ConversionRate:
    """The conversion rate of ``conversions`` out of ``n`` independent leads."""
    return ConversionRate(n, conversions, conversions / n if n else 0.0, wilson(conversions, n, z))


def rate_of(
    labels: Sequence[bool], z: float, clusters: Sequence[Hashable] | None = None
) -> ConversionRate:
    """The conversion rate of ``labels`` with a Wilson interval.

    With ``clusters`` (the same lead at several cutoffs), the interval uses the effective
    sample size n / design effect, the design effect being the cluster-robust variance
    of the rate over the independent-rows one (at least 1).
    """
    n = len(labels)
    conversions = sum(1 for y in labels if y)
    rate = conversions / n if n else 0.0
    if clusters is None or n == 0 or conversions in (0, n):
        return rate_of_counts(n, conversions, z)
    sums: dict[Hashable, float] = {}
    for y, cluster in zip(labels, clusters, strict=True):
        sums[cluster] = sums.get(cluster, 0.0) + (float(y) - rate)
    groups = len(sums)
    if groups < 2:
        return rate_of_counts(n, conversions, z)
    clustered = groups / (groups - 1) * math.fsum(s * s for s in sums.values()) / (n * n)
    design = max(1.0, clustered / (rate * (1 - rate) / n))
    effective = n / design
    return ConversionRate(n, conversions, rate, wilson(rate * effective, effective, z))
