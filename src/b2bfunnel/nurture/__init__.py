"""Nurture flows: behaviour-triggered sequences for "not now" leads. See ``docs/nurture.md``."""

from .._public import publish
from ._experiment import ArmComparison, ArmResult, arm_sample_size, compare_arms
from ._flow import NurtureFlow
from ._guards import ScoreInput, ScoreLike
from ._state import Action, HistoryEntry, NurtureState, due

__all__ = [
    "Action",
    "ArmComparison",
    "ArmResult",
    "HistoryEntry",
    "NurtureFlow",
    "NurtureState",
    "ScoreInput",
    "ScoreLike",
    "arm_sample_size",
    "compare_arms",
    "due",
]


publish(globals(), __all__, as_data=["NurtureFlow"])
