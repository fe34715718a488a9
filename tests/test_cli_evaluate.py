"""The ``evaluate`` command: the library's figures, pooled backtests, located errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import (
    DEMO_CUTOFF,
    DEMO_EVENTS,
    DEMO_INPUTS,
    DEMO_LEADS,
    DEMO_OUTCOMES,
    demo_sample,
)

import b2bfunnel as bf
from b2bfunnel.cli import main

LEADS, EVENTS, OUTCOMES = DEMO_LEADS, DEMO_EVENTS, DEMO_OUTCOMES
INPUTS, CUTOFF = DEMO_INPUTS, DEMO_CUTOFF


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_evaluate_table_leads_with_the_libraries_auc() -> None:
    """The first line carries the AUC and interval bf.evaluate gives on the same files."""
    status, text = run("evaluate", *INPUTS, "--cutoff", "2026-09-24")
    expected = bf.evaluate(
        bf.ScoringModel.default(), *demo_sample(), cutoff=CUTOFF, horizon_days=60
    )
    assert status == 0
    assert text.splitlines()[0].startswith(f"AUC {expected.describe_auc()}")
    assert "By decile" in text and "Suggested hot threshold" in text


def test_evaluate_json_and_a_pooled_backtest() -> None:
    """Two --cutoff options pool a backtest with one evaluation per cutoff."""
    status, text = run(
        "evaluate", *INPUTS, "--cutoff", "2026-07-25", "--cutoff", "2026-09-24",
        "--capacity", "5", "--format", "json",
    )  # fmt: skip
    data = json.loads(text)
    assert status == 0 and len(data["per_cutoff"]) == 2
    assert data["n"] == sum(e["n"] for e in data["per_cutoff"])
    assert data["suggested_threshold"]["per_period"] <= 5


def test_evaluate_csv_has_bands_grades_and_deciles() -> None:
    """The CSV form lists every band, grade and decile with a section column."""
    _, text = run("evaluate", *INPUTS, "--cutoff", "2026-09-24", "--format", "csv")
    sections = {row["section"] for row in csv.DictReader(io.StringIO(text))}
    assert sections == {"band", "grade", "decile"}


def test_a_bad_outcome_is_named_by_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A naive outcome time is reported with the outcomes file and its line."""
    bad = tmp_path / "outcomes.csv"
    bad.write_text("lead_id,at\nL00001,2026-10-01T00:00:00+00:00\n\nL00002,2026-10-02\n")
    status, _ = run(
        "evaluate", "--leads", LEADS, "--events", EVENTS, "--outcomes", str(bad),
        "--cutoff", "2026-09-24", "--horizon-days", "60",
    )  # fmt: skip
    assert status == 2
    assert f"{bad}:4:at" in capsys.readouterr().err


def test_outcome_columns_map_like_other_files(tmp_path: Path) -> None:
    """``--map outcomes.FIELD=COLUMN`` reads an outcomes file with the CRM's headers."""
    with open(OUTCOMES, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    renamed = tmp_path / "deals.csv"
    with open(renamed, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Lead", "Converted At"])
        writer.writerows([r["lead_id"], r["at"]] for r in rows)
    args = ("--leads", LEADS, "--events", EVENTS, "--horizon-days", "60", "--cutoff", "2026-09-24")
    _, plain = run("evaluate", *args, "--outcomes", OUTCOMES, "--format", "json")
    status, mapped = run(
        "evaluate", *args, "--outcomes", str(renamed), "--format", "json",
        "--map", "outcomes.lead_id=Lead", "--map", "outcomes.at=Converted At",
    )  # fmt: skip
    assert status == 0 and json.loads(mapped) == json.loads(plain)


DECAY_CUTOFFS = ("--cutoff", "2026-06-25", "--cutoff", "2026-07-25", "--cutoff", "2026-09-24")


def test_fit_decay_writes_the_model_fit_decay_chooses(tmp_path: Path) -> None:
    """``fit --decay`` pools the cutoffs, marks the chosen row and writes its model."""
    target = tmp_path / "decayed.toml"
    status, text = run(
        "fit", *INPUTS, "--decay", *DECAY_CUTOFFS, "--kind", "half_life", "--out", str(target)
    )
    cutoffs = [datetime(2026, m, d, tzinfo=UTC) for m, d in ((6, 25), (7, 25), (9, 24))]
    fitted = bf.fit_decay(
        bf.ScoringModel.default(),
        *demo_sample(),
        cutoffs=cutoffs,
        horizon_days=60,
        kinds=["half_life"],
    )
    assert status == 0
    assert bf.ScoringModel.from_toml(target) == fitted.model
    chosen = [line for line in text.splitlines() if line.rstrip().endswith("*")]
    days = fitted.decay.param("half_life_days")
    assert len(chosen) == 1 and f"half_life_days={days:g} " in chosen[0]
    assert text.count("half_life ") >= 5


def test_fit_decay_json_and_csv() -> None:
    status, text = run("fit", *INPUTS, "--decay", *DECAY_CUTOFFS, "--kind", "expiry",
                       "--format", "json")  # fmt: skip
    data = json.loads(text)
    assert status == 0 and len(data["grid"]) == 5 and data["decay"]["kind"] == "expiry"
    status, text = run("fit", *INPUTS, "--decay", *DECAY_CUTOFFS, "--kind", "expiry",
                       "--format", "csv")  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["kind"] for r in rows] == ["expiry"] * 5
    assert sum(r["chosen"] == "*" for r in rows) == 1


def test_fit_points_takes_one_cutoff(capsys: pytest.CaptureFixture[str]) -> None:
    status, _ = run("fit", *INPUTS, "--cutoff", "2026-07-25", "--cutoff", "2026-09-24")
    assert status != 0 and "--cutoff: fitting points takes one" in capsys.readouterr().err
