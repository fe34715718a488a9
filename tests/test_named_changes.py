"""Named scores over time: their band changes (changes, ingest_with_changes) and their
points in a history, against hand computations and the restricted models."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.scoring import BandChange, NamedPoint
from tests.strategies import (
    EVENT_NAMES,
    PATHS,
    dst_zones,
    named_model_config,
    profiles,
    restricted_config,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
LEAD = {"id": "L1"}
# No decay for the model; bands cold < 40 <= warm < 100 <= hot (threshold 100).
# cloud: visit and demo, its own threshold 30, so its own bands cold < 12 <= warm < 30.
# onprem: demo (a rule in both) and docs, the model's bands, its own linear decay of
# a point a day from the lead's last event (of any name), no grace.
CONFIG: dict[str, Any] = {
    "decay": {"kind": "none"},
    "implicit": [
        {"name": "visit", "event": "visit", "points": 10},
        {"name": "demo", "event": "demo", "points": 30},
        {"name": "docs", "event": "docs", "points": 15},
    ],
    "scores": {
        "cloud": {"rules": ["visit", "demo"], "hot_threshold": 30},
        "onprem": {
            "rules": ["demo", "docs"],
            "decay": {"kind": "linear", "points_per_day": 1, "grace_days": 0},
        },
    },
}


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


EVENTS = [
    bf.Event("L1", "visit", day(0)),
    bf.Event("L1", "demo", day(1)),
    bf.Event("L1", "docs", day(2)),
]


def test_changes_by_hand() -> None:
    """Main score, a score with its own threshold and one with its own decay, by hand."""
    model = bf.ScoringModel.from_dict(CONFIG)
    found = model.changes(LEAD, EVENTS, end=day(30))
    demo, docs = EVENTS[1], EVENTS[2]
    assert found == (
        # main: 10 (D4, cold) -> 10 + 30 = 40: warm, engagement digit 2 (40 <= 40 < 75)
        BandChange(day(1), "warm", "D2", "cold", "D4", 40.0, 10.0, demo, "event demo"),
        # cloud: 10 (cold) -> 40 >= 30: hot; listed after the main score's change
        BandChange(day(1), "hot", "", "cold", "", 40.0, 10.0, demo, "event demo", "cloud"),
        # onprem: demo's 30 after a day idle is 30 - 1 = 29 (cold); docs makes the lead
        # active again: 30 + 15 = 45 (warm, >= 40)
        BandChange(day(2), "warm", "", "cold", "", 45.0, 29.0, docs, "event docs", "onprem"),
        # onprem: 45 - x after x idle days is under 40 once x > 5: the first whole
        # second after day 7, at 45 - (5 + 1/86400) = 39.999988 (rounded to millionths)
        BandChange(
            day(7) + SECOND,
            "cold",
            "",
            "warm",
            "",
            round(45 - (5 + 1 / 86_400), 6),
            40.0,
            "decay",
            "linear decay",
            "onprem",
        ),
    )
    # the main score did not move at day 2 (40 -> 55 stays warm D2), and cloud has no
    # decay, so nothing else changes up to day 30
    assert model.score(LEAD, EVENTS, as_of=day(7) + SECOND).scores["onprem"].band == "cold"
    assert model.score(LEAD, EVENTS, as_of=day(7)).scores["onprem"].band == "warm"


def test_explain_and_to_dict_name_the_score() -> None:
    """A named score's change says which score; the main score's output is unchanged."""
    model = bf.ScoringModel.from_dict(CONFIG)
    main, cloud, *_ = model.changes(LEAD, EVENTS, end=day(30))
    assert cloud.explain() == (
        "2026-01-02T00:00:00+00:00: cloud: cold -> hot, 10.0 -> 40.0 points: event demo"
    )
    assert main.explain().startswith("2026-01-02T00:00:00+00:00: cold -> warm (grade")
    assert cloud.to_dict()["score"] == "cloud"
    assert cloud.to_dict()["grade"] == "" == cloud.to_dict()["previous_grade"]
    assert "score" not in main.to_dict()
    assert json.loads(json.dumps(cloud.to_dict()))["band"] == "hot"
    assert "cloud: cold -> hot" in repr(cloud)


def test_ingest_with_changes_by_hand() -> None:
    """The live path reports the event-caused changes of every score, main first."""
    model = bf.ScoringModel.from_dict(CONFIG)
    state, found = model.ingest_with_changes(model.new_state("L1"), EVENTS)
    assert [(c.at, c.score, c.previous_band, c.band) for c in found] == [
        (day(1), None, "cold", "warm"),
        (day(1), "cloud", "cold", "hot"),
        (day(2), "onprem", "cold", "warm"),  # 29 -> 45, as above
    ]
    assert [c.previous_total for c in found] == [10.0, 10.0, 29.0]
    assert state == model.ingest(model.new_state("L1"), EVENTS)
    # one event at a time: the demo alone makes cloud hot and the main score warm
    state, first = model.ingest_with_changes(model.new_state("L1"), EVENTS[0])
    assert first == ()
    _, second = model.ingest_with_changes(state, EVENTS[1])
    assert [c.score for c in second] == [None, "cloud"]


def test_history_by_hand() -> None:
    """Each point carries the named scores' totals and bands, in the model's order."""
    model = bf.ScoringModel.from_dict(CONFIG)
    timeline = model.history(LEAD, EVENTS, start=day(0), end=day(8))
    assert [list(p.scores) for p in timeline] == [["cloud", "onprem"]] * 9
    # cloud: the visit (10), then + the demo (40); docs is not its rule
    assert [p.scores["cloud"] for p in timeline] == [NamedPoint(10.0, "cold")] + [
        NamedPoint(40.0, "hot")
    ] * 8
    # onprem: nothing, the demo (30), + docs (45), then a point a day: warm down to 40
    assert [p.scores["onprem"].total for p in timeline] == [0, 30, 45, 44, 43, 42, 41, 40, 39]
    assert [p.scores["onprem"].band for p in timeline][-2:] == ["warm", "cold"]
    assert [p.total for p in timeline][:3] == [10, 40, 55]  # the main score as before


def test_timeline_outputs_gain_named_columns() -> None:
    """Rows, pandas, to_dict and the display carry score.NAME and band.NAME."""
    model = bf.ScoringModel.from_dict(CONFIG)
    timeline = model.history(LEAD, EVENTS, start=day(1), end=day(2))
    rows = bf.to_records(timeline)
    assert list(rows[0]) == [
        "lead_id",
        "at",
        "total",
        "band",
        "grade",
        "score.cloud",
        "band.cloud",
        "score.onprem",
        "band.onprem",
    ]
    assert (rows[1]["score.onprem"], rows[1]["band.onprem"]) == (45.0, "warm")
    frame = bf.to_pandas(timeline)
    assert list(frame["score.cloud"]) == [40.0, 40.0]
    data = timeline.to_dict()["points"][1]
    assert data["scores"] == {
        "cloud": {"total": 40.0, "band": "hot"},
        "onprem": {"total": 45.0, "band": "warm"},
    }
    assert "band.onprem" in timeline._repr_html_()
    point = timeline[1]
    assert hash(point) == hash(point)  # the mapping of scores is left out of the hash
    with pytest.raises(TypeError):
        point.scores["cloud"] = NamedPoint(0.0, "cold")  # type: ignore[index]


def test_models_without_named_scores_keep_their_output() -> None:
    """No named scores: points have no scores, changes no score, dicts no new keys."""
    model = bf.ScoringModel.from_dict({k: v for k, v in CONFIG.items() if k != "scores"})
    timeline = model.history(LEAD, EVENTS, start=day(0), end=day(2))
    assert all(p.scores == {} for p in timeline)
    assert set(timeline.to_dict()["points"][0]) == {"at", "total", "band", "grade"}
    assert list(bf.to_records(timeline)[0]) == ["lead_id", "at", "total", "band", "grade"]
    assert all(c.score is None for c in model.changes(LEAD, EVENTS, end=day(30)))


# --- properties ---------------------------------------------------------------------

SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# 2026's clock changes of each zone (local dates): events fall within 5 days of one.
CHANGES = {
    "Europe/Madrid": ((3, 29), (10, 25)),
    "America/New_York": ((3, 8), (11, 1)),
    "Australia/Sydney": ((4, 5), (10, 4)),
    "America/Santiago": ((4, 5), (9, 6)),
}


@st.composite
def zoned_events(draw: st.DrawFn, max_size: int = 12) -> list[bf.Event]:
    """Events of L1 at whole seconds within 5 days either side of a clock change of
    their zone, zoned there, possibly several at one instant."""
    zone = draw(dst_zones)
    month, day_ = draw(st.sampled_from(CHANGES[zone]))
    middle = datetime(2026, month, day_, tzinfo=ZoneInfo(zone))
    out = []
    for _ in range(draw(st.integers(min_value=1, max_value=max_size))):
        seconds = draw(st.integers(min_value=-5 * 86_400, max_value=5 * 86_400))
        at = (middle + timedelta(seconds=seconds)).astimezone(ZoneInfo(zone))
        props = {"path": draw(st.sampled_from(PATHS))} if draw(st.booleans()) else {}
        out.append(bf.Event("L1", draw(st.sampled_from(EVENT_NAMES)), at, props))
    return out


# models with only positive points too (their scores climb, so bands change more)
named_models = st.booleans().flatmap(lambda positive: named_model_config(positive=positive))


END = datetime(2027, 2, 1, tzinfo=UTC)  # past every event drawn


def _band_only(change: BandChange, score: str) -> BandChange:
    """A restricted model's change as its named score reports it: band only."""
    return BandChange(
        change.at,
        change.band,
        "",
        change.previous_band,
        "",
        change.total,
        change.previous_total,
        change.cause,
        change.reason,
        score,
    )


