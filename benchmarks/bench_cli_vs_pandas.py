"""``b2bfunnel score`` against a vectorised pandas script computing the same default model.

Generates a leads and an events CSV on disk (100,000 leads / 2,000,000 events by
default; ``--leads``/``--events`` for smaller), then runs each side as a child process,
alternating them over ``--repeats`` rounds, with peak memory per child from
``os.wait4``. ``score`` may work with a pool of worker processes, whose peaks ``wait4``
does not add up and whose CPU time it does not see (they are children of the pool's
fork server, which the command does not wait for): one more run of each side samples
its whole process tree every 20 ms, the summed PSS and each process's CPU time, and
the larger memory figure is reported, with the tree's CPU time.
Checks the two CSV outputs are byte-identical and prints wall time, CPU time, peak
memory and the ratios (b2bfunnel / pandas). pandas is a benchmark-only install.

Run: ``python benchmarks/bench_cli_vs_pandas.py --leads 10000 --events 200000``.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import event_rows, leads

AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

# The default model's four counted implicit rules and its decay (inactivity after 30
# days, 30-day half-life), written out for pandas; the fit rule's condition is read
# from the model's configuration (plain data) and evaluated with pandas below.
IMPLICIT = {
    "pricing_page_visit": 15,
    "case_study_download": 10,
    "webinar_completed": 25,
    "email_case_study_click": 20,
}


def write_files(folder: Path, n_leads: int, n_events: int) -> tuple[Path, Path]:
    """The leads and events CSV files a CRM export would give."""
    profiles = leads(n_leads)
    leads_path, events_path = folder / "leads.csv", folder / "events.csv"
    with open(leads_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(profiles[0]))
        writer.writeheader()
        writer.writerows(profiles)
    ids = [p["id"] for p in profiles]
    with open(events_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "name", "at", "path"])
        for lead_id, name, at, props in event_rows(ids, n_events, end=AS_OF):
            writer.writerow([lead_id, name, at.isoformat(), props.get("path", "")])
    return leads_path, events_path


def pandas_score(
    leads_path: str, events_path: str, as_of: str, fit_rules: list[dict[str, Any]]
) -> None:
    """The default model over the two files with pandas, written as ``score --format csv``."""
    import math
    import unicodedata

    import numpy as np
    import pandas as pd

    def words(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(c for c in text if not unicodedata.combining(c))
        return " " + " ".join("".join(c if c.isalnum() else " " for c in text).split()) + " "

    def matches(spec: dict[str, Any], frame: Any) -> Any:
        """A condition of the model's configuration over every row, as a boolean array."""
        if "all" in spec:
            return np.logical_and.reduce([matches(s, frame) for s in spec["all"]])
        if "any" in spec:
            return np.logical_or.reduce([matches(s, frame) for s in spec["any"]])
        if "not" in spec:
            return ~matches(spec["not"], frame)
        column = frame[spec["field"]]
        if "gte" in spec:
            return (pd.to_numeric(column, errors="coerce") >= spec["gte"]).to_numpy()
        needles = [" " + " ".join(words(n).split()) + " " for n in spec["words"]]
        forms = {t: words(t) for t in column.unique()}
        hit = {t: any(n in f for n in needles) for t, f in forms.items()}
        return column.map(hit).to_numpy(dtype=bool)

    (rule,) = fit_rules
    profiles = pd.read_csv(leads_path, dtype=str, keep_default_na=False)
    explicit = np.where(matches(rule["when"], profiles), float(rule["points"]), 0.0)
    events = pd.read_csv(events_path, usecols=["lead_id", "name", "at"], dtype=str)
    epoch = pd.Timestamp(0, tz="UTC")
    at = pd.to_datetime(events["at"], utc=True, format="ISO8601")
    events["ts"] = (at - epoch).dt.total_seconds()
    asof_ts = datetime.fromisoformat(as_of).timestamp()
    events = events[events["ts"] <= asof_ts]
    last = events.groupby("lead_id")["ts"].max()
    counted = events[events["name"].isin(list(IMPLICIT))]
    counts = counted.groupby(["lead_id", "name"]).size().unstack(fill_value=0)
    table = pd.DataFrame({"lead": profiles["id"], "explicit": explicit})
    table["last"] = table["lead"].map(last)
    idle = (asof_ts - table["last"]) / 86_400.0
    factor = np.where(idle > 30, 0.5 ** ((idle - 30) / 30), 1.0)
    implicit_total = np.zeros(len(table))
    rule_points = {}
    for name, points in IMPLICIT.items():
        count = table["lead"].map(counts[name]) if name in counts else 0
        raw = pd.Series(count, index=table.index).fillna(0).to_numpy() * float(points)
        value = raw * factor
        shown = np.where(value == np.round(value), value, np.round(value, 6))
        rule_points[name] = np.where(raw > 0, shown, np.nan)
        implicit_total = implicit_total + np.nan_to_num(rule_points[name])
    implicit_total = np.round(implicit_total, 6)
    total = np.round(table["explicit"].to_numpy() + implicit_total, 6)
    table["total"], table["implicit"] = total, implicit_total
    table["band"] = np.select([total >= 100, total >= 40], ["hot", "warm"], "cold")
    fit = np.select([explicit >= 50, explicit >= 30, explicit >= 15], ["A", "B", "C"], "D")
    engagement = np.select(
        [implicit_total >= 75, implicit_total >= 40, implicit_total >= 15], ["1", "2", "3"], "4"
    )
    table["grade"] = np.char.add(fit.astype(str), engagement.astype(str))
    names = [rule["name"], *IMPLICIT]
    points = np.column_stack(
        [np.where(explicit > 0, explicit, np.nan), *(rule_points[n] for n in IMPLICIT)]
    )
    order = sorted(range(len(names)), key=lambda i: names[i])
    reasons = []
    for row in points[:, order]:
        given = [(-abs(p), names[order[i]], p) for i, p in enumerate(row) if not math.isnan(p)]
        given.sort()
        reasons.append("; ".join(f"{n} {p:+g}" for _, n, p in given[:3]))
    table["reasons"] = reasons
    table = table.sort_values(["total", "lead"], ascending=[False, True], kind="mergesort")
    out = sys.stdout
    out.write("rank,lead,score,band,grade,reasons\n")
    for rank, (lead, score, band, grade, reason) in enumerate(
        zip(table["lead"], table["total"], table["band"], table["grade"], table["reasons"],
            strict=True),
        start=1,
    ):  # fmt: skip
        cell = f'"{reason}"' if "," in reason else reason
        out.write(f"{rank},{lead},{round(float(score), 1)},{band},{grade},{cell}\n")


