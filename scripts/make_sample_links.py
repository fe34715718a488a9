"""Link the shipped sample data so that every module runs on it (deterministic).

Reads the sample files that ``scripts/make_demo_data.py`` writes and, without changing
any of their rows or values, adds:

- to ``demo_deals.csv`` the columns ``lead_id``, ``account_id`` (the lead's account, by
  ``b2bfunnel.match_accounts`` against ``demo_accounts.csv``) and ``lead_created_at``;
- ``demo_touches.csv``: marketing touches (``lead_id, at, channel, campaign, kol``) for
  ``bf.attribute``; every deal influenced by a KOL has a KOL touch in its journey;
- ``demo_lifecycle.csv``: each lead's stage dates (``lead_at`` … ``won_at``, first
  contact, rejection) for ``bf.funnel_metrics``, consistent with its deals.

The won deals whose opportunity opened nearest each converter's conversion time in
``demo_outcomes.csv`` are that converter's deals. Run from the repository root:
``PYTHONPATH=src python scripts/make_sample_links.py``.
"""

from __future__ import annotations

import csv
import random
import sys
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import b2bfunnel as bf  # noqa: E402

DATA = ROOT / "src" / "b2bfunnel" / "data"
AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
SEED = 20261123
DEAL_COLUMNS = ["deal_id", "created_at", "amount", "influenced", "outcome", "closed_at"]
LINK_COLUMNS = ["lead_id", "account_id", "lead_created_at"]
# Channel, weight, campaigns; the KOL channels name the KOL whose content it was.
CHANNELS = [
    ("email", 30, ["newsletter", "nurture_welcome", "case_study_mail"]),
    ("paid_search", 15, ["brand_search", "generic_search"]),
    ("organic_search", 15, [""]),
    ("linkedin_ads", 12, ["it_leaders_abm", "compliance_guide"]),
    ("webinar", 12, ["cloud_security_webinar", "scaling_webinar"]),
    ("event", 6, ["madrid_summit", "partner_breakfast"]),
]
KOL_CHANNELS = [("kol_webinar", ["kol_live_session"]), ("kol_post", ["kol_linkedin_post"])]
KOLS = ["Ana Ruiz", "Tech Leaders Podcast", "Carlos Vidal"]
REASONS = ["No budget", "no budget", "Wrong contact", "Timing", "Chose a competitor"]


