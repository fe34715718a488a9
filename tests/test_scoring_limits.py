"""Windows and caps per rule: within_days, max_per_day, max_per_week, [scoring] timezone."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import b2bfunnel as bf

# The default model's fingerprint in the 0.1.0 release: states saved under it must
# keep loading, so the new options may not change it.
RELEASED_DEFAULT_FINGERPRINT = "797b2052b5ac"


def _model(rule: dict[str, Any], **scoring: Any) -> bf.ScoringModel:
    base = {"name": "visit", "event": "visit", "points": 10}
    return bf.ScoringModel.from_dict(
        {"explicit": [], "implicit": [{**base, **rule}], "decay": {"kind": "none"}, **scoring}
    )


def _visits(*ats: datetime) -> list[bf.Event]:
    return [bf.Event("L1", "visit", at) for at in ats]


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class TestWindow:
    def test_event_exactly_n_days_old_counts(self) -> None:
        """within_days = 7 counts an event 7 days old and not one a second older."""
        as_of = _at("2026-03-10T00:00")
        evs = _visits(_at("2026-03-03T00:00"), _at("2026-03-02T23:59:59"), _at("2026-03-09"))
        score = _model({"within_days": 7}).score({"id": "L1"}, evs, as_of=as_of)
        assert score.total == 20.0  # two visits of 10 points in the window
        assert score.contributions[0].events == 2

    def test_window_moves_with_as_of(self) -> None:
        """The same events count less as they leave the window."""
        model = _model({"within_days": 1.5})
        evs = _visits(_at("2026-03-01T00:00"), _at("2026-03-02T00:00"))
        totals = [
            model.score({"id": "L1"}, evs, as_of=_at(day)).total
            for day in ("2026-03-02T12:00", "2026-03-02T12:00:01", "2026-03-03T12:00:01")
        ]
        assert totals == [20.0, 10.0, 0.0]  # 1.5 days old counts, a second more does not

    def test_hot_since_counts_an_event_exactly_the_window_old(self) -> None:
        """Two visits of 10 points 12 hours apart, a half-day window, threshold 20: at
        the second visit the first is exactly the window old and still counts, so the
        lead is hot then; a second later apart, never."""
        model = _model({"within_days": 0.5}, hot_threshold=20)
        first = _at("2026-03-01T00:00")
        for gap, expected in ((timedelta(hours=12), first + timedelta(hours=12)),
                              (timedelta(hours=12, seconds=1), None)):  # fmt: skip
            evs = _visits(first, first + gap)
            score = model.score({"id": "L1"}, evs, as_of=_at("2026-03-05"))
            assert score.hot_since == expected

    def test_hot_since_with_two_windows(self) -> None:
        """A (10 points, 1-day window) and B (10 points, 3 days), threshold 30. At day
        2.5 the day-0 A has left its window, the day-0 B has not: A of day 2, B of day
        0 and B of day 2.5 make 30, and the lead is hot then, not before."""
        model = bf.ScoringModel.from_dict(
            {
                "explicit": [],
                "decay": {"kind": "none"},
                "hot_threshold": 30,
                "implicit": [
                    {"name": "a", "event": "a", "points": 10, "within_days": 1},
                    {"name": "b", "event": "b", "points": 10, "within_days": 3},
                ],
            }
        )
        day0 = _at("2026-03-01T00:00")
        evs = [
            bf.Event("L1", "a", day0),
            bf.Event("L1", "b", day0),
            bf.Event("L1", "a", day0 + timedelta(days=2)),
            bf.Event("L1", "b", day0 + timedelta(days=2.5)),
        ]
        score = model.score({"id": "L1"}, evs, as_of=day0 + timedelta(days=10))
        assert score.hot_since == day0 + timedelta(days=2.5)


class TestCapsPerPeriod:
    EVENTS = (
        "2026-03-04T22:30",  # 23:30 on the 4th in Madrid
        "2026-03-04T23:30",  # 00:30 on the 5th in Madrid
        "2026-03-05T05:00",
        "2026-03-05T10:00",
    )

    def test_days_are_calendar_days_in_the_timezone(self) -> None:
        """Two a day: in UTC 2 + 2 visits count, in Madrid 1 + 2 of 1 + 3."""
        evs = _visits(*map(_at, self.EVENTS))
        as_of = _at("2026-03-06")
        utc = _model({"max_per_day": 2}).score({"id": "L1"}, evs, as_of=as_of)
        madrid = _model({"max_per_day": 2}, timezone="Europe/Madrid").score(
            {"id": "L1"}, evs, as_of=as_of
        )
        assert (utc.total, madrid.total) == (40.0, 30.0)

    def test_weeks_start_on_monday(self) -> None:
        """Three a week: Sun 8 March ends a week (2 count), Mon 9 starts one (3 of 5)."""
        evs = _visits(
            *(_at(f"2026-03-08T{h:02d}:00") for h in (9, 10)),
            *(_at(f"2026-03-09T{h:02d}:00") for h in (9, 10, 11)),
            *(_at(f"2026-03-10T{h:02d}:00") for h in (9, 10)),
        )
        score = _model({"max_per_week": 3}).score({"id": "L1"}, evs, as_of=_at("2026-03-11"))
        assert score.total == 50.0

    def test_each_period_keeps_its_first_events(self) -> None:
        """With one a day, the day's first visit is counted: its time is last_at."""
        evs = _visits(_at("2026-03-05T10:00"), _at("2026-03-05T09:00"))
        score = _model({"max_per_day": 1}).score({"id": "L1"}, evs, as_of=_at("2026-03-06"))
        assert score.contributions[0].last_at == _at("2026-03-05T09:00")

    def test_dst_day_in_the_zone(self) -> None:
        """On 29 March 2026 Madrid moves to +02:00; its calendar day still splits right."""
        evs = _visits(
            _at("2026-03-28T22:59"),  # 23:59 on the 28th (+01:00)
            _at("2026-03-28T23:00"),  # 00:00 on the 29th
            _at("2026-03-29T21:59"),  # 23:59 on the 29th (+02:00)
            _at("2026-03-29T22:00"),  # 00:00 on the 30th
        )
        model = _model({"max_per_day": 1}, timezone="Europe/Madrid")
        score = model.score({"id": "L1"}, evs, as_of=_at("2026-03-31"))
        assert score.total == 30.0  # one each on the 28th, 29th and 30th

    def test_caps_bind_on_a_day_or_week_s_first_and_last_minutes(self) -> None:
        """Caps bind on events as far apart as one local day or week allows: the first
        and last minute of Madrid's 25-hour 25 October 2026 (24 h 58 min apart), and
        Monday 00:01 and Sunday 23:59 of one week, no other event near them."""
        day = _visits(_at("2026-10-24T22:01"), _at("2026-10-25T22:59"))  # 00:01, 23:59
        model = _model({"max_per_day": 1}, timezone="Europe/Madrid")
        assert model.score({"id": "L1"}, day, as_of=_at("2026-10-28")).total == 10.0
        week = _visits(_at("2026-11-02T00:01"), _at("2026-11-08T23:59"))  # Mon, Sun (UTC)
        for rule in ({"max_per_week": 1}, {"max_per_week": 1, "within_days": 30}):
            assert _model(rule).score({"id": "L1"}, week, as_of=_at("2026-11-10")).total == 10.0


