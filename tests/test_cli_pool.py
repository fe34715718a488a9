"""The CLI's process pool: workers end with the command, and at once when it gives up."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import b2bfunnel as bf
from b2bfunnel.cli._pool import PoolError, start_method, worker_pool

# What score's pool preloads: the first pool of the suite starts its one fork server.
PRELOAD = ["b2bfunnel.cli._event_scan"]

SLEEPER = """
import time
from b2bfunnel.cli._pool import worker_pool
with worker_pool(2) as pool:
    list(pool.map(time.sleep, [0.2] * 4))  # both workers started
    busy = [pool.submit(time.sleep, 60) for _ in range(2)]
    print("ready", flush=True)
    time.sleep(60)
"""


def _descendants(pid: int) -> list[int]:
    """The processes ``pid`` started, and theirs (Linux)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            text = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue  # gone meanwhile
        children = [int(child) for child in text.split()]
        found.extend(children)
        todo.extend(children)
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has ended
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_workers_die_with_the_command(signal_name: str) -> None:
    """``kill -9`` (or a plain kill) of the command, while its workers are busy, leaves
    none of its processes running (workers, the server they are started from): each
    worker watches the command and ends with it, instead of finishing its work."""
    command = subprocess.Popen([sys.executable, "-c", SLEEPER], stdout=subprocess.PIPE, text=True)
    assert command.stdout is not None
    assert command.stdout.readline() == "ready\n"
    started = _descendants(command.pid)
    assert len(started) >= 3  # two workers and the process they are started from
    command.send_signal(getattr(signal, signal_name))
    command.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in started):
        if time.monotonic() > deadline:
            pytest.fail("a worker outlived the command")
        time.sleep(0.01)


def test_an_error_ends_busy_workers_at_once() -> None:
    """Leaving the pool by an exception (Ctrl-C while waiting) ends the workers without
    waiting for their work, and reaps them."""
    before = set(multiprocessing.active_children())
    begun = time.monotonic()
    with pytest.raises(KeyboardInterrupt), worker_pool(2, PRELOAD) as pool:
        list(pool.map(time.sleep, [0.1] * 4))
        busy = [pool.submit(time.sleep, 60) for _ in range(2)]
        while not all(future.running() for future in busy):
            time.sleep(0.01)
        time.sleep(1)  # taken from the queue by the workers
        raise KeyboardInterrupt
    assert time.monotonic() - begun < 30
    assert set(multiprocessing.active_children()) <= before  # others' (Dask's) may run


def test_never_forked() -> None:
    """Workers are started by a fork server (a process of their own) or spawned, never
    forked from a process that may run other threads."""
    assert start_method() in ("forkserver", "spawn")
    if start_method() == "forkserver":
        with worker_pool(1, PRELOAD) as pool:
            assert pool.submit(os.getppid).result() != os.getpid()


def _die() -> None:
    os._exit(9)  # a worker killed mid-work (out of memory, a signal)


def test_a_worker_that_dies_is_a_located_error() -> None:
    """A worker that dies breaks the pool: the command gets a B2BFunnelError naming the
    way out (one process), not a traceback."""
    with pytest.raises(PoolError, match="--jobs 1") as caught, worker_pool(1, PRELOAD) as pool:
        pool.submit(_die).result()
    assert isinstance(caught.value, bf.B2BFunnelError) and caught.value.path == "--jobs"
