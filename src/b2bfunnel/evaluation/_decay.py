"""``fit_decay``: learn a scoring model's decay from what leads did after the cutoffs.

Every candidate decay of the grid rescores the leads at each cutoff exactly as
:func:`evaluate` does (no leakage). A candidate's score becomes a probability of
converting within the horizon through a one-feature logistic fit
(``p = sigmoid(a + b * score)``, fitted on the pooled rows); the candidate with the
highest pooled log-likelihood of the outcomes wins. Every candidate has the same two
fitted numbers, so their log-likelihoods compare fairly. The AUC is reported too: it
only sees the order of the scores, so it is nearly flat across half-lives.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

import attrs

from .._display import Bounds, Displayed, View
from .._stats import z_for
from ..errors import B2BFunnelError, InvalidInputError
from ..events import Event
from ..records import flatten
from ..scoring import Decay, ScoringModel
from ..tables._kinds import outcome_fields, profile_fields
from ..tables._options import read_options
from ..tables._read import read_events, rows_of
from ..tables._table import Columns, TableLike
from ..tables._values import require_items
from ._evaluate import snapshots
from ._logistic import logistic, sigmoid
from ._metrics import auc_delong, auc_difference
from ._snapshot import as_events

__all__ = ["DEFAULT_GRID", "DecayCandidate", "DecayFit", "fit_decay"]

# Doubling spans of days, from a week to four months.
DAYS = (7.0, 14.0, 30.0, 60.0, 120.0)
# The candidates searched by default, per kind: every combination of the values.
DEFAULT_GRID: Mapping[str, Mapping[str, tuple[float, ...]]] = MappingProxyType(
    {
        "none": {},
        "half_life": {"half_life_days": DAYS},
        "inactivity": {"grace_days": (0.0, 7.0, 30.0), "half_life_days": DAYS},
        "expiry": {"days": DAYS},
    }
)
# Positives needed per parameter searched, and at least.
PER_PARAMETER = 10
MIN_FIT_POSITIVES = 30
# A negligible ridge keeps the one-feature fit finite when a candidate's scores are all 0.
L2 = 1e-9


def _frozen_params(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


@attrs.frozen(repr=False)
class DecayCandidate(Displayed):
    """One decay of the grid: its pooled ``log_likelihood`` (through the one-feature
    logistic fit) and pooled ``auc``."""

    decay: Decay
    log_likelihood: float
    auc: float

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "kind": self.decay.kind,
            "params": dict(self.decay.params),
            "log_likelihood": self.log_likelihood,
            "auc": self.auc,
        }

    def _flat(self, _prefix: str = "") -> dict[str, Any]:
        return {
            "kind": self.decay.kind,
            **self.decay.params,
            "log_likelihood": self.log_likelihood,
            "auc": self.auc,
        }


@attrs.frozen(repr=False)
class DecayFit(Displayed):
    """The decay that best predicted conversion within the horizon, and the whole grid.

    ``decay`` is the chosen decay and ``model`` the base model with it. ``base`` is the
    base model's own decay judged the same way. ``auc_difference`` is the chosen
    model's pooled AUC minus the base's on the same rows, with its paired DeLong
    ``difference_interval`` (clustered by lead over several cutoffs). ``parameters`` is
    how many parameters were searched (the kind counts as one when several kinds are).
    """

    decay: Decay
    model: ScoringModel
    grid: tuple[DecayCandidate, ...]
    base: DecayCandidate
    cutoffs: tuple[datetime, ...]
    horizon_days: float
    confidence: float
    n: int
    positives: int
    parameters: int
    auc_difference: float
    difference_interval: tuple[float, float]

    @property
    def chosen(self) -> DecayCandidate:
        """The grid's row of the chosen decay."""
        return next(c for c in self.grid if c.decay == self.decay)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the model as its ``to_dict``)."""
        return {
            "decay": self.decay.to_dict(),
            "model": self.model.to_dict(),
            "grid": [c.to_dict() for c in self.grid],
            "base": self.base.to_dict(),
            "cutoffs": [c.isoformat() for c in self.cutoffs],
            "horizon_days": self.horizon_days,
            "confidence": self.confidence,
            "n": self.n,
            "positives": self.positives,
            "parameters": self.parameters,
            "auc_difference": self.auc_difference,
            "difference_interval": list(self.difference_interval),
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [flatten(c) for c in self.grid]

    def _view(self) -> View:
        params = ", ".join(f"{k} {v:g}" for k, v in self.decay.params.items())
        pairs: list[tuple[str, Any]] = [
            ("decay", f"{self.decay.kind} ({params})" if params else self.decay.kind),
            ("base decay", self.base.decay.kind),
            ("leads", self.n),
            ("converted", self.positives),
            ("base AUC", self.base.auc),
            ("chosen AUC", self.chosen.auc),
            ("AUC difference", self.auc_difference),
            ("difference interval", Bounds(*self.difference_interval)),
            ("cutoffs", ", ".join(c.isoformat() for c in self.cutoffs)),
            ("horizon days", self.horizon_days),
        ]
        return View("DecayFit", pairs, self._rows())


def _kinds_grid(
    kinds: Iterable[str] | None, grid: Mapping[str, Mapping[str, Iterable[float]]] | None
) -> list[Decay]:
    """The candidate decays: every combination of each kind's values, in grid order."""
    source: Mapping[str, Mapping[str, Iterable[float]]] = DEFAULT_GRID if grid is None else grid
    if not isinstance(source, Mapping):
        raise InvalidInputError(
            f"expected a mapping of kind to {{parameter: [values]}}, got {type(source).__name__}",
            path="grid",
        )
    chosen = list(source) if kinds is None else _kind_names(kinds)
    candidates: list[Decay] = []
    for kind in chosen:
        if kind not in source:
            raise InvalidInputError(
                f"the grid has no values for {kind!r}; it has {', '.join(source) or 'none'}: "
                "give grid={kind: {parameter: [values]}}",
                path="kinds",
            )
        candidates.extend(_candidates(kind, source[kind]))
    if not candidates:
        raise InvalidInputError("expected at least one decay to try", path="grid")
    return candidates


