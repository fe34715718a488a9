"""A pool of worker processes that end with the command that started them.

:func:`worker_pool` is the standard library's
:class:`~concurrent.futures.ProcessPoolExecutor`, started with ``forkserver`` where the
system has it (Linux, macOS) and ``spawn`` elsewhere; never with ``fork``, which would
copy into a worker the locks other threads (numpy's, pandas') held at that moment. A
worker ignores Ctrl-C (the command handles it), runs without the cyclic garbage
collector (as the command does, see :func:`b2bfunnel.cli.main`) and watches a pipe from
the command in a thread: when the command ends, however it ends (``kill -9``
included), the pipe closes and the worker ends at once. Leaving the ``with`` block by
an exception closes the pipe too, so no worker goes on with work nobody will read.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext

from ..errors import B2BFunnelError

__all__ = ["PoolError", "start_method", "warm_up", "worker_pool"]


class PoolError(B2BFunnelError):
    """The pool broke: a worker could not start, or died (killed, out of memory)."""


def start_method() -> str:
    """``forkserver`` where the system has it, else ``spawn``."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _context(preload: Sequence[str]) -> BaseContext:
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        # The server imports these once; each worker is then forked from it, ready.
        context.set_forkserver_preload(list(preload))
    return context


def warm_up(preload: Sequence[str] = ()) -> None:
    """Start the fork server now, importing ``preload``, so that the workers of a pool
    started later are ready sooner (nothing to do with ``spawn``)."""
    if start_method() == "forkserver":
        _context(preload)
        from multiprocessing import forkserver  # stdlib, where it exists

        forkserver.ensure_running()


@contextmanager
def worker_pool(workers: int, preload: Sequence[str] = ()) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``workers`` processes (see the module's documentation), shut down on
    leaving the block; on an exception its workers are ended first."""
    context = _context(preload)
    watched, watch = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(watched,)
    )
    try:
        yield pool
    except BaseException as exc:
        watch.close()  # every worker ends now
        pool.shutdown(wait=True, cancel_futures=True)
        if isinstance(exc, BrokenProcessPool | BlockingIOError | PermissionError):
            raise PoolError(
                f"a worker process could not start or ended unexpectedly ({exc}); "
                "read in one process with --jobs 1",
                path="--jobs",
            ) from exc
        raise
    finally:
        pool.shutdown(wait=True)
        watch.close()
        watched.close()


def _start_worker(watched: Connection) -> None:
    """Set up a worker: no Ctrl-C, no cyclic collector, ended with the command."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.disable()
    threading.Thread(target=_end_with_the_command, args=(watched,), daemon=True).start()


def _end_with_the_command(watched: Connection) -> None:
    """Wait for the command's end of the pipe to close (the command ended, or gave up
    on the pool), then end this worker at once."""
    with suppress(EOFError, OSError):
        watched.recv_bytes()
    os._exit(1)
