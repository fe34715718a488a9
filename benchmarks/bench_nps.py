"""NPS benchmarks: responses/s of nps() with validation, and a segment x quarter report
of 1,000,000 responses. Run: ``python benchmarks/bench_nps.py``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from timing import best_of

import b2bfunnel as bf


def main() -> None:
    rng = random.Random(5)
    n = 1_000_000
    scores = rng.choices(range(11), weights=[2, 1, 1, 2, 2, 3, 4, 8, 12, 14, 10], k=n)
    seconds = best_of(5, lambda: bf.nps(scores))
    print(
        f"nps(): {n:,} scores in {seconds * 1000:.0f} ms = {n / seconds:,.0f} responses/s "
        "(target >= 3,000,000)"
    )

    start = datetime(2025, 1, 1, tzinfo=UTC)
    sectors = ["saas", "consulting", "financial_services", "manufacturing"]
    responses = [
        bf.Response(
            s,
            start + timedelta(minutes=rng.randrange(60 * 24 * 700)),
            {"sector": rng.choice(sectors)},
        )
        for s in scores
    ]
    seconds = best_of(3, lambda: bf.nps_report(responses, by="sector", period="quarter"))
    report = bf.nps_report(responses, by="sector", period="quarter")
    print(
        f"nps_report(by sector, quarter): {n:,} responses, {len(report.cells)} cells in "
        f"{seconds * 1000:.0f} ms (target < 2000 ms)"
    )


if __name__ == "__main__":
    main()
