"""The nurture engine: pure, clock-free, persistable."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from .._config import Reader, load_toml, read_all
from .._time import parse_datetime, require_aware
from ..errors import InvalidInputError
from ..events import Event
from ._definition import (
    ANY,
    RESUME,
    ActionSpec,
    SendWindow,
    Status,
    TransitionSpec,
    read_definition,
)

STATE_VERSION = 1
_DAY = 86_400.0

DEFAULT_FLOW: dict[str, Any] = {
    "version": 1,
    "initial": "nurturing",
    "templates": [
        "welcome_1",
        "welcome_2",
        "welcome_3",
        "demo_booking",
        "reactivation_1",
        "reactivation_2",
        "quarterly_update",
    ],
    "statuses": {
        "nurturing": {
            "steps": [
                {"after_days": 0, "action": "send_email", "template": "welcome_1"},
                {"after_days": 5, "action": "send_email", "template": "welcome_2"},
                {"after_days": 12, "action": "send_email", "template": "welcome_3"},
            ]
        },
        "paused": {"pause": True},
        "sales_ready": {"terminal": True},
        "reactivation": {
            "steps": [
                {"after_days": 0, "action": "send_email", "template": "reactivation_1"},
                {"after_days": 14, "action": "send_email", "template": "reactivation_2"},
            ]
        },
        "archived": {
            "terminal": True,
            "contact_every_months": 3,
            "contact_template": "quarterly_update",
        },
        "unsubscribed": {"terminal": True},
        "converted": {"terminal": True},
    },
    "transitions": [
        {"name": "unsubscribed", "from": "*", "to": "unsubscribed", "on": {"event": "unsubscribe"}},
        {"name": "hard bounce", "from": "*", "to": "unsubscribed", "on": {"event": "hard_bounce"}},
        {
            "name": "replied",
            "from": "nurturing",
            "to": "paused",
            "on": {"event": "email_reply"},
            "actions": [{"action": "notify_owner"}],
        },
        {
            "name": "replied",
            "from": "reactivation",
            "to": "paused",
            "on": {"event": "email_reply"},
            "actions": [{"action": "notify_owner"}],
        },
        {"name": "handed back", "from": "paused", "to": RESUME, "on": {"event": "nurture_resumed"}},
        {
            "name": "hot",
            "from": "nurturing",
            "to": "sales_ready",
            "on": {"event": "*", "score": {"hot": True}},
            "actions": [
                {"action": "assign_owner"},
                {"action": "send_email", "template": "demo_booking"},
            ],
        },
        {
            "name": "hot",
            "from": "reactivation",
            "to": "sales_ready",
            "on": {"event": "*", "score": {"hot": True}},
            "actions": [
                {"action": "assign_owner"},
                {"action": "send_email", "template": "demo_booking"},
            ],
        },
        {
            "name": "active again",
            "from": "reactivation",
            "to": "nurturing",
            "on": {"event": "*", "score": {"hot": False}},
        },
        {
            "name": "90 days inactive",
            "from": "nurturing",
            "to": "reactivation",
            "on": {"idle_days": 90},
        },
        {
            "name": "no answer to reactivation",
            "from": "reactivation",
            "to": "archived",
            "on": {"days_in_status": 30},
            "actions": [{"action": "archive"}],
        },
    ],
    "goals": [{"event": "meeting_booked", "to": "converted"}],
}


@attrs.frozen
class Action:
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


@attrs.frozen
class HistoryEntry:
    """One transition, for audit: when, from, to and why."""

    at: datetime
    source: str
    target: str
    why: str


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


@attrs.frozen
class NurtureState:
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


class _Work:
    """A mutable copy of a state while the engine works on it."""

    __slots__ = FIELDS = (
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
    )

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

    def __init__(self, state: NurtureState) -> None:
        for name in self.FIELDS:
            setattr(self, name, getattr(state, name))

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
        )


def read_flow(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[nurture]`` table into :class:`NurtureFlow` fields (with ``source``)."""
    if isinstance(data, Mapping) and "statuses" not in data:
        data = {**DEFAULT_FLOW, **data}
    fields = read_definition(data, path, reader)
    if fields is None:
        return None
    return {**fields, "source": copy.deepcopy(dict(data))}


def _period_start(at: datetime, months: int) -> datetime:
    """The first instant (UTC) of the calendar period of ``months`` after ``at``'s one:
    for 3 months, the next calendar quarter."""
    utc = at.astimezone(UTC)
    index = (utc.month - 1) // months * months
    start = datetime(utc.year, index + 1, 1, tzinfo=UTC)
    return start + relativedelta(months=months)