def _kind_names(kinds: Iterable[str]) -> list[str]:
    return require_items(kinds, str, "kinds", "decay kinds", "a decay kind name")


def _candidates(kind: str, values: Mapping[str, Iterable[float]]) -> list[Decay]:
    where = f"grid.{kind}"
    if not isinstance(values, Mapping):
        raise InvalidInputError(
            f"expected a mapping of parameter to values, got {type(values).__name__}", path=where
        )
    names = list(values)
    lists: list[list[float]] = []
    for name in names:
        given = values[name]
        if isinstance(given, str) or not isinstance(given, Iterable) or not list(given):
            raise InvalidInputError(
                f"expected a non-empty list of values, got {given!r}", path=f"{where}.{name}"
            )
        lists.append(list(given))
    out = []
    for combination in itertools.product(*lists):
        try:
            out.append(Decay(kind, dict(zip(names, combination, strict=True))))
        except B2BFunnelError as error:  # Decay raises a ConfigError for a bad parameter
            raise InvalidInputError(f"not a valid {kind} decay: {error}", path=where) from None
    return out


def _searched(candidates: Sequence[Decay]) -> int:
    """Parameters searched: each kind's parameters that take several values, plus one
    for the kind when there are several kinds."""
    kinds = {d.kind for d in candidates}
    varied = 0
    for kind in kinds:
        params = [d.params for d in candidates if d.kind == kind]
        varied += sum(1 for name in params[0] if len({p[name] for p in params}) > 1)
    return varied + (1 if len(kinds) > 1 else 0)


