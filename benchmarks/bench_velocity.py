"""Velocity and attribution benchmarks: deals/s of velocity_from_deals, touchpoints/s of
heuristic attribution, and Markov attribution over 100,000 journeys of 20 channels.
Run: ``python benchmarks/bench_velocity.py``."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from timing import best_of

import b2bfunnel as bf
from b2bfunnel.pipeline import MODELS

AS_OF = datetime(2026, 11, 23, tzinfo=UTC)
CHANNELS = [f"channel_{i:02d}" for i in range(20)]


def deals(count: int, seed: int = 1) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        created = AS_OF - timedelta(days=rng.uniform(1, 400))
        outcome = rng.choice(["won", "lost", "open", "open"])
        deal: dict[str, Any] = {
            "lead_id": f"L{i}",
            "created_at": created,
            "amount": Decimal(rng.randrange(1_000, 90_000)),
            "outcome": outcome,
            "influenced": rng.random() < 0.3,
        }
        if outcome != "open":
            deal["closed_at"] = min(AS_OF, created + timedelta(days=rng.uniform(5, 120)))
        out.append(deal)
    return out


def journeys(deal_list: list[dict[str, Any]], per_deal: int, seed: int = 2) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    touches = []
    for deal in deal_list:
        end = deal.get("closed_at", AS_OF)
        for _ in range(rng.randint(1, per_deal * 2 - 1)):
            at = end - timedelta(days=rng.uniform(0, 80))
            touches.append({"lead_id": deal["lead_id"], "at": at, "channel": rng.choice(CHANNELS)})
    return touches


def main() -> None:
    many = deals(500_000)
    seconds = best_of(3, lambda: bf.velocity_from_deals(many, as_of=AS_OF))
    print(f"velocity_from_deals(): {len(many) / seconds:,.0f} deals/s (target >= 500,000)")

    some = deals(50_000, seed=3)
    touches = journeys(some, 4)
    heuristic = [m for m in MODELS if m != "markov"]
    seconds = best_of(3, lambda: bf.attribute(touches, some, models=["linear"]))
    print(
        f"attribute(linear): {len(touches):,} touchpoints in {seconds:.2f} s = "
        f"{len(touches) / seconds:,.0f} touchpoints/s (target >= 500,000)"
    )
    seconds = best_of(1, lambda: bf.attribute(touches, some, models=heuristic))
    print(
        f"attribute(6 heuristic models at once): {len(touches) * 6 / seconds:,.0f} "
        "touchpoint-models/s"
    )

    markov_deals = deals(100_000, seed=4)
    markov_touches = journeys(markov_deals, 5)
    seconds = best_of(1, lambda: bf.attribute(markov_touches, markov_deals, models=["markov"]))
    print(
        f"attribute(markov): 100,000 journeys of {len(CHANNELS)} channels, "
        f"{len(markov_touches):,} touchpoints in {seconds:.2f} s (target < 5 s)"
    )


if __name__ == "__main__":
    main()
