"""Evaluation of scoring against outcomes, and fitting points from them."""

from __future__ import annotations

import math
import sys
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import EPOCH, histories, model_config

import b2bfunnel as bf
from b2bfunnel.evaluation import MIN_POSITIVES, Evaluation
from b2bfunnel.evaluation._metrics import auc_delong, auc_difference, ks_statistic
from b2bfunnel.evaluation._rates import rate_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from synth import event_rows, leads, outcome_rows

CUTOFF = datetime(2026, 3, 1, tzinfo=UTC)
FLAT = bf.ScoringModel.from_dict(
    {
        "explicit": [{"name": "fit", "points": 30, "when": {"field": "fit", "eq": True}}],
        "implicit": [{"name": "visit", "event": "visit", "points": 10}],
        "decay": {"kind": "none"},
    }
)

# Hand-made scores with ties, and whether each lead converted.
SCORES = [90, 70, 70, 70, 50, 50, 30, 30, 30, 10, 10, 0]
LABELS = [True, True, False, True, False, True, False, False, True, False, False, False]


def brute_auc(scores: list[float], labels: list[bool]) -> float:
    """Mann-Whitney U / (n1 n0), counting every pair; ties count one half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    u = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p, n in product(pos, neg))
    return u / (len(pos) * len(neg))


def brute_delong(scores: list[float], labels: list[bool]) -> float:
    """DeLong's variance from its definition: placement values by pair counting."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]

    def psi(p: float, n: float) -> float:
        return 1.0 if p > n else 0.5 if p == n else 0.0

    auc = brute_auc(scores, labels)
    v10 = [sum(psi(p, n) for n in neg) / len(neg) for p in pos]
    v01 = [sum(psi(p, n) for p in pos) / len(pos) for n in neg]
    s10 = sum((v - auc) ** 2 for v in v10) / (len(pos) - 1)
    s01 = sum((v - auc) ** 2 for v in v01) / (len(neg) - 1)
    return s10 / len(pos) + s01 / len(neg)


def population(
    scores: list[float], labels: list[bool]
) -> tuple[list[dict[str, Any]], list[bf.Event], list[dict[str, Any]]]:
    """Leads whose FLAT score at CUTOFF is each of ``scores`` (in steps of 10 points)."""
    profiles, events, outcomes = [], [], []
    for i, (score, label) in enumerate(zip(scores, labels, strict=True)):
        lead = f"L{i:02d}"
        fit = score >= 30 and score % 20 == 10
        profiles.append({"id": lead, "fit": fit})
        visits = int(score - 30 * fit) // 10
        at = CUTOFF - timedelta(days=3)
        events.append(bf.Event(lead, "signup", CUTOFF - timedelta(days=20)))
        events.extend(bf.Event(lead, "visit", at) for _ in range(visits))
        if label:
            outcomes.append({"lead_id": lead, "at": CUTOFF + timedelta(days=10 + i)})
    events.append(bf.Event("L00", "visit", CUTOFF + timedelta(days=120)))  # the data's end
    return profiles, events, outcomes


@pytest.fixture
def hand() -> Evaluation:
    profiles, events, outcomes = population(SCORES, LABELS)
    return bf.evaluate(FLAT, profiles, events, outcomes, cutoff=CUTOFF, horizon_days=90)


# --- metrics against independent computations ------------------------------------


def test_population_scores_are_the_hand_made_ones(hand: Evaluation) -> None:
    """The fixture builds leads whose scores at the cutoff are exactly SCORES."""
    assert sorted(hand.scores) == sorted(SCORES)
    assert hand.positives == sum(LABELS) and hand.n == len(SCORES)


def test_auc_is_mann_whitney_u_over_pairs_with_ties_as_half(hand: Evaluation) -> None:
    """AUC equals U / (n1 n0) counted pair by pair, ties counting one half."""
    assert hand.auc == pytest.approx(brute_auc(SCORES, LABELS))
    assert hand.gini == pytest.approx(2 * brute_auc(SCORES, LABELS) - 1)


