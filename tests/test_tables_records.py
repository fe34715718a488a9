"""Every channel reads a row the same way: a CSV file (through the CLI's reader), a
list of dicts, and pandas, polars and pyarrow tables accept and refuse the same rows,
with the same message after the location, and give equal values."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from b2bfunnel.cli._tables import Reading, read_candidates, read_responses
from b2bfunnel.errors import InvalidInputError
from b2bfunnel.kol._portfolio import candidates_in
from b2bfunnel.surveys._survey import responses_in
from b2bfunnel.tables import BadRows

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

# Cells as exports hold them, hostile ones included: blanks, padding, formulas,
# quotes, delimiters, line breaks, non-ASCII digits and letters.
_HOSTILE = ["", " ", "  x  ", "=1+1", '"q"', "a,b", "a;b", "é", "٣", "a\nb", "nan", "-", "inf",
            "1.200", "EUR 12.500,00", "15/03/2026", "10 - Extremely likely", "\u00a0",
            "\uff2c\uff11", "e\u0301"]  # fmt: skip
_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=6)
SCORES = st.sampled_from(["9", " 10 ", "9.0", "7.50", "11", "-1", "9.5", "nine", "+5", "05"])
TIMES = st.sampled_from(
    ["2026-11-02T10:00:00Z", "2026-11-02T10:00:00+01:00", "2026-11-02 10:00", "2026-13-02T10:00Z"]
)
FOLLOWERS = st.sampled_from(["5000", "5000.0", "5e3", "-1", "1.5", "abc", "1,500"])
SHARES = st.sampled_from(["cto:0.4;cio:0.2", "cto:x", "cto", "cto:1.5", "cto:0.5;"])
NUMBERS = st.sampled_from(["200", "2.5", "x", "-3"])


def cells(specific: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(specific, st.sampled_from(_HOSTILE), _TEXT)


def rows_of(columns: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[list[dict[str, str]]]:
    # "key" is never blank, so no row is blank as a whole (a CSV reader skips those).
    row = st.fixed_dictionaries({"key": st.sampled_from(["k1", "k2", "é"]), **columns})
    order = ["key", *columns]  # one column order for every row, as in a table
    return st.lists(row.map(lambda r: {k: r[k] for k in order}), min_size=1, max_size=4)


class _Keep(BadRows):
    """Bad rows kept for the test to read, not raised."""

    def __init__(self) -> None:
        super().__init__(skip=True)
        self.kept: list[InvalidInputError] = []

    def add(self, error: InvalidInputError) -> None:
        self.kept.append(error)
        super().add(error)


def _csv(rows: list[dict[str, str]], path: Path) -> list[int]:
    """Write ``rows`` as CSV; the line each row starts on."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = list(rows[0])
    writer.writerow(header)
    lines, line = [], 2
    for row in rows:
        before = out.tell()
        writer.writerow([row[k] for k in header])
        lines.append(line)
        line += out.getvalue()[before:].count("\n")
    path.write_text(out.getvalue(), encoding="utf-8")
    return lines


def _reading() -> Reading:
    reading = Reading()
    reading.bad = _Keep()
    return reading


CHANNELS = {
    "list": lambda rows: [dict(r) for r in rows],
    "pandas": lambda rows: pd.DataFrame(rows, dtype=object),
    "polars": lambda rows: pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]}),
    "pyarrow": lambda rows: pa.Table.from_pylist(rows),
}


def _outcome(call: Any, name: str) -> tuple[str, Any]:
    """``("ok", values)`` or ``("refused", (field, message))`` of one row's reading, the
    field relative to the row ``name[0].``."""
    try:
        return "ok", call()
    except InvalidInputError as exc:
        prefix = f"{name}[0]"
        assert exc.path.startswith(prefix), exc.path
        return "refused", (exc.path[len(prefix) :].lstrip("."), exc.message)


def _csv_outcomes(
    reading: Reading, path: Path, lines: list[int], values: list[Any]
) -> list[tuple[str, Any]]:
    refused: dict[int, tuple[str, str]] = {}
    assert isinstance(reading.bad, _Keep)
    for problem in reading.bad.kept:
        where, _, field = problem.path.partition(f"{path}:")[2].partition(":")
        assert int(where) not in refused, "one problem per row"
        refused[int(where)] = (field, problem.message)
    accepted = iter(values)
    return [("refused", refused[line]) if line in refused else ("ok", next(accepted, None))
            for line in lines]  # fmt: skip


