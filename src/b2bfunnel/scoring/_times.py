"""The sorted event times a per-event rule keeps, cheap to extend one event at a time."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator
from typing import Any

# Dead times kept before the live ones until the buffer is rebuilt: at least this
# many, and at least as many as are live, so rebuilding costs O(1) per event.
_SLACK = 64


class Times:
    """An immutable, sorted sequence of POSIX seconds.

    States are values: ingesting returns a new state and the old one is unchanged. A
    rule with ``expiry`` decay may keep thousands of times, and copying them on every
    event is quadratic. So each ``Times`` is a window ``[start, end)`` on a list that
    only ever grows at its end: adding a time at or after the last one appends to that
    list when nothing was appended after this window yet (O(1)), and copies otherwise
    (a late event, or a second branch grown from an older state). No window ever sees
    a value change.

    >>> a = Times.of([3.0, 1.0])
    >>> b = a.add(5.0)
    >>> a.values(), b.values()
    ((1.0, 3.0), (1.0, 3.0, 5.0))
    """

    __slots__ = ("_buf", "_end", "_start")

    def __init__(self, buf: list[float], start: int, end: int) -> None:
        self._buf = buf
        self._start = start
        self._end = end

    @classmethod
    def of(cls, values: Iterable[float]) -> Times:
        """Times holding ``values`` (any order)."""
        buf = sorted(values)
        return cls(buf, 0, len(buf))

    def values(self) -> tuple[float, ...]:
        """The times, oldest first."""
        return tuple(self._buf[self._start : self._end])

    def add(self, t: float, keep_from: float | None = None, keep_last: int | None = None) -> Times:
        """These times with ``t`` added, keeping only times ``>= keep_from`` and then at
        most the newest ``keep_last``."""
        buf, start, end = self._buf, self._start, self._end
        if start == end:
            buf, start, end = [t], 0, 1
        elif t >= buf[end - 1] and len(buf) == end:
            buf.append(t)
            end += 1
            if buf[end - 1] != t:  # another thread appended first: take a private copy
                buf, start, end = [*buf[start : end - 1], t], 0, end - start
        else:
            buf = buf[start:end]
            insort(buf, t)
            start, end = 0, len(buf)
        if keep_from is not None and buf[start] < keep_from:
            start = bisect_left(buf, keep_from, start, end)
        if keep_last is not None and end - start > keep_last:
            start = end - keep_last
        if start > _SLACK and start > end - start:
            buf, start, end = buf[start:end], 0, end - start
        return Times(buf, start, end)

    def window(self, low: float, high: float) -> tuple[int, int]:
        """Positions ``(i, j)`` such that :meth:`at` ``(i) .. at(j - 1)`` are the times
        in ``[low, high]``."""
        buf = self._buf
        return (
            bisect_left(buf, low, self._start, self._end) - self._start,
            bisect_right(buf, high, self._start, self._end) - self._start,
        )

    def tally(self, low: float, high: float) -> tuple[int, float] | None:
        """``(how many, the newest)`` of the times in ``[low, high]``; None when none is."""
        buf, start, j = self._buf, self._start, self._end
        if start == j:
            return None
        if buf[j - 1] > high:
            j = bisect_right(buf, high, start, j)
        # a batch record's times are all at or before as_of, and often all in the window
        i = start if buf[start] >= low else bisect_left(buf, low, start, j)
        return (j - i, buf[j - 1]) if i < j else None

    def after(self, t: float) -> Times:
        """These times, only those later than ``t``."""
        return Times(self._buf, bisect_right(self._buf, t, self._start, self._end), self._end)

    def slice(self, i: int, j: int) -> list[float]:
        """The times at positions ``i`` to ``j - 1``, oldest first."""
        return self._buf[self._start + i : self._start + j]

    def span(self, i: int, j: int) -> tuple[list[float], int, int]:
        """Positions ``i`` to ``j`` as ``(list, first, end)`` on the growing list behind
        these times, whose values there never change: a key for a reader that caches
        what it computed from them."""
        return self._buf, self._start + i, self._start + j

    def newest(self) -> float:
        """The newest time (the times must not be empty)."""
        return self._buf[self._end - 1]

    def at(self, index: int) -> float:
        """The ``index``-th time, oldest first."""
        return self._buf[self._start + index]

    def __len__(self) -> int:
        return self._end - self._start

    def __iter__(self) -> Iterator[float]:
        return iter(self._buf[self._start : self._end])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Times):
            return NotImplemented
        return self.values() == other.values()

    def __hash__(self) -> int:
        return hash(self.values())

    def __repr__(self) -> str:
        return f"Times({list(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle only the window, not the shared list around it.
        return (Times.of, (self.values(),))


EMPTY_TIMES = Times([], 0, 0)
