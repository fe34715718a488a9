"""First crossings of a threshold in the windows before a cutoff, against a brute-force
replay that scores every lead at each of its event instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import EPOCH, histories, model_config

import b2bfunnel as bf

CUTOFF = EPOCH + timedelta(days=150)
END = EPOCH + timedelta(days=200)


def instant_scores(
    model: bf.ScoringModel,
    profiles: list[dict[str, Any]],
    events: list[bf.Event],
    lead_ids: tuple[str, ...],
    cutoff: datetime,
) -> dict[str, list[tuple[float, float]]]:
    """Each lead's (time, score) at every instant with events, by rescoring from scratch;
    with ``reset_on``, from the lead's newest reset on (a crossing is judged in the
    current cycle, as ``hot_since`` is)."""
    out = {}
    by_id = {p["id"]: p for p in profiles}
    c = cutoff.timestamp()
    for lead in lead_ids:
        mine = [e for e in events if e.lead_id == lead and e.ts <= c]
        start = max((e.ts for e in mine if e.name in model.reset_on), default=-float("inf"))
        out[lead] = [
            (t, model.score(by_id[lead], [e for e in mine if e.ts <= t], as_of=_at(t)).total)
            for t in sorted({e.ts for e in mine if e.ts >= start})
        ]
    return out


def _at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def brute_crossings(
    scores: dict[str, list[tuple[float, float]]], cutoff: datetime, days: float, threshold: float
) -> int:
    """Leads whose first instant at or above ``threshold`` falls in the window."""
    start = cutoff.timestamp() - days * 86_400
    count = 0
    for path in scores.values():
        first = next((t for t, total in path if total >= threshold), None)
        count += first is not None and first > start
    return count


@settings(max_examples=60, deadline=None)
@given(
    config=model_config(),
    history=histories(),
    days=st.sampled_from([1, 7, 30, 90, 400]),
    capacity=st.sampled_from([0.5, 1, 2, 5]),
)
def test_crossings_match_a_replay_at_every_event_instant(
    config: dict[str, Any],
    history: tuple[list[dict[str, Any]], list[bf.Event], list[dict[str, Any]]],
    days: int,
    capacity: float,
) -> None:
    """For every threshold, the leads counted as first crossing it in the window are
    those a full replay finds (any decay, negative points, caps)."""
    model = bf.ScoringModel.from_dict(config)
    profiles, events, outcomes = history
    result = bf.evaluate(
        model, profiles, events, outcomes, cutoff=CUTOFF, horizon_days=30, data_end=END
    )
    scores = instant_scores(model, profiles, events, result.lead_ids, CUTOFF)
    levels = {total for path in scores.values() for _, total in path}
    for threshold in sorted(levels | {v + 0.25 for v in levels} | {v - 0.25 for v in levels}):
        expected = brute_crossings(scores, CUTOFF, days, threshold)
        assert result.crossings(threshold, per_days=days) == expected, threshold
    suggestion = result.threshold_for(capacity=capacity, per_days=days)
    if suggestion.threshold is not None:
        chosen = suggestion.threshold
        assert suggestion.per_period == brute_crossings(scores, CUTOFF, days, chosen)
        assert all(
            brute_crossings(scores, CUTOFF, days, t) <= capacity for t in levels if t >= chosen
        )


def test_a_lead_hot_long_ago_does_not_cross_again() -> None:
    """A lead over the threshold since months before the window is not counted, even
    with an event in the window; one that reached it in the window is."""
    model = bf.ScoringModel.default()  # webinar 25, pricing visit 15, hot at 100
    profiles = [{"id": "old"}, {"id": "new"}]
    at = CUTOFF - timedelta(days=100)
    events = [bf.Event("old", "webinar_completed", at + timedelta(hours=h)) for h in range(4)]
    events.append(bf.Event("old", "pricing_page_visit", CUTOFF - timedelta(days=2)))
    events += [
        bf.Event("new", "webinar_completed", CUTOFF - timedelta(days=30, hours=h)) for h in range(3)
    ]
    events.append(bf.Event("new", "webinar_completed", CUTOFF - timedelta(days=1)))
    outcomes = [{"lead_id": "new", "at": CUTOFF + timedelta(days=5)}]
    result = bf.evaluate(
        model, profiles, events, outcomes, cutoff=CUTOFF, data_end=END, horizon_days=30
    )
    assert result.crossings(100, per_days=7) == 1
    assert result.crossings(100, per_days=31) == 1
    assert result.crossings(75, per_days=7) == 0
    assert result.crossings(75, per_days=31) == 1


def test_pooled_cutoffs_average_the_crossings() -> None:
    """Over a backtest, crossings are averaged per cutoff."""
    model = bf.ScoringModel.default()
    profiles = [{"id": "a"}]
    events = [
        bf.Event("a", "webinar_completed", CUTOFF - timedelta(days=3, hours=h)) for h in range(4)
    ]
    outcomes: list[dict[str, Any]] = []
    later = CUTOFF + timedelta(days=20)
    result = bf.evaluate(
        model, profiles, events, outcomes, cutoffs=[CUTOFF, later], data_end=END, horizon_days=30
    )
    assert result.crossings(100, per_days=7) == 0.5
