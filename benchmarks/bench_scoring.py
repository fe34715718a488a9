"""Scoring benchmarks, side by side with an earlier commit: rank() events/s, µs per
incremental event, bytes per persisted state, one lead's 20,000 expiry events ingested
one at a time, then import and demo time. ``--features``: issue 22's options (windows
and caps, resets, 3 named scores) against the default model's rank() in one run.

Each figure is measured in alternating subprocesses on this checkout and on a git
worktree of REV (default 90f6f19, main before issue 11), and the ratio is printed
(this machine is shared: ratios matter, absolute times are noisy).

Run: ``python benchmarks/bench_scoring.py [--vs REV | --vs none] [--leads N]
[--events N] [--rounds N]``. Sizes default to the targets (100,000 leads, 2,000,000
events).

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from timing import base_tree  # noqa: E402  (found through the line above)

AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
EXPIRY_EVENTS = 20_000
# name, unit, whether higher is better
FIGURES = (
    ("rank", "events/s", True),
    ("ingest", "µs/event", False),
    ("state", "bytes/lead (mean, JSON)", False),
    ("expiry", f"ms for one lead's {EXPIRY_EVENTS:,} expiry events", False),
)


def measure(n_leads: int, n_events: int) -> dict[str, float]:
    """Every figure, with whichever ``b2bfunnel`` is first on ``sys.path``."""
    from synth import event_rows, leads
    from timing import best_of

    import b2bfunnel as bf

    profiles = leads(n_leads)
    ids = [p["id"] for p in profiles]
    events = [bf.Event(i, n, at, p) for i, n, at, p in event_rows(ids, n_events, end=AS_OF)]
    model = bf.ScoringModel.default()
    out = {"rank": n_events / best_of(3, lambda: model.rank(profiles, events, as_of=AS_OF))}

    by_lead: dict[str, list[Any]] = {}
    for event in events:
        by_lead.setdefault(event.lead_id, []).append(event)
    sample = ids[: min(20_000, n_leads)]
    single = [e for i in sample for e in by_lead.get(i, [])]
    states: dict[str, Any] = {}

    def one_by_one() -> None:
        states.update({i: model.new_state(i, profiles[k]) for k, i in enumerate(sample)})
        for event in single:
            states[event.lead_id] = model.ingest(states[event.lead_id], event)

    out["ingest"] = best_of(3, one_by_one) / len(single) * 1e6
    sizes = [len(json.dumps(s.to_dict(), separators=(",", ":"))) for s in states.values()]
    out["state"] = statistics.mean(sizes)

    expiry = bf.ScoringModel.from_dict({"decay": {"kind": "expiry", "days": 90}})
    start = AS_OF - timedelta(days=60)
    stream = [
        bf.Event("X", "pricing_page_visit", start + timedelta(minutes=3 * k))
        for k in range(EXPIRY_EVENTS)
    ]

    def expiry_lead() -> None:
        state = expiry.new_state("X")
        for event in stream:
            state = expiry.ingest(state, event)

    out["expiry"] = best_of(1, expiry_lead) * 1000
    return out


def _windowed_config() -> dict[str, Any]:
    """The default model with a window and caps per day and week on every behaviour rule."""
    import b2bfunnel as bf

    data = bf.ScoringModel.default().to_dict()
    for rule in data["implicit"]:
        rule.update(within_days=90, max_per_day=2, max_per_week=5)
    data["timezone"] = "Europe/Madrid"
    return data


def _two_windows_config() -> dict[str, Any]:
    """:func:`_windowed_config` with windows of 30 and 90 days, alternately."""
    data = _windowed_config()
    for index, rule in enumerate(data["implicit"]):
        rule["within_days"] = 30 if index % 2 else 90
    return data


def _named_config(own_decay: bool = False) -> dict[str, Any]:
    """The default model with 3 named scores over its rules (a rule in two of them);
    ``own_decay``: one of them with a decay of its own (so its own rule entries)."""
    import b2bfunnel as bf

    data = bf.ScoringModel.default().to_dict()
    data["scores"] = {
        "product_a": {"rules": ["pricing_page_visit", "webinar_completed"], "hot_threshold": 30},
        "product_b": {
            "rules": ["case_study_download", "email_case_study_click", "it_leader_at_large_company"]
        },
        "engagement": {
            "rules": [rule["name"] for rule in data["implicit"]],
            "hot_threshold": 50,
        },
    }
    if own_decay:
        data["scores"]["engagement"]["decay"] = {"kind": "half_life", "half_life_days": 30}
    return data


def measure_features(n_leads: int, n_events: int, rounds: int) -> None:
    """Issue 22's options against the default model's rank(), in this one process run
    (alternating, best of ``rounds``): each figure's ratio to the default is printed."""
    from synth import event_rows, leads
    from timing import best_of

    import b2bfunnel as bf

    profiles = leads(n_leads)
    ids = [p["id"] for p in profiles]
    events = [bf.Event(i, n, at, p) for i, n, at, p in event_rows(ids, n_events, end=AS_OF)]
    window_only = bf.ScoringModel.default().to_dict()
    for rule in window_only["implicit"]:
        rule["within_days"] = 90
    resets = {**bf.ScoringModel.default().to_dict(), "reset_on": ["deal_lost"]}
    # one score with the decay the fourth model gives one of its named scores
    half_life = {
        **bf.ScoringModel.default().to_dict(),
        "decay": {"kind": "half_life", "half_life_days": 30},
    }
    models = {
        "default": bf.ScoringModel.default(),
        "windowed/capped": bf.ScoringModel.from_dict(_windowed_config()),
        "30 and 90 days/capped": bf.ScoringModel.from_dict(_two_windows_config()),
        "window only": bf.ScoringModel.from_dict(window_only),
        "reset_on": bf.ScoringModel.from_dict(resets),
        "3 named scores": bf.ScoringModel.from_dict(_named_config()),
        "3 named, 1 own decay": bf.ScoringModel.from_dict(_named_config(own_decay=True)),
        "half_life, one score": bf.ScoringModel.from_dict(half_life),
    }
    runs: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            run = best_of(
                1, lambda m=model: m.rank(profiles, events, as_of=AS_OF), time.process_time
            )
            runs[name].append(run)
    print(
        f"rank(), {n_leads:,} leads, {n_events:,} events, CPU seconds, {rounds} alternating "
        "rounds: best, and the median of each round's ratio to the default"
    )
    for name, seconds in runs.items():
        ratio = min(seconds) / min(runs["default"])
        median = statistics.median(s / d for s, d in zip(seconds, runs["default"], strict=True))
        print(f"  {name:<21} {min(seconds):8.2f} s  {ratio:5.2f}x best  {median:5.2f}x median")


