"""From contacts' scores to account scores: fit over account fields, engagement rolled
up by the model's method, breadth, committee coverage and the next action.

Pure: it takes the contacts' :class:`Score` values (their public fields only), their
profiles and the :class:`AccountMatch`; the facade computes the scores.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

from .._text import fold
from .._tiers import tier_of
from ..bant import ROLES
from ..scoring import Score
from ..tables._values import is_blank
from ._match import AccountMatch
from ._model import NO_ROLE, AccountModel
from ._score import AccountRanking, AccountScore, Breadth, NextAction

__all__ = ["account_fields", "rank_scores"]

_NO_PROFILE: Mapping[str, Any] = MappingProxyType({})


def _present(value: Any) -> bool:
    if value is None:
        return False
    if type(value) is str:
        return bool(value.strip())
    return not isinstance(value, list | tuple | dict) and not is_blank(value)


def account_fields(contacts: Iterable[Mapping[str, Any]], fields: Iterable[str]) -> dict[str, Any]:
    """Each field's most common value among ``contacts`` (blank cells left out); a tie
    goes to the value whose folded text is smallest, so the answer does not depend on
    the contacts' order.

    >>> account_fields([{"sector": "Banca"}, {"sector": "banca "}, {"sector": "retail"}],
    ...                ["sector", "employees"])
    {'sector': 'Banca'}
    """
    rows = list(contacts)
    out = {}
    for field in fields:
        counts: dict[str, int] = {}
        first: dict[str, Any] = {}
        for row in rows:
            value = row.get(field)
            if _present(value):
                key = fold(str(value))
                counts[key] = counts.get(key, 0) + 1
                first.setdefault(key, value)
        if counts:
            best = min(counts, key=lambda k: (-counts[k], k))
            out[field] = first[best]
    return out


RoleOf = Callable[[Mapping[str, Any]], "str | None"]


def _role_memo(model: AccountModel) -> RoleOf:
    """``model.role_of`` remembering its answer per job title for profiles without a
    ``role`` (exports repeat the same few thousand titles); for one call only."""
    memo: dict[Any, str | None] = {}

    def role_of(profile: Mapping[str, Any]) -> str | None:
        if "role" in profile:
            return model.role_of(profile)
        title = profile.get("job_title")
        found = memo.get(title, memo)
        if found is memo:
            try:
                found = memo[title] = model.role_of(profile)
            except TypeError:  # an unhashable cell
                return model.role_of(profile)
        return found  # type: ignore[return-value]

    return role_of


def _shares(
    model: AccountModel, scores: Sequence[Score], roles: Mapping[str, str | None]
) -> dict[str, float]:
    """Each contact's engagement points counted under the model's method."""
    if model.method == "top_k":
        top = sorted(scores, key=lambda s: (-s.implicit, s.lead_id))[: model.k]
        chosen = {s.lead_id for s in top}
        return {s.lead_id: s.implicit if s.lead_id in chosen else 0.0 for s in scores}
    if model.method == "role_weighted":
        weights = model.weights
        return {s.lead_id: weights[roles[s.lead_id] or NO_ROLE] * s.implicit for s in scores}
    cap = model.max_per_contact
    return {s.lead_id: s.implicit if cap is None else min(s.implicit, cap) for s in scores}


def _score_one(
    model: AccountModel,
    account: str,
    scores: list[Score],
    profiles: Mapping[str, Mapping[str, Any]],
    fields: Mapping[str, Any],
    as_of: datetime,
    role_of: RoleOf,
    departments_known: bool,
) -> AccountScore:
    """One account's score from its contacts' scores (best first)."""
    rules = {rule.name: rule.points for rule in model.fit if rule.when.matches(fields)}
    fit = math.fsum(rules.values())
    # One pass over the contacts for roles, engagement and breadth: this runs for every
    # contact of every account.
    roles: dict[str, str | None] = {}
    present: set[str] = set()
    engaged_roles: set[str | None] = set()
    engaged: list[str] = []
    floor = model.engaged_min
    for score in scores:
        lead = score.lead_id
        role = roles[lead] = role_of(profiles.get(lead, _NO_PROFILE))
        present.add(role)  # type: ignore[arg-type]
        if score.implicit >= floor:
            engaged.append(lead)
            engaged_roles.add(role)
    shares = _shares(model, scores, roles)
    engagement = math.fsum(shares.values())
    departments = None
    if departments_known:
        departments = tuple(
            sorted(
                {
                    str(profiles[c]["department"]).strip()
                    for c in engaged
                    if _present(profiles.get(c, _NO_PROFILE).get("department"))
                }
            )
        )
    breadth = Breadth(len(engaged), tuple(r for r in ROLES if r in engaged_roles), departments)
    missing = tuple(r for r in ROLES if r not in present)
    best = scores[0].lead_id if scores else None
    total = fit + engagement
    grade = tier_of(model.fit_grades, fit) + tier_of(model.engagement_grades, engagement)
    return AccountScore(
        account_id=account,
        total=total,
        fit=fit,
        engagement=engagement,
        band=tier_of(model.bands, total),
        grade=grade,
        breadth=breadth,
        roles_present=tuple(r for r in ROLES if r in present),
        roles_missing=missing,
        contacts=tuple(scores),
        as_of=as_of,
        method=model.method,
        rules=MappingProxyType(rules),
        shares=MappingProxyType(shares),
        roles=MappingProxyType(roles),
        next_action=NextAction(missing[0], best) if missing else None,
    )


def rank_scores(
    model: AccountModel,
    scores: Iterable[Score],
    profiles: Mapping[str, Mapping[str, Any]],
    match: AccountMatch,
    as_of: datetime,
    only: str | None = None,
    departments: bool | None = None,
) -> AccountRanking:
    """Account scores from contacts' scores (best first, ties by lead id, as ``rank``
    gives them), best first, ties by account id.

    Every account of the match counts (those of the accounts table without contacts
    too); contacts without an account are left out. ``only`` keeps one account.
    ``departments`` says whether any contact of all the contacts has a department
    (None: any of ``profiles``), for a caller scoring accounts a few at a time.
    """
    members: dict[str, list[Score]] = {a: [] for a in match.rows if only in (None, a)}
    account_of = match.account_ids.get
    for score in scores:
        account = account_of(score.lead_id)
        if account is not None and only in (None, account):
            members.setdefault(account, []).append(score)
    wanted = sorted({f for rule in model.fit for f in rule.when.fields()})
    role_of = _role_memo(model)
    if departments is None:
        departments = any(_present(p.get("department")) for p in profiles.values())
    out = []
    for account, group in members.items():
        row = match.rows.get(account)
        if row is not None:
            fields: Mapping[str, Any] = row
        else:
            fields = account_fields((profiles.get(s.lead_id, _NO_PROFILE) for s in group), wanted)
        out.append(_score_one(model, account, group, profiles, fields, as_of, role_of, departments))
    out.sort(key=lambda a: (-a.total, a.account_id))
    return AccountRanking(out)