def read(data: Path, name: str) -> list[dict[str, str]]:
    """The rows of one sample file."""
    with open(data / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def write(data: Path, name: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    """Write one sample file, its columns in this order."""
    with open(data / name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def when(text: str) -> datetime:
    """An ISO 8601 time of the sample files."""
    return datetime.fromisoformat(text)


def iso(at: datetime) -> str:
    """A time as the sample files write it: to the second, UTC offset."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat()


def assign_deals(
    deals: list[dict[str, str]],
    outcomes: list[dict[str, str]],
    account_of: dict[str, str | None],
    rng: random.Random,
) -> dict[str, str]:
    """deal_id -> lead_id: each converter gets the unassigned deal whose opportunity
    opened nearest its conversion; the rest go to contacts with an account, recent ones
    mostly to the accounts of converters (a buying group buys again)."""
    owner: dict[str, str] = {}
    for row in sorted(outcomes, key=lambda r: (r["at"], r["lead_id"])):
        at = when(row["at"])
        free = [d for d in deals if d["deal_id"] not in owner]
        nearest = min(free, key=lambda d: (abs(when(d["created_at"]) - at), d["deal_id"]))
        owner[nearest["deal_id"]] = row["lead_id"]
    matched = sorted(lead for lead, account in account_of.items() if account)
    converting = {account_of[r["lead_id"]] for r in outcomes} - {None}
    buying = [lead for lead in matched if account_of[lead] in converting]
    recent = AS_OF - timedelta(days=270)
    for deal in deals:
        if deal["deal_id"] in owner:
            continue
        pool = buying if when(deal["created_at"]) >= recent and rng.random() < 0.6 else matched
        owner[deal["deal_id"]] = rng.choice(pool)
    return owner


def journey(lead_id: str, deal: dict[str, str], rng: random.Random) -> list[dict[str, str]]:
    """A deal's touches: one to five in the 90 days before its opportunity opened, a
    KOL's among them when the deal was KOL-influenced, and at most one while open."""
    created = when(deal["created_at"])
    touches = []
    for _ in range(rng.randint(1, 5)):
        at = created - timedelta(days=rng.uniform(1, 88), minutes=rng.randrange(1440))
        touches.append(touch(lead_id, at, rng, kol=False))
    if deal["influenced"] == "yes":
        at = created - timedelta(days=rng.uniform(2, 60), minutes=rng.randrange(1440))
        touches.append(touch(lead_id, at, rng, kol=True))
    end = when(deal["closed_at"]) if deal["closed_at"] else AS_OF
    if rng.random() < 0.5 and end - created > timedelta(days=2):
        at = created + (end - created) * rng.uniform(0.1, 0.9)
        touches.append(touch(lead_id, at, rng, kol=False))
    return touches


def touch(lead_id: str, at: datetime, rng: random.Random, *, kol: bool) -> dict[str, str]:
    """One touch of a lead on a channel drawn by weight (a KOL's when ``kol``)."""
    if kol:
        channel, campaigns = rng.choice(KOL_CHANNELS)
        return {
            "lead_id": lead_id,
            "at": iso(at),
            "channel": channel,
            "campaign": rng.choice(campaigns),
            "kol": rng.choice(KOLS),
        }
    channel, _weight, campaigns = rng.choices(CHANNELS, weights=[c[1] for c in CHANNELS])[0]
    return {
        "lead_id": lead_id,
        "at": iso(at),
        "channel": channel,
        "campaign": rng.choice(campaigns),
        "kol": "",
    }


def stage_dates(  # long: one lead's whole lifecycle, stage by stage, in one place
    lead_id: str,
    start: datetime,
    deals: list[dict[str, str]],
    rng: random.Random,
) -> dict[str, str]:
    """One lead's lifecycle record: stages in order, none after the data's end."""
    row = {"lead_id": lead_id, "lead_at": iso(start)}
    if deals:
        opportunity = min(when(d["created_at"]) for d in deals)
        mql = start + (opportunity - start) * rng.uniform(0.1, 0.4)
        sql = mql + (opportunity - mql) * rng.uniform(0.3, 0.8)
        contact = min(sql + timedelta(hours=rng.expovariate(1 / 18)), opportunity)
        row.update(
            mql_at=iso(mql),
            sql_at=iso(sql),
            first_contact_at=iso(contact),
            opportunity_at=iso(opportunity),
        )
        won = [when(d["closed_at"]) for d in deals if d["outcome"] == "won"]
        if won:
            row["won_at"] = iso(min(won))
        return row
    if rng.random() >= 0.45:
        return row
    mql = start + timedelta(days=rng.uniform(1, 30), minutes=rng.randrange(1440))
    if mql > AS_OF:
        return row
    row["mql_at"] = iso(mql)
    if rng.random() >= 0.45:
        if rng.random() < 0.25:
            rejected = mql + timedelta(days=rng.uniform(1, 15))
            if rejected <= AS_OF:
                row.update(rejected_at=iso(rejected), rejection_reason=rng.choice(REASONS))
        return row
    sql = mql + timedelta(days=rng.uniform(2, 20), minutes=rng.randrange(1440))
    if sql > AS_OF:
        return row
    row["sql_at"] = iso(sql)
    contact = sql + timedelta(hours=rng.expovariate(1 / 30))
    if rng.random() < 0.9 and contact <= AS_OF:
        row["first_contact_at"] = iso(contact)
    rejected = sql + timedelta(days=rng.uniform(1, 12))
    if rng.random() < 0.6 and rejected <= AS_OF:
        row.update(rejected_at=iso(rejected), rejection_reason=rng.choice(REASONS))
    return row


def main(data: Path = DATA) -> None:
    """Rewrite ``demo_deals.csv`` in ``data`` with its links and write the touches and
    lifecycle files beside it."""
    rng = random.Random(SEED)
    leads = read(data, "demo_leads.csv")
    match = bf.match_accounts(leads, read(data, "demo_accounts.csv"))
    account_of = {lead["id"]: match.account_of(lead["id"]) for lead in leads}
    deals = [{k: row[k] for k in DEAL_COLUMNS} for row in read(data, "demo_deals.csv")]
    owner = assign_deals(deals, read(data, "demo_outcomes.csv"), account_of, rng)
    by_lead: dict[str, list[dict[str, str]]] = defaultdict(list)
    touches: list[dict[str, str]] = []
    for deal in deals:
        by_lead[owner[deal["deal_id"]]].append(deal)
        touches += journey(owner[deal["deal_id"]], deal, rng)
    first_event: dict[str, datetime] = {}
    for event in read(data, "demo_events.csv"):
        at = when(event["at"])
        first_event[event["lead_id"]] = min(at, first_event.get(event["lead_id"], at))
    for lead in leads:  # leads with no deal: a few touches around their first events
        if lead["id"] not in by_lead and lead["id"] in first_event:
            for _ in range(rng.randint(0, 3)):
                at = first_event[lead["id"]] + timedelta(days=rng.uniform(-30, 60))
                touches.append(touch(lead["id"], min(at, AS_OF), rng, kol=rng.random() < 0.1))
    touches.sort(key=lambda t: (t["at"], t["lead_id"], t["channel"]))
    first_touch: dict[str, datetime] = {}
    for row in touches:
        at = when(row["at"])
        first_touch[row["lead_id"]] = min(at, first_touch.get(row["lead_id"], at))
    lifecycle = []
    for lead in leads:
        known = [t[lead["id"]] for t in (first_event, first_touch) if lead["id"] in t]
        start = min(known) if known else AS_OF - timedelta(days=rng.uniform(1, 200))
        lifecycle.append(stage_dates(lead["id"], start, by_lead[lead["id"]], rng))
    start_of = {row["lead_id"]: row["lead_at"] for row in lifecycle}
    linked: list[dict[str, Any]] = [
        {
            **deal,
            "lead_id": owner[deal["deal_id"]],
            "account_id": account_of[owner[deal["deal_id"]]] or "",
            "lead_created_at": start_of[owner[deal["deal_id"]]],
        }
        for deal in deals
    ]
    write(data, "demo_deals.csv", DEAL_COLUMNS + LINK_COLUMNS, linked)
    write(data, "demo_touches.csv", ["lead_id", "at", "channel", "campaign", "kol"], touches)
    stages = ["lead_at", "mql_at", "sql_at", "first_contact_at", "opportunity_at", "won_at"]
    write(
        data,
        "demo_lifecycle.csv",
        ["lead_id", *stages, "rejected_at", "rejection_reason"],
        lifecycle,
    )


if __name__ == "__main__":
    main()
