"""docs/notebook.ipynb is docs/notebook.md's walk-through as a notebook, and it runs in a
real Jupyter kernel (nbclient, ipykernel) on this interpreter: no cell fails, every
HTML table it displays is escaped and shows at most 20 rows, and charts come out as
PNG images."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
PAGE = ROOT / "docs" / "notebook.md"
# The tags a result's display may use; anything else (a script, an image tag, a lead's
# name read as markup) means some text went out unescaped.
TAGS = {
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "div", "span", "p",
    "b", "strong", "em", "i", "small", "br", "code", "style", "h3", "h4", "ul", "li",
}  # fmt: skip
BARE_AMPERSAND = re.compile(r"&(?![A-Za-z]+;|#[0-9]+;|#x[0-9A-Fa-f]+;)")
HOSTILE = '<script>alert("x")</script> & <b>Co</b>'


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_notebook", ROOT / "scripts" / "make_notebook.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_notebook_is_written_from_the_page() -> None:
    """The shipped notebook is what scripts/make_notebook.py writes from the page: edit
    docs/notebook.md, then run the script."""
    built = _generator().build(PAGE.read_text(encoding="utf-8"))
    assert json.loads(NOTEBOOK.read_text(encoding="utf-8")) == built


def test_each_shown_output_ends_a_cell() -> None:
    """A doctest statement whose output the page shows is the last line of its cell, so
    the notebook displays what the page shows."""
    cells = _generator().cells(PAGE.read_text(encoding="utf-8"))
    code = [source for kind, source in cells if kind == "code"]
    assert code[0].splitlines()[-1].startswith("len(events)")
    assert "ranked.bands()" in code and "ranked" in code and "result" in code
    assert not any("matplotlib.use" in source or ">>>" in source for source in code)


class _Markup(HTMLParser):
    """The tags, attributes, text and data rows per table of one HTML display."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.text: list[str] = []
        self.tables: list[int] = []  # data rows (rows with a td) of each table
        self._open: list[int] = []
        self._row_counted = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]
        if tag == "table":
            self._open.append(0)
        elif tag == "tr":
            self._row_counted = False
        elif tag == "td" and self._open and not self._row_counted:
            self._open[-1] += 1
            self._row_counted = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._open:
            self.tables.append(self._open.pop())

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check_html(html: str, where: str) -> _Markup:
    """Escaped (only display tags, no handlers, no bare ``&``) and at most 20 rows."""
    markup = _Markup()
    markup.feed(html)
    markup.close()
    assert set(markup.tags) <= TAGS, (where, set(markup.tags) - TAGS)
    assert not [a for a in markup.attributes if a.startswith("on")], where
    assert not BARE_AMPERSAND.search(html), where
    assert markup.tables and max(markup.tables) <= 20, (where, markup.tables)
    return markup


@pytest.mark.engines
def test_the_notebook_runs_in_a_real_kernel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent = [
        m for m in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(m) is None
    ]
    if absent:
        pytest.skip(f"{', '.join(absent)} not installed (pip install '.[notebook]')")
    import nbformat
    from nbclient import NotebookClient

    # The kernel named python3 runs this interpreter, whatever kernels the machine has.
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    shipped = len(notebook.cells)
    checks = [
        "import sys\nsys.executable",
        f"funnel.rank([{{'id': {HOSTILE!r}}}], [], as_of=now)",
    ]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in checks]
    NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=600,
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()  # a cell that fails raises CellExecutionError

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.get("outputs") or cell.outputs[-1].output_type != "error" for cell in code)
    tables = 0
    for number, cell in enumerate(notebook.cells[:shipped], start=1):
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html")
            if html is not None:
                tables += 1
                _check_html(html, f"cell {number}")
        pictures = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if cell.cell_type == "code" and ".plot(" in cell.source:
            assert pictures, f"cell {number} draws no PNG"
    assert tables >= 3  # ranked[0], ranked, result at least
    executable = notebook.cells[shipped].outputs[0]["data"]["text/plain"]
    assert executable == repr(sys.executable)
    hostile = notebook.cells[shipped + 1].outputs[0]["data"]["text/html"]
    markup = _check_html(hostile, "a lead named with markup")
    assert HOSTILE in "".join(markup.text)  # shown as text, not read as markup