@SLOW
@given(named_models, profiles, zoned_events())
def test_named_changes_are_the_restricted_models(config, profile, evs) -> None:  # type: ignore[no-untyped-def]
    """Each named score's changes are the band changes of the model of its rules alone,
    built from the dicts; the main score's changes are those of the model without
    named scores; all are ordered by time, then main, then the scores in order."""
    model = bf.ScoringModel.from_dict(config)
    found = model.changes(profile, evs, end=END)
    for name in config["scores"]:
        alone = bf.ScoringModel.from_dict(restricted_config(config, name))
        expected = [
            _band_only(c, name)
            for c in alone.changes(profile, evs, end=END)
            if c.band != c.previous_band
        ]
        assert [c for c in found if c.score == name] == expected
    plain = bf.ScoringModel.from_dict({k: v for k, v in config.items() if k != "scores"})
    assert [c for c in found if c.score is None] == list(plain.changes(profile, evs, end=END))
    order = [None, *config["scores"]]
    keys = [(c.at, order.index(c.score)) for c in found]
    assert keys == sorted(keys)


@SLOW
@given(named_models, profiles, zoned_events())
def test_ingest_with_changes_reports_the_event_changes_of_every_score(  # type: ignore[no-untyped-def]
    config, profile, evs
) -> None:
    """Fed in time order at distinct instants, the live path reports exactly the
    event-caused changes of changes(), of every score, in the same order; fed one
    event per call, the same."""
    model = bf.ScoringModel.from_dict(config)
    # distinct instants: by timestamp, as local times in a clock change's gap compare
    # unequal within their zone though they are one instant
    evs = sorted({e.at.timestamp(): e for e in evs}.values(), key=lambda e: e.at.timestamp())
    state, live = model.ingest_with_changes(model.new_state("L1", profile), evs)
    end = evs[-1].at if evs else END
    batch = [c for c in model.changes(profile, evs, end=end) if isinstance(c.cause, bf.Event)]

    def key(c: BandChange) -> tuple[Any, ...]:
        return (c.at, c.score, c.band, c.previous_band, c.grade, c.total, c.cause)

    assert [key(c) for c in live] == [key(c) for c in batch]
    one_by_one: list[BandChange] = []
    current = model.new_state("L1", profile)
    for event in evs:
        current, found = model.ingest_with_changes(current, event)
        one_by_one.extend(found)
    assert one_by_one == list(live)
    assert current == state


