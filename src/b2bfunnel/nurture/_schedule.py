"""When things fall due: calendar days and months in the lead's time zone.

The rule (see ``docs/nurture.md``): the zone that schedules a lead is its state's
``timezone`` (UTC when None), never the tzinfo of a datetime handed in. A delay of N
whole days is N calendar days in that zone, at the same local time; a fraction of a
day is then added as exact elapsed time. A local time that does not exist (the
spring-forward gap) moves forward by the length of the gap; one that occurs twice
(the autumn fold) is the first of the two. Every instant the engine keeps is in UTC.
A time past the year 9999 is "never".
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache

from dateutil.relativedelta import relativedelta

from .._time import require_aware
from ..errors import InvalidInputError
from ._definition import SendWindow


def utc(value: object, path: str) -> datetime:
    """``value`` (an aware datetime) as UTC; a time outside UTC's years 1 to 9999 is refused."""
    value = require_aware(value, path)
    if value.tzinfo is UTC:
        return value
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise InvalidInputError(
            f"{value.isoformat()} is outside the years 1 to 9999 in UTC", path=path
        ) from None


@lru_cache(maxsize=256)
def zone_of(name: str | None) -> tzinfo | None:
    """The zone that schedules a lead; None for UTC (where a day is always 24 hours)."""
    if name is None or name == "UTC":
        return None
    from zoneinfo import ZoneInfo  # deferred: keeps imports fast

    return ZoneInfo(name)


def _wall(local: datetime, zone: tzinfo) -> datetime:
    """A local wall time read with ``fold=0`` (gap: forward by its length; fold: the
    first occurrence), as UTC."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


@lru_cache(maxsize=1024)
def _span(days: float) -> timedelta:
    """``timedelta(days=days)``, built once per delay: building one costs more than the
    rest of a due-time computation."""
    return timedelta(days=days)


def add_days(start: datetime | None, days: float, zone: tzinfo | None) -> datetime | None:
    """``start`` (UTC) plus ``days`` by the calendar-day rule; None past the year 9999."""
    if start is None:
        return None
    try:
        if zone is None:
            return start + _span(days)
        whole = math.floor(days)
        local = start.astimezone(zone).replace(tzinfo=None) + _span(whole)
        moved = _wall(local, zone)
        return moved + _span(days - whole) if days != whole else moved
    except (OverflowError, ValueError):
        return None


def add_seconds(start: datetime, seconds: float) -> datetime | None:
    """Exact elapsed time; None past the year 9999."""
    try:
        return start + timedelta(seconds=seconds)
    except OverflowError:
        return None


def add_months(start: datetime, months: int, zone: tzinfo | None) -> datetime | None:
    """``start`` plus calendar ``months`` at the same local time; None past the year 9999."""
    try:
        if zone is None:
            return start + relativedelta(months=months)
        local = start.astimezone(zone).replace(tzinfo=None) + relativedelta(months=months)
        return _wall(local, zone)
    except (OverflowError, ValueError):
        return None


def period_start(at: datetime, months: int, zone: tzinfo | None) -> datetime | None:
    """Local midnight of the first day of the calendar period of ``months`` after
    ``at``'s one: for 3 months, the next calendar quarter."""
    local = at if zone is None else at.astimezone(zone)
    first = (local.month - 1) // months * months + 1
    start = datetime(local.year, first, 1)
    try:
        nxt = start + relativedelta(months=months)
    except (OverflowError, ValueError):
        return None
    return nxt.replace(tzinfo=UTC) if zone is None else _wall(nxt, zone)


def in_window(at: datetime, window: SendWindow, zone: str | None) -> datetime:
    """The first moment at or after ``at`` inside the send window, in the lead's zone
    (the window's own zone for a lead without one)."""
    from zoneinfo import ZoneInfo  # deferred: keeps imports fast

    tz = ZoneInfo(zone or window.timezone)
    try:
        local = at.astimezone(tz)
        for _ in range(8):
            if local.weekday() in window.days and window.start_hour <= local.hour < window.end_hour:
                return local.astimezone(UTC)
            if local.weekday() in window.days and local.hour < window.start_hour:
                local = local.replace(hour=window.start_hour, minute=0, second=0, microsecond=0)
                continue
            nxt = (local + timedelta(days=1)).date()
            local = datetime(nxt.year, nxt.month, nxt.day, window.start_hour, tzinfo=tz)
        return local.astimezone(UTC)
    except (OverflowError, ValueError):
        return at  # no window left before the year 9999 ends
