"""Survey tallies merge exactly: figures from merged tallies equal those of all answers."""

from __future__ import annotations

from functools import reduce
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf

nps_answers = st.lists(st.integers(0, 10), min_size=1, max_size=60)
ces_answers = st.lists(st.integers(1, 7), min_size=1, max_size=60)


@given(st.lists(nps_answers, min_size=1, max_size=8))
def test_merged_nps_tallies_equal_nps_of_all_answers(parts: list[list[int]]) -> None:
    """Tallies of up to 8 partitions, merged in any grouping, give nps() of all answers."""
    tallies = [bf.SurveyTally.of(p) for p in parts]
    merged = reduce(lambda a, b: a.merge(b), tallies)
    every = [score for part in parts for score in part]
    assert merged.nps() == bf.nps(every)
    assert merged == reduce(lambda a, b: b.merge(a), reversed(tallies))


@given(st.lists(ces_answers, min_size=1, max_size=8))
def test_merged_ces_tallies_equal_ces_of_all_answers(parts: list[list[int]]) -> None:
    """CES from merged 1..7 tallies equals ces() of every answer (up to float order)."""
    merged = reduce(lambda a, b: a.merge(b), [bf.SurveyTally.of(p, low=1, high=7) for p in parts])
    got, want = merged.ces(), bf.ces([score for part in parts for score in part])
    assert (got.n, got.low_effort, got.note) == (want.n, want.low_effort, want.note)
    assert got.mean == pytest.approx(want.mean, rel=1e-12)
    assert got.sd == pytest.approx(want.sd, rel=1e-12, abs=1e-12)


@given(st.lists(st.lists(st.booleans(), min_size=1, max_size=30), min_size=1, max_size=8))
def test_merged_rate_tallies_equal_fcr(parts: list[list[bool]]) -> None:
    """First-contact resolution from merged tallies equals fcr() of every ticket."""
    merged = reduce(lambda a, b: a.merge(b), [bf.RateTally.of(p) for p in parts])
    assert merged.result() == bf.fcr([x for part in parts for x in part])


def test_scales_must_match() -> None:
    """An NPS tally does not merge with a CES tally, nor gives a CES figure."""
    nps_tally = bf.SurveyTally.of([10, 3])
    ces_tally = bf.SurveyTally.of([7, 2], low=1, high=7)
    with pytest.raises(bf.InvalidInputError, match=r"scores 0\.\.10"):
        nps_tally.merge(ces_tally)
    with pytest.raises(bf.InvalidInputError, match=r"CES needs a tally of scores 1\.\.7"):
        nps_tally.ces()


def test_bad_counts_are_refused() -> None:
    """Negative counts and more successes than outcomes are errors with a path."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.SurveyTally((1, -2, 0))
    assert info.value.path == "counts"
    with pytest.raises(bf.InvalidInputError, match="more than there are"):
        bf.RateTally(5, 3)


channels = st.lists(st.sampled_from(["email", "webinar", "ads", "event"]), max_size=5)
journeys = st.lists(st.tuples(channels, st.booleans()), max_size=20)


@given(st.lists(journeys, min_size=1, max_size=8))
def test_merged_path_counts_equal_counting_every_journey(parts: list[list[Any]]) -> None:
    """Markov path counts of up to 8 partitions merge to the counts of every journey."""
    merged = reduce(lambda a, b: a.merge(b), [bf.PathCounts.of(p) for p in parts])
    every = bf.PathCounts.of([j for part in parts for j in part])
    assert merged == every
    assert merged.removal_effects() == every.removal_effects()


def test_removal_effects_from_counts() -> None:
    """Half the journeys convert, all through email: removing email loses everything,
    removing the webinar (whose journeys never convert) nothing."""
    counts = bf.PathCounts.of([(["email"], True)]).merge(bf.PathCounts.of([(["webinar"], False)]))
    assert counts.removal_effects() == {"email": 1.0, "webinar": 0.0}
    with pytest.raises(bf.InvalidInputError) as info:
        bf.PathCounts.of([("email", True)])
    assert info.value.path == "paths[0][0]"
