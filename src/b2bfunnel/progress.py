"""Signs of life from long calls: ``progress=`` on ``rank``, ``attribute``, ``simulate``.

``progress`` is a callable ``progress(done, total)``, called every
:data:`EVERY` items and once at the end; ``total`` is ``None`` when the input has no
length (a generator). ``progress="stderr"`` writes one updating line to standard error
and ``progress="tqdm"`` drives a tqdm bar (``pip install tqdm``). When ``progress`` is
None the input is used as it is, so the call costs exactly what it did without it.

>>> import b2bfunnel as bf
>>> from datetime import datetime, timezone
>>> seen = []
>>> now = datetime(2026, 11, 23, tzinfo=timezone.utc)
>>> events = [bf.Event("L1", "webinar_completed", now)] * 3
>>> ranked = bf.ScoringModel.default().rank(
...     [{"id": "L1"}], events, as_of=now, progress=lambda done, total: seen.append((done, total)))
>>> seen
[(0, 3), (3, 3)]
"""

from __future__ import annotations

import importlib
import itertools
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from typing import Any, TextIO, TypeVar

from .errors import InvalidInputError

__all__ = ["EVERY", "Progress", "stderr_line", "tqdm_bar", "tracked"]

Progress = Callable[[int, "int | None"], None]
T = TypeVar("T")

EVERY = 65_536  # items between calls: rare enough to cost nothing, often enough to see


def stderr_line(
    label: str = "", stream: TextIO | None = None, *, unit: str = "", rate: bool = False
) -> Progress:
    """A progress callable writing ``label 1,234,567 / 2,000,000 (62%)`` on one line;
    ``unit`` follows the count and ``rate=True`` adds how many per second since the
    first call (the command line's ``events.csv: 1,234,567 rows (410,000 rows/s)``).

    >>> import io
    >>> out = io.StringIO()
    >>> stderr_line("events.csv:", out, unit="rows")(1200, None)
    >>> out.getvalue()
    '\\revents.csv: 1,200 rows'
    """
    start = time.monotonic() if rate else 0.0
    suffix = f" {unit}" if unit else ""

    def report(done: int, total: int | None) -> None:
        out = stream if stream is not None else sys.stderr
        share = f" / {total:,} ({done / total:.0%})" if total else ""
        end = "\n" if total is not None and done >= total else ""
        speed = ""
        if rate:
            per_second = done / max(time.monotonic() - start, 1e-9)
            speed = f" ({per_second:,.0f} {unit or 'items'}/s) "
        out.write(f"\r{label}{' ' if label else ''}{done:,}{suffix}{share}{speed}{end}")
        out.flush()

    return report


def tqdm_bar(**options: object) -> Progress:
    """A progress callable driving a tqdm bar (options go to ``tqdm.auto.tqdm``: a
    widget in Jupyter, a text bar in a terminal)."""
    try:
        tqdm = importlib.import_module("tqdm.auto").tqdm  # untyped, optional
    except ImportError as exc:
        raise ImportError('progress="tqdm" needs tqdm: pip install tqdm', name=exc.name) from exc
    bar: Any = None

    def report(done: int, total: int | None) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, **options)
        bar.update(done - bar.n)
        if total is not None and done >= total:
            bar.close()

    return report


def adapt(
    progress: Progress | str | None, what: str = "items", verb: str = "read"
) -> Progress | None:
    """``progress`` as a callable: None, a callable, ``"stderr"`` or ``"tqdm"``; the
    line and the bar say what they count, ``what`` and ``verb``
    (``"events read: 1,234 / 5,000 (25%)"``, ``"leads replayed: 40 / 300 (13%)"``)."""
    if progress is None:
        return None
    if callable(progress):
        return progress
    if progress == "stderr":
        return stderr_line(f"{what} {verb}:")
    if progress == "tqdm":
        return tqdm_bar(desc=f"{what} {verb}", unit=f" {what}")
    raise InvalidInputError(
        f'expected a callable(done, total), "stderr" or "tqdm", got {progress!r}',
        path="progress",
    )


def tracked(
    items: Iterable[T], progress: Progress | str | None, what: str = "items", verb: str = "read"
) -> Iterable[T]:
    """``items`` as they are when ``progress`` is None, else counted as they are read
    (the ``"stderr"`` line and the tqdm bar say ``what`` and ``verb``: "events read")."""
    report = adapt(progress, what, verb)
    if report is None:
        return items
    total = len(items) if isinstance(items, Sized) else None
    return _counting(items, report, total)


def _counting(items: Iterable[T], report: Progress, total: int | None) -> Iterator[T]:
    # Chunks chained in C: the reading loop pays nothing per item, only per chunk.
    return itertools.chain.from_iterable(_chunks(items, report, total))


def _chunks(items: Iterable[T], report: Progress, total: int | None) -> Iterator[list[T]]:
    source = iter(items)
    done = 0
    report(0, total)
    while chunk := list(itertools.islice(source, EVERY)):
        yield chunk
        done += len(chunk)
        report(done, total)
    if total is None:
        report(done, done)
