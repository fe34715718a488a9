"""Writing configuration data as TOML (the standard library only reads it).

Tables become ``[section]`` headers, lists of tables ``[[section.item]]``; anything
deeper is written inline, which TOML allows at any depth.

>>> print(dumps({"scoring": {"hot_threshold": 80, "explicit": [{"name": "a", "points": 5,
...     "when": {"field": "country", "eq": "PT"}}]}}), end="")
[scoring]
hot_threshold = 80
<BLANKLINE>
[[scoring.explicit]]
name = "a"
points = 5
when = { field = "country", eq = "PT" }
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps"]

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "nan" if value != value else ("inf" if value > 0 else "-inf")
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_tables(value: Any) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _table(name: str, data: Mapping[str, Any], lines: list[str], header: str) -> None:
    """Write ``data`` under ``header``: plain keys first, then sub-tables."""
    lines.append(header)
    nested = []
    for key, value in data.items():
        if (isinstance(value, Mapping) and value) or _is_tables(value):
            nested.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested:
        path = f"{name}.{_key(key)}"
        if isinstance(value, Mapping):
            lines.append("")
            _table(path, value, lines, f"[{path}]")
        else:
            for item in value:  # an item's own tables are written inline
                lines.extend(("", f"[[{path}]]"))
                lines.extend(f"{_key(k)} = {_value(v)}" for k, v in item.items())


def dumps(data: Mapping[str, Any]) -> str:
    """``data`` (a mapping of sections) as TOML text that ``tomllib`` reads back equal."""
    lines: list[str] = []
    for name, section in data.items():
        if lines:
            lines.append("")
        _table(_key(name), section, lines, f"[{_key(name)}]")
    return "\n".join(lines) + "\n"
