"""Per-rule windows and frequency caps: which of a rule's event times count at ``as_of``.

A rule with ``within_days``, ``max_per_day`` or ``max_per_week`` keeps its event times
(see :class:`._times.Times`) and selects the counted ones here, in the documented
order: the window filters, the per-day and then the per-week cap keep each period's
first events, and ``max_count`` keeps the newest of those. Decay and ``max_points``
follow in the engine.
"""

from __future__ import annotations

import math
import operator
from collections import deque
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from .._time import SECONDS_PER_DAY
from ._rules import ImplicitRule
from ._times import Times


class Calendar:
    """Calendar days and ISO weeks (from Monday 00:00) of POSIX seconds in one zone.

    >>> c = Calendar("UTC")
    >>> c.day(0.0), c.week(4 * 86_400.0)  # 1970-01-01 was a Thursday, the 5th a Monday
    (0, 1)
    """

    __slots__ = ("_offsets", "_zone")

    def __init__(self, zone: str) -> None:
        self._zone = None if zone == "UTC" else ZoneInfo(zone)
        # UTC day -> the zone's offset in seconds all that day, or NaN when it changes
        # during the day (a DST switch): computed once per day seen, so that a day is
        # one look-up and no time zone conversion (none at all in UTC).
        self._offsets: dict[int, float] = {}

    def _offset(self, t: float, utc_day: int) -> float:
        """The zone's offset at ``t``, learning that of ``utc_day`` on first need."""
        zone = self._zone
        assert zone is not None  # asked only for a zone other than UTC
        offset = self._offsets.get(utc_day)
        if offset is None:
            start = utc_day * SECONDS_PER_DAY
            before = _utcoffset(start, zone)
            after = _utcoffset(start + SECONDS_PER_DAY - 1, zone)
            offset = before if before == after else _SWITCH
            self._offsets[utc_day] = offset
        return _utcoffset(t, zone) if offset != offset else offset  # NaN: a switch

    def day(self, t: float) -> int:
        """Days from 1970-01-01 to the local calendar day of ``t``."""
        utc_day = int(t // SECONDS_PER_DAY)
        if self._zone is None:
            return utc_day
        offset = self._offsets.get(utc_day, _SWITCH)
        if offset != offset:  # not seen yet, or a DST switch that day
            offset = self._offset(t, utc_day)
        return int((t + offset) // SECONDS_PER_DAY)

    def days(self, times: Iterable[float]) -> list[int]:
        """:meth:`day` of each of ``times``, in one loop."""
        if self._zone is None:
            return [int(t // SECONDS_PER_DAY) for t in times]
        get, learn, out = self._offsets.get, self._offset, []
        for t in times:
            utc_day = int(t // SECONDS_PER_DAY)
            offset = get(utc_day, _SWITCH)
            if offset != offset:
                offset = learn(t, utc_day)
            out.append(int((t + offset) // SECONDS_PER_DAY))
        return out

    def week(self, t: float) -> int:
        """Weeks (Monday to Sunday, local) from the week of 1970-01-01."""
        return week_of(self.day(t))


_SWITCH = math.nan  # the offset of a day not seen yet, or of a day whose offset changes


def week_of(day: int) -> int:
    """The week (from Monday) of a day counted from 1970-01-01, a Thursday."""
    return (day + 3) // 7


def _utcoffset(t: float, zone: ZoneInfo) -> float:
    offset = datetime.fromtimestamp(t, zone).utcoffset()
    return 0.0 if offset is None else offset.total_seconds()


# No local calendar day lasts longer than this (a zone moving back across the date
# line once made a 48-hour day), nor a week longer than the second.
_LONGEST_DAY = 50 * 3600.0
_LONGEST_WEEK = 9 * SECONDS_PER_DAY
# Longer runs of times go straight to capping (whose result a history extends) rather
# than being checked first with may_bind, which reads them all.
_CHECKED = 64


class Limits:
    """A rule's window and caps, compiled: :meth:`counted` picks the counted times."""

    __slots__ = (
        "_memo",
        "calendar",
        "capped",
        "max_count",
        "per_day",
        "per_week",
        "reach",
        "tightest",
        "window",
    )

    def __init__(self, rule: ImplicitRule, calendar: Calendar) -> None:
        self.window = None if rule.within_days is None else rule.within_days * SECONDS_PER_DAY
        # How far back from as_of an event still counts (inf without a window).
        self.reach = math.inf if self.window is None else self.window
        self.per_day = rule.max_per_day
        self.per_week = rule.max_per_week
        self.max_count = rule.max_count
        # Whether a per-day or per-week cap applies.
        self.capped = self.per_day is not None or self.per_week is not None
        # A cap per period can bind only on more events than this.
        self.tightest = min(
            math.inf if cap is None else cap for cap in (rule.max_per_day, rule.max_per_week)
        )
        self.calendar = calendar
        # The last times capped per period: (list, first, end, kept, _Period after end).
        # A later read of the same times from the same first only extends it, so a
        # history stepping through one lead's events caps each event once.
        self._memo: tuple[list[float], int, int, list[float], _Period] | None = None

    def counted(self, times: Times, asof_ts: float) -> list[float]:
        """The times that count at ``asof_ts``, oldest first, before decay."""
        i, j = times.window(asof_ts - self.reach, asof_ts)
        # no day or week can hold more than its cap of tightest or fewer events
        kept = self._capped(times, i, j) if j - i > self.tightest else times.slice(i, j)
        if self.max_count is not None and len(kept) > self.max_count:
            kept = kept[len(kept) - self.max_count :]
        return kept

    def capped_tally(self, times: Times, asof_ts: float) -> tuple[int, float]:
        """``(how many of the times in the window count, the newest of them)`` after
        the caps per period, before ``max_count`` and decay, as :meth:`counted` has
        them, without listing them; some time must be in the window."""
        i, j = times.window(asof_ts - self.reach, asof_ts)
        if j - i > _CHECKED or self.may_bind(times.slice(i, j)):
            kept = self._capped(times, i, j)
            return len(kept), kept[-1]  # the first of a period always counts
        return j - i, times.at(j - 1)

    def may_bind(self, times: list[float]) -> bool:
        """Whether a cap per period may keep one of ``times`` (sorted) from counting:
        ``max_per_day + 1`` of them fit in one day, or ``max_per_week + 1`` in one
        week. When not, neither cap binds on them, nor on any of them in a window."""
        day, week = self.per_day, self.per_week
        return (
            day is not None
            and len(times) > day
            and min(map(operator.sub, times[day:], times)) <= _LONGEST_DAY
        ) or (
            week is not None
            and len(times) > week
            and min(map(operator.sub, times[week:], times)) <= _LONGEST_WEEK
        )

    def _capped(self, times: Times, i: int, j: int) -> list[float]:
        """:meth:`_first_per_period` of positions ``i`` to ``j`` of ``times``, extending
        the last result where it read the same times from the same first one."""
        buf, first, end = times.span(i, j)
        memo = self._memo
        if memo is not None and memo[0] is buf and memo[1] == first and memo[2] <= end:
            done, kept, period = memo[2], memo[3], memo[4]
            if done < end:
                more, period = self._first_per_period(buf[done:end], period)
                kept = kept + more
        else:
            kept, period = self._first_per_period(buf[first:end], _START)
        self._memo = (buf, first, end, kept, period)
        return kept

    def _first_per_period(self, times: list[float], period: _Period) -> tuple[list[float], _Period]:
        """The first ``per_day`` of ``times`` (sorted) in each day, then the first
        ``per_week`` of those in each week, continuing from ``period`` (the day and week
        of the times before, and how many of those each counted); and the period after."""
        day_cap = math.inf if self.per_day is None else self.per_day
        week_cap = math.inf if self.per_week is None else self.per_week
        kept: list[float] = []
        current_day, current_week, in_day, in_week = period
        for t, day in zip(times, self.calendar.days(times), strict=True):
            if day != current_day:
                current_day, in_day = day, 0
                week = (day + 3) // 7  # week_of, inlined
                if week != current_week:
                    current_week, in_week = week, 0
            in_day += 1
            if in_day <= day_cap and in_week < week_cap:
                kept.append(t)
                in_week += 1
        return kept, (current_day, current_week, in_day, in_week)


# Where a capping pass stands: (day, week, events of that day, counted of that week).
_Period = tuple[int | None, int | None, int, int]
_START: _Period = (None, None, 0, 0)


class Sliding:
    """How many events a rule with :class:`Limits` counts as time moves forward, in O(1)
    per event: for the hot-crossing replay, which reads the count at every instant.

    Counted is ``min(max_per_week, sum over days of min(max_per_day, events of the
    day))`` summed over weeks, over the events in the window: which events of a period
    count does not change how many do. ``max_count`` is the caller's
    (:meth:`Engine.rule_value` applies it).
    """

    __slots__ = (
        "_days",
        "_limits",
        "_plain",
        "_time_days",
        "_times",
        "_weeks",
        "count",
        "window",
    )

    def __init__(self, limits: Limits, capped: bool | None = None) -> None:
        self._limits = limits
        self.window = limits.reach
        # Every event in the window counts: no cap per period, or (``capped`` False)
        # none that can bind on the events to come.
        self._plain = not (limits.capped if capped is None else capped)
        self._times: deque[float] = deque()
        self._time_days: deque[int] = deque()  # the day of each of _times, when capped
        self._days: dict[int, int] = {}
        self._weeks: dict[int, int] = {}
        self.count = 0

    def add(self, t: float, day: int | None = None) -> None:
        """Count an event at ``t`` (of local ``day``, found when not given), no earlier
        than those added before."""
        windowed = self.window != math.inf
        if windowed:
            self._times.append(t)
        if self._plain:
            self.count += 1
            return
        if day is None:
            day = self._limits.calendar.day(t)
        if windowed:
            self._time_days.append(day)
        self._change(day, 1)

    def due(self, now: float) -> bool:
        """Whether an event left the window at ``now``."""
        times = self._times
        return bool(times) and times[0] < now - self.window

    def due_at(self) -> float:
        """When the oldest event leaves the window (inf with none or no window)."""
        times = self._times
        return times[0] + self.window if times else math.inf

    def expire(self, now: float) -> None:
        """Drop the events that left the window at ``now``."""
        times = self._times
        low = now - self.window
        while times and times[0] < low:
            times.popleft()
            if self._plain:
                self.count -= 1
            else:
                self._change(self._time_days.popleft(), -1)

    def _change(self, day: int, sign: int) -> None:
        """Add (``sign`` 1) or remove (-1) an event of ``day`` from its day and week: it
        changes the count unless its day, then its week, was over the cap on both sides."""
        limits = self._limits
        cap = limits.per_day
        if cap is not None:
            days = self._days
            old = days.get(day, 0)
            days[day] = old + sign
            if old >= cap if sign > 0 else old > cap:
                return
        cap = limits.per_week
        if cap is not None:
            week = (day + 3) // 7  # week_of, inlined
            weeks = self._weeks
            old = weeks.get(week, 0)
            weeks[week] = old + sign
            if old >= cap if sign > 0 else old > cap:
                return
        self.count += sign


def limits_of(rule: ImplicitRule, calendar: Calendar) -> Limits | None:
    """The compiled limits of ``rule``; None when it has no window and no cap per period."""
    if rule.within_days is None and rule.max_per_day is None and rule.max_per_week is None:
        return None
    return Limits(rule, calendar)
