"""Lead qualification: BANT and other frameworks, the SLA as data, what to ask next.

See ``docs/qualification.md``.
"""

from .._public import publish
from ._frameworks import PRESETS, ROLES
from ._objection import ObjectionDiagnosis, diagnose_price_objection
from ._policy import CriterionPolicy, QualificationPolicy
from ._profiling import next_fields
from ._qualify import CriterionStatus, Qualification, Stage, qualify

__all__ = [
    "PRESETS",
    "ROLES",
    "CriterionPolicy",
    "CriterionStatus",
    "ObjectionDiagnosis",
    "Qualification",
    "QualificationPolicy",
    "Stage",
    "diagnose_price_objection",
    "next_fields",
    "qualify",
]


publish(globals(), __all__)
