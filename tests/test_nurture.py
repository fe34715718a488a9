"""Nurture flows: the default flow end to end, the engine's rules, definition checks,
persistence, and invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.nurture import NurtureFlow, NurtureState, due

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday
FLOW = NurtureFlow.default()


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def ev(name: str, n: float, **props: Any) -> bf.Event:
    return bf.Event("L1", name, day(n), props)


def kinds(actions: Any) -> list[tuple[str, str | None]]:
    return [(a.kind, a.template) for a in actions]


class TestDefaultFlow:
    def test_welcome_sequence_of_three_emails_over_two_weeks(self) -> None:
        """Enrolment starts three e-mails: days 0, 5 and 12."""
        state = FLOW.enroll("L1", at=T0)
        state, actions = FLOW.advance(state, as_of=day(14))
        assert kinds(actions) == [
            ("send_email", "welcome_1"),
            ("send_email", "welcome_2"),
            ("send_email", "welcome_3"),
        ]
        assert [a.at for a in actions] == [day(0), day(5), day(12)]
        assert state.status == "nurturing"

    def test_reply_pauses_and_notifies_the_owner(self) -> None:
        """An e-mail reply pauses the sequence at once and notifies the owner."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(1))
        state, actions = FLOW.handle(state, ev("email_reply", 2))
        assert state.status == "paused"
        assert kinds(actions) == [("notify_owner", None)]
        state, actions = FLOW.advance(state, as_of=day(60))
        assert actions == ()  # nothing is sent while a rep has the lead

    def test_automatic_replies_are_not_replies(self) -> None:
        """An out-of-office reply does not pause the sequence."""
        state = FLOW.enroll("L1", at=T0)
        state, _ = FLOW.handle(state, ev("email_reply", 1, auto_reply=True))
        assert state.status == "nurturing"

    def test_pause_keeps_the_remaining_delay(self) -> None:
        """Paused on day 3 with welcome_2 two days away; resumed on day 10: sent day 12."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(0))
        state, _ = FLOW.handle(state, ev("email_reply", 3))
        state, _ = FLOW.handle(state, ev("nurture_resumed", 10))
        assert state.status == "nurturing"
        state, actions = FLOW.advance(state, as_of=day(30))
        assert [(a.template, a.at) for a in actions] == [
            ("welcome_2", day(12)),
            ("welcome_3", day(19)),
        ]

    def test_hot_lead_goes_to_sales(self) -> None:
        """Any event from a hot lead: sales_ready, an owner, a demo-booking e-mail."""
        model = bf.ScoringModel.default()
        event = ev("pricing_page_visit", 3)
        score = model.score(
            {"id": "L1", "job_title": "CTO", "employees": 900},
            [ev("webinar_completed", 2), ev("webinar_completed", 2.5), event],
            as_of=day(3),
        )
        assert score.hot
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(0))
        state, actions = FLOW.handle(state, event, score=score)
        assert state.status == "sales_ready"
        assert kinds(actions) == [("assign_owner", None), ("send_email", "demo_booking")]
        assert all(a.at == day(3) for a in actions)

    def test_a_cold_score_does_not_move_the_lead(self) -> None:
        """The same event with a score under the threshold changes nothing."""
        state = FLOW.enroll("L1", at=T0)
        state, _ = FLOW.handle(state, ev("pricing_page_visit", 3), score=40)
        assert state.status == "nurturing"

    def test_ninety_days_to_reactivation_then_archive(self) -> None:
        """90 days without events: reactivation e-mails; 30 more: archived, with a
        quarterly contact date on the next calendar quarter."""
        state, actions = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(200))
        assert [h.target for h in state.history] == ["reactivation", "archived"]
        assert state.history[0].at == day(90) and state.history[1].at == day(120)
        assert ("send_email", "reactivation_1") in kinds(actions)
        assert ("archive", None) in kinds(actions)
        assert state.status == "archived"
        archived_on = day(120)  # 2026-05-05
        assert archived_on.month == 5
        contacts = [a for a in actions if a.template == "quarterly_update"]
        assert contacts[0].at == datetime(2026, 7, 1, tzinfo=UTC)
        assert state.contact_at == datetime(2026, 10, 1, tzinfo=UTC)

    def test_activity_resets_inactivity(self) -> None:
        """An event on day 80 moves reactivation to day 170."""
        state = FLOW.enroll("L1", at=T0)
        state, _ = FLOW.handle(state, ev("page_view", 80))
        state, _ = FLOW.advance(state, as_of=day(169))
        assert state.status == "nurturing"
        state, _ = FLOW.advance(state, as_of=day(170))
        assert state.status == "reactivation"

    def test_activity_during_reactivation_returns_to_nurturing(self) -> None:
        """A (not hot) event during reactivation brings the lead back."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(95))
        state, _ = FLOW.handle(state, ev("page_view", 96))
        assert state.status == "nurturing"

    @pytest.mark.parametrize("name", ["unsubscribe", "hard_bounce"])
    def test_unsubscribe_and_hard_bounce_end_the_flow(self, name: str) -> None:
        """Both end the flow; nothing is ever sent again."""
        state, _ = FLOW.handle(FLOW.enroll("L1", at=T0), ev(name, 1))
        assert state.status == "unsubscribed" and state.next_due_at is None
        assert FLOW.advance(state, as_of=day(500))[1] == ()

    def test_goal_ends_the_flow(self) -> None:
        """meeting_booked converts the lead from any status."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(95))
        state, _ = FLOW.handle(state, ev("meeting_booked", 96))
        assert state.status == "converted"


class TestEngineRules:
    def test_advance_is_idempotent(self) -> None:
        """A second advance to the same time yields no action."""
        state, first = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(6))
        again, second = FLOW.advance(state, as_of=day(6))
        assert len(first) == 2 and second == () and again == state

    def test_late_event_acts_at_the_processed_time(self) -> None:
        """An event older than what was processed acts as of the processed time."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(20))
        state, actions = FLOW.handle(state, ev("email_reply", 10))
        assert state.status == "paused"
        assert actions[0].at == day(20)
        assert state.last_event_at == day(10)

    def test_late_steps_can_be_skipped(self) -> None:
        """With late_policy = skip, steps due more than max_lateness_days ago are not sent."""
        flow = NurtureFlow.from_dict({"late_policy": "skip", "max_lateness_days": 3})
        state, actions = flow.advance(flow.enroll("L1", at=T0), as_of=day(14))
        assert kinds(actions) == [("send_email", "welcome_3")]  # day 12, 2 days late
        assert state.step == 3

    def test_idempotency_keys(self) -> None:
        """Keys are unique and the same whenever the same state is advanced again."""
        state = FLOW.enroll("L1", at=T0)
        _, first = FLOW.advance(state, as_of=day(14))
        _, retry = FLOW.advance(state, as_of=day(14))
        keys = [a.idempotency_key for a in first]
        assert keys == [a.idempotency_key for a in retry] and len(set(keys)) == 3

    def test_reenrolment(self) -> None:
        """Off by default; when allowed, only after the flow ended, and counted."""
        ended, _ = FLOW.handle(FLOW.enroll("L1", at=T0), ev("unsubscribe", 1))
        with pytest.raises(bf.InvalidInputError) as info:
            FLOW.enroll("L1", at=day(30), previous=ended)
        assert "re-enrolment is off" in str(info.value)
        flow = NurtureFlow.from_dict({"reenroll": True})
        again = flow.enroll("L1", at=day(30), previous=ended)
        assert again.enrollments == 2 and again.status == "nurturing"
        with pytest.raises(bf.InvalidInputError):
            flow.enroll("L1", at=day(31), previous=again)

    def test_send_window(self) -> None:
        """An e-mail due on Saturday night waits for Monday 9:00 in the lead's zone."""
        flow = NurtureFlow.from_dict(
            {
                "send_window": {
                    "days": ["mon", "tue", "wed", "thu", "fri"],
                    "start_hour": 9,
                    "end_hour": 18,
                }
            }
        )
        saturday = datetime(2026, 1, 10, 22, tzinfo=UTC)
        state = flow.enroll("L1", at=saturday, timezone="Europe/Madrid")
        _, actions = flow.advance(state, as_of=saturday)
        assert actions[0].at == datetime(2026, 1, 12, 8, tzinfo=UTC)  # 9:00 in Madrid

    def test_flow_edited_while_leads_are_in_it(self) -> None:
        """continue keeps status and progress; restart starts the status over; a status
        that no longer exists sends the lead to the initial status."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(6))
        v2 = NurtureFlow.from_dict({"version": 2})
        kept, actions = v2.advance(state, as_of=day(6))
        assert (kept.flow_version, kept.status, kept.step, actions) == (2, "nurturing", 2, ())
        restarted, actions = NurtureFlow.from_dict({"version": 2, "migration": "restart"}).advance(
            state, as_of=day(6)
        )
        assert restarted.step == 1 and kinds(actions) == [("send_email", "welcome_1")]
        smaller = dict(NurtureFlow.default().to_dict(), version=3)
        smaller["statuses"] = {k: v for k, v in smaller["statuses"].items() if k != "paused"}
        smaller["transitions"] = [
            t for t in smaller["transitions"] if "paused" not in (t["from"], t["to"])
        ]
        paused, _ = FLOW.handle(state, ev("email_reply", 7))
        moved, _ = NurtureFlow.from_dict(smaller).advance(paused, as_of=day(7))
        assert moved.status == "nurturing"
        assert "no longer exists" in moved.history[-1].why

    def test_bad_input(self) -> None:
        """Naive times, other leads' events and bad scores are refused."""
        state = FLOW.enroll("L1", at=T0)
        with pytest.raises(bf.InvalidInputError):
            FLOW.enroll("L1", at=datetime(2026, 1, 1))
        with pytest.raises(bf.InvalidInputError) as info:
            FLOW.handle(state, bf.Event("L2", "x", T0))
        assert info.value.path == "event.lead_id"
        with pytest.raises(bf.InvalidInputError):
            FLOW.handle(state, ev("x", 1), score="hot")
        with pytest.raises(bf.InvalidInputError):
            FLOW.advance(state, as_of=datetime(2026, 1, 1))


