"""DataFrame reading before and after the one reading layer: ``Funnel.rank`` on a
profiles DataFrame, ``velocity_from_deals`` on a deals DataFrame and ``nps_report`` on
a responses DataFrame, each timed in this checkout and in a git worktree of ``--base``
(default ``main``), alternating, in fresh processes; the median of ``--rounds`` (5) and
the ratio after/before. Times are CPU seconds of the call (``time.process_time``).
Run: ``python benchmarks/bench_reading_frames.py --base 23b8bb5``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import ROOT, base_tree

AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CASES = ("rank", "velocity_from_deals", "nps_report")


def _frames(rows: int) -> dict[str, Any]:
    """The same deterministic DataFrames for both versions."""
    import pandas as pd

    start = AS_OF - timedelta(days=400)
    ids = [f"L{i:07d}" for i in range(rows)]
    profiles = pd.DataFrame(
        {
            "id": ids,
            "job_title": ["CIO" if i % 7 == 0 else "Analyst" for i in range(rows)],
            "employees": [(i * 37) % 3000 for i in range(rows)],
            "country": ["ES" if i % 3 else "US" for i in range(rows)],
        }
    )
    created = [start + timedelta(hours=i % 5000) for i in range(rows)]
    outcomes = ["won" if i % 3 == 0 else "lost" if i % 3 == 1 else "open" for i in range(rows)]
    deals = pd.DataFrame(
        {
            "created_at": pd.to_datetime(created, utc=True),
            "closed_at": pd.to_datetime(
                [c + timedelta(days=20 + i % 60) if o != "open" else None
                 for i, (c, o) in enumerate(zip(created, outcomes, strict=True))],
                utc=True,
            ),
            "amount": [1000.0 + i % 900 for i in range(rows)],
            "outcome": outcomes,
        }
    )  # fmt: skip
    responses = pd.DataFrame(
        {
            "score": [i % 11 for i in range(rows)],
            "at": pd.to_datetime(created, utc=True),
            "sector": ["saas" if i % 2 else "retail" for i in range(rows)],
        }
    )
    return {"profiles": profiles, "deals": deals, "responses": responses}


def worker(rows: int) -> None:
    """Time each case once in this process (its b2bfunnel on PYTHONPATH); print JSON."""
    import b2bfunnel as bf

    data = _frames(rows)
    funnel = bf.Funnel()
    calls = {
        "rank": lambda: funnel.rank(data["profiles"], [], as_of=AS_OF),
        "velocity_from_deals": lambda: bf.velocity_from_deals(data["deals"], as_of=AS_OF),
        "nps_report": lambda: bf.nps_report(data["responses"], by="sector"),
    }
    out = {}
    for name, call in calls.items():
        begin = time.process_time()  # CPU time: less disturbed by a busy machine
        call()
        out[name] = time.process_time() - begin
    print(json.dumps(out))


def _run(src: Path, rows: int) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, __file__, "--worker", "--rows", str(rows)],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base", default="main")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.rows)
        return
    trees = {"before": base_tree(args.base), "after": ROOT / "src"}
    times: dict[str, dict[str, list[float]]] = {k: {c: [] for c in CASES} for k in trees}
    for _ in range(args.rounds):
        for version, src in trees.items():
            for case, seconds in _run(src, args.rows).items():
                times[version][case].append(seconds)
    print(f"{args.rows:,} rows, median of {args.rounds} (before = {args.base})")
    for case in CASES:
        before = statistics.median(times["before"][case])
        after = statistics.median(times["after"][case])
        print(f"{case:>20}: before {before:.3f} s, after {after:.3f} s, "
              f"ratio {after / before:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
