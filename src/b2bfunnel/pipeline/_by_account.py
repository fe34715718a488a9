"""Attribution by account: touches and deals re-keyed from contacts to their accounts.

Attribution assigns a lead's touches to that lead's deals. Keyed by account instead, a
deal is credited with the touches of every contact of its account, and the
repeat-business rules (a touch belongs to the first deal that closes after it, touches
after the last deal belong to none) apply per account. A contact matching no account
keeps its own key (``lead:<id>``), so its deals see only its own touches, as by lead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from ..accounts import match_accounts
from ..tables._table import Columns, TableLike
from ..tables._values import is_blank

__all__ = ["account_keys", "by_account", "deals_by_account"]


def account_keys(
    contacts: TableLike, columns: Columns | None, accounts: TableLike | None = None
) -> Callable[[str], str]:
    """A contact's key: its account (matched against ``accounts`` when given, so the
    accounts table's ids are the keys), else ``lead:<id>`` (its own, as by lead)."""
    match = match_accounts(contacts, accounts, columns=columns)
    account_of = match.account_of
    memo: dict[str, str] = {}

    def key(lead: str) -> str:
        found = memo.get(lead)
        if found is None:
            account = account_of(lead)
            found = memo[lead] = f"lead:{lead}" if account is None else account
        return found

    return key


def by_account(
    touches: Iterable[Any],
    deals: Iterable[Any],
    contacts: TableLike,
    columns: Columns | None,
    accounts: TableLike | None = None,
) -> tuple[Iterator[Any], Iterator[Any]]:
    """``touches`` and ``deals`` with ``lead_id`` replaced by the account's key: a deal's
    own ``account_id`` when it has one, else its contact's account. Rows that are not
    mappings, or lack a lead id, pass unchanged, for attribution to refuse by path."""
    key = account_keys(contacts, columns, accounts)

    def touch_rows() -> Iterator[Any]:
        for row in touches:
            lead = row.get("lead_id") if isinstance(row, Mapping) else None
            yield {**row, "lead_id": key(lead)} if type(lead) is str and lead else row

    return touch_rows(), deals_by_account(deals, key)


def deals_by_account(deals: Iterable[Any], key: Callable[[str], str]) -> Iterator[Any]:
    """``deals`` with ``lead_id`` replaced by the deal's ``account_id`` when it has one,
    else by its contact's ``key``."""
    for row in deals:
        if not isinstance(row, Mapping):
            yield row
            continue
        account, lead = row.get("account_id"), row.get("lead_id")
        if not is_blank(account) and account is not None and str(account).strip():
            yield {**row, "lead_id": str(account).strip()}
        elif type(lead) is str and lead:
            yield {**row, "lead_id": key(lead)}
        else:
            yield row
