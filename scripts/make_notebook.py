"""Write docs/notebook.ipynb from docs/notebook.md (deterministic; needs the notebook
extra: ``pip install ".[notebook]"``).

The page's prose becomes Markdown cells and its Python blocks code cells: a doctest
block (``>>>``) is cut after each statement whose output the page shows, so the cell's
last expression displays it; the prompts and the printed outputs are dropped, and so are
the lines that switch matplotlib off-screen (a notebook draws inline). A block without
prompts is one cell as written. The notebook is saved without outputs;
tests/test_notebook.py checks that it is what this script writes and runs it in a real
kernel. Run from the repository root: ``python scripts/make_notebook.py``.
"""

from __future__ import annotations

import doctest
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "notebook.md"
NOTEBOOK = ROOT / "docs" / "notebook.ipynb"
FENCE = re.compile(r"^```python\n(.*?)^```\n?", re.MULTILINE | re.DOTALL)
OFF_SCREEN = re.compile(r"^(import matplotlib|matplotlib\.use\()")


def _code_cells(block: str) -> list[str]:
    """A Python block's cells: a doctest cut after each statement with shown output."""
    if ">>> " not in block:
        return [block.rstrip("\n")]
    cells, lines = [], []
    for example in doctest.DocTestParser().get_examples(block):
        if OFF_SCREEN.match(example.source):
            continue
        lines.append(example.source.rstrip("\n"))
        if example.want:
            cells.append("\n".join(lines))
            lines = []
    if lines:
        cells.append("\n".join(lines))
    return cells


def cells(page: str) -> list[tuple[str, str]]:
    """``(kind, source)`` of every cell, in the page's order."""
    out: list[tuple[str, str]] = []
    at = 0
    for match in FENCE.finditer(page):
        prose = page[at : match.start()].strip("\n")
        if prose:
            out.append(("markdown", prose))
        out += [("code", cell) for cell in _code_cells(match.group(1))]
        at = match.end()
    if page[at:].strip("\n"):
        out.append(("markdown", page[at:].strip("\n")))
    return out


def build(page: str) -> dict[str, Any]:
    """The notebook of ``page`` as nbformat 4.5 JSON data, without outputs."""
    notebook_cells: list[dict[str, Any]] = []
    for number, (kind, source) in enumerate(cells(page), start=1):
        cell: dict[str, Any] = {
            "cell_type": kind,
            "id": f"cell-{number:03d}",
            "metadata": {},
            "source": source.splitlines(keepends=True),
        }
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        notebook_cells.append(cell)
    return {
        "cells": notebook_cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def main() -> None:
    """Write docs/notebook.ipynb, validated by nbformat."""
    import nbformat

    notebook = nbformat.from_dict(build(PAGE.read_text(encoding="utf-8")))
    nbformat.validate(notebook)
    NOTEBOOK.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
    json.loads(NOTEBOOK.read_text(encoding="utf-8"))


if __name__ == "__main__":
    main()
