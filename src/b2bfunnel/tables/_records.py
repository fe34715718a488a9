"""One converter per record kind: a row (a mapping of field -> cell) to typed fields.

Every channel (a CSV file read by the CLI, an iterable of mappings, a pandas, polars
or pyarrow table) hands its rows to the same converter, so a cell is read the same way
whichever door it comes in by. A converter returns the fields as a plain mapping; the
module that owns the record (``nps``, ``kol``...) builds it from them, so this layer
imports none of them.

A converter's errors are at_row at the field (``path="score"``); the channel puts
the row's location in front: ``file:line:score`` for a file, ``responses[3].score``
for rows given in Python.

>>> response_fields({"score": " 9 ", "sector": "saas", "at": "2026-11-02T10:00:00Z"})
{'score': 9, 'at': datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.timezone.utc), \
'segments': {'sector': 'saas'}, 'comment': None, 'account': None}
>>> candidate_fields({"handle": "@a", "followers": "5000", "audience": "cto:0.8",
...                   "avg_interactions": "200", "topics": "cloud; security"})["topics"]
['cloud', 'security']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from .._time import require_aware
from ..errors import InvalidInputError
from ._dates import DateReader
from ._labels import survey_score
from ._numbers import Kind, read_value
from ._values import as_number, as_whole, is_blank

__all__ = [
    "BLANK",
    "CANDIDATE_REQUIRED",
    "EVENT_FIELDS",
    "at_row",
    "candidate_fields",
    "cell",
    "event_cells",
    "event_text",
    "money_currencies",
    "plain",
    "read_time",
    "response_fields",
    "row_cells",
    "score_of",
]

_WHOLE_TEXT = re.compile(r"[+-]?[0-9]+(?:\.0*)?")


# The marker :func:`cell` gives for a blank cell.
BLANK = object()


def cell(value: Any) -> Any:
    """A DataFrame cell as plain Python; a private marker for blank."""
    kind = type(value)
    if kind is str:
        return value if value.strip() else BLANK
    if kind is float:
        return BLANK if value != value else value
    if kind is int or kind is bool or kind is datetime:
        return value
    if is_blank(value):
        return BLANK
    if callable(getattr(value, "to_pydatetime", None)):
        return value.to_pydatetime()
    if kind.__module__ == "numpy" and callable(getattr(value, "item", None)):
        return value.item()
    return value


def plain(value: Any) -> Any:
    """A cell as the converters see it: :func:`cell`, with text stripped and blanks
    (empty text, None, NaN, NaT, pandas NA) as ``None``."""
    if type(value) is str:
        return value.strip() or None
    value = cell(value)
    return None if value is BLANK else value


def at_row(exc: InvalidInputError, where: str, own: str = "") -> InvalidInputError:
    """``exc`` (at_row at a field, or at ``own.field`` by a record's constructor)
    at_row at the row ``where`` (``file:line:`` or ``name[i].``)."""
    depth = 1 if own and exc.parts[:1] == (own,) and len(exc.parts) > 1 else 0
    if len(exc.parts) == depth:
        return exc.at(where[:-1])
    return exc.relocate(where.removesuffix("."), depth=depth)


def read_time(
    value: Any, field: str, zone: tzinfo | None, dates: DateReader | None = None
) -> datetime:
    """A datetime cell, or ISO 8601 text (with an offset, or read in ``zone``), or text
    in one of the formats of ``dates``."""
    if isinstance(value, datetime):
        if value.tzinfo is None and zone is not None:
            return value.replace(tzinfo=zone)
        return require_aware(value, field)
    if not isinstance(value, str):
        raise InvalidInputError(
            f"expected an ISO 8601 timestamp, got {type(value).__name__} {value!r}", path=field
        )
    # One reader for every channel, formats given or not: the same refusal (which
    # names the formats a value fits) whichever door a row comes in by.
    return (dates or DateReader((), zone)).read(value, field)


EVENT_FIELDS = ("lead_id", "name", "at")


def event_text(value: Any, field: str) -> str:
    """An id or name cell (an event's lead id and name, a profile's id...): text
    stripped, a number as its digits (a whole float, from a column a blank made float,
    without ``.0``); a blank cell, or a value of another type, is refused."""
    if type(value) is str:
        text = value.strip()
    else:
        value = cell(value)
        if value is not BLANK and (
            isinstance(value, bool) or not isinstance(value, str | int | float)
        ):
            raise InvalidInputError(
                f"expected text or a number, got {type(value).__name__} {value!r}", path=field
            )
        text = "" if value is BLANK else _text(value).strip()
    if not text:
        raise InvalidInputError("empty cell", path=field)
    return text


def event_cells(
    lead: Any,
    name: Any,
    at: Any,
    *,
    zone: tzinfo | None = None,
    dates: DateReader | None = None,
    fields: tuple[str, str, str] = EVENT_FIELDS,
) -> tuple[str, str, datetime]:
    """An event's lead id, name and time from its cells, whatever the channel (a CSV
    file's text, a DataFrame's values): the one reading of them, its errors at the
    field (named by ``fields``: the table's own columns, for :func:`events_from`).
    Readers of millions of rows take plain cells (stripped text ids, an aware
    datetime or ISO 8601 text with an offset) their own quick way and call this for
    the rest, so a refusal is the same whichever door the row came in by.

    >>> event_cells(" L1 ", 7.0, "2026-11-02T10:00:00Z")[:2]
    ('L1', '7')
    """
    lead = event_text(lead, fields[0])
    name = event_text(name, fields[1])
    when = cell(at)
    if when is BLANK:
        raise InvalidInputError("empty cell", path=fields[2])
    if type(when) is str:
        when = when.strip()
    return lead, name, read_time(when, fields[2], zone, dates)


def score_of(value: Any, field: str = "score") -> int:
    """A survey score: a whole number 0..10, as a number or as text (``9``, ``9.0``,
    ``10 - Extremely likely``)."""
    whole = as_whole(value)
    if whole is None and isinstance(value, float) and value.is_integer():
        whole = int(value)
    if whole is None and isinstance(value, str) and _WHOLE_TEXT.fullmatch(value):
        whole = int(float(value))
    if whole is None and isinstance(value, str):
        whole = survey_score(value)  # "10 - Extremely likely", as survey tools label it
    if whole is None or not 0 <= whole <= 10:
        raise InvalidInputError(f"expected a whole number 0..10, got {value!r}", path=field)
    return whole


_RESPONSE_FIELDS = frozenset(("score", "at", "account", "comment"))


def response_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any] | None:
    """A survey response's fields (``score``, ``at``, ``segments``, ``comment``,
    ``account``) from a row; every other column is a segment. ``None`` when the score
    is blank (such rows are skipped and counted)."""
    cells = row_cells(row)
    if "score" not in cells:
        return None
    at = cells.get("at")
    comment, account = cells.get("comment"), cells.get("account")
    return {
        "score": score_of(cells["score"]),
        "at": None if at is None else read_time(at, "at", zone, dates),
        "segments": {
            k: v if type(v) is str else _text(v)
            for k, v in cells.items()
            if k not in _RESPONSE_FIELDS
        },
        "comment": None if comment is None else _text(comment),
        "account": None if account is None else _text(account),
    }


def row_cells(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's non-blank cells as :func:`plain` reads them, keyed by text (a loop:
    a survey or KOL file can have hundreds of thousands of rows)."""
    cells = {}
    for key, value in row.items():
        if type(value) is str:
            value = value.strip()
            if not value:
                continue
        else:
            value = plain(value)
            if value is None:
                continue
        cells[key if type(key) is str else str(key)] = value
    return cells


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a column pandas read as float because of a blank
    return value if isinstance(value, str) else str(value)


