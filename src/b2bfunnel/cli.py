"""The ``b2bfunnel`` command line: parse arguments, call the facade, format output."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from ._time import parse_datetime
from .bant import Qualification, QualificationPolicy
from .errors import B2BFunnelError, InvalidInputError
from .events import Event
from .funnel import Funnel
from .kol import KOLBrief, KOLCandidate, plan_portfolio
from .nps import NPSResult, Report, Response, nps_position, nps_report
from .scoring import Score
from .velocity import (
    MODELS,
    VelocityReport,
    attribute,
    compare_velocity,
    funnel_metrics,
    velocity_from_deals,
)

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


def read_responses(
    path: Path, score_column: str = "score", at_column: str = "at"
) -> list[Response]:
    """Survey answers from CSV: a 0..10 ``score_column``; optional ``at_column`` (ISO
    8601 with offset), ``comment`` and ``account``; every other column is a segment."""
    _require_columns(path, [score_column])
    responses = []
    for line, row in _rows(path):
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
    _require_columns(path, ["handle", "followers", "avg_interactions", "audience"])
    out = []
    for line, row in _rows(path):
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
    _require_columns(path, required)
    table = Table(path, [], [])
    for line, row in _rows(path):
        record: dict[str, Any] = dict(row)
        for column in times:
            if column in record:
                record[column] = parse_datetime(record[column], f"{path}:{line}:{column}")
        table.records.append(record)
        table.lines.append(line)
    return table


def _located(tables: Mapping[str, Table], call: Callable[[], Any]) -> Any:
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


def _write_json(payload: Any, out: TextIO) -> int:
    """Write ``payload`` as indented JSON; the command's exit status (0)."""
    json.dump(payload, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return 0


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
        _write_json(payload, out)
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
    rows = _score_rows(top, by_id, ["name", "company", "job_title"])
    stages = dict(
        qualify_rows(
            ((0, by_id[s.lead_id]) for s in top), _demo_file("demo_leads.csv"), funnel, as_of, None
        )
    )
    rows = [
        {
            **{k: v for k, v in row.items() if k != "reasons"},
            "stage": stages[row["lead"]].stage.value,
            "reasons": row["reasons"],
        }
        for row in rows
    ]
    _write_table(rows, out)
    out.write("\n" + _summary(scores, [b.name for b in funnel.scoring.bands]) + "\n")
    survey = read_responses(_demo_file("demo_survey.csv"))
    report = nps_report(survey, period="quarter")
    overall = report.overall
    sector = meta["demo"]["sector"]
    out.write(
        f"\nNPS of the sample survey: {overall.score:+.1f} "
        f"(±{overall.margin_of_error:.1f} at 95%, n={overall.n}); "
        f"{nps_position(overall.score, sector).label}\n"
    )
    quarters = ", ".join(f"{c.period} {c.result.score:+.0f}" for c in report.cells)
    out.write(f"By quarter: {quarters}\n")
    deals = read_records(_demo_file("demo_deals.csv"), DEAL_TIMES).records
    comparison = compare_velocity(deals, by="influenced", as_of=as_of, baseline="no")
    yes, no = comparison["yes"], comparison["no"]
    out.write(
        f"\nPipeline velocity of the sample deals: KOL-influenced {yes.velocity:,.0f}/day "
        f"vs not {no.velocity:,.0f}/day\n" + _lift_lines(comparison)
    )
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
        row["note"] = f"n < {report.min_n}: too few to trust" if small else ""
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


def cmd_nps(args: argparse.Namespace, out: TextIO) -> int:
    """NPS of a survey export, by segment and/or period, with margins of error."""
    responses = read_responses(Path(args.responses), args.score_column, args.at_column)
    report = nps_report(responses, by=args.by, period=args.period, min_n=args.min_n)
    position = nps_position(report.overall.score, args.sector) if args.sector else None
    if args.format == "json":
        payload = report.to_dict()
        if position is not None:
            payload["position"] = position.to_dict()
        return _write_json(payload, out)
    rows = _nps_rows(report)
    if args.format == "csv":
        _write_csv(rows, out)
        return 0
    _write_table(rows, out)
    if position is not None:
        out.write(f"\nNPS {report.overall.score:+.1f}: {position.label}\n")
    return 0


def cmd_qualify(args: argparse.Namespace, out: TextIO) -> int:
    """Stage, missing criteria and next question for each lead of a CSV."""
    funnel = Funnel.from_toml(args.config) if args.config else Funnel()
    as_of = parse_datetime(args.as_of, "--as-of") if args.as_of else datetime.now(UTC)
    path = Path(args.answers)
    _require_columns(path, ["id"])
    results = qualify_rows(_rows(path), path, funnel, as_of, args.language)
    if args.format == "json":
        payload = [{"lead": lead, **q.to_dict()} for lead, q in results]
        return _write_json(payload, out)
    rows = [
        {
            "lead": lead,
            "stage": q.stage.value,
            "missing": ", ".join(q.missing),
            "next_question": q.next_question or "",
        }
        for lead, q in results
    ]
    (_write_csv if args.format == "csv" else _write_table)(rows, out)
    return 0


def cmd_kol(args: argparse.Namespace, out: TextIO) -> int:
    """Rank KOL candidates against a brief, or plan the best portfolio for a budget."""
    from ._config import load_toml

    data = load_toml(args.brief)
    if "brief" not in data:
        raise InvalidInputError("needs a [brief] table with target_roles", path=str(args.brief))
    brief = KOLBrief.from_dict(data["brief"])
    funnel = Funnel.from_dict({"kol": data["kol"]}) if "kol" in data else Funnel()
    candidates = read_candidates(Path(args.candidates))
    if args.budget is not None:
        plan = plan_portfolio(
            candidates, brief, args.budget, weight_by_fit=args.weight_by_fit, config=funnel.kol
        )
        if args.format == "json":
            return _write_json(plan.to_dict(), out)
        rows = [
            {
                "handle": f.handle,
                "tier": f.tier,
                "fit": f.score,
                "qualified_reach": round(f.qualified_reach),
                "stage": f.funnel_stage,
                "format": f.format,
            }
            for f in plan.selected
        ]
        (_write_csv if args.format == "csv" else _write_table)(rows, out)
        if args.format == "table":
            mix = ", ".join(f"{k} {v}" for k, v in plan.mix.items())
            out.write(
                f"\n{len(plan.selected)} chosen for {plan.total_cost} of {plan.budget}: "
                f"{plan.qualified_reach:,.0f} qualified reach ({mix})\n"
            )
        return 0
    fits = sorted(
        (funnel.kol_fit(c, brief) for c in candidates), key=lambda f: (-f.score, f.handle)
    )
    if args.format == "json":
        return _write_json([f.to_dict() for f in fits], out)
    rows = [
        {
            "rank": i,
            "handle": f.handle,
            "score": f.score,
            "tier": f.tier,
            "affinity": f"{f.affinity:.0%}",
            "qualified_reach": round(f.qualified_reach),
            "stage": f.funnel_stage,
            "reasons": "; ".join(
                r
                for r in f.reasons
                if not r.startswith(("engagement:", "relevance:", "authenticity:", "funnel role:"))
            ),
        }
        for i, f in enumerate(fits, start=1)
    ]
    (_write_csv if args.format == "csv" else _write_table)(rows, out)
    return 0


DEAL_TIMES = ("created_at", "closed_at", "lead_created_at")
LIFECYCLE_TIMES = (
    "lead_at",
    "mql_at",
    "sql_at",
    "opportunity_at",
    "won_at",
    "rejected_at",
    "first_contact_at",
)


def _velocity_row(key: Any, report: VelocityReport) -> dict[str, Any]:
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
    }


