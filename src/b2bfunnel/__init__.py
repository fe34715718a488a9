"""b2bfunnel: one shared, tested operating system for the B2B funnel.

>>> import b2bfunnel as bf
>>> bf.ScoringModel.default().hot_threshold
100
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The function nps() shares its name with the subpackage that defines it; importing a
# subpackage binds it on this package, so bind the function after loading it, once.
from .nps import nps

__version__ = "0.1.0"

# Public names and the module each lives in. They are imported on first use, so
# `import b2bfunnel` stays fast and a caller pays only for the modules it uses.
_EXPORTS = {
    "ThresholdSuggestion": ".evaluation",
    "Decile": ".evaluation",
    "ConversionRate": ".evaluation",
    "Coefficient": ".evaluation",
    "CalibrationBin": ".evaluation",
    "time_split": ".evaluation",
    "fit_points": ".evaluation",
    "evaluate": ".evaluation",
    "TimeSplit": ".evaluation",
    "FittedModel": ".evaluation",
    "Evaluation": ".evaluation",
    "EvaluationTally": ".evaluation",
    "AccountNPS": ".nps",
    "Action": ".nurture",
    "AttributionReport": ".pipeline",
    "B2BFunnelError": ".errors",
    "B2B_SPAIN_2024": ".nps",
    "CESResult": ".nps",
    "Columns": ".tables._table",
    "Condition": "._conditions",
    "DataReport": ".datareport",
    "ConfigError": ".errors",
    "ContractReview": ".kol",
    "Contribution": ".scoring",
    "CriterionPolicy": ".bant",
    "CriterionStatus": ".bant",
    "Decay": ".scoring",
    "Event": ".events",
    "ExplicitRule": ".scoring",
    "Funnel": ".funnel",
    "FunnelMetrics": ".pipeline",
    "FunnelTally": ".pipeline",
    "HistoryEntry": ".nurture",
    "ImplicitRule": ".scoring",
    "InvalidInputError": ".errors",
    "KOLBrief": ".kol",
    "KOLCandidate": ".kol",
    "KOLConfig": ".kol",
    "KOLFit": ".kol",
    "Lift": ".pipeline",
    "NPSBenchmark": ".nps",
    "NPSComparison": ".nps",
    "NPSPosition": ".nps",
    "NPSResult": ".nps",
    "NurtureFlow": ".nurture",
    "ArmComparison": ".nurture",
    "ArmResult": ".nurture",
    "Pressure": ".nurture",
    "Postponed": ".nurture",
    "MaxSends": ".nurture",
    "Split": ".nurture",
    "Arm": ".nurture",
    "arm_sample_size": ".nurture",
    "compare_arms": ".nurture",
    "NurtureState": ".nurture",
    "ObjectionDiagnosis": ".bant",
    "PathCounts": ".pipeline",
    "Portfolio": ".kol",
    "Problem": ".errors",
    "Qualification": ".bant",
    "Ranking": "._ranking",
    "QualificationPolicy": ".bant",
    "RateResult": ".nps",
    "RateTally": ".nps",
    "Report": ".nps",
    "ReportCell": ".nps",
    "Response": ".nps",
    "Score": ".scoring",
    "ScoreState": ".scoring",
    "ScoringModel": ".scoring",
    "Stage": ".bant",
    "StageStats": ".pipeline",
    "SurveyTally": ".nps",
    "TableLike": ".tables._table",
    "ThemeCounts": ".nps",
    "Ticket": ".nps",
    "Tier": ".scoring",
    "VelocityComparison": ".pipeline",
    "VelocityReport": ".pipeline",
    "VelocityTally": ".pipeline",
    "WhatItTakes": ".nps",
    "account_nps": ".nps",
    "attribute": ".pipeline",
    "ces": ".nps",
    "ces_report": ".nps",
    "comment_themes": ".nps",
    "compare_nps": ".nps",
    "compare_velocity": ".pipeline",
    "diagnose_price_objection": ".bant",
    "events_from": ".tables._frames",
    "data_report": ".datareport",
    "fcr": ".nps",
    "fcr_report": ".nps",
    "funnel_metrics": ".pipeline",
    "kol_fit": ".kol",
    "next_fields": ".bant",
    "nps_detectable_change": ".nps",
    "nps_position": ".nps",
    "nps_report": ".nps",
    "nps_sample_size": ".nps",
    "nps_what_it_takes": ".nps",
    "pipeline_velocity": ".pipeline",
    "plan_portfolio": ".kol",
    "qualify": ".bant",
    "review_contract": ".kol",
    "to_pandas": ".records",
    "to_records": ".records",
    "velocity_from_deals": ".pipeline",
}

__all__ = [
    "B2B_SPAIN_2024",
    "AccountNPS",
    "Action",
    "AttributionReport",
    "B2BFunnelError",
    "CESResult",
    "CalibrationBin",
    "Coefficient",
    "Columns",
    "Condition",
    "ConfigError",
    "ContractReview",
    "Contribution",
    "ConversionRate",
    "CriterionPolicy",
    "CriterionStatus",
    "DataReport",
    "Decay",
    "Decile",
    "Evaluation",
    "EvaluationTally",
    "Event",
    "ExplicitRule",
    "FittedModel",
    "Funnel",
    "FunnelMetrics",
    "FunnelTally",
    "HistoryEntry",
    "ImplicitRule",
    "InvalidInputError",
    "KOLBrief",
    "KOLCandidate",
    "KOLConfig",
    "KOLFit",
    "Lift",
    "NPSBenchmark",
    "NPSComparison",
    "NPSPosition",
    "NPSResult",
    "NurtureFlow",
    "NurtureState",
    "ObjectionDiagnosis",
    "PathCounts",
    "Portfolio",
    "Problem",
    "Qualification",
    "QualificationPolicy",
    "Ranking",
    "RateResult",
    "RateTally",
    "Report",
    "ReportCell",
    "Response",
    "Score",
    "ScoreState",
    "ScoringModel",
    "Stage",
    "StageStats",
    "SurveyTally",
    "TableLike",
    "ThemeCounts",
    "ThresholdSuggestion",
    "Ticket",
    "Tier",
    "TimeSplit",
    "VelocityComparison",
    "VelocityReport",
    "VelocityTally",
    "WhatItTakes",
    "account_nps",
    "arm_sample_size",
    "attribute",
    "ces",
    "ces_report",
    "comment_themes",
    "compare_arms",
    "compare_nps",
    "compare_velocity",
    "data_report",
    "diagnose_price_objection",
    "evaluate",
    "events_from",
    "fcr",
    "fcr_report",
    "fit_points",
    "funnel_metrics",
    "kol_fit",
    "next_fields",
    "nps",
    "nps_detectable_change",
    "nps_position",
    "nps_report",
    "nps_sample_size",
    "nps_what_it_takes",
    "pipeline_velocity",
    "plan_portfolio",
    "qualify",
    "review_contract",
    "time_split",
    "to_pandas",
    "to_records",
    "velocity_from_deals",
]


def _restore(name: str, args: tuple[Any, ...], via: str = "") -> Any:
    """Rebuild a pickled value from its public class name (see ``_public.py``).

    Stored pickles name this function: it stays here, in the package itself, so moving
    a class between private modules never breaks them.
    """
    cls = __getattr__(name) if name not in globals() else globals()[name]
    if via == "__new__":
        return cls.__new__(cls, *args)
    return getattr(cls, via)(*args) if via else cls(*args)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'b2bfunnel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from ._conditions import (
        Condition,
    )
    from ._ranking import Ranking
    from .bant import (
        CriterionPolicy,
        CriterionStatus,
        ObjectionDiagnosis,
        Qualification,
        QualificationPolicy,
        Stage,
        diagnose_price_objection,
        next_fields,
        qualify,
    )
    from .datareport import DataReport, data_report
    from .errors import (
        B2BFunnelError,
        ConfigError,
        InvalidInputError,
        Problem,
    )
    from .evaluation import (
        CalibrationBin,
        Coefficient,
        ConversionRate,
        Decile,
        Evaluation,
        EvaluationTally,
        FittedModel,
        ThresholdSuggestion,
        TimeSplit,
        evaluate,
        fit_points,
        time_split,
    )
    from .events import (
        Event,
    )
    from .funnel import (
        Funnel,
    )
    from .kol import (
        ContractReview,
        KOLBrief,
        KOLCandidate,
        KOLConfig,
        KOLFit,
        Portfolio,
        kol_fit,
        plan_portfolio,
        review_contract,
    )
    from .nps import (
        B2B_SPAIN_2024,
        AccountNPS,
        CESResult,
        NPSBenchmark,
        NPSComparison,
        NPSPosition,
        NPSResult,
        RateResult,
        RateTally,
        Report,
        ReportCell,
        Response,
        SurveyTally,
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
    from .nurture import (
        Action,
        HistoryEntry,
        NurtureFlow,
        NurtureState,
        arm_sample_size,
        compare_arms,
    )
    from .pipeline import (
        AttributionReport,
        FunnelMetrics,
        FunnelTally,
        Lift,
        PathCounts,
        StageStats,
        VelocityComparison,
        VelocityReport,
        VelocityTally,
        attribute,
        compare_velocity,
        funnel_metrics,
        pipeline_velocity,
        velocity_from_deals,
    )
    from .records import to_pandas, to_records
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
    from .tables._frames import events_from
    from .tables._table import Columns, TableLike
