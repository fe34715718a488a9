"""The hot-crossing replay: when a lead's score first reached the hot threshold."""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from .._time import from_ts
from ._capping import PLACES
from ._dispatch import Targets
from ._engine import Engine, round_points
from ._limits import Sliding
from ._result import Accumulator
from ._times import Times

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
    if engine.positive and peak_bound(engine, explicit, accs) < threshold:
        return None
    ordered = sorted(events, key=_BY_TIME)
    instants: Iterator[tuple[float, float]]
    if engine.sliding_ok:
        binding = _binding_caps(engine, accs)
        if binding or engine.window_linear is None:
            instants = _sliding_instants(engine, explicit, ordered, first, binding)
        else:
            instants = _window_instants(engine, explicit, ordered, first, engine.window_linear)
    else:
        instants = _instants(engine, explicit, ordered, first, threshold)
    for t, total in instants:
        if total >= threshold:
            return from_ts(t)
    return None


def peak_bound(engine: Engine, explicit: Sequence[int], accs: Sequence[Accumulator]) -> float:
    """With no negative behaviour points (:attr:`Engine.positive`), no instant up to
    the newest event scores above this: each rule's points for all its events, as if
    no decay, window or cap per period (each of which only lowers them)."""
    running = math.fsum([engine.explicit_items[j][0] for j in explicit])
    for index, step in enumerate(engine.linear_points):
        acc = accs[index]
        count = len(acc) if type(acc) is Times else acc[0]
        if count:
            running += count * step if step is not None else engine.rule_value(index, count)
    return round_points(running)


class _Bound:
    """With no negative behaviour points, a running upper bound of the score at each
    instant of a replay, in O(1) per event: the profile's points, every non-decaying
    event's points, and the decaying events' points as one running sum, halved every
    half-life under ``half_life`` decay, with no cap, window, ``max_count`` or other
    decay (each only lowers them; an instant is read with no time idle).

    The running sum is within a few units of the last place of the score's own
    per-rule arithmetic, so a margin of a millionth per rule (each is rounded to the
    6th decimal) keeps the bound above every score :func:`_instants` reads.
    """

    __slots__ = ("_decaying", "_fixed", "_floor", "_half_life", "_margin", "_points", "_since")

    def __init__(self, engine: Engine, explicit: Sequence[int], floor: float) -> None:
        self._fixed = math.fsum([engine.explicit_items[j][0] for j in explicit])
        self._decaying, self._since = 0.0, -math.inf
        self._half_life = engine.half_life  # inf unless half_life decay
        # each rule's points, and whether they decay with each event's age
        self._points = [(float(r.points), r.decays) for r in engine.implicit]
        self._margin = (len(engine.implicit) + 2) * 1e-6
        self._floor = floor

    def add(self, targets: Targets, properties: Mapping[str, Any], t: float) -> None:
        """Count an event (its rules ``targets``, at ``t``, no earlier than before)."""
        for index, _kind, where in targets:
            if where is not None and not where(properties):
                continue
            points, decays = self._points[index]
            if not decays:
                self._fixed += points
                continue
            if t > self._since:
                if self._since != -math.inf:
                    self._decaying *= 0.5 ** ((t - self._since) / self._half_life)
                self._since = t
            self._decaying += points

    def reaches(self) -> bool:
        """Whether the bound now reaches the ``floor`` it was made for."""
        peak = self._fixed + self._decaying
        return peak + self._margin + abs(peak) * 1e-12 >= self._floor


