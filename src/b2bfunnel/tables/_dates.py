"""Reading dates and times as exports write them: ISO 8601 first, then given formats.

A :class:`DateReader` holds the formats (strptime codes, tried in order, each matching
the whole value; month and day names and ``%p`` in English, whatever the process's
locale) and the zone of naive values. A value no format reads is refused; a value
like ``06/12/2026`` without a format is refused naming the formats every value of
its column is consistent with (:func:`consistent_formats`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, tzinfo

import attrs

from .._time import parse_datetime
from ..errors import InvalidInputError

__all__ = ["DateReader", "consistent_formats", "needs_format", "read_formats"]

# English (C locale) names: strptime's %b/%a/%p follow the process locale, which a
# library must not depend on (nor change).
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DIRECTIVES = {
    "d": r"(?P<day>\d{1,2})",
    "m": r"(?P<month>\d{1,2})",
    "Y": r"(?P<year>\d{4})",
    "y": r"(?P<year2>\d{2})",
    "H": r"(?P<hour>\d{1,2})",
    "I": r"(?P<hour12>\d{1,2})",
    "M": r"(?P<minute>\d{2})",
    "S": r"(?P<second>\d{2})",
    "f": r"(?P<fraction>\d{1,6})",
    "p": r"(?P<ampm>[AaPp]\.?[Mm]\.?)",
    "b": r"(?P<mon>[A-Za-z]{3})",
    "B": r"(?P<monthname>[A-Za-z]+)",
    "a": r"(?:[A-Za-z]{3})",
    "A": r"(?:[A-Za-z]+)",
    "z": r"(?P<offset>Z|[+-]\d{2}:?\d{2})",
    "%": "%",
}
_SLASHED = re.compile(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})(?:[ T].*)?\s*")


def _compile(fmt: str, path: str) -> re.Pattern[str]:
    parts = []
    i = 0
    while i < len(fmt):
        char = fmt[i]
        if char == "%" and i + 1 < len(fmt):
            code = fmt[i + 1]
            if code not in _DIRECTIVES:
                allowed = " ".join("%" + c for c in _DIRECTIVES)
                raise InvalidInputError(
                    f"date format {fmt!r}: unknown directive %{code}; allowed: {allowed}",
                    path=path,
                )
            parts.append(_DIRECTIVES[code])
            i += 2
        else:
            parts.append(r"\s+" if char == " " else re.escape(char))
            i += 1
    try:
        return re.compile("".join(parts), re.IGNORECASE)
    except re.error:
        raise InvalidInputError(f"date format {fmt!r} uses a directive twice", path=path) from None


def _month(found: dict[str, str]) -> int:
    if found.get("month"):
        return int(found["month"])
    name = (found.get("mon") or found.get("monthname") or "").lower()
    if name in _MONTH_NAMES:
        return _MONTH_NAMES.index(name) + 1
    if name[:3] in _MONTHS and len(name) == 3:
        return _MONTHS.index(name) + 1
    raise ValueError(f"unknown month {name!r}")


def _build(found: dict[str, str]) -> datetime:
    year = int(found["year"]) if found.get("year") else 2000 + int(found.get("year2") or 0)
    hour = int(found["hour"]) if found.get("hour") else 0
    if found.get("hour12"):
        hour = int(found["hour12"])
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range")
        pm = (found.get("ampm") or "a").lower().startswith("p")
        hour = hour % 12 + (12 if pm else 0)
    fraction = (found.get("fraction") or "").ljust(6, "0")
    value = datetime(
        year,
        _month(found),
        int(found.get("day") or 1),
        hour,
        int(found.get("minute") or 0),
        int(found.get("second") or 0),
        int(fraction or 0),
    )
    offset = found.get("offset")
    if offset:
        return datetime.fromisoformat(value.isoformat() + ("+00:00" if offset == "Z" else offset))
    return value


@attrs.frozen
class DateReader:
    """Reads date and time cells: ISO 8601 first, then each of ``formats`` in order;
    a naive result is in ``zone`` (and refused without one); a date alone is midnight.

    >>> from zoneinfo import ZoneInfo
    >>> reader = DateReader(("%d/%m/%Y", "%m/%d/%Y %I:%M:%S %p"), ZoneInfo("Europe/Madrid"))
    >>> reader.read("15/03/2026", "deals[0].closed_at").isoformat()
    '2026-03-15T00:00:00+01:00'
    >>> reader.read("3/15/2026 2:05:00 PM", "deals[0].closed_at").isoformat()
    '2026-03-15T14:05:00+01:00'
    """

    formats: tuple[str, ...] = ()
    zone: tzinfo | None = None
    _patterns: tuple[re.Pattern[str], ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        patterns = tuple(_compile(f, "date_format") for f in self.formats)
        object.__setattr__(self, "_patterns", patterns)

    def read(self, text: str, path: str) -> datetime:
        """The aware datetime of ``text``, or :class:`InvalidInputError` at ``path``."""
        try:
            return parse_datetime(text, path, naive_zone=self.zone)
        except InvalidInputError as exc:
            iso_error = exc
        for fmt, pattern in zip(self.formats, self._patterns, strict=True):
            match = pattern.fullmatch(text.strip())
            if match is None:
                continue
            try:
                value = _build(match.groupdict())
            except ValueError as exc:
                raise InvalidInputError(
                    f"{text!r} is not a date under {fmt!r}: {exc}", path=path
                ) from None
            if value.tzinfo is None:
                if self.zone is None:
                    raise InvalidInputError(
                        f"{text!r} has no time zone; say which zone it is in with timezone=",
                        path=path,
                    )
                value = value.replace(tzinfo=self.zone)
            return value
        if self.formats:
            shown = ", ".join(repr(f) for f in self.formats)
            raise InvalidInputError(
                f"{text!r} is neither ISO 8601 nor in a given format ({shown})", path=path
            )
        if needs_format(text):
            fits = " or ".join(repr(f) for f in consistent_formats([text]))
            raise InvalidInputError(
                f"{text!r} is not ISO 8601; say how the column writes dates with "
                f"date_format= (this value fits {fits}, with its time if any)",
                path=path,
            )
        raise iso_error


def needs_format(text: str) -> bool:
    """Whether ``text`` is a slashed date (``06/12/2026``) that only a format can read.

    >>> needs_format("06/12/2026"), needs_format("2026-12-06")
    (True, False)
    """
    return _SLASHED.fullmatch(text) is not None


def read_formats(value: object, path: str) -> tuple[str, ...]:
    """Date formats given as one string or a list of strings, each checked."""
    formats = (value,) if isinstance(value, str) else value
    if not isinstance(formats, list | tuple) or not all(isinstance(f, str) for f in formats):
        raise InvalidInputError(
            f"expected a strptime format or a list of them, got {value!r}", path=path
        )
    for index, fmt in enumerate(formats):
        _compile(fmt, f"{path}[{index}]" if not isinstance(value, str) else path)
    return tuple(formats)


def consistent_formats(texts: Iterable[str]) -> Sequence[str]:
    """The day/month orders every slashed date of a column fits: ``%d/%m/%Y`` if some
    first field is over 12, ``%m/%d/%Y`` if some second field is, both otherwise (none
    when the column has both kinds).

    >>> consistent_formats(["06/12/2026", "15/03/2026"])
    ['%d/%m/%Y']
    >>> consistent_formats(["06/12/2026"])
    ['%d/%m/%Y', '%m/%d/%Y']
    """
    day_first = month_first = True
    separator = "/"
    for text in texts:
        match = _SLASHED.fullmatch(text)
        if match is None:
            continue
        separator = text.strip()[len(match[1])]
        first, second = int(match[1]), int(match[2])
        day_first = day_first and second <= 12
        month_first = month_first and first <= 12
    out = []
    if day_first:
        out.append(f"%d{separator}%m{separator}%Y")
    if month_first:
        out.append(f"%m{separator}%d{separator}%Y")
    return out
