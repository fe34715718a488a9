"""Public signatures say what they take and give: no bare ``Any``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import types
import typing
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import typing_example

import b2bfunnel as bf

# Signatures other helpers are reworking this round; their owners type them and the
# coordinator prunes this list. The rest say why `Any` is the honest type. Keyed by
# qualified name (``Class.method``, ``function`` or ``Class.field``), wherever it is
# exported; the values are the parameters (and ``return``) that may stay ``Any``.
ALLOWED: dict[str, set[str]] = {
    # scoring helper: the rules of a state.
    "ScoreState.__init__": {"rules"},
    "ScoreState.rules": set(),
    # A pandas DataFrame: pandas ships no type hints, so the frame is Any to a checker
    # whatever we write.
    "to_pandas": {"return"},
    "to_polars": {"return"},  # polars is an optional extra, typed only when installed
}
# A matplotlib Axes, taken and given by `plot` and every result's `plot` method: an
# optional extra, so its class cannot be named where typing.get_type_hints evaluates
# the hints without importing matplotlib.
AXES = {"ax", "return"}
# Spark and Dask frames: optional extras, not followed by the type checker (see
# pyproject's mypy overrides), so they are Any to a checker whatever we write.
ALLOWED_MODULES = {"b2bfunnel.spark", "b2bfunnel.dask"}


def public_modules() -> list[types.ModuleType]:
    """``b2bfunnel`` and every public module of it that declares ``__all__``."""
    found = [bf]
    for info in pkgutil.walk_packages(bf.__path__, prefix="b2bfunnel."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        with warnings.catch_warnings():  # a deprecated alias module warns on import
            warnings.simplefilter("ignore", DeprecationWarning)
            module = importlib.import_module(info.name)
        if hasattr(module, "__all__"):
            found.append(module)
    return found


def public_callables() -> Iterator[tuple[str, Callable[..., Any]]]:
    """``(qualified name, callable)`` of each public function and public method
    (``__init__`` included) of each public class, once each."""
    seen: set[int] = set()
    for module in public_modules():
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") and attr != "__init__":
                        continue
                    if isinstance(member, classmethod | staticmethod):
                        member = member.__func__
                    if isinstance(member, property):
                        member = member.fget
                    if inspect.isfunction(member) and id(member) not in seen:
                        seen.add(id(member))
                        yield f"{obj.__name__}.{attr}", member
            elif inspect.isfunction(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield obj.__name__, obj


def public_classes() -> Iterator[type]:
    """Each public class, once."""
    seen: set[type] = set()
    for module in public_modules():
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and obj not in seen:
                seen.add(obj)
                yield obj


def is_bare_any(hint: Any) -> bool:
    """Whether ``hint`` is ``Any``, a union with ``Any`` in it, or a tuple of ``Any``."""
    if hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType, tuple):
        return any(arg is Any for arg in typing.get_args(hint))
    return False


def is_bare_any_text(hint: str) -> bool:
    """:func:`is_bare_any` of an annotation that could not be evaluated."""
    parts = [part.strip() for part in hint.split("|")]
    return any(part in ("Any", "tuple[Any, ...]") for part in parts)


def loose(function: Callable[..., Any]) -> list[str]:
    """The parameters (and ``return``) of ``function`` annotated with a bare ``Any``."""
    try:
        hints = typing.get_type_hints(function)
    except NameError:  # a forward reference the api helper's hints test reports
        raw = inspect.get_annotations(function)
        return [k for k, v in raw.items() if isinstance(v, str) and is_bare_any_text(v)]
    return [k for k, v in hints.items() if is_bare_any(v)]


def allowed_axes(name: str) -> set[str]:
    """The parameters that may hold a matplotlib Axes: those of ``plot`` methods."""
    return AXES if name.rpartition(".")[2] == "plot" else set()


def test_no_bare_any_in_a_public_signature() -> None:
    """No public function or method takes or returns a bare ``Any``."""
    found = {
        name: sorted(set(loose(function)) - ALLOWED.get(name, set()) - allowed_axes(name))
        for name, function in public_callables()
        if function.__module__ not in ALLOWED_MODULES
    }
    assert {name: params for name, params in found.items() if params} == {}


def test_no_bare_any_in_a_public_field() -> None:
    """No field of a public class is annotated with a bare ``Any``."""
    found = [
        f"{cls.__name__}.{field}"
        for cls in public_classes()
        for field, hint in typing.get_type_hints(cls).items()
        if is_bare_any(hint) and f"{cls.__name__}.{field}" not in ALLOWED
    ]
    assert found == []


@pytest.mark.parametrize(
    ("hint", "bare"),
    [
        (Any, True),
        (int | Any, True),
        (tuple[Any, ...], True),
        (dict[str, Any], False),
        (typing.Mapping[str, Any] | None, False),
        (int | None, False),
    ],
)
def test_bare_any_is_told_apart(hint: Any, bare: bool) -> None:
    """``Any`` alone, in a union or as a tuple's items is bare; as a mapping's values not."""
    assert is_bare_any(hint) is bare
    assert is_bare_any_text(str(hint).replace("typing.", "")) is bare


def test_the_check_sees_a_loose_function() -> None:
    """A function with an ``Any`` parameter is reported; a precise one is not."""

    def untyped(value: Any, n: int) -> int:
        return n

    def typed(value: int | str) -> dict[str, Any]:
        return {}

    assert loose(untyped) == ["value"]
    assert loose(typed) == []


def test_the_typing_example_runs() -> None:
    """tests/typing_example.py, which CI type-checks with mypy --strict, also runs."""
    typing_example.main()
