"""The engine's scratch copy of a state: mutable while one call works on it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from ._state import HistoryEntry, NurtureState, Postponed

_FIELDS = tuple(field.name for field in attrs.fields(NurtureState))


class Work:
    """A mutable copy of a state while the engine works on it."""

    __slots__ = (*_FIELDS, "sends", "until")

    lead_id: str
    status: str
    flow_version: int
    enrolled_at: datetime
    status_since: datetime
    processed_at: datetime | None
    last_event_at: datetime | None
    step: int
    shift: float
    held: tuple[str, int, float, datetime, datetime] | None
    contact_at: datetime | None
    enrollments: int
    emitted: int
    history: tuple[HistoryEntry, ...]
    next_due_at: datetime | None
    timezone: str | None
    done: tuple[str, ...]
    suppressed: str | None
    arms: Mapping[str, str]
    assigned_at: Mapping[str, datetime]
    postponed: tuple[Postponed, ...]
    # Not state: the lead's send times during this call (None without a limit), and
    # the time the call runs up to.
    sends: list[datetime] | None
    until: datetime

    def __init__(self, state: NurtureState) -> None:
        # Spelled out: this runs on every call, and a loop of setattr costs twice as much.
        self.lead_id = state.lead_id
        self.status = state.status
        self.flow_version = state.flow_version
        self.enrolled_at = state.enrolled_at
        self.status_since = state.status_since
        self.processed_at = state.processed_at
        self.last_event_at = state.last_event_at
        self.step = state.step
        self.shift = state.shift
        self.held = state.held
        self.contact_at = state.contact_at
        self.enrollments = state.enrollments
        self.emitted = state.emitted
        self.history = state.history
        self.next_due_at = state.next_due_at
        self.timezone = state.timezone
        self.done = state.done
        self.suppressed = state.suppressed
        self.arms = state.arms
        self.assigned_at = state.assigned_at
        self.postponed = state.postponed
        self.sends = None

    def state(self, next_due_at: datetime | None) -> NurtureState:
        return NurtureState(
            self.lead_id,
            self.status,
            self.flow_version,
            self.enrolled_at,
            self.status_since,
            self.processed_at,
            self.last_event_at,
            self.step,
            self.shift,
            self.held,
            self.contact_at,
            self.enrollments,
            self.emitted,
            self.history,
            next_due_at,
            self.timezone,
            self.done,
            self.suppressed,
            self.arms,
            self.assigned_at,
            self.postponed,
        )
