"""Evaluation by account: each account scored at a cutoff from the contacts known by
then, and labelled by the account's first outcome (its first won deal) in the horizon.

A contact is known at a cutoff by the rule of a lead's snapshot (an event on or before
it, or a ``created_at`` on or before it); an account is in the population when one of
its contacts is known, and is scored from those contacts only, so a contact created
after the cutoff lends it neither fit fields nor a role. Outcomes are rows with
``account_id`` and ``at``, or a lead's (``lead_id``) joined through the match; a deals
table serves as it is: only its won rows count, at their ``closed_at``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from ..accounts import AccountMatch, AccountModel, match_accounts
from ..accounts._rollup import rank_scores
from ..errors import InvalidInputError
from ..events import Event
from ..funnel import Funnel
from ..scoring import Score, ScoringModel
from ..tables._kinds import profile_fields
from ..tables._labels import outcome_of
from ..tables._options import ReadOptions, read_options
from ..tables._read import rows_of
from ..tables._table import Columns, TableLike
from ..tables._values import is_blank
from ._snapshot import (
    Outcomes,
    _aware,
    as_events,
    check_horizon,
    created_times,
    cutoff_points,
    end_of_data,
    horizon_end,
)

__all__ = ["ACCOUNT_SCORES", "AccountRow", "AccountSnapshot", "account_snapshots"]

# What an account-level evaluation ranks accounts by: the account score, or the score of
# each account's best contact (the contact view it is compared with).
ACCOUNT_SCORES = ("account", "best_contact")

Rank = Callable[[Sequence[Mapping[str, Any]], Sequence[Event], datetime], Sequence[Score]]


@attrs.frozen
class AccountRow:
    """One account of a snapshot: its score, band and grade at the cutoff and the last
    event of its known contacts."""

    account_id: str
    total: float
    band: str
    grade: str
    last_activity: datetime | None

    @property
    def lead_id(self) -> str:
        """The row's unit, read where a lead's id is (the evaluation's ``lead_ids``)."""
        return self.account_id


@attrs.frozen
class AccountSnapshot:
    """The accounts at one cutoff and whether each converted (see ``Snapshot``)."""

    cutoff: datetime
    horizon_days: float
    scores: tuple[AccountRow, ...]
    labels: tuple[bool, ...]
    excluded: int
    unknown_outcomes: int
    peaks: tuple[tuple[float, ...], ...] = ()


def read_account_outcomes(
    rows: Iterable[Any], match: AccountMatch, *, skip_invalid: bool = False
) -> tuple[Outcomes, frozenset[str]]:
    """Each account's first outcome, and the leads of outcomes matching no account;
    ``skip_invalid`` leaves out the rows the checks refuse instead of raising."""
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise InvalidInputError(
            "expected an iterable of mappings with account_id (or lead_id) and at, got "
            f"{type(rows).__name__}",
            path="outcomes",
        )
    first: dict[str, float] = {}
    unmatched: set[str] = set()
    latest: float | None = None
    for index, item in enumerate(rows):
        try:
            found = _account_outcome(item, f"outcomes[{index}]", match, unmatched)
        except InvalidInputError:
            if not skip_invalid:
                raise
            continue
        if found is None:
            continue
        at, account = found
        latest = at if latest is None else max(latest, at)
        if account is not None and (account not in first or at < first[account]):
            first[account] = at
    return Outcomes(first, latest), frozenset(unmatched)


def _account_outcome(
    item: Any, where: str, match: AccountMatch, unmatched: set[str]
) -> tuple[float, str | None] | None:
    """An outcome row's time and account (``None`` for a deal that is not won)."""
    if not isinstance(item, Mapping):
        raise InvalidInputError(
            f"expected a mapping with account_id (or lead_id) and at, got {type(item).__name__}",
            path=where,
        )
    if not is_blank(item.get("outcome")) and outcome_of(item["outcome"]) != "won":
        return None  # a deals table: only won deals are the outcome
    key = "at" if not is_blank(item.get("at")) or "closed_at" not in item else "closed_at"
    if is_blank(item.get(key)):
        raise InvalidInputError(
            "is missing: give when the account reached the outcome (at, or a won "
            "deal's closed_at) as an aware datetime",
            path=f"{where}.{key}",
        )
    at = _aware(item[key], f"{where}.{key}")
    return at, _account_of(item, where, match, unmatched)


def _account_of(
    item: Mapping[str, Any], where: str, match: AccountMatch, unmatched: set[str]
) -> str | None:
    """An outcome row's account: its ``account_id``, else its lead's account."""
    account = item.get("account_id")
    if not is_blank(account) and str(account).strip():
        return str(account).strip()
    lead = item.get("lead_id")
    if not isinstance(lead, str) or not lead.strip():
        raise InvalidInputError(
            f"expected an account_id or a lead_id, got {account!r} and {lead!r}",
            path=f"{where}.account_id",
        )
    found = match.account_of(lead)
    if found is None:
        unmatched.add(lead)
    return found


def _row(account: Any, best_contact: bool) -> AccountRow:
    last = max((c.last_activity for c in account.contacts if c.last_activity), default=None)
    scored = account.contacts[0] if best_contact else account
    return AccountRow(account.account_id, scored.total, scored.band, scored.grade, last)


def account_snapshot(
    rank: Rank,
    model: AccountModel,
    profiles: Sequence[Mapping[str, Any]],
    match: AccountMatch,
    events: Sequence[Event],
    outcomes: tuple[Outcomes, frozenset[str]],
    *,
    cutoff: datetime,
    horizon_days: float,
    end: float,
    path: str,
    best_contact: bool,
) -> AccountSnapshot:
    """The accounts with a known contact at ``cutoff``, scored from those contacts."""
    end_ts = horizon_end(cutoff, horizon_days, end, path)
    cutoff_ts = cutoff.timestamp()
    created = created_times(profiles)
    known = [
        s
        for s in rank(profiles, events, cutoff)
        if s.last_activity is not None or created.get(s.lead_id, math.inf) <= cutoff_ts
    ]
    by_id = {str(p.get("id")): p for p in profiles if isinstance(p, Mapping)}
    first = outcomes[0].first
    rows: list[AccountRow] = []
    labels: list[bool] = []
    excluded = 0
    for account in rank_scores(model, known, by_id, match, cutoff):
        if not account.contacts:
            continue
        converted = first.get(account.account_id)
        if converted is not None and converted <= cutoff_ts:
            excluded += 1
            continue
        rows.append(_row(account, best_contact))
        labels.append(converted is not None and converted <= end_ts)
    accounts = set(match.account_ids.values()) | set(match.rows)
    unknown = sum(1 for a in first if a not in accounts) + len(outcomes[1])
    return AccountSnapshot(cutoff, horizon_days, tuple(rows), tuple(labels), excluded, unknown)


def _ranker(model: Any, account_model: AccountModel | None) -> tuple[Rank, AccountModel]:
    """How contacts are scored and the account model: a Funnel's own, else the scoring
    model's with ``account_model`` (the default model when None)."""
    if account_model is not None and not isinstance(account_model, AccountModel):
        raise InvalidInputError(
            f"expected an AccountModel, got {type(account_model).__name__}", path="account_model"
        )
    if isinstance(model, Funnel):
        if account_model is not None:
            raise InvalidInputError(
                "a Funnel brings its own [accounts] model: give account_model= with a "
                "ScoringModel, or a Funnel configured with it",
                path="account_model",
            )
        funnel = model
        return (lambda p, e, at: funnel.rank(p, e, as_of=at)), funnel.accounts
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel or a Funnel, got {type(model).__name__}", path="model"
        )
    scoring = model
    return (lambda p, e, at: scoring.rank(p, e, as_of=at)), account_model or AccountModel.default()