def test_auc_matches_scipy_mann_whitney() -> None:
    """The AUC equals scipy's Mann-Whitney U statistic over n1 n0 (when scipy is there)."""
    stats = pytest.importorskip("scipy.stats")
    pos = [s for s, y in zip(SCORES, LABELS, strict=True) if y]
    neg = [s for s, y in zip(SCORES, LABELS, strict=True) if not y]
    u = stats.mannwhitneyu(pos, neg).statistic
    assert auc_delong(SCORES, LABELS)[0] == pytest.approx(u / (len(pos) * len(neg)))


def test_delong_variance_matches_its_definition() -> None:
    """The midrank DeLong variance equals the pair-counting definition."""
    _, variance = auc_delong(SCORES, LABELS)
    assert variance == pytest.approx(brute_delong(SCORES, LABELS))


def test_paired_difference_of_a_model_with_itself_is_zero() -> None:
    """AUC(a) - AUC(a) is 0 with no variance; against reversed scores it is 2 AUC - 1."""
    assert auc_difference(SCORES, SCORES, LABELS) == (0.0, 0.0)
    flipped = [-s for s in SCORES]
    diff, variance = auc_difference(SCORES, flipped, LABELS)
    assert diff == pytest.approx(2 * brute_auc(SCORES, LABELS) - 1)
    assert variance == pytest.approx(4 * brute_delong(SCORES, LABELS))


def test_ks_is_the_largest_gap_over_every_threshold(hand: Evaluation) -> None:
    """KS equals the largest |TPR - FPR| over all thresholds, by brute force."""
    n1, n0 = sum(LABELS), len(LABELS) - sum(LABELS)
    best = 0.0
    for t in set(SCORES):
        tp = sum(1 for s, y in zip(SCORES, LABELS, strict=True) if y and s >= t)
        fp = sum(1 for s, y in zip(SCORES, LABELS, strict=True) if not y and s >= t)
        best = max(best, abs(tp / n1 - fp / n0))
    assert hand.ks == pytest.approx(best)
    assert ks_statistic(SCORES, LABELS)[0] == pytest.approx(best)


def test_wilson_interval_matches_the_formula() -> None:
    """The Wilson interval of 7 conversions in 40 equals the closed formula."""
    z = 1.959963984540054
    n, k = 40, 7
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = rate_of([True] * k + [False] * (n - k), z).interval
    assert low == pytest.approx(centre - half) and high == pytest.approx(centre + half)


def test_deciles_lift_and_capture_by_hand(hand: Evaluation) -> None:
    """Each group's lift is its rate over the overall rate; capture accumulates
    conversions; tied scores are never split across groups."""
    overall = sum(LABELS) / len(LABELS)
    captured = 0
    for group in hand.deciles:
        rows = [y for s, y in zip(SCORES, LABELS, strict=True) if group.low <= s <= group.high]
        assert group.n == len(rows)
        assert group.lift == pytest.approx(sum(rows) / len(rows) / overall)
        captured += sum(rows)
        assert group.capture == pytest.approx(captured / sum(LABELS))
    assert sum(d.n for d in hand.deciles) == len(SCORES)
    assert hand.deciles[-1].capture == pytest.approx(1.0)


def test_bands_count_their_leads(hand: Evaluation) -> None:
    """by_band holds every lead once, with conversions counted per band."""
    assert sum(r.n for r in hand.by_band.values()) == hand.n
    warm = [y for s, y in zip(SCORES, LABELS, strict=True) if 40 <= s < 100]
    assert hand.by_band["warm"].n == len(warm)
    assert hand.by_band["warm"].conversions == sum(warm)


# --- the population, labels and bad input ----------------------------------------


def test_converted_before_cutoff_is_excluded_and_strangers_counted() -> None:
    """A lead converted on or before the cutoff is excluded; an outcome of a lead
    without a profile is counted, not dropped; a conversion after the horizon is 0."""
    profiles, events, outcomes = population([50, 40, 30], [False, False, False])
    outcomes += [
        {"lead_id": "L00", "at": CUTOFF},
        {"lead_id": "L01", "at": CUTOFF + timedelta(days=91)},
        {"lead_id": "ghost", "at": CUTOFF + timedelta(days=5)},
    ]
    result = bf.evaluate(FLAT, profiles, events, outcomes, cutoff=CUTOFF, horizon_days=90)
    assert result.excluded == 1 and result.n == 2 and result.positives == 0
    assert result.unknown_outcomes == 1
    assert result.auc is None and result.warnings