def first_hot_running(
    engine: Engine, explicit: Sequence[int], events: Sequence[Timed], first: float
) -> datetime | None:
    """:func:`first_hot` in O(1) per event, for models where the score at an event's
    time is the plain sum of capped rule points (no decay yet, no group caps).

    Only events that a rule counts can change that sum, so ``events`` holds only those
    (``first`` is the time of the lead's first event of any kind).
    """
    threshold = engine.hot_threshold
    for t, running in _running_instants(engine, explicit, sorted(events, key=_BY_TIME), first):
        if round_points(running) >= threshold:
            return from_ts(t)
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
    steps: list[float] = []
    peak = -math.inf
    if engine.running_total_ok:
        for t, running in _running_instants(engine, explicit, ordered, first):
            # Rounding is monotone, so only a larger raw sum can be a new peak.
            if running > peak:
                total = round_points(running)
                if total > peak:
                    peak = total
                    steps += (t, total)
        return tuple(steps)
    instants = (
        _sliding_instants(engine, explicit, ordered, first)
        if engine.sliding_ok
        else _instants(engine, explicit, ordered, first)
    )
    for t, total in instants:
        if total > peak:
            peak = total
            steps += (t, total)
    return tuple(steps)


def _instants(
    engine: Engine,
    explicit: Sequence[int],
    ordered: Sequence[Timed],
    first: float,
    floor: float | None = None,
) -> Iterator[tuple[float, float]]:
    """``(time, total)`` after each instant of ``ordered`` (events by time), with every
    event of that instant counted: the full replay, decay and caps included.

    Every instant is read with no time idle since it, so the lead's aggregate decay
    does not apply; then, with no negative behaviour points (:attr:`Engine.positive`),
    an instant where no rule counts an event scores no more than the one before (its
    events only decay, expire or leave windows), and only the first instant and those
    where a rule counts an event are read. ``ordered`` may then hold only the events a
    rule counts (see :attr:`Engine.replay_scoring_only`); an instant before the first
    of them (``first``, the lead's first event of any kind) scores the profile alone.
    Given a ``floor`` (positive points only), the instants whose :class:`_Bound` is
    below it are not read either: none of them scores ``floor``.
    """
    replay = engine.empty_rules()
    if not ordered or first < ordered[0][0]:
        yield first, engine.total(explicit, replay, first, first)
    dispatch = engine.dispatch.__getitem__
    last = len(ordered) - 1
    every = not engine.positive
    bound = _Bound(engine, explicit, floor) if floor is not None and engine.positive else None
    moved = True  # the first instant is always read
    for position, (t, name, properties) in enumerate(ordered):
        targets = dispatch(name)
        if targets is not None:
            engine.apply(replay, targets, properties, t)
            if bound is not None:
                bound.add(targets, properties, t)
            moved = True
        if position < last and ordered[position + 1][0] == t:
            continue  # evaluate once all events of this instant are in
        if (moved or every) and (bound is None or bound.reaches()):
            yield t, engine.total(explicit, replay, t, t)
        moved = False


def _running_instants(
    engine: Engine, explicit: Sequence[int], ordered: Sequence[Timed], first: float
) -> Iterator[tuple[float, float]]:
    """:func:`_instants` for models whose score at an instant is the plain sum of capped
    rule points, as that raw sum (not yet rounded), in O(1) per event. ``ordered`` holds
    only scoring events; an instant before the first of them (``first``, the lead's
    first event of any kind) scores the profile alone.

    Each event adds its rule's points where that is exact (:attr:`Engine.step_points`),
    else the change of the rule's capped value.
    """
    running = math.fsum(engine.explicit[j].points for j in explicit)
    if not ordered or first < ordered[0][0]:
        yield first, running
    counts = [0] * len(engine.implicit)
    steps = engine.step_points
    rule_value = engine.rule_value
    for t, matched, instant_ends in _matches(engine, ordered):
        for index in matched:
            step = steps[index]
            if step is not None:
                running += step
                continue
            count = counts[index]
            counts[index] = count + 1
            running += rule_value(index, count + 1) - rule_value(index, count)
        if instant_ends:
            yield t, running


def _matches(engine: Engine, ordered: Sequence[Timed]) -> Iterator[tuple[float, list[int], bool]]:
    """Per event of ``ordered``: its time, the implicit rules it counts for (event name
    and ``where`` matched) and whether it is the last event of its instant."""
    dispatch = engine.dispatch
    last = len(ordered) - 1
    for position, (t, name, properties) in enumerate(ordered):
        matched = [
            index
            for index, _kind, where in dispatch[name] or ()
            if where is None or where(properties)
        ]
        yield t, matched, position == last or ordered[position + 1][0] != t


