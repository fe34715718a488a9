"""Survey responses in context: accounts, segment x period reports, effort, themes."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, tzinfo
from types import MappingProxyType
from typing import Any, ClassVar, Generic, SupportsIndex, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from .. import plot as charts
from .._companies import company_key
from .._display import Displayed, Plotted
from .._stats import wilson, z_for
from .._text import word_form
from .._time import read_zone, require_aware
from ..errors import InvalidInputError
from ..plot import Charts
from ..records import flatten
from ..tables._columns import missing_column
from ..tables._frames import has_field, headers_of, is_rows, table_rows
from ..tables._labels import survey_score
from ..tables._options import ReadOptions, read_options
from ..tables._read import read_rows
from ..tables._records import at_row, response_fields
from ..tables._shapes import is_second_header
from ..tables._table import Columns, TableLike
from ..tables._values import as_number, as_whole
from ._core import CATEGORY, SMALL_N, NPSResult, checked_scores

PERIODS = ("month", "quarter")
MISSING = "(none)"
_EMPTY: Mapping[str, str] = MappingProxyType({})


def _segments(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if not value:
        return _EMPTY
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInputError(
            "expected a mapping of segment names to string values", path="response.segments"
        )
    return MappingProxyType(dict(value))


def _whole(value: float | SupportsIndex) -> float | SupportsIndex:
    """A numpy integer, or an integral float such as a pandas column's ``9.0``, as an
    ``int``; anything else as it is, for the validator."""
    whole = as_whole(value)
    if whole is None and not isinstance(value, str | bytes):
        number = as_number(value)
        if number is not None and number.is_integer() and abs(number) <= 10**6:
            whole = int(number)
    return value if whole is None else whole


def _check_score(_inst: object, _attr: attrs.Attribute[Any], value: Any) -> None:
    if type(value) is not int or not 0 <= value <= 10:
        raise InvalidInputError(
            f"expected an integer score 0..10, got {type(value).__name__} {value!r}",
            path="response.score",
        )


def _check_at(_inst: object, _attr: attrs.Attribute[Any], value: Any) -> None:
    if value is not None:
        require_aware(value, "response.at")


def _optional_text(name: str) -> Callable[[object, attrs.Attribute[Any], Any], None]:
    def check(_inst: object, _attr: attrs.Attribute[Any], value: Any) -> None:
        if value is not None and not isinstance(value, str):
            raise InvalidInputError(
                f"expected text or None, got {value!r}", path=f"response.{name}"
            )

    return check


@attrs.frozen
class Response:
    """One survey answer with its context.

    ``score`` is the 0..10 answer (or a 1..7 effort answer for :func:`ces_report`),
    ``at`` when it was given (timezone-aware), ``segments`` the fields to report by
    (sector, plan, region...), ``account`` the B2B account of the respondent.
    """

    score: int = attrs.field(converter=_whole, validator=_check_score)
    at: datetime | None = attrs.field(default=None, validator=_check_at)
    segments: Mapping[str, str] = attrs.field(default=_EMPTY, converter=_segments, hash=False)
    comment: str | None = attrs.field(default=None, validator=_optional_text("comment"))
    account: str | None = attrs.field(default=None, validator=_optional_text("account"))


@attrs.frozen
class Ticket:
    """A support ticket: whether it was resolved at the first contact, with context."""

    first_contact_resolved: bool = attrs.field()
    at: datetime | None = attrs.field(default=None, validator=_check_at)
    segments: Mapping[str, str] = attrs.field(default=_EMPTY, converter=_segments, hash=False)

    @first_contact_resolved.validator
    def _check_resolved(self, _attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, bool):
            raise InvalidInputError(
                f"expected true or false, got {type(value).__name__} {value!r}",
                path="ticket.first_contact_resolved",
            )


def _listed(items: Any, path: str, noun: str) -> Sequence[Any]:
    """``items`` as a sequence; anything that is not a collection of them is refused."""
    if isinstance(items, str | bytes | Mapping) or not isinstance(items, Iterable):
        raise InvalidInputError(f"expected a list of {noun}, got {type(items).__name__}", path=path)
    return items if isinstance(items, list | tuple) else list(items)


def responses_in(
    table: Any,
    path: str = "responses",
    columns: Columns | None = None,
    *,
    timezone: str | None = None,
    skip_invalid: bool = False,
) -> tuple[list[Response], int]:
    """Survey answers given as a table (a DataFrame or mappings), read as the CLI reads
    a survey file (:func:`~b2bfunnel.tables._records.response_fields`); the second
    value counts the rows skipped for a blank score. Times without an offset are read
    in ``timezone``; ``skip_invalid=True`` leaves bad rows out instead of raising.

    >>> rows = [{"Score": 9.0, "at": "2026-11-02T10:00:00Z", "sector": "saas"},
    ...         {"Score": float("nan"), "sector": "saas"}]
    >>> (r,), skipped = responses_in(rows, columns={"score": "Score"})
    >>> r.score, r.at.isoformat(), dict(r.segments), skipped
    (9, '2026-11-02T10:00:00+00:00', {'sector': 'saas'}, 1)
    """
    rows = list(table_rows(table, columns, path=path))
    if not has_field(table, rows, "score", columns, path):
        raise missing_column("score", headers_of(table, rows), path=path)
    zone = None if timezone is None else read_zone(timezone, "timezone")
    out = []
    bad = 0
    # A survey tool's second header row (Response, ...) is no answer.
    start = int(
        bool(rows)
        and isinstance(rows[0], Mapping)
        and is_second_header(rows[0], ["score"], lambda _f, t: survey_score(t) is not None)
    )
    for index, row in enumerate(rows[start:], start=start):
        where = f"{path}[{index}]."
        if not isinstance(row, Mapping):
            raise InvalidInputError(
                f"expected a mapping, got {type(row).__name__}", path=where[:-1]
            )
        try:
            fields = response_fields(row, zone=zone)
            if fields is not None:
                out.append(Response(**fields))
        except InvalidInputError as exc:
            if not skip_invalid:
                raise at_row(exc, where, "response") from None
            bad += 1
    return out, len(rows) - start - len(out) - bad


def _responses(
    items: Any, kind: type, path: str, options: ReadOptions | None = None
) -> tuple[Sequence[Any], int]:
    """``items`` checked as ``kind`` values, and how many table rows had a blank score
    (a table is read with the reading ``options``)."""
    skipped = 0
    if kind is Response and is_rows(items):
        options = options or ReadOptions()
        zone = options.timezone if isinstance(options.timezone, str) else None
        table, columns = items, options.columns
        if options.rewrites:
            table, columns, zone = _read_first(items, options, path), None, None
        items, skipped = responses_in(
            table, path, columns, timezone=zone, skip_invalid=options.skip_invalid
        )
    values = _listed(items, path, f"{kind.__name__} values")
    for index, item in enumerate(values):
        if not isinstance(item, kind):
            raise InvalidInputError(
                f"expected a {kind.__name__}, got {type(item).__name__}", path=f"{path}[{index}]"
            )
    if not values:
        blank = f" ({skipped} without a score)" if skipped else ""
        raise InvalidInputError(f"no {path}{blank}: at least one is needed", path=path)
    return values, skipped


def _read_first(table: Any, options: ReadOptions, path: str) -> list[dict[str, Any]]:
    """A survey table's rows with dates, labels and numbers read by the options first
    (a survey tool's second header row kept as it is, for :func:`responses_in`)."""
    rows = list(table_rows(table, options.columns, path=path))
    start = int(
        bool(rows)
        and isinstance(rows[0], Mapping)
        and is_second_header(rows[0], ["score"], lambda _f, t: survey_score(t) is not None)
    )
    read = read_rows(rows[start:], attrs.evolve(options, columns=None), path, times=("at",))
    return [*(dict(r) for r in rows[:start]), *read.rows]


# --- account-level NPS ------------------------------------------------------------


def _account_key(account: str) -> str:
    """The account's normalised company name (its stripped text when nothing is left)."""
    return company_key(account) or account.strip()


def _keyed_weights(weights: Any) -> dict[str, Any]:
    """``weights`` by normalised account name; two spellings of one account must agree."""
    if not isinstance(weights, Mapping):
        raise InvalidInputError(
            f"expected a mapping of account -> weight, got {type(weights).__name__}",
            path="weights",
        )
    keyed: dict[str, Any] = {}
    for account, w in weights.items():
        key = _account_key(str(account))
        if key in keyed and keyed[key] != w:
            raise InvalidInputError(
                f"two weights, {keyed[key]!r} and {w!r}, for one account {key!r}",
                path=f"weights[{account!r}]",
            )
        keyed[key] = w
    return keyed


@attrs.frozen(repr=False)
class AccountNPS(Displayed):
    """NPS with each account as one vote (or weighted, e.g. by ARR).

    Each account's own NPS (-100..100, from its respondents) is averaged with the
    weights. ``margin_of_error`` treats accounts as the sample: the weighted variance of
    the account scores over the effective number of accounts (Kish). With one respondent
    per account and equal weights the score is exactly the respondent-level NPS.

    With fewer than two accounts, or account scores that do not vary, the spread cannot
    be estimated: ``margin_of_error`` and ``interval`` are None and ``note`` says why.
    Below ``SMALL_N`` (30) accounts the normal interval is approximate, and ``note``
    says that too.
    """

    accounts: int
    respondents: int
    score: float
    margin_of_error: float | None
    interval: tuple[float, float] | None
    per_account: Mapping[str, float] = attrs.field(hash=False)
    confidence: float = 0.95
    note: str = ""
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "accounts": self.accounts,
            "respondents": self.respondents,
            "score": self.score,
            "margin_of_error": self.margin_of_error,
            "interval": None if self.interval is None else list(self.interval),
            "per_account": dict(self.per_account),
            "confidence": self.confidence,
            "note": self.note,
            "skipped": self.skipped,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [{"account": k, "score": v} for k, v in self.per_account.items()]


def account_nps(
    responses: TableLike | Iterable[Response],
    *,
    weights: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> AccountNPS:
    """Account-level NPS of B2B responses (each with an ``account``).

    Accounts are joined by their normalised company name, as :func:`match_accounts`
    joins them (case, accents, punctuation and legal forms ignored): ``Acme, S.L.`` and
    ``ACME SL`` are one account, shown as first written. ``weights`` are looked up the
    same way.

    >>> import b2bfunnel as bf
    >>> rs = [bf.Response(10, account="Acme"), bf.Response(3, account="Acme"),
    ...       bf.Response(9, account="Nova")]
    >>> r = bf.account_nps(rs)
    >>> r.score, dict(r.per_account)
    (50.0, {'Acme': 0.0, 'Nova': 100.0})
    >>> bf.account_nps(rs, weights={"Acme": 3, "Nova": 1}).score
    25.0
    >>> more = [bf.Response(9, account="ACME, S.L."), bf.Response(10, account="acmé sl")]
    >>> dict(bf.account_nps([*rs, *more]).per_account)
    {'Acme': 50.0, 'Nova': 100.0}
    """
    answers, skipped = _responses(
        responses,
        Response,
        "responses",
        options=read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        ),
    )
    counts: dict[str, list[int]] = {}
    shown: dict[str, str] = {}  # normalised name -> the account as first written
    for index, response in enumerate(answers):
        if response.account is None:
            raise InvalidInputError("has no account", path=f"responses[{index}].account")
        key = _account_key(response.account)
        name = shown.setdefault(key, response.account)
        counts.setdefault(name, [0, 0, 0])[CATEGORY[response.score]] += 1
    per_account = {a: 100 * (c[0] - c[2]) / sum(c) for a, c in counts.items()}
    if weights is None:
        weight = dict.fromkeys(per_account, 1.0)
    else:
        keyed = _keyed_weights(weights)
        weight = {}
        for account in per_account:
            w = keyed.get(_account_key(account))
            if (
                isinstance(w, bool)
                or not isinstance(w, int | float)
                or not math.isfinite(w)
                or w < 0
            ):
                raise InvalidInputError(
                    f"expected a weight >= 0 for account {account!r}, got {w!r}",
                    path=f"weights[{account!r}]",
                )
            weight[account] = float(w)
    total = sum(weight.values())
    if total <= 0:
        raise InvalidInputError("the weights sum to zero", path="weights")
    mean = sum(weight[a] * x for a, x in per_account.items()) / total
    spread = sum(weight[a] * (x - mean) ** 2 for a, x in per_account.items()) / total
    effective = total**2 / sum(w * w for w in weight.values())
    z = z_for(confidence)
    count = len(per_account)
    if count < 2 or spread == 0:
        why = "one account" if count < 2 else "every account has the same NPS"
        note = f"{why}: the spread between accounts, and so the interval, is unknown"
        return AccountNPS(count, len(answers), mean, None, None, per_account, confidence, note,
                          skipped)  # fmt: skip
    margin = z * math.sqrt(spread / effective)
    low, high = max(-100.0, mean - margin), min(100.0, mean + margin)
    note = (
        f"{count} accounts, below {SMALL_N}: the interval is approximate" if count < SMALL_N else ""
    )
    return AccountNPS(count, len(answers), mean, margin, (low, high), per_account, confidence,
                      note, skipped)  # fmt: skip


# --- effort and first-contact resolution ----------------------------------------


@attrs.frozen(repr=False)
class CESResult(Displayed):
    """Customer effort score on a 1..7 scale (7 = very easy).

    ``low_effort_share`` is the share of answers >= ``low_effort_min`` (Wilson
    interval in ``share_interval``, defined at any n); ``interval`` is the normal
    interval of the mean, None when the spread cannot be estimated (one answer, or all
    answers alike), with ``note`` saying why; below ``SMALL_N`` (30) answers ``note``
    says the interval is approximate.
    """

    n: int
    mean: float
    sd: float
    interval: tuple[float, float] | None
    low_effort: int
    low_effort_share: float
    share_interval: tuple[float, float]
    confidence: float = 0.95
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data = attrs.asdict(self)
        data["interval"] = None if self.interval is None else list(self.interval)
        data["share_interval"] = list(self.share_interval)
        return data


def ces(scores: Iterable[int], *, low_effort_min: int = 5, confidence: float = 0.95) -> CESResult:
    """Customer effort from 1..7 answers, the most reliable predictor of churn.

    >>> r = ces([7, 6, 5, 2, 7, 4])
    >>> round(r.mean, 2), r.low_effort, round(r.low_effort_share, 3)
    (5.17, 4, 0.667)
    """
    if type(low_effort_min) is not int or not 1 <= low_effort_min <= 7:
        raise InvalidInputError(f"expected 1..7, got {low_effort_min!r}", path="low_effort_min")
    values, counts = checked_scores(scores, "scores", 1, 7)
    n = len(values)
    mean = sum(k * c for k, c in counts.items()) / n
    sd = math.sqrt(sum(c * (k - mean) ** 2 for k, c in counts.items()) / n)
    z = z_for(confidence)
    half = z * sd / math.sqrt(n)
    low = sum(c for k, c in counts.items() if k >= low_effort_min)
    interval: tuple[float, float] | None = (max(1.0, mean - half), min(7.0, mean + half))
    note = f"n = {n} is below {SMALL_N}: the interval is approximate" if n < SMALL_N else ""
    if n < 2 or sd == 0:
        interval = None
        why = "one answer" if n < 2 else "every answer is the same"
        note = f"{why}: the spread, and so the interval of the mean, is unknown"
    return CESResult(n, mean, sd, interval, low, low / n, wilson(low, n, z), confidence, note)


@attrs.frozen(repr=False)
class RateResult(Displayed):
    """A proportion with its Wilson interval (e.g. first-contact resolution)."""

    n: int
    successes: int
    rate: float
    interval: tuple[float, float]
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"n": self.n, "successes": self.successes, "rate": self.rate,
                "interval": list(self.interval), "confidence": self.confidence}  # fmt: skip


