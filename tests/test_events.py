"""Events: validation, immutability, serialisation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

import b2bfunnel as bf

AT = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


class TestEvent:
    def test_naive_datetime_is_refused(self) -> None:
        """A naive datetime raises InvalidInputError located at event.at."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Event("L1", "visit", datetime(2026, 11, 2, 9, 30))
        assert info.value.path == "event.at"
        assert "naive" in str(info.value)

    @pytest.mark.parametrize(
        ("lead_id", "name", "path"),
        [
            ("", "visit", "event.lead_id"),
            ("  ", "visit", "event.lead_id"),
            ("L1", "", "event.name"),
            (None, "visit", "event.lead_id"),
        ],
    )
    def test_empty_ids_and_names_are_refused(self, lead_id: Any, name: Any, path: str) -> None:
        """Ids and names must be non-empty strings."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Event(lead_id, name, AT)
        assert info.value.path == path

    def test_properties_are_a_private_read_only_copy(self) -> None:
        """Changing the caller's dict later does not change the event."""
        props = {"path": "/pricing"}
        event = bf.Event("L1", "visit", AT, props)
        props["path"] = "/careers"
        assert event.properties["path"] == "/pricing"
        with pytest.raises(TypeError):
            event.properties["path"] = "x"  # type: ignore[index]

    def test_non_string_property_names_are_refused(self) -> None:
        """Property names must be strings."""
        with pytest.raises(bf.InvalidInputError):
            bf.Event("L1", "visit", AT, {1: "x"})  # type: ignore[dict-item]

    def test_equal_instants_in_other_zones(self) -> None:
        """The same instant written in two zones gives the same timestamp."""
        madrid = timezone(timedelta(hours=1))
        a = bf.Event("L1", "visit", AT)
        b = bf.Event("L1", "visit", AT.astimezone(madrid))
        assert a.ts == b.ts

    def test_to_dict_from_dict_round_trip(self) -> None:
        """to_dict is JSON-ready and from_dict restores an equal event."""
        event = bf.Event("L1", "visit", AT, {"path": "/pricing", "n": 2})
        data = event.to_dict()
        assert data["at"] == "2026-11-02T09:30:00+00:00"
        assert bf.Event.from_dict(data) == event

    def test_from_dict_errors_carry_the_callers_path(self) -> None:
        """A bad item of a list is located under the path the caller gives."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Event.from_dict({"lead_id": "L1", "name": "v", "at": "2026-11-02"}, path="events[3]")
        assert info.value.path == "events[3].at"
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Event.from_dict({"lead_id": "L1", "name": "v"}, path="events[3]")
        assert info.value.path == "events[3].at"


class TestEventIsReallyFrozen:
    def test_nested_properties_are_copied(self) -> None:
        """Changing the caller's nested dicts and lists later cannot change the event."""
        props: dict[str, Any] = {"utm": {"source": "ads"}, "tags": ["a"], "seen": {1}}
        event = bf.Event("L1", "visit", AT, props)
        props["utm"]["source"] = "mail"
        props["tags"].append("b")
        props["seen"].add(2)
        assert event.properties["utm"]["source"] == "ads"
        assert list(event.properties["tags"]) == ["a"]
        assert set(event.properties["seen"]) == {1}

    def test_nested_properties_cannot_be_changed_through_the_event(self) -> None:
        """The event's own nested values are immutable."""
        event = bf.Event("L1", "visit", AT, {"utm": {"source": "ads"}, "tags": ["a"]})
        with pytest.raises(TypeError):
            event.properties["utm"]["source"] = "mail"  # type: ignore[index]
        with pytest.raises(AttributeError):
            event.properties["tags"].append("b")

    def test_nested_properties_round_trip_as_plain_data(self) -> None:
        """to_dict gives plain dicts and lists again, and from_dict restores the event."""
        event = bf.Event("L1", "visit", AT, {"utm": {"source": "ads"}, "tags": ["a", ["b"]]})
        data = event.to_dict()
        assert data["properties"] == {"utm": {"source": "ads"}, "tags": ["a", ["b"]]}
        assert type(data["properties"]["utm"]) is dict
        assert bf.Event.from_dict(data) == event

    def test_properties_that_contain_themselves_are_refused(self) -> None:
        """A cyclic property value is an InvalidInputError, not a RecursionError."""
        loop: dict[str, Any] = {}
        loop["self"] = loop
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Event("L1", "visit", AT, loop)
        assert info.value.path.startswith("event.properties")


class TestExtremeInstants:
    @pytest.mark.parametrize(
        "at",
        [
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))),
            datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))),
        ],
    )
    def test_instants_outside_utc_range_are_refused(self, at: datetime) -> None:
        """An aware datetime whose UTC instant is before year 1 or after 9999 is refused."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Event("L1", "visit", at)
        assert info.value.path == "event.at"

    def test_the_first_and_last_utc_instants_score(self) -> None:
        """Events at year 1 and year 9999 (UTC) score and report their times."""
        model = bf.ScoringModel.default()
        first = datetime(1, 1, 1, tzinfo=UTC)
        last = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
        events = [bf.Event("L1", "pricing_page_visit", first), bf.Event("L1", "demo", last)]
        score = model.score({"id": "L1"}, events, as_of=last)
        assert score.last_activity == last
        state = model.ingest(model.new_state("L1"), events)
        assert model.score_state(state, as_of=last).total == score.total


def test_from_cells_equals_the_checked_constructor() -> None:
    """An event built from reader cells equals one built with every check, and a
    year-1 instant west of UTC is still refused."""
    from datetime import datetime, timedelta, timezone

    at = datetime(2026, 11, 2, 9, tzinfo=timezone(timedelta(hours=1)))
    cells = bf.Event.from_cells("L1", "visit", at, {"path": "/pricing"})
    assert cells == bf.Event("L1", "visit", at, {"path": "/pricing"})
    assert cells.ts == at.timestamp() and dict(cells.properties) == {"path": "/pricing"}
    early = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))
    with pytest.raises(bf.InvalidInputError, match="outside"):
        bf.Event.from_cells("L1", "visit", early, {})
