"""Contract review: the essentials of a KOL agreement."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import attrs

from .._config import did_you_mean
from .._display import Displayed
from ..errors import InvalidInputError

CLAUSES = (
    "morality_clause",
    "amplification_rights",
    "kpis",
    "exclusivity_months_after",
    "exit_clause",
)
BUSINESS_KPIS = frozenset(
    {
        "qualified_leads",
        "landing_page_traffic",
        "demo_requests",
        "mqls",
        "sqls",
        "pipeline",
        "pipeline_velocity",
        "conversions",
        "signups",
        "trials",
        "revenue",
        "registrations",
    }
)
VANITY_KPIS = frozenset(
    {"likes", "followers", "impressions", "views", "reach", "engagement", "shares", "comments"}
)


@attrs.frozen(repr=False)
class ContractReview(Displayed):
    """``missing`` essentials, ``warnings`` on the ones present, and ``ok`` when neither."""

    missing: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is missing and nothing needs a second look."""
        return not self.missing and not self.warnings

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"missing": list(self.missing), "warnings": list(self.warnings), "ok": self.ok}


def review_contract(clauses: Mapping[str, Any]) -> ContractReview:
    """Check a draft KOL contract for DOMAIN.md's essentials.

    ``clauses``: ``morality_clause``, ``amplification_rights`` and ``exit_clause``
    (booleans), ``kpis`` (the KPI names the fee is tied to) and
    ``exclusivity_months_after`` (months after the term with no direct competitors;
    3-6 is the norm). A key left out is a clause the draft lacks.

    >>> r = review_contract({"morality_clause": True, "kpis": ["likes"],
    ...                      "exclusivity_months_after": 12})
    >>> r.missing
    ('amplification rights (re-use of the content)', 'a planned exit clause')
    >>> len(r.warnings)
    2
    """
    if not isinstance(clauses, Mapping):
        raise InvalidInputError("expected a mapping of clauses", path="clauses")
    for key in clauses:
        if key not in CLAUSES:
            raise InvalidInputError(
                f"unknown clause{did_you_mean(str(key), CLAUSES)}; allowed: {', '.join(CLAUSES)}",
                path=f"clauses.{key}",
            )
    missing: list[str] = []
    warnings: list[str] = []
    for key, label in (
        ("morality_clause", "a morality clause"),
        ("amplification_rights", "amplification rights (re-use of the content)"),
    ):
        if _flag(clauses, key) is not True:
            missing.append(label)
    kpis = clauses.get("kpis")
    if not kpis:
        missing.append("KPIs tied to business goals (qualified leads, landing-page traffic)")
    else:
        if isinstance(kpis, str) or not isinstance(kpis, list | tuple):
            raise InvalidInputError("expected a list of KPI names", path="clauses.kpis")
        names = {str(k).strip().lower() for k in kpis}
        if not names & BUSINESS_KPIS:
            vanity = sorted(names & VANITY_KPIS)
            note = f" ({', '.join(vanity)} are vanity metrics)" if vanity else ""
            warnings.append(
                "no KPI is tied to a business goal such as qualified leads or "
                f"landing-page traffic{note}"
            )
    months = clauses.get("exclusivity_months_after")
    if months is None:
        missing.append("temporary exclusivity (no direct competitors during and 3-6 months after)")
    else:
        if (
            isinstance(months, bool)
            or not isinstance(months, int | float)
            or not (math.isfinite(months) if isinstance(months, float) else True)
            or not 0 <= months <= 1200
        ):
            raise InvalidInputError(
                f"expected months 0..1200, got {months!r}", path="clauses.exclusivity_months_after"
            )
        if not 3 <= months <= 6:
            warnings.append(
                f"exclusivity runs {months:g} months after the term; 3 to 6 is the norm"
            )
    if _flag(clauses, "exit_clause") is not True:
        missing.append("a planned exit clause")
    return ContractReview(tuple(missing), tuple(warnings))


def _flag(clauses: Mapping[str, Any], key: str) -> bool | None:
    value = clauses.get(key)
    if value is not None and not isinstance(value, bool):
        raise InvalidInputError(f"expected true or false, got {value!r}", path=f"clauses.{key}")
    return value