def fcr(outcomes: Iterable[bool], *, confidence: float = 0.95) -> RateResult:
    """First-contact-resolution rate from per-ticket booleans.

    >>> fcr([True, True, False, True]).rate
    0.75
    """
    values = _listed(outcomes, "outcomes", "true/false outcomes")
    if not values:
        raise InvalidInputError("no tickets: at least one is needed", path="outcomes")
    for index, value in enumerate(values):
        if not isinstance(value, bool):
            raise InvalidInputError(
                f"expected true or false, got {value!r}", path=f"outcomes[{index}]"
            )
    successes = sum(values)
    n = len(values)
    return RateResult(
        n, successes, successes / n, wilson(successes, n, z_for(confidence)), confidence
    )


# --- reports by segment and period ------------------------------------------------


def period_of(at: datetime, period: str) -> tuple[str, date, date | None]:
    """Label, first day and first day after a month or calendar quarter (local date of
    ``at``); the first day after is None for the last period of year 9999.

    >>> from datetime import datetime, timezone
    >>> period_of(datetime(2026, 11, 23, tzinfo=timezone.utc), "quarter")
    ('2026-Q4', datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    """
    if period == "month":
        start, months, label = date(at.year, at.month, 1), 1, f"{at.year}-{at.month:02d}"
    else:
        quarter = (at.month - 1) // 3
        start, months, label = date(at.year, 3 * quarter + 1, 1), 3, f"{at.year}-Q{quarter + 1}"
    last_period_of_9999 = at.year == 9999 and start.month + months > 12
    end = None if last_period_of_9999 else start + relativedelta(months=months)
    return label, start, end


