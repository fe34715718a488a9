"""The evaluation's rows broken down: by score decile (:class:`Decile`), band and grade."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import attrs

from .._display import Displayed
from ._rates import ConversionRate, rate_of


@attrs.frozen(repr=False)
class Decile(Displayed):
    """One tenth of the leads by score, best first; tied scores are never split.

    ``lift`` is the group's rate over the overall rate; ``capture`` the share of all
    conversions found in this and the better groups.
    """

    decile: int
    low: float
    high: float
    stats: ConversionRate
    lift: float
    capture: float

    @property
    def n(self) -> int:
        """Leads in the group."""
        return self.stats.n

    @property
    def conversions(self) -> int:
        """Leads of the group that converted within the horizon."""
        return self.stats.conversions

    @property
    def rate(self) -> float:
        """Conversion rate of the group."""
        return self.stats.rate

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "decile": self.decile,
            "low": self.low,
            "high": self.high,
            **self.stats.to_dict(),
            "lift": self.lift,
            "capture": self.capture,
        }


def decile_of(start: int, end: int, n: int) -> int:
    """The group (0 best .. 9) of a run of tied scores at positions ``start..end`` of
    ``n`` best first: the group of its middle position."""
    return min(9, ((start + end) // 2) * 10 // n)


def deciles_of(
    scores: Sequence[float],
    labels: Sequence[bool],
    z: float,
    clusters: Sequence[Hashable] | None,
) -> tuple[Decile, ...]:
    """Ten groups by score, best first; a run of tied scores goes to the group of its
    middle position, so groups can be uneven (or absent) when many leads tie."""
    n = len(scores)
    total = sum(labels)
    if not n:
        return ()
    overall = total / n
    order = sorted(range(n), key=lambda i: -scores[i])
    groups: dict[int, list[int]] = {}
    start = 0
    while start < n:
        end = start
        while end + 1 < n and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        decile = decile_of(start, end, n)
        groups.setdefault(decile, []).extend(order[start : end + 1])
        start = end + 1
    out = []
    captured = 0
    for decile in sorted(groups):
        rows = groups[decile]
        stats = rate_of(
            [labels[i] for i in rows], z, [clusters[i] for i in rows] if clusters else None
        )
        captured += stats.conversions
        out.append(
            Decile(
                decile + 1,
                min(scores[i] for i in rows),
                max(scores[i] for i in rows),
                stats,
                stats.rate / overall if overall else 0.0,
                captured / total if total else 0.0,
            )
        )
    return tuple(out)


def rates_by(
    keys: Sequence[str], labels: Sequence[bool], z: float, clusters: Sequence[Hashable] | None
) -> dict[str, ConversionRate]:
    rows: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    return {
        key: rate_of([labels[i] for i in idx], z, [clusters[i] for i in idx] if clusters else None)
        for key, idx in rows.items()
    }
