"""A lead's score over time: a timeline by steps, and every change of band or grade.

Both sweep the lead's events once in time order, adding each to the same rule
accumulators the incremental path keeps (so a score read at a step equals
``score(as_of=step)``), rather than scoring from scratch at every step.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from .._tiers import tier_of
from .._time import from_ts, require_aware
from ..errors import InvalidInputError
from ..events import Event
from ..tables._values import require_iterable
from ._batch import lead_events
from ._crossings import (
    closed_form_applies,
    crossing_seconds,
    first_change,
    parts,
    uncapped,
)
from ._engine import Engine, round_points
from ._incremental import Compiled, ingest, score_state
from ._result import Accumulator
from ._state import ScoreState
from ._timeline import BandChange, NamedPoint, Timeline, TimelinePoint

_EVERY = re.compile(r"\s*([1-9][0-9]*)\s*([hdw])\s*")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}
MAX_STEPS = 1_000_000
_DAY = 86_400
# A score's (total, explicit, implicit) and what a change compares: (band, grade).
Figures = tuple[float, float, float]


def read_every(every: Any) -> timedelta:
    """``every`` as a positive timedelta: a timedelta, or ``"Nh"``, ``"Nd"``, ``"Nw"``."""
    if isinstance(every, timedelta):
        if every > timedelta(0):
            return every
    elif isinstance(every, str):
        match = _EVERY.fullmatch(every)
        if match:
            return int(match.group(1)) * _UNITS[match.group(2)]
    raise InvalidInputError(
        f"expected a positive timedelta or a string such as '1d', '6h' or '2w', got {every!r}",
        path="every",
    )


class Sweep:
    """One lead's rule accumulators, fed its events in time order and read at any time
    at or after the newest of them."""

    __slots__ = ("accs", "engine", "explicit", "last", "reset")

    def __init__(self, engine: Engine, profile: Mapping[str, Any]) -> None:
        self.engine = engine
        self.explicit = engine.match_profile(profile)
        self.accs: list[Accumulator] = engine.empty_rules()
        self.last: float | None = None
        self.reset = -math.inf

    def add(self, event: Event) -> None:
        """Count ``event`` (not older than any event added before)."""
        engine, t = self.engine, event.ts
        self.last = t
        resets = engine.reset_names
        if resets is not None and resets[event.name]:
            # Behaviour at or before a reset no longer counts, even later in its instant.
            self.reset = t
            self.accs = engine.after_reset(self.accs, t)
            return
        targets = engine.dispatch[event.name]
        if targets is not None and t > self.reset:
            engine.apply(self.accs, targets, event.properties, t)

    def figures(self, at: float) -> Figures:
        """``(total, explicit, implicit)`` at ``at``, rounded as a :class:`Score` is."""
        engine = self.engine
        items, _ = engine.values(self.explicit, self.accs, self.last, at)
        offset = len(engine.explicit)
        explicit = implicit = 0.0
        for index, value, *_ in items:
            if index < offset:
                explicit += round_points(value)
            else:
                implicit += round_points(value)
        explicit, implicit = round_points(explicit), round_points(implicit)
        return round_points(explicit + implicit), explicit, implicit

    def standing(self, figures: Figures) -> tuple[str, str]:
        """``(band, grade)`` of ``figures``."""
        engine = self.engine
        total, explicit, implicit = figures
        grade = tier_of(engine.fit_grades, explicit) + tier_of(engine.engagement_grades, implicit)
        return tier_of(engine.bands, total), grade


class BandSweep(Sweep):
    """A named score's sweep (over its restricted engine, ``Part.engine``): its standing
    is its band alone, a named score having no grade of its own."""

    __slots__ = ()

    def standing(self, figures: Figures) -> tuple[str, str]:
        """``(band, "")`` of ``figures``."""
        return tier_of(self.engine.bands, figures[0]), ""


def _ordered(profile: Mapping[str, Any], events: Iterable[Event]) -> tuple[str, list[Event]]:
    lead_id, batch = lead_events(profile, events)
    return lead_id, sorted(batch, key=_time)


def _time(event: Event) -> float:
    return event.ts


def history(
    engine: Engine,
    profile: Mapping[str, Any],
    events: Iterable[Event],
    start: datetime,
    end: datetime,
    every: Any,
) -> Timeline:
    """:meth:`ScoringModel.history`."""
    require_aware(start, "start")
    require_aware(end, "end")
    step = read_every(every)
    if end < start:
        raise InvalidInputError(f"end {end.isoformat()} is before start", path="end")
    if (end - start) / step >= MAX_STEPS:
        raise InvalidInputError(
            f"{(end - start) / step:.0f} steps from start to end; at most {MAX_STEPS:,} "
            "are allowed: choose a longer step",
            path="every",
        )
    lead_id, ordered = _ordered(profile, events)
    sweep = Sweep(engine, profile)
    # each named score is its restricted model, swept alongside the main score (reading
    # the model's rule entries for a score with the model's decay measured no faster)
    named = [(part.name, Sweep(part.engine, profile)) for part in engine.parts]
    add = _feed([sweep, *(other for _, other in named)])
    points = []
    position, n = 0, len(ordered)
    k, at = 0, start
    while at <= end:
        ts = at.timestamp()
        while position < n and ordered[position].ts <= ts:
            add(ordered[position])
            position += 1
        figures = sweep.figures(ts)
        band, grade = sweep.standing(figures)
        if named:
            scores = {name: _named_point(other, ts) for name, other in named}
            points.append(TimelinePoint(at, figures[0], band, grade, scores))
        else:
            points.append(TimelinePoint(at, figures[0], band, grade))
        k += 1
        at = start + k * step  # calendar arithmetic: a zoned day keeps its wall time
    return Timeline(lead_id, step, tuple(points))


def _feed(sweeps: list[Sweep]) -> Callable[[Event], None]:
    """What counts an event in each of ``sweeps`` (the first's ``add`` when alone)."""
    if len(sweeps) == 1:
        return sweeps[0].add

    def add(event: Event) -> None:
        for sweep in sweeps:
            sweep.add(event)

    return add


def _named_point(sweep: Sweep, at: float) -> NamedPoint:
    total = sweep.figures(at)[0]
    return NamedPoint(total, tier_of(sweep.engine.bands, total))


class _Changes:
    """The changes of one lead's band or grade, found while sweeping its events."""

    def __init__(
        self,
        sweep: Sweep,
        figures: Figures,
        events: Sequence[Event],
        closed: bool = True,
        score: str | None = None,
    ) -> None:
        self.sweep = sweep
        self.score = score
        self.figures = figures
        self.standing = sweep.standing(figures)
        self.found: list[BandChange] = []
        self.reason = _time_reason(sweep.engine)
        engine = sweep.engine
        # Without decay or windows a score changes only at events.
        self.timed = engine.decay.kind != "none" or any(
            rule.within_days is not None for rule in engine.implicit
        )
        # Where the score jumps: the first second an event no longer counts (it left a
        # rule's window or expired: one exactly that old still counts), and every
        # stepwise step after the last event.
        self.exits: list[int] = sorted(set(_exits(engine, events)))
        self.step: float | None = (
            engine.decay.param("every_days") * _DAY if engine.decay.kind == "stepwise" else None
        )
        # Crossings in closed form, else (half_life, or as a check) by bisection.
        self.closed = closed and closed_form_applies(engine)
        self.raw = uncapped(engine)

    def move(self, at: float, figures: Figures, cause: Event | str, reason: str) -> None:
        standing = self.sweep.standing(figures)
        if standing != self.standing:
            (band, grade), (old_band, old_grade) = standing, self.standing
            self.found.append(
                BandChange(
                    from_ts(at),
                    band,
                    grade,
                    old_band,
                    old_grade,
                    figures[0],
                    self.figures[0],
                    cause,
                    reason,
                    self.score,
                )
            )
        self.figures, self.standing = figures, standing

    def pass_time(self, low: float, high: float) -> None:
        """Changes as time passes over whole seconds in ``(low, high]`` with no event.

        Read at every second where the score jumps (:meth:`_reads`) and the second
        before it, so that between two reads the score moves one way; the first second
        whose standing differs is then the closed form's (:mod:`._crossings`), checked
        against the rounded figures, or, for ``half_life`` decay (read at least once a
        day), found by bisection.
        """
        if not self.timed:
            return
        sweep = self.sweep
        low_s, high_s = math.floor(low), math.floor(high)
        for up in self._reads(low_s, high_s):
            if up <= low_s:
                continue
            while low_s < up and self._differs(up):
                guess = self._guess(low_s, up) if self.closed else None
                above = first_change(self._differs, low_s, up, guess)
                if above - 1 > low:
                    self.figures = sweep.figures(above - 1)  # the total just before
                self.move(above, sweep.figures(above), "decay", self.reason)
                low_s = above
            low_s = up

    def _differs(self, at: int) -> bool:
        """Whether the standing at second ``at`` differs from the current one."""
        sweep = self.sweep
        return sweep.standing(sweep.figures(at)) != self.standing

    def _guess(self, low_s: int, up: int) -> int:
        """The closed form's first second in ``(low_s, up]`` at which the standing
        changes, the score moving one way there (see :mod:`._crossings`)."""
        sweep = self.sweep
        engine, last = sweep.engine, sweep.last
        if engine.decay.kind in ("none", "expiry") or last is None:
            return up  # constant between jumps: the change is at the jump
        figures = parts(self.raw, sweep.explicit, sweep.accs, up)
        idle_now = (low_s - last) / _DAY
        seconds = [s for s in crossing_seconds(engine, figures, last, idle_now) if s > low_s]
        return min(seconds, default=up)

    def _reads(self, low_s: int, high_s: int) -> list[int]:
        """The seconds in ``(low_s, high_s]`` to read the score at: each jump and the
        second before it, ``high_s``, and for bisection a day apart at most and each
        ``stepwise`` step."""
        reads = {high_s}
        exits = self.exits
        start = bisect.bisect_right(exits, low_s)
        stop = bisect.bisect_right(exits, high_s)
        for jump in exits[start:stop]:
            reads.add(jump)
            if jump - 1 > low_s:
                reads.add(jump - 1)
        if self.closed:
            return sorted(reads)
        reads.update(range(low_s + _DAY, high_s, _DAY))
        last, step = self.sweep.last, self.step
        if step is not None and last is not None and step >= _DAY / 24:  # else: by the day
            k = max(1, math.floor((low_s - last) / step))
            while (at := math.ceil(last + k * step)) <= high_s:
                if at > low_s:
                    reads.add(at)
                k += 1
        return sorted(reads)


def changes(
    engine: Engine,
    profile: Mapping[str, Any],
    events: Iterable[Event],
    start: datetime | None,
    end: datetime,
    closed: bool = True,
) -> tuple[BandChange, ...]:
    """:meth:`ScoringModel.changes`; ``closed=False`` finds every crossing by bisection
    (to check the closed forms against).

    Each named score's changes are found as the main score's, by a sweep of its
    restricted engine (``Part.engine``), then all are merged: by time, then the main
    score, then the named scores in the model's order.
    """
    require_aware(end, "end")
    if start is not None:
        require_aware(start, "start")
        if end < start:
            raise InvalidInputError(f"end {end.isoformat()} is before start", path="end")
    _, ordered = _ordered(profile, events)
    found = _score_changes(Sweep(engine, profile), ordered, start, end, closed, None)
    if not engine.parts:
        return tuple(found)
    for part in engine.parts:
        sweep = BandSweep(part.engine, profile)
        found += _score_changes(sweep, ordered, start, end, closed, part.name)
    order: dict[str | None, int] = {None: 0}
    order.update((part.name, index) for index, part in enumerate(engine.parts, 1))
    # stable: one score's changes of the same second keep their order
    return tuple(sorted(found, key=lambda c: (c.at, order[c.score])))


def _score_changes(
    sweep: Sweep,
    ordered: Sequence[Event],
    start: datetime | None,
    end: datetime,
    closed: bool,
    score: str | None,
) -> list[BandChange]:
    """The changes of one score (the main one, ``score`` None, else a named one) of the
    lead whose events in time order are ``ordered``."""
    engine = sweep.engine
    end_ts = end.timestamp()
    position, n = 0, len(ordered)
    if start is None:
        now = ordered[0].ts if ordered else end_ts
        # the profile alone, before any event
        found = _Changes(sweep, sweep.figures(now), ordered, closed, score)
    else:
        now = start.timestamp()
        while position < n and ordered[position].ts <= now:
            sweep.add(ordered[position])
            position += 1
        found = _Changes(sweep, sweep.figures(now), ordered, closed, score)
    while position < n and ordered[position].ts <= end_ts:
        t = ordered[position].ts
        if sweep.last is not None and found.timed:
            found.pass_time(now, t)
            found.move(t, sweep.figures(t), "decay", found.reason)  # time alone, to t
        cause, reason = ordered[position], f"event {ordered[position].name}"
        resets, reset = engine.reset_names, False
        while position < n and ordered[position].ts == t:
            event = ordered[position]
            if resets is not None and resets[event.name]:
                # A reset explains its instant: behaviour up to it stops counting.
                cause, reason, reset = event, f"event {event.name} (a reset)", True
            elif not reset and engine.dispatch[event.name] is not None:
                cause, reason = event, f"event {event.name}"  # the last one a rule counts
            sweep.add(event)
            position += 1
        found.move(t, sweep.figures(t), cause, reason)
        now = t
    if sweep.last is not None:
        found.pass_time(now, end_ts)
    return found.found


def _exits(engine: Engine, events: Sequence[Event]) -> Iterator[int]:
    """The first whole second at which each event stops counting for a rule that
    counts it: past the rule's window (``within_days``) or the ``expiry`` decay."""
    expiry = engine.expiry_window
    for event in events:
        for index, _kind, _where in engine.dispatch[event.name] or ():
            rule = engine.implicit[index]
            if rule.within_days is not None:
                yield math.floor(event.ts + rule.within_days * _DAY) + 1
            if expiry is not None and rule.decays:
                yield math.floor(event.ts + expiry) + 1


def _time_reason(engine: Engine) -> str:
    """What makes a score move with time alone, in words."""
    parts = []
    if engine.decay.kind != "none":
        parts.append(f"{engine.decay.kind} decay")
    if any(rule.within_days is not None for rule in engine.implicit):
        parts.append("events leaving a rule's window (within_days)")
    return " or ".join(parts) or "time"


def ingest_with_changes(
    model: Compiled, state: ScoreState, events: Event | Iterable[Event]
) -> tuple[ScoreState, tuple[BandChange, ...]]:
    """:meth:`ScoringModel.ingest_with_changes`."""
    batch = (
        [events]
        if isinstance(events, Event)
        else list(require_iterable(events, "events", "Events"))
    )
    after = ingest(model, state, batch)  # checks everything before anything is judged
    engine = model._engine
    found: list[BandChange] = []
    current = ingest(model, state, ())
    for event in batch:
        newest = current.last_ts
        at = from_ts(event.ts if newest is None or event.ts > newest else newest)
        before = score_state(engine, current, at)
        current = ingest(model, current, event)
        now = score_state(engine, current, at)
        if (now.band, now.grade) != (before.band, before.grade):
            found.append(
                BandChange(
                    at,
                    now.band,
                    now.grade,
                    before.band,
                    before.grade,
                    now.total,
                    before.total,
                    event,
                    f"event {event.name}",
                )
            )
        for name, sub in now.scores.items():  # the named scores, in the model's order
            old = before.scores[name]
            if sub.band != old.band:
                found.append(
                    BandChange(
                        at,
                        sub.band,
                        "",
                        old.band,
                        "",
                        sub.total,
                        old.total,
                        event,
                        f"event {event.name}",
                        name,
                    )
                )
    return after, tuple(found)
