"""Checks of a whole flow on load: unreachable statuses, dead ends, transitions that
never fire."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from .._config import Reader, join
from ._definition import ANY, RESUME, Status, TransitionSpec, Trigger


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


def check_graph(
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


def check_shadowed(
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
