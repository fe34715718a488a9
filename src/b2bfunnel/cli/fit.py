"""``b2bfunnel fit``: learn scoring points from outcomes, checked on later leads."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from .._toml import dumps
from ..evaluation import FittedModel, TimeSplit, fit_points, time_split
from ._args import funnel_of, positive
from ._tables import write_json, write_rows, write_table
from .evaluate import add_inputs, moment, read_inputs


def register(sub: Any) -> None:
    """Add the ``fit`` subcommand to ``sub``."""
    cmd = sub.add_parser(
        "fit", help="learn scoring points from outcomes and compare them with the base model"
    )
    add_inputs(cmd)
    cmd.add_argument(
        "--cutoff", required=True, help="fit on the leads as of this date (the latest usable)"
    )
    cmd.add_argument(
        "--fit-cutoff",
        help="for the comparison, fit as of this earlier date and evaluate at --cutoff "
        "(default: --cutoff minus the horizon)",
    )
    cmd.add_argument("--method", choices=("naive_bayes", "logistic"), default="naive_bayes")
    cmd.add_argument(
        "--field", action="append", default=[], help="profile field to learn points for"
    )
    cmd.add_argument("--min-support", type=positive, default=30, help="leads per value (30)")
    cmd.add_argument("--pdo", type=float, default=20, help="points that double the odds (20)")
    cmd.add_argument(
        "--base-points",
        type=float,
        help="scorecard points at the odds of the average conversion rate (default: the "
        "model total with those odds)",
    )
    cmd.add_argument("--out", help="write the fitted funnel TOML here")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Fit points as of ``--cutoff``; compare base and fitted models in a time split."""
    funnel = funnel_of(args.config)
    data = read_inputs(args, funnel)
    cutoff = moment(args.cutoff, "--cutoff")
    earlier = (
        moment(args.fit_cutoff, "--fit-cutoff")
        if args.fit_cutoff
        else cutoff - timedelta(days=args.horizon_days)
    )
    options: dict[str, Any] = {
        "horizon_days": args.horizon_days,
        "base": funnel.scoring,
        "method": args.method,
        "fields": args.field,
        "min_support": args.min_support,
        "pdo": args.pdo,
        "base_points": args.base_points,
    }
    leads, events, outcomes = data.leads, data.events, data.outcomes.records
    fitted: FittedModel = data.located(
        lambda: fit_points(leads, events, outcomes, cutoff=cutoff, **options)
    )
    split: TimeSplit = data.located(
        lambda: time_split(leads, events, outcomes, fit_cutoff=earlier, cutoff=cutoff, **options)
    )
    if args.out:
        Path(args.out).write_text(dumps({"scoring": fitted.model.to_dict()}), encoding="utf-8")
    if args.format == "json":
        return write_json({"fitted": fitted.to_dict(), "time_split": split.to_dict()}, out)
    rows = coefficient_rows(fitted)
    if args.format == "csv":
        write_rows(args, rows, out)
        return 0
    out.write(
        f"Fitted ({fitted.method}) on {fitted.n} leads as of {cutoff.date().isoformat()}, "
        f"{fitted.positives} converted within {fitted.horizon_days:g} days; "
        f"{fitted.pdo:g} points double the odds\n"
    )
    if args.base_points is not None:
        out.write(
            f"Scorecard points = model total {fitted.offset:+.1f}; {fitted.base_points:g} "
            f"points have odds {fitted.base_odds:.3f} (the average conversion rate)\n"
        )
    for warning in fitted.warnings:
        out.write(f"warning: {warning}\n")
    write_table(rows, out)
    model = fitted.model
    bands = ", ".join(f"{b.name} >= {b.min:g}" for b in model.bands if b.min is not None)
    out.write(f"\nHot at {model.hot_threshold:g} ({bands})\n")
    out.write(
        f"\nTime split: fitted as of {earlier.date().isoformat()}, "
        f"evaluated as of {cutoff.date().isoformat()}: {split.summary()}\n"
    )
    if args.out:
        out.write(f"Wrote {args.out}\n")
    return 0


def coefficient_rows(fitted: FittedModel) -> list[dict[str, Any]]:
    """One row per learned rule: points with interval, support, the base's points."""
    return [
        {
            "rule": c.rule,
            "kind": c.kind,
            "points": c.points,
            "low": round(c.interval[0], 1),
            "high": round(c.interval[1], 1),
            "support": c.support,
            "base": c.base_points,
        }
        for c in fitted.coefficients
    ]
