"""Shared fixtures: small, readable, timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import b2bfunnel as bf

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    """A time ``days`` before :data:`NOW`."""
    return NOW - timedelta(days=days)


@pytest.fixture
def model() -> bf.ScoringModel:
    return bf.ScoringModel.default()
