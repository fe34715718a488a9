"""``b2bfunnel accounts`` and ``attribution --level account`` on CRM-shaped files."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

import b2bfunnel as bf
from b2bfunnel.cli import main

AS_OF = "2026-11-23T08:00:00+00:00"
# A HubSpot contacts export saved by Excel in Spain: cp1252, ';' between cells.
LEADS = (
    "Record ID;Email;Job Title;Number of Employees;Associated Company ID\r\n"
    "101;ana@ventas.acmé-ibérica.es;Directora Financiera;;9001\r\n"
    "102;luis@it.acme-iberica.es;CTO;;\r\n"
    "103;eva@gmail.com;Consultora;;9001\r\n"
    "104;pablo@hotmail.es;Técnico;40;\r\n"
    "105;marta@nova.co.uk;IT Director;;\r\n"
)
# A HubSpot companies export.
ACCOUNTS = (
    "Record ID,Company name,Company Domain Name,Number of Employees\n"
    '9001,"Acme Ibérica, S.L.",www.acme-iberica.es,850\n'
    "9002,Nova Ltd,nova.co.uk,120\n"
)
EVENTS = """lead_id,name,at
101,webinar_completed,2026-11-20T10:00:00+00:00
102,pricing_page_visit,2026-11-21T10:00:00Z
102,webinar_completed,2026-11-22T10:00:00+01:00
103,case_study_download,2026-11-22T08:00:00+00:00
104,webinar_completed,2026-11-22T08:00:00+00:00
105,pricing_page_visit,2026-11-22T08:00:00+00:00
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {name: tmp_path / f"{name}.csv" for name in ("leads", "accounts", "events")}
    paths["leads"].write_bytes(LEADS.replace("acmé-ibérica", "acme-iberica").encode("cp1252"))
    paths["accounts"].write_text(ACCOUNTS, encoding="utf-8")
    paths["events"].write_text(EVENTS, encoding="utf-8")
    return paths


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def accounts(files: dict[str, Path], *options: str) -> tuple[int, str]:
    return run("accounts", "--leads", str(files["leads"]), "--events", str(files["events"]),
               "--accounts", str(files["accounts"]), "--as-of", AS_OF, "--from", "hubspot",
               *options)  # fmt: skip


