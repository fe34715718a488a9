"""An account's live state: each contact's scoring state and profile, mergeable.

Kept per contact, an account's state is fed event by event (through the scoring
model's own ``ingest``) and merged from partial states built on separate partitions of
the events: contacts are united and a contact in both parts has its two scoring states
merged, so the merge is associative and commutative as contact states are. The
profile kept per contact is what the roll-up reads: role, title, department and the
fields of the account's fit rules (their most common value among the contacts is the
account's, ties to the smallest folded text).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import InvalidInputError
from ..scoring import ScoreState, ScoringModel

__all__ = ["AccountState", "kept_fields", "merge_states"]

ROLLUP_FIELDS = ("role", "job_title", "department")


def _frozen(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping if type(mapping) is MappingProxyType else MappingProxyType(dict(mapping))


def kept_fields(profile: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """The part of a profile an account state keeps: the roll-up's fields and ``fields``,
    plain JSON values only (a text form for anything else)."""
    out = {}
    for field in (*ROLLUP_FIELDS, *fields):
        value = profile.get(field)
        if value is None:
            continue
        plain = isinstance(value, str | int | float | bool)
        out[field] = value if plain else str(value)
    return out


@attrs.frozen
class AccountState:
    """An account's state: ``contacts`` maps each contact id to its :class:`ScoreState`,
    ``profiles`` to the profile fields the roll-up reads. Build it with
    ``Funnel.new_account_state``; ``to_dict``/``from_dict`` round-trip through JSON."""

    account_id: str
    contacts: Mapping[str, ScoreState] = attrs.field(converter=_frozen, hash=False)
    profiles: Mapping[str, Mapping[str, Any]] = attrs.field(converter=_frozen, hash=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.account_id, str) or not self.account_id.strip():
            raise InvalidInputError(
                f"expected a non-empty account id, got {self.account_id!r}", path="account_id"
            )
        if set(self.contacts) != set(self.profiles):
            raise InvalidInputError(
                "every contact needs both a scoring state and a profile", path="contacts"
            )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``AccountState.from_dict(s.to_dict()) == s``."""
        return {
            "account_id": self.account_id,
            "contacts": {
                lead: {"state": self.contacts[lead].to_dict(), "profile": dict(self.profiles[lead])}
                for lead in sorted(self.contacts)
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccountState:
        """Rebuild a state from :meth:`to_dict` data; bad data raises with its path."""
        if not isinstance(data, Mapping) or not isinstance(data.get("contacts"), Mapping):
            raise InvalidInputError(
                "expected a mapping with account_id and contacts", path="account_state"
            )
        contacts, profiles = {}, {}
        for lead, entry in data["contacts"].items():
            where = f"account_state.contacts.{lead}"
            if not isinstance(entry, Mapping) or not all(
                isinstance(entry.get(key), Mapping) for key in ("state", "profile")
            ):
                raise InvalidInputError("expected a state and a profile", path=where)
            contacts[lead] = ScoreState.from_dict(entry["state"])
            profiles[lead] = dict(entry["profile"])
        return cls(data.get("account_id"), contacts, profiles)  # type: ignore[arg-type]


def merge_states(model: ScoringModel, a: AccountState, b: AccountState) -> AccountState:
    """One state of an account from two built from disjoint sets of its events: the
    contacts of both, a contact in both with its two scoring states merged."""
    if a.account_id != b.account_id:
        raise InvalidInputError(
            f"cannot merge states of accounts {a.account_id!r} and {b.account_id!r}", path="b"
        )
    contacts = dict(a.contacts)
    profiles = dict(a.profiles)
    for lead, state in b.contacts.items():
        if lead in contacts:
            if profiles[lead] != b.profiles[lead]:
                raise InvalidInputError(
                    f"contact {lead!r} has different profiles in the two states", path="b"
                )
            contacts[lead] = model.merge(contacts[lead], state)
        else:
            contacts[lead], profiles[lead] = state, b.profiles[lead]
    return AccountState(a.account_id, contacts, profiles)
