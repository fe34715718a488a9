"""How long `import b2bfunnel` takes: a fresh interpreter importing it, less one that
imports nothing, best of several runs (the issue's target: 50 ms or less).

    PYTHONPATH=src python benchmarks/bench_import.py
"""

from __future__ import annotations

import subprocess
import sys
import time

RUNS = 15


def _best(code: str) -> float:
    """The fastest of RUNS fresh interpreters running ``code``, in seconds."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    bare = _best("pass")
    package = _best("import b2bfunnel")
    first_use = _best("import b2bfunnel; b2bfunnel.ScoringModel.default()")
    print(f"interpreter alone:                  {bare * 1000:6.1f} ms")
    print(f"import b2bfunnel:                   {(package - bare) * 1000:6.1f} ms more")
    print(f"... and ScoringModel.default():     {(first_use - bare) * 1000:6.1f} ms more")


if __name__ == "__main__":
    main()
