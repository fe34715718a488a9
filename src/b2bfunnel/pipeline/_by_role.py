"""Attribution by account with an opportunity contact-role table: a deal is credited
only with the touches of the contacts that have a role on it.

By account (see ``_by_account``) a touch belongs to the first deal of its account that
closes at or after it. With contact roles, the deals a contact's touch can go to are
those it has a role on, and those with no role at all (every contact of the account
counts for them). Each touch is given here to the first of its contact's deals, in the
order deals close; each deal then stands under a key of its own, with only its touches,
and attribution goes on as for any lead with one deal. Touches after the last of a
contact's deals belong to none: after a won deal they are a customer's (counted, not
learned from, as by lead); otherwise they stay under the account's key, without deals,
where the Markov model may count them as a quiet journey.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from ..errors import InvalidInputError
from ..tables._kinds import contact_role_fields
from ..tables._options import ReadOptions
from ..tables._read import rows_of
from ..tables._table import TableLike
from ..tables._values import is_blank
from ._by_account import account_keys, deals_by_account
from ._journeys import (
    CLOSED,
    OUTCOME,
    Deal,
    DealsByLead,
    FlatTouches,
    _closing_order,
    read_deals,
    read_touches,
    sorted_touches,
)

__all__ = ["ByRole", "by_role", "read_roles"]

# Where a deal's id and a contact's are read, the library's names first, then a
# Salesforce OpportunityContactRole export's headers.
DEAL_ID = ("deal_id", "Opportunity ID", "OpportunityId")
CONTACT_ID = ("lead_id", "contact_id", "Contact ID", "ContactId")
# A deal's own key: a control character no lead or account id has.
_DEAL = "\x1fdeal:"


class ByRole(NamedTuple):
    """Touches and deals keyed for attribution, and what reading them counted."""

    touches: dict[str, FlatTouches]
    touch_count: int
    latest_touch: float
    deals: DealsByLead
    latest_deal: float
    customer_touches: int  # after a contact's last deal, which was won


def _text(row: Mapping[str, Any], names: Iterable[str]) -> str | None:
    for name in names:
        value = row.get(name)
        if not is_blank(value) and value is not None and str(value).strip():
            return str(value).strip()
    return None


def read_roles(rows: Iterable[Any]) -> dict[str, frozenset[str]]:
    """Each deal id's contacts with a role on it (any row of the table is a role)."""
    if isinstance(rows, str | bytes | Mapping) or not isinstance(rows, Iterable):
        raise InvalidInputError(
            f"expected contact-role records, got {type(rows).__name__}", path="contact_roles"
        )
    out: dict[str, set[str]] = {}
    for index, row in enumerate(rows):
        where = f"contact_roles[{index}]"
        if not isinstance(row, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(row).__name__}", path=where)
        deal = _text(row, DEAL_ID)
        if deal is None:
            raise InvalidInputError(
                "expected the deal's id (deal_id, or Salesforce's Opportunity ID)",
                path=f"{where}.deal_id",
            )
        contact = _text(row, CONTACT_ID)
        if contact is None:
            raise InvalidInputError(
                "expected the contact's id (lead_id, or Salesforce's Contact ID)",
                path=f"{where}.lead_id",
            )
        out.setdefault(deal, set()).add(contact)
    return {deal: frozenset(contacts) for deal, contacts in out.items()}


def by_role(
    touches: Iterable[Any],
    deals: Iterable[Any],
    contacts: TableLike,
    contact_roles: TableLike,
    options: ReadOptions,
    by: str,
    accounts: TableLike | None = None,
    skipped: list[int] | None = None,
) -> ByRole:
    """Touches given to their deals by contact role, each deal under its own key; the
    role table is read with the reading ``options`` by the one contact-role converter."""
    roles = read_roles(rows_of(contact_roles, options, "contact_roles", kind=contact_role_fields))
    key = account_keys(contacts, options.columns, accounts)
    rows = list(deals)
    ids = [_text(row, DEAL_ID) if isinstance(row, Mapping) else None for row in rows]
    by_account, latest_deal = read_deals(deals_by_account(rows, key), skipped)
    by_contact, count, latest_touch = read_touches(touches, by)
    ordered: dict[str, list[Deal]] = {}
    first: dict[str, Deal] = {}
    for account in by_account.first:
        ordered[account] = sorted(by_account.of(account), key=_closing_order)
        first.update((f"{_DEAL}{deal[0]}", deal) for deal in ordered[account])
    out: dict[str, FlatTouches] = {}
    customer = 0
    for contact, flat in by_contact.items():
        account = key(contact)
        mine = [
            deal
            for deal in ordered.get(account, ())
            if (found := roles.get(ids[deal[0]] or "")) is None or contact in found
        ]
        position = 0
        for at, value in sorted_touches(flat):
            while position < len(mine):
                closed = mine[position][CLOSED]
                if closed is None or at <= closed:
                    break
                position += 1  # that deal closed before this touch
            if position < len(mine):
                out.setdefault(f"{_DEAL}{mine[position][0]}", []).extend((at, value))
            elif mine and mine[-1][OUTCOME] == "won":
                customer += 1
            else:
                out.setdefault(account, []).extend((at, value))
    return ByRole(out, count, latest_touch, DealsByLead(first, {}), latest_deal, customer)
