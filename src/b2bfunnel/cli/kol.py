"""``b2bfunnel kol``: rank KOL candidates against a brief, or plan a portfolio."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from .._config import load_toml
from ..errors import InvalidInputError
from ..funnel import Funnel
from ..kol import KOLBrief, KOLCandidate, plan_portfolio
from ._args import add_table_options
from ._tables import Reading, read_candidate_file, write_json, write_rows


def register(sub: Any) -> None:
    """Add the ``kol`` subcommand to ``sub``."""
    kol = sub.add_parser("kol", help="rank KOL candidates against a brief, or plan a portfolio")
    kol.add_argument("candidates", help="CSV of candidates (handle, followers, ...)")
    kol.add_argument("--brief", required=True, help="TOML with a [brief] table (and [kol])")
    kol.add_argument("--budget", type=_budget, help="plan the best portfolio within this amount")
    kol.add_argument(
        "--weight-by-fit", action="store_true", help="weigh qualified reach by fit when planning"
    )
    add_table_options(kol)
    kol.set_defaults(run=run)


MAX_BUDGET = Decimal(10) ** 15


def _budget(text: str) -> str:
    """An argparse type: an amount from 0 to 10^15 (a larger one is a typo, and would
    only make the arithmetic overflow), kept as text for the planner to read."""
    try:
        amount = Decimal(text.strip())
    except ArithmeticError:
        raise argparse.ArgumentTypeError(f"expected an amount, got {text!r}") from None
    if not amount.is_finite() or not 0 <= amount <= MAX_BUDGET:
        raise argparse.ArgumentTypeError(f"expected an amount from 0 to 10^15, got {text!r}")
    return text.strip()


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Rank KOL candidates against a brief, or plan the best portfolio for a budget."""
    data = load_toml(args.brief)
    if "brief" not in data:
        raise InvalidInputError("needs a [brief] table with target_roles", path=str(args.brief))
    brief = KOLBrief.from_dict(data["brief"])
    funnel = Funnel.from_dict({"kol": data["kol"]}) if "kol" in data else Funnel()
    candidates, currency = read_candidate_file(Path(args.candidates), Reading(args), funnel.kol)
    if args.budget is not None:
        return _plan(args, candidates, currency, brief, funnel, out)
    fits = sorted(
        (funnel.kol_fit(c, brief) for c in candidates), key=lambda f: (-f.score, f.handle)
    )
    if args.format == "json":
        return write_json([f.to_dict() for f in fits], out)
    rows = [
        {
            "rank": i,
            "handle": f.handle,
            "score": f.score,
            "tier": f.tier,
            "affinity": f"{f.affinity:.0%}",
            "qualified_reach": round(f.qualified_reach),
            "stage": f.funnel_stage,
            "reasons": "; ".join(
                r
                for r in f.reasons
                if not r.startswith(("engagement:", "relevance:", "authenticity:", "funnel role:"))
            ),
        }
        for i, f in enumerate(fits, start=1)
    ]
    write_rows(args, rows, out)
    return 0


def _plan(
    args: argparse.Namespace,
    candidates: list[KOLCandidate],
    currency: str | None,
    brief: KOLBrief,
    funnel: Funnel,
    out: TextIO,
) -> int:
    """The best portfolio for ``--budget``, its costs in ``currency``."""
    plan = plan_portfolio(
        candidates,
        brief,
        args.budget,
        weight_by_fit=args.weight_by_fit,
        config=funnel.kol,
        currency=currency,
    )
    if args.format == "json":
        return write_json(plan.to_dict(), out)
    rows = [
        {
            "handle": f.handle,
            "tier": f.tier,
            "fit": f.score,
            "qualified_reach": round(f.qualified_reach),
            "stage": f.funnel_stage,
            "format": f.format,
        }
        for f in plan.selected
    ]
    write_rows(args, rows, out)
    if args.format == "table":
        mix = ", ".join(f"{k} {v}" for k, v in plan.mix.items())
        code = f" {plan.currency}" if plan.currency else ""
        out.write(
            f"\n{len(plan.selected)} chosen for {plan.total_cost}{code} of "
            f"{plan.budget}{code}: "
            f"{plan.qualified_reach:,.0f} qualified reach ({mix})\n"
        )
    return 0
