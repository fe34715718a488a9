"""``b2bfunnel evaluate``: how well the scoring ranked leads, by what happened after a date."""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from .._time import parse_datetime
from ..evaluation import Evaluation, ThresholdSuggestion, evaluate
from ..events import Event
from ..funnel import Funnel
from ..tables._columns import event_names
from ..tables._kinds import outcome_fields
from ._args import add_table_options, funnel_of, positive
from ._tables import (
    Reading,
    Records,
    located,
    read_events,
    read_kind,
    read_leads,
    write_json,
    write_rows,
    write_table,
)


def register(sub: Any) -> None:
    """Add the ``evaluate`` subcommand to ``sub``."""
    cmd = sub.add_parser(
        "evaluate", help="check the scoring against outcomes: AUC, bands, deciles, threshold"
    )
    add_inputs(cmd)
    cmd.add_argument(
        "--cutoff",
        required=True,
        action="append",
        help="score as of this date or time (repeat for a pooled rolling backtest)",
    )
    cmd.add_argument("--capacity", type=positive, help="leads Sales can take per --per-days")
    cmd.add_argument("--per-days", type=positive, default=7, help="the capacity's period (7)")
    cmd.set_defaults(run=run)


def add_inputs(cmd: Any) -> None:
    """The input options ``evaluate`` and ``fit`` share."""
    cmd.add_argument("--leads", required=True, help="CSV with an id column and profile columns")
    cmd.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    cmd.add_argument(
        "--outcomes", required=True, help="CSV with lead_id, at: when each lead converted"
    )
    cmd.add_argument(
        "--horizon-days", type=float, default=90, help="days after the cutoff to count (90)"
    )
    cmd.add_argument("--config", help="funnel TOML file (default: the documented defaults)")
    add_table_options(cmd)


class Inputs(NamedTuple):
    """The three tables an evaluation reads."""

    leads: list[dict[str, str]]
    events: list[Event]
    outcomes: Records

    def located(self, call: Any) -> Any:
        """Run ``call``; a bad outcome is named by its file and line."""
        return located({"outcomes": self.outcomes}, call)


def read_inputs(args: argparse.Namespace, funnel: Funnel) -> Inputs:
    """Read ``--leads``, ``--events`` and ``--outcomes`` (event names through the
    configuration's ``[aliases]``, columns through ``--map`` and ``[columns.*]``)."""
    reading = Reading(args, funnel.input)
    name_of = event_names([r.event for r in funnel.scoring.implicit], funnel.input.aliases)
    leads = read_leads(Path(args.leads), reading)
    events = read_events(Path(args.events), reading, name_of)
    outcomes = read_kind(
        Path(args.outcomes), outcome_fields, ("lead_id", "at"), reading, kind="outcomes"
    )
    return Inputs(leads, events, outcomes)


def moment(text: str, option: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 time with offset."""
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
    except ValueError:
        return parse_datetime(text, option)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Evaluate the scoring at ``--cutoff`` against ``--outcomes``."""
    funnel = funnel_of(args.config)
    data = read_inputs(args, funnel)
    cutoffs = [moment(text, "--cutoff") for text in args.cutoff]
    when: dict[str, Any] = {"cutoff": cutoffs[0]} if len(cutoffs) == 1 else {"cutoffs": cutoffs}
    result = data.located(
        lambda: evaluate(
            funnel.scoring,
            data.leads,
            data.events,
            data.outcomes.records,
            horizon_days=args.horizon_days,
            **when,
        )
    )
    suggestion = suggest(result, args.capacity, args.per_days)
    if args.format == "json":
        return write_json({**result.to_dict(), "suggested_threshold": suggestion.to_dict()}, out)
    if args.format == "csv":
        write_rows(args, section_rows(result), out)
        return 0
    out.write(headline(result) + "\n")
    for warning in result.warnings:
        out.write(f"warning: {warning}\n")
    out.write("\nBy band\n")
    write_table(rate_rows("band", result.by_band.items()), out)
    out.write("\nBy decile (best first)\n")
    write_table(decile_rows(result), out)
    out.write("\n" + threshold_line(suggestion) + "\n")
    return 0


def suggest(result: Evaluation, capacity: int | None, per_days: int) -> ThresholdSuggestion:
    """By capacity when given, else the lowest threshold converting at twice the average."""
    if capacity is not None:
        return result.threshold_for(capacity=capacity, per_days=per_days)
    return result.threshold_for(rate=min(0.99, 2 * result.rate) or 0.5, per_days=per_days)


def headline(result: Evaluation) -> str:
    """One line: AUC with interval, Gini, KS and the counts behind them."""
    when = ", ".join(c.date().isoformat() for c in result.cutoffs)
    counts = (
        f"{result.n} leads at {when}, {result.positives} converted within "
        f"{result.horizon_days:g} days ({result.excluded} had converted before, "
        f"{result.unknown_outcomes} outcomes of unknown leads)"
    )
    if result.auc is None:
        return f"AUC n/a; {counts}"
    return f"AUC {result.describe_auc()}, Gini {result.gini:.2f}, KS {result.ks:.2f}; {counts}"


def rate_rows(label: str, items: Any) -> list[dict[str, Any]]:
    """Rows of named conversion rates."""
    return [
        {
            label: name,
            "leads": r.n,
            "converted": r.conversions,
            "rate": round(r.rate, 4),
            "low": round(r.interval[0], 4),
            "high": round(r.interval[1], 4),
        }
        for name, r in items
    ]


def decile_rows(result: Evaluation) -> list[dict[str, Any]]:
    """One row per decile, best first."""
    return [
        {
            "decile": d.decile,
            "scores": f"{d.low:.1f}-{d.high:.1f}",
            "leads": d.n,
            "converted": d.conversions,
            "rate": round(d.rate, 4),
            "lift": round(d.lift, 2),
            "capture": round(d.capture, 4),
        }
        for d in result.deciles
    ]


def section_rows(result: Evaluation) -> list[dict[str, Any]]:
    """Bands, grades and deciles in one CSV: ``section``, ``group`` and the figures."""
    rows: list[dict[str, Any]] = []
    for section, table in (("band", result.by_band), ("grade", result.by_grade)):
        for row in rate_rows("group", table.items()):
            rows.append({"section": section, **row, "lift": "", "capture": ""})
    for d in result.deciles:
        rows.append(
            {
                "section": "decile",
                "group": f"{d.decile} ({d.low:.1f}-{d.high:.1f})",
                "leads": d.n,
                "converted": d.conversions,
                "rate": round(d.rate, 4),
                "low": round(d.stats.interval[0], 4),
                "high": round(d.stats.interval[1], 4),
                "lift": round(d.lift, 2),
                "capture": round(d.capture, 4),
            }
        )
    return rows


def threshold_line(suggestion: ThresholdSuggestion) -> str:
    """The suggested hot threshold and how its leads converted."""
    if suggestion.threshold is None:
        return f"No threshold suggested: {suggestion.reason}."
    s = suggestion.stats
    return (
        f"Suggested hot threshold: {suggestion.threshold:.1f} ({suggestion.reason}); "
        f"{s.conversions} of {s.n} leads at or above it converted, {s.rate:.1%} "
        f"({s.interval[0]:.1%}-{s.interval[1]:.1%})"
    )
