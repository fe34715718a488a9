"""The nurture engine: enrolment, events and time moving a lead through a flow.

Pure and clock-free: the engine returns new states and the actions due. It reads the
flow's definition (:class:`FlowDefinition`) and never changes it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TypeAlias

import attrs

from ..errors import InvalidInputError
from ..events import Event
from ..tables._values import is_blank, read_bool
from ._definition import (
    ANY,
    RESUME,
    ActionSpec,
    FlowDefinition,
    Status,
    TransitionSpec,
    leaves,
)
from ._guards import ScoreInput, check_score, score_ok
from ._pressure import Limit, Pressure, add_send, send_times
from ._schedule import (
    add_days,
    add_months,
    add_seconds,
    in_window,
    period_start,
    utc,
    zone_of,
)
from ._splits import Arms
from ._state import NO_ARMS, NO_TIMES, Action, HistoryEntry, NurtureState, Postponed, check_zone
from ._work import Work

_DAY = 86_400.0

PressureInput: TypeAlias = Pressure | Iterable[datetime] | None
"""The lead's send times across all its flows: a :class:`Pressure`, times, or None."""


def _is_send(kind: str) -> bool:
    """Whether an action reaches the lead (``send_email``, ``send_sms``...): the actions
    suppression stops."""
    return kind.startswith("send")