class TestAccounts:
    def test_json_by_hand(self, files: dict[str, Path]) -> None:
        """By hand: 9001 (850 employees, fit 50) has 101's webinar 25, 102's 15 + 25 and
        103's case study 10 (by its company id, though on gmail): 125; 9002 (120) has
        105's 15. 104 (hotmail) matches nothing."""
        status, text = accounts(files, "--format", "json")
        assert status == 0
        rows = json.loads(text)
        assert [(r["rank"], r["account_id"], r["total"]) for r in rows] == [
            (1, "9001", 125.0), (2, "9002", 15.0),
        ]  # fmt: skip
        top = rows[0]
        assert (top["fit"], top["engagement"], top["band"], top["grade"]) == (
            50.0,
            75.0,
            "warm",
            "A3",
        )
        assert top["roles_missing"] == ["end_user", "champion"]
        assert top["next_action"] == {"role": "end_user", "via": "102"}

    def test_csv_and_table(self, files: dict[str, Path]) -> None:
        """CSV has one row per account with reasons; the table ends with the band count."""
        status, text = accounts(files, "--format", "csv")
        assert status == 0
        rows = list(csv.DictReader(io.StringIO(text)))
        assert [r["account"] for r in rows] == ["9001", "9002"]
        assert rows[0]["reasons"] == "large_company +50; 102 +40; 101 +25; 103 +10"
        assert rows[0]["roles_missing"] == "end_user, champion"
        status, text = accounts(files, "--top", "1")
        assert text.rstrip().endswith("2 accounts: 1 warm, 1 cold")
        assert "9002" not in text.splitlines()[2]

    def test_unmatched_contacts_are_reported(
        self, files: dict[str, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Contacts that match no account are a warning of the data report on stderr."""
        accounts(files)
        assert "1 of 5 contacts match no account" in capsys.readouterr().err

    def test_bad_accounts_file(self, files: dict[str, Path], tmp_path: Path) -> None:
        """An accounts file without an id column is refused (exit 2)."""
        bad = tmp_path / "bad.csv"
        bad.write_text("name,domain\nAcme,acme.es\n", encoding="utf-8")
        status, _ = run("accounts", "--leads", str(files["leads"]), "--events",
                        str(files["events"]), "--accounts", str(bad), "--as-of", AS_OF)  # fmt: skip
        assert status == 2


def test_attribution_by_account(files: dict[str, Path], tmp_path: Path) -> None:
    """``--level account`` credits 9001's deal with 101's and 102's touches too, and the
    credits add up to the deal's amount exactly."""
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "lead_id,at,channel\n101,2026-10-01T09:00:00Z,email\n102,2026-10-02T09:00:00Z,webinar\n"
        "103,2026-10-03T09:00:00Z,paid_search\n",
        encoding="utf-8",
    )
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "lead_id,account_id,amount,outcome,created_at,closed_at\n"
        "103,9001,1000.01,won,2026-10-05T00:00:00Z,2026-10-20T00:00:00Z\n",
        encoding="utf-8",
    )
    base = ("attribution", str(touches), str(deals), "--model", "linear", "--format", "json")
    status, text = run(*base, "--level", "account", "--leads", str(files["leads"]),
                       "--from", "hubspot")  # fmt: skip
    assert status == 0
    totals = json.loads(text)["totals"]["linear"]
    assert set(totals) == {"email", "webinar", "paid_search"}
    assert sum(Decimal(v) for v in totals.values()) == Decimal("1000.01")
    status, text = run(*base)
    assert json.loads(text)["totals"]["linear"] == {"paid_search": "1000.01"}
    assert run(*base, "--level", "account")[0] == 2  # no --leads


def test_library_agrees(files: dict[str, Path]) -> None:
    """The command's JSON is the library's ranking of the same rows."""
    from b2bfunnel.cli import read_events, read_leads
    from b2bfunnel.cli._tables import Reading

    class Args:
        crm = "hubspot"

    leads = read_leads(files["leads"], Reading(Args()))
    ranked = bf.Funnel().rank_accounts(
        leads, read_events(files["events"]),
        accounts=[{"id": "9001", "domain": "acme-iberica.es", "employees": "850"},
                  {"id": "9002", "domain": "nova.co.uk", "employees": "120"}],
        as_of=datetime.fromisoformat(AS_OF),
    )  # fmt: skip
    _, text = accounts(files, "--format", "json")
    assert [r["total"] for r in json.loads(text)] == [a.total for a in ranked]


def test_demo_shows_the_top_accounts_after_the_call_list() -> None:
    """The demo's accounts section follows the call list and is rank_accounts of the
    sample with its accounts file; the call list itself is unchanged (rank of leads)."""
    from b2bfunnel.cli import read_events, read_leads
    from b2bfunnel.cli._tables import Reading
    from b2bfunnel.cli.accounts import read_accounts
    from b2bfunnel.cli.demo import demo_file

    _, text = run("demo", "--top", "3")
    lines = text.splitlines()
    start = lines.index("Top accounts (contacts matched by e-mail domain; default account model)")
    assert start > next(i for i, line in enumerate(lines) if line.endswith("cold"))
    shown = [line.split()[1] for line in lines[start + 4 : start + 9]]
    leads = read_leads(demo_file("demo_leads.csv"))
    ranked = bf.Funnel().rank_accounts(
        leads, read_events(demo_file("demo_events.csv")),
        accounts=read_accounts(demo_file("demo_accounts.csv"), Reading()),
        as_of=datetime.fromisoformat(AS_OF),
    )  # fmt: skip
    assert shown == [a.account_id for a in ranked[:5]]
    assert len(ranked) >= 60 and all("email" in lead for lead in leads[:5])


