"""Timing helper shared by the benchmark scripts."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def best_of(
    runs: int, fn: Callable[[], Any], clock: Callable[[], float] = time.perf_counter
) -> float:
    """The fastest of ``runs`` calls of ``fn``, in seconds (the least disturbed run);
    ``clock=time.process_time`` counts this process's CPU time only, which other
    processes on a busy machine disturb less than the wall clock."""
    best = float("inf")
    for _ in range(runs):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def base_tree(rev: str) -> Path:
    """The ``src`` folder of a git worktree of ``rev`` under the temporary directory
    (made once, then reused), to measure this checkout against an earlier commit."""
    path = Path(tempfile.gettempdir()) / f"b2bfunnel-{rev}"
    if not path.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev],
                       check=True, capture_output=True)  # fmt: skip
    return path / "src"
