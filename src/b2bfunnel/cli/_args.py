"""Argument types and option readers shared by the commands."""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from datetime import UTC, datetime

from .._time import parse_datetime
from ..errors import InvalidInputError
from ..funnel import Funnel
from ..tables._columns import KINDS, PRESETS

FORMATS = ("table", "csv", "json")


def parse_maps(items: Iterable[str]) -> dict[str | None, dict[str, str]]:
    """``--map`` options (``FIELD=COLUMN`` or ``KIND.FIELD=COLUMN``) by kind (``None``:
    every file).

    >>> parse_maps(["id=Record ID", "events.name=Event Type"])
    {None: {'id': 'Record ID'}, 'events': {'name': 'Event Type'}}
    """
    out: dict[str | None, dict[str, str]] = {}
    for item in items:
        target, sep, column = item.partition("=")
        target, column = target.strip(), column.strip().strip("'\"")
        if not sep or not target or not column:
            raise InvalidInputError(
                f"expected FIELD=COLUMN or KIND.FIELD=COLUMN, got {item!r}", path="--map"
            )
        kind, dot, field = target.rpartition(".")
        if dot and kind not in KINDS:
            raise InvalidInputError(
                f"unknown file kind {kind!r}; expected one of {', '.join(KINDS)}", path="--map"
            )
        out.setdefault(kind or None, {})[field] = column
    return out


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
    parser.add_argument(
        "--out-delimiter",
        choices=[",", ";", "\t", "|"],
        help="the delimiter of CSV output (default: --delimiter when given, else ','; a "
        "delimiter sniffed from an input file never changes the output)",
    )
    parser.add_argument(
        "--out-decimal",
        choices=[".", ","],
        help="the decimal separator of numbers in CSV output (default: --decimal when "
        "given, else '.')",
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
        "--date-format",
        action="append",
        metavar="FORMAT",
        help="a strptime format of dates that are not ISO 8601 (e.g. %%d/%%m/%%Y); repeatable",
    )
    group.add_argument(
        "--currency", metavar="CODE", help="the base currency amounts are converted to"
    )
    group.add_argument(
        "--rate",
        action="append",
        metavar="CODE=VALUE",
        help="base currency per one CODE (e.g. USD=0.92); repeatable",
    )
    group.add_argument(
        "--skip-invalid", action="store_true", help="skip bad rows (counted) instead of failing"
    )
    group.add_argument(
        "--strict", action="store_true", help="exit 2 when the data report has warnings"
    )
    group.add_argument("--quiet", action="store_true", help="do not print the data report")
