"""Contact pressure: how often one lead may be sent something, across all its flows.

A limit is ``max_sends`` (at most ``count`` sends in any window of ``per_days`` days of
exact time) and ``min_gap_hours`` (between two sends). A send that would break it is
postponed to the first instant that keeps it (see :func:`first_allowed`), never
dropped. :class:`Pressure` is the lead's send times a host keeps between calls."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from .._config import Reader, join
from .._display import Displayed
from .._time import require_aware
from ..errors import InvalidInputError
from ._definition import MaxSends, SendWindow
from ._schedule import in_window
from ._state import Action

PRESSURE_KEYS = ("max_sends", "min_gap_hours")
MAX_SENDS_KEYS = ("per_days", "count")
PRESSURE_VERSION = 1


def _is_send(kind: str) -> bool:
    return kind.startswith("send")


@attrs.frozen(repr=False)
class Pressure(Displayed):
    """The times a lead was (or will be) sent something, across all flows, each with
    the idempotency key of its action: the value a host keeps per lead and hands to
    ``handle``, ``advance`` and ``replay`` as ``pressure=``. Merging is a union by key
    (associative, commutative, idempotent); ``to_dict``/``from_dict`` round-trip."""

    sends: tuple[tuple[datetime, str], ...] = ()

    @classmethod
    def of(cls, times: Iterable[datetime]) -> Pressure:
        """A pressure from plain send times (each its own send)."""
        at = sorted(_times(times, "times"))
        return cls(tuple((t, f"#{i}:{t.isoformat()}") for i, t in enumerate(at)))

    def record(self, actions: Iterable[Action]) -> Pressure:
        """This pressure with the send actions among ``actions`` added (by key: an
        action recorded twice counts once)."""
        new = []
        for index, action in enumerate(actions):
            if not isinstance(action, Action):
                raise InvalidInputError(
                    f"expected an Action, got {type(action).__name__}", path=f"actions[{index}]"
                )
            if _is_send(action.kind):
                new.append((action.at, action.idempotency_key))
        return self.merge(Pressure(tuple(new))) if new else self

    def merge(self, other: Pressure) -> Pressure:
        """The union of two pressures by key."""
        if not isinstance(other, Pressure):
            raise InvalidInputError(
                f"expected a Pressure, got {type(other).__name__}", path="other"
            )
        keyed = {key: at for at, key in self.sends}
        keyed.update({key: at for at, key in other.sends})
        return Pressure(tuple(sorted((at, key) for key, at in keyed.items())))

    def since(self, at: datetime) -> Pressure:
        """Only the sends at or after ``at``: older ones no longer limit anything once
        ``at`` is a window (and a gap) behind every time still to be scheduled."""
        at = require_aware(at, "at")
        return Pressure(tuple(send for send in self.sends if send[0] >= at))

    @property
    def times(self) -> tuple[datetime, ...]:
        """The send times, in order."""
        return tuple(at for at, _ in self.sends)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data: ``{"v": 1, "sends": [[ISO time, key], ...]}``."""
        return {
            "v": PRESSURE_VERSION,
            "sends": [[at.astimezone(UTC).isoformat(), key] for at, key in self.sends],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Pressure:
        """Restore a pressure saved with :meth:`to_dict`."""
        if not isinstance(data, Mapping) or data.get("v") != PRESSURE_VERSION:
            raise InvalidInputError(
                f"expected pressure data of version {PRESSURE_VERSION}", path="pressure.v"
            )
        sends = data.get("sends")
        if not isinstance(sends, list):
            raise InvalidInputError("expected a list of [time, key]", path="pressure.sends")
        out = []
        for index, item in enumerate(sends):
            where = f"pressure.sends[{index}]"
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[1], str)):
                raise InvalidInputError("expected [ISO time, key]", path=where)
            try:
                at = datetime.fromisoformat(item[0]) if isinstance(item[0], str) else None
            except ValueError:
                at = None
            if at is None or at.tzinfo is None:
                raise InvalidInputError(
                    f"expected an ISO time with offset, got {item[0]!r}", path=where
                )
            out.append((at.astimezone(UTC), item[1]))
        return cls(tuple(sorted(out)))


def _times(values: Iterable[datetime], path: str) -> list[datetime]:
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidInputError(f"expected send times, got {type(values).__name__}", path=path)
    out = []
    for index, value in enumerate(values):
        at = require_aware(value, f"{path}[{index}]")
        out.append(at if at.tzinfo is UTC else at.astimezone(UTC))
    return out


