"""Survey answers and support tickets: the values, and reading them from a table.

What is measured from them lives beside: account-level NPS (``_account_nps``), effort
and first-contact resolution (``_effort``), reports by segment and period
(``_reports``) and comment themes (``_themes``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, SupportsIndex

import attrs

from .._time import read_zone, require_aware
from ..errors import InvalidInputError
from ..tables._columns import missing_column
from ..tables._frames import has_field, headers_of, is_rows, table_rows
from ..tables._labels import survey_score
from ..tables._options import ReadOptions, read_options
from ..tables._read import read_rows
from ..tables._records import at_row, response_fields
from ..tables._shapes import is_second_header
from ..tables._table import Columns
from ..tables._values import as_number, as_whole

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


def listed(items: Any, path: str, noun: str) -> Sequence[Any]:
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
    start = _header_rows(rows)
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


def survey_values(
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
    values = listed(items, path, f"{kind.__name__} values")
    for index, item in enumerate(values):
        if not isinstance(item, kind):
            raise InvalidInputError(
                f"expected a {kind.__name__}, got {type(item).__name__}", path=f"{path}[{index}]"
            )
    if not values:
        blank = f" ({skipped} without a score)" if skipped else ""
        raise InvalidInputError(f"no {path}{blank}: at least one is needed", path=path)
    return values, skipped


def read_answers(responses: Any, **reading: Any) -> tuple[Sequence[Response], int]:
    """``responses`` as :class:`Response` values, a table read with the ``reading``
    options the survey functions take (``columns``, ``decimal``, ``date_format``,
    ``timezone``, ``values``, ``skip_invalid``), and how many rows had a blank score."""
    return survey_values(responses, Response, "responses", options=read_options(**reading))


def _read_first(table: Any, options: ReadOptions, path: str) -> list[dict[str, Any]]:
    """A survey table's rows with dates, labels and numbers read by the options first
    (a survey tool's second header row kept as it is, for :func:`responses_in`)."""
    rows = list(table_rows(table, options.columns, path=path))
    start = _header_rows(rows)
    read = read_rows(rows[start:], attrs.evolve(options, columns=None), path, times=("at",))
    return [*(dict(r) for r in rows[:start]), *read.rows]


def _header_rows(rows: Sequence[Any]) -> int:
    """1 when the first row is a survey tool's second header row (Response, ...), which
    is no answer; else 0."""
    return int(
        bool(rows)
        and isinstance(rows[0], Mapping)
        and is_second_header(rows[0], ["score"], lambda _f, t: survey_score(t) is not None)
    )
