"""Events and the error types: validation, immutability, serialisation."""

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


class TestErrors:
    def test_hierarchy(self) -> None:
        """Both errors are B2BFunnelErrors and ValueErrors."""
        assert issubclass(bf.InvalidInputError, bf.B2BFunnelError)
        assert issubclass(bf.InvalidInputError, ValueError)
        assert issubclass(bf.ConfigError, bf.B2BFunnelError)
        assert issubclass(bf.ConfigError, ValueError)

    def test_path_starts_the_message(self) -> None:
        """The path appears in the message."""
        error = bf.InvalidInputError("must be positive", path="responses[17]")
        assert error.path == "responses[17]"
        assert str(error) == "responses[17]: must be positive"

    def test_at_relocates_keeping_the_message(self) -> None:
        """at() gives the same kind of error, with its message, at another path."""
        error = bf.InvalidInputError("must be positive", path="responses[17]")
        moved = error.at("survey.csv:19:score")
        assert type(moved) is bf.InvalidInputError
        assert (moved.path, moved.message) == ("survey.csv:19:score", "must be positive")
        assert str(moved) == "survey.csv:19:score: must be positive"

    def test_config_error_lists_every_problem(self) -> None:
        """The message lists each problem; .path is the first one's."""
        error = bf.ConfigError([bf.Problem("a.b", "bad"), bf.Problem("c", "worse")])
        assert error.path == "a.b"
        assert "a.b: bad" in str(error) and "c: worse" in str(error)
        assert "2 problems" in str(error)
