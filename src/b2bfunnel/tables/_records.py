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

from .._time import parse_datetime, require_aware
from ..errors import InvalidInputError
from ._values import as_number, as_whole, is_blank

__all__ = [
    "CANDIDATE_REQUIRED",
    "at_row",
    "candidate_fields",
    "plain",
    "read_time",
    "response_fields",
    "score_of",
]

_WHOLE_TEXT = re.compile(r"[+-]?\d+(?:\.0*)?")


def plain(value: Any) -> Any:
    """A cell as the converters see it: text stripped, blanks (empty text, None, NaN,
    NaT, pandas NA) as ``None``, numpy scalars as Python numbers, pandas Timestamps as
    datetimes."""
    kind = type(value)
    if kind is str:
        return value.strip() or None
    if kind is int or kind is datetime:
        return value
    if kind is float:
        return None if value != value else value
    if is_blank(value):
        return None
    if callable(getattr(value, "to_pydatetime", None)):
        return value.to_pydatetime()
    if kind.__module__ == "numpy" and callable(getattr(value, "item", None)):
        return value.item()
    return value


def at_row(exc: InvalidInputError, where: str, own: str = "") -> InvalidInputError:
    """``exc`` (at_row at a field, or at ``own.field`` by a record's constructor)
    at_row at the row ``where`` (``file:line:`` or ``name[i].``)."""
    depth = 1 if own and exc.parts[:1] == (own,) and len(exc.parts) > 1 else 0
    if len(exc.parts) == depth:
        return exc.at(where[:-1])
    return exc.relocate(where.removesuffix("."), depth=depth)


def read_time(value: Any, field: str, zone: tzinfo | None) -> datetime:
    """A datetime cell, or ISO 8601 text (with an offset, or read in ``zone``)."""
    if isinstance(value, datetime):
        if value.tzinfo is None and zone is not None:
            return value.replace(tzinfo=zone)
        return require_aware(value, field)
    if not isinstance(value, str):
        raise InvalidInputError(
            f"expected an ISO 8601 timestamp, got {type(value).__name__} {value!r}", path=field
        )
    return parse_datetime(value, field, naive_zone=zone)


def score_of(value: Any, field: str = "score") -> int:
    """A survey score: a whole number 0..10, as a number or as text (``9``, ``9.0``)."""
    whole = as_whole(value)
    if whole is None and isinstance(value, float) and value.is_integer():
        whole = int(value)
    if whole is None and isinstance(value, str) and _WHOLE_TEXT.fullmatch(value):
        whole = int(float(value))
    if whole is None or not 0 <= whole <= 10:
        raise InvalidInputError(f"expected a whole number 0..10, got {value!r}", path=field)
    return whole


_RESPONSE_FIELDS = frozenset(("score", "at", "account", "comment"))


def response_fields(row: Mapping[str, Any], *, zone: tzinfo | None = None) -> dict[str, Any] | None:
    """A survey response's fields (``score``, ``at``, ``segments``, ``comment``,
    ``account``) from a row; every other column is a segment. ``None`` when the score
    is blank (such rows are skipped and counted)."""
    cells = {str(k): v for k, v in ((k, plain(v)) for k, v in row.items()) if v is not None}
    if "score" not in cells:
        return None
    at = cells.get("at")
    return {
        "score": score_of(cells["score"]),
        "at": None if at is None else read_time(at, "at", zone),
        "segments": {k: _text(v) for k, v in cells.items() if k not in _RESPONSE_FIELDS},
        "comment": _text_or_none(cells.get("comment")),
        "account": _text_or_none(cells.get("account")),
    }


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a column pandas read as float because of a blank
    return value if isinstance(value, str) else str(value)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


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
    cells = {str(k): v for k, v in ((k, plain(v)) for k, v in row.items()) if v is not None}
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
            out[field] = _number(cells[field], field)
    for field in ("handle", *_MONEY):
        if field in cells:
            value = cells[field]
            whole = type(value) is float and value.is_integer()
            out[field] = int(value) if whole else value  # 3000.0 from a float column
    missing = [f for f in CANDIDATE_REQUIRED if f not in out]
    if missing:
        raise InvalidInputError(f"missing {', '.join(missing)}", path="")
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


def _number(value: Any, field: str) -> float:
    number = as_number(value) if not isinstance(value, bool) else None
    if number is None:
        raise InvalidInputError(f"expected a number, got {value!r}", path=field)
    return number


def _whole(value: Any, field: str) -> int:
    number = _number(value, field) if not isinstance(value, int) else value
    if isinstance(number, float):
        if not number.is_integer():
            raise InvalidInputError(f"expected a whole number, got {value!r}", path=field)
        number = int(number)
    return number
