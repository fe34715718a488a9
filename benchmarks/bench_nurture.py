"""Nurture benchmarks: handle() events/s, and finding and advancing the due states
among 1,000,000 persisted ones, for this tree and reference trees side by side.

Run: ``python benchmarks/bench_nurture.py`` (measures this checkout and, as the
references, ``git worktree``s of ``--base``, by default the commit before issue 11's
nurture work, and of ``--today``, by default where this branch left ``main``; each in
its own subprocess, alternating, best of ``--rounds``) and prints the figures and
their ratios. In this tree it also measures the same work with contact pressure and
a split (issue 23: a flow with ``max_sends``, ``min_gap_hours`` and a three-arm split,
each call given the lead's ``Pressure``; target: no more than 1.2x today's time).
``--src DIR`` measures one source tree only; ``--leads`` and ``--states`` make a
quicker run.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
HERE = Path(__file__).resolve().parent
BASE = "90f6f19"  # main before issue 11's nurture changes
TODAY = "23b8bb5"  # main before issue 23 (splits and contact pressure)


def measure(n_leads: int, n_states: int) -> dict[str, float]:
    """handle() events/s and due()+advance() ms with whatever ``b2bfunnel`` imports;
    where the tree has contact pressure, the same with pressure and a split."""
    from b2bfunnel.nurture import NurtureFlow

    figures = _measure(NurtureFlow.default(), n_leads, n_states, limited=False)
    if hasattr(NurtureFlow, "arm"):
        limited = NurtureFlow.from_dict(LIMITED)
        more = _measure(limited, n_leads, n_states, limited=True)
        figures.update({"handle_limited": more["handle"], "due_ms_limited": more["due_ms"]})
    return figures


LIMITED = {
    "name": "bench",
    "templates": [
        "welcome_1", "welcome_1b", "welcome_2", "welcome_3", "demo_booking",
        "reactivation_1", "reactivation_2", "quarterly_update",
    ],
    "max_sends": {"per_days": 7, "count": 2},
    "min_gap_hours": 20,
    "splits": [
        {
            "name": "welcome_test",
            "status": "nurturing",
            "arms": {
                "A": {"weight": 45},
                "B": {"weight": 45, "templates": {"welcome_1": "welcome_1b"}},
                "control": {"weight": 10, "holdout": True},
            },
        }
    ],
}  # fmt: skip


def _measure(flow: Any, n_leads: int, n_states: int, *, limited: bool) -> dict[str, float]:
    import b2bfunnel as bf
    from b2bfunnel.nurture import NurtureState, due

    if limited:
        from b2bfunnel.nurture import Pressure

        past = Pressure.of([T0 - timedelta(days=2), T0 - timedelta(days=1)])
    pressures = {f"L{i}": past for i in range(n_leads)} if limited else {}
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
    if limited:
        for event in events:
            lead = event.lead_id
            pressure = pressures[lead]
            states[lead], done = flow.handle(states[lead], event, pressure=pressure)
            if done:
                pressures[lead] = pressure.record(done)
    else:
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
        if limited:
            flow.advance(NurtureState.from_dict(row), as_of=now, pressure=past)
        else:
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
    parser.add_argument("--today", default=TODAY, help="git commit of today's main")
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
    trees = {
        "this tree": HERE.parent / "src",
        f"main at {args.base}": reference_tree(args.base),
        f"main at {args.today}": reference_tree(args.today),
    }
    best: dict[str, dict[str, float]] = {}
    for _ in range(args.rounds):  # alternate, so both see the same machine load
        for name, src in trees.items():
            got = run_tree(src, args)
            old = best.get(name)
            best[name] = {
                key: (max if key.startswith("handle") else min)(value, old[key] if old else value)
                for key, value in got.items()
            }
    mine, ref, today = best.values()
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
    print(
        f"with pressure and a split (this tree): handle() {mine['handle_limited']:,.0f} "
        f"events/s, due() + advance() {mine['due_ms_limited']:.0f} ms"
    )
    print(
        f"ratio with pressure and a split / main at {args.today} (today): handle() time "
        f"{today['handle'] / mine['handle_limited']:.2f}x, due()+advance() time "
        f"{mine['due_ms_limited'] / today['due_ms']:.2f}x (target <= 1.2x); against this "
        f"tree without them: {mine['handle'] / mine['handle_limited']:.2f}x, "
        f"{mine['due_ms_limited'] / mine['due_ms']:.2f}x"
    )


if __name__ == "__main__":
    main()
