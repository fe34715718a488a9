"""``b2bfunnel history``: one lead's score over time, step by step."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from .._time import parse_datetime
from ..errors import InvalidInputError
from ..scoring import TimelinePoint
from ..scoring._result import named_columns
from ._args import add_table_options, funnel_of
from ._tables import Reading, iter_events, read_leads, write_json, write_rows
from .score import scoring_names


def register(sub: Any) -> None:
    """Add the ``history`` subcommand to ``sub``."""
    history = sub.add_parser("history", help="one lead's score at each step of a period")
    history.add_argument("--lead", required=True, help="the id of the lead")
    history.add_argument("--leads", required=True, help="CSV with an id column and profile columns")
    history.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    history.add_argument("--config", help="funnel TOML file (default: the documented defaults)")
    history.add_argument("--start", required=True, help="first step: ISO 8601 time with offset")
    history.add_argument("--end", required=True, help="last step at most: ISO 8601 with offset")
    history.add_argument("--every", default="1d", help="step: N followed by h, d or w (default 1d)")
    add_table_options(history)
    history.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """One lead's score at each step from --start through --end."""
    funnel = funnel_of(args.config)
    start = parse_datetime(args.start, "--start")
    end = parse_datetime(args.end, "--end")
    reading = Reading(args, funnel.input)
    profile = _profile(read_leads(Path(args.leads), reading), args.lead)
    events = [
        event
        for event in iter_events(Path(args.events), reading, scoring_names(funnel))
        if event.lead_id == args.lead
    ]
    reading.check()
    timeline = funnel.scoring.history(profile, events, start=start, end=end, every=args.every)
    if args.format == "json":
        write_json(timeline.to_dict(), out)
        return 0
    write_rows(args, [_row(p) for p in timeline], out)
    return 0


def _row(point: TimelinePoint) -> dict[str, Any]:
    """One step: ``at``, ``score``, ``band``, ``grade``, then each named score's
    ``score.NAME`` and ``band.NAME`` (as ``b2bfunnel score`` names them)."""
    return {
        "at": point.at.isoformat(),
        "score": round(point.total, 1),
        "band": point.band,
        "grade": point.grade,
        **named_columns(point.scores, 1),
    }


def _profile(leads: list[dict[str, str]], lead_id: str) -> dict[str, str]:
    """The row of ``lead_id`` among ``leads``."""
    for lead in leads:
        if lead.get("id") == lead_id:
            return lead
    raise InvalidInputError(f"no lead {lead_id!r} in the leads file", path="--lead")
