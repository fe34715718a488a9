"""``b2bfunnel accounts``: today's accounts to work, from a CRM export."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from ..accounts import AccountScore, match_accounts
from ..tables._kinds import account_fields
from ._args import add_table_options, as_of_of, funnel_of, positive
from ._tables import Reading, read_events, read_kind, read_leads, write_json, write_rows
from .score import scoring_names


def register(sub: Any) -> None:
    """Add the ``accounts`` subcommand to ``sub``."""
    cmd = sub.add_parser("accounts", help="rank accounts (buying groups) from CSV files")
    cmd.add_argument(
        "--leads", required=True, help="CSV with id and e-mail, website, company or account_id"
    )
    cmd.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    cmd.add_argument(
        "--accounts", help="CSV with the accounts: id, domain, name and the fields fit rules read"
    )
    cmd.add_argument("--config", help="funnel TOML file (default: the documented defaults)")
    cmd.add_argument("--as-of", help="ISO 8601 time with offset (default: now, UTC)")
    cmd.add_argument("--top", type=positive, help="show only the N best accounts")
    cmd.add_argument(
        "--by-name",
        action="store_true",
        help="also match contacts by company name (as [accounts] by_name = true)",
    )
    add_table_options(cmd)
    cmd.set_defaults(run=run)


def read_accounts(path: Path, reading: Reading) -> list[dict[str, Any]]:
    """The accounts table of a CSV file, every non-blank cell as text."""
    return read_kind(path, account_fields, ["id"], reading, "accounts").records


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Rank the accounts of a CRM export, best first, with what to do next."""
    funnel = funnel_of(args.config)
    if args.by_name:
        funnel = funnel.from_dict({**funnel.to_dict(), "accounts": {
            **funnel.accounts.to_dict(), "by_name": True}})  # fmt: skip
    as_of = as_of_of(args.as_of)
    reading = Reading(args, funnel.input)
    leads = read_leads(Path(args.leads), reading)
    accounts = read_accounts(Path(args.accounts), reading) if args.accounts else None
    events = read_events(Path(args.events), reading, scoring_names(funnel))
    for line in match_accounts(leads, accounts, by_name=funnel.accounts.by_name).warnings():
        reading.warn(line)
    ranked = funnel.rank_accounts(leads, events, accounts=accounts, as_of=as_of)
    shown = ranked[: args.top] if args.top else ranked
    if args.format == "json":
        return write_json([{"rank": r, **s.to_dict()} for r, s in enumerate(shown, 1)], out)
    write_rows(args, [account_row(rank, s) for rank, s in enumerate(shown, 1)], out)
    if args.format == "table":
        bands = ", ".join(f"{n} {band}" for band, n in ranked.bands().items())
        out.write(f"\n{len(ranked)} accounts: {bands or 'none'}\n")
    return 0


def account_row(rank: int, score: AccountScore) -> dict[str, Any]:
    """The output row of an account: rank, account, score, band, grade, engaged
    contacts, roles missing, reasons (fit rules and the contacts that count most)."""
    parts = [(rule, points) for rule, points in score.rules.items()]
    parts += sorted(score.shares.items(), key=lambda item: (-abs(item[1]), item[0]))[:3]
    reasons = "; ".join(f"{name} {round(points, 1):+g}" for name, points in parts if points)
    return {
        "rank": rank,
        "account": score.account_id,
        "score": round(score.total, 1),
        "band": score.band,
        "grade": score.grade,
        "engaged": score.breadth.engaged,
        "roles_missing": ", ".join(score.roles_missing),
        "reasons": reasons,
        "next": score.next_action.describe() if score.next_action else "",
    }