def test_population_needs_an_event_or_creation_by_the_cutoff() -> None:
    """A lead with neither an event nor a created_at by the cutoff is not scored."""
    profiles, events, outcomes = population([50, 40], [True, False])
    profiles += [
        {"id": "new", "created_at": (CUTOFF + timedelta(days=1)).isoformat()},
        {"id": "old", "created_at": (CUTOFF - timedelta(days=1)).isoformat()},
    ]
    result = bf.evaluate(FLAT, profiles, events, outcomes, cutoff=CUTOFF, horizon_days=90)
    assert result.n == 3 and "old" in result.lead_ids and "new" not in result.lead_ids


def test_few_positives_warn_and_give_no_interval() -> None:
    """Under the minimum of positives the AUC stands alone, with a warning."""
    labels = [True] * (MIN_POSITIVES - 1) + [False] * 30
    scores = [10 * (i % 7) for i in range(len(labels))]
    result = bf.evaluate(FLAT, *population(scores, labels), cutoff=CUTOFF)
    assert result.auc is not None and result.auc_interval is None
    assert any(str(MIN_POSITIVES) in w for w in result.warnings)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"cutoff": datetime(2026, 3, 1)}, "cutoff"),
        ({"horizon_days": 0}, "horizon_days"),
        ({"horizon_days": -5}, "horizon_days"),
        ({"outcome": {"lead_id": "L00"}}, "outcomes[0].at"),
        ({"outcome": {"lead_id": "L00", "at": datetime(2026, 3, 5)}}, "outcomes[0].at"),
        ({"outcome": {"lead_id": "L00", "at": "2026-03-05T10:00"}}, "outcomes[0].at"),
        ({"outcome": {"at": CUTOFF}}, "outcomes[0].lead_id"),
        ({"horizon_days": 200}, "cutoff"),
    ],
)
def test_bad_input_is_located(change: dict[str, Any], path: str) -> None:
    """Naive datetimes, outcomes without ``at``, a non-positive horizon or a horizon
    past the end of the data raise InvalidInputError at the right path."""
    profiles, events, outcomes = population([50, 40], [True, False])
    if "outcome" in change:
        outcomes = [change["outcome"]]
    kwargs = {"cutoff": change.get("cutoff", CUTOFF), "horizon_days": 90}
    kwargs["horizon_days"] = change.get("horizon_days", 90)
    with pytest.raises(bf.InvalidInputError) as info:
        bf.evaluate(FLAT, profiles, events, outcomes, **kwargs)
    assert info.value.path == path


# --- no leakage --------------------------------------------------------------------


@settings(max_examples=60)
@given(
    histories(),
    model_config(positive=False),
    st.integers(0, 120),
    st.data(),
)
def test_nothing_after_the_cutoff_leaks(
    history: Any, config: dict[str, Any], cutoff_day: int, data: st.DataObject
) -> None:
    """Events after the cutoff change no score; events and outcomes after the horizon
    change nothing at all."""
    profiles, events, outcomes = history
    model = bf.ScoringModel.from_dict(config)
    cutoff = EPOCH + timedelta(days=cutoff_day)
    kwargs = {"cutoff": cutoff, "horizon_days": 60, "data_end": cutoff + timedelta(days=500)}
    before = bf.evaluate(model, profiles, events, outcomes, **kwargs)
    lead_ids = [p["id"] for p in profiles]
    offsets = data.draw(st.lists(st.integers(1, 300 * 86_400), max_size=10))
    later = [
        bf.Event(lead_ids[i % len(lead_ids)], "visit", cutoff + timedelta(seconds=s))
        for i, s in enumerate(offsets)
    ]
    after = bf.evaluate(model, profiles, [*events, *later], outcomes, **kwargs)
    mine = dict(zip(before.lead_ids, before.scores, strict=True))
    theirs = dict(zip(after.lead_ids, after.scores, strict=True))
    assert {k: theirs[k] for k in mine} == mine
    beyond = cutoff + timedelta(days=60, seconds=1)
    extra_events = [bf.Event(lead_ids[0], "visit", beyond + timedelta(days=d)) for d in (0, 9)]
    extra_outcomes = [{"lead_id": lead, "at": beyond + timedelta(days=3)} for lead in lead_ids]
    moved = bf.evaluate(
        model, profiles, [*events, *extra_events], [*outcomes, *extra_outcomes], **kwargs
    )
    assert moved.to_dict() == before.to_dict()


