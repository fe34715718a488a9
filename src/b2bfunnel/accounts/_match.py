"""Contacts to accounts: by account id, by registrable domain, by company name.

A contact belongs to an account by, in order: its ``account_id`` (or a CRM's column
for it), the registrable domain of its e-mail address, then of its website (never a
free-mail or ISP domain), then, with ``by_name=True``, its normalised company name.
A domain or name that points at two accounts is a conflict: reported, never merged,
and the contacts that would match through it are left unmatched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from types import MappingProxyType
from typing import Any

import attrs

from .._companies import company_key
from .._display import Displayed, View
from ..errors import InvalidInputError
from ..tables._kinds import account_fields, profile_fields
from ..tables._options import read_options
from ..tables._read import rows_of
from ..tables._table import Columns, TableLike
from ..tables._values import is_blank
from ._domains import email_domain, is_free_mail, website_domain

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

    ``account_ids`` maps a contact id to its account id (None when unmatched),
    ``reasons`` to why: ``id``, ``domain``, ``name``, ``conflict`` or ``unmatched``;
    ``conflicts`` the
    domains and names that point at two accounts (not merged); ``rows`` each account's
    row of the accounts table, when one was given.

    >>> import b2bfunnel as bf
    >>> m = bf.match_accounts([{"id": "C1", "email": "ana@ventas.acme.es"},
    ...                        {"id": "C2", "email": "luis@www.acme.es"},
    ...                        {"id": "C3", "email": "eva@gmail.com"}])
    >>> m.account_of("C1"), m.account_of("C2"), m.account_of("C3"), m.reason("C3")
    ('acme.es', 'acme.es', None, 'unmatched')
    """

    account_ids: Mapping[str, str | None] = attrs.field(hash=False)
    reasons: Mapping[str, str] = attrs.field(hash=False)
    conflicts: tuple[AccountConflict, ...] = ()
    rows: Mapping[str, Mapping[str, Any]] = attrs.field(factory=dict, hash=False)

    def account_of(self, contact_id: str) -> str | None:
        """The contact's account id; None when unmatched (or not a known contact)."""
        return self.account_ids.get(contact_id)

    def reason(self, contact_id: str) -> str:
        """Why the contact belongs to its account (``id``, ``domain``, ``name``) or to
        none (``conflict``, ``unmatched``)."""
        found = self.reasons.get(contact_id)
        if found is None:
            raise InvalidInputError(f"no contact {contact_id!r} was matched", path="contact_id")
        return found

    @property
    def accounts(self) -> dict[str, tuple[str, ...]]:
        """Each account id with its contacts' ids, accounts and contacts sorted; an
        account of the accounts table without contacts has none."""
        members: dict[str, list[str]] = {account: [] for account in self.rows}
        for contact, account in self.account_ids.items():
            if account is not None:
                members.setdefault(account, []).append(contact)
        return {a: tuple(sorted(members[a])) for a in sorted(members)}

    def counts(self) -> dict[str, int]:
        """How many contacts matched for each reason, in the order of ``REASONS``."""
        tally = Counter(self.reasons.values())
        return {reason: tally[reason] for reason in REASONS}

    def warnings(self) -> list[str]:
        """One line per finding for the data report: unmatched contacts and conflicts."""
        counts = self.counts()
        lines = []
        if counts["unmatched"]:
            lines.append(
                f"{counts['unmatched']} of {len(self.reasons)} contacts match no account "
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

    def __repr__(self) -> str:
        counts = ", ".join(f"{reason}={n}" for reason, n in self.counts().items())
        return (
            f"AccountMatch({len(self.reasons)} contacts, {len(self.accounts)} accounts: "
            f"{counts}; {len(self.conflicts)} conflicts)"
        )

    def _view(self) -> View:
        rows = [
            {"kind": c.kind, "key": c.key, "accounts": ", ".join(c.accounts),
             "contacts": len(c.contacts)}
            for c in self.conflicts
        ]  # fmt: skip
        pairs: list[tuple[str, Any]] = [("contacts", len(self.reasons))]
        pairs += list(self.counts().items())
        return View(f"Match of {len(self.reasons)} contacts to accounts", pairs, rows or None)

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_markdown_(self) -> str:
        return self._view().markdown()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: per contact its account and reason, the conflicts."""
        return {
            "contacts": {
                contact: {"account_id": account, "reason": self.reasons[contact]}
                for contact, account in self.account_ids.items()
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


_UNSEEN: Any = object()


def _first(get: Any, names: tuple[str, ...]) -> str | None:
    """The text of the first of ``names`` a row has (``get`` is its ``get``)."""
    for name in names:
        value = get(name)
        if value is not None:
            return value.strip() or None if type(value) is str else _text(value)
    return None


class _Reader:
    """Reads contacts' ids, domains and names into parallel lists (a tuple per contact
    would be 100,000 more objects for the garbage collector), remembering each distinct
    host's domain and name's form (CRM exports repeat the same few thousand companies)."""

    def __init__(self, by_name: bool) -> None:
        self.by_name = by_name
        self.hosts: dict[str, str | None] = {}
        self.keys: dict[str, str | None] = {}
        self.ids: list[str] = []
        self.explicit: list[str | None] = []
        self.domains: list[str | None] = []
        self.names: list[str | None] = []

    def company_domain(self, text: str, read: Any) -> str | None:
        """The registrable domain of an address or website unless free mail (memoised)."""
        host = text[text.rfind("@") + 1 :]
        found = self.hosts.get(host, _UNSEEN)
        if found is _UNSEEN:
            domain = read(text)
            found = self.hosts[host] = None if domain is None or is_free_mail(domain) else domain
        return found  # type: ignore[no-any-return]

    def name(self, text: str | None) -> str | None:
        """The normalised form of a company name (memoised); None for none."""
        if text is None:
            return None
        key = self.keys.get(text, _UNSEEN)
        if key is _UNSEEN:
            key = self.keys[text] = company_key(text) or None
        return key  # type: ignore[no-any-return]

    def read(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Read every contact (this loop runs once per contact: no call it can spare)."""
        seen: set[str] = set()
        ids, explicit, domains, names = self.ids, self.explicit, self.domains, self.names
        id_fields, email_fields, web_fields, company_fields = CONTACT_FIELDS.values()
        by_name = self.by_name
        for index, row in enumerate(rows):
            if type(row) is not dict and not isinstance(row, Mapping):
                raise InvalidInputError(
                    f"expected a mapping of field names to values, got {type(row).__name__}",
                    path=f"contacts[{index}]",
                )
            get = row.get
            contact = _text(get("id"))
            if contact is None or contact in seen:
                what = "expected a contact id" if contact is None else "duplicate contact id"
                shown = "" if contact is None else f" {contact!r}"
                raise InvalidInputError(what + shown, path=f"contacts[{index}].id")
            seen.add(contact)
            ids.append(contact)
            explicit.append(_first(get, id_fields))
            email = _first(get, email_fields)
            domain = None if email is None else self.company_domain(email, email_domain)
            if domain is None:
                website = _first(get, web_fields)
                if website is not None:
                    domain = self.company_domain(website, website_domain)
            domains.append(domain)
            names.append(self.name(_first(get, company_fields)) if by_name else None)


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
        if reader.by_name:
            claims.claim(claims.names, reader.name(_field(row, ACCOUNT_FIELDS["name"])), account)
    return out


