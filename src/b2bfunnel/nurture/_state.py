"""The persisted side of the nurture engine: a lead's state, its actions and history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import attrs

from .._display import Displayed
from .._time import parse_datetime, require_aware
from ..errors import InvalidInputError
from ._schedule import utc

STATE_VERSION = 3
NO_ARMS: Mapping[str, str] = MappingProxyType({})
NO_TIMES: Mapping[str, datetime] = MappingProxyType({})


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
class Postponed(Displayed):
    """A send that contact pressure postponed: it goes out ``at``, keeps the key of
    the instant it was ``due`` (``idempotency_key``), and is dropped if the lead leaves
    ``status``, is suppressed or reaches a goal first."""

    at: datetime
    due: datetime
    kind: str
    template: str | None
    status: str
    reason: str
    idempotency_key: str


@attrs.frozen(repr=False)
class HistoryEntry(Displayed):
    """One transition, for audit: when, from, to and why."""

    at: datetime
    source: str
    target: str
    why: str


@attrs.frozen(repr=False)
class NurtureState(Displayed):
    """Where one lead stands in a flow: a value to persist with ``to_dict``.

    ``status``; ``enrolled_at``; ``status_since`` (when it entered the status);
    ``processed_at`` (everything due up to then has been done); ``last_event_at``;
    ``step`` (the next step of the status's sequence) and ``shift`` (days the sequence
    was paused); ``held`` (while paused: the status, step, shift and entry time to
    resume); ``contact_at`` (the next periodic contact of an archived lead);
    ``enrollments``; ``emitted`` (actions so far); ``history`` (the latest
    transitions); ``next_due_at`` (when ``advance`` next has something to do, or
    None); ``flow_version``; ``timezone`` (the lead's IANA zone, which schedules it;
    None means UTC); ``done`` (the steps already due in this enrolment, as
    ``status#index``, so a re-entry never sends one twice); ``suppressed`` (the
    event that suppressed the lead, such as ``unsubscribe``: nothing is sent to it
    any more); ``postponed`` (sends contact pressure postponed, in time order);
    ``arms`` (each split the lead has passed -> its arm, kept across
    re-enrolments: the stored arm wins over a reweighted flow) and ``assigned_at``
    (split -> when the lead was first assigned to it).
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
    done: tuple[str, ...] = ()
    suppressed: str | None = None
    arms: Mapping[str, str] = attrs.field(default=NO_ARMS, hash=False)
    assigned_at: Mapping[str, datetime] = attrs.field(default=NO_TIMES, hash=False)
    postponed: tuple[Postponed, ...] = ()

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
            "done": list(self.done),
            "suppressed": self.suppressed,
            "arms": dict(self.arms),
            "assigned_at": {k: _iso(v) for k, v in self.assigned_at.items()},
            "postponed": [
                [_iso(p.at), _iso(p.due), p.kind, p.template, p.status, p.reason, p.idempotency_key]
                for p in self.postponed
            ],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NurtureState:
        """Restore a state saved with :meth:`to_dict` by this or an earlier version
        (older formats are upgraded). Every field is checked: types, ranges, time
        zones, times; what needs the flow (the status exists, the step is in range) is
        checked by the flow before it changes anything."""
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(data).__name__}", path="state")
        version = data.get("v")
        if type(version) is not int or version not in _FORMATS:
            raise InvalidInputError(
                f"unsupported nurture state version {version!r}; this version reads "
                f"{', '.join(map(str, sorted(_FORMATS)))}",
                path="state.v",
            )
        expected = _FORMATS[version]
        if set(data) != expected:
            missing, extra = sorted(expected - set(data)), sorted(set(data) - expected)
            raise InvalidInputError(
                f"a version {version} state has the keys {sorted(expected)}; "
                f"missing {missing}, unknown {extra}",
                path="state",
            )
        if version == 1:
            data = _upgrade_v1(data)
        if version < 3:
            data = dict(data, v=STATE_VERSION, arms={}, assigned_at={}, postponed=[])
        return _read(data)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


_V1_KEYS = frozenset(
    [
        "v",
        "lead_id",
        "status",
        "flow_version",
        "enrolled_at",
        "status_since",
        "processed_at",
        "last_event_at",
        "step",
        "shift",
        "held",
        "contact_at",
        "enrollments",
        "emitted",
        "history",
        "next_due_at",
        "timezone",
    ]
)
_V2_KEYS = _V1_KEYS | {"done", "suppressed"}
_FORMATS = {
    1: _V1_KEYS,
    2: _V2_KEYS,
    STATE_VERSION: _V2_KEYS | {"arms", "assigned_at", "postponed"},
}
# Format 1 kept no suppression flag: its default flow moved a suppressed lead to
# "unsubscribed", and the history's reasons end with the event that did it.
_V1_SUPPRESSING = ("unsubscribe", "hard_bounce")


