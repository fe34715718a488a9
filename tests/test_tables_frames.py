"""Tables in: DataFrames and iterables of mappings, column mapping, events_from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo

import pytest
from conftest import NOW
from hypothesis import assume, given
from hypothesis import strategies as st
from sample_results import deals, demo_rows
from strategies import crm_journeys, table_cells

import b2bfunnel as bf

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
MADRID = ZoneInfo("Europe/Madrid")

PROFILES = [
    {"id": "L1", "Job Title": "CIO", "employees": 1200},
    {"id": "L2", "Job Title": "Marketing Manager", "employees": 40},
    {"id": "L3", "Job Title": None, "employees": None},
]
EVENTS = [
    bf.Event("L1", "webinar_completed", NOW - timedelta(days=2)),
    bf.Event("L2", "pricing_page_visit", NOW - timedelta(days=40)),
]


def test_rank_reads_a_frame_with_blanks_and_mapped_columns() -> None:
    """A DataFrame (NaN cells, numpy numbers, a renamed column) ranks as the dicts do."""
    frame = pd.DataFrame(PROFILES)
    assert frame["employees"].dtype.kind == "f"  # NaN made the column float
    model = bf.ScoringModel.default()
    from_frame = model.rank(frame, EVENTS, as_of=NOW, columns={"job_title": "Job Title"})
    plain = [
        {"id": p["id"], "job_title": p["Job Title"], "employees": p["employees"]}
        for p in PROFILES
        if p["Job Title"]
    ] + [{"id": "L3"}]
    assert from_frame == model.rank(plain, EVENTS, as_of=NOW)
    assert from_frame[0].explicit == 50.0


def test_a_mapped_column_missing_from_the_frame_is_named() -> None:
    """columns naming a header the frame lacks raises, suggesting the close one."""
    frame = pd.DataFrame(PROFILES)
    with pytest.raises(bf.InvalidInputError, match="did you mean 'Job Title'") as info:
        bf.ScoringModel.default().rank(frame, [], as_of=NOW, columns={"job_title": "Job title"})
    assert info.value.path == "profiles.columns"


def test_deals_from_a_frame_match_the_dicts() -> None:
    """Velocity from a DataFrame (NaT closes, float amounts) equals velocity from dicts."""
    rows = deals()
    frame = pd.DataFrame(rows)
    assert frame["closed_at"].isna().any()
    assert bf.velocity_from_deals(frame, as_of=NOW) == bf.velocity_from_deals(rows, as_of=NOW)
    by_frame = bf.compare_velocity(frame, by="influenced", as_of=NOW)
    assert by_frame == bf.compare_velocity(rows, by="influenced", as_of=NOW)


def test_funnel_and_attribution_read_frames() -> None:
    """Lifecycle records and touches/deals as DataFrames give the same results."""
    t = NOW - timedelta(days=10)
    records = [
        {"lead_at": t, "mql_at": t + timedelta(days=1), "sql_at": None},
        {"lead_at": t, "mql_at": None, "sql_at": None},
    ]
    assert bf.funnel_metrics(pd.DataFrame(records)) == bf.funnel_metrics(
        [{k: v for k, v in r.items() if v is not None} for r in records]
    )
    touches = [
        {"Lead": "L1", "at": t, "channel": "email"},
        {"Lead": "L1", "at": t + timedelta(days=1), "channel": "webinar"},
    ]
    won = [
        {
            "Lead": "L1",
            "amount": 900.0,
            "outcome": "won",
            "created_at": t,
            "closed_at": t + timedelta(days=3),
        }
    ]
    mapped = {"lead_id": "Lead"}
    report = bf.attribute(pd.DataFrame(touches), pd.DataFrame(won), columns=mapped)
    assert report.totals["linear"] == bf.attribute(touches, won, columns=mapped).totals["linear"]
    assert sum(report.totals["linear"].values()) == 900


def test_events_from_a_frame_of_zoned_times() -> None:
    """A tz-aware datetime column gives events at those instants, properties plain."""
    frame = pd.DataFrame(
        {
            "lead": ["L1", "L2", "L1"],
            "event": ["webinar_completed", "pricing_page_visit", "page_view"],
            "when": pd.to_datetime(
                ["2026-11-01T10:00:00Z", "2026-11-02T11:00:00Z", "2026-11-03T12:00:00Z"]
            ),
            "page": ["/a", None, "/c"],
            "seconds": np.array([5, 7, 9], dtype="int64"),
        }
    )
    events = bf.events_from(frame, lead_id="lead", name="event", at="when")
    assert [e.lead_id for e in events] == ["L1", "L2", "L1"]
    assert events[1].at == datetime(2026, 11, 2, 11, tzinfo=UTC)
    assert dict(events[1].properties) == {"seconds": 7}
    assert type(events[0].properties["seconds"]) is int
    assert events[0].properties["page"] == "/a"


def test_events_from_naive_times_need_a_zone() -> None:
    """Naive times are refused, or read in the given zone across a DST change."""
    frame = pd.DataFrame(
        {
            "lead_id": ["L1", "L1"],
            "name": ["a", "b"],
            "at": pd.to_datetime(["2026-03-28 12:00", "2026-03-30 12:00"]),
        }
    )
    with pytest.raises(bf.InvalidInputError) as info:
        bf.events_from(frame)
    assert info.value.path == "table[0].at"
    first, second = bf.events_from(frame, timezone="Europe/Madrid")
    assert first.at.utcoffset() == timedelta(hours=1)
    assert second.at.utcoffset() == timedelta(hours=2)
    with pytest.raises(bf.InvalidInputError) as zone:
        bf.events_from(frame, timezone="Mars/Olympus")
    assert zone.value.path == "timezone"


def test_events_from_text_times_and_numeric_ids() -> None:
    """ISO text times parse; integer ids (float after a blank) become their text."""
    frame = pd.DataFrame(
        {"lead_id": [101, None], "name": ["a", "b"], "at": ["2026-11-01T10:00:00+01:00"] * 2}
    )
    with pytest.raises(bf.InvalidInputError, match="empty cell") as info:
        bf.events_from(frame)
    assert info.value.path == "table[1].lead_id"
    (event,) = bf.events_from(frame.iloc[:1])
    assert event.lead_id == "101"
    assert event.at.utcoffset() == timedelta(hours=1)


def test_events_from_a_missing_column_says_which() -> None:
    """A column name not in the table raises with a suggestion."""
    frame = pd.DataFrame({"lead_id": ["L1"], "name": ["a"], "timestamp": [NOW]})
    with pytest.raises(bf.InvalidInputError, match="did you mean 'timestamp'"):
        bf.events_from(frame, at="timestamps")


def test_events_from_mappings_and_chosen_properties() -> None:
    """Rows as dicts work too; properties= keeps only the columns named."""
    rows = [{"lead_id": "L1", "name": "a", "at": NOW, "x": 1, "y": float("nan")}]
    (event,) = bf.events_from(rows)
    assert dict(event.properties) == {"x": 1}
    (only,) = bf.events_from(rows, properties=["y"])
    assert dict(only.properties) == {}
    with pytest.raises(bf.InvalidInputError) as info:
        bf.events_from([{"lead_id": "L1"}, 3])
    assert info.value.path in ("table[0].name", "table[1]")


def test_columns_must_map_names_to_headers() -> None:
    """A columns argument that is not a mapping of strings is refused."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.velocity_from_deals([], as_of=NOW, columns={"amount": 3})  # type: ignore[dict-item]
    assert info.value.path == "deals.columns"


