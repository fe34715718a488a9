"""The nurture engine: enrolment, events and time moving a lead through a flow.

Pure and clock-free: :class:`NurtureFlow` returns new states and the actions due."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from .._config import Reader, load_toml, read_all
from ..errors import InvalidInputError
from ..events import Event
from ..tables._values import is_blank, read_bool
from ._default import DEFAULT_FLOW
from ._definition import (
    ANY,
    RESUME,
    ActionSpec,
    SendWindow,
    Status,
    TransitionSpec,
    leaves,
    read_definition,
)
from ._export import to_dot, to_mermaid
from ._guards import check_score, score_ok
from ._schedule import (
    add_days,
    add_months,
    add_seconds,
    in_window,
    period_start,
    utc,
    zone_of,
)
from ._state import Action, HistoryEntry, NurtureState, check_zone
from ._work import Work

_DAY = 86_400.0


def read_flow(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[nurture]`` table into :class:`NurtureFlow` fields (with ``source``)."""
    if isinstance(data, Mapping) and "statuses" not in data:
        data = {**DEFAULT_FLOW, **data}
    fields = read_definition(data, path, reader)
    if fields is None:
        return None
    return {**fields, "source": copy.deepcopy(dict(data))}


def _is_send(kind: str) -> bool:
    """Whether an action reaches the lead (``send_email``, ``send_sms``...): the actions
    suppression stops."""
    return kind.startswith("send")


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
    suppress_on: tuple[str, ...] = ("unsubscribe", "hard_bounce")
    _by_name: dict[str, Status] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _from: dict[str, tuple[TransitionSpec, ...]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _index: dict[int, int] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "_by_name", {s.name: s for s in self.statuses})
        setter(self, "_index", {id(t): i for i, t in enumerate(self.transitions)})
        setter(self, "_from", {s.name: self._leaving(s) for s in self.statuses})

    def _leaving(self, status: Status) -> tuple[TransitionSpec, ...]:
        """The transitions out of ``status`` in the order they are tried: suppression
        first, then declaration order (goals lead)."""
        found = [
            t
            for t in self.transitions
            if t.source in (status.name, ANY) and leaves(status, t, self.suppress_on)
        ]
        return tuple(sorted(found, key=lambda t: t.trigger.event not in self.suppress_on))

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
        if not isinstance(path, str | os.PathLike):
            raise InvalidInputError(f"expected a file path, got {path!r}", path="path")
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
        """Start a lead in the flow's initial status. ``timezone`` (an IANA name; UTC if
        None) schedules the lead's days. Re-enrolment (``previous`` given) needs
        ``reenroll = true`` and a previous state that has ended; it keeps the previous
        state's suppression (a fresh enrolment without it cannot know of one)."""
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(
                f"expected a non-empty lead id, got {lead_id!r}", path="lead_id"
            )
        at = utc(at, "at")
        zone = check_zone(timezone, "timezone")
        enrollments, suppressed = 1, None
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
            enrollments, suppressed = previous.enrollments + 1, previous.suppressed
        state = NurtureState(
            lead_id,
            self.initial,
            self.version,
            at,
            at,
            enrollments=enrollments,
            timezone=zone,
            suppressed=suppressed,
        )
        return attrs.evolve(state, next_due_at=self._next_due(state))

    def handle(
        self, state: NurtureState, event: Event, *, score: Any = None
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Apply one event: first whatever fell due before it, then its transition (the
        first matching one: suppression first, then in the order defined), then what
        became due at once.

        An event older than what the state has processed is applied as of the processed
        time (its actions are due then, never earlier). ``score`` (a ``Score``, a number
        or None) feeds the score guards. A suppression event (``suppress_on``) marks the
        lead suppressed for good, whatever its status. An automatic reply (property
        ``auto_reply_property`` read as a boolean) is not a reply: it is ignored.
        """
        status = self._check(state)
        if not isinstance(event, Event):
            raise InvalidInputError(f"expected an Event, got {type(event).__name__}", path="event")
        if event.lead_id != state.lead_id:
            raise InvalidInputError(
                f"event of {event.lead_id!r} given to the state of {state.lead_id!r}",
                path="event.lead_id",
            )
        if score is not None:
            check_score(score)
        auto = (
            False
            if event.properties.get(self.auto_reply_property) is None
            else self._auto_reply(event)
        )
        event_at = event.at
        if event_at.tzinfo is not UTC:
            event_at = utc(event_at, "event.at")
        suppress = event.name in self.suppress_on
        processed, due_at = state.processed_at, state.next_due_at
        if (
            status is not None
            and processed is not None
            and event_at >= processed
            and (due_at is None or due_at > event_at)
            and not suppress
        ):
            quiet = self._quiet(state, status, event, event_at, score, auto)
            if quiet is not None:
                return quiet, ()
        at = event_at if processed is None or event_at > processed else processed
        work = self._open(state)
        if suppress and work.suppressed is None:
            # Set before catching up, so nothing that fell due earlier goes out now.
            work.suppressed = event.name
        actions: list[Action] = []
        self._run(work, at, actions)
        if auto:
            work.processed_at = _later(work.processed_at, at)
            return self._close(work), tuple(actions)
        if not self._by_name[work.status].terminal:
            work.last_event_at = _later(work.last_event_at, event_at)
        spec = self._match(work.status, event, score)
        if spec is not None:
            self._transition(work, spec, at, f"{spec.name} ({event.name})", actions)
        self._run(work, at, actions)
        return self._close(work), tuple(actions)

    def advance(
        self, state: NurtureState, *, as_of: datetime
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Everything that came due up to ``as_of``, in time order, chains included.
        Calling it again with the same ``as_of`` yields no action. A suppressed lead
        gets no send action, whatever its status."""
        self._check(state)
        as_of = utc(as_of, "as_of")
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
        if score_of is not None and not callable(score_of):
            raise InvalidInputError(f"expected a function, got {score_of!r}", path="score_of")
        if isinstance(events, str | bytes) or not isinstance(events, Iterable):
            raise InvalidInputError(f"expected events, got {events!r}", path="events")
        listed = list(events)
        for index, event in enumerate(listed):
            if not isinstance(event, Event):
                raise InvalidInputError(
                    f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
                )
        state = self.enroll(lead_id, at=enrolled_at, timezone=timezone)
        actions: list[Action] = []
        for event in sorted(listed, key=lambda e: (e.ts, e.name)):
            state, done = self.handle(state, event, score=score_of(event) if score_of else None)
            actions.extend(done)
        if as_of is not None:
            state, done = self.advance(state, as_of=as_of)
            actions.extend(done)
        return state, tuple(actions)

    # --- internals ----------------------------------------------------------------

    def _quiet(
        self,
        state: NurtureState,
        status: Status,
        event: Event,
        event_at: datetime,
        score: Any,
        auto: bool,
    ) -> NurtureState | None:
        """The common case, when nothing falls due before the event: if no transition
        matches, only the event time and the inactivity clock change (None otherwise)."""
        if auto or (status.terminal and not self._from[status.name]):
            return attrs.evolve(state, processed_at=event_at)
        if self._match(state.status, event, score) is not None:
            return None
        if status.terminal:
            return attrs.evolve(state, processed_at=event_at)
        last = _later(state.last_event_at, event_at)
        return NurtureState(
            state.lead_id,
            state.status,
            state.flow_version,
            state.enrolled_at,
            state.status_since,
            event_at,
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
            state.done,
            state.suppressed,
        )

    def _auto_reply(self, event: Event) -> bool:
        value = event.properties.get(self.auto_reply_property)
        if is_blank(value):
            return False
        return read_bool(value, path=f"event.properties.{self.auto_reply_property}")

    def _match(self, status: str, event: Event, score: Any) -> TransitionSpec | None:
        """The first transition from ``status`` that ``event`` (with ``score``) fires."""
        for spec in self._from[status]:
            trigger = spec.trigger
            if trigger.timer is not None or trigger.event not in (event.name, ANY):
                continue
            if trigger.where is not None and not trigger.where.matches(event.properties):
                continue
            if not score_ok(trigger.score, score, self.hot_threshold):
                continue
            return spec
        return None

    def _status(self, name: str) -> Status:
        status = self._by_name.get(name)
        if status is None:
            raise InvalidInputError(f"status {name!r} is not in this flow", path="state.status")
        return status

    def _check(self, state: Any) -> Status | None:
        """A state of another type, or one that does not fit this flow, is refused before
        anything changes; its status, or None for another flow version (migrated)."""
        if not isinstance(state, NurtureState):
            raise InvalidInputError(
                f"expected a NurtureState, got {type(state).__name__}", path="state"
            )
        if state.flow_version != self.version:
            return None
        status = self._by_name.get(state.status)
        if status is None:
            raise InvalidInputError(
                f"status {state.status!r} is not in this flow", path="state.status"
            )
        if state.step > len(status.steps):
            raise InvalidInputError(
                f"step {state.step} is past the {len(status.steps)} steps of {state.status!r}",
                path="state.step",
            )
        if state.held is not None:
            held = self._by_name.get(state.held[0])
            if held is None or state.held[1] > len(held.steps):
                raise InvalidInputError(
                    f"the held progress {state.held[:2]!r} does not fit this flow",
                    path="state.held",
                )
        return status

    def _open(self, state: NurtureState) -> Work:
        work = Work(state)
        if state.flow_version != self.version:
            self._migrate(work)
        return work

    def _migrate(self, work: Work) -> None:
        """A flow edited while leads are in it: ``continue`` keeps a lead's status and
        progress if the status still exists; ``restart`` starts its status over; a
        status that no longer exists sends the lead to the initial status."""
        old, now = work.flow_version, work.processed_at or work.status_since
        status = work.status
        if status not in self._by_name:
            why = f"flow v{old} -> v{self.version}: status {status!r} no longer exists"
            self._enter(work, self.initial, now, why)
        elif self.migration == "restart":
            self._enter(work, status, now, f"flow v{old} -> v{self.version}: restarted", True)
        else:
            work.step = min(work.step, len(self._by_name[status].steps))
        if work.held is not None and work.held[0] not in self._by_name:
            work.held = None
        elif work.held is not None:
            steps = len(self._by_name[work.held[0]].steps)
            work.held = (work.held[0], min(work.held[1], steps), *work.held[2:])
        work.flow_version = self.version

    def _close(self, work: Work) -> NurtureState:
        return work.state(self._next_due(work))

    def _due_items(
        self, s: NurtureState | Work, last_event_at: datetime | None = None
    ) -> list[tuple[datetime, int, Any]]:
        """What is pending in the current status: (when, order, what); what would fall
        due past the year 9999 never does. ``last_event_at`` overrides the state's."""
        status = self._by_name[s.status]
        zone = None if s.timezone is None else zone_of(s.timezone)
        since = add_seconds(s.status_since, s.shift * _DAY) if s.shift else s.status_since
        items: list[tuple[datetime, int, Any]] = []
        if s.step < len(status.steps):
            when = add_days(since, status.steps[s.step].after_days, zone)
            if when is not None:
                items.append((when, 0, status.steps[s.step]))
        if status.contact_every_months and s.contact_at is not None:
            items.append((s.contact_at, 1, "contact"))
        if status.terminal:
            return items
        for order, spec in enumerate(self._from[status.name]):
            trigger = spec.trigger
            when = None
            if trigger.timer == "idle_days":
                base = last_event_at or s.last_event_at or s.enrolled_at
                base = max(base, s.status_since)  # a status starts its own clock
                when = add_days(base, trigger.days, zone)
            elif trigger.timer == "days_in_status":
                when = add_days(since, trigger.days, zone)
            elif trigger.timer == "sequence_end_days" and s.step >= len(status.steps):
                last = status.steps[-1].after_days if status.steps else 0.0
                when = add_days(add_days(since, last, zone), trigger.days, zone)
            if when is not None:
                items.append((when, 2 + order, spec))
        return items

    def _next_due(
        self, state: NurtureState | Work, last_event_at: datetime | None = None
    ) -> datetime | None:
        items = self._due_items(state, last_event_at)
        # Orders differ between items, so tuples never compare past them.
        return min(items)[0] if items else None

    def _run(self, work: Work, until: datetime, actions: list[Action]) -> None:
        for _ in range(10_000):  # a guard against a flow that loops on zero delays
            items = [item for item in self._due_items(work) if item[0] <= until]
            if not items:
                break
            when, order, what = min(items, key=lambda item: (item[0], item[1]))
            if order == 0:
                self._step(work, when, until, actions)
            elif order == 1:
                status = self._by_name[work.status]
                if self._on_time(when, until):
                    contact = ActionSpec("send_email", status.contact_template)
                    self._emit(work, contact, when, "periodic contact", "contact", actions)
                months = status.contact_every_months or 3
                work.contact_at = add_months(when, months, zone_of(work.timezone))
            else:
                self._transition(work, what, when, what.name, actions)
        else:
            raise InvalidInputError(
                "the flow keeps transitioning without time passing; check its zero-day timers",
                path="flow",
            )
        work.processed_at = _later(work.processed_at, until)

    def _step(self, work: Work, when: datetime, until: datetime, actions: list[Action]) -> None:
        """The next step of the sequence came due: sent, unless this enrolment already
        had it (a re-entry) or it is too late."""
        index = work.step
        step = self._by_name[work.status].steps[index]
        work.step += 1
        done = f"{work.status}#{index}"
        if done in work.done:
            return
        work.done = (*work.done, done)
        if self._on_time(when, until):
            why = f"step {index + 1} of {work.status}"
            spec = ActionSpec(step.action, step.template)
            self._emit(work, spec, when, why, f"step{index + 1}", actions)

    def _on_time(self, when: datetime, until: datetime) -> bool:
        if self.late_policy == "send":
            return True
        return (until - when).total_seconds() <= self.max_lateness_days * _DAY

    def _transition(
        self,
        work: Work,
        spec: TransitionSpec,
        at: datetime,
        why: str,
        actions: list[Action],
    ) -> None:
        what = f"t{self._index[id(spec)] + 1}"
        for number, action in enumerate(spec.actions, 1):
            self._emit(work, action, at, why, f"{what}.{number}", actions)
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

    def _enter(self, work: Work, name: str, at: datetime, why: str, restart: bool = False) -> None:
        """Enter ``name``: a re-entry starts where the status's ``on_reentry`` says (the
        steps already sent in this enrolment are skipped unless it restarts)."""
        source = work.status
        status = self._by_name[name]
        work.status = name
        work.status_since = at
        work.shift = 0.0
        work.step = 0
        mode = "restart" if restart else status.on_reentry
        prefix = f"{name}#"
        if mode == "restart":
            work.done = tuple(d for d in work.done if not d.startswith(prefix))
        elif mode != "resume":
            work.step = status.step_index(mode)
        while work.step < len(status.steps) and f"{prefix}{work.step}" in work.done:
            work.step += 1
        work.contact_at = (
            period_start(at, status.contact_every_months, zone_of(work.timezone))
            if status.contact_every_months
            else None
        )
        self._record(work, at, source, name, why)

    def _record(self, work: Work, at: datetime, source: str, target: str, why: str) -> None:
        history = (*work.history, HistoryEntry(at, source, target, why))
        work.history = history[-self.history_limit :]

    def _emit(
        self,
        work: Work,
        spec: ActionSpec,
        at: datetime,
        reason: str,
        what: str,
        actions: list[Action],
    ) -> None:
        """One action, keyed by what it is: lead, enrolment, flow version, status, step
        or transition, kind and template, and the instant it is due. A send to a
        suppressed lead is dropped here, the one door every action goes through."""
        send = _is_send(spec.action)
        if send and work.suppressed is not None:
            return
        if send and self.send_window is not None:
            at = in_window(at, self.send_window, work.timezone)
        work.emitted += 1
        key = (
            f"{work.lead_id}/{work.enrollments}/v{work.flow_version}/{work.status}/{what}/"
            f"{spec.action}:{spec.template or ''}/{at.isoformat()}"
        )
        actions.append(
            Action(spec.action, at, work.lead_id, key, spec.template, work.status, reason)
        )

    # --- diagrams -----------------------------------------------------------------

    def to_mermaid(self) -> str:
        """The flow as a Mermaid ``stateDiagram-v2``."""
        return to_mermaid(self.initial, self.statuses, self.transitions, self.suppress_on)

    def to_dot(self) -> str:
        """The flow as a Graphviz DOT digraph."""
        return to_dot(self.initial, self.statuses, self.transitions, self.suppress_on)


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a
