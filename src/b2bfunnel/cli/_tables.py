"""Reading CSV tables into records and writing results as tables, CSV or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from .._time import parse_datetime
from ..errors import InvalidInputError
from ..events import Event
from ..kol import KOLCandidate
from ..nps import Response

_RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

DEAL_TIMES = ("created_at", "closed_at", "lead_created_at")


# --- reading ----------------------------------------------------------------------


def rows(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
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


def require_columns(path: Path, required: Sequence[str]) -> None:
    """Refuse a file whose header lacks any of the ``required`` columns."""
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
    require_columns(path, ["id"])
    leads = []
    seen: dict[str, int] = {}
    for line, row in rows(path):
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
    require_columns(path, ["lead_id", "name", "at"])
    events = []
    for line, row in rows(path):
        for column in ("lead_id", "name", "at"):
            if column not in row:
                raise InvalidInputError("empty cell", path=f"{path}:{line}:{column}")
        at = parse_datetime(row.pop("at"), f"{path}:{line}:at")
        events.append(Event(row.pop("lead_id"), row.pop("name"), at, row))
    return events


def read_responses(
    path: Path, score_column: str = "score", at_column: str = "at"
) -> list[Response]:
    """Survey answers from CSV: a 0..10 ``score_column``; optional ``at_column`` (ISO
    8601 with offset), ``comment`` and ``account``; every other column is a segment."""
    require_columns(path, [score_column])
    responses = []
    for line, row in rows(path):
        text = row.pop(score_column, None)
        where = f"{path}:{line}:{score_column}"
        if text is None:
            raise InvalidInputError("a response without a score", path=where)
        if not text.isdigit() or not 0 <= int(text) <= 10:
            raise InvalidInputError(f"expected a whole number 0..10, got {text!r}", path=where)
        at_text = row.pop(at_column, None)
        at = parse_datetime(at_text, f"{path}:{line}:{at_column}") if at_text else None
        comment = row.pop("comment", None)
        account = row.pop("account", None)
        responses.append(Response(int(text), at, row, comment, account))
    return responses


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def _number(text: str | None, where: str, *, integer: bool = False) -> Any:
    if text is None:
        return None
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise InvalidInputError(f"expected {kind}, got {text!r}", path=where) from None
    return value


def read_candidates(path: Path) -> list[KOLCandidate]:
    """KOL candidates from CSV: ``handle``, ``followers``, ``avg_interactions``,
    ``audience`` (``role:share;role:share``) and optionally ``topics`` and ``risk_flags``
    (``;``-separated), ``cost_per_post``, ``reach``, ``vetting_days``, ``clicks``,
    ``campaign_cost``, ``industries`` and ``seniority`` (like ``audience``)."""
    require_columns(path, ["handle", "followers", "avg_interactions", "audience"])
    out = []
    for line, row in rows(path):
        where = f"{path}:{line}"
        shares: dict[str, dict[str, float]] = {}
        for column in ("audience", "industries", "seniority"):
            shares[column] = {}
            for part in _split(row.get(column)):
                name, _, share = part.partition(":")
                shares[column][name.strip()] = _number(share.strip(), f"{where}:{column}")
        try:
            candidate = KOLCandidate(
                row.get("handle", ""),
                _number(row.get("followers"), f"{where}:followers", integer=True),
                shares["audience"],
                _number(row.get("avg_interactions"), f"{where}:avg_interactions"),
                topics=_split(row.get("topics")),
                risk_flags=_split(row.get("risk_flags")),
                cost_per_post=row.get("cost_per_post"),
                industries=shares["industries"],
                seniority=shares["seniority"],
                reach=_number(row.get("reach"), f"{where}:reach", integer=True),
                vetting_days=_number(
                    row.get("vetting_days"), f"{where}:vetting_days", integer=True
                ),
                clicks=_number(row.get("clicks"), f"{where}:clicks", integer=True),
                campaign_cost=row.get("campaign_cost"),
            )
        except InvalidInputError as exc:
            column = exc.path.removeprefix("candidate.").split("[")[0]
            raise exc.at(f"{where}:{column}") from None
        out.append(candidate)
    return out


class Table(NamedTuple):
    """Records read from a CSV file, with the file line each came from."""

    path: Path
    records: list[dict[str, Any]]
    lines: list[int]


def read_records(path: Path, times: Sequence[str], required: Sequence[str] = ()) -> Table:
    """CSV rows as records: the ``times`` columns parsed as ISO 8601 (blank = absent),
    every other non-blank cell kept as text."""
    require_columns(path, required)
    table = Table(path, [], [])
    for line, row in rows(path):
        record: dict[str, Any] = dict(row)
        for column in times:
            if column in record:
                record[column] = parse_datetime(record[column], f"{path}:{line}:{column}")
        table.records.append(record)
        table.lines.append(line)
    return table


def located(tables: Mapping[str, Table], call: Callable[[], Any]) -> Any:
    """Run ``call``; an error about item ``name[i].key`` of the records of
    ``tables[name]`` becomes ``file:line:key``, with the line the record came from
    (blank lines are skipped when reading, so the index alone would not say)."""
    try:
        return call()
    except InvalidInputError as exc:
        head, _, rest = exc.path.partition("].")
        name, _, index = head.partition("[")
        if name in tables and index and rest:
            table = tables[name]
            raise exc.at(f"{table.path}:{table.lines[int(index)]}:{rest}") from None
        raise


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


def write_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Rows as an aligned text table (numbers right-aligned)."""
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


def write_json(payload: Any, out: TextIO) -> int:
    """Write ``payload`` as indented JSON; the command's exit status (0)."""
    json.dump(payload, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0


def write_csv(rows: list[dict[str, Any]], out: TextIO) -> None:
    """Rows as spreadsheet-safe CSV with a header."""
    if not rows:
        return
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in rows[0]])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row.values()])


def write_rows(fmt: str, rows: list[dict[str, Any]], out: TextIO) -> None:
    """Rows as CSV when ``fmt`` is ``csv``, else as a text table."""
    (write_csv if fmt == "csv" else write_table)(rows, out)
