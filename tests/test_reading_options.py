"""One set of reading options: events as a table, [input] defaults, ISO text in rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import b2bfunnel as bf

pd = pytest.importorskip("pandas")

AS_OF = datetime(2026, 11, 23, tzinfo=UTC)
MODEL = {
    "scoring": {
        "explicit": [{"name": "big", "when": {"field": "employees", "gte": 1000}, "points": 20}],
        "implicit": [{"name": "webinar", "event": "webinar_completed", "points": 10}],
    }
}


def _events() -> list[dict[str, object]]:
    return [
        {"lead_id": "L1", "name": "webinar_completed", "at": "2026-11-20T10:00:00+01:00"},
        {"lead_id": "L2", "name": "webinar_completed", "at": "2026-11-21 10:00"},
    ]


@pytest.mark.parametrize("make", [list, pd.DataFrame])
def test_rank_takes_an_events_table(make: type) -> None:
    """An events table scores as its Events do (no 'expected an Event, got str')."""
    funnel = bf.Funnel({**MODEL, "input": {"timezone": "Europe/Madrid"}})
    profiles = [{"id": "L1", "employees": 10}, {"id": "L2", "employees": 10}]
    as_events = bf.events_from(_events(), timezone="Europe/Madrid")
    want = [(s.lead_id, s.total) for s in funnel.rank(profiles, as_events, as_of=AS_OF)]
    got = funnel.rank(profiles, make(_events()), as_of=AS_OF)
    assert [(s.lead_id, s.total) for s in got] == want
    assert sorted(t for _, t in want) == [10.0, 10.0]


def test_score_and_evaluate_take_an_events_table() -> None:
    funnel = bf.Funnel(MODEL)
    rows = [_events()[0]]
    assert funnel.score({"id": "L1"}, rows, as_of=AS_OF).total == 10.0
    assert funnel.scoring.rank([{"id": "L1"}], rows, as_of=AS_OF)[0].total == 10.0


def test_an_events_table_is_located_by_its_parameter() -> None:
    rows = [*_events()[:1], {"lead_id": "L3", "name": "webinar_completed", "at": "soon"}]
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.Funnel(MODEL).rank([{"id": "L1"}], rows, as_of=AS_OF)
    assert caught.value.path == "events[1].at"
    ranked = bf.Funnel(MODEL).rank([{"id": "L1"}], rows, as_of=AS_OF, skip_invalid=True)
    assert ranked[0].total == 10.0


def test_input_decimal_reads_a_dataframe_of_text() -> None:
    """'1.200' employees with [input] decimal=',' is 1,200 (a fit), not 1.2."""
    profiles = pd.DataFrame({"id": ["L1", "L2"], "employees": ["1.200", "40"]})
    funnel = bf.Funnel({**MODEL, "input": {"decimal": ","}})
    totals = {s.lead_id: s.total for s in funnel.rank(profiles, [], as_of=AS_OF)}
    assert totals == {"L1": 20.0, "L2": 0.0}
    plain = {s.lead_id: s.total for s in bf.Funnel(MODEL).rank(profiles, [], as_of=AS_OF)}
    assert plain["L1"] == 0.0  # read as 1.2 without the option
    dot = bf.Funnel({**MODEL, "input": {"decimal": ","}}).rank(
        profiles, [], as_of=AS_OF, decimal="."
    )
    assert {s.lead_id: s.total for s in dot}["L1"] == 0.0  # the argument wins


def test_velocity_reads_iso_text_with_an_offset() -> None:
    created = datetime(2026, 9, 1, tzinfo=UTC)
    as_datetimes = [
        {"created_at": created, "closed_at": created + timedelta(days=30), "amount": 100,
         "outcome": "won"},
    ]  # fmt: skip
    as_text = [
        {"created_at": "2026-09-01T00:00:00Z", "closed_at": "2026-10-01T02:00:00+02:00",
         "amount": 100, "outcome": "won"},
    ]  # fmt: skip
    want = bf.velocity_from_deals(as_datetimes, as_of=AS_OF)
    assert bf.velocity_from_deals(as_text, as_of=AS_OF) == want
    with pytest.raises(bf.InvalidInputError):
        bf.velocity_from_deals(as_text, as_of="2026-11-23T00:00:00Z")  # type: ignore[arg-type]


def test_nps_report_takes_the_reading_options() -> None:
    rows = [
        {"score": "10", "at": "2026-11-02 10:00"},
        {"score": "eleven", "at": "2026-11-02T10:00:00Z"},
        {"score": "3", "at": "2026-11-03T10:00:00Z"},
    ]
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.nps_report(rows, timezone="Europe/Madrid")
    assert caught.value.path == "responses[1].score"
    report = bf.nps_report(rows, timezone="Europe/Madrid", skip_invalid=True)
    assert report.to_dict()["cells"][0]["n"] == 2
