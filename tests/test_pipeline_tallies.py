"""Pipeline tallies merge exactly: figures from merged partitions equal those of all rows."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import EPOCH, crm_journeys, lead_partitions, lifecycle_records, partitions

import b2bfunnel as bf

AS_OF = EPOCH + timedelta(days=400)


@given(crm_journeys(max_leads=6), st.data())
def test_merged_path_counts_from_touches_give_attributes_markov_effects(
    journeys: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject
) -> None:
    """Path counts of touches and deals split by lead into up to 8 parts, merged, give the
    removal effects of attribute()'s Markov model on all the rows."""
    touches, deals = journeys
    quiet = data.draw(st.sampled_from([None, 30, 90]))
    lookback = data.draw(st.sampled_from([None, 10, 90]))
    options: dict[str, Any] = {
        "lookback_days": lookback,
        "non_converting_after_days": quiet,
        "as_of": AS_OF,
    }
    parts = data.draw(lead_partitions(touches, deals))
    merged = reduce(
        lambda a, b: a.merge(b), [bf.PathCounts.from_touches(t, d, **options) for t, d in parts]
    )
    report = bf.attribute(touches, deals, models=["markov"], **options)
    assert merged == bf.PathCounts.from_touches(touches, deals, **options)
    assert merged.removal_effects() == dict(report.removal_effects)


def test_quiet_journeys_need_an_explicit_as_of() -> None:
    """Without as_of each partition would judge quietness by its own latest time: refused."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.PathCounts.from_touches([], [])
    assert info.value.path == "as_of"
    assert bf.PathCounts.from_touches([], [], non_converting_after_days=None).steps == ()


def _merged(tallies: list[Any]) -> Any:
    return reduce(lambda a, b: a.merge(b), tallies)


@given(crm_journeys(max_leads=6), st.data())
def test_merged_velocity_tallies_equal_velocity_of_all_deals(
    journeys: tuple[list[dict[str, Any]], list[dict[str, Any]]], data: st.DataObject
) -> None:
    """Deals split into up to 8 parts (a lead's deals anywhere), tallied and merged in
    any order, give velocity_from_deals() of every deal, Decimal for Decimal."""
    _, deals = journeys
    as_of = EPOCH + timedelta(days=data.draw(st.integers(0, 250)))
    window = data.draw(st.sampled_from([None, 30, timedelta(days=90)]))
    parts = data.draw(partitions(deals))
    tallies = [bf.VelocityTally.of(p, as_of=as_of, window=window) for p in parts]
    merged = _merged(tallies)
    assert merged == _merged(tallies[::-1])
    assert merged.report() == bf.velocity_from_deals(deals, as_of=as_of, window=window)


def test_velocity_sums_keep_every_digit() -> None:
    """Won amounts of 30 significant digits add exactly, in whatever order the
    partitions come (a 28-digit context would round the sum)."""
    at = EPOCH + timedelta(days=1)
    big = {"created_at": EPOCH, "closed_at": at, "outcome": "won"}
    deals = [{**big, "amount": Decimal("1" * 30)}, {**big, "amount": Decimal("0.000001")}]
    tallies = [bf.VelocityTally.of([d], as_of=at) for d in deals]
    assert _merged(tallies).won_value == Decimal("111111111111111111111111111111.000001")
    assert bf.velocity_from_deals(deals, as_of=at) == _merged(tallies).report()


def test_velocity_tallies_of_other_dates_do_not_merge() -> None:
    """A tally as of another day (or another window) is refused, naming ``other``."""
    one = bf.VelocityTally.of([], as_of=AS_OF)
    with pytest.raises(bf.InvalidInputError) as info:
        one.merge(bf.VelocityTally.of([], as_of=AS_OF + timedelta(days=1)))
    assert info.value.path == "other"
    with pytest.raises(bf.InvalidInputError):
        one.merge(bf.VelocityTally.of([], as_of=AS_OF, window=30))


@given(st.lists(lifecycle_records(), max_size=25), st.data())
def test_merged_funnel_tallies_equal_funnel_metrics_of_all_records(
    records: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Lifecycle records split into up to 8 parts, tallied and merged, give
    funnel_metrics() of every record: counts, rates, intervals, medians, p90s, reasons."""
    sla = data.draw(st.sampled_from([timedelta(hours=24), timedelta(hours=5)]))
    parts = data.draw(partitions(records))
    tallies = [bf.FunnelTally.of(p, sla=sla) for p in parts]
    merged = _merged(tallies)
    assert merged == _merged(tallies[::-1])
    assert merged.metrics(confidence=0.9) == bf.funnel_metrics(records, sla=sla, confidence=0.9)


def test_funnel_tallies_with_another_sla_do_not_merge() -> None:
    """The SLA is part of what is counted: tallies under different SLAs are refused."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.FunnelTally.of([]).merge(bf.FunnelTally.of([], sla=timedelta(hours=2)))
    assert info.value.path == "other"
    with pytest.raises(bf.InvalidInputError) as info:
        bf.FunnelTally(timedelta(hours=1), 0, (0,) * 5, ((),) * 5, 0, 0, 0, [("a", "b", 0)])
    assert info.value.path == "reasons"


def test_tally_values_refuse_bad_fields_with_a_path() -> None:
    """Built by hand, a tally checks each field: a float sum of money, a negative count,
    a naive as_of and a stage count missing are refused, naming the field."""
    good = {
        "as_of": AS_OF,
        "since": None,
        "opportunities": 1,
        "won": 1,
        "lost": 0,
        "won_value": Decimal("10.00"),
        "cycle_seconds": 86_400,
    }
    assert bf.VelocityTally(**good).report().avg_deal_value == Decimal("10.00")
    for field, bad in [
        ("won_value", 10.0),
        ("lost", -1),
        ("as_of", AS_OF.replace(tzinfo=None)),
        ("cycle_seconds", 1.5),
    ]:
        with pytest.raises(bf.InvalidInputError) as info:
            bf.VelocityTally(**{**good, field: bad})
        assert info.value.path == field
    with pytest.raises(bf.InvalidInputError) as info:
        bf.FunnelTally(timedelta(hours=1), 0, (0,) * 4, ((),) * 5, 0, 0, 0, ())
    assert info.value.path == "reached"


def test_tallies_read_dataframes_as_the_figures_do() -> None:
    """A DataFrame of deals (NaT for an open deal's close, numpy numbers) tallies as its
    rows do, and the merged report equals velocity_from_deals of the frame."""
    pd = pytest.importorskip("pandas")
    deals = [
        {
            "created_at": EPOCH,
            "closed_at": EPOCH + timedelta(days=3),
            "amount": 120,
            "outcome": "won",
        },
        {"created_at": EPOCH, "closed_at": None, "amount": 80, "outcome": "open"},
    ]
    frame = pd.DataFrame(deals)
    as_of = EPOCH + timedelta(days=5)
    from_frame = bf.VelocityTally.of(frame, as_of=as_of)
    assert from_frame == bf.VelocityTally.of(deals, as_of=as_of)
    assert from_frame.report() == bf.velocity_from_deals(frame, as_of=as_of)
