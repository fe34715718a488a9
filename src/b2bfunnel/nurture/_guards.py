"""Score guards of transitions: ``hot``, ``at_least`` and ``band``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, SupportsFloat, TypeAlias

from ..errors import InvalidInputError
from ..tables._values import as_number


class ScoreLike(Protocol):
    """What a transition's score guard reads: a ``Score``, or anything shaped like one."""

    @property
    def total(self) -> float:
        """The points."""

    @property
    def hot(self) -> bool:
        """Whether the lead is hot."""

    @property
    def band(self) -> str:
        """The band's name."""


ScoreInput: TypeAlias = ScoreLike | SupportsFloat | None
"""A score handed to a flow: a ``Score`` (or alike), a number, or None for no score."""


def score_ok(guards: Sequence[tuple[str, Any]], score: ScoreInput, threshold: float) -> bool:
    """Whether ``score`` (a ``Score``, a number or None) passes every guard; a plain
    number is hot from ``threshold`` up."""
    for key, wanted in guards:
        if key == "hot":
            if score is None:
                hot = False
            elif hasattr(score, "hot"):
                hot = bool(score.hot)
            else:
                number = as_number(score)  # 10**400 reads as infinity, not an error
                hot = number is not None and number >= threshold
            if hot is not bool(wanted):
                return False
        elif key == "at_least":
            if score is None:
                return False
            total = score.total if hasattr(score, "total") else as_number(score)
            if total is None or not total >= wanted:
                return False
        elif key == "band" and getattr(score, "band", None) != wanted:
            return False
    return True


def check_score(score: object) -> None:
    """Refuse what cannot be a score: NaN, text, other types."""
    if hasattr(score, "hot"):
        return
    if as_number(score) is None or isinstance(score, str):
        raise InvalidInputError(
            f"expected a Score, a number (not NaN) or None, got {score!r}", path="score"
        )