def account_snapshots(
    model: Any,
    profiles: TableLike,
    events: Iterable[Event],
    outcomes: TableLike,
    cutoff: datetime | None,
    cutoffs: Iterable[datetime] | None,
    horizon_days: float,
    data_end: datetime | None,
    *,
    account_model: AccountModel | None,
    accounts: TableLike | None,
    account_score: str,
    columns: Columns | None,
    options: ReadOptions | None = None,
) -> list[AccountSnapshot]:
    """The checked account snapshots at ``cutoff`` or each of ``cutoffs``; the tables
    read with ``options`` (default: only ``columns``)."""
    if account_score not in ACCOUNT_SCORES:
        raise InvalidInputError(
            f"unknown account_score {account_score!r}; allowed: {', '.join(ACCOUNT_SCORES)}",
            path="account_score",
        )
    rank, chosen = _ranker(model, account_model)
    points, labels = cutoff_points(cutoff, cutoffs)
    days = check_horizon(horizon_days)
    options = options or read_options(columns=columns)
    leads = list(rows_of(profiles, options, "profiles", kind=profile_fields))
    match = match_accounts(leads, accounts, by_name=chosen.by_name, columns=columns)
    known = read_account_outcomes(
        rows_of(outcomes, options, "outcomes"), match, skip_invalid=options.skip_invalid
    )
    batch = as_events(events)
    last = end_of_data(batch, known[0], data_end)
    return [
        account_snapshot(
            rank,
            chosen,
            leads,
            match,
            batch,
            known,
            cutoff=point,
            horizon_days=days,
            end=last,
            path=where,
            best_contact=account_score == "best_contact",
        )
        for point, where in zip(points, labels, strict=True)
    ]
