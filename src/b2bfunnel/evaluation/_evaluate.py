"""``evaluate``: how well a scoring model ranked leads by what happened after a cutoff."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Bounds, Displayed, Plotted, View, merge_bounds
from .._stats import z_for
from .._time import SECONDS_PER_DAY, require_aware
from ..errors import InvalidInputError
from ..events import Event
from ..plot import Charts
from ..progress import Progress, tracked
from ..records import flatten, to_records
from ..scoring import ScoringModel
from ..tables._frames import events_in
from ..tables._kinds import kind_rows, outcome_fields, profile_fields
from ..tables._table import Columns, TableLike
from ._metrics import auc_delong, ks_statistic, psi
from ._rates import ConversionRate, rate_of
from ._snapshot import (
    Snapshot,
    as_events,
    check_horizon,
    created_times,
    end_of_data,
    read_outcomes,
    snapshot,
)

__all__ = ["MIN_POSITIVES", "Decile", "Evaluation", "ThresholdSuggestion", "evaluate"]

# Below this many positives (or negatives) the DeLong interval is not trustworthy:
# the AUC is still reported, its interval is None and a warning says why.
MIN_POSITIVES = 10


def _frozen_map(value: Mapping[str, ConversionRate]) -> Mapping[str, ConversionRate]:
    return MappingProxyType(dict(value))


def _interval(centre: float, variance: float, z: float) -> tuple[float, float]:
    half = z * math.sqrt(max(variance, 0.0))
    return (max(0.0, centre - half), min(1.0, centre + half))


@attrs.frozen(repr=False)
class Decile(Displayed):
    """One tenth of the leads by score, best first; tied scores are never split.

    ``lift`` is the group's rate over the overall rate; ``capture`` the share of all
    conversions found in this and the better groups.
    """

    decile: int
    low: float
    high: float
    stats: ConversionRate
    lift: float
    capture: float

    @property
    def n(self) -> int:
        """Leads in the group."""
        return self.stats.n

    @property
    def conversions(self) -> int:
        """Leads of the group that converted within the horizon."""
        return self.stats.conversions

    @property
    def rate(self) -> float:
        """Conversion rate of the group."""
        return self.stats.rate

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "decile": self.decile,
            "low": self.low,
            "high": self.high,
            **self.stats.to_dict(),
            "lift": self.lift,
            "capture": self.capture,
        }


@attrs.frozen(repr=False)
class ThresholdSuggestion(Displayed):
    """A suggested hot threshold and what the leads at or above it did.

    ``per_period`` is how many leads per ``per_days`` would have been passed to Sales;
    ``stats`` the conversion of every lead at or above the threshold.
    """

    threshold: float | None
    per_days: float
    per_period: float
    stats: ConversionRate
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "threshold": self.threshold,
            "per_days": self.per_days,
            "per_period": self.per_period,
            **self.stats.to_dict(),
            "reason": self.reason,
        }


@attrs.frozen(repr=False)
class Evaluation(Plotted):
    """How well scores at a cutoff ranked the leads that converted within the horizon.

    ``auc`` is the probability that a converter outscored a non-converter (ties ½), with
    a DeLong ``auc_interval`` (None, with a warning, under :data:`MIN_POSITIVES`
    positives or negatives); ``gini = 2 auc - 1``; ``ks`` the largest gap between the
    shares of converters and non-converters at or above a score. ``excluded`` counts
    leads that had converted by the cutoff; ``unknown_outcomes`` leads with an outcome
    but no profile. A pooled backtest (``cutoffs=``) keeps one evaluation per cutoff in
    ``per_cutoff``; its intervals treat the rows of one lead as one cluster.

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
        self._require_rows("crossings")
        value = _finite(threshold, "threshold")
        tops, bottoms = self._window_peaks(_positive(per_days, "per_days"))
        return _crossed(tops, bottoms, value) / len(self.cutoffs)

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
        self._require_rows("threshold_for")
        if (capacity is None) == (rate is None):
            raise InvalidInputError("give exactly one of capacity= or rate=", path="capacity")
        window = _positive(per_days, "per_days")
        z = z_for(self.confidence)
        periods = len(self.cutoffs)
        tops, bottoms = self._window_peaks(window)
        ascending = sorted(self.scores)
        if capacity is not None:
            limit = _positive(capacity, "capacity")
            chosen = None
            for threshold in sorted({*ascending, *tops, *bottoms}, reverse=True):
                crossed = _crossed(tops, bottoms, threshold)
                if crossed / periods > limit:
                    break
                chosen = (threshold, crossed)
            if chosen is None:
                return ThresholdSuggestion(
                    None,
                    window,
                    0.0,
                    rate_of((), z),
                    f"even the top score is first crossed by more than {limit:g} leads "
                    f"per {window:g} days",
                )
            threshold, crossed = chosen
            reason = f"about {crossed / periods:.1f} leads per {window:g} days first crossed it"
        else:
            target = _positive(rate, "rate")
            found = None
            conversions = 0
            order = sorted(range(len(self.scores)), key=lambda i: -self.scores[i])
            for position, i in enumerate(order):
                conversions += self.labels[i]
                if position + 1 < len(order) and self.scores[order[position + 1]] == self.scores[i]:
                    continue
                if conversions / (position + 1) >= target:
                    found = self.scores[i]
            if found is None:
                return ThresholdSuggestion(
                    None,
                    window,
                    0.0,
                    rate_of((), z),
                    f"no threshold reaches a conversion rate of {target:.1%}",
                )
            threshold, crossed = found, _crossed(tops, bottoms, found)
            reason = f"the lowest threshold whose leads converted at {target:.1%} or more"
        rows = [i for i, score in enumerate(self.scores) if score >= threshold]
        stats = rate_of(
            [self.labels[i] for i in rows], z, self._clusters_of(rows) if periods > 1 else None
        )
        return ThresholdSuggestion(threshold, window, crossed / periods, stats, reason)

    def _window_peaks(self, days: float) -> tuple[list[float], list[float]]:
        """For the leads whose running peak rose in the ``days`` before their cutoff,
        sorted: their peaks at the cutoff, and (where they had one) before the window."""
        seconds = days * SECONDS_PER_DAY
        tops: list[float] = []
        bottoms: list[float] = []
        blocks = [(e.n, e.cutoff) for e in self.per_cutoff] or [(self.n, self.cutoff)]
        end = 0
        for size, cutoff in blocks:
            start = cutoff.timestamp() - seconds
            begin, end = end, end + size
            for steps in self.peaks[begin:end]:  # (time, peak) pairs, oldest first
                if not steps or steps[-2] <= start:
                    continue
                tops.append(steps[-1])
                for j in range(len(steps) - 4, -1, -2):
                    if steps[j] <= start:
                        bottoms.append(steps[j + 1])
                        break
        tops.sort()
        bottoms.sort()
        return tops, bottoms

    def _clusters_of(self, rows: Sequence[int]) -> list[str]:
        return [self.lead_ids[i] for i in rows]

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
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [{"band": name, **flatten(stats)} for name, stats in self.by_band.items()]

    def _view(self) -> View:
        pairs = [
            ("leads", self.n),
            ("converted", self.positives),
            ("excluded", self.excluded),
            ("AUC", self.auc),
            ("AUC interval", None if self.auc_interval is None else Bounds(*self.auc_interval)),
            ("Gini", self.gini),
            ("KS", self.ks),
            ("cutoffs", ", ".join(c.isoformat() for c in self.cutoffs)),
            ("horizon days", self.horizon_days),
        ]
        rows = merge_bounds(to_records(self))
        return View("Evaluation", [(k, v) for k, v in pairs if v is not None], rows)


