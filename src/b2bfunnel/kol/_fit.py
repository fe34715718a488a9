"""KOL fit: relevance over fame, explained component by component."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping
from decimal import Context, Decimal
from typing import Any

import attrs

from .._display import Displayed, View, plain_fields
from ..errors import InvalidInputError
from ._model import (
    COMPONENTS,
    NOTICE,
    VETO,
    WARNING,
    KOLBrief,
    KOLCandidate,
    KOLConfig,
    check_flags,
    tier_by_count,
)

CELEBRITY_TIERS = ("macro", "mega")
# The price assumed for a candidate whose cost is unknown: the top of DOMAIN.md's
# typical $10-100 per 1,000 followers per post.
UNKNOWN_COST_PER_MILLE = Decimal(100)
# Immutable, so one shared instance is safe.
DEFAULT_CONFIG = KOLConfig()


@attrs.frozen(repr=False)
class Component(Displayed):
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


def _risk_text(
    vetoes: tuple[str, ...], warnings: tuple[str, ...], notices: tuple[str, ...], points: float
) -> str:
    if vetoes:
        text = "veto: " + ", ".join(vetoes)
    elif warnings:
        text = f"warnings: {', '.join(warnings)} (-{points:g} points each)"
    else:
        text = "no risk flags"
    if notices:
        text += "; noted, not penalised: " + ", ".join(notices)
    return text


def _cost_text(
    kind: str, amount: Decimal | None, channel: str, reference: Decimal, assumed: Any = None
) -> str:
    if kind == "cpc" and amount is not None:
        change = float(amount / reference) - 1 if reference else 0.0
        return f"CPC {amount} vs {channel} {reference} ({change:+.0%})"
    if kind == "cpm":
        return f"{amount} per 1,000 qualified reach vs a reference of {reference}"
    if kind == "unknown":
        return (
            f"no cost given: priced as the dearest typical post, 100 per 1,000 followers "
            f"({assumed}): {amount} per 1,000 qualified reach vs a reference of {reference}"
        )
    return "no qualified reach to pay for"


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
RISK = COMPONENTS.index("risk")


@attrs.frozen(repr=False)
class KOLFit(Displayed):
    """How well a candidate fits a brief.

    ``score`` 0..100 (0 when ``vetoed``); ``tier`` from followers; ``affinity`` the share
    of the audience in the brief's target roles (times the industry and seniority shares
    when the brief names them); ``qualified_reach`` followers x affinity;
    ``engagement_rate`` interactions / followers; ``reasons`` one line per component and
    finding; ``components`` the detail behind the score. A fit keeps the ``candidate``,
    ``brief`` and ``config`` it was made from; the explanation is rebuilt from them on
    first access, so a fit costs little to keep.
    """

    handle: str
    score: float
    tier: str
    affinity: float
    qualified_reach: float
    engagement_rate: float
    vetoed: bool
    engagement_norm: float = 0.0
    engagement_rate_by_reach: float | None = None
    suspected_bots: bool = False
    vetting_complete: bool = False
    cost_per_mille: Decimal | None = None
    cpc: Decimal | None = None
    funnel_stage: str = ""
    format: str = ""
    candidate: KOLCandidate | None = attrs.field(default=None, repr=False)
    brief: KOLBrief | None = attrs.field(default=None, repr=False)
    config: KOLConfig | None = attrs.field(default=None, repr=False)

    @property
    def vetting_days(self) -> tuple[int, int]:
        """(days of posting history the vetting covered, days a complete one covers)."""
        config = self.config if self.config is not None else DEFAULT_CONFIG
        covered = (self.candidate.vetting_days or 0) if self.candidate is not None else 0
        return covered, config.vetting_days

    @functools.cached_property
    def rows(self) -> tuple[Row, ...]:
        """(component, value or None, weight, points, the facts of its reason)."""
        if self.candidate is None or self.brief is None:
            return ()
        config = self.config if self.config is not None else DEFAULT_CONFIG
        values, facts, warnings = _measure(self.candidate, self.brief, config)[:3]
        weights = config.component_weights
        assessed = _assessed(weights, values)
        rows = []
        for index, (value, detail) in enumerate(zip(values, facts, strict=True)):
            weight = 0.0 if value is None else weights[index] / assessed
            points = 0.0 if value is None else 100 * weight * value
            if index == RISK:
                points -= config.warning_points * warnings
            rows.append((COMPONENTS[index], value, weight, points, detail))
        return tuple(rows)

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
            lines.insert(0, "vetoed: " + ", ".join(self.rows[RISK][4][0]))
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

    def _view(self) -> View:
        pairs = [(k, v) for k, v in plain_fields(self) if k != "reasons"]
        rows = [
            {"component": c.name, "value": c.value, "weight": c.weight, "points": c.points,
             "reason": c.reason}
            for c in self.components
        ]  # fmt: skip
        return View(f"KOL fit of {self.handle}", pairs, rows)


def _share(shares: Mapping[str, float], targets: frozenset[str]) -> float:
    return min(1.0, sum([share for name, share in shares.items() if name in targets]))


# Rounding a cost to cents needs about as many digits as the amount has before the
# point; this context covers every amount below 10**24, and a wider one is made for
# the rare astronomically large cost per 1,000 (a tiny qualified reach).
_CENTS = Decimal("0.01")
_CENTS_CONTEXT = Context(prec=28)
_THOUSAND = Decimal(1000)


def _cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to cents, however large."""
    if amount.adjusted() < 24:
        return amount.quantize(_CENTS, context=_CENTS_CONTEXT)
    return amount.quantize(_CENTS, context=Context(prec=amount.adjusted() + 4))


