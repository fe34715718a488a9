"""Accounts: contacts matched to their companies, scored and ranked as buying groups.

See ``docs/accounts.md``.
"""

from ._match import AccountConflict, AccountMatch, match_accounts

__all__ = [
    "AccountConflict",
    "AccountMatch",
    "match_accounts",
]