def _log_likelihood(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """The pooled log-likelihood of ``labels`` under ``sigmoid(a + b * score)`` fitted
    to them (one feature, exact Newton steps)."""
    rows = [((0, s),) if s else () for s in scores]
    fit = logistic(rows, labels, 1, l2=L2)
    total = 0.0
    for score, label in zip(scores, labels, strict=True):
        p = sigmoid(fit.intercept + fit.coefficients[0] * score)
        total += math.log(max(p if label else 1 - p, 1e-300))
    return total


def _pooled(
    model: ScoringModel, inputs: tuple[Any, ...], order: Sequence[tuple[int, str]] | None
) -> tuple[list[float], list[bool], list[tuple[int, str]]]:
    """The pooled (scores, labels, row keys) at every cutoff, rows in ``order`` (by
    cutoff and lead) so every candidate lines up with the base."""
    profiles, events, outcomes, cutoffs, horizon_days, data_end = inputs
    snaps, _ = snapshots(model, profiles, events, outcomes, None, cutoffs, horizon_days, data_end)
    found: dict[tuple[int, str], tuple[float, bool]] = {}
    for index, snap in enumerate(snaps):
        for score, label in zip(snap.scores, snap.labels, strict=True):
            found[(index, score.lead_id)] = (score.total, label)
    keys = sorted(found) if order is None else list(order)
    return [found[k][0] for k in keys], [found[k][1] for k in keys], keys


def _check_positives(labels: Sequence[bool], searched: int) -> int:
    """The positives, when there are enough for ``searched`` parameters; else raise."""
    positives = sum(labels)
    needed = max(MIN_FIT_POSITIVES, PER_PARAMETER * searched)
    if positives < needed:
        raise InvalidInputError(
            f"only {positives} leads converted within the horizon; searching {searched} "
            f"decay parameter(s) needs at least {needed} (30, and 10 per parameter): add "
            "cutoffs, lengthen the horizon or search fewer kinds",
            path="outcomes",
        )
    if positives == len(labels):
        raise InvalidInputError(
            "every lead converted within the horizon: nothing to tell apart", path="outcomes"
        )
    return positives


# long: checks each argument and reads the tables with the reading options, then one
# call per step
def fit_decay(
    model: ScoringModel,
    profiles: TableLike,
    events: Iterable[Event],
    outcomes: TableLike,
    *,
    cutoffs: Iterable[datetime],
    horizon_days: float,
    data_end: datetime | None = None,
    kinds: Iterable[str] | None = None,
    grid: Mapping[str, Mapping[str, Iterable[float]]] | None = None,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> DecayFit:
    """Choose ``model``'s decay from outcomes: the kind and parameters of ``grid`` that
    maximise the pooled log-likelihood of converting within ``horizon_days`` after
    each of ``cutoffs``.

    ``grid`` maps a decay kind to ``{parameter: [values]}`` (default
    :data:`DEFAULT_GRID`: no decay; half-lives of 7, 14, 30, 60 and 120 days;
    inactivity with those half-lives after 0, 7 or 30 days of grace; expiry after those
    days); ``kinds`` keeps only some of its kinds. Refuses when the positives are
    fewer than 30 or than 10 per parameter searched. Tables, ``data_end``, ``columns``
    and the other reading options as for :func:`evaluate`. See ``docs/evaluation.md``.
    """
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    candidates = _kinds_grid(kinds, grid)
    z = z_for(confidence)
    if isinstance(cutoffs, datetime) or not isinstance(cutoffs, Iterable):
        raise InvalidInputError(
            f"expected a list of cutoffs, got {type(cutoffs).__name__}", path="cutoffs"
        )
    points = tuple(cutoffs)
    options = read_options(columns=columns, decimal=decimal, date_format=date_format,
                           timezone=timezone, values=values, skip_invalid=skip_invalid)  # fmt: skip
    inputs = (
        list(rows_of(profiles, options, "profiles", kind=profile_fields)),
        as_events(read_events(events, options)),
        list(rows_of(outcomes, options, "outcomes", kind=outcome_fields)),
        points,
        horizon_days,
        data_end,
    )
    base_scores, labels, keys = _pooled(model, inputs, None)
    searched = _searched(candidates)
    positives = _check_positives(labels, searched)
    clusters = [lead for _, lead in keys] if len(points) > 1 else None

    def judged(decay: Decay, scores: Sequence[float]) -> DecayCandidate:
        auc, _ = auc_delong(scores, labels, clusters)
        return DecayCandidate(decay, _log_likelihood(scores, labels), auc)

    base = judged(model.decay, base_scores)
    rows: list[DecayCandidate] = []
    best_scores: Sequence[float] = base_scores
    best: DecayCandidate | None = None
    for decay in candidates:
        scores = (
            base_scores
            if decay == model.decay
            else _pooled(attrs.evolve(model, decay=decay), inputs, keys)[0]
        )
        row = judged(decay, scores)
        rows.append(row)
        if best is None or row.log_likelihood > best.log_likelihood:
            best, best_scores = row, scores
    assert best is not None  # at least one candidate, checked above
    difference, variance = auc_difference(best_scores, base_scores, labels, clusters)
    half = z * math.sqrt(max(variance, 0.0))
    return DecayFit(
        best.decay,
        attrs.evolve(model, decay=best.decay),
        tuple(rows),
        base,
        points,
        float(horizon_days),
        confidence,
        len(labels),
        positives,
        searched,
        difference,
        (difference - half, difference + half),
    )
