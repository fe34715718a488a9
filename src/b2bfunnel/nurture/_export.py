"""Diagrams of a nurture flow: Mermaid ``stateDiagram-v2`` and Graphviz DOT.

Names come from configuration, so every one is escaped: a status named
``a" [URL="javascript:..."]`` stays a label and never becomes markup."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from ._definition import ANY, RESUME, Split, Status, TransitionSpec, leaves


def edges(
    statuses: Sequence[Status],
    transitions: Sequence[TransitionSpec],
    suppress_on: Collection[str] = (),
) -> list[tuple[str, str, str]]:
    """(source, target, label) for every arrow, ``*`` sources expanded to the statuses
    the engine lets the transition leave."""
    by_name = {s.name: s for s in statuses}
    found = []
    for spec in transitions:
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
            else [s.name for s in statuses if leaves(s, spec, suppress_on)]
        )
        for source in sources:
            if spec.target == RESUME:
                for other in transitions:
                    held_by = by_name.get(other.target)
                    if held_by is not None and held_by.pause and held_by.name == source:
                        for back in [other.source] if other.source != ANY else []:
                            found.append((source, back, label + " (resume)"))
            else:
                found.append((source, spec.target, label))
    return list(dict.fromkeys(found))


_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MERMAID_TEXT = str.maketrans(
    {"#": "#35;", '"': "#quot;", ";": "#59;", "<": "#lt;", ">": "#gt;", "\\": "#92;"}
)


def _dot(text: str) -> str:
    """``text`` inside a DOT double-quoted string: nothing can end the string early."""
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _mermaid_ids(statuses: Sequence[Status]) -> tuple[dict[str, str], list[str]]:
    """A Mermaid id per status: its name when it is a plain identifier, else ``s<n>``
    declared with the name as an escaped label."""
    ids: dict[str, str] = {}
    declared = []
    for number, status in enumerate(statuses):
        if _PLAIN.fullmatch(status.name) and status.name not in ("state", "note", "end"):
            ids[status.name] = status.name
        else:
            ids[status.name] = f"s{number}"
            label = status.name.translate(_MERMAID_TEXT)
            declared.append(f'    state "{label}" as s{number}')
    return ids, declared


def split_label(split: Split) -> str:
    """``split NAME: A 50%, B 40%, control 10% (holdout)``: each arm's share of leads,
    and what it sends instead."""
    total = sum(arm.weight for arm in split.arms)
    parts = []
    for arm in split.arms:
        part = f"{arm.name} {arm.weight / total * 100:.3g}%"
        if arm.holdout:
            part += " (holdout)"
        elif arm.templates:
            part += " (" + ", ".join(f"{b} for {a}" for a, b in arm.templates) + ")"
        parts.append(part)
    return f"split {split.name}: " + ", ".join(parts)


def to_mermaid(
    initial: str,
    statuses: Sequence[Status],
    transitions: Sequence[TransitionSpec],
    suppress_on: Collection[str] = (),
    splits: Sequence[Split] = (),
) -> str:
    """The flow as a Mermaid ``stateDiagram-v2``; each split a note on its status."""
    ids, declared = _mermaid_ids(statuses)
    lines = ["stateDiagram-v2", *declared, f"    [*] --> {ids[initial]}"]
    for source, target, label in edges(statuses, transitions, suppress_on):
        lines.append(f"    {ids[source]} --> {ids[target]}: {label.translate(_MERMAID_TEXT)}")
    for status in statuses:
        if status.terminal:
            lines.append(f"    {ids[status.name]} --> [*]")
    for split in splits:
        label = split_label(split).translate(_MERMAID_TEXT)
        lines.append(f"    note right of {ids[split.status]}: {label}")
    return "\n".join(lines)


def to_dot(
    initial: str,
    statuses: Sequence[Status],
    transitions: Sequence[TransitionSpec],
    suppress_on: Collection[str] = (),
    splits: Sequence[Split] = (),
) -> str:
    """The flow as a Graphviz DOT digraph; a status with splits lists their arms."""
    lines = [
        "digraph nurture {",
        "    rankdir=LR;",
        "    start [shape=point];",
        f'    start -> "{_dot(initial)}";',
    ]
    for status in statuses:
        shape = "doublecircle" if status.terminal else "box"
        notes = [split_label(split) for split in splits if split.status == status.name]
        label = "\\n".join(_dot(text) for text in (status.name, *notes))
        extra = f', label="{label}"' if notes else ""
        lines.append(f'    "{_dot(status.name)}" [shape={shape}{extra}];')
    for source, target, label in edges(statuses, transitions, suppress_on):
        lines.append(f'    "{_dot(source)}" -> "{_dot(target)}" [label="{_dot(label)}"];')
    lines.append("}")
    return "\n".join(lines)
