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

from .._time import SECONDS_PER_DAY
from ..errors import InvalidInputError
from ._batch import check_profile
from ._engine import TIMES, WEIGHT, Engine
from ._incremental import check_state
from ._result import Accumulator
from ._state import ScoreState
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
    return ScoreState(a.lead_id, a.model, explicit, rules, last, hot, reset_ts=reset)


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
        half_life = engine.decay.param("half_life_days") * SECONDS_PER_DAY
        weight = x[2] * 0.5 ** ((anchor - x[1]) / half_life) + y[2] * 0.5 ** (
            (anchor - y[1]) / half_life
        )
        return (x[0] + y[0], anchor, weight)
    return (x[0] + y[0], max(x[1], y[1]))
