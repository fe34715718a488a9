"""b2bfunnel: one shared, tested operating system for the B2B funnel.

>>> import b2bfunnel as bf
>>> bf.ScoringModel.default().hot_threshold
100
"""

from ._conditions import Condition
from .errors import B2BFunnelError, ConfigError, InvalidInputError, Problem
from .events import Event
from .funnel import Funnel
from .nps import (
    B2B_SPAIN_2024,
    AccountNPS,
    CESResult,
    NPSBenchmark,
    NPSComparison,
    NPSPosition,
    NPSResult,
    RateResult,
    Report,
    ReportCell,
    Response,
    ThemeCounts,
    Ticket,
    WhatItTakes,
    account_nps,
    ces,
    ces_report,
    comment_themes,
    compare_nps,
    fcr,
    fcr_report,
    nps,
    nps_detectable_change,
    nps_position,
    nps_report,
    nps_sample_size,
    nps_what_it_takes,
)
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
    "B2B_SPAIN_2024",
    "AccountNPS",
    "B2BFunnelError",
    "CESResult",
    "Condition",
    "ConfigError",
    "Contribution",
    "Decay",
    "Event",
    "ExplicitRule",
    "Funnel",
    "ImplicitRule",
    "InvalidInputError",
    "NPSBenchmark",
    "NPSComparison",
    "NPSPosition",
    "NPSResult",
    "Problem",
    "RateResult",
    "Report",
    "ReportCell",
    "Response",
    "Score",
    "ScoreState",
    "ScoringModel",
    "ThemeCounts",
    "Ticket",
    "Tier",
    "WhatItTakes",
    "account_nps",
    "ces",
    "ces_report",
    "comment_themes",
    "compare_nps",
    "fcr",
    "fcr_report",
    "nps",
    "nps_detectable_change",
    "nps_position",
    "nps_report",
    "nps_sample_size",
    "nps_what_it_takes",
]
