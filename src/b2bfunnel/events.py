"""Events: one thing a lead did, at a timezone-aware time."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from ._display import Displayed
from ._public import publish
from ._time import MAX_TS, MIN_TS, parse_datetime, require_aware
from .errors import InvalidInputError

__all__ = ["Event"]

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _check_text(name: str) -> Any:
    def check(_inst: object, _attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(
                f"expected a non-empty string, got {value!r}", path=f"event.{name}"
            )

    return check


def _check_at(_inst: object, _attr: attrs.Attribute[Any], value: Any) -> None:
    require_aware(value, "event.at")


_MAX_DEPTH = 64


def _freeze(value: Any, path: str, depth: int = 0) -> Any:
    """An immutable copy of a property value: mappings become read-only views, lists
    and tuples tuples, sets frozensets, all the way down."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if depth >= _MAX_DEPTH:
        raise InvalidInputError(
            f"properties nest deeper than {_MAX_DEPTH} levels (or contain themselves)",
            path=path,
        )
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(f"property names must be strings, got {key!r}", path=path)
            out[key] = _freeze(item, f"{path}.{key}", depth + 1)
        return MappingProxyType(out)
    if isinstance(value, list | tuple):
        return tuple(_freeze(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value))
    if isinstance(value, set | frozenset):
        return frozenset(_freeze(item, path, depth + 1) for item in value)
    return value


def _thaw(value: Any) -> Any:
    """Plain dicts and lists again, for :meth:`Event.to_dict`."""
    if isinstance(value, Mapping):
        return {key: _thaw(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_thaw(item) for item in value]
    if isinstance(value, frozenset):
        return {_thaw(item) for item in value}
    return value


def _freeze_properties(value: Any) -> Mapping[str, Any]:
    if value is None or value is _EMPTY or (isinstance(value, Mapping) and not value):
        return _EMPTY
    if not isinstance(value, Mapping):
        raise InvalidInputError(
            f"expected a mapping of property names to values, got {type(value).__name__}",
            path="event.properties",
        )
    # A private, immutable copy: the caller's dict, and any dict or list inside it,
    # can change later without changing the event.
    frozen: Mapping[str, Any] = _freeze(value, "event.properties")
    return frozen


@attrs.frozen(repr=False)
class Event(Displayed):
    """One thing a lead did, at a timezone-aware time.

    >>> from datetime import datetime, timezone
    >>> e = Event("L1", "pricing_page_visit", datetime(2026, 11, 2, 9, tzinfo=timezone.utc),
    ...           {"path": "/pricing"})
    >>> e.properties["path"]
    '/pricing'
    >>> Event.from_dict(e.to_dict()) == e
    True

    ``properties`` is an immutable copy of the mapping given: nested mappings become
    read-only views, lists and tuples tuples, sets frozensets, so changing the
    caller's dict (or a list inside it) later cannot change the event.
    """

    lead_id: str = attrs.field(validator=_check_text("lead_id"))
    name: str = attrs.field(validator=_check_text("name"))
    at: datetime = attrs.field(validator=_check_at)
    properties: Mapping[str, Any] = attrs.field(
        default=_EMPTY, converter=_freeze_properties, hash=False
    )
    # POSIX seconds of `at`, computed once so scoring loops compare floats.
    ts: float = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        ts = self.at.timestamp()
        if not MIN_TS <= ts <= MAX_TS:
            # Scores report event times in UTC, which cannot hold this instant.
            raise InvalidInputError(
                f"{self.at.isoformat()} is outside 0001-01-01T00:00Z .. "
                "9999-12-31T23:59:59Z, the instants a UTC datetime can hold",
                path="event.at",
            )
        object.__setattr__(self, "ts", ts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``at`` as ISO 8601)."""
        return {
            "lead_id": self.lead_id,
            "name": self.name,
            "at": self.at.isoformat(),
            "properties": _thaw(self.properties),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "event") -> Event:
        """Build an event from :meth:`to_dict` data; ``at`` may be ISO text or a datetime."""
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(data).__name__}", path=path)
        unknown = set(data) - {"lead_id", "name", "at", "properties"}
        if unknown:
            raise InvalidInputError(
                f"unknown keys {sorted(unknown, key=repr)}; allowed: lead_id, name, at, properties",
                path=path,
            )
        for key in ("lead_id", "name", "at"):
            if key not in data:
                raise InvalidInputError("is required", path=f"{path}.{key}")
        try:
            return cls(
                data["lead_id"],
                data["name"],
                parse_datetime(data["at"], f"{path}.at"),
                data.get("properties") or _EMPTY,
            )
        except InvalidInputError as exc:
            if exc.parts[:1] == ("event",) and len(exc.parts) > 1 and path != "event":
                raise exc.relocate(path) from None
            raise

    @classmethod
    def from_cells(cls, lead_id: str, name: str, at: datetime, properties: dict[str, str]) -> Event:
        """An event from a table reader's cells, for millions of rows: the reader has
        already made ``lead_id`` and ``name`` non-empty stripped strings, ``at`` an aware
        datetime and ``properties`` a fresh flat dict of strings (kept, not copied), so
        only the instant's range is checked here.

        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 2, tzinfo=timezone.utc)
        >>> Event.from_cells("L1", "visit", at, {}) == Event("L1", "visit", at)
        True
        """
        ts = at.timestamp()
        if not MIN_TS <= ts <= MAX_TS:
            return cls(lead_id, name, at, properties)  # raises the located error
        event = object.__new__(cls)
        put = object.__setattr__
        put(event, "lead_id", lead_id)
        put(event, "name", name)
        put(event, "at", at)
        put(event, "properties", MappingProxyType(properties) if properties else _EMPTY)
        put(event, "ts", ts)
        return event


publish(globals(), __all__)
