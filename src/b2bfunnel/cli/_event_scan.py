"""Reading an events file and ranking the leads as ``b2bfunnel score`` does, in parts.

Scoring reads of most rows only their lead's first and last time, so :func:`rank_events`
keeps just those per lead, plus the rows a rule counts. A big quote-free file is cut at
line breaks into spans (:meth:`b2bfunnel.tables.Table.spans`); forked processes read
all spans but the first while this one reads the first, and send back what they found,
merged here in file order. Then :func:`rank_events` splits the leads into shares, each
scored by :meth:`ScoringModel._rank_cells` in a process of its own, and merges the
rankings. A process that fails sends nothing and its work is done here: the result,
bad rows and errors are those of doing it all in one process.
"""

from __future__ import annotations

import gc
import heapq
import math
import os
import pickle
import signal
import sys
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from functools import partial
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from .._time import MAX_TS, MIN_TS
from ..errors import InvalidInputError
from ..scoring import Score, ScoringModel
from ..tables import Table
from ._tables import (
    NO_PROPERTIES,
    EventTally,
    Reading,
    count_names,
    empty_cell,
    event_of,
    open_events,
    properties_of,
    resolve_name,
)

# Below this many bytes of rows a file is read in one piece: a fork and the merge cost
# more than half the reading saves.
PARALLEL_BYTES = 8 << 20
# This process's share of the rows to read and the leads to score, against 1 for each
# forked process: it need not pickle and send its results, only load a forked one's.
FIRST_WEIGHT = 1.15
# At most this many processes, whatever --jobs says.
MAX_JOBS = 64
_PR_SET_PDEATHSIG = 1

EventCells = tuple[str, str, float, Mapping[str, str] | None]
T = TypeVar("T")


def _same(score: Score) -> Score:
    return score


def parts_for(table: Table, jobs: int | None) -> int:
    """How many processes read ``table``: ``jobs`` if given (at most ``MAX_JOBS``), else
    two for a big plain file when two processors are free. One whenever forking is
    unsafe: not Linux, a table that is not plain, or other threads running."""
    if not table.plain or not forking_is_safe():
        return 1
    if jobs is not None:
        return max(1, min(jobs, MAX_JOBS))
    if table.size - table.data_start < PARALLEL_BYTES:
        return 1
    return min(2, len(os.sched_getaffinity(0)))


