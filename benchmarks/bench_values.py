"""The value readers' cost: ``velocity_from_deals`` and ``nps_report`` on DataFrames
(the path without reading options, which issue 20 must leave within 1.05x of before),
and deals read from text as a CRM exports them (``EUR 12.500,00``, ``15/03/2026``,
``Closed Won``), which has no "before".

Run: ``python benchmarks/bench_values.py [--base main] [--rows 100000]``. The base tree
is extracted with ``git archive`` into the temporary directory; each figure is the
median of 5 runs of CPU time in a subprocess per tree, the trees alternating, and the
ratio this/base is printed beside it.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import json, random, sys, time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
import pandas as pd
import b2bfunnel as bf

rows, text = int(sys.argv[1]), sys.argv[2] == "text"
rng = random.Random(1)
as_of = datetime(2026, 11, 23, tzinfo=UTC)
deals = []
for i in range(rows):
    created = as_of - timedelta(days=rng.uniform(1, 400))
    outcome = rng.choice(["won", "lost", "open", "open"])
    closed = min(as_of, created + timedelta(days=rng.uniform(5, 120)))
    deals.append({"created_at": created, "amount": Decimal(rng.randrange(1000, 90000)),
                  "outcome": outcome, "closed_at": None if outcome == "open" else closed})
frame = pd.DataFrame(deals)
answers = pd.DataFrame({"score": [rng.randrange(11) for _ in range(rows)],
                        "sector": [rng.choice(["saas", "industry"]) for _ in range(rows)]})
labels = {"won": "Closed Won", "lost": "Closed Lost", "open": "Prospecting"}
texts = [{"created_at": d["created_at"].strftime("%d/%m/%Y"),
          "closed_at": (d["closed_at"] or as_of).strftime("%d/%m/%Y"),
          "amount": "EUR " + f"{int(d['amount']):,}".replace(",", ".") + ",00",
          "outcome": labels[d["outcome"]]} for d in deals]
values = {"outcome": {"won": ["Closed Won"], "lost": ["Closed Lost"], "open": "*"}}

def clock(fn):
    start = time.process_time()
    fn()
    return time.process_time() - start

out = {}
if text:
    out["velocity_text"] = clock(lambda: bf.velocity_from_deals(
        texts, as_of=as_of, date_format="%d/%m/%Y", timezone="UTC", values=values))
else:
    out["velocity_frame"] = clock(lambda: bf.velocity_from_deals(frame, as_of=as_of))
    out["nps_frame"] = clock(lambda: bf.nps_report(answers))
print(json.dumps(out))
"""


def extract(rev: str) -> Path:
    """The ``src`` of ``rev``, extracted once with ``git archive`` (no worktree added)."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    path = Path(tempfile.gettempdir()) / f"b2bfunnel-archive-{commit}"
    if not path.exists():
        path.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", commit, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(path)], input=archive, check=True)
    return path / "src"


def run(src: Path, rows: int, kind: str) -> dict[str, float]:
    """One measurement in a fresh interpreter on the tree ``src``."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(rows), kind],
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", default="main")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    this, base = ROOT / "src", extract(args.base)
    mine: dict[str, list[float]] = {}
    theirs: dict[str, list[float]] = {}
    for _ in range(args.runs):
        for key, value in run(this, args.rows, "frame").items():
            mine.setdefault(key, []).append(value)
        for key, value in run(base, args.rows, "frame").items():
            theirs.setdefault(key, []).append(value)
        for key, value in run(this, args.rows, "text").items():
            mine.setdefault(key, []).append(value)
    print(f"{args.rows:,} rows, median of {args.runs} (CPU seconds), base {args.base}")
    for key, values in mine.items():
        now = statistics.median(values)
        if key in theirs:
            before = statistics.median(theirs[key])
            print(f"{key:16s} this {now:.3f} s  base {before:.3f} s  ratio {now / before:.3f}")
        else:
            print(f"{key:16s} this {now:.3f} s  ({args.rows / now:,.0f} deals/s; no base)")


if __name__ == "__main__":
    main()
