"""Velocity, funnel/SLA metrics and attribution: hand-worked values and invariants."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.velocity import MODELS

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def deal(
    created: float, outcome: str, amount: Any = 1000, closed: float | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {"created_at": day(created), "outcome": outcome, "amount": amount}
    if closed is not None:
        out["closed_at"] = day(closed)
    out.update(extra)
    return out


class TestPipelineVelocity:
    def test_formula(self) -> None:
        """40 x 25,000 x 0.25 / 50 days = 5,000 per day, as Decimal."""
        v = bf.pipeline_velocity(
            opportunities=40, avg_deal_value=25_000, win_rate=0.25, cycle_days=50
        )
        assert v == Decimal(5000) and isinstance(v, Decimal)

    @pytest.mark.parametrize(
        ("kwargs", "path"),
        [
            ({"opportunities": -1}, "opportunities"),
            ({"win_rate": 1.2}, "win_rate"),
            ({"win_rate": -0.1}, "win_rate"),
            ({"cycle_days": 0}, "cycle_days"),
            ({"avg_deal_value": float("inf")}, "avg_deal_value"),
            ({"avg_deal_value": -5}, "avg_deal_value"),
            ({"cycle_days": float("nan")}, "cycle_days"),
            ({"opportunities": True}, "opportunities"),
        ],
    )
    def test_bad_inputs(self, kwargs: dict[str, Any], path: str) -> None:
        """Negative, out-of-range and non-finite inputs raise, located."""
        args = {"opportunities": 10, "avg_deal_value": 1000, "win_rate": 0.5, "cycle_days": 30}
        with pytest.raises(bf.InvalidInputError) as info:
            bf.pipeline_velocity(**{**args, **kwargs})
        assert info.value.path == path

    @given(
        st.integers(0, 10_000),
        st.integers(1, 50),
        st.decimals(0, 10**6, places=2),
        st.decimals(0, 1, places=3),
        st.integers(1, 400),
    )
    def test_linear_in_opportunities(
        self, opps: int, k: int, value: Decimal, rate: Decimal, days: int
    ) -> None:
        """k times the opportunities give k times the velocity."""

        def v(o: int) -> Decimal:
            return bf.pipeline_velocity(
                opportunities=o, avg_deal_value=value, win_rate=rate, cycle_days=days
            )

        assert abs(v(k * opps) - k * v(opps)) <= Decimal("1e-18") * (1 + abs(v(k * opps)))


class TestVelocityFromDeals:
    DEALS: ClassVar[list[dict[str, Any]]] = [
        deal(0, "won", 1000, 10),
        deal(0, "won", 3000, 20),
        deal(1, "lost", 500, 4),
        deal(2, "open", 2000),
        deal(3, "won", 9000, 40),
        deal(30, "open"),
    ]

    def test_hand_worked(self) -> None:
        """At day 22: open = 2 (one open, one won later); won 2 (1000, 3000, 10 and 20
        days); lost 1: value 2000, win rate 2/3, cycle 15 days, velocity 177.78."""
        r = bf.velocity_from_deals(self.DEALS, as_of=day(22))
        assert (r.opportunities, r.won, r.lost) == (2, 2, 1)
        assert r.avg_deal_value == 2000 and r.cycle_days == 15
        assert r.win_rate == Decimal(2) / 3
        assert r.velocity == pytest.approx(Decimal(2) * 2000 * (Decimal(2) / 3) / 15)

    def test_window(self) -> None:
        """A 5-day window at day 22 (from day 17) keeps only the deal closed on day 20."""
        r = bf.velocity_from_deals(self.DEALS, as_of=day(22), window=5)
        assert (r.won, r.lost, r.avg_deal_value, r.cycle_days) == (1, 0, 3000, 20)

    def test_undefined_figures_say_so(self) -> None:
        """No closed deal: the figures and the velocity are None, with notes."""
        r = bf.velocity_from_deals([deal(0, "open")], as_of=day(5))
        assert r.velocity is None and r.win_rate is None and r.avg_deal_value is None
        assert any("win rate is undefined" in n for n in r.notes)

    @pytest.mark.parametrize(
        ("bad", "path"),
        [
            ({"amount": -1}, "deals[0].amount"),
            ({"outcome": "pending"}, "deals[0].outcome"),
            ({"closed_at": None}, "deals[0].closed_at"),
            ({"closed_at": day(-1)}, "deals[0].closed_at"),
            ({"created_at": datetime(2026, 1, 1)}, "deals[0].created_at"),
        ],
    )
    def test_bad_deals(self, bad: dict[str, Any], path: str) -> None:
        """Negative amounts, unknown outcomes, missing or early closes, naive times."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.velocity_from_deals([{**deal(0, "won", 10, 5), **bad}], as_of=day(10))
        assert info.value.path == path

    @given(st.permutations(DEALS))
    def test_order_does_not_matter(self, deals: list[dict[str, Any]]) -> None:
        """Shuffling the deals gives the same report."""
        assert bf.velocity_from_deals(deals, as_of=day(22)) == bf.velocity_from_deals(
            self.DEALS, as_of=day(22)
        )


