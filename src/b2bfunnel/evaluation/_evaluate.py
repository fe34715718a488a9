"""``evaluate``: how well a scoring model ranked leads by what happened after a cutoff."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Plotted, Summarised, Summary
from .._stats import z_for
from .._time import SECONDS_PER_DAY
from ..accounts import AccountModel
from ..errors import InvalidInputError
from ..events import Event
from ..funnel import Funnel
from ..plot import Charts
from ..progress import Progress, tracked
from ..records import flatten
from ..scoring import Score, ScoringModel
from ..tables._kinds import outcome_fields, profile_fields
from ..tables._options import ReadOptions, read_options
from ..tables._read import read_events, rows_of
from ..tables._table import Columns, TableLike
from ._accounts import AccountRow, AccountSnapshot, account_snapshots
from ._breakdowns import Decile, deciles_of, rates_by
from ._metrics import MIN_POSITIVES, auc_delong, ks_statistic, psi
from ._rates import ConversionRate
from ._snapshot import (
    Snapshot,
    as_events,
    check_horizon,
    created_times,
    cutoff_points,
    end_of_data,
    read_outcomes,
    snapshot,
)
from ._summaries import evaluation_summary
from ._thresholds import ThresholdSuggestion, count_crossings, suggest_threshold
from ._versus import AUCComparison, paired

__all__ = ["MIN_POSITIVES", "Decile", "Evaluation", "ThresholdSuggestion", "evaluate"]

LEVELS = ("lead", "account")


def _frozen_map(value: Mapping[str, ConversionRate]) -> Mapping[str, ConversionRate]:
    return MappingProxyType(dict(value))


def _interval(centre: float, variance: float, z: float) -> tuple[float, float]:
    half = z * math.sqrt(max(variance, 0.0))
    return (max(0.0, centre - half), min(1.0, centre + half))


@attrs.frozen(repr=False)
class Evaluation(Summarised, Plotted):
    """How well scores at a cutoff ranked the leads that converted within the horizon.

    ``auc`` is the probability that a converter outscored a non-converter (ties ½), with
    a DeLong ``auc_interval`` (None, with a warning, under :data:`MIN_POSITIVES`
    positives or negatives); ``gini = 2 auc - 1``; ``ks`` the largest gap between the
    shares of converters and non-converters at or above a score. ``excluded`` counts
    leads that had converted by the cutoff; ``unknown_outcomes`` leads with an outcome
    but no profile. A pooled backtest (``cutoffs=``) keeps one evaluation per cutoff in
    ``per_cutoff``; its intervals treat the rows of one lead as one cluster.

    ``level`` is ``"lead"``, or ``"account"`` when the rows are accounts (their ids in
    ``lead_ids``; see ``docs/accounts.md``).

    ``scores``, ``labels``, ``lead_ids`` and ``idle_days`` (days since the lead's last
    event at the cutoff) hold the rows behind the figures; ``peaks`` each row's running
    peak over its event instants, as (POSIX time, peak) pairs flattened, oldest
    first, from which :meth:`crossings` and :meth:`threshold_for` count.
    """

    _charts: ClassVar[Charts] = (
        ("bands", charts.evaluation_bands),
        ("lift", charts.evaluation_lift),
        ("capture", charts.evaluation_capture),
    )

    cutoffs: tuple[datetime, ...]
    horizon_days: float
    confidence: float
    n: int
    positives: int
    excluded: int
    unknown_outcomes: int
    auc: float | None
    auc_interval: tuple[float, float] | None
    ks: float | None
    ks_score: float | None
    by_band: Mapping[str, ConversionRate] = attrs.field(converter=_frozen_map, hash=False)
    by_grade: Mapping[str, ConversionRate] = attrs.field(converter=_frozen_map, hash=False)
    deciles: tuple[Decile, ...]
    warnings: tuple[str, ...] = ()
    per_cutoff: tuple[Evaluation, ...] = ()
    scores: tuple[float, ...] = attrs.field(default=(), repr=False)
    labels: tuple[bool, ...] = attrs.field(default=(), repr=False)
    lead_ids: tuple[str, ...] = attrs.field(default=(), repr=False)
    idle_days: tuple[float, ...] = attrs.field(default=(), repr=False)
    peaks: tuple[tuple[float, ...], ...] = attrs.field(default=(), repr=False)
    level: str = "lead"

    @property
    def cutoff(self) -> datetime:
        """The cutoff (the last one of a pooled backtest)."""
        return self.cutoffs[-1]

    @property
    def gini(self) -> float | None:
        """``2 auc - 1``: 0 is a coin toss, 1 a perfect ranking."""
        return None if self.auc is None else 2 * self.auc - 1

    def describe_auc(self) -> str:
        """``0.71 (0.61-0.80)``; without the interval under the minimum of positives;
        ``n/a`` without both converters and non-converters."""
        if self.auc is None:
            return "n/a"
        if self.auc_interval is None:
            return f"{self.auc:.2f}"
        low, high = self.auc_interval
        return f"{self.auc:.2f} ({low:.2f}-{high:.2f})"

    @property
    def rate(self) -> float:
        """The overall conversion rate."""
        return self.positives / self.n if self.n else 0.0

    def _require_peaks(self, what: str) -> None:
        self._require_rows(what)
        if self.level != "lead":
            raise InvalidInputError(
                f"{what} follows each lead's running peak; an {self.level}-level evaluation "
                "has none: evaluate the leads",
                path="evaluation",
            )

    def versus(self, other: Evaluation) -> AUCComparison:
        """This evaluation's AUC minus ``other``'s on the same rows, with the paired
        DeLong interval and p-value (clustered by unit over a backtest's cutoffs).

        Both must rank the same units (leads or accounts) at the same cutoffs with the
        same outcomes: two scores of one population, e.g. the account score and each
        account's best contact (see ``docs/accounts.md``).
        """
        if not isinstance(other, Evaluation):
            raise InvalidInputError(
                f"expected an Evaluation, got {type(other).__name__}", path="other"
            )
        self._require_rows("versus")
        other._require_rows("versus")
        if (self.level, self.cutoffs, self.horizon_days) != (
            other.level,
            other.cutoffs,
            other.horizon_days,
        ):
            raise InvalidInputError(
                f"the evaluations differ: {self.level} level, {len(self.cutoffs)} cutoffs, "
                f"{self.horizon_days:g}-day horizon against {other.level} level, "
                f"{len(other.cutoffs)} cutoffs, {other.horizon_days:g}-day horizon; "
                "compare two scores of the same units, cutoffs and horizon",
                path="other",
            )
        return paired(
            (self._keys(), self.scores, self.labels, self.auc),
            (other._keys(), other.scores, other.labels, other.auc),
            clustered=len(self.cutoffs) > 1,
            confidence=self.confidence,
            level=self.level,
        )

    def _keys(self) -> list[tuple[int, str]]:
        """Each row's (cutoff, unit): a unit appears once per cutoff."""
        sizes = [e.n for e in self.per_cutoff] or [self.n]
        keys: list[tuple[int, str]] = []
        for block, size in enumerate(sizes):
            start = len(keys)
            keys.extend((block, unit) for unit in self.lead_ids[start : start + size])
        return keys

    def _require_rows(self, what: str) -> None:
        if self.n and not self.scores:
            raise InvalidInputError(
                f"{what} needs the rows behind the figures; this evaluation was computed "
                "from an EvaluationTally, which holds counts only: evaluate the rows",
                path="evaluation",
            )

    def psi(self, other: Evaluation) -> float:
        """Population stability index of ``other``'s scores against these, over this
        evaluation's score deciles (under 0.1 stable, 0.1-0.25 drifting, over 0.25 moved).
        """
        if not isinstance(other, Evaluation):
            raise InvalidInputError(
                f"expected an Evaluation, got {type(other).__name__}", path="other"
            )
        self._require_rows("psi")
        other._require_rows("psi")
        ordered = sorted(self.scores)
        n = len(ordered)
        edges = sorted({ordered[n * k // 10] for k in range(1, 10)} if n else set())
        return psi(self.scores, other.scores, edges)

    def crossings(self, threshold: float, *, per_days: float = 7) -> float:
        """How many leads per ``per_days`` first reached ``threshold`` in the ``per_days``
        before the cutoff (averaged over a backtest's cutoffs).

        A lead first reached it when its score at one of its event instants in that
        window was at or above it and its score at every earlier event instant below
        it, the moment :attr:`Score.hot_since` records for the model's own threshold.
        """
        self._require_peaks("crossings")
        return count_crossings(self, threshold, per_days)

    def threshold_for(
        self, *, capacity: float | None = None, per_days: float = 7, rate: float | None = None
    ) -> ThresholdSuggestion:
        """The hot threshold for a Sales capacity or a target conversion rate.

        ``capacity=N``: the lowest threshold at which at most about N leads per
        ``per_days`` would have first crossed it (see :meth:`crossings`), nor at any
        higher one; ``rate=r``: the lowest threshold whose leads at or above it at the
        cutoff converted at ``r`` or more. ``stats`` is the conversion of the leads at
        or above the threshold at the cutoff.
        """
        self._require_peaks("threshold_for")
        return suggest_threshold(self, capacity, per_days, rate)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (without the rows)."""
        return {
            "cutoffs": [c.isoformat() for c in self.cutoffs],
            "horizon_days": self.horizon_days,
            "confidence": self.confidence,
            "n": self.n,
            "positives": self.positives,
            "excluded": self.excluded,
            "unknown_outcomes": self.unknown_outcomes,
            "auc": self.auc,
            "auc_interval": None if self.auc_interval is None else list(self.auc_interval),
            "gini": self.gini,
            "ks": self.ks,
            "ks_score": self.ks_score,
            "by_band": {k: v.to_dict() for k, v in self.by_band.items()},
            "by_grade": {k: v.to_dict() for k, v in self.by_grade.items()},
            "deciles": [d.to_dict() for d in self.deciles],
            "warnings": list(self.warnings),
            "per_cutoff": [e.to_dict() for e in self.per_cutoff],
            "level": self.level,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [{"band": name, **flatten(stats)} for name, stats in self.by_band.items()]

    def summary(self) -> Summary:
        """Leads, conversions, the AUC with its interval, Gini and KS, then conversion
        by band: what a notebook shows (see ``docs/evaluation.md``)."""
        return evaluation_summary(self)


def few_warning(positives: int, negatives: int) -> str | None:
    """Why the AUC has no interval, when there are too few of either outcome."""
    if min(positives, negatives) >= MIN_POSITIVES:
        return None
    return (
        f"only {positives} positives and {negatives} negatives; at least {MIN_POSITIVES} "
        "of each are needed for an AUC interval (figures are unreliable)"
    )


def summarise(
    snapshots: Sequence[Snapshot | AccountSnapshot],
    confidence: float,
    per_cutoff: tuple[Evaluation, ...] = (),
    level: str = "lead",
) -> Evaluation:
    """The evaluation of the pooled rows of ``snapshots`` (one snapshot: no pooling)."""
    z = z_for(confidence)
    scores: list[float] = []
    labels: list[bool] = []
    lead_ids: list[str] = []
    idle: list[float] = []
    bands: list[str] = []
    grades: list[str] = []
    peaks: list[tuple[float, ...]] = []
    for snap in snapshots:
        peaks.extend(snap.peaks)
        cutoff_ts = snap.cutoff.timestamp()
        rows: Sequence[Score | AccountRow] = snap.scores
        for score, label in zip(rows, snap.labels, strict=True):
            scores.append(score.total)
            labels.append(label)
            lead_ids.append(score.lead_id)
            last = score.last_activity
            idle.append(
                math.inf if last is None else (cutoff_ts - last.timestamp()) / SECONDS_PER_DAY
            )
            bands.append(score.band)
            grades.append(score.grade)
    clusters = lead_ids if len(snapshots) > 1 else None
    positives = sum(labels)
    negatives = len(labels) - positives
    auc = interval = ks = ks_score = None
    if positives and negatives:
        auc, variance = auc_delong(scores, labels, clusters)
        ks, ks_score = ks_statistic(scores, labels)
        if min(positives, negatives) >= MIN_POSITIVES:
            interval = _interval(auc, variance, z)
    warning = few_warning(positives, negatives)
    return Evaluation(
        tuple(s.cutoff for s in snapshots),
        snapshots[0].horizon_days,
        confidence,
        len(scores),
        positives,
        sum(s.excluded for s in snapshots),
        max(s.unknown_outcomes for s in snapshots),
        auc,
        interval,
        ks,
        ks_score,
        rates_by(bands, labels, z, clusters),
        rates_by(grades, labels, z, clusters),
        deciles_of(scores, labels, z, clusters),
        () if warning is None else (warning,),
        per_cutoff,
        tuple(scores),
        tuple(labels),
        tuple(lead_ids),
        tuple(idle),
        tuple(peaks),
        level,
    )


def evaluate(
    model: ScoringModel | Funnel,
    profiles: TableLike,
    events: Iterable[Event],
    outcomes: TableLike,
    *,
    cutoff: datetime | None = None,
    cutoffs: Iterable[datetime] | None = None,
    horizon_days: float = 90,
    data_end: datetime | None = None,
    confidence: float = 0.95,
    progress: Progress | str | None = None,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    level: str = "lead",
    account_model: AccountModel | None = None,
    account_score: str = "account",
    accounts: TableLike | None = None,
) -> Evaluation:
    """Score every lead as of ``cutoff`` and check the ranking against its outcomes.

    ``outcomes`` are mappings with ``lead_id`` and ``at`` (when the lead reached the
    positive outcome). ``cutoffs=[...]`` instead of ``cutoff`` pools a rolling backtest.
    A cutoff whose horizon ends after ``data_end`` (default: the latest event or
    outcome) is refused. ``progress`` is told how many events were read (see
    :mod:`b2bfunnel.progress`). ``profiles`` and ``outcomes`` may be DataFrames;
    ``columns`` maps field names to their headers, for both tables or per table
    (``{"profiles": {...}, "outcomes": {...}}``). ``events`` may be a table of events
    too. Every table is read with the reading options (``decimal``, ``date_format``,
    ``timezone`` of times without an offset, ``values``; ``skip_invalid=True`` skips
    bad rows). See ``docs/evaluation.md``.

    ``level="account"`` ranks accounts instead (see ``docs/accounts.md``): contacts are
    matched to accounts (``accounts``: the optional accounts table) and each account is
    scored from its contacts known at the cutoff, with ``account_model`` (default
    :meth:`AccountModel.default`; a :class:`Funnel` as ``model`` brings its own), or
    ``account_score="best_contact"`` by its best contact's score. ``outcomes`` then have
    ``account_id`` or ``lead_id`` (joined through the match) and ``at``; a deals table
    serves as it is (its won deals, at ``closed_at``).
    """
    _check_level(level, account_model, account_score, accounts)
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    read = read_events(events, options)
    events = tracked(read, progress, "events")
    z_for(confidence)  # checked before the work, not after
    snaps: Sequence[Snapshot | AccountSnapshot]
    if level == "account":
        snaps = account_snapshots(
            model,
            profiles,
            events,
            outcomes,
            cutoff,
            cutoffs,
            horizon_days,
            data_end,
            account_model=account_model,
            accounts=accounts,
            account_score=account_score,
            columns=columns,
            options=options,
        )
        return _summarised(snaps, confidence, level)
    snaps, _ = snapshots(
        model.scoring if isinstance(model, Funnel) else model,
        profiles,
        events,
        outcomes,
        cutoff,
        cutoffs,
        horizon_days,
        data_end,
        options=options,
        peaks=True,
    )
    return _summarised(snaps, confidence, level)


def _summarised(
    snaps: Sequence[Snapshot | AccountSnapshot], confidence: float, level: str
) -> Evaluation:
    """One evaluation of ``snaps``; over several cutoffs, with one per cutoff too."""
    if len(snaps) == 1:
        return summarise(snaps, confidence, level=level)
    per = tuple(summarise([s], confidence, level=level) for s in snaps)
    return summarise(snaps, confidence, per, level)


def _check_level(
    level: str, account_model: AccountModel | None, account_score: str, accounts: Any
) -> None:
    if level not in LEVELS:
        raise InvalidInputError(
            f"unknown level {level!r}; allowed: {', '.join(LEVELS)}", path="level"
        )
    if level == "lead":
        given = {
            "account_model": account_model is not None,
            "account_score": account_score != "account",
            "accounts": accounts is not None,
        }
        for name, set_ in given.items():
            if set_:
                raise InvalidInputError(f"{name} applies to level='account' only", path=name)


def snapshots(
    model: ScoringModel,
    profiles: TableLike,
    events: Iterable[Event],
    outcomes: TableLike,
    cutoff: datetime | None,
    cutoffs: Iterable[datetime] | None,
    horizon_days: float,
    end: datetime | None,
    *,
    columns: Columns | None = None,
    peaks: bool = False,
    options: ReadOptions | None = None,
) -> tuple[list[Snapshot], list[Mapping[str, Any]]]:
    """The checked snapshots at ``cutoff`` or each of ``cutoffs``, and the profiles;
    ``peaks`` keeps each row's running peak, which :meth:`Evaluation.threshold_for` reads;
    the tables are read with ``options`` (default: only ``columns``)."""
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    points, labels = cutoff_points(cutoff, cutoffs)
    days = check_horizon(horizon_days)
    options = options or read_options(columns=columns)
    known = read_outcomes(rows_of(outcomes, options, "outcomes", kind=outcome_fields))
    leads = list(rows_of(profiles, options, "profiles", kind=profile_fields))
    batch = as_events(read_events(events, options))
    last = end_of_data(batch, known, end)
    created = created_times(leads)
    snaps = [
        snapshot(
            model,
            leads,
            batch,
            known,
            created,
            cutoff=point,
            horizon_days=days,
            end=last,
            path=where,
            peaks=peaks,
        )
        for point, where in zip(points, labels, strict=True)
    ]
    return snaps, leads
