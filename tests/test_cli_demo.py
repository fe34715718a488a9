"""The ``demo`` command: NPS by quarter and velocity by cohort with their n and
intervals, and the scoring check of a fitted model."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

from conftest import DEMO_CUTOFF, demo_sample

import b2bfunnel as bf
from b2bfunnel.cli import main, read_responses
from b2bfunnel.cli.demo import demo_file


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_demo_quarters_show_n_and_interval() -> None:
    """Each quarter of the demo's NPS line carries its n and its 95% interval."""
    _, text = run("demo")
    line = next(x for x in text.splitlines() if x.startswith("By quarter"))
    report = bf.nps_report(read_responses(demo_file("demo_survey.csv")), period="quarter")
    for cell in report.cells:
        low, high = cell.result.interval
        shown = (
            f"{cell.period} {cell.result.score:+.0f} (n={cell.result.n}: {low:+.0f} to {high:+.0f})"
        )
        assert shown in line


def test_demo_velocity_shows_n_for_each_cohort() -> None:
    """The velocity line gives each cohort's deals (n) and the lift line its interval."""
    _, text = run("demo")
    line = next(x for x in text.splitlines() if x.startswith("Pipeline velocity"))
    assert len(re.findall(r"\(n=\d+: \d+ won, \d+ lost, \d+ open; ", line)) == 2
    assert "95% bootstrap" in text


def test_demo_velocity_shows_each_cohorts_interval() -> None:
    """Each cohort's velocity comes with its own bootstrap interval, around the figure."""
    _, text = run("demo")
    line = next(x for x in text.splitlines() if x.startswith("Pipeline velocity"))
    spans = re.findall(r"([\d,]+)/day \(n=[^;]+; ([\d,]+) to ([\d,]+)\)", line)
    assert len(spans) == 2
    for figure, low, high in spans:
        value, lo, hi = (int(x.replace(",", "")) for x in (figure, low, high))
        assert lo <= value <= hi


def test_demo_prints_the_scoring_check() -> None:
    """The demo's last line compares the default and a fitted model, as time_split does."""
    _, text = run("demo", "--top", "3")
    line = text.rstrip().splitlines()[-1]
    split = bf.time_split(
        *demo_sample(),
        fit_cutoff=datetime(2026, 7, 1, tzinfo=UTC),
        cutoff=DEMO_CUTOFF,
        horizon_days=60,
    )
    assert line.startswith(f"Default model: AUC {split.base.describe_auc()}")
    assert f"fitted as of 2026-07-01: {split.learned.describe_auc()}" in line
