"""NPS: every formula against hand-worked values, bad input, reports, invariants."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf

score_lists = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=200)


class TestScore:
    def test_counts_and_score(self) -> None:
        """10 answers: 9,9,10,10,10 promoters; 7,8 passives; 0,5,6 detractors -> 5-3 = +20."""
        r = bf.nps([9, 9, 10, 10, 10, 7, 8, 0, 5, 6])
        assert (r.n, r.promoters, r.passives, r.detractors) == (10, 5, 2, 3)
        assert r.score == 20.0

    def test_category_boundaries(self) -> None:
        """6 is a detractor, 7 and 8 passives, 9 a promoter."""
        assert bf.nps([6]).score == -100
        assert bf.nps([7]).score == bf.nps([8]).score == 0
        assert bf.nps([9]).score == 100

    def test_margin_of_error(self) -> None:
        """p=.5, d=.2, n=100: var = .7 - .09 = .61; MOE = 1.96 * sqrt(.0061) * 100 = 15.31."""
        r = bf.NPSResult.from_counts(50, 30, 20)
        assert r.margin_of_error == pytest.approx(1.959964 * math.sqrt(0.0061) * 100, rel=1e-6)
        assert r.interval == pytest.approx((30 - 15.3077, 30 + 15.3077), abs=1e-3)

    def test_other_confidence(self) -> None:
        """At 90% the z is 1.6449 instead of 1.96."""
        r = bf.NPSResult.from_counts(50, 30, 20, confidence=0.90)
        assert r.margin_of_error == pytest.approx(1.644854 * math.sqrt(0.0061) * 100, rel=1e-6)

    def test_interval_is_clipped(self) -> None:
        """All promoters of 3: the interval may not pass +100."""
        r = bf.nps([10, 9, 10], method="adjusted_wald")
        assert r.interval[1] == 100.0
        assert r.score == 100.0

    def test_adjusted_wald(self) -> None:
        """n=10, P=8, D=1: n'=13, p'=8.75/13, d'=1.75/13; centre 53.85, var .8077-.2899."""
        r = bf.NPSResult.from_counts(8, 1, 1, method="adjusted_wald")
        p, d = 8.75 / 13, 1.75 / 13
        half = 1.959964 * math.sqrt((p + d - (p - d) ** 2) / 13) * 100
        assert r.score == 70.0
        assert r.interval == pytest.approx((100 * (p - d) - half, min(100, 100 * (p - d) + half)))
        assert r.margin_of_error == pytest.approx(half)

    @pytest.mark.parametrize(
        ("scores", "path"),
        [
            ([10, 9, True], "scores[2]"),
            ([10, 9.0], "scores[1]"),
            (["10"], "scores[0]"),
            ([10, 11], "scores[1]"),
            ([-1], "scores[0]"),
            ([None], "scores[0]"),
        ],
    )
    def test_bad_scores_are_located(self, scores: list[Any], path: str) -> None:
        """bool, float, str, out-of-range and None raise with the index."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.nps(scores)
        assert info.value.path == path

    def test_no_scores(self) -> None:
        """An empty input is an error, not a division by zero."""
        with pytest.raises(bf.InvalidInputError):
            bf.nps([])

    def test_generator_input(self) -> None:
        """Any iterable works, including a one-shot generator."""
        assert bf.nps(s for s in [10, 0]).score == 0

    def test_bad_options(self) -> None:
        """Confidence outside (0,1) and unknown methods are refused."""
        with pytest.raises(bf.InvalidInputError):
            bf.nps([10], confidence=95)
        with pytest.raises(bf.InvalidInputError):
            bf.nps([10], method="wilson")


class TestPlanning:
    def test_sample_size_worst_case(self) -> None:
        """+-5 points, 95%, variance 1: (1.96 * 100 / 5)^2 = 1536.6 -> 1537."""
        assert bf.nps_sample_size(5) == 1537

    def test_sample_size_with_expected_shares(self) -> None:
        """With 40% promoters and 20% detractors the variance is .56: 860.5 -> 861."""
        assert bf.nps_sample_size(5, expected=(0.4, 0.2)) == 861

    def test_detectable_change(self) -> None:
        """400 vs 400, 95%, power .8: (1.96 + 0.8416) * sqrt(2/400) * 100 = 19.81."""
        assert bf.nps_detectable_change(400, 400) == pytest.approx(19.81, abs=0.01)

    def test_planning_input(self) -> None:
        """Bad margins, sizes and shares are refused."""
        with pytest.raises(bf.InvalidInputError):
            bf.nps_sample_size(0)
        with pytest.raises(bf.InvalidInputError):
            bf.nps_sample_size(5, expected=(0.7, 0.5))
        with pytest.raises(bf.InvalidInputError):
            bf.nps_detectable_change(0, 10)


class TestCompare:
    def test_hand_worked_comparison(self) -> None:
        """A: n=200, NPS 20, var .56; B: n=250, NPS 36, var .4704.
        SE = 100 * sqrt(.56/200 + .4704/250) = 6.842; z = 2.338; p = 0.0194."""
        a = bf.NPSResult.from_counts(80, 80, 40)
        b = bf.NPSResult.from_counts(120, 100, 30)
        c = bf.compare_nps(a, b)
        assert c.difference == 16.0
        assert c.standard_error == pytest.approx(6.842, abs=1e-3)
        assert c.p_value == pytest.approx(0.0194, abs=2e-4)
        assert c.significant
        assert "higher" in c.verdict and "unlikely to be chance" in c.verdict

    def test_small_difference_is_not_significant(self) -> None:
        """Two samples of 50, 10 points apart: could well be chance."""
        c = bf.compare_nps(
            bf.NPSResult.from_counts(25, 15, 10), bf.NPSResult.from_counts(30, 10, 10)
        )
        assert not c.significant
        assert "could well be chance" in c.verdict

    def test_compare_refuses_other_types(self) -> None:
        """Both sides must be NPSResults."""
        with pytest.raises(bf.InvalidInputError):
            bf.compare_nps([10], bf.nps([9]))  # type: ignore[arg-type]


class TestWhatItTakes:
    def test_hand_worked(self) -> None:
        """n=200, P=80, D=40 (NPS 20) to 30: P-D must reach 60, so 20 single-step
        conversions or 10 detractors made promoters."""
        w = bf.nps_what_it_takes(bf.NPSResult.from_counts(80, 80, 40), 30)
        assert (w.detractors_to_passives, w.passives_to_promoters) == (20, 20)
        assert w.detractors_to_promoters == 10
        assert not w.reached and w.gap == 10

    def test_not_enough_detractors(self) -> None:
        """Only 2 detractors: turning them passive cannot add 5 steps."""
        w = bf.nps_what_it_takes(bf.NPSResult.from_counts(3, 5, 2), 80)
        # P-D = 1, needed 8 -> 7 steps: passives (5) are too few as well
        assert w.detractors_to_passives is None
        assert w.passives_to_promoters is None
        assert w.detractors_to_promoters is None

    def test_already_there(self) -> None:
        """A target at or below the score needs nothing."""
        w = bf.nps_what_it_takes(bf.nps([10, 10, 0]), 20)
        assert w.reached and w.detractors_to_passives == 0

    @given(score_lists, st.integers(min_value=-100, max_value=100))
    def test_conversions_reach_the_target_and_no_fewer_do(
        self, scores: list[int], target: int
    ) -> None:
        """Applying the suggested conversions reaches the target; one fewer does not."""
        r = bf.nps(scores)
        w = bf.nps_what_it_takes(r, target)
        k = w.passives_to_promoters
        if k is not None and k > 0:
            after = bf.NPSResult.from_counts(r.promoters + k, r.passives - k, r.detractors)
            before = bf.NPSResult.from_counts(r.promoters + k - 1, r.passives - k + 1, r.detractors)
            assert after.score >= target - 1e-9
            assert before.score < target


class TestAccounts:
    def test_each_account_one_vote(self) -> None:
        """Acme (10, 3) is 0; Nova (9) is +100: mean +50; weighted 3:1 gives +25."""
        rs = [
            bf.Response(10, account="Acme"),
            bf.Response(3, account="Acme"),
            bf.Response(9, account="Nova"),
        ]
        assert bf.account_nps(rs).score == 50
        assert bf.account_nps(rs, weights={"Acme": 3, "Nova": 1}).score == 25

    def test_missing_account_and_weight(self) -> None:
        """A response without account, or an account without weight, is located."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.account_nps([bf.Response(10, account="A"), bf.Response(9)])
        assert info.value.path == "responses[1].account"
        with pytest.raises(bf.InvalidInputError) as info:
            bf.account_nps([bf.Response(10, account="A")], weights={"B": 1})
        assert info.value.path == "weights['A']"

    def test_spellings_of_one_company_are_one_account(self) -> None:
        """``Acme, S.L.``, ``ACME SL`` and ``acmé`` join as match_accounts joins them: one
        account (10, 3, 9 -> 2 promoters, 1 detractor: +33.3) shown as first written;
        weights find it under any spelling. Nova (6) is -100: mean -33.3; 1:3 gives -66.7."""
        rs = [
            bf.Response(10, account="Acme, S.L."),
            bf.Response(3, account="ACME SL"),
            bf.Response(9, account="  acmé "),
            bf.Response(6, account="Nova Inc."),
        ]
        result = bf.account_nps(rs)
        assert dict(result.per_account) == pytest.approx({"Acme, S.L.": 100 / 3, "Nova Inc.": -100})
        assert (result.accounts, result.respondents) == (2, 4)
        assert bf.account_nps(rs, weights={"acme": 1, "NOVA": 3}).score == pytest.approx(
            (100 / 3 - 300) / 4
        )
        with pytest.raises(bf.InvalidInputError) as info:
            bf.account_nps(rs, weights={"Acme SL": 1, "ACME S.L.": 2, "Nova": 1})
        assert info.value.path == "weights['ACME S.L.']"

    @given(score_lists)
    def test_one_respondent_per_account_equals_respondent_level(self, scores: list[int]) -> None:
        """With one respondent per account, both levels agree, and the account margin is
        the Wald margin whenever the accounts' spread can be estimated."""
        rs = [bf.Response(s, account=f"A{i}") for i, s in enumerate(scores)]
        by_account = bf.account_nps(rs)
        plain = bf.nps(scores, method="wald")
        assert by_account.score == pytest.approx(plain.score, abs=1e-9)
        if by_account.margin_of_error is None:
            assert len(scores) < 2 or plain.variance == 0
        else:
            assert by_account.margin_of_error == pytest.approx(plain.margin_of_error, abs=1e-9)