def test_salesforce_accounts_export(files: dict[str, Path], tmp_path: Path) -> None:
    """``--from salesforce`` reads an Accounts report's headers; Salesforce contacts
    carry their ``AccountId``."""
    leads = tmp_path / "sf_leads.csv"
    leads.write_text(
        "Lead ID,Email,Title,AccountId\nC1,ana@x.com,CFO,001A\nC2,luis@acme.es,CTO,\n",
        encoding="utf-8",
    )
    accounts = tmp_path / "sf_accounts.csv"
    accounts.write_text(
        "Account ID,Account Name,Website,Employees,Billing Country\n"
        "001A,Acme SL,https://www.acme.es,900,Spain\n",
        encoding="utf-8",
    )
    status, text = run("accounts", "--leads", str(leads), "--events", str(files["events"]),
                       "--accounts", str(accounts), "--from", "salesforce", "--as-of", AS_OF,
                       "--format", "json")  # fmt: skip
    assert status == 0
    (row,) = json.loads(text)
    assert (row["account_id"], row["fit"]) == ("001A", 50.0)
    assert row["roles_present"] == ["economic_buyer", "technical_buyer"]


def test_attribution_by_contact_role(files: dict[str, Path], tmp_path: Path) -> None:
    """``--contact-roles``: a Salesforce OpportunityContactRole export (``--from
    salesforce``), a mapped file (``--map contact_roles.FIELD``) and ``[columns.
    contact_roles]`` each credit 9001's deal with the touches of 102 (its one role)
    only; without the table all three contacts' touches share it."""
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "lead_id,at,channel\n101,2026-10-01T09:00:00Z,email\n102,2026-10-02T09:00:00Z,webinar\n"
        "103,2026-10-03T09:00:00Z,paid_search\n",
        encoding="utf-8",
    )
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Opportunity ID,Account ID,Amount,Stage,Created Date,Close Date\n"
        "006X,9001,1000.01,Closed Won,2026-10-05T00:00:00Z,2026-10-20T00:00:00Z\n",
        encoding="utf-8",
    )
    salesforce = tmp_path / "roles.csv"
    salesforce.write_text(
        "Opportunity ID,Contact ID,Role,Is Primary\n006X,102,Technical Buyer,1\n", encoding="utf-8"
    )
    mapped = tmp_path / "roles_mapped.csv"
    mapped.write_text("Opp,Person,Rol\n006X,102,Decisor\n", encoding="utf-8")
    config = tmp_path / "funnel.toml"
    config.write_text(
        '[columns.contact_roles]\ndeal_id = "Opp"\nlead_id = "Person"\n', encoding="utf-8"
    )
    base = ("attribution", str(touches), str(deals), "--model", "linear", "--format", "json",
            "--level", "account", "--leads", str(files["leads"]))  # fmt: skip
    sf_leads = ("--map", "leads.id=Record ID", "--map", "leads.account_id=Associated Company ID")
    only_102 = {"webinar": "1000.01"}
    for options in (
        ("--from", "salesforce", *sf_leads, "--contact-roles", str(salesforce)),
        ("--from", "salesforce", *sf_leads, "--contact-roles", str(mapped),
         "--map", "contact_roles.deal_id=Opp", "--map", "contact_roles.lead_id=Person"),
        ("--from", "salesforce", *sf_leads, "--contact-roles", str(mapped),
         "--config", str(config)),
    ):  # fmt: skip
        status, text = run(*base, *options)
        assert status == 0, text
        assert json.loads(text)["totals"]["linear"] == only_102
    status, text = run(*base, "--from", "salesforce", *sf_leads)
    assert set(json.loads(text)["totals"]["linear"]) == {"email", "webinar", "paid_search"}
    lead_level = ("attribution", str(touches), str(deals), "--contact-roles", str(salesforce))
    assert run(*lead_level)[0] == 2
