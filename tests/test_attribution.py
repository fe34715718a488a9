"""Multi-touch attribution: hand-worked journeys and invariants."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, ClassVar

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import crm_journeys

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
            ([{**JOURNEY[0], "at": datetime(2026, 1, 2)}], WON, "touches[0].at"),
            ([{**JOURNEY[0], "channel": ""}], WON, "touches[0].channel"),
            ([{"at": day(1), "channel": "kol"}], WON, "touches[0].lead_id"),
            ([{"lead_id": "L1", "channel": "kol"}], WON, "touches[0].at"),
            ([{"lead_id": "L1", "at": day(1)}], WON, "touches[0].channel"),
            (JOURNEY, [{**WON[0], "amount": -1}], "deals[0].amount"),
            (JOURNEY, [{**WON[0], "outcome": "maybe"}], "deals[0].outcome"),
        ],
    )
    def test_bad_input(self, touches: list[Any], deals: list[Any], path: str) -> None:
        """Naive times, blank or missing fields, negative amounts, unknown outcomes."""
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


def won(lead: str, amount: Any, created: float, closed: float, **extra: Any) -> dict[str, Any]:
    return {
        "lead_id": lead,
        "amount": amount,
        "outcome": "won",
        "created_at": day(created),
        "closed_at": day(closed),
        **extra,
    }


def exact(amount: Any) -> Fraction:
    """An amount as the library reads it (a float by its repr), as an exact fraction."""
    return Fraction(Decimal(repr(amount)) if isinstance(amount, float) else amount)


def touch(lead: str, at: float, channel: str) -> dict[str, Any]:
    return {"lead_id": lead, "at": day(at), "channel": channel}


class TestRepeatBusiness:
    """A lead with several deals: each touch belongs to the deal it led to."""

    TOUCHES: ClassVar[list[dict[str, Any]]] = [
        touch("L1", 1, "kol"),
        touch("L1", 5, "email"),
        touch("L1", 12, "search"),  # after the first deal closed: the renewal's
        touch("L1", 15, "webinar"),
        touch("L1", 25, "ads"),  # after the last deal closed: no deal's
    ]
    DEALS: ClassVar[list[dict[str, Any]]] = [
        won("L1", "500.00", 13, 20, lead_created_at=day(0)),
        won("L1", "1000.00", 4, 10, lead_created_at=day(0)),
    ]

    def test_touches_go_to_the_first_deal_closing_after_them(self) -> None:
        """A renewal with touches between the deals no longer fails; each deal is credited
        with its own touches, and the touch after the last close is counted, not an error."""
        report = bf.attribute(self.TOUCHES, self.DEALS)
        assert report.totals["linear"] == {
            "email": Decimal("500.00"),
            "kol": Decimal("500.00"),
            "search": Decimal("250.00"),
            "webinar": Decimal("250.00"),
        }
        assert report.totals["first_touch"] == {
            "email": Decimal("0.00"),
            "kol": Decimal("1000.00"),
            "search": Decimal("500.00"),
            "webinar": Decimal("0.00"),
        }
        assert (report.won_deals, report.unattributed_touches) == (2, 1)
        assert report.to_dict()["unattributed_touches"] == 1

    def test_milestones_of_a_second_deal_start_after_the_first_closed(self) -> None:
        """Position-based gives the renewal's first touch 40%: the first touch after the
        previous close, not the lead's first touch; W-shaped puts lead creation there too."""
        touches = [*self.TOUCHES[:4], touch("L1", 16, "email"), touch("L1", 18, "ads")]
        report = bf.attribute(touches, self.DEALS, models=["position_based", "w_shaped"])
        # the 500 renewal: search 40%, webinar and email 10% each, ads 40%; the first
        # deal's two touches (kol, email) half each
        assert report.totals["position_based"] == {
            "ads": Decimal("200.00"),
            "email": Decimal("550.00"),
            "kol": Decimal("500.00"),
            "search": Decimal("200.00"),
            "webinar": Decimal("50.00"),
        }
        # W-shaped: first touch and lead creation both the search touch (60%), opportunity
        # creation (day 13) also the search touch: 90%, the rest 10% over three touches
        assert report.totals["w_shaped"]["search"] == Decimal("450.00")

    def test_touches_during_an_open_deal_belong_to_it(self) -> None:
        """An open deal after a won one takes the touches after the close; the Markov
        model counts its journey as not (yet) converting."""
        deals = [
            self.DEALS[1],
            {"lead_id": "L1", "amount": 700, "outcome": "open", "created_at": day(11)},
        ]
        report = bf.attribute(self.TOUCHES, deals, models=["linear", "markov"])
        assert report.totals["linear"] == {"email": Decimal("500.00"), "kol": Decimal("500.00")}
        assert (report.unattributed_touches, report.non_converting_paths) == (0, 1)

    def test_touches_after_a_lost_deal(self) -> None:
        """Touches after a lost deal are no error: they belong to no deal."""
        deals = [{**self.DEALS[1], "outcome": "lost"}]
        report = bf.attribute(self.TOUCHES, deals, models=["linear"])
        assert (report.won_deals, report.attributed, report.unattributed_touches) == (
            0,
            Decimal("0.00"),
            3,
        )

    @settings(max_examples=150, deadline=None)
    @given(crm_journeys(), st.randoms(use_true_random=False))
    def test_several_deals_per_lead_never_fail_and_ignore_order(
        self, data: tuple[list[dict[str, Any]], list[dict[str, Any]]], rnd: Any
    ) -> None:
        """Any leads with several deals and touches anywhere: no error, and the same
        result whatever the input order."""
        touches, deals = data
        report = bf.attribute(touches, deals)
        rnd.shuffle(touches)
        rnd.shuffle(deals)
        assert bf.attribute(touches, deals) == report

    @settings(max_examples=150, deadline=None)
    @given(crm_journeys(max_deals=3, max_touches=10))
    def test_first_touch_follows_the_assignment_rule(
        self, data: tuple[list[dict[str, Any]], list[dict[str, Any]]]
    ) -> None:
        """Brute force of the documented rule: each won deal's first touch (among the touches
        whose first deal closing at or after them is this one, within 90 days) gets its
        whole amount; touches with no such deal are counted as unattributed."""
        touches, deals = data
        end = {id(d): d.get("closed_at") for d in deals}
        never = datetime.max.replace(tzinfo=UTC)
        order = {id(d): (d.get("closed_at", never), d["created_at"]) for d in deals}
        assume(len(set(order.values())) == len(order))  # ties are ordered by further fields
        expected: dict[str, Fraction] = {}
        stray = 0
        owned: dict[int, list[dict[str, Any]]] = {id(d): [] for d in deals}
        for t in touches:
            mine = [d for d in deals if d["lead_id"] == t["lead_id"]]
            later = [d for d in mine if end[id(d)] is None or end[id(d)] >= t["at"]]
            if not later:
                stray += 1
                continue
            owned[id(min(later, key=lambda d: order[id(d)]))].append(t)
        for d in deals:
            if d["outcome"] != "won":
                continue
            window = [t for t in owned[id(d)] if t["at"] >= d["closed_at"] - timedelta(days=90)]
            if window:
                first = min(window, key=lambda t: (t["at"], t["channel"]))
                amount = exact(d["amount"])
                expected[first["channel"]] = expected.get(first["channel"], Fraction(0)) + amount
        # a minor unit as fine as the finest amount: no rounding at all
        places = max(
            [2]
            + [
                next(p for p in range(400) if (exact(d["amount"]) * 10**p).denominator == 1)
                for d in deals
            ]
        )
        report = bf.attribute(touches, deals, models=["first_touch"], minor_unit=f"1E-{places}")
        assert report.unattributed_touches == stray
        credited = {k: Fraction(v) for k, v in report.totals["first_touch"].items() if v}
        assert credited == {k: v for k, v in expected.items() if v}


