"""Customer effort (CES) and first-contact resolution: effort, the churn predictor."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import attrs

from .._display import Displayed
from .._stats import wilson, z_for
from ..errors import InvalidInputError
from ._core import SMALL_N, checked_scores
from ._survey import listed


@attrs.frozen(repr=False)
class CESResult(Displayed):
    """Customer effort score on a 1..7 scale (7 = very easy).

    ``low_effort_share`` is the share of answers >= ``low_effort_min`` (Wilson
    interval in ``share_interval``, defined at any n); ``interval`` is the normal
    interval of the mean, None when the spread cannot be estimated (one answer, or all
    answers alike), with ``note`` saying why; below ``SMALL_N`` (30) answers ``note``
    says the interval is approximate.
    """

    n: int
    mean: float
    sd: float
    interval: tuple[float, float] | None
    low_effort: int
    low_effort_share: float
    share_interval: tuple[float, float]
    confidence: float = 0.95
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data = attrs.asdict(self)
        data["interval"] = None if self.interval is None else list(self.interval)
        data["share_interval"] = list(self.share_interval)
        return data


def ces(scores: Iterable[int], *, low_effort_min: int = 5, confidence: float = 0.95) -> CESResult:
    """Customer effort from 1..7 answers, the most reliable predictor of churn.

    >>> r = ces([7, 6, 5, 2, 7, 4])
    >>> round(r.mean, 2), r.low_effort, round(r.low_effort_share, 3)
    (5.17, 4, 0.667)
    """
    if type(low_effort_min) is not int or not 1 <= low_effort_min <= 7:
        raise InvalidInputError(f"expected 1..7, got {low_effort_min!r}", path="low_effort_min")
    values, counts = checked_scores(scores, "scores", 1, 7)
    n = len(values)
    mean = sum(k * c for k, c in counts.items()) / n
    sd = math.sqrt(sum(c * (k - mean) ** 2 for k, c in counts.items()) / n)
    z = z_for(confidence)
    half = z * sd / math.sqrt(n)
    low = sum(c for k, c in counts.items() if k >= low_effort_min)
    interval: tuple[float, float] | None = (max(1.0, mean - half), min(7.0, mean + half))
    note = f"n = {n} is below {SMALL_N}: the interval is approximate" if n < SMALL_N else ""
    if n < 2 or sd == 0:
        interval = None
        why = "one answer" if n < 2 else "every answer is the same"
        note = f"{why}: the spread, and so the interval of the mean, is unknown"
    return CESResult(n, mean, sd, interval, low, low / n, wilson(low, n, z), confidence, note)


@attrs.frozen(repr=False)
class RateResult(Displayed):
    """A proportion with its Wilson interval (e.g. first-contact resolution)."""

    n: int
    successes: int
    rate: float
    interval: tuple[float, float]
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"n": self.n, "successes": self.successes, "rate": self.rate,
                "interval": list(self.interval), "confidence": self.confidence}  # fmt: skip


def fcr(outcomes: Iterable[bool], *, confidence: float = 0.95) -> RateResult:
    """First-contact-resolution rate from per-ticket booleans.

    >>> fcr([True, True, False, True]).rate
    0.75
    """
    values = listed(outcomes, "outcomes", "true/false outcomes")
    if not values:
        raise InvalidInputError("no tickets: at least one is needed", path="outcomes")
    for index, value in enumerate(values):
        if not isinstance(value, bool):
            raise InvalidInputError(
                f"expected true or false, got {value!r}", path=f"outcomes[{index}]"
            )
    successes = sum(values)
    n = len(values)
    return RateResult(
        n, successes, successes / n, wilson(successes, n, z_for(confidence)), confidence
    )
