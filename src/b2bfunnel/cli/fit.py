"""``b2bfunnel fit``: learn scoring points (or, with ``--decay``, the decay) from outcomes."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from .._toml import dumps
from ..errors import InvalidInputError
from ..evaluation import (
    DecayCandidate,
    DecayFit,
    FittedModel,
    TimeSplit,
    fit_decay,
    fit_points,
    time_split,
)
from ..scoring import Decay, ScoringModel
from ._args import funnel_of, positive
from ._tables import write_json, write_rows, write_table
from .evaluate import Inputs, add_inputs, moment, read_inputs


def register(sub: Any) -> None:
    """Add the ``fit`` subcommand to ``sub``."""
    cmd = sub.add_parser(
        "fit", help="learn scoring points from outcomes and compare them with the base model"
    )
    add_inputs(cmd)
    cmd.add_argument(
        "--cutoff",
        required=True,
        action="append",
        help="fit on the leads as of this date (the latest usable); with --decay, repeat "
        "for a pooled backtest",
    )
    cmd.add_argument(
        "--decay",
        action="store_true",
        help="learn the decay instead of the points: search the decay kind and its days",
    )
    cmd.add_argument(
        "--kind",
        action="append",
        choices=("none", "half_life", "inactivity", "expiry"),
        help="with --decay, search only this kind of decay (repeatable; default: all four)",
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
    if args.decay:
        return run_decay(args, data, funnel.scoring, out)
    if len(args.cutoff) > 1:
        raise InvalidInputError(
            "fitting points takes one --cutoff; several are for --decay", path="--cutoff"
        )
    cutoff = moment(args.cutoff[0], "--cutoff")
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
    write_fitted(args, fitted, split, rows, (earlier, cutoff), out)
    return 0


def write_fitted(
    args: argparse.Namespace,
    fitted: FittedModel,
    split: TimeSplit,
    rows: list[dict[str, Any]],
    cutoffs: tuple[datetime, datetime],
    out: TextIO,
) -> None:
    """The text report of ``fit``: the fitted points, the hot threshold, the time split."""
    earlier, cutoff = cutoffs
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
        f"evaluated as of {cutoff.date().isoformat()}: {split.describe()}\n"
    )
    if args.out:
        out.write(f"Wrote {args.out}\n")


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


def run_decay(args: argparse.Namespace, data: Inputs, base: ScoringModel, out: TextIO) -> int:
    """Learn the decay over every ``--cutoff``; print the grid, write ``--out``."""
    cutoffs = [moment(text, "--cutoff") for text in args.cutoff]
    leads, events, outcomes = data.leads, data.events, data.outcomes.records
    fitted: DecayFit = data.located(
        lambda: fit_decay(
            base,
            leads,
            events,
            outcomes,
            cutoffs=cutoffs,
            horizon_days=args.horizon_days,
            kinds=args.kind,
        )
    )
    if args.out:
        Path(args.out).write_text(dumps({"scoring": fitted.model.to_dict()}), encoding="utf-8")
    if args.format == "json":
        return write_json(fitted.to_dict(), out)
    rows = [decay_row(c, c.decay == fitted.decay) for c in fitted.grid]
    if args.format == "csv":
        write_rows(args, rows, out)
        return 0
    chosen, low, high = fitted.chosen, *fitted.difference_interval
    out.write(
        f"Decay {describe(fitted.decay)} (log-likelihood {chosen.log_likelihood:.1f}, AUC "
        f"{chosen.auc:.3f}) over {fitted.n} leads at {len(cutoffs)} cutoff(s), "
        f"{fitted.positives} converted within {fitted.horizon_days:g} days\n"
        f"Base {describe(fitted.base.decay)}: log-likelihood "
        f"{fitted.base.log_likelihood:.1f}, AUC {fitted.base.auc:.3f}; AUC difference "
        f"{fitted.auc_difference:+.3f} ({low:+.3f} to {high:+.3f})\n"
    )
    write_table(rows, out)
    if args.out:
        out.write(f"Wrote {args.out}\n")
    return 0


def describe(decay: Decay) -> str:
    """``half_life (half_life_days 30)``."""
    params = ", ".join(f"{k} {v:g}" for k, v in decay.params.items())
    return f"{decay.kind} ({params})" if params else decay.kind


def decay_row(candidate: DecayCandidate, chosen: bool) -> dict[str, Any]:
    """One row of the grid: kind, parameters, log-likelihood, AUC, chosen."""
    return {
        "kind": candidate.decay.kind,
        "params": ", ".join(f"{k}={v:g}" for k, v in candidate.decay.params.items()),
        "log_likelihood": round(candidate.log_likelihood, 2),
        "auc": round(candidate.auc, 4),
        "chosen": "*" if chosen else "",
    }
