"""Nurture experiments: planning leads per arm and comparing arms, checked by hand."""

from __future__ import annotations

import json
import math
import random
from bisect import bisect_right
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from scipy.stats import norm

import b2bfunnel as bf
from b2bfunnel.nurture import ArmComparison, NurtureFlow, NurtureState
from b2bfunnel.nurture._experiment import msprt

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)
AS_OF = T0 + timedelta(days=120)


def fleiss_by_hand(p1: float, lift: float, power: float, conf: float, arms: int) -> int:
    """Fleiss without continuity correction, with scipy's normal quantiles."""
    p2 = p1 * (1 + lift)
    alpha = (1 - conf) / (arms - 1)
    za, zb = norm.ppf(1 - alpha / 2), norm.ppf(power)
    pbar = (p1 + p2) / 2
    top = za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))
    return math.ceil(top**2 / (p2 - p1) ** 2)


class TestSampleSize:
    def test_the_issue_example(self) -> None:
        """(0.05, 0.2) -> 8,158 leads per arm."""
        assert bf.arm_sample_size(0.05, 0.2) == 8158

    @pytest.mark.parametrize(
        ("p1", "lift", "power", "conf", "arms"),
        [
            (0.05, 0.2, 0.8, 0.95, 2),
            (0.1, 0.5, 0.9, 0.99, 2),
            (0.3, -0.25, 0.8, 0.9, 2),
            (0.05, 0.2, 0.8, 0.95, 3),
            (0.02, 1.0, 0.85, 0.95, 5),
        ],
    )
    def test_matches_an_independent_computation(
        self, p1: float, lift: float, power: float, conf: float, arms: int
    ) -> None:
        """Equal to Fleiss's formula with scipy's quantiles, Bonferroni past two arms."""
        got = bf.arm_sample_size(p1, lift, power=power, confidence=conf, arms=arms)
        assert got == fleiss_by_hand(p1, lift, power, conf, arms)

    def test_more_arms_need_more_leads(self) -> None:
        """alpha / (arms - 1): three arms need more per arm than two."""
        assert bf.arm_sample_size(0.05, 0.2, arms=3) > bf.arm_sample_size(0.05, 0.2)

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"baseline_rate": 0.0, "min_detectable_lift": 0.2}, "baseline_rate"),
            ({"baseline_rate": 0.5, "min_detectable_lift": 1.0}, "min_detectable_lift"),
            ({"baseline_rate": 0.5, "min_detectable_lift": 0.0}, "min_detectable_lift"),
            ({"baseline_rate": 0.05, "min_detectable_lift": 0.2, "arms": 1}, "arms"),
            ({"baseline_rate": 0.05, "min_detectable_lift": 0.2, "power": 1.0}, "power"),
            ({"baseline_rate": float("nan"), "min_detectable_lift": 0.2}, "baseline_rate"),
        ],
    )
    def test_bad_input_names_the_argument(self, kwargs: dict[str, Any], path: str) -> None:
        """Out-of-range inputs raise InvalidInputError at their argument."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.arm_sample_size(**kwargs)
        assert info.value.path == path


def state(lead: str, arm: str, at: datetime = T0, split: str = "s") -> NurtureState:
    return NurtureState(lead, "nurturing", 1, at, at, arms={split: arm}, assigned_at={split: at})


def population(
    cells: dict[str, tuple[int, int]],
) -> tuple[list[NurtureState], list[dict[str, Any]]]:
    """States per arm (n leads, the first x of them converting 10 days after assignment)."""
    states, outcomes = [], []
    for arm, (n, x) in cells.items():
        for i in range(n):
            lead = f"{arm}-{i}"
            states.append(state(lead, arm))
            if i < x:
                outcomes.append({"lead_id": lead, "at": T0 + timedelta(days=10)})
    return states, outcomes


def wilson_by_hand(x: int, n: int, z: float) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


class TestCompareArms:
    def test_two_arms_by_hand(self) -> None:
        """Rates, Wilson, Newcombe hybrid score and the pooled z-test, by hand."""
        states, outcomes = population({"A": (400, 40), "B": (420, 63)})
        result = bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF)
        z = norm.ppf(0.975)
        a, b = result.arm("A"), result.arm("B")
        assert result.control == "A" and (a.n, a.conversions, b.n, b.conversions) == (
            400,
            40,
            420,
            63,
        )
        assert a.interval == pytest.approx(wilson_by_hand(40, 400, z))
        assert b.interval == pytest.approx(wilson_by_hand(63, 420, z))
        p1, p0 = 63 / 420, 40 / 400
        l1, u1 = wilson_by_hand(63, 420, z)
        l0, u0 = wilson_by_hand(40, 400, z)
        low = (p1 - p0) - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
        high = (p1 - p0) + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
        assert b.difference == pytest.approx(0.05)
        assert b.difference_interval == pytest.approx((low, high))
        pooled = 103 / 820
        zstat = 0.05 / math.sqrt(pooled * (1 - pooled) * (1 / 420 + 1 / 400))
        assert b.p_value == pytest.approx(2 * norm.sf(zstat))
        assert (result.winner is None) == (low <= 0)
        assert a.difference is None and a.p_value is None

    def test_a_clear_winner_and_the_control_winning(self) -> None:
        """B wins when its interval is above zero; the control when all are below."""
        states, outcomes = population({"A": (300, 30), "B": (300, 75)})
        assert (
            bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF).winner == "B"
        )
        states, outcomes = population({"A": (300, 75), "B": (300, 30)})
        assert (
            bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF).winner == "A"
        )

    def test_no_winner_under_min_n_or_without_variance(self) -> None:
        """Too few leads, or no conversions at all: no winner, and the reason says why."""
        states, outcomes = population({"A": (90, 5), "B": (300, 100)})
        result = bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF)
        assert result.winner is None and "under 100 leads: A" in result.reasons[0]
        states, _ = population({"A": (200, 0), "B": (200, 0)})
        result = bf.compare_arms(states, [], split="s", horizon_days=30, as_of=AS_OF)
        assert result.winner is None and "no variance" in result.reasons[0]
        assert result.arm("B").p_value is None

    def test_horizon_pending_and_converted_before(self) -> None:
        """An outcome on the horizon's last instant counts, one after it does not; leads
        whose horizon is not over, and leads that converted before, are left out."""
        states = [
            state("on", "A"),
            state("after", "A"),
            state("late", "B", at=AS_OF - timedelta(days=5)),
            state("before", "B"),
            state("never", "B"),
            state("elsewhere", "A", split="other"),
        ]
        outcomes = [
            {"lead_id": "on", "at": T0 + timedelta(days=30)},
            {"lead_id": "after", "at": (T0 + timedelta(days=30, seconds=1)).isoformat()},
            {"lead_id": "late", "at": AS_OF},
            {"lead_id": "before", "at": T0 - timedelta(days=1)},
        ]
        result = bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF, min_n=1)
        assert (result.arm("A").n, result.arm("A").conversions) == (2, 1)
        assert (result.arm("B").n, result.arm("B").conversions) == (1, 0)
        assert (result.pending, result.converted_before, result.unassigned) == (1, 1, 1)

    def test_the_holdout_is_the_default_control(self) -> None:
        """With the flow, arms come in its order and its holdout is the control."""
        flow = NurtureFlow.from_dict(
            {
                "splits": [
                    {
                        "name": "s",
                        "status": "nurturing",
                        "arms": {"A": {"weight": 1}, "hold": {"weight": 1, "holdout": True}},
                    }
                ]
            }
        )
        states, outcomes = population({"hold": (150, 10), "A": (150, 20)})
        result = bf.compare_arms(
            states, outcomes, split="s", horizon_days=30, as_of=AS_OF, flow=flow
        )
        assert result.control == "hold" and [a.name for a in result.arms] == ["A", "hold"]
        assert result.arm("hold").holdout
        other = bf.compare_arms(
            states, outcomes, split="s", horizon_days=30, as_of=AS_OF, control="A"
        )
        assert other.control == "A"
        with pytest.raises(bf.InvalidInputError) as info:
            bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF, control="Z")
        assert info.value.path == "control"

    def test_states_dicts_and_simulate_output_are_read(self) -> None:
        """to_dict data and (state, actions) pairs give the same comparison."""
        states, outcomes = population({"A": (120, 12), "B": (120, 24)})
        as_states = bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF)
        as_dicts = bf.compare_arms(
            [json.loads(json.dumps(s.to_dict())) for s in states],
            outcomes,
            split="s",
            horizon_days=30,
            as_of=AS_OF,
        )
        as_pairs = bf.compare_arms(
            {s.lead_id: (s, ()) for s in states}, outcomes, split="s", horizon_days=30, as_of=AS_OF
        )
        assert as_states == as_dicts == as_pairs

    def test_sequential_is_wider_and_json_ready(self) -> None:
        """The always-valid interval is wider than the one-look interval; to_dict is JSON."""
        states, outcomes = population({"A": (400, 40), "B": (420, 63)})
        one = bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF)
        seq = bf.compare_arms(
            states, outcomes, split="s", horizon_days=30, as_of=AS_OF, sequential=True
        )
        lo1, hi1 = one.arm("B").difference_interval or (0, 0)
        lo2, hi2 = seq.arm("B").difference_interval or (0, 0)
        assert lo2 < lo1 and hi2 > hi1
        assert seq.method == "msprt" and seq.tau == pytest.approx(0.2 * 0.1)
        assert json.loads(json.dumps(seq.to_dict()))["arms"][1]["name"] == "B"

    def test_display_and_plot(self) -> None:
        """The HTML view lists every arm; plot draws one bar per arm."""
        pytest.importorskip("matplotlib")
        import matplotlib

        matplotlib.use("Agg")
        states, outcomes = population({"A": (120, 12), "B": (120, 24)})
        result = bf.compare_arms(states, outcomes, split="s", horizon_days=30, as_of=AS_OF)
        assert isinstance(result, ArmComparison)
        html = result._repr_html_()
        assert "ArmComparison of s" in html and ">B<" in html
        axes = result.plot()
        assert len(axes.patches) == 2


def binomial_sampler(n: int, p: float) -> list[float]:
    """The CDF of Binomial(n, p), for inverse-CDF draws."""
    cdf, total = [], 0.0
    for k in range(n + 1):
        total += math.comb(n, k) * p**k * (1 - p) ** (n - k)
        cdf.append(total)
    return cdf


class TestSequential:
    def test_a_a_experiments_rarely_declare_a_winner(self) -> None:
        """2,000 A/A experiments x 60 daily looks at alpha 0.05: with the mixture SPRT at
        most 6.5% ever show a winner, while a one-look test checked daily shows many."""
        rng = random.Random(20261206)
        per_day, p, tau, alpha = 100, 0.05, 0.01, 0.05
        cdf = binomial_sampler(per_day, p)
        z = norm.ppf(1 - alpha / 2)
        sequential_false = naive_false = 0
        for _ in range(2_000):
            x1 = x0 = n = 0
            seq_hit = naive_hit = False
            for _day in range(60):
                x1 += bisect_right(cdf, rng.random())
                x0 += bisect_right(cdf, rng.random())
                n += per_day
                found = msprt(x1, n, x0, n, tau, alpha)
                if found is not None and (found[1][0] > 0 or found[1][1] < 0):
                    seq_hit = True
                pooled = (x1 + x0) / (2 * n)
                se = math.sqrt(pooled * (1 - pooled) * 2 / n)
                if se > 0 and abs(x1 / n - x0 / n) / se > z:
                    naive_hit = True
                if seq_hit and naive_hit:
                    break
            sequential_false += seq_hit
            naive_false += naive_hit
        assert sequential_false / 2_000 <= 0.065
        assert naive_false / 2_000 > 0.15  # why not to stop at the first significant day
