"""Merging two states of one lead built from disjoint event sets (Spark, Dask, shards).

A state is a monoid under :func:`merge`: counts add, last times take the max, the
times a rule keeps are the union trimmed as :meth:`Engine.add_time` trims them, and a
half-life weight is re-anchored on the newer anchor (Algebird's ``DecayedValue``).
Only the half-life weight is float arithmetic whose last bit depends on the grouping;
every reported figure is rounded to ``PLACES`` decimals, which absorbs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InvalidInputError
from ._batch import check_profile
from ._engine import TIMES, WEIGHT, Engine
from ._incremental import check_state
from ._named import Part
from ._result import Accumulator
from ._state import NamedEntry, ScoreState
from ._times import Times


def merge(
    engine: Engine, a: ScoreState, b: ScoreState, profile: Mapping[str, Any] | None
) -> ScoreState:
    """:meth:`ScoringModel.merge`."""
    a = check_state(engine, a)
    b = check_state(engine, b)
    if a.lead_id != b.lead_id:
        raise InvalidInputError(
            f"cannot merge the states of two leads, {a.lead_id!r} and {b.lead_id!r}",
            path="b.lead_id",
        )
    if profile is not None:
        explicit = engine.match_profile(check_profile(profile, "profile"))
    elif a.explicit != b.explicit:
        raise InvalidInputError(
            f"the states match different profile rules ({list(a.explicit)} and "
            f"{list(b.explicit)}); pass profile= to say which profile is current",
            path="b.explicit",
        )
    else:
        explicit = a.explicit
    merged = [
        _merge_rule(engine, index, x, y)
        for index, (x, y) in enumerate(zip(a.rules, b.rules, strict=True))
    ]
    resets = [t for t in (a.reset_ts, b.reset_ts) if t is not None]
    reset = max(resets) if resets else None  # the newer reset wins
    rules = tuple(merged if reset is None else engine.after_reset(merged, reset))
    times = [t for t in (a.last_ts, b.last_ts) if t is not None]
    last = max(times) if times else None
    # A part that had not seen the newest reset judged its crossing with older events.
    hots = [
        part.hot_since_ts
        for part in (a, b)
        if part.hot_since_ts is not None and part.reset_ts == reset
    ]
    # A part that was hot on its own events is hot no later with more events (positive
    # points, no per-event decay); otherwise the check is at the newest time, as for a
    # late event: both are upper bounds of the exact crossing time.
    hot = min(hots) if hots else None
    if (
        hot is None
        and last is not None
        and engine.total_at(explicit, rules, last) >= engine.hot_threshold
    ):
        hot = last
    named = tuple(
        _merge_named(part, x, y, explicit, rules, reset, last, a.reset_ts, b.reset_ts)
        for part, x, y in zip(engine.parts, a.named, b.named, strict=True)
    )
    return ScoreState(a.lead_id, a.model, explicit, rules, last, hot, reset_ts=reset, named=named)


def _merge_named(  # long: the merge above, for one named score
    part: Part,
    x: NamedEntry,
    y: NamedEntry,
    explicit: tuple[int, ...],
    rules: tuple[Accumulator, ...],
    reset: float | None,
    last: float | None,
    reset_x: float | None,
    reset_y: float | None,
) -> NamedEntry:
    """One named score's entries of two states merged, as :func:`merge` merges the
    model's: own rule entries as rules are, the newer reset, and ``hot_since`` from the
    parts that saw that reset."""
    engine = part.engine
    if part.shared:
        mine = part.shared_rules(rules)
        own: tuple[Accumulator, ...] = ()
        resets = (reset_x, reset_y)
        part_reset = None
    else:
        merged = [
            _merge_rule(engine, index, p, q)
            for index, (p, q) in enumerate(zip(x[3], y[3], strict=True))
        ]
        resets = (x[2], y[2])
        found = [t for t in resets if t is not None]
        part_reset = max(found) if found else None
        own = tuple(merged if part_reset is None else engine.after_reset(merged, part_reset))
        mine = list(own)
        reset = part_reset
    hots = [
        entry[1]
        for entry, seen in zip((x, y), resets, strict=True)
        if entry[1] is not None and seen == reset
    ]
    hot = min(hots) if hots else None
    matched = part.explicit(explicit)
    if (
        hot is None
        and last is not None
        and engine.total_at(matched, mine, last) >= engine.hot_threshold
    ):
        hot = last
    return (part.name, hot, part_reset, own)


def _merge_rule(engine: Engine, index: int, x: Accumulator, y: Accumulator) -> Accumulator:
    kind = engine.kinds[index]
    if kind == TIMES:
        if type(x) is not Times or type(y) is not Times:
            return y if type(x) is not Times else x  # one of them is still empty
        merged = x
        for t in y:  # each addition trims as ingest does; trimming the union is the same
            merged = engine.add_time(index, merged, t)
        return merged
    if not x[0] or not y[0]:
        return y if not x[0] else x
    if kind == WEIGHT:
        anchor = max(x[1], y[1])
        half_life = engine.half_life
        weight = x[2] * 0.5 ** ((anchor - x[1]) / half_life) + y[2] * 0.5 ** (
            (anchor - y[1]) / half_life
        )
        return (x[0] + y[0], anchor, weight)
    return (x[0] + y[0], max(x[1], y[1]))
