"""KOL and NPS benchmarks against an earlier commit, side by side: each figure is taken
from this checkout and from a git worktree of REV (default 90f6f19, the main commit
before issue 12) in alternating subprocesses, and the ratio is printed (this machine is
shared: ratios matter, absolute times are noisy).

Run: ``python benchmarks/bench_kol_nps_vs.py [REV]``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from timing import base_tree

ROOT = Path(__file__).resolve().parent.parent

SETUP = """
import random, sys, time
sys.path.insert(0, sys.argv[1])
import b2bfunnel as bf
assert bf.__file__.startswith(sys.argv[1]), bf.__file__

def best(runs, fn):
    out = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - start)
    return out

ROLES = ["cto", "ciso", "engineering_director", "developer", "marketing", "student"]
TOPICS = ["cybersecurity", "cloud", "devops", "ai", "marketing", "finance"]
rng = random.Random(9)
pool = []
for i in range(20_000):
    followers = int(10 ** rng.uniform(3, 6.3))
    shares = [rng.random() for _ in ROLES]
    scale = rng.uniform(0.5, 1.0) / sum(shares)
    pool.append(bf.KOLCandidate(
        f"@kol{i:04d}", followers, {r: s * scale for r, s in zip(ROLES, shares)},
        avg_interactions=followers * rng.uniform(0.003, 0.08), topics=rng.sample(TOPICS, 2),
        risk_flags=["provocative_tone"] if rng.random() < 0.1 else [],
        cost_per_post=round(followers * rng.uniform(0.01, 0.1)) + 50,
        vetting_days=rng.choice([365, 730, 900])))
brief = bf.KOLBrief(target_roles=["cto", "ciso", "engineering_director"],
                    topics=["cybersecurity", "cloud"])
"""

# name, unit, snippet printing one number (higher is better when unit ends in "/s")
MEASURES = (
    ("kol_fit, results kept", "candidates/s",
     "print(len(pool) / best(3, lambda: [bf.kol_fit(c, brief) for c in pool]))"),
    ("plan_portfolio, 200 candidates, budgets 10/30/50%", "ms",
     "two = pool[:200]; total = sum(c.cost_per_post for c in two)\n"
     "print(1000 * best(3, lambda: [bf.plan_portfolio(two, brief, total * s / 10)"
     " for s in (1, 3, 5)]))"),
    ("nps(), 1,000,000 scores", "responses/s",
     "scores = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 4, 8, 12, 14, 10], k=10**6)\n"
     "print(10**6 / best(5, lambda: bf.nps(scores)))"),
    ("nps_report by sector and quarter, 200,000 responses", "ms",
     "from datetime import UTC, datetime, timedelta\n"
     "t0 = datetime(2025, 1, 1, tzinfo=UTC)\n"
     "rs = [bf.Response(rng.randrange(11), t0 + timedelta(minutes=rng.randrange(10**6)),"
     " {'sector': rng.choice(['saas', 'consulting', 'finance'])}) for _ in range(200_000)]\n"
     "print(1000 * best(3, lambda: bf.nps_report(rs, by='sector', period='quarter')))"),
)  # fmt: skip


def _run(snippet: str, src: Path) -> float:
    done = subprocess.run([sys.executable, "-c", SETUP + snippet, str(src)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    return float(done.stdout.split()[-1])


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "90f6f19"
    base, head = base_tree(rev), ROOT / "src"
    print(f"this checkout vs {rev}, best of 3 alternating runs each")
    for name, unit, snippet in MEASURES:
        figures: dict[Path, float] = {}
        for _ in range(3):
            for src in (base, head):
                value = _run(snippet, src)
                better = max if unit.endswith("/s") else min
                figures[src] = better(figures.get(src, value), value)
        ratio = figures[head] / figures[base]
        speed = ratio if unit.endswith("/s") else 1 / ratio
        print(f"{name}: {figures[head]:,.0f} vs {figures[base]:,.0f} {unit} "
              f"(this checkout is {speed:.2f}x the speed of {rev}; target >= 0.90)")  # fmt: skip


if __name__ == "__main__":
    main()
