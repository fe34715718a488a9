"""Reading an events file as ``b2bfunnel score`` does, then ranking the leads.

Scoring reads of most rows only their lead's first and last time, so reading a span of
the file (:func:`read_span`) keeps per lead just those, plus the rows a rule counts,
the rows per CRM name and of unknown leads, and the bad rows: a :class:`Part`. Parts
merge: a big quote-free file is cut at line breaks into one span per process, each read
by a worker of a process pool (:mod:`._pool`) that opens the file itself, and the
parts are merged here in file order, which gives exactly what reading the whole file
in one process gives. The leads are then cut into as many shares, one scored here and
the others by workers, and the rankings merged.
"""

from __future__ import annotations

import copy
import heapq
import math
import os
import sys
from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from .._time import MAX_TS, MIN_TS
from ..errors import InvalidInputError
from ..scoring import Score, ScoringModel
from ..tables import BadRows, Table
from ._pool import warm_up, worker_pool
from ._tables import (
    NO_PROPERTIES,
    EventTally,
    Reading,
    ResolvedName,
    count_names,
    event_of,
    event_row,
    is_salesforce_length,
    open_events,
    properties_of,
    resolve_name,
    rows_read,
)

# Below this many bytes of rows a file is read in one process: starting workers and
# merging their parts cost more than half the reading saves.
PARALLEL_BYTES = 8 << 20
# At most this many processes, whatever --jobs says.
MAX_JOBS = 64

EventCells = tuple[str, str, float, Mapping[str, str] | None]
T = TypeVar("T")


def parts_for(table: Table, jobs: int | None) -> int:
    """How many processes read ``table``: ``jobs`` if given (at most ``MAX_JOBS``), else
    two for a big quote-free file when two processors are free. One for a table with
    quotes, whose rows cannot be found from a byte offset."""
    if not table.plain:
        return 1
    if jobs is not None:
        return max(1, min(jobs, MAX_JOBS))
    if table.size - table.data_start < PARALLEL_BYTES:
        return 1
    return min(2, _processors())


def may_use_workers(path: Path, jobs: int | None) -> bool:
    """Whether reading the events file at ``path`` may start workers (judged by its
    size alone, before it is opened): then :func:`warm_up` them early."""
    if jobs is not None:
        return jobs > 1
    try:
        return os.stat(path).st_size >= PARALLEL_BYTES and _processors() > 1
    except OSError:
        return False


def warm_up_workers() -> None:
    """Get the workers' process server started, while this process reads the leads."""
    warm_up([__name__])


def _processors() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1  # pragma: no cover - systems without affinity


class Task(NamedTuple):
    """What a process needs to read a span of an events table: the table and how the
    run reads it, the positions of the lead, name and time columns and the other
    columns, the model's name of a CRM's event name, the model (which names it counts
    and reads the properties of), the last time scored, the ids of the leads and in how
    many shares they are scored, the byte span (``None``: the whole table) and, for the
    process that shows the progress line, how many times the span's rows the whole
    file's are (else 0)."""

    table: Table
    reading: Reading
    columns: tuple[int, int, int]
    others: list[tuple[int, str]]
    names: Callable[[str], str]
    model: ScoringModel
    until: float
    ids: Sequence[str]
    shares: int = 1
    span: tuple[int, int] | None = None
    progress: float = 0.0


