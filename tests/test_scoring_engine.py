"""Invariants of batch scoring, checked by hypothesis over random models and events:
order independence, decay, caps."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import (
    DECAYS,
    EPOCH,
    EVENT_NAMES,
    events,
    model_config,
    named_model_config,
    profiles,
)

import b2bfunnel as bf

AS_OF = EPOCH + timedelta(days=200)
LATER = st.integers(min_value=0, max_value=400 * 86_400).map(lambda s: AS_OF + timedelta(seconds=s))
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(model_config(), profiles, events(), st.randoms(use_true_random=False))
def test_order_does_not_matter(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], rnd: Any
) -> None:
    """Shuffling the events changes nothing in the score."""
    model = bf.ScoringModel.from_dict(config)
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    assert model.score(profile, shuffled, as_of=AS_OF) == model.score(profile, evs, as_of=AS_OF)


@SETTINGS
@given(model_config(), profiles, events(), LATER, LATER)
def test_decay_only_shrinks(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], t1: Any, t2: Any
) -> None:
    """Without new events, no rule's points grow in magnitude or change sign, and
    profile points do not change."""
    early, late = sorted((t1, t2))
    model = bf.ScoringModel.from_dict(config)
    a = model.score(profile, evs, as_of=early)
    b = model.score(profile, evs, as_of=late)
    assert a.explicit == b.explicit
    if "max_total" in config:
        return  # a total cap rescales rules against each other as others decay
    before = {c.rule: c.points for c in a.contributions}
    for contribution in b.contributions:
        old = before[contribution.rule]
        assert abs(contribution.points) <= abs(old) + 1e-9
        assert contribution.points * old >= 0


@SETTINGS
@given(model_config(positive=True, caps=False), profiles, events(), LATER, LATER)
def test_positive_totals_never_rise_without_events(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], t1: Any, t2: Any
) -> None:
    """With only positive points, the total is non-increasing as time passes."""
    early, late = sorted((t1, t2))
    model = bf.ScoringModel.from_dict(config)
    assert (
        model.score(profile, evs, as_of=late).total <= model.score(profile, evs, as_of=early).total
    )


@SETTINGS
@given(model_config(), profiles, events())
def test_caps_bound_the_total(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event]
) -> None:
    """A total cap is never exceeded; the contributions add up to the total."""
    model = bf.ScoringModel.from_dict(config)
    score = model.score(profile, evs, as_of=AS_OF)
    if "max_total" in config:
        assert score.total <= config["max_total"] + 1e-6
    assert abs(sum(c.points for c in score.contributions) - score.total) < 1e-4
    assert score.hot == (score.total >= config["hot_threshold"])


def _first_hot_by_brute_force(
    model: bf.ScoringModel, profile: dict[str, Any], evs: list[bf.Event], score: str | None
) -> Any:
    """The first event instant of the current cycle (from the newest reset on) at which
    the score, read ``as_of`` that instant with every event up to it, was hot."""
    final = model.score(profile, evs, as_of=AS_OF)
    reset = final.last_reset if score is None else final.scores[score].last_reset
    start = -math.inf if reset is None else reset.timestamp()
    for ts in sorted({event.ts for event in evs}):
        if ts < start:
            continue
        at = datetime.fromtimestamp(ts, UTC)
        now = model.score(profile, [e for e in evs if e.ts <= ts], as_of=at)
        if now.hot if score is None else now.scores[score].hot:
            return at
    return None


@SETTINGS
@given(st.one_of(named_model_config(), named_model_config(positive=True)), profiles, events())
def test_hot_since_is_the_first_hot_instant(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event]
) -> None:
    """``hot_since`` of the score and of each named score is the first event instant
    at which that score, read then, was hot: whatever the decay, windows, caps and
    signs, and however the replay's shortcuts skip leads that cannot be hot."""
    model = bf.ScoringModel.from_dict(config)
    score = model.score(profile, evs, as_of=AS_OF)
    expected = _first_hot_by_brute_force(model, profile, evs, None)
    assert score.hot_since == expected
    for name, sub in score.scores.items():
        assert sub.hot_since == _first_hot_by_brute_force(model, profile, evs, name)


def _instant_totals(
    model: bf.ScoringModel, profile: dict[str, Any], evs: list[bf.Event]
) -> tuple[list[float], list[float]]:
    """The lead's event instants and the total read at each, with every event up to it."""
    instants = sorted({event.ts for event in evs})
    totals = [
        model.score(
            profile, [e for e in evs if e.ts <= ts], as_of=datetime.fromtimestamp(ts, UTC)
        ).total
        for ts in instants
    ]
    return instants, totals


def _first_reaching(instants: list[float], totals: list[float], threshold: float) -> Any:
    """The first instant whose total reached ``threshold``, or None."""
    return next(
        (
            datetime.fromtimestamp(ts, UTC)
            for ts, total in zip(instants, totals, strict=True)
            if total >= threshold
        ),
        None,
    )


