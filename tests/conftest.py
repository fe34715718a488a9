"""Shared fixtures: small, readable, timezone-aware."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

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
