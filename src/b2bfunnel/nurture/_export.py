"""Diagrams of a nurture flow: Mermaid ``stateDiagram-v2`` and Graphviz DOT."""

from __future__ import annotations

from collections.abc import Sequence

from ._definition import ANY, RESUME, Status, TransitionSpec


def edges(
    statuses: Sequence[Status], transitions: Sequence[TransitionSpec]
) -> list[tuple[str, str, str]]:
    """(source, target, label) for every arrow, ``*`` sources expanded."""
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
            else [s.name for s in statuses if not s.terminal and s.name != spec.target]
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


def to_mermaid(
    initial: str, statuses: Sequence[Status], transitions: Sequence[TransitionSpec]
) -> str:
    """The flow as a Mermaid ``stateDiagram-v2``."""
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for source, target, label in edges(statuses, transitions):
        lines.append(f"    {source} --> {target}: {label}")
    for status in statuses:
        if status.terminal:
            lines.append(f"    {status.name} --> [*]")
    return "\n".join(lines)


def to_dot(initial: str, statuses: Sequence[Status], transitions: Sequence[TransitionSpec]) -> str:
    """The flow as a Graphviz DOT digraph."""
    lines = [
        "digraph nurture {",
        "    rankdir=LR;",
        "    start [shape=point];",
        f'    start -> "{initial}";',
    ]
    for status in statuses:
        shape = "doublecircle" if status.terminal else "box"
        lines.append(f'    "{status.name}" [shape={shape}];')
    for source, target, label in edges(statuses, transitions):
        lines.append(f'    "{source}" -> "{target}" [label="{label}"];')
    lines.append("}")
    return "\n".join(lines)
