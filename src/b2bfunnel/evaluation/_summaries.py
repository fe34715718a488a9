"""The summaries of an evaluation, a fitted model and a time split (``summary()``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from .._summary import Summary

if TYPE_CHECKING:  # for the signatures only: the result modules import this one
    from ._evaluate import Evaluation
    from ._fit import FittedModel
    from ._timesplit import TimeSplit

__all__ = ["evaluation_summary", "fitted_summary", "split_summary", "when"]


def _level(confidence: float) -> str:
    return f"{confidence:.0%}"


def when(at: datetime) -> str:
    """A cutoff as text: the date alone for midnight UTC (as the command line takes
    it), else the ISO time with its offset."""
    if at.utcoffset() == timedelta(0) and at.time() == time(0):
        return at.date().isoformat()
    return at.isoformat()


def _cutoffs(evaluation: Evaluation) -> tuple[str, str]:
    """The headline's cutoff label and value: one date, or a backtest's range."""
    first, last = evaluation.cutoffs[0], evaluation.cutoffs[-1]
    if len(evaluation.cutoffs) == 1:
        return "cutoff", when(last)
    return f"{len(evaluation.cutoffs)} cutoffs", f"{when(first)} to {when(last)}"


def evaluation_summary(evaluation: Evaluation) -> Summary:
    """Leads, conversions, the AUC with its interval, Gini and KS; then conversion by
    band with Wilson intervals."""
    level = _level(evaluation.confidence)
    units = "accounts" if evaluation.level == "account" else "leads"
    headline: list[tuple[str, Any]] = [
        _cutoffs(evaluation),
        ("horizon (days)", evaluation.horizon_days),
        (units, evaluation.n),
        ("converted", evaluation.positives),
        ("conversion rate", evaluation.rate),
        ("excluded (converted by the cutoff)", evaluation.excluded),
        ("AUC", evaluation.auc),
        (f"AUC {level} interval", evaluation.auc_interval),
        ("Gini", evaluation.gini),
        ("KS", evaluation.ks),
    ]
    rows = [
        (band, stats.n, stats.conversions, stats.rate, stats.interval)
        for band, stats in evaluation.by_band.items()
    ]
    return Summary(
        "Evaluation of the scores against conversions",
        [(label, value) for label, value in headline if value is not None],
        ("band", units, "converted", "rate", f"{level} interval"),
        rows,
        evaluation.warnings,
    )


def _coefficient_rows(fitted: FittedModel) -> list[tuple[Any, ...]]:
    return [
        (c.rule, c.kind, c.base_points, c.points, c.interval, c.weight, c.support)
        for c in fitted.coefficients
    ]


_COEFFICIENTS = ("rule", "kind", "base points", "points", "interval", "log-odds", "support")


def fitted_summary(fitted: FittedModel) -> Summary:
    """What the fit learned from (leads, conversions, cutoff, method), then each
    rule's learned points with their interval against the base model's."""
    headline: list[tuple[str, Any]] = [
        ("method", fitted.method),
        ("cutoff", when(fitted.cutoff)),
        ("horizon (days)", fitted.horizon_days),
        ("leads", fitted.n),
        ("converted", fitted.positives),
        ("points to double the odds", fitted.pdo),
        ("offset (scorecard - model points)", fitted.offset),
        ("hot threshold (model points)", fitted.model.hot_threshold),
    ]
    return Summary(
        "Fitted points",
        headline,
        _COEFFICIENTS,
        _coefficient_rows(fitted),
        fitted.warnings,
    )


def split_summary(split: TimeSplit) -> Summary:
    """Base and fitted AUC on the same later leads, the difference with its paired
    interval, then the learned points (at most the first 20 shown in a notebook)."""
    base, learned, fitted = split.base, split.learned, split.fitted
    level = _level(base.confidence)
    headline: list[tuple[str, Any]] = [
        ("fitted at", when(fitted.cutoff)),
        ("evaluated at", when(base.cutoff)),
        ("horizon (days)", base.horizon_days),
        ("leads evaluated", base.n),
        ("converted", base.positives),
        ("base AUC", base.auc),
        (f"base AUC {level} interval", base.auc_interval),
        ("fitted AUC", learned.auc),
        (f"fitted AUC {level} interval", learned.auc_interval),
        ("difference (fitted - base)", split.difference),
        (f"difference {level} interval", split.difference_interval),
    ]
    notes = dict.fromkeys([*fitted.warnings, *base.warnings, *learned.warnings])
    return Summary(
        "Time split: fitted points against the base model",
        [(label, value) for label, value in headline if value is not None],
        _COEFFICIENTS,
        _coefficient_rows(fitted),
        list(notes),
    )
