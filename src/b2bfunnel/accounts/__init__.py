"""Accounts: contacts matched to their companies, scored and ranked as buying groups.

See ``docs/accounts.md``.
"""

from .._public import publish
from ._match import AccountConflict, AccountMatch, match_accounts
from ._model import AccountModel, AccountRule
from ._score import AccountRanking, AccountScore, Breadth, NextAction
from ._state import AccountState

__all__ = [
    "AccountConflict",
    "AccountMatch",
    "AccountModel",
    "AccountRanking",
    "AccountRule",
    "AccountScore",
    "AccountState",
    "Breadth",
    "NextAction",
    "match_accounts",
]


publish(globals(), __all__, as_data=["AccountModel", "AccountState"])
