"""Persisted score states: full validation, format upgrades and re-basing."""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import NOW, days_ago
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import events, model_config, profiles

import b2bfunnel as bf

V1_CASES = json.loads((Path(__file__).parent / "data" / "score_states_v1.json").read_text())[
    "cases"
]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FIT = {"id": "L1", "job_title": "CTO", "employees": 900}


def saved(model: bf.ScoringModel) -> dict[str, Any]:
    """A format-2 state with every kind of entry worth tampering with."""
    state = model.new_state("L1", FIT)
    for days, name in ((9, "pricing_page_visit"), (5, "webinar_completed"), (2, "page_view")):
        state = model.ingest(state, bf.Event("L1", name, days_ago(days)))
    return state.to_dict()


def case_events(case: dict[str, Any]) -> list[bf.Event]:
    return [bf.Event.from_dict(e) for e in case["events"]]


class TestFormat1Fixtures:
    @pytest.mark.parametrize("case", V1_CASES, ids=[c["label"] for c in V1_CASES])
    def test_states_written_by_format_1_keep_scoring(self, case: dict[str, Any]) -> None:
        """A state saved by the previous release scores as its events do today."""
        state = bf.ScoreState.from_dict(case["state"])
        assert state.to_dict() == case["state"]  # read as written until a model uses it
        model = bf.ScoringModel.from_dict(case["config"])
        as_of = datetime.fromisoformat(case["as_of"])
        live = model.score_state(state, as_of=as_of)
        batch = model.score(case["profile"], case_events(case), as_of=as_of)
        assert live.total == batch.total and live.rows == batch.rows
        if case["ingested"] == "one_by_one":
            assert live.hot_since == batch.hot_since

    @pytest.mark.parametrize("case", V1_CASES, ids=[c["label"] for c in V1_CASES])
    def test_format_1_states_upgrade_on_first_use(self, case: dict[str, Any]) -> None:
        """Ingesting into a format-1 state gives a format-2 state that round-trips."""
        model = bf.ScoringModel.from_dict(case["config"])
        state = bf.ScoreState.from_dict(case["state"])
        after = model.ingest(state, bf.Event(state.lead_id, "pricing_page_visit", NOW))
        data = json.loads(json.dumps(after.to_dict()))
        assert data["v"] == 2 and data["model"] == model.fingerprint
        assert bf.ScoreState.from_dict(data) == after
        events = [*case_events(case), bf.Event(state.lead_id, "pricing_page_visit", NOW)]
        profile = {**case["profile"], "id": state.lead_id}
        assert (
            model.score_state(after, as_of=NOW).total
            == model.score(profile, events, as_of=NOW).total
        )

    def test_state_of_the_previous_default_model_is_rebased(self) -> None:
        """A state saved under the previous default model is used by today's default."""
        case = V1_CASES[0]
        assert case["config"] == {} and case["fingerprint"] == "a6eaa570a039"
        model = bf.ScoringModel.default()
        state = bf.ScoreState.from_dict(case["state"])
        after = model.ingest(state, bf.Event("L1", "webinar_completed", NOW))
        assert after.model == model.fingerprint
        events = [*case_events(case), bf.Event("L1", "webinar_completed", NOW)]
        assert model.score_state(after, as_of=NOW) == model.score(FIT, events, as_of=NOW)

    def test_format_1_negative_count_is_refused_by_the_model(self) -> None:
        """Format 1 cannot say what an entry is alone; the model refuses a count of -2."""
        data = json.loads(json.dumps(V1_CASES[0]["state"]))
        data["rules"][0] = [-2, data["rules"][0][1]]
        state = bf.ScoreState.from_dict(data)
        with pytest.raises(bf.InvalidInputError) as info:
            bf.ScoringModel.default().score_state(state, as_of=NOW)
        assert info.value.path == "state.rules[0][0]"

    def test_format_1_duplicate_index_is_refused(self) -> None:
        """A profile rule listed twice would count twice."""
        data = {**V1_CASES[0]["state"], "explicit": [0, 0]}
        with pytest.raises(bf.InvalidInputError) as info:
            bf.ScoreState.from_dict(data)
        assert info.value.path == "state.explicit[1]"


