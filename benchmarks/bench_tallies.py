"""Mergeable tallies against the single-process figures, in the same process run.

For velocity (deals), the funnel (lifecycle records, with timestamps to the second and
with whole-day dates) and the Markov model (touches and deals): the rows split into 8
partitions, one tally per partition, merged and finished, against the single call on
all the rows. Prints rows/s of each way, their ratio, and the pickled bytes of one
partition's tally (what an engine ships to the driver), and checks the figures agree.

Run: ``python benchmarks/bench_tallies.py`` (``--scale 0.1`` for a quicker run).

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial, reduce
from typing import Any

from bench_velocity import AS_OF, deals, journeys, lifecycle
from timing import best_of as wall_best_of

import b2bfunnel as bf

best_of = partial(wall_best_of, clock=time.process_time)
PARTS = 8


def _whole_days(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with every time at midnight, as CRM date fields hold them."""

    def day(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.replace(hour=0, minute=0, second=0, microsecond=0)
        return value

    return [{k: day(v) for k, v in r.items()} for r in records]


def _split(rows: list[dict[str, Any]], by_lead: bool) -> list[list[dict[str, Any]]]:
    parts: list[list[dict[str, Any]]] = [[] for _ in range(PARTS)]
    for i, row in enumerate(rows):
        parts[hash(row["lead_id"]) % PARTS if by_lead else i % PARTS].append(row)
    return parts


def _row(name: str, rows: int, whole: float, tallied: float, size: int) -> None:
    print(
        f"{name:<28} {rows:>9,} rows  single {rows / whole:>10,.0f}/s  tallies "
        f"{rows / tallied:>10,.0f}/s  ratio {whole / tallied:5.2f}  "
        f"one tally {size:>9,} bytes"
    )


def _compare(
    name: str,
    rows: int,
    single: Callable[[], Any],
    tallies: Callable[[], list[Any]],
    finish: Callable[[Any], Any],
) -> None:
    parts = tallies()
    assert finish(reduce(lambda a, b: a.merge(b), parts)) == single(), name
    whole = best_of(3, single)
    tallied = best_of(3, lambda: finish(reduce(lambda a, b: a.merge(b), tallies())))
    _row(name, rows, whole, tallied, len(pickle.dumps(parts[0])))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    scale = parser.parse_args().scale
    print(f"{PARTS} partitions; CPU seconds, best of 3; ratio = single time / tally time")

    deal_rows = deals(int(200_000 * scale))
    deal_parts = _split(deal_rows, by_lead=False)
    _compare(
        "velocity (deals)",
        len(deal_rows),
        lambda: bf.velocity_from_deals(deal_rows, as_of=AS_OF, window=365),
        lambda: [bf.VelocityTally.of(p, as_of=AS_OF, window=365) for p in deal_parts],
        lambda t: t.report(),
    )

    for label, records in (
        ("funnel (times to the second)", lifecycle(int(200_000 * scale))),
        ("funnel (whole days)", _whole_days(lifecycle(int(200_000 * scale)))),
    ):
        record_parts = [records[i::PARTS] for i in range(PARTS)]
        _compare(
            label,
            len(records),
            partial(bf.funnel_metrics, records),
            lambda parts=record_parts: [bf.FunnelTally.of(p) for p in parts],
            lambda t: t.metrics(),
        )

    journey_deals = deals(int(20_000 * scale), seed=3)
    touches = journeys(journey_deals, per_deal=5)
    touch_parts = _split(touches, by_lead=True)
    deal_parts = _split(journey_deals, by_lead=True)
    as_of = AS_OF + timedelta(days=1)
    _compare(
        "markov (touches)",
        len(touches),
        lambda: (
            bf.attribute(touches, journey_deals, models=["markov"], as_of=as_of).removal_effects
        ),
        lambda: [
            bf.PathCounts.from_touches(t, d, as_of=as_of)
            for t, d in zip(touch_parts, deal_parts, strict=True)
        ],
        lambda t: t.removal_effects(),
    )


if __name__ == "__main__":
    main()