def cmd_velocity(args: argparse.Namespace, out: TextIO) -> int:
    """Pipeline velocity of a deals CSV, overall or per cohort."""
    path = Path(args.deals)
    table = read_records(path, DEAL_TIMES, ["created_at", "amount", "outcome"])
    deals = table.records
    as_of = parse_datetime(args.as_of, "--as-of") if args.as_of else datetime.now(UTC)
    if args.by is None:
        report = _located({"deals": table}, lambda: velocity_from_deals(deals, as_of=as_of))
        if args.format == "json":
            _write_json(report.to_dict(), out)
        else:
            (_write_csv if args.format == "csv" else _write_table)(
                [_velocity_row("all", report)], out
            )
        return 0
    comparison = _located(
        {"deals": table}, lambda: compare_velocity(deals, by=args.by, as_of=as_of, seed=args.seed)
    )
    if args.format == "json":
        return _write_json(comparison.to_dict(), out)
    rows = [_velocity_row(key, report) for key, report in comparison.items()]
    (_write_csv if args.format == "csv" else _write_table)(rows, out)
    if args.format == "table":
        out.write("\n" + _lift_lines(comparison))
    return 0


def _lift_lines(comparison: Any) -> str:
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
        if lift.main_lever:
            text += f"; main lever: {lift.main_lever.replace('_', ' ')}"
        lines.append(text + "\n")
    return "".join(lines)


