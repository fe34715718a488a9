"""Resets (reset_on): a lost deal or a recycled lead starts a new buying cycle."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import b2bfunnel as bf

PROFILE = {"id": "L1", "fit": True}
AS_OF = datetime(2026, 3, 6, tzinfo=UTC)


def _model(**scoring: Any) -> bf.ScoringModel:
    return bf.ScoringModel.from_dict(
        {
            "hot_threshold": 60,
            "explicit": [{"name": "fit", "points": 50, "when": {"field": "fit", "eq": True}}],
            "implicit": [
                {"name": "visit", "event": "visit", "points": 10},
                {"name": "webinar", "event": "webinar", "points": 25},
            ],
            "decay": {"kind": "none"},
            "reset_on": ["deal_lost", "recycled"],
            **scoring,
        }
    )


def _day(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


EVENTS = [
    bf.Event("L1", "visit", _day(1)),
    bf.Event("L1", "webinar", _day(2)),
    bf.Event("L1", "deal_lost", _day(3)),
    bf.Event("L1", "visit", _day(3)),  # at the reset's instant: no longer counts
    bf.Event("L1", "visit", _day(5)),
]


class TestBatch:
    def test_behaviour_before_the_reset_no_longer_counts(self) -> None:
        """50 profile points stay; of the behaviour only the visit of the 5th counts."""
        score = _model().score(PROFILE, EVENTS, as_of=AS_OF)
        assert (score.explicit, score.implicit, score.total) == (50.0, 10.0, 60.0)
        assert score.last_reset == _day(3)
        assert score.to_dict()["last_reset"] == _day(3).isoformat()

    def test_hot_since_is_judged_in_the_new_cycle(self) -> None:
        """Without the reset the lead was hot on the 1st (50 + 10); in the new cycle it
        has 50 at the reset and reaches 60 on the 5th."""
        assert _model(reset_on=[]).score(PROFILE, EVENTS, as_of=AS_OF).hot_since == _day(1)
        assert _model().score(PROFILE, EVENTS, as_of=AS_OF).hot_since == _day(5)

    def test_newest_reset_wins_and_counts_as_activity(self) -> None:
        """Two resets: the newer one (recycled, the 4th) is the last reset, and as the
        newest event it is the last activity."""
        evs = [*EVENTS[:4], bf.Event("L1", "recycled", _day(4))]
        score = _model().score(PROFILE, evs, as_of=AS_OF)
        assert score.last_reset == _day(4) == score.last_activity
        assert score.implicit == 0.0

    def test_explain_says_when(self) -> None:
        """The explanation names the reset."""
        assert "reset 2026-03-03" in _model().score(PROFILE, EVENTS, as_of=AS_OF).explain()

    def test_no_reset_field_without_one(self) -> None:
        """A score without a reset has no last_reset key in to_dict()."""
        score = bf.ScoringModel.default().score({"id": "L1"}, [], as_of=AS_OF)
        assert score.last_reset is None and "last_reset" not in score.to_dict()


class TestIncremental:
    def test_late_reset_drops_exactly_the_older_events(self) -> None:
        """Fed the reset last, the state keeps only the visit of the 5th; hot_since is
        checked again at the newest time seen."""
        model = _model()
        state = model.new_state("L1", PROFILE)
        for event in [EVENTS[0], EVENTS[1], EVENTS[4], EVENTS[3], EVENTS[2]]:
            state = model.ingest(state, event)
        score = model.score_state(state, as_of=AS_OF)
        assert (score.total, score.last_reset) == (60.0, _day(3))
        assert state.hot_since == _day(5)

    def test_merge_takes_the_newer_reset(self) -> None:
        """Parts with the old events and with the reset merge to the new cycle; of two
        resets the newer wins."""
        model = _model()
        a = model.ingest(model.new_state("L1", PROFILE), [EVENTS[0], EVENTS[1], EVENTS[4]])
        b = model.ingest(model.new_state("L1", PROFILE), [EVENTS[2]])
        merged = model.merge(a, b)
        assert model.score_state(merged, as_of=AS_OF).total == 60.0
        assert merged.last_reset == _day(3)
        c = model.ingest(model.new_state("L1", PROFILE), [bf.Event("L1", "recycled", _day(5, 1))])
        both = model.merge(merged, c)
        assert both.last_reset == _day(5, 1)
        assert model.score_state(both, as_of=AS_OF).implicit == 0.0

    def test_state_format_3_only_with_a_reset(self) -> None:
        """A state that saw a reset is written as format 3 and round-trips; without one
        it stays format 2."""
        model = _model()
        plain = model.ingest(model.new_state("L1", PROFILE), EVENTS[:2])
        assert plain.to_dict()["v"] == 2
        state = model.ingest(model.new_state("L1", PROFILE), EVENTS)
        data = state.to_dict()
        assert data["v"] == 3 and data["reset"] == int(_day(3).timestamp())
        assert bf.ScoreState.from_dict(data) == state

    def test_damaged_format_3_is_refused(self) -> None:
        """A reset after the last event, or a kept time at or before the reset, is refused
        with its path."""
        model = _model()
        data = model.ingest(model.new_state("L1", PROFILE), EVENTS).to_dict()
        late = {**data, "reset": data["last"] + 1}
        with pytest.raises(bf.InvalidInputError, match=r"state\.reset"):
            bf.ScoreState.from_dict(late)
        early = {**data, "reset": data["last"]}
        with pytest.raises(bf.InvalidInputError, match=r"state\.rules\[0\]"):
            bf.ScoreState.from_dict(early)


class TestConfiguration:
    def test_reset_on_is_checked(self) -> None:
        """reset_on is a list of distinct names; every problem is reported."""
        with pytest.raises(bf.ConfigError) as info:
            bf.ScoringModel.from_dict({"reset_on": ["deal_lost", "deal_lost", 3]})
        text = str(info.value)
        assert "reset_on[1]" in text and "reset_on[2]" in text

    def test_round_trip_and_fingerprint(self) -> None:
        """reset_on round-trips; without it the key is left out."""
        model = _model()
        assert bf.ScoringModel.from_dict(model.to_dict()) == model
        assert "reset_on" not in _model(reset_on=[]).to_dict()
        assert model.fingerprint != _model(reset_on=[]).fingerprint


def test_readers_keep_reset_events() -> None:
    """A reset event is one a table reader must pass on (needs_event), and the CLI's
    score command applies it."""
    model = _model()
    assert model._needs_event("deal_lost") and model._needs_event("Deal_Lost")
    assert not model._needs_event("page_view")


def test_cli_score_applies_resets(tmp_path: Any) -> None:
    """b2bfunnel score with reset_on in the TOML drops the behaviour before the reset."""
    import csv
    import json
    import subprocess
    import sys

    (tmp_path / "leads.csv").write_text("id,fit\nL1,yes\n")
    rows = [("L1", e.name, e.at.isoformat()) for e in EVENTS]
    rows += [("L1", "page_view", _day(1, h).isoformat()) for h in range(1, 6)]
    with (tmp_path / "events.csv").open("w", newline="") as f:
        csv.writer(f).writerows([("lead_id", "name", "at"), *rows])
    (tmp_path / "b2bfunnel.toml").write_text(
        "[scoring]\nhot_threshold = 60\nreset_on = ['deal_lost']\n"
        "[scoring.decay]\nkind = 'none'\n"
        "[[scoring.implicit]]\nname = 'visit'\nevent = 'visit'\npoints = 10\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "b2bfunnel", "score", "--leads", "leads.csv", "--events",
         "events.csv", "--config", "b2bfunnel.toml", "--as-of", AS_OF.isoformat(),
         "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    (lead,) = json.loads(done.stdout)
    assert lead["implicit"] == 10.0 and lead["last_reset"] == _day(3).isoformat()
