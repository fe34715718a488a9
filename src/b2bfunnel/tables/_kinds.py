"""One converter per record kind, for the kinds whose rows are plain fields: lead
profiles, touches, outcomes, lifecycle rows, accounts and contact roles.

Each converter takes a row (a mapping of field -> cell, from any channel) and returns
its typed fields: text stripped, blanks (empty text, None, NaN, NaT, pandas NA) left
out, numpy scalars as Python values, times read as aware datetimes (ISO 8601, a
datetime cell, or the formats of a :class:`~b2bfunnel.tables._dates.DateReader`).
Its errors are at the field; the channel puts the row's location in front
(:func:`~b2bfunnel.tables._records.at_row`): ``file:line:at`` for a CSV file,
``touches[3].at`` for rows given in Python. ``tables._read.rows_of(..., kind=)`` is
the Python channel (the reading options read labels, amounts and dates first);
``tables._reading.read_kind`` the CSV one. Survey responses, KOL candidates and
events have theirs in :mod:`._records`, deals in :mod:`._deals`.

>>> touch_fields({"lead_id": " L1 ", "at": "2026-11-02T10:00:00Z", "channel": "webinar",
...               "campaign": float("nan")})
{'lead_id': 'L1', 'at': datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.timezone.utc), \
'channel': 'webinar'}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any

from ..errors import InvalidInputError
from ._dates import DateReader
from ._records import event_text, read_time, row_cells

__all__ = [
    "LIFECYCLE_TIMES",
    "Converter",
    "account_fields",
    "contact_role_fields",
    "lifecycle_fields",
    "outcome_fields",
    "profile_fields",
    "touch_fields",
]

Converter = Callable[..., dict[str, Any]]
"""A row's converter: ``convert(row, *, zone=None, dates=None) -> fields``."""

# The times of a lifecycle row: the stage dates and the two dates around the SQL.
LIFECYCLE_TIMES = (
    "lead_at", "mql_at", "sql_at", "opportunity_at", "won_at", "rejected_at", "first_contact_at",
)  # fmt: skip


def _required_text(cells: Mapping[str, Any], field: str, what: str) -> str:
    if field not in cells:
        raise InvalidInputError(f"empty {what}", path=field)
    return event_text(cells[field], field)


def _time(cells: dict[str, Any], field: str, zone: tzinfo | None, dates: DateReader | None) -> None:
    value = cells.get(field)
    if value is not None and not (type(value) is datetime and value.utcoffset() is not None):
        cells[field] = read_time(value, field, zone, dates)


def profile_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any]:
    """A lead profile's fields: a non-empty ``id`` (text; a whole number from a numeric
    column as its digits) and every other non-blank cell as it is (rules read profile
    fields by their own conditions).

    >>> profile_fields({"id": 1042.0, "job_title": " CIO ", "employees": float("nan")})
    {'id': '1042', 'job_title': 'CIO'}
    """
    cells = row_cells(row)
    cells["id"] = _required_text(cells, "id", "lead id")
    return cells


def touch_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any]:
    """A touch's fields: ``lead_id``, ``at`` (a time) and ``channel``, all required, and
    every other non-blank cell (``campaign``, ``kol``...) as it is."""
    cells = row_cells(row)
    lead = _required_text(cells, "lead_id", "lead id")
    if "at" not in cells:
        raise InvalidInputError("empty time", path="at")
    _time(cells, "at", zone, dates)
    channel = _required_text(cells, "channel", "channel")
    return {**cells, "lead_id": lead, "channel": channel}


def outcome_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any]:
    """An outcome's fields: ``lead_id`` and ``at`` (when the lead converted), both
    required, and every other non-blank cell as it is."""
    cells = row_cells(row)
    lead = _required_text(cells, "lead_id", "lead id")
    if "at" not in cells:
        raise InvalidInputError("empty time", path="at")
    _time(cells, "at", zone, dates)
    return {**cells, "lead_id": lead}


def lifecycle_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any]:
    """A lifecycle row's fields: each of :data:`LIFECYCLE_TIMES` present read as a
    time, ``rejection_reason`` as text, every other non-blank cell as it is."""
    cells = row_cells(row)
    for field in LIFECYCLE_TIMES:
        _time(cells, field, zone, dates)
    reason = cells.get("rejection_reason")
    if reason is not None and not isinstance(reason, str):
        cells["rejection_reason"] = str(reason)
    return cells


def account_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any]:
    """An account's fields: its ``id`` as text (a whole number
    as its digits), every other non-blank cell as it is (the accounts package reads
    domains and names from them by its field lists, and refuses a row without id)."""
    cells = row_cells(row)
    if "id" in cells:
        cells["id"] = event_text(cells["id"], "id")
    return cells


def contact_role_fields(
    row: Mapping[str, Any], *, zone: tzinfo | None = None, dates: DateReader | None = None
) -> dict[str, Any]:
    """A contact role's fields: every non-blank cell as it is (the pipeline reads the
    deal's and the contact's ids from them under their CRMs' names, and refuses a row
    without either)."""
    return row_cells(row)