def _score_ok(guards: Sequence[tuple[str, Any]], score: Any, threshold: float) -> bool:
    for key, wanted in guards:
        if key == "hot":
            if score is None:
                hot = False
            elif hasattr(score, "hot"):
                hot = bool(score.hot)
            else:
                hot = float(score) >= threshold
            if hot is not bool(wanted):
                return False
        elif key == "at_least":
            if score is None:
                return False
            total = score.total if hasattr(score, "total") else float(score)
            if total < wanted:
                return False
        elif key == "band" and getattr(score, "band", None) != wanted:
            return False
    return True


def _check_score(score: Any) -> None:
    if score is None or hasattr(score, "hot"):
        return
    if isinstance(score, bool) or not isinstance(score, int | float):
        raise InvalidInputError(f"expected a Score, a number or None, got {score!r}", path="score")


@attrs.frozen
class NurtureFlow:
    """A nurture flow: statuses, sequences and transitions, driven by events and time.

    Build it with :meth:`default`, :meth:`from_dict` or :meth:`from_toml`. It is pure:
    :meth:`handle` and :meth:`advance` return the new state and the actions due; they
    never perform I/O and never read the clock.
    """

    version: int
    initial: str
    statuses: tuple[Status, ...]
    transitions: tuple[TransitionSpec, ...]
    templates: tuple[str, ...] = ()
    reenroll: bool = False
    late_policy: str = "send"
    max_lateness_days: float = 3.0
    auto_reply_property: str = "auto_reply"
    hot_threshold: float = 100.0
    history_limit: int = 20
    migration: str = "continue"
    send_window: SendWindow | None = None
    goals: tuple[Any, ...] = attrs.field(default=(), eq=False, repr=False)
    source: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False, hash=False)
    _by_name: dict[str, Status] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _from: dict[str, tuple[TransitionSpec, ...]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "_by_name", {s.name: s for s in self.statuses})
        setter(
            self,
            "_from",
            {
                s.name: tuple(t for t in self.transitions if t.source in (s.name, ANY))
                for s in self.statuses
            },
        )

    # --- construction -------------------------------------------------------------

    @classmethod
    def default(cls) -> NurtureFlow:
        """The flow DOMAIN.md describes (see ``docs/nurture.md`` for its diagram)."""
        return cls.from_dict(DEFAULT_FLOW)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "nurture") -> NurtureFlow:
        """Build a flow from ``[nurture]`` data; every problem is reported at once. A key
        left out takes its default; without ``statuses``, the default flow is adjusted."""
        return cls(**read_all(read_flow, data, path, "nurture flow"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> NurtureFlow:
        """Build a flow from the ``[nurture]`` section of a TOML file."""
        return cls.from_dict(load_toml(path).get("nurture", {}))

    def to_dict(self) -> dict[str, Any]:
        """The flow as ``[nurture]`` data: ``from_dict(f.to_dict()) == f``. A deep copy:
        changing it changes neither this flow nor the defaults."""
        return copy.deepcopy(dict(self.source))

    # --- the engine ---------------------------------------------------------------

    def enroll(
        self,
        lead_id: str,
        *,
        at: datetime,
        previous: NurtureState | None = None,
        timezone: str | None = None,
    ) -> NurtureState:
        """Start a lead in the flow's initial status. Re-enrolment (``previous`` given)
        needs ``reenroll = true`` and a previous state that has ended."""
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(
                f"expected a non-empty lead id, got {lead_id!r}", path="lead_id"
            )
        require_aware(at, "at")
        enrollments = 1
        if previous is not None:
            if not isinstance(previous, NurtureState) or previous.lead_id != lead_id:
                raise InvalidInputError(
                    "expected this lead's previous NurtureState", path="previous"
                )
            if not self._status(previous.status).terminal:
                raise InvalidInputError(
                    f"{lead_id} is still enrolled (status {previous.status!r})", path="previous"
                )
            if not self.reenroll:
                raise InvalidInputError(
                    "re-enrolment is off for this flow (reenroll = false)", path="previous"
                )
            enrollments = previous.enrollments + 1
        if timezone is not None:
            from zoneinfo import ZoneInfo

            try:
                ZoneInfo(timezone)
            except Exception:
                raise InvalidInputError(
                    f"unknown time zone {timezone!r}", path="timezone"
                ) from None
        state = NurtureState(
            lead_id, self.initial, self.version, at, at, enrollments=enrollments, timezone=timezone
        )
        return attrs.evolve(state, next_due_at=self._next_due(state))

    def handle(
        self, state: NurtureState, event: Event, *, score: Any = None
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Apply one event: first whatever fell due before it, then its transition (the
        first matching one, in the order defined), then what became due at once.

        An event older than what the state has processed is applied as of the processed
        time (its actions are due then, never earlier). ``score`` (a ``Score``, a number
        or None) feeds the score guards. An automatic reply (property
        ``auto_reply_property`` true) is not a reply: it is ignored.
        """
        self._check(state)
        if not isinstance(event, Event):
            raise InvalidInputError(f"expected an Event, got {type(event).__name__}", path="event")
        if event.lead_id != state.lead_id:
            raise InvalidInputError(
                f"event of {event.lead_id!r} given to the state of {state.lead_id!r}",
                path="event.lead_id",
            )
        _check_score(score)
        processed, due_at = state.processed_at, state.next_due_at
        if (
            processed is not None
            and event.at >= processed
            and (due_at is None or due_at > event.at)
            and state.flow_version == self.version
        ):
            # The common case: nothing falls due before the event; if no transition
            # matches, only the event time and the inactivity clock change.
            status = self._status(state.status)
            if status.terminal or event.properties.get(self.auto_reply_property):
                return attrs.evolve(state, processed_at=event.at), ()
            if self._match(state.status, event, score) is None:
                last = _later(state.last_event_at, event.at)
                return NurtureState(
                    state.lead_id,
                    state.status,
                    state.flow_version,
                    state.enrolled_at,
                    state.status_since,
                    event.at,
                    last,
                    state.step,
                    state.shift,
                    state.held,
                    state.contact_at,
                    state.enrollments,
                    state.emitted,
                    state.history,
                    self._next_due(state, last),
                    state.timezone,
                ), ()
        at = event.at if processed is None or event.at > processed else processed
        work = self._open(state)
        actions: list[Action] = []
        self._run(work, at, actions)
        if self._status(work.status).terminal or event.properties.get(self.auto_reply_property):
            work.processed_at = _later(work.processed_at, at)
            return self._close(work), tuple(actions)
        work.last_event_at = _later(work.last_event_at, event.at)
        spec = self._match(work.status, event, score)
        if spec is not None:
            self._transition(work, spec, at, f"{spec.name} ({event.name})", actions)
        self._run(work, at, actions)
        return self._close(work), tuple(actions)

    def advance(
        self, state: NurtureState, *, as_of: datetime
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Everything that came due up to ``as_of``, in time order, chains included.
        Calling it again with the same ``as_of`` yields no action."""
        self._check(state)
        require_aware(as_of, "as_of")
        work = self._open(state)
        actions: list[Action] = []
        self._run(work, as_of, actions)
        return self._close(work), tuple(actions)

    def replay(
        self,
        lead_id: str,
        *,
        enrolled_at: datetime,
        events: Iterable[Event],
        as_of: datetime | None = None,
        score_of: Callable[[Event], Any] | None = None,
        timezone: str | None = None,
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Rebuild a state from the enrolment time and the lead's events (sorted by time):
        the same state and actions as handling them one by one."""
        state = self.enroll(lead_id, at=enrolled_at, timezone=timezone)
        actions: list[Action] = []
        for event in sorted(events, key=lambda e: (e.ts, e.name)):
            state, done = self.handle(state, event, score=score_of(event) if score_of else None)
            actions.extend(done)
        if as_of is not None:
            state, done = self.advance(state, as_of=as_of)
            actions.extend(done)
        return state, tuple(actions)

    # --- internals ----------------------------------------------------------------

    def _match(self, status: str, event: Event, score: Any) -> TransitionSpec | None:
        """The first transition from ``status`` that ``event`` (with ``score``) fires."""
        for spec in self._from[status]:
            trigger = spec.trigger
            if trigger.timer is not None or trigger.event not in (event.name, ANY):
                continue
            if trigger.where is not None and not trigger.where.matches(event.properties):
                continue
            if not _score_ok(trigger.score, score, self.hot_threshold):
                continue
            return spec
        return None

    def _status(self, name: str) -> Status:
        status = self._by_name.get(name)
        if status is None:
            raise InvalidInputError(f"status {name!r} is not in this flow", path="state.status")
        return status

    def _check(self, state: Any) -> None:
        if not isinstance(state, NurtureState):
            raise InvalidInputError(
                f"expected a NurtureState, got {type(state).__name__}", path="state"
            )

    def _open(self, state: NurtureState) -> _Work:
        work = _Work(state)
        if state.flow_version != self.version:
            self._migrate(work)
        else:
            self._status(state.status)
        return work

    def _migrate(self, work: _Work) -> None:
        """A flow edited while leads are in it: ``continue`` keeps a lead's status and
        progress if the status still exists; ``restart`` starts its status over; a
        status that no longer exists sends the lead to the initial status."""
        old, now = work.flow_version, work.processed_at or work.status_since
        status = work.status
        if status not in self._by_name:
            why = f"flow v{old} -> v{self.version}: status {status!r} no longer exists"
            self._enter(work, self.initial, now, why)
        elif self.migration == "restart":
            self._enter(work, status, now, f"flow v{old} -> v{self.version}: restarted")
        else:
            work.step = min(work.step, len(self._by_name[status].steps))
        if work.held is not None and work.held[0] not in self._by_name:
            work.held = None
        work.flow_version = self.version

    def _close(self, work: _Work) -> NurtureState:
        return work.state(self._next_due(work))

    def _due_items(
        self, s: NurtureState | _Work, last_event_at: datetime | None = None
    ) -> list[tuple[datetime, int, Any]]:
        """What is pending in the current status: (when, order, what). ``last_event_at``
        overrides the state's."""
        status = self._by_name[s.status]
        since = s.status_since + timedelta(seconds=s.shift * _DAY) if s.shift else s.status_since
        items: list[tuple[datetime, int, Any]] = []
        if s.step < len(status.steps):
            step = status.steps[s.step]
            items.append((since + timedelta(days=step.after_days), 0, step))
        if status.contact_every_months and s.contact_at is not None:
            items.append((s.contact_at, 1, "contact"))
        if status.terminal:
            return items
        for order, spec in enumerate(self._from[status.name]):
            trigger = spec.trigger
            if trigger.timer == "idle_days":
                base = last_event_at or s.last_event_at or s.enrolled_at
                base = max(base, s.status_since)  # a status starts its own clock
                items.append((base + timedelta(days=trigger.days), 2 + order, spec))
            elif trigger.timer == "days_in_status":
                items.append((since + timedelta(days=trigger.days), 2 + order, spec))
            elif trigger.timer == "sequence_end_days":
                last = status.steps[-1].after_days if status.steps else 0.0
                if s.step >= len(status.steps):
                    items.append((since + timedelta(days=last + trigger.days), 2 + order, spec))
        return items

    def _next_due(
        self, state: NurtureState | _Work, last_event_at: datetime | None = None
    ) -> datetime | None:
        items = self._due_items(state, last_event_at)
        return min((item[0] for item in items), default=None)

    def _run(self, work: _Work, until: datetime, actions: list[Action]) -> None:
        for _ in range(10_000):  # a guard against a flow that loops on zero delays
            items = [item for item in self._due_items(work) if item[0] <= until]
            if not items:
                break
            when, order, what = min(items, key=lambda item: (item[0], item[1]))
            if order == 0:
                work.step += 1
                if self._on_time(when, until):
                    self._emit(
                        work,
                        ActionSpec(what.action, what.template),
                        when,
                        f"step {work.step} of {work.status}",
                        actions,
                    )
            elif order == 1:
                status = self._by_name[work.status]
                if self._on_time(when, until):
                    self._emit(
                        work,
                        ActionSpec("send_email", status.contact_template),
                        when,
                        "periodic contact",
                        actions,
                    )
                work.contact_at = when + relativedelta(months=status.contact_every_months or 3)
            else:
                self._transition(work, what, when, what.name, actions)
        else:
            raise InvalidInputError(
                "the flow keeps transitioning without time passing; check its zero-day timers",
                path="flow",
            )
        work.processed_at = _later(work.processed_at, until)

    def _on_time(self, when: datetime, until: datetime) -> bool:
        if self.late_policy == "send":
            return True
        return (until - when).total_seconds() <= self.max_lateness_days * _DAY

    def _transition(
        self,
        work: _Work,
        spec: TransitionSpec,
        at: datetime,
        why: str,
        actions: list[Action],
    ) -> None:
        for action in spec.actions:
            self._emit(work, action, at, why, actions)
        if spec.target == RESUME:
            if work.held is None:
                return
            status, step, shift, since, paused_at = work.held
            source = work.status
            work.status = status
            work.step = step
            work.held = None
            work.status_since = since
            work.shift = shift + (at - paused_at).total_seconds() / _DAY
            self._record(work, at, source, status, why)
            return
        target = self._by_name[spec.target]
        if target.pause:
            work.held = (work.status, work.step, work.shift, work.status_since, at)
            source = work.status
            work.status = target.name
            work.status_since = at
            work.step = 0
            work.shift = 0.0
            self._record(work, at, source, target.name, why)
            return
        work.held = None
        self._enter(work, target.name, at, why)

    def _enter(self, work: _Work, name: str, at: datetime, why: str) -> None:
        source = work.status
        status = self._by_name[name]
        work.status = name
        work.status_since = at
        work.step = 0
        work.shift = 0.0
        work.contact_at = (
            _period_start(at, status.contact_every_months) if status.contact_every_months else None
        )
        self._record(work, at, source, name, why)

    def _record(self, work: _Work, at: datetime, source: str, target: str, why: str) -> None:
        history = (*work.history, HistoryEntry(at, source, target, why))
        work.history = history[-self.history_limit :]

    def _emit(
        self,
        work: _Work,
        spec: ActionSpec,
        at: datetime,
        reason: str,
        actions: list[Action],
    ) -> None:
        if spec.action == "send_email" and self.send_window is not None:
            at = _in_window(at, self.send_window, work.timezone)
        work.emitted += 1
        key = f"{work.lead_id}/{work.enrollments}/{work.emitted}/{spec.action}"
        actions.append(
            Action(spec.action, at, work.lead_id, key, spec.template, work.status, reason)
        )

    # --- diagrams -----------------------------------------------------------------

    def _edges(self) -> list[tuple[str, str, str]]:
        edges = []
        for spec in self.transitions:
            trigger = spec.trigger
            if trigger.timer:
                label = {
                    "idle_days": f"{trigger.days:g} days without events",
                    "days_in_status": f"{trigger.days:g} days in status",
                    "sequence_end_days": f"{trigger.days:g} days after the sequence",
                }[trigger.timer]
            else:
                label = str(trigger.event)
                for key, value in trigger.score:
                    label += f" [{key}={str(value).lower()}]"
            sources = (
                [spec.source]
                if spec.source != ANY
                else [s.name for s in self.statuses if not s.terminal and s.name != spec.target]
            )
            for source in sources:
                if spec.target == RESUME:
                    for other in self.transitions:
                        held_by = self._by_name.get(other.target)
                        if held_by is not None and held_by.pause and held_by.name == source:
                            for back in [other.source] if other.source != ANY else []:
                                edges.append((source, back, label + " (resume)"))
                else:
                    edges.append((source, spec.target, label))
        return list(dict.fromkeys(edges))

    def to_mermaid(self) -> str:
        """The flow as a Mermaid ``stateDiagram-v2``."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for source, target, label in self._edges():
            lines.append(f"    {source} --> {target}: {label}")
        for status in self.statuses:
            if status.terminal:
                lines.append(f"    {status.name} --> [*]")
        return "\n".join(lines)

    def to_dot(self) -> str:
        """The flow as a Graphviz DOT digraph."""
        lines = [
            "digraph nurture {",
            "    rankdir=LR;",
            "    start [shape=point];",
            f'    start -> "{self.initial}";',
        ]
        for status in self.statuses:
            shape = "doublecircle" if status.terminal else "box"
            lines.append(f'    "{status.name}" [shape={shape}];')
        for source, target, label in self._edges():
            lines.append(f'    "{source}" -> "{target}" [label="{label}"];')
        lines.append("}")
        return "\n".join(lines)


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a


def _in_window(at: datetime, window: SendWindow, zone: str | None) -> datetime:
    """The first moment at or after ``at`` inside the send window, in the lead's zone."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone or window.timezone)
    local = at.astimezone(tz)
    for _ in range(8):
        if local.weekday() in window.days and window.start_hour <= local.hour < window.end_hour:
            return local.astimezone(at.tzinfo)
        if local.weekday() in window.days and local.hour < window.start_hour:
            local = local.replace(hour=window.start_hour, minute=0, second=0, microsecond=0)
            continue
        nxt = (local + timedelta(days=1)).date()
        local = datetime(nxt.year, nxt.month, nxt.day, window.start_hour, tzinfo=tz)
    return local.astimezone(at.tzinfo)


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
