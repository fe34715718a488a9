"""The library speaks Python (parameters, not flags); the command line speaks flags."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from b2bfunnel.cli import main
from b2bfunnel.cli._flags import as_flags
from b2bfunnel.errors import InvalidInputError
from b2bfunnel.tables import BadRows, open_table

SRC = Path(__file__).parent.parent / "src" / "b2bfunnel"
AS_OF = "2026-11-23T08:00:00+00:00"


def _library_files() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "cli" not in p.relative_to(SRC).parts]


def test_no_flag_outside_the_cli() -> None:
    """Nothing outside cli/ names a command-line option."""
    flag = re.compile(r"(?<![\w-])--[a-z]")
    found = [
        f"{path.relative_to(SRC)}:{n}"
        for path in _library_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if flag.search(line)
    ]
    assert found == []


def test_nothing_outside_the_cli_imports_it() -> None:
    """Only the entry point ``python -m b2bfunnel`` imports the command line."""
    imports = re.compile(r"^\s*from \.+cli\b|^\s*import b2bfunnel\.cli|from b2bfunnel\.cli")
    found = [
        str(path.relative_to(SRC))
        for path in _library_files()
        if path.name != "__main__.py"
        and any(imports.search(line) for line in path.read_text(encoding="utf-8").splitlines())
    ]
    assert found == []


def test_importing_changes_no_process_setting() -> None:
    """``csv.field_size_limit`` is the same after importing the library as before."""
    code = (
        "import csv; before = csv.field_size_limit(); import b2bfunnel, b2bfunnel.tables, "
        "b2bfunnel.cli; print(before == csv.field_size_limit())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "True"


def test_reading_restores_the_field_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    long = "x" * 200_000  # longer than the csv module's default limit
    path.write_text(f'id,note\nL1,"{long}"\n', encoding="utf-8")
    before = csv.field_size_limit()
    rows = list(open_table(path))
    assert rows[0][1]["note"] == long
    assert csv.field_size_limit() == before


def test_bad_rows_name_the_parameter() -> None:
    bad = BadRows()
    bad.add(InvalidInputError("empty cell", path="x.csv:2:id"))
    with pytest.raises(InvalidInputError, match=r"skip_invalid=True"):
        bad.check()


@pytest.mark.parametrize(
    ("library", "flags"),
    [
        ("2 bad rows (fix them, or skip them with skip_invalid=True):", "--skip-invalid"),
        ("encoding: unknown text encoding 'rot13'", "--encoding: unknown"),
        ("'x' has no time zone; say which zone it is in with timezone=", "with --timezone"),
        ("did you mean 'Score'? use columns={'score': 'Score'}", "use --map score='Score'"),
        ("preset: unknown CRM 'sf'", "--from: unknown CRM"),
    ],
)
def test_the_cli_translates_parameters_to_flags(library: str, flags: str) -> None:
    assert flags in as_flags(library)


def test_a_cell_saying_encoding_is_left_alone() -> None:
    assert as_flags("got 'encoding='") == "got 'encoding='"


def _run(*argv: str) -> int:
    try:
        return main(list(argv), out=io.StringIO())
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.parametrize("codec", ["rot13", "zlib", "no-such-codec"])
def test_a_codec_that_is_not_a_text_encoding_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], codec: str
) -> None:
    path = tmp_path / "s.csv"
    path.write_text("score\n9\n", encoding="utf-8")
    assert _run("nps", str(path), "--encoding", codec) == 2
    err = capsys.readouterr().err
    assert "--encoding: unknown text encoding" in err
    with pytest.raises(InvalidInputError) as caught:
        open_table(path, encoding=codec)
    assert caught.value.path == "encoding"


def test_utf8_with_some_bad_lines_is_not_read_as_cp1252(tmp_path: Path) -> None:
    """A UTF-8 file (it holds 'Bogotá' in UTF-8) with one Latin-1 line: that line is a
    bad row, the others keep their letters."""
    path = tmp_path / "leads.csv"
    path.write_bytes(
        "id,city\nL1,Bogotá\n".encode() + "L2,Medellín\n".encode("latin-1") + b"L3,Cali\n"
    )
    bad = BadRows(skip=True)
    notes: list[str] = []
    rows = list(open_table(path, bad=bad, on_note=notes.append))
    assert rows == [(2, {"id": "L1", "city": "Bogotá"}), (4, {"id": "L3", "city": "Cali"})]
    assert [p.path for p in bad.problems] == [f"{path}:3"]
    assert "byte 0xED" in bad.problems[0].message
    assert notes and "lines that are not UTF-8 are bad rows" in notes[0]


def test_a_cp1252_file_still_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "leads.csv"
    path.write_bytes("id,city\nL1,Medellín\n".encode("cp1252"))
    assert list(open_table(path)) == [(2, {"id": "L1", "city": "Medellín"})]


def test_json_output_is_strict_json() -> None:
    """A non-finite number is written as null, never as Infinity or NaN."""
    import json

    from b2bfunnel.cli._tables import write_json

    out = io.StringIO()
    write_json({"low": 0.5, "high": float("inf"), "rates": (float("nan"), 1)}, out)
    assert json.loads(out.getvalue(), parse_constant=lambda c: pytest.fail(c)) == {
        "low": 0.5,
        "high": None,
        "rates": [None, 1],
    }


def test_fuzzed_arguments_raise_invalid_input() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    import b2bfunnel as bf
    from b2bfunnel.nurture import due

    with pytest.raises(InvalidInputError):
        bf.diagnose_price_objection({}, quick_decision_days="30")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="unknown keys"):
        bf.Event.from_dict(
            {"lead_id": "L1", "name": "x", "at": "2026-01-01T00:00:00Z", 1: 2, "z": 3}
        )
    with pytest.raises(InvalidInputError) as caught:
        due([], datetime(1, 1, 1, 1, tzinfo=timezone(timedelta(hours=2))))
    assert caught.value.path == "as_of"
    assert list(due([], datetime(2026, 1, 1, tzinfo=UTC))) == []


def _csv_out(*argv: str) -> str:
    out = io.StringIO()
    assert main(list(argv), out=out) == 0
    return out.getvalue()


def test_output_has_its_own_delimiter_and_decimal(tmp_path: Path) -> None:
    """A sniffed ';' input never changes the output; --out-delimiter and --out-decimal
    write for a Spanish Excel from a comma-separated input in one run."""
    semi = tmp_path / "semi.csv"
    semi.write_text("score;sector\n9;saas\n10;saas\n3;retail\n", encoding="utf-8")
    comma = tmp_path / "comma.csv"
    comma.write_text("score,sector\n9,saas\n10,saas\n3,retail\n", encoding="utf-8")
    plain = _csv_out("nps", str(semi), "--format", "csv")
    assert plain.splitlines()[0].startswith("n,nps,") and ",33.3," in plain
    spanish = _csv_out(
        "nps", str(comma), "--format", "csv", "--out-delimiter", ";", "--out-decimal", ","
    )
    assert spanish.splitlines()[0].startswith("n;nps;") and ";33,3;" in spanish
    given = _csv_out("nps", str(semi), "--format", "csv", "--delimiter", ";", "--decimal", ",")
    assert given.splitlines()[0].startswith("n;nps;") and ";33,3;" in given
