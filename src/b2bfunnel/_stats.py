"""Small statistics helpers (stdlib only): normal quantiles, p-values, intervals."""

from __future__ import annotations

import math
from statistics import NormalDist

from .errors import InvalidInputError

_STANDARD = NormalDist()


def _probability(value: float, path: str, example: str = "") -> float:
    """``value`` if it is a number strictly between 0 and 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInputError(f"expected a number, got {value!r}", path=path)
    if not 0 < value < 1:
        raise InvalidInputError(
            f"must be strictly between 0 and 1{example}, got {value!r}", path=path
        )
    return value


def z_for(confidence: float, path: str = "confidence") -> float:
    """Two-sided standard-normal quantile for a confidence level in (0, 1)."""
    return _STANDARD.inv_cdf((1 + _probability(confidence, path, " (e.g. 0.95)")) / 2)


def z_one_sided(probability: float, path: str) -> float:
    """Standard-normal quantile of ``probability`` in (0, 1) (e.g. power 0.8 -> 0.84)."""
    return _STANDARD.inv_cdf(_probability(probability, path))


def two_sided_p(z: float) -> float:
    """Two-sided p-value of a standard-normal statistic."""
    return 2 * (1 - _STANDARD.cdf(abs(z)))


def wilson(successes: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion (covers well even near 0 and 1).

    Counts may be fractional: an effective sample size after a design effect.
    """
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return (max(0.0, centre - half), min(1.0, centre + half))
