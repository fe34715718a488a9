"""The scoring model's bands and hot threshold agree."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import b2bfunnel as bf

AT = datetime(2026, 11, 23, tzinfo=UTC)
BANDS = [{"name": "cold"}, {"name": "warm", "min": 40}, {"name": "hot", "min": 100}]


def problem_paths(config: dict[str, object]) -> list[str]:
    with pytest.raises(bf.ConfigError) as info:
        bf.ScoringModel.from_dict(config)
    return [p.path for p in info.value.problems]


def test_threshold_inside_a_band_is_refused() -> None:
    """hot_threshold 80 with bands starting at 40 and 100: 'warm' yet hot is refused."""
    assert problem_paths({"hot_threshold": 80, "bands": BANDS}) == ["scoring.hot_threshold"]


def test_hot_band_elsewhere_than_the_threshold_is_refused() -> None:
    """A band named hot must start at hot_threshold."""
    bands = [{"name": "cold"}, {"name": "warm", "min": 80}, {"name": "hot", "min": 100}]
    assert problem_paths({"hot_threshold": 80, "bands": bands}) == ["scoring.bands"]


def test_hot_band_sets_the_threshold_when_none_is_given() -> None:
    """Custom bands alone: the band named hot decides when a lead is hot."""
    bands = [{"name": "cold"}, {"name": "warm", "min": 30}, {"name": "hot", "min": 80}]
    model = bf.ScoringModel.from_dict({"bands": bands})
    assert model.hot_threshold == 80
    assert bf.ScoringModel.from_dict(model.to_dict()) == model


@pytest.mark.parametrize("total", [0, 39, 40, 79, 80, 99, 100, 150])
def test_band_and_hot_never_disagree(total: int) -> None:
    """With bands above the threshold too, hot is exactly the bands from it up."""
    bands = [{"name": "cold"}, {"name": "warm", "min": 40}, {"name": "hot", "min": 80},
             {"name": "on_fire", "min": 100}]  # fmt: skip
    model = bf.ScoringModel.from_dict(
        {
            "hot_threshold": 80,
            "bands": bands,
            "explicit": [],
            "implicit": [{"name": "p", "event": "p", "points": 1}],
            "decay": {"kind": "none"},
        }
    )
    events = [bf.Event("L1", "p", AT)] * total
    score = model.score({"id": "L1"}, events, as_of=AT)
    assert score.hot == (score.band in ("hot", "on_fire"))
