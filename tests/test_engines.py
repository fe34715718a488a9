"""b2bfunnel.spark and b2bfunnel.dask on the real engines equal single-process rank()."""

from __future__ import annotations

import csv
import importlib.resources
import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import b2bfunnel as bf
from b2bfunnel.cli import main as cli_main

pytestmark = pytest.mark.engines

DATA = importlib.resources.files("b2bfunnel") / "data"
AS_OF = datetime(2026, 11, 23, 9, tzinfo=UTC)
REQUIRED = os.environ.get("B2BFUNNEL_REQUIRE_ENGINES") == "1"
HALF_LIFE = {"decay": {"kind": "half_life", "half_life_days": 20}, "hot_threshold": 60}


def _missing(*modules: str) -> str | None:
    absent = [m for m in modules if importlib.util.find_spec(m) is None]
    if absent:
        return f"{', '.join(absent)} not installed (pip install '.[spark]' / '.[dask]')"
    return None


@pytest.fixture(scope="session")
def spark(tmp_path_factory: Any) -> Iterator[Any]:
    """A local[2] Spark session with few shuffle partitions, in a non-UTC time zone,
    its tables (``saveAsTable``) in a temporary warehouse."""
    reason = _missing("pyspark", "pandas", "pyarrow")
    if reason is None and shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        reason = "Java not found (pyspark needs a JDK 17+ on PATH or JAVA_HOME)"
    if reason:
        pytest.skip(reason)
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers import this b2bfunnel
    session = (
        SparkSession.builder.master("local[2]")
        .appName("b2bfunnel-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "Europe/Madrid")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Parquet timestamps as UTC instants pandas reads zoned (the default is INT96).
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.warehouse.dir", str(tmp_path_factory.mktemp("warehouse")))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def dask_client() -> Iterator[Any]:
    """A distributed LocalCluster of 2 single-threaded worker processes."""
    reason = _missing("dask", "distributed", "pandas")
    if reason:
        pytest.skip(reason)
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


# --- data -----------------------------------------------------------------------


def _sample_frames() -> tuple[Any, Any]:
    """The shipped sample CRM export as text columns, read as the CLI reads it."""
    import pandas as pd

    def read(name: str) -> Any:
        with (DATA / name).open(encoding="utf-8") as handle:
            return pd.DataFrame(list(csv.DictReader(handle)), dtype=object)

    return read("demo_leads.csv"), read("demo_events.csv")


def _cli_rows(*extra: str) -> list[dict[str, str]]:
    """`b2bfunnel score --format csv` on the shipped sample, parsed."""
    with importlib.resources.as_file(DATA) as folder:
        out = io.StringIO()
        args = ["score", "--leads", str(folder / "demo_leads.csv")]
        args += ["--events", str(folder / "demo_events.csv"), "--format", "csv"]
        assert cli_main([*args, "--as-of", AS_OF.isoformat(), *extra], out) == 0
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def _as_text(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Engine rows written as the CLI writes CSV cells."""
    return [{k: str(v) for k, v in row.items()} for row in rows]


def _generated(events: int, leads: int) -> tuple[Any, Any]:
    """Reproducible leads and events: names the default model scores plus noise, zoned
    times over 200 days, a sparse ``path`` property."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(15)
    ids = np.array([f"G{i:06d}" for i in range(leads)], dtype=object)
    titles = np.array(["CIO", "Head of IT", "Analyst", "Director de IT", ""], dtype=object)
    profiles = pd.DataFrame(
        {
            "id": ids,
            "job_title": titles[rng.integers(0, len(titles), leads)],
            "employees": rng.integers(5, 5000, leads),
        }
    )
    names = np.array(
        ["pricing_page_visit", "case_study_download", "webinar_completed",
         "email_case_study_click", "email_open", "page_view"], dtype=object,
    )  # fmt: skip
    skew = rng.zipf(1.6, events) % leads  # a few leads with very many events
    seconds = rng.integers(0, 200 * 86_400, events)
    paths = np.array(["/pricing", None, None, "/blog"], dtype=object)
    frame = pd.DataFrame(
        {
            "lead_id": ids[skew],
            "name": names[rng.integers(0, len(names), events)],
            "at": pd.Timestamp(AS_OF) - pd.to_timedelta(seconds, unit="s"),
            "path": paths[rng.integers(0, len(paths), events)],
        }
    )
    return profiles, frame


def _events_of(frame: Any) -> Iterator[bf.Event]:
    """The generated events as single-process Events (the engines read the same)."""
    for lead_id, name, at, path in zip(
        frame["lead_id"], frame["name"], frame["at"], frame["path"], strict=True
    ):
        yield bf.Event(lead_id, name, at.to_pydatetime(), {"path": path} if path else None)


def _in_process(leads: Any, events: Any, model: bf.ScoringModel) -> Any:
    """`to_pandas(model.rank(...))` of the same frames, in this process."""
    return bf.to_pandas(model.rank(leads, bf.events_from(events), as_of=AS_OF), detail=True)


def _assert_merge_law(
    got: Any, want: Any, model: bf.ScoringModel | None = None, *, bound: bool = True
) -> None:
    """``got`` (an engine's table, ``rank`` first) equals ``want`` (``to_pandas`` of
    the in-process ranking) under the merge law: same columns and dtypes, floats to 6
    decimals, rows in order except leads whose totals tie within 1e-9, ``hot_since``
    its bound. An engine's extra detail columns (rules no lead met) are all null."""
    import pandas as pd

    assert list(got.columns[:1]) == ["rank"] and str(got["rank"].dtype) == "int64"
    assert got["rank"].tolist() == list(range(1, len(want) + 1))
    body = got.drop(columns="rank")
    base = list(want.columns[:12])
    assert list(body.columns[:12]) == base
    extra = [c for c in body.columns if c not in want.columns]
    if model is not None and len(body.columns) > 12:  # detail: every rule of the model
        rules = [f"points.{r.name}" for r in (*model.explicit, *model.implicit)]
        assert list(body.columns[12:]) == rules + [f"group.{g}" for g, _ in model.groups]
    assert all(body[c].isna().all() for c in extra)
    assert set(want.columns) <= set(body.columns)
    body = body[list(want.columns)]
    assert dict(body.dtypes) == dict(want.dtypes)
    totals = dict(zip(want["lead_id"], want["total"], strict=True))
    for position, (lead, mine) in enumerate(zip(body["lead_id"], want["lead_id"], strict=True)):
        if lead != mine:
            assert abs(totals[lead] - totals[mine]) <= 1e-9, position
    mine, theirs = (frame.sort_values("lead_id").reset_index(drop=True) for frame in (body, want))
    floats = [c for c in want.columns if str(want[c].dtype) == "float64"]
    mine[floats], theirs[floats] = mine[floats].round(6), theirs[floats].round(6)
    # hot_since merges to the documented bound: with a decay that is not per event,
    # never earlier than the exact crossing and null exactly when the lead never was hot.
    if bound:
        assert (mine["hot_since"].isna() == theirs["hot_since"].isna()).all()
        assert (mine["hot_since"].dropna() >= theirs["hot_since"].dropna()).all()
    pd.testing.assert_frame_equal(mine.drop(columns="hot_since"), theirs.drop(columns="hot_since"))


def _from_parquet(path: Any, like: Any) -> Any:
    """A Parquet folder read back by pandas, ordered by ``rank``, with ``like``'s
    string dtype (pyarrow reads text as pandas' default string type)."""
    import pandas as pd

    frame = pd.read_parquet(path).sort_values("rank").reset_index(drop=True)
    strings = [c for c in like.columns if str(like[c].dtype) == "string"]
    return frame.astype(dict.fromkeys(strings, pd.StringDtype()))


# --- Spark ----------------------------------------------------------------------


def test_spark_rank_round_trips_parquet_equal_to_in_process(spark: Any, tmp_path: Any) -> None:
    """Spark's ranking of the sample, written to Parquet and read back, is
    ``to_pandas(model.rank(...))`` with ``rank`` first; its reasons are the CLI's."""
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    model = bf.ScoringModel.default()
    result = bspark.rank(
        spark.createDataFrame(leads), spark.createDataFrame(events), model, as_of=AS_OF
    )
    want = _in_process(leads, events, model)
    assert result.columns == ["rank", *want.columns[:12]]
    result.write.parquet(str(tmp_path / "ranking"))
    got = _from_parquet(tmp_path / "ranking", want)
    _assert_merge_law(got, want[list(want.columns[:12])])
    cli = {row["lead"]: row for row in _cli_rows()}
    assert all(
        cli[lead]["reasons"] == reasons and float(cli[lead]["score"]) == round(total, 1)
        for lead, reasons, total in zip(got["lead_id"], got["reasons"], got["total"], strict=True)
    )


def test_spark_rank_saved_as_a_table_reads_back_equal(spark: Any) -> None:
    """``saveAsTable`` writes the ranking (detail included) to the session's warehouse;
    read back from the table's files and through Spark, it is ``to_pandas(rank(...))``."""
    from pathlib import Path

    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    model = bf.ScoringModel.from_dict(HALF_LIFE)
    result = bspark.rank(
        spark.createDataFrame(leads), spark.createDataFrame(events), model, as_of=AS_OF,
        detail=True,
    )  # fmt: skip
    # A name of its own: a session made earlier may share its warehouse with other runs.
    name = f"lead_ranking_{uuid.uuid4().hex}"
    result.write.saveAsTable(name)
    folder = Path(spark.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    want = _in_process(leads, events, model)
    _assert_merge_law(_from_parquet(folder / name, want), want, model, bound=False)
    table = spark.read.table(name)
    assert table.columns == result.columns and table.count() == len(want)
    top = table.orderBy("rank").select("lead_id", "total").first()
    assert top is not None and top["lead_id"] == want["lead_id"][0]
    assert round(top["total"], 6) == round(float(want["total"][0]), 6)


def test_spark_rank_with_half_life_decay_and_detail(spark: Any, tmp_path: Any) -> None:
    """A per-event decay merges across partitions; ``detail`` adds every rule's points."""
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    model = bf.ScoringModel.from_dict(HALF_LIFE)
    result = bspark.rank(
        spark.createDataFrame(leads),
        spark.createDataFrame(events).repartition(3),
        model,
        as_of=AS_OF,
        partitions=3,
        detail=True,
    )
    result.write.parquet(str(tmp_path / "ranking"))
    want = _in_process(leads, events, model)
    _assert_merge_law(_from_parquet(tmp_path / "ranking", want), want, model, bound=False)


def test_spark_reads_timestamps_in_any_session_zone(spark: Any) -> None:
    """A TIMESTAMP column gives the same instants as ISO text, whatever the session zone."""
    import pandas as pd

    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    typed = events.assign(at=pd.to_datetime(events["at"], utc=True))
    model = bf.ScoringModel.default()
    as_text = bspark.rank(
        spark.createDataFrame(leads), spark.createDataFrame(events), model, as_of=AS_OF
    )
    as_time = bspark.rank(
        spark.createDataFrame(leads), spark.createDataFrame(typed), model, as_of=AS_OF
    )
    assert as_time.collect() == as_text.collect()


def test_spark_refuses_misnamed_columns_before_any_job(spark: Any) -> None:
    """A profiles table keyed ``lead_id``, events without ``at`` or with integer times
    fail when ``rank`` is called, naming the closest header, with no job submitted."""
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    model = bf.ScoringModel.default()
    keyed = spark.createDataFrame(leads.rename(columns={"id": "lead_id"}))
    good, timeless = spark.createDataFrame(events), spark.createDataFrame(events.drop(columns="at"))
    numbered = spark.createDataFrame(events.assign(at=range(len(events))))
    context = spark.sparkContext
    context.setJobGroup("b2bfunnel-schema", "schema checks")
    try:
        with pytest.raises(bf.InvalidInputError, match="did you mean 'lead_id'") as keyed_error:
            bspark.rank(keyed, good, model, as_of=AS_OF)
        assert "columns={'id': 'lead_id'}" in str(keyed_error.value)
        with pytest.raises(bf.InvalidInputError, match="missing column 'at'"):
            bspark.rank(spark.createDataFrame(leads), timeless, model, as_of=AS_OF)
        with pytest.raises(bf.InvalidInputError, match="got bigint; expected TIMESTAMP"):
            bspark.rank(spark.createDataFrame(leads), numbered, model, as_of=AS_OF)
        assert list(context.statusTracker().getJobIdsForGroup("b2bfunnel-schema")) == []
    finally:
        context.setJobGroup(None, None)  # type: ignore[arg-type]


def test_spark_takes_the_former_keywords(spark: Any) -> None:
    """``spark_profiles=``/``spark_events=`` still work; giving both names is refused."""
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    profiles, rows = spark.createDataFrame(leads), spark.createDataFrame(events)
    model = bf.ScoringModel.default()
    former = bspark.rank(spark_profiles=profiles, spark_events=rows, model=model, as_of=AS_OF)
    assert former.columns == bspark.rank(profiles, rows, model, as_of=AS_OF).columns
    with pytest.raises(bf.InvalidInputError, match="one Spark DataFrame of profiles"):
        bspark.rank(profiles, rows, model, as_of=AS_OF, spark_profiles=profiles)


def test_spark_raises_b2bfunnel_error_of_a_bad_row_first(spark: Any, tmp_path: Any) -> None:
    """A bad time in one row fails the job with b2bfunnel's own error: its first line is
    ``lead L…: events.at: …`` whatever the action, raised from Spark's exception."""
    from py4j.protocol import Py4JJavaError
    from pyspark.errors import PythonException

    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    events.loc[7, "at"] = "2026-11-02 10:00"  # no offset
    lead = events.loc[7, "lead_id"]
    result = bspark.rank(
        spark.createDataFrame(leads),
        spark.createDataFrame(events),
        bf.ScoringModel.default(),
        as_of=AS_OF,
    )
    first = f"lead {lead}: events.at: '2026-11-02 10:00' has no time zone"
    written = (lambda: result.write.parquet(str(tmp_path / "r")), result.toPandas)
    for action in (result.collect, *written):
        with pytest.raises(bf.InvalidInputError) as error:
            action()
        assert str(error.value).startswith(first)
        assert "\n" not in str(error.value) and "timezone=" in str(error.value)
        assert error.value.path == f"lead {lead}"
        # Spark's own exception: a PythonException, or (Arrow's toPandas) Py4J's error
        assert isinstance(error.value.__cause__, PythonException | Py4JJavaError)
        assert first in str(error.value.__cause__)


def test_spark_worker_error_leaves_other_failures_alone() -> None:
    """Only a worker traceback ending in one of b2bfunnel's errors becomes that error."""
    from b2bfunnel.spark import worker_error

    tail = '\n  File "x.py", line 1, in f\n    g()\n'
    mine = worker_error(
        RuntimeError(
            "An exception was thrown from the Python worker:\nTraceback (most recent call "
            f"last):{tail}b2bfunnel.InvalidInputError: lead L9: events.at: empty cell\n\n"
            "JVM stacktrace:\norg.apache.spark.api.python.PythonException: ..."
        )
    )
    assert isinstance(mine, bf.InvalidInputError)
    assert (str(mine), mine.path, mine.message) == (
        "lead L9: events.at: empty cell",
        "lead L9",
        "events.at: empty cell",
    )
    arrow = RuntimeError(
        f"Traceback (most recent call last):{tail}b2bfunnel.errors.InvalidInputError: lead L9: "
        "events.at: empty cell\n SQLSTATE: 38000\n\tat org.apache.spark.api.python..."
    )
    assert str(worker_error(arrow)) == "lead L9: events.at: empty cell"
    config = RuntimeError(
        f"Traceback (most recent call last):{tail}b2bfunnel.ConfigError: decay.kind: invalid "
        "configuration, 1 problem:\n  - decay.kind: unknown kind\n SQLSTATE: 38000\n"
    )
    assert str(worker_error(config)).endswith("1 problem:\n  - decay.kind: unknown kind")
    other = RuntimeError(f"Traceback (most recent call last):{tail}KeyError: 'b2bfunnel'")
    assert worker_error(other) is None


def _nurture_states() -> tuple[bf.NurtureFlow, list[tuple[str, str]]]:
    """States that enter reactivation, split into arms, during the engine's advance."""
    arms = {"A": {"weight": 1}, "hold": {"weight": 1, "holdout": True}}
    flow = bf.NurtureFlow.from_dict(
        {"name": "engines", "splits": [{"name": "react", "status": "reactivation", "arms": arms}]}
    )
    start = AS_OF - timedelta(days=100)
    states = [flow.enroll(f"L{i}", at=start + timedelta(days=i)) for i in range(12)]
    return flow, [(s.lead_id, json.dumps(s.to_dict())) for s in states]


def _expected_advance(flow: bf.NurtureFlow, rows: list[tuple[str, str]]) -> list[tuple[Any, ...]]:
    out = []
    for lead_id, text in rows:
        state, actions = flow.advance(bf.NurtureState.from_dict(json.loads(text)), as_of=AS_OF)
        out.append((lead_id, state.to_dict(), [a.to_dict() for a in actions]))
    return out


def test_spark_advance_due_equals_advance(spark: Any) -> None:
    """advance_due returns each state and its actions, keys included, as advance() does."""
    from b2bfunnel import spark as bspark

    flow, rows = _nurture_states()
    frame = spark.createDataFrame(rows, "lead_id string, state string")
    got = [
        (r.lead_id, json.loads(r.state), json.loads(r.actions))
        for r in bspark.advance_due(frame, flow, AS_OF).collect()
    ]
    assert sorted(got, key=lambda r: r[0]) == sorted(_expected_advance(flow, rows))
    assert any(action["idempotency_key"] for _, _, actions in got for action in actions)
    _assert_arms(flow, got)


def _assert_arms(flow: bf.NurtureFlow, got: list[tuple[Any, ...]]) -> None:
    """Leads that entered reactivation on a worker got flow.arm's arm, both arms seen."""
    arms = {lead: state["arms"]["react"] for lead, state, _ in got if state["arms"]}
    assert arms == {lead: flow.arm(lead, "react") for lead in arms}
    assert set(arms.values()) == {"A", "hold"}


# --- Dask -----------------------------------------------------------------------


def test_dask_rank_round_trips_parquet_equal_to_in_process(dask_client: Any, tmp_path: Any) -> None:
    """Dask's ranking (with detail) declares in ``meta`` exactly what its partition
    holds, writes to Parquet and reads back as ``to_pandas(model.rank(...))``."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask

    leads, events = _sample_frames()
    model = bf.ScoringModel.from_dict(HALF_LIFE)
    result = bdask.rank(
        dd.from_pandas(leads, npartitions=2),
        dd.from_pandas(events, npartitions=3),
        model,
        as_of=AS_OF,
        detail=True,
    )
    computed = result.compute()
    assert dict(computed.dtypes) == dict(result._meta.dtypes)
    want = _in_process(leads, events, model)
    _assert_merge_law(computed, want, model, bound=False)
    result.to_parquet(str(tmp_path / "ranking"))
    _assert_merge_law(_from_parquet(tmp_path / "ranking", want), want, model, bound=False)
    assert float(computed["total"].mean()) == pytest.approx(float(want["total"].mean()))


def test_dask_checks_columns_before_any_task(dask_client: Any) -> None:
    """Misnamed or naive-time columns fail with no task computed; ``columns=`` maps a
    profiles header as :meth:`ScoringModel.rank` does."""
    import dask.dataframe as dd
    import pandas as pd

    from b2bfunnel import dask as bdask

    leads, events = _sample_frames()
    model = bf.ScoringModel.default()
    keyed = dd.from_pandas(leads.rename(columns={"id": "Record ID"}), npartitions=2)
    naive = events.assign(at=pd.to_datetime(events["at"], utc=True).dt.tz_localize(None))
    rows = dd.from_pandas(events, npartitions=2)
    from distributed import get_task_stream

    with get_task_stream(dask_client) as stream:
        with pytest.raises(bf.InvalidInputError, match=re.escape("columns={'id': 'Record ID'}")):
            bdask.rank(keyed, rows, model, as_of=AS_OF)
        with pytest.raises(bf.InvalidInputError, match="did you mean 'Name'"):
            bdask.rank(keyed, rows.rename(columns={"name": "Name"}), model, as_of=AS_OF,
                       columns={"id": "Record ID"})  # fmt: skip
        with pytest.raises(bf.InvalidInputError, match="without time zone are ambiguous"):
            bdask.rank(keyed, dd.from_pandas(naive, npartitions=2), model, as_of=AS_OF,
                       columns={"id": "Record ID"})  # fmt: skip
        mapped = bdask.rank(keyed, rows, model, as_of=AS_OF, columns={"id": "Record ID"})
    assert stream.data == []
    want = _in_process(leads, events, model)
    _assert_merge_law(mapped.compute(), want[list(want.columns[:12])])


def test_dask_names_the_lead_of_a_bad_row(dask_client: Any) -> None:
    """A bad time in one row is re-raised as b2bfunnel's own error, naming the lead
    rather than a row number within a partition."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask

    leads, events = _sample_frames()
    events.loc[7, "at"] = "2026-11-02 10:00"  # no offset
    lead = events.loc[7, "lead_id"]
    result = bdask.rank(
        dd.from_pandas(leads, npartitions=2),
        dd.from_pandas(events, npartitions=3),
        bf.ScoringModel.default(),
        as_of=AS_OF,
    )
    with pytest.raises(bf.InvalidInputError) as error:
        result.compute()
    assert str(error.value).startswith(f"lead {lead}: events.at: '2026-11-02 10:00' has no")


def test_dask_advance_due_equals_advance(dask_client: Any) -> None:
    """Dask's advance_due equals advance() state by state."""
    import dask.dataframe as dd
    import pandas as pd

    from b2bfunnel import dask as bdask

    flow, rows = _nurture_states()
    frame = dd.from_pandas(pd.DataFrame(rows, columns=["lead_id", "state"]), npartitions=2)
    got = [
        (r["lead_id"], json.loads(r["state"]), json.loads(r["actions"]))
        for r in bdask.advance_due(frame, flow, AS_OF).compute().to_dict("records")
    ]
    assert sorted(got, key=lambda r: r[0]) == sorted(_expected_advance(flow, rows))
    _assert_arms(flow, got)


# --- accounts -------------------------------------------------------------------


def _sample_accounts() -> Any:
    import pandas as pd

    with (DATA / "demo_accounts.csv").open(encoding="utf-8") as handle:
        return pd.DataFrame(list(csv.DictReader(handle)), dtype=object)


def _accounts_in_process(leads: Any, events: Any, accounts: Any) -> tuple[Any, Any]:
    """``funnel.rank_accounts`` of the frames in this process, and its table."""
    from b2bfunnel._account_frame import account_frame

    ranking = bf.Funnel().rank_accounts(leads, events, accounts=accounts, as_of=AS_OF)
    return ranking, account_frame(ranking)


def _assert_accounts_equal(got: Any, want: Any, ranking: Any) -> None:
    """``got`` (an engine's account table) is ``want`` under the merge law, and its
    cells say what the in-process :class:`AccountScore` values say."""
    import pandas as pd

    from b2bfunnel.cli.accounts import account_row

    got = got.reset_index(drop=True)
    assert list(got.columns) == list(want.columns)
    assert dict(got.dtypes) == dict(want.dtypes)
    assert got["rank"].tolist() == list(range(1, len(want) + 1))
    totals = dict(zip(want["account_id"], want["total"], strict=True))
    for mine, theirs in zip(got["account_id"], want["account_id"], strict=True):
        assert mine == theirs or abs(totals[mine] - totals[theirs]) <= 1e-9
    mine, theirs = (f.sort_values("account_id").reset_index(drop=True) for f in (got, want))
    floats = ["total", "fit", "engagement"]
    mine[floats], theirs[floats] = mine[floats].round(6), theirs[floats].round(6)
    pd.testing.assert_frame_equal(mine.drop(columns="rank"), theirs.drop(columns="rank"))
    # Independently of the table's own builder: the scores and the CLI's rows.
    by_id = {s.account_id: s for s in ranking}
    for row in got.itertuples():
        score = by_id[row.account_id]
        cli = account_row(0, score)
        assert (row.engaged, row.contacts) == (score.breadth.engaged, len(score.contacts))
        assert row.roles_missing == cli["roles_missing"] and row.reasons == cli["reasons"]
        assert row.roles_present == ", ".join(score.roles_present)
        assert row.as_of == pd.Timestamp(AS_OF)


def test_spark_rank_accounts_equals_in_process(spark: Any, tmp_path: Any) -> None:
    """Spark's account ranking of the sample (accounts table as a Spark frame), written
    to Parquet and read back, is ``funnel.rank_accounts`` as a table."""
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    accounts = _sample_accounts()
    ranking, want = _accounts_in_process(leads, events, accounts)
    assert want["contacts"].sum() > 100 and (want["contacts"] == 0).any()
    result = bspark.rank_accounts(
        spark.createDataFrame(leads),
        spark.createDataFrame(events).repartition(3),
        bf.Funnel(),
        accounts=spark.createDataFrame(accounts),
        as_of=AS_OF,
        partitions=3,
    )
    assert result.columns == list(want.columns)
    result.write.parquet(str(tmp_path / "accounts"))
    _assert_accounts_equal(_from_parquet(tmp_path / "accounts", want), want, ranking)


def test_dask_rank_accounts_equals_in_process(dask_client: Any) -> None:
    """Dask's account ranking of the sample, its ``meta`` what the partition holds."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask

    leads, events = _sample_frames()
    accounts = _sample_accounts()
    ranking, want = _accounts_in_process(leads, events, accounts)
    result = bdask.rank_accounts(
        dd.from_pandas(leads, npartitions=2),
        dd.from_pandas(events, npartitions=3),
        bf.Funnel(),
        accounts=accounts,
        as_of=AS_OF,
    )
    got = result.compute()
    assert dict(got.dtypes) == dict(result._meta.dtypes)
    _assert_accounts_equal(got, want, ranking)


# --- 1,000,000 events -----------------------------------------------------------


@pytest.fixture(scope="module")
def million() -> tuple[Any, Any, Any]:
    """1,000,000 generated events of 20,000 leads and ``to_pandas`` of their
    single-process ranking."""
    if not REQUIRED:
        pytest.skip("1,000,000 events run in CI's engine step (B2BFUNNEL_REQUIRE_ENGINES=1)")
    profiles, events = _generated(1_000_000, 20_000)
    model = bf.ScoringModel.default()
    scores = model.rank(profiles.to_dict("records"), _events_of(events), as_of=AS_OF)
    return profiles, events, bf.to_pandas(scores, detail=True)


@pytest.mark.large
def test_spark_rank_on_a_million_events(spark: Any, million: Any, tmp_path: Any) -> None:
    """Spark's Parquet equals rank() on 1,000,000 skewed events."""
    from b2bfunnel import spark as bspark

    profiles, events, want = million
    result = bspark.rank(
        spark.createDataFrame(profiles),
        spark.createDataFrame(events),
        bf.ScoringModel.default(),
        as_of=AS_OF,
        detail=True,
    )
    result.write.parquet(str(tmp_path / "ranking"))
    _assert_merge_law(_from_parquet(tmp_path / "ranking", want), want)


@pytest.mark.large
def test_dask_rank_on_a_million_events(dask_client: Any, million: Any, tmp_path: Any) -> None:
    """Dask's Parquet equals rank() on 1,000,000 skewed events."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask

    profiles, events, want = million
    bdask.rank(
        dd.from_pandas(profiles, npartitions=2),
        dd.from_pandas(events, npartitions=8),
        bf.ScoringModel.default(),
        as_of=AS_OF,
        detail=True,
    ).to_parquet(str(tmp_path / "ranking"))
    _assert_merge_law(_from_parquet(tmp_path / "ranking", want), want)


@pytest.fixture(scope="module")
def million_accounts(million: Any) -> tuple[Any, Any, Any, Any]:
    """The 1,000,000 events' leads given e-mail addresses of 2,000 companies (every
    tenth at a free-mail domain, so unmatched), and ``funnel.rank_accounts`` of them in
    this process, as a table."""
    from b2bfunnel._account_frame import account_frame

    profiles, events, _want = million
    numbers = range(len(profiles))
    emails = [f"c{i}@" + ("gmail.com" if i % 10 == 0 else f"co{i % 2000}.es") for i in numbers]
    profiles = profiles.assign(email=emails)
    ranking = bf.Funnel().rank_accounts(
        profiles.to_dict("records"), _events_of(events), as_of=AS_OF
    )
    return profiles, events, ranking, account_frame(ranking)


@pytest.mark.large
def test_spark_rank_accounts_on_a_million_events(
    spark: Any, million_accounts: Any, tmp_path: Any
) -> None:
    """Spark's account ranking equals funnel.rank_accounts on 1,000,000 skewed events."""
    from b2bfunnel import spark as bspark

    profiles, events, ranking, want = million_accounts
    result = bspark.rank_accounts(
        spark.createDataFrame(profiles), spark.createDataFrame(events), bf.Funnel(), as_of=AS_OF
    )
    result.write.parquet(str(tmp_path / "accounts"))
    _assert_accounts_equal(_from_parquet(tmp_path / "accounts", want), want, ranking)


@pytest.mark.large
def test_dask_rank_accounts_on_a_million_events(dask_client: Any, million_accounts: Any) -> None:
    """Dask's account ranking equals funnel.rank_accounts on 1,000,000 skewed events."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask

    profiles, events, ranking, want = million_accounts
    result = bdask.rank_accounts(
        dd.from_pandas(profiles, npartitions=2),
        dd.from_pandas(events, npartitions=8),
        bf.Funnel(),
        as_of=AS_OF,
    )
    _assert_accounts_equal(result.compute(), want, ranking)


def test_rank_accounts_checks_columns_before_any_job_or_task(spark: Any, dask_client: Any) -> None:
    """A misnamed column fails ``rank_accounts`` at once on both engines: no Spark job
    submitted, no Dask task computed; a model where a funnel belongs is refused."""
    import dask.dataframe as dd
    from distributed import get_task_stream

    from b2bfunnel import dask as bdask
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    keyed = leads.rename(columns={"id": "lead_id"})
    timeless = events.rename(columns={"at": "When"})
    context = spark.sparkContext
    context.setJobGroup("b2bfunnel-accounts", "schema checks")
    try:
        with pytest.raises(bf.InvalidInputError, match="did you mean 'lead_id'"):
            bspark.rank_accounts(
                spark.createDataFrame(keyed), spark.createDataFrame(events), bf.Funnel(),
                as_of=AS_OF,
            )  # fmt: skip
        with pytest.raises(bf.InvalidInputError, match="missing column 'at'"):
            bspark.rank_accounts(
                spark.createDataFrame(leads), spark.createDataFrame(timeless), bf.Funnel(),
                as_of=AS_OF,
            )  # fmt: skip
        with pytest.raises(bf.InvalidInputError, match="expected a Funnel"):
            bspark.rank_accounts(
                spark.createDataFrame(leads), spark.createDataFrame(events),
                bf.ScoringModel.default(), as_of=AS_OF,  # type: ignore[arg-type]
            )  # fmt: skip
        assert list(context.statusTracker().getJobIdsForGroup("b2bfunnel-accounts")) == []
    finally:
        context.setJobGroup(None, None)  # type: ignore[arg-type]
    with get_task_stream(dask_client) as stream:
        with pytest.raises(bf.InvalidInputError, match="did you mean 'lead_id'"):
            bdask.rank_accounts(
                dd.from_pandas(keyed, npartitions=2), dd.from_pandas(events, npartitions=2),
                bf.Funnel(), as_of=AS_OF,
            )  # fmt: skip
        with pytest.raises(bf.InvalidInputError, match="missing column 'at'"):
            bdask.rank_accounts(
                dd.from_pandas(leads, npartitions=2), dd.from_pandas(timeless, npartitions=2),
                bf.Funnel(), as_of=AS_OF,
            )  # fmt: skip
    assert stream.data == []


def test_engine_signatures_match_in_process_rank() -> None:
    """Every keyword-only parameter of ScoringModel.rank but ``progress`` is one of each
    engine's ``rank``, with the same default; the tables and model come first."""
    import inspect

    from b2bfunnel import dask as bdask
    from b2bfunnel import spark as bspark

    def keyword_only(function: Any) -> dict[str, Any]:
        parameters = inspect.signature(function).parameters.values()
        return {p.name: p.default for p in parameters if p.kind is p.KEYWORD_ONLY}

    wanted = keyword_only(bf.ScoringModel.rank)
    wanted.pop("progress")
    assert {"decimal", "timezone", "skip_invalid"} <= set(wanted)
    for engine in (bspark.rank, bdask.rank):
        mine = keyword_only(engine)
        assert {k: mine.get(k, "absent") for k in wanted} == wanted, engine.__module__
        assert mine["detail"] is False
        positional = list(inspect.signature(engine).parameters)[:3]
        assert positional == ["profiles", "events", "model"]
    assert keyword_only(bspark.rank)["partitions"] is None
    reading = {k: wanted[k] for k in ("columns", "decimal", "timezone", "skip_invalid")}
    for engine in (bspark.rank_accounts, bdask.rank_accounts):
        mine = keyword_only(engine)
        assert {k: mine.get(k, "absent") for k in reading} == reading, engine.__module__
        assert mine["accounts"] is None and "as_of" in mine
        positional = list(inspect.signature(engine).parameters)[:3]
        assert positional == ["profiles", "events", "funnel"]


def _export_like() -> tuple[Any, Any, Any]:
    """The sample as a Spanish ``;``-CSV export would hold it: employee counts as
    decimal-comma text (``1.200`` is twelve hundred), event times without an offset in
    Madrid's local time, and one row whose time is not a time; and the ranking
    ``to_pandas(model.rank(...))`` gives with the same reading options."""
    import pandas as pd

    leads, events = _sample_frames()
    counts = pd.to_numeric(leads["employees"])
    leads["employees"] = [f"{n:,}".replace(",", ".") + ",0" for n in counts]
    assert any(n >= 1000 for n in counts)  # so that reading "1.200" as 1.2 would show
    local = pd.to_datetime(events["at"], utc=True).dt.tz_convert("Europe/Madrid")
    events["at"] = local.dt.strftime("%Y-%m-%d %H:%M:%S").astype(object)
    events.loc[11, "at"] = "last tuesday"
    options = {"decimal": ",", "timezone": "Europe/Madrid", "skip_invalid": True}
    model = bf.ScoringModel.default()
    want = bf.to_pandas(model.rank(leads, events, as_of=AS_OF, **options))  # type: ignore[arg-type]
    plain = bf.to_pandas(
        model.rank(leads, events.drop(index=11), as_of=AS_OF, timezone="Europe/Madrid")
    )
    assert not want["explicit"].equals(plain["explicit"])  # decimal= changes the fit
    return leads, events, want


READING = {"decimal": ",", "timezone": "Europe/Madrid", "skip_invalid": True}


def test_spark_reading_options_equal_in_process(spark: Any, tmp_path: Any) -> None:
    """``decimal``, ``timezone`` and ``skip_invalid`` read as ScoringModel.rank reads."""
    from b2bfunnel import spark as bspark

    leads, events, want = _export_like()
    profiles, rows = spark.createDataFrame(leads), spark.createDataFrame(events)
    model = bf.ScoringModel.default()
    result = bspark.rank(profiles, rows, model, as_of=AS_OF, **READING)  # type: ignore[arg-type]
    result.write.parquet(str(tmp_path / "ranking"))
    _assert_merge_law(_from_parquet(tmp_path / "ranking", want), want)
    # TIMESTAMP_NTZ (the bad row a null) is read in the zone too, refused without one.
    naive = rows.withColumn("at", rows["at"].try_cast("timestamp_ntz"))
    with pytest.raises(bf.InvalidInputError, match="pass timezone= for times without one"):
        bspark.rank(profiles, naive, model, as_of=AS_OF, decimal=",")
    result = bspark.rank(profiles, naive, model, as_of=AS_OF, **READING)  # type: ignore[arg-type]
    result.write.parquet(str(tmp_path / "ntz"))
    _assert_merge_law(_from_parquet(tmp_path / "ntz", want), want)
    with pytest.raises(bf.InvalidInputError, match="unknown time zone 'Madrid'"):
        bspark.rank(profiles, rows, model, as_of=AS_OF, timezone="Madrid")
    with pytest.raises(bf.InvalidInputError, match=re.escape("expected '.' or ','")):
        bspark.rank(profiles, rows, model, as_of=AS_OF, decimal=";")


def test_dask_reading_options_equal_in_process(dask_client: Any) -> None:
    """The same options on Dask, with ``at`` as text and as naive datetimes."""
    import dask.dataframe as dd
    import pandas as pd

    from b2bfunnel import dask as bdask

    leads, events, want = _export_like()
    model = bf.ScoringModel.default()
    profiles = dd.from_pandas(leads, npartitions=2)
    for at in (events["at"], pd.to_datetime(events["at"], errors="coerce")):
        rows = dd.from_pandas(events.assign(at=at), npartitions=3)
        got = bdask.rank(profiles, rows, model, as_of=AS_OF, **READING).compute()  # type: ignore[arg-type]
        _assert_merge_law(got.reset_index(drop=True), want)
    with pytest.raises(bf.InvalidInputError, match="expected True or False"):
        bdask.rank(profiles, rows, model, as_of=AS_OF, skip_invalid="yes")  # type: ignore[arg-type]


def test_importing_the_adaptors_loads_no_engine() -> None:
    """`import b2bfunnel.spark` / `.dask` import neither pyspark, dask nor pandas."""
    code = (
        "import sys, b2bfunnel, b2bfunnel.spark, b2bfunnel.dask; "
        "print(sorted(m for m in ('pyspark', 'dask', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _budget_model() -> bf.ScoringModel:
    """The default model and 20 points for an approved budget."""
    config = bf.ScoringModel.default().to_dict()
    rule = {"name": "budget", "points": 20, "when": {"field": "budget", "eq": "approved"}}
    config["explicit"] = [*config["explicit"], rule]
    return bf.ScoringModel.from_dict(config)


def _day_first_like() -> tuple[Any, Any, dict[str, Any], Any]:
    """The sample with day-first event times in Madrid's local time and the budget
    written as a Spanish CRM writes it (``Aprobado``), the options that read them, and
    the ranking ``to_pandas(model.rank(...))`` gives with those options."""
    import pandas as pd

    leads, events = _sample_frames()
    assert (leads["budget"] == "approved").any()
    leads["budget"] = leads["budget"].replace({"approved": "Aprobado"})
    local = pd.to_datetime(events["at"], utc=True).dt.tz_convert("Europe/Madrid")
    events["at"] = local.dt.strftime("%d/%m/%Y %H:%M:%S").astype(object)
    options = {
        "date_format": "%d/%m/%Y %H:%M:%S",
        "timezone": "Europe/Madrid",
        "values": {"budget": {"approved": ["Aprobado"]}},
    }
    model = _budget_model()
    want = bf.to_pandas(model.rank(leads, events, as_of=AS_OF, **options))
    unmapped = {k: v for k, v in options.items() if k != "values"}
    plain = bf.to_pandas(model.rank(leads, events, as_of=AS_OF, **unmapped))
    assert not want["explicit"].equals(plain["explicit"])  # values= changes the fit
    return leads, events, options, want


def test_engines_read_date_format_and_values_as_in_process(
    spark: Any, dask_client: Any, tmp_path: Any
) -> None:
    """``date_format`` and ``values`` read on both engines as ScoringModel.rank reads."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask
    from b2bfunnel import spark as bspark

    leads, events, options, want = _day_first_like()
    model = _budget_model()
    result = bspark.rank(
        spark.createDataFrame(leads), spark.createDataFrame(events), model, as_of=AS_OF, **options
    )
    result.write.parquet(str(tmp_path / "ranking"))
    _assert_merge_law(_from_parquet(tmp_path / "ranking", want), want)
    profiles = dd.from_pandas(leads, npartitions=2)
    rows = dd.from_pandas(events, npartitions=3)
    got = bdask.rank(profiles, rows, model, as_of=AS_OF, **options).compute()
    _assert_merge_law(got.reset_index(drop=True), want)
    with pytest.raises(bf.InvalidInputError) as caught:
        bdask.rank(profiles, rows, model, as_of=AS_OF, date_format=5)  # type: ignore[arg-type]
    assert caught.value.path == "date_format"


# --- named scores (issue 22) ----------------------------------------------------------

NAMED = {
    "scores": {
        "content": {"rules": ["case_study_download", "webinar_completed"], "hot_threshold": 30},
        "intent": {
            "rules": ["pricing_page_visit", "webinar_completed"],
            "decay": {"kind": "half_life", "half_life_days": 20},
        },
    }
}


def _by_named(frame: Any, name: str) -> list[str]:
    """Lead ids of ``frame`` ordered by ``score.<name>`` (ties by lead id)."""
    ordered = frame.sort_values([f"score.{name}", "lead_id"], ascending=[False, True])
    return [str(lead) for lead in ordered["lead_id"]]


def test_spark_rank_by_a_named_score(spark: Any) -> None:
    """``by=`` orders Spark's ranking by ``score.<name>``; its score and band columns
    equal the in-process ranking's."""
    from b2bfunnel import spark as bspark

    leads, events = _sample_frames()
    model = bf.ScoringModel.from_dict(NAMED)
    result = bspark.rank(
        spark.createDataFrame(leads), spark.createDataFrame(events).repartition(3), model,
        as_of=AS_OF, by="intent",
    ).toPandas()  # fmt: skip
    want = _in_process(leads, events, model)
    assert [str(x) for x in result["lead_id"]] == _by_named(want, "intent")
    mine = result.sort_values("lead_id").reset_index(drop=True)
    theirs = want.sort_values("lead_id").reset_index(drop=True)
    for column in ("score.content", "score.intent"):
        assert mine[column].round(6).tolist() == theirs[column].round(6).tolist()
    assert mine["band.content"].tolist() == theirs["band.content"].tolist()
    with pytest.raises(bf.InvalidInputError, match="'content', 'intent'"):
        bspark.rank(spark.createDataFrame(leads), spark.createDataFrame(events), model,
                    as_of=AS_OF, by="nope")  # fmt: skip


def test_dask_rank_by_a_named_score(dask_client: Any) -> None:
    """``by=`` orders Dask's ranking by ``score.<name>``, as in process."""
    import dask.dataframe as dd

    from b2bfunnel import dask as bdask

    leads, events = _sample_frames()
    model = bf.ScoringModel.from_dict(NAMED)
    result = bdask.rank(
        dd.from_pandas(leads, npartitions=2), dd.from_pandas(events, npartitions=3), model,
        as_of=AS_OF, by="content",
    )  # fmt: skip
    computed = result.compute()
    assert dict(computed.dtypes) == dict(result._meta.dtypes)
    want = _in_process(leads, events, model)
    assert [str(x) for x in computed["lead_id"]] == _by_named(want, "content")
    assert computed["rank"].tolist() == list(range(1, len(computed) + 1))
