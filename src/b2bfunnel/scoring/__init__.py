"""Lead scoring: explicit (profile) and implicit (behaviour) points with decay.

See ``docs/scoring.md`` for the rules, the condition language and the decay kinds.
"""

from .._public import publish
from .._ranking import Ranking
from .._tiers import Tier
from ._model import ScoringModel
from ._named import NamedScore
from ._result import Contribution, Score, SubScore
from ._rules import Decay, ExplicitRule, ImplicitRule
from ._state import ScoreState
from ._timeline import BandChange, NamedPoint, Timeline, TimelinePoint

__all__ = [
    "BandChange",
    "Contribution",
    "Decay",
    "ExplicitRule",
    "ImplicitRule",
    "NamedPoint",
    "NamedScore",
    "Ranking",
    "Score",
    "ScoreState",
    "ScoringModel",
    "SubScore",
    "Tier",
    "Timeline",
    "TimelinePoint",
]


publish(globals(), __all__, as_data=["ScoreState"])