def _unknown_cost(followers: int) -> Decimal:
    """A candidate with no price is priced as the dearest typical post, $100 per 1,000
    followers (DOMAIN.md), so that not knowing the cost is never rewarded."""
    return _cents(Decimal(followers) * UNKNOWN_COST_PER_MILLE / _THOUSAND)


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
    config = DEFAULT_CONFIG if config is None else config
    if not isinstance(config, KOLConfig):
        raise InvalidInputError(f"expected a KOLConfig, got {type(config).__name__}", path="config")
    if not isinstance(candidate, KOLCandidate):
        raise InvalidInputError(
            f"expected a KOLCandidate, got {type(candidate).__name__}", path="candidate"
        )
    if not isinstance(brief, KOLBrief):
        raise InvalidInputError(f"expected a KOLBrief, got {type(brief).__name__}", path="brief")
    values, facts, warnings, tier, cpm, cpc = _measure(candidate, brief, config)
    affinity, engagement, relevance, authenticity, risk, cost = values
    roles_facts, engagement_facts = facts[0], facts[1]
    # The 0..100 score: a weighted mean of the components that could be assessed, less
    # a fixed number of points per warning flag (shown on the risk row).
    w = config.component_weights
    total = w[0] * affinity + w[1] * engagement + w[3] * authenticity + w[4] * risk + w[5] * cost
    if relevance is not None:
        total += w[2] * relevance
    total = 100 * total / _assessed(w, values) - config.warning_points * warnings
    vetoed = bool(facts[RISK][0])
    stage, form = _funnel_role(tier, affinity, relevance)
    covered = candidate.vetting_days or 0
    return KOLFit(
        candidate.handle,
        0.0 if vetoed else round(max(0.0, min(100.0, total)), 2),
        tier,
        affinity,
        roles_facts[2],
        engagement_facts[0],
        vetoed,
        engagement_facts[1],
        candidate.avg_interactions / candidate.reach if candidate.reach else None,
        bool(facts[3][0]),
        covered >= config.vetting_days,
        cpm,
        cpc,
        stage,
        form,
        candidate,
        brief,
        config,
    )


def _assessed(weights: tuple[float, ...], values: tuple[float | None, ...]) -> float:
    """The sum of the weights of the components that could be assessed."""
    return sum(weights) - (weights[2] if values[2] is None else 0.0)


Measure = tuple[
    tuple[Any, ...], tuple[tuple[Any, ...], ...], int, str, "Decimal | None", "Decimal | None"
]


