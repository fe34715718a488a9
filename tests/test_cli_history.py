"""``b2bfunnel history``: one lead's score step by step, as table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from b2bfunnel.cli import main

# A ';' CSV as a European CRM writes it, with day-long steps around the events of L1.
LEADS = "id;job_title;employees\nL1;CIO;900\nL2;Engineer;20\n"
EVENTS = """lead_id;name;at
L1;webinar_completed;2026-11-20T10:00:00+00:00
L1;pricing_page_visit;2026-11-21T10:00:00Z
L2;webinar_completed;2026-11-20T10:00:00+00:00
"""


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    leads, events = tmp_path / "leads.csv", tmp_path / "events.csv"
    leads.write_text(LEADS, encoding="utf-8")
    events.write_text(EVENTS, encoding="utf-8")
    return ["--leads", str(leads), "--events", str(events)]


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


STEPS = ("--start", "2026-11-20T00:00:00+00:00", "--end", "2026-11-22T00:00:00+00:00")


def test_csv_by_hand(files: list[str]) -> None:
    # Default model: CIO at 900 employees is 50 profile points; the webinar adds 25,
    # the pricing visit 15 (no decay within 30 days).
    status, text = run("history", "--lead", "L1", *files, *STEPS, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["at"][:10], float(r["score"]), r["band"]) for r in rows] == [
        ("2026-11-20", 50.0, "warm"),
        ("2026-11-21", 75.0, "warm"),
        ("2026-11-22", 90.0, "warm"),
    ]


def test_json_and_every(files: list[str]) -> None:
    status, text = run(
        "history", "--lead", "L1", *files, *STEPS, "--every", "12h", "--format", "json"
    )
    assert status == 0
    data = json.loads(text)
    assert data["lead_id"] == "L1"
    assert [p["total"] for p in data["points"]] == [50.0, 75.0, 75.0, 90.0, 90.0]  # events at 10:00


def test_table(files: list[str]) -> None:
    status, text = run("history", "--lead", "L1", *files, *STEPS)
    assert status == 0
    assert "warm" in text and "2026-11-22" in text


def test_unknown_lead_and_bad_step(files: list[str]) -> None:
    status, _ = run("history", "--lead", "L9", *files, *STEPS)
    assert status == 2
    status, _ = run("history", "--lead", "L1", *files, *STEPS, "--every", "1y")
    assert status == 2


NAMED = """
[scoring.scores.product_a]
rules = ["pricing_page_visit", "webinar_completed"]
hot_threshold = 30

[scoring.scores.fit]
rules = ["it_leader_at_large_company"]
"""


def test_named_scores_columns(files: list[str], tmp_path: Path) -> None:
    """A config with named scores adds score.NAME and band.NAME, in the model's order."""
    config = tmp_path / "funnel.toml"
    config.write_text(NAMED, encoding="utf-8")
    argv = ("history", "--lead", "L1", *files, *STEPS, "--config", str(config))
    status, text = run(*argv, "--format", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "at",
        "score",
        "band",
        "grade",
        "score.product_a",
        "band.product_a",
        "score.fit",
        "band.fit",
    ]
    # product_a: threshold 30, so the default bands of it: warm from 12, hot from 30.
    # Nov 20 00:00 nothing yet; Nov 21 the webinar (25: warm); Nov 22 + the visit
    # (15): 40, hot. fit: the CIO rule alone, 50 points in the model's bands: warm.
    assert [(float(r["score.product_a"]), r["band.product_a"]) for r in rows] == [
        (0.0, "cold"),
        (25.0, "warm"),
        (40.0, "hot"),
    ]
    assert {(r["score.fit"], r["band.fit"]) for r in rows} == {("50.0", "warm")}
    status, text = run(*argv, "--format", "json")
    assert status == 0
    points = json.loads(text)["points"]
    assert points[2]["scores"] == {
        "product_a": {"total": 40.0, "band": "hot"},
        "fit": {"total": 50.0, "band": "warm"},
    }
    status, text = run(*argv)
    assert status == 0
    assert "band.product_a" in text.splitlines()[0]


def test_no_named_scores_no_new_columns(files: list[str]) -> None:
    """The default model's output keeps its four columns and its JSON its keys."""
    status, text = run("history", "--lead", "L1", *files, *STEPS, "--format", "csv")
    assert status == 0
    assert text.splitlines()[0] == "at,score,band,grade"
    status, text = run("history", "--lead", "L1", *files, *STEPS, "--format", "json")
    assert status == 0
    assert set(json.loads(text)["points"][0]) == {"at", "total", "band", "grade"}