class TestComposition:
    AS_OF = _at("2026-03-20T12:00")

    def _events(self) -> list[bf.Event]:
        return _visits(
            _at("2026-03-10T12:00"),  # 10 days old: outside the window
            _at("2026-03-14T09:00"),  # day B, first
            _at("2026-03-14T10:00"),  # day B, second: over the day's cap
            _at("2026-03-17T12:00"),  # day C, 3 days old
            _at("2026-03-19T12:00"),  # day D, first, 1 day old
            _at("2026-03-19T13:00"),
            _at("2026-03-19T14:00"),
        )

    def test_window_then_day_cap_then_max_count_then_decay_then_max_points(self) -> None:
        """Window: 6 visits; a day: B 09:00, C, D 12:00; max_count 2: C and D 12:00;
        half-life 7 days: 10 * (0.5 ** (3/7) + 0.5 ** (1/7)); max_points 15."""
        rule = {"within_days": 7, "max_per_day": 1, "max_count": 2}
        decay = {"kind": "half_life", "half_life_days": 7}
        expected = 10 * (0.5 ** (3 / 7) + 0.5 ** (1 / 7))
        free = _model(rule, decay=decay).score({"id": "L1"}, self._events(), as_of=self.AS_OF)
        assert free.total == pytest.approx(expected, abs=1e-6)
        assert free.contributions[0].events == 2
        assert free.contributions[0].raw_points == 20.0
        capped = _model({**rule, "max_points": 15}, decay=decay).score(
            {"id": "L1"}, self._events(), as_of=self.AS_OF
        )
        assert expected > 15 and capped.total == 15.0

    def test_expired_event_keeps_its_days_slot(self) -> None:
        """Decay comes after the caps: the day's first visit has expired, so the day
        gives nothing, though a later visit of that day has not expired."""
        evs = _visits(_at("2026-03-18T11:00"), _at("2026-03-18T13:00"))
        decay = {"kind": "expiry", "days": 2}
        capped = _model({"max_per_day": 1}, decay=decay)
        free = _model({}, decay=decay)
        assert capped.score({"id": "L1"}, evs, as_of=self.AS_OF).total == 0.0
        assert free.score({"id": "L1"}, evs, as_of=self.AS_OF).total == 10.0


