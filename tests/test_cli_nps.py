"""The ``nps`` command: the table says how each interval was computed."""

from __future__ import annotations

import io
from pathlib import Path

from b2bfunnel.cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_nps_table_says_when_the_interval_is_adjusted(tmp_path: Path) -> None:
    """A cell below 30 answers says its interval is adjusted Wald, not score +- margin."""
    answers = tmp_path / "answers.csv"
    answers.write_text("score\n10\n9\n3\n", encoding="utf-8")
    status, text = run("nps", str(answers), "--format", "csv")
    assert status == 0
    assert "adjusted-Wald interval (Rocks 2016)" in text
