"""Is the scoring any good? Evaluate a model against outcomes; learn points from them.

See ``docs/evaluation.md``.
"""

from ._calibration import CalibrationBin
from ._evaluate import MIN_POSITIVES, Decile, Evaluation, Threshold, evaluate
from ._fit import Coefficient, FittedModel, fit_points
from ._rates import Rate
from ._timesplit import TimeSplit, time_split

__all__ = [
    "MIN_POSITIVES",
    "CalibrationBin",
    "Coefficient",
    "Decile",
    "Evaluation",
    "FittedModel",
    "Rate",
    "Threshold",
    "TimeSplit",
    "evaluate",
    "fit_points",
    "time_split",
]
