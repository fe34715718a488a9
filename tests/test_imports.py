"""No hidden import cycles: no b2bfunnel module is imported inside a function."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "b2bfunnel"

# Imports of b2bfunnel modules still made inside a function, by (file, function). Each
# is a loop hidden from the import system; its owner removes it and its line here.
ALLOWED: set[tuple[str, str]] = set()


def _imports_in_functions(tree: ast.Module) -> Iterator[tuple[str, ast.Import | ast.ImportFrom]]:
    """Each import inside a function, with the function's name; a module's own
    ``__getattr__`` (the package's lazy names) aside."""
    for top in tree.body:
        if isinstance(top, ast.FunctionDef) and top.name == "__getattr__":
            continue
        for node in ast.walk(top):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        yield node.name, inner


def _is_ours(node: ast.Import | ast.ImportFrom) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "b2bfunnel"
    return any(alias.name.split(".")[0] == "b2bfunnel" for alias in node.names)


def _found() -> Iterator[tuple[str, str, ast.Import | ast.ImportFrom, list[str]]]:
    for path in sorted(SRC.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        tree = ast.parse("\n".join(lines), filename=str(path))
        seen = set()
        for function, node in _imports_in_functions(tree):
            if id(node) not in seen:  # a nested function's import is walked twice
                seen.add(id(node))
                yield path.relative_to(SRC).as_posix(), function, node, lines


def test_no_package_module_is_imported_inside_a_function() -> None:
    """A b2bfunnel module imported inside a function hides a cycle: move what both
    sides need below them instead."""
    hidden = sorted(
        f"{where}:{node.lineno} in {function}()"
        for where, function, node, _lines in _found()
        if _is_ours(node) and (where, function) not in ALLOWED
    )
    assert hidden == []


def test_allowed_exceptions_still_exist() -> None:
    """The allow-list names only imports that are still there."""
    present = {(where, function) for where, function, node, _lines in _found() if _is_ours(node)}
    assert sorted(ALLOWED - present) == []


def test_deferred_imports_say_why() -> None:
    """An optional extra (pandas, matplotlib, pyspark, ...) or a deferred standard
    library or dateutil import inside a function carries a comment saying why, on its
    line or the line above."""
    silent = sorted(
        f"{where}:{node.lineno}"
        for where, _function, node, lines in _found()
        if not _is_ours(node) and not _explained(lines, node.lineno - 1)
    )
    assert silent == []


def _explained(lines: list[str], index: int) -> bool:
    """Whether the import on ``lines[index]`` has a comment on its line or above the
    run of imports it belongs to."""
    if "#" in lines[index]:
        return True
    index -= 1
    while lines[index].strip().startswith(("import ", "from ")):
        index -= 1
    return lines[index].strip().startswith("#")


def _module_imports(path: Path) -> Iterator[tuple[str, list[str]]]:
    """``(module, names)`` of each ``from`` import of a file, the module resolved
    against ``b2bfunnel`` (``..events`` from ``tables/_frames.py`` is ``events``)."""
    package = path.relative_to(SRC).parent.parts
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            module = ".".join((*base, *(node.module or "").split(".")) if node.module else base)
            yield module.strip("."), [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("b2bfunnel."):
            yield (node.module or "").removeprefix("b2bfunnel."), [a.name for a in node.names]


DOMAIN = ("nps", "surveys", "kol", "pipeline", "scoring", "bant", "nurture", "accounts",
          "evaluation", "funnel", "cli")  # fmt: skip


def test_the_reading_layer_imports_no_domain_module() -> None:
    """``tables`` returns typed field mappings; the domain packages build their records
    from them, so the reading layer never imports one of them (nor the CLI)."""
    found = sorted(
        f"{path.relative_to(SRC).as_posix()}: {module}"
        for path in sorted((SRC / "tables").rglob("*.py"))
        for module, _names in _module_imports(path)
        if module.split(".")[0] in DOMAIN
    )
    assert found == []


def test_no_private_name_of_the_reading_layer_is_imported_outside_it() -> None:
    """What other modules need of ``tables`` has a name without a leading underscore
    (private modules are fine: their names say what they hold)."""
    found = sorted(
        f"{path.relative_to(SRC).as_posix()}: {module}.{name}"
        for path in sorted(SRC.rglob("*.py"))
        if "tables" not in path.relative_to(SRC).parts
        for module, names in _module_imports(path)
        if module.split(".")[0] == "tables"
        for name in names
        if name.startswith("_")
    )
    assert found == []


_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def test_the_library_outside_the_command_line_speaks_python() -> None:
    """No module outside ``cli/`` imports from it, or names a command-line flag in its
    text (messages, notes, docstrings): the library names parameters (``encoding=``,
    ``skip_invalid=True``), which the command line shows as its flags."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        where = path.relative_to(SRC)
        if where.parts[0] == "cli" or where.name == "__main__.py":  # the command itself
            continue
        for module, _names in _module_imports(path):
            if module.split(".")[0] == "cli":
                found.append(f"{where.as_posix()}: imports {module}")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found += [f"{where.as_posix()}:{node.lineno}: {flag}"
                          for flag in _FLAG.findall(node.value)]  # fmt: skip
    assert found == []
