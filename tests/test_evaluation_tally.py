"""Evaluation tallies merge exactly: merged partitions evaluate as all the leads do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import reduce
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import partitions

import b2bfunnel as bf

CUTOFF = datetime(2026, 3, 1, tzinfo=UTC)
END = CUTOFF + timedelta(days=200)
DECAYED = bf.ScoringModel.from_dict(
    {
        "explicit": [{"name": "fit", "points": 30, "when": {"field": "fit", "eq": True}}],
        "implicit": [{"name": "visit", "event": "visit", "points": 10}],
        "decay": {"kind": "half_life", "half_life_days": 14},
    }
)

# A lead: fit or not, visits this many whole days before the cutoff (equal visit days
# give tied scores), and when it converted (days after the cutoff; negative: before it).
lead_shapes = st.tuples(
    st.booleans(),
    st.lists(st.sampled_from([1, 2, 5, 30]), max_size=4),
    st.one_of(st.none(), st.integers(-5, 150)),
)


def _rows(shapes: list[Any], first: int = 0) -> tuple[list[Any], list[Any], list[Any]]:
    profiles: list[dict[str, Any]] = []
    events: list[bf.Event] = []
    outcomes: list[dict[str, Any]] = []
    for i, (fit, visits, converted) in enumerate(shapes, start=first):
        lead = f"L{i:03d}"
        profiles.append({"id": lead, "fit": fit})
        events.extend(bf.Event(lead, "visit", CUTOFF - timedelta(days=d)) for d in visits)
        if converted is not None:
            outcomes.append({"lead_id": lead, "at": CUTOFF + timedelta(days=converted, hours=1)})
    return profiles, events, outcomes


def _evaluate(shapes: list[Any], first: int = 0) -> bf.Evaluation:
    return bf.evaluate(DECAYED, *_rows(shapes, first), cutoff=CUTOFF, data_end=END)


def _figures(e: bf.Evaluation) -> tuple[Any, ...]:
    return (
        e.n,
        e.positives,
        e.excluded,
        e.auc,
        e.auc_interval,
        e.ks,
        e.ks_score,
        dict(e.by_band),
        dict(e.by_grade),
        e.deciles,
        e.warnings,
    )


# Small populations, and ones large enough for a DeLong interval (10 of each outcome).
populations = st.one_of(
    st.lists(lead_shapes, min_size=1, max_size=12),
    st.lists(lead_shapes, min_size=25, max_size=60),
)


@settings(deadline=None, max_examples=60)
@given(populations, st.data())
def test_merged_evaluation_tallies_equal_evaluate_on_all_leads(
    shapes: list[Any], data: st.DataObject
) -> None:
    """Leads split into up to 8 partitions, each evaluated and tallied, merged in any
    order: AUC (ties ½), its DeLong interval, KS, deciles and band and grade rates equal
    evaluate() on all the leads (to 1e-12; in fact to the bit)."""
    numbered = list(enumerate(shapes))
    parts = data.draw(partitions(numbered))
    tallies = [
        bf.EvaluationTally.of(_evaluate([s for _, s in part], part[0][0] if part else 0))
        for part in parts
    ]
    merged = reduce(lambda a, b: a.merge(b), tallies)
    assert merged == reduce(lambda a, b: a.merge(b), tallies[::-1])
    whole = _evaluate(shapes)
    got = merged.evaluation()
    assert got.auc == pytest.approx(whole.auc, abs=1e-12)
    assert _figures(got) == _figures(whole)


def test_placements_from_counts_match_row_by_row() -> None:
    """Tied scores across partitions: a converter and a non-converter sharing a score in
    different parts still count ½ a pair once merged."""
    fit_visit = (True, [1], 10)
    shapes = [fit_visit, (True, [1], None), (False, [], None), (False, [2], 3)] * 3
    halves = [
        bf.EvaluationTally.of(_evaluate(shapes[:5])),
        bf.EvaluationTally.of(_evaluate(shapes[5:], 5)),
    ]
    got = halves[0].merge(halves[1]).evaluation()
    whole = _evaluate(shapes)
    assert (got.auc, got.auc_interval, got.ks) == (whole.auc, whole.auc_interval, whole.ks)
    assert (got.n, got.positives, got.deciles) == (whole.n, whole.positives, whole.deciles)


def test_an_evaluation_from_a_tally_refuses_what_needs_rows() -> None:
    """psi, crossings and threshold_for need the rows: refused, not answered from none."""
    got = bf.EvaluationTally.of(_evaluate([(True, [1], 10), (False, [], None)])).evaluation()
    for call in (
        lambda: got.threshold_for(rate=0.5),
        lambda: got.crossings(30),
        lambda: got.psi(got),
    ):
        with pytest.raises(bf.InvalidInputError, match="needs the rows") as info:
            call()
        assert info.value.path == "evaluation"


def test_tallies_of_other_cutoffs_and_pooled_backtests_are_refused() -> None:
    """A tally is of one cutoff: another cutoff does not merge, a pooled one is refused."""
    shapes = [(True, [1], 10), (False, [], None)]
    one = bf.EvaluationTally.of(_evaluate(shapes))
    later = bf.evaluate(DECAYED, *_rows(shapes), cutoff=CUTOFF + timedelta(days=1), data_end=END)
    with pytest.raises(bf.InvalidInputError) as info:
        one.merge(bf.EvaluationTally.of(later))
    assert info.value.path == "other"
    pooled = bf.evaluate(
        DECAYED, *_rows(shapes), cutoffs=[CUTOFF, CUTOFF + timedelta(days=1)], data_end=END
    )
    with pytest.raises(bf.InvalidInputError, match="one cutoff"):
        bf.EvaluationTally.of(pooled)


def test_ks_score_does_not_depend_on_row_order() -> None:
    """With no gap between converters and non-converters anywhere, KS is 0 at the top
    score, whichever row comes first (it was the first row's score)."""
    from b2bfunnel.evaluation._metrics import ks_statistic

    assert ks_statistic([1, 2, 1, 2], [True, False, False, True]) == (0.0, 2)
    assert ks_statistic([2, 1, 2, 1], [True, False, False, True]) == (0.0, 2)


def test_a_tally_built_by_hand_checks_its_fields() -> None:
    """Cells, groups and the horizon are checked: a NaN score, more conversions than
    leads and a zero horizon are refused, each naming its field."""
    good: dict[str, Any] = {
        "cutoff": CUTOFF,
        "horizon_days": 90,
        "cells": [(10.0, 1, 0), (5.0, 0, 1)],
        "bands": [("hot", 1, 1), ("cold", 1, 0)],
        "grades": [],
    }
    assert bf.EvaluationTally(**good).evaluation().auc == 1.0
    for field, bad in [
        ("cells", [(float("nan"), 1, 0)]),
        ("bands", [("hot", 1, 2)]),
        ("horizon_days", 0),
    ]:
        with pytest.raises(bf.InvalidInputError) as info:
            bf.EvaluationTally(**{**good, field: bad})
        assert info.value.path == field
