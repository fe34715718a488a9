"""Ranking accounts on a data lake, shared by the Spark and Dask adaptors.

The steps of :mod:`._partials`, then one more shuffle, by account:

1. On the driver, before anything is read: the schemas. Then the contacts' matching
   columns only (``id``, account id, e-mail, website, company, department) are
   collected and matched to accounts (:func:`driver_match`): a domain claimed by two
   accounts is a conflict only in the light of every contact, so matching is done
   once, where every contact is seen.
2. Per partition of events: one partial :class:`ScoreState` per lead, as ``rank``.
3. Per lead: its states merged with its profile and scored (:func:`contact_frame`);
   a matched contact becomes one row keyed by its account, holding its score and the
   profile fields the roll-up reads.
4. Per account, after a shuffle by account (with one marker row per account of the
   accounts table, holding its row): the account state's roll-up
   (:func:`accounts_frame`), one row of the table of :mod:`._account_frame`.

Scores cross the second shuffle pickled (a few hundred bytes per contact).
"""

from __future__ import annotations

import importlib
import pickle
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from . import _account_frame, _partials
from .accounts._match import CONTACT_FIELDS, AccountMatch, match_accounts
from .accounts._rollup import _present, rank_scores
from .accounts._state import ROLLUP_FIELDS
from .errors import InvalidInputError
from .scoring import Score
from .tables._frames import table_rows

if TYPE_CHECKING:
    from .funnel import Funnel

__all__ = [
    "ACCOUNT_PAYLOADS",
    "AccountJob",
    "account_markers",
    "accounts_frame",
    "contact_frame",
    "driver_match",
    "funnel_reading",
    "match_columns",
]

CONTACT, ACCOUNT = 2, 3  # what a payload of the account shuffle holds
ACCOUNT_PAYLOADS = ("account_id", "kind", "payload")


@attrs.frozen
class AccountJob:
    """What the workers need, decided on the driver: the funnel, the instant, each
    matched contact's account, the profile fields the roll-up reads and whether any
    contact has a department."""

    funnel: Funnel
    as_of: datetime
    account_of: Mapping[str, str] = attrs.field(hash=False)
    fields: tuple[str, ...]
    departments: bool


def funnel_reading(
    funnel: Funnel, decimal: Any, timezone: Any, skip_invalid: Any
) -> _partials.Reading:
    """The reading options of ``Funnel.rank``: ``decimal`` and ``timezone`` default to
    the funnel's ``[input]``, and events are named through its ``[aliases]``."""
    given = funnel.input.input
    return _partials.reading_of(
        decimal if decimal is not None else given.get("decimal"),
        timezone if timezone is not None else given.get("timezone"),
        skip_invalid,
        funnel._aliased if funnel.input.aliases else None,
    )


def match_columns(headers: Iterable[str]) -> list[str]:
    """The headers of a profiles table that matching reads (ids, e-mail, website,
    company and their CRM names) and ``department``, in the table's order."""
    wanted = {"id", "department", *(name for names in CONTACT_FIELDS.values() for name in names)}
    return [h for h in headers if h in wanted]


def driver_match(
    funnel: Funnel,
    contacts: Any,
    accounts: Any,
    columns: Any,
    as_of: datetime,
    reading: _partials.Reading,
) -> tuple[AccountJob, AccountMatch]:
    """Step 1: the contacts (a pandas frame of :func:`match_columns`) matched to
    accounts as ``Funnel.rank_accounts`` matches them."""
    rows = list(table_rows(contacts, path="profiles", decimal=reading.decimal))
    match = match_accounts(rows, accounts, by_name=funnel.accounts.by_name, columns=columns)
    account_of = {c: a for c, a in match.account_ids.items() if a is not None}
    fit = sorted({f for rule in funnel.accounts.fit for f in rule.when.fields()})
    departments = any(_present(row.get("department")) for row in rows)
    fields = tuple(dict.fromkeys((*ROLLUP_FIELDS, *fit)))
    return AccountJob(funnel, as_of, account_of, fields, departments), match


def accounts_table(accounts: Any) -> Any:
    """The accounts table as the in-process call takes it: a Spark or Dask frame is
    brought to the driver (it holds one row per account, not per event)."""
    if accounts is None or isinstance(accounts, list | tuple):
        return accounts
    if callable(getattr(accounts, "toPandas", None)):
        return accounts.toPandas()
    if callable(getattr(accounts, "compute", None)) and hasattr(accounts, "npartitions"):
        return accounts.compute()
    return accounts


def _payload_frame(accounts: list[str], kinds: list[int], payloads: list[bytes]) -> Any:
    pd = importlib.import_module("pandas")
    return pd.DataFrame(
        {
            "account_id": pd.Series(accounts, dtype=object),
            "kind": pd.Series(kinds, dtype="int64"),
            "payload": pd.Series(payloads, dtype=object),
        },
        columns=list(ACCOUNT_PAYLOADS),
    )


def account_markers(match: AccountMatch) -> Any:
    """One row per account of the accounts table, holding its row: so that an account
    without contacts is ranked too, and its fit read from the table."""
    ids = list(match.rows)
    rows = [pickle.dumps(dict(match.rows[a])) for a in ids]
    return _payload_frame(ids, [ACCOUNT] * len(ids), rows)


def contact_frame(job: AccountJob, frames: Iterable[Any]) -> Any:
    """Step 3 on frames holding every payload of their leads: ``account_id, kind,
    payload``, one row per matched contact (its :class:`Score` and roll-up fields)."""
    model = job.funnel.scoring
    accounts, payloads = [], []
    for profile, state in _partials.merged_leads(model, _partials.frame_payloads(frames)):
        account = job.account_of.get(state.lead_id)
        if account is None:
            continue
        kept = {f: profile[f] for f in job.fields if f in profile}
        accounts.append(account)
        payloads.append(pickle.dumps((model.score_state(state, as_of=job.as_of), kept)))
    return _payload_frame(accounts, [CONTACT] * len(accounts), payloads)


def accounts_frame(job: AccountJob, frames: Iterable[Any]) -> Any:
    """Step 4 on frames holding every payload of their accounts: the account table of
    :mod:`._account_frame` (unranked), as ``Funnel.rank_accounts`` scores them."""
    scores: list[Score] = []
    profiles: dict[str, Mapping[str, Any]] = {}
    rows: dict[str, Mapping[str, Any]] = {}
    members: dict[str, str] = {}
    for frame in frames:
        for account, kind, payload in zip(
            frame["account_id"], frame["kind"], frame["payload"], strict=True
        ):
            if kind == ACCOUNT:
                rows[account] = pickle.loads(payload)
                continue
            score, kept = pickle.loads(payload)
            scores.append(score)
            profiles[score.lead_id] = kept
            members[score.lead_id] = account
    if len(members) != len(scores):
        raise InvalidInputError("a contact id appears twice", path="profiles.id")
    scores.sort(key=lambda s: (-s.total, s.lead_id))  # as rank() gives them
    match = AccountMatch(members, dict.fromkeys(members, "id"), (), rows)
    ranking = rank_scores(
        job.funnel.accounts, scores, profiles, match, job.as_of, departments=job.departments
    )
    return _account_frame.account_frame(ranking, ranked=False)