@SLOW
@given(named_models, profiles, zoned_events(), st.integers(0, 3 * 86_400), st.data())
def test_history_points_are_score_as_of_each_step(  # type: ignore[no-untyped-def]
    config, profile, evs, before, data
) -> None:
    """At each step (zoned days across a clock change, or hours or weeks), each named
    score's total and band are what score(as_of=step) says."""
    model = bf.ScoringModel.from_dict(config)
    first = min(evs, key=lambda e: e.at.timestamp()).at if evs else T0
    start = first - timedelta(seconds=before)  # in the first event's zone
    every = data.draw(st.sampled_from(["1d", "13h", "1w"]))
    timeline = model.history(profile, evs, start=start, end=start + timedelta(days=30), every=every)
    for point in timeline:
        score = model.score(profile, evs, as_of=point.at)
        assert list(point.scores) == list(score.scores)
        for name, sub in score.scores.items():
            assert (point.scores[name].total, point.scores[name].band) == (sub.total, sub.band)
        assert (point.total, point.band, point.grade) == (score.total, score.band, score.grade)


def test_timeline_plot_draws_named_scores() -> None:
    """.plot() draws the main total and one line per named score, with a legend."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    model = bf.ScoringModel.from_dict(CONFIG)
    ax = model.history(LEAD, EVENTS, start=day(0), end=day(8)).plot()
    lines = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
    assert lines["onprem"] == [0, 30, 45, 44, 43, 42, 41, 40, 39]
    assert lines["score"][:3] == [10, 40, 55]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["score", "cloud", "onprem"]
