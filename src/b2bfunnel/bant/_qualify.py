"""Qualify a lead: stage, criteria met and missing, and the next question to ask."""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import attrs
from dateutil.relativedelta import relativedelta

from .._config import did_you_mean
from .._display import Displayed
from .._time import require_aware
from ..errors import InvalidInputError
from ..tables._values import is_blank
from ._frameworks import LANGUAGES, ROLE_NAMES, ROLES
from ._policy import MET, PARTIAL, UNMET, CriterionPolicy, QualificationPolicy

UNKNOWN = "unknown"
_RANK = {MET: 3, PARTIAL: 2, UNMET: 1}


class Stage(enum.StrEnum):
    """Where a lead stands: ``SQL`` (ready for Sales), ``MQL`` (nurture), ``unqualified``."""

    SQL = "SQL"
    MQL = "MQL"
    UNQUALIFIED = "unqualified"


@attrs.frozen(repr=False)
class CriterionStatus(Displayed):
    """One criterion's outcome: ``met``, ``partial``, ``unmet`` or ``unknown``, and why."""

    criterion: str
    value: str | None
    status: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return attrs.asdict(self)


# A row is (criterion, value as text or None, status, how it was judged).
Row = tuple[str, "str | None", str, str]


@attrs.frozen(repr=False)
class Qualification(Displayed):
    """The outcome of :func:`qualify`.

    ``met`` is the set of criteria met; ``missing`` the others in the framework's order
    (B-A-N-T for BANT); ``next_question`` the question for the first missing one;
    ``details`` one :class:`CriterionStatus` per criterion; ``unmapped_roles`` the
    buying-committee roles nobody fills yet.
    """

    stage: Stage
    met: frozenset[str]
    missing: tuple[str, ...]
    next_question: str | None
    rows: tuple[Row, ...]
    framework: str = "bant"
    unmapped_roles: tuple[str, ...] = ()

    @functools.cached_property
    def details(self) -> tuple[CriterionStatus, ...]:
        """Per-criterion status and reason, in the framework's order."""
        return tuple(CriterionStatus(c, v, s, _reason(c, v, s, how)) for c, v, s, how in self.rows)

    def status(self, criterion: str) -> str:
        """The status of one criterion."""
        for row in self.rows:
            if row[0] == criterion:
                return row[2]
        names = [row[0] for row in self.rows]
        raise InvalidInputError(
            f"unknown criterion {criterion!r}; allowed: {', '.join(names)}", path="criterion"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "stage": self.stage.value,
            "framework": self.framework,
            "met": sorted(self.met),
            "missing": list(self.missing),
            "next_question": self.next_question,
            "unmapped_roles": list(self.unmapped_roles),
            "details": [d.to_dict() for d in self.details],
        }


def _reason(criterion: str, value: str | None, status: str, how: str) -> str:
    if status == UNKNOWN:
        return "no answer yet"
    subject = f"{value!r}" if how == "value" else how
    if status == MET:
        return f"{subject} meets the policy"
    if status == PARTIAL:
        return f"{subject} partly meets the policy: not met, but closer than none"
    return f"{subject} does not meet the policy"


def _committee_roles(value: Any) -> set[str]:
    if not isinstance(value, list | tuple):
        raise InvalidInputError(
            "expected a list of contacts, each a role or a table with a role",
            path="answers.committee",
        )
    roles = set()
    for index, contact in enumerate(value):
        role = contact.get("role") if isinstance(contact, Mapping) else contact
        where = f"answers.committee[{index}]" + (".role" if isinstance(contact, Mapping) else "")
        if role not in ROLES:
            hint = did_you_mean(role, ROLES) if isinstance(role, str) else ""
            raise InvalidInputError(
                f"unknown role {role!r}{hint}; allowed: {', '.join(ROLES)}", path=where
            )
        roles.add(role)
    return roles


def _months_after(start: date | datetime, months: int) -> date | datetime | None:
    """``start`` plus ``months`` calendar months; None past year 9999, which every date
    a caller can give is before."""
    try:
        return start + relativedelta(months=months)
    except (ValueError, OverflowError):
        return None


def _judge_date(criterion: CriterionPolicy, value: date, as_of: datetime | None) -> tuple[str, str]:
    path = f"answers.{criterion.name}"
    if isinstance(value, datetime):
        require_aware(value, path)
    if as_of is None:
        raise InvalidInputError("a date needs as_of= to judge the timing against", path=path)
    start: date | datetime = as_of if isinstance(value, datetime) else as_of.date()
    if value < start:
        return UNMET, f"{value.isoformat()} is already past; the timing needs confirming"
    met_end = _months_after(start, criterion.window_months)
    partial_end = _months_after(start, criterion.partial_window_months)
    if met_end is None or value <= met_end:
        return MET, f"{value.isoformat()}, within {criterion.window_months} months,"
    if partial_end is None or value <= partial_end:
        return PARTIAL, f"{value.isoformat()}, within {criterion.partial_window_months} months,"
    return UNMET, f"{value.isoformat()}, beyond {criterion.partial_window_months} months,"


# Immutable, so one shared instance is safe; built once at import (about a millisecond).
DEFAULT_POLICY = QualificationPolicy.default()


