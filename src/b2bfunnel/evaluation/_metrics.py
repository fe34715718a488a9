"""Ranking metrics on scores and binary outcomes: AUC with DeLong intervals, KS, PSI.

Pure functions over plain sequences (stdlib only). Ties are handled exactly: a
positive and a negative with the same score count as half a correctly ordered pair.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Hashable, Sequence

__all__ = [
    "AUC",
    "MIN_POSITIVES",
    "auc_delong",
    "auc_difference",
    "ks_statistic",
    "midranks",
    "psi",
]

AUC = tuple[float, float]  # (estimate, variance)

# Below this many positives (or negatives) the DeLong interval is not trustworthy:
# the AUC is still reported, its interval is None and a warning says why.
MIN_POSITIVES = 10


def midranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of ``values`` with ties sharing the mean of their ranks.

    >>> midranks([3.0, 1.0, 3.0, 2.0])
    [3.5, 1.0, 3.5, 2.0]
    """
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        value = values[order[start]]
        while end + 1 < len(order) and values[order[end + 1]] == value:
            end += 1
        mid = (start + end) / 2 + 1
        for k in range(start, end + 1):
            ranks[order[k]] = mid
        start = end + 1
    return ranks


def _placements(
    scores: Sequence[float], labels: Sequence[bool]
) -> tuple[list[int], list[int], list[float], list[float]]:
    """Indices of positives and negatives and DeLong's placement values.

    ``v10[i]``: share of negatives a positive outranks (ties ½); ``v01[j]``: share of
    positives that outrank a negative. Computed from midranks (Sun & Xu), O(n log n).
    """
    pos = [i for i, y in enumerate(labels) if y]
    neg = [i for i, y in enumerate(labels) if not y]
    overall = midranks(scores)
    within_pos = midranks([scores[i] for i in pos])
    within_neg = midranks([scores[i] for i in neg])
    n1, n0 = len(pos), len(neg)
    v10 = [(overall[i] - r) / n0 for i, r in zip(pos, within_pos, strict=True)]
    v01 = [1 - (overall[j] - r) / n1 for j, r in zip(neg, within_neg, strict=True)]
    return pos, neg, v10, v01


def _variance(values: Sequence[float], mean: float) -> float:
    return math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1) if len(values) > 1 else 0


def auc_delong(
    scores: Sequence[float],
    labels: Sequence[bool],
    clusters: Sequence[Hashable] | None = None,
) -> AUC:
    """AUC (Mann-Whitney U / n1 n0) and its DeLong variance.

    With ``clusters`` (e.g. the lead id of each row of a pooled backtest), rows of one
    cluster are not taken as independent: the variance sums each cluster's placement
    deviations before squaring (a cluster-robust DeLong variance).
    Needs at least one positive and one negative.

    >>> auc_delong([0.9, 0.4, 0.4, 0.1], [True, True, False, False])[0]
    0.875
    """
    pos, neg, v10, v01 = _placements(scores, labels)
    n1, n0 = len(pos), len(neg)
    auc = math.fsum(v10) / n1
    if clusters is None:
        return auc, _variance(v10, auc) / n1 + _variance(v01, auc) / n0
    sums: dict[Hashable, float] = {}
    for i, v in zip(pos, v10, strict=True):
        sums[clusters[i]] = sums.get(clusters[i], 0.0) + (v - auc) / n1
    for j, v in zip(neg, v01, strict=True):
        sums[clusters[j]] = sums.get(clusters[j], 0.0) + (v - auc) / n0
    g = len(sums)
    correction = g / (g - 1) if g > 1 else 1.0
    return auc, correction * math.fsum(s * s for s in sums.values())


def auc_difference(
    first: Sequence[float],
    second: Sequence[float],
    labels: Sequence[bool],
    clusters: Sequence[Hashable] | None = None,
) -> tuple[float, float]:
    """AUC(first) - AUC(second) on the same rows and its paired DeLong variance."""
    pos, neg, a10, a01 = _placements(first, labels)
    _, _, b10, b01 = _placements(second, labels)
    n1, n0 = len(pos), len(neg)
    auc_a, auc_b = math.fsum(a10) / n1, math.fsum(b10) / n1
    diff = auc_a - auc_b
    if clusters is None:
        d10 = [a - b for a, b in zip(a10, b10, strict=True)]
        d01 = [a - b for a, b in zip(a01, b01, strict=True)]
        return diff, _variance(d10, diff) / n1 + _variance(d01, diff) / n0
    sums: dict[Hashable, float] = {}
    for i, a, b in zip(pos, a10, b10, strict=True):
        sums[clusters[i]] = sums.get(clusters[i], 0.0) + (a - b - diff) / n1
    for j, a, b in zip(neg, a01, b01, strict=True):
        sums[clusters[j]] = sums.get(clusters[j], 0.0) + (a - b - diff) / n0
    g = len(sums)
    correction = g / (g - 1) if g > 1 else 1.0
    return diff, correction * math.fsum(s * s for s in sums.values())


def ks_statistic(scores: Sequence[float], labels: Sequence[bool]) -> tuple[float, float]:
    """Kolmogorov-Smirnov separation and the score where it is reached.

    The largest gap between the share of positives and of negatives scoring at or
    above a threshold, over every distinct score (tied scores move together).

    >>> ks_statistic([3, 2, 2, 1], [True, True, False, False])
    (0.5, 3)
    """
    n1 = sum(1 for y in labels if y)
    n0 = len(labels) - n1
    tp = fp = 0
    order = sorted(range(len(scores)), key=lambda i: -scores[i])
    # With no gap anywhere, the top score: the first row's would depend on the row order.
    best, at = 0.0, scores[order[0]] if scores else 0.0
    for position, i in enumerate(order):
        if labels[i]:
            tp += 1
        else:
            fp += 1
        if position + 1 < len(order) and scores[order[position + 1]] == scores[i]:
            continue
        gap = abs(tp / n1 - fp / n0) if n1 and n0 else 0.0
        if gap > best:
            best, at = gap, scores[i]
    return best, at


def psi(expected: Sequence[float], actual: Sequence[float], edges: Sequence[float]) -> float:
    """Population stability index of ``actual`` against ``expected`` over bins.

    ``edges`` are the ascending inner bin edges (a value ``v`` falls in the bin of the
    first edge above it). Empty bins get a share of 0.0001 so the log stays finite.
    """

    def shares(values: Sequence[float]) -> list[float]:
        counts = [0] * (len(edges) + 1)
        for value in values:
            counts[bisect_right(edges, value)] += 1
        total = len(values) or 1
        return [max(c / total, 1e-4) for c in counts]

    p, q = shares(expected), shares(actual)
    return math.fsum((b - a) * math.log(b / a) for a, b in zip(p, q, strict=True))