TAMPERED = [
    (lambda d: d["rules"].__setitem__(0, [-20, d["last"]]), "state.rules[0][0]"),
    (lambda d: d["rules"].__setitem__(0, [math.nan, d["last"]]), "state.rules[0][0]"),
    (lambda d: d["rules"].__setitem__(0, [True, d["last"]]), "state.rules[0][0]"),
    (lambda d: d["rules"].__setitem__(0, [2.5, d["last"]]), "state.rules[0][0]"),
    (lambda d: d["rules"].__setitem__(0, [1, math.nan]), "state.rules[0][1]"),
    (lambda d: d["rules"].__setitem__(0, [1, 1e300]), "state.rules[0][1]"),
    (lambda d: d["rules"].__setitem__(0, [1, 10**400]), "state.rules[0][1]"),
    (lambda d: d["rules"].__setitem__(0, []), "state.rules[0]"),
    (lambda d: d["rules"].__setitem__(0, [[]]), "state.rules[0]"),
    (lambda d: d["rules"].__setitem__(0, [[5, 3]]), "state.rules[0][0]"),
    (lambda d: d["rules"].__setitem__(0, [1, d["last"], 7.0]), "state.rules[0][2]"),
    (lambda d: d["rules"].__setitem__(0, None), "state.rules[0]"),
    (lambda d: d.__setitem__("explicit", [0, 0]), "state.explicit[1]"),
    (lambda d: d.__setitem__("explicit", [True]), "state.explicit[0]"),
    (lambda d: d.__setitem__("last", math.nan), "state.last"),
    (lambda d: d.__setitem__("last", []), "state.last"),
    (lambda d: d.__setitem__("last", 1e300), "state.last"),
    (lambda d: d.__setitem__("last", d["last"] - 6 * 86_400), "state.last"),
    (lambda d: d.__setitem__("hot_since", d["last"] + 1), "state.hot_since"),
    (lambda d: d.__setitem__("lead_id", 123), "state.lead_id"),
    (lambda d: d.__setitem__("model", None), "state.model"),
    (lambda d: d.__setitem__("rules", {}), "state.rules"),
    (lambda d: d.pop("rules"), "state"),
]


class TestValidation:
    @pytest.mark.parametrize(("tamper", "path"), TAMPERED)
    def test_tampered_values_are_refused_with_a_path(
        self, model: bf.ScoringModel, tamper: Any, path: str
    ) -> None:
        """from_dict checks every value that needs no model."""
        data = saved(model)
        tamper(data)
        with pytest.raises(bf.InvalidInputError) as info:
            bf.ScoreState.from_dict(data)
        assert info.value.path == path

    def test_model_checks_rule_count_and_indices_before_changing_anything(
        self, model: bf.ScoringModel
    ) -> None:
        """A state that does not fit the model is refused by ingest and score_state."""
        for change, path in (
            ({"rules": [0, 0, 0]}, "state.rules"),
            ({"explicit": [3]}, "state.explicit"),
            ({"rules": [[[1]], 0, 0, 0]}, "state.rules[0]"),
        ):
            state = bf.ScoreState.from_dict({**saved(model), **change})
            event = bf.Event("L1", "pricing_page_visit", NOW)
            for call in (
                lambda s=state, e=event: model.ingest(s, e),
                lambda s=state: model.score_state(s, as_of=NOW),
                lambda s=state: model.with_profile(s, FIT),
            ):
                with pytest.raises(bf.InvalidInputError) as info:
                    call()
                assert info.value.path == path

    def test_hand_built_states_are_checked_like_saved_ones(self, model: bf.ScoringModel) -> None:
        """A ScoreState built directly with a negative count is refused on first use."""
        good = model.new_state("L1", FIT)
        bad = bf.ScoreState(
            "L1", good.model, (0,), ((-20, 0.0), (0, None), (0, None), (0, None)), 0.0
        )
        with pytest.raises(bf.InvalidInputError) as info:
            model.score_state(bad, as_of=NOW)
        assert info.value.path == "state.rules[0][0]"

    def test_expiry_times_over_the_cap_are_refused(self) -> None:
        """A capped per-event rule never keeps more times than it counts."""
        model = bf.ScoringModel.from_dict(
            {
                "decay": {"kind": "expiry", "days": 30},
                "implicit": [{"name": "v", "event": "v", "points": 5, "max_count": 2}],
            }
        )
        data = model.new_state("L1").to_dict()
        t = NOW.timestamp()
        data.update(rules=[[[t - 3, t - 2, t - 1]]], last=t)
        with pytest.raises(bf.InvalidInputError) as info:
            model.score_state(bf.ScoreState.from_dict(data), as_of=NOW)
        assert info.value.path == "state.rules[0]"

    def test_empty_entries_are_written_as_zero(self, model: bf.ScoringModel) -> None:
        """Format 2 keeps states small: an untouched rule is a bare 0, no null times."""
        data = model.new_state("L1").to_dict()
        assert data == {
            "v": 2,
            "model": model.fingerprint,
            "lead_id": "L1",
            "explicit": [],
            "rules": [0, 0, 0, 0],
        }