class TestDefinition:
    def test_every_problem_at_once(self) -> None:
        """Field problems are reported together: a negative delay, an unknown template and
        an unknown status (the graph checks wait for a flow whose parts all parse)."""
        with pytest.raises(bf.ConfigError) as info:
            NurtureFlow.from_dict(
                {
                    "initial": "a",
                    "templates": ["hello"],
                    "statuses": {
                        "a": {
                            "steps": [
                                {"after_days": -1, "action": "send_email", "template": "helo"}
                            ]
                        },
                        "b": {},
                        "island": {"terminal": True},
                        "done": {"terminal": True},
                    },
                    "transitions": [
                        {"from": "a", "to": "b", "on": {"event": "x"}},
                        {"from": "a", "to": "done", "on": {"event": "x"}},
                        {"from": "a", "to": "nowhere", "on": {"event": "y"}},
                    ],
                }
            )
        found = {p.path: p.message for p in info.value.problems}
        assert "nurture.statuses.a.steps[0].after_days" in found
        assert "did you mean 'hello'" in found["nurture.statuses.a.steps[0].template"]
        assert "nurture.transitions[2].to" in found

    def test_graph_checks(self) -> None:
        """Unreachable statuses, dead ends and ambiguous transitions."""
        with pytest.raises(bf.ConfigError) as info:
            NurtureFlow.from_dict(
                {
                    "initial": "a",
                    "statuses": {
                        "a": {},
                        "b": {},
                        "island": {"terminal": True},
                        "done": {"terminal": True},
                    },
                    "transitions": [
                        {"from": "a", "to": "b", "on": {"event": "x"}},
                        {"from": "a", "to": "done", "on": {"event": "x"}},
                    ],
                }
            )
        found = {p.path: p.message for p in info.value.problems}
        assert "reaches" in found["nurture.statuses.island"]
        assert "way out" in found["nurture.statuses.b"]
        assert "never fires" in found["nurture.transitions[1]"]

    def test_distinct_guards_are_not_ambiguous(self) -> None:
        """hot = true and hot = false on the same event are fine (the default flow has them)."""
        assert NurtureFlow.default().statuses

    def test_to_dict_is_a_copy(self) -> None:
        """Changing a flow's data changes neither the flow nor the default flow."""
        data = FLOW.to_dict()
        data["statuses"]["nurturing"]["steps"].clear()
        assert NurtureFlow.default() == FLOW
        assert len(NurtureFlow.default().to_dict()["statuses"]["nurturing"]["steps"]) == 3

    def test_round_trip_and_diagrams(self) -> None:
        """to_dict/from_dict round-trip; Mermaid and DOT show every status and edge."""
        assert NurtureFlow.from_dict(FLOW.to_dict()) == FLOW
        mermaid = FLOW.to_mermaid()
        assert mermaid.startswith("stateDiagram-v2\n    [*] --> nurturing")
        assert "nurturing --> paused: email_reply" in mermaid
        assert "reactivation --> archived: 30 days in status" in mermaid
        dot = FLOW.to_dot()
        assert dot.startswith("digraph nurture {") and '"archived" [shape=doublecircle]' in dot


