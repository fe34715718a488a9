"""The batch pass: score one lead or rank many from their profiles and events."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .._config import did_you_mean
from .._time import require_aware
from ..errors import InvalidInputError
from ..events import Event
from ..tables._values import require_iterable
from ._engine import TIMES, UNSORTED, Engine
from ._named import Part
from ._replay import SharedReplay, first_hot, peak_steps
from ._result import EMPTY, Row, Score, SubScore
from ._times import Times

# (lead_id, name, POSIX time, the Event or its properties when the model reads it)
EventCells = tuple[str, str, float, Event | Mapping[str, Any] | None]


def profile_id(profile: Mapping[str, Any], path: str) -> str:
    """The profile's ``id``, which must be a non-empty string."""
    lead_id = profile.get("id")
    if not isinstance(lead_id, str) or not lead_id.strip():
        raise InvalidInputError(f"expected a non-empty string lead id, got {lead_id!r}", path=path)
    return lead_id


def check_profile(profile: Any, path: str) -> Mapping[str, Any]:
    """``profile`` if it is a mapping of profile fields, else raise."""
    if not isinstance(profile, Mapping):
        raise InvalidInputError(
            f"expected a mapping of profile fields, got {type(profile).__name__}", path=path
        )
    return profile


def score_one(
    engine: Engine, profile: Mapping[str, Any], events: Iterable[Event], as_of: datetime
) -> Score:
    """:meth:`ScoringModel.score`."""
    require_aware(as_of, "as_of")
    lead_id, batch = lead_events(profile, events)
    (score,) = score_all(engine, {lead_id: profile}, batch, as_of)
    return score


def lead_events(profile: Mapping[str, Any], events: Iterable[Event]) -> tuple[str, list[Event]]:
    """The lead id of one lead's ``profile`` and ``events`` (the profile's ``id``, else
    the events' common ``lead_id``; ``""`` when neither) and the events as a list;
    events of another lead, or anything not an :class:`Event`, are refused."""
    check_profile(profile, "profile")
    lead_id = profile.get("id")
    if lead_id is not None:
        lead_id = profile_id(profile, "profile.id")
    batch = events if type(events) is list else list(require_iterable(events, "events", "Events"))
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
            )
        if lead_id is None:
            lead_id = event.lead_id
        elif event.lead_id != lead_id:
            raise InvalidInputError(
                f"event of lead {event.lead_id!r} given for lead {lead_id!r}",
                path=f"events[{index}].lead_id",
            )
    return lead_id or "", batch


def rank(
    engine: Engine,
    profiles: Iterable[Mapping[str, Any]],
    events: Iterable[Event],
    as_of: datetime,
    steps: dict[str, tuple[float, ...]] | None = None,
    by: str | None = None,
) -> list[Score]:
    """:meth:`ScoringModel.rank`; ``steps``, when given, receives each lead's
    :func:`peak_steps`."""
    require_aware(as_of, "as_of")
    by = check_by(engine, by)
    require_iterable(events, "events", "Events")
    leads = lead_profiles(profiles)
    return ranked(score_all(engine, leads, events, as_of, steps), by)


def rank_cells(
    engine: Engine,
    profiles: Iterable[Mapping[str, Any]],
    cells: Iterable[EventCells],
    as_of: datetime,
    by: str | None = None,
) -> list[Score]:
    """:meth:`ScoringModel._rank_cells`: :func:`rank` from ``(lead_id, name, ts, event)``
    cells, where ``event`` (the :class:`Event` or its properties) is ``None`` unless
    :meth:`Engine.needs_event` says so."""
    require_aware(as_of, "as_of")
    by = check_by(engine, by)
    leads = lead_profiles(profiles)
    records = new_records(engine, leads)
    add_cells(engine, records, cells, as_of.timestamp())
    return ranked(finish(engine, leads, records, as_of), by)


