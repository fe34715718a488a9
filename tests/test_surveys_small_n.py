"""NPS, CES and comparisons stay honest at small n; wrong types and far dates are refused
or work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import b2bfunnel as bf


def test_one_answer_each_is_not_significant() -> None:
    """1 response vs 1 response: no p-value, never "unlikely to be chance"."""
    c = bf.compare_nps(bf.nps([10]), bf.nps([0]))
    assert c.p_value is None and c.interval is None
    assert not c.significant
    assert "cannot conclude" in c.verdict and "unlikely to be chance" not in c.verdict
    assert c.to_dict()["p_value"] is None


def test_zero_variance_is_not_significant_at_any_n() -> None:
    """All promoters (variance 0) against a mixed sample: spread unknown, no verdict."""
    c = bf.compare_nps(bf.nps([10] * 100), bf.nps([10, 0] * 50))
    assert c.p_value is None and not c.significant
    assert "one category" in c.verdict


def test_enough_answers_still_get_a_p_value() -> None:
    """From 30 answers a side with spread, the normal test is used as before."""
    c = bf.compare_nps(bf.nps([10, 0, 8] * 10), bf.nps([10, 10, 8] * 10))
    assert c.p_value is not None and 0 <= c.p_value <= 1


def test_one_answer_has_an_interval() -> None:
    """nps([10]) is not +-0: below 30 answers the adjusted-Wald interval is used, and
    the result says so."""
    r = bf.nps([10])
    assert r.margin_of_error > 30
    assert r.interval[0] < 0 < r.interval[1]
    assert r.method == "adjusted_wald" and "adjusted-Wald" in r.note


def test_adjusted_wald_hand_computed() -> None:
    """n=1 promoter: n~=4, p~=1.75/4, d~=0.75/4; centre 25, var 0.625 - 0.0625."""
    r = bf.nps([10])
    half = 100 * 1.959963984540054 * (0.5625 / 4) ** 0.5
    assert r.interval == pytest.approx((25 - half, 25 + half))


def test_from_thirty_answers_wald_is_kept() -> None:
    """The documented threshold: 30 answers with spread use the Wald interval."""
    assert bf.nps([10, 0, 8] * 10).method == "wald"
    assert bf.nps([10, 0, 8] * 9 + [10, 0]).method == "adjusted_wald"
    assert bf.nps([10] * 100).method == "adjusted_wald"


def test_one_account_of_thirty_respondents() -> None:
    """One account: the spread between accounts is unknown, not +-0."""
    r = bf.account_nps([bf.Response(9, account="Acme")] * 30)
    assert r.margin_of_error is None and r.interval is None
    assert "one account" in r.note
    assert r.to_dict()["interval"] is None


def test_ces_at_one_answer() -> None:
    """CES of one answer has no interval of the mean (and says why); the Wilson
    interval of the share stays defined."""
    r = bf.ces([6])
    assert r.interval is None and "one answer" in r.note
    assert r.share_interval[0] < 1 == r.share_interval[1]


def test_power_below_alpha_is_refused() -> None:
    """A power below the significance level gave -15.98 points; now it is refused."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.nps_detectable_change(100, 100, power=0.001)
    assert info.value.path == "power"
    assert bf.nps_detectable_change(100, 100, power=0.05) > 0


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda: bf.nps(None), "scores"),
        (lambda: bf.nps(7), "scores"),
        (lambda: bf.ces(None), "scores"),
        (lambda: bf.fcr(None), "outcomes"),
        (lambda: bf.Ticket(0), "ticket.first_contact_resolved"),
        (lambda: bf.nps_report(None), "responses"),
    ],
)
def test_wrong_types_are_invalid_input(call: Any, path: str) -> None:
    """Wrong Python types raise InvalidInputError with a path, not TypeError."""
    with pytest.raises(bf.InvalidInputError) as info:
        call()
    assert info.value.path == path


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_report_in_the_last_period_of_9999(period: str) -> None:
    """An answer in December 9999 is reported, not a crash past year 9999."""
    report = bf.nps_report([bf.Response(9, datetime(9999, 12, 5, tzinfo=UTC))], period=period)
    assert report.cells[0].period in ("9999-12", "9999-Q4")


def test_numpy_scores_read_as_scores() -> None:
    """A pandas/numpy integer column is scores, not wrong types; a float is still refused."""
    np = pytest.importorskip("numpy")
    assert bf.nps(np.array([10, 9, 3])) == bf.nps([10, 9, 3])
    assert type(bf.Response(np.int64(9)).score) is int
    with pytest.raises(bf.InvalidInputError):
        bf.nps([np.float64(9.0)])