COHORTS = [
    deal(0, "open", influenced=False),
    deal(0, "open", influenced=False),
    deal(0, "won", 1000, 10, influenced=False),
    deal(0, "lost", 1000, 3, influenced=False),
    deal(0, "open", influenced=True),
    deal(0, "open", influenced=True),
    deal(0, "won", 1000, 5, influenced=True),
]


class TestCompare:
    def test_hand_worked_lift(self) -> None:
        """Baseline 2 x 1000 x 0.5 / 10 = 100; influenced 2 x 1000 x 1 / 5 = 400: ratio 4,
        cycle -50%, the log change split between win rate and cycle."""
        c = bf.compare_velocity(COHORTS, by="influenced", as_of=day(20), samples=200)
        assert set(c) == {False, True} and c.baseline is False
        assert c[False].velocity == 100 and c[True].velocity == 400
        lift = c.lifts[True]
        assert lift.velocity_ratio == pytest.approx(4)
        assert lift.relative_velocity == pytest.approx(3)
        assert lift.relative_cycle == pytest.approx(-0.5)
        assert lift.levers == pytest.approx(
            {
                "opportunities": 0,
                "deal_value": 0,
                "win_rate": math.log(2),
                "cycle_days": math.log(2),
            }
        )
        assert lift.log_change == pytest.approx(math.log(4))

    def test_bootstrap_is_seeded(self) -> None:
        """The same seed gives the same interval; it brackets the observed ratio."""
        many = [
            deal(
                i % 7,
                o,
                1000 + 10 * i,
                (i % 7) + 3 + i % 5 if o != "open" else None,
                influenced=i % 3 == 0,
            )
            for i, o in enumerate(["open", "won", "lost", "won"] * 30)
        ]
        a = bf.compare_velocity(many, by="influenced", as_of=day(30), seed=7, samples=300)
        b = bf.compare_velocity(many, by="influenced", as_of=day(30), seed=7, samples=300)
        assert a.lifts[True].interval == b.lifts[True].interval
        low, high = a.lifts[True].interval or (0, 0)
        assert low <= (a.lifts[True].velocity_ratio or 0) <= high

    @settings(max_examples=20, deadline=None)
    @given(st.permutations(COHORTS))
    def test_comparison_ignores_input_order(self, deals: list[dict[str, Any]]) -> None:
        """Shuffled deals give the same reports, lifts and bootstrap interval."""

        def compare(ds: list[dict[str, Any]]) -> bf.VelocityComparison:
            return bf.compare_velocity(ds, by="influenced", as_of=day(20), samples=50, seed=3)

        a, b = compare(deals), compare(COHORTS)
        assert a.reports == b.reports and a.lifts == b.lifts

    def test_missing_key_and_baseline(self) -> None:
        """Deals without the key, and an unknown baseline, are refused."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.compare_velocity([deal(0, "open")], by="influenced", as_of=day(1))
        assert info.value.path == "deals[0].influenced"
        with pytest.raises(bf.InvalidInputError):
            bf.compare_velocity(COHORTS, by="influenced", as_of=day(20), baseline="x")

    @settings(max_examples=40, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["won", "lost", "open"]),
                st.integers(1, 9),
                st.integers(100, 5000),
                st.booleans(),
            ),
            min_size=4,
            max_size=30,
        )
    )
    def test_levers_add_up_to_the_log_change(self, rows: list[tuple[str, int, int, bool]]) -> None:
        """The four levers add up to log(velocity ratio) whenever both are defined."""
        deals = [deal(0, o, a, c if o != "open" else None, influenced=i) for o, c, a, i in rows]
        comparison = bf.compare_velocity(deals, by="influenced", as_of=day(10), samples=0)
        for key, lift in comparison.lifts.items():
            if lift.levers:
                ratio = comparison[key].velocity / comparison[comparison.baseline].velocity
                assert sum(lift.levers.values()) == pytest.approx(math.log(ratio))


class TestFunnelMetrics:
    def test_rates_times_sla_and_reasons(self) -> None:
        """Four leads, two MQLs, one SQL contacted in 30 h (breach), one rejection."""
        records = [
            {
                "lead_at": day(0),
                "mql_at": day(1),
                "sql_at": day(3),
                "first_contact_at": day(3) + timedelta(hours=30),
                "opportunity_at": day(5),
            },
            {"lead_at": day(0), "mql_at": day(4)},
            {"lead_at": day(1), "rejected_at": day(2), "rejection_reason": "no budget"},
            {"lead_at": day(2), "rejected_at": day(3), "rejection_reason": "no budget"},
        ]
        m = bf.funnel_metrics(records)
        lead, mql, sql = m.stages[:3]
        assert (sql.reached, sql.converted) == (1, 1)
        assert (lead.reached, lead.converted, lead.rate) == (4, 2, 0.5)
        assert (lead.median_days, lead.p90_days) == (2.5, 4.0)
        assert (mql.converted, mql.median_days) == (1, 2.0)
        assert (m.sqls, m.contacted_in_sla, m.sla_share) == (1, 0, 0.0)
        assert bf.funnel_metrics(records, sla=timedelta(hours=36)).sla_share == 1.0
        assert dict(m.rejection_reasons) == {"no budget": 2}

    def test_p90_nearest_rank(self) -> None:
        """The 90th percentile of 1..10 is 9, of 1..11 is 10."""
        from b2bfunnel.velocity._lifecycle import p90

        assert p90([float(x) for x in range(1, 11)]) == 9
        assert p90([float(x) for x in range(1, 12)]) == 10

    def test_never_contacted_breaches(self) -> None:
        """An SQL nobody contacted breaches the SLA."""
        m = bf.funnel_metrics([{"sql_at": day(0)}])
        assert (m.never_contacted, m.sla_share) == (1, 0.0)

    def test_stage_order_and_naive_times(self) -> None:
        """An SQL before its MQL, or a naive time, is refused."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.funnel_metrics([{"mql_at": day(3), "sql_at": day(1)}])
        assert info.value.path == "records[0].sql_at"
        with pytest.raises(bf.InvalidInputError):
            bf.funnel_metrics([{"lead_at": datetime(2026, 1, 1)}])