@SETTINGS
@given(model_config(positive=True), DECAYS["half_life"], profiles, events(), st.data())
def test_a_threshold_at_the_peak_is_reached_under_half_life(
    config: dict[str, Any],
    half_life: dict[str, Any],
    profile: dict[str, Any],
    evs: list[bf.Event],
    data: st.DataObject,
) -> None:
    """Under half_life decay, with the hot threshold set to the highest score the lead
    ever had at an instant (or just above it), ``hot_since`` is the first instant that
    reached it (or None): the replay's bounds never skip a lead that was hot, even by
    a millionth."""
    config = {**config, "decay": {"kind": "half_life", **half_life}}
    config.pop("reset_on", None)
    instants, totals = _instant_totals(bf.ScoringModel.from_dict(config), profile, evs)
    if not totals or max(totals) <= 0:
        return
    above = data.draw(st.sampled_from([0.0, 1e-6]))
    threshold = max(totals) + above
    hot = bf.ScoringModel.from_dict({**config, "hot_threshold": threshold})
    expected = _first_reaching(instants, totals, threshold)
    assert hot.score(profile, evs, as_of=AS_OF).hot_since == expected
    if above == 0.0:
        assert expected is not None


@st.composite
def _clustered_events(draw: st.DrawFn, every_hours: int = 1) -> list[bf.Event]:
    """Events of one lead a few hours apart over ten days, so that caps per day and
    per week bind (across a DST change when the model's zone has one); at multiples
    of ``every_hours``, so that many are a whole number of half days apart."""
    start = datetime(2026, 3, 25, tzinfo=UTC)
    steps = st.integers(min_value=0, max_value=240 // every_hours).map(lambda k: k * every_hours)
    hours = draw(st.lists(steps, min_size=6, max_size=30))
    names = st.sampled_from(EVENT_NAMES[:4])
    return [bf.Event("L1", draw(names), start + timedelta(hours=h)) for h in hours]


@SETTINGS
@given(model_config(positive=True), profiles, _clustered_events(), st.data())
def test_hot_since_when_caps_per_period_bind(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], data: st.DataObject
) -> None:
    """With events hours apart, caps per day and week bind: ``hot_since`` is still the
    first instant at which the score, read then, was hot."""
    for rule in config["implicit"]:
        rule["max_per_day"] = data.draw(st.integers(1, 2))
        if data.draw(st.booleans()):
            rule["max_per_week"] = data.draw(st.integers(1, 4))
        if data.draw(st.booleans()):
            rule["within_days"] = data.draw(st.sampled_from([0.5, 1, 2, 5]))
    config["timezone"] = "Europe/Madrid"  # summer time begins on 2026-03-29
    config["hot_threshold"] = data.draw(st.integers(5, 80))  # often crossed here
    model = bf.ScoringModel.from_dict(config)
    score = model.score(profile, evs, as_of=AS_OF)
    assert score.hot_since == _first_hot_by_brute_force(model, profile, evs, None)


@SETTINGS
@given(
    model_config(caps=False),
    st.sampled_from(["none", "inactivity", "linear", "stepwise"]),
    profiles,
    st.one_of(events(), _clustered_events(), _clustered_events(every_hours=6)),
    st.data(),
)
def test_hot_since_with_windows_and_whole_points(
    config: dict[str, Any],
    decay: str,
    profile: dict[str, Any],
    evs: list[bf.Event],
    data: st.DataObject,
) -> None:
    """Rules of whole points with no ``max_count`` or ``max_points``, some of them
    with one of one or two windows and caps per period that may or may not bind,
    under a decay that spares the score at an instant, and each score the lead had at
    an instant as the hot threshold: the replay's running sum, adding each event and
    taking it away as it leaves its rule's window (an event exactly the window old
    still counts), finds the first instant whose score, read then, reached it."""
    config["decay"] = {"kind": decay, **data.draw(DECAYS[decay])}
    config.pop("reset_on", None)
    capped = data.draw(st.booleans())
    # windows of the events' own scale: days for events hours apart, else weeks to months
    stamps = [event.ts for event in evs]
    clustered = bool(stamps) and max(stamps) - min(stamps) <= 10 * 86_400
    choices = [0.5, 1, 2] if clustered else [7, 30, 90]
    windows = data.draw(st.lists(st.sampled_from(choices), min_size=1, max_size=2, unique=True))
    for index, rule in enumerate(config["implicit"]):
        for key in ("max_count", "max_points", "within_days"):
            rule.pop(key, None)
        if not capped:
            rule.pop("max_per_day", None)
            rule.pop("max_per_week", None)
        if clustered:
            rule.pop("where", None)  # these events have no properties: let them count
        if data.draw(st.booleans()):
            rule["within_days"] = windows[index % len(windows)]
    instants, totals = _instant_totals(bf.ScoringModel.from_dict(config), profile, evs)
    for threshold in sorted({t for t in totals if t > 0}):
        hot = bf.ScoringModel.from_dict({**config, "hot_threshold": threshold})
        assert hot._engine.window_linear is not None  # the running-sum replay applies
        expected = _first_reaching(instants, totals, threshold)
        assert hot.score(profile, evs, as_of=AS_OF).hot_since == expected
