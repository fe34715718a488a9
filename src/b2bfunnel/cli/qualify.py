"""``b2bfunnel qualify``: stage, missing criteria and next question per lead."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from ..bant import Qualification
from ..errors import InvalidInputError
from ..funnel import Funnel
from ._args import add_table_options, as_of_of, funnel_of
from ._tables import Reading, write_json, write_rows


def register(sub: Any) -> None:
    """Add the ``qualify`` subcommand to ``sub``."""
    qual = sub.add_parser("qualify", help="stage, missing criteria and next question per lead")
    qual.add_argument("answers", help="CSV with an id column and a column per criterion")
    qual.add_argument("--config", help="funnel TOML file (its [qualification] section)")
    qual.add_argument("--as-of", help="ISO 8601 time with offset, to judge dates (default: now)")
    qual.add_argument("--language", choices=("en", "es"), help="language of the questions")
    add_table_options(qual)
    qual.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Stage, missing criteria and next question for each lead of a CSV."""
    funnel = funnel_of(args.config)
    as_of = as_of_of(args.as_of)
    path = Path(args.answers)
    reading = Reading(args, funnel.input)
    rows = (
        (line, reading.values.relabel(row)) for line, row in reading.open(path, "answers", ["id"])
    )
    results = qualify_rows(rows, path, funnel, as_of, args.language, reading)
    reading.check()
    if args.format == "json":
        payload = [{"lead": lead, **q.to_dict()} for lead, q in results]
        return write_json(payload, out)
    table = [
        {
            "lead": lead,
            "stage": q.stage.value,
            "missing": ", ".join(q.missing),
            "next_question": q.next_question or "",
        }
        for lead, q in results
    ]
    write_rows(args, table, out)
    return 0


def qualify_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    path: Path,
    funnel: Funnel,
    as_of: datetime | None,
    language: str | None,
    reading: Reading | None = None,
) -> list[tuple[str, Qualification]]:
    """Qualify each CSV row (with an ``id``), errors located at file:line:column; with
    ``reading``, bad rows are collected there instead of raised."""
    out = []
    for line, row in rows:
        try:
            result = funnel.qualify(row, as_of=as_of, language=language, ignore_unknown=True)
        except InvalidInputError as exc:
            parts = exc.parts[1:] if exc.parts[:1] == ("answers",) else exc.parts
            error = exc.at(f"{path}:{line}:{parts[0] if parts else ''}")
            if reading is None:
                raise error from None
            reading.bad.add(error)
            continue
        out.append((row.get("id", ""), result))
    return out
