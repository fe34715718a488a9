"""The persisted side of the nurture engine: a lead's state, its actions and history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from .._display import Displayed
from .._time import parse_datetime, require_aware
from ..errors import InvalidInputError

STATE_VERSION = 1


@attrs.frozen(repr=False)
class Action(Displayed):
    """Something the caller should do: ``kind`` (``send_email``, ``notify_owner``,
    ``assign_owner``, ``archive``...) for ``lead_id`` at ``at``, with its ``template``,
    the ``status`` and ``reason`` behind it, and an ``idempotency_key`` to deduplicate
    sends after a crash or retry (the same state always yields the same keys)."""

    kind: str
    at: datetime
    lead_id: str
    idempotency_key: str
    template: str | None = None
    status: str = ""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "kind": self.kind,
            "at": self.at.isoformat(),
            "lead_id": self.lead_id,
            "idempotency_key": self.idempotency_key,
            "template": self.template,
            "status": self.status,
            "reason": self.reason,
        }


@attrs.frozen(repr=False)
class HistoryEntry(Displayed):
    """One transition, for audit: when, from, to and why."""

    at: datetime
    source: str
    target: str
    why: str


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


@attrs.frozen(repr=False)
class NurtureState(Displayed):
    """Where one lead stands in a flow: a value to persist with ``to_dict``.

    ``status``; ``enrolled_at``; ``status_since`` (when it entered the status);
    ``processed_at`` (everything due up to then has been done); ``last_event_at``;
    ``step`` (the next step of the status's sequence) and ``shift`` (days the sequence
    was paused); ``held`` (while paused: the status, step, shift and entry time to
    resume); ``contact_at`` (the next periodic contact of an archived lead);
    ``enrollments``; ``emitted`` (actions so far, for idempotency keys); ``history``
    (the latest transitions); ``next_due_at`` (when ``advance`` next has something to
    do, or None); ``flow_version``; ``timezone`` (the lead's, for send windows).
    """

    lead_id: str
    status: str
    flow_version: int
    enrolled_at: datetime
    status_since: datetime
    processed_at: datetime | None = None
    last_event_at: datetime | None = None
    step: int = 0
    shift: float = 0.0
    held: tuple[str, int, float, datetime, datetime] | None = None
    contact_at: datetime | None = None
    enrollments: int = 1
    emitted: int = 0
    history: tuple[HistoryEntry, ...] = ()
    next_due_at: datetime | None = None
    timezone: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data with a format version; times in UTC ISO 8601 (``next_due_at``
        can be indexed and compared as text)."""
        return {
            "v": STATE_VERSION,
            "lead_id": self.lead_id,
            "status": self.status,
            "flow_version": self.flow_version,
            "enrolled_at": _iso(self.enrolled_at),
            "status_since": _iso(self.status_since),
            "processed_at": _iso(self.processed_at),
            "last_event_at": _iso(self.last_event_at),
            "step": self.step,
            "shift": self.shift,
            "held": None
            if self.held is None
            else [self.held[0], self.held[1], self.held[2], _iso(self.held[3]), _iso(self.held[4])],
            "contact_at": _iso(self.contact_at),
            "enrollments": self.enrollments,
            "emitted": self.emitted,
            "history": [[_iso(h.at), h.source, h.target, h.why] for h in self.history],
            "next_due_at": _iso(self.next_due_at),
            "timezone": self.timezone,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NurtureState:
        """Restore a state saved with :meth:`to_dict`; another format version is refused."""
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(data).__name__}", path="state")
        if data.get("v") != STATE_VERSION:
            raise InvalidInputError(
                f"unsupported nurture state version {data.get('v')!r}; this "
                f"version reads {STATE_VERSION}",
                path="state.v",
            )
        # to_dict writes the version and one key per field.
        expected = {"v", *(field.name for field in attrs.fields(cls))}
        if set(data) != expected:
            raise InvalidInputError(
                f"expected the keys {sorted(expected)}, got {sorted(data)}", path="state"
            )

        def when(key: str, value: Any) -> datetime | None:
            return None if value is None else parse_datetime(value, f"state.{key}")

        try:
            held = data["held"]
            return cls(
                data["lead_id"],
                data["status"],
                int(data["flow_version"]),
                parse_datetime(data["enrolled_at"], "state.enrolled_at"),
                parse_datetime(data["status_since"], "state.status_since"),
                when("processed_at", data["processed_at"]),
                when("last_event_at", data["last_event_at"]),
                int(data["step"]),
                float(data["shift"]),
                None
                if held is None
                else (
                    str(held[0]),
                    int(held[1]),
                    float(held[2]),
                    parse_datetime(held[3], "state.held[3]"),
                    parse_datetime(held[4], "state.held[4]"),
                ),
                when("contact_at", data["contact_at"]),
                int(data["enrollments"]),
                int(data["emitted"]),
                tuple(
                    HistoryEntry(
                        parse_datetime(h[0], "state.history"), str(h[1]), str(h[2]), str(h[3])
                    )
                    for h in data["history"]
                ),
                when("next_due_at", data["next_due_at"]),
                data["timezone"],
            )
        except (TypeError, ValueError, IndexError, KeyError) as exc:
            if isinstance(exc, InvalidInputError):
                raise
            raise InvalidInputError(f"malformed nurture state: {exc}", path="state") from None


def due(
    states: Iterable[NurtureState | Mapping[str, Any]], as_of: datetime
) -> Iterator[NurtureState | Mapping[str, Any]]:
    """The states (or their persisted dicts) that have something due by ``as_of``.

    Persisted dicts are compared on their ``next_due_at`` text (UTC ISO 8601), without
    parsing: the same filter a database index on that column gives.
    """
    require_aware(as_of, "as_of")
    text = as_of.astimezone(UTC).isoformat()
    for state in states:
        if isinstance(state, NurtureState):
            if state.next_due_at is not None and state.next_due_at <= as_of:
                yield state
        else:
            value = state.get("next_due_at")
            if value is not None and value <= text:
                yield state
