"""The public contract: names, type hints, docstring examples of the installed package."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import typing

import pytest

import b2bfunnel as bf

CONTRACT = [
    "B2BFunnelError",
    "ConfigError",
    "InvalidInputError",
    "Event",
    "ScoringModel",
    "Score",
    "Funnel",
    "nps",
    "NPSResult",
]


def test_contract_names_are_exported() -> None:
    """Every name of API.md implemented so far is importable from b2bfunnel."""
    for name in CONTRACT:
        assert name in bf.__all__
        assert getattr(bf, name) is not None


def test_all_lists_only_existing_names() -> None:
    """__all__ holds no stale name."""
    assert all(hasattr(bf, name) for name in bf.__all__)


def test_score_has_the_contract_fields() -> None:
    """Score exposes the fields API.md names."""
    fields = {"lead_id", "total", "explicit", "implicit", "band", "hot", "contributions", "as_of"}
    assert fields <= set(dir(bf.Score))


@pytest.mark.parametrize("name", sorted(bf.__all__))
def test_type_hints_resolve(name: str) -> None:
    """get_type_hints works on every public class (no dangling forward references)."""
    obj = getattr(bf, name)
    if isinstance(obj, type):
        typing.get_type_hints(obj)


def test_package_ships_py_typed() -> None:
    """The installed package carries its py.typed marker."""
    import importlib.resources

    assert importlib.resources.files("b2bfunnel").joinpath("py.typed").is_file()


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(bf.__path__, prefix="b2bfunnel.")
        if not info.name.endswith("__main__")
    )


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples(module: str) -> None:
    """Every docstring example in the package runs as written."""
    result = doctest.testmod(
        importlib.import_module(module), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert result.failed == 0