@given(
    st.lists(
        st.tuples(st.sampled_from(["L1", "L2"]), st.integers(0, 10**6), table_cells),
        min_size=1,
        max_size=20,
    )
)
def test_frame_and_mappings_give_equal_events(rows: list[tuple[str, int, object]]) -> None:
    """The same rows as a DataFrame or as dicts give equal events and properties."""
    dicts = [
        {"lead_id": lead, "name": "visit", "at": NOW - timedelta(seconds=s), "note": note}
        for lead, s, note in rows
    ]
    from_frame = bf.events_from(pd.DataFrame(dicts))
    from_dicts = bf.events_from(dicts)
    assert from_frame == from_dicts
    for a, b in zip(from_frame, from_dicts, strict=True):
        assert dict(a.properties) == dict(b.properties)


def test_survey_frame_gives_the_same_nps_report() -> None:
    """A survey DataFrame (score, at, account, comment, segments) reports as Responses do."""
    rows = demo_rows("demo_survey.csv")
    frame = pd.read_csv(files("b2bfunnel") / "data" / "demo_survey.csv")
    assert frame["comment"].isna().any() and frame["score"].dtype.kind == "i"
    responses = [
        bf.Response(
            int(r["score"]),
            datetime.fromisoformat(r["at"]),
            {"sector": r["sector"]},
            r["comment"] or None,
            r["account"],
        )
        for r in rows
    ]
    by_frame = bf.nps_report(frame, by="sector", period="quarter")
    assert by_frame == bf.nps_report(responses, by="sector", period="quarter")
    assert bf.account_nps(frame) == bf.account_nps(responses)


