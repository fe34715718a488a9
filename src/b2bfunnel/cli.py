"""The ``b2bfunnel`` command line: parse arguments, call the facade, format output."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from ._time import parse_datetime
from .errors import B2BFunnelError, InvalidInputError
from .events import Event
from .funnel import Funnel
from .scoring import Score

FORMATS = ("table", "csv", "json")
_RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# --- reading CSV ------------------------------------------------------------------


def _rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    """``(line number, row)`` of a CSV file with a header; blank cells dropped."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            try:
                for row in reader:
                    if None in row:
                        raise InvalidInputError(
                            "more cells than header columns", path=f"{path}:{reader.line_num}"
                        )
                    cells = {k: v.strip() for k, v in row.items() if v and v.strip()}
                    yield reader.line_num, cells
            except csv.Error as exc:
                raise InvalidInputError(
                    f"not valid CSV: {exc}", path=f"{path}:{reader.line_num}"
                ) from None
            except UnicodeDecodeError:
                raise InvalidInputError("not UTF-8 text", path=str(path)) from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read: {exc.strerror}", path=str(path)) from None


def _require_columns(path: Path, required: Sequence[str]) -> None:
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except OSError as exc:
        raise InvalidInputError(f"cannot read: {exc.strerror}", path=str(path)) from None
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInputError(
            f"missing column(s) {', '.join(missing)}; the header has: {', '.join(header)}",
            path=f"{path}:1",
        )


def read_leads(path: Path) -> list[dict[str, str]]:
    """Lead profiles from a CSV file with an ``id`` column and any profile columns."""
    _require_columns(path, ["id"])
    leads = []
    seen: dict[str, int] = {}
    for line, row in _rows(path):
        lead_id = row.get("id")
        if not lead_id:
            raise InvalidInputError("empty lead id", path=f"{path}:{line}:id")
        if lead_id in seen:
            raise InvalidInputError(
                f"duplicate lead id {lead_id!r} (first on line {seen[lead_id]})",
                path=f"{path}:{line}:id",
            )
        seen[lead_id] = line
        leads.append(row)
    return leads


def read_events(path: Path) -> list[Event]:
    """Events from a CSV file: ``lead_id``, ``name``, ``at`` (ISO 8601 with offset); other
    non-empty columns become the event's properties."""
    _require_columns(path, ["lead_id", "name", "at"])
    events = []
    for line, row in _rows(path):
        for column in ("lead_id", "name", "at"):
            if column not in row:
                raise InvalidInputError("empty cell", path=f"{path}:{line}:{column}")
        at = parse_datetime(row.pop("at"), f"{path}:{line}:at")
        events.append(Event(row.pop("lead_id"), row.pop("name"), at, row))
    return events


