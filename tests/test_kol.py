"""KOL fit: components, tiers, veto, authenticity, contract review, portfolio."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf

BRIEF = bf.KOLBrief(
    target_roles=["engineering_director", "security_analyst"], topics=["cybersecurity", "cloud"]
)


def candidate(**overrides: Any) -> bf.KOLCandidate:
    data: dict[str, Any] = {
        "handle": "@spec",
        "followers": 5_000,
        "audience": {"engineering_director": 0.45, "security_analyst": 0.35},
        "avg_interactions": 240,
        "topics": ["cybersecurity"],
        "cost_per_post": 400,
        "vetting_days": 800,
    }
    data.update(overrides)
    return bf.KOLCandidate(**data)


def component(fit: bf.KOLFit, name: str) -> bf.kol.Component:
    return next(c for c in fit.components if c.name == name)


class TestFit:
    @pytest.mark.parametrize(
        ("followers", "tier"),
        [
            (999, "below_nano"),
            (1_000, "nano"),
            (9_999, "nano"),
            (10_000, "micro"),
            (99_999, "micro"),
            (100_000, "macro"),
            (999_999, "macro"),
            (1_000_000, "mega"),
        ],
    )
    def test_tier_boundaries(self, followers: int, tier: str) -> None:
        """API.md's bounds, each at its edge."""
        assert bf.kol_fit(candidate(followers=followers, avg_interactions=10), BRIEF).tier == tier

    def test_affinity_reach_and_engagement(self) -> None:
        """80% in target roles of 5,000 followers: 4,000 qualified reach; 240/5,000 = 4.8%."""
        fit = bf.kol_fit(candidate(reach=3_000), BRIEF)
        assert fit.affinity == pytest.approx(0.8)
        assert fit.qualified_reach == pytest.approx(4_000)
        assert fit.engagement_rate == pytest.approx(0.048)
        assert fit.engagement_rate_by_reach == pytest.approx(0.08)

    def test_industries_and_seniority_narrow_affinity(self) -> None:
        """With target industries, affinity is role share x industry share."""
        brief = bf.KOLBrief(target_roles=["cto"], target_industries=["banking"])
        fit = bf.kol_fit(candidate(audience={"cto": 0.5}, industries={"banking": 0.4}), brief)
        assert fit.affinity == pytest.approx(0.2)

    def test_engagement_norm_by_band(self) -> None:
        """HypeAuditor 2018: 6.45% under 5K, 3.76% to 20K, 2.63% to 100K, 2.57% to 1M."""
        norms = [
            bf.kol_fit(candidate(followers=f, avg_interactions=1), BRIEF).engagement_norm
            for f in (4_999, 5_000, 20_000, 100_000, 1_000_000)
        ]
        assert norms == [0.0645, 0.0376, 0.0263, 0.0257, 0.0256]

    def test_excellent_micro_label(self) -> None:
        """Above 3% for a micro-influencer is labelled excellent."""
        fit = bf.kol_fit(candidate(followers=50_000, avg_interactions=1_750), BRIEF)
        assert "excellent for a micro-influencer" in component(fit, "engagement").reason

    def test_relevance_is_topic_overlap(self) -> None:
        """One of the brief's two topics: relevance 0.5."""
        assert component(bf.kol_fit(candidate(), BRIEF), "relevance").value == 0.5

    def test_components_add_up_and_weights_renormalise(self) -> None:
        """Points sum to the score; without topics the other weights carry it (an unknown
        cost is priced, so it is assessed)."""
        fit = bf.kol_fit(candidate(cost_per_post=None), bf.KOLBrief(target_roles=["x"]))
        assessed = [c for c in fit.components if c.value is not None]
        assert {c.name for c in fit.components} - {c.name for c in assessed} == {"relevance"}
        assert sum(c.weight for c in assessed) == pytest.approx(1.0)
        assert sum(c.points for c in fit.components) == pytest.approx(fit.score, abs=0.05)

    def test_specialist_beats_celebrity(self) -> None:
        """DOMAIN.md: 5,000 followers with 80% decision-makers beat 100,000 mixed ones."""
        celebrity = candidate(
            handle="@star",
            followers=100_000,
            audience={"engineering_director": 0.02, "security_analyst": 0.01},
            avg_interactions=1_500,
            topics=["lifestyle"],
            cost_per_post=6_000,
        )
        specialist, star = bf.kol_fit(candidate(), BRIEF), bf.kol_fit(celebrity, BRIEF)
        assert specialist.score > star.score
        assert specialist.qualified_reach > star.qualified_reach
        assert (star.funnel_stage, specialist.funnel_stage) == ("TOFU", "BOFU")

    def test_veto(self) -> None:
        """A veto flag sets vetoed and a score of 0, named first in the reasons."""
        fit = bf.kol_fit(candidate(risk_flags=["public_conflict_with_competitors"]), BRIEF)
        assert fit.vetoed and fit.score == 0
        assert fit.reasons[0] == "vetoed: public_conflict_with_competitors"

    def test_warnings_lower_notices_do_not(self) -> None:
        """A warning lowers the risk component; provocative is fine."""
        plain = bf.kol_fit(candidate(), BRIEF)
        warned = bf.kol_fit(candidate(risk_flags=["undisclosed_sponsorships"]), BRIEF)
        noted = bf.kol_fit(candidate(risk_flags=["provocative_tone"]), BRIEF)
        assert warned.score < plain.score == noted.score
        assert component(warned, "risk").value == pytest.approx(0.65)

    def test_custom_and_unknown_flags(self) -> None:
        """User-defined flags take their configured severity; unknown ones are refused."""
        config = bf.KOLConfig.from_dict({"flags": {"crypto_shilling": "veto"}})
        assert bf.kol_fit(candidate(risk_flags=["crypto_shilling"]), BRIEF, config=config).vetoed
        with pytest.raises(bf.InvalidInputError) as info:
            bf.kol_fit(candidate(risk_flags=["crypto_shilling"]), BRIEF)
        assert info.value.path == "candidate.risk_flags[0]"
        assert "toxic_sentiment" in str(info.value)

    def test_incomplete_vetting_is_reported(self) -> None:
        """Less than two years of history reviewed is reported."""
        fit = bf.kol_fit(candidate(vetting_days=200), BRIEF)
        assert not fit.vetting_complete
        assert any("vetting incomplete: covers 200 of the 730 days" in r for r in fit.reasons)

    def test_suspected_bots_from_low_engagement(self) -> None:
        """Engagement under a quarter of the band's norm flags bought followers."""
        fit = bf.kol_fit(candidate(avg_interactions=20), BRIEF)  # 0.4% vs 3.76%
        assert fit.suspected_bots
        assert component(fit, "authenticity").value == pytest.approx(0.4)

    def test_suspected_bots_from_a_growth_spike(self) -> None:
        """+60% followers in 20 days flags a spike; steady growth does not."""
        spiky = [(date(2026, 1, 1), 3_000), (date(2026, 1, 21), 4_800), (date(2026, 3, 1), 5_000)]
        steady = [(date(2026, 1, 1), 4_500), (date(2026, 2, 1), 4_800), (date(2026, 3, 1), 5_000)]
        assert bf.kol_fit(candidate(follower_history=spiky), BRIEF).suspected_bots
        assert not bf.kol_fit(candidate(follower_history=steady), BRIEF).suspected_bots

    def test_tiny_reach_does_not_overflow(self) -> None:
        """A qualified reach near zero gives a huge cost per mille, not an error."""
        fit = bf.kol_fit(candidate(audience={"engineering_director": 1e-100}), BRIEF)
        assert fit.cost_per_mille is not None and fit.cost_per_mille > 10**90
        assert component(fit, "cost").value == pytest.approx(0.0)

    def test_cost_per_mille_and_cpc(self) -> None:
        """$400 for 4,000 qualified reach is $100 per 1,000; a $1.71 CPC is -69% vs $5.58."""
        fit = bf.kol_fit(candidate(), BRIEF)
        assert fit.cost_per_mille == Decimal("100.00")
        with_campaign = bf.kol_fit(candidate(clicks=100, campaign_cost="171"), BRIEF)
        assert with_campaign.cpc == Decimal("1.71")
        assert "vs LinkedIn Ads 5.58 (-69%)" in component(with_campaign, "cost").reason

    @pytest.mark.parametrize(
        ("overrides", "path"),
        [
            ({"followers": -1}, "candidate.followers"),
            ({"avg_interactions": -5}, "candidate.avg_interactions"),
            ({"audience": {"cto": 1.2}}, "candidate.audience['cto']"),
            ({"audience": {"cto": 0.7, "ciso": 0.5}}, "candidate.audience"),
            ({"cost_per_post": -10}, "candidate.cost_per_post"),
            ({"cost_per_post": float("inf")}, "candidate.cost_per_post"),
            ({"handle": ""}, "candidate.handle"),
        ],
    )
    def test_bad_candidates(self, overrides: dict[str, Any], path: str) -> None:
        """Negative counts, shares outside 0..1 or over 1 in sum, negative cost: located."""
        with pytest.raises(bf.InvalidInputError) as info:
            candidate(**overrides)
        assert info.value.path == path

    def test_config_validation(self) -> None:
        """Every [kol] problem at once, located."""
        with pytest.raises(bf.ConfigError) as info:
            bf.KOLConfig.from_dict(
                {
                    "weights": {"afinity": 0.5, "cost": -1},
                    "flags": {"x": "fatal"},
                    "vetting_days": 0,
                }
            )
        paths = {p.path for p in info.value.problems}
        assert paths == {
            "kol.weights.afinity",
            "kol.weights.cost",
            "kol.flags.x",
            "kol.vetting_days",
        }
        assert bf.KOLConfig.from_dict(bf.KOLConfig().to_dict()) == bf.KOLConfig()


