"""fit_decay: the decay learned from outcomes, checked by hand and on a simulation."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import b2bfunnel as bf
from b2bfunnel.evaluation import DecayCandidate, DecayFit
from b2bfunnel.scoring import Decay

CUTOFF = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HORIZON = 30


def _model(decay: dict[str, object]) -> bf.ScoringModel:
    return bf.ScoringModel.from_dict(
        {
            "explicit": [],
            "implicit": [{"name": "visit", "event": "visit", "points": 10}],
            "decay": decay,
        }
    )


# The one training window every test fits on.
WINDOW: dict[str, Any] = {
    "cutoffs": [CUTOFF],
    "horizon_days": HORIZON,
    "data_end": CUTOFF + timedelta(days=HORIZON),
}


def _fit(
    profiles: list[dict[str, str]],
    events: list[bf.Event],
    outcomes: list[dict[str, str]],
    **options: Any,
) -> DecayFit:
    """``fit_decay`` of the undecayed one-rule model on ``WINDOW``."""
    return bf.fit_decay(
        _model({"kind": "none"}),
        profiles,
        events,
        outcomes,
        **WINDOW,
        **options,
    )


def _flat_data(
    n: int, positives: int
) -> tuple[list[dict[str, str]], list[bf.Event], list[dict[str, str]]]:
    """Every lead visited once, ten days before the cutoff; the first ``positives``
    converted five days after it."""
    profiles = [{"id": f"L{i}"} for i in range(n)]
    events = [bf.Event(f"L{i}", "visit", CUTOFF - timedelta(days=10)) for i in range(n)]
    at = (CUTOFF + timedelta(days=5)).isoformat()
    outcomes = [{"lead_id": f"L{i}", "at": at} for i in range(positives)]
    return profiles, events, outcomes


def test_equal_scores_give_the_intercept_only_likelihood() -> None:
    profiles, events, outcomes = _flat_data(100, 40)
    fit = _fit(profiles, events, outcomes, grid={"none": {}, "half_life": {"half_life_days": [7]}})
    # Every candidate gives every lead the same score: p = 40 / 100 for all.
    expected = 40 * math.log(0.4) + 60 * math.log(0.6)
    assert isinstance(fit, DecayFit)
    assert [c.decay.kind for c in fit.grid] == ["none", "half_life"]
    for row in fit.grid:
        assert row.log_likelihood == pytest.approx(expected, abs=1e-6)
        assert row.auc == 0.5
    assert fit.n == 100 and fit.positives == 40
    assert fit.decay == Decay("none")  # a tie keeps the first of the grid
    assert fit.model.decay == fit.decay
    assert fit.auc_difference == 0.0
    assert fit.parameters == 1  # the kind; half_life_days takes one value only
    data = fit.to_dict()
    assert data["decay"] == {"kind": "none"}
    assert [r["kind"] for r in data["grid"]] == ["none", "half_life"]
    assert "DecayFit" in fit._repr_html_()


def test_refuses_too_few_positives() -> None:
    profiles, events, outcomes = _flat_data(100, 29)
    with pytest.raises(bf.InvalidInputError) as caught:
        _fit(profiles, events, outcomes, kinds=["half_life"])
    assert caught.value.path == "outcomes"
    assert "at least 30" in str(caught.value)


def test_refuses_fewer_than_ten_per_parameter() -> None:
    # The default grid searches 5 parameters (half-life, grace and half-life,
    # expiry days, and the kind): 50 positives; 40 are enough for half-lives only.
    profiles, events, outcomes = _flat_data(120, 40)
    with pytest.raises(bf.InvalidInputError) as caught:
        _fit(profiles, events, outcomes)
    assert caught.value.path == "outcomes" and "at least 50" in str(caught.value)
    fit = _fit(profiles, events, outcomes, kinds=["half_life"])
    assert fit.parameters == 1 and len(fit.grid) == 5


@pytest.mark.parametrize(
    ("options", "path"),
    [
        ({"kinds": ["linear"]}, "kinds"),
        ({"kinds": "half_life"}, "kinds"),
        ({"grid": {"half_life": {"half_life_days": [-3]}}}, "grid.half_life"),
        ({"grid": {"half_life": {"days": [3]}}}, "grid.half_life"),
        ({"grid": {"half_life": {"half_life_days": []}}}, "grid.half_life.half_life_days"),
        ({"grid": {}}, "grid"),
    ],
)
def test_bad_grids_are_named(options: dict[str, object], path: str) -> None:
    profiles, events, outcomes = _flat_data(100, 40)
    with pytest.raises(bf.InvalidInputError) as caught:
        _fit(profiles, events, outcomes, **options)
    assert caught.value.path == path


def test_learns_the_true_half_life_of_a_simulation() -> None:
    """20,000 leads whose conversion depends on engagement decayed with a 30-day
    half-life: the search lands on 30 days or a neighbour of the doubling grid."""
    rng = random.Random(20261206)
    true_half_life = 30.0
    profiles, events, outcomes = [], [], []
    for i in range(20_000):
        lead = f"L{i:05d}"
        profiles.append({"id": lead})
        engagement = 0.0
        for _ in range(rng.randint(1, 2)):
            age = rng.uniform(0, 240)
            engagement += 0.5 ** (age / true_half_life)
            events.append(bf.Event(lead, "visit", CUTOFF - timedelta(days=age)))
        p = 1 / (1 + math.exp(4 - 3 * engagement))
        if rng.random() < p:
            at = CUTOFF + timedelta(days=rng.uniform(1, HORIZON - 1))
            outcomes.append({"lead_id": lead, "at": at.isoformat()})
    fit = _fit(
        profiles, events, outcomes, grid={"half_life": {"half_life_days": [7, 14, 30, 60, 120]}}
    )
    assert fit.decay.kind == "half_life"
    assert fit.decay.param("half_life_days") in (14, 30, 60)
    best = max(fit.grid, key=lambda c: c.log_likelihood)
    assert isinstance(best, DecayCandidate) and best.decay == fit.decay
    assert fit.base.decay == Decay("none")
    low, high = fit.difference_interval
    assert low <= fit.auc_difference <= high


def test_the_order_of_leads_and_events_does_not_matter() -> None:
    """Leads with one to four visits at varied ages; reversed inputs give the same fit."""
    rng = random.Random(7)
    profiles, events, outcomes = [], [], []
    for i in range(300):
        lead = f"L{i:03d}"
        profiles.append({"id": lead})
        ages = [rng.uniform(0, 90) for _ in range(rng.randint(1, 4))]
        events += [bf.Event(lead, "visit", CUTOFF - timedelta(days=a)) for a in ages]
        if rng.random() < min(0.9, 0.1 * len(ages) + 0.3 * (min(ages) < 10)):
            outcomes.append({"lead_id": lead, "at": (CUTOFF + timedelta(days=3)).isoformat()})
    kinds = ["half_life", "expiry"]
    forward = _fit(profiles, events, outcomes, kinds=kinds)
    backward = _fit(profiles[::-1], events[::-1], outcomes[::-1], kinds=kinds)
    assert forward.to_dict() == backward.to_dict()
    assert forward.parameters == 3 and len(forward.grid) == 10
    best = max(forward.grid, key=lambda c: c.log_likelihood)
    assert forward.decay == best.decay
