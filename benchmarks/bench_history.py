"""History benchmark: ``ScoringModel.history`` of one lead over a year by day, with
1,000 events, against one ``score()`` per step on the same data in the same run
(the ratio is printed). Target: under 10 ms, also for the default model with 3 named
scores (and with one of them given its own decay). Also the time of ``changes()``
over the same year, and of ``changes()`` of a lead with a few events a year (long idle
spans, where decay crossings are found in closed form) against the same sweep finding
every crossing by bisection (``--sparse N`` events, default 12).

Run: ``python benchmarks/bench_history.py [--events N] [--rounds N]``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from timing import best_of  # noqa: E402  (found through the lines above)

import b2bfunnel as bf  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)
NAMES = ("pricing_page_visit", "webinar_completed", "case_study_download", "page_view")
# name, the model's [scoring] data
MODELS = (
    ("default (inactivity)", {}),
    ("half_life", {"decay": {"kind": "half_life", "half_life_days": 30}}),
    (
        "windows and caps",
        {
            "decay": {"kind": "none"},
            "implicit": [
                {
                    "name": "visit",
                    "event": "pricing_page_visit",
                    "points": 5,
                    "within_days": 30,
                    "max_per_day": 2,
                },
                {"name": "webinar", "event": "webinar_completed", "points": 20, "max_per_week": 1},
            ],
        },
    ),
)

# The default model's rules in 3 named scores (a rule in two of them), as bench_scoring.
NAMED: dict[str, Any] = {
    "product_a": {"rules": ["pricing_page_visit", "webinar_completed"], "hot_threshold": 30},
    "product_b": {
        "rules": ["case_study_download", "email_case_study_click", "it_leader_at_large_company"]
    },
    "engagement": {
        "rules": [
            "pricing_page_visit",
            "case_study_download",
            "webinar_completed",
            "email_case_study_click",
        ],
        "hot_threshold": 50,
    },
}
MODELS += (
    ("3 named scores", {"scores": NAMED}),
    (
        "3 named, 1 own decay",
        {
            "scores": {
                **NAMED,
                "engagement": {
                    **NAMED["engagement"],
                    "decay": {"kind": "half_life", "half_life_days": 30},
                },
            }
        },
    ),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sparse", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(7)
    events = [
        bf.Event("L1", rng.choice(NAMES), START + timedelta(seconds=rng.randrange(365 * 86_400)))
        for _ in range(args.events)
    ]
    profile = {"id": "L1", "job_title": "CTO", "employees": 900}
    end = START + timedelta(days=365)
    print(f"history of one lead, {args.events:,} events, 366 daily steps (best of {args.rounds})")
    for label, config in MODELS:
        model = bf.ScoringModel.from_dict(config)
        steps = [START + timedelta(days=k) for k in range(366)]
        sweep = best_of(
            args.rounds, lambda m=model: m.history(profile, events, start=START, end=end)
        )
        each = best_of(
            max(1, args.rounds // 2),
            lambda m=model, steps=steps: [m.score(profile, events, as_of=at) for at in steps],
        )
        found = best_of(args.rounds, lambda m=model: m.changes(profile, events, end=end))
        count = len(model.changes(profile, events, end=end))
        print(
            f"  {label:22} history {sweep * 1e3:7.2f} ms   one score() per step "
            f"{each * 1e3:8.1f} ms   ratio {each / sweep:6.1f}x   "
            f"changes() {found * 1e3:6.1f} ms ({count} changes)"
        )

    sparse(args.sparse, args.rounds, profile, end)


def sparse(n_events: int, rounds: int, profile: dict[str, object], end: datetime) -> None:
    """``changes()`` of a lead with ``n_events`` a year: closed forms against bisection."""
    from b2bfunnel.scoring import _history

    rng = random.Random(11)
    events = [
        bf.Event(
            "L1", rng.choice(NAMES[:3]), START + timedelta(seconds=rng.randrange(365 * 86_400))
        )
        for _ in range(n_events)
    ]
    print(f"changes() of one lead, {n_events} events over a year (best of {rounds})")
    for label, config in (
        ("default (inactivity)", {}),
        ("linear", {"decay": {"kind": "linear", "points_per_day": 2, "grace_days": 7}}),
        ("stepwise", {"decay": {"kind": "stepwise", "every_days": 7, "points": 5}}),
        ("expiry", {"decay": {"kind": "expiry", "days": 45}}),
    ):
        engine = bf.ScoringModel.from_dict(config)._engine
        timed = {
            closed: best_of(
                rounds,
                lambda c=closed, e=engine: _history.changes(e, profile, events, None, end, c),
            )
            for closed in (True, False)
        }
        count = len(_history.changes(engine, profile, events, None, end))
        print(
            f"  {label:22} closed form {timed[True] * 1e3:6.2f} ms   bisection "
            f"{timed[False] * 1e3:6.2f} ms   ratio {timed[False] / timed[True]:5.1f}x "
            f"({count} changes)"
        )


if __name__ == "__main__":
    main()