T0 = datetime(2026, 1, 15, tzinfo=UTC)


def response(score: int, days: int, sector: str) -> bf.Response:
    return bf.Response(score, T0 + timedelta(days=days), {"sector": sector})


class TestReports:
    def test_by_segment_and_quarter(self) -> None:
        """Cells per sector x calendar quarter, each its own NPS; small cells flagged."""
        rs = [
            response(10, 0, "saas"),
            response(0, 10, "saas"),
            response(9, 100, "saas"),
            response(9, 5, "consulting"),
        ]
        report = bf.nps_report(rs, by="sector", period="quarter", min_n=2)
        cells = [(c.segment, c.period, c.result.score, c.small) for c in report.cells]
        assert cells == [
            ("consulting", "2026-Q1", 100.0, True),
            ("saas", "2026-Q1", 0.0, False),
            ("saas", "2026-Q2", 100.0, True),
        ]
        assert report.overall.n == 4
        assert report.cells[2].period_start == datetime(2026, 4, 1).date()

    def test_by_month_and_missing_segment(self) -> None:
        """Month labels; a response without the field goes to '(none)'."""
        rs = [response(10, 0, "saas"), bf.Response(0, T0 + timedelta(days=31))]
        report = bf.nps_report(rs, by="sector", period="month")
        assert [(c.segment, c.period) for c in report.cells] == [
            ("(none)", "2026-02"),
            ("saas", "2026-01"),
        ]

    def test_period_needs_time(self) -> None:
        """A response without a time cannot go in a period."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.nps_report([response(10, 0, "saas"), bf.Response(9)], period="month")
        assert info.value.path == "responses[1].at"

    def test_bad_response(self) -> None:
        """Response validates its score and time at construction."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Response(11)
        assert info.value.path == "response.score"
        with pytest.raises(bf.InvalidInputError):
            bf.Response(5, datetime(2026, 1, 1))
        with pytest.raises(bf.InvalidInputError):
            bf.Response(None)  # type: ignore[arg-type]

    @settings(max_examples=50)
    @given(score_lists, st.randoms(use_true_random=False))
    def test_report_cells_add_up_and_ignore_order(self, scores: list[int], rnd: Any) -> None:
        """Cells partition the responses; shuffling the input changes nothing."""
        rs = [response(s, i * 7 % 200, "ab"[i % 2]) for i, s in enumerate(scores)]
        report = bf.nps_report(rs, by="sector", period="quarter")
        assert sum(c.result.n for c in report.cells) == len(rs)
        shuffled = list(rs)
        rnd.shuffle(shuffled)
        assert bf.nps_report(shuffled, by="sector", period="quarter") == report


