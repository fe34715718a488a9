"""Nurture splits: named flows, arms and holdouts, and how leads are assigned to arms."""

from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import b2bfunnel as bf
from b2bfunnel.nurture import NurtureFlow, NurtureState

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)  # a Monday
TEMPLATES = [
    "welcome_1",
    "welcome_1b",
    "welcome_2",
    "welcome_3",
    "demo_booking",
    "demo_booking_b",
    "reactivation_1",
    "reactivation_2",
    "quarterly_update",
]
ARMS = {
    "A": {"weight": 45},
    "B": {"weight": 45, "templates": {"welcome_1": "welcome_1b"}},
    "control": {"weight": 10, "holdout": True},
}


def flow_with(arms: dict[str, Any] = ARMS, status: str = "nurturing", **extra: Any) -> NurtureFlow:
    return NurtureFlow.from_dict(
        {
            "templates": TEMPLATES,
            "splits": [{"name": "welcome_test", "status": status, "arms": arms}],
            **extra,
        }
    )


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def by_hand(flow: str, split: str, lead_id: str, weights: list[float]) -> int:
    """The arm index the issue's rule gives, computed with floats (ids near a boundary
    are not used with it)."""
    digest = hashlib.sha256(f"{flow}\x1f{split}\x1f{lead_id}".encode()).digest()
    u = int.from_bytes(digest[:8], "big") / 2**64
    total = sum(weights)
    cumulative = 0.0
    for index, weight in enumerate(weights):
        cumulative += weight / total
        if cumulative > u:
            return index
    return len(weights) - 1


class TestAssignment:
    def test_arm_follows_the_sha256_rule(self) -> None:
        """flow.arm is the SHA-256 rule of the issue, computed independently."""
        flow = flow_with(name="onboarding")
        names = list(ARMS)
        for i in range(2_000):
            lead = f"lead-{i}@example.com"
            expected = names[by_hand("onboarding", "welcome_test", lead, [45, 45, 10])]
            assert flow.arm(lead, "welcome_test") == expected

    def test_shares_over_100000_leads_are_within_binomial_bounds(self) -> None:
        """Over 100,000 lead ids, each arm's share is within the 99.9% binomial bounds."""
        flow = flow_with()
        n = 100_000
        counts = dict.fromkeys(ARMS, 0)
        for i in range(n):
            counts[flow.arm(f"L{i:06d}", "welcome_test")] += 1
        z = 3.2905  # two-sided 99.9%
        for name, weight in (("A", 0.45), ("B", 0.45), ("control", 0.10)):
            margin = z * math.sqrt(n * weight * (1 - weight))
            assert abs(counts[name] - n * weight) <= margin, (name, counts)

    def test_the_flow_name_changes_the_assignment(self) -> None:
        """Two flows with the same split assign independently: their names differ."""
        one, two = flow_with(name="one"), flow_with(name="two")
        leads = [f"L{i}" for i in range(400)]
        same = sum(one.arm(lead, "welcome_test") == two.arm(lead, "welcome_test") for lead in leads)
        # Independent 45/45/10 arms agree with probability 0.415.
        assert 0.3 * len(leads) < same < 0.53 * len(leads)

    def test_the_same_arm_in_another_process(self) -> None:
        """A fresh interpreter (another hash seed) assigns every lead the same arm."""
        leads = [f"L{i}" for i in range(300)]
        code = (
            "import json, sys, b2bfunnel as bf\n"
            "flow = bf.NurtureFlow.from_dict(json.loads(sys.argv[1]))\n"
            "print(json.dumps([flow.arm(l, 'welcome_test') for l in json.loads(sys.argv[2])]))\n"
        )
        flow = flow_with()
        env = dict(os.environ, PYTHONHASHSEED="12345")
        src = str(Path(bf.__file__).resolve().parents[1])
        env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(flow.to_dict()), json.dumps(leads)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        assert json.loads(out) == [flow.arm(lead, "welcome_test") for lead in leads]

    def test_the_stored_arm_wins_after_reweighting_and_reenrolment(self) -> None:
        """A lead keeps its arm when the weights change and when it enrols again."""
        flow = flow_with(reenroll=True)
        leads = [f"L{i}" for i in range(200)]
        states = {lead: flow.enroll(lead, at=T0) for lead in leads}
        reweighted = flow_with(
            {"A": {"weight": 1}, "B": {"weight": 98}, "control": {"weight": 1, "holdout": True}},
            reenroll=True,
        )
        moved = 0
        for lead, state in states.items():
            ended, _ = flow.handle(state, bf.Event(lead, "unsubscribe", day(1)))
            again = reweighted.enroll(lead, at=day(2), previous=ended)
            assert again.arms == state.arms == {"welcome_test": flow.arm(lead, "welcome_test")}
            assert again.assigned_at == {"welcome_test": T0}
            moved += reweighted.arm(lead, "welcome_test") != state.arms["welcome_test"]
        assert moved > 50  # the new weights would have moved many leads

    def test_the_same_arm_after_replay_and_persistence(self) -> None:
        """Replay, to_dict/from_dict (through JSON) and the Dask-style JSON path keep it."""
        flow = flow_with()
        for i in range(50):
            lead = f"L{i}"
            events = [bf.Event(lead, "page_view", day(1)), bf.Event(lead, "email_reply", day(3))]
            state, _ = flow.replay(lead, enrolled_at=T0, events=events, as_of=day(30))
            saved = json.loads(json.dumps(state.to_dict()))
            restored = NurtureState.from_dict(saved)
            assert restored == state and dict(restored.arms) == {
                "welcome_test": flow.arm(lead, "welcome_test")
            }
            later, _ = flow.advance(restored, as_of=day(200))
            assert later.arms == state.arms

    def test_a_split_later_in_the_flow_assigns_on_entry(self) -> None:
        """A split on sales_ready assigns when the lead gets there, and changes the
        transition's demo e-mail; assign_owner is never withheld."""
        arms = {
            "A": {"weight": 1},
            "B": {"weight": 1, "templates": {"demo_booking": "demo_booking_b"}},
            "hold": {"weight": 1, "holdout": True},
        }
        flow = flow_with(arms, status="sales_ready")
        seen = set()
        for i in range(60):
            lead = f"L{i}"
            state, _ = flow.advance(flow.enroll(lead, at=T0), as_of=T0)
            assert state.arms == {}
            state, actions = flow.handle(
                state, bf.Event(lead, "pricing_page_visit", day(2)), score=150
            )
            arm = state.arms["welcome_test"]
            assert arm == flow.arm(lead, "welcome_test") and state.assigned_at[
                "welcome_test"
            ] == day(2)
            kinds = [(a.kind, a.template) for a in actions if a.at == day(2)]
            expected = {
                "A": [("assign_owner", None), ("send_email", "demo_booking")],
                "B": [("assign_owner", None), ("send_email", "demo_booking_b")],
                "hold": [("assign_owner", None)],
            }[arm]
            assert kinds == expected
            seen.add(arm)
        assert seen == {"A", "B", "hold"}