class TestPersistence:
    def test_round_trip(self) -> None:
        """A state through JSON comes back equal and behaves the same."""
        import json

        state, _ = FLOW.handle(
            FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(3))[0], ev("email_reply", 3)
        )
        restored = NurtureState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert restored == state
        assert FLOW.advance(restored, as_of=day(50)) == FLOW.advance(state, as_of=day(50))

    def test_unknown_version(self) -> None:
        """A state of another format version is refused clearly."""
        data = FLOW.enroll("L1", at=T0).to_dict()
        data["v"] = 99
        with pytest.raises(bf.InvalidInputError) as info:
            NurtureState.from_dict(data)
        assert info.value.path == "state.v"

    def test_unknown_or_missing_keys(self) -> None:
        """A saved state with a key too many, or one missing, is refused."""
        data = FLOW.enroll("L1", at=T0).to_dict()
        for broken in ({**data, "extra": 1}, {k: v for k, v in data.items() if k != "step"}):
            with pytest.raises(bf.InvalidInputError) as info:
                NurtureState.from_dict(broken)
            assert info.value.path == "state"

    def test_due(self) -> None:
        """due() finds the states, or their dicts, with something due."""
        waiting, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(1))
        fresh = FLOW.enroll("L2", at=day(1))
        assert list(due([waiting, fresh], day(1))) == [fresh]
        rows = [waiting.to_dict(), fresh.to_dict()]
        assert [r["lead_id"] for r in due(rows, day(5))] == ["L1", "L2"]


