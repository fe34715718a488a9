"""The compiled form of a scoring model and its point arithmetic.

Batch scoring, the incremental state and the hot-crossing replay all add events to the
same per-rule accumulators and read points from them here, so they agree exactly.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._tiers import Tier, tier_of
from .._time import SECONDS_PER_DAY, from_ts
from ._capping import PLACES, cap_items
from ._dispatch import Dispatch, OwnedNames, ResetNames
from ._limits import Calendar, Limits, limits_of
from ._result import EMPTY, Accumulator, Row, Score, SubScore
from ._rules import Decay, ExplicitRule, ImplicitRule
from ._times import EMPTY_TIMES, Times

if TYPE_CHECKING:
    from ._model import ScoringModel
    from ._named import Part

COUNT, WEIGHT, TIMES = 0, 1, 2


# How values() reads an implicit rule: (row index, kind, points, max_count, max_points,
# decays with the lead's aggregate decay, window and caps, and those again when every
# time they count counts in full, so that their tally is the rule's value).
Plan = tuple[int, int, float, int | None, float | None, bool, Limits | None, Limits | None]


class Engine:
    """A model's rules compiled for speed: which rules an event name feeds, how each
    rule accumulates its events, and whether shortcuts for the hot check apply."""

    __slots__ = (
        "bands",
        "capped",
        "capped_calendar",
        "capped_rules",
        "decay",
        "default_fingerprint",
        "dispatch",
        "engagement_grades",
        "expiry_window",
        "explicit",
        "explicit_items",
        "fingerprint",
        "fit_grades",
        "groups",
        "half_life",
        "hot_threshold",
        "implicit",
        "keeps_all",
        "kinds",
        "limits",
        "linear_points",
        "max_total",
        "monotone",
        "owned",
        "owned_names",
        "parts",
        "plans",
        "positive",
        "replay_scoring_only",
        "reset_names",
        "row_meta",
        "running_total_ok",
        "sliding_ok",
        "step_points",
        "timed",
        "whole_values",
        "window_linear",
        "window_steps",
    )

    def __init__(self, model: ScoringModel, default_fingerprint: Callable[[], str]) -> None:
        self.fingerprint: str = model.fingerprint
        # The default model's fingerprint, computed on first need by the model module
        # (states of an earlier default model are re-based onto the default model).
        self.default_fingerprint = default_fingerprint
        self.hot_threshold: float = model.hot_threshold
        self.explicit: tuple[ExplicitRule, ...] = model.explicit
        self.implicit: tuple[ImplicitRule, ...] = model.implicit
        self.decay: Decay = model.decay
        self.bands: tuple[Tier, ...] = model.bands
        self.fit_grades: tuple[Tier, ...] = model.fit_grades
        self.engagement_grades: tuple[Tier, ...] = model.engagement_grades
        self.groups: tuple[tuple[str, float | None], ...] = model.groups
        self.max_total: float | None = model.max_total
        calendar = Calendar(model.timezone)
        self.limits: tuple[Limits | None, ...] = tuple(
            limits_of(rule, calendar) for rule in self.implicit
        )
        # With resets every rule keeps its times, so a late reset drops exactly the older.
        self.reset_names: ResetNames | None = ResetNames(model.reset_on) if model.reset_on else None
        self.kinds: tuple[int, ...] = (
            (TIMES,) * len(self.implicit)
            if model.reset_on
            else _kinds(self.implicit, self.decay, self.limits)
        )
        kinds = self.kinds
        dispatch: dict[str, list[tuple[int, int, Any]]] = {}
        for index, rule in enumerate(self.implicit):
            where = rule.where._predicate if rule.where is not None else None
            dispatch.setdefault(rule.event, []).append((index, kinds[index], where))
        self.dispatch = Dispatch({k: tuple(v) for k, v in dispatch.items()})
        self._shortcuts()
        # The half-life of a half_life decay, in seconds (inf for other kinds: each
        # event's points never halve).
        self.half_life: float = (
            self.decay.param("half_life_days") * SECONDS_PER_DAY
            if self.decay.kind == "half_life"
            else math.inf
        )
        self.expiry_window: float | None = (
            self.decay.param("days") * SECONDS_PER_DAY if self.decay.kind == "expiry" else None
        )
        self.capped: bool = self.max_total is not None or any(c is not None for _, c in self.groups)
        self._unpack_rules()

    def _shortcuts(self) -> None:
        """Which shortcuts of the hot-crossing replay (see :mod:`._replay`) the rules allow."""
        per_event = self.decay.per_event
        # Monotone: adding an event never lowers the score at event times, so the peak
        # over event times is the score at the last event.
        # A window drops events as time passes, so it is not monotone either.
        self.monotone: bool = (
            not per_event
            and all(r.points >= 0 for r in self.implicit)
            and all(r.within_days is None for r in self.implicit)
        )
        # The score at an event's time is the plain sum of each rule's points for its
        # count (no decay yet, no group caps); windows and caps per period make that
        # count a sliding one (see _replay.first_hot_sliding).
        self.sliding_ok: bool = (
            not per_event and self.max_total is None and all(c is None for _, c in self.groups)
        )
        self.running_total_ok: bool = (
            self.sliding_ok
            and all(limits is None for limits in self.limits)
            and self.reset_names is None
        )
        # Whether no behaviour rule takes points away: then decay, windows and caps only
        # lower what the events are worth in full (see _replay.peak_bound).
        self.positive: bool = all(r.points >= 0 for r in self.implicit)
        # Whether the hot-crossing replay reads only the events a rule counts (and the
        # lead's first time): when points are positive, the score rises only at those.
        self.replay_scoring_only: bool = self.running_total_ok or self.positive

    def attach(self, parts: tuple[Part, ...]) -> None:
        """Score the named scores ``parts`` in the same pass as the model's own score:
        the parts that keep their own rule entries are numbered in :attr:`owned`."""
        self.parts: tuple[Part, ...] = parts
        self.owned: tuple[Part, ...] = tuple(part for part in parts if not part.shared)
        for slot, part in enumerate(self.owned):
            part.slot = slot
        # Event name -> whether one of those parts counts or resets on it.
        self.owned_names = OwnedNames(self.owned)
        # Whether a batch record keeps every event of a lead, not only those a rule counts.
        self.keeps_all: bool = not self.replay_scoring_only or any(
            part.engine.keeps_all for part in parts
        )

    def _unpack_rules(self) -> None:
        """What values() and build() read of each rule, unpacked once rather than per lead;
        row_meta is (name, kind, group) by rule index, explicit rules first."""
        self.attach(())  # named scores: none until the model attaches them
        per_event = self.decay.per_event
        offset = len(self.explicit)
        self.explicit_items: tuple[tuple[float, float, int, None], ...] = tuple(
            (float(r.points), float(r.points), 0, None) for r in self.explicit
        )
        self.plans: tuple[Plan, ...] = tuple(
            (
                offset + i,
                self.kinds[i],
                r.points,
                r.max_count,
                r.max_points,
                r.decays and not per_event,
                self.limits[i],
                self.limits[i] if not (r.decays and per_event) else None,
            )
            for i, r in enumerate(self.implicit)
        )
        self.row_meta: tuple[tuple[str, str, str | None], ...] = tuple(
            (r.name, "explicit", r.group) for r in self.explicit
        ) + tuple((r.name, "implicit", r.group) for r in self.implicit)
        # Points each event of a rule adds to a running sum, where that is exact: whole
        # points with no caps (else None: the difference of rule_value() is needed).
        self.step_points: tuple[float | None, ...] = tuple(
            float(r.points)
            if r.max_count is None
            and r.max_points is None
            and float(r.points).is_integer()
            and limits is None
            else None
            for r, limits in zip(self.implicit, self.limits, strict=True)
        )
        # Whether every implicit rule's value is a whole number of points for any count.
        self.whole_values: bool = all(
            float(r.points).is_integer()
            and (r.max_points is None or float(r.max_points).is_integer())
            for r in self.implicit
        )
        # The implicit rules that keep their event times.
        self.timed: tuple[int, ...] = tuple(i for i, k in enumerate(self.kinds) if k == TIMES)
        # Each rule's points per counted event where its value is that times the count
        # (no max_count, no max_points), else None (rule_value applies them).
        self.linear_points: tuple[float | None, ...] = tuple(
            float(r.points) if r.max_count is None and r.max_points is None else None
            for r in self.implicit
        )
        self._limit_tables()

    def _limit_tables(self) -> None:
        """What the replay reads of the rules' windows and caps per period."""
        # The rules capped per day or week, with their limits.
        self.capped_rules: tuple[tuple[int, Limits], ...] = tuple(
            (index, limits)
            for index, limits in enumerate(self.limits)
            if limits is not None and limits.capped
        )
        # The calendar of those rules (the model's one), if any.
        self.capped_calendar: Calendar | None = (
            self.capped_rules[0][1].calendar if self.capped_rules else None
        )
        # The distinct windows of the rules when the score at an instant is a running
        # sum of whole points that each event adds and takes away as it leaves its
        # rule's window (see _replay._window_instants); else None.
        windows = tuple(
            sorted(
                {limits.window for limits in self.limits if limits and limits.window is not None}
            )
        )
        self.window_linear: tuple[float, ...] | None = (
            windows
            if self.sliding_ok
            and self.whole_values
            and all(points is not None for points in self.linear_points)
            and all(float(r.points).is_integer() for r in self.explicit)
            else None
        )
        # Per rule: the points each event adds, and its window's place in those (-1: none).
        self.window_steps: tuple[tuple[float, int], ...] = tuple(
            (
                float(r.points),
                -1 if limits is None or limits.window is None else windows.index(limits.window),
            )
            for r, limits in zip(self.implicit, self.limits, strict=True)
        )

    def needs_event(self, name: str) -> bool:
        """Whether scoring reads the events called ``name`` beyond lead and time: a rule
        counts them, they reset behaviour (``reset_on``: a reader may give only the
        first and last event of the others), or the hot-crossing replay needs every
        event."""
        if self.reset_names is not None and self.reset_names[name]:
            return True
        if self.owned and self.owned_names[name]:  # a named score's own reset
            return True
        return self.keeps_all or self.dispatch[name] is not None

    def needs_properties(self, name: str) -> bool:
        """Whether scoring reads the properties of events called ``name``: a rule that
        counts them filters them with ``where``."""
        targets = self.dispatch[name]
        return targets is not None and any(where is not None for _, _, where in targets)

    def match_profile(self, profile: Mapping[str, Any]) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(self.explicit) if r.when._predicate(profile))

    def empty_rules(self) -> list[Accumulator]:
        return [EMPTY] * len(self.kinds)

    def apply(
        self,
        accs: list[Accumulator],
        targets: tuple[tuple[int, int, Any], ...],
        properties: Mapping[str, Any],
        t: float,
    ) -> None:
        """Add one event (its ``properties``, at ``t``) to the accumulators of the rules
        it matches."""
        for index, kind, where in targets:
            if where is not None and not where(properties):
                continue
            acc = accs[index]
            if kind == COUNT:
                count = acc[0]
                accs[index] = (count + 1, t if not count or t > acc[1] else acc[1])
            elif kind == WEIGHT:
                accs[index] = self.add_weight(acc, t)
            elif type(acc) is list:  # a batch record: sorted once, when read
                acc.append(t)
            elif acc is UNSORTED:
                accs[index] = [t]
            else:
                accs[index] = self.add_time(index, acc, t)

    def after_reset(self, accs: Sequence[Accumulator], reset: float) -> list[Accumulator]:
        """The rule entries without the events at or before ``reset``."""
        out = []
        for acc in accs:
            if type(acc) is Times:
                acc = acc.after(reset)
                out.append(acc if len(acc) else EMPTY)
            else:
                out.append(acc)
        return out

    def add_weight(self, acc: Accumulator, t: float) -> Accumulator:
        if not acc[0]:
            return (1, t, 1.0)
        count, anchor, weight = acc
        half_life = self.half_life
        if t > anchor:  # re-anchor on the newest event so every term stays <= 1
            return (count + 1, t, weight * 0.5 ** ((t - anchor) / half_life) + 1.0)
        return (count + 1, anchor, weight + 0.5 ** ((anchor - t) / half_life))

    def add_time(self, index: int, acc: Accumulator, t: float) -> Accumulator:
        times: Times = acc if type(acc) is Times else EMPTY_TIMES
        rule = self.implicit[index]
        window = self.expiry_window if rule.decays else None
        keep_last = rule.max_count
        limits = self.limits[index]
        if limits is not None:
            # Expired events and older ones past max_count may still fill a day's or a
            # week's cap, so with caps only the rule's own window trims.
            if limits.capped:
                window, keep_last = limits.window, None
            elif limits.window is not None:
                window = limits.window if window is None else min(window, limits.window)
        horizon = None
        if window is not None:
            # Scores are read at or after the newest event, so older ones can never count.
            newest = times.newest() if times else t
            horizon = (t if t > newest else newest) - window
        return times.add(t, horizon, keep_last)

    def values(
        self,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        asof_ts: float,
    ) -> tuple[list[list[Any]], float]:
        """Per counted rule ``[rule index, value, raw, events, last_ts]`` and the decay factor.

        Rule indices count explicit rules first, then implicit ones.
        """
        items: list[list[Any]] = [[j, *self.explicit_items[j]] for j in explicit]
        decay = self.decay
        decaying: list[list[Any]] = []
        decaying_total = 0.0
        # accs may carry more after the rules: zip stops at the rules
        for plan, acc in zip(self.plans, accs, strict=False):
            index, kind, points, max_count, cap, aggregate, _, tallied = plan
            if kind == COUNT:
                count, rule_last = acc
                if not count:
                    continue
                if max_count is not None and count > max_count:
                    count = max_count
                value = float(count * points)
            elif kind == WEIGHT:
                if not acc[0]:
                    continue
                count, rule_last, weight = acc
                value = points * weight * 0.5 ** ((asof_ts - rule_last) / self.half_life)
            elif tallied is not None:  # a window or caps, every counted time in full
                # how many count and the newest: this runs once per rule per lead
                if (
                    type(acc) is not Times
                    or (tally := acc.tally(asof_ts - tallied.reach, asof_ts)) is None
                ):
                    continue
                count, rule_last = tally
                if count > tallied.tightest:
                    count, rule_last = tallied.capped_tally(acc, asof_ts)
                if max_count is not None and count > max_count:
                    count = max_count  # the newest are kept
                value = float(count * points)
            else:
                if type(acc) is not Times:
                    continue
                timed = self.times_value(plan, acc, asof_ts)
                if timed is None:
                    continue
                value, count, rule_last = timed
            if cap is not None and abs(value) > cap:
                value = math.copysign(cap, value)
            item = [index, value, count * points, count, rule_last]
            items.append(item)
            if aggregate:
                decaying.append(item)
                decaying_total += value
        factor = 1.0
        if decaying and last is not None:
            factor = decay.factor(decaying_total, (asof_ts - last) / SECONDS_PER_DAY)
            if factor != 1.0:
                for item in decaying:
                    item[1] *= factor
        if self.capped:
            offset = len(self.explicit)
            for name, cap in self.groups:
                if cap is not None:
                    cap_items([it for it in items if self.row_meta[it[0]][2] == name], cap, offset)
            if self.max_total is not None:
                cap_items(items, self.max_total, offset)
        return items, factor

    def times_value(
        self, plan: Plan, times: Times, asof_ts: float
    ) -> tuple[float, int, float] | None:
        """``(value before max_points, events counted, newest counted)`` of a rule that
        keeps its times; None when none counts."""
        points, max_count, limits = plan[2], plan[3], plan[6]
        decay = self.decay
        decays = self.implicit[plan[0] - len(self.explicit)].decays
        expiry = decays and decay.kind == "expiry"
        # Every counted time counts in full unless the rule decays by each event's age.
        full = not decays or decay.kind != "half_life"
        if limits is not None and limits.capped:  # so the rule decays by each event's age
            counted = limits.counted(times, asof_ts)
            if expiry:  # decay comes after the caps: an expired event kept its slot
                horizon = asof_ts - decay.param("days") * SECONDS_PER_DAY
                counted = [t for t in counted if t >= horizon]
            if not counted:
                return None
            count, rule_last = len(counted), counted[-1]
            if full:
                return float(points * count), count, rule_last
            factors = (decay.event_factor((asof_ts - t) / SECONDS_PER_DAY) for t in counted)
            return points * math.fsum(factors), count, rule_last
        # a window without caps per period filters as expiry does: by index
        horizon = asof_ts - decay.param("days") * SECONDS_PER_DAY if expiry else -math.inf
        if limits is not None and limits.window is not None:
            horizon = max(horizon, asof_ts - limits.window)
        low, high = times.window(horizon, asof_ts)
        if max_count is not None:
            low = max(low, high - max_count)
        if low >= high:
            return None
        count, rule_last = high - low, times.at(high - 1)
        if full:
            return float(points * count), count, rule_last
        factors = (
            decay.event_factor((asof_ts - times.at(i)) / SECONDS_PER_DAY) for i in range(low, high)
        )
        return points * math.fsum(factors), count, rule_last

    def total(
        self, explicit: Sequence[int], accs: Sequence[Accumulator], last: float | None, at: float
    ) -> float:
        items, _ = self.values(explicit, accs, last, at)
        return round(math.fsum(round(it[1], PLACES) for it in items), PLACES)

    def total_at(self, explicit: Sequence[int], accs: Sequence[Accumulator], last: float) -> float:
        """The total at the time of the newest event ``last`` (nothing decayed yet)."""
        if self.running_total_ok:
            return self.undecayed_total(explicit, accs)
        return self.total(explicit, accs, last, last)

    def undecayed_total(self, explicit: Sequence[int], accs: Sequence[Accumulator]) -> float:
        """Score at the last event for models where :func:`._replay.first_hot_running` applies."""
        running = 0.0
        for j in explicit:
            running += self.explicit[j].points
        rule_value = self.rule_value
        for index in range(len(self.implicit)):
            acc = accs[index]
            if acc[0]:
                running += rule_value(index, acc[0])
        return round_points(running)

    def rule_value(self, index: int, count: int) -> float:
        """Undecayed points of implicit rule ``index`` for ``count`` events, after its caps."""
        rule = self.implicit[index]
        if rule.max_count is not None and count > rule.max_count:
            count = rule.max_count
        value = count * rule.points
        cap = rule.max_points
        if cap is not None and abs(value) > cap:
            value = math.copysign(cap, value)
        return float(value)

    def tally(
        self,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        asof_ts: float,
    ) -> tuple[list[Row], float, float, float]:
        """The rows of the rules that count at ``asof_ts``, the explicit and implicit
        totals, and the decay factor."""
        items, factor = self.values(explicit, accs, last, asof_ts)
        offset = len(self.explicit)
        rows: list[Row] = []
        explicit_total = implicit_total = 0.0
        meta = self.row_meta
        for index, value, raw, count, rule_last in items:
            # inline round_points: this runs once per rule per lead
            points = value + 0.0 if value.is_integer() else round(value, PLACES) + 0.0
            if index < offset:
                explicit_total += points
            else:
                implicit_total += points
            name, kind, group = meta[index]
            rows.append((name, points, kind, float(raw), count, rule_last, group))
        return rows, round_points(explicit_total), round_points(implicit_total), factor

    def build(
        self,
        lead_id: str,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        as_of: datetime,
        asof_ts: float,
        hot_since: datetime | None,
        last_reset: float | None = None,
        scores: Mapping[str, SubScore] | None = None,
        tallied: tuple[list[Row], float, float, float] | None = None,
    ) -> Score:
        if tallied is None:
            tallied = self.tally(explicit, accs, last, asof_ts)
        rows, explicit_total, implicit_total, factor = tallied
        total = round_points(explicit_total + implicit_total)
        groups: Mapping[str, float] = _NO_GROUPS
        if self.groups:
            sums = {name: 0.0 for name, _ in self.groups}
            for row in rows:
                if row[6] is not None:
                    sums[row[6]] += row[1]
            groups = {name: round_points(v) for name, v in sums.items()}
        return Score(
            lead_id,
            total,
            explicit_total,
            implicit_total,
            tier_of(self.bands, total),
            total >= self.hot_threshold,
            tuple(rows),
            as_of,
            tier_of(self.fit_grades, explicit_total)
            + tier_of(self.engagement_grades, implicit_total),
            hot_since,
            None if last is None else from_ts(last),
            round_points(factor),
            groups,
            None if last_reset is None else from_ts(last_reset),
            _NO_SCORES if scores is None else scores,
        )


