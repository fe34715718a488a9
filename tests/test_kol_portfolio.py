"""The portfolio planner: exact on every price structure, honest when it stops early."""

from __future__ import annotations

import itertools
import pickle
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import kol_pool

import b2bfunnel as bf

CTO = bf.KOLBrief(target_roles=["cto"])


def _brute_force(pool: list[bf.KOLCandidate], budget: Decimal) -> tuple[Fraction, Decimal]:
    """The best exact qualified reach within the budget and the least cost that buys it."""
    fits = [bf.kol_fit(c, CTO) for c in pool]
    best = (Fraction(-1), Decimal(0))
    for size in range(len(pool) + 1):
        for subset in itertools.combinations(range(len(pool)), size):
            cost = sum((pool[i].cost_per_post or Decimal(0) for i in subset), Decimal(0))
            if cost > budget:
                continue
            value = sum((Fraction(fits[i].qualified_reach) for i in subset), Fraction(0))
            if value > best[0] or (value == best[0] and cost < best[1]):
                best = (value, cost)
    return best


def _exact_value(plan: bf.Portfolio) -> Fraction:
    return sum((Fraction(f.qualified_reach) for f in plan.selected), Fraction(0))


@settings(max_examples=150)
@given(kol_pool(max_size=12), st.integers(0, 100))
def test_exact_against_brute_force(pool: list[bf.KOLCandidate], percent: int) -> None:
    """On every price structure the plan has the best reach, and the least cost among
    selections with that reach."""
    total = sum((c.cost_per_post or Decimal(0) for c in pool), Decimal(0))
    budget = total * percent / 100
    plan = bf.plan_portfolio(pool, CTO, budget)
    value, cost = _brute_force(pool, budget)
    assert plan.optimal
    assert _exact_value(plan) == value
    assert plan.total_cost == cost


def test_free_candidate_is_taken_with_the_best_paid_one() -> None:
    """The issue's pool: a free candidate no longer crashes or displaces the best buy."""
    pool = [
        bf.KOLCandidate("@micro_a", 10_000, {"cto": 0.5}, 300, cost_per_post=10),
        bf.KOLCandidate("@micro_b", 6_000, {"cto": 0.5}, 200, cost_per_post=8),
        bf.KOLCandidate("@friend", 300, {"cto": 0.01}, 20, cost_per_post=0),
    ]
    plan = bf.plan_portfolio(pool, CTO, 10)
    assert [f.handle for f in plan.selected] == ["@friend", "@micro_a"]
    assert plan.qualified_reach == 5_003
    assert plan.optimal and plan.gap == 0


def test_sub_cent_costs_stay_within_budget() -> None:
    """Prices below a cent are not rounded away: two $0.004 posts do not fit $0.005."""
    pool = [
        bf.KOLCandidate("@a", 1_000, {"cto": 0.5}, 30, cost_per_post=Decimal("0.004")),
        bf.KOLCandidate("@b", 1_200, {"cto": 0.5}, 30, cost_per_post=Decimal("0.004")),
    ]
    plan = bf.plan_portfolio(pool, CTO, Decimal("0.005"))
    assert [f.handle for f in plan.selected] == ["@b"]
    assert plan.total_cost <= Decimal("0.005")


def test_huge_budget_buys_everything() -> None:
    """A budget like "9e999999" is compared, not overflowed: everyone affordable is in."""
    pool = [bf.KOLCandidate(f"@k{i}", 5_000, {"cto": 0.5}, 100, cost_per_post=i + 1)
            for i in range(5)]  # fmt: skip
    plan = bf.plan_portfolio(pool, CTO, "9e999999")
    assert len(plan.selected) == 5 and plan.total_cost == 15


def _equal_ratio_pool(count: int, seed: int) -> list[bf.KOLCandidate]:
    rng = random.Random(seed)
    return [
        bf.KOLCandidate(f"@k{i:03d}", f, {"cto": 0.5}, 100, cost_per_post=Decimal(f * 5) / 100)
        for i, f in enumerate(rng.randint(1_000, 1_000_000) for _ in range(count))
    ]


