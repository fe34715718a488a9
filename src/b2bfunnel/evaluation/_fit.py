"""``fit_points``: learn a scoring model's points from what leads did after a cutoff.

Points follow the scorecard convention: ``pdo`` points double the odds of converting,
so a rule's points are its log-odds weight times ``pdo / ln 2``, and scorecard points
are ``offset + pdo / ln 2 * ln(odds)``. ``ScoringModel`` has no intercept, so the
offset lives on :class:`FittedModel`: scorecard points = model total + ``offset``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Displayed, Plotted, Summarised, Summary
from .._stats import z_for
from ..errors import InvalidInputError
from ..events import Event
from ..plot import Charts
from ..records import flatten
from ..scoring import Score, ScoringModel
from ..tables._options import read_options
from ..tables._table import Columns, TableLike
from ._calibration import CalibrationBin, calibration_table, platt
from ._evaluate import snapshots
from ._features import Feature, feature_rows, field_features, rule_features
from ._logistic import SparseRow, logistic, sigmoid
from ._summaries import fitted_summary

__all__ = ["NB_BINS", "Coefficient", "FittedModel", "fit_points"]

METHODS = ("naive_bayes", "logistic")
# Naive Bayes bins of an implicit feature (its value in events): 0 | (0, 1] | (1, 2] |
# (2, 4] | above 4. Each bin's weight of evidence is summarised by a line through the
# 0 bin, because a rule's points grow linearly with its events.
NB_BINS = (1.0, 2.0, 4.0)
# Laplace smoothing of naive Bayes counts: half a lead added to every cell.
SMOOTHING = 0.5
# L2 strength of the logistic fit, on features scaled to unit standard deviation.
L2 = 1.0
# Points are rounded to this many decimals so the exported TOML stays readable.
POINT_PLACES = 2


@attrs.frozen(repr=False)
class Coefficient(Displayed):
    """A learned rule: log-odds ``weight`` per unit, its ``points`` (per event for an
    implicit rule) with an ``interval``, ``support`` (leads where it is non-zero)
    and the base model's points."""

    rule: str
    kind: str
    weight: float
    points: float
    interval: tuple[float, float]
    support: int
    base_points: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "rule": self.rule,
            "kind": self.kind,
            "weight": self.weight,
            "points": self.points,
            "interval": list(self.interval),
            "support": self.support,
            "base_points": self.base_points,
        }


@attrs.frozen(repr=False)
class FittedModel(Summarised, Plotted):
    """A learned :class:`ScoringModel` and what it learned from.

    ``intercept`` is the log-odds at a model total of 0 (``ScoringModel`` has none).
    Scorecard points are the model total plus ``offset``: ``base_points`` of them give
    the ``base_odds`` (the odds at the fitting data's average conversion rate) and every
    ``pdo`` more double the fitted odds (:meth:`odds`). :meth:`points`, :meth:`odds`,
    :meth:`probability` and the ``calibration`` table all speak scorecard points; the
    ``model``'s own ``hot_threshold`` and bands are model totals (add ``offset``).
    :meth:`probability` is calibrated by Platt scaling on the fitting data;
    ``calibration`` compares predicted and observed rates per score group.
    """

    _charts: ClassVar[Charts] = (("calibration", charts.fitted_calibration),)

    model: ScoringModel
    method: str
    coefficients: tuple[Coefficient, ...]
    intercept: float
    pdo: float
    platt: tuple[float, float]
    calibration: tuple[CalibrationBin, ...]
    cutoff: datetime
    horizon_days: float
    n: int
    positives: int
    l2: float | None = None
    bins: tuple[float, ...] = ()
    warnings: tuple[str, ...] = ()
    base_odds: float = 1.0
    base_points: float = 0.0

    @property
    def odds_at_zero(self) -> float:
        """The fitted odds of converting at a model total of 0."""
        return math.exp(self.intercept)

    @property
    def offset(self) -> float:
        """Scorecard points minus model total: ``base_points`` minus the model total at
        which the fitted odds equal ``base_odds``."""
        unit = self.pdo / math.log(2)
        return self.base_points - unit * (math.log(self.base_odds) - self.intercept)

    def points(self, score: Score | float) -> float:
        """Scorecard points of a :class:`~b2bfunnel.Score` (its total plus ``offset``);
        a number is taken as scorecard points already."""
        total = getattr(score, "total", None)  # a Score, or any object with a total
        if isinstance(total, int | float):
            return float(total) + self.offset
        if isinstance(score, bool) or not isinstance(score, int | float) or score != score:
            raise InvalidInputError(f"expected a score, got {score!r}", path="score")
        return float(score)

    def odds(self, score: Score | float) -> float:
        """The fitted (uncalibrated) odds at ``score`` (scorecard points or a Score):
        ``base_odds * 2 ** ((points - base_points) / pdo)``."""
        return self.base_odds * 2 ** ((self.points(score) - self.base_points) / self.pdo)

    def probability(self, score: Score | float) -> float:
        """The calibrated probability of converting within the horizon at ``score``
        (scorecard points, or a :class:`~b2bfunnel.Score`)."""
        a, b = self.platt
        return sigmoid(a + b * (self.points(score) - self.offset))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``model`` is the ``[scoring]`` table."""
        return {
            "method": self.method,
            "model": self.model.to_dict(),
            "coefficients": [c.to_dict() for c in self.coefficients],
            "intercept": self.intercept,
            "pdo": self.pdo,
            "platt": list(self.platt),
            "calibration": [c.to_dict() for c in self.calibration],
            "cutoff": self.cutoff.isoformat(),
            "horizon_days": self.horizon_days,
            "n": self.n,
            "positives": self.positives,
            "l2": self.l2,
            "bins": list(self.bins),
            "warnings": list(self.warnings),
            "base_odds": self.base_odds,
            "base_points": self.base_points,
            "offset": self.offset,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [flatten(coefficient) for coefficient in self.coefficients]

    def summary(self) -> Summary:
        """What the fit learned from, then each rule's learned points with their
        interval beside the base model's: what a notebook shows."""
        return fitted_summary(self)


