"""Merging partial states: the monoid laws the Spark and Dask adaptors rely on."""

from __future__ import annotations

from datetime import timedelta
from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf
from tests.conftest import NOW, days_ago
from tests.strategies import EPOCH, events, model_config, profiles

AS_OF = EPOCH + timedelta(days=400)
PLACES_TOLERANCE = 1e-6 + 1e-9  # one unit of the 6th decimal, if float order flips it


@st.composite
def split(draw: st.DrawFn, items: list[Any]) -> list[list[Any]]:
    """``items`` dealt into k random parts (1 <= k <= 8), some possibly empty."""
    k = draw(st.integers(min_value=1, max_value=8))
    owners = draw(st.lists(st.integers(0, k - 1), min_size=len(items), max_size=len(items)))
    parts: list[list[Any]] = [[] for _ in range(k)]
    for item, owner in zip(items, owners, strict=True):
        parts[owner].append(item)
    return parts


def _state(model: bf.ScoringModel, evs: list[bf.Event], profile: Any = None) -> bf.ScoreState:
    return model.ingest(model.new_state("L1", profile), sorted(evs, key=lambda e: e.ts))


def _assert_same_score(a: bf.Score, b: bf.Score) -> None:
    assert abs(a.total - b.total) <= PLACES_TOLERANCE
    assert (a.band, a.grade, a.last_activity) == (b.band, b.grade, b.last_activity) or (
        abs(a.total - b.total) > 0  # a band edge exactly at a flipped 6th decimal
    )
    assert [(c.rule, c.events, c.last_at, c.raw_points) for c in a.contributions] == [
        (c.rule, c.events, c.last_at, c.raw_points) for c in b.contributions
    ]
    for x, y in zip(a.contributions, b.contributions, strict=True):
        assert abs(x.points - y.points) <= PLACES_TOLERANCE


def _assert_exact_parts(
    model: bf.ScoringModel, merged: bf.ScoreState, whole: bf.ScoreState
) -> None:
    """Counts, last times and kept times equal; a half-life weight within float error."""
    assert merged.last_ts == whole.last_ts
    assert merged.explicit == whole.explicit
    for x, y in zip(merged.rules, whole.rules, strict=True):
        if type(x) is tuple and len(x) == 3 and type(y) is tuple:  # a half-life weight
            assert x[:2] == y[:2]
            assert x[2] == pytest.approx(y[2], rel=1e-12)
        else:
            assert x == y


@given(st.data(), model_config(), profiles, events(max_size=40))
def test_merged_parts_equal_ingesting_everything(
    data: st.DataObject, config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event]
) -> None:
    """Any split into up to 8 parts, merged in any order, equals ingest of all events."""
    model = bf.ScoringModel.from_dict(config)
    parts = data.draw(split(evs))
    states = [_state(model, part) for part in parts]
    order = data.draw(st.permutations(states))
    start = model.new_state("L1", profile)
    merged = reduce(lambda a, b: model.merge(a, b, profile=profile), order, start)
    whole = _state(model, evs, profile)
    _assert_exact_parts(model, merged, whole)
    _assert_same_score(
        model.score_state(merged, as_of=AS_OF), model.score_state(whole, as_of=AS_OF)
    )


@given(model_config(), events(), events(), events())
def test_merge_is_commutative_and_associative(
    config: dict[str, Any], xs: list[bf.Event], ys: list[bf.Event], zs: list[bf.Event]
) -> None:
    """merge(a, b) == merge(b, a) exactly; the grouping changes at most float bits."""
    model = bf.ScoringModel.from_dict(config)
    a, b, c = (_state(model, part) for part in (xs, ys, zs))
    assert model.merge(a, b) == model.merge(b, a)
    left = model.merge(model.merge(a, b), c)
    right = model.merge(a, model.merge(b, c))
    _assert_exact_parts(model, left, right)
    _assert_same_score(model.score_state(left, as_of=AS_OF), model.score_state(right, as_of=AS_OF))


