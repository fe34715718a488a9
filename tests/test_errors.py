"""Error paths kept as parts: split and joined back exactly, and relocated as a whole."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.errors import join_path, split_path

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_ 0123456789", min_size=1, max_size=8)
paths = st.lists(st.one_of(names, st.integers(0, 10_000)), max_size=6).filter(
    lambda parts: not parts or isinstance(parts[0], str)
)
locations = st.builds(lambda file, line: f"{file}.csv:{line}:", names, st.integers(1, 99))


@given(paths)
def test_parts_round_trip(parts: list[str | int]) -> None:
    """A path made of names and indexes splits back into those parts."""
    assert split_path(join_path(parts)) == tuple(parts)


@given(locations, paths)
def test_a_file_location_is_one_part(location: str, parts: list[str | int]) -> None:
    """``file.csv:3:`` stays one part, whatever the path after it."""
    path = join_path([location, *parts])
    assert split_path(path) == (location, *parts)


def test_parts_of_real_paths() -> None:
    """The paths the library writes split as a reader would."""
    assert split_path("scoring.implicit[2].points") == ("scoring", "implicit", 2, "points")
    assert split_path("events.csv:3:at") == ("events.csv:3:", "at")
    assert split_path("responses[17]") == ("responses", 17)
    assert split_path("") == ()


@given(st.sampled_from(["events[3]", "table[0]", "rows", "x.csv:7:"]), paths)
def test_relocate_replaces_the_root(prefix: str, rest: list[str | int]) -> None:
    """relocate swaps the error's root for the prefix and keeps the rest and message."""
    error = bf.InvalidInputError("bad", path=join_path(["event", *rest]))
    moved = error.relocate(prefix)
    assert moved.parts == (*split_path(prefix), *rest)
    assert moved.message == "bad"
    assert str(moved) == f"{moved.path}: bad"
    assert isinstance(moved, bf.InvalidInputError)


def test_relocated_events_name_their_row() -> None:
    """A bad event read from a table is located at its row, the field kept."""
    rows = [{"lead_id": "L1", "name": "visit", "at": "2026-01-01T00:00:00Z"}, {"lead_id": "L2"}]
    try:
        bf.events_from(rows)
    except bf.InvalidInputError as exc:
        assert exc.parts[:2] == ("table", 1)
    else:
        raise AssertionError("no error")


def test_parts_survive_pickling() -> None:
    """An error from a worker keeps its path, so its parts."""
    error = pickle.loads(pickle.dumps(bf.InvalidInputError("bad", path="events[2].at")))
    assert error.parts == ("events", 2, "at")