_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@_SETTINGS
@given(
    rows_of(
        {
            "score": cells(SCORES),
            "at": cells(TIMES),
            "sector": cells(st.just("saas")),
            "comment": cells(st.just("fine")),
        }
    )
)
def test_responses_read_alike_by_every_channel(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / "survey.csv"
    lines = _csv(rows, path)
    reading = _reading()
    read = read_responses(path, reading=reading)
    blank = {line for line, row in zip(lines, rows, strict=True) if not row["score"].strip()}
    expected = _csv_outcomes(reading, path, [n for n in lines if n not in blank], read)
    for channel, make in CHANNELS.items():
        got = []
        for row in rows:
            if not row["score"].strip():
                assert responses_in(make([row]))[1] == 1, channel  # skipped and counted
                continue
            outcome = _outcome(lambda r=row, m=make: responses_in(m([r]))[0][0], "responses")
            got.append(outcome)
        assert got == expected, channel


@_SETTINGS
@given(
    rows_of(
        {
            "handle": cells(st.just("@a")),
            "followers": cells(FOLLOWERS),
            "audience": cells(SHARES),
            "avg_interactions": cells(NUMBERS),
            "topics": cells(st.just("cloud; security")),
            "cost_per_post": cells(st.sampled_from(["100", "€100", "x", "12.50"])),
        }
    )
)
def test_candidates_read_alike_by_every_channel(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    path = tmp_path / "kols.csv"
    lines = _csv(rows, path)
    reading = _reading()
    try:
        read = read_candidates(path, reading=reading)
    except InvalidInputError as exc:  # a column-level refusal (decimal marks mixed)
        for channel, make in CHANNELS.items():
            with pytest.raises(InvalidInputError) as caught:
                candidates_in(make(rows))
            assert caught.value.message == exc.message, channel
        return
    expected = _csv_outcomes(reading, path, lines, read)
    for channel, make in CHANNELS.items():
        got = [
            _outcome(lambda r=row, m=make: candidates_in(m([r]))[0], "candidates") for row in rows
        ]
        assert got == expected, channel


def test_a_score_of_9_0_is_read_alike(tmp_path: Path) -> None:
    """The disagreement that started it: ``9.0`` from a CSV was refused, from a
    DataFrame accepted. Both read 9 now."""
    path = tmp_path / "s.csv"
    path.write_text("score\n9.0\n", encoding="utf-8")
    assert [r.score for r in read_responses(path)] == [9]
    assert [r.score for r in responses_in(pd.DataFrame({"score": [9.0]}))[0]] == [9]


def test_kol_messages_give_the_location_once(tmp_path: Path) -> None:
    path = tmp_path / "k.csv"
    path.write_text(
        "handle,followers,audience,avg_interactions\n@a,lots,cto:0.5,10\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInputError) as caught:
        read_candidates(path)
    assert f"{path}:2:followers: 'lots' is not a number" in str(caught.value)
    assert str(caught.value).count(f"{path}:2") == 1


class _SparkLike:
    """What a Spark DataFrame has: columns, toPandas, no rows to iterate."""

    columns = ("score",)

    def toPandas(self) -> Any:
        return pd.DataFrame({"score": ["9"]})


@pytest.mark.parametrize("frame", ["lazy", "spark"])
def test_other_frames_are_refused_with_what_to_pass(frame: str) -> None:
    table = pl.DataFrame({"score": ["9"]}).lazy() if frame == "lazy" else _SparkLike()
    with pytest.raises(InvalidInputError, match="pass a pandas, polars or pyarrow table"):
        responses_in(table)


def test_a_record_batch_is_a_table() -> None:
    batch = pa.RecordBatch.from_pylist([{"score": "9", "at": None}])
    assert [r.score for r in responses_in(batch)[0]] == [9]


@pytest.mark.parametrize("make", ["polars", "pyarrow"])
def test_events_from_polars_and_pyarrow(make: str) -> None:
    """A polars or pyarrow table gives the events a list of dicts gives."""
    rows = [
        {"lead_id": "L1", "name": "visit", "at": "2026-11-02T10:00:00+01:00", "page": "/a"},
        {"lead_id": "L2", "name": "webinar", "at": "2026-11-03T10:00:00Z", "page": None},
    ]
    import b2bfunnel as bf

    assert bf.events_from(CHANNELS[make](rows)) == bf.events_from(rows)


LEADS = st.sampled_from(["L1", " L2 ", "", " ", "=L3", "é"])
NAMES = st.sampled_from(["visit", " webinar ", "", "a;b"])
AT = st.sampled_from(
    ["2026-11-02T10:00:00Z", " 2026-11-02T10:00:00+01:00 ", "2026-11-02 10:00", "", "soon"]
)


@_SETTINGS
@given(rows_of({"lead_id": cells(LEADS), "name": cells(NAMES), "at": cells(AT)}))
def test_events_read_alike_by_every_channel(tmp_path: Path, rows: list[dict[str, str]]) -> None:
    """Events from a CSV file and from every kind of table: the same events (text
    stripped; the other columns as properties), the same refusals."""
    from b2bfunnel.cli._tables import read_events
    from b2bfunnel.tables._frames import events_in

    path = tmp_path / "events.csv"
    lines = _csv(rows, path)
    reading = _reading()
    expected = _csv_outcomes(reading, path, lines, read_events(path, reading))
    for channel, make in CHANNELS.items():
        got = [_outcome(lambda r=row, m=make: events_in(m([r]))[0], "events") for row in rows]
        assert got == expected, channel
