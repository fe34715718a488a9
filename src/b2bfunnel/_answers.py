"""Qualification answers from a CRM row, read the way the command line reads a CSV row.

A blank cell (``""``, ``None``, NaN, pandas ``NA``) is an unknown answer; a timing
cell holding an ISO date (``2027-03-31``) or timestamp is that date; an enumerated
answer is matched case- and accent-insensitively with space, ``_`` and ``-`` alike
(``Economic Buyer`` is ``economic_buyer``); ``committee`` may be one cell of roles
separated by ``;``. Columns that are not criteria are kept (so that
:func:`b2bfunnel.qualify` names them as typos) unless ``ignore_unknown``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from ._time import parse_datetime
from .bant import QualificationPolicy
from .errors import InvalidInputError
from .tables._values import is_blank, name_key

__all__ = ["answers_from_row"]


def answers_from_row(
    row: Mapping[str, Any],
    policy: QualificationPolicy,
    *,
    ignore_unknown: bool = False,
    path: str = "answers",
) -> dict[str, Any]:
    """The answers in ``row`` for ``policy`` (see the module's documentation).

    >>> from b2bfunnel.bant import QualificationPolicy
    >>> answers_from_row({"id": "L1", "budget": "Approved", "timing": "2027-03-31",
    ...                   "authority": float("nan")}, QualificationPolicy.default(),
    ...                  ignore_unknown=True)
    {'budget': 'approved', 'timing': datetime.date(2027, 3, 31)}
    """
    if not isinstance(row, Mapping):
        raise InvalidInputError(f"expected a mapping, got {type(row).__name__}", path=path)
    criteria = {c.name: c for c in policy.criteria}
    answers: dict[str, Any] = {}
    for key, value in row.items():
        if is_blank(value):
            continue
        criterion = criteria.get(key)
        if key == "committee":
            answers[key] = _roles(value)
        elif criterion is None:
            if not ignore_unknown:
                answers[key] = value
        elif isinstance(value, str):
            text = value.strip()
            if criterion.timing and text[:4].isdigit() and "-" in text:
                answers[key] = _when(text, f"{path}.{key}")
            else:
                by_key = {name_key(v): v for v in criterion.values}
                answers[key] = by_key.get(name_key(text), text)
        else:
            answers[key] = value
    return answers


def _roles(value: Any) -> Any:
    if isinstance(value, str):
        return [name_key(r).replace(" ", "_") for r in value.split(";") if r.strip()]
    return value


def _when(text: str, where: str) -> date:
    if "T" in text or " " in text:
        return parse_datetime(text, where)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInputError(f"{text!r} is not a date (YYYY-MM-DD)", path=where) from None