def _tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            text = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        todo.extend(int(child) for child in text.split())
    return found


def _pss(pid: int) -> int:
    """The proportional set size of ``pid`` in bytes (0 once it is gone): memory it
    shares with a forked child counts half in each, so the sum over a tree is its
    true footprint."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu(pid: int) -> float:
    """The user and system CPU seconds of ``pid`` so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeMemory:
    """Samples a process and its descendants every ``every`` seconds in a thread:
    ``peak`` is the largest sum of their PSS seen, ``cpu`` the sum of each one's last
    CPU time seen (short of its last ``every`` seconds). ``score``'s workers are not
    its children: ``wait4`` sees neither their memory nor their CPU time."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.pid, self.every, self.peak = pid, every, 0
        self.cpus: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(self.every):
            tree = _tree(self.pid)
            self.peak = max(self.peak, sum(_pss(pid) for pid in tree))
            for pid in tree:
                self.cpus[pid] = max(self.cpus.get(pid, 0.0), _cpu(pid))

    def stop(self) -> tuple[int, float]:
        self.done.set()
        self.thread.join()
        return self.peak, sum(self.cpus.values())


class Run(NamedTuple):
    """One child's figures: wall and CPU seconds (its own and its reaped children's),
    peak resident bytes from ``wait4`` (the largest process of its tree) and, when
    sampled, the peak of the tree's summed PSS and its CPU seconds (else 0)."""

    wall: float
    cpu: float
    peak: int
    tree: int
    tree_cpu: float


