"""Evaluation by account and ``Evaluation.versus``, checked by hand and against an
independent O(n^2) DeLong computation."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from statistics import NormalDist, fmean
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sample_results import demo_rows

import b2bfunnel as bf
from b2bfunnel.evaluation import AUCComparison

CUTOFF = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 12, 31, tzinfo=UTC)


def day(n: int) -> datetime:
    return CUTOFF + timedelta(days=n)


LEADS = [
    {"id": "A1", "email": "a1@alpha.es", "job_title": "CTO", "employees": 800},
    {"id": "A2", "email": "a2@alpha.es", "job_title": "Analyst", "employees": 800},
    {"id": "B1", "email": "b1@beta.es", "employees": 20},
    {"id": "B2", "email": "b2@it.beta.es", "employees": 20},
    {"id": "G1", "email": "g1@gamma.es", "employees": 600},
    {"id": "D1", "email": "d1@delta.es", "employees": 10},
    # Created after the cutoff, without events: unknown at the cutoff, so their 900
    # employees must not make delta a large company.
    {"id": "D2", "email": "d2@delta.es", "employees": 900, "created_at": day(9)},
    {"id": "D3", "email": "d3@delta.es", "employees": 900, "created_at": day(9)},
    {"id": "E1", "email": "e1@epsilon.es", "employees": 10},
    {"id": "F1", "email": "f1@gmail.com", "employees": 10},
]
# Every event within the ten days before the cutoff (no decay in the default model).
EVENTS = [
    bf.Event(lead, name, day(-k))
    for k, (lead, name) in enumerate(
        [
            ("A1", "webinar_completed"),
            ("A1", "pricing_page_visit"),
            ("A2", "case_study_download"),
            ("B1", "webinar_completed"),
            ("B1", "pricing_page_visit"),
            ("B1", "email_case_study_click"),
            ("B1", "case_study_download"),
            ("B2", "webinar_completed"),
            ("B2", "pricing_page_visit"),
            ("G1", "case_study_download"),
            ("D1", "pricing_page_visit"),
            ("E1", "pricing_page_visit"),
            ("F1", "pricing_page_visit"),
        ],
        start=1,
    )
]
OUTCOMES = [
    {"account_id": "beta.es", "at": day(9)},  # by account id, in the horizon
    {"lead_id": "D1", "at": day(19)},  # by lead, through the match
    {"lead_id": "E1", "at": day(-14)},  # converted before the cutoff: excluded
    {"lead_id": "F1", "at": day(4)},  # gmail: no account, an unknown outcome
    {"account_id": "alpha.es", "outcome": "lost", "closed_at": day(11)},  # not won
    {"account_id": "gamma.es", "outcome": "Won", "closed_at": day(45)},  # after the horizon
]


def account_eval(model: object = None, **options: object) -> bf.Evaluation:
    return bf.evaluate(
        model or bf.ScoringModel.default(),
        LEADS,
        EVENTS,
        OUTCOMES,
        cutoff=CUTOFF,
        horizon_days=30,
        data_end=END,
        level="account",
        **options,  # type: ignore[arg-type]
    )


def by_unit(evaluation: bf.Evaluation) -> dict[str, tuple[float, bool]]:
    return {
        unit: (score, label)
        for unit, score, label in zip(
            evaluation.lead_ids, evaluation.scores, evaluation.labels, strict=True
        )
    }


class TestAccountLevel:
    def test_equals_a_hand_computation(self) -> None:
        """Accounts scored from the contacts known at the cutoff and labelled by their
        first won outcome in the horizon, by account id or through the match."""
        result = account_eval()
        # alpha: fit 50 (800 employees) + A1 40 + A2 10; beta: fit 0 + B1 70 + B2 40;
        # gamma: fit 50 + 10; delta: fit 0 (D2, D3 unknown at the cutoff) + 15.
        assert by_unit(result) == {
            "alpha.es": (100.0, False),
            "beta.es": (110.0, True),
            "gamma.es": (60.0, False),
            "delta.es": (15.0, True),
        }
        assert (result.n, result.positives, result.excluded, result.unknown_outcomes) == (
            4,
            2,
            1,
            1,
        )
        # Positives 110 and 15 against negatives 100 and 60: 2 of 4 pairs in order.
        assert result.auc == 0.5
        assert result.level == "account" and result.to_dict()["level"] == "account"
        assert {k: v.n for k, v in result.by_band.items()} == {"cold": 4}  # all under 120

    def test_best_contact_ranks_by_each_accounts_best_contact(self) -> None:
        """The best contact's whole score: A1 50 (CTO at 800) + 40; B1 70; G1 10; D1 15."""
        result = account_eval(account_score="best_contact")
        assert by_unit(result) == {
            "alpha.es": (90.0, False),
            "beta.es": (70.0, True),
            "gamma.es": (10.0, False),
            "delta.es": (15.0, True),
        }
        # 70 beats 10; 15 beats 10; neither beats 90.
        assert result.auc == 0.5

    def test_account_model_and_funnel_bring_their_own(self) -> None:
        """``account_model=`` and a Funnel's ``[accounts]`` roll up alike: top 1 here."""
        config = {"method": "top_k", "k": 1}
        given = account_eval(account_model=bf.AccountModel.from_dict(config))
        funnel = account_eval(bf.Funnel({"accounts": config}))
        expected = {"alpha.es": 90.0, "beta.es": 70.0, "gamma.es": 60.0, "delta.es": 15.0}
        for result in (given, funnel):
            assert {u: s for u, (s, _) in by_unit(result).items()} == expected

    def test_accounts_table_gives_fit_fields(self) -> None:
        """With an accounts table, its fields are the account's, not the contacts'."""
        table = [{"id": "ACC-D", "domain": "delta.es", "employees": 5000}]
        result = account_eval(accounts=table)
        assert by_unit(result)["ACC-D"] == (65.0, True)

    def test_wrong_options_are_refused(self) -> None:
        """Level options at lead level, an unknown level or score, a Funnel with a
        model of its own, and account-only measures of peaks are refused by name."""
        model = bf.ScoringModel.default()
        cases = [
            ({"level": "company"}, "level"),
            ({"account_score": "best_contact"}, "account_score"),
            ({"account_model": bf.AccountModel.default()}, "account_model"),
            ({"level": "account", "account_score": "best"}, "account_score"),
        ]
        for options, path in cases:
            with pytest.raises(bf.InvalidInputError) as caught:
                bf.evaluate(model, LEADS, EVENTS, OUTCOMES, cutoff=CUTOFF, **options)  # type: ignore[arg-type]
            assert caught.value.path == path
        with pytest.raises(bf.InvalidInputError) as caught:
            account_eval(bf.Funnel(), account_model=bf.AccountModel.default())
        assert caught.value.path == "account_model"
        with pytest.raises(bf.InvalidInputError, match="an account-level evaluation"):
            account_eval().crossings(50)
        bad = [{"at": day(3)}]
        with pytest.raises(bf.InvalidInputError) as caught:
            bf.evaluate(model, LEADS, EVENTS, bad, cutoff=CUTOFF, data_end=END, level="account")
        assert caught.value.path == "outcomes[0].account_id"