class TestExpiryInBoundedTime:
    def test_in_order_times_extend_one_shared_list(self) -> None:
        """Adding a time at the end reuses the list behind the old window (O(1))."""
        from b2bfunnel.scoring._times import Times

        a = Times.of([1.0, 2.0])
        b = a.add(3.0)
        assert b._buf is a._buf and a.values() == (1.0, 2.0)
        c = a.add(2.5)  # a second branch from the older window copies instead
        assert c._buf is not a._buf
        assert (a.values(), b.values(), c.values()) == (
            (1.0, 2.0),
            (1.0, 2.0, 3.0),
            (1.0, 2.0, 2.5),
        )

    @given(
        st.lists(st.tuples(st.integers(0, 5), st.floats(0, 1_000, allow_nan=False)), max_size=60),
        st.one_of(st.none(), st.floats(1, 100)),
        st.one_of(st.none(), st.integers(1, 5)),
    )
    def test_times_behave_as_sorted_tuples(
        self, ops: list[tuple[int, float]], window: float | None, cap: int | None
    ) -> None:
        """Any history of adds, branching from older versions, matches plain sorted tuples."""
        from b2bfunnel.scoring._times import EMPTY_TIMES

        versions = [(EMPTY_TIMES, ())]
        for pick, t in ops:
            times, model = versions[pick % len(versions)]
            merged = sorted((*model, t))
            if window is not None:
                merged = [x for x in merged if x >= merged[-1] - window]
            if cap is not None:
                merged = merged[-cap:]
            keep_from = None if window is None else max((t, *model)) - window
            versions.append((times.add(t, keep_from, cap), tuple(merged)))
        for times, model in versions:
            assert times.values() == model

    def test_twenty_thousand_events_in_the_window(self) -> None:
        """One lead, 20,000 expiry events ingested one at a time, scores as score() does."""
        model = bf.ScoringModel.from_dict({"decay": {"kind": "expiry", "days": 90}})
        events = [
            bf.Event("L1", "pricing_page_visit", days_ago(60 - i * 0.002)) for i in range(20_000)
        ]
        state = model.new_state("L1", FIT)
        for event in events:
            state = model.ingest(state, event)
        live = model.score_state(state, as_of=NOW)
        assert live == model.score(FIT, events, as_of=NOW)
        assert live.contributions[1].events == 20_000


@SETTINGS
@given(model_config(), profiles, events())
def test_state_round_trips(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event]
) -> None:
    """A persisted state restores exactly."""
    model = bf.ScoringModel.from_dict(config)
    state = model.ingest(model.new_state("L1", profile), evs)
    assert bf.ScoreState.from_dict(state.to_dict()) == state
