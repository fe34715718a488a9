"""Quote-free files are split line by line; the cells must be the csv module's."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from b2bfunnel.tables import BadRows, open_table

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
