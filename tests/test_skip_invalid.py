"""``skip_invalid=True`` skips every kind of bad row, those refused by the checks made
after reading included (a won deal without its close date, a close before the
creation, stages out of order, an account outcome without its time): each such row is
refused at its location without the option, and with it the result is the result of
the table without that row."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import b2bfunnel as bf
from b2bfunnel.cli import main
from b2bfunnel.pipeline import FunnelTally, PathCounts


def t(day: int) -> datetime:
    return datetime(2026, 11, day, tzinfo=UTC)


TOUCHES = [
    {"lead_id": "a", "channel": "email", "at": t(1)},
    {"lead_id": "a", "channel": "ads", "at": t(2)},
    {"lead_id": "b", "channel": "ads", "at": t(2)},
    {"lead_id": "c", "channel": "webinar", "at": t(3)},
]
GOOD_DEALS = [
    {"lead_id": "a", "amount": "1000", "outcome": "won",
     "created_at": "2026-11-02T00:00:00+00:00", "closed_at": "2026-11-10T00:00:00+00:00"},
    {"lead_id": "c", "amount": "300", "outcome": "lost",
     "created_at": "2026-11-04T00:00:00+00:00", "closed_at": "2026-11-06T00:00:00+00:00"},
]  # fmt: skip
# Deals each reader takes (a cell is well formed) that the deal checks refuse.
NO_CLOSE = {"lead_id": "b", "amount": "500", "outcome": "won",
            "created_at": "2026-11-03T00:00:00+00:00"}  # fmt: skip
CLOSED_BEFORE = {**NO_CLOSE, "closed_at": "2026-11-01T00:00:00+00:00"}
BAD_DEALS = {
    "won without closed_at": (NO_CLOSE, "deals[1].closed_at", "timezone-aware datetime"),
    "closed before created": (CLOSED_BEFORE, "deals[1].closed_at", "before created_at"),
}


def with_bad(bad: dict[str, Any]) -> list[dict[str, Any]]:
    """The good deals with ``bad`` second, so its location is ``deals[1]``."""
    return [GOOD_DEALS[0], bad, GOOD_DEALS[1]]


def python_values(deal: dict[str, Any]) -> dict[str, Any]:
    """The deal as Python values (datetimes, a Decimal amount), as an API user holds it."""
    out: dict[str, Any] = {**deal, "amount": Decimal(deal["amount"])}
    for key in ("created_at", "closed_at"):
        if key in deal:
            out[key] = datetime.fromisoformat(deal[key])
    return out


@pytest.mark.parametrize("case", BAD_DEALS)
@pytest.mark.parametrize("as_values", [False, True], ids=["text", "values"])
def test_attribute_skips_a_deal_the_checks_refuse(case: str, as_values: bool) -> None:
    bad, where, message = BAD_DEALS[case]
    deals = with_bad(bad)
    if as_values:
        deals = [python_values(d) for d in deals]
    with pytest.raises(bf.InvalidInputError) as refused:
        bf.attribute(TOUCHES, deals)
    assert refused.value.path == where
    assert message in str(refused.value)
    skipped = bf.attribute(TOUCHES, deals, skip_invalid=True)
    without = bf.attribute(TOUCHES, [deals[0], deals[2]])
    assert skipped.notes == ("skipped 1 bad deal (skip_invalid=True)",)
    assert attrs.evolve(skipped, notes=without.notes) == without
    # By hand: the one won deal (lead a: email then ads) is all the revenue.
    assert skipped.revenue == 1000
    assert skipped.totals["linear"] == {"email": 500, "ads": 500}


@pytest.mark.parametrize("case", BAD_DEALS)
def test_path_counts_skip_a_deal_the_checks_refuse(case: str) -> None:
    bad, where, _ = BAD_DEALS[case]
    deals = with_bad(bad)
    with pytest.raises(bf.InvalidInputError) as refused:
        PathCounts.from_touches(TOUCHES, deals, as_of=t(20))
    assert refused.value.path == where
    skipped = PathCounts.from_touches(TOUCHES, deals, as_of=t(20), skip_invalid=True)
    assert skipped == PathCounts.from_touches(TOUCHES, [deals[0], deals[2]], as_of=t(20))
    assert skipped != PathCounts.from_touches(
        TOUCHES,
        [deals[0], {**NO_CLOSE, "closed_at": "2026-11-09T00:00:00+00:00"}, deals[2]],
        as_of=t(20),
    )


@pytest.mark.parametrize("case", BAD_DEALS)
def test_velocity_skips_a_deal_the_checks_refuse(case: str) -> None:
    bad, where, _ = BAD_DEALS[case]
    deals = with_bad(bad)
    with pytest.raises(bf.InvalidInputError) as refused:
        bf.velocity_from_deals(deals, as_of=t(20))
    assert refused.value.path == where
    skipped = bf.velocity_from_deals(deals, as_of=t(20), skip_invalid=True)
    without = bf.velocity_from_deals([deals[0], deals[2]], as_of=t(20))
    assert "skipped 1 bad deal (skip_invalid=True)" in skipped.notes
    assert skipped.win_rate == without.win_rate == Decimal("0.5")  # one won, one lost


LIFECYCLE = [
    {"lead_at": "2026-11-01T00:00:00+00:00", "mql_at": "2026-11-03T00:00:00+00:00"},
    # Read well, refused by the checks: the MQL date precedes the lead date.
    {"lead_at": "2026-11-05T00:00:00+00:00", "mql_at": "2026-11-03T00:00:00+00:00",
     "rejection_reason": "no budget"},
    {"lead_at": "2026-11-02T00:00:00+00:00", "mql_at": "2026-11-06T00:00:00+00:00",
     "sql_at": "2026-11-07T00:00:00+00:00"},
]  # fmt: skip


def test_funnel_metrics_skip_a_record_with_stages_out_of_order() -> None:
    with pytest.raises(bf.InvalidInputError) as refused:
        bf.funnel_metrics(LIFECYCLE)
    assert refused.value.path == "records[1].mql_at"
    assert "is before lead_at" in str(refused.value)
    skipped = bf.funnel_metrics(LIFECYCLE, skip_invalid=True)
    assert skipped == bf.funnel_metrics([LIFECYCLE[0], LIFECYCLE[2]])
    # By hand: two records, both MQLs, one SQL; the refused one's reason is not counted.
    assert skipped.records == 2
    assert dict(skipped.rejection_reasons) == {}


def test_funnel_tally_skips_a_record_with_stages_out_of_order() -> None:
    with pytest.raises(bf.InvalidInputError):
        FunnelTally.of(LIFECYCLE)
    skipped = FunnelTally.of(LIFECYCLE, skip_invalid=True)
    assert skipped == FunnelTally.of([LIFECYCLE[0], LIFECYCLE[2]])


LEADS = [
    {"id": "A1", "email": "a1@alpha.es"},
    {"id": "B1", "email": "b1@beta.es"},
    {"id": "G1", "email": "g1@gamma.es"},
]
CUTOFF = t(1)
EVENTS = [
    bf.Event(lead, "webinar_completed", CUTOFF - timedelta(days=1)) for lead in ("A1", "B1", "G1")
]
OUTCOMES = [
    {"account_id": "alpha.es", "outcome": "won", "closed_at": t(5)},
    # A won deal without its close date: when the account converted is unknown.
    {"account_id": "beta.es", "outcome": "won", "closed_at": None},
    {"account_id": "gamma.es", "outcome": "lost", "closed_at": t(6)},
]


def account_eval(outcomes: list[dict[str, Any]], **options: Any) -> bf.Evaluation:
    return bf.evaluate(
        bf.ScoringModel.default(),
        LEADS,
        EVENTS,
        outcomes,
        cutoff=CUTOFF,
        horizon_days=20,
        data_end=t(30),
        level="account",
        **options,
    )


def test_evaluate_by_account_skips_a_won_deal_without_its_close_date() -> None:
    with pytest.raises(bf.InvalidInputError) as refused:
        account_eval(OUTCOMES)
    assert refused.value.path == "outcomes[1].closed_at"
    skipped = account_eval(OUTCOMES, skip_invalid=True)
    without = account_eval([OUTCOMES[0], OUTCOMES[2]])
    assert skipped == without
    # By hand: only alpha converted in the horizon.
    labels = dict(zip(skipped.lead_ids, skipped.labels, strict=True))
    assert labels == {"alpha.es": True, "beta.es": False, "gamma.es": False}


def test_cli_attribution_skips_a_won_deal_without_its_close_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "lead_id,channel,at\na,email,2026-11-01T00:00:00+00:00\nb,ads,2026-11-02T00:00:00+00:00\n",
        encoding="utf-8",
    )
    header = "lead_id,amount,outcome,created_at,closed_at\n"
    good = "a,1000,won,2026-11-02T00:00:00+00:00,2026-11-10T00:00:00+00:00\n"
    deals = tmp_path / "deals.csv"
    deals.write_text(header + good + "b,500,won,2026-11-03T00:00:00+00:00,\n", encoding="utf-8")
    only_good = tmp_path / "good.csv"
    only_good.write_text(header + good, encoding="utf-8")

    def run(deals_file: Path, *options: str) -> tuple[int, str]:
        out = io.StringIO()
        argv = ["attribution", str(touches), str(deals_file), "--format", "json", *options]
        return main(argv, out=out), out.getvalue()

    status, _ = run(deals)
    assert status == 2
    assert f"{deals}:3:closed_at" in capsys.readouterr().err
    status, skipped = run(deals, "--skip-invalid")
    assert status == 0
    assert f"{deals}: skipped 1 bad deal (--skip-invalid)" in capsys.readouterr().err
    status, reference = run(only_good)
    assert status == 0
    got, want = json.loads(skipped), json.loads(reference)
    assert got.pop("notes") == ["skipped 1 bad deal (skip_invalid=True)"]
    want.pop("notes")
    assert got == want
    assert got["totals"]["linear"] == {"email": "1000.00"}
