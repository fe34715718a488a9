"""Contact pressure: sends limited across flows, postponed (never dropped), by hand
and as properties."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.nurture import NurtureFlow, NurtureState, Pressure, advance_lead
from tests.strategies import lead_histories

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday
LIMIT = {"max_sends": {"per_days": 7, "count": 2}}


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def sends(actions: tuple[bf.Action, ...] | list[bf.Action]) -> list[bf.Action]:
    return [a for a in actions if a.kind.startswith("send")]


class TestPostponing:
    def test_a_second_flow_waits_for_the_window(self) -> None:
        """With sends at days 0 and 5, a send due at day 0 goes out at day 7 (the first
        instant two sends leave the 7-day window), keeping its day-0 key."""
        flow = NurtureFlow.from_dict({"name": "b", **LIMIT})
        state = flow.enroll("L1", at=T0)
        state, actions = flow.advance(state, as_of=day(8), pressure=[day(0), day(5)])
        first = sends(actions)[0]
        assert first.at == day(7) and first.template == "welcome_1"
        assert first.idempotency_key == "b:L1/1/v1/nurturing/step1/send_email:welcome_1/" + (
            day(0).isoformat()
        )

    def test_a_postponed_send_waits_in_the_state(self) -> None:
        """Postponed past as_of, the send is kept in the state and made by a later
        advance; advancing again with the same as_of sends nothing."""
        flow = NurtureFlow.from_dict({"name": "b", **LIMIT})
        pressure = [day(0), day(5)]
        state, actions = flow.advance(flow.enroll("L1", at=T0), as_of=day(1), pressure=pressure)
        assert sends(actions) == [] and [p.at for p in state.postponed] == [day(7)]
        assert state.next_due_at == day(5)  # welcome_2's own due time comes first
        saved = NurtureState.from_dict(json.loads(json.dumps(state.to_dict())))
        assert saved == state
        later, actions = flow.advance(saved, as_of=day(7), pressure=pressure)
        # welcome_2 (due day 5) queues behind welcome_1: days 5, 7 fill its window.
        assert [(a.template, a.at) for a in sends(actions)] == [("welcome_1", day(7))]
        assert [(p.template, p.at) for p in later.postponed] == [("welcome_2", day(12))]
        assert flow.advance(later, as_of=day(7), pressure=[*pressure, day(7)])[1] == ()

    def test_the_gap_moves_a_send_into_the_send_window(self) -> None:
        """min_gap_hours pushes a send past the window's end: it moves to the next
        window opening (Tuesday 9:00)."""
        flow = NurtureFlow.from_dict(
            {"min_gap_hours": 10, "send_window": {"start_hour": 9, "end_hour": 18}}
        )
        _, actions = flow.advance(
            flow.enroll("L1", at=T0), as_of=day(2), pressure=[T0 - timedelta(hours=1)]
        )
        assert sends(actions)[0].at == datetime(2026, 1, 6, 9, tzinfo=UTC)

    def test_leaving_the_status_or_suppression_ends_a_postponed_send(self) -> None:
        """A reply (pause) drops the nurturing sends it postponed; so does unsubscribe."""
        flow = NurtureFlow.from_dict({"name": "b", **LIMIT})
        pressure = [day(0), day(0.5)]
        state, _ = flow.advance(flow.enroll("L1", at=T0), as_of=day(1), pressure=pressure)
        assert state.postponed
        paused, _ = flow.handle(state, bf.Event("L1", "email_reply", day(2)), pressure=pressure)
        assert paused.postponed == ()
        gone, _ = flow.handle(state, bf.Event("L1", "unsubscribe", day(2)), pressure=pressure)
        assert gone.postponed == () and gone.suppressed == "unsubscribe"

    def test_a_transition_send_is_kept_in_its_target_status(self) -> None:
        """The demo e-mail of the hot transition, postponed, goes out in sales_ready."""
        flow = NurtureFlow.from_dict({"name": "b", **LIMIT})
        state, _ = flow.advance(flow.enroll("L1", at=T0), as_of=T0)
        pressure = [T0, day(1)]
        state, actions = flow.handle(
            state, bf.Event("L1", "pricing_page_visit", day(2)), score=150, pressure=pressure
        )
        assert state.status == "sales_ready" and [p.template for p in state.postponed] == [
            "demo_booking"
        ]
        assert [a.kind for a in actions] == ["assign_owner"]
        _, actions = flow.advance(state, as_of=day(30), pressure=pressure)
        assert [(a.template, a.at) for a in actions] == [("demo_booking", day(7))]

    def test_skip_counts_lateness_from_the_due_instant(self) -> None:
        """late_policy = skip drops a send postponed further than max_lateness_days."""
        flow = NurtureFlow.from_dict(
            {"name": "b", "late_policy": "skip", "max_lateness_days": 3, **LIMIT}
        )
        state, _ = flow.advance(flow.enroll("L1", at=T0), as_of=T0, pressure=[T0, T0])
        assert [p.due for p in state.postponed] == [T0]
        _, actions = flow.advance(state, as_of=day(7), pressure=[T0, T0])
        assert "welcome_1" not in [a.template for a in actions]

    def test_advance_lead_orders_flows_by_priority(self) -> None:
        """The priority-0 flow's e-mail goes out at once; the other flow's waits."""
        urgent = NurtureFlow.from_dict({"name": "urgent", "max_sends": {"per_days": 1, "count": 1}})
        slow = NurtureFlow.from_dict(
            {"name": "slow", "priority": 1, "max_sends": {"per_days": 1, "count": 1}}
        )
        pairs = [(slow, slow.enroll("L1", at=T0)), (urgent, urgent.enroll("L1", at=T0))]
        states, actions, pressure = advance_lead(pairs, None, as_of=T0)
        assert [a.idempotency_key.split(":")[0] for a in actions] == ["urgent"]
        assert states[0].postponed[0].at == day(1) and pressure.times == (T0,)
        states, actions, pressure = advance_lead(
            list(zip((slow, urgent), states, strict=True)), pressure, as_of=day(1)
        )
        assert [a.idempotency_key.split(":")[0] for a in actions] == ["slow"]


class TestPressureValue:
    @given(
        st.lists(st.integers(0, 10_000), max_size=12),
        st.lists(st.integers(0, 10_000), max_size=12),
        st.lists(st.integers(0, 10_000), max_size=12),
    )
    def test_merge_is_a_union(self, a: list[int], b: list[int], c: list[int]) -> None:
        """merge is associative, commutative and idempotent; JSON round-trips."""

        def of(xs: list[int]) -> Pressure:
            return Pressure(tuple(sorted((T0 + timedelta(minutes=x), f"k{x}") for x in set(xs))))

        x, y, z = of(a), of(b), of(c)
        assert x.merge(y) == y.merge(x)
        assert x.merge(y).merge(z) == x.merge(y.merge(z))
        assert x.merge(x) == x
        assert Pressure.from_dict(json.loads(json.dumps(x.merge(y).to_dict()))) == x.merge(y)

    def test_record_counts_each_send_once(self) -> None:
        """Recording the same actions twice changes nothing; non-sends are not counted."""
        flow = NurtureFlow.default()
        _, actions = flow.advance(flow.enroll("L1", at=T0), as_of=day(14))
        once = Pressure().record(actions)
        assert once.record(actions) == once and once.times == (day(0), day(5), day(12))

    def test_bad_times_are_refused(self) -> None:
        """A naive time in pressure= is refused with its index."""
        with pytest.raises(bf.InvalidInputError) as info:
            NurtureFlow.default().advance(
                NurtureFlow.default().enroll("L1", at=T0), as_of=T0, pressure=[datetime(2026, 1, 1)]
            )
        assert info.value.path == "pressure[0]"


def _flows(per_days: float, count: int, gap: float) -> list[NurtureFlow]:
    limit = {"max_sends": {"per_days": per_days, "count": count}, "min_gap_hours": gap}
    return [
        NurtureFlow.from_dict({"name": "a", **limit}),
        NurtureFlow.from_dict({"name": "b", "priority": 1, **limit}),
        NurtureFlow.from_dict(
            {"name": "c", "send_window": {"start_hour": 9, "end_hour": 12}, **limit}
        ),
    ]


class TestProperties:
    @settings(max_examples=60, deadline=None)
    @given(
        lead_histories(),
        st.sampled_from([1, 3, 7]),
        st.integers(1, 3),
        st.sampled_from([0, 4, 30]),
    )
    def test_no_window_ever_holds_more_sends_than_the_limit(
        self, history: list[tuple[str, float, int, str]], per_days: int, count: int, gap: int
    ) -> None:
        """Events and advances across three flows never put more than ``count`` sends
        in a window of ``per_days`` days, nor two sends closer than the gap; every
        postponed send is made unless a goal, a suppression or leaving its status
        ends it."""
        flows = _flows(per_days, count, gap)
        states = [flow.enroll("L1", at=T0) for flow in flows]
        pressure = Pressure()
        made: list[bf.Action] = []
        for op, when, index, name in [*history, ("advance", 500.0, 0, "")]:
            before = states[:]
            if op == "advance":
                new, actions, pressure = advance_lead(
                    list(zip(flows, states, strict=True)), pressure, as_of=day(when)
                )
                states = list(new)
            else:
                event = bf.Event("L1", name, day(when))
                states[index], actions = flows[index].handle(
                    states[index], event, score=150, pressure=pressure
                )
                pressure = pressure.record(actions)
            made.extend(actions)
            keys = {a.idempotency_key for a in actions}
            for old, new_state in zip(before, states, strict=True):
                _check_postponed_ended_rightly(old, new_state, keys)
        times = sorted(a.at for a in sends(made))
        for i in range(len(times) - count):
            assert times[i + count] - times[i] >= timedelta(days=per_days)
        for a, b in itertools.pairwise(times):
            assert b - a >= timedelta(hours=gap)
        assert all(state.postponed == () for state in states)  # all made by day 500


def _check_postponed_ended_rightly(old: NurtureState, new: NurtureState, made: set[str]) -> None:
    """A postponed send that vanished was made, or the lead was suppressed or left the
    send's status (a goal ends in another status)."""
    still = {p.idempotency_key for p in new.postponed}
    for item in old.postponed:
        if item.idempotency_key in still or item.idempotency_key in made:
            continue
        since = old.processed_at or old.status_since
        left = new.status != item.status or any(
            h.source == item.status and h.at >= since for h in new.history
        )
        assert new.suppressed is not None or left, item