def delong_difference(
    first: list[float], second: list[float], labels: list[bool]
) -> tuple[float, float]:
    """AUC(first) - AUC(second) and its paired DeLong variance, straight from the
    definitions (DeLong, DeLong & Clarke-Pearson 1988): every pair compared, O(n^2)."""
    pos = [i for i, y in enumerate(labels) if y]
    neg = [i for i, y in enumerate(labels) if not y]

    def psi(x: float, y: float) -> float:
        return 1.0 if x > y else 0.5 if x == y else 0.0

    def components(s: list[float]) -> tuple[list[float], list[float]]:
        v10 = [fmean(psi(s[i], s[j]) for j in neg) for i in pos]
        v01 = [fmean(psi(s[i], s[j]) for i in pos) for j in neg]
        return v10, v01

    def cov(x: list[float], y: list[float]) -> float:
        mx, my = fmean(x), fmean(y)
        return math.fsum((p - mx) * (q - my) for p, q in zip(x, y, strict=True)) / (len(x) - 1)

    a10, a01 = components(first)
    b10, b01 = components(second)
    s10 = cov(a10, a10) + cov(b10, b10) - 2 * cov(a10, b10)
    s01 = cov(a01, a01) + cov(b01, b01) - 2 * cov(a01, b01)
    return fmean(a10) - fmean(b10), s10 / len(pos) + s01 / len(neg)