class TestExactMoney:
    """Credits are whole minor units that add up exactly, at any precision."""

    @pytest.mark.parametrize(
        ("amounts", "attributed"),
        [
            (["1000000.00", "12.3456789012"], "1000012.35"),
            (["1234567.89012345678"], "1234567.89"),
            (["12345678901234567890123456789.5"], "12345678901234567890123456789.50"),
        ],
    )
    def test_issue_amounts(self, amounts: list[str], attributed: str) -> None:
        """Many decimals or 29 significant digits: every model's credits add up to the
        attributed revenue rounded to the cent, with no decimal.InvalidOperation."""
        touches = [{**t, "lead_id": f"L{i}"} for i in range(len(amounts)) for t in JOURNEY]
        deals = [{**WON[0], "lead_id": f"L{i}", "amount": a} for i, a in enumerate(amounts)]
        report = bf.attribute(touches, deals)
        assert report.attributed == Decimal(attributed)
        for model in MODELS:
            credits = report.totals[model].values()
            assert sum(Fraction(c) for c in credits) == Fraction(attributed), model
            assert all(c.as_tuple().exponent == -2 for c in credits)

    def test_rule_based_shares_are_exact_at_any_size(self) -> None:
        """W-shaped 60/30/10 of 10**27 is exact: no float error in the shares."""
        report = bf.attribute(JOURNEY, [{**WON[0], "amount": 10**27}], models=["w_shaped"])
        assert report.totals["w_shaped"] == {
            "email": Decimal(3 * 10**26) * 1,
            "kol": Decimal(6 * 10**26),
            "search": Decimal(10**26),
        }

    def test_minor_unit(self) -> None:
        """Yen have no cents; a 0.05 unit rounds to multiples of 0.05 (half to even)."""
        yen = bf.attribute(JOURNEY, WON, models=["linear"], minor_unit=1)
        assert yen.totals["linear"] == {"email": 333, "kol": 334, "search": 333}
        nickel = bf.attribute(
            JOURNEY, [{**WON[0], "amount": "10.03"}], models=["linear"], minor_unit="0.05"
        )
        assert nickel.attributed == Decimal("10.05")
        assert sum(nickel.totals["linear"].values()) == Decimal("10.05")
        assert all((v / Decimal("0.05")) % 1 == 0 for v in nickel.totals["linear"].values())

    @settings(max_examples=120, deadline=None)
    @given(crm_journeys(max_leads=5), st.sampled_from(["0.01", "1", "0.001", "0.05"]))
    def test_credits_add_up_to_the_attributed_revenue(
        self, data: tuple[list[dict[str, Any]], list[dict[str, Any]]], unit: str
    ) -> None:
        """For every model and Markov split and any amounts, the credits add up exactly
        to the won revenue that had touches, rounded to the minor unit."""
        touches, deals = data
        revenue = sum((exact(d["amount"]) for d in deals if d["outcome"] == "won"), Fraction(0))
        for split in ("journey", "touch", "global"):
            report = bf.attribute(touches, deals, minor_unit=unit, markov_split=split)
            assert Fraction(report.revenue) == revenue
            expected = round(
                (Fraction(report.revenue) - Fraction(report.unattributed)) / Fraction(unit)
            )
            assert Fraction(report.attributed) == expected * Fraction(unit)
            for model in MODELS:
                credits = [Fraction(c) for c in report.totals[model].values()]
                assert sum(credits) == expected * Fraction(unit), (model, split)
                assert all(c >= 0 and (c / Fraction(unit)).denominator == 1 for c in credits)