class TestConfiguration:
    def test_bad_values_are_all_reported(self) -> None:
        """Every bad key is reported at once, with its path."""
        with pytest.raises(bf.ConfigError) as info:
            bf.ScoringModel.from_dict(
                {
                    "implicit": [
                        {
                            "name": "v",
                            "event": "visit",
                            "points": 5,
                            "within_days": 0,
                            "max_per_day": 1.5,
                            "max_per_week": 0,
                        }
                    ],
                    "timezone": "Mars/Olympus",
                }
            )
        text = str(info.value)
        for path in ("within_days", "max_per_day", "max_per_week", "scoring.timezone"):
            assert path in text

    def test_defaults_are_left_out(self) -> None:
        """UTC and unset options stay out of to_dict(), so old fingerprints hold."""
        model = bf.ScoringModel.default()
        data = model.to_dict()
        assert "timezone" not in data
        assert all("within_days" not in rule for rule in data["implicit"])
        assert model.fingerprint == RELEASED_DEFAULT_FINGERPRINT
        explicit_utc = bf.ScoringModel.from_dict({"timezone": "UTC"})
        assert explicit_utc.fingerprint == RELEASED_DEFAULT_FINGERPRINT

    def test_options_round_trip(self) -> None:
        """The new keys round-trip and change the fingerprint."""
        model = _model(
            {"within_days": 30, "max_per_day": 2, "max_per_week": 5}, timezone="Europe/Madrid"
        )
        assert bf.ScoringModel.from_dict(model.to_dict()) == model
        assert model.to_dict()["timezone"] == "Europe/Madrid"
        assert model.fingerprint != _model({}).fingerprint


# Many events in few days, so the caps bite.
_DENSE = st.lists(
    st.integers(min_value=0, max_value=20 * 86_400).map(
        lambda s: bf.Event("L1", "visit", datetime(2026, 3, 1, tzinfo=UTC) + timedelta(seconds=s))
    ),
    max_size=40,
)
_RULES = st.fixed_dictionaries(
    {},
    optional={
        "within_days": st.sampled_from([0.5, 2, 7]),
        "max_per_day": st.integers(1, 3),
        "max_per_week": st.integers(1, 6),
        "max_count": st.integers(1, 8),
        "max_points": st.integers(5, 60),
    },
)
_DECAYS = st.sampled_from(
    [
        {"kind": "none"},
        {"kind": "expiry", "days": 3},
        {"kind": "half_life", "half_life_days": 2},
        {"kind": "inactivity", "grace_days": 1, "half_life_days": 2},
    ]
)
_ZONES = st.sampled_from(["UTC", "Europe/Madrid", "Australia/Sydney"])


@settings(max_examples=150, deadline=None)
@given(_RULES, _DECAYS, _ZONES, _DENSE, st.randoms(use_true_random=False), st.data())
def test_dense_events_incremental_merge_and_json_agree_with_batch(
    rule: dict[str, Any],
    decay: dict[str, Any],
    zone: str,
    evs: list[bf.Event],
    rnd: Any,
    data: st.DataObject,
) -> None:
    """On dense events: shuffled ingest, a merge of two parts and a JSON round trip of
    the state all score as score() does, and states stay format 2."""
    model = _model(rule, decay=decay, timezone=zone)
    as_of = datetime(2026, 3, 22, tzinfo=UTC)
    batch = model.score({"id": "L1"}, evs, as_of=as_of)
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    state = model.new_state("L1")
    for event in shuffled:
        state = model.ingest(state, event)
    cut = data.draw(st.integers(0, len(shuffled)))
    parts = [model.ingest(model.new_state("L1"), part) for part in (shuffled[:cut], shuffled[cut:])]
    merged = model.merge(*parts)
    saved = bf.ScoreState.from_dict(state.to_dict())
    assert state.to_dict()["v"] == 2
    for other in (state, merged, saved):
        live = model.score_state(other, as_of=as_of)
        assert (live.total, live.rows) == (batch.total, batch.rows)


