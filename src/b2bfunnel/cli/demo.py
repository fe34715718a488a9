"""``b2bfunnel demo``: today's call list from the sample data shipped inside."""

from __future__ import annotations

import argparse
import tomllib
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from ..accounts import match_accounts
from ..evaluation import time_split
from ..funnel import Funnel
from ..pipeline import compare_velocity
from ..surveys import nps_position, nps_report
from ..tables._kinds import outcome_fields
from ._args import positive
from ._tables import (
    Reading,
    read_deal_file,
    read_events,
    read_kind,
    read_leads,
    read_responses,
    write_table,
)
from .accounts import account_row, read_accounts
from .qualify import qualify_rows
from .score import score_rows, summary
from .velocity import lift_lines


def register(sub: Any) -> None:
    """Add the ``demo`` subcommand to ``sub``."""
    demo = sub.add_parser("demo", help="today's call list from sample data shipped inside")
    demo.add_argument("--top", type=positive, default=15, help="how many leads to list (15)")
    demo.set_defaults(run=run)


def demo_file(name: str) -> Path:
    """The path of a sample file shipped in the package's ``data`` folder."""
    return Path(str(resources.files("b2bfunnel").joinpath("data", name)))


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Today's call list from the sample CRM export shipped with the package."""
    meta = tomllib.loads(demo_file("demo.toml").read_text(encoding="utf-8"))
    as_of: datetime = meta["demo"]["as_of"]
    funnel = Funnel()
    leads = read_leads(demo_file("demo_leads.csv"))
    events = read_events(demo_file("demo_events.csv"))
    scores = funnel.rank(leads, events, as_of=as_of)
    by_id = {lead["id"]: lead for lead in leads}
    top = scores[: args.top]
    out.write(f"Today's call list, as of {as_of.isoformat()} (sample data, default model)\n\n")
    rows = score_rows(top, by_id, ["name", "company", "job_title"])
    stages = dict(
        qualify_rows(
            ((0, by_id[s.lead_id]) for s in top), demo_file("demo_leads.csv"), funnel, as_of, None
        )
    )
    rows = [
        {
            **{k: v for k, v in row.items() if k != "reasons"},
            "stage": stages[row["lead"]].stage.value,
            "reasons": row["reasons"],
        }
        for row in rows
    ]
    write_table(rows, out)
    bands = [score.band for score in scores]
    out.write("\n" + summary(bands, [b.name for b in funnel.scoring.bands]) + "\n")
    top_accounts(funnel, leads, events, as_of, out)
    survey = read_responses(demo_file("demo_survey.csv"))
    report = nps_report(survey, period="quarter")
    overall = report.overall
    sector = meta["demo"]["sector"]
    out.write(
        f"\nNPS of the sample survey: {overall.score:+.1f} "
        f"(±{overall.margin_of_error:.1f} at 95%, n={overall.n}); "
        f"{nps_position(overall.score, sector).label}\n"
    )
    quarters = ", ".join(
        f"{c.period} {c.result.score:+.0f} (n={c.result.n}: "
        f"{c.result.interval[0]:+.0f} to {c.result.interval[1]:+.0f})"
        for c in report.cells
    )
    out.write(f"By quarter, with 95% intervals: {quarters}\n")
    deals = read_deal_file(demo_file("demo_deals.csv"), Reading(), ()).records
    comparison = compare_velocity(deals, by="influenced", as_of=as_of, baseline="no")
    yes, no = comparison["yes"], comparison["no"]
    out.write(
        f"\nPipeline velocity of the sample deals, with 95% bootstrap intervals: KOL-influenced "
        f"{yes.velocity:,.0f}/day ({_deals(yes)}{_spread(yes)}) vs not {no.velocity:,.0f}/day "
        f"({_deals(no)}{_spread(no)})\n" + lift_lines(comparison)
    )
    out.write("\n" + scoring_check(meta["demo"]["evaluation"], leads, events) + "\n")
    return 0


def top_accounts(
    funnel: Funnel, leads: list[dict[str, str]], events: list[Any], as_of: datetime, out: TextIO
) -> None:
    """The five best accounts of the sample: contacts matched to its accounts file."""
    accounts = read_accounts(demo_file("demo_accounts.csv"), Reading())
    names = {row["id"]: row.get("name", "") for row in accounts}
    ranked = funnel.rank_accounts(leads, events, accounts=accounts, as_of=as_of)
    out.write("\nTop accounts (contacts matched by e-mail domain; default account model)\n\n")
    rows = []
    for rank, score in enumerate(ranked[:5], start=1):
        row = account_row(rank, score)
        head = {"rank": rank, "account": score.account_id, "name": names.get(score.account_id, "")}
        rows.append({**head, **{k: v for k, v in row.items() if k not in (*head, "reasons")}})
    write_table(rows, out)
    unmatched = match_accounts(leads, accounts).counts()["unmatched"]
    bands = ", ".join(f"{n} {band}" for band, n in ranked.bands().items())
    out.write(
        f"\n{len(ranked)} accounts: {bands}; {unmatched} of {len(leads)} contacts (free mail) "
        "match no account\n"
    )


def _deals(report: Any) -> str:
    """The n behind a velocity: the deals won, lost and open it is made of."""
    return f"n={report.won + report.lost + report.opportunities}: {report.won} won, " + (
        f"{report.lost} lost, {report.opportunities} open"
    )


def _spread(report: Any) -> str:
    """A velocity's bootstrap interval, when the comparison could draw one."""
    if report.interval is None:
        return ""
    return f"; {report.interval[0]:,.0f} to {report.interval[1]:,.0f}"


def scoring_check(setup: dict[str, Any], leads: list[dict[str, str]], events: list[Any]) -> str:
    """One line: the default model's AUC on the sample's outcomes, and a fitted model's."""
    outcomes = read_kind(demo_file("demo_outcomes.csv"), outcome_fields, kind="outcomes").records
    cutoff, days = setup["cutoff"], setup["horizon_days"]
    split = time_split(
        leads, events, outcomes, fit_cutoff=setup["fit_cutoff"], cutoff=cutoff, horizon_days=days
    )
    return (
        f"Default model: AUC {split.base.describe_auc()} on the leads as of "
        f"{cutoff.date().isoformat()} ({days}-day horizon); fitted as of "
        f"{setup['fit_cutoff'].date().isoformat()}: {split.learned.describe_auc()}, "
        f"difference {split.difference:+.2f} (see docs/evaluation.md)"
    )
