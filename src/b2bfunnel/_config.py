"""Configuration reading shared by every section: collect all problems, with paths.

A :class:`Reader` walks plain data (a dict from TOML or JSON) and records each
problem it finds instead of stopping at the first; :meth:`Reader.raise_if_any` then
raises one :class:`ConfigError` that lists them all.
"""

from __future__ import annotations

import difflib
import math
import os
import sys
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from .errors import ConfigError, Problem

T = TypeVar("T")


_FLOAT_MAX = sys.float_info.max


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "number",
        str: "string",
        list: "array",
        tuple: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)


def did_you_mean(word: str, known: Collection[str]) -> str:
    """A hint like ``" (did you mean 'points'?)"`` or an empty string."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=0.7)
    return f" (did you mean {close[0]!r}?)" if close else ""


def join(path: str, key: str | int) -> str:
    """Extend a config path with a key or an index."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class Reader:
    """Collects problems while reading configuration data."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, path: str, message: str) -> None:
        """Record a problem."""
        self.problems.append(Problem(path, message))

    def raise_if_any(self, what: str = "configuration") -> None:
        """Raise one :class:`ConfigError` listing every recorded problem."""
        if self.problems:
            raise ConfigError(self.problems, what=what)

    def table(
        self,
        value: Any,
        path: str,
        known: Collection[str],
        required: Collection[str] = (),
    ) -> Mapping[str, Any] | None:
        """Check ``value`` is a table with only ``known`` keys and every ``required`` one."""
        if not isinstance(value, Mapping):
            self.error(path, f"expected a table, got {_type_name(value)}")
            return None
        for key in value:
            if not isinstance(key, str) or key not in known:
                allowed = ", ".join(sorted(known))
                self.error(
                    join(path, str(key)),
                    f"unknown key{did_you_mean(str(key), known)}; allowed keys: {allowed}",
                )
        for key in required:
            if key not in value:
                self.error(join(path, key), "is required")
        return value

    def array(self, value: Any, path: str, *, non_empty: bool = False) -> list[Any] | None:
        """Check ``value`` is an array."""
        if not isinstance(value, list | tuple):
            self.error(path, f"expected an array, got {_type_name(value)}")
            return None
        if non_empty and not value:
            self.error(path, "must not be empty")
            return None
        return list(value)

    def number(
        self,
        value: Any,
        path: str,
        *,
        minimum: float | None = None,
        exclusive_minimum: float | None = None,
        integer: bool = False,
        magnitude: float | None = None,
    ) -> float | None:
        """Check ``value`` is a finite number (an integer if asked) within bounds: at
        least ``minimum``, above ``exclusive_minimum``, at most ``magnitude`` from 0."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "an integer" if integer else "a number"
            self.error(path, f"expected {kind}, got {_type_name(value)} {value!r}")
            return None
        if isinstance(value, int) and not -_FLOAT_MAX <= value <= _FLOAT_MAX:
            # Every number is used as a float somewhere; this one would not convert.
            digits = int(value.bit_length() * 0.30103) + 1
            self.error(path, f"is too large: at most about 1.8e308, got ~{digits} digits")
            return None
        if not math.isfinite(value):
            self.error(path, f"must be a finite number, got {value!r}")
            return None
        if integer and not isinstance(value, int):
            self.error(path, f"expected an integer, got {value!r}")
            return None
        if minimum is not None and value < minimum:
            self.error(path, f"must be at least {minimum:g}, got {value!r}")
            return None
        if exclusive_minimum is not None and value <= exclusive_minimum:
            self.error(path, f"must be greater than {exclusive_minimum:g}, got {value!r}")
            return None
        if magnitude is not None and abs(value) > magnitude:
            self.error(path, f"must be between {-magnitude:g} and {magnitude:g}, got {value!r}")
            return None
        return value

    def string(
        self, value: Any, path: str, *, choices: Collection[str] | None = None
    ) -> str | None:
        """Check ``value`` is a non-empty string, one of ``choices`` if given."""
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"expected a non-empty string, got {_type_name(value)} {value!r}")
            return None
        if choices is not None and value not in choices:
            allowed = ", ".join(sorted(choices))
            self.error(
                path, f"unknown value {value!r}{did_you_mean(value, choices)}; allowed: {allowed}"
            )
            return None
        return value

    def boolean(self, value: Any, path: str) -> bool | None:
        """Check ``value`` is a boolean."""
        if not isinstance(value, bool):
            self.error(path, f"expected true or false, got {_type_name(value)} {value!r}")
            return None
        return value

    def each(
        self, values: list[Any], path: str, read: Callable[[Any, str, Reader], T | None]
    ) -> list[T]:
        """Read every item of an array, keeping the ones that were valid."""
        out: list[T] = []
        for index, item in enumerate(values):
            got = read(item, join(path, index), self)
            if got is not None:
                out.append(got)
        return out


def read_all(read: Callable[[Any, str, Reader], T | None], data: Any, path: str, what: str) -> T:
    """Run a section reader over ``data``; raise one :class:`ConfigError` listing every
    problem it found, or return what it read."""
    reader = Reader()
    value = read(data, path, reader)
    reader.raise_if_any(what)
    assert value is not None  # a reader returns None only after recording a problem
    return value


def load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a TOML file; a syntax error becomes a :class:`ConfigError` naming the file."""
    import tomllib  # deferred: only reading a file needs it (keeps imports fast)

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(os.fspath(path), f"not valid TOML: {exc}")]) from None
    except OSError as exc:
        raise ConfigError([Problem(os.fspath(path), f"cannot read: {exc.strerror}")]) from None
