"""Contacts to accounts: by account id, by registrable domain, by company name.

A contact belongs to an account by, in order: its ``account_id`` (or a CRM's column
for it), the registrable domain of its e-mail address, then of its website (never a
free-mail or ISP domain), then, with ``by_name=True``, its normalised company name.
A domain or name that points at two accounts is a conflict: reported, never merged,
and the contacts that would match through it are left unmatched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from .._display import Displayed
from .._frames import table_rows
from .._table import Columns, TableLike
from .._values import is_blank
from ..errors import InvalidInputError
from ._domains import email_domain, is_free_mail, website_domain
from ._names import company_key

__all__ = ["REASONS", "AccountConflict", "AccountMatch", "match_accounts"]

REASONS = ("id", "domain", "name", "conflict", "unmatched")

# Where each field is found, first the library's name then CRMs' export headers
# (HubSpot contacts and companies, Salesforce contacts and accounts).
CONTACT_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "account_id": ("account_id", "Associated Company ID", "Account ID", "AccountId"),
        "email": ("email", "Email", "E-mail"),
        "website": ("website", "Website URL", "Website"),
        "company": ("company", "Company Name", "Company name", "Account Name"),
    }
)
ACCOUNT_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "id": ("id", "account_id", "Record ID", "Account ID", "Id"),
        "domain": ("domain", "Company Domain Name", "Website URL", "website", "Website"),
        "name": ("name", "Company name", "Account Name", "Name"),
    }
)


def _text(value: Any) -> str | None:
    """A cell as text; None when blank. Integral numbers (ids read as floats) as ints."""
    if type(value) is str:
        value = value.strip()
        return value or None
    if value is None or isinstance(value, bool) or is_blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _field(row: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None:
            return _text(value)
    return None


@attrs.frozen(repr=False)
class AccountConflict(Displayed):
    """A domain or company name that points at more than one account.

    ``kind`` is ``domain`` (one domain, two account ids) or ``name`` (one name, two
    accounts, such as two domains); ``key`` the domain or normalised name;
    ``accounts`` the accounts it points at; ``contacts`` the contacts left unmatched
    because their only way in was ``key``.
    """

    kind: str
    key: str
    accounts: tuple[str, ...]
    contacts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "kind": self.kind,
            "key": self.key,
            "accounts": list(self.accounts),
            "contacts": list(self.contacts),
        }


@attrs.frozen(repr=False)
class AccountMatch(Displayed):
    """Which account each contact belongs to, and why.

    ``matches`` maps a contact id to ``(account id or None, reason)``, the reason one
    of ``id``, ``domain``, ``name``, ``conflict`` or ``unmatched``; ``conflicts`` the
    domains and names that point at two accounts (not merged); ``rows`` each account's
    row of the accounts table, when one was given.

    >>> import b2bfunnel as bf
    >>> m = bf.match_accounts([{"id": "C1", "email": "ana@ventas.acme.es"},
    ...                        {"id": "C2", "email": "luis@www.acme.es"},
    ...                        {"id": "C3", "email": "eva@gmail.com"}])
    >>> m.account_of("C1"), m.account_of("C2"), m.account_of("C3"), m.reason("C3")
    ('acme.es', 'acme.es', None, 'unmatched')
    """

    matches: Mapping[str, tuple[str | None, str]] = attrs.field(hash=False)
    conflicts: tuple[AccountConflict, ...] = ()
    rows: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, hash=False)

    def account_of(self, contact_id: str) -> str | None:
        """The contact's account id; None when unmatched (or not a known contact)."""
        found = self.matches.get(contact_id)
        return None if found is None else found[0]

    def reason(self, contact_id: str) -> str:
        """Why the contact belongs to its account (``id``, ``domain``, ``name``) or to
        none (``conflict``, ``unmatched``)."""
        found = self.matches.get(contact_id)
        if found is None:
            raise InvalidInputError(f"no contact {contact_id!r} was matched", path="contact_id")
        return found[1]

    @property
    def accounts(self) -> dict[str, tuple[str, ...]]:
        """Each account id with its contacts' ids, accounts and contacts sorted; an
        account of the accounts table without contacts has none."""
        members: dict[str, list[str]] = {account: [] for account in self.rows}
        for contact, (account, _) in self.matches.items():
            if account is not None:
                members.setdefault(account, []).append(contact)
        return {a: tuple(sorted(members[a])) for a in sorted(members)}

    def counts(self) -> dict[str, int]:
        """How many contacts matched for each reason, in the order of ``REASONS``."""
        tally = Counter(reason for _, reason in self.matches.values())
        return {reason: tally[reason] for reason in REASONS}

    def warnings(self) -> list[str]:
        """One line per finding for the data report: unmatched contacts and conflicts."""
        counts = self.counts()
        lines = []
        if counts["unmatched"]:
            lines.append(
                f"{counts['unmatched']} of {len(self.matches)} contacts match no account "
                "(no account id, a free-mail or no e-mail domain, no website"
                " or company name to match by)"
            )
        for conflict in self.conflicts:
            lines.append(
                f"{conflict.kind} {conflict.key!r} points at {len(conflict.accounts)} accounts "
                f"({', '.join(conflict.accounts)}): {len(conflict.contacts)} contacts left "
                "unmatched, not merged"
            )
        return lines

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: per contact its account and reason, the conflicts."""
        return {
            "contacts": {
                contact: {"account_id": account, "reason": reason}
                for contact, (account, reason) in self.matches.items()
            },
            "conflicts": [c.to_dict() for c in self.conflicts],
            "counts": self.counts(),
        }


class _Claims:
    """Which accounts each domain and each name point at."""

    def __init__(self) -> None:
        self.domains: dict[str, set[str]] = {}
        self.names: dict[str, set[str]] = {}

    def of(self, kind: str) -> dict[str, set[str]]:
        return self.domains if kind == "domain" else self.names

    def claim(self, table: dict[str, set[str]], key: str | None, account: str) -> None:
        if key:
            table.setdefault(key, set()).add(account)


# A contact as read: (id, account id, domain, company key).
_Contact = tuple[str, str | None, str | None, str | None]


class _Reader:
    """Reads contacts' ids, domains and names, remembering each distinct domain's and
    name's form (CRM exports repeat the same few thousand companies)."""

    def __init__(self, by_name: bool) -> None:
        self.by_name = by_name
        self.hosts: dict[str, str | None] = {}
        self.keys: dict[str, str] = {}

    def domain(self, row: Mapping[str, Any]) -> str | None:
        email = _field(row, CONTACT_FIELDS["email"])
        if email is not None:
            found = self._company_domain(email[email.rfind("@") + 1 :], email_domain, email)
            if found is not None:
                return found
        website = _field(row, CONTACT_FIELDS["website"])
        if website is not None:
            return self._company_domain(website, website_domain, website)
        return None

    def _company_domain(self, host: str, read: Any, text: str) -> str | None:
        if host in self.hosts:
            return self.hosts[host]
        domain = read(text)
        found = None if domain is None or is_free_mail(domain) else domain
        self.hosts[host] = found
        return found

    def name(self, row: Mapping[str, Any], fields: tuple[str, ...]) -> str | None:
        if not self.by_name:
            return None
        name = _field(row, fields)
        if name is None:
            return None
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = company_key(name)
        return key or None

    def contacts(self, rows: Iterable[Mapping[str, Any]]) -> list[_Contact]:
        out: list[_Contact] = []
        seen: set[str] = set()
        id_fields, company = CONTACT_FIELDS["account_id"], CONTACT_FIELDS["company"]
        for index, row in enumerate(rows):
            if not isinstance(row, Mapping):
                raise InvalidInputError(
                    f"expected a mapping of field names to values, got {type(row).__name__}",
                    path=f"contacts[{index}]",
                )
            contact = _text(row.get("id"))
            if contact is None:
                raise InvalidInputError("expected a contact id", path=f"contacts[{index}].id")
            if contact in seen:
                raise InvalidInputError(
                    f"duplicate contact id {contact!r}", path=f"contacts[{index}].id"
                )
            seen.add(contact)
            out.append((contact, _field(row, id_fields), self.domain(row), self.name(row, company)))
        return out


