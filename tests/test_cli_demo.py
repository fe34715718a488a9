"""The CLI's NPS and KOL output: the demo's figures with n and intervals, risk flags
located in the file."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

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


def test_unknown_risk_flag_is_located_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown flag is reported at its file line and column, with no doubled prefix."""
    candidates, brief = tmp_path / "c.csv", tmp_path / "brief.toml"
    candidates.write_text(
        "handle,followers,audience,avg_interactions,risk_flags,cost_per_post\n"
        "@a,1000,cto:0.5,40,,100\n"
        "@b,5000,cto:0.4,100,provocative_tone;crypto_shilling,200\n",
        encoding="utf-8",
    )
    brief.write_text('[brief]\ntarget_roles = ["cto"]\n', encoding="utf-8")
    assert run("kol", str(candidates), "--brief", str(brief))[0] == 2
    err = capsys.readouterr().err
    assert f"{candidates}:3:risk_flags[1]: unknown risk flag 'crypto_shilling'" in err
    assert err.count(f"{candidates}:3") == 1


def test_nps_table_says_when_the_interval_is_adjusted(tmp_path: Path) -> None:
    """A cell below 30 answers says its interval is adjusted Wald, not score +- margin."""
    answers = tmp_path / "answers.csv"
    answers.write_text("score\n10\n9\n3\n", encoding="utf-8")
    status, text = run("nps", str(answers), "--format", "csv")
    assert status == 0
    assert "adjusted-Wald interval (Rocks 2016)" in text