def qualify(
    answers: Mapping[str, Any],
    *,
    policy: QualificationPolicy | None = None,
    as_of: datetime | None = None,
    language: str | None = None,
) -> Qualification:
    """Qualify a lead from its answers (a missing key or ``None`` is unknown).

    >>> import b2bfunnel as bf
    >>> q = bf.qualify({"budget": "estimating", "authority": "economic_buyer",
    ...                 "need": "compliance"})
    >>> q.stage, q.missing
    (<Stage.MQL: 'MQL'>, ('budget', 'timing'))
    >>> q.next_question.startswith("How is the budget for this project looking")
    True
    """
    policy = policy if policy is not None else DEFAULT_POLICY
    _check_call(answers, policy, as_of)
    roles = _committee_roles(answers["committee"]) if "committee" in answers else None
    rows: list[Row] = []
    met: list[str] = []
    missing: list[str] = []
    gate_open = True
    sql = True
    get = answers.get
    for name, status_of, criterion, in_gate, accepts_partial in policy.plan:
        value = get(name)
        how = "value"
        # The common answer, a known value as text, is judged inline (this loop is the
        # hot path of bulk qualification); everything else goes through _judge_other.
        if type(value) is not str or not (status := status_of.get(value, "")):
            value, status, how = _judge_other(criterion, value, as_of)
        if roles and criterion.committee:
            status, how = _with_committee(roles, status_of, status, how)
        rows.append((name, value, status, how))
        if status == MET:
            met.append(name)
        else:
            missing.append(name)
            if in_gate:
                gate_open = False
            if not (accepts_partial and status == PARTIAL):
                sql = False
    stage = Stage.SQL if gate_open and sql else Stage.MQL if gate_open else Stage.UNQUALIFIED
    question = _next_question(policy, missing, roles, language)
    unmapped = tuple(r for r in ROLES if roles is None or r not in roles)
    return Qualification(
        stage, frozenset(met), tuple(missing), question, tuple(rows), policy.framework, unmapped
    )


def _check_call(
    answers: Mapping[str, Any], policy: QualificationPolicy, as_of: datetime | None
) -> None:
    """Refuse a call whose policy, answers or ``as_of`` cannot be judged."""
    if not isinstance(policy, QualificationPolicy):
        raise InvalidInputError(
            f"expected a QualificationPolicy, got {type(policy).__name__}", path="policy"
        )
    if not isinstance(answers, Mapping):
        raise InvalidInputError(
            f"expected a mapping of answers, got {type(answers).__name__}", path="answers"
        )
    if as_of is not None:
        require_aware(as_of, "as_of")
    names = policy.names
    for key in answers:
        if key not in names:
            allowed = [c.name for c in policy.criteria]
            raise InvalidInputError(
                f"unknown criterion {key!r}{did_you_mean(str(key), allowed)}; "
                f"allowed: {', '.join(allowed)} (and committee)",
                path=f"answers.{key}",
            )


def _judge_other(
    criterion: CriterionPolicy, value: object, as_of: datetime | None
) -> tuple[str | None, str, str]:
    """``(value as text, status, how)`` of an answer that is not a known value as text:
    none or blank (unknown), a date for a timing criterion, or else refused."""
    name = criterion.name
    if value is None:
        return None, UNKNOWN, "value"
    if type(value) is str:
        if is_blank(value):  # an empty CSV cell
            return None, UNKNOWN, "value"
        extra = " or a date" if criterion.timing else ""
        raise InvalidInputError(
            f"unknown value {value!r}{did_you_mean(value, criterion.values)}; "
            f"allowed: {', '.join(criterion.values)}{extra}",
            path=f"answers.{name}",
        )
    if is_blank(value):  # NaN, pandas NA or NaT from a DataFrame
        return None, UNKNOWN, "value"
    if criterion.timing and isinstance(value, date):
        status, how = _judge_date(criterion, value, as_of)
        return value.isoformat(), status, how
    extra = " or a date" if criterion.timing else ""
    raise InvalidInputError(
        f"expected one of {', '.join(criterion.values)}{extra}, got {value!r}",
        path=f"answers.{name}",
    )


def _with_committee(
    roles: set[str], status_of: Mapping[str, str], status: str, how: str
) -> tuple[str, str]:
    """The status and its source, lifted by the best committee role when that is better."""
    best = max(roles, key=lambda r: _RANK[status_of.get(r, UNMET)])
    role_status = status_of.get(best, UNMET)
    if status == UNKNOWN or _RANK[role_status] > _RANK[status]:
        return role_status, f"the committee's {best}"
    return status, how


def _next_question(
    policy: QualificationPolicy, missing: list[str], roles: set[str] | None, language: str | None
) -> str | None:
    """The question for the first missing criterion in ``language`` (the policy's by
    default), naming the committee roles nobody fills yet."""
    lang = language if language is not None else policy.language
    if lang not in LANGUAGES:
        raise InvalidInputError(
            f"unknown language {lang!r}; allowed: {', '.join(LANGUAGES)}", path="language"
        )
    if not missing:
        return None
    first = policy.criterion(missing[0])
    question = first.question.get(lang) or first.question["en"]
    if first.committee and roles:
        gaps = [ROLE_NAMES[lang][r] for r in ROLES if r not in roles]
        if gaps and lang == "es":
            question += f" (sin identificar: {', '.join(gaps)})"
        elif gaps:
            question += f" (not yet mapped: {', '.join(gaps)})"
    return question