def share_cuts(leads: int, shares: int) -> list[int]:
    """Where the shares of ``leads`` start, and the end: share ``k`` holds the positions
    ``n`` with ``n * shares // leads == k``."""
    return [-(-leads * k // shares) for k in range(shares + 1)]


class Rows:
    """Rows a rule counts, in file order, a column each (cheap to pickle, and a quarter
    of the memory of a tuple per row): the lead's position among the ids, the model's
    name of the event, its POSIX time and its properties."""

    __slots__ = ("leads", "names", "properties", "times")

    def __init__(self) -> None:
        self.leads = array("I")
        self.names: list[str] = []
        self.times = array("d")
        self.properties: list[Mapping[str, str]] = []

    def extend(self, other: Rows) -> None:
        """Add ``other``'s rows after these."""
        self.leads.extend(other.leads)
        self.names.extend(other.names)
        self.times.extend(other.times)
        self.properties.extend(other.properties)

    def cells(self, ids: Sequence[str]) -> Iterator[EventCells]:
        """The rows as :meth:`ScoringModel._rank_cells` reads them."""
        leads = map(ids.__getitem__, self.leads)
        return zip(leads, self.names, self.times, self.properties, strict=True)


class Part:
    """What reading a span found: per lead (by position in the task's ids) the first
    and last time of its rows that no rule counts (``inf`` and ``-inf`` if none); the
    rows a rule counts (:class:`Rows`) per share of the leads; the rows per CRM name
    (``[model name, counted by a rule, rows, properties read]``, see
    :func:`resolve_name`); the rows of leads not
    among the ids; the bad rows, in file order. Parts of successive spans merge
    (:meth:`merge`) into the part of the whole."""

    def __init__(self, leads: int, shares: int) -> None:
        self.firsts = array("d", [math.inf]) * leads
        self.lasts = array("d", [-math.inf]) * leads
        self.counted = [Rows() for _ in range(shares)]
        self.resolved: dict[str, ResolvedName] = {}
        self.unknown = 0
        self.strangers: set[str] = set()
        self.problems: list[InvalidInputError] = []

    def merge(self, other: Part) -> None:
        """Add ``other``, the part of a later span."""
        self.firsts = array("d", map(min, self.firsts, other.firsts))
        self.lasts = array("d", map(max, self.lasts, other.lasts))
        for rows, later in zip(self.counted, other.counted, strict=True):
            rows.extend(later)
        for name, found in other.resolved.items():
            mine = self.resolved.setdefault(name, found)
            if mine is not found:
                mine.count += found.count
        self.unknown += other.unknown
        self.strangers |= other.strangers
        self.problems.extend(other.problems)


# long: one loop over millions of rows, with everything it calls per row bound to a local
# name or inlined beforehand.
def read_span(task: Task) -> Part:
    """The :class:`Part` of ``task``'s span: in this process, or in a worker."""
    ids = task.ids
    part = Part(len(ids), task.shares)
    firsts, lasts, counted, resolved = part.firsts, part.lasts, part.counted, part.resolved
    reading, table = copy.copy(task.reading), copy.copy(task.table)
    reading.bad = table.bad = BadRows()
    if task.progress:
        _show_progress(table, task.progress)
    path, others = table.path, task.others
    at_lead, at_name, at_at = task.columns
    fromisoformat = datetime.fromisoformat
    # Keyed by fresh copies of the ids, made one after another: the look-up of every
    # row then compares against strings packed together in memory rather than spread
    # among the profiles (measured: a third less time for the look-ups).
    position = {(lead_id + " ")[:-1]: n for n, lead_id in enumerate(ids)}.get
    share_of = array("B")
    for k, (lo, hi) in enumerate(pairwise(share_cuts(len(ids), task.shares))):
        share_of.extend(bytes([k]) * (hi - lo))
    names, model = task.names, task.model
    needs, needs_properties = model._needs_event, model._needs_properties
    bound, swap = min(task.until, MAX_TS), table.decimal == ","
    adds = [(r.leads.append, r.names.append, r.times.append, r.properties.append)
            for r in counted]  # fmt: skip
    unknown, strangers = 0, part.strangers
    for line, cells in table._cells(task.span):
        # The quick way of event_row, inlined (a call per row costs 5% of this loop on
        # 2,000,000 rows); any other row goes through event_row, and so through the one
        # reading of an event's cells every channel shares (same refusals).
        try:
            lead_id, name, text = (cells[at_lead].strip(), cells[at_name].strip(),
                                   cells[at_at].strip())  # fmt: skip
            at = fromisoformat(text)
            if at.tzinfo is None or not lead_id or not name:
                raise ValueError(text)
        except (IndexError, ValueError):
            row = event_row(reading, path, line, cells, at_lead, at_name, at_at)
            if row is None:
                continue
            lead_id, name, at = row
        found = resolved.get(name) or resolve_name(resolved, name, names, needs, needs_properties)
        ts = at.timestamp()
        if not MIN_TS <= ts <= bound:
            if ts > MAX_TS or ts < MIN_TS:  # the event refuses it, with its line
                event_of(reading, path, line, lead_id, found.model_name, at, cells, others, swap)
                continue
            found.count += 1  # after ``until``: counted, not scored
            if position(lead_id) is None:
                unknown += 1
                if is_salesforce_length(lead_id):
                    strangers.add(lead_id)
            continue
        found.count += 1
        n = position(lead_id)
        if n is None:
            unknown += 1
            if is_salesforce_length(lead_id):
                strangers.add(lead_id)
        elif found.built:
            add_lead, add_name, add_time, add_properties = adds[share_of[n]]
            add_lead(n)
            add_name(found.model_name)
            add_time(ts)
            add_properties(
                properties_of(cells, others, swap) if found.reads_properties else NO_PROPERTIES
            )
        else:
            if ts < firsts[n]:
                firsts[n] = ts
            if ts > lasts[n]:
                lasts[n] = ts
    part.unknown = unknown
    part.problems = reading.bad.problems
    return part


def _show_progress(table: Table, scale: float) -> None:
    """Show the progress line from a worker reading the first span, its rows scaled to
    the whole file's, as often as one process reading the whole file would."""
    line = rows_read(table.path.name, sys.stderr)
    table.on_progress = lambda rows: line(round(rows * scale))
    table.progress_every = max(1, round(table.progress_every / scale))


def _same(score: Score) -> Score:
    return score


def rank_events(
    path: Path,
    reading: Reading,
    model: ScoringModel,
    names: Callable[[str], str],
    tally: EventTally,
    profiles: Sequence[Mapping[str, Any]],
    as_of: datetime,
    jobs: int | None = 1,
    digest: Callable[[Score], T] = _same,  # type: ignore[assignment]
    by: str | None = None,
) -> list[T]:
    """``digest`` of each score of ``model._rank_cells`` of ``profiles`` and the events
    of the CSV file at ``path``, best first, with ``jobs`` processes (see
    :func:`parts_for`) reading the file, then scoring a share of the leads each.

    ``_rank_cells`` is given of each row only what it reads: the rows a rule counts
    (their properties only if a rule filters on them, see
    :meth:`ScoringModel._needs_properties`), and of every other row just its lead's
    first and last time, kept per lead: most rows of an export are page views and email
    opens. Rows after ``as_of`` are checked and counted but not scored; every row is
    checked the same either way, bad ones going to ``reading``. ``names`` gives the
    model's name of a CRM's event name; ``tally`` counts the rows per name and of leads
    not in ``profiles``. ``names`` and ``digest`` must pickle, to reach a worker, which
    sends back only the digests (what the output needs): far less to pickle. ``by``
    ranks by that named score of the model."""
    table, columns, others = open_events(path, reading)
    ids = [profile["id"] for profile in profiles]
    task = Task(table, reading, columns, others, names, model, as_of.timestamp(), ids)
    tasks = spans_of(task, parts_for(table, jobs))
    if len(tasks) == 1:
        whole = read_span(task)
        _take(whole, reading, tally)
        share = _Share(model, profiles, ids, whole.counted[0], whole.firsts, whole.lasts)
        return rank_share(share, as_of, digest, keyed=False, by=by)
    shares = max(1, min(len(tasks), len(ids)))  # no share without a lead
    with worker_pool(len(tasks), preload=[__name__]) as pool:
        parts = [pool.submit(read_span, one._replace(shares=shares)) for one in tasks]
        # In file order: the first error is raised, as one process would raise it.
        whole = parts[0].result()
        for later in parts[1:]:
            whole.merge(later.result())
        del parts
        _take(whole, reading, tally)
        cuts = share_cuts(len(ids), shares)
        each = [
            _Share(model, profiles[lo:hi], ids, whole.counted[k], whole.firsts[lo:hi],
                   whole.lasts[lo:hi])
            for k, (lo, hi) in enumerate(pairwise(cuts))
        ]  # fmt: skip
        sent = [pool.submit(rank_share, share, as_of, digest, by=by) for share in each[1:]]
        rankings = [rank_share(each[0], as_of, digest, by=by), *(f.result() for f in sent)]
    return [value for _, value in heapq.merge(*rankings, key=itemgetter(0))]


def _take(whole: Part, reading: Reading, tally: EventTally) -> None:
    """Put the whole file's bad rows in ``reading`` and its counts in ``tally``."""
    for problem in whole.problems:
        reading.bad.add(problem)
    count_names(tally, whole.unknown, whole.resolved, whole.strangers)


class _Share(NamedTuple):
    """What a process needs to score a share of the leads: the model, their profiles,
    the ids of all leads, the rows a rule counts of theirs, and their first and last
    times of the other rows (see :class:`Part`)."""

    model: ScoringModel
    profiles: Sequence[Mapping[str, Any]]
    ids: Sequence[str]
    counted: Rows
    firsts: array[float]
    lasts: array[float]

    def cells(self) -> Iterator[EventCells]:
        """The share's events as :meth:`ScoringModel._rank_cells` reads them: the counted
        rows, then each lead's first and last time."""
        yield from self.counted.cells(self.ids)
        ids = (profile["id"] for profile in self.profiles)
        for lead_id, first, last in zip(ids, self.firsts, self.lasts, strict=True):
            if first <= last:
                yield lead_id, "", first, None
                if first < last:
                    yield lead_id, "", last, None


def rank_share(
    share: _Share,
    as_of: datetime,
    digest: Callable[[Score], Any],
    *,
    keyed: bool = True,
    by: str | None = None,
) -> list[Any]:
    """The ``digest`` of each score of a share at ``as_of``, best first (by the named
    score ``by``, else the total); ``keyed``: each with its order across shares
    (``(-total, lead id)``, as :meth:`ScoringModel._rank_cells` sorts)."""
    ranking = share.model._rank_cells(share.profiles, share.cells(), as_of=as_of, by=by)
    if not keyed:
        return [digest(score) for score in ranking]
    if by is not None:
        return [((-score.scores[by].total, score.lead_id), digest(score)) for score in ranking]
    return [((-score.total, score.lead_id), digest(score)) for score in ranking]


def spans_of(task: Task, processes: int) -> list[Task]:
    """``task`` cut into the tasks of up to ``processes`` spans (one if that is all, or
    all a small table has), to send to workers: the first span's worker shows the
    progress line, if this process would."""
    table = task.table
    spans = table._spans(processes) if processes > 1 else []
    if len(spans) <= 1:
        return [task]
    sent = copy.copy(table)
    sent.on_progress = None  # a closure; the worker makes its own (see _show_progress)
    scale = 0.0
    if table.on_progress is not None:
        scale = (spans[-1][1] - spans[0][0]) / max(1, spans[0][1] - spans[0][0])
    first = task._replace(table=sent, span=spans[0], progress=scale)
    return [first, *(first._replace(span=span, progress=0.0) for span in spans[1:])]