def lead_profiles(profiles: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Profiles by lead id; a profile without an id, or a repeated id, is refused."""
    leads: dict[str, Mapping[str, Any]] = {}
    for index, profile in enumerate(require_iterable(profiles, "profiles", "profiles")):
        check_profile(profile, f"profiles[{index}]")
        lead_id = profile_id(profile, f"profiles[{index}].id")
        if lead_id in leads:
            raise InvalidInputError(f"duplicate lead id {lead_id!r}", path=f"profiles[{index}].id")
        leads[lead_id] = profile
    return leads


def ranked(scores: list[Score], by: str | None = None) -> list[Score]:
    """``scores`` best first (by the named score ``by``, else the total), ties by lead id."""
    if by is None:
        scores.sort(key=lambda s: (-s.total, s.lead_id))
    else:
        scores.sort(key=lambda s: (-s.scores[by].total, s.lead_id))
    return scores


def check_by(engine: Engine, by: Any) -> str | None:
    """``by`` if it names one of the model's named scores (or is None), else raise."""
    if by is None:
        return None
    names = [part.name for part in engine.parts]
    if by not in names:
        known = ", ".join(repr(name) for name in names) or "none (the model has no named scores)"
        raise InvalidInputError(
            f"unknown named score {by!r}{did_you_mean(str(by), names)}; the model's "
            f"scores are: {known}",
            path="by",
        )
    return str(by)


def score_all(
    engine: Engine,
    leads: Mapping[str, Mapping[str, Any]],
    events: Iterable[Event],
    as_of: datetime,
    steps: dict[str, tuple[float, ...]] | None = None,
) -> list[Score]:
    """Score ``leads`` from ``events`` (others' events are skipped) in one pass.

    Events are read once, in the order given, each updating its lead's record: far
    kinder to the memory caches on millions of events than grouping them first
    (see :func:`new_records`).
    """
    records = new_records(engine, leads)
    add_cells(engine, records, _cells(events), as_of.timestamp())
    return finish(engine, leads, records, as_of, steps)


def _cells(events: Iterable[Event]) -> Iterator[EventCells]:
    """``events`` as :func:`add_cells` reads them; anything else is refused."""
    for index, event in enumerate(events):
        if type(event) is not Event and not isinstance(event, Event):
            raise InvalidInputError(
                f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
            )
        yield event.lead_id, event.name, event.ts, event


def add_cells(
    engine: Engine, records: Mapping[str, list[Any]], cells: Iterable[EventCells], asof_ts: float
) -> None:
    """Add each event to its lead's record (see :func:`new_records`); events of other
    leads and after ``asof_ts`` are skipped, and an event given as ``None`` counts only
    for the lead's first and last time. The record keeps ``(time, name, properties)``
    of the events a hot-crossing replay reads, not the events themselves."""
    n = len(engine.implicit)
    get = records.get
    dispatch = engine.dispatch.__getitem__
    apply = engine.apply
    keep_all = engine.keeps_all  # a full replay needs every event
    resets = engine.reset_names
    owned = engine.owned
    owned_names = engine.owned_names
    for lead_id, name, t, event in cells:
        record = get(lead_id)
        if record is None or t > asof_ts:
            continue
        if t > record[n]:
            record[n] = t
        if t < record[n + 1]:
            record[n + 1] = t
        if resets is not None and resets[name] and t > record[n + 3]:
            record[n + 3] = t
        if owned and owned_names[name]:
            _add_owned(owned, record[n + 4], name, t, event)
        if event is None:
            continue
        targets = dispatch(name)
        if targets is not None or keep_all:
            properties = event.properties if isinstance(event, Event) else event
            if targets is not None:
                apply(record, targets, properties, t)
            record[n + 2].append((t, name, properties))


def _add_owned(
    owned: tuple[Part, ...], subs: list[list[Any]], name: str, t: float, event: Any
) -> None:
    """Add an event to the records of the named scores that keep their own rule
    entries (each: the entries, then the time of the score's newest reset)."""
    for part in owned:
        sub = subs[part.slot]
        engine = part.engine
        resets = engine.reset_names
        if resets is not None and resets[name] and t > sub[-1]:
            sub[-1] = t
        if event is None:
            continue
        targets = engine.dispatch[name]
        if targets is not None:
            properties = event.properties if isinstance(event, Event) else event
            engine.apply(sub, targets, properties, t)


def _empty(engine: Engine) -> list[Any]:
    empty = engine.empty_rules()
    for index, kind in enumerate(engine.kinds):
        if kind == TIMES:
            empty[index] = UNSORTED
    return empty


def new_records(engine: Engine, leads: Iterable[str]) -> dict[str, list[Any]]:
    """An empty record per lead: the rule accumulators followed by the last and first
    event time, the events a hot-crossing replay may need and the newest reset time
    (then, with named scores of their own rule entries, a record per such score)."""
    empty = _empty(engine)
    if engine.owned:
        owned = [_empty(part.engine) for part in engine.owned]
        return {
            lead_id: [*empty, -math.inf, math.inf, [], -math.inf, [[*o, -math.inf] for o in owned]]
            for lead_id in leads
        }
    return {lead_id: [*empty, -math.inf, math.inf, [], -math.inf] for lead_id in leads}


def _settle(engine: Engine, record: list[Any], reset: float) -> None:
    """Turn the time lists of ``record`` into sorted :class:`Times`, without the times
    at or before ``reset``."""
    for index in engine.timed:
        times = record[index]
        if times is UNSORTED:
            continue  # no time: read as an empty rule, as EMPTY is (a count of 0)
        if reset != -math.inf:
            times = [t for t in times if t > reset]
            if not times:
                record[index] = EMPTY
                continue
        times.sort()  # the record's own list: sorted in place, not copied
        record[index] = Times(times, 0, len(times))


def _since(events: list[Any], first: float, reset: float) -> tuple[list[Any], float]:
    """The events a replay reads and the first time, judged from ``reset`` on."""
    if reset == -math.inf:
        return events, first
    return [(reset, "", _NOTHING), *(e for e in events if e[0] > reset)], reset


def _part_scores(
    engine: Engine,
    explicit: tuple[int, ...],
    record: list[Any],
    last: float | None,
    asof_ts: float,
    rows: list[Row],
    shared: SharedReplay | None,
) -> Mapping[str, SubScore]:
    """The named scores of a lead from its record (see :func:`new_records`), the rows
    of its main score and the model's replay of its events (None without events)."""
    n = len(engine.implicit)
    out = {}
    for part in engine.parts:
        sub_engine = part.engine
        if part.shared:
            accs, reset = part.shared_rules(record), record[n + 3]
        else:
            accs = record[n + 4][part.slot]
            reset = accs[-1]
            _settle(sub_engine, accs, reset)
        matched = part.explicit(explicit)
        hot = None
        if last is None or shared is None:
            pass
        elif part.shared and sub_engine.running_total_ok:
            hot = shared.first_hot(sub_engine, matched, accs, part.at)
        else:
            events, first = _since(record[n + 2], record[n + 1], reset)
            hot = first_hot(sub_engine, matched, events, accs, last, first)
        out[part.name] = part.score(
            matched, accs, last, asof_ts, hot, None if reset == -math.inf else reset, rows
        )
    return MappingProxyType(out)


def finish(
    engine: Engine,
    leads: Mapping[str, Mapping[str, Any]],
    records: dict[str, list[Any]],
    as_of: datetime,
    steps: dict[str, tuple[float, ...]] | None = None,
) -> list[Score]:
    """The score of each lead from its record, in the order of ``leads``. Each record
    is taken out of ``records`` as its lead is scored, so what it held is freed at once
    rather than kept, and scanned by the garbage collector, until every lead is done."""
    asof_ts = as_of.timestamp()
    n = len(engine.implicit)
    scores = []
    build = engine.build
    timed = engine.timed
    parts = engine.parts
    identity = {index: index for index in range(n)}
    for lead_id, profile in leads.items():
        record = records.pop(lead_id)
        reset = record[n + 3]
        if timed:
            _settle(engine, record, reset)
        explicit = engine.match_profile(profile)
        last = record[n]
        if last == -math.inf:
            named = tallied = None
            if parts:
                tallied = engine.tally(explicit, record, None, asof_ts)
                named = _part_scores(engine, explicit, record, None, asof_ts, tallied[0], None)
            scores.append(
                build(lead_id, explicit, record, None, as_of, asof_ts, None, None, named, tallied)
            )
            continue
        # a new cycle after a reset: judged from the reset on
        events, first = _since(record[n + 2], record[n + 1], reset)
        if parts:
            # One sort and match of the events, read by the model and its named scores.
            replay = SharedReplay(engine, events, first)
            tallied = engine.tally(explicit, record, last, asof_ts)
            named = _part_scores(engine, explicit, record, last, asof_ts, tallied[0], replay)
            if engine.running_total_ok:
                hot_since = replay.first_hot(engine, explicit, record, identity)
            else:
                hot_since = first_hot(engine, explicit, events, record, last, first)
        else:
            named = tallied = None
            hot_since = first_hot(engine, explicit, events, record, last, first)
        if steps is not None:
            steps[lead_id] = peak_steps(engine, explicit, events, first)
        scores.append(
            build(
                lead_id,
                explicit,
                record,
                last,
                as_of,
                asof_ts,
                hot_since,
                None if reset == -math.inf else reset,
                named,
                tallied,
            )
        )
    return scores


_NOTHING: Mapping[str, Any] = MappingProxyType({})
