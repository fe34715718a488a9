"""Nurture rules that protect real people and real data: suppression, automatic
replies, re-entry, idempotency keys, exact time, definition checks, diagram
escaping, persisted-state validation and upgrades (issue 11)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import dst_instants, dst_zones

import b2bfunnel as bf
from b2bfunnel.nurture import NurtureFlow, NurtureState

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
FLOW = NurtureFlow.default()
SAVED = json.loads((Path(__file__).parent / "data" / "nurture_states_v1.json").read_text())


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def ev(name: str, n: float, **props: Any) -> bf.Event:
    return bf.Event("L1", name, day(n), props)


def sends(actions: Any) -> list[str | None]:
    return [a.template for a in actions if a.kind == "send_email"]


def problems(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(bf.ConfigError) as info:
        NurtureFlow.from_dict(data)
    return {p.path: p.message for p in info.value.problems}


class TestSuppression:
    @pytest.mark.parametrize("name", ["unsubscribe", "hard_bounce"])
    def test_an_archived_lead_that_unsubscribes_gets_nothing_more(self, name: str) -> None:
        """Archived is terminal, yet an unsubscribe or hard bounce still ends the quarterly
        contact."""
        archived, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(130))
        assert archived.status == "archived"
        state, _ = FLOW.handle(archived, ev(name, 131))
        assert state.suppressed == name and state.status == "unsubscribed"
        assert sends(FLOW.advance(state, as_of=day(900))[1]) == []

    def test_suppression_survives_a_goal_and_reenrolment(self) -> None:
        """A goal after an unsubscribe converts the lead but does not lift the flag; a
        re-enrolment with the previous state keeps it, and nothing is sent."""
        flow = NurtureFlow.from_dict({"reenroll": True})
        state, _ = flow.handle(flow.enroll("L1", at=T0), ev("unsubscribe", 1))
        state, _ = flow.handle(state, ev("meeting_booked", 2))
        assert state.status == "converted" and state.suppressed == "unsubscribe"
        again = flow.enroll("L1", at=day(10), previous=state)
        assert again.suppressed == "unsubscribe"
        assert sends(flow.advance(again, as_of=day(400))[1]) == []

    def test_suppression_wins_over_a_hot_transition_declared_first(self) -> None:
        """A hot lead's unsubscribe is an unsubscribe: no demo e-mail, whatever the order."""
        data = FLOW.to_dict()
        data["transitions"] = data["transitions"][2:] + data["transitions"][:2]
        flow = NurtureFlow.from_dict(data)
        state, actions = flow.handle(flow.enroll("L1", at=T0), ev("unsubscribe", 1), score=150)
        assert state.status == "unsubscribed" and sends(actions) == ["welcome_1"][:0]

    def test_sends_due_before_the_unsubscribe_are_not_sent_after_it(self) -> None:
        """welcome_2 fell due on day 5, unprocessed; an unsubscribe on day 6 drops it."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(1))
        _, actions = FLOW.handle(state, ev("unsubscribe", 6))
        assert sends(actions) == []

    def test_a_declared_suppression_event_stops_sends_without_a_transition(self) -> None:
        """suppress_on names more events; advance re-checks the flag before every send."""
        flow = NurtureFlow.from_dict({"suppress_on": ["unsubscribe", "spam_complaint"]})
        state, _ = flow.handle(flow.enroll("L1", at=T0), ev("spam_complaint", 1))
        assert state.status == "nurturing" and state.suppressed == "spam_complaint"
        assert sends(flow.advance(state, as_of=day(400))[1]) == []

    def test_a_terminal_status_that_sends_nothing_keeps_its_status(self) -> None:
        """A sales-ready lead that unsubscribes stays sales-ready (for reporting), but is
        suppressed; the diagram shows the archive, not sales_ready, leaving on it."""
        state, _ = FLOW.handle(FLOW.enroll("L1", at=T0), ev("visit", 1), score=150)
        state, _ = FLOW.handle(state, ev("unsubscribe", 2))
        assert (state.status, state.suppressed) == ("sales_ready", "unsubscribe")
        mermaid = FLOW.to_mermaid()
        assert "archived --> unsubscribed: unsubscribe" in mermaid
        assert "sales_ready --> unsubscribed" not in mermaid

    def test_a_goal_reaches_an_archived_lead(self) -> None:
        """meeting_booked converts an archived lead too."""
        archived, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(130))
        state, _ = FLOW.handle(archived, ev("meeting_booked", 131))
        assert state.status == "converted"
        assert sends(FLOW.advance(state, as_of=day(900))[1]) == []


class TestAutoReply:
    @pytest.mark.parametrize("value", ["false", "FALSE", "no", "0", 0, False, "", None])
    def test_a_real_reply_pauses(self, value: Any) -> None:
        """auto_reply read as a boolean: "false" from a CSV is a real reply."""
        state, actions = FLOW.handle(
            FLOW.enroll("L1", at=T0), ev("email_reply", 1, auto_reply=value)
        )
        assert state.status == "paused" and [a.kind for a in actions][-1] == "notify_owner"

    @pytest.mark.parametrize("value", ["true", "Sí", "yes", "T", 1, True])
    def test_an_automatic_reply_is_ignored(self, value: Any) -> None:
        """true/sí/yes/t/1 are automatic replies."""
        state, _ = FLOW.handle(FLOW.enroll("L1", at=T0), ev("email_reply", 1, auto_reply=value))
        assert state.status == "nurturing"

    def test_another_string_is_refused(self) -> None:
        """A value that is not a boolean is an error naming the property."""
        with pytest.raises(bf.InvalidInputError) as info:
            FLOW.handle(FLOW.enroll("L1", at=T0), ev("email_reply", 1, auto_reply="maybe"))
        assert info.value.path == "event.properties.auto_reply"


class TestReentry:
    def test_a_returning_lead_is_not_welcomed_twice(self) -> None:
        """Activity during reactivation returns to nurturing without resending welcome_1-3."""
        state, _ = FLOW.advance(FLOW.enroll("L1", at=T0), as_of=day(95))
        state, actions = FLOW.handle(state, ev("page_view", 96))
        assert state.status == "nurturing"
        state, later = FLOW.advance(state, as_of=day(180))
        assert not {"welcome_1", "welcome_2", "welcome_3"} & set(sends((*actions, *later)))

    def test_resume_sends_only_what_was_never_sent(self) -> None:
        """A lead that left after welcome_1 gets welcome_2 and welcome_3 when it returns."""
        data = FLOW.to_dict()
        data["transitions"].insert(
            0, {"from": "nurturing", "to": "reactivation", "on": {"event": "went_cold"}}
        )
        flow = NurtureFlow.from_dict(data)
        state, _ = flow.advance(flow.enroll("L1", at=T0), as_of=day(1))
        state, _ = flow.handle(state, ev("went_cold", 2))
        state, _ = flow.handle(state, ev("page_view", 3))
        _, actions = flow.advance(state, as_of=day(40))
        assert sends(actions) == ["welcome_2", "welcome_3"]

    @pytest.mark.parametrize(("mode", "expected"), [("restart", 3), ("welcome_3", 1)])
    def test_on_reentry_restart_or_a_named_step(self, mode: str, expected: int) -> None:
        """restart sends the sequence again; a step's name starts there (if not sent)."""
        data = FLOW.to_dict()
        data["statuses"]["nurturing"]["on_reentry"] = mode
        data["transitions"].insert(
            0, {"from": "nurturing", "to": "reactivation", "on": {"event": "went_cold"}}
        )
        flow = NurtureFlow.from_dict(data)
        state, _ = flow.advance(flow.enroll("L1", at=T0), as_of=day(1))
        state, _ = flow.handle(state, ev("went_cold", 2))
        state, back = flow.handle(state, ev("page_view", 3))
        _, actions = flow.advance(state, as_of=day(40))
        welcomes = [t for t in sends((*back, *actions)) if t and t.startswith("welcome")]
        assert len(welcomes) == expected

    def test_an_unknown_reentry_is_refused(self) -> None:
        """on_reentry must be resume, restart or a step of the status."""
        data = FLOW.to_dict()
        data["statuses"]["nurturing"]["on_reentry"] = "welcome_9"
        assert "nurture.statuses.nurturing.on_reentry" in problems(data)