def _positive(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise InvalidInputError(f"expected a positive number, got {value!r}", path=path)
    if not math.isfinite(value):
        raise InvalidInputError(f"expected a finite number, got {value!r}", path=path)
    return float(value)


def _finite(value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidInputError(f"expected a finite number, got {value!r}", path=path)
    return float(value)


def _crossed(tops: Sequence[float], bottoms: Sequence[float], threshold: float) -> int:
    """Leads whose peak before the window was below ``threshold`` and at the cutoff at or
    above it (every bottom is its lead's top or lower, so the counts subtract)."""
    return (len(tops) - bisect_left(tops, threshold)) - (
        len(bottoms) - bisect_left(bottoms, threshold)
    )


def decile_of(start: int, end: int, n: int) -> int:
    """The group (0 best .. 9) of a run of tied scores at positions ``start..end`` of
    ``n`` best first: the group of its middle position."""
    return min(9, ((start + end) // 2) * 10 // n)


def few_warning(positives: int, negatives: int) -> str | None:
    """Why the AUC has no interval, when there are too few of either outcome."""
    if min(positives, negatives) >= MIN_POSITIVES:
        return None
    return (
        f"only {positives} positives and {negatives} negatives; at least {MIN_POSITIVES} "
        "of each are needed for an AUC interval (figures are unreliable)"
    )


def _deciles(
    scores: Sequence[float],
    labels: Sequence[bool],
    z: float,
    clusters: Sequence[Hashable] | None,
) -> tuple[Decile, ...]:
    """Ten groups by score, best first; a run of tied scores goes to the group of its
    middle position, so groups can be uneven (or absent) when many leads tie."""
    n = len(scores)
    total = sum(labels)
    if not n:
        return ()
    overall = total / n
    order = sorted(range(n), key=lambda i: -scores[i])
    groups: dict[int, list[int]] = {}
    start = 0
    while start < n:
        end = start
        while end + 1 < n and scores[order[end + 1]] == scores[order[start]]:
            end += 1
        decile = decile_of(start, end, n)
        groups.setdefault(decile, []).extend(order[start : end + 1])
        start = end + 1
    out = []
    captured = 0
    for decile in sorted(groups):
        rows = groups[decile]
        stats = rate_of(
            [labels[i] for i in rows], z, [clusters[i] for i in rows] if clusters else None
        )
        captured += stats.conversions
        out.append(
            Decile(
                decile + 1,
                min(scores[i] for i in rows),
                max(scores[i] for i in rows),
                stats,
                stats.rate / overall if overall else 0.0,
                captured / total if total else 0.0,
            )
        )
    return tuple(out)


def _by(
    keys: Sequence[str], labels: Sequence[bool], z: float, clusters: Sequence[Hashable] | None
) -> dict[str, ConversionRate]:
    rows: dict[str, list[int]] = {}
    for i, key in enumerate(keys):
        rows.setdefault(key, []).append(i)
    return {
        key: rate_of([labels[i] for i in idx], z, [clusters[i] for i in idx] if clusters else None)
        for key, idx in rows.items()
    }


def summarise(
    snapshots: Sequence[Snapshot], confidence: float, per_cutoff: tuple[Evaluation, ...] = ()
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
        for score, label in zip(snap.scores, snap.labels, strict=True):
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
        _by(bands, labels, z, clusters),
        _by(grades, labels, z, clusters),
        _deciles(scores, labels, z, clusters),
        () if warning is None else (warning,),
        per_cutoff,
        tuple(scores),
        tuple(labels),
        tuple(lead_ids),
        tuple(idle),
        tuple(peaks),
    )


def evaluate(
    model: ScoringModel,
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
    timezone: str | None = None,
    skip_invalid: bool = False,
) -> Evaluation:
    """Score every lead as of ``cutoff`` and check the ranking against its outcomes.

    ``outcomes`` are mappings with ``lead_id`` and ``at`` (when the lead reached the
    positive outcome). ``cutoffs=[...]`` instead of ``cutoff`` pools a rolling backtest.
    A cutoff whose horizon ends after ``data_end`` (default: the latest event or
    outcome) is refused. ``progress`` is told how many events were read (see
    :mod:`b2bfunnel.progress`). ``profiles`` and ``outcomes`` may be DataFrames;
    ``columns`` maps field names to their headers, for both tables or per table
    (``{"profiles": {...}, "outcomes": {...}}``). ``events`` may be a table of events
    too (read as :func:`~b2bfunnel.events_from` reads one, in ``timezone``;
    ``skip_invalid=True`` skips its bad rows). See ``docs/evaluation.md``.
    """
    read = events_in(events, columns=columns, timezone=timezone, skip_invalid=skip_invalid)
    events = tracked(read, progress, "events")
    z_for(confidence)  # checked before the work, not after
    snaps, _ = snapshots(
        model,
        profiles,
        events,
        outcomes,
        cutoff,
        cutoffs,
        horizon_days,
        data_end,
        columns=columns,
        peaks=True,
    )
    if len(snaps) == 1:
        return summarise(snaps, confidence)
    per = tuple(summarise([s], confidence) for s in snaps)
    return summarise(snaps, confidence, per)


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
) -> tuple[list[Snapshot], list[Mapping[str, Any]]]:
    """The checked snapshots at ``cutoff`` or each of ``cutoffs``, and the profiles;
    ``peaks`` keeps each row's running peak, which :meth:`Evaluation.threshold_for` reads."""
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    if (cutoff is None) == (cutoffs is None):
        raise InvalidInputError("give exactly one of cutoff= or cutoffs=", path="cutoff")
    points = [cutoff] if cutoff is not None else list(cutoffs or ())
    if not points:
        raise InvalidInputError("expected at least one cutoff", path="cutoffs")
    labels = ["cutoff"] if cutoff is not None else [f"cutoffs[{i}]" for i in range(len(points))]
    for point, where in zip(points, labels, strict=True):
        require_aware(point, where)
    days = check_horizon(horizon_days)
    known = read_outcomes(kind_rows(outcome_fields, outcomes, columns, path="outcomes"))
    leads = list(kind_rows(profile_fields, profiles, columns, path="profiles"))
    batch = as_events(events)
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
