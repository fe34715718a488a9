"""Mergeable survey tallies: count answers where they are, add the counts, compute once.

NPS, customer effort and first-contact resolution depend on their answers only
through counts, so a survey spread over partitions (Spark, Dask, daily files) is
summarised per partition, the tallies merged (counts add: associative, commutative,
exact) and the figure computed once from the total, equal to computing it on every
answer together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from .._stats import wilson, z_for
from ..errors import InvalidInputError
from ._core import NPSResult, checked_scores
from ._effort import CESResult, RateResult, ces

__all__ = ["RateTally", "SurveyTally"]


def _as_tuple(counts: Sequence[int]) -> Sequence[int]:
    # Anything else reaches the validator unchanged, which says what is expected.
    return tuple(counts) if isinstance(counts, list | tuple) else counts


def _check_counts(instance: SurveyTally, _attr: Any, counts: Any) -> None:
    if not isinstance(counts, tuple) or not all(type(c) is int and c >= 0 for c in counts):
        raise InvalidInputError(f"expected a tuple of counts >= 0, got {counts!r}", path="counts")
    if not counts:
        raise InvalidInputError("expected one count per score of the scale", path="counts")


@attrs.frozen
class SurveyTally:
    """How many answers gave each score ``low, low + 1, ...``: mergeable, exact.

    >>> a = SurveyTally.of([10, 9, 6])
    >>> b = SurveyTally.of([8, 10])
    >>> a.merge(b).nps() == __import__("b2bfunnel").nps([10, 9, 6, 8, 10])
    True
    """

    counts: tuple[int, ...] = attrs.field(converter=_as_tuple, validator=_check_counts)
    low: int = 0

    @classmethod
    def of(cls, scores: Iterable[int], *, low: int = 0, high: int = 10) -> SurveyTally:
        """The tally of integer answers ``low..high`` (NPS: 0..10, CES: 1..7)."""
        _, counts = checked_scores(scores, "scores", low, high)
        return cls(tuple(counts[k] for k in range(low, high + 1)), low)

    @property
    def n(self) -> int:
        """How many answers."""
        return sum(self.counts)

    def merge(self, other: SurveyTally) -> SurveyTally:
        """The tally of both sets of answers (on the same scale)."""
        if not isinstance(other, SurveyTally) or (other.low, len(other.counts)) != (
            self.low,
            len(self.counts),
        ):
            raise InvalidInputError(
                f"expected a SurveyTally of scores {self.low}..{self._high}, got {other!r}",
                path="other",
            )
        return SurveyTally(
            tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)), self.low
        )

    def nps(self, *, confidence: float = 0.95, method: str = "auto") -> NPSResult:
        """:func:`b2bfunnel.nps` of every answer counted (a 0..10 tally)."""
        self._require(0, 10, "NPS")
        c = self.counts
        return NPSResult.from_counts(
            c[9] + c[10], c[7] + c[8], sum(c[:7]), confidence=confidence, method=method
        )

    def ces(self, *, low_effort_min: int = 5, confidence: float = 0.95) -> CESResult:
        """:func:`b2bfunnel.ces` of every answer counted (a 1..7 tally)."""
        self._require(1, 7, "CES")
        answers = [score for score, count in self._pairs() for _ in range(count)]
        return ces(answers, low_effort_min=low_effort_min, confidence=confidence)

    @property
    def _high(self) -> int:
        return self.low + len(self.counts) - 1

    def _pairs(self) -> Iterable[tuple[int, int]]:
        return zip(range(self.low, self._high + 1), self.counts, strict=True)

    def _require(self, low: int, high: int, what: str) -> None:
        if (self.low, self._high) != (low, high):
            raise InvalidInputError(
                f"{what} needs a tally of scores {low}..{high}, this one counts "
                f"{self.low}..{self._high}",
                path="tally",
            )


def _check_rate(instance: RateTally, _attr: Any, value: Any) -> None:
    if type(value) is not int or value < 0:
        raise InvalidInputError(f"expected a count >= 0, got {value!r}", path=_attr.name)


@attrs.frozen
class RateTally:
    """Successes out of ``n`` (first-contact resolution: tickets resolved at first
    contact out of tickets): mergeable, exact.

    >>> RateTally.of([True, False]).merge(RateTally.of([True, True])).result().rate
    0.75
    """

    successes: int = attrs.field(validator=_check_rate)
    n: int = attrs.field(validator=_check_rate)

    def __attrs_post_init__(self) -> None:
        if self.successes > self.n:
            raise InvalidInputError(
                f"{self.successes} successes out of {self.n}: more than there are",
                path="successes",
            )

    @classmethod
    def of(cls, outcomes: Iterable[bool]) -> RateTally:
        """The tally of true/false outcomes."""
        values = list(outcomes)
        for index, value in enumerate(values):
            if not isinstance(value, bool):
                raise InvalidInputError(
                    f"expected true or false, got {value!r}", path=f"outcomes[{index}]"
                )
        return cls(sum(values), len(values))

    def merge(self, other: RateTally) -> RateTally:
        """The tally of both sets of outcomes."""
        if not isinstance(other, RateTally):
            raise InvalidInputError(f"expected a RateTally, got {other!r}", path="other")
        return RateTally(self.successes + other.successes, self.n + other.n)

    def result(self, *, confidence: float = 0.95) -> RateResult:
        """:func:`b2bfunnel.fcr` of every outcome counted: the rate and its Wilson interval."""
        if not self.n:
            raise InvalidInputError("no outcomes: at least one is needed", path="n")
        interval = wilson(self.successes, self.n, z_for(confidence))
        return RateResult(self.n, self.successes, self.successes / self.n, interval, confidence)