# --- backtests, thresholds, drift --------------------------------------------------


def test_pooling_one_cutoff_twice_does_not_narrow_the_interval() -> None:
    """The same leads at two cutoffs are one cluster each: the pooled interval stays
    about as wide as one cutoff's, not 1/sqrt(2) narrower."""
    labels = [i % 3 == 0 for i in range(90)]
    scores = [10 * ((i * 7) % 11) for i in range(90)]
    profiles, events, outcomes = population(scores, labels)
    single = bf.evaluate(FLAT, profiles, events, outcomes, cutoff=CUTOFF)
    pooled = bf.evaluate(FLAT, profiles, events, outcomes, cutoffs=[CUTOFF, CUTOFF])
    assert single.auc_interval is not None and pooled.auc_interval is not None
    assert pooled.n == 2 * single.n and len(pooled.per_cutoff) == 2
    assert pooled.auc == pytest.approx(single.auc)
    width = single.auc_interval[1] - single.auc_interval[0]
    pooled_width = pooled.auc_interval[1] - pooled.auc_interval[0]
    assert pooled_width > 0.9 * width


def test_threshold_for_capacity_counts_active_leads(hand: Evaluation) -> None:
    """The suggested threshold passes at most the capacity per period, and one step
    lower would pass more."""
    suggestion = hand.threshold_for(capacity=4, per_days=7)
    assert suggestion.threshold == 70
    assert suggestion.per_period == 4 and suggestion.stats.n == 4
    assert suggestion.stats.conversions == 3


def test_threshold_for_rate_is_the_lowest_reaching_it(hand: Evaluation) -> None:
    """The rate threshold is the lowest score whose leads at or above it convert at the
    target, checked against every candidate."""
    target = 0.6
    suggestion = hand.threshold_for(rate=target)
    ok = [
        t
        for t in set(SCORES)
        if sum(y for s, y in zip(SCORES, LABELS, strict=True) if s >= t)
        / sum(1 for s in SCORES if s >= t)
        >= target
    ]
    assert suggestion.threshold == min(ok)
    assert suggestion.stats.rate >= target


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({}, "capacity"),
        ({"capacity": 3, "rate": 0.2}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": 3, "per_days": -1}, "per_days"),
        ({"rate": float("nan")}, "rate"),
    ],
)
def test_threshold_for_checks_its_options(
    hand: Evaluation, kwargs: dict[str, Any], path: str
) -> None:
    """Exactly one of capacity= and rate=, each a positive finite number."""
    with pytest.raises(bf.InvalidInputError) as info:
        hand.threshold_for(**kwargs)
    assert info.value.path == path


def test_psi_of_itself_is_zero_and_of_a_shift_positive(hand: Evaluation) -> None:
    """A distribution is stable against itself and not against a shifted copy."""
    assert hand.psi(hand) == 0
    shifted = population([s + 40 for s in SCORES], LABELS)
    other = bf.evaluate(FLAT, *shifted, cutoff=CUTOFF)
    assert hand.psi(other) > 0.25


