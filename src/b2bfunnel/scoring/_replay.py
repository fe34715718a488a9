"""The hot-crossing replay: when a lead's score first reached the hot threshold."""

from __future__ import annotations

import math
import operator
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from .._time import from_ts
from ._engine import Engine, Targets, round_points
from ._result import Accumulator

# A replayed event: (POSIX time, name, properties), as batch records keep them.
Timed = tuple[float, str, Mapping[str, Any]]
# Sorting key by time alone: a stable sort keeps the given order within an instant.
_BY_TIME = operator.itemgetter(0)


def first_hot(
    engine: Engine,
    explicit: Sequence[int],
    events: Sequence[Timed],
    accs: Sequence[Accumulator],
    last: float,
    first: float,
) -> datetime | None:
    """Time of the first event at which the score reached the hot threshold.

    The score is evaluated after each instant that has events, with every event of
    that instant counted (so the result does not depend on the order given).
    """
    threshold = engine.hot_threshold
    if engine.running_total_ok:
        if engine.monotone and engine.undecayed_total(explicit, accs) < threshold:
            return None  # the peak over event times is the score at the last event
        return first_hot_running(engine, explicit, events, first)
    if engine.monotone and engine.total_at(explicit, accs, last) < threshold:
        return None
    ordered = sorted(events, key=_BY_TIME)
    replay = engine.empty_rules()
    dispatch = engine.dispatch.__getitem__
    for position, (t, name, properties) in enumerate(ordered):
        targets = dispatch(name)
        if targets is not None:
            engine.apply(replay, targets, properties, t)
        if position + 1 < len(ordered) and ordered[position + 1][0] == t:
            continue  # evaluate once all events of this instant are in
        if engine.total(explicit, replay, t, t) >= threshold:
            return from_ts(t)
    return None


def first_hot_running(
    engine: Engine, explicit: Sequence[int], events: Sequence[Timed], first: float
) -> datetime | None:
    """:func:`first_hot` in O(1) per event, for models where the score at an event's
    time is the plain sum of capped rule points (no decay yet, no group caps).

    Only events that a rule counts can change that sum, so ``events`` holds only those
    (``first`` is the time of the lead's first event of any kind).
    """
    threshold = engine.hot_threshold
    running = math.fsum(engine.explicit[j].points for j in explicit)
    dispatch = engine.dispatch
    scoring = sorted(events, key=_BY_TIME)
    # Before the first scoring instant, the score at every event is the profile's.
    if round_points(running) >= threshold and (not scoring or first < scoring[0][0]):
        return from_ts(first)
    counts = [0] * len(engine.implicit)
    instant = None
    for t, name, properties in scoring:
        if t != instant:
            if instant is not None and round_points(running) >= threshold:
                return from_ts(instant)
            instant = t
        targets = dispatch[name]
        if targets is not None:
            running = _with_event(engine, targets, properties, counts, running)
    if instant is not None and round_points(running) >= threshold:
        return from_ts(instant)
    return None


def peak_steps(
    engine: Engine, explicit: Sequence[int], events: Sequence[Timed], first: float
) -> tuple[float, ...]:
    """The running peak of the score over the lead's event instants, flattened as
    ``(time, peak, time, peak, ...)``: each instant where it rose above every earlier
    instant's score.

    Instants are read as :func:`first_hot` reads them, so a threshold ``T`` was first
    reached at the first step whose peak is ``>= T``, for every ``T`` at once.
    """
    ordered = sorted(events, key=_BY_TIME)
    if engine.running_total_ok:
        return _peak_steps_running(engine, explicit, ordered, first)
    steps: list[float] = []
    peak = -math.inf
    replay = engine.empty_rules()
    dispatch = engine.dispatch.__getitem__
    for position, (t, name, properties) in enumerate(ordered):
        targets = dispatch(name)
        if targets is not None:
            engine.apply(replay, targets, properties, t)
        if position + 1 < len(ordered) and ordered[position + 1][0] == t:
            continue
        total = engine.total(explicit, replay, t, t)
        if total > peak:
            peak = total
            steps += (t, total)
    return tuple(steps)


def _peak_steps_running(
    engine: Engine, explicit: Sequence[int], ordered: Sequence[Timed], first: float
) -> tuple[float, ...]:
    """:func:`peak_steps` where the score at an instant is the running sum of capped rule
    points (``ordered`` holds only scoring events, by time)."""
    running = math.fsum(engine.explicit[j].points for j in explicit)
    steps: list[float] = []
    peak = -math.inf
    # An instant without scoring events scores the profile, or an earlier instant's sum.
    if not ordered or first < ordered[0][0]:
        peak = round_points(running)
        steps += (first, peak)
    counts = [0] * len(engine.implicit)
    dispatch = engine.dispatch
    last = len(ordered) - 1
    for position, (t, name, properties) in enumerate(ordered):
        targets = dispatch[name]
        if targets is not None:
            running = _with_event(engine, targets, properties, counts, running)
        if position < last and ordered[position + 1][0] == t:
            continue
        # Rounding is monotone, so only a larger raw sum can be a new peak.
        if running > peak:
            total = round_points(running)
            if total > peak:
                peak = total
                steps += (t, total)
    return tuple(steps)


def _with_event(
    engine: Engine,
    targets: Targets,
    properties: Mapping[str, Any],
    counts: list[int],
    running: float,
) -> float:
    """``running`` plus what one event adds to the rules it feeds (``targets``), before
    decay: the rule's points where that is exact (:attr:`Engine.step_points`), else the
    change of its capped value, counting the event in ``counts``."""
    steps = engine.step_points
    for index, _kind, where in targets:
        if where is not None and not where(properties):
            continue
        step = steps[index]
        if step is not None:
            running += step
            continue
        count = counts[index]
        counts[index] = count + 1
        running += engine.rule_value(index, count + 1) - engine.rule_value(index, count)
    return running
