"""KOL fit rules: the source's engagement bands, an unknown cost priced, CPC without a
post price, warning flags that cost real points, extreme weights."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf

CTO = bf.KOLBrief(target_roles=["cto"])


def _fit(**kwargs: object) -> bf.KOLFit:
    data: dict[str, object] = {"handle": "@x", "followers": 10_000, "audience": {"cto": 0.5},
                               "avg_interactions": 400}  # fmt: skip
    data.update(kwargs)
    return bf.kol_fit(bf.KOLCandidate(**data), CTO)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("followers", "median"),
    [
        (0, 0.1699),
        (999, 0.1699),
        (1_000, 0.0645),
        (4_999, 0.0645),
        (5_000, 0.0376),
        (19_999, 0.0376),
        (20_000, 0.0263),
        (100_000, 0.0257),
        (999_999, 0.0257),
        (1_000_000, 0.0256),
    ],
)
def test_hypeauditor_2018_bands(followers: int, median: float) -> None:
    """The six bands of the source's table, median ER: 16.99% under 1,000 followers."""
    assert _fit(followers=followers, avg_interactions=1).engagement_norm == median


def test_small_account_is_not_above_its_median() -> None:
    """800 followers at 10% engagement is below the 16.99% median of its band."""
    fit = _fit(followers=800, avg_interactions=80)
    reason = next(c.reason for c in fit.components if c.name == "engagement")
    assert "below the median" in reason and "16.99%" in reason


def test_unknown_cost_is_not_rewarded() -> None:
    """No cost scores as $100 per 1,000 followers: never above a known $50 per 1,000,
    exactly as a stated $1,000 for 10,000 followers."""
    unknown, fifty, hundred = _fit(), _fit(cost_per_post=500), _fit(cost_per_post=1_000)
    assert unknown.score < fifty.score
    assert unknown.score == hundred.score
    cost = next(c for c in unknown.components if c.name == "cost")
    assert cost.value is not None and "no cost given" in cost.reason
    assert unknown.cost_per_mille is None


def test_free_candidate_is_not_unknown() -> None:
    """A free post (cost 0) is the best price, not an unknown one."""
    assert _fit(cost_per_post=0).score > _fit().score


def test_cpc_without_cost_per_post() -> None:
    """Clicks and campaign cost give the CPC even when the post price is unknown."""
    fit = _fit(clicks=100, campaign_cost="171")
    assert str(fit.cpc) == "1.71"
    cost = next(c for c in fit.components if c.name == "cost")
    assert "CPC 1.71" in cost.reason


@settings(max_examples=100)
@given(
    st.integers(1_000, 2_000_000),
    st.floats(0.05, 1.0),
    st.floats(0, 50_000),
    st.sampled_from([None, 0, 500, 50_000]),
    st.sampled_from(
        ["undisclosed_sponsorships", "past_association_with_competitor",
         "controversial_statements", "negative_sentiment_spike"]
    ),
)  # fmt: skip
def test_each_warning_costs_at_least_ten_points(
    followers: int, share: float, interactions: float, cost: int | None, flag: str
) -> None:
    """Each warning flag takes at least 10 points of 100 (or the score to 0)."""
    clean = _fit(followers=followers, audience={"cto": share}, avg_interactions=interactions,
                 cost_per_post=cost)  # fmt: skip
    warned = _fit(followers=followers, audience={"cto": share}, avg_interactions=interactions,
                  cost_per_post=cost, risk_flags=[flag])  # fmt: skip
    assert warned.score <= max(0.0, clean.score - 10) + 0.01
    assert (
        sum(c.points for c in warned.components) == pytest.approx(warned.score, abs=0.05)
        or warned.score == 0
    )


def test_warning_points_are_configurable_and_checked() -> None:
    """``warning_points`` sets the deduction; above 100 is refused with its path."""
    config = bf.KOLConfig.from_dict({"warning_points": 25})
    clean = bf.kol_fit(bf.KOLCandidate("@x", 10_000, {"cto": 0.9}, 400), CTO, config=config)
    warned = bf.kol_fit(
        bf.KOLCandidate("@x", 10_000, {"cto": 0.9}, 400, risk_flags=["controversial_statements"]),
        CTO,
        config=config,
    )
    assert clean.score - warned.score >= 25
    with pytest.raises(bf.ConfigError) as info:
        bf.KOLConfig.from_dict({"warning_points": 101})
    assert "kol.warning_points" in str(info.value)


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e300])
def test_extreme_weights_keep_their_ratios(scale: float) -> None:
    """Weights of 1e200 or 1e-200 score as their ratios do; huge ones do not overflow."""
    default = _fit(cost_per_post=500)
    weights = {k: v * scale for k, v in bf.KOLConfig().weights.items()}
    config = bf.KOLConfig.from_dict({"weights": weights})
    scaled = bf.kol_fit(bf.KOLCandidate("@x", 10_000, {"cto": 0.5}, 400, cost_per_post=500), CTO,
                        config=config)  # fmt: skip
    assert scaled.score == pytest.approx(default.score, abs=0.01)