def _check_options(
    method: Any, min_support: Any, pdo: Any, fields: Any, base_points: Any
) -> tuple[str, ...]:
    if method not in METHODS:
        raise InvalidInputError(
            f"unknown method {method!r}; allowed: {', '.join(METHODS)}", path="method"
        )
    if isinstance(min_support, bool) or not isinstance(min_support, int) or min_support < 1:
        raise InvalidInputError(
            f"expected a whole number of leads >= 1, got {min_support!r}", path="min_support"
        )
    if isinstance(pdo, bool) or not isinstance(pdo, int | float) or not 0 < pdo < math.inf:
        raise InvalidInputError(f"expected a positive number of points, got {pdo!r}", path="pdo")
    if base_points is not None and (
        isinstance(base_points, bool)
        or not isinstance(base_points, int | float)
        or not math.isfinite(base_points)
    ):
        raise InvalidInputError(
            f"expected a finite number of points or None, got {base_points!r}",
            path="base_points",
        )
    if isinstance(fields, str) or not isinstance(fields, Iterable):
        raise InvalidInputError(
            f"expected a list of profile field names, got {fields!r}", path="fields"
        )
    return tuple(fields)


# long: checks each argument and reads the tables with the reading options, then one
# call per step
def fit_points(
    profiles: TableLike,
    events: Iterable[Event],
    outcomes: TableLike,
    *,
    cutoff: datetime,
    horizon_days: float = 90,
    base: ScoringModel | None = None,
    method: str = "naive_bayes",
    fields: Iterable[str] = (),
    min_support: int = 30,
    pdo: float = 20,
    base_points: float | None = None,
    data_end: datetime | None = None,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> FittedModel:
    """Learn points for ``base``'s rules (and for common ``fields`` values) from outcomes.

    Features are read at ``cutoff`` exactly as :func:`evaluate` scores (no leakage); the
    label is converting within ``horizon_days`` after it. ``method="naive_bayes"`` sums
    smoothed weights of evidence; ``"logistic"`` fits an L2-regularised logistic
    regression exactly. ``pdo`` points double the odds; ``base_points`` are the
    scorecard points at the odds of the average conversion rate (None: whatever model
    total has those odds, so scorecard points equal model totals). Tables, ``columns``
    and the other reading options as for :func:`evaluate`. See ``docs/evaluation.md``.
    """
    field_names = _check_options(method, min_support, pdo, fields, base_points)
    model = ScoringModel.default() if base is None else base
    z = z_for(confidence)
    options = read_options(columns=columns, decimal=decimal, date_format=date_format,
                           timezone=timezone, values=values, skip_invalid=skip_invalid)  # fmt: skip
    (snap,), leads = snapshots(
        model, profiles, events, outcomes, cutoff, None, horizon_days, data_end, options=options
    )
    by_id = {str(p.get("id")): p for p in leads}
    population = [by_id[s.lead_id] for s in snap.scores]
    features = rule_features(model)
    features += field_features(field_names, population, min_support, {f.name for f in features})
    rows = feature_rows(features, snap.scores, by_id)
    labels = snap.labels
    positives = sum(labels)
    if positives == 0 or positives == len(labels):
        raise InvalidInputError(
            f"{positives} of {len(labels)} leads converted within {snap.horizon_days:g} days "
            f"after {cutoff.isoformat()}; fitting needs both converters and non-converters",
            path="outcomes",
        )
    unit = pdo / math.log(2)
    if method == "naive_bayes":
        weights, errors, intercept = _naive_bayes(features, rows, labels)
        l2: float | None = None
        bins: tuple[float, ...] = NB_BINS
    else:
        weights, errors, intercept = _logistic(features, rows, labels)
        l2, bins = L2, ()
    points = [round(w * unit, POINT_PLACES) for w in weights]
    coefficients = _coefficients(features, rows, weights, errors, points, z * unit)
    totals = [math.fsum(points[j] * x for j, x in row) for row in rows]
    calibration = platt(totals, labels)
    warnings = []
    if min(positives, len(labels) - positives) < 10 * len(features):
        warnings.append(
            f"{positives} converters for {len(features)} features: fewer than 10 per "
            "feature, so points are noisy"
        )
    fitted_model = _build_model(model, features, points, calibration, positives / len(labels))
    base_odds = positives / (len(labels) - positives)
    at_base = unit * (math.log(base_odds) - intercept)
    offset = 0.0 if base_points is None else float(base_points) - at_base
    return FittedModel(
        fitted_model,
        method,
        coefficients,
        intercept,
        float(pdo),
        calibration,
        calibration_table(totals, labels, calibration, z, offset=offset),
        cutoff,
        snap.horizon_days,
        len(labels),
        positives,
        l2,
        bins,
        tuple(warnings),
        base_odds,
        at_base if base_points is None else float(base_points),
    )


def _coefficients(
    features: Sequence[Feature],
    rows: Sequence[SparseRow],
    weights: Sequence[float],
    errors: Sequence[float],
    points: Sequence[float],
    half_width: float,
) -> tuple[Coefficient, ...]:
    """One coefficient per feature; ``half_width`` turns a standard error into points."""
    support = [0] * len(features)
    for row in rows:
        for j, _ in row:
            support[j] += 1
    return tuple(
        Coefficient(
            f.name, f.kind, w, p, (p - half_width * e, p + half_width * e), s, f.base_points
        )
        for f, w, p, e, s in zip(features, weights, points, errors, support, strict=True)
    )


def _woe(pos: float, neg: float, positives: int, negatives: int, cells: int) -> float:
    """Smoothed weight of evidence of a cell: log of its share of positives over its
    share of negatives."""
    return math.log((pos + SMOOTHING) / (positives + SMOOTHING * cells)) - math.log(
        (neg + SMOOTHING) / (negatives + SMOOTHING * cells)
    )


def _woe_variance(pos: float, neg: float) -> float:
    return 1 / (pos + SMOOTHING) + 1 / (neg + SMOOTHING)


def _naive_bayes(
    features: Sequence[Feature], rows: Sequence[SparseRow], labels: Sequence[bool]
) -> tuple[list[float], list[float], float]:
    """Weights (log-odds per unit), their standard errors and the log-odds at 0.

    A 0/1 feature's weight is WoE(1) - WoE(0). An implicit feature's bins' WoE minus the
    0 bin's are fitted by a line through the origin, weighted by inverse variance.
    """
    positives = sum(labels)
    negatives = len(labels) - positives
    cells = len(NB_BINS) + 2
    # per feature and bin: [positives, negatives, sum of values]
    counts = [[[0.0, 0.0, 0.0] for _ in range(cells)] for _ in features]
    for row, label in zip(rows, labels, strict=True):
        for j, x in row:
            b = 1 + sum(1 for edge in NB_BINS if x > edge)
            cell = counts[j][b]
            cell[0 if label else 1] += 1
            cell[2] += x
    weights, errors = [], []
    intercept = math.log(positives / negatives)
    for feature, table in zip(features, counts, strict=True):
        binary = feature.kind != "implicit"
        zero_pos = positives - sum(c[0] for c in table)
        zero_neg = negatives - sum(c[1] for c in table)
        used = 2 if binary else cells
        base = _woe(zero_pos, zero_neg, positives, negatives, used)
        base_var = _woe_variance(zero_pos, zero_neg)
        intercept += base
        top = bottom = 0.0
        for pos, neg, total in table[1:]:
            n = pos + neg
            if not n:
                continue
            mean = total / n
            weight = 1 / (_woe_variance(pos, neg) + base_var)
            top += weight * mean * (_woe(pos, neg, positives, negatives, used) - base)
            bottom += weight * mean * mean
        weights.append(top / bottom if bottom else 0.0)
        errors.append(1 / math.sqrt(bottom) if bottom else math.inf)
    return weights, errors, intercept


def _logistic(
    features: Sequence[Feature], rows: Sequence[SparseRow], labels: Sequence[bool]
) -> tuple[list[float], list[float], float]:
    """Weights, standard errors and intercept of an L2 logistic fit on scaled features."""
    n = len(rows)
    sums = [0.0] * len(features)
    squares = [0.0] * len(features)
    for row in rows:
        for j, x in row:
            sums[j] += x
            squares[j] += x * x
    scale = []
    for s, q in zip(sums, squares, strict=True):
        variance = q / n - (s / n) ** 2
        scale.append(math.sqrt(variance) if variance > 0 else 1.0)
    scaled = [tuple((j, x / scale[j]) for j, x in row) for row in rows]
    fit = logistic(scaled, labels, len(features), l2=L2)
    weights = [b / s for b, s in zip(fit.coefficients, scale, strict=True)]
    errors = [
        math.sqrt(max(fit.covariance[j + 1][j + 1], 0.0)) / scale[j] for j in range(len(features))
    ]
    return weights, errors, fit.intercept


def _threshold(calibration: tuple[float, float], probability: float) -> float | None:
    """The score at which the calibrated probability reaches ``probability``."""
    a, b = calibration
    if b <= 0 or not 0 < probability < 1:
        return None
    return (math.log(probability / (1 - probability)) - a) / b


def _build_model(
    base: ScoringModel,
    features: Sequence[Feature],
    points: Sequence[float],
    calibration: tuple[float, float],
    rate: float,
) -> ScoringModel:
    """``base`` with learned points, field rules, and hot/bands from target odds.

    Hot: twice the average conversion rate (capped at 0.9); warm: the average rate.
    Group and total caps are dropped (they would cut learned points arbitrarily); an
    implicit rule's ``max_points`` is scaled with its points.
    """
    data = base.to_dict()
    learned = {f.name: p for f, p in zip(features, points, strict=True)}
    for rule in data["explicit"]:
        rule["points"] = learned.get(rule["name"], rule["points"])
    for rule in data["implicit"]:
        new = learned.get(rule["name"])
        if new is None:
            continue
        if "max_points" in rule:
            if new:
                rule["max_points"] = abs(rule["max_points"] * new / rule["points"])
            else:
                del rule["max_points"]
        rule["points"] = new
    for f, p in zip(features, points, strict=True):
        if f.kind == "field":
            data["explicit"].append(
                {"name": f.name, "points": p, "when": {"field": f.field, "eq": f.value}}
            )
    data["groups"] = {name: {} for name in data.get("groups", {})}
    data.pop("max_total", None)
    hot = _threshold(calibration, min(0.9, 2 * rate))
    warm = _threshold(calibration, rate)
    hot_points = round(hot, 1) if hot is not None and hot >= 1 else 1.0
    bands: list[dict[str, Any]] = [{"name": "cold"}]
    if warm is not None and round(warm, 1) < hot_points:
        bands.append({"name": "warm", "min": round(warm, 1)})
    bands.append({"name": "hot", "min": hot_points})
    data["hot_threshold"] = hot_points
    data["bands"] = bands
    return ScoringModel.from_dict(data)