# The result of a report's metric: NPSResult (nps_report), CESResult (ces_report) or
# RateResult (fcr_report).
R = TypeVar("R", "NPSResult", "CESResult", "RateResult")


@attrs.frozen(repr=False)
class ReportCell(Displayed, Generic[R]):
    """One segment x period cell; ``small`` when its n is below the report's ``min_n``."""

    segment: str | None
    period: str | None
    period_start: date | None
    result: R
    small: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "segment": self.segment,
            "period": self.period,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "small": self.small,
            **self.result.to_dict(),
        }


@attrs.frozen(repr=False)
class Report(Plotted, Generic[R]):
    """A metric by segment and/or period, with the overall figure; cells sorted."""

    _charts: ClassVar[Charts] = (("cells", charts.report_cells),)

    metric: str
    by: str | None
    period: str | None
    min_n: int
    overall: R
    cells: tuple[ReportCell[R], ...]
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "metric": self.metric,
            "by": self.by,
            "period": self.period,
            "min_n": self.min_n,
            "overall": self.overall.to_dict(),
            "cells": [c.to_dict() for c in self.cells],
            "skipped": self.skipped,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [flatten(cell) for cell in self.cells]


def _grouped(
    items: Sequence[Any], by: str | None, period: str | None, path: str
) -> dict[tuple[str | None, str | None], list[Any]]:
    if period is not None and period not in PERIODS:
        raise InvalidInputError(
            f"unknown period {period!r}; allowed: {', '.join(PERIODS)}", path="period"
        )
    if by is not None and not isinstance(by, str):
        raise InvalidInputError(f"expected a segment name, got {by!r}", path="by")
    groups: dict[tuple[str | None, str | None], list[Any]] = {}
    labels: dict[tuple[int, int], str] = {}
    for index, item in enumerate(items):
        segment = item.segments.get(by, MISSING) if by is not None else None
        label = None
        if period is not None:
            at = item.at
            if at is None:
                raise InvalidInputError("has no time; a report by period needs one",
                                        path=f"{path}[{index}].at")  # fmt: skip
            bucket = (at.year, at.month if period == "month" else (at.month - 1) // 3)
            label = labels.get(bucket)
            if label is None:
                label = labels[bucket] = period_of(at, period)[0]
        key = (segment, label)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(item)
    return groups


def _report(
    metric: str,
    items: Sequence[Any],
    by: str | None,
    period: str | None,
    min_n: int,
    path: str,
    measure: Callable[[Sequence[Any]], R],
    skipped: int = 0,
) -> Report[R]:
    if type(min_n) is not int or min_n < 1:
        raise InvalidInputError(f"expected a whole number >= 1, got {min_n!r}", path="min_n")
    groups = _grouped(items, by, period, path)
    starts: dict[str, date] = {}
    if period is not None:
        for members in groups.values():
            name, start, _ = period_of(members[0].at, period)
            starts[name] = start
    cells = []
    for (segment, label), members in sorted(
        groups.items(), key=lambda kv: (kv[0][0] or "", starts.get(kv[0][1] or "", date.min))
    ):
        result = measure(members)
        cells.append(ReportCell(segment, label, starts.get(label) if label else None, result,
                                result.n < min_n))  # fmt: skip
    return Report(metric, by, period, min_n, measure(items), tuple(cells), skipped)


def nps_report(
    responses: TableLike | Iterable[Response],
    *,
    by: str | None = None,
    period: str | None = None,
    min_n: int = 30,
    confidence: float = 0.95,
    method: str = "auto",
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> Report[NPSResult]:
    """NPS by segment field ``by`` and/or ``period`` (``"month"`` or ``"quarter"``).

    Each cell has its n and margin of error; cells with fewer than ``min_n`` responses
    are flagged ``small`` (too few to trust). Periods are calendar months or quarters of
    each response's own local date; a response without the segment field goes to
    ``"(none)"``.

    ``responses`` may also be a table (a DataFrame or mappings; ``columns`` maps field
    names to its headers): a row with a blank score is skipped and counted in
    ``skipped``.
    """
    answers, skipped = _responses(
        responses,
        Response,
        "responses",
        options=read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        ),
    )

    def measure(members: Sequence[Response]) -> NPSResult:
        counts = [0, 0, 0]
        for member in members:
            counts[CATEGORY[member.score]] += 1
        return NPSResult.from_counts(counts[0], counts[1], counts[2],
                                     confidence=confidence, method=method)  # fmt: skip

    return _report("nps", answers, by, period, min_n, "responses", measure, skipped)


def ces_report(
    responses: TableLike | Iterable[Response],
    *,
    by: str | None = None,
    period: str | None = None,
    min_n: int = 30,
    low_effort_min: int = 5,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> Report[CESResult]:
    """Customer effort (1..7 answers in ``Response.score``) by segment and/or period;
    from a table as :func:`nps_report` reads one."""
    answers, skipped = _responses(
        responses,
        Response,
        "responses",
        options=read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        ),
    )
    checked_scores([r.score for r in answers], "responses", 1, 7)
    return _report("ces", answers, by, period, min_n, "responses",
                   lambda members: ces([m.score for m in members], low_effort_min=low_effort_min,
                                       confidence=confidence), skipped)  # fmt: skip


def fcr_report(
    tickets: Iterable[Ticket],
    *,
    by: str | None = None,
    period: str | None = None,
    min_n: int = 30,
    confidence: float = 0.95,
) -> Report[RateResult]:
    """First-contact resolution by segment and/or period."""
    values, _ = _responses(tickets, Ticket, "tickets")
    return _report("fcr", values, by, period, min_n, "tickets",
                   lambda members: fcr([m.first_contact_resolved for m in members],
                                       confidence=confidence))  # fmt: skip


# --- comment themes ---------------------------------------------------------------

GROUPS = ("promoters", "passives", "detractors")


@attrs.frozen(repr=False)
class ThemeCounts(Displayed):
    """Comments per group (promoters' peaks, detractors' valleys) and theme counts."""

    comments: Mapping[str, int] = attrs.field(hash=False)
    themes: Mapping[str, Mapping[str, int]] = attrs.field(hash=False)
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"comments": dict(self.comments),
                "themes": {g: dict(t) for g, t in self.themes.items()},
                "skipped": self.skipped}  # fmt: skip