def _binding_caps(engine: Engine, accs: Sequence[Accumulator]) -> frozenset[int]:
    """The rules whose caps per day or week may keep one of the lead's events from
    counting at some instant (``accs``: a batch record's, every time since the
    reset). The caps of the others never bind: no ``max_per_day + 1`` of their times
    fit in one day, nor ``max_per_week + 1`` in one week, so neither in any window."""
    binding = []
    for index, limits in engine.capped_rules:
        acc = accs[index]
        if (
            type(acc) is Times
            and len(acc) > limits.tightest
            and limits.may_bind(acc.slice(0, len(acc)))
        ):
            binding.append(index)
    return frozenset(binding)


def _sliding_instants(
    engine: Engine,
    explicit: Sequence[int],
    ordered: Sequence[Timed],
    first: float,
    binding: frozenset[int] | None = None,
) -> Iterator[tuple[float, float]]:
    """:func:`_instants` in O(1) per event for models whose score at an instant is the
    sum of each rule's points for its count (:attr:`Engine.sliding_ok`), where rules
    with a window or caps per period count through a :class:`Sliding` counter.

    The total is summed as :meth:`Engine.total` sums it, so both agree to the bit (a
    running sum where every value is a whole number, which adds exactly).
    ``ordered`` may hold only the events a rule counts (see
    :attr:`Engine.replay_scoring_only`); an instant before the first of them (``first``,
    the lead's first event of any kind) scores the profile alone. ``binding``, when
    given, holds the only rules whose caps per period may bind (see
    :func:`_binding_caps`): the others count as if uncapped, and local days are read
    only for those.
    """
    values = [round_points(float(engine.explicit[j].points)) for j in explicit]
    if not ordered or first < ordered[0][0]:
        yield first, round(math.fsum(values), PLACES)
    whole = engine.whole_values and all(v.is_integer() for v in values)
    running = math.fsum(values)
    offset = len(values)
    values += [0.0] * len(engine.implicit)
    counts = [0] * len(engine.implicit)
    # A counter per rule with limits, made at the rule's first event; those with a
    # window, to expire; no counter is due before next_due (a second early: the exact
    # test is Sliding.due).
    limits_of = engine.limits
    sliding: list[Sliding | None] = [None] * len(limits_of)
    windowed: list[tuple[int, Sliding]] = []
    next_due = math.inf
    rule_value, dispatch = engine.rule_value, engine.dispatch
    days = _days(engine, ordered) if binding is None or binding else None
    last = len(ordered) - 1
    for position, (t, name, properties) in enumerate(ordered):
        for index, _kind, where in dispatch[name] or ():
            if where is not None and not where(properties):
                continue
            limits = limits_of[index]
            if limits is None:
                counts[index] += 1
            else:
                counter = sliding[index]
                if counter is None:
                    capped = None if binding is None else index in binding
                    counter = sliding[index] = Sliding(limits, capped)
                    if limits.window is not None:
                        windowed.append((index, counter))
                counter.add(t, None if days is None else days[position])
                counts[index] = counter.count
                if t + counter.window - 1.0 < next_due:
                    next_due = t + counter.window - 1.0
            value = rule_value(index, counts[index])
            if not whole:
                value = round_points(value)
            running += value - values[offset + index]
            values[offset + index] = value
        if position < last and ordered[position + 1][0] == t:
            continue  # evaluate once all events of this instant are in
        if t > next_due:
            next_due = math.inf
            for index, counter in windowed:
                if counter.due(t):
                    counter.expire(t)
                    if counter.count != counts[index]:
                        counts[index] = counter.count
                        value = round_points(rule_value(index, counts[index]))
                        running += value - values[offset + index]
                        values[offset + index] = value
                next_due = min(next_due, counter.due_at() - 1.0)
        yield t, running + 0.0 if whole else round(math.fsum(values), PLACES)


