"""Decay crossings of model.changes() in closed form, to the second."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import b2bfunnel as bf
from b2bfunnel.scoring import _history
from b2bfunnel.scoring._crossings import first_change, rounding_edge
from tests.strategies import EPOCH, events, model_config, profiles

T0 = datetime(2026, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
DAY = 86_400


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def visits(*days: float) -> list[bf.Event]:
    return [bf.Event("L1", "visit", day(n)) for n in days]


def model(decay: dict[str, Any], **rule: Any) -> bf.ScoringModel:
    """10 points a visit; bands cold < 12 <= warm < 30 <= hot."""
    return bf.ScoringModel.from_dict(
        {
            "hot_threshold": 30,
            "implicit": [{"name": "visit", "event": "visit", "points": 10, **rule}],
            "decay": decay,
        }
    )


def band_changes(found: tuple[bf.BandChange, ...]) -> list[tuple[datetime, str, str]]:
    return [(c.at, c.previous_band, c.band) for c in found if c.band != c.previous_band]


def test_inactivity_by_hand() -> None:
    # 30 points at day 0; after 10 days of grace they halve every 5 days: below 30 one
    # second after the grace, below 12 once 30 * 0.5 ** (x / 5 days) < 12, that is
    # x > 5 days * log2(2.5) = 571,072.94 s: at second 571,073 past the grace.
    m = model({"kind": "inactivity", "grace_days": 10, "half_life_days": 5})
    found = m.changes({"id": "L1"}, visits(0, 0, 0), end=day(60))
    assert band_changes(found)[1:] == [
        (day(10) + SECOND, "hot", "warm"),
        (day(10) + 571_073 * SECOND, "warm", "cold"),
    ]
    assert m.score({"id": "L1"}, visits(0, 0, 0), as_of=day(10) + 571_072 * SECOND).band == "warm"


def test_linear_with_grace_by_hand() -> None:
    # 3 points a day after 2 days of grace: below 30 at once, below 12 after losing more
    # than 18 points, 6 days past the grace.
    m = model({"kind": "linear", "grace_days": 2, "points_per_day": 3})
    found = m.changes({"id": "L1"}, visits(0, 0, 0), end=day(30))
    assert band_changes(found)[1:] == [
        (day(2) + SECOND, "hot", "warm"),
        (day(8) + SECOND, "warm", "cold"),
    ]


def test_stepwise_by_hand() -> None:
    # 10 points off every full 7 days idle: 20 (warm) at day 7 itself, 10 (cold) at 14.
    m = model({"kind": "stepwise", "every_days": 7, "points": 10})
    found = m.changes({"id": "L1"}, visits(0, 0, 0), end=day(30))
    assert band_changes(found)[1:] == [(day(7), "hot", "warm"), (day(14), "warm", "cold")]
    assert [c.total for c in found if c.cause == "decay" and c.band != c.previous_band] == [20, 10]


def test_tiny_stepwise_steps_by_hand() -> None:
    # A step every 0.01 day (864 s) of 1 point: below 30 after the first step, below 12
    # after 19 steps (30 - 19 = 11), at 19 * 864 s.
    m = model({"kind": "stepwise", "every_days": 0.01, "points": 1})
    found = m.changes({"id": "L1"}, visits(0, 0, 0), end=day(1))
    assert band_changes(found)[1:] == [
        (day(0) + 864 * SECOND, "hot", "warm"),
        (day(0) + 19 * 864 * SECOND, "warm", "cold"),
    ]


def test_expiry_by_hand() -> None:
    # Two visits at day 0 and one at day 1 (30, hot); an event exactly 10 days old still
    # counts, so the first two stop one second after day 10 (10 points, cold).
    m = model({"kind": "expiry", "days": 10})
    found = m.changes({"id": "L1"}, visits(0, 0, 1), end=day(30))
    assert band_changes(found) == [
        (day(0), "cold", "warm"),
        (day(1), "warm", "hot"),
        (day(10) + SECOND, "hot", "cold"),
    ]
    assert found[-1].cause == "decay" and "expiry" in found[-1].reason


def test_window_and_inactivity_by_hand() -> None:
    # Visits count 5 days and halve every 2 days after 2 idle days: warm one second
    # after day 2, cold once 30 * 0.5 ** (x / 2 days) < 12 (x > 228,429.17 s), before
    # the window would have let them go at day 5.
    m = model({"kind": "inactivity", "grace_days": 2, "half_life_days": 2}, within_days=5)
    found = m.changes({"id": "L1"}, visits(0, 0, 0), end=day(10))
    assert band_changes(found)[1:] == [
        (day(2) + SECOND, "hot", "warm"),
        (day(2) + 228_430 * SECOND, "warm", "cold"),
    ]
    # without decay the window alone: all three leave one second after day 5
    flat = model({"kind": "none"}, within_days=5)
    assert band_changes(flat.changes({"id": "L1"}, visits(0, 0, 0), end=day(10)))[1:] == [
        (day(5) + SECOND, "hot", "cold")
    ]


def test_total_cap_by_hand() -> None:
    # 5 visits (50 raw) capped at 40; linear decay of a point a day acts on the raw 50,
    # so the capped total stays 40 for 10 days and drops below 30 one second after day 20.
    config = {
        "hot_threshold": 30,
        "max_total": 40,
        "explicit": [],
        "implicit": [{"name": "visit", "event": "visit", "points": 10}],
        "decay": {"kind": "linear", "points_per_day": 1},
    }
    m = bf.ScoringModel.from_dict(config)
    found = m.changes({"id": "L1"}, visits(0, 0, 0, 0, 0), end=day(40))
    assert band_changes(found)[1:] == [
        (day(20) + SECOND, "hot", "warm"),
        (day(38) + SECOND, "warm", "cold"),
    ]
    assert m.score({"id": "L1"}, visits(0, 0, 0, 0, 0), as_of=day(10)).total == 40


def test_negative_points_rise_to_a_band() -> None:
    # fit 40 (hot) minus 20 for an unsubscribe (20, warm); linear decay takes a point a
    # day from the -20: hot again once the score reaches 30, after losing 10 points.
    config = {
        "hot_threshold": 30,
        "explicit": [{"name": "fit", "points": 40, "when": {"field": "fit", "eq": True}}],
        "implicit": [{"name": "unsub", "event": "unsubscribe", "points": -20}],
        "decay": {"kind": "linear", "points_per_day": 1},
    }
    m = bf.ScoringModel.from_dict(config)
    evs = [bf.Event("L1", "unsubscribe", day(0))]
    found = m.changes({"id": "L1", "fit": True}, evs, start=day(0), end=day(30))
    assert band_changes(found) == [(day(10), "warm", "hot")]


def test_closed_form_reads_few_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    """A year of inactivity decay costs a handful of reads per crossing in closed form,
    where bisection reads the score at least once a day and ~17 times per crossing."""
    m = model({"kind": "inactivity", "grace_days": 3, "half_life_days": 40})
    reads = {True: 0, False: 0}
    figures = _history.Sweep.figures
    for closed in (True, False):

        def counted(self: _history.Sweep, at: float, closed: bool = closed) -> Any:
            reads[closed] += 1
            return figures(self, at)

        monkeypatch.setattr(_history.Sweep, "figures", counted)
        _history.changes(m._engine, {"id": "L1"}, visits(0, 0, 0), None, day(365), closed)
    assert reads[True] < 25 < 365 < reads[False]


def test_rounding_edge_and_first_change() -> None:
    assert rounding_edge(30) == 29.9999995
    assert round(rounding_edge(12) + 1e-9, 6) == 12 > round(rounding_edge(12) - 1e-9, 6)
    assert rounding_edge(44.800000000000004) == 44.8000005  # 0.4 * 112: 44.8 is below it
    # whatever the guess, the first second at which the predicate holds
    for guess in (None, 1, 5, 6, 7, 50, 100):
        assert first_change(lambda s: s >= 6, 0, 100, guess) == 6


SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _whole_seconds(evs: list[bf.Event]) -> list[bf.Event]:
    return [bf.Event(e.lead_id, e.name, e.at.replace(microsecond=0), e.properties) for e in evs]


@SLOW
@given(
    model_config().filter(lambda config: config["decay"]["kind"] != "half_life"),
    profiles,
    events(max_size=12),
)
def test_closed_form_agrees_with_bisection_and_score(config, profile, evs) -> None:  # type: ignore[no-untyped-def]
    """Every crossing time alone causes is the first second of its new band and grade by
    score(), and the closed forms find the same seconds as bisection."""
    m = bf.ScoringModel.from_dict(config)
    evs = _whole_seconds(evs)
    end = EPOCH + timedelta(days=400)
    closed = _history.changes(m._engine, profile, evs, None, end, True)
    bisected = _history.changes(m._engine, profile, evs, None, end, False)
    assert closed == bisected
    for change in closed:
        if change.cause != "decay":
            continue
        now = m.score(profile, evs, as_of=change.at)
        before = m.score(profile, evs, as_of=change.at - SECOND)
        assert (now.band, now.grade) == (change.band, change.grade)
        assert (before.band, before.grade) != (now.band, now.grade)
        assert math.isclose(now.total, change.total)


def test_a_crossing_undone_at_a_window_exit() -> None:
    """Below a band for half a day, back when a negative event leaves its window: the
    score is read the second before each jump, so both changes are found (reads a day
    apart saw warm on both sides and missed them)."""
    # 4 visits (40, decaying a point a day) and an unsubscribe (-1, not decaying, counted
    # 27.5 days): under 12 one second after day 27 (cold), 12.5 when the unsubscribe
    # leaves one second after day 27.5 (warm), under 12 again one second after day 28.
    config = {
        "hot_threshold": 30,
        "explicit": [],
        "implicit": [
            {"name": "visit", "event": "visit", "points": 10},
            {"name": "unsub", "event": "unsubscribe", "points": -1, "decays": False,
             "within_days": 27.5},
        ],
        "decay": {"kind": "linear", "points_per_day": 1},
    }  # fmt: skip
    m = bf.ScoringModel.from_dict(config)
    evs = [*visits(0, 0, 0, 0), bf.Event("L1", "unsubscribe", day(0))]
    found = m.changes({"id": "L1"}, evs, end=day(40))
    assert band_changes(found) == [
        (day(0), "cold", "hot"),
        (day(9) + SECOND, "hot", "warm"),
        (day(27) + SECOND, "warm", "cold"),
        (day(27.5) + SECOND, "cold", "warm"),
        (day(28) + SECOND, "warm", "cold"),
    ]