def forking_is_safe() -> bool:
    """Whether this process may fork: it runs Linux (where a child can be made to die
    with its parent) and no other thread (whose locks a child would inherit held)."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


class _Part:
    """What one process found in its span: per lead position the first and last time
    of the rows given at the end, the counted rows as :meth:`ScoringModel._rank_cells`
    reads them (a list per share of the leads), the rows per CRM name (see
    :func:`resolve_name`), the rows of unknown leads, and the bad rows as ``(message,
    path)``."""

    def __init__(self, leads: int, shares: int) -> None:
        self.firsts = array("d", [math.inf]) * leads
        self.lasts = array("d", [-math.inf]) * leads
        self.counted: list[list[EventCells]] = [[] for _ in range(shares)]
        self.resolved: dict[str, list[Any]] = {}
        self.unknown = 0
        self.problems: list[tuple[str, str]] = []

    def merge(self, other: _Part) -> None:
        """Add ``other``, the part of a later span."""
        self.firsts = array("d", map(min, self.firsts, other.firsts))
        self.lasts = array("d", map(max, self.lasts, other.lasts))
        for mine, theirs in zip(self.counted, other.counted, strict=True):
            mine.extend(theirs)
        for name, found in other.resolved.items():
            mine = self.resolved.setdefault(name, found)
            if mine is not found:
                mine[2] += found[2]
        self.unknown += other.unknown


class _Scan:
    """Reads spans of one events table into :class:`_Part` values."""

    def __init__(
        self,
        path: Path,
        reading: Reading,
        ids: list[str],
        name_of: Callable[[str], str],
        needs: Callable[[str], bool],
        needs_properties: Callable[[str], bool],
        until: float,
    ) -> None:
        self.path, self.reading = path, reading
        # Keyed by fresh copies of the ids, made one after another: the look-up of every
        # row then compares against strings packed together in memory rather than spread
        # among the profiles (measured: a third less time for the look-ups).
        self.leads = {(lead_id + " ")[:-1]: n for n, lead_id in enumerate(ids)}
        # The ids as the profiles hold them, by position: scoring finds a lead's record
        # faster by the very string its profile holds.
        self.ids = ids
        self.share(1)
        self.name_of, self.needs, self.needs_properties = name_of, needs, needs_properties
        self.bound = min(until, MAX_TS)
        self.table, self.columns, self.others = open_events(path, reading)

    def share(self, shares: int) -> None:
        """Score the leads in ``shares`` (see :func:`rank_events`): positions ``cuts[k]``
        to ``cuts[k + 1]`` are share ``k``, this process's own share 0."""
        self.cuts = _cuts(len(self.ids), shares)
        self.share_of = array("B")
        for k, (lo, hi) in enumerate(pairwise(self.cuts)):
            self.share_of.extend(bytes([k]) * (hi - lo))

    def read(self, span: tuple[int, int] | None) -> _Part:
        """The part of ``span`` (``None``: the whole file); bad rows go to the reading."""
        part = _Part(len(self.ids), len(self.cuts) - 1)
        reading, path, table, others = self.reading, self.path, self.table, self.others
        at_lead, at_name, at_at = self.columns
        fromisoformat = datetime.fromisoformat
        leads, position, ids, share_of = self.leads, self.leads.get, self.ids, self.share_of
        firsts, lasts, counted, resolved = part.firsts, part.lasts, part.counted, part.resolved
        name_of, needs, needs_properties = self.name_of, self.needs, self.needs_properties
        bound, swap = self.bound, table.decimal == ","
        unknown = 0
        for line, cells in table.cells(span):
            # The row check of _tables.event_row, inlined: a call per row costs 5% of
            # this loop on 2,000,000 rows.
            try:
                lead_id, name, text = (cells[at_lead].strip(), cells[at_name].strip(),
                                       cells[at_at].strip())  # fmt: skip
            except IndexError:
                lead_id = name = text = ""
            if not (lead_id and name and text):
                empty_cell(reading, path, line, lead_id, name)
                continue
            try:
                at = fromisoformat(text)
                if at.tzinfo is None:
                    raise ValueError(text)
            except ValueError:
                parsed = reading.time(text, f"{path}:{line}:at")
                if parsed is None:
                    continue
                at = parsed
            found = resolved.get(name) or resolve_name(
                resolved, name, name_of, needs, needs_properties
            )
            ts = at.timestamp()
            if not MIN_TS <= ts <= bound:
                if ts > MAX_TS or ts < MIN_TS:  # the event refuses it, with its line
                    event_of(reading, path, line, lead_id, found[0], at, cells, others, swap)
                    continue
                found[2] += 1  # after ``until``: counted, not scored
                unknown += lead_id not in leads
                continue
            found[2] += 1
            n = position(lead_id)
            if n is None:
                unknown += 1
            elif found[1]:
                properties = properties_of(cells, others, swap) if found[3] else NO_PROPERTIES
                counted[share_of[n]].append((ids[n], found[0], ts, properties))
            else:
                if ts < firsts[n]:
                    firsts[n] = ts
                if ts > lasts[n]:
                    lasts[n] = ts
        part.unknown = unknown
        return part

    def cells(self, part: _Part, share: int | None = None) -> Iterator[EventCells]:
        """``part``'s events of the leads of ``share`` (``None``: all) as
        :meth:`ScoringModel._rank_cells` reads them: the counted rows, then each lead's
        first and last time. The counted rows are dropped from ``part`` once given: the
        scores built next need their memory."""
        shares = range(len(part.counted)) if share is None else [share]
        for k in shares:
            yield from part.counted[k]
            part.counted[k] = []
        lo, hi = (0, len(self.ids)) if share is None else self.cuts[share : share + 2]
        for lead_id, first, last in zip(
            self.ids[lo:hi], part.firsts[lo:hi], part.lasts[lo:hi], strict=True
        ):
            if first <= last:
                yield lead_id, "", first, None
                if first < last:
                    yield lead_id, "", last, None

    def profiles(self, profiles: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
        """``profiles`` (with this scan's ids) in their shares."""
        shares: list[list[Mapping[str, Any]]] = [[] for _ in range(len(self.cuts) - 1)]
        share_of, position = self.share_of, self.leads.__getitem__
        for profile in profiles:
            shares[share_of[position(profile["id"])]].append(profile)
        return shares

    def read_apart(self, span: tuple[int, int]) -> _Part:
        """The part of ``span``, its bad rows kept in it rather than in the reading: for
        a forked process to send back."""
        before = len(self.reading.bad.problems)
        self.table.on_progress = None  # the first span's process shows the progress
        part = self.read(span)
        part.problems = [(p.message, p.path) for p in self.reading.bad.problems[before:]]
        return part


class _Forked:
    """A forked process computing ``work()``, its pickled result read back through a
    pipe; ``result()`` is ``None`` if it failed, or could not even start (no file
    descriptor or process left): the caller then does the work itself. The child dies
    with this process, ignores the garbage collector (it would copy every page it
    touches) and leaves with ``os._exit``, never returning into the caller."""

    def __init__(self, work: Callable[[], Any]) -> None:
        self.pid: int | None = None
        self.handle: BinaryIO | None = None
        parent = os.getpid()
        try:
            read_end, write_end = os.pipe()
        except OSError:
            return
        try:
            pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return
        if pid == 0:  # pragma: no cover - runs in the child; its result is tested
            status = 1
            try:
                os.close(read_end)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _die_with(parent)
                gc.disable()
                payload = pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write_end, "wb") as out:
                    out.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write_end)
        self.pid, self.handle = pid, os.fdopen(read_end, "rb")

    def result(self) -> Any:
        """The child's result, or ``None`` if it failed; waits for it."""
        if self.pid is None or self.handle is None:
            return None
        with self.handle:  # closing a file twice (here, then in stop) is harmless
            payload = self.handle.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        if status != 0 or not payload:
            return None
        return pickle.loads(payload)

    def stop(self) -> None:
        """End the child if it is still running (the caller gave up)."""
        pid, self.pid = self.pid, None
        try:
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
        finally:
            if self.handle is not None:
                self.handle.close()