HISTORY = st.lists(
    st.tuples(
        st.sampled_from(
            ["page_view", "email_reply", "nurture_resumed", "pricing_page_visit", "hard_bounce"]
        ),
        st.integers(0, 200 * 24),
        st.booleans(),
    ),
    max_size=10,
)


def run(state: NurtureState, rows: list[tuple[str, int, bool]], end: datetime) -> list[Any]:
    out: list[Any] = []
    for name, hours, hot in sorted(rows, key=lambda r: r[1]):
        event = bf.Event("L1", name, T0 + timedelta(hours=hours))
        state, actions = FLOW.handle(state, event, score=150 if hot else None)
        out.extend(actions)
    out.extend(FLOW.advance(state, as_of=end)[1])
    return out


class TestIdempotencyKeys:
    @settings(max_examples=60, deadline=None)
    @given(HISTORY, st.integers(0, 200))
    def test_replaying_one_history_from_one_saved_state_gives_the_same_keys(
        self, rows: list[tuple[str, int, bool]], end: int
    ) -> None:
        """The same persisted state and events yield the same keys, live or restored."""
        saved = FLOW.enroll("L1", at=T0)
        restored = NurtureState.from_dict(json.loads(json.dumps(saved.to_dict())))
        first = [a.idempotency_key for a in run(saved, rows, day(end))]
        assert first == [a.idempotency_key for a in run(restored, rows, day(end))]

    @settings(max_examples=100, deadline=None)
    @given(HISTORY, HISTORY, st.integers(0, 10), st.integers(0, 300))
    def test_after_a_crash_and_another_path_a_key_names_one_action(
        self,
        before: list[tuple[str, int, bool]],
        retry: list[tuple[str, int, bool]],
        cut: int,
        end: int,
    ) -> None:
        """Roll the state back to an earlier persisted copy, retry down another path:
        every key still maps to exactly one (kind, template, at)."""
        state, seen = FLOW.enroll("L1", at=T0), {}
        rows = sorted(before, key=lambda r: r[1])
        snapshot = state.to_dict()
        for index, (name, hours, hot) in enumerate(rows):
            if index == cut:
                snapshot = state.to_dict()
            event = bf.Event("L1", name, T0 + timedelta(hours=hours))
            state, actions = FLOW.handle(state, event, score=150 if hot else None)
            for action in actions:
                seen.setdefault(action.idempotency_key, set()).add(
                    (action.kind, action.template, action.at)
                )
        crashed = NurtureState.from_dict(snapshot)
        for action in run(crashed, retry, day(end)):
            seen.setdefault(action.idempotency_key, set()).add(
                (action.kind, action.template, action.at)
            )
        assert all(len(meanings) == 1 for meanings in seen.values())