class TestFunnelPressure:
    def test_pressure_section_limits_every_flow_without_its_own(self) -> None:
        """[pressure] reaches [nurture] and named flows; a flow's own key wins; a pickled
        flow keeps the limit; bad values are reported with their path."""
        import pickle

        funnel = bf.Funnel(
            {
                "pressure": {"max_sends": {"per_days": 7, "count": 2}, "min_gap_hours": 12},
                "nurture": {"flows": {"x": {"min_gap_hours": 1}}},
            }
        )
        assert funnel.flow.max_sends == funnel.flows["x"].max_sends
        assert (funnel.flow.max_sends.per_days, funnel.flow.max_sends.count) == (7.0, 2)
        assert (funnel.flow.min_gap_hours, funnel.flows["x"].min_gap_hours) == (12.0, 1.0)
        assert pickle.loads(pickle.dumps(funnel.flow)).max_sends == funnel.flow.max_sends
        assert bf.Funnel(funnel.to_dict()) == funnel
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel({"pressure": {"max_sends": {"per_days": 0, "count": 0}, "min_gap_hours": -1}})
        assert {p.path for p in info.value.problems} == {
            "pressure.max_sends.per_days",
            "pressure.max_sends.count",
            "pressure.min_gap_hours",
        }


def test_replay_carries_its_own_sends_between_events() -> None:
    """Without pressure=, a replay still limits each send by the ones it made before."""
    flow = NurtureFlow.from_dict({"name": "b", "max_sends": {"per_days": 30, "count": 1}})
    events = [bf.Event("L1", "page_view", day(n)) for n in (1, 6, 13)]
    _, actions = flow.replay("L1", enrolled_at=T0, events=events, as_of=day(100))
    times = [a.at for a in sends(actions)]
    assert times == [day(0), day(30), day(60)]


def test_since_forgets_older_sends() -> None:
    """since(at) keeps the sends at or after at, and refuses a naive time."""
    pressure = Pressure.of([day(0), day(3), day(9)])
    assert pressure.since(day(3)).times == (day(3), day(9))
    with pytest.raises(bf.InvalidInputError):
        pressure.since(datetime(2026, 1, 1))