def _read_accounts(
    rows: Iterable[Mapping[str, Any]], reader: _Reader, claims: _Claims
) -> dict[str, Mapping[str, Any]]:
    """The accounts table by id, its domains and names claimed for its ids."""
    out: dict[str, Mapping[str, Any]] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise InvalidInputError(
                f"expected a mapping of field names to values, got {type(row).__name__}",
                path=f"accounts[{index}]",
            )
        account = _field(row, ACCOUNT_FIELDS["id"])
        if account is None:
            raise InvalidInputError("expected an account id", path=f"accounts[{index}].id")
        if account in out:
            raise InvalidInputError(
                f"duplicate account id {account!r}", path=f"accounts[{index}].id"
            )
        out[account] = row
        host = _field(row, ACCOUNT_FIELDS["domain"])
        if host is not None:
            domain = website_domain(host)
            if domain is not None and not is_free_mail(domain):
                claims.claim(claims.domains, domain, account)
        claims.claim(claims.names, reader.name(row, ACCOUNT_FIELDS["name"]), account)
    return out


def match_accounts(
    contacts: TableLike,
    accounts: TableLike | None = None,
    *,
    by_name: bool = False,
    columns: Columns | None = None,
) -> AccountMatch:
    """Match each contact (a row with ``id``) to its account; see ``docs/accounts.md``.

    A contact's fields: ``account_id`` (or HubSpot's ``Associated Company ID``,
    Salesforce's ``Account ID``/``AccountId``), ``email``, ``website``, ``company``.
    The optional accounts table has ``id``, ``domain`` (or a website) and ``name``; an
    account's id is the table's id, else the registrable domain, else
    ``name:<normalised name>``. Either table may be a DataFrame; ``columns`` maps field
    names to headers, per table as ``{"contacts": {...}, "accounts": {...}}``.

    >>> import b2bfunnel as bf
    >>> m = bf.match_accounts(
    ...     [{"id": "C1", "email": "cfo@acme.co.uk"}, {"id": "C2", "company": "ACME Ltd."}],
    ...     [{"id": "A-7", "domain": "www.acme.co.uk", "name": "Acme Limited"}], by_name=True)
    >>> m.account_of("C1"), m.reason("C1"), m.account_of("C2"), m.reason("C2")
    ('A-7', 'domain', 'A-7', 'name')
    """
    if not isinstance(by_name, bool):
        raise InvalidInputError(f"expected true or false, got {by_name!r}", path="by_name")
    reader = _Reader(by_name)
    claims = _Claims()
    rows = {}
    if accounts is not None:
        rows = _read_accounts(table_rows(accounts, columns, path="accounts"), reader, claims)
    read = reader.contacts(table_rows(contacts, columns, path="contacts"))
    for _, account, domain, _name in read:
        if account is not None:
            claims.claim(claims.domains, domain, account)
    matches: dict[str, tuple[str | None, str]] = {}
    caught: dict[tuple[str, str], list[str]] = {}
    pending = []
    for contact in read:
        contact_id, account, domain, name = contact
        if account is not None:
            matches[contact_id] = (account, "id")
        elif domain is not None:
            matches[contact_id] = _by_key(claims.domains, "domain", domain, contact_id, caught)
        elif name is not None:
            pending.append(contact)
        else:
            matches[contact_id] = (None, "unmatched")
    if by_name:
        for contact_id, _, _, name in read:
            account = matches.get(contact_id, (None, ""))[0]
            if account is not None:
                claims.claim(claims.names, name, account)
        for contact_id, _, _, name in pending:
            matches[contact_id] = _by_key(claims.names, "name", name or "", contact_id, caught)
    conflicts = tuple(
        AccountConflict(kind, key, tuple(sorted(claims.of(kind)[key])), tuple(sorted(who)))
        for (kind, key), who in sorted(caught.items())
    )
    return AccountMatch(matches, conflicts, rows)


def _by_key(
    table: Mapping[str, set[str]],
    reason: str,
    key: str,
    contact: str,
    caught: dict[tuple[str, str], list[str]],
) -> tuple[str | None, str]:
    """The account ``key`` points at, the key itself when none does, or a conflict."""
    claimed = table.get(key)
    if not claimed:
        return (key if reason == "domain" else f"name:{key}"), reason
    if len(claimed) == 1:
        return next(iter(claimed)), reason
    caught.setdefault((reason, key), []).append(contact)
    return None, "conflict"
