"""NPS from scores: counts, the score, its uncertainty, planning, comparison."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Displayed, Plotted, Summarised, Summary
from .._stats import two_sided_p, z_for, z_one_sided
from ..errors import InvalidInputError
from ..plot import Charts
from ..tables._values import as_whole
from ._summaries import comparison_summary

METHODS = ("auto", "wald", "adjusted_wald")
# Below this many answers (or with every answer in one category) the Wald interval
# covers badly (at n=1 it is +-0): "auto" then uses Rocks' adjusted-Wald interval, and
# compare_nps will not call a difference significant.
SMALL_N = 30
# Category of each score 0..10: 0 promoter, 1 passive, 2 detractor.
CATEGORY = (2, 2, 2, 2, 2, 2, 2, 1, 1, 0, 0)


def _fail(values: Sequence[Any], path: str, low: int = 0, high: int = 10) -> None:
    """Raise for the first value that is not an int in ``low..high``."""
    for index, value in enumerate(values):
        if type(value) is not int or not low <= value <= high:
            kind = type(value).__name__
            raise InvalidInputError(
                f"expected an integer score {low}..{high}, got {kind} {value!r}",
                path=f"{path}[{index}]",
            )


def checked_scores(
    scores: Iterable[Any], path: str = "scores", low: int = 0, high: int = 10
) -> tuple[Sequence[int], Counter[int]]:
    """The scores as a sequence and their counts; every one an int in ``low..high``.

    Counting and type checks run in C (``Counter``, ``map(type, ...)``); the slow,
    locating pass only runs when something is wrong.
    """
    if isinstance(scores, str | bytes | Mapping) or not isinstance(scores, Iterable):
        raise InvalidInputError(
            f"expected a list of integer scores {low}..{high}, got {type(scores).__name__}",
            path=path,
        )
    values: Sequence[Any] = scores if isinstance(scores, list | tuple) else list(scores)
    if not values:
        raise InvalidInputError("no scores: at least one response is needed", path=path)
    if set(map(type, values)) != {int}:
        # numpy integers (a pandas column) are scores too; anything else fails below
        wholes = [as_whole(value) for value in values]
        if None in wholes:
            _fail(values, path, low, high)
        values = [whole for whole in wholes if whole is not None]
    counts = Counter(values)
    if min(counts) < low or max(counts) > high:
        _fail(values, path, low, high)
    return values, counts


def _clip(value: float) -> float:
    return min(100.0, max(-100.0, value))


@attrs.frozen(repr=False)
class NPSResult(Plotted):
    """Net Promoter Score of a set of 0..10 answers, with its uncertainty.

    ``score`` is % promoters (9-10) minus % detractors (0-6). ``margin_of_error`` is
    z x the standard error in NPS points; ``interval`` is clipped to -100..100.
    ``method`` is the interval actually used: ``"wald"``, from the trinomial variance
    ``p + d - (p - d)**2`` per response, or ``"adjusted_wald"`` (Rocks 2016): add 3
    responses, 3/4 of them promoters, 3/4 detractors and 3/2 passives, so
    ``n~ = n + 3``, ``p~ = (promoters + 3/4) / n~``, ``d~ = (detractors + 3/4) / n~``,
    and the interval is ``100 (p~ - d~) +- 100 z sqrt((p~ + d~ - (p~ - d~)**2) / n~)``.
    The default ``"auto"`` uses adjusted Wald below ``SMALL_N`` (30) answers or when
    every answer falls in one category, and says so in ``note``. ``score`` always
    stays the observed NPS.
    """

    _charts: ClassVar[Charts] = (("score", charts.nps_score),)

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float
    margin_of_error: float
    interval: tuple[float, float]
    confidence: float = 0.95
    method: str = "wald"
    note: str = ""

    @classmethod
    def from_counts(
        cls,
        promoters: int,
        passives: int,
        detractors: int,
        *,
        confidence: float = 0.95,
        method: str = "auto",
    ) -> NPSResult:
        """The result of known counts.

        >>> r = NPSResult.from_counts(50, 30, 20)
        >>> r.score, round(r.margin_of_error, 2)
        (30.0, 15.31)
        """
        for name, value in (("promoters", promoters), ("passives", passives),
                            ("detractors", detractors)):  # fmt: skip
            if type(value) is not int or value < 0:
                raise InvalidInputError(f"expected a count >= 0, got {value!r}", path=name)
        n = promoters + passives + detractors
        if n == 0:
            raise InvalidInputError("no responses: at least one is needed", path="n")
        if method not in METHODS:
            raise InvalidInputError(
                f"unknown method {method!r}; allowed: {', '.join(METHODS)}", path="method"
            )
        z = z_for(confidence)
        score = 100 * (promoters - detractors) / n
        alike = max(promoters, passives, detractors) == n
        method, note = _interval_method(method, n, alike)
        if method == "wald":
            p, d, size, centre = promoters / n, detractors / n, n, score
        else:
            size = n + 3
            p, d = (promoters + 0.75) / size, (detractors + 0.75) / size
            centre = 100 * (p - d)
        variance = max(0.0, p + d - (p - d) ** 2)
        margin = 100 * z * math.sqrt(variance / size)
        interval = (_clip(centre - margin), _clip(centre + margin))
        return cls(
            n, promoters, passives, detractors, score, margin, interval, confidence, method, note
        )

    @property
    def promoter_share(self) -> float:
        """Share of promoters (0..1)."""
        return self.promoters / self.n

    @property
    def passive_share(self) -> float:
        """Share of passives (0..1)."""
        return self.passives / self.n

    @property
    def detractor_share(self) -> float:
        """Share of detractors (0..1)."""
        return self.detractors / self.n

    @property
    def variance(self) -> float:
        """Trinomial variance of one response, in squared proportion units."""
        p, d = self.promoter_share, self.detractor_share
        return max(0.0, p + d - (p - d) ** 2)

    @property
    def standard_error(self) -> float:
        """Standard error of the observed score, in NPS points."""
        return 100 * math.sqrt(self.variance / self.n)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "n": self.n,
            "promoters": self.promoters,
            "passives": self.passives,
            "detractors": self.detractors,
            "score": self.score,
            "margin_of_error": self.margin_of_error,
            "interval": list(self.interval),
            "confidence": self.confidence,
            "method": self.method,
            "note": self.note,
        }


def _interval_method(method: str, n: int, alike: bool) -> tuple[str, str]:
    """The interval method to use and the note that explains a small-sample choice."""
    why = f"n = {n} is below {SMALL_N}" if n < SMALL_N else "every answer is in one category"
    if method == "auto":
        if n < SMALL_N or alike:
            return "adjusted_wald", f"{why}: adjusted-Wald interval (Rocks 2016)"
        return "wald", ""
    if method == "wald" and (n < SMALL_N or alike):
        return method, f"{why}: the Wald interval understates the uncertainty"
    return method, ""


def nps(scores: Iterable[int], *, confidence: float = 0.95, method: str = "auto") -> NPSResult:
    """The NPS of 0..10 answers ("How likely are you to recommend us?").

    Each score must be an ``int`` 0..10: bools, floats, strings and other values raise
    :class:`InvalidInputError` with the index in ``.path``.

    >>> import b2bfunnel as bf
    >>> r = bf.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5])
    >>> (r.promoters, r.passives, r.detractors, r.score)
    (5, 2, 3, 20.0)
    >>> bf.nps([10, 9, True])
    Traceback (most recent call last):
    ...
    b2bfunnel.InvalidInputError: scores[2]: expected an integer score 0..10, got bool True
    """
    _, counts = checked_scores(scores)
    promoters = counts[9] + counts[10]
    passives = counts[7] + counts[8]
    detractors = counts.total() - promoters - passives
    return NPSResult.from_counts(
        promoters, passives, detractors, confidence=confidence, method=method
    )


def _expected_variance(expected: tuple[float, float] | None) -> float:
    if expected is None:
        return 1.0  # the worst case: half promoters, half detractors
    if not isinstance(expected, tuple | list) or len(expected) != 2:
        raise InvalidInputError(
            "expected (promoter share, detractor share), e.g. (0.4, 0.2)", path="expected"
        )
    p, d = expected
    for name, share in (("expected[0]", p), ("expected[1]", d)):
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
            raise InvalidInputError(f"expected a share 0..1, got {share!r}", path=name)
    if p + d > 1:
        raise InvalidInputError(f"shares sum to {p + d:g}, more than 1", path="expected")
    return max(0.0, p + d - (p - d) ** 2)


def nps_sample_size(
    margin_of_error: float,
    *,
    expected: tuple[float, float] | None = None,
    confidence: float = 0.95,
) -> int:
    """Responses needed for a target margin of error (in NPS points).

    ``expected`` is the (promoter share, detractor share) you expect; without it the
    worst case (variance 1) is assumed.

    >>> nps_sample_size(5)
    1537
    >>> nps_sample_size(5, expected=(0.4, 0.2))
    861
    """
    if (
        isinstance(margin_of_error, bool)
        or not isinstance(margin_of_error, int | float)
        or not (0 < margin_of_error <= 200)
    ):
        raise InvalidInputError(
            f"expected a margin in NPS points, 0 < margin <= 200, got {margin_of_error!r}",
            path="margin_of_error",
        )
    z = z_for(confidence)
    variance = _expected_variance(expected)
    return max(1, math.ceil((100 * z / margin_of_error) ** 2 * variance - 1e-9))


def nps_detectable_change(
    n1: int,
    n2: int,
    *,
    expected: tuple[float, float] | None = None,
    confidence: float = 0.95,
    power: float = 0.8,
) -> float:
    """Smallest NPS difference (points) two samples of sizes ``n1``, ``n2`` can detect.

    Two-sided test at ``confidence`` with the given ``power`` (at least the
    significance level ``1 - confidence``; a lower power is refused); worst-case
    variance unless ``expected`` shares are given.

    >>> round(nps_detectable_change(400, 400), 1)
    19.8
    """
    for name, size in (("n1", n1), ("n2", n2)):
        if type(size) is not int or size < 1:
            raise InvalidInputError(f"expected a sample size >= 1, got {size!r}", path=name)
    variance = _expected_variance(expected)
    alpha = 1 - confidence
    z = z_for(confidence) + z_one_sided(power, "power")
    # A tolerance, because 1 - 0.95 is 0.050000000000000044 in binary.
    if power < alpha - 1e-12:
        raise InvalidInputError(
            f"power {power!r} is below the significance level {alpha:.3g} (1 - confidence): "
            "such a test detects less often than chance alone; use a power of at least "
            f"{alpha:.3g} (0.8 is usual)",
            path="power",
        )
    return 100 * z * math.sqrt(variance / n1 + variance / n2)


@attrs.frozen(repr=False)
class NPSComparison(Summarised, Plotted):
    """Two NPS values compared: ``difference`` is ``b - a`` in points.

    ``p_value`` and ``interval`` are None when the comparison cannot conclude (a sample
    below ``SMALL_N`` answers, or one whose answers all fall in one category); then
    ``significant`` is False and ``verdict`` says why. ``labels`` name ``a`` and
    ``b``; ``interval`` is at ``confidence``.
    """

    _charts: ClassVar[Charts] = (("both", charts.nps_comparison),)

    a: NPSResult
    b: NPSResult
    difference: float
    standard_error: float
    p_value: float | None
    interval: tuple[float, float] | None
    significant: bool
    verdict: str
    labels: tuple[str, str] = ("A", "B")
    confidence: float = 0.95

    def summary(self) -> Summary:
        """The difference with its interval and p-value, then each sample's NPS: what
        a notebook shows."""
        return comparison_summary(self)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "a": self.a.to_dict(),
            "b": self.b.to_dict(),
            "difference": self.difference,
            "standard_error": self.standard_error,
            "p_value": self.p_value,
            "interval": None if self.interval is None else list(self.interval),
            "significant": self.significant,
            "verdict": self.verdict,
            "labels": list(self.labels),
            "confidence": self.confidence,
        }


def compare_nps(
    a: NPSResult, b: NPSResult, *, confidence: float = 0.95, labels: tuple[str, str] = ("A", "B")
) -> NPSComparison:
    """Is ``b`` really different from ``a``? Difference, standard error, two-sided p.

    The samples are taken as independent (two periods, two segments). The normal
    test needs at least ``SMALL_N`` (30) answers in each and some spread in each (not
    every answer in one category); otherwise there is no p-value and the verdict says
    the comparison cannot conclude.

    >>> import b2bfunnel as bf
    >>> c = bf.compare_nps(bf.NPSResult.from_counts(80, 80, 40),
    ...                    bf.NPSResult.from_counts(120, 100, 30), labels=("Q1", "Q2"))
    >>> import textwrap
    >>> print(textwrap.fill(c.verdict, 80))
    Q2 is 16.0 points higher than Q1 (p = 0.019): a difference this large is
    unlikely to be chance at 95% confidence.
    >>> c = bf.compare_nps(bf.nps([10]), bf.nps([0]))
    >>> c.p_value, c.significant
    (None, False)
    """
    for name, value in (("a", a), ("b", b)):
        if not isinstance(value, NPSResult):
            raise InvalidInputError(f"expected an NPSResult, got {type(value).__name__}", path=name)
    if (
        not isinstance(labels, tuple | list)
        or len(labels) != 2
        or not all(isinstance(label, str) for label in labels)
    ):
        raise InvalidInputError(f"expected two names, got {labels!r}", path="labels")
    z = z_for(confidence)
    difference = b.score - a.score
    error = math.hypot(a.standard_error, b.standard_error)
    first, second = labels
    if difference == 0:
        head = f"{second} and {first} have the same NPS"
    else:
        word = "higher" if difference > 0 else "lower"
        head = f"{second} is {abs(difference):.1f} points {word} than {first}"
    reason = _inconclusive(a, b, labels)
    if reason:
        verdict = f"{head}, but {reason}: the comparison cannot conclude either way."
        return NPSComparison(
            a, b, difference, error, None, None, False, verdict, (first, second), confidence
        )
    p_value = two_sided_p(difference / error)
    significant = p_value < 1 - confidence
    level = f"{confidence:.0%}"
    if significant:
        tail = f"a difference this large is unlikely to be chance at {level} confidence."
    else:
        tail = f"a difference this size could well be chance (not significant at {level})."
    verdict = f"{head} (p = {p_value:.3f}): {tail}"
    interval = (difference - z * error, difference + z * error)
    return NPSComparison(
        a,
        b,
        difference,
        error,
        p_value,
        interval,
        significant,
        verdict,
        (first, second),
        confidence,
    )


def _inconclusive(a: NPSResult, b: NPSResult, labels: tuple[str, str]) -> str:
    """Why the normal test cannot be trusted for these samples, or ""."""
    for label, result in zip(labels, (a, b), strict=True):
        if result.n < SMALL_N:
            count = "1 answer" if result.n == 1 else f"{result.n} answers"
            return f"{label} has only {count} (at least {SMALL_N} are needed)"
    for label, result in zip(labels, (a, b), strict=True):
        if result.variance == 0:
            return f"every answer in {label} is in one category, so its spread is unknown"
    return ""


@attrs.frozen(repr=False)
class WhatItTakes(Displayed):
    """Conversions that lift an NPS to ``target``; None where not enough people exist.

    Turning one detractor into a passive, or one passive into a promoter, adds
    100/n points; one detractor into a promoter adds 200/n.
    """

    target: float
    current: float
    gap: float
    reached: bool
    detractors_to_passives: int | None
    passives_to_promoters: int | None
    detractors_to_promoters: int | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return attrs.asdict(self)


def nps_what_it_takes(result: NPSResult, target: float) -> WhatItTakes:
    """How many detractors turned passive, or passives turned promoter, reach ``target``.

    >>> import b2bfunnel as bf
    >>> w = bf.nps_what_it_takes(bf.NPSResult.from_counts(80, 80, 40), 30)
    >>> w.detractors_to_passives, w.passives_to_promoters, w.detractors_to_promoters
    (20, 20, 10)
    """
    if not isinstance(result, NPSResult):
        raise InvalidInputError(
            f"expected an NPSResult, got {type(result).__name__}", path="result"
        )
    if isinstance(target, bool) or not isinstance(target, int | float) or not -100 <= target <= 100:
        raise InvalidInputError(f"expected a target NPS -100..100, got {target!r}", path="target")
    # Exact arithmetic: the score needs promoters - detractors >= target * n / 100.
    needed = Fraction(str(target)) * result.n / 100 - (result.promoters - result.detractors)
    steps = max(0, math.ceil(needed))
    double = math.ceil(Fraction(steps, 2))
    return WhatItTakes(
        target=float(target),
        current=result.score,
        gap=max(0.0, float(target) - result.score),
        reached=steps == 0,
        detractors_to_passives=steps if steps <= result.detractors else None,
        passives_to_promoters=steps if steps <= result.passives else None,
        detractors_to_promoters=double if double <= result.detractors else None,
    )
