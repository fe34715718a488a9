"""Live account states: fed event by event, merged like contact states, JSON round trip."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import account_populations

import b2bfunnel as bf
from b2bfunnel.accounts import AccountState

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
CONTACTS = [
    {"id": "C1", "job_title": "CFO", "employees": "800", "email": "a@acme.es"},
    {"id": "C2", "job_title": "CTO", "department": "IT", "email": "b@acme.es"},
]
EVENTS = [
    bf.Event("C1", "webinar_completed", AT - timedelta(days=2)),
    bf.Event("C2", "pricing_page_visit", AT - timedelta(days=1)),
    bf.Event("C2", "webinar_completed", AT - timedelta(hours=1)),
]


def fed(funnel: bf.Funnel, events: list[bf.Event], contacts: list[dict[str, str]]) -> AccountState:
    state = funnel.new_account_state("acme.es", contacts)
    for event in sorted(events, key=lambda e: e.at):
        state = funnel.ingest_account(state, event)
    return state


def test_state_scores_as_the_batch_does() -> None:
    """By hand: fit 50 (800 employees), engagement 25 + 40 = 65; the same as
    ``score_account`` of the same contacts and events."""
    funnel = bf.Funnel()
    live = funnel.score_account_state(fed(funnel, EVENTS, CONTACTS), as_of=AT)
    batch = funnel.score_account("acme.es", CONTACTS, EVENTS, as_of=AT)
    assert (live.fit, live.engagement, live.total) == (50.0, 65.0, 115.0)
    assert live.to_dict() == batch.to_dict()
    assert live.breadth.departments == ("IT",)


def test_json_round_trip() -> None:
    """``from_dict(json(to_dict()))`` gives an equal state with the same score."""
    funnel = bf.Funnel()
    state = fed(funnel, EVENTS, CONTACTS)
    again = AccountState.from_dict(json.loads(json.dumps(state.to_dict())))
    assert again == state
    assert funnel.score_account_state(again, as_of=AT) == funnel.score_account_state(
        state, as_of=AT
    )


def test_refusals() -> None:
    """Events of other leads, other accounts and disagreeing profiles are refused."""
    funnel = bf.Funnel()
    state = funnel.new_account_state("acme.es", CONTACTS)
    with pytest.raises(bf.InvalidInputError) as info:
        funnel.ingest_account(state, bf.Event("X9", "webinar_completed", AT))
    assert info.value.path == "event.lead_id"
    with pytest.raises(bf.InvalidInputError):
        funnel.merge_account_states(state, funnel.new_account_state("beta.com", CONTACTS))
    other = funnel.new_account_state("acme.es", [{**CONTACTS[0], "job_title": "Intern"}])
    with pytest.raises(bf.InvalidInputError):
        funnel.merge_account_states(state, other)
    with pytest.raises(bf.InvalidInputError):
        AccountState.from_dict({"account_id": "a", "contacts": {"C1": {"state": 1}}})


@settings(max_examples=40, deadline=None)
@given(account_populations(AT), st.lists(st.integers(0, 2), min_size=20, max_size=20))
def test_merge_laws(
    population: tuple[list[dict[str, str]], list[bf.Event]], parts: list[int]
) -> None:
    """Partial states of one account merge in any grouping and order into the state of
    all its events: the same account score as feeding them all to one state."""
    contacts, events = population
    funnel = bf.Funnel()
    split: list[list[bf.Event]] = [[], [], []]
    for index, event in enumerate(events):
        split[parts[index % len(parts)]].append(event)
    a, b, c = (fed(funnel, part, contacts) for part in split)
    merge = funnel.merge_account_states
    left, right, turned = merge(merge(a, b), c), merge(a, merge(b, c)), merge(c, merge(b, a))
    whole = funnel.score_account_state(fed(funnel, events, contacts), as_of=AT)
    for state in (left, right, turned):
        score = funnel.score_account_state(state, as_of=AT)
        assert score.total == pytest.approx(whole.total)
        assert dict(score.shares) == pytest.approx(dict(whole.shares))
        assert (score.roles_missing, score.breadth) == (whole.roles_missing, whole.breadth)
