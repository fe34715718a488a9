"""``b2bfunnel funnel``: conversion, time in stage, SLA and rejection reasons."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from ..pipeline import funnel_metrics
from ..tables._kinds import LIFECYCLE_TIMES, lifecycle_fields
from ._args import add_table_options, positive
from ._tables import Reading, located, read_kind, write_json, write_rows


def register(sub: Any) -> None:
    """Add the ``funnel`` subcommand to ``sub``."""
    fun = sub.add_parser("funnel", help="conversion, time in stage, SLA, rejection reasons")
    fun.add_argument("lifecycle", help="CSV with lead_at, mql_at, sql_at, ... columns")
    fun.add_argument("--sla-hours", type=positive, default=24, help="SLA to contact an SQL (24)")
    add_table_options(fun)
    fun.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Conversion, time in stage, SLA and rejection reasons from lifecycle records."""
    path = Path(args.lifecycle)
    reading = Reading(args)
    table = read_kind(path, lifecycle_fields, (), reading, "leads")
    reading.require_any(path, LIFECYCLE_TIMES)
    hours = timedelta(hours=args.sla_hours)
    metrics = located({"records": table}, lambda: funnel_metrics(table.records, sla=hours))
    if args.format == "json":
        return write_json(metrics.to_dict(), out)
    rows = [
        {
            "stage": s.stage,
            "reached": s.reached,
            "converted": s.converted,
            "rate": "" if s.rate is None else f"{s.rate:.1%}",
            "median_days": "" if s.median_days is None else f"{s.median_days:.1f}",
            "p90_days": "" if s.p90_days is None else f"{s.p90_days:.1f}",
        }
        for s in metrics.stages
    ]
    write_rows(args, rows, out)
    if args.format == "table":
        share = "no SQL" if metrics.sla_share is None else f"{metrics.sla_share:.0%}"
        out.write(
            f"\nSQLs contacted within {metrics.sla_hours:g} h: {share} of {metrics.sqls}"
            f" ({metrics.never_contacted} never contacted)\n"
        )
        reasons = ", ".join(f"{r} {n}" for r, n in metrics.rejection_reasons.items()) or "none"
        out.write(f"Rejection reasons: {reasons}\n")
    return 0
