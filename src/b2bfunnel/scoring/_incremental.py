"""The incremental path: new states, ingesting events, reading scores, checking states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

import attrs

from .._time import from_ts, require_aware
from ..errors import InvalidInputError
from ..events import Event
from ..tables._values import require_iterable
from ._batch import check_profile
from ._engine import COUNT, TIMES, WEIGHT, Engine
from ._named import Part
from ._reading import PREVIOUS_DEFAULT_FINGERPRINTS
from ._result import EMPTY, Accumulator, Score
from ._state import (
    FORMAT_1,
    UNCHECKED,
    NamedEntry,
    ScoreState,
    is_int,
    newest_time,
    read_rule,
)
from ._times import Times


class Compiled(Protocol):
    """What :func:`ingest` reads of a :class:`ScoringModel`: its compiled rules. (A
    protocol, not the model class, which is defined above this module.)"""

    @property
    def _engine(self) -> Engine: ...


def new_state(engine: Engine, lead_id: str, profile: Mapping[str, Any] | None) -> ScoreState:
    """:meth:`ScoringModel.new_state`."""
    if not isinstance(lead_id, str) or not lead_id.strip():
        raise InvalidInputError(f"expected a non-empty string, got {lead_id!r}", path="lead_id")
    explicit = engine.match_profile(check_profile(profile, "profile")) if profile else ()
    fingerprint = engine.fingerprint
    named = tuple(
        (part.name, None, None, () if part.shared else tuple(part.engine.empty_rules()))
        for part in engine.parts
    )
    return ScoreState(
        lead_id,
        fingerprint,
        explicit,
        tuple(engine.empty_rules()),
        _checked=fingerprint,
        named=named,
    )


def with_profile(engine: Engine, state: ScoreState, profile: Mapping[str, Any]) -> ScoreState:
    """:meth:`ScoringModel.with_profile`."""
    state = check_state(engine, state)
    explicit = engine.match_profile(check_profile(profile, "profile"))
    return attrs.evolve(state, explicit=explicit)


def ingest(model: Compiled, state: ScoreState, events: Event | Iterable[Event]) -> ScoreState:
    """The state after ``events`` (one or many, in any order): O(1) per event.

    Scoring the result equals :meth:`score` on the same events. ``hot_since`` is
    checked at each event (consecutive events of one instant in one call are checked
    together, as :meth:`score` does), so fed in time order it equals what
    :meth:`score` reports. For an event older than one already ingested (late) the
    exact crossing time is unknowable without the history: the check happens at the
    newest event time seen, an upper bound of :meth:`score`'s answer when points are
    positive and decay is not per event (see ``docs/scoring.md``). The state is
    checked against this model first (and upgraded if it was read from an older
    format); a bad state or event raises before anything is applied.
    """
    engine = model._engine
    fingerprint = engine.fingerprint
    if type(state) is not ScoreState or state._checked != fingerprint:
        state = check_state(engine, state)
    if type(events) is not Event and not isinstance(events, Event):
        return _ingest_many(engine, state, events)
    if engine.reset_names is not None or engine.parts:
        return _ingest_many(engine, state, (events,))
    # The live path, one event per call: the loop below for a batch of one, unrolled.
    if events.lead_id != state.lead_id:
        raise InvalidInputError(
            f"event of lead {events.lead_id!r} given to the state of {state.lead_id!r}",
            path="events[0].lead_id",
        )
    t = events.ts
    hot, rules = state.hot_since_ts, state.rules
    previous = state.last_ts
    pending = previous is None
    last = t if previous is None or t >= previous else previous
    targets = engine.dispatch.__getitem__(events.name)
    if targets is not None:
        accs = list(rules)
        engine.apply(accs, targets, events.properties, t)
        rules = tuple(accs)
        pending = True
    if (
        hot is None
        and (pending or not engine.monotone)
        and engine.total_at(state.explicit, rules, last) >= engine.hot_threshold
    ):
        hot = last
    return ScoreState(state.lead_id, fingerprint, state.explicit, rules, last, hot, fingerprint)


# long: the model's score and its named scores fed in one loop over the events
def _ingest_many(engine: Engine, state: ScoreState, events: Any) -> ScoreState:
    batch = list(require_iterable(events, "events", "Events"))
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
            )
        if event.lead_id != state.lead_id:
            raise InvalidInputError(
                f"event of lead {event.lead_id!r} given to the state of {state.lead_id!r}",
                path=f"events[{index}].lead_id",
            )
    accs = list(state.rules)
    last, hot, reset = state.last_ts, state.hot_since_ts, state.reset_ts
    dispatch = engine.dispatch.__getitem__
    resets = engine.reset_names
    monotone = engine.monotone
    named = [_Named(part, entry) for part, entry in zip(engine.parts, state.named, strict=True)]
    pending = False  # an event since the last hot check could have changed the score
    size = len(batch)
    for position, event in enumerate(batch):
        t = event.ts
        first = last is None  # the profile alone scores from the first event on
        if last is None or t >= last:
            pending = pending or last is None
            last = t
        if resets is not None and resets[event.name] and (reset is None or t > reset):
            # A new cycle: older behaviour goes, and hot_since is judged again from here
            # (for a late reset, at the newest time seen, as for a late event).
            reset, accs, pending, hot = t, engine.after_reset(accs, t), True, None
            for part in named:
                if part.shared:
                    part.hot, part.pending = None, True
        targets = dispatch(event.name)
        if reset is not None and t <= reset:
            targets = None
        if targets is not None:
            engine.apply(accs, targets, event.properties, t)
        pending = pending or targets is not None or not monotone
        for part in named:
            part.add(event, t, targets is not None or first)
        if position + 1 < size and batch[position + 1].ts == t:
            continue  # like score(): evaluate once every event of this instant is in
        if hot is None and pending:
            pending = False
            # In order, the check is exact at t. A late event can only be checked at
            # the newest time seen, an upper bound of the exact crossing.
            assert last is not None
            if engine.total_at(state.explicit, accs, last) >= engine.hot_threshold:
                hot = last
        for part in named:
            part.check(state.explicit, accs, last)
    fingerprint, entries = engine.fingerprint, tuple(part.entry() for part in named)
    return ScoreState(
        state.lead_id,
        fingerprint,
        state.explicit,
        tuple(accs),
        last,
        hot,
        fingerprint,
        reset,
        entries,
    )


class _Named:
    """One named score while :func:`_ingest_many` feeds a state: its hot time, and for
    a score with its own entries, those and its reset."""

    __slots__ = ("accs", "hot", "part", "pending", "reset", "shared")

    def __init__(self, part: Part, entry: NamedEntry) -> None:
        self.part = part
        self.shared = part.shared
        self.hot = entry[1]
        self.reset = entry[2]
        self.accs = list(entry[3])
        self.pending = False

    def add(self, event: Event, t: float, matched: bool) -> None:
        """Count ``event`` (at ``t``; ``matched``: a rule of the model counted it, or
        it is the lead's first event). A score with its own entries is checked again
        when its own rules count the event, whatever the model's reset did with it."""
        engine = self.part.engine
        self.pending = self.pending or matched or not engine.monotone
        if self.shared:
            return
        resets = engine.reset_names
        if resets is not None and resets[event.name] and (self.reset is None or t > self.reset):
            self.reset, self.accs, self.hot = t, engine.after_reset(self.accs, t), None
            self.pending = True
        if self.reset is not None and t <= self.reset:
            return
        targets = engine.dispatch[event.name]
        if targets is not None:
            engine.apply(self.accs, targets, event.properties, t)
            self.pending = True

    def check(self, explicit: tuple[int, ...], accs: list[Any], last: float | None) -> None:
        """Whether the score is hot at ``last``, when it may have become so."""
        if self.hot is not None or not self.pending or last is None:
            return
        self.pending = False
        part = self.part
        mine = part.shared_rules(accs) if self.shared else self.accs
        engine = part.engine
        if engine.total_at(part.explicit(explicit), mine, last) >= engine.hot_threshold:
            self.hot = last

    def entry(self) -> NamedEntry:
        return (self.part.name, self.hot, self.reset, tuple(self.accs))


def score_state(engine: Engine, state: ScoreState, as_of: datetime) -> Score:
    """:meth:`ScoringModel.score_state`."""
    state = check_state(engine, state)
    require_aware(as_of, "as_of")
    asof_ts = as_of.timestamp()
    if state.last_ts is not None and asof_ts < state.last_ts:
        raise InvalidInputError(
            f"as_of {as_of.isoformat()} is before the latest ingested event "
            f"{from_ts(state.last_ts).isoformat()}; use ScoringModel.score for history",
            path="as_of",
        )
    hot = None if state.hot_since_ts is None else from_ts(state.hot_since_ts)
    named = tallied = None
    if engine.parts:
        tallied = engine.tally(state.explicit, state.rules, state.last_ts, asof_ts)
        named = {}
        for part, (name, part_hot, part_reset, own) in zip(engine.parts, state.named, strict=True):
            accs = part.shared_rules(state.rules) if part.shared else list(own)
            named[name] = part.score(
                part.explicit(state.explicit),
                accs,
                state.last_ts,
                asof_ts,
                None if part_hot is None else from_ts(part_hot),
                state.reset_ts if part.shared else part_reset,
                tallied[0],
            )
    return engine.build(
        state.lead_id,
        state.explicit,
        list(state.rules),
        state.last_ts,
        as_of,
        asof_ts,
        hot,
        state.reset_ts,
        named,
        tallied,
    )


def check_state(engine: Engine, state: Any) -> ScoreState:
    """``state`` checked against this model, upgraded to today's format and re-based
    from an earlier default model when it comes from one; refused otherwise."""
    if not isinstance(state, ScoreState):
        raise InvalidInputError(f"expected a ScoreState, got {type(state).__name__}", path="state")
    fingerprint = engine.fingerprint
    if state._checked == fingerprint:
        return state
    if state._checked == UNCHECKED:  # built by hand: check it as a saved one
        try:
            data = state.to_dict()
        except (TypeError, ValueError, AttributeError, IndexError, KeyError) as exc:
            raise InvalidInputError(f"not a valid score state ({exc})", path="state") from None
        state = ScoreState.from_dict(data)
    if state.model != fingerprint and not (
        state.model in PREVIOUS_DEFAULT_FINGERPRINTS and fingerprint == engine.default_fingerprint()
    ):
        raise InvalidInputError(
            f"state belongs to scoring model {state.model!r}, not this one "
            f"({fingerprint!r}); rebuild it from the lead's events",
            path="state.model",
        )
    if len(state.rules) != len(engine.implicit):
        raise InvalidInputError(
            f"state has {len(state.rules)} behaviour rule entries, this model has "
            f"{len(engine.implicit)} behaviour rules",
            path="state.rules",
        )
    if state.explicit and state.explicit[-1] >= len(engine.explicit):
        raise InvalidInputError(
            f"profile rule {state.explicit[-1]} does not exist; this model has "
            f"{len(engine.explicit)} profile rules",
            path="state.explicit",
        )
    rules = tuple(
        _fit_rule(engine, index, acc, state._checked == FORMAT_1)
        for index, acc in enumerate(state.rules)
    )
    newest = max((t for t in map(newest_time, rules) if t is not None), default=None)
    if newest is not None and (state.last_ts is None or newest > state.last_ts):
        raise InvalidInputError(
            "is before a rule's latest event; the state was edited or damaged", path="state.last"
        )
    return ScoreState(
        state.lead_id,
        fingerprint,
        state.explicit,
        rules,
        state.last_ts,
        state.hot_since_ts,
        fingerprint,
        state.reset_ts,
        _fit_named(engine, state),
    )


def _fit_named(engine: Engine, state: ScoreState) -> tuple[NamedEntry, ...]:
    """The state's named scores in the model's order, each checked against its score."""
    have = {entry[0]: entry for entry in state.named}
    names = [part.name for part in engine.parts]
    if sorted(have) != sorted(names):
        raise InvalidInputError(
            f"state has the named scores {sorted(have) or 'none'}, this model has "
            f"{sorted(names) or 'none'}",
            path="state.scores",
        )
    out = []
    for part in engine.parts:
        name, hot, reset, own = have[part.name]
        path = f"state.scores.{name}"
        if part.shared:
            if own or reset is not None:
                raise InvalidInputError(
                    "keeps rule entries or a reset of its own, but this score shares the "
                    "model's (same decay and resets)",
                    path=path,
                )
        elif len(own) != len(part.engine.implicit):
            raise InvalidInputError(
                f"has {len(own)} behaviour rule entries, the score has "
                f"{len(part.engine.implicit)} behaviour rules",
                path=f"{path}.rules",
            )
        else:
            own = tuple(
                _fit_rule(part.engine, index, acc, False, f"{path}.rules[{index}]")
                for index, acc in enumerate(own)
            )
        out.append((name, hot, reset, own))
    return tuple(out)


_KIND_NAMES = {COUNT: "[count, last]", WEIGHT: "[count, last, weight]", TIMES: "[[times...]]"}


def _fit_rule(
    engine: Engine, index: int, acc: Accumulator, format_1: bool, path: str = ""
) -> Accumulator:
    """Rule entry ``index`` in today's form, checked against the rule's kind."""
    path = path or f"state.rules[{index}]"
    kind = engine.kinds[index]
    if format_1:
        # Format 1 wrote empty entries as [0, null], [0, null, 0.0] or [], and kept
        # times as a bare list: rewrite them as format 2 and read them as such.
        if kind == TIMES:
            acc = read_rule([list(acc)] if acc else 0, path)
        elif len(acc) in (2, 3) and acc[0] == 0 and is_int(acc[0]) and acc[1] is None:
            acc = EMPTY
        else:
            acc = read_rule(list(acc), path)
    if acc == EMPTY:
        return EMPTY
    fits = (
        type(acc) is Times
        if kind == TIMES
        else type(acc) is tuple and len(acc) == (2 if kind == COUNT else 3)
    )
    if not fits:
        raise InvalidInputError(
            f"rule {engine.implicit[index].name!r} keeps {_KIND_NAMES[kind]} in this model, "
            f"got {acc!r}",
            path=path,
        )
    cap = engine.implicit[index].max_count
    limits = engine.limits[index]
    if kind == TIMES and cap is not None and len(acc) > cap and not (limits and limits.capped):
        raise InvalidInputError(
            f"keeps {len(acc)} times; rule {engine.implicit[index].name!r} counts at most {cap}",
            path=path,
        )
    return acc
