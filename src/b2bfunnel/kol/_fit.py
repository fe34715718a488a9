"""KOL fit: relevance over fame, explained component by component."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from decimal import Context, Decimal
from typing import Any

import attrs

from .._display import Displayed
from ..errors import InvalidInputError
from ._model import NOTICE, VETO, WARNING, KOLBrief, KOLCandidate, KOLConfig, check_flags, tier_of

CELEBRITY_TIERS = ("macro", "mega")
# Immutable, so one shared instance is safe.
DEFAULT_CONFIG = KOLConfig()


@attrs.frozen
class Component:
    """One part of the fit: its value 0..1 (None when it could not be assessed), its
    weight, the points it adds to the 0..100 score, and why."""

    name: str
    value: float | None
    weight: float
    points: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return attrs.asdict(self)


# How each component's reason reads, from the facts kol_fit() keeps.
def _affinity_text(roles: float, parts: tuple[tuple[str, float], ...], reach: float) -> str:
    text = f"{roles:.0%} of the audience is in the target roles"
    for label, part in parts:
        text += f", x {part:.0%} in the target {label}"
    return f"{text}: {reach:,.0f} qualified reach"


def _engagement_text(rate: float, norm: float, excellent: float | None) -> str:
    ratio = rate / norm
    if excellent is not None and rate > excellent:
        label = f"excellent for a micro-influencer (above {excellent:.0%})"
    elif ratio >= 1:
        label = "at or above the median of its follower band"
    elif ratio >= 0.5:
        label = "below the median of its follower band"
    else:
        label = "far below the median of its follower band"
    return f"engagement {rate:.2%} vs a median of {norm:.2%}: {label}"


def _relevance_text(shared: tuple[str, ...], wanted: int) -> str:
    if not wanted:
        return "the brief names no topics"
    names = ", ".join(shared) if shared else "none"
    return f"covers {len(shared)} of {wanted} brief topics ({names})"


def _authenticity_text(suspicions: tuple[str, ...]) -> str:
    if not suspicions:
        return "no sign of bought followers or bots"
    return "suspected bought followers or bots: " + "; ".join(suspicions)


def _risk_text(vetoes: tuple[str, ...], warnings: tuple[str, ...], notices: tuple[str, ...]) -> str:
    if vetoes:
        text = "veto: " + ", ".join(vetoes)
    elif warnings:
        text = "warnings: " + ", ".join(warnings)
    else:
        text = "no risk flags"
    if notices:
        text += "; noted, not penalised: " + ", ".join(notices)
    return text


def _cost_text(kind: str, amount: Decimal | None, channel: str, reference: Decimal) -> str:
    if kind == "cpc" and amount is not None:
        change = float(amount / reference) - 1 if reference else 0.0
        return f"CPC ${amount} vs {channel} ${reference} ({change:+.0%})"
    if kind == "cpm":
        return f"${amount} per 1,000 qualified reach vs a reference of ${reference}"
    if kind == "none":
        return "no qualified reach to pay for"
    return "no cost given"


_TEXTS: dict[str, Any] = {
    "affinity": _affinity_text,
    "engagement": _engagement_text,
    "relevance": _relevance_text,
    "authenticity": _authenticity_text,
    "risk": _risk_text,
    "cost": _cost_text,
}

# A row is (component, value or None, weight, points, the facts its reason is made of).
Row = tuple[str, "float | None", float, float, tuple[Any, ...]]


@attrs.frozen(repr=False)
class KOLFit(Displayed):
    """How well a candidate fits a brief.

    ``score`` 0..100 (0 when ``vetoed``); ``tier`` from followers; ``affinity`` the share
    of the audience in the brief's target roles (times the industry and seniority shares
    when the brief names them); ``qualified_reach`` followers x affinity;
    ``engagement_rate`` interactions / followers; ``reasons`` one line per component and
    finding; ``components`` the detail behind the score. Both are built from ``rows``
    on first access.
    """

    handle: str
    score: float
    tier: str
    affinity: float
    qualified_reach: float
    engagement_rate: float
    vetoed: bool
    rows: tuple[Row, ...] = attrs.field(repr=False)
    engagement_norm: float = 0.0
    engagement_rate_by_reach: float | None = None
    suspected_bots: bool = False
    vetting_complete: bool = False
    vetting_days: tuple[int, int] = (0, 0)
    cost_per_mille: Decimal | None = None
    cpc: Decimal | None = None
    funnel_stage: str = ""
    format: str = ""

    @functools.cached_property
    def components(self) -> tuple[Component, ...]:
        """Each component's value, weight, points and reason."""
        return tuple(
            Component(name, value, weight, round(points, 2), _TEXTS[name](*facts))
            for name, value, weight, points, facts in self.rows
        )

    @functools.cached_property
    def reasons(self) -> tuple[str, ...]:
        """Why: vetoes first, then a line per component, vetting, and the funnel role."""
        lines = [f"{c.name}: {c.reason}" for c in self.components]
        if self.vetoed:
            lines.insert(0, "vetoed: " + ", ".join(self.rows[4][4][0]))
        if not self.vetting_complete:
            covered, required = self.vetting_days
            lines.append(
                f"vetting incomplete: covers {covered} of the {required} days "
                "(two years) of posting history to review"
            )
        lines.append(f"funnel role: {self.funnel_stage}, as {self.format}")
        return tuple(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (money as strings)."""
        return {
            "handle": self.handle,
            "score": self.score,
            "tier": self.tier,
            "affinity": self.affinity,
            "qualified_reach": self.qualified_reach,
            "engagement_rate": self.engagement_rate,
            "engagement_norm": self.engagement_norm,
            "engagement_rate_by_reach": self.engagement_rate_by_reach,
            "vetoed": self.vetoed,
            "suspected_bots": self.suspected_bots,
            "vetting_complete": self.vetting_complete,
            "cost_per_mille": None if self.cost_per_mille is None else str(self.cost_per_mille),
            "cpc": None if self.cpc is None else str(self.cpc),
            "funnel_stage": self.funnel_stage,
            "format": self.format,
            "reasons": list(self.reasons),
            "components": [c.to_dict() for c in self.components],
        }


def _share(shares: Mapping[str, float], targets: frozenset[str]) -> float:
    return min(1.0, sum(share for name, share in shares.items() if name in targets))


def _cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to cents, however large (a tiny qualified reach makes a cost
    per 1,000 reach astronomically large)."""
    digits = max(28, amount.adjusted() + 4)
    return amount.quantize(Decimal("0.01"), context=Context(prec=digits))


def kol_fit(candidate: KOLCandidate, brief: KOLBrief, *, config: KOLConfig | None = None) -> KOLFit:
    """Score a candidate against a brief: affinity dominates, fame does not.

    >>> import b2bfunnel as bf
    >>> brief = bf.KOLBrief(target_roles=["engineering_director", "security_analyst"],
    ...                     topics=["cybersecurity", "cloud"])
    >>> expert = bf.KOLCandidate("@secarch", 5_000,
    ...     {"engineering_director": 0.45, "security_analyst": 0.35}, avg_interactions=240,
    ...     topics=["cybersecurity"], cost_per_post=400, vetting_days=800)
    >>> fit = bf.kol_fit(expert, brief)
    >>> fit.tier, fit.affinity, fit.qualified_reach, fit.engagement_rate
    ('nano', 0.8, 4000.0, 0.048)
    """
    config = config if config is not None else DEFAULT_CONFIG
    if not isinstance(candidate, KOLCandidate):
        raise InvalidInputError(
            f"expected a KOLCandidate, got {type(candidate).__name__}", path="candidate"
        )
    if not isinstance(brief, KOLBrief):
        raise InvalidInputError(f"expected a KOLBrief, got {type(brief).__name__}", path="brief")
    check_flags(candidate.risk_flags, config, "candidate.risk_flags")
    followers = candidate.followers
    tier = tier_of(followers)
    facts: list[tuple[str, float | None, tuple[Any, ...]]] = []

    # Affinity: who the followers are.
    roles = affinity = _share(candidate.audience, brief.target_roles)
    parts = []
    for label, targets, shares in (
        ("industries", brief.target_industries, candidate.industries),
        ("seniority", brief.target_seniority, candidate.seniority),
    ):
        if targets and shares:
            part = _share(shares, targets)
            affinity *= part
            parts.append((label, part))
    qualified_reach = followers * affinity
    facts.append(("affinity", affinity, (roles, tuple(parts), qualified_reach)))

    # Engagement against the follower band's norm.
    rate = candidate.avg_interactions / followers if followers else 0.0
    norm = config.norm(followers)
    ratio = rate / norm
    excellent = config.excellent_micro_rate if tier == "micro" else None
    facts.append(("engagement", min(1.0, ratio / 1.5), (rate, norm, excellent)))
    by_reach = candidate.avg_interactions / candidate.reach if candidate.reach else None

    # Topical relevance.
    relevance = None
    shared: tuple[str, ...] = ()
    if brief.topics:
        shared = tuple(sorted(candidate.topics & brief.topics))
        relevance = len(shared) / len(brief.topics)
    facts.append(("relevance", relevance, (shared, len(brief.topics))))

    # Authenticity: bought followers and bots inflate counts with little engagement.
    penalty = 0.0
    suspicions = []
    if followers and ratio < config.bot_engagement_ratio:
        penalty += 0.6
        suspicions.append("engagement far below its band's norm")
    spike = _growth_spike(candidate, config.growth_spike)
    if spike:
        penalty += 0.5
        suspicions.append(spike)
    facts.append(("authenticity", max(0.0, 1.0 - penalty), (tuple(suspicions),)))

    # Reputational risk.
    severity = config.flags
    vetoes = tuple(f for f in candidate.risk_flags if severity[f] == VETO)
    warnings = tuple(f for f in candidate.risk_flags if severity[f] == WARNING)
    notices = tuple(f for f in candidate.risk_flags if severity[f] == NOTICE)
    risk = max(0.0, 1.0 - config.warning_penalty * len(warnings))
    facts.append(("risk", risk, (vetoes, warnings, notices)))
    covered = candidate.vetting_days or 0

    # Cost efficiency.
    cpm = cpc = None
    cost: float | None = None
    cost_facts: tuple[Any, ...] = ("missing", None, brief.alternative_channel, brief.reference_cpm)
    if candidate.cost_per_post is not None:
        if qualified_reach > 0:
            cpm = _cents(candidate.cost_per_post / Decimal(repr(qualified_reach)) * 1000)
        if candidate.clicks and candidate.campaign_cost is not None:
            cpc = _cents(candidate.campaign_cost / candidate.clicks)
        if cpc is not None:
            cost = min(1.0, float(brief.alternative_cpc / cpc) / 2) if cpc else 1.0
            cost_facts = ("cpc", cpc, brief.alternative_channel, brief.alternative_cpc)
        elif cpm is not None:
            cost = min(1.0, float(brief.reference_cpm / cpm) / 2) if cpm else 1.0
            cost_facts = ("cpm", cpm, brief.alternative_channel, brief.reference_cpm)
        else:
            cost = 0.0
            cost_facts = ("none", None, brief.alternative_channel, brief.reference_cpm)
    facts.append(("cost", cost, cost_facts))

    # The 0..100 score: a weighted mean of the components that could be assessed.
    weights = config.weights
    assessed = sum(weights[name] for name, value, _ in facts if value is not None)
    rows: list[Row] = []
    total = 0.0
    for name, value, detail in facts:
        if value is not None and assessed:
            weight = weights[name] / assessed
            points = 100 * weight * value
        else:
            weight = points = 0.0
        total += points
        rows.append((name, value, weight, points, detail))
    vetoed = bool(vetoes)
    score = 0.0 if vetoed else round(min(100.0, total), 2)
    stage, form = _funnel_role(tier, affinity, relevance)
    return KOLFit(
        candidate.handle,
        score,
        tier,
        affinity,
        qualified_reach,
        rate,
        vetoed,
        tuple(rows),
        norm,
        by_reach,
        bool(suspicions),
        covered >= config.vetting_days,
        (covered, config.vetting_days),
        cpm,
        cpc,
        stage,
        form,
    )


def _growth_spike(candidate: KOLCandidate, limit: float) -> str:
    """A jump of more than ``limit`` in followers within about a month."""
    history = candidate.follower_history
    for (day_a, count_a), (day_b, count_b) in itertools.pairwise(history):
        days = (day_b - day_a).days
        if count_a and 0 < days <= 31 and (count_b - count_a) / count_a > limit:
            growth = (count_b - count_a) / count_a
            return f"followers grew {growth:.0%} in {days} days to {day_b.isoformat()}"
    return ""


def _funnel_role(tier: str, affinity: float, relevance: float | None) -> tuple[str, str]:
    """Celebrities for awareness; technical micro and nano voices for consideration and
    conversion: interview (TOFU) -> interactive webinar (MOFU) -> co-created study (BOFU)."""
    if tier in CELEBRITY_TIERS:
        return "TOFU", "interview"
    if affinity >= 0.6 and (relevance is None or relevance >= 0.5):
        return "BOFU", "co-created study or whitepaper"
    return "MOFU", "interactive webinar"
