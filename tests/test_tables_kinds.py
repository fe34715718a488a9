"""Every channel reads every record kind the same way: lead profiles, touches,
outcomes, lifecycle rows and qualification answers from a CSV file (through the
command line's readers) and from a list of dicts, pandas, polars and pyarrow tables
are accepted and refused alike, with the same message after the location, and give
equal values. (Responses, KOL candidates and events: tests/test_tables_records.py.)

Rows given in Python may hold what a CSV file cannot: ``None`` and NaN for a blank,
numpy scalars for a number. Those channels get such cells where the CSV has their
text (a blank; the digits), and must read them as the CSV's text is read."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_tables_records import (
    _HOSTILE,
    _SETTINGS,
    CHANNELS,
    _csv,
    _csv_outcomes,
    _outcome,
    _reading,
    cells,
)

import b2bfunnel as bf
from b2bfunnel.cli._tables import Reading, read_deal_file, read_kind, read_leads
from b2bfunnel.cli.qualify import qualify_rows
from b2bfunnel.errors import InvalidInputError
from b2bfunnel.tables._deals import deal_records
from b2bfunnel.tables._frames import table_rows
from b2bfunnel.tables._kinds import (
    account_fields,
    lifecycle_fields,
    outcome_fields,
    profile_fields,
    touch_fields,
)
from b2bfunnel.tables._options import ReadOptions
from b2bfunnel.tables._read import rows_of

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")

IDS = st.sampled_from(["L1", " L2 ", "00Q5g00000ABCDE", "1042", "7", "é", "\uff2c\uff13"])
TIMES = st.sampled_from(
    ["2026-11-02T10:00:00Z", " 2026-11-02T10:00:00+01:00 ", "2026-11-02 10:00", "15/03/2026",
     "2026-13-02T10:00Z", "2026-11-02"]
)  # fmt: skip
TEXT = st.sampled_from(
    ["webinar", " Paid Search ", "1.200", "EUR 12.500,00", "10 - Extremely likely"]
)


def typed(value: str, draw_blank: int, numeric: bool) -> Any:
    """A cell as a notebook may hold it where the CSV has ``value``: a blank as ``None``
    or NaN, digits (in a numeric column) as a numpy integer."""
    if not value.strip():
        return (value, None, math.nan)[draw_blank % 3]
    digits = value.strip()
    if numeric and digits.isascii() and digits.isdigit() and str(int(digits)) == digits:
        return np.int64(int(digits)) if draw_blank % 2 else value
    return value


def typed_channels(
    numeric: frozenset[str],
) -> dict[str, Callable[[list[dict[str, str]], list[int]], Any]]:
    """The channels, the list and pandas ones with typed cells (see :func:`typed`)."""

    def as_typed(rows: list[dict[str, str]], seeds: list[int]) -> list[dict[str, Any]]:
        return [{k: typed(v, seed, k in numeric) for k, v in row.items()}
                for row, seed in zip(rows, seeds, strict=True)]  # fmt: skip

    return {
        "list": lambda rows, seeds: as_typed(rows, seeds),
        "pandas": lambda rows, seeds: pd.DataFrame(as_typed(rows, seeds), dtype=object),
        "polars": lambda rows, seeds: CHANNELS["polars"](rows),
        "pyarrow": lambda rows, seeds: CHANNELS["pyarrow"](rows),
    }


def rows_with_seeds(
    columns: dict[str, st.SearchStrategy[str]],
) -> st.SearchStrategy[tuple[list[dict[str, str]], list[int]]]:
    """Rows (a never-blank ``key`` and ``company`` first, so no row is blank or thin
    enough to be a report's footer) and a seed per row for its typed cells."""
    row = st.fixed_dictionaries(
        {"key": st.sampled_from(["k1", "k2", "é"]), "company": st.just("Acme"), **columns}
    )
    order = ["key", "company", *columns]
    rows = st.lists(
        row.map(lambda r: {k: r[k] for k in order}),
        min_size=1,
        max_size=4,
        # One row per id (a second is a duplicate, which only a whole table can tell).
        unique_by=lambda r: str(r.get("id", id(r))).strip(),
    )
    return rows.flatmap(
        lambda rs: st.tuples(
            st.just(rs), st.lists(st.integers(0, 5), min_size=len(rs), max_size=len(rs))
        )
    )


def _check(
    tmp_path: Path,
    case: tuple[list[dict[str, str]], list[int]],
    read_csv: Callable[[Path, Reading], list[Any]],
    read_rows: Callable[[Any], list[Any]],
    name: str,
    numeric: frozenset[str] = frozenset(),
) -> None:
    rows, seeds = case
    path = tmp_path / f"{name}.csv"
    lines = _csv(rows, path)
    reading = _reading()
    expected = _csv_outcomes(reading, path, lines, read_csv(path, reading))
    for channel, make in typed_channels(numeric).items():
        got = [
            _outcome(lambda r=row, s=seed, m=make: read_rows(m([r], [s]))[0], name)
            for row, seed in zip(rows, seeds, strict=True)
        ]
        assert got == expected, channel


def _converted(convert: Any, path: str) -> Callable[[Any], list[Any]]:
    return lambda table: list(rows_of(table, ReadOptions(), path, kind=convert))


@_SETTINGS
@given(rows_with_seeds({"id": cells(IDS), "job_title": cells(TEXT), "employees": cells(TEXT)}))
def test_profiles_read_alike_by_every_channel(
    tmp_path: Path, case: tuple[list[dict[str, str]], list[int]]
) -> None:
    _check(tmp_path, case, read_leads, _converted(profile_fields, "profiles"), "profiles",
           frozenset({"id"}))  # fmt: skip


# The kinds read by read_kind from a file and rows_of from rows in Python: their
# converter, the file kind (its column mappings), columns and numeric columns.
KINDS = {
    "touches": (touch_fields, "touches",
                {"lead_id": cells(IDS), "at": cells(TIMES), "channel": cells(TEXT)}, {"lead_id"}),
    "outcomes": (outcome_fields, "outcomes", {"lead_id": cells(IDS), "at": cells(TIMES)},
                 {"lead_id"}),
    "records": (lifecycle_fields, "leads", {"lead_at": cells(TIMES), "sql_at": cells(TIMES),
                                            "rejection_reason": cells(TEXT)}, set()),
    "accounts": (account_fields, "accounts", {"id": cells(IDS), "domain": cells(TEXT),
                                              "name": cells(TEXT)}, {"id"}),
}  # fmt: skip


@pytest.mark.parametrize("name", list(KINDS))
@_SETTINGS
@given(data=st.data())
def test_kinds_read_alike_by_every_channel(tmp_path: Path, name: str, data: st.DataObject) -> None:
    """Touches, outcomes, lifecycle rows (``records``) and accounts: one converter each."""
    convert, kind, columns, numeric = KINDS[name]

    def from_csv(path: Path, reading: Reading) -> list[Any]:
        return read_kind(path, convert, (), reading, kind).records

    case = data.draw(rows_with_seeds(columns))
    _check(tmp_path, case, from_csv, _converted(convert, name), name, frozenset(numeric))


ANSWERS = st.sampled_from(
    ["Approved", " economic buyer ", "Economic-Buyer", "risk", "2027-03-31", "this_quarter",
     "maybe", "15/03/2026", "Sí"]
)  # fmt: skip
AS_OF = datetime(2026, 11, 23, tzinfo=UTC)


@_SETTINGS
@given(rows_with_seeds({"budget": cells(ANSWERS), "authority": cells(ANSWERS),
                        "timing": cells(ANSWERS)}))  # fmt: skip
def test_qualification_answers_read_alike_by_every_channel(
    tmp_path: Path, case: tuple[list[dict[str, str]], list[int]]
) -> None:
    """Answers are read by one converter (``answers_from_row``, through
    :meth:`Funnel.qualify`) from a CSV row and from a row of any table."""
    funnel = bf.Funnel()

    def csv_answers(path: Path, reading: Reading) -> list[Any]:
        rows = reading.open(path, "answers")
        return [q for _, q in qualify_rows(rows, path, funnel, AS_OF, None, reading)]

    def answers(table: Any) -> list[Any]:
        out = []
        for index, row in enumerate(table_rows(table, path="answers")):
            try:
                out.append(funnel.qualify(row, as_of=AS_OF, ignore_unknown=True))
            except InvalidInputError as exc:
                parts = exc.parts[1:] if exc.parts[:1] == ("answers",) else exc.parts
                raise exc.at(f"answers[{index}].{parts[0]}") from None
        return out

    _check(tmp_path, case, csv_answers, answers, "answers")


def test_hostile_cells_are_in_the_shared_list() -> None:
    """The hostile cells the issue names are among those every channel test draws."""
    for text in ("1.200", "EUR 12.500,00", "15/03/2026", "10 - Extremely likely", "\u00a0"):
        assert text in _HOSTILE


def test_api_functions_read_text_times_as_the_command_line_does() -> None:
    """Touches and outcomes whose times are ISO 8601 text (as a CSV file or a DataFrame
    of strings holds them) give what their datetimes give; a bad one is located at its
    row in Python."""
    day = [datetime(2026, 10, d, tzinfo=UTC) for d in range(1, 32)]
    touches = [{"lead_id": "L1", "at": day[0], "channel": "kol_webinar"},
               {"lead_id": "L1", "at": day[5], "channel": "email"}]  # fmt: skip
    deals = [{"lead_id": "L1", "amount": "1000.00", "outcome": "won", "created_at": day[6],
              "closed_at": day[20]}]  # fmt: skip
    as_text = [{**t, "at": t["at"].isoformat()} for t in touches]
    assert bf.attribute(pd.DataFrame(as_text), deals) == bf.attribute(touches, deals)
    with pytest.raises(InvalidInputError) as caught:
        bf.attribute([*as_text, {"lead_id": "L1", "at": "15/03/2026", "channel": "x"}], deals)
    assert caught.value.path == "touches[2].at"
    assert "'%d/%m/%Y'" in caught.value.message


AMOUNTS = st.sampled_from(
    ["1000", "EUR 12.500,00", "€1,500.00", "12.5K", "1.200", "1,5", "x", "-3", "USD 10"]
)
OUTCOMES = st.sampled_from(["won", "Won", "lost", "open", "Closed Won", "maybe"])


@_SETTINGS
@given(
    rows_with_seeds(
        {"created_at": cells(TIMES), "closed_at": cells(TIMES), "amount": cells(AMOUNTS),
         "outcome": cells(OUTCOMES)}
    )
)  # fmt: skip
def test_deals_read_alike_by_every_channel(
    tmp_path: Path, case: tuple[list[dict[str, str]], list[int]]
) -> None:
    """Deals are read by one reader (``read_deals``) from a file and from any table; a
    deal's amount settles with its column (``1.200`` among ``1,5``), so the whole table
    is compared: the same first refusal (or column-level refusal), else equal records."""
    rows, seeds = case
    path = tmp_path / "deals.csv"
    lines = _csv(rows, path)
    reading = _reading()
    try:
        read = read_deal_file(path, reading, ())
    except InvalidInputError as exc:  # the column (decimal marks, currencies) is refused
        expected: Any = ("column", exc.message)
    else:
        problems = reading.bad.kept  # type: ignore[attr-defined]
        if problems:
            where, _, field = problems[0].path.partition(f"{path}:")[2].partition(":")
            expected = ("row", lines.index(int(where)), field, problems[0].message)
        else:
            expected = ("ok", read.records, read.currency)
    for channel, make in typed_channels(frozenset()).items():
        table = list(table_rows(make(rows, seeds), path="deals"))
        try:
            got = deal_records(table)
        except InvalidInputError as exc:
            if expected[0] == "column":
                assert exc.message == expected[1], channel
            else:
                parts = exc.parts
                assert expected[:3] == ("row", parts[1], parts[2]), channel
                # Rows in Python: every bad row at once, the first one's line first.
                first = exc.message.split("\n")[1] if "\n" in exc.message else None
                shown = exc.message if first is None else first.split(": ", 1)[1]
                assert shown == expected[3], channel
            continue
        assert expected == ("ok", got.records, got.currency), channel
