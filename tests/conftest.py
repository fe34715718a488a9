"""Shared fixtures: small, readable, timezone-aware."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import settings

import b2bfunnel as bf

# No deadlines (a loaded CI machine is slow, not wrong); in CI the examples are derived
# from each test's name, so a run is reproducible.
settings.register_profile("b2bfunnel", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "b2bfunnel")

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


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