def test_weights_near_the_float_limit_do_not_overflow() -> None:
    """Six weights of 1e308 (their sum overflows a float) score as six equal weights."""
    names = bf.KOLConfig().weights
    huge = bf.KOLConfig.from_dict({"weights": dict.fromkeys(names, 1e308)})
    ones = bf.KOLConfig.from_dict({"weights": dict.fromkeys(names, 1)})
    pick = bf.KOLCandidate("@x", 10_000, {"cto": 0.5}, 400, cost_per_post=500)
    assert bf.kol_fit(pick, CTO, config=huge).score == bf.kol_fit(pick, CTO, config=ones).score
    assert bf.kol_fit(pick, CTO, config=huge).score > 0


CAND = bf.KOLCandidate("@a", 1_000, {"cto": 0.5}, 10, cost_per_post=5)


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: bf.kol_fit(CAND, CTO, config="x"), "config"),  # type: ignore[arg-type]
        (lambda: bf.plan_portfolio([CAND], CTO, 5, config=3), "config"),  # type: ignore[arg-type]
        (lambda: bf.plan_portfolio(None, CTO, 5), "candidates"),  # type: ignore[arg-type]
        (lambda: bf.KOLBrief(["x"], alternative_channel=5), "brief.alternative_channel"),  # type: ignore[arg-type]
        (lambda: bf.KOLCandidate("@a", 1, {}, 1, follower_history=5), "candidate.follower_history"),  # type: ignore[arg-type]
        (lambda: bf.KOLCandidate("@a", 1, {}, 1, risk_flags=[None]), "candidate.risk_flags[0]"),  # type: ignore[list-item]
        (lambda: bf.KOLCandidate("@a", 10**400, {}, 1), "candidate.followers"),
        (lambda: bf.KOLCandidate("@a", 1, {}, 10**400), "candidate.avg_interactions"),
        (lambda: bf.KOLCandidate("@a", 1, {}, 1, clicks=10**400), "candidate.clicks"),
        (
            lambda: bf.KOLCandidate("@a", 1, {}, 1, cost_per_post="9e999999"),
            "candidate.cost_per_post",
        ),
        (lambda: bf.KOLConfig(weights=[1]), "weights"),  # type: ignore[arg-type]
        (
            lambda: bf.review_contract({"exclusivity_months_after": 10**400}),
            "clauses.exclusivity_months_after",
        ),
        (lambda: bf.kol.tier_of(None), "followers"),  # type: ignore[arg-type]
        (lambda: bf.compare_nps(bf.nps([9]), bf.nps([9]), labels=None), "labels"),  # type: ignore[arg-type]
        (lambda: bf.nps_position(10, "saas", benchmarks=3), "benchmarks"),  # type: ignore[arg-type]
    ],
)  # fmt: skip
def test_wrong_types_and_huge_numbers_are_invalid_input(call: object, path: str) -> None:
    """Wrong types, 10**400 counts and "9e999999" prices raise InvalidInputError with a
    path, not TypeError, AttributeError or OverflowError."""
    with pytest.raises(bf.InvalidInputError) as info:
        call()  # type: ignore[operator]
    assert info.value.path == path


def test_dataframe_shaped_candidate() -> None:
    """numpy integers read as counts and NaN as "not given", as a DataFrame row holds them."""
    np = pytest.importorskip("numpy")
    row = bf.KOLCandidate("@a", np.int64(5_000), {"cto": np.float64(0.5)}, np.int64(200),
                          cost_per_post=float("nan"), reach=float("nan"), clicks=np.int64(3),
                          vetting_days=np.int64(800))  # fmt: skip
    plain = bf.KOLCandidate("@a", 5_000, {"cto": 0.5}, 200, clicks=3, vetting_days=800)
    assert row == plain
    assert bf.kol_fit(row, CTO).score == bf.kol_fit(plain, CTO).score
