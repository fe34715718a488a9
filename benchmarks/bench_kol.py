"""KOL benchmarks: kol_fit candidates/s (results kept) and 200-candidate portfolios under
six price structures. Run: ``python benchmarks/bench_kol.py``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from decimal import Decimal

import b2bfunnel as bf

ROLES = ["cto", "ciso", "engineering_director", "developer", "marketing", "student"]
TOPICS = ["cybersecurity", "cloud", "devops", "ai", "marketing", "finance"]
PORTFOLIO_BRIEF = bf.KOLBrief(target_roles=["cto"])


def candidates(count: int, seed: int = 9) -> list[bf.KOLCandidate]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        followers = int(10 ** rng.uniform(3, 6.3))
        shares = [rng.random() for _ in ROLES]
        scale = rng.uniform(0.5, 1.0) / sum(shares)
        out.append(
            bf.KOLCandidate(
                f"@kol{i:04d}",
                followers,
                {r: s * scale for r, s in zip(ROLES, shares, strict=True)},
                avg_interactions=followers * rng.uniform(0.003, 0.08),
                topics=rng.sample(TOPICS, 2),
                risk_flags=["provocative_tone"] if rng.random() < 0.1 else [],
                cost_per_post=round(followers * rng.uniform(0.01, 0.1)) + 50,
                vetting_days=rng.choice([365, 730, 900]),
            )
        )
    return out


def _pool(
    count: int, seed: int, draw: Callable[[random.Random], tuple[int, float, Decimal]]
) -> list[bf.KOLCandidate]:
    """``count`` candidates whose (followers, CTO share, cost) come from ``draw``."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        followers, share, cost = draw(rng)
        out.append(bf.KOLCandidate(f"@k{i:03d}", followers, {"cto": share}, followers * 0.03,
                                   cost_per_post=cost))  # fmt: skip
    return out


def _uncorrelated(rng: random.Random) -> tuple[int, float, Decimal]:
    return int(10 ** rng.uniform(3, 6)), rng.uniform(0.05, 0.9), Decimal(rng.randint(50, 5000))


def _flat_rate(rng: random.Random) -> tuple[int, float, Decimal]:
    followers = int(10 ** rng.uniform(3, 6))
    return followers, rng.uniform(0.05, 0.9), Decimal(followers * 5) / 100


def _equal_ratio(rng: random.Random) -> tuple[int, float, Decimal]:
    followers = int(10 ** rng.uniform(3, 6))
    return followers, 0.5, Decimal(followers * 5) / 100


def _correlated(rng: random.Random) -> tuple[int, float, Decimal]:
    cost = rng.randint(100, 1000)
    return 2 * (10 * cost + 1000), 0.5, Decimal(cost)


def _with_free(rng: random.Random) -> tuple[int, float, Decimal]:
    followers, share, cost = _uncorrelated(rng)
    return followers, share, Decimal(0) if rng.random() < 0.25 else cost


def _sub_unit(rng: random.Random) -> tuple[int, float, Decimal]:
    return (
        int(10 ** rng.uniform(3, 5)),
        rng.uniform(0.05, 0.9),
        Decimal(rng.randint(1, 2000)) / 1000,
    )


# Name, how prices are drawn (state the ranges: they decide how hard the search is).
Draw = Callable[[random.Random], tuple[int, float, Decimal]]
PRICE_STRUCTURES: tuple[tuple[str, str, Draw], ...] = (
    ("uncorrelated", "cost $50-5,000 whole dollars, independent of 1k-1M followers", _uncorrelated),
    ("flat rate card", "$50 per 1,000 followers (to the cent), audience shares 5-90%", _flat_rate),
    ("equal ratio", "$50 per 1,000 followers, every audience share 50% (subset sum)", _equal_ratio),
    ("strongly correlated", "cost $100-1,000, qualified reach = 10 x cost + 1,000", _correlated),
    ("with free items", "as uncorrelated, a quarter of the candidates free", _with_free),
    ("sub-unit costs", "cost $0.001-2.000 (fractions of a cent), 1k-100k followers", _sub_unit),
)  # fmt: skip


def main() -> None:
    brief = bf.KOLBrief(
        target_roles=["cto", "ciso", "engineering_director"], topics=["cybersecurity", "cloud"]
    )
    pool = candidates(20_000)
    best = float("inf")
    kept: list[bf.KOLFit] = []
    for _ in range(3):
        start = time.perf_counter()
        kept = [bf.kol_fit(candidate, brief) for candidate in pool]
        best = min(best, time.perf_counter() - start)
    print(
        f"kol_fit(): {len(pool) / best:,.0f} candidates/s, {len(kept):,} results kept "
        "(target >= 100,000)"
    )
    print(
        "plan_portfolio(), 200 candidates, budget 10/30/50% of their total cost (target < 1000 ms):"
    )
    for name, ranges, draw in PRICE_STRUCTURES:
        two_hundred = _pool(200, 13, draw)
        total = sum(c.cost_per_post or 0 for c in two_hundred)
        figures = []
        for share in (Decimal("0.1"), Decimal("0.3"), Decimal("0.5")):
            start = time.perf_counter()
            plan = bf.plan_portfolio(two_hundred, PORTFOLIO_BRIEF, total * share)
            seconds = time.perf_counter() - start
            proven = "exact" if plan.optimal else f"gap {plan.gap:,.0f}"
            figures.append(f"{seconds * 1000:.0f} ms ({len(plan.selected)} chosen, {proven})")
        print(f"  {name} [{ranges}]: " + "; ".join(figures))


if __name__ == "__main__":
    main()
