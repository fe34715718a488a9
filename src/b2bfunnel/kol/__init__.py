"""KOL (key opinion leader) fit: relevance over fame. See ``docs/kol.md``."""

from .._public import publish
from ._contract import ContractReview, review_contract
from ._fit import Component, KOLFit, kol_fit
from ._model import HYPEAUDITOR_2018, KOLBrief, KOLCandidate, KOLConfig, tier_of
from ._portfolio import Portfolio, plan_portfolio

__all__ = [
    "HYPEAUDITOR_2018",
    "Component",
    "ContractReview",
    "KOLBrief",
    "KOLCandidate",
    "KOLConfig",
    "KOLFit",
    "Portfolio",
    "kol_fit",
    "plan_portfolio",
    "review_contract",
    "tier_of",
]


publish(globals(), __all__)
