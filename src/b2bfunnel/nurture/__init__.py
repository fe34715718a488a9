"""Nurture flows: behaviour-triggered sequences for "not now" leads. See ``docs/nurture.md``."""

from .._public import publish
from ._definition import Arm, MaxSends, Split
from ._experiment import ArmComparison, ArmResult, arm_sample_size, compare_arms
from ._flow import NurtureFlow
from ._guards import ScoreInput, ScoreLike
from ._lead import advance_lead
from ._pressure import Pressure
from ._state import Action, HistoryEntry, NurtureState, Postponed, due

__all__ = [
    "Action",
    "Arm",
    "ArmComparison",
    "ArmResult",
    "HistoryEntry",
    "MaxSends",
    "NurtureFlow",
    "NurtureState",
    "Postponed",
    "Pressure",
    "ScoreInput",
    "ScoreLike",
    "Split",
    "advance_lead",
    "arm_sample_size",
    "compare_arms",
    "due",
]


publish(globals(), __all__, as_data=["NurtureFlow"])
