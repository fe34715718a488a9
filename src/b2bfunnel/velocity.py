"""Deprecated alias of :mod:`b2bfunnel.pipeline`, kept for one release.

Velocity, funnel metrics and attribution now live in ``b2bfunnel.pipeline``; import
from there (or from ``b2bfunnel``). Importing this module warns.
"""

import warnings

from .pipeline import (
    MODELS,
    AttributionReport,
    FunnelMetrics,
    Lift,
    StageStats,
    VelocityComparison,
    VelocityReport,
    allocate,
    attribute,
    compare_velocity,
    funnel_metrics,
    pipeline_velocity,
    velocity_from_deals,
)

__all__ = [
    "MODELS",
    "AttributionReport",
    "FunnelMetrics",
    "Lift",
    "StageStats",
    "VelocityComparison",
    "VelocityReport",
    "allocate",
    "attribute",
    "compare_velocity",
    "funnel_metrics",
    "pipeline_velocity",
    "velocity_from_deals",
]

warnings.warn(
    "b2bfunnel.velocity is deprecated and will be removed in the next release; "
    "import from b2bfunnel.pipeline (or b2bfunnel) instead",
    DeprecationWarning,
    stacklevel=2,
)
