"""Results as flat rows and DataFrames: the same numbers, datetimes and money kept."""

from __future__ import annotations

import math
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sample_results import every_result

import b2bfunnel as bf

pd = pytest.importorskip("pandas")
RESULTS = every_result()


@pytest.mark.parametrize("name", sorted(RESULTS))
def test_every_result_gives_flat_rows(name: str) -> None:
    """Each row holds only plain cells: no dict, list or result inside."""
    rows = bf.to_records(RESULTS[name])
    assert rows
    for row in rows:
        for key, value in row.items():
            assert isinstance(key, str)
            assert not isinstance(value, dict | list | tuple | set), (key, value)


def test_ranking_round_trips_to_a_frame() -> None:
    """One row per lead with totals, contributions as points.<rule>, as_of in UTC."""
    ranking = RESULTS["Ranking"]
    frame = bf.to_pandas(ranking, detail=True)
    assert frame["lead_id"].tolist() == [s.lead_id for s in ranking]
    assert frame["total"].tolist() == [s.total for s in ranking]
    for i, score in enumerate(ranking):
        for c in score.contributions:
            assert frame[f"points.{c.rule}"].iloc[i] == c.points
    assert str(frame["as_of"].dt.tz) == "UTC"
    assert frame["as_of"].iloc[0].to_pydatetime() == ranking[0].as_of
    assert str(frame["hot_since"].dtype).startswith("datetime64")


def test_ranking_frame_has_the_documented_columns_and_types() -> None:
    """The ranking table of docs/datalake.md: its columns in order, string text, float
    figures at full precision, UTC timestamps with NaT where a score has none, and
    the top 3 reasons as the CLI writes them."""
    from datetime import UTC, timedelta

    model = bf.ScoringModel.from_dict({"decay": {"kind": "half_life", "half_life_days": 7}})
    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe's clocks move
    events = [
        bf.Event("L1", "pricing_page_visit", at - timedelta(days=3)),
        bf.Event("L1", "webinar_completed", at - timedelta(days=1)),
        bf.Event("L1", "case_study_download", at),
        bf.Event("L1", "email_case_study_click", at),
    ]
    profiles = [{"id": "L1", "job_title": "CTO", "employees": 900}, {"id": "L2"}]
    ranking = model.rank(profiles, events, as_of=at + timedelta(days=2))
    frame = bf.to_pandas(ranking, detail=True)
    text, number, when = pd.StringDtype(), "float64", "datetime64[us, UTC]"
    expected = {
        "lead_id": text, "total": number, "explicit": number, "implicit": number,
        "decay_factor": number, "band": text, "grade": text, "hot": "bool",
        "as_of": when, "hot_since": when, "last_activity": when, "reasons": text,
    }  # fmt: skip
    assert list(frame.columns[:12]) == list(expected)
    assert {c: frame[c].dtype for c in expected} == expected
    assert all(c.startswith("points.") for c in frame.columns[12:])
    first, second = ranking
    assert frame["total"].tolist() == [first.total, second.total]  # not rounded
    assert first.total != round(first.total, 1)
    assert frame.loc[0, "last_activity"].to_pydatetime() == at
    assert pd.isna(frame.loc[1, "last_activity"]) and pd.isna(frame.loc[1, "hot_since"])
    top = sorted(first.contributions, key=lambda c: (-abs(c.points), c.rule))[:3]
    assert frame.loc[0, "reasons"] == "; ".join(f"{c.rule} {c.points:+g}" for c in top)
    assert frame.loc[1, "reasons"] == ""


def test_to_polars_has_the_pandas_schema() -> None:
    """to_polars gives to_pandas' columns, values and types in polars' terms."""
    pl = pytest.importorskip("polars")
    from b2bfunnel.records import to_polars

    ranking = RESULTS["Ranking"]
    frame, pandas_frame = to_polars(ranking), bf.to_pandas(ranking)
    assert frame.columns == list(pandas_frame.columns)
    assert frame["lead_id"].dtype == pl.String and frame["hot"].dtype == pl.Boolean
    assert frame["as_of"].dtype == pl.Datetime("us", "UTC")
    assert frame["total"].to_list() == [s.total for s in ranking]
    velocity = to_polars(RESULTS["VelocityComparison"])
    assert velocity["avg_deal_value"].dtype == velocity["win_rate"].dtype == pl.Float64


def test_report_periods_are_datetime64() -> None:
    """An NPS report's period starts (dates) become a datetime64 column."""
    frame = bf.to_pandas(RESULTS["Report"])
    starts = [cell.period_start for cell in RESULTS["Report"].cells]
    assert frame["period_start"].dtype.kind == "M"
    assert [t.date() if not pd.isna(t) else None for t in frame["period_start"]] == starts


