"""Exact 0/1 knapsack over whole-number weights and profits.

Two exact methods, both on integers so that "best" is never a rounding accident:

- every item with the same profit/weight ratio (a flat rate card with one audience
  share): the problem is subset sum, solved by a bitset over reachable weights;
- otherwise a core algorithm in the manner of Pisinger's *minknap*: start from the
  greedy (break) solution, widen a core of items around the break item in both
  directions, keep only Pareto-optimal (weight, profit) states and drop every state
  whose Dembo-Hammer upper bound cannot beat the best feasible state found so far.

Knapsack is NP-hard, so the core search stops after ``max_states`` states and hands
back the best selection found, marked not optimal.
"""

from __future__ import annotations

import math
from fractions import Fraction

import attrs

# The bitset method costs capacity x items bit operations (2**33 take well under a
# second) and keeps about 2 x sqrt(items) bitsets of capacity bits (2**30 bits are
# 128 MB); beyond either, the core search is used instead.
BITSET_WORK = 1 << 33
BITSET_MEMORY = 1 << 30


def _bitset_fits(capacity: int, items: int) -> bool:
    """Whether a subset sum over ``items`` up to ``capacity`` is cheap enough by bitset."""
    kept = 2 * math.isqrt(items) + 2
    return capacity * items <= BITSET_WORK and capacity * kept <= BITSET_MEMORY


@attrs.frozen
class Solution:
    """The chosen item indices and whether they are proven best."""

    chosen: frozenset[int]
    optimal: bool


