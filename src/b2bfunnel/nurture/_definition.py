"""Nurture flows as data: statuses, steps, transitions, and the checks on load."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import attrs

from .._conditions import Condition
from .._config import Reader, did_you_mean, join

ANY = "*"
RESUME = "(resume)"
TIMERS = ("idle_days", "days_in_status", "sequence_end_days")
SCORE_GUARDS = ("hot", "at_least", "band")
LATE_POLICIES = ("send", "skip")
MIGRATIONS = ("continue", "restart")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FLOW_KEYS = (
    "version",
    "initial",
    "reenroll",
    "late_policy",
    "max_lateness_days",
    "auto_reply_property",
    "hot_threshold",
    "history_limit",
    "migration",
    "send_window",
    "templates",
    "statuses",
    "transitions",
    "goals",
    "suppress_on",
)
STATUS_KEYS = (
    "steps",
    "terminal",
    "pause",
    "contact_every_months",
    "contact_template",
    "on_reentry",
)
STEP_KEYS = ("after_days", "action", "template", "name")
REENTRY = ("resume", "restart")
SUPPRESS_ON = ("unsubscribe", "hard_bounce")
# Past about a century a delay means a typo; it would also overflow a datetime.
MAX_DAYS = 36_600
TRANSITION_KEYS = ("from", "to", "on", "actions", "name")
TRIGGER_KEYS = ("event", "where", "score", *TIMERS)
ACTION_KEYS = ("action", "template")
WINDOW_KEYS = ("days", "start_hour", "end_hour", "timezone")


@attrs.frozen
class Step:
    """One step of a status's sequence: ``action`` ``after_days`` after entering it."""

    after_days: float
    action: str
    template: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """How ``on_reentry`` names this step: its ``name``, else its template or action."""
        return self.name or self.template or self.action


@attrs.frozen
class ActionSpec:
    """An action a transition performs."""

    action: str
    template: str | None = None


@attrs.frozen
class Status:
    """A named status. ``pause`` statuses hold the progress of the status they
    interrupted; ``terminal`` ones end the flow; ``contact_every_months`` sends
    ``contact_template`` on that calendar rhythm (the archive's quarterly list);
    ``on_reentry`` (``resume``, ``restart`` or a step's name) says where a lead that
    comes back to the status starts."""

    name: str
    steps: tuple[Step, ...] = ()
    terminal: bool = False
    pause: bool = False
    contact_every_months: int | None = None
    contact_template: str | None = None
    on_reentry: str = "resume"

    def step_index(self, label: str) -> int:
        """The index of the step named ``label`` (checked on load)."""
        return [step.label for step in self.steps].index(label)


@attrs.frozen
class Trigger:
    """What fires a transition: an ``event`` (name or ``*``) with an optional ``where``
    condition and score guard, or a timer."""

    event: str | None = None
    where: Condition | None = None
    score: tuple[tuple[str, Any], ...] = ()
    timer: str | None = None
    days: float = 0.0


@attrs.frozen
class TransitionSpec:
    """From ``source`` (a status or ``*``) to ``target`` (a status or ``(resume)``);
    a ``goal`` reaches its terminal status from every other status, terminal ones too."""

    name: str
    source: str
    target: str
    trigger: Trigger
    actions: tuple[ActionSpec, ...] = ()
    goal: bool = False


