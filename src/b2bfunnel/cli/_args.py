"""Argument types and option readers shared by the commands."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from .._time import parse_datetime
from ..funnel import Funnel
from ..tables._columns import PRESETS

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


def add_table_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that reads CSV files and writes a table: output
    format, column mapping, file format, time zone, bad rows and the data report."""
    parser.add_argument("--format", choices=FORMATS, default="table")
    parser.add_argument(
        "--bom", action="store_true", help="start CSV output with a UTF-8 BOM (for Excel)"
    )
    group = parser.add_argument_group("reading CSV files (see docs/crm-export.md)")
    group.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="read FIELD from COLUMN (KIND.FIELD=COLUMN for one kind of file); repeatable",
    )
    group.add_argument(
        "--from",
        dest="crm",
        choices=sorted(PRESETS),
        help="the CRM that wrote the files: map its standard export headers",
    )
    group.add_argument("--encoding", help="the files' encoding (default: UTF-8, else cp1252)")
    group.add_argument(
        "--delimiter",
        help="the cell delimiter of files read and CSV written (default: sniffed; ',' out)",
    )
    group.add_argument(
        "--decimal",
        choices=(".", ","),
        help="the decimal separator of numbers read and CSV written (default '.')",
    )
    group.add_argument("--timezone", help="read timestamps without an offset in this zone")
    group.add_argument(
        "--skip-invalid", action="store_true", help="skip bad rows (counted) instead of failing"
    )
    group.add_argument(
        "--strict", action="store_true", help="exit 2 when the data report has warnings"
    )
    group.add_argument("--quiet", action="store_true", help="do not print the data report")