JOURNEY = [
    {"lead_id": "L1", "at": day(1), "channel": "kol"},
    {"lead_id": "L1", "at": day(5), "channel": "email"},
    {"lead_id": "L1", "at": day(9), "channel": "search"},
]
WON = [
    {
        "lead_id": "L1",
        "amount": "1000.00",
        "outcome": "won",
        "created_at": day(6),
        "closed_at": day(20),
        "lead_created_at": day(1),
    }
]


class TestAttribution:
    @pytest.mark.parametrize(
        ("model", "expected"),
        [
            ("first_touch", {"kol": "1000.00"}),
            ("last_touch", {"search": "1000.00"}),
            ("linear", {"kol": "333.34", "email": "333.33", "search": "333.33"}),
            ("position_based", {"kol": "400.00", "email": "200.00", "search": "400.00"}),
            # first touch and lead creation are both the KOL touch, opportunity creation the
            # e-mail (the last touch on or before day 6): 30+30 / 30 / 10
            ("w_shaped", {"kol": "600.00", "email": "300.00", "search": "100.00"}),
        ],
    )
    def test_heuristic_models(self, model: str, expected: dict[str, str]) -> None:
        """Each rule-based model on a three-touch journey."""
        totals = bf.attribute(JOURNEY, WON, models=[model]).totals[model]
        assert {k: v for k, v in totals.items() if v} == {
            k: Decimal(v) for k, v in expected.items()
        }

    def test_time_decay(self) -> None:
        """Half-life 7 days: weights 2^(-19/7), 2^(-15/7), 2^(-11/7) for ages 19, 15, 11."""
        totals = bf.attribute(JOURNEY, WON, models=["time_decay"]).totals["time_decay"]
        weights = {"kol": 2 ** (-19 / 7), "email": 2 ** (-15 / 7), "search": 2 ** (-11 / 7)}
        for key, weight in weights.items():
            assert float(totals[key]) == pytest.approx(
                1000 * weight / sum(weights.values()), abs=0.01
            )
        assert sum(totals.values()) == Decimal("1000.00")

    def test_markov_removal_effect(self) -> None:
        """A->B->won, B->won, A->lost: P(conversion) = 2/3; without A 1/3 (effect 0.5),
        without B 0 (effect 1); the 900 deal splits 300/600, the 300 deal all to B."""
        touches = [
            {"lead_id": "x", "at": day(1), "channel": "A"},
            {"lead_id": "x", "at": day(2), "channel": "B"},
            {"lead_id": "y", "at": day(1), "channel": "B"},
            {"lead_id": "z", "at": day(1), "channel": "A"},
        ]
        deals = [
            {
                "lead_id": "x",
                "amount": 900,
                "outcome": "won",
                "created_at": day(0),
                "closed_at": day(5),
            },
            {
                "lead_id": "y",
                "amount": 300,
                "outcome": "won",
                "created_at": day(0),
                "closed_at": day(5),
            },
            {
                "lead_id": "z",
                "amount": 100,
                "outcome": "lost",
                "created_at": day(0),
                "closed_at": day(5),
            },
        ]
        totals = bf.attribute(touches, deals, models=["markov"]).totals["markov"]
        assert totals == {"A": Decimal("300.00"), "B": Decimal("900.00")}

    def test_lookback_and_unattributed(self) -> None:
        """Touches older than the lookback are ignored; a deal left with none is unattributed."""
        report = bf.attribute(JOURNEY, WON, models=["linear"], lookback_days=14)
        assert report.totals["linear"] == {"search": Decimal("1000.00")}
        empty = bf.attribute(JOURNEY, WON, models=["linear"], lookback_days=5)
        assert empty.unattributed == Decimal("1000.00") and empty.totals["linear"] == {}

    def test_by_campaign_or_kol(self) -> None:
        """Credit can be totalled by campaign or KOL; touches without one go to '(none)'."""
        touches = [{**JOURNEY[0], "kol": "@secarch"}, JOURNEY[1], JOURNEY[2]]
        totals = bf.attribute(touches, WON, models=["linear"], by="kol").totals["linear"]
        assert totals == {"(none)": Decimal("666.66"), "@secarch": Decimal("333.34")}

    @pytest.mark.parametrize(
        ("touches", "deals", "path"),
        [
            ([{**JOURNEY[0], "at": day(30)}], WON, "touches[0].at"),
            ([{**JOURNEY[0], "at": datetime(2026, 1, 2)}], WON, "touches[0].at"),
            ([{**JOURNEY[0], "channel": ""}], WON, "touches[0].channel"),
            (JOURNEY, [{**WON[0], "amount": -1}], "deals[0].amount"),
            (JOURNEY, [{**WON[0], "outcome": "maybe"}], "deals[0].outcome"),
        ],
    )
    def test_bad_input(self, touches: list[Any], deals: list[Any], path: str) -> None:
        """Touches after the close, naive times, negative amounts, unknown outcomes."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(touches, deals)
        assert info.value.path == path

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(0, 3), st.integers(0, 30), st.sampled_from("ABCD")),
            min_size=1,
            max_size=25,
        ),
        st.lists(
            st.tuples(
                st.integers(0, 3),
                st.decimals(0, 10**5, places=2),
                st.sampled_from(["won", "won", "lost"]),
            ),
            min_size=1,
            max_size=4,
            unique_by=lambda d: d[0],
        ),
        st.randoms(use_true_random=False),
    )
    def test_credit_adds_up_exactly_and_ignores_order(
        self,
        rows: list[tuple[int, int, str]],
        deal_rows: list[tuple[int, Decimal, str]],
        rnd: Any,
    ) -> None:
        """For every model each deal's value is credited exactly; input order is irrelevant."""
        touches = [{"lead_id": f"L{lead}", "at": day(d), "channel": c} for lead, d, c in rows]
        deals = [
            {
                "lead_id": f"L{lead}",
                "amount": amount,
                "outcome": outcome,
                "created_at": day(0),
                "closed_at": day(31),
                "lead_created_at": day(2),
            }
            for lead, amount, outcome in deal_rows
        ]
        report = bf.attribute(touches, deals)
        credited = sum(
            (
                d["amount"]
                for d in deals
                if d["outcome"] == "won" and any(t["lead_id"] == d["lead_id"] for t in touches)
            ),
            Decimal(0),
        )
        for model in MODELS:
            assert sum(report.totals[model].values(), Decimal(0)) == credited
        rnd.shuffle(touches)
        rnd.shuffle(deals)
        assert bf.attribute(touches, deals).totals == report.totals

    def test_allocate(self) -> None:
        """Largest remainders, ties to the earlier position; the sum is exact."""
        from b2bfunnel.velocity import allocate

        assert allocate(100, [1, 1, 1]) == [34, 33, 33]
        assert allocate(10, [0.5, 0.25, 0.25]) == [5, 3, 2]
        assert sum(allocate(99_999, [0.1, 0.7, 0.2])) == 99_999