EVENT_NAMES = [
    "page_view",
    "email_reply",
    "nurture_resumed",
    "pricing_page_visit",
    "unsubscribe",
    "meeting_booked",
]
events = st.lists(
    st.tuples(st.sampled_from(EVENT_NAMES), st.integers(0, 400 * 24), st.booleans()), max_size=12
)


def build(rows: list[tuple[str, int, bool]]) -> list[tuple[bf.Event, float | None]]:
    return [
        (bf.Event("L1", name, T0 + timedelta(hours=h)), 150.0 if hot else None)
        for name, h, hot in sorted(rows, key=lambda r: (r[1], r[0]))
    ]


@settings(max_examples=100, deadline=None)
@given(events, st.integers(0, 500))
def test_replay_equals_stepwise_and_advance_is_idempotent(
    rows: list[tuple[str, int, bool]], end: int
) -> None:
    """Feeding events one by one equals replay; advance twice equals once; the state
    round-trips; and no action is due before what caused it."""
    items = build(rows)
    state = FLOW.enroll("L1", at=T0)
    stepwise: list[bf.nurture.Action] = []
    for event, score in items:
        before = state.processed_at
        state, actions = FLOW.handle(state, event, score=score)
        for action in actions:
            if event.name in action.reason:
                assert action.at >= event.at
            assert before is None or action.at >= min(before, event.at) - timedelta(0)
        stepwise.extend(actions)
    as_of = day(end)
    state, actions = FLOW.advance(state, as_of=as_of)
    stepwise.extend(actions)
    scores = {id(e): s for e, s in items}
    replayed, replay_actions = FLOW.replay(
        "L1",
        enrolled_at=T0,
        events=[e for e, _ in items],
        as_of=as_of,
        score_of=lambda e: scores[id(e)],
    )
    assert replayed == state and list(replay_actions) == stepwise
    again, more = FLOW.advance(state, as_of=as_of)
    assert more == () and again == state
    assert NurtureState.from_dict(state.to_dict()) == state
    assert all(a.at >= T0 for a in stepwise)