def run_child(argv: list[str], out_path: Path, *, sample: bool = False) -> Run:
    """The figures of one child process; with ``sample``, its tree's memory too (reading
    ``smaps_rollup`` takes a few milliseconds of a processor, so not in timed runs)."""
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE)
        sampler = TreeMemory(child.pid) if sample else None
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        tree, tree_cpu = sampler.stop() if sampler is not None else (0, 0.0)
        child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        assert child.stderr is not None
        raise SystemExit(f"{argv[:3]} failed: {child.stderr.read().decode()[-2000:]}")
    assert child.stderr is not None
    child.stderr.close()
    cpu = usage.ru_utime + usage.ru_stime
    return Run(wall, cpu, usage.ru_maxrss * 1024, tree, max(cpu, tree_cpu))


def _load() -> str:
    """The system's load averages: the times of a shared machine depend on them."""
    return ", ".join(f"{figure:.1f}" for figure in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--jobs", help="score's --jobs (default: its own choice)")
    parser.add_argument("--pandas-child", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--fit-rules", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pandas_child:
        pandas_score(*args.pandas_child, json.loads(args.fit_rules))
        return
    as_of = AS_OF.isoformat()
    import b2bfunnel as bf  # only to hand the fit rule's configuration to pandas

    fit_rules = json.dumps(bf.ScoringModel.default().to_dict()["explicit"])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        leads_path, events_path = write_files(folder, args.leads, args.events)
        size = events_path.stat().st_size
        print(f"{args.leads:,} leads, {args.events:,} events ({size / 1e6:.0f} MB of CSV)")
        print(f"load average before (1, 5, 15 min): {_load()}, processors: {os.cpu_count()}")
        sides = {
            "b2bfunnel": [
                sys.executable, "-m", "b2bfunnel", "score", "--leads", str(leads_path),
                "--events", str(events_path), "--as-of", as_of, "--format", "csv",
                *(["--jobs", args.jobs] if args.jobs else []),
            ],
            "pandas": [
                sys.executable, __file__, "--pandas-child", str(leads_path),
                str(events_path), as_of, "--fit-rules", fit_rules,
            ],
        }  # fmt: skip
        runs: dict[str, list[Run]] = {name: [] for name in sides}
        for _ in range(args.repeats):
            for name, argv in sides.items():
                runs[name].append(run_child(argv, folder / f"{name}.csv"))
        sampled = {name: run_child(argv, folder / "sampled.csv", sample=True)
                   for name, argv in sides.items()}  # fmt: skip
        ours, theirs = (folder / "b2bfunnel.csv").read_bytes(), (folder / "pandas.csv").read_bytes()
        same = ours == theirs
        print(f"outputs identical: {same} ({len(ours):,} bytes)")
        print(f"load average after (1, 5, 15 min): {_load()}")
        wall = {name: statistics.median(r.wall for r in runs[name]) for name in sides}
        cpu = {name: sampled[name].tree_cpu for name in sides}
        memory = {name: max(sampled[name].tree, *(r.peak for r in runs[name])) for name in sides}
        for name in sides:
            largest = max(r.peak for r in runs[name]) / 1e6
            tree = sampled[name].tree / 1e6
            print(
                f"{name:>9}: wall {wall[name]:6.2f} s (median of {args.repeats}), CPU "
                f"{cpu[name]:6.2f} s (whole tree, sampled run), peak memory "
                f"{memory[name] / 1e6:7.1f} MB (largest process {largest:.1f} MB, whole "
                f"tree sampled {tree:.1f} MB)"
            )
        print(
            f"ratio b2bfunnel/pandas: wall {wall['b2bfunnel'] / wall['pandas']:.2f}x "
            f"(target <= 1.5), peak memory {memory['b2bfunnel'] / memory['pandas']:.2f}x "
            f"(target <= 1.0), CPU {cpu['b2bfunnel'] / cpu['pandas']:.2f}x"
        )
        if not same:
            raise SystemExit("outputs differ")


if __name__ == "__main__":
    main()
