"""``b2bfunnel nps``: NPS of survey answers, by segment and period."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from ..surveys import NPSResult, Report, nps_position, nps_report
from ._args import add_table_options, positive
from ._tables import Reading, read_responses, write_json, write_rows


def register(sub: Any) -> None:
    """Add the ``nps`` subcommand to ``sub``."""
    survey = sub.add_parser("nps", help="NPS of survey answers, by segment and period")
    survey.add_argument("responses", help="CSV with a 0..10 score column")
    survey.add_argument("--score-column", default="score", help="column of the score (score)")
    survey.add_argument("--at-column", default="at", help="column of the answer time (at)")
    survey.add_argument("--by", help="segment column to report by")
    survey.add_argument("--period", choices=("month", "quarter"), help="report by period")
    survey.add_argument("--sector", help="compare with the sector benchmark (e.g. saas)")
    survey.add_argument("--min-n", type=positive, default=30, help="flag smaller cells (30)")
    add_table_options(survey)
    survey.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """NPS of a survey export, by segment and/or period, with margins of error."""
    reading = Reading(args)
    responses = read_responses(Path(args.responses), args.score_column, args.at_column, reading)
    reading.check_column("--by", args.by, Path(args.responses))
    if args.period:
        reading.check_column("--at-column", args.at_column, Path(args.responses))
    report = nps_report(responses, by=args.by, period=args.period, min_n=args.min_n)
    position = nps_position(report.overall.score, args.sector) if args.sector else None
    if args.format == "json":
        payload = report.to_dict()
        if position is not None:
            payload["position"] = position.to_dict()
        return write_json(payload, out)
    write_rows(args, _nps_rows(report), out)
    if args.format == "table" and position is not None:
        out.write(f"\nNPS {report.overall.score:+.1f}: {position.label}\n")
    return 0


def _nps_rows(report: Report) -> list[dict[str, Any]]:
    rows = []
    cells = [(c.segment, c.period, c.result, c.small) for c in report.cells]
    if report.by is not None or report.period is not None:
        cells.append(
            (
                "(all)" if report.by else None,
                "(all)" if report.period else None,
                report.overall,
                report.overall.n < report.min_n,
            )
        )
    else:
        cells = [(None, None, report.overall, report.overall.n < report.min_n)]
    for segment, period, result, small in cells:
        row: dict[str, Any] = {}
        if report.by is not None:
            row[report.by] = segment
        if report.period is not None:
            row["period"] = period
        row.update(_nps_figures(result))
        notes = [f"n < {report.min_n}: too few to trust"] if small else []
        if result.method == "adjusted_wald":  # the interval is not score +- margin
            notes.append("adjusted-Wald interval (Rocks 2016)")
        row["note"] = "; ".join(notes)
        rows.append(row)
    return rows


def _nps_figures(result: NPSResult) -> dict[str, Any]:
    low, high = result.interval
    return {
        "n": result.n,
        "nps": round(result.score, 1),
        "margin": round(result.margin_of_error, 1),
        "low": round(low, 1),
        "high": round(high, 1),
        "promoters": result.promoters,
        "passives": result.passives,
        "detractors": result.detractors,
    }
