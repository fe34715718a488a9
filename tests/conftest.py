"""Shared fixtures: small, readable, timezone-aware."""

from __future__ import annotations

import csv
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import b2bfunnel as bf
from b2bfunnel.cli import read_events, read_leads
from b2bfunnel.cli.demo import demo_file

# No deadlines (a loaded CI machine is slow, not wrong); in CI the examples are derived
# from each test's name, so a run is reproducible.
settings.register_profile("b2bfunnel", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "b2bfunnel")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


# The demo's leads, events and outcomes (shipped with the package), and the options
# that give them to evaluate and fit with a 60-day horizon.
DEMO_LEADS, DEMO_EVENTS, DEMO_OUTCOMES = (
    str(demo_file(n)) for n in ("demo_leads.csv", "demo_events.csv", "demo_outcomes.csv")
)
DEMO_INPUTS = (
    "--leads", DEMO_LEADS, "--events", DEMO_EVENTS, "--outcomes", DEMO_OUTCOMES,
    "--horizon-days", "60",
)  # fmt: skip
DEMO_CUTOFF = datetime(2026, 9, 24, tzinfo=UTC)


def demo_sample() -> tuple[list[dict[str, str]], list[bf.Event], list[dict[str, str]]]:
    """The demo's leads, events and outcomes as the library reads them."""
    with open(DEMO_OUTCOMES, encoding="utf-8") as handle:
        outcomes = list(csv.DictReader(handle))
    return read_leads(Path(DEMO_LEADS)), read_events(Path(DEMO_EVENTS)), outcomes


def days_ago(days: float) -> datetime:
    """A time ``days`` before :data:`NOW`."""
    return NOW - timedelta(days=days)


@pytest.fixture
def model() -> bf.ScoringModel:
    return bf.ScoringModel.default()


# Engine tests (marker `engines`) skip when pyspark, Java or dask is absent; CI sets
# B2BFUNNEL_REQUIRE_ENGINES=1 after installing the extras, so a skip there fails.
REQUIRE_ENGINES = os.environ.get("B2BFUNNEL_REQUIRE_ENGINES") == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if REQUIRE_ENGINES and report.skipped and item.get_closest_marker("engines") is not None:
        report.outcome = "failed"
        report.longrepr = f"skipped, but B2BFUNNEL_REQUIRE_ENGINES=1: {report.longrepr}"
    return report