@attrs.frozen
class SendWindow:
    """When e-mails may go out, in the lead's time zone (``timezone`` the default)."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_hour: int = 9
    end_hour: int = 18
    timezone: str = "UTC"


def leaves(status: Status, spec: TransitionSpec, suppress_on: Collection[str]) -> bool:
    """Whether ``spec`` (from ``status`` or ``*``) may fire from ``status``: always from a
    non-terminal status; from a terminal one only a goal, or a suppression while the
    status still contacts the lead (the archive's quarterly e-mail), never to itself."""
    if not status.terminal:
        return True
    if spec.target == status.name:
        return False
    if spec.goal:
        return True
    sends = bool(status.steps) or status.contact_every_months is not None
    return sends and spec.trigger.event in suppress_on


def _read_action(data: Any, path: str, reader: Reader, templates: set[str]) -> ActionSpec | None:
    table = reader.table(data, path, ACTION_KEYS, required=("action",))
    if table is None or "action" not in table:
        return None
    action = reader.string(table["action"], join(path, "action"))
    template = None
    if "template" in table:
        template = reader.string(table["template"], join(path, "template"))
        if template is not None and template not in templates:
            reader.error(
                join(path, "template"),
                f"unknown template {template!r}{did_you_mean(template, templates)}; "
                f"declare it in templates (known: {', '.join(sorted(templates))})",
            )
    return ActionSpec(action, template) if action else None


def _days(value: Any, path: str, reader: Reader) -> float | None:
    """A delay in days: a finite number from 0 to ``MAX_DAYS``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_DAYS:
        reader.error(path, f"must be at most {MAX_DAYS} days, got {value!r}")
        return None
    days = reader.number(value, path)
    if days is None:
        return None
    if not 0 <= days <= MAX_DAYS:
        reader.error(path, f"a delay is from 0 to {MAX_DAYS} days, got {days:g}")
        return None
    return float(days)


def _bounded(value: Any, path: str, reader: Reader, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``."""
    if isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
        reader.error(path, f"must be from {low} to {high}, got {value!r}")
        return None
    number = reader.number(value, path, minimum=low, integer=True)
    return None if number is None else int(number)


def _name(value: Any, path: str, reader: Reader) -> str | None:
    """A name shown in diagrams and keys: a non-empty string without control characters."""
    name = reader.string(value, path)
    if name is not None and any(ord(c) < 32 or ord(c) == 127 for c in name):
        reader.error(path, f"a name cannot hold control characters, got {name!r}")
        return None
    return name


def _names(value: Any, path: str, reader: Reader) -> list[str]:
    """An array of names; the valid ones."""
    return [
        name
        for index, name in enumerate(reader.array(value, path) or ())
        if _name(name, join(path, index), reader) is not None
    ]


def _read_options(table: Mapping[str, Any], path: str, reader: Reader) -> dict[str, Any]:
    """The flow's settings besides its statuses and transitions, defaults filled in."""
    get = table.get
    version = _bounded(get("version", 1), join(path, "version"), reader, 1, 1_000_000)
    reenroll = reader.boolean(get("reenroll", False), join(path, "reenroll"))
    lateness = _days(get("max_lateness_days", 3), join(path, "max_lateness_days"), reader)
    threshold = reader.number(
        get("hot_threshold", 100), join(path, "hot_threshold"), exclusive_minimum=0
    )
    limit = _bounded(get("history_limit", 20), join(path, "history_limit"), reader, 1, 10_000)
    window = None
    if "send_window" in table:
        window = _read_window(table["send_window"], join(path, "send_window"), reader)
    return {
        "version": int(version or 1),
        "reenroll": bool(reenroll),
        "late_policy": reader.string(
            get("late_policy", "send"), join(path, "late_policy"), choices=LATE_POLICIES
        ),
        "max_lateness_days": float(lateness or 0),
        "auto_reply_property": reader.string(
            get("auto_reply_property", "auto_reply"), join(path, "auto_reply_property")
        ),
        "hot_threshold": float(threshold or 100),
        "history_limit": int(limit or 20),
        "migration": reader.string(
            get("migration", "continue"), join(path, "migration"), choices=MIGRATIONS
        ),
        "send_window": window,
        "suppress_on": tuple(
            _names(get("suppress_on", list(SUPPRESS_ON)), join(path, "suppress_on"), reader)
        ),
    }


def read_definition(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[nurture]`` table (defaults merged in) and check the whole flow: every
    problem, graph problems included, in one round."""
    table = reader.table(data, path, FLOW_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    get = table.get
    options = _read_options(table, path, reader)
    templates = set(_names(get("templates", []), join(path, "templates"), reader))
    statuses = _read_statuses(get("statuses"), join(path, "statuses"), reader, templates)
    initial = get("initial", next(iter(statuses), ""))
    if reader.string(initial, join(path, "initial")) is not None and initial not in statuses:
        reader.error(
            join(path, "initial"), f"unknown status {initial!r}; known: {', '.join(statuses)}"
        )
    unparsed: set[str] = set()
    transitions = []
    for index, item in enumerate(
        reader.array(get("transitions", []), join(path, "transitions")) or ()
    ):
        at = join(join(path, "transitions"), index)
        built = _read_transition(item, at, reader, statuses, templates)
        if built is not None:
            transitions.append(built)
        elif isinstance(item, Mapping):
            unparsed.update(v for v in (item.get("from"), item.get("to")) if isinstance(v, str))
    goals = _read_goals(get("goals", []), join(path, "goals"), reader, statuses)
    # Goals end the flow, so they are tried before every other transition.
    transitions = goals + transitions
    if isinstance(initial, str) and initial in statuses:
        _check_graph(statuses, transitions, initial, path, reader, len(goals), unparsed)
        _check_shadowed(transitions, path, reader, len(goals), options["suppress_on"])
    if len(reader.problems) != before:
        return None
    return {
        **options,
        "initial": initial,
        "statuses": tuple(statuses.values()),
        "transitions": tuple(transitions),
        "templates": tuple(sorted(templates)),
        "goals": tuple(get("goals", ())),
    }


def _read_statuses(spec: Any, path: str, reader: Reader, templates: set[str]) -> dict[str, Status]:
    statuses: dict[str, Status] = {}
    if not isinstance(spec, Mapping) or not spec:
        reader.error(path, "expected a table of statuses")
        return statuses
    for name, body in spec.items():
        if _name(name, join(path, str(name)), reader) is not None:
            status = _read_status(name, body, join(path, name), reader, templates)
            if status is not None:
                statuses[name] = status
    return statuses


def _read_status(
    name: str, body: Any, at: str, reader: Reader, templates: set[str]
) -> Status | None:
    table = reader.table(body, at, STATUS_KEYS)
    if table is None:
        return None
    steps = []
    for index, step in enumerate(reader.array(table.get("steps", []), join(at, "steps")) or ()):
        step_at = join(join(at, "steps"), index)
        step_table = reader.table(step, step_at, STEP_KEYS, required=("after_days", "action"))
        if step_table is None or "after_days" not in step_table or "action" not in step_table:
            continue
        days = _days(step_table["after_days"], join(step_at, "after_days"), reader)
        label = None
        if "name" in step_table:
            label = _name(step_table["name"], join(step_at, "name"), reader)
        action = _read_action(
            {k: v for k, v in step_table.items() if k in ACTION_KEYS}, step_at, reader, templates
        )
        if days is not None and action is not None:
            steps.append(Step(days, action.action, action.template, label))
    if [s.after_days for s in steps] != sorted(s.after_days for s in steps):
        reader.error(join(at, "steps"), "list the steps in order of after_days")
    labels = [step.label for step in steps]
    named = [step.name for step in steps if step.name]
    for label in sorted({label for label in named if named.count(label) > 1}):
        reader.error(join(at, "steps"), f"two steps are named {label!r}; names are unique")
    terminal = reader.boolean(table.get("terminal", False), join(at, "terminal"))
    pause = reader.boolean(table.get("pause", False), join(at, "pause"))
    months = None
    if "contact_every_months" in table:
        months = _bounded(
            table["contact_every_months"], join(at, "contact_every_months"), reader, 1, 1200
        )
    contact_template = None
    if "contact_template" in table:
        contact_template = reader.string(table["contact_template"], join(at, "contact_template"))
        if contact_template is not None and contact_template not in templates:
            reader.error(
                join(at, "contact_template"),
                f"unknown template {contact_template!r}; declare it in templates",
            )
    reentry = table.get("on_reentry", "resume")
    allowed = [*REENTRY, *labels]
    if reader.string(reentry, join(at, "on_reentry")) is not None and reentry not in allowed:
        reader.error(
            join(at, "on_reentry"),
            f"unknown value {reentry!r}{did_you_mean(str(reentry), allowed)}; "
            f"allowed: resume, restart or a step's name ({', '.join(labels) or 'none'})",
        )
    elif labels.count(reentry) > 1:
        reader.error(
            join(at, "on_reentry"),
            f"several steps go by {reentry!r}; give the one to start at a name",
        )
    return Status(
        name,
        tuple(steps),
        bool(terminal),
        bool(pause),
        months,
        contact_template,
        reentry if isinstance(reentry, str) else "resume",
    )


def _read_goals(
    data: Any, path: str, reader: Reader, statuses: Mapping[str, Status]
) -> list[TransitionSpec]:
    goals: list[TransitionSpec] = []
    for index, goal in enumerate(reader.array(data, path) or ()):
        at = join(path, index)
        table = reader.table(goal, at, ("event", "to"), required=("event", "to"))
        if not table or "event" not in table or "to" not in table:
            continue
        event = _name(table["event"], join(at, "event"), reader)
        target = table["to"]
        if reader.string(target, join(at, "to")) is None:
            continue
        if target not in statuses or not statuses[target].terminal:
            reader.error(
                join(at, "to"), f"a goal ends the flow: expected a terminal status, got {target!r}"
            )
        elif event is not None:
            goals.append(
                TransitionSpec(f"goal {event}", ANY, target, Trigger(event=event), goal=True)
            )
    return goals


def _read_window(data: Any, path: str, reader: Reader) -> SendWindow | None:
    table = reader.table(data, path, WINDOW_KEYS)
    if table is None:
        return None
    days = []
    for index, day in enumerate(
        reader.array(table.get("days", list(WEEKDAYS[:5])), join(path, "days"), non_empty=True)
        or ()
    ):
        if day not in WEEKDAYS:
            reader.error(
                join(join(path, "days"), index),
                f"unknown day {day!r}; allowed: {', '.join(WEEKDAYS)}",
            )
        else:
            days.append(WEEKDAYS.index(day))
    start = reader.number(
        table.get("start_hour", 9), join(path, "start_hour"), minimum=0, integer=True
    )
    end = reader.number(table.get("end_hour", 18), join(path, "end_hour"), minimum=1, integer=True)
    if start is not None and end is not None and not start < end <= 24:
        reader.error(join(path, "end_hour"), "expected start_hour < end_hour <= 24")
    zone = table.get("timezone", "UTC")
    if reader.string(zone, join(path, "timezone")) is not None:
        try:
            from zoneinfo import ZoneInfo  # deferred: keeps imports fast

            ZoneInfo(zone)
        except Exception:
            reader.error(
                join(path, "timezone"),
                f"unknown time zone {zone!r} (an IANA name such as Europe/Madrid)",
            )
    if start is None or end is None:
        return None
    return SendWindow(tuple(sorted(set(days))), int(start), int(end), str(zone))


def _read_transition(
    data: Any,
    path: str,
    reader: Reader,
    statuses: Mapping[str, Status],
    templates: set[str],
) -> TransitionSpec | None:
    table = reader.table(data, path, TRANSITION_KEYS, required=("from", "to", "on"))
    if table is None or not {"from", "to", "on"} <= set(table):
        return None
    before = len(reader.problems)
    source = reader.string(table["from"], join(path, "from"))
    target = reader.string(table["to"], join(path, "to"))
    names = list(statuses)
    if source is not None and source != ANY and source not in statuses:
        reader.error(
            join(path, "from"),
            f"unknown status {source!r}{did_you_mean(source, names)}"
            f"; known: {', '.join(names)} or *",
        )
    if target is not None and target != RESUME and target not in statuses:
        reader.error(
            join(path, "to"),
            f"unknown status {target!r}{did_you_mean(target, names)}"
            f"; known: {', '.join(names)} or {RESUME}",
        )
    trigger = _read_trigger(table["on"], join(path, "on"), reader)
    actions = []
    for a_index, action in enumerate(
        reader.array(table.get("actions", []), join(path, "actions")) or ()
    ):
        built = _read_action(action, join(join(path, "actions"), a_index), reader, templates)
        if built is not None:
            actions.append(built)
    name = table.get("name", f"{source} -> {target}")
    if "name" in table:
        name = _name(name, join(path, "name"), reader)
    if len(reader.problems) != before or trigger is None or None in (source, target, name):
        return None
    return TransitionSpec(str(name), str(source), str(target), trigger, tuple(actions))


def _read_trigger(data: Any, path: str, reader: Reader) -> Trigger | None:
    on = reader.table(data, path, TRIGGER_KEYS)
    if on is None:
        return None
    timers = [k for k in TIMERS if k in on]
    if ("event" in on) == bool(timers) or len(timers) > 1:
        reader.error(path, f"give either an event or one timer ({', '.join(TIMERS)})")
        return None
    if timers:
        days = _days(on[timers[0]], join(path, timers[0]), reader)
        if "where" in on or "score" in on:
            reader.error(path, "timers take no where or score guard")
        return None if days is None else Trigger(timer=timers[0], days=days)
    event = _name(on["event"], join(path, "event"), reader)
    where = Condition.parse(on["where"], join(path, "where"), reader) if "where" in on else None
    score: list[tuple[str, Any]] = []
    if "score" in on:
        guard = reader.table(on["score"], join(path, "score"), SCORE_GUARDS) or {}
        for key, value in guard.items():
            at = join(join(path, "score"), key)
            read: Any
            if key == "hot":
                read = reader.boolean(value, at)
            elif key == "at_least":
                read = reader.number(value, at)
            else:
                read = reader.string(value, at)
            if read is not None:
                score.append((key, read))
    return Trigger(event=event, where=where, score=tuple(sorted(score)))


def _implies(later: Trigger, earlier: Trigger) -> bool:
    """Whether ``earlier`` fires whenever ``later`` does (so ``later`` never fires)."""
    if earlier.timer or later.timer:
        return earlier.timer == later.timer and earlier.days <= later.days
    if earlier.event not in (later.event, ANY):
        return False
    if earlier.where is not None and earlier.where != later.where:
        return False
    wanted = dict(later.score)
    for key, value in earlier.score:
        if key not in wanted:
            return False
        if key == "at_least" and not wanted[key] >= value:
            return False
        if key != "at_least" and wanted[key] != value:
            return False
    return True


def _check_graph(
    statuses: Mapping[str, Status],
    transitions: Sequence[TransitionSpec],
    initial: str,
    path: str,
    reader: Reader,
    goals: int = 0,
    unparsed: Collection[str] = (),
) -> None:
    """Unreachable statuses and dead ends.
    ``transitions`` holds the ``goals`` first, then the configured ones that parsed;
    ``unparsed`` names the statuses a transition that did not parse mentions, which
    are not called unreachable or dead ends on its account."""

    # A resume only returns to a status already reached, so it reaches nothing new.
    reachable = {initial}
    frontier = [initial]
    while frontier:
        current = frontier.pop()
        for t in transitions:
            if t.source in (current, ANY) and t.target != RESUME and t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    for name in statuses:
        if name not in reachable and name not in unparsed:
            reader.error(
                join(join(path, "statuses"), name),
                "no transition reaches this status from the initial one",
            )
    for status in statuses.values():
        if status.terminal or status.name in unparsed or ANY in unparsed:
            continue
        outgoing = [t for t in transitions if t.source in (status.name, ANY)]
        if not outgoing:
            reader.error(
                join(join(path, "statuses"), status.name),
                "a non-terminal status needs a way out (a transition, or terminal = true)",
            )
        if status.pause and not any(
            t.target == RESUME or t.source == status.name for t in transitions
        ):
            reader.error(
                join(join(path, "statuses"), status.name),
                "a pause status needs a transition out of it",
            )


def _where(path: str, index: int, goals: int) -> str:
    """The configuration path of ``transitions[index]`` (goals first)."""
    if index < goals:
        return join(join(path, "goals"), index)
    return join(join(path, "transitions"), index - goals)


def _check_shadowed(
    transitions: Sequence[TransitionSpec],
    path: str,
    reader: Reader,
    goals: int,
    suppress_on: Collection[str],
) -> None:
    """Transitions that never fire because one tried before always fires instead."""
    # The engine's order: suppression first, then goals, then declaration order.
    order = sorted(
        range(len(transitions)), key=lambda i: transitions[i].trigger.event not in suppress_on
    )
    for position, index in enumerate(order):
        later = transitions[index]
        for first in order[:position]:
            earlier = transitions[first]
            if earlier.source in (later.source, ANY) and _implies(later.trigger, earlier.trigger):
                reader.error(
                    _where(path, index, goals),
                    f"never fires: {_where(path, first, goals)} is tried first (suppression, "
                    "goals, then the order declared) and fires on every event and status "
                    "this one does",
                )
                break
