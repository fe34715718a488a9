"""``b2bfunnel velocity``: pipeline velocity of deals, overall or per cohort."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

import attrs

from ..pipeline import VelocityReport, compare_velocity, velocity_from_deals
from ._args import add_table_options, as_of_of, funnel_of
from ._tables import Reading, located, read_deal_file, write_json, write_rows


def register(sub: Any) -> None:
    """Add the ``velocity`` subcommand to ``sub``."""
    vel = sub.add_parser("velocity", help="pipeline velocity of deals, overall or per cohort")
    vel.add_argument("deals", help="CSV with created_at, amount, outcome, closed_at")
    vel.add_argument("--by", help="deal column to compare cohorts by (e.g. influenced)")
    vel.add_argument("--as-of", help="ISO 8601 time with offset (default: now, UTC)")
    vel.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    vel.add_argument("--config", help="funnel TOML file (its [input], [values], [currency])")
    add_table_options(vel)
    vel.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Pipeline velocity of a deals CSV, overall or per cohort."""
    path = Path(args.deals)
    reading = Reading(args, funnel_of(args.config).input)
    table = read_deal_file(path, reading, ["created_at", "amount", "outcome"])
    reading.check_column("--by", args.by, path)
    deals = table.records
    as_of = as_of_of(args.as_of)
    if args.by is None:
        report = located({"deals": table}, lambda: velocity_from_deals(deals, as_of=as_of))
        report = attrs.evolve(report, currency=table.currency)
        if args.format == "json":
            write_json(report.to_dict(), out)
        else:
            write_rows(args, [_velocity_row("all", report, table.currency)], out)
        return 0
    comparison = located(
        {"deals": table}, lambda: compare_velocity(deals, by=args.by, as_of=as_of, seed=args.seed)
    )
    if args.format == "json":
        return write_json(comparison.to_dict(), out)
    rows = [_velocity_row(key, report, table.currency) for key, report in comparison.items()]
    if args.format == "csv":
        # A CSV has no room for the lines under the table: each cohort's row carries them.
        rows = [
            {**_velocity_row(key, report, table.currency), **_lift_columns(comparison, key)}
            for key, report in comparison.items()
        ]
    write_rows(args, rows, out)
    if args.format == "table":
        out.write("\n" + lift_lines(comparison))
    return 0


def _velocity_row(key: Any, report: VelocityReport, currency: str | None) -> dict[str, Any]:
    def show(value: Any, places: int = 2) -> str:
        return "undefined" if value is None else f"{value:.{places}f}"

    return {
        "cohort": key,
        "open": report.opportunities,
        "won": report.won,
        "lost": report.lost,
        "avg_deal_value": show(report.avg_deal_value),
        "win_rate": show(report.win_rate, 3),
        "cycle_days": show(report.cycle_days, 1),
        "velocity_per_day": show(report.velocity),
        "currency": currency or "",
    }


def _lift_columns(comparison: Any, key: Any) -> dict[str, str]:
    """The comparison figures of one cohort against the baseline (blank for the baseline):
    relative velocity and cycle changes with their bootstrap intervals, the main lever."""
    lift = comparison.lifts.get(key)
    if lift is None:
        return dict.fromkeys(_LIFT_COLUMNS, "")

    def show(value: float | None) -> str:
        return "undefined" if value is None else f"{value:.3f}"

    velocity_low, velocity_high = lift.interval or (None, None)
    cycle_low, cycle_high = lift.cycle_interval or (None, None)
    return {
        "baseline": str(comparison.baseline),
        "velocity_change": show(lift.relative_velocity),
        "velocity_change_low": show(None if velocity_low is None else velocity_low - 1),
        "velocity_change_high": show(None if velocity_high is None else velocity_high - 1),
        "cycle_change": show(lift.relative_cycle),
        "cycle_change_low": show(cycle_low),
        "cycle_change_high": show(cycle_high),
        "main_lever": lift.main_lever or "",
    }


_LIFT_COLUMNS = (
    "baseline",
    "velocity_change",
    "velocity_change_low",
    "velocity_change_high",
    "cycle_change",
    "cycle_change_low",
    "cycle_change_high",
    "main_lever",
)


def lift_lines(comparison: Any) -> str:
    """One line per cohort: its velocity lift over the baseline and the main lever."""
    lines = []
    for key, lift in comparison.lifts.items():
        if lift.velocity_ratio is None:
            lines.append(f"{key} vs {comparison.baseline}: velocity undefined in a cohort\n")
            continue
        text = f"{key} vs {comparison.baseline}: velocity {lift.relative_velocity:+.0%}"
        if lift.interval:
            low, high = lift.interval
            text += f" (95% bootstrap: {low - 1:+.0%} to {high - 1:+.0%})"
        if lift.relative_cycle is not None:
            text += f", cycle {lift.relative_cycle:+.0%}"
            if lift.cycle_interval:
                low, high = lift.cycle_interval
                text += f" ({low:+.0%} to {high:+.0%})"
        if lift.main_lever:
            text += f"; main lever: {lift.main_lever.replace('_', ' ')}"
        lines.append(text + "\n")
    return "".join(lines)
