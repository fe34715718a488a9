"""Tables with a CRM's own headers (``columns=``) and blank survey scores, on every entry
point that takes a table."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from sample_results import demo_rows

import b2bfunnel as bf

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

LEADS = {"id": "Record ID", "job_title": "Job Title", "employees": "Number of Employees"}
OUTCOMES = {"lead_id": "Contact", "at": "Converted On"}
SURVEY = {"score": "How likely (0-10)", "at": "Submitted", "account": "Company"}
EARLY, LATE = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 9, 24, tzinfo=UTC)


def renamed(rows: list[dict[str, Any]], columns: dict[str, str]) -> Any:
    """``rows`` as a DataFrame whose mapped columns carry the CRM's headers."""
    return pd.DataFrame(rows).rename(columns=columns)


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    """The shipped demo leads, events and outcomes."""
    return {
        "profiles": demo_rows("demo_leads.csv"),
        "outcomes": demo_rows("demo_outcomes.csv"),
        "events": bf.events_from(demo_rows("demo_events.csv")),
    }


def test_evaluate_maps_each_table_its_own_way(demo: dict[str, Any]) -> None:
    """Renamed profile and outcome headers, mapped per table, evaluate as the plain rows."""
    model = bf.ScoringModel.default()
    plain = bf.evaluate(
        model, demo["profiles"], demo["events"], demo["outcomes"], cutoff=LATE, horizon_days=60
    )
    mapped = bf.evaluate(
        model,
        renamed(demo["profiles"], LEADS),
        demo["events"],
        renamed(demo["outcomes"], OUTCOMES),
        cutoff=LATE,
        horizon_days=60,
        columns={"profiles": LEADS, "outcomes": OUTCOMES},
    )
    assert (mapped.n, mapped.positives, mapped.auc) == (plain.n, plain.positives, plain.auc)
    assert mapped.scores == plain.scores


def test_fit_points_and_time_split_read_renamed_headers(demo: dict[str, Any]) -> None:
    """fit_points and time_split on renamed DataFrames learn what the plain rows teach."""
    tables = (renamed(demo["profiles"], LEADS), demo["events"], renamed(demo["outcomes"], OUTCOMES))
    columns = {"profiles": LEADS, "outcomes": OUTCOMES}
    plain = (demo["profiles"], demo["events"], demo["outcomes"])
    fitted = bf.fit_points(*tables, cutoff=EARLY, horizon_days=60, columns=columns)
    assert fitted == bf.fit_points(*plain, cutoff=EARLY, horizon_days=60)
    split = bf.time_split(*tables, fit_cutoff=EARLY, cutoff=LATE, horizon_days=60, columns=columns)
    expected = bf.time_split(*plain, fit_cutoff=EARLY, cutoff=LATE, horizon_days=60)
    assert split.difference == expected.difference
    assert split.learned.auc == expected.learned.auc


def test_a_flat_mapping_applies_to_every_table(demo: dict[str, Any]) -> None:
    """One field -> header mapping applies to both tables of evaluate: a header only one
    of them has is reported on the other; per-table mappings say which is which."""
    profiles = renamed(demo["profiles"], {"job_title": "Title"})
    outcomes = pd.DataFrame(demo["outcomes"])
    model = bf.ScoringModel.default()
    with pytest.raises(bf.InvalidInputError, match="no column 'Title'") as info:
        bf.evaluate(model, profiles, demo["events"], outcomes, cutoff=LATE, horizon_days=60,
                    columns={"job_title": "Title"})  # fmt: skip
    assert info.value.path == "outcomes.columns"
    evaluation = bf.evaluate(
        model, profiles, demo["events"], outcomes, cutoff=LATE, horizon_days=60,
        columns={"profiles": {"job_title": "Title"}},
    )  # fmt: skip
    plain = bf.evaluate(
        model, demo["profiles"], demo["events"], outcomes, cutoff=LATE, horizon_days=60
    )
    assert evaluation.scores == plain.scores


def test_an_unknown_table_name_is_refused() -> None:
    """Per-table mappings keyed by a name no entry point has say which names exist."""
    with pytest.raises(bf.InvalidInputError, match="did you mean 'profiles'") as info:
        bf.data_report(bf.ScoringModel.default(), [{"id": "L1"}], columns={"profile": {}})
    assert info.value.path == "profiles.columns"


def test_data_report_reads_mapped_headers() -> None:
    """Mapped headers count as the rule fields they stand for in the data report."""
    frame = pd.DataFrame({"Record ID": ["L1"], "Job Title": ["CIO"], "Number of Employees": [900]})
    model = bf.ScoringModel.default()
    unmapped = bf.data_report(model, frame)
    assert "job_title" in {field for field, _ in unmapped.missing_fields}
    report = bf.data_report(model, frame, columns=LEADS)
    assert {field for field, _ in report.missing_fields} & {"job_title", "employees"} == set()


