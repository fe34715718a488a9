"""The sales pipeline: velocity, funnel and SLA metrics, and multi-touch attribution.

One module per concept: ``_velocity`` and ``_velocity_comparison``
(``docs/velocity.md``), ``_funnel`` (``docs/funnel.md``) and ``_attribution``
(``docs/attribution.md``).
"""

from .._public import publish
from ._allocation import allocate
from ._attribution import MARKOV_SPLITS, MODELS, AttributionReport, attribute
from ._funnel import FunnelMetrics, StageStats, funnel_metrics
from ._paths import PathCounts
from ._tallies import FunnelTally, VelocityTally
from ._velocity import VelocityReport, pipeline_velocity, velocity_from_deals
from ._velocity_comparison import Lift, VelocityComparison, compare_velocity

__all__ = [
    "MARKOV_SPLITS",
    "MODELS",
    "AttributionReport",
    "FunnelMetrics",
    "FunnelTally",
    "Lift",
    "PathCounts",
    "StageStats",
    "VelocityComparison",
    "VelocityReport",
    "VelocityTally",
    "allocate",
    "attribute",
    "compare_velocity",
    "funnel_metrics",
    "pipeline_velocity",
    "velocity_from_deals",
]


publish(globals(), __all__)