def _die_with(parent: int) -> None:
    """Have the kernel kill this forked process when ``parent`` ends, however it ends
    (Linux's ``PR_SET_PDEATHSIG``), and end now if it already has."""
    import ctypes  # here: only a forked process needs it

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _stop_all(helpers: Sequence[_Forked]) -> None:
    """Stop every helper, even if stopping one fails."""
    for helper in helpers:
        try:
            helper.stop()
        except OSError:
            continue


def rank_events(
    path: Path,
    reading: Reading,
    model: ScoringModel,
    name_of: Callable[[str], str],
    tally: EventTally,
    profiles: Sequence[Mapping[str, Any]],
    as_of: datetime,
    jobs: int | None = 1,
    digest: Callable[[Score], T] = _same,  # type: ignore[assignment]
) -> list[T]:
    """``digest`` of each score of ``model._rank_cells`` of ``profiles`` and the events
    of the CSV file at ``path``, best first, with ``jobs`` processes (see
    :func:`parts_for`) reading the file, then scoring a share of the leads each.

    ``_rank_cells`` is given of each row only what it reads: the rows a rule counts
    (their properties only if a rule filters on them, see
    :meth:`ScoringModel._needs_properties`), and of every other row just its lead's
    first and last time, kept per lead: most rows of an export are page views and email
    opens. Rows after ``as_of`` are checked and counted but not scored; every row is
    checked the same either way, bad ones going to ``reading``. ``tally`` (whose ids are
    those of ``profiles``) counts the rows per name and of unknown leads. A forked
    process sends back only the digests (what the output needs), not the scores: far
    less to pickle."""
    scan = _Scan(path, reading, list(tally.ids), name_of, model._needs_event,
                 model._needs_properties, as_of.timestamp())  # fmt: skip
    parts = parts_for(scan.table, jobs)
    scan.share(min(parts, max(1, len(scan.ids))))  # no process without a lead to score
    part = _read_in_parts(scan, parts)
    count_names(tally, part.unknown, part.resolved)
    shares = scan.profiles(profiles)
    scan.leads = {}  # the look-up of every row is done: scoring wants its memory
    if len(shares) == 1:
        return [
            digest(score) for score in model._rank_cells(profiles, scan.cells(part), as_of=as_of)
        ]

    def rank(share: int) -> list[tuple[tuple[float, str], T]]:
        ranking = model._rank_cells(shares[share], scan.cells(part, share), as_of=as_of)
        return [((-score.total, score.lead_id), digest(score)) for score in ranking]

    helpers: list[_Forked] = []
    try:
        helpers = [_Forked(partial(rank, share)) for share in range(1, len(shares))]
        rankings = [rank(0)]
        for share, helper in enumerate(helpers, start=1):
            ranking = helper.result()
            rankings.append(ranking if ranking is not None else rank_here(rank, share))
    finally:
        _stop_all(helpers)
    return [value for _, value in heapq.merge(*rankings, key=itemgetter(0))]


