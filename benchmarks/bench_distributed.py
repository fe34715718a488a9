"""Scoring a data lake: Spark local[2] and a Dask LocalCluster of 2 workers against
single-process ``rank()`` on the same Parquet files; pickled Score and state sizes.

Prints events/s of each, the ratio to single-process, and the peak resident memory of
each worker process (state per lead, not events per lead, is what must stay bounded).
The data is generated once into ``--data`` (default ``benchmarks/.data/``, reused by
later runs): profiles and events as Parquet, as a data lake holds them.

Run: ``python benchmarks/bench_distributed.py [--events N] [--leads N] [--data DIR]
[--only single,spark,dask]`` (needs ``pip install ".[spark,dask]"`` and Java 17+).
Defaults: 10,000,000 events of 200,000 leads.

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import b2bfunnel as bf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from timing import best_of  # noqa: E402

AS_OF = datetime(2026, 11, 23, 9, tzinfo=UTC)
NAMES = ["pricing_page_visit", "case_study_download", "webinar_completed",
         "email_case_study_click", "email_open", "page_view"]  # fmt: skip
FILES = 20  # event files, as a lake splits a day's events
DASK_WORKERS: set[int] = set()  # process ids of the Dask workers, for their peaks


def generate(folder: Path, events: int, leads: int) -> None:
    """Profiles and ``FILES`` Parquet files of skewed events over 200 days, once."""
    import numpy as np
    import pandas as pd

    marker = folder / f"done-{events}-{leads}"
    if marker.exists():
        return
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*"):
        if old.is_file():
            old.unlink()
    rng = np.random.default_rng(15)
    ids = np.array([f"G{i:07d}" for i in range(leads)], dtype=object)
    titles = np.array(["CIO", "Head of IT", "Analyst", "Director de IT", None], dtype=object)
    pd.DataFrame(
        {
            "id": ids,
            "job_title": titles[rng.integers(0, len(titles), leads)],
            "employees": rng.integers(5, 5000, leads),
        }
    ).to_parquet(folder / "profiles.parquet", index=False)
    events_dir = folder / "events"
    events_dir.mkdir(exist_ok=True)
    names = np.array(NAMES, dtype=object)
    paths = np.array(["/pricing", None, None, "/blog"], dtype=object)
    per_file = events // FILES
    for part in range(FILES):
        size = per_file if part < FILES - 1 else events - per_file * (FILES - 1)
        seconds = rng.integers(0, 200 * 86_400, size)
        pd.DataFrame(
            {
                "lead_id": ids[rng.zipf(1.6, size) % leads],
                "name": names[rng.integers(0, len(names), size)],
                "at": pd.Timestamp(AS_OF) - pd.to_timedelta(seconds, unit="s"),
                "path": paths[rng.integers(0, len(paths), size)],
            }
        ).to_parquet(events_dir / f"part-{part:03d}.parquet", index=False)
    marker.touch()


class PeakMemory:
    """Peak resident memory of this process's descendants, sampled every 0.2 s."""

    def __init__(self) -> None:
        import psutil

        self._me = psutil.Process()
        self.peak: dict[int, tuple[str, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for child in self._me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                    name = " ".join(child.cmdline()[:3])
                except Exception:  # gone between listing and reading
                    continue
                if rss > self.peak.get(child.pid, ("", 0))[1]:
                    self.peak[child.pid] = (name, rss)

    def of(self, test: Callable[[int, str], bool]) -> list[int]:
        """Peaks of the processes ``test(pid, command line)`` picks, largest first."""
        return sorted(
            (rss for pid, (name, rss) in self.peak.items() if test(pid, name)), reverse=True
        )


def _mb(values: list[int]) -> str:
    return ", ".join(f"{v / 2**20:.0f}" for v in values[:6]) or "-"


def single(folder: Path, model: bf.ScoringModel) -> int:
    """rank() in this process, reading the event files one at a time."""
    import pandas as pd

    profiles = pd.read_parquet(folder / "profiles.parquet")  # rank() reads DataFrames

    def events() -> Iterator[bf.Event]:
        for path in sorted((folder / "events").glob("*.parquet")):
            yield from bf.events_from(pd.read_parquet(path))

    return len(model.rank(profiles, events(), as_of=AS_OF))


def spark(folder: Path, model: bf.ScoringModel) -> int:
    """b2bfunnel.spark.rank on local[2], the ranking collected."""
    from pyspark.sql import SparkSession

    from b2bfunnel import spark as bspark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    try:
        profiles = session.read.parquet(str(folder / "profiles.parquet"))
        events = session.read.parquet(str(folder / "events"))
        return len(bspark.rank(profiles, events, model, as_of=AS_OF).collect())
    finally:
        session.stop()


def dask(folder: Path, model: bf.ScoringModel) -> int:
    """b2bfunnel.dask.rank on a LocalCluster of 2 single-threaded worker processes."""
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from b2bfunnel import dask as bdask

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        DASK_WORKERS.update(client.run(os.getpid).values())
        profiles = dd.read_parquet(str(folder / "profiles.parquet"))
        events = dd.read_parquet(str(folder / "events"))
        return len(bdask.rank(profiles, events, model, as_of=AS_OF).compute())


def pickles() -> None:
    """Bytes and µs (dump, load) per Score and per ScoreState of the shipped sample."""
    import csv
    import importlib.resources

    data = importlib.resources.files("b2bfunnel") / "data"
    with (data / "demo_leads.csv").open(encoding="utf-8") as handle:
        leads = list(csv.DictReader(handle))
    with (data / "demo_events.csv").open(encoding="utf-8") as handle:
        events = bf.events_from(list(csv.DictReader(handle)))
    model = bf.ScoringModel.default()
    scores = model.rank(leads, events, as_of=AS_OF)
    by_lead: dict[str, list[bf.Event]] = {}
    for event in events:
        by_lead.setdefault(event.lead_id, []).append(event)
    states = [model.ingest(model.new_state(p["id"], p), by_lead.get(p["id"], [])) for p in leads]
    for name, values in (("Score", scores), ("ScoreState", states)):
        blobs = [pickle.dumps(v) for v in values]
        assert [pickle.loads(b) for b in blobs] == values
        dump = best_of(15, lambda values=values: [pickle.dumps(v) for v in values])
        load = best_of(15, lambda blobs=blobs: [pickle.loads(b) for b in blobs])
        size = sum(map(len, blobs)) / len(values)
        each = 1e6 / len(values)
        print(f"pickle {name:<10} {size:5.0f} bytes  dump {dump * each:5.1f} µs  "
              f"load {load * each:5.1f} µs  (best of 15)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--leads", type=int, default=200_000)
    parser.add_argument("--data", type=Path, default=HERE / ".data")
    parser.add_argument("--only", default="single,spark,dask")
    args = parser.parse_args()
    pickles()
    started = time.perf_counter()
    generate(args.data, args.events, args.leads)
    print(f"data: {args.events:,} events of {args.leads:,} leads in {args.data} "
          f"({time.perf_counter() - started:.0f} s to generate or reuse)")  # fmt: skip
    model = bf.ScoringModel.default()
    runs: dict[str, Callable[[Path, bf.ScoringModel], int]] = {
        "single": single, "spark": spark, "dask": dask,
    }  # fmt: skip
    rates: dict[str, float] = {}
    for name in args.only.split(","):
        with PeakMemory() as memory:
            start = time.perf_counter()
            ranked = runs[name](args.data, model)
            elapsed = time.perf_counter() - start
        rates[name] = args.events / elapsed
        ratio = f"  x{rates[name] / rates['single']:.2f} of single" if "single" in rates else ""
        print(
            f"{name:<6} {elapsed:7.1f} s  {rates[name]:10,.0f} events/s{ratio}  ({ranked:,} leads)"
        )
        if name == "spark":
            python = memory.of(lambda _pid, cmd: "pyspark.daemon" in cmd or "pyspark.worker" in cmd)
            jvm = memory.of(lambda _pid, cmd: cmd.split(" ")[0].endswith("java"))
            print(f"       peak MB: Python workers {_mb(python)}; JVM {_mb(jvm)}")
        elif name == "dask":
            workers = memory.of(lambda pid, _cmd: pid in DASK_WORKERS)
            print(f"       peak MB per worker: {_mb(workers)}")
        else:
            import resource

            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"       peak MB of this process so far: {peak:.0f}")


if __name__ == "__main__":
    main()
