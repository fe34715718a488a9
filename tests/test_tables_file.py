"""Quote-free files are split line by line; the cells must be the csv module's."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from b2bfunnel.errors import InvalidInputError
from b2bfunnel.tables import BadRows, open_table
from b2bfunnel.tables import _file as tables

# Cell text as exports hold it, minus what forces quoting: spaces, tabs, accents,
# the other delimiters, empty cells.
CELL = st.text(st.sampled_from(list("ab1 é€;|\t,.-=")), max_size=5)
ENDINGS = ("\n", "\r\n", "\r")


@st.composite
def plain_files(draw: st.DrawFn) -> tuple[str, str, str]:
    """A header and rows of any width, blank lines among them, with one line ending."""
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    cell = CELL.map(lambda text: text.replace(delimiter, ""))
    names = st.lists(cell.map(str.strip).filter(bool), min_size=1, max_size=4, unique=True)
    lines = [delimiter.join(draw(names))]
    for _ in range(draw(st.integers(0, 8))):
        lines.append(delimiter.join(draw(st.lists(cell, min_size=0, max_size=5))))
    ending = draw(st.sampled_from(ENDINGS))
    last = draw(st.sampled_from(["", ending]))
    return ending.join(lines) + last, delimiter, draw(st.sampled_from(["utf-8", "cp1252"]))


@settings(max_examples=200, deadline=None)
@given(plain_files())
def test_plain_split_reads_the_cells_csv_reads(case: tuple[str, str, str]) -> None:
    """Every row, cell, line number and bad row of the split path equals the csv path's."""
    text, delimiter, encoding = case
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(text.encode(encoding))
        seen = []
        for plain in (True, False):
            bad = BadRows(skip=True)
            table = open_table(path, delimiter=delimiter, encoding=encoding, bad=bad)
            assert table.plain  # no quote in the file
            table.plain = plain
            rows = list(table.cells())
            seen.append((rows, [str(p) for p in bad.problems]))
    assert seen[0] == seen[1]


def test_quotes_and_utf16_take_the_csv_path(tmp_path: Path) -> None:
    """A quote anywhere, a NUL or a two-byte encoding turns the split path off."""
    cases = {
        "quoted.csv": ('id,name\nL1,"a,b"\n', "utf-8"),
        "nul.csv": ("id,name\nL1,a\x00b\n", "utf-8"),
        "wide.csv": ("id,name\nL1,a\n", "utf-16"),
    }
    for name, (text, encoding) in cases.items():
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        assert not open_table(path, encoding=encoding).plain, name
    path = tmp_path / "plain.csv"
    path.write_text("id,name\nL1,a\n", encoding="utf-8")
    assert open_table(path).plain


@contextmanager
def _blocks_of(size: int) -> Iterator[None]:
    """Read plain files ``size`` bytes at a time."""
    saved, tables._BLOCK = tables._BLOCK, size
    try:
        yield
    finally:
        tables._BLOCK = saved


@st.composite
def mixed_files(draw: st.DrawFn) -> tuple[bytes, str]:
    """A plain file whose lines end in any mix of LF, CR LF and CR, some blank, some
    of the wrong width, with or without a BOM and a final line break."""
    cell = st.text(st.sampled_from(list("ab1 é€;.-")), max_size=4).map(
        lambda text: text.replace(",", "")
    )
    lines = ["id,name,at"]
    for _ in range(draw(st.integers(0, 30))):
        lines.append(",".join(draw(st.lists(cell, min_size=0, max_size=4))))
    text = "".join(line + draw(st.sampled_from(ENDINGS)) for line in lines)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
    return text.encode(encoding), encoding


@settings(max_examples=300, deadline=None)
@given(mixed_files(), st.integers(1, 7), st.sampled_from([1, 2, 3, 7, 1 << 20]))
def test_spans_read_together_are_the_whole_file(
    case: tuple[bytes, str], parts: int, block: int
) -> None:
    """Reading a table's spans one after another gives the rows, line numbers and bad
    rows of reading it whole, and those are the csv module's, whatever the size of the
    blocks the file is read in (a block may end inside a CR LF)."""
    data, encoding = case
    with tempfile.TemporaryDirectory() as folder, _blocks_of(block):
        path = Path(folder) / "t.csv"
        path.write_bytes(data)
        bad_whole, bad_parts, bad_csv = (BadRows(skip=True) for _ in range(3))
        whole = list(open_table(path, encoding=encoding, bad=bad_whole).cells())
        table = open_table(path, encoding=encoding, bad=bad_parts)
        spans = table._spans(parts)
        assert [s[0] for s in spans[1:]] == [s[1] for s in spans[:-1]]  # no gap, no overlap
        pieces = [row for span in spans for row in table._cells(span)]
        table.plain, table.bad = False, bad_csv
        by_csv = list(table.cells())
    assert pieces == whole == by_csv
    problems = [[str(p) for p in bad.problems] for bad in (bad_parts, bad_whole, bad_csv)]
    assert problems[0] == problems[1] == problems[2]


def test_spans_of_a_quoted_table_are_refused(tmp_path: Path) -> None:
    """A table with quotes is not cut into spans: asking for them, or reading one, is a
    located InvalidInputError rather than a range the reader would refuse."""
    path = tmp_path / "quoted.csv"
    path.write_text('id,name\nL1,"a,b"\nL2,c\n', encoding="utf-8")
    table = open_table(path)
    for call in (lambda: table._spans(2), lambda: list(table._cells((8, 17)))):
        with pytest.raises(InvalidInputError, match="only a plain table") as info:
            call()
        assert info.value.path == str(path)
    assert [line for line, _ in table.cells()] == [2, 3]


class TestWindowsLocations:
    """A file named like a Windows path (drive letter, backslashes) keeps its name in
    the bad rows' locations and in the summary error's path."""

    def test_bad_rows_name_the_whole_file(self, tmp_path: Path) -> None:
        """The summary's path is the file, not the drive letter before the first colon."""
        path = tmp_path / "C:\\data\\leads.csv"
        path.write_text("id,email\nL1,a@x\nL2,b@x,extra\n", encoding="utf-8")
        table = open_table(path)
        rows = list(table)
        assert rows == [(2, {"id": "L1", "email": "a@x"})]
        with pytest.raises(InvalidInputError) as caught:
            table.bad.check()
        assert caught.value.path == str(path)
        assert f"{path}:3: 3 cells but the header has 2 columns" in str(caught.value)

    @pytest.mark.parametrize(
        ("where", "file"),
        [
            ("C:\\data\\leads.csv:12:email", "C:\\data\\leads.csv"),
            ("C:\\data\\leads.csv:12", "C:\\data\\leads.csv"),
            ("D:\\exports\\a:b.csv:3:column 2", "D:\\exports\\a:b.csv"),
            ("leads.csv:7:id", "leads.csv"),
        ],
    )
    def test_file_of_a_location(self, where: str, file: str) -> None:
        """The file is the location part less its line, whatever colons it holds."""
        assert tables.file_of(InvalidInputError("x", path=where)) == file
        bad = BadRows()
        bad.add(InvalidInputError("x", path=where))
        with pytest.raises(InvalidInputError) as caught:
            bad.check()
        assert caught.value.path == file
