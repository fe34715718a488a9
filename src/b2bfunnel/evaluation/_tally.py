"""A mergeable evaluation tally: converters and non-converters counted per score.

At one cutoff, AUC (ties ½), its DeLong variance, KS, deciles and the conversion per
band and grade depend on the rows only through how many converters and non-converters
had each distinct score (DeLong's placement of a row is a function of its score and
label) and how many of each band and grade converted. Partitions of leads are tallied,
the tallies merged (counts add: associative, commutative, exact) and the evaluation
computed once, equal to evaluating every row together.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from fractions import Fraction
from typing import Any

import attrs

from .._stats import z_for
from .._time import require_aware
from ..errors import InvalidInputError
from ._breakdowns import Decile, decile_of
from ._evaluate import Evaluation, _interval, few_warning
from ._rates import ConversionRate, rate_of_counts
from ._snapshot import check_horizon

__all__ = ["EvaluationTally"]

# (score, converters, non-converters), ascending by score
Cell = tuple[float, int, int]
# (band or grade, leads, converted)
Group = tuple[str, int, int]


def _sorted_cells(value: Sequence[Cell]) -> Sequence[Cell]:
    # Anything else reaches the validator unchanged, which says what is expected.
    return tuple(sorted(value)) if isinstance(value, list | tuple) else value


def _sorted_groups(value: Sequence[Group]) -> Sequence[Group]:
    return tuple(sorted(value)) if isinstance(value, list | tuple) else value


def _rows(value: Any, kinds: tuple[type, type, type]) -> bool:
    return isinstance(value, tuple) and all(
        isinstance(row, tuple)
        and len(row) == 3
        and all(type(x) is kind for x, kind in zip(row, kinds, strict=True))
        and row[1] >= 0
        and row[2] >= 0
        for row in value
    )


def _check_cells(_instance: Any, attribute: Any, value: Any) -> None:
    if not _rows(value, (float, int, int)) or any(not math.isfinite(c[0]) for c in value):
        raise InvalidInputError(
            "expected (finite score, converters >= 0, non-converters >= 0) cells",
            path=attribute.name,
        )


def _check_groups(_instance: Any, attribute: Any, value: Any) -> None:
    if not _rows(value, (str, int, int)) or any(g[2] > g[1] for g in value):
        raise InvalidInputError(
            "expected (name, leads >= 0, converted <= leads) groups", path=attribute.name
        )


def _count(_instance: Any, attribute: Any, value: Any) -> None:
    if type(value) is not int or value < 0:
        raise InvalidInputError(f"expected a count >= 0, got {value!r}", path=attribute.name)


def _aware(_instance: Any, attribute: Any, value: Any) -> None:
    require_aware(value, attribute.name)


def _add(*parts: Iterable[tuple[Any, int, int]]) -> tuple[tuple[Any, int, int], ...]:
    a: Counter[Any] = Counter()
    b: Counter[Any] = Counter()
    for part in parts:
        for key, x, y in part:
            a[key] += x
            b[key] += y
    return tuple((key, a[key], b[key]) for key in sorted(a.keys() | b.keys()))


def _exact_sum(terms: Iterable[tuple[float, int]]) -> float:
    """The sum of each float repeated its count of times, correctly rounded, as
    :func:`math.fsum` of the repeated floats gives it."""
    return float(sum((Fraction(value) * count for value, count in terms), Fraction(0)))


def _variance(terms: Sequence[tuple[float, int]], mean: float, n: int) -> float:
    if n < 2:
        return 0.0
    return _exact_sum(((v - mean) ** 2, c) for v, c in terms) / (n - 1)


def _auc(cells: Sequence[Cell], n1: int, n0: int) -> tuple[float, float]:
    """AUC and its DeLong variance, as :func:`auc_delong` computes them row by row: a
    converter's placement is the share of non-converters below its score (ties ½), a
    non-converter's the share of converters not above it (ties ½)."""
    v10: list[tuple[float, int]] = []
    v01: list[tuple[float, int]] = []
    below1 = below0 = 0
    for _, pos, neg in cells:
        if pos:
            v10.append(((below0 + neg / 2) / n0, pos))
        if neg:
            v01.append((1 - (below1 + pos / 2) / n1, neg))
        below1 += pos
        below0 += neg
    auc = _exact_sum(v10) / n1
    return auc, _variance(v10, auc, n1) / n1 + _variance(v01, auc, n0) / n0


def _ks(cells: Sequence[Cell], n1: int, n0: int) -> tuple[float, float]:
    """KS and its score, as :func:`ks_statistic` walks the distinct scores best first."""
    best, at = 0.0, cells[-1][0]
    tp = fp = 0
    for score, pos, neg in reversed(cells):
        tp += pos
        fp += neg
        gap = abs(tp / n1 - fp / n0)
        if gap > best:
            best, at = gap, score
    return best, at


def _deciles(cells: Sequence[Cell], n: int, positives: int, z: float) -> tuple[Decile, ...]:
    """Ten groups by score, best first, each run of tied scores in the group of its
    middle position (as :func:`b2bfunnel.evaluate` forms them)."""
    groups: dict[int, list[float | int]] = {}  # decile -> [low, high, leads, converted]
    start = 0
    for score, pos, neg in reversed(cells):
        end = start + pos + neg - 1
        group = groups.setdefault(decile_of(start, end, n), [score, score, 0, 0])
        group[0] = score
        group[2] += pos + neg
        group[3] += pos
        start = end + 1
    overall = positives / n
    out = []
    captured = 0
    for decile in sorted(groups):
        low, high, leads, converted = groups[decile]
        stats = rate_of_counts(int(leads), int(converted), z)
        captured += stats.conversions
        out.append(
            Decile(
                decile + 1,
                float(low),
                float(high),
                stats,
                stats.rate / overall if overall else 0.0,
                captured / positives if positives else 0.0,
            )
        )
    return tuple(out)


