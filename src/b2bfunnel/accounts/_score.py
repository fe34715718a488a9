"""Account scores: fit + rolled-up engagement, breadth, committee coverage, next action."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import MAX_ROWS, Ranked, View
from ..plot import Charts
from ..plot import plot as draw
from ..scoring import Score

__all__ = ["AccountRanking", "AccountScore", "Breadth", "NextAction"]


def _frozen_map(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping if type(mapping) is MappingProxyType else MappingProxyType(dict(mapping))


def _role_text(role: str | None) -> str:
    return role.replace("_", " ") if role else "no role"


@attrs.frozen
class Breadth:
    """How wide the account's engagement is (reported, never added to the score):
    ``engaged`` contacts (behaviour points at least the model's ``engaged_min``), the
    distinct ``roles`` and ``departments`` among them (departments None when no contact
    has a ``department``)."""

    engaged: int
    roles: tuple[str, ...]
    departments: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        departments = None if self.departments is None else list(self.departments)
        return {"engaged": self.engaged, "roles": list(self.roles), "departments": departments}


@attrs.frozen
class NextAction:
    """The next step with an account: reach ``role``, the first buying-committee role
    nobody fills, through ``via``, its best-scoring contact (None without contacts)."""

    role: str
    via: str | None

    def describe(self) -> str:
        """One line saying whom to reach and through whom."""
        ask = f"; ask {self.via} (its best-scoring contact) for an introduction" if self.via else ""
        return f"reach the {_role_text(self.role)}{ask}"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"role": self.role, "via": self.via}


@attrs.frozen(repr=False)
class AccountScore:
    """An account's score at ``as_of``, with everything that explains it.

    ``total = fit + engagement``: ``fit`` from the account rules that matched
    (``rules``: name -> points, in rule order), ``engagement`` from its contacts'
    behaviour points rolled up by ``method`` (``shares``: contact -> points counted).
    ``contacts`` holds the contacts' scores best first; ``roles`` each contact's
    buying-committee role (None when unknown); ``roles_present`` and ``roles_missing``
    split the five roles in their usual order (``roles_missing`` is what
    ``Qualification.unmapped_roles`` reports for the same committee).
    """

    _charts: ClassVar[Charts] = (("shares", charts.account_score),)

    account_id: str
    total: float
    fit: float
    engagement: float
    band: str
    grade: str
    breadth: Breadth
    roles_present: tuple[str, ...]
    roles_missing: tuple[str, ...]
    contacts: tuple[Score, ...]
    as_of: datetime
    method: str = "sum"
    rules: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    shares: Mapping[str, float] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    roles: Mapping[str, str | None] = attrs.field(factory=dict, converter=_frozen_map, hash=False)
    next_action: NextAction | None = None

    def explain(self) -> str:
        """A readable account of the score: each rule's and each contact's share.

        See ``docs/accounts.md`` for a worked example.
        """
        lines = [
            f"{self.account_id}: {self.total:.1f} points ({self.band}, grade {self.grade}) "
            f"as of {self.as_of.isoformat()}",
            f"  fit {self.fit:.1f}",
        ]
        lines += [f"    {points:+7.1f}  {rule}" for rule, points in self.rules.items()]
        lines.append(f"  engagement {self.engagement:.1f} ({self.method} of contacts)")
        for score in self.contacts:
            share = self.shares.get(score.lead_id, 0.0)
            role = _role_text(self.roles.get(score.lead_id))
            points = f"{score.implicit:.1f} behaviour points"
            lines.append(f"    {share:+7.1f}  {score.lead_id} ({role}; {points})")
        breadth = self.breadth
        roles = ", ".join(map(_role_text, breadth.roles)) or "none"
        line = f"  breadth: {breadth.engaged} engaged contacts; roles engaged: {roles}"
        if breadth.departments is not None:
            line += f"; departments: {', '.join(breadth.departments) or 'none'}"
        lines.append(line)
        present = ", ".join(map(_role_text, self.roles_present)) or "none"
        missing = ", ".join(map(_role_text, self.roles_missing)) or "none"
        lines.append(f"  committee: present {present}; missing {missing}")
        if self.next_action is not None:
            lines.append(f"  next: {self.next_action.describe()}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (contacts compact: id, total, behaviour, role, share)."""
        return {
            "account_id": self.account_id,
            "total": self.total,
            "fit": self.fit,
            "engagement": self.engagement,
            "band": self.band,
            "grade": self.grade,
            "method": self.method,
            "as_of": self.as_of.isoformat(),
            "breadth": self.breadth.to_dict(),
            "roles_present": list(self.roles_present),
            "roles_missing": list(self.roles_missing),
            "rules": dict(self.rules),
            "contacts": [
                {
                    "lead_id": s.lead_id,
                    "total": s.total,
                    "implicit": s.implicit,
                    "role": self.roles.get(s.lead_id),
                    "share": self.shares.get(s.lead_id, 0.0),
                }
                for s in self.contacts
            ],
            "next_action": None if self.next_action is None else self.next_action.to_dict(),
        }

    def _view(self) -> View:
        pairs: list[tuple[str, Any]] = [
            (key, getattr(self, key))
            for key in ("total", "fit", "engagement", "band", "grade", "method")
        ]
        pairs.append(("roles missing", ", ".join(self.roles_missing) or "none"))
        if self.next_action is not None:
            pairs.append(("next", self.next_action.describe()))
        rows = [
            {
                "contact": s.lead_id,
                "role": self.roles.get(s.lead_id) or "",
                "total": s.total,
                "behaviour": s.implicit,
                "share": self.shares.get(s.lead_id, 0.0),
            }
            for s in self.contacts[:MAX_ROWS]
        ]
        return View(f"Account {self.account_id}", pairs, rows, len(self.contacts))

    def __repr__(self) -> str:
        return (
            f"AccountScore(account_id={self.account_id!r}, total={round(self.total, 4)!r}, "
            f"band={self.band!r}, grade={self.grade!r}, contacts={len(self.contacts)}, "
            f"roles_missing={list(self.roles_missing)!r})"
        )

    def _repr_html_(self) -> str:
        return self._view().html()

    def _repr_markdown_(self) -> str:
        return self._view().markdown()

    def plot(self, ax: Any = None) -> Any:
        """Horizontal bars of each fit rule's and each contact's share; the Axes."""
        return draw(self, ax=ax)


class AccountRanking(Ranked[AccountScore]):
    """A list of :class:`AccountScore`, best first (ties by account id), that shows its
    top rows in a notebook and draws them (``.plot()``)."""

    __slots__ = ()
    _noun = "account"

    def _row(self, score: AccountScore) -> dict[str, Any]:
        return {
            "account": score.account_id,
            "total": score.total,
            "band": score.band,
            "grade": score.grade,
            "engaged": score.breadth.engaged,
            "roles missing": ", ".join(score.roles_missing),
        }

    def plot(self, ax: Any = None, top: int = MAX_ROWS) -> Any:
        """Stacked bars of fit and engagement of the ``top`` accounts; the Axes."""
        axes = charts.axes_on(ax)
        charts.account_ranking(self, axes, top)
        return axes