def cmd_funnel(args: argparse.Namespace, out: TextIO) -> int:
    """Conversion, time in stage, SLA and rejection reasons from lifecycle records."""
    path = Path(args.lifecycle)
    table = read_records(path, LIFECYCLE_TIMES)
    hours = timedelta(hours=args.sla_hours)
    metrics = _located({"records": table}, lambda: funnel_metrics(table.records, sla=hours))
    if args.format == "json":
        return _write_json(metrics.to_dict(), out)
    rows = [
        {
            "stage": s.stage,
            "reached": s.reached,
            "converted": s.converted,
            "rate": "" if s.rate is None else f"{s.rate:.1%}",
            "median_days": "" if s.median_days is None else f"{s.median_days:.1f}",
            "p90_days": "" if s.p90_days is None else f"{s.p90_days:.1f}",
        }
        for s in metrics.stages
    ]
    (_write_csv if args.format == "csv" else _write_table)(rows, out)
    if args.format == "table":
        share = "no SQL" if metrics.sla_share is None else f"{metrics.sla_share:.0%}"
        out.write(
            f"\nSQLs contacted within {metrics.sla_hours:g} h: {share} of {metrics.sqls}"
            f" ({metrics.never_contacted} never contacted)\n"
        )
        reasons = ", ".join(f"{r} {n}" for r, n in metrics.rejection_reasons.items()) or "none"
        out.write(f"Rejection reasons: {reasons}\n")
    return 0


def cmd_attribution(args: argparse.Namespace, out: TextIO) -> int:
    """Credit of won-deal value per channel, campaign or KOL, model by model."""
    touches = read_records(Path(args.touches), ("at",), ["lead_id", "at", "channel"])
    deals = read_records(
        Path(args.deals), DEAL_TIMES, ["lead_id", "amount", "outcome", "created_at"]
    )
    models = MODELS if args.model == "all" else (args.model,)
    report = _located(
        {"touches": touches, "deals": deals},
        lambda: attribute(
            touches.records,
            deals.records,
            models=models,
            by=args.by,
            lookback_days=args.lookback_days,
        ),
    )
    if args.format == "json":
        return _write_json(report.to_dict(), out)
    rows = [{k: str(v) for k, v in row.items()} for row in report.rows()]
    (_write_csv if args.format == "csv" else _write_table)(rows, out)
    if args.format == "table":
        out.write(
            f"\n{report.won_deals} won deals worth {report.revenue}; "
            f"unattributed {report.unattributed}\n"
        )
    return 0


def cmd_flow(args: argparse.Namespace, out: TextIO) -> int:
    """The nurture flow as a Mermaid or Graphviz diagram."""
    funnel = Funnel.from_toml(args.config) if args.config else Funnel()
    out.write((funnel.flow.to_dot() if args.format == "dot" else funnel.flow.to_mermaid()) + "\n")
    return 0


