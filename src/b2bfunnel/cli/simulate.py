"""``b2bfunnel simulate``: the nurture actions each lead would get on history."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from .._time import parse_datetime
from ..tables._columns import event_names
from ._args import add_table_options, funnel_of
from ._tables import EventTally, Reading, iter_events, read_leads, write_json, write_rows
from .score import report


def register(sub: Any) -> None:
    """Add the ``simulate`` subcommand to ``sub``."""
    sim = sub.add_parser("simulate", help="the nurture actions each lead would get on history")
    sim.add_argument("--leads", required=True, help="CSV with an id column and profile columns")
    sim.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    sim.add_argument("--until", required=True, help="ISO 8601 time with offset to run up to")
    sim.add_argument("--config", help="funnel TOML file")
    add_table_options(sim)
    sim.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """The actions each lead would get from the nurture flow, replayed on history."""
    funnel = funnel_of(args.config)
    until = parse_datetime(args.until, "--until")
    reading = Reading(args, funnel.input)
    leads = read_leads(Path(args.leads), reading)
    name_of = event_names([rule.event for rule in funnel.scoring.implicit], funnel.input.aliases)
    tally = EventTally(lead["id"] for lead in leads)
    events = iter_events(Path(args.events), reading, name_of, tally)
    results = funnel.simulate(leads, events, until=until)
    reading.check()
    report(funnel, leads, tally, reading)
    rows = [
        {
            "lead": lead_id,
            "at": action.at.isoformat(),
            "action": action.kind,
            "template": action.template or "",
            "status": action.status,
            "reason": action.reason,
        }
        for lead_id, (_, actions) in results.items()
        for action in actions
    ]
    if args.format == "json":
        payload = {
            lead_id: {"state": state.to_dict(), "actions": [a.to_dict() for a in actions]}
            for lead_id, (state, actions) in results.items()
        }
        return write_json(payload, out)
    write_rows(args, rows, out)
    if args.format == "table":
        statuses = Counter(state.status for state, _ in results.values())
        summary = ", ".join(f"{n} {status}" for status, n in statuses.most_common())
        out.write(f"\n{len(rows)} actions for {len(results)} leads; now: {summary}\n")
    return 0
