"""``b2bfunnel qualify``: stage, missing criteria and next question per lead."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO

from .._time import parse_datetime
from ..bant import Qualification, QualificationPolicy
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
    results = qualify_rows(
        reading.open(path, "answers", ["id"]), path, funnel, as_of, args.language
    )
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


def _answers_of(row: dict[str, str], policy: QualificationPolicy, where: str) -> dict[str, Any]:
    """The qualification answers in a CSV row: the policy's criteria columns, plus
    ``committee`` (roles separated by ``;``). Dates (YYYY-MM-DD...) become dates."""
    answers: dict[str, Any] = {}
    for criterion in policy.criteria:
        text = row.get(criterion.name)
        if text is None:
            continue
        if criterion.timing and text[:4].isdigit() and "-" in text:
            if "T" in text:
                answers[criterion.name] = parse_datetime(text, f"{where}:{criterion.name}")
            else:
                try:
                    answers[criterion.name] = date.fromisoformat(text)
                except ValueError:
                    raise InvalidInputError(
                        f"{text!r} is not a date (YYYY-MM-DD)", path=f"{where}:{criterion.name}"
                    ) from None
        else:
            answers[criterion.name] = text
    if row.get("committee"):
        answers["committee"] = [r.strip() for r in row["committee"].split(";") if r.strip()]
    return answers


def qualify_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    path: Path,
    funnel: Funnel,
    as_of: datetime | None,
    language: str | None,
) -> list[tuple[str, Qualification]]:
    """Qualify each CSV row (with an ``id``), errors located at file:line:column."""
    out = []
    for line, row in rows:
        where = f"{path}:{line}"
        answers = _answers_of(row, funnel.qualification, where)
        try:
            result = funnel.qualify(answers, as_of=as_of, language=language)
        except InvalidInputError as exc:
            column = exc.path.removeprefix("answers.").split("[")[0]
            raise exc.at(f"{where}:{column}") from None
        out.append((row.get("id", ""), result))
    return out