@given(model_config(positive=True), profiles, events(max_size=40), st.data())
def test_hot_since_is_an_upper_bound(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], data: st.DataObject
) -> None:
    """With positive points and no per-event decay, merged hot_since is never early and is
    None exactly when the lead never became hot."""
    model = bf.ScoringModel.from_dict(config)
    if model.decay.per_event:
        return
    parts = data.draw(split(evs))
    merged = reduce(
        lambda a, b: model.merge(a, b, profile=profile),
        [model.new_state("L1", profile), *(_state(model, part) for part in parts)],
    )
    exact = model.score(profile, evs, as_of=AS_OF).hot_since
    assert (merged.hot_since is None) == (exact is None)
    if exact is not None:
        assert merged.hot_since is not None
        assert merged.hot_since >= exact


@given(model_config(), st.lists(events(max_size=10), min_size=2, max_size=6), st.data())
def test_ranking_from_merged_states(
    config: dict[str, Any], per_lead: list[list[bf.Event]], data: st.DataObject
) -> None:
    """Leads ranked from merged partial states come in rank()'s order, up to 1e-9 ties."""
    model = bf.ScoringModel.from_dict(config)
    leads = [f"L{i}" for i in range(len(per_lead))]
    evs = [
        bf.Event(lead, e.name, e.at, e.properties)
        for lead, lead_events in zip(leads, per_lead, strict=True)
        for e in lead_events
    ]
    profiles_ = [{"id": lead, "fit": i % 2 == 0} for i, lead in enumerate(leads)]
    expected = model.rank(profiles_, evs, as_of=AS_OF)
    scores = []
    for profile in profiles_:
        own = [e for e in evs if e.lead_id == profile["id"]]
        parts = data.draw(split(own))
        states = [model.new_state(profile["id"], profile)]
        states += [
            model.ingest(model.new_state(profile["id"]), sorted(p, key=lambda e: e.ts))
            for p in parts
        ]
        merged = reduce(lambda a, b: model.merge(a, b, profile=profile), states)
        scores.append(model.score_state(merged, as_of=AS_OF))
    scores.sort(key=lambda s: (-s.total, s.lead_id))
    for got, want in zip(scores, expected, strict=True):
        if got.lead_id != want.lead_id:
            assert abs(got.total - want.total) <= 1e-9 + PLACES_TOLERANCE
        else:
            _assert_same_score(got, want)


def test_different_profile_matches_are_refused() -> None:
    """Two states that disagree on the profile need the caller to name the profile."""
    model = bf.ScoringModel.default()
    cio = {"id": "L1", "job_title": "CIO", "employees": 900}
    a = model.new_state("L1", cio)
    b = model.ingest(model.new_state("L1"), bf.Event("L1", "webinar_completed", days_ago(1)))
    with pytest.raises(bf.InvalidInputError, match="profile=") as info:
        model.merge(a, b)
    assert info.value.path == "b.explicit"
    merged = model.merge(a, b, profile=cio)
    assert model.score_state(merged, as_of=NOW).total == 75.0


def test_states_of_two_leads_are_refused() -> None:
    """Merging states of different leads is an error naming both."""
    model = bf.ScoringModel.default()
    with pytest.raises(bf.InvalidInputError, match="'L1' and 'L2'"):
        model.merge(model.new_state("L1"), model.new_state("L2"))


def test_states_of_another_model_are_refused() -> None:
    """A state of another model cannot be merged into this one's."""
    model = bf.ScoringModel.default()
    other = bf.ScoringModel.from_dict({"hot_threshold": 80})
    with pytest.raises(bf.InvalidInputError, match="scoring model"):
        model.merge(model.new_state("L1"), other.new_state("L1"))


def test_merge_sets_hot_since_when_the_parts_cross_together() -> None:
    """Neither part is hot alone; together they are, bounded by the newest event."""
    model = bf.ScoringModel.from_dict({"hot_threshold": 40})
    a = model.ingest(model.new_state("L1"), bf.Event("L1", "webinar_completed", days_ago(3)))
    b = model.ingest(model.new_state("L1"), bf.Event("L1", "pricing_page_visit", days_ago(2)))
    assert a.hot_since is None and b.hot_since is None
    assert model.merge(a, b).hot_since == days_ago(2)