class TestExactTime:
    def test_the_state_zone_schedules_not_the_tzinfo_of_at(self) -> None:
        """Madrid-aware and UTC-given enrolments at one instant schedule welcome_2 alike:
        on 2026-04-01 at 10:00 Madrid (calendar days, across the change of 03-29)."""
        madrid = ZoneInfo("Europe/Madrid")
        local = datetime(2026, 3, 27, 10, tzinfo=madrid)
        a = FLOW.enroll("L1", at=local, timezone="Europe/Madrid")
        b = FLOW.enroll("L1", at=local.astimezone(UTC), timezone="Europe/Madrid")
        end = datetime(2026, 4, 20, tzinfo=UTC)
        first, second = FLOW.advance(a, as_of=end)[1], FLOW.advance(b, as_of=end)[1]
        assert [x.at for x in first] == [x.at for x in second]
        assert first[1].at == datetime(2026, 4, 1, 10, tzinfo=madrid)

    def test_a_local_time_in_the_gap_moves_forward(self) -> None:
        """02:30 on 2026-03-29 does not exist in Madrid: the step goes out at 03:30."""
        flow = NurtureFlow.from_dict(
            {
                "templates": ["a", "b"],
                "statuses": {
                    "s": {
                        "steps": [
                            {"after_days": 0, "action": "send_email", "template": "a"},
                            {"after_days": 1, "action": "send_email", "template": "b"},
                        ]
                    },
                    "done": {"terminal": True},
                },
                "transitions": [{"from": "s", "to": "done", "on": {"event": "stop"}}],
                "goals": [],
            }
        )
        madrid = ZoneInfo("Europe/Madrid")
        state = flow.enroll(
            "L1", at=datetime(2026, 3, 28, 2, 30, tzinfo=madrid), timezone="Europe/Madrid"
        )
        actions = flow.advance(state, as_of=datetime(2026, 4, 2, tzinfo=UTC))[1]
        assert actions[1].at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    @settings(max_examples=80, deadline=None)
    @given(dst_zones, dst_instants, st.lists(st.integers(1, 200 * 24), max_size=5))
    def test_live_restored_and_utc_runs_give_the_same_instants(
        self, zone: str, start: datetime, hours: list[int]
    ) -> None:
        """A zoned run, a UTC-given run and one saved and restored after every call
        produce identical action instants and next_due_at."""
        tz = ZoneInfo(zone)
        runs = []
        for mode in ("live", "utc", "restored"):
            given_tz = tz if mode == "live" else UTC
            state = FLOW.enroll("L1", at=start.astimezone(given_tz), timezone=zone)
            out = []
            for h in sorted(hours):
                event = bf.Event(
                    "L1", "page_view", (start + timedelta(hours=h)).astimezone(given_tz)
                )
                state, actions = FLOW.handle(state, event)
                if mode == "restored":
                    state = NurtureState.from_dict(json.loads(json.dumps(state.to_dict())))
                out.extend(a.at for a in actions)
            state, actions = FLOW.advance(
                state, as_of=(start + timedelta(days=300)).astimezone(given_tz)
            )
            out.extend(a.at for a in actions)
            runs.append((out, state.next_due_at))
        assert runs[0] == runs[1] == runs[2]

    def test_the_last_years_of_the_calendar(self) -> None:
        """Enrolling in December 9999 works: what would fall due after 9999 never does."""
        at = datetime(9999, 12, 1, tzinfo=UTC)
        state = FLOW.enroll("L1", at=at)
        state, actions = FLOW.advance(state, as_of=datetime(9999, 12, 31, 23, tzinfo=UTC))
        assert sends(actions) == ["welcome_1", "welcome_2", "welcome_3"]
        state, _ = FLOW.handle(
            state, bf.Event("L1", "page_view", datetime(9999, 12, 31, 23, 30, tzinfo=UTC))
        )
        assert state.next_due_at is None

    def test_a_time_before_year_one_in_utc_is_refused(self) -> None:
        """0001-01-01T00:00+05:00 is in year 0 in UTC: refused, naming the field."""
        early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))
        with pytest.raises(bf.InvalidInputError) as info:
            FLOW.enroll("L1", at=early)
        assert info.value.path == "at"
        state = FLOW.enroll("L1", at=datetime(1, 1, 2, tzinfo=UTC))
        with pytest.raises(bf.InvalidInputError) as info:
            FLOW.handle(state, bf.Event("L1", "page_view", early))
        assert info.value.path == "event.at"