def survey() -> list[dict[str, Any]]:
    """The shipped survey rows with whole-number scores."""
    return [{**r, "score": int(r["score"])} for r in demo_rows("demo_survey.csv")]


def test_survey_functions_read_renamed_headers() -> None:
    """nps_report, ces_report, account_nps and comment_themes map a survey's headers."""
    rows = survey()
    frame = renamed(rows, SURVEY)
    themes = {"price": ["expensive", "caro"]}
    assert bf.nps_report(frame, by="sector", columns=SURVEY) == bf.nps_report(rows, by="sector")
    assert bf.account_nps(frame, columns=SURVEY) == bf.account_nps(rows)
    assert bf.comment_themes(frame, themes, columns=SURVEY) == bf.comment_themes(rows, themes)
    effort = [{**r, "score": r["score"] % 7 + 1} for r in rows]
    assert bf.ces_report(renamed(effort, SURVEY), columns=SURVEY) == bf.ces_report(effort)
    mappings = renamed(rows, SURVEY).to_dict("records")
    assert bf.nps_report(mappings, columns=SURVEY) == bf.nps_report(rows)


def test_plan_portfolio_reads_renamed_headers() -> None:
    """A KOL table with its own headers plans as the candidate values do."""
    brief = bf.KOLBrief(target_roles=["cto"])
    pool = [
        bf.KOLCandidate("@a", 5000, {"cto": 0.8}, 200, cost_per_post=500),
        bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
    ]
    frame = pd.DataFrame({"Handle": ["@a", "@b"], "Followers": [5000, 100000],
                          "CTO share": [0.8, 0.05], "Engagement": [200, 900],
                          "Price": [500, 3000]})  # fmt: skip
    columns = {"handle": "Handle", "followers": "Followers", "audience.cto": "CTO share",
               "avg_interactions": "Engagement", "cost_per_post": "Price"}  # fmt: skip
    assert bf.plan_portfolio(frame, brief, 1000, columns=columns) == bf.plan_portfolio(
        pool, brief, 1000
    )


# --- blank scores -------------------------------------------------------------------


def test_blank_scores_are_skipped_and_counted() -> None:
    """NaN, None and pandas NA scores are left out of every survey result and counted."""
    rows = survey()
    holed = [*rows, {**rows[0], "score": None}, {**rows[1], "score": float("nan")}]
    frame = pd.DataFrame(holed)
    assert frame["score"].isna().sum() == 2
    report = bf.nps_report(frame, by="sector")
    assert report.skipped == 2
    assert report.overall == bf.nps_report(rows, by="sector").overall
    assert report.to_dict()["skipped"] == 2
    assert "skipped" in report._repr_html_() and "skipped=2" in repr(report)
    assert bf.account_nps(frame).skipped == 2
    assert bf.comment_themes(frame, {"price": ["expensive"]}).skipped == 2
    nullable = frame.astype({"score": "Int64"})
    assert nullable["score"].isna().sum() == 2  # pandas NA, not NaN
    assert bf.nps_report(nullable).skipped == 2
    assert bf.nps_report(holed).skipped == 2  # mappings too
    assert bf.nps_report(rows).skipped == 0


def test_a_result_with_skipped_rows_round_trips() -> None:
    """The skipped count survives pickling."""
    frame = pd.DataFrame([{"score": 9}, {"score": np.nan}])
    report = bf.nps_report(frame, min_n=1)
    assert pickle.loads(pickle.dumps(report)) == report
    assert pickle.loads(pickle.dumps(report)).skipped == 1


def test_a_bad_score_still_raises_where_it_is() -> None:
    """A score that is present but not 0..10 is an error at its row, blank ones aside."""
    frame = pd.DataFrame({"score": [9.0, np.nan, 9.5]})
    with pytest.raises(bf.InvalidInputError) as info:
        bf.nps_report(frame)
    assert info.value.path == "responses[2].score"


def test_only_blank_scores_is_an_error_that_counts_them() -> None:
    """A table whose every score is blank has no responses, and says why."""
    with pytest.raises(bf.InvalidInputError, match="2 without a score"):
        bf.nps_report(pd.DataFrame({"score": [np.nan, np.nan], "sector": ["a", "b"]}))


def test_an_unmapped_score_column_is_named() -> None:
    """A survey without a score column is not read as all-blank: the column is missing."""
    frame = pd.DataFrame({"Score": [9, 3]})
    with pytest.raises(bf.InvalidInputError, match="did you mean 'Score'") as info:
        bf.nps_report(frame)
    assert "use columns={'score': 'Score'}" in str(info.value)


def test_nps_of_a_list_still_takes_integers_only() -> None:
    """bf.nps itself keeps refusing a NaN score (it is no table)."""
    with pytest.raises(bf.InvalidInputError):
        bf.nps([9, float("nan")])