class TestArmsChangeActions:
    def test_holdout_gets_no_sends_and_b_its_own_template(self) -> None:
        """Arm B gets welcome_1b for welcome_1; the holdout gets no e-mail at all."""
        flow = flow_with()
        seen = set()
        for i in range(80):
            lead = f"L{i}"
            state, actions = flow.advance(flow.enroll(lead, at=T0), as_of=day(14))
            arm = state.arms["welcome_test"]
            seen.add(arm)
            templates = [a.template for a in actions]
            if arm == "control":
                assert actions == ()
            elif arm == "B":
                assert templates == ["welcome_1b", "welcome_2", "welcome_3"]
                assert "send_email:welcome_1b/" in actions[0].idempotency_key
            else:
                assert templates == ["welcome_1", "welcome_2", "welcome_3"]
        assert seen == set(ARMS)

    def test_named_flows_prefix_their_keys_and_default_keeps_them(self) -> None:
        """A named flow's keys start with '<name>:'; the default flow's are unchanged."""
        plain = NurtureFlow.default()
        named = NurtureFlow.from_dict({"name": "onboarding"})
        _, a = plain.advance(plain.enroll("L1", at=T0), as_of=day(1))
        _, b = named.advance(named.enroll("L1", at=T0), as_of=day(1))
        assert a[0].idempotency_key.startswith("L1/1/v1/nurturing/step1/")
        assert b[0].idempotency_key == "onboarding:" + a[0].idempotency_key
        assert plain.name == "default" and named.name == "onboarding"

    def test_simulate_assigns_as_the_flow_does(self) -> None:
        """Funnel.simulate replays with the same assignment."""
        funnel = bf.Funnel({"nurture": flow_with().to_dict()})
        profiles = [{"id": f"L{i}"} for i in range(30)]
        events = [bf.Event(f"L{i}", "page_view", day(1)) for i in range(30)]
        out = funnel.simulate(profiles, events, until=day(20))
        for lead, (state, _) in out.items():
            assert state.arms["welcome_test"] == funnel.flow.arm(lead, "welcome_test")