def match_accounts(
    contacts: TableLike,
    accounts: TableLike | None = None,
    *,
    by_name: bool = False,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> AccountMatch:
    """Match each contact (a row with ``id``) to its account; see ``docs/accounts.md``.

    A contact's fields: ``account_id`` (or HubSpot's ``Associated Company ID``,
    Salesforce's ``Account ID``/``AccountId``), ``email``, ``website``, ``company``.
    The optional accounts table has ``id``, ``domain`` (or a website) and ``name``; an
    account's id is the table's id, else the registrable domain, else
    ``name:<normalised name>``. Either table may be a DataFrame; ``columns`` maps field
    names to headers, per table as ``{"contacts": {...}, "accounts": {...}}``; the other
    reading options (``decimal``, ``date_format``, ``timezone``, ``values``,
    ``skip_invalid``, which also skips contacts without an id) read both tables as
    every entry point reads a table.

    >>> import b2bfunnel as bf
    >>> m = bf.match_accounts(
    ...     [{"id": "C1", "email": "cfo@acme.co.uk"}, {"id": "C2", "company": "ACME Ltd."}],
    ...     [{"id": "A-7", "domain": "www.acme.co.uk", "name": "Acme Limited"}], by_name=True)
    >>> m.account_of("C1"), m.reason("C1"), m.account_of("C2"), m.reason("C2")
    ('A-7', 'domain', 'A-7', 'name')
    """
    if not isinstance(by_name, bool):
        raise InvalidInputError(f"expected true or false, got {by_name!r}", path="by_name")
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    listed = (
        None if accounts is None else rows_of(accounts, options, "accounts", kind=account_fields)
    )
    # Contacts are leads: a row without an id is refused (or skipped) by their converter.
    return match_rows(rows_of(contacts, options, "contacts", kind=profile_fields), listed, by_name)


def match_rows(
    contacts: Iterable[Mapping[str, Any]],
    accounts: Iterable[Mapping[str, Any]] | None,
    by_name: bool,
) -> AccountMatch:
    """:func:`match_accounts` of contacts and accounts already read by their kinds'
    converters (as :class:`~b2bfunnel.Funnel` reads them once for every step)."""
    reader = _Reader(by_name)
    claims = _Claims()
    rows = {}
    if accounts is not None:
        rows = _read_accounts(accounts, reader, claims)
    reader.read(contacts)
    ids, explicit, domains, names = reader.ids, reader.explicit, reader.domains, reader.names
    by_domain = claims.domains
    for account, domain in zip(explicit, domains, strict=True):
        if account is not None and domain is not None:
            by_domain.setdefault(domain, set()).add(account)
    accounts_of: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    caught: dict[tuple[str, str], list[str]] = {}
    pending = []
    for index, contact in enumerate(ids):
        account, domain = explicit[index], domains[index]
        if account is not None:
            accounts_of[contact], reasons[contact] = account, "id"
        elif domain is not None:
            claimed = by_domain.get(domain)
            if claimed is None:
                accounts_of[contact], reasons[contact] = domain, "domain"
            else:
                found = _by_key(claimed, "domain", domain, contact, caught)
                accounts_of[contact], reasons[contact] = found
        elif names[index] is not None:
            pending.append(index)
        else:
            accounts_of[contact], reasons[contact] = None, "unmatched"
    if by_name:
        by_names = claims.names
        for contact, name in zip(ids, names, strict=True):
            account = accounts_of.get(contact)
            if account is not None and name is not None:
                by_names.setdefault(name, set()).add(account)
        for index in pending:
            contact, name = ids[index], names[index] or ""
            found = _by_key(by_names.get(name), "name", name, contact, caught)
            accounts_of[contact], reasons[contact] = found
    conflicts = tuple(
        AccountConflict(kind, key, tuple(sorted(claims.of(kind)[key])), tuple(sorted(who)))
        for (kind, key), who in sorted(caught.items())
    )
    return AccountMatch(accounts_of, reasons, conflicts, rows)


def _by_key(
    claimed: set[str] | None,
    reason: str,
    key: str,
    contact: str,
    caught: dict[tuple[str, str], list[str]],
) -> tuple[str | None, str]:
    """The account ``key`` points at (``claimed``), the key itself when none does, or a
    conflict."""
    if not claimed:
        return (key if reason == "domain" else f"name:{key}"), reason
    if len(claimed) == 1:
        return next(iter(claimed)), reason
    caught.setdefault((reason, key), []).append(contact)
    return None, "conflict"