def test_report_gives_a_row_per_cell_with_its_interval() -> None:
    """The NPS report's rows are its cells; interval ends become two numbers."""
    report = RESULTS["Report"]
    frame = bf.to_pandas(report)
    assert len(frame) == len(report.cells)
    for (_, row), cell in zip(frame.iterrows(), report.cells, strict=True):
        assert (row["segment"], row["period"]) == (cell.segment, cell.period)
        assert (row["interval_low"], row["interval_high"]) == cell.result.interval
        assert row["n"] == cell.result.n


def test_money_is_float_unless_asked_and_rates_always() -> None:
    """Velocity money is float by default and Decimal cents with money="decimal";
    win rates and cycle days are floats either way, so the frame plots."""
    from decimal import ROUND_HALF_EVEN

    comparison = RESULTS["VelocityComparison"]
    exact = bf.to_pandas(comparison, money="decimal")
    rough = bf.to_pandas(comparison)
    for key, report in comparison.items():
        at = exact["cohort"].tolist().index(key)
        cents = report.avg_deal_value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
        assert exact["avg_deal_value"].iloc[at] == cents
        assert isinstance(exact["avg_deal_value"].iloc[at], Decimal)
        assert rough["avg_deal_value"].iloc[at] == float(cents)
        assert rough["win_rate"].iloc[at] == pytest.approx(float(report.win_rate))
    assert rough["avg_deal_value"].dtype.kind == "f"
    for frame in (exact, rough):
        assert frame["win_rate"].dtype.kind == frame["cycle_days"].dtype.kind == "f"
    assert not rough.select_dtypes("number").empty


def test_records_keep_datetimes_and_decimals() -> None:
    """to_records itself never converts: datetimes and Decimal stay as they are."""
    row = bf.to_records(RESULTS["VelocityReport"])[0]
    assert isinstance(row["as_of"], datetime) and row["as_of"].tzinfo is not None
    assert isinstance(row["velocity"], Decimal)
    assert row["velocity"] == row["velocity"].quantize(Decimal("0.01"))  # to the cent
    assert isinstance(row["win_rate"], float)


def test_attribution_has_a_column_per_model() -> None:
    """Credit per channel per model, adding up to the revenue for every model."""
    report = RESULTS["AttributionReport"]
    frame = bf.to_pandas(report)
    for model in report.models:
        assert sum(frame[model]) == report.revenue - report.unattributed


@given(st.lists(st.integers(0, 10), min_size=1, max_size=60), st.integers(1, 4))
def test_nps_round_trips_through_a_frame(scores: list[int], parts: int) -> None:
    """Several NPS results give a frame with the same n, score and interval."""
    results = [bf.nps(scores[i::parts]) for i in range(parts) if scores[i::parts]]
    frame = bf.to_pandas(results)
    assert frame["n"].tolist() == [r.n for r in results]
    assert frame["score"].tolist() == [r.score for r in results]
    for (_, row), r in zip(frame.iterrows(), results, strict=True):
        assert math.isclose(row["interval_low"], r.interval[0])
        assert math.isclose(row["interval_high"], r.interval[1])


def test_anything_else_is_refused_with_a_path() -> None:
    """A non-result, alone or in a list, raises InvalidInputError naming where."""
    with pytest.raises(bf.InvalidInputError) as alone:
        bf.to_records({"score": 1})
    assert alone.value.path == "obj"
    with pytest.raises(bf.InvalidInputError) as inside:
        bf.to_records([bf.nps([9]), 3])
    assert inside.value.path == "obj[1]"
    with pytest.raises(bf.InvalidInputError):
        bf.to_pandas(bf.nps([9]), money="cents")


def test_without_pandas_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """With pandas missing, to_pandas raises ImportError naming the extra."""
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r'pip install "b2bfunnel\[pandas\]"'):
        bf.to_pandas(bf.nps([9]))


def test_import_never_loads_pandas_or_matplotlib() -> None:
    """`import b2bfunnel` and using a result leaves pandas and matplotlib unloaded."""
    code = (
        "import sys, b2bfunnel as bf; r = bf.nps([9, 3]); r._repr_html_(); bf.to_records(r);"
        "print(sorted(m for m in ('pandas', 'matplotlib', 'numpy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_rows_follow_the_class_not_its_name() -> None:
    """A class that only shares a result's name gets the plain row of its own fields;
    a subclass of a result keeps its parent's rows and view."""

    @attrs.frozen
    class Score:
        lead_id: str

        def to_dict(self) -> dict[str, str]:
            return {"lead_id": self.lead_id}

    assert bf.to_records(Score("L1")) == [{"lead_id": "L1"}]

    report = bf.funnel_metrics([{"lead_at": datetime(2026, 1, 1, tzinfo=UTC)}])
    stages = len(bf.to_records(report))
    renamed = type("Renamed", (type(report),), {"__slots__": ()})
    copy = renamed(**{f.name: getattr(report, f.name) for f in attrs.fields(type(report))})
    assert len(bf.to_records(copy)) == stages > 1
    assert "<table" in copy._repr_html_()