class TestDefinitionChecks:
    def test_graph_problems_are_reported_with_field_problems(self) -> None:
        """A template typo does not hide the unreachable status or the dead end."""
        found = problems(
            {
                "initial": "a",
                "templates": ["hello"],
                "statuses": {
                    "a": {"steps": [{"after_days": 0, "action": "send_email", "template": "helo"}]},
                    "b": {},
                    "island": {"terminal": True},
                    "done": {"terminal": True},
                },
                "transitions": [
                    {"from": "a", "to": "b", "on": {"event": "x"}},
                    {"from": "a", "to": "done", "on": {"event": "y"}},
                ],
                "goals": [],
            }
        )
        assert "did you mean 'hello'" in found["nurture.statuses.a.steps[0].template"]
        assert "reaches" in found["nurture.statuses.island"]
        assert "way out" in found["nurture.statuses.b"]

    @pytest.mark.parametrize(
        ("first", "second"),
        [
            (
                {"event": "visit", "score": {"at_least": 50}},
                {"event": "visit", "score": {"at_least": 80}},
            ),
            ({"event": "*"}, {"event": "visit", "score": {"hot": True}}),
            ({"idle_days": 30}, {"idle_days": 60}),
        ],
    )
    def test_a_shadowed_transition_is_reported(self, first: Any, second: Any) -> None:
        """A transition an earlier one always pre-empts can never fire."""
        found = problems(
            {
                "initial": "a",
                "statuses": {"a": {}, "b": {"terminal": True}, "c": {"terminal": True}},
                "transitions": [
                    {"from": "a", "to": "b", "on": first},
                    {"from": "a", "to": "c", "on": second},
                ],
                "goals": [],
            }
        )
        assert "never fires" in found["nurture.transitions[1]"]

    def test_a_transition_tried_after_suppression_is_not_shadowed_by_it(self) -> None:
        """An unguarded `*` declared before the unsubscribe transition does not shadow
        it (suppression is tried first), and two steps may share a template."""
        flow = NurtureFlow.from_dict(
            {
                "initial": "a",
                "templates": ["t"],
                "statuses": {
                    "a": {
                        "steps": [
                            {"after_days": 0, "action": "send_email", "template": "t"},
                            {"after_days": 1, "action": "send_email", "template": "t"},
                        ]
                    },
                    "b": {"terminal": True},
                    "gone": {"terminal": True},
                },
                "transitions": [
                    {"from": "a", "to": "b", "on": {"event": "*"}},
                    {"from": "*", "to": "gone", "on": {"event": "unsubscribe"}},
                ],
                "goals": [],
            }
        )
        state, _ = flow.handle(flow.enroll("L1", at=T0), ev("unsubscribe", 1))
        assert state.status == "gone"

    def test_the_default_flow_passes(self) -> None:
        """The shipped flow has no shadowed transition."""
        assert NurtureFlow.from_dict(FLOW.to_dict()) == FLOW

    @pytest.mark.parametrize(
        ("change", "where"),
        [
            (
                {
                    "transitions": [
                        {"from": "nurturing", "to": "archived", "on": {"idle_days": 5_000_000}}
                    ]
                },
                "nurture.transitions[0].on.idle_days",
            ),
            (
                {
                    "statuses": {
                        "nurturing": {
                            "steps": [
                                {"after_days": 1e9, "action": "send_email", "template": "welcome_1"}
                            ]
                        }
                    }
                },
                "nurture.statuses.nurturing.steps[0].after_days",
            ),
            (
                {"transitions": [{"from": ["nurturing"], "to": "archived", "on": {"event": "x"}}]},
                "nurture.transitions[0].from",
            ),
            ({"goals": [{"event": "meeting_booked", "to": ["converted"]}]}, "nurture.goals[0].to"),
            (
                {
                    "transitions": [
                        {"name": 7, "from": "nurturing", "to": "archived", "on": {"event": "x"}}
                    ]
                },
                "nurture.transitions[0].name",
            ),
            ({"goals": [{"event": 42, "to": "converted"}]}, "nurture.goals[0].event"),
        ],
    )
    def test_config_that_would_crash_at_run_time_is_refused(self, change: Any, where: str) -> None:
        """Huge delays, lists where names go and numbers as names fail at load, with a path."""
        data = FLOW.to_dict()
        for key, value in change.items():
            if key == "statuses":
                data["statuses"] = {**data["statuses"], **value}
            elif key == "transitions":
                data["transitions"] = data["transitions"] + value
                where = where.replace("[0]", f"[{len(data['transitions']) - 1}]")
            else:
                data[key] = value
        assert where in problems(data)

    def test_numbers_from_numpy_and_huge_integers_are_scores(self) -> None:
        """A numpy score and 10**400 are numbers: compared, not crashing."""
        import numpy as np

        for score in (np.float64(150.0), np.int64(150), 10**400):
            state, _ = FLOW.handle(FLOW.enroll("L1", at=T0), ev("visit", 1), score=score)
            assert state.status == "sales_ready"

    def test_a_nan_score_is_refused(self) -> None:
        """score=nan cannot fire (or skip) an at_least guard: it is refused."""
        with pytest.raises(bf.InvalidInputError) as info:
            FLOW.handle(FLOW.enroll("L1", at=T0), ev("visit", 1), score=float("nan"))
        assert info.value.path == "score"


