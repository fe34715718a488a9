"""Qualification benchmark: answer sets per second with the default policy.
Run: ``python benchmarks/bench_qualification.py``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import random
import time

import b2bfunnel as bf

VALUES = {c.name: [None, *c.values] for c in bf.QualificationPolicy.default().criteria}


def main() -> None:
    rng = random.Random(3)
    answer_sets = [{k: rng.choice(v) for k, v in VALUES.items()} for _ in range(200_000)]
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for answers in answer_sets:
            bf.qualify(answers)
        best = min(best, time.perf_counter() - start)
    rate = len(answer_sets) / best
    print(
        f"qualify(): {len(answer_sets):,} answer sets in {best * 1000:.0f} ms = "
        f"{rate:,.0f} answer sets/s (target >= 300,000)"
    )


if __name__ == "__main__":
    main()