_NO_GROUPS: Mapping[str, float] = MappingProxyType({})
_NO_SCORES: Mapping[str, SubScore] = MappingProxyType({})
# The empty entry of a rule keeping times in a batch record: its times go to a list,
# sorted once when the lead is scored (no trimming, no copies of late events).
UNSORTED: Accumulator = (0, "unsorted")


def _kinds(
    implicit: Sequence[ImplicitRule], decay: Decay, limits: Sequence[Limits | None]
) -> tuple[int, ...]:
    """How each implicit rule accumulates its events: a count, a half-life weight, or
    its times (per-event decay with ``max_count``, or a window or a cap per period)."""
    kinds = []
    for rule, limited in zip(implicit, limits, strict=True):
        if limited is not None:
            kinds.append(TIMES)
        elif not rule.decays or not decay.per_event:
            kinds.append(COUNT)
        elif decay.kind == "half_life" and rule.max_count is None:
            kinds.append(WEIGHT)
        else:
            kinds.append(TIMES)
    return tuple(kinds)


def round_points(value: float) -> float:
    """``value`` to :data:`PLACES` decimals (-0.0 becomes 0.0); integers pass untouched,
    because ``round`` with digits is slow and they are the common case."""
    if value.is_integer():
        return value + 0.0
    return round(value, PLACES) + 0.0
