"""Every code block of docs/datalake.md runs as written, in order, on Spark ``local[2]``
and a Dask ``LocalCluster``, on the sample CRM export loaded into the tables and Parquet
folders the page reads (``crm.leads``, ``crm.events``, ``lake/leads/``, ...); what the
blocks write is compared with single-process ``rank()``. The ``>>>`` blocks are
doctests, run by the doctest pass over docs/."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import b2bfunnel as bf

pytestmark = pytest.mark.engines

PAGE = Path(__file__).resolve().parent.parent / "docs" / "datalake.md"
DATA = resources.files("b2bfunnel") / "data"
NOW = datetime(2026, 11, 23, tzinfo=UTC)  # the page's `now`
END = datetime(2026, 11, 23, 8, tzinfo=UTC)  # the sample's last moment
SPLIT = datetime(2026, 9, 1, tzinfo=UTC)  # events before it were merged on an earlier day
FENCE = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _blocks() -> list[str]:
    """The page's Python blocks that are not doctests, in order."""
    return [b for b in FENCE.findall(PAGE.read_text(encoding="utf-8")) if ">>> " not in b]


def test_the_page_has_its_blocks() -> None:
    """The pattern finds the Spark, streaming, Dask and incremental blocks."""
    text = "\n".join(_blocks())
    for needle in ("bfspark.rank", "transformWithStateInPandas", "bfdask.rank", "merge_states"):
        assert needle in text


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Spark local[2] session (the page's ``spark``); skips without the engines."""
    needed = ("pyspark", "pandas", "pyarrow", "dask", "distributed")
    absent = [m for m in needed if importlib.util.find_spec(m) is None]
    try:  # the streaming block's transformWithStateInPandas needs protobuf
        import google.protobuf.descriptor  # noqa: F401
    except ImportError:
        absent.append("protobuf")
    if absent:
        pytest.skip(f"{', '.join(absent)} not installed (pip install '.[spark,dask]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("Java not found (pyspark needs a JDK 17+ on PATH or JAVA_HOME)")
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # the page's note: workers need b2bfunnel
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("b2bfunnel-datalake-docs")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # The page's tables (crm.*) go to a temporary warehouse, not the working folder.
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .getOrCreate()
    )
    provider = "org.apache.spark.sql.execution.streaming.state.RocksDBStateStoreProvider"
    spark.conf.set("spark.sql.streaming.stateStore.providerClass", provider)
    yield spark


def _sample() -> tuple[Any, Any]:
    """The sample's leads and events as pandas frames, events with an ``ingest_date``."""
    import pandas as pd

    leads = pd.read_csv(DATA / "demo_leads.csv", dtype=str, keep_default_na=False)
    leads["employees"] = leads["employees"].astype("int64")
    events = pd.read_csv(DATA / "demo_events.csv", dtype=str, keep_default_na=False)
    events["at"] = pd.to_datetime(events["at"], utc=True)
    return leads, events


def _load(spark: Any, root: Path, model: bf.ScoringModel) -> tuple[Any, Any]:
    """Write the sample where the page reads it; states of the events before SPLIT are
    the stored states, the later events today's load."""
    leads, events = _sample()
    today = spark.sql("SELECT current_date() AS d").first()["d"]
    events["ingest_date"] = [
        today - timedelta(days=1) if at < SPLIT else today for at in events["at"]
    ]
    spark.sql("DROP DATABASE IF EXISTS crm CASCADE")
    spark.sql(f"CREATE DATABASE crm LOCATION '{(root / 'crm.db').as_posix()}'")
    spark.createDataFrame(leads).write.saveAsTable("crm.leads")
    spark.createDataFrame(events).write.saveAsTable("crm.events")
    flow = bf.NurtureFlow.default()
    enrolled = [
        (lead, json.dumps(flow.enroll(lead, at=NOW - timedelta(days=20)).to_dict()))
        for lead in leads["id"][:20]
    ]
    spark.createDataFrame(enrolled, "lead_id string, state string").write.saveAsTable(
        "crm.nurture_states"
    )
    earlier = bf.events_from(events[events["at"] < SPLIT].drop(columns="ingest_date"))
    states: dict[str, Any] = {}
    for event in sorted(earlier, key=lambda e: e.at):
        states[event.lead_id] = model.ingest(
            states.get(event.lead_id) or model.new_state(event.lead_id), event
        )
    stored = [(lead, json.dumps(s.to_dict())) for lead, s in states.items()]
    spark.createDataFrame(stored, "lead_id string, state string").write.saveAsTable(
        "crm.score_states"
    )
    (root / "lake" / "leads").mkdir(parents=True)
    (root / "lake" / "events").mkdir(parents=True)
    leads.to_parquet(root / "lake" / "leads" / "part-0.parquet")
    events.drop(columns="ingest_date").to_parquet(root / "lake" / "events" / "part-0.parquet")
    return leads, events


def test_every_block_runs_as_written(
    engines: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The blocks run in one namespace holding only ``spark``; what they write equals
    single-process scoring of the same sample with the same model."""
    import pandas as pd

    monkeypatch.chdir(tmp_path)
    spark = engines
    model = bf.Funnel.from_toml(DATA / "funnel.toml").scoring  # type: ignore[arg-type]
    leads, events = _load(spark, tmp_path, model)
    namespace: dict[str, Any] = {"spark": spark, "__name__": "datalake_docs"}
    try:
        for number, block in enumerate(_blocks(), start=1):
            exec(compile(block, f"docs/datalake.md python block {number}", "exec"), namespace)
        ranked = bf.to_pandas(model.rank(leads, bf.events_from(events), as_of=NOW))
        expected = list(zip(ranked["lead_id"], ranked["total"].round(6), strict=True))
        spark_ranked = spark.read.table("crm.lead_ranking").toPandas().sort_values("rank")
        assert list(spark_ranked["rank"]) == list(range(1, len(ranked) + 1))
        got = zip(spark_ranked["lead_id"], spark_ranked["total"].round(6), strict=True)
        assert list(got) == expected
        dask_ranked = pd.read_parquet(tmp_path / "lake" / "lead_ranking").sort_values("rank")
        got = zip(dask_ranked["lead_id"], dask_ranked["total"].round(6), strict=True)
        assert list(got) == expected
        at_end = bf.to_pandas(model.rank(leads, bf.events_from(events), as_of=END))
        _check_states(spark, model, dict(zip(at_end["lead_id"], at_end["implicit"], strict=True)))
        assert spark.read.table("crm.nurture_states_next").count() == 20
        keys = [r["idempotency_key"] for r in spark.read.table("crm.outbox").collect()]
        assert keys and len(keys) == len(set(keys))
        _check_stream(spark, namespace["scores"], model, events)
    finally:
        if "client" in namespace:
            namespace["client"].close()
            namespace["client"].cluster.close()
        spark.sql("DROP DATABASE IF EXISTS crm CASCADE")


def _check_states(spark: Any, model: bf.ScoringModel, implicit: dict[str, float]) -> None:
    """The stored states merged with today's score as the states of every event: their
    behaviour points equal the ranking's (the states hold no profile)."""
    merged = spark.read.table("crm.score_states_next").toPandas()
    assert len(merged) == len(set(merged["lead_id"])) > 0
    for lead_id, text in zip(merged["lead_id"], merged["state"], strict=True):
        state = bf.ScoreState.from_dict(json.loads(text))
        got = model.score_state(state, as_of=END).implicit
        assert round(got, 6) == round(implicit[lead_id], 6), lead_id


def _check_stream(spark: Any, scores: Any, model: bf.ScoringModel, events: Any) -> None:
    """The streaming query, run once over the table, scores each lead's events."""
    query = (
        scores.writeStream.format("memory")
        .queryName("datalake_scores")
        .outputMode("update")
        .option("checkpointLocation", str(Path.cwd() / "checkpoint"))
        .trigger(availableNow=True)
        .start()
    )
    try:
        assert query.awaitTermination(600), "the streaming query did not finish in 10 minutes"
    finally:
        query.stop()
    rows = spark.sql("SELECT lead_id, total FROM datalake_scores").collect()
    assert rows
    by_lead: dict[str, list[bf.Event]] = {}
    for event in bf.events_from(events.drop(columns="ingest_date")):
        by_lead.setdefault(event.lead_id, []).append(event)
    for row in rows:
        own = sorted(by_lead[row["lead_id"]], key=lambda e: e.at)
        state = model.ingest(model.new_state(row["lead_id"]), own)
        assert row["total"] == model.score_state(state, as_of=state.last_activity).total