CANDIDATE_REQUIRED = ("handle", "followers", "audience", "avg_interactions")
_SHARES = ("audience", "industries", "seniority")
_LISTS = ("topics", "risk_flags")
_WHOLES = ("followers", "reach", "vetting_days", "clicks")
_NUMBERS = ("avg_interactions",)
_MONEY = ("cost_per_post", "campaign_cost")


def candidate_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    """A KOL candidate's fields from a row: ``handle``, ``followers``,
    ``avg_interactions``, ``audience`` and optionally ``topics`` and ``risk_flags``
    (``;``-separated), ``cost_per_post``, ``reach``, ``vetting_days``, ``clicks``,
    ``campaign_cost``, ``industries`` and ``seniority``. A share table is the text
    ``cto:0.4;cio:0.2`` or one column per key (``audience.cto``). Other columns are
    ignored."""
    cells = row_cells(row)
    out: dict[str, Any] = {}
    for key, value in cells.items():
        field, dot, part = key.partition(".")
        if dot and field in _SHARES:
            out.setdefault(field, {})[part] = _number(value, key)
    for field in _SHARES:
        if field in cells:
            out[field] = _shares(cells[field], field)
    for field in _LISTS:
        if field in cells:
            out[field] = [p.strip() for p in _text(cells[field]).split(";") if p.strip()]
    for field in _WHOLES:
        if field in cells:
            out[field] = _whole(cells[field], field)
    for field in _NUMBERS:
        if field in cells:
            out[field] = _number(cells[field], field, "count")
    for field in ("handle", *_MONEY):
        if field in cells:
            value = cells[field]
            whole = type(value) is float and value.is_integer()
            out[field] = int(value) if whole else value  # 3000.0 from a float column
            if field != "handle" and isinstance(value, str):
                out[field] = read_value(value, kind="money", path=field).value  # €1,500
    missing = [f for f in CANDIDATE_REQUIRED if f not in out]
    if missing:
        raise InvalidInputError(f"missing {', '.join(missing)}", path="")
    return out


def money_currencies(row: Mapping[str, Any]) -> dict[str, str]:
    """The currency each money cell of a KOL candidate's row is written in (field ->
    ISO code), for the caller to refuse a file mixing currencies, or convert them.

    >>> money_currencies({"cost_per_post": "€1,500", "campaign_cost": "300"})
    {'cost_per_post': 'EUR'}
    """
    out = {}
    for field in _MONEY:
        value = row.get(field)
        if isinstance(value, str) and value.strip():
            code = read_value(value, kind="money", path=field).currency
            if code is not None:
                out[field] = code
    return out


def _shares(value: Any, field: str) -> dict[str, float]:
    if isinstance(value, Mapping):
        return {str(k): _number(v, f"{field}.{k}") for k, v in value.items()}
    shares = {}
    for item in _text(value).split(";"):
        if item.strip():
            name, _, share = item.partition(":")
            shares[name.strip()] = _number(share.strip(), f"{field}.{name.strip()}")
    return shares


def _number(value: Any, field: str, kind: Kind = "share") -> float:
    """A number cell; text is read by the one value reader as ``kind`` (shares take
    ``25%``, counts ``12k``)."""
    if isinstance(value, str):
        return float(read_value(value, kind=kind, path=field).value)
    number = as_number(value) if not isinstance(value, bool) else None
    if number is None:
        raise InvalidInputError(f"expected a number, got {value!r}", path=field)
    return number


def _whole(value: Any, field: str) -> int:
    number = _number(value, field, "count") if not isinstance(value, int) else value
    if isinstance(number, float):
        if not number.is_integer():
            raise InvalidInputError(f"expected a whole number, got {value!r}", path=field)
        number = int(number)
    return number