def test_equal_ratios_stay_exact_at_size() -> None:
    """Forty candidates at one price per follower (old search: exponential) fill the
    budget to the cent, and ties at equal reach are not resolved at random."""
    pool = _equal_ratio_pool(40, 3)
    total = sum((c.cost_per_post or Decimal(0) for c in pool), Decimal(0))
    budget = (total * Decimal("0.37") * 20).to_integral_value() / 20  # whole 5 cents
    plan = bf.plan_portfolio(pool, CTO, budget)
    assert plan.optimal
    assert plan.total_cost == budget
    assert plan == bf.plan_portfolio(list(reversed(pool)), CTO, budget)


def test_search_limit_returns_best_found_with_gap() -> None:
    """Past ``max_states`` the best selection found comes back, within budget, marked
    not optimal, with its gap to the LP bound."""
    rng = random.Random(4)
    pool = [
        bf.KOLCandidate(f"@k{i}", 2 * (10 * c + 1_000), {"cto": 0.5}, 100, cost_per_post=c)
        for i, c in enumerate(rng.randint(100, 1_000) for _ in range(120))
    ]
    budget = sum(c.cost_per_post or 0 for c in pool) // 3
    plan = bf.plan_portfolio(pool, CTO, budget, max_states=10)
    exact = bf.plan_portfolio(pool, CTO, budget)
    assert not plan.optimal
    assert plan.total_cost <= budget
    assert plan.upper_bound is not None and plan.upper_bound >= exact.objective
    assert plan.gap == pytest.approx(plan.upper_bound - plan.objective)
    assert plan.to_dict()["optimal"] is False
    with pytest.raises(bf.InvalidInputError) as info:
        bf.plan_portfolio(pool, CTO, budget, max_states=0)
    assert info.value.path == "max_states"


def _generated(kind: str, count: int, seed: int) -> list[bf.KOLCandidate]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        followers = int(10 ** rng.uniform(3, 6))
        share = rng.uniform(0.05, 0.9)
        if kind == "uncorrelated":
            cost = Decimal(rng.randint(0, 5000))
        elif kind == "flat rate card":
            cost = Decimal(followers * 5) / 100
        elif kind == "tied groups":
            cost, share = Decimal(followers * 5) / 100, rng.choice([0.25, 0.5, 0.75])
        elif kind == "correlated":
            cost = Decimal(rng.randint(100, 1000))
            followers, share = 2 * (10 * int(cost) + 1000), 0.5
        else:
            cost = Decimal(rng.randint(1, 2000)) / 1000
        out.append(bf.KOLCandidate(f"@k{i:03d}", followers, {"cto": share}, 100,
                                   cost_per_post=cost))  # fmt: skip
    return out


@pytest.mark.parametrize(
    "kind", ["uncorrelated", "flat rate card", "tied groups", "correlated", "sub-unit"]
)
@pytest.mark.parametrize("count", [60, 150])
def test_agrees_with_milp(kind: str, count: int) -> None:
    """On larger instances the objective matches scipy's MILP solver (HiGHS)."""
    optimize = pytest.importorskip("scipy.optimize")
    np = pytest.importorskip("numpy")
    pool = _generated(kind, count, seed=count)
    values = np.array([bf.kol_fit(c, CTO).qualified_reach for c in pool])
    costs = np.array([float(c.cost_per_post or 0) for c in pool])
    budget = Decimal(str(round(float(costs.sum()) * 0.3, 3)))
    plan = bf.plan_portfolio(pool, CTO, budget)
    solved = optimize.milp(
        -values,
        constraints=optimize.LinearConstraint(costs[np.newaxis, :], -np.inf, float(budget)),
        integrality=np.ones(count),
        bounds=optimize.Bounds(0, 1),
        options={"mip_rel_gap": 0},
    )
    assert solved.success
    assert plan.optimal
    assert plan.objective == pytest.approx(-solved.fun, rel=1e-9)


