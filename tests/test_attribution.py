"""Multi-touch attribution: hand-worked journeys and invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.pipeline import MODELS

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


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
        from b2bfunnel.pipeline import allocate

        assert allocate(100, [1, 1, 1]) == [34, 33, 33]
        assert allocate(10, [0.5, 0.25, 0.25]) == [5, 3, 2]
        assert sum(allocate(99_999, [0.1, 0.7, 0.2])) == 99_999
