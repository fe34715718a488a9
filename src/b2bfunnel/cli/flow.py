"""``b2bfunnel flow``: the nurture flow as a Mermaid or Graphviz diagram."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from ._args import funnel_of


def register(sub: Any) -> None:
    """Add the ``flow`` subcommand to ``sub``."""
    flow = sub.add_parser("flow", help="the nurture flow as a diagram")
    flow.add_argument("--config", help="funnel TOML file (its [nurture] section)")
    flow.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    flow.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """The nurture flow as a Mermaid or Graphviz diagram."""
    funnel = funnel_of(args.config)
    out.write((funnel.flow.to_dot() if args.format == "dot" else funnel.flow.to_mermaid()) + "\n")
    return 0