def test_diagram_names_are_escaped() -> None:
    """A status name cannot inject DOT attributes or Mermaid syntax."""
    name = 'a" [URL="javascript:alert(1)"] x'
    flow = NurtureFlow.from_dict(
        {
            "initial": "s",
            "statuses": {"s": {}, name: {"terminal": True}},
            "transitions": [{"from": "s", "to": name, "on": {"event": "e"}}],
            "goals": [],
        }
    )
    dot = flow.to_dot()
    assert '"a\\" [URL=\\"javascript:alert(1)\\"] x"' in dot and '[URL="' not in dot
    assert '"' not in flow.to_mermaid().split("state ", 1)[1].split('"', 1)[1].rsplit('"', 1)[0]


class TestStateValidation:
    @pytest.mark.parametrize(
        ("key", "value"),
        [
            ("step", -1),
            ("step", 1e400),
            ("step", "1"),
            ("lead_id", 123),
            ("enrollments", -5),
            ("timezone", "Nope/Zone"),
            ("enrolled_at", "0001-01-01T00:00:00+05:00"),
            ("processed_at", "2026-01-01T00:00:00"),
            ("shift", float("nan")),
            ("status", None),
            ("done", ["nurturing#0", "nurturing#0"]),
            ("suppressed", 1),
            ("history", [["2026-01-01T00:00:00+00:00", "a"]]),
        ],
    )
    def test_tampered_values_are_refused(self, key: str, value: Any) -> None:
        """from_dict checks every field's type and range, with a path."""
        data = FLOW.enroll("L1", at=T0).to_dict()
        data[key] = value
        with pytest.raises(bf.InvalidInputError) as info:
            NurtureState.from_dict(data)
        assert info.value.path.startswith(f"state.{key}")

    def test_the_flow_checks_the_rest_before_changing_anything(self) -> None:
        """A step past the status's sequence is refused by handle and advance."""
        data = FLOW.enroll("L1", at=T0).to_dict()
        data["step"] = 7
        state = NurtureState.from_dict(data)
        for call in (
            lambda: FLOW.advance(state, as_of=day(9)),
            lambda: FLOW.handle(state, ev("x", 1)),
        ):
            with pytest.raises(bf.InvalidInputError) as info:
                call()
            assert info.value.path == "state.step"