def _measure(candidate: KOLCandidate, brief: KOLBrief, config: KOLConfig) -> Measure:
    """Each component's value (None when it cannot be assessed) and the facts of its
    reason, the number of warning flags, the tier, the cost per 1,000 and the CPC."""
    flags = candidate.risk_flags
    if flags:
        check_flags(flags, config, "candidate.risk_flags")
    followers = candidate.followers
    tier = tier_by_count(followers)

    # Affinity: who the followers are.
    roles = affinity = _share(candidate.audience, brief.target_roles)
    parts: tuple[tuple[str, float], ...] = ()
    if brief.target_industries or brief.target_seniority:
        for label, targets, shares in (
            ("industries", brief.target_industries, candidate.industries),
            ("seniority", brief.target_seniority, candidate.seniority),
        ):
            if targets and shares:
                part = _share(shares, targets)
                affinity *= part
                parts += ((label, part),)
    qualified_reach = followers * affinity

    # Engagement against the follower band's norm.
    rate = candidate.avg_interactions / followers if followers else 0.0
    norm = config.norm(followers)
    ratio = rate / norm
    excellent = config.excellent_micro_rate if tier == "micro" else None

    # Topical relevance.
    relevance = None
    shared: tuple[str, ...] = ()
    if brief.topics:
        shared = tuple(sorted(candidate.topics & brief.topics))
        relevance = len(shared) / len(brief.topics)

    # Authenticity: bought followers and bots inflate counts with little engagement.
    penalty = 0.0
    suspicions: tuple[str, ...] = ()
    if followers and ratio < config.bot_engagement_ratio:
        penalty += 0.6
        suspicions += ("engagement far below its band's norm",)
    if candidate.follower_history:
        spike = _growth_spike(candidate, config.growth_spike)
        if spike:
            penalty += 0.5
            suspicions += (spike,)

    # Reputational risk.
    vetoes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    if flags:
        severity = config.flags
        vetoes = tuple(f for f in flags if severity[f] == VETO)
        warnings = tuple(f for f in flags if severity[f] == WARNING)
        notices = tuple(f for f in flags if severity[f] == NOTICE)

    cost, cost_facts, cpm, cpc = _cost(candidate, brief, qualified_reach)
    values = (
        affinity,
        min(1.0, ratio / 1.5),
        relevance,
        max(0.0, 1.0 - penalty),
        max(0.0, 1.0 - config.warning_penalty * len(warnings)),
        cost,
    )
    facts = (
        (roles, parts, qualified_reach),
        (rate, norm, excellent),
        (shared, len(brief.topics)),
        (suspicions,),
        (vetoes, warnings, notices, config.warning_points),
        cost_facts,
    )
    return values, facts, len(warnings), tier, cpm, cpc


def _cost(
    candidate: KOLCandidate, brief: KOLBrief, qualified_reach: float
) -> tuple[float, tuple[Any, ...], Decimal | None, Decimal | None]:
    """The cost component: value 0..1, the facts of its reason, cost per 1,000 qualified
    reach and CPC. A past campaign's CPC (clicks and campaign cost) wins; else the cost
    per 1,000 qualified reach of a post, priced as the dearest typical post when the
    price is unknown."""
    channel = brief.alternative_channel
    cpc = None
    if candidate.clicks and candidate.campaign_cost is not None:
        cpc = _cents(candidate.campaign_cost / candidate.clicks)
    price = candidate.cost_per_post
    cpm = None
    if price is not None and qualified_reach > 0:
        cpm = _cents(price / Decimal(repr(qualified_reach)) * _THOUSAND)
    if cpc is not None:
        value = min(1.0, float(brief.alternative_cpc / cpc) / 2) if cpc else 1.0
        return value, ("cpc", cpc, channel, brief.alternative_cpc), cpm, cpc
    if qualified_reach <= 0:
        return 0.0, ("none", None, channel, brief.reference_cpm), cpm, cpc
    if price is None:
        assumed = _unknown_cost(candidate.followers)
        per_mille = _cents(assumed / Decimal(repr(qualified_reach)) * _THOUSAND)
        facts: tuple[Any, ...] = ("unknown", per_mille, channel, brief.reference_cpm, assumed)
    else:
        per_mille = cpm if cpm is not None else Decimal(0)  # set above: price and reach
        facts = ("cpm", per_mille, channel, brief.reference_cpm)
    value = min(1.0, float(brief.reference_cpm / per_mille) / 2) if per_mille else 1.0
    return value, facts, cpm, cpc


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