class TestEffort:
    def test_ces_hand_worked(self) -> None:
        """[7,6,5,2,7,4]: mean 31/6 = 5.167; 4 of 6 answers are 5 or more."""
        r = bf.ces([7, 6, 5, 2, 7, 4])
        assert r.mean == pytest.approx(31 / 6)
        assert (r.low_effort, r.low_effort_share) == (4, pytest.approx(4 / 6))
        sd = math.sqrt(sum((x - 31 / 6) ** 2 for x in [7, 6, 5, 2, 7, 4]) / 6)
        assert r.sd == pytest.approx(sd)

    def test_ces_scale(self) -> None:
        """0 and 8 are outside the 1..7 scale."""
        for bad in ([0], [8], [True]):
            with pytest.raises(bf.InvalidInputError):
                bf.ces(bad)

    def test_fcr_wilson(self) -> None:
        """3 of 4: rate .75; Wilson 95% interval (0.301, 0.954)."""
        r = bf.fcr([True, True, False, True])
        assert r.rate == 0.75
        assert r.interval == pytest.approx((0.3006, 0.9544), abs=1e-3)
        with pytest.raises(bf.InvalidInputError) as info:
            bf.fcr([True, 1])  # type: ignore[list-item]
        assert info.value.path == "outcomes[1]"

    def test_effort_and_fcr_reports(self) -> None:
        """Both metrics report by segment like NPS."""
        rs = [response(7, 0, "saas"), response(2, 1, "retail")]
        assert [c.result.mean for c in bf.ces_report(rs, by="sector").cells] == [2.0, 7.0]
        tickets = [
            bf.Ticket(True, segments={"team": "L1"}),
            bf.Ticket(False, segments={"team": "L1"}),
        ]
        assert bf.fcr_report(tickets, by="team").cells[0].result.rate == 0.5


