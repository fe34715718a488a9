"""b2bfunnel: one shared, tested operating system for the B2B funnel.

>>> import b2bfunnel as bf
>>> bf.ScoringModel.default().hot_threshold
100
"""

from ._conditions import Condition
from .errors import B2BFunnelError, ConfigError, InvalidInputError, Problem
from .events import Event
from .funnel import Funnel
from .scoring import (
    Contribution,
    Decay,
    ExplicitRule,
    ImplicitRule,
    Score,
    ScoreState,
    ScoringModel,
    Tier,
)

__version__ = "0.1.0"

__all__ = [
    "B2BFunnelError",
    "Condition",
    "ConfigError",
    "Contribution",
    "Decay",
    "Event",
    "ExplicitRule",
    "Funnel",
    "ImplicitRule",
    "InvalidInputError",
    "Problem",
    "Score",
    "ScoreState",
    "ScoringModel",
    "Tier",
]
