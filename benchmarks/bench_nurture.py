"""Nurture benchmarks: handle() events/s, and finding and advancing the due states
among 1,000,000 persisted ones, for this tree and a reference tree side by side.

Run: ``python benchmarks/bench_nurture.py`` (measures this checkout and, as the
reference, a ``git worktree`` of ``--base``, by default the commit before issue 11's
nurture work; each in its own subprocess, alternating, best of ``--rounds``) and
prints both figures and their ratio. ``--src DIR`` measures one source tree only;
``--leads`` and ``--states`` make a quicker run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
HERE = Path(__file__).resolve().parent
BASE = "90f6f19"  # main before issue 11's nurture changes


def measure(n_leads: int, n_states: int) -> dict[str, float]:
    """handle() events/s and due()+advance() ms with whatever ``b2bfunnel`` imports."""
    import b2bfunnel as bf
    from b2bfunnel.nurture import NurtureFlow, NurtureState, due

    flow = NurtureFlow.default()
    states = {
        f"L{i}": flow.advance(flow.enroll(f"L{i}", at=T0), as_of=T0)[0] for i in range(n_leads)
    }
    names = ["page_view", "email_open", "webinar_completed", "pricing_page_visit"]
    events = [
        bf.Event(f"L{i}", names[(i + h) % 4], T0 + timedelta(hours=h))
        for h in range(1, 21)
        for i in range(n_leads)
    ]
    start = time.perf_counter()
    for event in events:
        states[event.lead_id], _ = flow.handle(states[event.lead_id], event)
    handle_rate = len(events) / (time.perf_counter() - start)

    # Persisted states, 1% due at the benchmark's "now".
    now = T0 + timedelta(days=40)
    template = flow.enroll("L", at=T0)
    later = flow.advance(template, as_of=T0 + timedelta(days=13))[0].to_dict()  # 90-day timer
    soon = flow.enroll("L", at=now - timedelta(days=6)).to_dict()  # welcome_2 due at day 5
    rows = [
        dict(soon, lead_id=f"L{i}") if i % 100 == 0 else dict(later, lead_id=f"L{i}")
        for i in range(n_states)
    ]
    start = time.perf_counter()
    advanced = 0
    for row in due(rows, now):
        flow.advance(NurtureState.from_dict(row), as_of=now)
        advanced += 1
    due_ms = (time.perf_counter() - start) * 1000
    return {"handle": handle_rate, "due_ms": due_ms, "advanced": advanced, "events": len(events)}


def run_tree(src: Path, args: argparse.Namespace) -> dict[str, float]:
    """One measurement in a fresh interpreter importing ``b2bfunnel`` from ``src``."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--src",
        str(src),
        "--leads",
        str(args.leads),
        "--states",
        str(args.states),
        "--json",
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.strip().splitlines()[-1]))


def reference_tree(base: str) -> Path:
    """A detached ``git worktree`` of ``base`` under /tmp (made once, then reused)."""
    path = Path("/tmp") / f"b2bfunnel-bench-{base}"
    if not path.exists():
        subprocess.run(
            ["git", "-C", str(HERE), "worktree", "add", "--detach", str(path), base],
            check=True,
            capture_output=True,
        )
    return path / "src"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, help="measure this source tree only")
    parser.add_argument("--base", default=BASE, help="git commit of the reference tree")
    parser.add_argument("--leads", type=int, default=5000)
    parser.add_argument("--states", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.src is not None:
        sys.path.insert(0, str(args.src))
        figures = measure(args.leads, args.states)
        if args.json:
            print(json.dumps(figures))
            return
        print(
            f"handle(): {figures['handle']:,.0f} events/s; due()+advance(): "
            f"{figures['due_ms']:.0f} ms"
        )
        return
    trees = {"this tree": HERE.parent / "src", f"main at {args.base}": reference_tree(args.base)}
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.rounds):  # alternate, so both see the same machine load
        for name, src in trees.items():
            got = run_tree(src, args)
            old = best.get(name)
            best[name] = {
                "handle": max(got["handle"], old["handle"] if old else 0.0),
                "due_ms": min(got["due_ms"], old["due_ms"] if old else float("inf")),
                "advanced": got["advanced"],
                "events": got["events"],
            }
    mine, ref = best.values()
    for name, figures in best.items():
        print(
            f"{name:>18}: handle() {figures['handle']:>10,.0f} events/s "
            f"({figures['events']:,.0f} events; target >= 200,000); due() + advance() "
            f"{figures['due_ms']:>6.0f} ms for {figures['advanced']:,.0f} due of "
            f"{args.states:,} persisted states (target < 1000 ms)"
        )
    print(
        f"ratio this/main: handle() speed {mine['handle'] / ref['handle']:.2f}x, "
        f"due()+advance() time {mine['due_ms'] / ref['due_ms']:.2f}x "
        "(no more than 10% slower: speed >= 0.91x, time <= 1.10x)"
    )


if __name__ == "__main__":
    main()
