"""``b2bfunnel attribution``: multi-touch attribution of won-deal value."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import attrs

from ..errors import InvalidInputError
from ..pipeline import MARKOV_SPLITS, MODELS, AttributionReport, attribute
from ..tables._kinds import Converter, account_fields, contact_role_fields, touch_fields
from ..tables._shapes import salesforce_id_hint
from ._args import add_table_options, funnel_of, positive
from ._flags import as_flags
from ._tables import (
    Reading,
    Records,
    located,
    read_deal_file,
    read_kind,
    read_leads,
    write_json,
    write_rows,
)


def register(sub: Any) -> None:
    """Add the ``attribution`` subcommand to ``sub``."""
    att = sub.add_parser("attribution", help="multi-touch attribution of won-deal value")
    att.add_argument("touches", help="CSV with lead_id, at, channel (campaign, kol)")
    att.add_argument("deals", help="CSV with lead_id, amount, outcome, created_at, closed_at")
    att.add_argument("--model", choices=(*MODELS, "all"), default="all")
    att.add_argument("--by", choices=("channel", "campaign", "kol"), default="channel")
    att.add_argument("--lookback-days", type=positive, default=90, help="lookback window (90)")
    att.add_argument(
        "--minor-unit", default="0.01", help="credits are whole minor units (0.01; 1 for yen)"
    )
    att.add_argument(
        "--markov-split",
        choices=MARKOV_SPLITS,
        default="journey",
        help="Markov money split: per journey, per touch (DP6) or global (ChannelAttribution)",
    )
    att.add_argument(
        "--non-converting-after-days",
        type=positive,
        default=90,
        help="count a lead without a deal as a Markov non-conversion once quiet this long (90)",
    )
    att.add_argument("--config", help="funnel TOML file (its [input], [values], [currency])")
    att.add_argument(
        "--level",
        choices=("lead", "account"),
        default="lead",
        help="credit a deal with its lead's touches, or with every contact's of its account",
    )
    att.add_argument(
        "--leads",
        help="CSV of the contacts (id, e-mail...), matched to accounts for --level account",
    )
    att.add_argument(
        "--accounts",
        metavar="FILE",
        help="CSV of the accounts (id, domain, name): with --level account, contacts are "
        "matched to its ids, as deals' account_id name them",
    )
    att.add_argument(
        "--contact-roles",
        metavar="FILE",
        help="CSV of opportunity contact roles (deal_id, lead_id, role; Salesforce's "
        "Opportunity ID, Contact ID, Role): with --level account, a deal is credited only "
        "with the touches of its contacts with a role",
    )
    add_table_options(att)
    att.set_defaults(run=run)


def _account_file(
    args: argparse.Namespace,
    reading: Reading,
    flag: str,
    purpose: str,
    kind: str,
    convert: Converter,
    required: list[str],
) -> Records | None:
    """The file of ``flag`` (read by its kind's converter), which only ``--level
    account`` reads: ``purpose`` says why; None when the flag is not given."""
    given = getattr(args, flag.removeprefix("--").replace("-", "_"))
    if not given:
        return None
    if args.level != "account":
        raise InvalidInputError(f"{flag} {purpose}: add --level account", path=flag)
    return read_kind(Path(given), convert, required, reading, kind)


def _hint_short_ids(reading: Reading, touches: Records, deals: Records) -> None:
    """Warn of lead ids that are the 15-character form of the other file's 18."""
    short = salesforce_id_hint(
        (str(t.get("lead_id")) for t in touches.records),
        (str(d.get("lead_id")) for d in deals.records),
    )
    if short:
        reading.warn(
            f"{short} lead ids are 15-character Salesforce ids whose 18-character form is "
            "in the other file: export both with the same form (the 18-character one)"
        )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Credit of won-deal value per channel, campaign or KOL, model by model."""
    reading = Reading(args, funnel_of(args.config).input)
    touches = read_kind(
        Path(args.touches), touch_fields, ["lead_id", "at", "channel"], reading, "touches"
    )
    # By account, a deal may name its account_id instead of a lead.
    keys = ["lead_id"] if args.level == "lead" else []
    deals = read_deal_file(Path(args.deals), reading, [*keys, "amount", "outcome", "created_at"])
    reading.check_column("--by", args.by, Path(args.touches))
    _hint_short_ids(reading, touches, deals)
    if args.level == "account" and not args.leads:
        raise InvalidInputError("--level account needs --leads FILE (the contacts)", path="--leads")
    contacts = read_leads(Path(args.leads), reading) if args.level == "account" else None
    accounts = _account_file(
        args, reading, "--accounts", "matches the contacts of an account", "accounts",
        account_fields, ["id"],
    )  # fmt: skip
    tables = {"touches": touches, "deals": deals}
    roles = _account_file(
        args, reading, "--contact-roles", "credits the contacts of an account",
        "contact_roles", contact_role_fields, ["deal_id", "lead_id"],
    )  # fmt: skip
    if roles is not None:
        tables["contact_roles"] = roles
    models = MODELS if args.model == "all" else (args.model,)
    report = located(
        tables,
        lambda: attribute(
            touches.records,
            deals.records,
            models=models,
            by=args.by,
            lookback_days=args.lookback_days,
            minor_unit=args.minor_unit,
            markov_split=args.markov_split,
            non_converting_after_days=args.non_converting_after_days,
            level=args.level,
            contacts=contacts,
            contact_roles=None if roles is None else roles.records,
            accounts=None if accounts is None else accounts.records,
            # Touch values in several currencies are converted as the deals' were.
            currency=reading.currencies.base,
            rates=dict(reading.currencies.rates) or None,
            skip_invalid=reading.bad.skip,
        ),
    )
    # A note on skipped deals is about the deals file; the others about the touches.
    reading.notes.extend(
        as_flags(f"{args.deals if ' bad deal' in note else args.touches}: {note}")
        for note in report.notes
    )
    if report.currency is None and deals.currency is not None:
        report = attrs.evolve(report, currency=deals.currency)
    return _write(args, report, out)


def _write(args: argparse.Namespace, report: AttributionReport, out: TextIO) -> int:
    """The report as JSON, or its rows (csv or table; the table with its sums)."""
    if args.format == "json":
        return write_json(report.to_dict(), out)
    rows = [{k: str(v) for k, v in row.items()} for row in report.rows()]
    write_rows(args, rows, out)
    if args.format == "table":
        code = f" {report.currency}" if report.currency else ""
        out.write(
            f"\n{report.won_deals} won deals worth {report.revenue}{code}; "
            f"unattributed {report.unattributed}{code}; credited {report.attributed}{code}; "
            f"{report.unattributed_touches} touches after their {report.level}'s last deal or "
            "with no deal\n"
        )
    return 0