def solve(weights: list[int], profits: list[int], capacity: int, max_states: int) -> Solution:
    """A selection of items maximising total profit with total weight <= ``capacity``.

    Every weight is 1..capacity and every profit >= 1. Ties between selections of equal
    profit are broken by the caller's choice of profits (see ``plan_portfolio``).
    """
    n = len(weights)
    if sum(weights) <= capacity:
        return Solution(frozenset(range(n)), True)
    # A common divisor of the weights changes nothing but the size of the numbers.
    divisor = math.gcd(*weights)
    weights = [w // divisor for w in weights]
    capacity //= divisor
    order = sorted(range(n), key=lambda i: (-Fraction(profits[i], weights[i]), i))
    w = [weights[i] for i in order]
    p = [profits[i] for i in order]
    if all(p[k] * w[0] == p[0] * w[k] for k in range(n)) and _bitset_fits(capacity, n):
        picked, optimal = _subset_sum(w, capacity), True
    else:
        picked, optimal = _core_search(w, p, capacity, max_states)
    return Solution(frozenset(order[k] for k in picked), optimal)


def _subset_sum(w: list[int], capacity: int) -> list[int]:
    """The positions of a subset with the largest total weight <= ``capacity``.

    A bitset of reachable totals grows item by item; to rebuild the subset only every
    k-th bitset is kept and each block of k is recomputed on the way back, so memory
    stays at about 2 x sqrt(n) bitsets for twice the work.
    """
    limit = (1 << (capacity + 1)) - 1
    block = math.isqrt(len(w)) + 1
    checkpoints = []
    reachable = 1
    n = 0
    for weight in w:
        if n % block == 0:
            checkpoints.append(reachable)
        reachable |= (reachable << weight) & limit
        n += 1
        if reachable >> capacity:
            break  # the budget is filled exactly: no later item can do better
    target = reachable.bit_length() - 1
    picked = []
    for start in range((len(checkpoints) - 1) * block, -1, -block):
        before = []
        reachable = checkpoints[start // block]
        for k in range(start, min(start + block, n)):
            before.append(reachable)
            reachable |= (reachable << w[k]) & limit
        for k in range(min(start + block, n) - 1, start - 1, -1):
            if not before[k - start] >> target & 1:
                picked.append(k)
                target -= w[k]
    return picked


def _core_search(
    w: list[int], p: list[int], capacity: int, max_states: int
) -> tuple[list[int], bool]:
    """Best selection by expanding a core around the break item (items sorted by
    ratio, best first); returns the positions chosen and whether that is proven."""
    n = len(w)
    brk = 0
    weight = profit = 0
    while weight + w[brk] <= capacity:
        weight += w[brk]
        profit += p[brk]
        brk += 1
    mask = (1 << brk) - 1
    # The greedy fill is the first lower bound.
    best_p, best_mask = _fill(w, p, capacity, weight, profit, mask, brk + 1)
    tied = _tied_fill(w, p, capacity, brk)
    if tied is not None:
        exact, tied_p, tied_mask = tied
        if exact:
            return _positions(tied_mask, n), True
        if tied_p > best_p:
            best_p, best_mask = tied_p, tied_mask
    # A state is (weight, -profit, mask): items before s are in, items after t out.
    states = [(weight, -profit, mask)]
    s, t = brk - 1, brk
    seen = 0
    while states and (s >= 0 or t < n):
        if seen > max_states:
            return _positions(best_mask, n), False
        if t < n:
            shifted = [(sw + w[t], sp - p[t], sm | 1 << t) for sw, sp, sm in states]
            t += 1
            states, best = _sweep(states, shifted, capacity, (best_p, best_mask), w, p, s, t)
            best_p, best_mask = best
            seen += len(states)
        if s >= 0 and states:
            shifted = [(sw - w[s], sp + p[s], sm & ~(1 << s)) for sw, sp, sm in states]
            s -= 1
            states, best = _sweep(shifted, states, capacity, (best_p, best_mask), w, p, s, t)
            best_p, best_mask = best
            seen += len(states)
    return _positions(best_mask, n), True


def _fill(
    w: list[int], p: list[int], capacity: int, weight: int, profit: int, mask: int, start: int
) -> tuple[int, int]:
    """Add, in order from ``start``, every item that still fits."""
    for k in range(start, len(w)):
        if weight + w[k] <= capacity:
            weight += w[k]
            profit += p[k]
            mask |= 1 << k
    return profit, mask


def _tied_fill(w: list[int], p: list[int], capacity: int, brk: int) -> tuple[bool, int, int] | None:
    """The best use of the room left by the items of a higher ratio than the break
    item, made with the items of exactly its ratio (a flat rate card makes many).

    Filling that room exactly reaches the LP bound, so it is optimal: this settles in
    one subset sum what the core search would grind through state by state. Returns
    (exact, profit, mask), or None when there is no tie or the bitset would be too big.
    """
    n = len(w)
    first = last = brk
    while first > 0 and p[first - 1] * w[brk] == p[brk] * w[first - 1]:
        first -= 1
    while last + 1 < n and p[last + 1] * w[brk] == p[brk] * w[last + 1]:
        last += 1
    room = capacity - sum(w[:first])
    if last == first or not _bitset_fits(room, last - first + 1):
        return None
    picked = [first + k for k in _subset_sum(w[first : last + 1], room)]
    weight = sum(w[:first]) + sum(w[k] for k in picked)
    profit = sum(p[:first]) + sum(p[k] for k in picked)
    mask = (1 << first) - 1
    for k in picked:
        mask |= 1 << k
    if weight == capacity:
        return True, profit, mask
    profit, mask = _fill(w, p, capacity, weight, profit, mask, last + 1)
    return False, profit, mask


def _sweep(
    low: list[tuple[int, int, int]],
    high: list[tuple[int, int, int]],
    capacity: int,
    best: tuple[int, int],
    w: list[int],
    p: list[int],
    s: int,
    t: int,
) -> tuple[list[tuple[int, int, int]], tuple[int, int]]:
    """Merge two weight-sorted state lists, keep the Pareto-optimal states, record a
    better feasible one, and drop those whose upper bound cannot beat the best."""
    merged = sorted(low + high)
    best_p, best_mask = best
    kept = []
    top = None
    for state in merged:
        profit = -state[1]
        if top is not None and profit <= top:
            continue
        top = profit
        if state[0] <= capacity and profit > best_p:
            best_p, best_mask = profit, state[2]
        kept.append(state)
    # Dembo-Hammer bound: the room left filled (or the excess removed) at the ratio of
    # the next item to add (or to remove). Profits are integers, so a state is worth
    # keeping only if its bound reaches best_p + 1.
    out = []
    need = best_p + 1
    add_w, add_p = (w[t], p[t]) if t < len(w) else (1, 0)
    rem_w, rem_p = (w[s], p[s]) if s >= 0 else (0, 1)
    for state in kept:
        weight, profit = state[0], -state[1]
        if weight <= capacity:
            if (profit - need) * add_w + (capacity - weight) * add_p >= 0:
                out.append(state)
        elif (profit - need) * rem_w - (weight - capacity) * rem_p >= 0:
            out.append(state)
    return out, (best_p, best_mask)


def _positions(mask: int, n: int) -> list[int]:
    return [k for k in range(n) if mask >> k & 1]