def _window_instants(
    engine: Engine,
    explicit: Sequence[int],
    ordered: Sequence[Timed],
    first: float,
    windows: tuple[float, ...],
) -> Iterator[tuple[float, float]]:
    """:func:`_sliding_instants` where no cap per period binds and the score at an
    instant is a running sum of whole points (:attr:`Engine.window_linear`): each
    event adds its rules' points, and takes those of each windowed rule away when it
    leaves the rule's window (is older than that many seconds before an instant),
    found by a second pointer into ``ordered`` per distinct window. Whole points add
    exactly, so the sums are those of :func:`_sliding_instants` to the bit."""
    running = math.fsum([engine.explicit[j].points for j in explicit])
    if not ordered or first < ordered[0][0]:
        yield first, running + 0.0
    steps = engine.window_steps
    dispatch = engine.dispatch
    places = range(len(windows))
    leaving: list[list[float]] = [[] for _ in windows]  # by position, per window
    tails = [0] * len(windows)  # per window, the oldest event still in it
    last = len(ordered) - 1
    for position, (t, name, properties) in enumerate(ordered):
        gone = [0.0] * len(windows)  # the points this event takes away, per window
        for index, _kind, where in dispatch[name] or ():
            if where is None or where(properties):
                points, place = steps[index]
                running += points
                if place >= 0:
                    gone[place] += points
        for place in places:
            leaving[place].append(gone[place])
        if position < last and ordered[position + 1][0] == t:
            continue  # evaluate once all events of this instant are in
        for place in places:
            low, tail, taken = t - windows[place], tails[place], leaving[place]
            while ordered[tail][0] < low:
                running -= taken[tail]
                tail += 1
            tails[place] = tail
        yield t, running + 0.0


def _days(engine: Engine, ordered: Sequence[Timed]) -> list[int] | None:
    """The local day of each of ``ordered``, in one pass, when a rule caps per day or
    week (the model's one calendar); else None."""
    calendar = engine.capped_calendar
    return None if calendar is None else calendar.days([event[0] for event in ordered])


class SharedReplay:
    """One lead's events sorted and matched to the model's rules once, for the named
    scores that share the model's rule entries: each replays :func:`first_hot_running`
    from these matches instead of sorting and matching the events again."""

    __slots__ = ("_events", "_first", "_matches", "_model", "_start")

    def __init__(self, model: Engine, events: Sequence[Timed], first: float) -> None:
        self._model, self._events, self._first = model, events, first
        self._matches: list[tuple[float, list[int], bool]] | None = None
        self._start: float | None = None

    def first_hot(
        self,
        engine: Engine,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        at: Mapping[int, int],
    ) -> datetime | None:
        """:func:`first_hot` for the score of ``engine`` (a restricted model whose score
        at an event's time is the plain sum of capped rule points): ``at`` maps the
        model's rule indices to its own, ``accs`` are its rule entries."""
        threshold = engine.hot_threshold
        if engine.monotone and engine.undecayed_total(explicit, accs) < threshold:
            return None
        if self._matches is None:
            ordered = sorted(self._events, key=_BY_TIME)
            self._start = ordered[0][0] if ordered else None
            self._matches = list(_matches(self._model, ordered))
        running = math.fsum(engine.explicit[j].points for j in explicit)
        first = self._first
        if (self._start is None or first < self._start) and round_points(running) >= threshold:
            return from_ts(first)
        counts = [0] * len(engine.implicit)
        steps = engine.step_points
        rule_value = engine.rule_value
        for t, matched, instant_ends in self._matches:
            for main in matched:
                index = at.get(main)
                if index is None:
                    continue
                step = steps[index]
                if step is not None:
                    running += step
                    continue
                count = counts[index]
                counts[index] = count + 1
                running += rule_value(index, count + 1) - rule_value(index, count)
            if instant_ends and round_points(running) >= threshold:
                return from_ts(t)
        return None