@settings(max_examples=100, deadline=None)
@given(_RULES, _ZONES, _DENSE)
def test_counted_events_follow_the_caps(
    rule: dict[str, Any], zone: str, evs: list[bf.Event]
) -> None:
    """Counted independently: window, first per local day and week, newest max_count."""
    model = _model(rule, timezone=zone)
    as_of = datetime(2026, 3, 22, tzinfo=UTC)
    from zoneinfo import ZoneInfo  # only this check needs it

    tz = ZoneInfo(zone)
    times = sorted(e.at for e in evs)
    if "within_days" in rule:
        times = [t for t in times if as_of - t <= timedelta(days=rule["within_days"])]
    for key, period in (
        ("max_per_day", lambda t: t.astimezone(tz).date()),
        ("max_per_week", lambda t: t.astimezone(tz).isocalendar()[:2]),
    ):
        if key in rule:
            seen: dict[Any, int] = {}
            kept = []
            for t in times:
                seen[period(t)] = seen.get(period(t), 0) + 1
                if seen[period(t)] <= rule[key]:
                    kept.append(t)
            times = kept
    if "max_count" in rule:
        times = times[-rule["max_count"] :] if times else times
    expected = min(10.0 * len(times), rule.get("max_points", float("inf")))
    assert model.score({"id": "L1"}, evs, as_of=as_of).total == expected


def test_state_keeps_only_the_window() -> None:
    """A windowed rule without caps per period keeps only the times of the last
    within_days before the newest event, as documented."""
    model = _model({"within_days": 2})
    start = datetime(2026, 3, 1, tzinfo=UTC)
    evs = _visits(*(start + timedelta(hours=6 * k) for k in range(40)))  # 10 days
    state = model.ingest(model.new_state("L1"), evs)
    (times,) = state.to_dict()["rules"][0]
    newest = evs[-1].ts
    assert times == [t.ts for t in evs if newest - t.ts <= 2 * 86_400]
    assert len(times) == 9  # 48 hours in steps of 6, both ends included


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            {"within_days": 2},
            {"max_per_day": 1, "max_per_week": 3},
            {"within_days": 7, "max_per_day": 2, "max_count": 3},
        ]
    ),
    st.sampled_from([[], ["noise"]]),
    st.lists(st.lists(_DENSE, min_size=1, max_size=3), min_size=1, max_size=3),
)
def test_engine_partials_equal_rank(
    rule: dict[str, Any], reset_on: list[str], partitions: list[list[list[bf.Event]]]
) -> None:
    """The Spark/Dask adaptors' core (partial states per partition, merged per lead)
    ranks as rank() does with windows, caps per period and resets."""
    from b2bfunnel._partials import PROFILE, STATE, partial_states, score_leads

    model = _model(rule, reset_on=reset_on, timezone="Europe/Madrid")
    as_of = datetime(2026, 3, 22, tzinfo=UTC)
    noise = [bf.Event("L1", "noise", datetime(2026, 3, 8, tzinfo=UTC))]
    all_batches = [[list(batch) for batch in part] for part in partitions]
    all_batches[0][0] = [*all_batches[0][0], *noise]

    payloads = [("L1", PROFILE, pickle.dumps({"id": "L1"}))]
    for batches in all_batches:
        for lead_id, state in partial_states(model, batches, as_of).items():
            payloads.append((lead_id, STATE, pickle.dumps(state)))
    (merged,) = score_leads(model, payloads, as_of)  # score_leads gives Scores
    total = merged.total
    events = [e for batches in all_batches for batch in batches for e in batch]
    (expected,) = model.rank([{"id": "L1"}], events, as_of=as_of)
    assert total == expected.total
