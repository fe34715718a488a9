"""Argument types and option readers shared by the commands."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from .._time import parse_datetime
from ..funnel import Funnel

FORMATS = ("table", "csv", "json")


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def funnel_of(config: str | None) -> Funnel:
    """The funnel of a ``--config`` TOML file, or the defaults."""
    return Funnel.from_toml(config) if config else Funnel()


def as_of_of(text: str | None, option: str = "--as-of") -> datetime:
    """The moment an ``--as-of`` option names; now, in UTC, when it is not given (the
    command line is the one place that reads the clock)."""
    return parse_datetime(text, option) if text else datetime.now(UTC)
