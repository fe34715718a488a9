"""Pipeline tallies merge exactly: figures from merged partitions equal those of all rows."""

from __future__ import annotations

from datetime import timedelta
from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import EPOCH, crm_journeys, lead_partitions

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
