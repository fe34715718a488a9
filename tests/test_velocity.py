"""Velocity and funnel/SLA metrics: hand-worked values and invariants."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf

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

    def test_rates_carry_n_and_a_wilson_interval(self) -> None:
        """Lead -> MQL 2 of 4 and the SLA share 1 of 2 carry their n and the Wilson 95%
        interval (scipy's binomtest gives 0.1500-0.8500 and 0.0945-0.9055)."""
        records = [
            {"lead_at": day(0), "mql_at": day(1), "sql_at": day(2), "first_contact_at": day(2)},
            {"lead_at": day(0), "mql_at": day(1), "sql_at": day(2)},
            {"lead_at": day(0)},
            {"lead_at": day(0)},
        ]
        m = bf.funnel_metrics(records)
        lead = m.stages[0]
        assert (lead.reached, lead.converted) == (4, 2)
        assert lead.interval == pytest.approx((0.15003898915214953, 0.8499610108478505))
        assert (m.sqls, m.contacted_in_sla) == (2, 1)
        assert m.sla_interval == pytest.approx((0.09453120573423074, 0.9054687942657693))
        assert m.to_dict()["sla_interval"] == pytest.approx([0.0945312, 0.9054688])
        assert m.stages[4].interval is None  # "won" is the last stage: no rate
        wide = bf.funnel_metrics(records, confidence=0.99).stages[0].interval
        assert wide is not None and wide[0] < lead.interval[0]

    def test_rejection_reasons_ignore_case_and_accents(self) -> None:
        """'No budget', 'no budget' and 'NO  BUDGET' are one reason, under the most
        frequent spelling; 'Técnico no válido' and 'tecnico no valido' another."""
        reasons = ["No budget", "no budget", "NO  BUDGET", "no budget", "Técnico no válido"]
        reasons.append("tecnico no valido")
        records = [{"rejected_at": day(1), "rejection_reason": r} for r in reasons]
        m = bf.funnel_metrics(records)
        assert dict(m.rejection_reasons) == {"no budget": 4, "Técnico no válido": 2}

    def test_p90_nearest_rank(self) -> None:
        """The 90th percentile of 1..10 is 9, of 1..11 is 10."""
        from b2bfunnel.pipeline._funnel import p90

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


class TestComparisonIsAMapping:
    """compare_velocity returns an immutable mapping of cohort to report that behaves
    like one."""

    DEALS: ClassVar[list[dict[str, Any]]] = [
        deal(0, "won", closed=10, cohort=date(2026, 1, 1)),
        deal(0, "won", closed=10, cohort=date(2026, 1, 1)),
        deal(0, "open", cohort=date(2026, 1, 1)),
        deal(0, "won", closed=5, cohort=date(2026, 4, 1)),
        deal(0, "lost", closed=5, cohort=date(2026, 4, 1)),
        deal(0, "open", cohort=date(2026, 4, 1)),
    ]

    def compare(self) -> bf.VelocityComparison:
        return bf.compare_velocity(self.DEALS, by="cohort", as_of=day(30), samples=200)

    def test_equality_copy_and_union(self) -> None:
        """== a dict of the same items (both ways); copy() and | give plain dicts."""
        comparison = self.compare()
        plain = {key: comparison[key] for key in comparison}
        assert comparison == plain and plain == comparison
        assert comparison != {date(2026, 1, 1): comparison[date(2026, 1, 1)]}
        assert type(comparison.copy()) is dict and comparison.copy() == plain
        extra = {"other": comparison[date(2026, 1, 1)]}
        assert comparison | extra == {**plain, **extra}
        assert extra | comparison == {**extra, **plain}
        assert type(comparison | extra) is dict

    def test_to_dict_is_json_for_date_cohorts(self) -> None:
        """Date cohorts become ISO 8601 text in keys and in the lifts."""
        data = json.loads(json.dumps(self.compare().to_dict()))
        assert data["baseline"] == "2026-01-01"
        assert set(data["reports"]) == {"2026-01-01", "2026-04-01"}
        assert data["lifts"]["2026-04-01"]["cohort"] == "2026-04-01"

    def test_cycle_change_has_a_bootstrap_interval(self) -> None:
        """Every won deal of a cohort took the same days (10 vs 5), so every resample
        gives a cycle change of -50%: the interval is exactly (-0.5, -0.5)."""
        lift = self.compare().lifts[date(2026, 4, 1)]
        assert lift.relative_cycle == pytest.approx(-0.5)
        assert lift.cycle_interval == pytest.approx((-0.5, -0.5))
        assert lift.to_dict()["cycle_interval"] == pytest.approx([-0.5, -0.5])


class TestOddInput:
    """Edge dates, odd numbers and wrong types work or are refused with a path."""

    def test_window_before_year_one(self) -> None:
        """A 5-day window at 0001-01-02 reaches before year 1: every closed deal counts."""
        start = datetime(1, 1, 1, 12, tzinfo=UTC)
        deals = [
            {
                "created_at": start,
                "closed_at": start + timedelta(hours=6),
                "amount": 10,
                "outcome": "won",
            }
        ]
        report = bf.velocity_from_deals(deals, as_of=datetime(1, 1, 2, tzinfo=UTC), window=5)
        assert report.won == 1
        assert bf.velocity_from_deals(deals, as_of=day(0), window=10**9).won == 1

    @pytest.mark.parametrize(
        ("window"), [timedelta(days=-5), timedelta(0), relativedelta(months=-3), 0, "5"]
    )
    def test_windows_that_open_after_as_of(self, window: Any) -> None:
        """A window that is not positive is refused."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.velocity_from_deals([], as_of=day(0), window=window)
        assert info.value.path == "window"

    @pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("sNaN"), 10**400, "1e999999"])
    def test_odd_amounts(self, amount: Any) -> None:
        """NaN and absurdly large amounts are refused at the deal, never a decimal error."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.velocity_from_deals([deal(0, "open", amount=amount)], as_of=day(1))
        assert info.value.path == "deals[0].amount"

    def test_huge_figures_do_not_overflow(self) -> None:
        """pipeline_velocity of huge figures is a Decimal, not decimal.Overflow."""
        v = bf.pipeline_velocity(
            opportunities=10**400, avg_deal_value="1e999999", win_rate=1, cycle_days=1
        )
        assert v == Decimal("1e1000399")

    @pytest.mark.parametrize(
        ("call", "path"),
        [
            (lambda: bf.velocity_from_deals(None, as_of=day(0)), "deals"),
            (lambda: bf.velocity_from_deals([], as_of=None), "as_of"),
            (lambda: bf.compare_velocity(None, by="x", as_of=day(0)), "deals"),
            (
                lambda: bf.compare_velocity(
                    [deal(0, "open", x=1)], by="x", as_of=day(1), baseline=[1]
                ),
                "baseline",
            ),
            (lambda: bf.funnel_metrics(None), "records"),
            (lambda: bf.funnel_metrics([], sla=None), "sla"),
        ],
    )
    def test_wrong_types(self, call: Any, path: str) -> None:
        """Wrong Python types raise InvalidInputError with a path, not TypeError."""
        with pytest.raises(bf.InvalidInputError) as info:
            call()
        assert info.value.path == path


def test_open_deal_with_a_nat_close() -> None:
    """An open deal whose closed_at is NaT (a blank pandas cell) is open, not an error."""
    pd = pytest.importorskip("pandas")
    report = bf.velocity_from_deals([{**deal(0, "open"), "closed_at": pd.NaT}], as_of=day(1))
    assert report.opportunities == 1


def test_each_cohort_of_a_comparison_has_its_own_velocity_interval() -> None:
    """compare_velocity gives every cohort a bootstrap interval of its own velocity,
    reproducible and holding the cohort's velocity; plain reports have none."""
    as_of = datetime(2026, 6, 30, tzinfo=UTC)
    deals = [
        {
            "created_at": as_of - timedelta(days=90 + i),
            "closed_at": as_of - timedelta(days=i % 40 + 1),
            "amount": 1000 + 37 * i,
            "outcome": "won" if i % 3 else "lost",
            "kol": i % 2 == 0,
        }
        for i in range(60)
    ] + [{"created_at": as_of - timedelta(days=5), "amount": 500, "outcome": "open", "kol": k}
         for k in (True, False)]  # fmt: skip
    comparison = bf.compare_velocity(deals, by="kol", as_of=as_of)
    again = bf.compare_velocity(list(reversed(deals)), by="kol", as_of=as_of)
    for key, report in comparison.items():
        assert report.interval is not None
        low, high = report.interval
        assert report.velocity is not None and low <= float(report.velocity) <= high
        assert again[key].interval == report.interval
        assert report.to_dict()["interval"] == [low, high]
    assert bf.velocity_from_deals(deals, as_of=as_of).interval is None


def test_text_cells_read_alike_with_or_without_an_option() -> None:
    """A deal written as an export writes it (text amount, capitalised outcome, ISO
    text) is read by the one deal reader whether or not a reading option is given."""
    deal = {
        "created_at": "2026-01-01T00:00:00+00:00",
        "closed_at": "2026-02-01T00:00:00+00:00",
        "amount": "EUR 12,500.00",
        "outcome": "Won",
    }
    as_of = datetime(2026, 3, 1, tzinfo=UTC)
    plain = bf.velocity_from_deals([deal], as_of=as_of)
    zoned = bf.velocity_from_deals([deal], as_of=as_of, timezone="UTC")
    assert plain.avg_deal_value == zoned.avg_deal_value == Decimal("12500.00")
    assert plain.currency == zoned.currency == "EUR"
