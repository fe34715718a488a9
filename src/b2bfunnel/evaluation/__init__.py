"""Is the scoring any good? Evaluate a model against outcomes; learn points from them.

See ``docs/evaluation.md``.
"""

from .._public import publish
from ._calibration import CalibrationBin
from ._decay import DecayCandidate, DecayFit, fit_decay
from ._evaluate import MIN_POSITIVES, Decile, Evaluation, ThresholdSuggestion, evaluate
from ._fit import Coefficient, FittedModel, fit_points
from ._rates import ConversionRate
from ._tally import EvaluationTally
from ._timesplit import TimeSplit, time_split
from ._versus import AUCComparison

__all__ = [
    "MIN_POSITIVES",
    "AUCComparison",
    "CalibrationBin",
    "Coefficient",
    "ConversionRate",
    "DecayCandidate",
    "DecayFit",
    "Decile",
    "Evaluation",
    "EvaluationTally",
    "FittedModel",
    "ThresholdSuggestion",
    "TimeSplit",
    "evaluate",
    "fit_decay",
    "fit_points",
    "time_split",
]


publish(globals(), __all__)