def rank_here(rank: Callable[[int], list[Any]], share: int) -> list[Any]:
    """Score a share whose process failed, in this process."""
    return rank(share)


def _cuts(total: int, parts: int) -> list[int]:
    """Where to cut ``total`` (leads, bytes) into ``parts``: the first part, this
    process's, ``FIRST_WEIGHT`` times the size of each other one."""
    whole = FIRST_WEIGHT + parts - 1
    inner = [round(total * (FIRST_WEIGHT + k - 1) / whole) for k in range(1, parts)]
    return [0, *inner, total]


def _weighted_spans(table: Table, parts: int) -> list[tuple[int, int]]:
    """``table``'s rows in ``parts`` spans cut at line breaks as :func:`_cuts` says,
    near enough: the next cut of 32 times as many equal spans."""
    fine = table.spans(parts * 32)
    start, end = fine[0][0], fine[-1][1]
    cuts = [start]
    for target in _cuts(end - start, parts)[1:-1]:
        at = next((lo for lo, _ in fine if lo >= start + target), end)
        if cuts[-1] < at < end:
            cuts.append(at)
    cuts.append(end)
    return list(pairwise(cuts))


def _read_in_parts(scan: _Scan, parts: int) -> _Part:
    """The whole file's part, its spans after the first read by forked processes."""
    if parts <= 1:
        return scan.read(None)
    spans = _weighted_spans(scan.table, parts)
    table = scan.table
    progress, every = table.on_progress, table.progress_every
    if progress is not None and len(spans) > 1:
        # Spans are read at one pace: the first one's rows scaled to the whole file's
        # bytes, shown as often as one process would show them.
        scale = (spans[-1][1] - spans[0][0]) / max(1, spans[0][1] - spans[0][0])
        table.on_progress = lambda rows: progress(round(rows * scale))
        table.progress_every = max(1, round(every / scale))
    helpers: list[_Forked] = []
    try:
        for span in spans[1:]:
            helpers.append(_Forked(partial(scan.read_apart, span)))
        whole = scan.read(spans[0])
        for helper, span in zip(helpers, spans[1:], strict=True):
            whole.merge(_part_of(scan, helper, span))
        return whole
    finally:
        table.on_progress, table.progress_every = progress, every
        _stop_all(helpers)


def _part_of(scan: _Scan, helper: _Forked, span: tuple[int, int]) -> _Part:
    """The part a forked process read, its bad rows added to the reading; the span read
    here if the process failed (so an error raised reading it is raised here)."""
    part: _Part | None = helper.result()
    if part is None:
        return read_here(scan, span)
    for message, where in part.problems:
        scan.reading.bad.add(InvalidInputError(message, path=where))
    return part


def read_here(scan: _Scan, span: tuple[int, int]) -> _Part:
    """Read a span whose process failed, in this process."""
    return scan.read(span)