def _child(src: Path, n_leads: int, n_events: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(src), "--leads", str(n_leads),
         "--events", str(n_events)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    figures: dict[str, float] = json.loads(done.stdout)
    return figures


def compare(rev: str, n_leads: int, n_events: int, rounds: int) -> None:
    """Print each figure for this checkout and for ``rev``, best of ``rounds`` each."""
    trees = {"this": ROOT / "src", rev: base_tree(rev)}
    best: dict[str, dict[str, float]] = {name: {} for name in trees}
    for _ in range(rounds):
        for name, src in trees.items():  # alternate, so load changes hit both alike
            for key, value in _child(src, n_leads, n_events).items():
                higher = next(h for k, _, h in FIGURES if k == key)
                old = best[name].get(key)
                if old is None or (value > old if higher else value < old):
                    best[name][key] = value
    print(f"{n_leads:,} leads, {n_events:,} events, best of {rounds} alternating rounds")
    print(f"{'figure':<8} {'this':>12} {rev:>12} {'this/' + rev:>12}  unit")
    for key, unit, higher in FIGURES:
        mine, base = best["this"][key], best[rev][key]
        note = "higher is better" if higher else "lower is better"
        print(f"{key:<8} {mine:>12,.2f} {base:>12,.2f} {mine / base:>12.3f}  {unit} ({note})")


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
    parser.add_argument("--vs", default="90f6f19", help="commit to compare with, or none")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument(
        "--features", action="store_true", help="issue 22's options against the default"
    )
    args = parser.parse_args()
    if args.features:
        measure_features(args.leads, args.events, args.rounds)
        return
    if args.child:
        sys.path.insert(0, args.child)
        print(json.dumps(measure(args.leads, args.events)))
        return
    if args.vs == "none":
        for key, value in measure(args.leads, args.events).items():
            print(f"{key}: {value:,.2f} {next(u for k, u, _ in FIGURES if k == key)}")
    else:
        compare(args.vs, args.leads, args.events, args.rounds)
    bench_startup()


if __name__ == "__main__":
    main()
