"""Reading a flow's configuration: every key checked, every problem reported at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._conditions import Condition
from .._config import Reader, did_you_mean, join
from ._checks import check_graph, check_shadowed
from ._definition import (
    ACTION_KEYS,
    ANY,
    FLOW_KEYS,
    LATE_POLICIES,
    MAX_DAYS,
    MIGRATIONS,
    REENTRY,
    RESUME,
    SCORE_GUARDS,
    STATUS_KEYS,
    STEP_KEYS,
    SUPPRESS_ON,
    TIMERS,
    TRANSITION_KEYS,
    TRIGGER_KEYS,
    WEEKDAYS,
    WINDOW_KEYS,
    ActionSpec,
    SendWindow,
    Status,
    Step,
    TransitionSpec,
    Trigger,
)
from ._pressure import read_limits
from ._splits import read_splits


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
        **read_limits(table, path, reader),
        "priority": _priority(get("priority", 0), join(path, "priority"), reader),
    }


def _priority(value: Any, path: str, reader: Reader) -> int:
    """A flow's priority: an integer, lower first."""
    if type(value) is not int or abs(value) > 1_000_000:
        reader.error(path, f"expected a whole number from -1000000 to 1000000, got {value!r}")
        return 0
    return value


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
    splits = read_splits(get("splits", []), join(path, "splits"), reader, statuses, templates)
    name = _name(get("name", "default"), join(path, "name"), reader)
    # Goals end the flow, so they are tried before every other transition.
    transitions = goals + transitions
    if isinstance(initial, str) and initial in statuses:
        check_graph(statuses, transitions, initial, path, reader, len(goals), unparsed)
        check_shadowed(transitions, path, reader, len(goals), options["suppress_on"])
    if len(reader.problems) != before:
        return None
    return {
        **options,
        "initial": initial,
        "statuses": tuple(statuses.values()),
        "transitions": tuple(transitions),
        "templates": tuple(sorted(templates)),
        "goals": tuple(get("goals", ())),
        "name": name or "default",
        "splits": splits,
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


def _read_steps(data: Any, path: str, reader: Reader, templates: set[str]) -> list[Step]:
    """A status's sequence: steps in order of ``after_days``, names unique."""
    steps = []
    for index, step in enumerate(reader.array(data, path) or ()):
        step_at = join(path, index)
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
        reader.error(path, "list the steps in order of after_days")
    named = [step.name for step in steps if step.name]
    for label in sorted({label for label in named if named.count(label) > 1}):
        reader.error(path, f"two steps are named {label!r}; names are unique")
    return steps


def _read_status(
    name: str, body: Any, at: str, reader: Reader, templates: set[str]
) -> Status | None:
    table = reader.table(body, at, STATUS_KEYS)
    if table is None:
        return None
    steps = _read_steps(table.get("steps", []), join(at, "steps"), reader, templates)
    labels = [step.label for step in steps]
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
