"""b2bfunnel: one shared, tested operating system for the B2B funnel.

>>> import b2bfunnel as bf
>>> bf.ScoringModel.default().hot_threshold
100

The top level holds what users call and construct, the errors, and the results the
contract names; every other result lives in its subpackage (``b2bfunnel.scoring``,
``b2bfunnel.surveys``, ...). ``docs/api.md`` lists every public name.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public names and the module each lives in. They are imported on first use, so
# `import b2bfunnel` stays fast and a caller pays only for the modules it uses.
_EXPORTS = {
    "Condition": "._conditions",
    "AccountModel": ".accounts",
    "match_accounts": ".accounts",
    "events_from": ".tables._read",
    "Columns": ".tables._table",
    "TableLike": ".tables._table",
    "Qualification": ".bant",
    "QualificationPolicy": ".bant",
    "Stage": ".bant",
    "diagnose_price_objection": ".bant",
    "next_fields": ".bant",
    "qualify": ".bant",
    "data_report": ".datareport",
    "B2BFunnelError": ".errors",
    "ConfigError": ".errors",
    "InvalidInputError": ".errors",
    "Evaluation": ".evaluation",
    "FittedModel": ".evaluation",
    "evaluate": ".evaluation",
    "fit_decay": ".evaluation",
    "fit_points": ".evaluation",
    "time_split": ".evaluation",
    "Event": ".events",
    "Funnel": ".funnel",
    "KOLBrief": ".kol",
    "KOLCandidate": ".kol",
    "KOLConfig": ".kol",
    "KOLFit": ".kol",
    "kol_fit": ".kol",
    "plan_portfolio": ".kol",
    "review_contract": ".kol",
    "Action": ".nurture",
    "NurtureFlow": ".nurture",
    "arm_sample_size": ".nurture",
    "compare_arms": ".nurture",
    "NurtureState": ".nurture",
    "VelocityReport": ".pipeline",
    "attribute": ".pipeline",
    "compare_velocity": ".pipeline",
    "funnel_metrics": ".pipeline",
    "pipeline_velocity": ".pipeline",
    "velocity_from_deals": ".pipeline",
    "to_pandas": ".records",
    "to_records": ".records",
    "Score": ".scoring",
    "ScoreState": ".scoring",
    "ScoringModel": ".scoring",
    "NPSResult": ".surveys",
    "Response": ".surveys",
    "Ticket": ".surveys",
    "account_nps": ".surveys",
    "compare_nps": ".surveys",
    "nps": ".surveys",
    "nps_report": ".surveys",
}

# Names that left the top level before 0.1.0, at their public home. They still resolve
# here (earlier code and stored pickles name them), without a warning, and are listed
# neither in __all__ nor in dir().
_MOVED = {
    "CriterionPolicy": ".bant",
    "CriterionStatus": ".bant",
    "ObjectionDiagnosis": ".bant",
    "DataReport": ".datareport",
    "Problem": ".errors",
    "CalibrationBin": ".evaluation",
    "Coefficient": ".evaluation",
    "ConversionRate": ".evaluation",
    "Decile": ".evaluation",
    "EvaluationTally": ".evaluation",
    "ThresholdSuggestion": ".evaluation",
    "TimeSplit": ".evaluation",
    "ContractReview": ".kol",
    "Portfolio": ".kol",
    "Arm": ".nurture",
    "ArmComparison": ".nurture",
    "ArmResult": ".nurture",
    "HistoryEntry": ".nurture",
    "MaxSends": ".nurture",
    "Postponed": ".nurture",
    "Pressure": ".nurture",
    "Split": ".nurture",
    "AttributionReport": ".pipeline",
    "FunnelMetrics": ".pipeline",
    "FunnelTally": ".pipeline",
    "Lift": ".pipeline",
    "PathCounts": ".pipeline",
    "StageStats": ".pipeline",
    "VelocityComparison": ".pipeline",
    "VelocityTally": ".pipeline",
    "Contribution": ".scoring",
    "Decay": ".scoring",
    "ExplicitRule": ".scoring",
    "ImplicitRule": ".scoring",
    "Ranking": ".scoring",
    "Tier": ".scoring",
    "AccountNPS": ".surveys",
    "B2B_SPAIN_2024": ".surveys",
    "CESResult": ".surveys",
    "NPSBenchmark": ".surveys",
    "NPSComparison": ".surveys",
    "NPSPosition": ".surveys",
    "RateResult": ".surveys",
    "RateTally": ".surveys",
    "Report": ".surveys",
    "ReportCell": ".surveys",
    "SurveyTally": ".surveys",
    "ThemeCounts": ".surveys",
    "WhatItTakes": ".surveys",
    "ces": ".surveys",
    "ces_report": ".surveys",
    "comment_themes": ".surveys",
    "fcr": ".surveys",
    "fcr_report": ".surveys",
    "nps_detectable_change": ".surveys",
    "nps_position": ".surveys",
    "nps_sample_size": ".surveys",
    "nps_what_it_takes": ".surveys",
}

__all__ = [
    "AccountModel",
    "Action",
    "B2BFunnelError",
    "Columns",
    "Condition",
    "ConfigError",
    "Evaluation",
    "Event",
    "FittedModel",
    "Funnel",
    "InvalidInputError",
    "KOLBrief",
    "KOLCandidate",
    "KOLConfig",
    "KOLFit",
    "NPSResult",
    "NurtureFlow",
    "NurtureState",
    "Qualification",
    "QualificationPolicy",
    "Response",
    "Score",
    "ScoreState",
    "ScoringModel",
    "Stage",
    "TableLike",
    "Ticket",
    "VelocityReport",
    "account_nps",
    "arm_sample_size",
    "attribute",
    "compare_arms",
    "compare_nps",
    "compare_velocity",
    "data_report",
    "diagnose_price_objection",
    "evaluate",
    "events_from",
    "fit_decay",
    "fit_points",
    "funnel_metrics",
    "kol_fit",
    "match_accounts",
    "next_fields",
    "nps",
    "nps_report",
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
    """Rebuild a pickled value from its public path (see ``_public.py``).

    ``name`` is the class's path below the package (``"Score"``,
    ``"scoring.Contribution"``); pickles made before 0.1.0 give a bare name, which
    the package still resolves. Stored pickles name this function: it stays here, in
    the package itself, so moving a class between modules never breaks them.
    """
    module, _, attr = name.rpartition(".")
    owner = importlib.import_module(f".{module}", __name__) if module else sys.modules[__name__]
    cls = getattr(owner, attr)
    if via == "__new__":
        return cls.__new__(cls, *args)
    return getattr(cls, via)(*args) if via else cls(*args)


# Public modules, reachable as attributes (`bf.surveys.ces`) without an import of their own.
_MODULES = frozenset(
    ("accounts", "bant", "dask", "datareport", "errors", "evaluation", "events", "funnel", "kol",
     "nurture", "pipeline", "plot", "progress", "records", "scoring", "spark", "surveys",
     "tables")
)  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name) or _MOVED.get(name)
    if module is None:
        raise AttributeError(f"module 'b2bfunnel' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__} - _MOVED.keys())


if TYPE_CHECKING:
    from ._conditions import Condition
    from .accounts import AccountModel, match_accounts
    from .bant import (
        Qualification,
        QualificationPolicy,
        Stage,
        diagnose_price_objection,
        next_fields,
        qualify,
    )
    from .datareport import data_report
    from .errors import B2BFunnelError, ConfigError, InvalidInputError
    from .evaluation import (
        Evaluation,
        FittedModel,
        evaluate,
        fit_decay,
        fit_points,
        time_split,
    )
    from .events import Event
    from .funnel import Funnel
    from .kol import (
        KOLBrief,
        KOLCandidate,
        KOLConfig,
        KOLFit,
        kol_fit,
        plan_portfolio,
        review_contract,
    )
    from .nurture import Action, NurtureFlow, NurtureState, arm_sample_size, compare_arms
    from .pipeline import (
        VelocityReport,
        attribute,
        compare_velocity,
        funnel_metrics,
        pipeline_velocity,
        velocity_from_deals,
    )
    from .records import to_pandas, to_records
    from .scoring import Score, ScoreState, ScoringModel
    from .surveys import NPSResult, Response, Ticket, account_nps, compare_nps, nps, nps_report
    from .tables._read import events_from
    from .tables._table import Columns, TableLike
