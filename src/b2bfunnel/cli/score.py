"""``b2bfunnel score``: score and rank the leads of a CRM export."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from .._score_row import json_row, score_row
from ..datareport import report_from_counts
from ..errors import InvalidInputError
from ..funnel import Funnel
from ..scoring import Score
from ..tables._columns import event_names
from ._args import add_table_options, as_of_of, funnel_of, positive
from ._event_scan import may_use_workers, rank_events, warm_up_workers
from ._tables import (
    EventTally,
    Reading,
    read_leads,
    write_json,
    write_rows,
)


def register(sub: Any) -> None:
    """Add the ``score`` subcommand to ``sub``."""
    score = sub.add_parser("score", help="score and rank leads from CSV files")
    score.add_argument("--leads", required=True, help="CSV with an id column and profile columns")
    score.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    score.add_argument("--config", help="funnel TOML file (default: the documented defaults)")
    score.add_argument("--as-of", help="ISO 8601 time with offset (default: now, UTC)")
    score.add_argument("--top", type=positive, help="show only the N best leads")
    score.add_argument(
        "--by-score",
        metavar="NAME",
        help="rank by the named score NAME of [scoring.scores] (default: the main score)",
    )
    score.add_argument(
        "--jobs",
        type=positive,
        help="processes reading the events file (default: 2 for a big file when two "
        "processors are free, else 1; at most 64)",
    )
    add_table_options(score)
    score.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Score and rank the leads of a CRM export."""
    funnel = funnel_of(args.config)
    as_of = as_of_of(args.as_of)
    by = funnel.scoring._check_by(args.by_score)
    reading = Reading(args, funnel.input)
    events = Path(args.events)
    if may_use_workers(events, args.jobs):
        warm_up_workers()  # they get ready while the leads are read
    leads = read_leads(Path(args.leads), reading)
    tally = EventTally(lead["id"] for lead in leads)
    json_out = args.format == "json"
    digest: Callable[[Score], dict[str, Any]] = json_row if json_out else score_row
    # Each score is reduced to what is written of it (in the process that scored it).
    entries = rank_events(
        events, reading, funnel.scoring, scoring_names(funnel), tally, leads, as_of, args.jobs,
        digest, by,
    )  # fmt: skip
    reading.check()
    report(funnel, leads, tally, reading)
    shown = entries[: args.top] if args.top else entries
    ranked = [{"rank": rank, **entry} for rank, entry in enumerate(shown, start=1)]
    if json_out:
        write_json(ranked, out)
    else:
        write_rows(args, ranked, out)
    if args.format == "table":
        bands = [entry["band"] for entry in entries]
        out.write("\n" + summary(bands, [b.name for b in funnel.scoring.bands]) + "\n")
    return 0


def scoring_names(funnel: Funnel) -> ScoringNames:
    """The name the funnel's model scores an event by (see :class:`ScoringNames`)."""
    return ScoringNames([rule.event for rule in funnel.scoring.implicit], funnel.input.aliases)


class ScoringNames:
    """The name a model scores an event by: the CRM's name read through ``aliases``
    onto one of the ``known`` rule events, then through ``aliases`` once more, as
    :meth:`Funnel.rank` reads the events it is given. A function that pickles (as its
    names and aliases), for the workers that read an events file."""

    def __init__(self, known: Sequence[str], aliases: Mapping[str, str]) -> None:
        self._state = (tuple(known), dict(aliases))
        self._first = event_names(known, aliases)
        self._again = event_names((), aliases) if aliases else None

    def __call__(self, name: str) -> str:
        found = self._first(name)
        return found if self._again is None else self._again(found)

    def __reduce__(self) -> tuple[type[ScoringNames], tuple[tuple[str, ...], dict[str, str]]]:
        return ScoringNames, self._state


def report(
    funnel: Funnel, leads: list[dict[str, str]], tally: EventTally, reading: Reading
) -> None:
    """Put the data report of the leads and counted events in ``reading``; a field
    mixing currencies is refused."""
    found = report_from_counts(
        funnel.scoring, leads, tally.names, tally.unknown, decimal=reading.decimal_given,
        strangers=tally.strangers,
    )  # fmt: skip
    if found.mixed_currencies:
        field, symbols = found.mixed_currencies[0]
        raise InvalidInputError(
            f"mixes currencies ({', '.join(symbols)}): amounts in different currencies "
            "cannot be compared; convert them to one",
            path=field,
        )
    for line in found.warnings():
        reading.warn(line)


def score_rows(
    scores: Sequence[Score], leads: dict[str, dict[str, str]], extra: Sequence[str]
) -> list[dict[str, Any]]:
    """One output row per score, best first, with the ``extra`` profile columns."""
    rows = []
    for rank, score in enumerate(scores, start=1):
        row: dict[str, Any] = {"rank": rank, "lead": score.lead_id}
        if extra:
            profile = leads.get(score.lead_id, {})
            for column in extra:
                row[column] = profile.get(column, "")
        row.update(score_row(score))
        rows.append(row)
    return rows


def summary(of: Sequence[str], bands: Sequence[str]) -> str:
    """``N leads: a hot, b warm, c cold`` of the leads' bands ``of``."""
    counts = {name: 0 for name in reversed(bands)}
    for band in of:
        counts[band] += 1
    parts = ", ".join(f"{n} {name}" for name, n in counts.items())
    return f"{len(of)} leads: {parts}"
