"""Capping a total: scaling behaviour points so a group or the whole score stays
within its ``max_points`` or ``max_total``, to the millionth."""

from __future__ import annotations

import math
from typing import Any

# Every reported figure is rounded to this many decimals, which also makes results
# independent of the order in which floating-point sums were accumulated.
PLACES = 6
_UNIT = 10**PLACES


def cap_items(items: list[list[Any]], cap: float, offset: int) -> None:
    """Scale the positive behaviour values of ``items`` so their sum is at most ``cap``.

    Profile points (rule index below ``offset``) are never scaled: configuration
    guarantees a cap holds all of them, so shrinking behaviour points always suffices.
    Rows are shown rounded to :data:`PLACES`, so the scaled rows are split in whole
    millionths by largest remainder: the shown rows then add up to the cap exactly,
    never a millionth over it (or under it, which could cost a capped lead its ``hot``).
    """
    total = math.fsum(it[1] for it in items)
    if total <= cap:
        return
    scaled = [it for it in items if it[1] > 0 and it[0] >= offset]
    positive = math.fsum(it[1] for it in scaled)
    kept = sum(round(it[1] * _UNIT) for it in items if not (it[1] > 0 and it[0] >= offset))
    target = max(0, math.floor(cap * _UNIT + 0.5) - kept)
    shares = [it[1] / positive * target for it in scaled]
    units = [math.floor(share) for share in shares]
    by_remainder = sorted(range(len(scaled)), key=lambda i: units[i] - shares[i])
    for i in by_remainder[: max(0, target - sum(units))]:
        units[i] += 1
    for item, unit in zip(scaled, units, strict=True):
        item[1] = unit / _UNIT
