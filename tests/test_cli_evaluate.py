"""The ``evaluate`` and ``fit`` commands and the demo's scoring check."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

import b2bfunnel as bf
from b2bfunnel._toml import dumps
from b2bfunnel.cli import main, read_events, read_leads
from b2bfunnel.cli.demo import demo_file

LEADS, EVENTS, OUTCOMES = (
    str(demo_file(n)) for n in ("demo_leads.csv", "demo_events.csv", "demo_outcomes.csv")
)
INPUTS = ("--leads", LEADS, "--events", EVENTS, "--outcomes", OUTCOMES, "--horizon-days", "60")
CUTOFF = datetime(2026, 9, 24, tzinfo=UTC)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def sample() -> tuple[list[dict[str, str]], list[bf.Event], list[dict[str, str]]]:
    """The shipped sample as the library reads it."""
    with open(OUTCOMES, encoding="utf-8") as handle:
        outcomes = list(csv.DictReader(handle))
    return read_leads(Path(LEADS)), read_events(Path(EVENTS)), outcomes


def test_evaluate_table_leads_with_the_libraries_auc() -> None:
    """The first line carries the AUC and interval bf.evaluate gives on the same files."""
    status, text = run("evaluate", *INPUTS, "--cutoff", "2026-09-24")
    expected = bf.evaluate(bf.ScoringModel.default(), *sample(), cutoff=CUTOFF, horizon_days=60)
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


def test_fit_writes_a_toml_that_loads_as_the_fitted_model(tmp_path: Path) -> None:
    """``fit --out`` writes the model fit_points learns, and prints the time split."""
    target = tmp_path / "fitted.toml"
    status, text = run("fit", *INPUTS, "--cutoff", "2026-09-24", "--out", str(target))
    fitted = bf.fit_points(*sample(), cutoff=CUTOFF, horizon_days=60)
    assert status == 0
    assert bf.ScoringModel.from_toml(target) == fitted.model
    assert bf.Funnel.from_toml(target).scoring == fitted.model
    assert "Time split: fitted as of 2026-07-26" in text and "difference" in text


def test_toml_writer_round_trips_tricky_values() -> None:
    """Quoted keys, escapes, nested inline tables and floats read back equal."""
    data = {
        "scoring": {
            "x": 0.1,
            "flag": True,
            "odd key": 'say "hi"\n',
            "list": [1, 2.5, "ñ"],
            "deep": {"a": {"b": [{"c": 1}]}},
            "rules": [{"name": "r", "when": {"all": [{"field": "f", "in": ["a", "b"]}]}}],
        }
    }
    assert tomllib.loads(dumps(data)) == data


def test_demo_prints_the_scoring_check() -> None:
    """The demo's last line compares the default and a fitted model, as time_split does."""
    _, text = run("demo", "--top", "3")
    line = text.rstrip().splitlines()[-1]
    split = bf.time_split(
        *sample(),
        fit_cutoff=datetime(2026, 7, 1, tzinfo=UTC),
        cutoff=CUTOFF,
        horizon_days=60,
    )
    assert line.startswith(f"Default model: AUC {split.base.describe_auc()}")
    assert f"fitted as of 2026-07-01: {split.learned.describe_auc()}" in line


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
