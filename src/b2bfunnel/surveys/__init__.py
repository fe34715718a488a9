"""Net Promoter Score with its uncertainty, and the loyalty figures around it.

See ``docs/nps.md``.
"""

from .._public import publish
from ._account_nps import AccountNPS, account_nps
from ._benchmarks import B2B_SPAIN_2024, NPSBenchmark, NPSPosition, nps_position
from ._core import (
    NPSComparison,
    NPSResult,
    WhatItTakes,
    compare_nps,
    nps,
    nps_detectable_change,
    nps_sample_size,
    nps_what_it_takes,
)
from ._effort import CESResult, RateResult, ces, fcr
from ._reports import Report, ReportCell, ces_report, fcr_report, nps_report
from ._survey import Response, Ticket
from ._tally import RateTally, SurveyTally
from ._themes import ThemeCounts, comment_themes

__all__ = [
    "B2B_SPAIN_2024",
    "AccountNPS",
    "CESResult",
    "NPSBenchmark",
    "NPSComparison",
    "NPSPosition",
    "NPSResult",
    "RateResult",
    "RateTally",
    "Report",
    "ReportCell",
    "Response",
    "SurveyTally",
    "ThemeCounts",
    "Ticket",
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


publish(globals(), __all__)
