"""``b2bfunnel experiment``: plan a nurture experiment, or compare its arms."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from ..errors import InvalidInputError
from ..funnel import Funnel
from ..nurture import ArmComparison, NurtureFlow, arm_sample_size, compare_arms
from ..tables._kinds import outcome_fields
from ._args import add_table_options, funnel_of
from ._tables import Reading, located, read_kind, write_json, write_rows
from .evaluate import moment


def register(sub: Any) -> None:
    """Add the ``experiment`` subcommand (``plan`` and ``compare``) to ``sub``."""
    parser = sub.add_parser("experiment", help="plan a nurture experiment or compare its arms")
    inner = parser.add_subparsers(dest="experiment", metavar="ACTION", required=True)
    plan = inner.add_parser("plan", help="leads per arm to detect a lift")
    plan.add_argument("--baseline", type=float, required=True, help="the control's rate, 0-1")
    plan.add_argument(
        "--lift", type=float, required=True, help="relative lift to detect (0.2 = rate x 1.2)"
    )
    plan.add_argument("--power", type=float, default=0.8)
    plan.add_argument("--confidence", type=float, default=0.95)
    plan.add_argument("--arms", type=int, default=2, help="arms, the control included")
    plan.add_argument("--format", choices=("table", "json"), default="table")
    plan.set_defaults(run=run_plan)
    compare = inner.add_parser("compare", help="each arm's conversion against the control")
    compare.add_argument(
        "--states",
        required=True,
        help="JSON: a list of saved nurture states, or `b2bfunnel simulate --format json`",
    )
    compare.add_argument("--outcomes", required=True, help="CSV with lead_id, at")
    compare.add_argument("--split", required=True, help="the split's name")
    compare.add_argument("--horizon-days", type=float, required=True)
    compare.add_argument("--as-of", required=True, help="ISO 8601 time with offset, or a date")
    compare.add_argument("--control", help="the control arm (default: the holdout)")
    compare.add_argument("--confidence", type=float, default=0.95)
    compare.add_argument("--min-n", type=int, default=100, help="leads per arm for a winner")
    compare.add_argument(
        "--sequential", action="store_true", help="always-valid (safe to look every day)"
    )
    compare.add_argument("--tau", type=float, help="the planned absolute difference")
    compare.add_argument("--config", help="funnel TOML file (the flow holding the split)")
    add_table_options(compare)
    compare.set_defaults(run=run_compare)


def run_plan(args: argparse.Namespace, out: TextIO) -> int:
    """Leads per arm, and in all."""
    per_arm = arm_sample_size(
        args.baseline, args.lift, power=args.power, confidence=args.confidence, arms=args.arms
    )
    if args.format == "json":
        return write_json({"per_arm": per_arm, "total": per_arm * args.arms}, out)
    out.write(f"{per_arm} leads per arm, {per_arm * args.arms} in all\n")
    return 0


def run_compare(args: argparse.Namespace, out: TextIO) -> int:
    """The comparison of the split's arms, as a table, CSV or JSON."""
    funnel = funnel_of(args.config)
    states = _states(Path(args.states))
    outcomes = read_kind(
        Path(args.outcomes),
        outcome_fields,
        ("lead_id", "at"),
        Reading(args, funnel.input),
        kind="outcomes",
    )
    result: ArmComparison = located(
        {"outcomes": outcomes},
        lambda: compare_arms(
            states,
            outcomes.records,
            split=args.split,
            horizon_days=args.horizon_days,
            as_of=moment(args.as_of, "--as-of"),
            control=args.control,
            confidence=args.confidence,
            min_n=args.min_n,
            sequential=args.sequential,
            tau=args.tau,
            flow=_flow_with(funnel, args.split),
        ),
    )
    if args.format == "json":
        return write_json(result.to_dict(), out)
    rows = [
        {
            "arm": arm.name + (" (control)" if arm.name == result.control else ""),
            "n": arm.n,
            "conversions": arm.conversions,
            "rate": round(arm.rate, 4),
            "interval": f"{arm.interval[0]:.4f}-{arm.interval[1]:.4f}",
            "difference": "" if arm.difference is None else round(arm.difference, 4),
            "difference_interval": ""
            if arm.difference_interval is None
            else f"{arm.difference_interval[0]:.4f}-{arm.difference_interval[1]:.4f}",
            "p_value": "" if arm.p_value is None else round(arm.p_value, 4),
        }
        for arm in result.arms
    ]
    write_rows(args, rows, out)
    if args.format == "table":
        out.write(
            f"\nwinner: {result.winner or 'none yet'} ({'; '.join(result.reasons)}); "
            f"{result.pending} leads pending, {result.converted_before} converted before "
            f"assignment; method {result.method}\n"
        )
    return 0


def _states(path: Path) -> list[Any]:
    """Saved states: a JSON list of ``to_dict`` data, JSON lines of it, or the JSON of
    ``b2bfunnel simulate`` (lead id -> state and actions)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"cannot read it: {exc.strerror}", path=str(path)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        try:
            data = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"not JSON: {exc}", path=str(path)) from None
    if isinstance(data, dict):
        data = [item.get("state") if isinstance(item, dict) else item for item in data.values()]
    if not isinstance(data, list):
        raise InvalidInputError("expected a list of saved nurture states", path=str(path))
    return data


def _flow_with(funnel: Funnel, split: str) -> NurtureFlow | None:
    """The funnel's flow that defines ``split`` (its arm order and holdout), if any."""
    for flow in (funnel.flow, *funnel.flows.values()):
        if any(s.name == split for s in flow.splits):
            return flow
    return None