@pytest.fixture(scope="module")
def sample() -> tuple[bf.Evaluation, bf.Evaluation]:
    profiles, outcomes = demo_rows("demo_leads.csv"), demo_rows("demo_outcomes.csv")
    events = bf.events_from(demo_rows("demo_events.csv"))
    cutoff = datetime(2026, 9, 24, tzinfo=UTC)
    model = bf.ScoringModel.default()
    return tuple(  # type: ignore[return-value]
        bf.evaluate(
            model,
            profiles,
            events,
            outcomes,
            cutoff=cutoff,
            horizon_days=60,
            level="account",
            accounts=demo_rows("demo_accounts.csv"),
            account_score=score,
        )
        for score in ("account", "best_contact")
    )


class TestVersus:
    def test_matches_an_independent_delong(self, sample: tuple[bf.Evaluation, ...]) -> None:
        """The difference, interval and p agree with the O(n^2) paired DeLong."""
        account, best = sample
        result = account.versus(best)
        other = by_unit(best)
        labels = list(account.labels)
        assert [other[u][1] for u in account.lead_ids] == labels
        diff, variance = delong_difference(
            list(account.scores), [other[u][0] for u in account.lead_ids], labels
        )
        assert result.difference == pytest.approx(diff, abs=1e-12)
        assert result.auc - result.other_auc == pytest.approx(diff, abs=1e-12)
        z = NormalDist().inv_cdf(0.975)
        half = z * math.sqrt(variance)
        assert result.interval == pytest.approx((diff - half, diff + half), abs=1e-12)
        p = 2 * (1 - NormalDist().cdf(abs(diff) / math.sqrt(variance)))
        assert result.p_value == pytest.approx(p, abs=1e-12)
        assert result.inconclusive == (result.interval[0] <= 0 <= result.interval[1])
        assert (result.n, result.positives) == (account.n, account.positives)

    @settings(max_examples=60, deadline=None)
    @given(
        st.lists(
            st.tuples(st.integers(0, 5), st.integers(0, 5), st.booleans()),
            min_size=20,
            max_size=60,
        ).filter(lambda rows: 10 <= sum(r[2] for r in rows) <= len(rows) - 10),
        st.randoms(use_true_random=False),
    )
    def test_random_tied_scores_match_the_independent_delong(
        self, rows: list[tuple[int, int, bool]], shuffle: Any
    ) -> None:
        """On rows with many ties, in any order in the other evaluation, the difference
        and interval are the O(n^2) DeLong's."""
        units = [f"U{i}" for i in range(len(rows))]
        first = [float(r[0]) for r in rows]
        second = [float(r[1]) for r in rows]
        labels = [r[2] for r in rows]
        order = list(range(len(rows)))
        shuffle.shuffle(order)
        base = account_eval()

        def judged(scores: list[float], at: list[int]) -> bf.Evaluation:
            auc = delong_difference(scores, [0.0] * len(scores), labels)[0] + 0.5
            return attrs.evolve(
                base, n=len(rows), positives=sum(labels), auc=auc,
                scores=tuple(scores[i] for i in at), labels=tuple(labels[i] for i in at),
                lead_ids=tuple(units[i] for i in at),
            )  # fmt: skip

        result = judged(first, list(range(len(rows)))).versus(judged(second, order))
        diff, variance = delong_difference(first, second, labels)
        assert result.difference == pytest.approx(diff, abs=1e-12)
        half = NormalDist().inv_cdf(0.975) * math.sqrt(variance)
        low, high = max(-1.0, diff - half), min(1.0, diff + half)
        assert result.interval == pytest.approx((low, high), abs=1e-12)

    def test_against_itself_is_no_difference(self, sample: tuple[bf.Evaluation, ...]) -> None:
        """An evaluation against itself: difference 0, a zero-width interval, p 1."""
        result = sample[0].versus(sample[0])
        assert isinstance(result, AUCComparison)
        assert (result.difference, result.interval, result.p_value) == (0.0, (0.0, 0.0), 1.0)
        assert result.inconclusive
        assert "inconclusive" in result.describe()

    def test_reversed_is_the_negative(self, sample: tuple[bf.Evaluation, ...]) -> None:
        """Swapping the two sides negates the difference and mirrors the interval."""
        one, two = sample[0].versus(sample[1]), sample[1].versus(sample[0])
        assert two.difference == pytest.approx(-one.difference, abs=1e-12)
        assert two.interval == pytest.approx((-one.interval[1], -one.interval[0]), abs=1e-12)
        assert two.p_value == pytest.approx(one.p_value, abs=1e-12)

    def test_pooled_backtest_against_itself(self) -> None:
        """Over several cutoffs rows pair by (cutoff, unit): itself is still no difference."""
        pooled = bf.evaluate(
            bf.ScoringModel.default(),
            LEADS,
            EVENTS,
            OUTCOMES,
            cutoffs=[CUTOFF - timedelta(days=1), CUTOFF],
            horizon_days=30,
            data_end=END,
            level="account",
        )
        result = pooled.versus(pooled)
        assert result.difference == 0.0 and result.n == pooled.n == 8
        assert result.interval is None and result.warnings  # 4 positives: too few

    def test_different_units_or_outcomes_are_refused(
        self, sample: tuple[bf.Evaluation, ...]
    ) -> None:
        """Lead against account, other outcomes, another horizon: InvalidInputError."""
        leads = bf.evaluate(
            bf.ScoringModel.default(),
            LEADS,
            EVENTS,
            [{"lead_id": "B1", "at": day(9)}],
            cutoff=CUTOFF,
            horizon_days=30,
            data_end=END,
        )
        other_outcomes = bf.evaluate(
            bf.ScoringModel.default(),
            LEADS,
            EVENTS,
            [{"account_id": "alpha.es", "at": day(9)}, {"account_id": "beta.es", "at": day(9)}],
            cutoff=CUTOFF,
            horizon_days=30,
            data_end=END,
            level="account",
        )
        shorter = account_eval()
        for first, second in (
            (account_eval(), leads),
            (shorter, other_outcomes),
            (sample[0], shorter),
        ):
            with pytest.raises(bf.InvalidInputError) as caught:
                first.versus(second)
            assert caught.value.path == "other"
        with pytest.raises(bf.InvalidInputError):
            shorter.versus("not an evaluation")  # type: ignore[arg-type]


def test_an_account_evaluation_is_not_tallied_as_leads() -> None:
    """EvaluationTally merges partitions of leads; an account evaluation is refused by
    name rather than tallied as if its rows were leads."""
    from b2bfunnel.evaluation import EvaluationTally

    evaluation = account_eval()
    assert evaluation.level == "account"
    with pytest.raises(bf.InvalidInputError, match="level='account'") as caught:
        EvaluationTally.of(evaluation)
    assert caught.value.path == "evaluation"
