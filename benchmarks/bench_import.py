"""How long `import b2bfunnel` takes (the issue's target: 50 ms or less): timed inside
fresh interpreters, so the interpreter's own start-up is left out; the median and the
best of several runs, and the same for the first use of a scoring model.

    PYTHONPATH=src python benchmarks/bench_import.py

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

RUNS = 15
TIMED = "import time; start = time.perf_counter(); {code}; print(time.perf_counter() - start)"


def _times(code: str) -> list[float]:
    """Seconds ``code`` took in each of RUNS fresh interpreters."""
    return [
        float(
            subprocess.run(
                [sys.executable, "-c", TIMED.format(code=code)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for _ in range(RUNS)
    ]


def main() -> None:
    for label, code in (
        ("import b2bfunnel", "import b2bfunnel"),
        ("... then ScoringModel.default()", "import b2bfunnel; b2bfunnel.ScoringModel.default()"),
    ):
        times = _times(code)
        print(
            f"{label:34} median {statistics.median(times) * 1000:6.1f} ms, "
            f"best {min(times) * 1000:6.1f} ms ({RUNS} runs)"
        )


if __name__ == "__main__":
    main()