class TestThemesAndBenchmarks:
    def test_themes_per_group_accent_and_case_insensitive(self) -> None:
        """Keywords match whole words, accents and case aside; '*' matches a prefix."""
        rs = [
            bf.Response(10, comment="La INTEGRACIÓN con SAP es excelente"),
            bf.Response(2, comment="precios altos"),
            bf.Response(8, comment="ok"),
            bf.Response(1, comment=""),
        ]
        t = bf.comment_themes(rs, {"integration": ["integracion"], "price": ["precio*"]})
        assert t.themes["promoters"]["integration"] == 1
        assert t.themes["detractors"]["price"] == 1
        assert dict(t.comments) == {"promoters": 1, "passives": 1, "detractors": 1}

    def test_bad_themes(self) -> None:
        """Themes must map names to non-empty keyword lists."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.comment_themes([bf.Response(9, comment="x")], {"price": []})
        assert info.value.path == "themes.price"

    def test_sector_positions(self) -> None:
        """+20 is above the SaaS average (+15) but below the consulting average (+22)."""
        saas = bf.nps_position(20, "saas")
        assert (saas.vs_average, saas.vs_leader, saas.vs_international) == (5, -25, -10)
        assert bf.nps_position(20, "consulting").label.startswith("below")
        assert bf.nps_position(50, "consulting").label.startswith("at or above")

    def test_shipped_table(self) -> None:
        """DOMAIN.md's table ships as data."""
        table = {b.sector: (b.average, b.leader, b.international) for b in bf.B2B_SPAIN_2024}
        assert table == {
            "saas": (15, 45, 30),
            "consulting": (22, 50, 35),
            "financial_services": (-1, 25, 34),
            "manufacturing": (8, 30, 20),
        }

    def test_user_benchmarks_and_unknown_sector(self) -> None:
        """A user's own benchmark replaces the table; an unknown sector lists the known."""
        mine = [bf.NPSBenchmark("logistics", 10, 40, 25)]
        assert bf.nps_position(40, "logistics", benchmarks=mine).label.startswith("at or above")
        with pytest.raises(bf.InvalidInputError) as info:
            bf.nps_position(10, "retail")
        assert "known: consulting, financial_services" in str(info.value)


@settings(max_examples=200)
@given(score_lists, st.randoms(use_true_random=False))
def test_score_bounds_order_and_interval(scores: list[int], rnd: Any) -> None:
    """The score lies in -100..100 and ignores order; a Wald interval contains it, an
    adjusted-Wald one (used below 30 answers) its shrunken centre."""
    r = bf.nps(scores)
    assert -100 <= r.score <= 100
    if r.method == "wald":
        assert r.interval[0] <= r.score <= r.interval[1]
    else:
        centre = 100 * (r.promoters - r.detractors) / (r.n + 3)
        assert r.interval[0] <= centre <= r.interval[1]
        assert r.interval[1] > r.interval[0]
    shuffled = list(scores)
    rnd.shuffle(shuffled)
    assert bf.nps(shuffled) == r


class TestIntegralFloatResponses:
    """A response score held as an integral float (a pandas column with gaps) is that integer."""

    @pytest.mark.parametrize("value", [9.0, 0.0, 10.0])
    def test_integral_floats_are_integers(self, value: float) -> None:
        """``Response(9.0).score`` is the int 9 and counts as a promoter."""
        response = bf.Response(value)
        assert type(response.score) is int and response.score == int(value)

    def test_numpy_floats(self) -> None:
        """numpy's float scalars read the same way."""
        np = pytest.importorskip("numpy")
        assert bf.Response(np.float64(7.0)).score == 7
        assert bf.Response(np.float32(10.0)).score == 10

    @pytest.mark.parametrize("value", [9.5, float("nan"), float("inf"), "9", True, 11.0])
    def test_other_values_still_refused(self, value: object) -> None:
        """Fractions, NaN, text, booleans and out-of-range wholes are refused with a path."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Response(value)  # type: ignore[arg-type]
        assert info.value.path == "response.score"
