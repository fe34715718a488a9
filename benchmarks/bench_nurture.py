"""Nurture benchmarks: handle() events/s, and finding and advancing the due states
among 1,000,000 persisted ones. Run: ``python benchmarks/bench_nurture.py``."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import b2bfunnel as bf
from b2bfunnel.nurture import NurtureFlow, NurtureState, due

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def main() -> None:
    flow = NurtureFlow.default()
    states = {f"L{i}": flow.advance(flow.enroll(f"L{i}", at=T0), as_of=T0)[0] for i in range(5000)}
    names = ["page_view", "email_open", "webinar_completed", "pricing_page_visit"]
    events = [
        bf.Event(f"L{i}", names[(i + h) % 4], T0 + timedelta(hours=h))
        for h in range(1, 21)
        for i in range(5000)
    ]
    start = time.perf_counter()
    for event in events:
        states[event.lead_id], _ = flow.handle(states[event.lead_id], event)
    seconds = time.perf_counter() - start
    print(f"handle(): {len(events) / seconds:,.0f} events/s (target >= 200,000)")

    # 1,000,000 persisted states, 1% due at the benchmark's "now".
    now = T0 + timedelta(days=40)
    template = flow.enroll("L", at=T0)
    due_state = flow.advance(template, as_of=T0 + timedelta(days=13))[0]  # next: 90-day timer
    later = due_state.to_dict()
    soon = flow.enroll("L", at=now - timedelta(days=6)).to_dict()  # welcome_2 due at day 5
    rows = [
        dict(soon, lead_id=f"L{i}") if i % 100 == 0 else dict(later, lead_id=f"L{i}")
        for i in range(1_000_000)
    ]
    start = time.perf_counter()
    advanced = 0
    for row in due(rows, now):
        _state, _ = flow.advance(NurtureState.from_dict(row), as_of=now)
        advanced += 1
    seconds = time.perf_counter() - start
    print(
        f"due() + advance(): {advanced:,} of {len(rows):,} persisted states due, found and "
        f"advanced in {seconds * 1000:.0f} ms (target < 1000 ms)"
    )


if __name__ == "__main__":
    main()