class TestDefinition:
    def test_every_problem_of_a_split_is_reported_at_once(self) -> None:
        """Weights, one holdout, templates, status and unique names, in one error."""
        with pytest.raises(bf.ConfigError) as info:
            NurtureFlow.from_dict(
                {
                    "templates": TEMPLATES,
                    "splits": [
                        {
                            "name": "s",
                            "status": "nurturing",
                            "arms": {
                                "A": {"weight": 0},
                                "B": {"weight": 1, "templates": {"welcome_1": "nope"}},
                                "h1": {"weight": 1, "holdout": True},
                                "h2": {"weight": 1, "holdout": True},
                            },
                        },
                        {"name": "s", "status": "nowhere", "arms": {"A": {"weight": 1}}},
                    ],
                }
            )
        paths = {problem.path for problem in info.value.problems}
        assert {
            "nurture.splits[0].arms.A.weight",
            "nurture.splits[0].arms.B.templates.welcome_1",
            "nurture.splits[0].arms",
            "nurture.splits[1].status",
            "nurture.splits[1].arms",
        } <= paths

    def test_duplicate_split_names_are_refused(self) -> None:
        """Two splits with one name are refused."""
        split = {
            "name": "s",
            "status": "nurturing",
            "arms": {"A": {"weight": 1}, "B": {"weight": 1}},
        }
        with pytest.raises(bf.ConfigError) as info:
            NurtureFlow.from_dict({"splits": [split, split]})
        assert info.value.path == "nurture.splits[1].name"

    def test_unknown_split_is_an_error(self) -> None:
        """flow.arm names the splits it knows."""
        with pytest.raises(bf.InvalidInputError) as info:
            flow_with().arm("L1", "nope")
        assert info.value.path == "split" and "welcome_test" in str(info.value)

    def test_round_trip_and_diagrams_show_arms(self) -> None:
        """from_dict(to_dict()) keeps the splits; both diagrams show each arm's share."""
        flow = flow_with(name="onboarding")
        again = NurtureFlow.from_dict(flow.to_dict())
        assert again == flow and again.splits == flow.splits and again.name == "onboarding"
        mermaid, dot = flow.to_mermaid(), flow.to_dot()
        for text in (mermaid, dot):
            assert "split welcome_test: A 45%, B 45% (welcome_1b for welcome_1)" in text
            assert "control 10% (holdout)" in text
        assert "note right of nurturing:" in mermaid

    def test_old_states_upgrade_without_arms(self) -> None:
        """A format 2 state reads with no arms, and gets its arm on entering a split."""
        flow = flow_with(status="sales_ready")
        data = NurtureFlow.default().enroll("L1", at=T0).to_dict()
        data = {k: v for k, v in data.items() if k not in ("arms", "assigned_at", "postponed")} | {
            "v": 2
        }
        state = NurtureState.from_dict(data)
        assert state.arms == {} and state.to_dict()["v"] == 3
        state, _ = flow.handle(state, bf.Event("L1", "pricing_page_visit", day(1)), score=150)
        assert state.arms == {"welcome_test": flow.arm("L1", "welcome_test")}

    def test_altered_arms_are_refused(self) -> None:
        """Arms without their assignment time are refused, with the path."""
        data = flow_with().enroll("L1", at=T0).to_dict()
        data["assigned_at"] = {}
        with pytest.raises(bf.InvalidInputError) as info:
            NurtureState.from_dict(data)
        assert info.value.path == "state.assigned_at"


class TestFunnelFlows:
    def test_named_flows_read_from_nurture_flows(self) -> None:
        """[nurture.flows.NAME] builds named flows beside the default; to_dict round-trips."""
        funnel = bf.Funnel(
            {
                "scoring": {"hot_threshold": 80},
                "nurture": {"flows": {"onboarding": {"templates": TEMPLATES, "splits": []}}},
            }
        )
        assert funnel.flow.name == "default"
        assert list(funnel.flows) == ["onboarding"]
        assert funnel.flows["onboarding"].name == "onboarding"
        assert funnel.flows["onboarding"].hot_threshold == 80
        assert bf.Funnel(funnel.to_dict()) == funnel

    def test_a_named_flow_must_not_rename_itself(self) -> None:
        """A name key that disagrees with the table's name, and 'default', are refused."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel({"nurture": {"flows": {"a": {"name": "b"}, "default": {}}}})
        paths = {problem.path for problem in info.value.problems}
        assert paths == {"nurture.flows.a.name", "nurture.flows.default"}