def test_dataframes_evaluate_like_rows() -> None:
    """Profiles and outcomes as pandas DataFrames give the same evaluation as rows."""
    pd = pytest.importorskip("pandas")
    profiles, events, outcomes = population(SCORES, LABELS)
    rows = bf.evaluate(FLAT, profiles, events, outcomes, cutoff=CUTOFF)
    frames = bf.evaluate(
        FLAT, pd.DataFrame(profiles), events, pd.DataFrame(outcomes), cutoff=CUTOFF
    )
    assert frames.to_dict() == rows.to_dict()


def test_to_dict_is_json_ready(hand: Evaluation) -> None:
    """to_dict gives plain data json can write."""
    import json

    data = json.loads(json.dumps(hand.to_dict()))
    assert data["n"] == hand.n and len(data["deciles"]) == len(hand.deciles)


# --- fitting -----------------------------------------------------------------------

END = datetime(2026, 11, 23, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def generated() -> tuple[list[dict[str, Any]], list[bf.Event], list[dict[str, Any]]]:
    """20,000 leads with outcomes drawn from the documented ground truth."""
    profiles = leads(20_000, seed=5)
    rows = list(event_rows([p["id"] for p in profiles], 260_000, end=END, seed=6))
    outcomes = outcome_rows(profiles, rows, end=END, seed=7)
    return profiles, [bf.Event(*row) for row in rows], outcomes


@pytest.mark.parametrize("method", ["naive_bayes", "logistic"])
def test_fitting_recovers_the_truths_ordering(generated: Any, method: str) -> None:
    """Webinars > case-study downloads > pricing visits > case-study clicks (no effect),
    as the generator's truth says, although the default model orders them otherwise."""
    fitted = bf.fit_points(
        *generated, cutoff=datetime(2026, 8, 25, tzinfo=UTC), method=method, fields=["country"]
    )
    w = {c.rule: c.weight for c in fitted.coefficients}
    assert w["webinar_completed"] > w["case_study_download"] > w["pricing_page_visit"]
    assert w["pricing_page_visit"] > w["email_case_study_click"]
    assert w["it_leader_at_large_company"] > 0
    click = next(c for c in fitted.coefficients if c.rule == "email_case_study_click")
    assert click.interval[0] < 20  # nowhere near the default's +20 per click


def test_fitted_model_is_a_normal_consistent_model(generated: Any) -> None:
    """The fitted model round-trips through to_dict, its hot band starts at the hot
    threshold, and probability rises with the score and matches calibration overall."""
    fitted = bf.fit_points(*generated, cutoff=datetime(2026, 8, 25, tzinfo=UTC))
    model = fitted.model
    assert bf.ScoringModel.from_dict(model.to_dict()) == model
    assert model.bands[-1].name == "hot" and model.bands[-1].min == model.hot_threshold
    assert fitted.probability(0) < fitted.probability(model.hot_threshold)
    observed = sum(b.observed.conversions for b in fitted.calibration) / fitted.n
    predicted = sum(b.predicted * b.observed.n for b in fitted.calibration) / fitted.n
    assert predicted == pytest.approx(observed, rel=0.02)
    assert sum(b.observed.n for b in fitted.calibration) == fitted.n


def test_field_values_become_rules_with_a_fallback(generated: Any) -> None:
    """Values seen on min_support leads get rules, except the most common one (the
    reference); an unseen value scores like the reference."""
    cutoff = datetime(2026, 8, 25, tzinfo=UTC)
    fitted = bf.fit_points(*generated, cutoff=cutoff, fields=["country"], min_support=100)
    fields = {c.rule for c in fitted.coefficients if c.kind == "field"}
    assert fields == {"country_mx", "country_pt", "country_uk"}
    model = fitted.model
    lead = {"id": "X", "job_title": "CIO", "employees": "900"}
    spain = model.score({**lead, "country": "es"}, [], as_of=cutoff).total
    assert model.score({**lead, "country": "FR"}, [], as_of=cutoff).total == spain
    portugal = next(c.points for c in fitted.coefficients if c.rule == "country_pt")
    assert model.score({**lead, "country": "PT"}, [], as_of=cutoff).total == spain + portugal
    rare = bf.fit_points(*generated, cutoff=cutoff, fields=["country"], min_support=20_000)
    assert not [c for c in rare.coefficients if c.kind == "field"]


def test_time_split_beats_the_default_on_later_leads(generated: Any) -> None:
    """Fitted at an earlier cutoff, the learned points rank later leads better than the
    default, and the paired difference equals the two AUCs' difference."""
    split = bf.time_split(
        *generated,
        fit_cutoff=datetime(2026, 6, 20, tzinfo=UTC),
        cutoff=datetime(2026, 9, 20, tzinfo=UTC),
        horizon_days=60,
    )
    assert split.base.auc is not None and split.learned.auc is not None
    assert split.difference == pytest.approx(split.learned.auc - split.base.auc)
    assert split.difference_interval is not None and split.difference_interval[0] > 0


def test_time_split_refuses_a_fit_that_saw_the_evaluation_outcomes() -> None:
    """A fit whose horizon passes the evaluation cutoff would leak: refused."""
    profiles, events, outcomes = population([50, 40], [True, False])
    with pytest.raises(bf.InvalidInputError) as info:
        bf.time_split(
            profiles, events, outcomes, fit_cutoff=CUTOFF, cutoff=CUTOFF + timedelta(days=30)
        )
    assert info.value.path == "fit_cutoff"


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"method": "forest"}, "method"),
        ({"min_support": 0}, "min_support"),
        ({"pdo": 0}, "pdo"),
        ({"fields": "country"}, "fields"),
        ({"base_points": math.nan}, "base_points"),
        ({"base_points": "600"}, "base_points"),
    ],
)
def test_fit_options_are_checked(kwargs: dict[str, Any], path: str) -> None:
    """Unknown methods and impossible options name the option."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.fit_points(*population([50, 40], [True, False]), cutoff=CUTOFF, **kwargs)
    assert info.value.path == path


@pytest.mark.parametrize("method", ["naive_bayes", "logistic"])
def test_scorecard_points_double_the_odds_and_land_at_the_base_odds(
    generated: Any, method: str
) -> None:
    """``base_points`` scorecard points have the odds of the average conversion rate,
    every ``pdo`` more double the fitted odds, and a lead's fitted log-odds are the
    intercept plus its model total in units of pdo / ln 2."""
    cutoff = datetime(2026, 8, 25, tzinfo=UTC)
    fitted = bf.fit_points(*generated, cutoff=cutoff, method=method, pdo=20, base_points=600)
    base_odds = fitted.positives / (fitted.n - fitted.positives)
    assert fitted.base_odds == pytest.approx(base_odds)
    assert fitted.odds(600) == pytest.approx(base_odds)
    assert fitted.odds(620) == pytest.approx(2 * base_odds)
    assert fitted.odds(560) == pytest.approx(base_odds / 4)
    profiles, events, _ = generated
    for score in fitted.model.rank(profiles, events, as_of=cutoff)[:50:7]:
        log_odds = fitted.intercept + score.total * math.log(2) / 20
        assert math.log(fitted.odds(score)) == pytest.approx(log_odds)
        assert fitted.points(score) == pytest.approx(score.total + fitted.offset)


def test_base_points_shift_every_figure_by_the_offset(generated: Any) -> None:
    """Shifting the scale moves probabilities and calibration bounds with it: the same
    lead gets the same probability, and without base_points points are model totals."""
    cutoff = datetime(2026, 8, 25, tzinfo=UTC)
    plain = bf.fit_points(*generated, cutoff=cutoff)
    shifted = bf.fit_points(*generated, cutoff=cutoff, base_points=600)
    assert plain.offset == 0 and plain.model == shifted.model
    assert shifted.offset == pytest.approx(600 - plain.base_points)
    for total in (0.0, 25.0, plain.model.hot_threshold):
        assert shifted.probability(total + shifted.offset) == pytest.approx(
            plain.probability(total)
        )
        assert shifted.odds(total + shifted.offset) == pytest.approx(plain.odds(total))
    for a, b in zip(plain.calibration, shifted.calibration, strict=True):
        assert b.low == pytest.approx(a.low + shifted.offset) and b.observed == a.observed
