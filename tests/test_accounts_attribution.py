"""Attribution by account: deals credited with every contact's touches, exactly."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import crm_journeys

import b2bfunnel as bf
from b2bfunnel.pipeline import MODELS


def t(day: int) -> datetime:
    return datetime(2026, 10, day, tzinfo=UTC)


CONTACTS = [
    {"id": "C1", "email": "ana@acme.es"},
    {"id": "C2", "email": "luis@it.acme.es"},
    {"id": "C3", "email": "eva@gmail.com"},
]
TOUCHES = [
    {"lead_id": "C1", "at": t(1), "channel": "email"},
    {"lead_id": "C2", "at": t(3), "channel": "webinar"},
    {"lead_id": "C3", "at": t(4), "channel": "paid_search"},
    {"lead_id": "C2", "at": t(25), "channel": "event"},  # after the deal closed
]


class TestByAccount:
    def test_deal_gets_every_contacts_touches(self) -> None:
        """By hand: a 1,000.00 won deal of C2 at acme.es takes C1's e-mail and C2's
        webinar (500.00 each, linear); C3 (gmail) matches no account and keeps its own."""
        deals = [{"lead_id": "C2", "amount": Decimal("1000.00"), "outcome": "won",
                  "created_at": t(5), "closed_at": t(20)}]  # fmt: skip
        by_lead = bf.attribute(TOUCHES, deals, models=["linear", "first_touch"])
        assert by_lead.totals["linear"] == {"webinar": Decimal("1000.00")}
        report = bf.attribute(
            TOUCHES, deals, models=["linear", "first_touch"], level="account", contacts=CONTACTS
        )
        assert report.totals["linear"] == {"email": Decimal("500.00"), "webinar": Decimal("500.00")}
        assert report.totals["first_touch"] == {"email": Decimal("1000.00"), "webinar": 0}
        assert report.unattributed_touches == 2  # C3's touch and the touch after the close
        assert report.level == "account" and report.to_dict()["level"] == "account"

    def test_account_id_of_the_deal_wins(self) -> None:
        """A deal's ``account_id`` keys it even without a matching contact id."""
        deals = [{"lead_id": "X9", "account_id": "acme.es", "amount": "300", "outcome": "won",
                  "created_at": t(5), "closed_at": t(20)}]  # fmt: skip
        report = bf.attribute(TOUCHES, deals, models=["linear"], level="account", contacts=CONTACTS)
        assert report.totals["linear"] == {"email": Decimal("150.00"), "webinar": Decimal("150.00")}

    def test_repeat_business_per_account(self) -> None:
        """Two deals of one account: a touch goes to the first closing after it, whichever
        contact made it or owns the deal."""
        won = {"outcome": "won"}
        deals = [
            {**won, "lead_id": "C1", "amount": "100", "created_at": t(2), "closed_at": t(2)},
            {**won, "lead_id": "C2", "amount": "200", "created_at": t(5), "closed_at": t(26)},
        ]
        report = bf.attribute(TOUCHES, deals, models=["linear"], level="account", contacts=CONTACTS)
        # deal 1 (closes day 2): C1's e-mail; deal 2 (day 26): C2's webinar and event.
        assert report.totals["linear"] == {
            "email": Decimal("100.00"), "webinar": Decimal("100.00"), "event": Decimal("100.00"),
        }  # fmt: skip

    def test_needs_contacts_and_a_known_level(self) -> None:
        """Account level without contacts, or an unknown level, is refused by path."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(TOUCHES, [], level="account")
        assert info.value.path == "contacts"
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(TOUCHES, [], level="company", contacts=CONTACTS)
        assert info.value.path == "level"


def exact(amount: Any) -> Fraction:
    return Fraction(str(amount)) if isinstance(amount, float) else Fraction(amount)


@settings(max_examples=80, deadline=None)
@given(crm_journeys(max_leads=5), st.lists(st.sampled_from(["a.es", "b.com", "gmail.com"]),
                                           min_size=5, max_size=5))  # fmt: skip
def test_account_credit_adds_up_exactly(
    data: tuple[list[dict[str, Any]], list[dict[str, Any]]], domains: list[str]
) -> None:
    """For every model, credit by account adds up exactly to the won revenue that had
    touches, rounded to the cent, and the won revenue is the same as by lead."""
    touches, deals = data
    contacts = [{"id": f"L{i}", "email": f"x{i}@{d}"} for i, d in enumerate(domains)]
    report = bf.attribute(touches, deals, level="account", contacts=contacts)
    revenue = sum((exact(d["amount"]) for d in deals if d["outcome"] == "won"), Fraction(0))
    assert Fraction(report.revenue) == revenue
    unit = Fraction("0.01")
    expected = round((Fraction(report.revenue) - Fraction(report.unattributed)) / unit)
    for model in MODELS:
        credits = [Fraction(c) for c in report.totals[model].values()]
        assert sum(credits) == expected * unit, model
        assert all(c >= 0 and (c / unit).denominator == 1 for c in credits)