class TestStateUpgrades:
    def test_every_saved_v1_state_reads_and_round_trips_as_current(self) -> None:
        """States written by format 1 are upgraded; the result saves as the current format (3)."""
        for data in SAVED["states"].values():
            state = NurtureState.from_dict(data)
            saved = state.to_dict()
            assert saved["v"] == 3 and NurtureState.from_dict(saved) == state

    def test_the_upgrade_keeps_progress_and_suppression(self) -> None:
        """Steps already passed count as done; an unsubscribe in the history suppresses."""
        step2 = NurtureState.from_dict(SAVED["states"]["nurturing_step2"])
        assert step2.done == ("nurturing#0", "nurturing#1")
        gone = NurtureState.from_dict(SAVED["states"]["unsubscribed"])
        assert gone.suppressed == "hard_bounce"
        again = NurtureFlow.from_dict({"reenroll": True}).enroll("L5", at=day(50), previous=gone)
        assert sends(FLOW.advance(again, as_of=day(400))[1]) == []


@pytest.mark.parametrize(
    "call",
    [
        lambda: FLOW.enroll("L1", at=T0, timezone=(1, 2)),  # type: ignore[arg-type]
        lambda: FLOW.enroll(None, at=T0),  # type: ignore[arg-type]
        lambda: FLOW.enroll("L1", at="2026-01-01"),  # type: ignore[arg-type]
        lambda: FLOW.enroll("L1", at=T0, previous={}),  # type: ignore[arg-type]
        lambda: FLOW.handle(None, ev("x", 1)),  # type: ignore[arg-type]
        lambda: FLOW.handle(FLOW.enroll("L1", at=T0), "x"),  # type: ignore[arg-type]
        lambda: FLOW.handle(FLOW.enroll("L1", at=T0), ev("x", 1), score=[1]),
        lambda: FLOW.advance(FLOW.enroll("L1", at=T0), as_of=5),  # type: ignore[arg-type]
        lambda: FLOW.replay("L1", enrolled_at=T0, events=None),  # type: ignore[arg-type]
        lambda: FLOW.replay("L1", enrolled_at=T0, events=[1]),  # type: ignore[list-item]
        lambda: FLOW.replay("L1", enrolled_at=T0, events=[], score_of=3),  # type: ignore[arg-type]
        lambda: NurtureState.from_dict([]),  # type: ignore[arg-type]
        lambda: NurtureFlow.from_dict(None),  # type: ignore[arg-type]
        lambda: NurtureFlow.from_toml(None),  # type: ignore[arg-type]
        lambda: list(bf.nurture.due(None, T0)),  # type: ignore[arg-type]
        lambda: list(bf.nurture.due([1], T0)),  # type: ignore[list-item]
    ],
)
def test_wrong_types_are_invalid_input(call: Any) -> None:
    """Wrong Python types given to the nurture engine raise a B2BFunnelError."""
    with pytest.raises(bf.B2BFunnelError):
        call()