def comment_themes(
    responses: TableLike | Iterable[Response],
    themes: Mapping[str, Sequence[str]],
    *,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> ThemeCounts:
    """Count comments per theme, separately for promoters, passives and detractors.

    A theme is a list of keywords matched as whole words or phrases, ignoring case and
    accents; a keyword ending in ``*`` matches as a word prefix (``precio*`` matches
    "precios"). A comment counts once per theme it mentions.

    >>> import b2bfunnel as bf
    >>> rs = [bf.Response(10, comment="Soporte rapidísimo"),
    ...       bf.Response(2, comment="Los precios suben cada año"),
    ...       bf.Response(3, comment="Too expensive, and support is slow")]
    >>> themes = {"price": ["precio*", "expensive"], "support": ["soporte", "support"]}
    >>> t = bf.comment_themes(rs, themes)
    >>> dict(t.themes["detractors"]), dict(t.themes["promoters"])
    ({'price': 2, 'support': 1}, {'price': 0, 'support': 1})
    """
    if not isinstance(themes, Mapping) or not themes:
        raise InvalidInputError("expected a mapping of theme names to keyword lists", path="themes")
    patterns: dict[str, tuple[str, ...]] = {}
    for name, keywords in themes.items():
        if isinstance(keywords, str) or not isinstance(keywords, Sequence) or not keywords:
            raise InvalidInputError("expected a non-empty list of keywords", path=f"themes.{name}")
        compiled = []
        for index, keyword in enumerate(keywords):
            if not isinstance(keyword, str) or not word_form(keyword.rstrip("*")).strip():
                raise InvalidInputError(f"expected a keyword, got {keyword!r}",
                                        path=f"themes.{name}[{index}]")  # fmt: skip
            form = word_form(keyword.rstrip("*"))
            compiled.append(form[:-1] if keyword.endswith("*") else form)
        patterns[name] = tuple(compiled)
    answers, skipped = _responses(
        responses,
        Response,
        "responses",
        options=read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        ),
    )
    comments = dict.fromkeys(GROUPS, 0)
    counts = {group: dict.fromkeys(patterns, 0) for group in GROUPS}
    for response in answers:
        if not response.comment or not response.comment.strip():
            continue
        group = GROUPS[CATEGORY[response.score]]
        comments[group] += 1
        text = word_form(response.comment)
        for name, forms in patterns.items():
            if any(form in text for form in forms):
                counts[group][name] += 1
    return ThemeCounts(comments, counts, skipped)