@pytest.mark.parametrize("kind", ["uncorrelated", "flat rate card", "tied groups", "correlated"])
def test_exact_against_brute_force_at_twenty(kind: str) -> None:
    """Twenty candidates: every one of the 2^20 selections is tried (vectorised)."""
    np = pytest.importorskip("numpy")
    pool = _generated(kind, 20, seed=20)
    values = np.array([bf.kol_fit(c, CTO).qualified_reach for c in pool])
    costs = np.array([float(c.cost_per_post or 0) for c in pool])
    budget = Decimal(str(round(float(costs.sum()) * 0.4, 3)))
    best = 0.0
    for start in range(0, 2**20, 2**16):  # in chunks, to keep memory small
        subsets = ((np.arange(start, start + 2**16)[:, None] >> np.arange(20)) & 1).astype(float)
        fits = subsets @ costs <= float(budget) + 1e-9
        best = max(best, float((subsets @ values)[fits].max(initial=0.0)))
    plan = bf.plan_portfolio(pool, CTO, budget)
    assert plan.optimal
    assert plan.objective == pytest.approx(best, rel=1e-12)


def test_portfolio_keeps_every_candidate_considered() -> None:
    """Every candidate, chosen or not, priced or not, is kept with its cost and reach."""
    brief = bf.KOLBrief(target_roles=["cto"])
    pool = [
        bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
        bf.KOLCandidate("@a", 5000, {"cto": 0.8}, 200, cost_per_post="500.50"),
        bf.KOLCandidate("@d", 9000, {"cto": 0.5}, 300),
    ]
    plan = bf.plan_portfolio(pool, brief, 1000)
    assert plan.considered == (
        ("@a", Decimal("500.50"), 4000.0),
        ("@b", Decimal("3000"), 5000.0),
        ("@d", None, 4500.0),
    )
    assert plan.to_dict()["considered"][0] == {
        "handle": "@a",
        "cost_per_post": "500.50",
        "qualified_reach": 4000.0,
    }
    assert pickle.loads(pickle.dumps(plan)) == plan


def _row(handle: str, cto: float, cost: str) -> dict[str, str]:
    return {"handle": handle, "followers": "5000", "avg_interactions": "200",
            "audience": f"cto:{cto}", "cost_per_post": cost}  # fmt: skip


def test_costs_in_two_currencies_converted_to_the_base() -> None:
    """By hand: @b's USD 1,000 at 0.92 EUR per USD is 920.00 EUR; with @a's €500 both
    fit 1,500: 1,420.00 EUR, and the plan says EUR (never a dollar sign)."""
    rows = [_row("@a", 0.8, "€500"), _row("@b", 0.5, "USD 1,000")]
    plan = bf.plan_portfolio(rows, CTO, 1500, currency="EUR", rates={"USD": "0.92"})
    assert plan.currency == "EUR" and plan.to_dict()["currency"] == "EUR"
    assert plan.total_cost == Decimal("1420.00")
    assert dict((h, c) for h, c, _ in plan.considered) == {"@a": 500, "@b": Decimal("920.00")}
    shown = plan._repr_html_() + plan._repr_markdown_() + repr(plan)
    assert "EUR" in plan._repr_html_() and "$" not in shown
    with pytest.raises(bf.InvalidInputError, match="mix currencies"):
        bf.plan_portfolio(rows, CTO, 1500)  # two currencies, no rate: refused


def test_chart_labels_costs_with_the_currency_code() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [_row("@a", 0.8, "€500"), _row("@b", 0.5, "USD 1,000")]
    ax = bf.plan_portfolio(rows, CTO, 1500, currency="EUR", rates={"USD": "0.92"}).plot()
    assert ax.get_xlabel() == "cost per post (EUR)"
    assert ax.get_title().endswith("cost 1420.00 of 1500 EUR")
    plt.close(ax.figure)


def test_one_currency_found_or_none() -> None:
    """Costs all in euros: the plan is in EUR; plain numbers: unknown (None), unless
    ``currency=`` names the currency of unmarked amounts."""
    rows = [_row("@a", 0.8, "500 €"), _row("@b", 0.5, "€1,000")]
    assert bf.plan_portfolio(rows, CTO, 1500).currency == "EUR"
    plain = [_row("@a", 0.8, "500"), _row("@b", 0.5, "1000")]
    assert bf.plan_portfolio(plain, CTO, 1500).currency is None
    assert bf.plan_portfolio(plain, CTO, 1500).to_dict()["currency"] is None
    assert bf.plan_portfolio(plain, CTO, 1500, currency="GBP").currency == "GBP"
