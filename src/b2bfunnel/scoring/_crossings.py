"""Band and grade crossings of time alone, to the second, in closed form.

Between two jumps of a lead's score (an event, an event leaving a rule's window or
expiring) the aggregate decays multiply every decaying point by one factor ``f`` that
only shrinks: ``total = fixed + f * decaying``. So each band or grade threshold is
crossed where ``f`` reaches ``(threshold - fixed) / decaying``, and the inverse of
each decay curve gives the instant:

- ``inactivity``: ``f = 0.5 ** ((idle - grace) / half_life)``, so
  ``idle = grace + half_life * log2(1 / f)``;
- ``linear``: ``f = 1 - points_per_day * (idle - grace) / |decaying|``, so
  ``idle = grace + |decaying| * (1 - f) / points_per_day``;
- ``stepwise``: ``f = 1 - points * floor(idle / every_days) / |decaying|``: the
  crossing is the first whole step ``k`` taking ``|decaying| * (1 - f)`` points (more
  than that for a score falling below a threshold), at ``idle = k * every_days``;
- ``expiry`` (and no decay): the score is constant between jumps, so a change is at
  a jump, whose second is known from the event's time.

``idle`` is counted from the lead's last event. Reported figures are rounded to
millionths, so the closed form's second is checked against the rounded figures: the
second before must keep the old band and grade and the second itself must not
(:func:`first_change` walks out from the guess when rounding moves it, which for a
score that moves one way costs a few reads, not a bisection over the day).
``half_life`` decay sums one exponential per event, with no closed form for the
instant; it is found by bisection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence

from .._time import SECONDS_PER_DAY
from ._capping import PLACES
from ._engine import Engine
from ._result import Accumulator

_UNIT: float = 10.0**PLACES  # millionths in a point: figures are rounded to them
# The decays whose crossings have a closed form between jumps.
CLOSED_KINDS = frozenset(("none", "expiry", "inactivity", "linear", "stepwise"))


def closed_form_applies(engine: Engine) -> bool:
    """Whether :func:`crossing_seconds` gives the crossings: a decay with a closed form,
    and a score that moves one way between jumps (group caps over rules of both signs
    may not)."""
    return engine.decay.kind in CLOSED_KINDS and all(cap is None for _, cap in engine.groups)


def uncapped(engine: Engine) -> Engine:
    """``engine`` without its ``max_total``: the closed form solves for the raw score,
    which the cap only clips (a capped total crosses a threshold under the cap when the
    raw one does)."""
    if engine.max_total is None:
        return engine
    clone = object.__new__(Engine)
    for name in Engine.__slots__:
        if hasattr(engine, name):
            setattr(clone, name, getattr(engine, name))
    clone.max_total, clone.capped = None, False
    return clone


def parts(
    engine: Engine, explicit: Sequence[int], accs: Sequence[Accumulator], at: float
) -> tuple[float, float, float]:
    """``(profile points, behaviour points that do not decay, decaying points)`` of the
    events counted at ``at``, before the aggregate decay (after each rule's caps; pass
    an :func:`uncapped` engine for the raw figures)."""
    items, _ = engine.values(explicit, accs, at, at)  # last = at: nothing has decayed
    offset = len(engine.explicit)
    plans = engine.plans
    profile = fixed = decaying = 0.0
    for index, value, *_ in items:
        if index < offset:
            profile += value
        elif plans[index - offset][5]:  # decays with the lead's aggregate decay
            decaying += value
        else:
            fixed += value
    return profile, fixed, decaying


def crossing_second(
    engine: Engine, last: float, magnitude: float, cut: float, strict: bool
) -> int | None:
    """The first whole second at which the aggregate decay, the lead's last event being
    at ``last``, has taken ``cut`` points (more than ``cut`` if ``strict``) of decaying
    points of size ``magnitude``; None if it never does."""
    decay = engine.decay
    kind = decay.kind
    if cut < 0 or cut > magnitude:
        return None
    late = strict  # whether the decay must be past the idle time found, or may be at it
    if kind == "inactivity":
        # f = 0.5 ** ((idle - grace) / half_life) after the grace; f = 1 - cut / magnitude
        share = 1.0 - cut / magnitude
        if share <= 0.0:
            return None
        idle = decay.param("grace_days") + decay.param("half_life_days") * math.log2(1 / share)
    elif kind == "linear":
        rate = decay.param("points_per_day")
        if rate <= 0:
            return None
        idle = decay.param("grace_days") + cut / rate
    elif kind == "stepwise":
        points = decay.param("points")
        if points <= 0:
            return None
        steps = cut / points
        whole = math.floor(steps) + 1 if strict else math.ceil(steps)
        idle, late = whole * decay.param("every_days"), False  # a step is taken at its time
    else:
        return None
    at = last + idle * SECONDS_PER_DAY
    return math.floor(at) + 1 if late else math.ceil(at)


def crossing_seconds(
    engine: Engine,
    figures: tuple[float, float, float],
    last: float,
    idle_now: float,
) -> Iterable[int]:
    """The whole seconds at which the score ``fixed + f * decaying`` (``figures`` from
    :func:`parts`) crosses each band and engagement-grade threshold as the aggregate
    decay shrinks ``f`` below its value after ``idle_now`` days, the lead's last event
    being at ``last``.

    A positive score falls below a threshold (it must lose more than the points above
    it); a negative one rises to a threshold (losing at least the points below it).
    """
    profile, fixed, decaying = figures
    if not decaying or engine.decay.kind not in ("inactivity", "linear", "stepwise"):
        return
    magnitude = abs(decaying)
    now = engine.decay.factor(decaying, idle_now) * decaying  # what is left of it now
    falling = decaying > 0
    # A total cap clips the raw score: thresholds above it are never reached.
    cap = math.inf if engine.max_total is None else engine.max_total
    lines = (
        (profile + fixed, [tier.min for tier in engine.bands], cap),
        (fixed, [tier.min for tier in engine.engagement_grades], cap - profile),
    )
    for base, thresholds, most in lines:
        value = base + now
        for threshold in thresholds:
            if threshold is None or threshold > most:
                continue
            if (base < threshold <= value) if falling else (value < threshold <= base):
                cut = abs(base + decaying - rounding_edge(threshold))
                second = crossing_second(engine, last, magnitude, cut, falling)
                if second is not None:
                    yield second


def rounding_edge(threshold: float) -> float:
    """The raw value from which a figure rounded to millionths is at or above
    ``threshold``: half a millionth below the first millionth (as a float, which is what
    rounding gives) that is at or above it.

    >>> rounding_edge(35.84), rounding_edge(44.800000000000004)
    (35.8399995, 44.8000005)
    """
    first = math.floor(threshold * _UNIT) - 1
    while first / _UNIT < threshold:
        first += 1
    return (first - 0.5) / _UNIT


def first_change(differs: Callable[[int], bool], low: int, high: int, guess: int | None) -> int:
    """The first second in ``(low, high]`` at which ``differs`` holds, given it holds at
    ``high``, not at ``low``, and changes once in between: walked out from ``guess`` by
    doubling steps, then bisected (a plain bisection without a guess)."""
    if guess is None:
        below, above = low, high
    else:
        guess = min(max(guess, low + 1), high)
        step = 1
        if differs(guess):
            above = guess
            while True:
                below = max(low, above - step)
                if below == low or not differs(below):
                    break
                above, step = below, step * 2
        else:
            below = guess
            while True:
                above = min(high, below + step)
                if above == high or differs(above):
                    break
                below, step = above, step * 2
    while above - below > 1:
        middle = (below + above) // 2
        if differs(middle):
            above = middle
        else:
            below = middle
    return above
