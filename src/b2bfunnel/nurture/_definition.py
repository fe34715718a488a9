"""Nurture flows as data: statuses, steps, transitions, and the checks on load."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
)
STATUS_KEYS = ("steps", "terminal", "pause", "contact_every_months", "contact_template")
STEP_KEYS = ("after_days", "action", "template")
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


@attrs.frozen
class ActionSpec:
    """An action a transition performs."""

    action: str
    template: str | None = None


@attrs.frozen
class Status:
    """A named status. ``pause`` statuses hold the progress of the status they
    interrupted; ``terminal`` ones end the flow; ``contact_every_months`` sends
    ``contact_template`` on that calendar rhythm (the archive's quarterly list)."""

    name: str
    steps: tuple[Step, ...] = ()
    terminal: bool = False
    pause: bool = False
    contact_every_months: int | None = None
    contact_template: str | None = None


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
    """From ``source`` (a status or ``*``) to ``target`` (a status or ``(resume)``)."""

    name: str
    source: str
    target: str
    trigger: Trigger
    actions: tuple[ActionSpec, ...] = ()


@attrs.frozen
class SendWindow:
    """When e-mails may go out, in the lead's time zone (``timezone`` the default)."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_hour: int = 9
    end_hour: int = 18
    timezone: str = "UTC"


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


def read_definition(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[nurture]`` table (defaults merged in) and check the whole flow."""
    table = reader.table(data, path, FLOW_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    get = table.get
    version = reader.number(get("version", 1), join(path, "version"), minimum=1, integer=True)
    reenroll = reader.boolean(get("reenroll", False), join(path, "reenroll"))
    late = reader.string(
        get("late_policy", "send"), join(path, "late_policy"), choices=LATE_POLICIES
    )
    lateness = reader.number(
        get("max_lateness_days", 3), join(path, "max_lateness_days"), minimum=0
    )
    auto_reply = reader.string(
        get("auto_reply_property", "auto_reply"), join(path, "auto_reply_property")
    )
    threshold = reader.number(
        get("hot_threshold", 100), join(path, "hot_threshold"), exclusive_minimum=0
    )
    limit = reader.number(
        get("history_limit", 20), join(path, "history_limit"), minimum=1, integer=True
    )
    migration = reader.string(
        get("migration", "continue"), join(path, "migration"), choices=MIGRATIONS
    )
    templates: set[str] = set()
    for index, name in enumerate(reader.array(get("templates", []), join(path, "templates")) or ()):
        if reader.string(name, join(join(path, "templates"), index)) is not None:
            templates.add(name)
    window = None
    if "send_window" in table:
        window = _read_window(table["send_window"], join(path, "send_window"), reader)
    statuses: dict[str, Status] = {}
    spec = get("statuses")
    where = join(path, "statuses")
    if not isinstance(spec, Mapping) or not spec:
        reader.error(where, "expected a table of statuses")
        spec = {}
    for name, body in spec.items():
        at = join(where, str(name))
        status_table = reader.table(body, at, STATUS_KEYS)
        if status_table is None:
            continue
        steps = []
        for index, step in enumerate(
            reader.array(status_table.get("steps", []), join(at, "steps")) or ()
        ):
            step_at = join(join(at, "steps"), index)
            step_table = reader.table(step, step_at, STEP_KEYS, required=("after_days", "action"))
            if step_table is None or "after_days" not in step_table or "action" not in step_table:
                continue
            days = reader.number(step_table["after_days"], join(step_at, "after_days"))
            if days is not None and days < 0:
                reader.error(
                    join(step_at, "after_days"), f"a delay cannot be negative, got {days:g}"
                )
            action = _read_action(
                {k: v for k, v in step_table.items() if k != "after_days"},
                step_at,
                reader,
                templates,
            )
            if days is not None and days >= 0 and action is not None:
                steps.append(Step(float(days), action.action, action.template))
        if [s.after_days for s in steps] != sorted(s.after_days for s in steps):
            reader.error(join(at, "steps"), "list the steps in order of after_days")
        terminal = reader.boolean(status_table.get("terminal", False), join(at, "terminal"))
        pause = reader.boolean(status_table.get("pause", False), join(at, "pause"))
        months = None
        if "contact_every_months" in status_table:
            months = reader.number(
                status_table["contact_every_months"],
                join(at, "contact_every_months"),
                minimum=1,
                integer=True,
            )
        contact_template = None
        if "contact_template" in status_table:
            contact_template = reader.string(
                status_table["contact_template"], join(at, "contact_template")
            )
            if contact_template is not None and contact_template not in templates:
                reader.error(
                    join(at, "contact_template"),
                    f"unknown template {contact_template!r}; declare it in templates",
                )
        statuses[str(name)] = Status(
            str(name),
            tuple(steps),
            bool(terminal),
            bool(pause),
            int(months) if months else None,
            contact_template,
        )
    initial = get("initial", next(iter(statuses), ""))
    if reader.string(initial, join(path, "initial")) is not None and initial not in statuses:
        reader.error(
            join(path, "initial"), f"unknown status {initial!r}; known: {', '.join(statuses)}"
        )
    transitions = []
    for index, item in enumerate(
        reader.array(get("transitions", []), join(path, "transitions")) or ()
    ):
        at = join(join(path, "transitions"), index)
        built = _read_transition(item, at, reader, statuses, templates, index)
        if built is not None:
            transitions.append(built)
    goals: list[TransitionSpec] = []
    for index, goal in enumerate(reader.array(get("goals", []), join(path, "goals")) or ()):
        at = join(join(path, "goals"), index)
        goal_table = reader.table(goal, at, ("event", "to"), required=("event", "to"))
        if goal_table and "event" in goal_table and "to" in goal_table:
            target = goal_table["to"]
            if target not in statuses or not statuses[target].terminal:
                reader.error(
                    join(at, "to"),
                    f"a goal ends the flow: expected a terminal status, got {target!r}",
                )
            else:
                goals.append(
                    TransitionSpec(
                        f"goal {goal_table['event']}",
                        ANY,
                        target,
                        Trigger(event=str(goal_table["event"])),
                    )
                )
    # Goals end the flow, so they are tried before every other transition.
    transitions = goals + transitions
    if len(reader.problems) == before:
        _check_graph(statuses, transitions, initial, path, reader, len(goals))
    if len(reader.problems) != before:
        return None
    return {
        "version": int(version or 1),
        "initial": initial,
        "statuses": tuple(statuses.values()),
        "transitions": tuple(transitions),
        "templates": tuple(sorted(templates)),
        "reenroll": bool(reenroll),
        "late_policy": late,
        "max_lateness_days": float(lateness or 0),
        "auto_reply_property": auto_reply,
        "hot_threshold": float(threshold or 100),
        "history_limit": int(limit or 20),
        "migration": migration,
        "send_window": window,
        "goals": tuple(get("goals", ())),
    }


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
            from zoneinfo import ZoneInfo

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
    index: int,
) -> TransitionSpec | None:
    table = reader.table(data, path, TRANSITION_KEYS, required=("from", "to", "on"))
    if table is None or not {"from", "to", "on"} <= set(table):
        return None
    before = len(reader.problems)
    source, target = table["from"], table["to"]
    names = list(statuses)
    if source != ANY and source not in statuses:
        reader.error(
            join(path, "from"),
            f"unknown status {source!r}{did_you_mean(str(source), names)}"
            f"; known: {', '.join(names)} or *",
        )
    if target != RESUME and target not in statuses:
        reader.error(
            join(path, "to"),
            f"unknown status {target!r}{did_you_mean(str(target), names)}"
            f"; known: {', '.join(names)} or {RESUME}",
        )
    on = reader.table(table["on"], join(path, "on"), TRIGGER_KEYS)
    trigger = None
    if on is not None:
        timers = [k for k in TIMERS if k in on]
        if ("event" in on) == bool(timers) or len(timers) > 1:
            reader.error(
                join(path, "on"), f"give either an event or one timer ({', '.join(TIMERS)})"
            )
        elif timers:
            days = reader.number(on[timers[0]], join(join(path, "on"), timers[0]))
            if days is not None and days < 0:
                reader.error(join(join(path, "on"), timers[0]), "a delay cannot be negative")
            if "where" in on or "score" in on:
                reader.error(join(path, "on"), "timers take no where or score guard")
            trigger = Trigger(timer=timers[0], days=float(days or 0))
        else:
            event = reader.string(on["event"], join(join(path, "on"), "event"))
            where = (
                Condition.parse(on["where"], join(join(path, "on"), "where"), reader)
                if ("where" in on)
                else None
            )
            score: list[tuple[str, Any]] = []
            if "score" in on:
                guard = (
                    reader.table(on["score"], join(join(path, "on"), "score"), SCORE_GUARDS) or {}
                )
                for key, value in guard.items():
                    at = join(join(join(path, "on"), "score"), key)
                    if key == "hot":
                        reader.boolean(value, at)
                    elif key == "at_least":
                        reader.number(value, at)
                    else:
                        reader.string(value, at)
                    score.append((key, value))
            trigger = Trigger(event=event, where=where, score=tuple(sorted(score)))
    actions = []
    for a_index, action in enumerate(
        reader.array(table.get("actions", []), join(path, "actions")) or ()
    ):
        built = _read_action(action, join(join(path, "actions"), a_index), reader, templates)
        if built is not None:
            actions.append(built)
    name = table.get("name", f"{source} -> {target}")
    if len(reader.problems) != before or trigger is None:
        return None
    return TransitionSpec(str(name), str(source), str(target), trigger, tuple(actions))


def _check_graph(
    statuses: Mapping[str, Status],
    transitions: Sequence[TransitionSpec],
    initial: str,
    path: str,
    reader: Reader,
    goals: int = 0,
) -> None:
    """Unreachable statuses, dead ends, and ambiguous transitions. ``transitions`` holds
    the ``goals`` first, then the configured ones."""

    def where(index: int) -> str:
        if index < goals:
            return join(join(path, "goals"), index)
        return join(join(path, "transitions"), index - goals)

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
        if name not in reachable:
            reader.error(
                join(join(path, "statuses"), name),
                "no transition reaches this status from the initial one",
            )
    for status in statuses.values():
        if status.terminal:
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
    seen: dict[tuple[str, str, str], tuple[int, TransitionSpec]] = {}
    for index, t in enumerate(transitions):
        trigger = t.trigger
        key = (t.source, trigger.timer or "event", trigger.event or f"{trigger.days:g}")
        if key in seen:
            other = seen[key][1].trigger
            unguarded = not (trigger.where or trigger.score) or not (other.where or other.score)
            same = (trigger.where, trigger.score) == (other.where, other.score)
            if unguarded or same:
                reader.error(
                    where(index),
                    f"ambiguous: {where(seen[key][0])} fires on the same trigger "
                    "from the same status and their guards overlap",
                )
        else:
            seen[key] = (index, t)