def send_times(pressure: Pressure | Iterable[datetime] | None) -> list[datetime] | None:
    """The sorted send times of ``pressure=`` (None stays None)."""
    if pressure is None:
        return None
    if isinstance(pressure, Pressure):
        return list(pressure.times)
    return sorted(_times(pressure, "pressure"))


class Limit:
    """A flow's limit, ready to check: the window span and count, and the gap."""

    __slots__ = ("count", "gap", "span")

    def __init__(self, max_sends: MaxSends | None, min_gap_hours: float | None) -> None:
        self.span = None if max_sends is None else timedelta(days=max_sends.per_days)
        self.count = 0 if max_sends is None else max_sends.count
        self.gap = None if not min_gap_hours else timedelta(hours=min_gap_hours)

    def first_allowed(self, sends: list[datetime], at: datetime) -> datetime:
        """The first instant from ``at`` at which one more send keeps the limit, given
        the (sorted) ``sends``: no two sends closer than the gap, and no ``count + 1``
        sends within less than the window's span."""
        for _ in range(10_000):  # each pass moves ``at`` later, past a send, or stops
            moved = at
            if self.gap is not None:
                low, high = bisect_right(sends, at - self.gap), bisect_left(sends, at + self.gap)
                if low < high:
                    moved = max(moved, sends[high - 1] + self.gap)
            if self.span is not None:
                moved = max(moved, self._past_window(sends, at))
            if moved == at:
                return at
            at = moved
        return at

    def when_allowed(
        self, sends: list[datetime], at: datetime, window: SendWindow | None, zone: str | None
    ) -> datetime:
        """The first instant from ``at`` that keeps the limit and, once moved, is inside
        the send ``window`` (in the lead's ``zone``)."""
        for _ in range(1_000):  # each pass moves later; the window and limit agree soon
            moved = self.first_allowed(sends, at)
            if moved != at and window is not None:
                moved = in_window(moved, window, zone)
            if moved == at:
                break
            at = moved
        return at

    def _past_window(self, sends: list[datetime], at: datetime) -> datetime:
        """``at``, or the earliest escape from a group of ``count`` sends that would
        be in one window with it: its first send plus the span."""
        span, count = self.span, self.count
        assert span is not None
        near = sends[bisect_right(sends, at - span) : bisect_left(sends, at + span)]
        for index in range(len(near) - count + 1):
            first, last = near[index], near[index + count - 1]
            if max(last, at) - min(first, at) < span:
                return first + span
        return at


def add_send(sends: list[datetime], at: datetime) -> None:
    """Record a send made during a call."""
    insort(sends, at)


def read_limits(table: Mapping[str, Any], path: str, reader: Reader) -> dict[str, Any]:
    """``max_sends`` and ``min_gap_hours`` of a flow or of ``[pressure]`` (None when
    not given)."""
    max_sends = None
    if "max_sends" in table:
        at = join(path, "max_sends")
        limit = reader.table(table["max_sends"], at, MAX_SENDS_KEYS, required=MAX_SENDS_KEYS)
        if limit is not None and set(MAX_SENDS_KEYS) <= set(limit):
            days = reader.number(limit["per_days"], join(at, "per_days"), exclusive_minimum=0)
            count = reader.number(limit["count"], join(at, "count"), minimum=1, integer=True)
            if days is not None and not (math.isfinite(days) and days <= 36_600):
                reader.error(join(at, "per_days"), "expected at most 36600 days")
            elif days is not None and count is not None:
                max_sends = MaxSends(float(days), int(count))
    gap = None
    if "min_gap_hours" in table:
        hours = reader.number(table["min_gap_hours"], join(path, "min_gap_hours"), minimum=0)
        if hours is not None and not (math.isfinite(hours) and hours <= 878_400):
            reader.error(join(path, "min_gap_hours"), "expected at most 878400 hours")
        elif hours is not None:
            gap = float(hours)
    return {"max_sends": max_sends, "min_gap_hours": gap}


def read_pressure(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """A funnel's ``[pressure]`` section: the limit every flow without its own keeps."""
    table = reader.table(data, path, PRESSURE_KEYS)
    return None if table is None else read_limits(table, path, reader)
