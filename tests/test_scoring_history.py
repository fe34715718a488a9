"""A lead's score over time: history, changes and ingest_with_changes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.scoring import BandChange, Timeline, TimelinePoint
from tests.strategies import EPOCH, events, model_config, moments, profiles

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
# 10 points per visit, no decay: bands cold < 12 <= warm < 30 <= hot.
FLAT = {
    "hot_threshold": 30,
    "implicit": [{"name": "visit", "event": "visit", "points": 10}],
    "decay": {"kind": "none"},
}


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def visits(*days: float) -> list[bf.Event]:
    return [bf.Event("L1", "visit", day(n)) for n in days]


def test_history_by_hand() -> None:
    model = bf.ScoringModel.from_dict(FLAT)
    timeline = model.history({"id": "L1"}, visits(3, 2, 1), start=day(0), end=day(4))
    assert isinstance(timeline, Timeline)
    assert [p.at for p in timeline] == [day(n) for n in range(5)]
    assert [p.total for p in timeline] == [0, 10, 20, 30, 30]
    assert [p.band for p in timeline] == ["cold", "cold", "warm", "hot", "hot"]
    assert all(isinstance(p, TimelinePoint) for p in timeline)


def test_steps_run_through_end_inclusive_and_every_forms() -> None:
    model = bf.ScoringModel.from_dict(FLAT)
    lead = {"id": "L1"}
    assert len(model.history(lead, [], start=day(0), end=day(14), every="1w")) == 3
    assert len(model.history(lead, [], start=day(0), end=day(1), every="6h")) == 5
    assert len(model.history(lead, [], start=day(0), end=day(1.1), every="12h")) == 3
    assert len(model.history(lead, [], start=day(0), end=day(3), every=timedelta(days=2))) == 2
    for bad in ("0d", "1m", "d", 3, timedelta(0), timedelta(hours=-1)):
        with pytest.raises(bf.InvalidInputError) as info:
            model.history(lead, [], start=day(0), end=day(1), every=bad)
        assert info.value.path == "every"
    with pytest.raises(bf.InvalidInputError) as info:
        model.history(lead, [], start=day(1), end=day(0))
    assert info.value.path == "end"
    with pytest.raises(bf.InvalidInputError) as info:
        model.history(lead, [], start=datetime(2026, 1, 1), end=day(1))
    assert info.value.path == "start"
    with pytest.raises(bf.InvalidInputError) as info:
        model.changes(lead, [], start=day(1), end=day(0))
    assert info.value.path == "end"


def test_zoned_days_keep_their_wall_time_across_dst() -> None:
    madrid = ZoneInfo("Europe/Madrid")
    start = datetime(2026, 3, 27, tzinfo=madrid)  # DST starts on 29 March 2026
    model = bf.ScoringModel.from_dict(FLAT)
    timeline = model.history({"id": "L1"}, [], start=start, end=start + timedelta(days=4))
    assert [p.at.hour for p in timeline] == [0] * 5
    assert timeline[3].at.timestamp() - timeline[2].at.timestamp() == 23 * 3600


def test_timeline_displays_and_serialises() -> None:
    model = bf.ScoringModel.from_dict(FLAT)
    timeline = model.history({"id": "L1"}, visits(1), start=day(0), end=day(2))
    data = json.loads(json.dumps(timeline.to_dict()))
    assert data["points"][1] == {"at": day(1).isoformat(), "total": 10.0, "band": "cold",
                                 "grade": timeline[1].grade}  # fmt: skip
    assert bf.to_records(timeline)[1] == {"lead_id": "L1", "at": day(1), "total": 10.0,
                                         "band": "cold", "grade": timeline[1].grade}  # fmt: skip
    change = model.changes({"id": "L1"}, visits(1, 2), end=day(3))[-1]
    assert bf.to_records([change])[0]["band"] == change.band
    assert "Score history of L1" in timeline._repr_html_()
    assert "points=3" in repr(timeline)
    assert type(timeline).__module__ == "b2bfunnel.scoring"
    assert BandChange.__module__ == TimelinePoint.__module__ == "b2bfunnel.scoring"


def test_timeline_plot() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    model = bf.ScoringModel.from_dict(FLAT)
    ax = model.history({"id": "L1"}, visits(1, 2), start=day(0), end=day(3)).plot()
    assert ax.get_ylabel() == "score"


LINEAR = {
    "hot_threshold": 30,
    "implicit": [{"name": "visit", "event": "visit", "points": 10}],
    "decay": {"kind": "linear", "grace_days": 0, "points_per_day": 1},
}


def test_changes_by_hand() -> None:
    # 3 visits at day 0: 30 points, hot; linear decay takes 1 point a day from then:
    # below 30 one second later (warm), below 12 one second after 18 days (cold).
    model = bf.ScoringModel.from_dict(LINEAR)
    found = model.changes({"id": "L1"}, visits(0, 0, 0), end=day(40))
    bands = [(c.at, c.previous_band, c.band, c.cause) for c in found if c.band != c.previous_band]
    event = visits(0)[0]
    assert bands == [
        (day(0), "cold", "hot", event),
        (day(0) + SECOND, "hot", "warm", "decay"),
        (day(18) + SECOND, "warm", "cold", "decay"),
    ]
    assert "linear decay" in found[-1].explain()
    assert json.loads(json.dumps(found[0].to_dict()))["cause"] == {
        "event": "visit",
        "at": day(0).isoformat(),
    }


def test_changes_from_start_and_windows() -> None:
    # Each visit counts for 7 days: 2 visits (20, warm) then 1 (10, cold) after the
    # first leaves the window at day 1 + 7 days + 1 second.
    config = {**FLAT, "implicit": [{**FLAT["implicit"][0], "within_days": 7}]}
    model = bf.ScoringModel.from_dict(config)
    found = model.changes({"id": "L1"}, visits(1, 2), start=day(1), end=day(30))
    assert [(c.at, c.band, c.previous_band) for c in found] == [
        (day(2), "warm", "cold"),
        (day(8) + SECOND, "cold", "warm"),
    ]
    assert "within_days" in found[1].reason


def test_a_change_that_reverts_within_a_day() -> None:
    # At day 0 a download (-15, counts 6 hours) and a visit (+15, counts 12 hours):
    # 0 points. The download leaves first (15, warm), then the visit (0, cold again),
    # both one second after their windows close.
    config = {
        **FLAT,
        "implicit": [
            {"name": "visit", "event": "visit", "points": 15, "within_days": 0.5},
            {"name": "download", "event": "download", "points": -15, "within_days": 0.25},
        ],
    }
    model = bf.ScoringModel.from_dict(config)
    evs = [*visits(0), bf.Event("L1", "download", day(0))]
    found = model.changes({"id": "L1"}, evs, end=day(2))
    bands = [(c.at, c.previous_band, c.band, c.cause) for c in found if c.band != c.previous_band]
    assert bands == [
        (day(0.25) + SECOND, "cold", "warm", "decay"),
        (day(0.5) + SECOND, "warm", "cold", "decay"),
    ]


def test_a_reset_is_the_cause_of_its_instant() -> None:
    config = {**FLAT, "reset_on": ["deal_lost"]}
    model = bf.ScoringModel.from_dict(config)
    lost = bf.Event("L1", "deal_lost", day(3))
    found = model.changes({"id": "L1"}, [*visits(1, 2, 3), lost], end=day(4))
    bands = [(c.at, c.previous_band, c.band) for c in found if c.band != c.previous_band]
    assert bands == [(day(2), "cold", "warm"), (day(3), "warm", "cold")]
    assert found[-1].cause == lost and "reset" in found[-1].reason


def test_ingest_with_changes_by_hand() -> None:
    model = bf.ScoringModel.from_dict(FLAT)
    state, found = model.ingest_with_changes(model.new_state("L1"), visits(1, 2, 3, 4))
    bands = [c for c in found if c.band != c.previous_band]  # grades change too
    assert [(c.at, c.previous_band, c.band) for c in bands] == [
        (day(2), "cold", "warm"),
        (day(3), "warm", "hot"),
    ]
    assert state == model.ingest(model.new_state("L1"), visits(1, 2, 3, 4))
    # a late event is judged at the newest time seen
    _, late = model.ingest_with_changes(
        model.ingest(model.new_state("L1"), visits(5, 6)), visits(0)
    )
    assert [(c.at, c.band) for c in late if c.band != c.previous_band] == [(day(6), "hot")]


def test_ingest_with_changes_refuses_bad_input_whole() -> None:
    model = bf.ScoringModel.from_dict(FLAT)
    with pytest.raises(bf.InvalidInputError):
        model.ingest_with_changes(model.new_state("L1"), [*visits(1), "nope"])  # type: ignore[list-item]


SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(
    model_config(),
    profiles,
    events(max_size=15),
    moments(0, 120),
    st.sampled_from(["1d", "5d", "13h", "1w"]),
)
def test_history_equals_score_at_every_step(config, profile, evs, start, every) -> None:  # type: ignore[no-untyped-def]
    model = bf.ScoringModel.from_dict(config)
    end = start + timedelta(days=60)
    timeline = model.history(profile, evs, start=start, end=end, every=every)
    assert timeline[0].at == start
    assert timeline[-1].at <= end < timeline[-1].at + bf.scoring._history.read_every(every)
    for point in timeline:
        score = model.score(profile, evs, as_of=point.at)
        assert (point.total, point.band, point.grade) == (score.total, score.band, score.grade)


def _whole_seconds(evs: list[bf.Event]) -> list[bf.Event]:
    return [bf.Event(e.lead_id, e.name, e.at.replace(microsecond=0), e.properties) for e in evs]


@st.composite
def positive_models(draw: st.DrawFn) -> dict[str, object]:
    """Positive points (the score moves one way between events), windows included."""
    config = draw(model_config(positive=True))
    for rule in config["implicit"]:
        if draw(st.booleans()):
            rule["within_days"] = draw(st.sampled_from([0.5, 1, 7, 30, 45.5]))
    return config


@SLOW
@given(positive_models(), profiles, events(max_size=12))
def test_changes_agree_with_score(config, profile, evs) -> None:  # type: ignore[no-untyped-def]
    _check_changes(config, profile, evs)


@SLOW
@given(
    model_config().filter(lambda config: config["decay"]["kind"] != "half_life"),
    profiles,
    events(max_size=12),
)
def test_changes_with_negative_points_agree_with_score(config, profile, evs) -> None:  # type: ignore[no-untyped-def]
    """Negative points too: without half_life decay the score moves one way between
    the jumps (windows, expiry, stepwise steps) that changes() reads at."""
    _check_changes(config, profile, evs)


def _check_changes(
    config: dict[str, object], profile: dict[str, object], evs: list[bf.Event]
) -> None:
    model = bf.ScoringModel.from_dict(config)
    evs = _whole_seconds(evs)
    end = EPOCH + timedelta(days=400)
    found = model.changes(profile, evs, end=end)
    previous = None
    for change in found:
        score = model.score(profile, evs, as_of=change.at)
        assert (score.band, score.grade) == (change.band, change.grade)
        if previous is None or previous.at < change.at:
            before = model.score(profile, evs, as_of=change.at - SECOND)
            assert (before.band, before.grade) == (change.previous_band, change.previous_grade)
        if previous is not None:
            assert (previous.band, previous.grade) == (change.previous_band, change.previous_grade)
        previous = change
    last = model.score(profile, evs, as_of=end)
    alone = model.score(profile, [], as_of=end)  # before any event: the profile alone
    standing = (found[-1].band, found[-1].grade) if found else (alone.band, alone.grade)
    assert (last.band, last.grade) == standing


@SLOW
@given(model_config(), profiles, events(max_size=12))
def test_ingest_with_changes_equals_event_changes_in_order(config, profile, evs) -> None:  # type: ignore[no-untyped-def]
    model = bf.ScoringModel.from_dict(config)
    # distinct whole-second instants, fed in time order
    evs = sorted({e.at.replace(microsecond=0): e for e in evs}.values(), key=lambda e: e.at)
    evs = _whole_seconds(evs)
    state, live = model.ingest_with_changes(model.new_state("L1", profile), evs)
    assert state == model.ingest(model.new_state("L1", profile), evs)
    end = evs[-1].at if evs else EPOCH
    batch = [c for c in model.changes(profile, evs, end=end) if isinstance(c.cause, bf.Event)]
    assert [(c.at, c.band, c.grade, c.cause) for c in live] == [
        (c.at, c.band, c.grade, c.cause) for c in batch
    ]
