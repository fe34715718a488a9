"""Two scores of the same rows compared: the AUC difference and its paired DeLong
interval (``Evaluation.versus``)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from typing import Any

import attrs

from .._display import Bounds, Displayed, View
from .._stats import two_sided_p, z_for
from ..errors import InvalidInputError
from ._metrics import MIN_POSITIVES, auc_difference

__all__ = ["AUCComparison", "paired"]

# A side of the comparison: each row's key (cutoff, unit), score and label, and its AUC.
Side = tuple[Sequence[tuple[int, str]], Sequence[float], Sequence[bool], "float | None"]


@attrs.frozen(repr=False)
class AUCComparison(Displayed):
    """One evaluation's AUC against another's on the same rows (``Evaluation.versus``).

    ``difference`` is ``auc - other_auc``; ``interval`` its paired DeLong interval at
    ``confidence`` and ``p_value`` the two-sided p of no difference (both None, with a
    warning, under :data:`MIN_POSITIVES` positives or negatives). The difference is
    ``inconclusive`` when the interval holds 0 (or there is none).
    """

    auc: float
    other_auc: float
    difference: float
    interval: tuple[float, float] | None
    p_value: float | None
    confidence: float
    n: int
    positives: int
    level: str = "lead"
    warnings: tuple[str, ...] = ()

    @property
    def inconclusive(self) -> bool:
        """True when the interval includes 0 (or there is none): neither score is shown
        to rank better."""
        return self.interval is None or self.interval[0] <= 0 <= self.interval[1]

    def describe(self) -> str:
        """One sentence: the two AUCs, the difference with its interval, and what it means.

        >>> c = AUCComparison(0.70, 0.64, 0.06, (-0.02, 0.14), 0.14, 0.95, 80, 20)
        >>> c.inconclusive
        True
        >>> print(c.describe())
        AUC 0.70 against 0.64: a difference of +0.06 (95% interval -0.02 to +0.14,
        p = 0.14); inconclusive: the interval includes 0, so neither score is shown to
        rank better.
        """
        head = (
            f"AUC {self.auc:.2f} against {self.other_auc:.2f}: "
            f"a difference of {self.difference:+.2f}"
        )
        if self.interval is None:
            return f"{head}; inconclusive: too few positives or negatives for an interval."
        low, high = self.interval
        head += (
            f" ({self.confidence:.0%} interval {low:+.2f} to {high:+.2f}, p = {self.p_value:.2g})"
        )
        if self.inconclusive:
            return (
                f"{head}; inconclusive: the interval includes 0, so neither score is shown "
                "to rank better."
            )
        better = "the first" if self.difference > 0 else "the second"
        return f"{head}; {better} score ranks better (the interval excludes 0)."

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "auc": self.auc,
            "other_auc": self.other_auc,
            "difference": self.difference,
            "interval": None if self.interval is None else list(self.interval),
            "p_value": self.p_value,
            "inconclusive": self.inconclusive,
            "confidence": self.confidence,
            "n": self.n,
            "positives": self.positives,
            "level": self.level,
            "warnings": list(self.warnings),
        }

    def _view(self) -> View:
        pairs: list[tuple[str, Any]] = [
            ("AUC", self.auc),
            ("other AUC", self.other_auc),
            ("difference", self.difference),
            ("interval", None if self.interval is None else Bounds(*self.interval)),
            ("p", self.p_value),
            ("inconclusive", self.inconclusive),
            (f"{self.level}s", self.n),
            ("converted", self.positives),
        ]
        return View("AUCComparison", pairs, [])


def _aligned(first: Side, second: Side) -> list[float]:
    """``second``'s scores in the order of ``first``'s rows; raise unless both hold the
    same rows with the same labels."""
    keys, _, labels, _ = first
    other_keys, other_scores, other_labels, _ = second
    where = {key: i for i, key in enumerate(other_keys)}
    missing = [key for key in keys if key not in where]
    if missing or len(keys) != len(other_keys):
        raise InvalidInputError(
            f"the evaluations hold different rows ({len(keys)} and {len(other_keys)}; "
            f"{len(missing)} of the first missing from the other, e.g. {missing[:1]!r}): "
            "compare two scores of the same units and outcomes",
            path="other",
        )
    order = [where[key] for key in keys]
    changed = sum(1 for i, j in enumerate(order) if labels[i] != other_labels[j])
    if changed:
        raise InvalidInputError(
            f"{changed} rows have a different outcome in the other evaluation: compare two "
            "scores of the same outcomes",
            path="other",
        )
    return [other_scores[j] for j in order]


def paired(
    first: Side, second: Side, *, clustered: bool, confidence: float, level: str
) -> AUCComparison:
    """The AUC of ``first`` minus ``second``'s on the same rows (paired DeLong; rows of
    one unit form a cluster when ``clustered``)."""
    keys, scores, labels, auc = first
    other_auc = second[3]
    other_scores = _aligned(first, second)
    positives = sum(labels)
    if auc is None or other_auc is None:
        raise InvalidInputError(
            "an AUC needs both converters and non-converters; these rows have "
            f"{positives} of {len(labels)} converted",
            path="other",
        )
    clusters: list[Hashable] | None = [unit for _, unit in keys] if clustered else None
    difference, variance = auc_difference(scores, other_scores, labels, clusters)
    few = min(positives, len(labels) - positives) < MIN_POSITIVES
    interval = p_value = None
    warnings: tuple[str, ...] = ()
    if few:
        warnings = (
            f"only {positives} positives and {len(labels) - positives} negatives; at least "
            f"{MIN_POSITIVES} of each are needed for an interval",
        )
    else:
        half = z_for(confidence) * math.sqrt(max(variance, 0.0))
        interval = (max(-1.0, difference - half), min(1.0, difference + half))
        if variance > 0:
            p_value = two_sided_p(difference / math.sqrt(variance))
        else:  # the two scores order every pair alike, or differ without any spread
            p_value = 1.0 if difference == 0 else 0.0
    return AUCComparison(
        auc,
        other_auc,
        difference,
        interval,
        p_value,
        confidence,
        len(labels),
        positives,
        level,
        warnings,
    )
