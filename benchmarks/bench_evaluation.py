"""Evaluation benchmarks: ``evaluate`` and ``fit_points`` side by side with ``rank()``
on the same data in the same run, and their ratios (the issue's targets: evaluate
<= 1.5x rank, naive Bayes fit <= 2x, logistic with 20 features <= 10x).

Run: ``python benchmarks/bench_evaluation.py``. Sizes default to 100,000 leads and
2,000,000 events; pass ``--leads`` and ``--events`` for a quicker run.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--runs", type=int, default=2, help="best of this many runs")
    args = parser.parse_args()
    profiles = leads(args.leads)
    rows = list(event_rows([p["id"] for p in profiles], args.events, end=END))
    outcomes = outcome_rows(profiles, rows, end=END)
    events = [bf.Event(*row) for row in rows]
    del rows
    # The data stays loaded for the whole run: freeze it, so a full garbage collection
    # (which a run triggers at random moments) does not rescan millions of events and
    # charge seconds to whichever call happens to be running.
    gc.collect()
    gc.freeze()
    print(f"{args.leads:,} leads, {args.events:,} events, {len(outcomes):,} outcomes")
    default, wide = bf.ScoringModel.default(), wide_model()
    runs = args.runs

    def timed(label: str, fn: Callable[[], object]) -> float:
        seconds = best_of(runs, fn)
        print(f"  {label:<44} {seconds:7.2f} s")
        return seconds

    common = {"cutoff": CUTOFF, "horizon_days": 90, "data_end": END}
    rank = timed("rank() default model", lambda: default.rank(profiles, events, as_of=CUTOFF))
    evaluate = timed(
        "evaluate() default model",
        lambda: bf.evaluate(default, profiles, events, outcomes, **common),
    )
    naive = timed(
        "fit_points(naive_bayes), 5 features",
        lambda: bf.fit_points(profiles, events, outcomes, **common),
    )
    rank_wide = timed("rank() 20-feature base", lambda: wide.rank(profiles, events, as_of=CUTOFF))
    fitted = bf.fit_points(
        profiles, events, outcomes, base=wide, fields=FIELDS, method="logistic", **common
    )
    logistic = timed(
        f"fit_points(logistic), {len(fitted.coefficients)} features",
        lambda: bf.fit_points(
            profiles, events, outcomes, base=wide, fields=FIELDS, method="logistic", **common
        ),
    )
    print(f"evaluate / rank             = {evaluate / rank:.2f}x (target <= 1.5)")
    print(f"naive Bayes fit / rank      = {naive / rank:.2f}x (target <= 2)")
    print(f"logistic fit / rank (wide)  = {logistic / rank_wide:.2f}x (target <= 10)")


if __name__ == "__main__":
    main()