def cmd_simulate(args: argparse.Namespace, out: TextIO) -> int:
    """The actions each lead would get from the nurture flow, replayed on history."""
    funnel = Funnel.from_toml(args.config) if args.config else Funnel()
    until = parse_datetime(args.until, "--until")
    leads = read_leads(Path(args.leads))
    events = read_events(Path(args.events))
    results = funnel.simulate(leads, events, until=until)
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
        return _write_json(payload, out)
    (_write_csv if args.format == "csv" else _write_table)(rows, out)
    if args.format == "table":
        statuses = Counter(state.status for state, _ in results.values())
        summary = ", ".join(f"{n} {status}" for status, n in statuses.most_common())
        out.write(f"\n{len(rows)} actions for {len(results)} leads; now: {summary}\n")
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
    survey = sub.add_parser("nps", help="NPS of survey answers, by segment and period")
    survey.add_argument("responses", help="CSV with a 0..10 score column")
    survey.add_argument("--score-column", default="score", help="column of the score (score)")
    survey.add_argument("--at-column", default="at", help="column of the answer time (at)")
    survey.add_argument("--by", help="segment column to report by")
    survey.add_argument("--period", choices=("month", "quarter"), help="report by period")
    survey.add_argument("--sector", help="compare with the sector benchmark (e.g. saas)")
    survey.add_argument("--min-n", type=_positive, default=30, help="flag smaller cells (30)")
    survey.add_argument("--format", choices=FORMATS, default="table")
    survey.set_defaults(run=cmd_nps)
    qual = sub.add_parser("qualify", help="stage, missing criteria and next question per lead")
    qual.add_argument("answers", help="CSV with an id column and a column per criterion")
    qual.add_argument("--config", help="funnel TOML file (its [qualification] section)")
    qual.add_argument("--as-of", help="ISO 8601 time with offset, to judge dates (default: now)")
    qual.add_argument("--language", choices=("en", "es"), help="language of the questions")
    qual.add_argument("--format", choices=FORMATS, default="table")
    qual.set_defaults(run=cmd_qualify)
    kol = sub.add_parser("kol", help="rank KOL candidates against a brief, or plan a portfolio")
    kol.add_argument("candidates", help="CSV of candidates (handle, followers, ...)")
    kol.add_argument("--brief", required=True, help="TOML with a [brief] table (and [kol])")
    kol.add_argument("--budget", help="plan the best portfolio within this amount")
    kol.add_argument(
        "--weight-by-fit", action="store_true", help="weigh qualified reach by fit when planning"
    )
    kol.add_argument("--format", choices=FORMATS, default="table")
    kol.set_defaults(run=cmd_kol)
    vel = sub.add_parser("velocity", help="pipeline velocity of deals, overall or per cohort")
    vel.add_argument("deals", help="CSV with created_at, amount, outcome, closed_at")
    vel.add_argument("--by", help="deal column to compare cohorts by (e.g. influenced)")
    vel.add_argument("--as-of", help="ISO 8601 time with offset (default: now, UTC)")
    vel.add_argument("--seed", type=int, default=0, help="bootstrap seed (0)")
    vel.add_argument("--format", choices=FORMATS, default="table")
    vel.set_defaults(run=cmd_velocity)
    fun = sub.add_parser("funnel", help="conversion, time in stage, SLA, rejection reasons")
    fun.add_argument("lifecycle", help="CSV with lead_at, mql_at, sql_at, ... columns")
    fun.add_argument("--sla-hours", type=_positive, default=24, help="SLA to contact an SQL (24)")
    fun.add_argument("--format", choices=FORMATS, default="table")
    fun.set_defaults(run=cmd_funnel)
    att = sub.add_parser("attribution", help="multi-touch attribution of won-deal value")
    att.add_argument("touches", help="CSV with lead_id, at, channel (campaign, kol)")
    att.add_argument("deals", help="CSV with lead_id, amount, outcome, created_at, closed_at")
    att.add_argument("--model", choices=(*MODELS, "all"), default="all")
    att.add_argument("--by", choices=("channel", "campaign", "kol"), default="channel")
    att.add_argument("--lookback-days", type=_positive, default=90, help="lookback window (90)")
    att.add_argument("--format", choices=FORMATS, default="table")
    att.set_defaults(run=cmd_attribution)
    flow = sub.add_parser("flow", help="the nurture flow as a diagram")
    flow.add_argument("--config", help="funnel TOML file (its [nurture] section)")
    flow.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    flow.set_defaults(run=cmd_flow)
    sim = sub.add_parser("simulate", help="the nurture actions each lead would get on history")
    sim.add_argument("--leads", required=True, help="CSV with an id column and profile columns")
    sim.add_argument("--events", required=True, help="CSV with lead_id, name, at columns")
    sim.add_argument("--until", required=True, help="ISO 8601 time with offset to run up to")
    sim.add_argument("--config", help="funnel TOML file")
    sim.add_argument("--format", choices=FORMATS, default="table")
    sim.set_defaults(run=cmd_simulate)
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
