"""Attribution by account: deals credited with every contact's touches, exactly."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import crm_journeys

import b2bfunnel as bf
from b2bfunnel.cli import main
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


# An opportunity contact-role table as Salesforce exports it (OpportunityContactRole).
def role(deal: str, contact: str, name: str = "Decision Maker") -> dict[str, str]:
    return {"Opportunity ID": deal, "Contact ID": contact, "Role": name, "Is Primary": "false"}


class TestContactRoles:
    def test_only_contacts_with_a_role_are_credited(self) -> None:
        """By hand: the 1,000.00 deal has a role for C2 only: C2's webinar takes it all
        (C1's e-mail, before the close, counts nowhere); without the table, 500.00 each."""
        deals = [{"deal_id": "006A", "lead_id": "C2", "amount": "1000.00", "outcome": "won",
                  "created_at": t(5), "closed_at": t(20)}]  # fmt: skip
        report = bf.attribute(
            TOUCHES, deals, models=MODELS, level="account", contacts=CONTACTS,
            contact_roles=[role("006A", "C2")],
        )  # fmt: skip
        for model in MODELS:
            assert report.totals[model] == {"webinar": Decimal("1000.00")}, model
        # C1's e-mail has no deal of its own; C3's touch and the one after the close.
        assert report.unattributed_touches == 3

    def test_each_touch_goes_to_its_contacts_first_deal(self) -> None:
        """Deal 006A (closes day 10) has C1; 006B (day 26) has C2; 006C (day 28) no roles.
        C1's e-mail (day 1) -> A; C2's webinar (day 3) -> B, not A though A closes first;
        C2's event (day 25) -> B; C1's ad (day 27) -> C, which counts every contact."""
        won = {"outcome": "won", "created_at": t(1)}
        deals = [
            {**won, "deal_id": "006A", "lead_id": "C1", "amount": "100", "closed_at": t(10)},
            {**won, "deal_id": "006B", "lead_id": "C2", "amount": "200", "closed_at": t(26)},
            {**won, "deal_id": "006C", "account_id": "acme.es", "amount": "60",
             "closed_at": t(28)},
        ]  # fmt: skip
        touches = [*TOUCHES, {"lead_id": "C1", "at": t(27), "channel": "ads"}]
        report = bf.attribute(
            touches, deals, models=["linear", "first_touch"], level="account",
            contacts=CONTACTS, contact_roles=[role("006A", "C1"), role("006B", "C2", "")],
        )  # fmt: skip
        assert report.totals["linear"] == {
            "email": Decimal("100.00"), "webinar": Decimal("100.00"),
            "event": Decimal("100.00"), "ads": Decimal("60.00"),
        }  # fmt: skip
        assert report.totals["first_touch"]["webinar"] == Decimal("200.00")
        assert report.unattributed_touches == 1  # C3 (gmail) has no deal

    def test_touches_after_a_contacts_last_won_deal_are_a_customers(self) -> None:
        """C1's only deal was won on day 10: its later ad is counted, credited nowhere."""
        deals = [{"deal_id": "006A", "lead_id": "C1", "amount": "100", "outcome": "won",
                  "created_at": t(1), "closed_at": t(10)}]  # fmt: skip
        touches = [TOUCHES[0], {"lead_id": "C1", "at": t(12), "channel": "ads"}]
        report = bf.attribute(
            touches, deals, models=["linear", "markov"], level="account", contacts=CONTACTS,
            contact_roles=[role("006A", "C1")],
        )  # fmt: skip
        assert report.totals["linear"] == {"email": Decimal("100.00")}
        assert (report.unattributed_touches, report.no_deal_paths) == (1, 0)

    def test_refused_at_lead_level_or_without_ids(self) -> None:
        """Roles need level='account'; a role row needs a deal and a contact id."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.attribute(TOUCHES, [], contact_roles=[role("006A", "C1")])
        assert info.value.path == "contact_roles"
        for row, path in (({"Contact ID": "C1"}, "deal_id"), ({"deal_id": "006A"}, "lead_id")):
            with pytest.raises(bf.InvalidInputError) as info:
                bf.attribute(TOUCHES, [], level="account", contacts=CONTACTS, contact_roles=[row])
            assert info.value.path == f"contact_roles[0].{path}"


DOMAINS = st.lists(st.sampled_from(["a.es", "b.com", "gmail.com"]), min_size=5, max_size=5)


def with_ids(deals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**deal, "deal_id": f"D{i}"} for i, deal in enumerate(deals)]


@settings(max_examples=60, deadline=None)
@given(crm_journeys(max_leads=5), DOMAINS, st.booleans())
def test_roles_for_everyone_or_no_deal_change_nothing(
    data: tuple[list[dict[str, Any]], list[dict[str, Any]]], domains: list[str], full: bool
) -> None:
    """A role table giving every contact a role on every deal, or naming no deal of the
    input, credits exactly as by account without one, every model, Markov included."""
    touches, deals = data
    deals = with_ids(deals)
    contacts = [{"id": f"L{i}", "email": f"x{i}@{d}"} for i, d in enumerate(domains)]
    if full:
        roles = [role(d["deal_id"], c["id"]) for d in deals for c in contacts]
    else:
        roles = [role("D-none", "L0")]
    plain = bf.attribute(touches, deals, level="account", contacts=contacts)
    by_role = bf.attribute(touches, deals, level="account", contacts=contacts,
                           contact_roles=roles)  # fmt: skip
    assert by_role.to_dict() == plain.to_dict()


@settings(max_examples=80, deadline=None)
@given(crm_journeys(max_leads=5), DOMAINS, st.data())
def test_role_credit_adds_up_exactly(
    data: tuple[list[dict[str, Any]], list[dict[str, Any]]], domains: list[str], draw: Any
) -> None:
    """With any role table, every model adds up exactly to the won revenue that had
    touches, to the cent, and only touches of contacts with a role (or of an account's
    deals without roles) are credited."""
    touches, deals = data
    deals = with_ids(deals)
    contacts = [{"id": f"L{i}", "email": f"x{i}@{d}"} for i, d in enumerate(domains)]
    pairs = [(d["deal_id"], f"L{i}") for d in deals for i in range(5)]
    roles = (
        [role(*p) for p in draw.draw(st.lists(st.sampled_from(pairs), max_size=8))] if pairs else []
    )
    report = bf.attribute(touches, deals, level="account", contacts=contacts,
                          contact_roles=roles)  # fmt: skip
    revenue = sum((exact(d["amount"]) for d in deals if d["outcome"] == "won"), Fraction(0))
    assert Fraction(report.revenue) == revenue
    unit = Fraction("0.01")
    expected = round((Fraction(report.revenue) - Fraction(report.unattributed)) / unit)
    for model in MODELS:
        credits = [Fraction(c) for c in report.totals[model].values()]
        assert sum(credits) == expected * unit, model
        assert all(c >= 0 and (c / unit).denominator == 1 for c in credits)
    assert report.touchpoints == len(touches)


class TestContactRolesChannels:
    """A Salesforce OpportunityContactRole export gives the same report whether it comes
    as a pandas DataFrame, a list of dicts or a CSV file through the CLI: every channel
    reads it with the one contact-role converter."""

    ROLES = (
        "Opportunity ID,Contact ID,Role,Is Primary\n"
        "006A,C1,Decision Maker,true\n006B,C2,Technical Buyer,false\n"
    )
    DEALS: ClassVar[list[dict[str, Any]]] = [
        {"deal_id": "006A", "lead_id": "C1", "amount": "100.00", "outcome": "won",
         "created_at": t(1), "closed_at": t(10)},
        {"deal_id": "006B", "lead_id": "C2", "amount": "200.00", "outcome": "won",
         "created_at": t(1), "closed_at": t(26)},
    ]  # fmt: skip

    def cli(self, tmp_path: Path, roles: str) -> tuple[int, str]:
        files = {
            "leads.csv": "Lead ID,Email\n" + "".join(f"{c['id']},{c['email']}\n" for c in CONTACTS),
            "touches.csv": "lead_id,at,channel\n"
            + "".join(f"{r['lead_id']},{r['at'].isoformat()},{r['channel']}\n" for r in TOUCHES),
            "deals.csv": "Opportunity ID,Lead ID,Amount,Stage,Created Date,Close Date\n"
            + "".join(
                f"{d['deal_id']},{d['lead_id']},{d['amount']},Closed Won,"
                f"{d['created_at'].isoformat()},{d['closed_at'].isoformat()}\n"
                for d in self.DEALS
            ),
            "roles.csv": roles,
        }
        for name, text in files.items():
            (tmp_path / name).write_text(text, encoding="utf-8")
        out = io.StringIO()
        argv = ["attribution", str(tmp_path / "touches.csv"), str(tmp_path / "deals.csv"),
                "--model", "linear", "--format", "json", "--level", "account", "--from",
                "salesforce", "--leads", str(tmp_path / "leads.csv"),
                "--contact-roles", str(tmp_path / "roles.csv")]  # fmt: skip
        return main(argv, out=out), out.getvalue()

    def python(self, roles: Any) -> bf.AttributionReport:
        return bf.attribute(TOUCHES, self.DEALS, models=["linear"], level="account",
                            contacts=CONTACTS, contact_roles=roles)  # fmt: skip

    def test_same_report_on_every_channel(self, tmp_path: Path) -> None:
        """By hand: C1's e-mail (day 1) -> 006A (100.00); C2's webinar (day 3) and
        event (day 25) -> 006B (100.00 each); C3 (gmail) matches no account."""
        pd = pytest.importorskip("pandas")
        status, text = self.cli(tmp_path, self.ROLES)
        assert status == 0, text
        shown = json.loads(text)
        expected = {"email": "100.00", "webinar": "100.00", "event": "100.00"}
        assert shown["totals"]["linear"] == expected
        frame = pd.read_csv(io.StringIO(self.ROLES))
        records = list(csv.DictReader(io.StringIO(self.ROLES)))
        for roles in (frame, records):
            report = self.python(roles)
            assert {k: str(v) for k, v in report.totals["linear"].items()} == expected
            assert report.unattributed_touches == shown["unattributed_touches"] == 1

    def test_blank_contact_id_refused_alike(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A role row without its contact: the same message on every channel, after the
        file's line on the CLI, after the row's index in Python."""
        pd = pytest.importorskip("pandas")
        roles = self.ROLES.replace("006B,C2,", "006B, ,")
        status, _ = self.cli(tmp_path, roles)
        assert status != 0
        message = "expected the contact's id (lead_id, or Salesforce's Contact ID)"
        assert f"roles.csv:3:lead_id: {message}\n" in capsys.readouterr().err
        frame = pd.read_csv(io.StringIO(roles))
        for table in (frame, list(csv.DictReader(io.StringIO(roles)))):
            with pytest.raises(bf.InvalidInputError) as info:
                self.python(table)
            assert info.value.path == "contact_roles[1].lead_id"
            assert str(info.value) == f"contact_roles[1].lead_id: {message}"