def _upgrade_v1(data: Mapping[str, Any]) -> dict[str, Any]:
    """Format 1 -> 2: steps already passed become ``done``; a lead that was
    unsubscribed, or whose history shows an unsubscribe or hard bounce, is suppressed."""
    out = dict(data, v=2)
    done: list[str] = []
    for status, step in ((data.get("status"), data.get("step")), _held_progress(data)):
        if isinstance(status, str) and type(step) is int and 0 <= step <= _MAX_INT:
            done.extend(f"{status}#{index}" for index in range(step))
    out["done"] = done
    suppressed = "unsubscribe" if data.get("status") == "unsubscribed" else None
    history = data.get("history")
    for entry in history if isinstance(history, list) else ():
        why = entry[3] if isinstance(entry, list) and len(entry) == 4 else None
        for name in _V1_SUPPRESSING:
            if isinstance(why, str) and why.endswith(f"({name})"):
                suppressed = name
    out["suppressed"] = suppressed
    return out


def _held_progress(data: Mapping[str, Any]) -> tuple[Any, Any]:
    held = data.get("held")
    if isinstance(held, list) and len(held) == 5:
        return held[0], held[1]
    return None, None


_MAX_INT = 1_000_000


def _text(value: Any, path: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(f"expected a non-empty string, got {value!r}", path=path)
    return value


def _count(value: Any, path: str, minimum: int) -> int:
    if type(value) is not int or not minimum <= value <= _MAX_INT:
        raise InvalidInputError(
            f"expected a whole number from {minimum} to {_MAX_INT}, got {value!r}", path=path
        )
    return value


def _days(value: Any, path: str) -> float:
    if type(value) not in (int, float) or not 0 <= value <= 1e6:
        raise InvalidInputError(
            f"expected a number of days from 0 to 1e6, got {value!r}", path=path
        )
    return float(value)


def _when(value: Any, path: str, *, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidInputError(f"expected an ISO 8601 time, got {value!r}", path=path)
    try:
        # What to_dict writes reads with the standard parser, several times faster.
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = parse_datetime(value, path)
    if parsed.tzinfo is None:
        parsed = parse_datetime(value, path)
    return parsed if parsed.tzinfo is UTC else utc(parsed, path)


def check_zone(value: Any, path: str) -> str | None:
    """``value`` if it is None or an IANA time zone name, else an error at ``path``."""
    if value is None:
        return None
    _text(value, path)
    from zoneinfo import ZoneInfo  # deferred: keeps imports fast

    try:
        ZoneInfo(value)
    except Exception:
        raise InvalidInputError(
            f"unknown time zone {value!r} (an IANA name such as Europe/Madrid)", path=path
        ) from None
    return str(value)


def _list(value: Any, path: str, length: int | None = None) -> list[Any]:
    if not isinstance(value, list) or (length is not None and len(value) != length):
        size = f" of {length} items" if length is not None else ""
        raise InvalidInputError(f"expected a list{size}, got {value!r}", path=path)
    return value


def _read(data: Mapping[str, Any]) -> NurtureState:
    """A state from current-format data, every field checked."""
    held = None
    if data["held"] is not None:
        raw = _list(data["held"], "state.held", 5)
        held = (
            _text(raw[0], "state.held[0]"),
            _count(raw[1], "state.held[1]", 0),
            _days(raw[2], "state.held[2]"),
            _when(raw[3], "state.held[3]"),
            _when(raw[4], "state.held[4]"),
        )
    history = []
    for index, raw in enumerate(_list(data["history"], "state.history")):
        at = f"state.history[{index}]"
        raw = _list(raw, at, 4)
        history.append(
            HistoryEntry(
                _when(raw[0], at + "[0]"),
                _text(raw[1], at + "[1]"),
                _text(raw[2], at + "[2]"),
                _text(raw[3], at + "[3]"),
            )
        )
    done = tuple(
        _text(item, f"state.done[{index}]")
        for index, item in enumerate(_list(data["done"], "state.done"))
    )
    if len(set(done)) != len(done):
        raise InvalidInputError("a step is listed twice", path="state.done")
    state = NurtureState(
        _text(data["lead_id"], "state.lead_id"),
        _text(data["status"], "state.status"),
        _count(data["flow_version"], "state.flow_version", 1),
        _when(data["enrolled_at"], "state.enrolled_at"),
        _when(data["status_since"], "state.status_since"),
        _when(data["processed_at"], "state.processed_at", optional=True),
        _when(data["last_event_at"], "state.last_event_at", optional=True),
        _count(data["step"], "state.step", 0),
        _days(data["shift"], "state.shift"),
        held,
        _when(data["contact_at"], "state.contact_at", optional=True),
        _count(data["enrollments"], "state.enrollments", 1),
        _count(data["emitted"], "state.emitted", 0),
        tuple(history),
        _when(data["next_due_at"], "state.next_due_at", optional=True),
        check_zone(data["timezone"], "state.timezone"),
        done,
        _text(data["suppressed"], "state.suppressed", optional=True),
        *_read_arms(data["arms"], data["assigned_at"]),
        _read_postponed(data["postponed"]),
    )
    if state.status_since < state.enrolled_at:
        raise InvalidInputError(
            "status_since is before enrolled_at; the state was altered", path="state.status_since"
        )
    return state


def _read_postponed(data: Any) -> tuple[Postponed, ...]:
    out = []
    for index, raw in enumerate(_list(data, "state.postponed")):
        at = f"state.postponed[{index}]"
        raw = _list(raw, at, 7)
        out.append(
            Postponed(
                _when(raw[0], at + "[0]"),
                _when(raw[1], at + "[1]"),
                _text(raw[2], at + "[2]"),
                _text(raw[3], at + "[3]", optional=True),
                _text(raw[4], at + "[4]"),
                _text(raw[5], at + "[5]"),
                _text(raw[6], at + "[6]"),
            )
        )
    return tuple(out)


def _read_arms(arms: Any, times: Any) -> tuple[Mapping[str, str], Mapping[str, datetime]]:
    """``arms`` (split -> arm) and ``assigned_at`` (split -> time), for the same splits."""
    if not isinstance(arms, dict) or not isinstance(times, dict):
        raise InvalidInputError(
            f"expected tables of split -> arm and split -> time, got {arms!r}, {times!r}",
            path="state.arms",
        )
    if set(arms) != set(times):
        raise InvalidInputError(
            "arms and assigned_at name different splits", path="state.assigned_at"
        )
    read_arms = {_text(k, "state.arms"): _text(v, f"state.arms.{k}") for k, v in arms.items()}
    read_times = {k: _when(v, f"state.assigned_at.{k}") for k, v in times.items()}
    if not read_arms:
        return NO_ARMS, NO_TIMES
    return MappingProxyType(read_arms), MappingProxyType(read_times)


def due(
    states: Iterable[NurtureState | Mapping[str, Any]], as_of: datetime
) -> Iterator[NurtureState | Mapping[str, Any]]:
    """The states (or their persisted dicts) that have something due by ``as_of``.

    Persisted dicts are compared on their ``next_due_at`` text (UTC ISO 8601), without
    parsing: the same filter a database index on that column gives.
    """
    require_aware(as_of, "as_of")
    if isinstance(states, str | bytes | Mapping) or not isinstance(states, Iterable):
        raise InvalidInputError(
            f"expected states or persisted dicts, got {type(states).__name__}", path="states"
        )
    try:
        text = as_of.astimezone(UTC).isoformat()
    except OverflowError:  # near year 1 or 9999, UTC is outside the calendar
        raise InvalidInputError(
            f"out of range: {as_of.isoformat()} in UTC is not a date", path="as_of"
        ) from None
    return _due(states, as_of, text)


def _due(
    states: Iterable[NurtureState | Mapping[str, Any]], as_of: datetime, text: str
) -> Iterator[NurtureState | Mapping[str, Any]]:
    for index, state in enumerate(states):
        if isinstance(state, NurtureState):
            if state.next_due_at is not None and state.next_due_at <= as_of:
                yield state
        elif type(state) is not dict and not isinstance(state, Mapping):  # dict: no ABC check
            raise InvalidInputError(
                f"expected a NurtureState or its dict, got {type(state).__name__}",
                path=f"states[{index}]",
            )
        else:
            value = state.get("next_due_at")
            if isinstance(value, str):
                if value <= text:
                    yield state
            elif value is not None:
                raise InvalidInputError(
                    f"expected an ISO 8601 text or null, got {value!r}",
                    path=f"states[{index}].next_due_at",
                )
