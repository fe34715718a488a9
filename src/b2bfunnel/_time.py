"""Time helpers: aware datetimes only, POSIX seconds inside hot loops."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from typing import Any

from .errors import InvalidInputError

SECONDS_PER_DAY = 86_400.0
# POSIX seconds of 0001-01-01T00:00Z and 9999-12-31T23:59:59Z: the instants a UTC
# datetime can hold.
MIN_TS = -62_135_596_800.0
MAX_TS = 253_402_300_799.0


def require_aware(value: Any, path: str) -> datetime:
    """Return ``value`` if it is a timezone-aware datetime, else raise."""
    if not isinstance(value, datetime):
        raise InvalidInputError(
            f"expected a timezone-aware datetime, got {type(value).__name__} {value!r}",
            path=path,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInputError(
            f"naive datetime {value.isoformat()} is not allowed; give it a time zone "
            "(e.g. datetime(..., tzinfo=timezone.utc))",
            path=path,
        )
    return value


def read_datetime(value: Any, path: str) -> datetime:
    """A datetime read from a row: a timezone-aware datetime, or ISO 8601 text with an
    offset. (Keyword arguments such as ``as_of=`` take datetimes only:
    :func:`require_aware`.)"""
    if isinstance(value, str):
        return parse_datetime(value, path)
    return require_aware(value, path)


def parse_datetime(text: str, path: str, *, naive_zone: tzinfo | None = None) -> datetime:
    """Parse an ISO 8601 timestamp that must carry an offset (``Z`` or ``+01:00``).

    ``datetime.fromisoformat`` reads the common forms fast; ``dateutil`` reads the
    rest. A timestamp without an offset is refused unless ``naive_zone`` says which
    zone it was written in.
    """
    if isinstance(text, datetime):
        return require_aware(text, path)
    if not isinstance(text, str):
        raise InvalidInputError(
            f"expected an ISO 8601 timestamp string, got {type(text).__name__}", path=path
        )
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = _isoparse(text, path)
    if value.tzinfo is None:
        if naive_zone is None:
            raise InvalidInputError(
                f"{text!r} has no time zone; add an offset such as Z or +01:00, "
                "or say which zone it is in with timezone=",
                path=path,
            )
        value = value.replace(tzinfo=naive_zone)
    return value


def _isoparse(text: str, path: str) -> datetime:
    from dateutil.parser import isoparse  # lazy: keeps `import b2bfunnel` fast

    try:
        return isoparse(text.strip())
    except (ValueError, OverflowError):
        raise InvalidInputError(
            f"{text!r} is not an ISO 8601 timestamp (e.g. 2026-11-23T09:00:00+00:00)",
            path=path,
        ) from None


def read_zone(name: str, path: str) -> tzinfo:
    """The IANA time zone called ``name`` (``Europe/Madrid``, ``UTC``)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError  # deferred: keeps imports fast

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            f"unknown time zone {name!r}; expected an IANA name such as Europe/Madrid",
            path=path,
        ) from None


def to_ts(value: datetime) -> float:
    """POSIX seconds of an aware datetime."""
    return value.timestamp()


def from_ts(ts: float) -> datetime:
    """The UTC datetime of POSIX seconds."""
    return datetime.fromtimestamp(ts, tz=UTC)


def ts_to_json(ts: float) -> int | float:
    """Compact JSON form of POSIX seconds: an int when whole."""
    as_int = int(ts)
    return as_int if as_int == ts else ts


def is_date_only(value: Any) -> bool:
    """True for a ``date`` that is not a ``datetime``."""
    return isinstance(value, date) and not isinstance(value, datetime)
