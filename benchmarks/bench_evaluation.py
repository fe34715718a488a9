"""Evaluation benchmarks: ``evaluate`` and ``fit_points`` side by side with ``rank()``
on the same data in the same run, and their ratios (the issue's targets: evaluate
<= 1.5x rank, naive Bayes fit <= 2x, logistic with 20 features <= 10x); then
``fit_decay`` with its default grid on the shipped sample (target < 10 s), beside a
pooled ``evaluate`` of the same cutoffs.

Run: ``python benchmarks/bench_evaluation.py``. Sizes default to 100,000 leads and
2,000,000 events; pass ``--leads`` and ``--events`` for a quicker run, or
``--decay-only`` for the sample's ``fit_decay`` alone.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import gc
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import EVENTS, event_rows, leads, outcome_rows
from timing import best_of

import b2bfunnel as bf

END = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CUTOFF = END - timedelta(days=90)
# Two profile fields whose values become learned rules: 5 sectors and 3 countries
# besides each field's most common value.
FIELDS = ("sector", "country")


def wide_model() -> bf.ScoringModel:
    """The default model plus a rule for every other event name and a company-size
    rule: with FIELDS, 20 features to fit."""
    data = bf.ScoringModel.default().to_dict()
    modelled = {rule["event"] for rule in data["implicit"]}
    for name, _weight in EVENTS:
        if name not in modelled:
            data["implicit"].append({"name": name, "event": name, "points": 5})
    data["explicit"].append(
        {"name": "large_company", "points": 10, "when": {"field": "employees", "gte": 1000}}
    )
    return bf.ScoringModel.from_dict(data)


# The shipped sample's cutoffs for fit_decay, as in docs/evaluation.md.
SAMPLE_CUTOFFS = tuple(
    datetime(2026, month, day, tzinfo=UTC) for month, day in ((6, 25), (7, 25), (8, 25), (9, 24))
)


def bench_fit_decay(runs: int) -> None:
    """``fit_decay`` (default grid: 26 decays) on the shipped sample over four cutoffs,
    beside one pooled ``evaluate`` of the same cutoffs, in CPU seconds."""
    data = files("b2bfunnel") / "data"

    def rows(name: str) -> list[dict[str, str]]:
        with (data / name).open(encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    profiles, outcomes = rows("demo_leads.csv"), rows("demo_outcomes.csv")
    events = [
        bf.Event(r["lead_id"], r["name"], datetime.fromisoformat(r["at"]),
                 {"path": r["path"]} if r["path"] else {})
        for r in rows("demo_events.csv")
    ]  # fmt: skip
    model = bf.ScoringModel.default()
    common = {"cutoffs": SAMPLE_CUTOFFS, "horizon_days": 60}
    fit = best_of(
        runs, lambda: bf.fit_decay(model, profiles, events, outcomes, **common), time.process_time
    )
    pooled = best_of(
        runs, lambda: bf.evaluate(model, profiles, events, outcomes, **common), time.process_time
    )
    print(
        f"fit_decay, default grid, shipped sample ({len(profiles)} leads, {len(events):,} "
        f"events, 4 cutoffs): {fit:.2f} s (target < 10 s); pooled evaluate {pooled:.2f} s; "
        f"ratio {fit / pooled:.1f}x for 26 decays"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=2, help="best of this many runs")
    parser.add_argument("--decay-only", action="store_true", help="time fit_decay alone")
    args = parser.parse_args()
    if args.decay_only:
        bench_fit_decay(args.runs)
        return
    profiles = leads(args.leads)
    rows = list(event_rows([p["id"] for p in profiles], args.events, end=END))
    outcomes = outcome_rows(profiles, rows, end=END)
    events = [bf.Event(*row) for row in rows]
    del rows
    print(f"{args.leads:,} leads, {args.events:,} events, {len(outcomes):,} outcomes")
    default, wide = bf.ScoringModel.default(), wide_model()
    common = {"cutoff": CUTOFF, "horizon_days": 90, "data_end": END}
    calls: dict[str, Callable[[], object]] = {
        "rank() default model": lambda: default.rank(profiles, events, as_of=CUTOFF),
        "evaluate() default model": lambda: bf.evaluate(
            default, profiles, events, outcomes, **common
        ),
        "fit_points(naive_bayes), 5 features": lambda: bf.fit_points(
            profiles, events, outcomes, **common
        ),
        "rank() 20-feature base": lambda: wide.rank(profiles, events, as_of=CUTOFF),
        "fit_points(logistic), 20 features": lambda: bf.fit_points(
            profiles, events, outcomes, base=wide, fields=FIELDS, method="logistic", **common
        ),
    }
    # As a user runs it: the loaded data stays tracked by the cyclic garbage collector,
    # whose full collections rescan millions of events during whichever call is running.
    print(f"{'':<40} {'as a user runs it':>18} {'data frozen':>12}")
    plain = {label: best_of(args.runs, fn, time.process_time) for label, fn in calls.items()}
    # Then with the loaded data frozen (gc.freeze()): what the calls themselves cost.
    gc.collect()
    gc.freeze()
    frozen = {label: best_of(args.runs, fn, time.process_time) for label, fn in calls.items()}
    gc.unfreeze()
    for label in calls:
        print(f"  {label:<38} {plain[label]:16.2f} s {frozen[label]:10.2f} s")
    rank, wide_rank = "rank() default model", "rank() 20-feature base"
    ratios = (
        ("evaluate / rank", "evaluate() default model", rank, 1.5),
        ("naive Bayes fit / rank", "fit_points(naive_bayes), 5 features", rank, 2),
        ("logistic fit / rank (wide)", "fit_points(logistic), 20 features", wide_rank, 10),
    )
    for name, top, bottom, target in ratios:
        print(
            f"{name:<28} = {plain[top] / plain[bottom]:5.2f}x as a user runs it, "
            f"{frozen[top] / frozen[bottom]:5.2f}x frozen (target <= {target:g})"
        )
    bench_fit_decay(args.runs)


if __name__ == "__main__":
    main()
