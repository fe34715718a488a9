"""Every command-line sample in the docs (a ```text block opening with ``$ b2bfunnel``)
prints what the command prints today, run on the sample data the package ships and
the export-shaped files of tests/data. A command ending in ``> /dev/null`` shows its
standard error only."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from importlib import resources
from pathlib import Path

import pytest

from b2bfunnel.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs"
DATA = Path(__file__).resolve().parent / "data"
SAMPLE = re.compile(r"^```text\n\$ (b2bfunnel .*?)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _samples() -> list[tuple[str, str, str]]:
    """Each sample's page, command line and printed output."""
    return [
        (page.name, command, output)
        for page in sorted(DOCS.glob("*.md"))
        for command, output in SAMPLE.findall(page.read_text(encoding="utf-8"))
    ]


def test_the_docs_have_samples() -> None:
    """The pattern finds the samples (a test of the test)."""
    pages = {page for page, _command, _output in _samples()}
    assert {"evaluation.md", "crm-export.md"} <= pages


@pytest.mark.parametrize(("page", "command", "output"), _samples())
def test_sample_output_is_what_the_command_prints(
    page: str, command: str, output: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run in a directory holding the shipped sample files; stdout and stderr, as a
    terminal interleaves them, equal the page's text."""
    data = resources.files("b2bfunnel") / "data"
    for item in data.iterdir():
        if item.name.endswith((".csv", ".toml")):
            shutil.copyfile(str(item), tmp_path / item.name)
    for item in DATA.glob("*.csv"):
        shutil.copyfile(item, tmp_path / item.name)
    monkeypatch.chdir(tmp_path)
    args = shlex.split(command)[1:]
    printed = io.StringIO()
    quiet = args[-2:] == [">", "/dev/null"]
    with contextlib.redirect_stderr(printed):
        main(args[:-2] if quiet else args, out=io.StringIO() if quiet else printed)
    assert printed.getvalue() == output, page