def _rates(groups: Sequence[Group], z: float) -> dict[str, ConversionRate]:
    return {name: rate_of_counts(leads, converted, z) for name, leads, converted in groups}


@attrs.frozen
class EvaluationTally:
    """How many converters and non-converters had each score at one cutoff, and how many
    leads of each band and grade converted: mergeable, exact.

    Build one per partition of leads with :meth:`of` (the partition's evaluation at the
    same ``cutoff``, ``horizon_days`` and ``data_end``), merge, and call
    :meth:`evaluation`: AUC, its DeLong interval, KS, deciles and the rates per band
    and grade equal those of :func:`b2bfunnel.evaluate` on every lead. The tally holds
    no rows, so the evaluation it gives refuses ``psi``, ``crossings`` and
    ``threshold_for``; a pooled backtest's intervals (clustered by lead) need the rows
    too: tally each cutoff on its own.
    """

    cutoff: datetime = attrs.field(validator=_aware)
    horizon_days: float = attrs.field(converter=check_horizon)
    cells: tuple[Cell, ...] = attrs.field(converter=_sorted_cells, validator=_check_cells)
    bands: tuple[Group, ...] = attrs.field(converter=_sorted_groups, validator=_check_groups)
    grades: tuple[Group, ...] = attrs.field(converter=_sorted_groups, validator=_check_groups)
    excluded: int = attrs.field(default=0, validator=_count)
    unknown_outcomes: int = attrs.field(default=0, validator=_count)

    @classmethod
    def of(cls, evaluation: Evaluation) -> EvaluationTally:
        """The tally of one cutoff's evaluation (a partition's :func:`b2bfunnel.evaluate`)."""
        if not isinstance(evaluation, Evaluation):
            raise InvalidInputError(
                f"expected an Evaluation, got {type(evaluation).__name__}", path="evaluation"
            )
        if evaluation.level != "lead":
            raise InvalidInputError(
                f"expected an evaluation of leads, got level={evaluation.level!r}: tallies "
                "merge partitions of leads, and accounts do not split into partitions",
                path="evaluation",
            )
        if len(evaluation.cutoffs) != 1:
            raise InvalidInputError(
                "expected the evaluation of one cutoff; tally each of a backtest's "
                "per_cutoff evaluations",
                path="evaluation",
            )
        if evaluation.n and not evaluation.scores:
            raise InvalidInputError(
                "expected an evaluation with its rows (this one came from a tally)",
                path="evaluation",
            )
        counts: Counter[tuple[float, bool]] = Counter(
            zip(evaluation.scores, evaluation.labels, strict=True)
        )
        return cls(
            evaluation.cutoff,
            evaluation.horizon_days,
            tuple((s, counts[s, True], counts[s, False]) for s in {s for s, _ in counts}),
            _groups(evaluation.by_band),
            _groups(evaluation.by_grade),
            evaluation.excluded,
            evaluation.unknown_outcomes,
        )

    @property
    def n(self) -> int:
        """How many leads were counted."""
        return sum(pos + neg for _, pos, neg in self.cells)

    def merge(self, other: EvaluationTally) -> EvaluationTally:
        """The tally of both partitions' leads (same cutoff and horizon)."""
        if not isinstance(other, EvaluationTally) or (other.cutoff, other.horizon_days) != (
            self.cutoff,
            self.horizon_days,
        ):
            raise InvalidInputError(
                f"expected an EvaluationTally at {self.cutoff.isoformat()} with a "
                f"{self.horizon_days:g}-day horizon, got {other!r}",
                path="other",
            )
        return EvaluationTally(
            self.cutoff,
            self.horizon_days,
            _add(self.cells, other.cells),
            _add(self.bands, other.bands),
            _add(self.grades, other.grades),
            self.excluded + other.excluded,
            self.unknown_outcomes + other.unknown_outcomes,
        )

    def evaluation(self, *, confidence: float = 0.95) -> Evaluation:
        """:func:`b2bfunnel.evaluate` of every lead counted, without the rows."""
        z = z_for(confidence)
        n1 = sum(pos for _, pos, _ in self.cells)
        n = self.n
        n0 = n - n1
        auc = interval = ks = ks_score = None
        if n1 and n0:
            auc, variance = _auc(self.cells, n1, n0)
            ks, ks_score = _ks(self.cells, n1, n0)
            if few_warning(n1, n0) is None:
                interval = _interval(auc, variance, z)
        warning = few_warning(n1, n0)
        return Evaluation(
            (self.cutoff,),
            self.horizon_days,
            confidence,
            n,
            n1,
            self.excluded,
            self.unknown_outcomes,
            auc,
            interval,
            ks,
            ks_score,
            _rates(self.bands, z),
            _rates(self.grades, z),
            _deciles(self.cells, n, n1, z) if n else (),
            () if warning is None else (warning,),
        )


def _groups(rates: Mapping[str, ConversionRate]) -> tuple[Group, ...]:
    return tuple((name, rate.n, rate.conversions) for name, rate in rates.items())