# --- writing ----------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    Text starting with ``= + - @`` (or tab/CR) gets a leading apostrophe; plain
    numbers such as ``-12.5`` are left as they are.

    >>> safe_cell("=HYPERLINK(\\"x\\")"), safe_cell(-12.5), safe_cell("@home")
    ('\\'=HYPERLINK("x")', '-12.5', "'@home")
    """
    text = "" if value is None else str(value)
    if text.startswith(_RISKY_PREFIXES):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def _write_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    if not rows:
        out.write("(no leads)\n")
        return
    columns = list(rows[0])
    cells = [[str(r[c]) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(columns)]
    numeric = {c for c in columns if all(_is_number(r[c]) for r in rows)}

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if c in numeric else v.ljust(w)
            for v, w, c in zip(values, widths, columns, strict=True)
        ]
        return "  ".join(parts).rstrip()

    out.write(line(columns) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _write_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    if not rows:
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in rows[0]])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row.values()])


def _reasons(score: Score, n: int = 3) -> str:
    return "; ".join(f"{c.rule} {c.points:+g}" for c in score.top_reasons(n))


def _score_rows(
    scores: Sequence[Score], leads: dict[str, dict[str, str]], extra: Sequence[str]
) -> list[dict[str, Any]]:
    rows = []
    for rank, score in enumerate(scores, start=1):
        profile = leads.get(score.lead_id, {})
        row: dict[str, Any] = {"rank": rank, "lead": score.lead_id}
        for column in extra:
            row[column] = profile.get(column, "")
        row.update(
            score=round(score.total, 1),
            band=score.band,
            grade=score.grade,
            reasons=_reasons(score),
        )
        rows.append(row)
    return rows


def _emit(fmt: str, rows: list[dict[str, Any]], scores: Sequence[Score], out: TextIO) -> None:
    if fmt == "json":
        payload = [{"rank": i, **s.to_dict()} for i, s in enumerate(scores, start=1)]
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif fmt == "csv":
        _write_csv(rows, out)
    else:
        _write_table(rows, out)


def _summary(scores: Sequence[Score], bands: Sequence[str]) -> str:
    counts = {name: 0 for name in reversed(bands)}
    for score in scores:
        counts[score.band] += 1
    parts = ", ".join(f"{n} {name}" for name, n in counts.items())
    return f"{len(scores)} leads: {parts}"


# --- commands ---------------------------------------------------------------------


def _demo_file(name: str) -> Path:
    return Path(str(resources.files("b2bfunnel").joinpath("data", name)))


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    """Today's call list from the sample CRM export shipped with the package."""
    import tomllib

    meta = tomllib.loads(_demo_file("demo.toml").read_text(encoding="utf-8"))
    as_of: datetime = meta["demo"]["as_of"]
    funnel = Funnel()
    leads = read_leads(_demo_file("demo_leads.csv"))
    events = read_events(_demo_file("demo_events.csv"))
    scores = funnel.rank(leads, events, as_of=as_of)
    by_id = {lead["id"]: lead for lead in leads}
    top = scores[: args.top]
    out.write(f"Today's call list, as of {as_of.isoformat()} (sample data, default model)\n\n")
    _write_table(_score_rows(top, by_id, ["name", "company", "job_title"]), out)
    out.write("\n" + _summary(scores, [b.name for b in funnel.scoring.bands]) + "\n")
    return 0


def cmd_score(args: argparse.Namespace, out: TextIO) -> int:
    """Score and rank the leads of a CRM export."""
    funnel = Funnel.from_toml(args.config) if args.config else Funnel()
    as_of = parse_datetime(args.as_of, "--as-of") if args.as_of else datetime.now(UTC)
    leads = read_leads(Path(args.leads))
    events = read_events(Path(args.events))
    scores = funnel.rank(leads, events, as_of=as_of)
    shown = scores[: args.top] if args.top else scores
    rows = _score_rows(shown, {lead["id"]: lead for lead in leads}, [])
    _emit(args.format, rows, shown, out)
    if args.format == "table":
        out.write("\n" + _summary(scores, [b.name for b in funnel.scoring.bands]) + "\n")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="b2bfunnel",
        description="The B2B funnel as code: lead scoring, qualification and more.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    demo = sub.add_parser("demo", help="today's call list from sample data shipped inside")
    demo.add_argument("--top", type=_positive, default=15, help="how many leads to list (15)")
    demo.set_defaults(run=cmd_demo)
    score = sub.add_parser("score", help="score and rank leads from CSV files")
    score.add_argument("--leads", required=True, help="CSV with an id column and profile columns")
    score.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    score.add_argument("--config", help="funnel TOML file (default: the documented defaults)")
    score.add_argument("--as-of", help="ISO 8601 time with offset (default: now, UTC)")
    score.add_argument("--top", type=_positive, help="show only the N best leads")
    score.add_argument("--format", choices=FORMATS, default="table")
    score.set_defaults(run=cmd_score)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = out if out is not None else sys.stdout
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    buffer = io.StringIO()
    try:
        status = run(args, buffer)
    except B2BFunnelError as exc:
        sys.stderr.write(f"b2bfunnel: error: {exc}\n")
        return 2
    stream.write(buffer.getvalue())
    return status


if __name__ == "__main__":
    sys.exit(main())