class TestRefusedInput:
    """Bad options and odd numbers are refused with a path, never accepted or crashed."""

    @pytest.mark.parametrize(
        ("options", "path"),
        [
            ({"lookback_days": math.nan}, "lookback_days"),
            ({"lookback_days": "90"}, "lookback_days"),
            ({"half_life_days": math.nan}, "half_life_days"),
            ({"half_life_days": math.inf}, "half_life_days"),
            ({"half_life_days": None}, "half_life_days"),
            ({"models": None}, "models"),
            ({"models": []}, "models"),
            ({"models": [["linear"]]}, "models[0]"),
            ({"by": None}, "by"),
            ({"minor_unit": 0}, "minor_unit"),
            ({"minor_unit": "NaN"}, "minor_unit"),
            ({"markov_split": "per_touch"}, "markov_split"),
            ({"non_converting_after_days": -1}, "non_converting_after_days"),
            ({"as_of": datetime(2026, 1, 1)}, "as_of"),
        ],
    )
    def test_options(self, options: dict[str, Any], path: str) -> None:
        """NaN, infinite, wrong-typed or unknown options name the option."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(JOURNEY, WON, **options)
        assert info.value.path == path

    @pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
    def test_non_finite_amounts(self, amount: Decimal) -> None:
        """A NaN or infinite amount is refused at its deal."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(JOURNEY, [{**WON[0], "amount": amount}])
        assert info.value.path == "deals[0].amount"

    @pytest.mark.parametrize(
        ("touches", "deals", "path"), [(None, WON, "touches"), (JOURNEY, 5, "deals")]
    )
    def test_not_records(self, touches: Any, deals: Any, path: str) -> None:
        """Something that is not a collection of records is refused, not a TypeError."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(touches, deals)
        assert info.value.path == path

    @pytest.mark.parametrize(
        ("units", "weights", "path"),
        [
            (10, [-1, 2], "weights[0]"),
            (10, [1, math.nan], "weights[1]"),
            (10, [math.inf], "weights[0]"),
            (10, ["1"], "weights[0]"),
            (10, [], "weights"),
            (10, None, "weights"),
            (-1, [1], "units"),
            (1.5, [1], "units"),
        ],
    )
    def test_allocate_bad_shares(self, units: Any, weights: Any, path: str) -> None:
        """allocate refuses negative, NaN, infinite or missing weights and non-whole units."""
        from b2bfunnel.pipeline import allocate

        with pytest.raises(bf.InvalidInputError) as info:
            allocate(units, weights)
        assert info.value.path == path

    def test_allocate_exact_at_any_size(self) -> None:
        """Exact weights split exactly however many units; all-zero weights split equally."""
        from b2bfunnel.pipeline import allocate

        assert allocate(10**30, [Decimal("0.3"), Decimal("0.7")]) == [3 * 10**29, 7 * 10**29]
        assert sum(allocate(10**30 + 7, [0.1, 0.7, 0.2])) == 10**30 + 7
        assert allocate(5, [0, 0]) == [3, 2]


class TestNonConvertingJourneys:
    """The Markov model learns from journeys that did not convert."""

    # x: A, B, B -> won 900; y: B -> won 300; z: A -> lost; w: B and no deal, long quiet.
    TOUCHES: ClassVar[list[dict[str, Any]]] = [
        touch("x", 100, "A"),
        touch("x", 101, "B"),
        touch("x", 102, "B"),
        touch("y", 100, "B"),
        touch("z", 100, "A"),
        touch("w", 1, "B"),
    ]
    DEALS: ClassVar[list[dict[str, Any]]] = [
        won("x", 900, 99, 110),
        won("y", 300, 99, 110),
        {**won("z", 100, 99, 110), "outcome": "lost"},
    ]

    def test_quiet_leads_without_a_deal_count(self) -> None:
        """Start goes to A 2/4 and B 2/4; A to B 1/2; B converts 2/3 (w's B ends in null):
        P = 1/2*1/2*2/3 + 1/2*2/3 = 1/2; without A 1/3 (effect 1/3), without B 0 (effect 1).
        x's 900 splits A:B = 1/3:1 -> 225/675; y's 300 all to B."""
        report = bf.attribute(self.TOUCHES, self.DEALS, models=["markov"])
        assert report.removal_effects == pytest.approx({"A": 1 / 3, "B": 1.0})
        assert report.totals["markov"] == {"A": Decimal("225.00"), "B": Decimal("975.00")}
        assert (report.non_converting_paths, report.no_deal_paths) == (2, 1)

    def test_the_option_and_its_reference_time(self) -> None:
        """Without the option, or when the lead's last touch is not yet 90 days old at
        as_of, the no-deal journey is left out: A's effect is 1/2 and x splits 300/600."""
        off = bf.attribute(
            self.TOUCHES, self.DEALS, models=["markov"], non_converting_after_days=None
        )
        recent = bf.attribute(self.TOUCHES, self.DEALS, models=["markov"], as_of=day(60))
        for report in (off, recent):
            assert report.totals["markov"] == {"A": Decimal("300.00"), "B": Decimal("900.00")}
            assert report.no_deal_paths == 0

    def test_splits(self) -> None:
        """Per touch (DP6's journey values): x's touches weigh 1/3, 1, 1 -> A 900/7;
        global (ChannelAttribution): 1,200 by 1/3 : 1 -> 300/900."""
        touch_split = bf.attribute(
            self.TOUCHES, self.DEALS, models=["markov"], markov_split="touch"
        )
        assert touch_split.totals["markov"] == {"A": Decimal("128.57"), "B": Decimal("1071.43")}
        global_split = bf.attribute(
            self.TOUCHES, self.DEALS, models=["markov"], markov_split="global"
        )
        assert global_split.totals["markov"] == {"A": Decimal("300.00"), "B": Decimal("900.00")}

    def test_tails_after_a_lost_deal_count_after_a_won_deal_do_not(self) -> None:
        """z's touch C long after its lost deal is a non-converting journey; y's touch C
        after its won deal is a customer's and is not."""
        late = [touch("z", 300, "C")]
        report = bf.attribute(self.TOUCHES + late, self.DEALS, models=["markov"], as_of=day(400))
        assert (report.no_deal_paths, report.unattributed_touches) == (2, 2)
        assert report.removal_effects["C"] == 0.0
        customer = [touch("y", 300, "C")]
        report = bf.attribute(
            self.TOUCHES + customer, self.DEALS, models=["markov"], as_of=day(400)
        )
        assert (report.no_deal_paths, report.unattributed_touches) == (1, 2)
        assert "C" not in report.removal_effects

    @settings(max_examples=200, deadline=None)
    @given(
        crm_journeys(max_leads=5, max_touches=12),
        st.sampled_from([None, 10, 90]),
        st.sampled_from([None, 20, 90]),
    )
    def test_counts_follow_the_path_rules(
        self,
        data: tuple[list[dict[str, Any]], list[dict[str, Any]]],
        lookback: int | None,
        quiet: int | None,
    ) -> None:
        """Brute force of the documented paths (each deal's run of touches in its
        lookback, converting when won; the quiet tail of a lead with no deal or whose last
        deal was lost), counted step by step, equals the transitions the Markov model
        counts as it assigns touches, and its path tallies."""
        touches, deals = data
        as_of = T0 + timedelta(days=150)
        never = datetime.max.replace(tzinfo=UTC)
        order = {id(d): (d.get("closed_at", never), d["created_at"]) for d in deals}
        assume(len(set(order.values())) == len(order))  # ties are ordered by further fields
        back = timedelta(days=lookback) if lookback is not None else None
        paths: list[tuple[list[str], bool]] = []
        tails = 0
        for lead in {t["lead_id"] for t in touches} | {d["lead_id"] for d in deals}:
            mine = sorted((d for d in deals if d["lead_id"] == lead), key=lambda d: order[id(d)])
            runs: dict[int, list[dict[str, Any]]] = {id(d): [] for d in mine}
            tail = []
            for t in sorted(
                (t for t in touches if t["lead_id"] == lead), key=lambda t: (t["at"], t["channel"])
            ):
                owner = next((d for d in mine if d.get("closed_at", never) >= t["at"]), None)
                (tail if owner is None else runs[id(owner)]).append(t)
            for d in mine:
                run = runs[id(d)]
                end = d.get("closed_at") or (run[-1]["at"] if run else d["created_at"])
                kept = [t["channel"] for t in run if back is None or t["at"] >= end - back]
                paths.append((kept, d["outcome"] == "won"))
            quiet_tail = quiet is not None and tail and tail[-1]["at"] <= as_of - timedelta(quiet)
            if quiet_tail and (not mine or mine[-1]["outcome"] == "lost"):
                last = tail[-1]["at"]
                kept = [t["channel"] for t in tail if back is None or t["at"] >= last - back]
                paths.append((kept, False))
                tails += 1
        options: dict[str, Any] = {
            "lookback_days": lookback,
            "non_converting_after_days": quiet,
            "as_of": as_of,
        }
        counted = bf.PathCounts.from_touches(touches, deals, **options)
        assert counted == bf.PathCounts.of(paths)
        report = bf.attribute(touches, deals, models=["markov"], **options)
        assert report.non_converting_paths == sum(1 for _, won in paths if not won)
        assert report.no_deal_paths == tails


class TestRealDataBlanks:
    """NaN and NaT, as pandas leaves them in exported rows, read as blanks."""

    def test_nan_campaign_and_nat_times(self) -> None:
        """A NaN campaign goes to '(none)'; a NaT lead creation or closed_at of an open
        deal is no date."""
        pd = pytest.importorskip("pandas")
        touches = [{**JOURNEY[0], "campaign": "q1"}, {**JOURNEY[1], "campaign": math.nan}]
        deals = [
            {**WON[0], "lead_created_at": pd.NaT},
            {
                "lead_id": "L2",
                "amount": 5,
                "outcome": "open",
                "created_at": day(1),
                "closed_at": pd.NaT,
            },
        ]
        report = bf.attribute(touches, deals, models=["linear"], by="campaign")
        assert report.totals["linear"] == {"(none)": Decimal("500.00"), "q1": Decimal("500.00")}