def test_a_bad_response_row_is_located() -> None:
    """A score out of range in a mapping row raises at responses[i].score."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.nps_report([{"score": 9}, {"score": 11}])
    assert info.value.path == "responses[1].score"


def test_evaluate_reads_frames() -> None:
    """Profiles and outcomes as DataFrames evaluate exactly as their rows do."""
    profiles, outcomes = demo_rows("demo_leads.csv"), demo_rows("demo_outcomes.csv")
    events = bf.events_from(pd.DataFrame(demo_rows("demo_events.csv")))
    cutoff = datetime(2026, 9, 24, tzinfo=UTC)
    model = bf.ScoringModel.default()
    plain = bf.evaluate(model, profiles, events, outcomes, cutoff=cutoff, horizon_days=60)
    framed = bf.evaluate(
        model,
        pd.DataFrame(profiles),
        events,
        pd.DataFrame(outcomes),
        cutoff=cutoff,
        horizon_days=60,
    )
    assert (framed.n, framed.positives, framed.auc) == (plain.n, plain.positives, plain.auc)


def test_portfolio_reads_candidates_from_a_frame() -> None:
    """A candidates DataFrame (audience as columns or as CLI text) plans as the values do."""
    brief = bf.KOLBrief(target_roles=["cto"])
    pool = [
        bf.KOLCandidate("@a", 5000, {"cto": 0.8}, 200, cost_per_post=500),
        bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
        bf.KOLCandidate("@c", 8000, {"cto": 0.5, "cio": 0.1}, 300, topics=["cloud"]),
    ]
    frame = pd.DataFrame(
        {
            "handle": ["@a", "@b", "@c"],
            "followers": [5000, 100000, 8000],
            "audience.cto": [0.8, 0.05, 0.5],
            "audience.cio": [None, None, 0.1],
            "avg_interactions": [200, 900, 300],
            "cost_per_post": [500, 3000, None],
            "topics": [None, None, "cloud"],
            "notes": ["ignored", None, None],
        }
    )
    assert bf.plan_portfolio(frame, brief, 1000) == bf.plan_portfolio(pool, brief, 1000)
    text = [{"handle": "@c", "followers": "8000", "audience": "cto:0.5; cio:0.1",
             "avg_interactions": 300, "topics": "cloud"}]  # fmt: skip
    (from_text,) = bf.plan_portfolio(text, brief, 0).excluded
    assert from_text[0] == "@c"


def test_a_bad_candidate_row_is_located() -> None:
    """A missing column or a bad value raises at candidates[i]."""
    brief = bf.KOLBrief(target_roles=["cto"])
    with pytest.raises(bf.InvalidInputError) as missing:
        bf.plan_portfolio([{"handle": "@a", "followers": 10}], brief, 100)
    assert missing.value.path == "candidates[0]"
    assert "audience" in str(missing.value)
    row = {"handle": "@a", "followers": -1, "audience.cto": 0.5, "avg_interactions": 1}
    with pytest.raises(bf.InvalidInputError) as bad:
        bf.plan_portfolio([row], brief, 100)
    assert bad.value.path == "candidates[0].followers"


@given(crm_journeys())
def test_attribution_of_frames_equals_attribution_of_rows(
    journeys: tuple[list[dict[str, object]], list[dict[str, object]]],
) -> None:
    """Touches and deals as DataFrames credit exactly what the same rows credit."""
    touches, deals_ = journeys
    assume(touches and deals_)
    assert bf.attribute(pd.DataFrame(touches), pd.DataFrame(deals_)) == bf.attribute(
        touches, deals_
    )
