"""Scoring benchmarks: prints events/s for rank(), µs per incremental event, bytes per
persisted state, import time and demo time. Run: ``python benchmarks/bench_scoring.py``.

Sizes default to the issue's targets (100,000 leads, 2,000,000 events); pass
``--leads`` and ``--events`` for a quicker run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import event_rows, leads
from timing import best_of

import b2bfunnel as bf

AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def bench_rank(n_leads: int, n_events: int) -> None:
    profiles = leads(n_leads)
    ids = [p["id"] for p in profiles]
    events = [bf.Event(i, n, at, p) for i, n, at, p in event_rows(ids, n_events, end=AS_OF)]
    model = bf.ScoringModel.default()
    seconds = best_of(3, lambda: model.rank(profiles, events, as_of=AS_OF))
    print(
        f"rank(): {n_leads:,} leads, {n_events:,} events in {seconds:.2f} s "
        f"= {n_events / seconds:,.0f} events/s (target >= 1,000,000)"
    )

    by_lead: dict[str, list[bf.Event]] = {}
    for event in events:
        by_lead.setdefault(event.lead_id, []).append(event)
    sample = ids[: min(20_000, n_leads)]
    states = {i: model.new_state(i, profiles[k]) for k, i in enumerate(sample)}
    single = [e for i in sample for e in by_lead.get(i, [])]

    def one_by_one() -> None:
        for event in single:
            states[event.lead_id] = model.ingest(states[event.lead_id], event)

    seconds = best_of(1, one_by_one)
    print(
        f"ingest(): {len(single):,} events one call each: "
        f"{seconds / len(single) * 1e6:.2f} µs/event (target <= 2 µs)"
    )
    sizes = [len(json.dumps(s.to_dict(), separators=(",", ":")).encode()) for s in states.values()]
    print(
        f"state: {statistics.mean(sizes):.0f} bytes/lead mean, {max(sizes)} max "
        "as compact JSON (target <= 300)"
    )


def bench_startup() -> None:
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import b2bfunnel"], check=True)
        runs.append(time.perf_counter() - start)
    print(f"python -c 'import b2bfunnel': {min(runs) * 1000:.0f} ms (target < 150 ms)")
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "b2bfunnel", "demo"], check=True, stdout=subprocess.DEVNULL
        )
        runs.append(time.perf_counter() - start)
    print(f"b2bfunnel demo: {min(runs) * 1000:.0f} ms (target < 1000 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    args = parser.parse_args()
    bench_rank(args.leads, args.events)
    bench_startup()


if __name__ == "__main__":
    main()