class TestContract:
    def test_complete_contract(self) -> None:
        """Every essential present and in range: ok."""
        review = bf.review_contract(
            {
                "morality_clause": True,
                "amplification_rights": True,
                "kpis": ["qualified_leads"],
                "exclusivity_months_after": 3,
                "exit_clause": True,
            }
        )
        assert review.ok

    def test_missing_and_warnings(self) -> None:
        """Missing essentials are listed; vanity KPIs and long exclusivity warn."""
        review = bf.review_contract(
            {"kpis": ["likes", "followers"], "exclusivity_months_after": 12}
        )
        assert len(review.missing) == 3
        assert any("vanity" in w for w in review.warnings)
        assert any("12 months" in w for w in review.warnings)

    def test_bad_clause(self) -> None:
        """Unknown clauses are refused with a hint."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.review_contract({"exit_clase": True})
        assert "did you mean 'exit_clause'" in str(info.value)


def pool(costs: list[int], reaches: list[float]) -> list[bf.KOLCandidate]:
    return [
        bf.KOLCandidate(f"@k{i}", 10_000, {"cto": r}, 400, cost_per_post=c)
        for i, (c, r) in enumerate(zip(costs, reaches, strict=True))
    ]


class TestPortfolio:
    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(st.tuples(st.integers(50, 2_000), st.floats(0.01, 1.0)), min_size=1, max_size=11),
        st.integers(0, 6_000),
        st.booleans(),
    )
    def test_optimal_against_brute_force(
        self, items: list[tuple[int, float]], budget: int, weighted: bool
    ) -> None:
        """The plan's objective equals the best of every subset within the budget."""
        candidates = pool([c for c, _ in items], [r for _, r in items])
        brief = bf.KOLBrief(target_roles=["cto"])
        plan = bf.plan_portfolio(candidates, brief, budget, weight_by_fit=weighted)
        fits = {c.handle: bf.kol_fit(c, brief) for c in candidates}

        def value(h: str) -> float:
            f = fits[h]
            return f.qualified_reach * (f.score / 100 if weighted else 1)

        cost = {c.handle: c.cost_per_post for c in candidates}
        best = max(
            (
                sum(value(h) for h in subset)
                for n in range(len(candidates) + 1)
                for subset in itertools.combinations(fits, n)
                if sum(cost[h] for h in subset) <= budget
            ),  # type: ignore[misc]
        )
        assert plan.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
        assert plan.total_cost <= budget

    def test_vetoed_never_selected_and_mix(self) -> None:
        """A vetoed candidate stays out however cheap; the funnel mix is counted."""
        candidates = pool([100, 100], [0.9, 0.5])
        candidates[0] = bf.KOLCandidate(
            "@k0", 10_000, {"cto": 0.9}, 400, cost_per_post=1, risk_flags=["hate_speech"]
        )
        plan = bf.plan_portfolio(candidates, bf.KOLBrief(target_roles=["cto"]), 1_000)
        assert [f.handle for f in plan.selected] == ["@k1"]
        assert ("@k0", "vetoed: hate_speech") in plan.excluded
        assert sum(plan.mix.values()) == 1

    def test_budget_and_duplicates(self) -> None:
        """A negative budget and duplicate handles are refused."""
        with pytest.raises(bf.InvalidInputError):
            bf.plan_portfolio(pool([10], [0.5]), BRIEF, -5)
        with pytest.raises(bf.InvalidInputError) as info:
            bf.plan_portfolio(pool([10], [0.5]) * 2, BRIEF, 100)
        assert info.value.path == "candidates[1].handle"


@settings(max_examples=150)
@given(
    st.floats(0.0, 0.5),
    st.floats(0.0, 0.5),
    st.integers(1_000, 2_000_000),
    st.floats(0, 100_000),
    st.sampled_from([None, 50, 5_000]),
)
def test_score_bounds_and_affinity_monotone(
    low: float, extra: float, followers: int, interactions: float, cost: int | None
) -> None:
    """The score stays within 0..100, and more affinity never lowers it."""

    def fit(share: float) -> bf.KOLFit:
        return bf.kol_fit(
            bf.KOLCandidate(
                "@h", followers, {"engineering_director": share}, interactions, cost_per_post=cost
            ),
            BRIEF,
        )

    a, b = fit(low), fit(low + extra)
    assert 0 <= a.score <= 100 and 0 <= b.score <= 100
    assert b.score >= a.score - 1e-9
