"""Portfolio planning: the most qualified reach a budget can buy, exactly."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from .._money import money
from ..errors import InvalidInputError
from ._fit import KOLFit, kol_fit
from ._model import KOLBrief, KOLCandidate, KOLConfig

STAGES = ("TOFU", "MOFU", "BOFU")


@attrs.frozen
class Portfolio:
    """The chosen candidates (by handle), what they cost and reach, their funnel mix,
    and every candidate left out with the reason."""

    selected: tuple[KOLFit, ...]
    total_cost: Decimal
    qualified_reach: float
    objective: float
    budget: Decimal
    mix: dict[str, int] = attrs.field(hash=False)
    excluded: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (money as strings)."""
        return {
            "selected": [f.handle for f in self.selected],
            "total_cost": str(self.total_cost),
            "qualified_reach": self.qualified_reach,
            "objective": self.objective,
            "budget": str(self.budget),
            "mix": dict(self.mix),
            "excluded": [{"handle": h, "reason": r} for h, r in self.excluded],
        }


def plan_portfolio(
    candidates: Iterable[KOLCandidate],
    brief: KOLBrief,
    budget: Any,
    *,
    weight_by_fit: bool = False,
    config: KOLConfig | None = None,
) -> Portfolio:
    """The selection of candidates (one post each at ``cost_per_post``) that maximises
    qualified reach, or qualified reach x fit/100 with ``weight_by_fit``, within
    ``budget``. Exact (a 0/1 knapsack over whole cents, solved on the Pareto frontier
    of cost and value with a fractional upper bound); vetoed candidates and candidates
    without a cost are never selected. Among equal-value selections the cheaper one wins.

    >>> import b2bfunnel as bf
    >>> brief = bf.KOLBrief(target_roles=["cto"])
    >>> pool = [bf.KOLCandidate("@a", 5000, {"cto": 0.8}, 200, cost_per_post=500),
    ...         bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
    ...         bf.KOLCandidate("@c", 8000, {"cto": 0.5}, 300, cost_per_post=400)]
    >>> p = bf.plan_portfolio(pool, brief, 1000)
    >>> [f.handle for f in p.selected], p.total_cost, p.qualified_reach
    (['@a', '@c'], Decimal('900'), 8000.0)
    """
    limit = money(budget, "budget")
    if not isinstance(weight_by_fit, bool):
        raise InvalidInputError(
            f"expected true or false, got {weight_by_fit!r}", path="weight_by_fit"
        )
    pool = list(candidates)
    seen: set[str] = set()
    for index, candidate in enumerate(pool):
        if not isinstance(candidate, KOLCandidate):
            raise InvalidInputError(
                f"expected a KOLCandidate, got {type(candidate).__name__}",
                path=f"candidates[{index}]",
            )
        if candidate.handle in seen:
            raise InvalidInputError(
                f"duplicate handle {candidate.handle!r}", path=f"candidates[{index}].handle"
            )
        seen.add(candidate.handle)
    fits = {c.handle: kol_fit(c, brief, config=config) for c in pool}
    costs = {c.handle: c.cost_per_post for c in pool}
    budget_cents = int(limit * 100)
    items: list[tuple[str, int, float]] = []
    excluded: list[tuple[str, str]] = []
    for handle in sorted(fits):
        fit, cost = fits[handle], costs[handle]
        value = fit.qualified_reach * (fit.score / 100 if weight_by_fit else 1.0)
        if fit.vetoed:
            excluded.append((handle, fit.reasons[0]))
        elif cost is None:
            excluded.append((handle, "no cost per post given"))
        elif value <= 0:
            excluded.append((handle, "no qualified reach"))
        elif cost * 100 > budget_cents:
            excluded.append((handle, f"costs {cost}, more than the whole budget"))
        else:
            items.append((handle, int((cost * 100).to_integral_value()), value))
    chosen = _knapsack(items, budget_cents)
    selected = tuple(fits[h] for h in sorted(chosen))
    for handle, _, _ in items:
        if handle not in chosen:
            excluded.append((handle, "not in the best selection within the budget"))
    mix = dict.fromkeys(STAGES, 0)
    for fit in selected:
        mix[fit.funnel_stage] += 1
    total_cost = sum((costs[f.handle] or Decimal(0) for f in selected), Decimal(0))
    reach = sum(f.qualified_reach for f in selected)
    objective = sum(v for h, _, v in items if h in chosen)
    return Portfolio(selected, total_cost, reach, objective, limit, mix, tuple(sorted(excluded)))


def _knapsack(items: list[tuple[str, int, float]], capacity: int) -> set[str]:
    """Exact 0/1 knapsack: the handles of a best selection (ties: lower cost)."""
    order = sorted(items, key=lambda it: (-it[2] / max(it[1], 1), it[0]))
    n = len(order)
    # suffix prefix sums for the fractional (LP) upper bound of items i.. onward
    cum_cost = [0]
    cum_value = [0.0]
    for _, cost, value in order:
        cum_cost.append(cum_cost[-1] + cost)
        cum_value.append(cum_value[-1] + value)

    def bound(i: int, room: int) -> float:
        target = cum_cost[i] + room
        k = bisect_right(cum_cost, target, lo=i) - 1  # items i..k-1 fit whole
        value = cum_value[k] - cum_value[i]
        if k < n:
            cost = order[k][1]
            value += order[k][2] * (target - cum_cost[k]) / cost if cost else order[k][2]
        return value

    # A greedy selection (by density, skipping what does not fit) is a strong first lower
    # bound, so the bound below prunes from the first item on.
    best = 0.0
    room = capacity
    for _, cost, value in order:
        if cost <= room:
            room -= cost
            best += value
    # Pareto frontier of (cost, value, chosen mask), cost ascending, value ascending.
    frontier: list[tuple[int, float, int]] = [(0, 0.0, 0)]
    for i, (_, cost, value) in enumerate(order):
        rest = i + 1
        extended = [
            (c + cost, v + value, m | (1 << i))
            for c, v, m in frontier
            if c + cost <= capacity and v + value + bound(rest, capacity - c - cost) >= best - 1e-9
        ]
        kept = [s for s in frontier if s[1] + bound(rest, capacity - s[0]) >= best - 1e-9]
        merged = sorted(kept + extended, key=lambda s: (s[0], -s[1], s[2]))
        frontier = []
        top = -1.0
        for state in merged:
            if state[1] > top:
                frontier.append(state)
                top = state[1]
        best = max(best, top)
    winner = max(frontier, key=lambda s: (s[1], -s[0], -s[2]))
    return {order[i][0] for i in range(n) if winner[2] >> i & 1}
