"""The ``b2bfunnel`` command line: parse arguments, call the facade, format output.

Each command lives in the module named after it (``cli/score.py`` for
``b2bfunnel score``) and registers its own subparser; they share the reading options
and the writers of ``cli/_tables.py``, and read every file through the reading layer
(``b2bfunnel/tables/``).
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from ..errors import B2BFunnelError
from . import (
    accounts,
    attribution,
    demo,
    evaluate,
    experiment,
    fit,
    flow,
    funnel,
    history,
    kol,
    nps,
    qualify,
    score,
    simulate,
    velocity,
)
from ._flags import as_flags
from ._tables import read_candidates, read_events, read_leads, read_responses, safe_cell

__all__ = [
    "build_parser",
    "main",
    "read_candidates",
    "read_events",
    "read_leads",
    "read_responses",
    "safe_cell",
]

_COMMANDS = (
    demo, score, accounts, history, nps, qualify, kol, velocity, funnel, attribution, flow,
    simulate, evaluate, fit, experiment,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="b2bfunnel",
        description="The B2B funnel as code: lead scoring, qualification and more.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in _COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    stream = out if out is not None else sys.stdout
    run: Callable[[argparse.Namespace, TextIO], int] = args.run
    args.report, args.notes = [], []
    buffer = io.StringIO()
    # A run builds millions of long-lived objects (events, records) and no cycles worth
    # collecting: the cyclic collector would re-scan them again and again (measured: a
    # sixth of the CPU time of `score` on 2,000,000 events).
    collecting = gc.isenabled()
    gc.disable()
    try:
        status = run(args, buffer)
    except B2BFunnelError as exc:
        _tell(args)
        sys.stderr.write(f"b2bfunnel: error: {_escaped(as_flags(str(exc)))}\n")
        return 2
    except (ArithmeticError, ValueError, OverflowError, RecursionError, MemoryError) as exc:
        # A value the checks above let through (an overflowing date or amount): still
        # a refusal of the input, never a traceback.
        _tell(args)
        sys.stderr.write(
            f"b2bfunnel: error: {args.command}: the input is out of range "
            f"({type(exc).__name__}: {_escaped(str(exc))})\n"
        )
        return 2
    finally:
        if collecting:
            gc.enable()
    _tell(args)
    if getattr(args, "strict", False) and args.report:
        sys.stderr.write("b2bfunnel: error: --strict: the data report has warnings\n")
        return 2
    if getattr(args, "bom", False) and args.format == "csv":
        stream.write("\ufeff")
    stream.write(buffer.getvalue())
    return status


def _escaped(text: str) -> str:
    """``text`` with control characters other than newlines escaped."""
    return "".join(c if c == "\n" or c.isprintable() else repr(c)[1:-1] for c in text)


def _tell(args: argparse.Namespace) -> None:
    """The notes and the data report, on stderr (unless ``--quiet``)."""
    if sys.stderr.isatty():
        sys.stderr.write("\r\x1b[K")  # clear the progress line
    if getattr(args, "quiet", False):
        return
    for note in args.notes:
        sys.stderr.write(f"b2bfunnel: note: {_escaped(as_flags(note))}\n")
    for warning in args.report:
        sys.stderr.write(f"b2bfunnel: warning: {_escaped(as_flags(warning))}\n")
