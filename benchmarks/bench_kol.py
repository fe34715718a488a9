"""KOL benchmarks: kol_fit candidates/s and a 200-candidate portfolio.
Run: ``python benchmarks/bench_kol.py``."""

from __future__ import annotations

import random
import time
from decimal import Decimal

import b2bfunnel as bf

ROLES = ["cto", "ciso", "engineering_director", "developer", "marketing", "student"]
TOPICS = ["cybersecurity", "cloud", "devops", "ai", "marketing", "finance"]


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


def main() -> None:
    brief = bf.KOLBrief(
        target_roles=["cto", "ciso", "engineering_director"], topics=["cybersecurity", "cloud"]
    )
    pool = candidates(20_000)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for candidate in pool:
            bf.kol_fit(candidate, brief)
        best = min(best, time.perf_counter() - start)
    print(f"kol_fit(): {len(pool) / best:,.0f} candidates/s (target >= 100,000)")
    two_hundred = pool[:200]
    total = sum(c.cost_per_post or 0 for c in two_hundred)
    for share in (Decimal("0.1"), Decimal("0.3"), Decimal("0.5")):
        start = time.perf_counter()
        plan = bf.plan_portfolio(two_hundred, brief, total * share)
        seconds = time.perf_counter() - start
        print(
            f"plan_portfolio(): 200 candidates, budget {share:.0%} of their total cost: "
            f"{seconds * 1000:.0f} ms, {len(plan.selected)} chosen (target < 1000 ms)"
        )


if __name__ == "__main__":
    main()