class Engine:
    """Runs one flow definition: built once per flow, with its look-up tables."""

    def __init__(self, flow: FlowDefinition) -> None:
        # Copied, not read through ``flow``: the engine reads them on every call.
        self.version = flow.version
        self.initial = flow.initial
        self.reenroll = flow.reenroll
        self.late_policy = flow.late_policy
        self.max_lateness_days = flow.max_lateness_days
        self.auto_reply_property = flow.auto_reply_property
        self.hot_threshold = flow.hot_threshold
        self.history_limit = flow.history_limit
        self.migration = flow.migration
        self.send_window = flow.send_window
        self.suppress_on = flow.suppress_on
        self.transitions = flow.transitions
        self._by_name = {s.name: s for s in flow.statuses}
        self._index = {id(t): i for i, t in enumerate(flow.transitions)}
        self._from = {s.name: self._leaving(s) for s in flow.statuses}
        self.name = flow.name
        # A named flow's keys start with its name; the default flow keeps the old keys.
        self._prefix = "" if flow.name == "default" else f"{flow.name}:"
        self.arms = Arms(flow.name, flow.splits)
        self.limit = Limit(flow.max_sends, flow.min_gap_hours)
        self.limited = flow.max_sends is not None or bool(flow.min_gap_hours)

    def _leaving(self, status: Status) -> tuple[TransitionSpec, ...]:
        """The transitions out of ``status`` in the order they are tried: suppression
        first, then declaration order (goals lead)."""
        found = [
            t
            for t in self.transitions
            if t.source in (status.name, ANY) and leaves(status, t, self.suppress_on)
        ]
        return tuple(sorted(found, key=lambda t: t.trigger.event not in self.suppress_on))

    def enroll(
        self,
        lead_id: str,
        *,
        at: datetime,
        previous: NurtureState | None = None,
        timezone: str | None = None,
    ) -> NurtureState:
        """``NurtureFlow.enroll``: a new state in the initial status, arms assigned."""
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(
                f"expected a non-empty lead id, got {lead_id!r}", path="lead_id"
            )
        at = utc(at, "at")
        zone = check_zone(timezone, "timezone")
        enrollments, suppressed = 1, None
        arms, assigned_at = NO_ARMS, NO_TIMES
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
            arms, assigned_at = previous.arms, previous.assigned_at
        arms, assigned_at = self.arms.assigned(lead_id, self.initial, arms, assigned_at, at)
        state = NurtureState(
            lead_id,
            self.initial,
            self.version,
            at,
            at,
            enrollments=enrollments,
            timezone=zone,
            suppressed=suppressed,
            arms=arms,
            assigned_at=assigned_at,
        )
        return attrs.evolve(state, next_due_at=self._next_due(state))

    def handle(
        self,
        state: NurtureState,
        event: Event,
        *,
        score: ScoreInput = None,
        pressure: PressureInput = None,
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """``NurtureFlow.handle``: what fell due before the event, then its transition."""
        status = self._check(state)
        event_at, auto = self._read_event(state, event, score)
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
        work = self._open(state, pressure)
        if suppress and work.suppressed is None:
            # Set before catching up, so nothing that fell due earlier goes out now.
            work.suppressed = event.name
            work.postponed = ()
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

    def _read_event(
        self, state: NurtureState, event: Event, score: ScoreInput
    ) -> tuple[datetime, bool]:
        """The event's time in UTC and whether it is an automatic reply; what cannot be
        handled is refused."""
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
        return event_at, auto

    def advance(
        self, state: NurtureState, *, as_of: datetime, pressure: PressureInput = None
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """``NurtureFlow.advance``: everything due up to ``as_of``, in time order."""
        self._check(state)
        as_of = utc(as_of, "as_of")
        work = self._open(state, pressure)
        actions: list[Action] = []
        self._run(work, as_of, actions)
        return self._close(work), tuple(actions)

    def _quiet(
        self,
        state: NurtureState,
        status: Status,
        event: Event,
        event_at: datetime,
        score: ScoreInput,
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
            state.arms,
            state.assigned_at,
            state.postponed,
        )

    def _auto_reply(self, event: Event) -> bool:
        value = event.properties.get(self.auto_reply_property)
        if is_blank(value):
            return False
        return read_bool(value, path=f"event.properties.{self.auto_reply_property}")

    def _match(self, status: str, event: Event, score: ScoreInput) -> TransitionSpec | None:
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

    def _open(self, state: NurtureState, pressure: PressureInput = None) -> Work:
        work = Work(state)
        times = send_times(pressure)  # checked even when this flow has no limit
        if self.limited or state.postponed:
            work.sends = times
            if times is None and self.limited:
                work.sends = []  # only this call's sends are known
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
        if s.postponed:
            items.append((s.postponed[0].at, -1, "postponed"))
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
        work.until = until
        for _ in range(10_000):  # a guard against a flow that loops on zero delays
            items = [item for item in self._due_items(work) if item[0] <= until]
            if not items:
                break
            when, order, what = min(items, key=lambda item: (item[0], item[1]))
            if order == -1:
                self._release(work, when, until, actions)
            elif order == 0:
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

    def _release(self, work: Work, when: datetime, until: datetime, actions: list[Action]) -> None:
        """Postponed sends due at ``when``: made if the limit allows now (else moved
        on), dropped if the lead was suppressed, left their status or, with
        ``late_policy = "skip"``, they are too late counting from their first due time."""
        kept = []
        for item in work.postponed:
            if item.at > when:
                kept.append(item)
                continue
            if work.suppressed is not None or item.status != work.status:
                continue
            if not self._on_time(item.due, until):
                continue
            at = self._pressured(work, item.at)
            if at > until:
                kept.append(attrs.evolve(item, at=at))
                continue
            if work.sends is not None:
                add_send(work.sends, at)
            work.emitted += 1
            actions.append(
                Action(
                    item.kind,
                    at,
                    work.lead_id,
                    item.idempotency_key,
                    item.template,
                    item.status,
                    item.reason,
                )
            )
        work.postponed = tuple(sorted(kept, key=lambda item: item.at))

    def _pressured(self, work: Work, at: datetime, queued: bool = False) -> datetime:
        """The first instant from ``at`` that keeps the limit and the send window; a new
        send (``queued``) also queues behind the sends already postponed."""
        sends = work.sends
        if sends is None or not self.limited:
            return at
        if queued and work.postponed:
            sends = sorted([*sends, *(p.at for p in work.postponed)])
        return self.limit.when_allowed(sends, at, self.send_window, work.timezone)

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
        into = spec.target
        if into == RESUME:
            into = work.held[0] if work.held is not None else work.status
        if into in self.arms.at:
            work.arms, work.assigned_at = self.arms.assigned(
                work.lead_id, into, work.arms, work.assigned_at, at
            )
        for number, action in enumerate(spec.actions, 1):
            self._emit(work, action, at, why, f"{what}.{number}", actions, into)
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
        if name in self.arms.at:
            work.arms, work.assigned_at = self.arms.assigned(
                work.lead_id, name, work.arms, work.assigned_at, at
            )
        self._record(work, at, source, name, why)

    def _record(self, work: Work, at: datetime, source: str, target: str, why: str) -> None:
        if work.postponed:  # leaving a status ends the sends it postponed
            work.postponed = tuple(p for p in work.postponed if p.status == work.status)
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
        into: str | None = None,
    ) -> None:
        """One action, keyed by what it is: lead, enrolment, flow version, status, step
        or transition, kind and template, and the instant it is due. A send to a
        suppressed lead, or to a lead in a holdout arm, is dropped here, the one door
        every action goes through; ``into`` is the status whose splits apply (the
        target of a transition; the current status by default)."""
        send = _is_send(spec.action)
        if send and work.suppressed is not None:
            return
        template = spec.template
        into = into or work.status
        if into in self.arms.at:
            allowed, template = self.arms.template(into, work.arms, template, send)
            if not allowed:
                return
        if send and self.send_window is not None:
            at = in_window(at, self.send_window, work.timezone)
        key = (
            f"{self._prefix}{work.lead_id}/{work.enrollments}/v{work.flow_version}/"
            f"{work.status}/{what}/{spec.action}:{template or ''}/{at.isoformat()}"
        )
        out = at
        if send and work.sends is not None:
            out = self._pressured(work, at, queued=True)
            if out > work.until:
                later = Postponed(out, at, spec.action, template, into, reason, key)
                work.postponed = tuple(sorted((*work.postponed, later), key=lambda p: p.at))
                return
            add_send(work.sends, out)
        work.emitted += 1
        actions.append(Action(spec.action, out, work.lead_id, key, template, work.status, reason))


def _later(a: datetime | None, b: datetime) -> datetime:
    return b if a is None or b > a else a
