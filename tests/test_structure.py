"""The shape of the source: no function longer than a screen without a reason."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import b2bfunnel

SOURCE = Path(b2bfunnel.__file__).parent
LIMIT = 60
# A long function says why on its `def` line or on a comment line just above it (above
# its decorators too), e.g. `# long: one pass over the bytes, split it and it slows 2x`.
REASON = "# long:"


def body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The lines of a function from its first statement after the docstring to its end."""
    body = node.body
    first = body[0]
    docstring = (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    )
    start = body[1] if docstring and len(body) > 1 else first
    assert node.end_lineno is not None
    return node.end_lineno - start.lineno + 1


def has_reason(node: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> bool:
    """Whether a ``# long:`` comment sits on the ``def`` line or just above the function."""
    if REASON in lines[node.lineno - 1]:
        return True
    top = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    while top > 0 and lines[top - 1].strip().startswith("#"):
        if REASON in lines[top - 1]:
            return True
        top -= 1
    return False


def long_functions(root: Path) -> Iterator[tuple[str, str, int]]:
    """``(module path, function name, body lines)`` of each unexplained long function."""
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = body_lines(node)
                if length > LIMIT and not has_reason(node, lines):
                    yield path.relative_to(root).as_posix(), node.name, length


def test_no_long_function_without_a_reason() -> None:
    """Every function over 60 lines (docstring excluded) carries a `# long:` reason."""
    found = list(long_functions(SOURCE))
    assert found == [], "\n".join(f"{m}: {n} is {k} lines" for m, n, k in found)


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    """A 61-line body is found; its docstring does not count; a reason lets it pass."""
    body = "".join(f"    x{i} = {i}\n" for i in range(LIMIT + 1))
    short = "".join(f"    x{i} = {i}\n" for i in range(LIMIT))
    (tmp_path / "a.py").write_text(f"def long():\n{body}")
    (tmp_path / "b.py").write_text(f'def short():\n    """Doc."""\n{short}')
    (tmp_path / "c.py").write_text(
        f"# long: one table, kept whole\n@staticmethod\ndef ok():\n{body}"
    )
    assert list(long_functions(tmp_path)) == [("a.py", "long", LIMIT + 1)]
