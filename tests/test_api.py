"""The public contract: names, type hints, docstring examples of the installed package."""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re
import typing
import warnings
from pathlib import Path
from typing import Any

import attrs
import pytest

import b2bfunnel as bf
from tests.public import public_modules, public_objects

ROOT = Path(__file__).resolve().parent.parent

# Every top-level name shared/API.md binds, and the members it names on each.
CONTRACT: dict[str, tuple[str, ...]] = {
    "B2BFunnelError": (),
    "ConfigError": ("path",),
    "InvalidInputError": ("path",),
    "Event": ("lead_id", "name", "at", "properties", "to_dict", "from_dict"),
    "ScoringModel": ("default", "from_dict", "from_toml", "to_dict", "score", "rank", "merge"),
    "Score": ("lead_id", "total", "explicit", "implicit", "band", "hot", "contributions", "as_of"),
    "qualify": (),
    "Qualification": ("stage", "met", "missing", "next_question"),
    "Stage": (),
    "nps": (),
    "NPSResult": (
        "n", "promoters", "passives", "detractors", "score", "margin_of_error", "interval"
    ),
    "pipeline_velocity": (),
    "velocity_from_deals": (),
    "VelocityReport": ("opportunities", "avg_deal_value", "win_rate", "cycle_days", "velocity"),
    "compare_velocity": (),
    "KOLBrief": ("target_roles", "topics"),
    "KOLCandidate": (
        "handle", "followers", "audience", "avg_interactions", "topics", "risk_flags",
        "cost_per_post",
    ),
    "kol_fit": (),
    "KOLFit": (
        "score", "tier", "affinity", "qualified_reach", "engagement_rate", "vetoed", "reasons"
    ),
    "NurtureFlow": (
        "default", "from_dict", "from_toml", "to_dict", "to_mermaid", "enroll", "handle",
        "advance",
    ),
    "NurtureState": ("lead_id", "status", "to_dict", "from_dict"),
    "Action": ("kind", "at"),
    "Funnel": ("from_toml", "from_dict", "scoring", "flow", "score", "rank", "qualify"),
    "evaluate": (),
    "Evaluation": (
        "n", "positives", "excluded", "auc", "auc_interval", "gini", "ks", "by_band",
        "by_grade", "deciles", "psi", "threshold_for", "per_cutoff",
    ),
    "fit_points": (),
    "FittedModel": ("model", "coefficients", "probability", "calibration"),
    "to_records": (),
    "to_pandas": (),
}  # fmt: skip
# Results API.md says display themselves in a notebook and convert to plain data.
RESULTS = ("Score", "Qualification", "NPSResult", "VelocityReport", "KOLFit", "Evaluation",
           "FittedModel", "NurtureState", "Action")  # fmt: skip


def _members(cls: type) -> set[str]:
    names = set(dir(cls)) | set(typing.get_type_hints(cls))
    if attrs.has(cls):
        names |= {field.name for field in attrs.fields(cls)}
    return names


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_contract_names_are_exported(name: str) -> None:
    """Every name of API.md is in the top level's __all__, with the members it names."""
    assert name in bf.__all__
    obj = getattr(bf, name)
    assert callable(obj)
    if isinstance(obj, type):
        assert set(CONTRACT[name]) <= _members(obj)


@pytest.mark.parametrize("name", RESULTS)
def test_contract_results_show_and_convert(name: str) -> None:
    """The contract's result types have to_dict and _repr_html_."""
    assert {"to_dict", "_repr_html_"} <= set(dir(getattr(bf, name)))


def test_contract_stage_values() -> None:
    """Stage is a str enum of the three values API.md names."""
    assert {str(stage.value) for stage in bf.Stage} == {"SQL", "MQL", "unqualified"}
    assert isinstance(bf.Stage.SQL, str)


def test_contract_engines() -> None:
    """b2bfunnel.spark and b2bfunnel.dask offer rank and advance_due."""
    for module in ("b2bfunnel.spark", "b2bfunnel.dask"):
        assert {"rank", "advance_due"} <= set(importlib.import_module(module).__all__)


def test_all_lists_only_existing_names() -> None:
    """__all__ holds no stale name."""
    assert all(hasattr(bf, name) for name in bf.__all__)


def test_top_level_is_small() -> None:
    """The top level stays a short list of entry points, errors and contract results."""
    assert len(bf.__all__) <= 60
    assert len(set(bf.__all__)) == len(bf.__all__)


def test_moved_names_still_resolve_quietly() -> None:
    """A name that left __all__ still resolves as bf.NAME, to its public home's object,
    without a warning, and is not listed by dir()."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name, module in bf._MOVED.items():
            home = importlib.import_module(f"b2bfunnel{module}")
            assert getattr(bf, name) is getattr(home, name)
            assert name in home.__all__
    assert not set(bf._MOVED) & set(dir(bf))
    assert set(bf.__all__) <= set(dir(bf))


def test_surveys_is_the_subpackage_and_nps_the_function() -> None:
    """bf.nps is the function; the survey subpackage is b2bfunnel.surveys."""
    import b2bfunnel.surveys as surveys

    assert callable(bf.nps)
    assert bf.nps is surveys.nps
    assert bf.nps([10, 9, 0]).n == 3


def test_public_modules_are_attributes() -> None:
    """Every public module is reachable from the package without an import of its own."""
    for module in public_modules()[1:]:
        name = module.removeprefix("b2bfunnel.")
        assert "." not in name
        assert getattr(bf, name) is importlib.import_module(module)
    assert sorted(f"b2bfunnel.{name}" for name in bf._MODULES) == public_modules()[1:]


def _documented() -> dict[str, list[str]]:
    """docs/api.md's names, per ``## module`` heading."""
    listed: dict[str, list[str]] = {}
    module = None
    for line in (ROOT / "docs" / "api.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            module = line[3:].strip()
            assert module not in listed, f"{module} has two headings"
            listed[module] = []
        elif line.startswith("- "):
            found = re.match(r"- `(\w+)` — \S", line)
            assert module is not None and found, f"not a `name` — description bullet: {line}"
            listed[module].append(found[1])
    return listed


def test_api_page_lists_every_public_name() -> None:
    """docs/api.md has a heading per public module and a bullet per public name, no
    more (every name it lists exists), each once."""
    listed = _documented()
    assert sorted(listed) == sorted(public_modules())
    for module, names in listed.items():
        public = importlib.import_module(module).__all__
        assert len(names) == len(set(names)), module
        assert sorted(names) == sorted(public), module


@pytest.mark.parametrize(("module", "name", "obj"), list(public_objects()))
def test_public_names_live_where_they_are_listed(module: str, name: str, obj: Any) -> None:
    """A public class or function names its public home as __module__: the top level
    for the names of its __all__, else a public subpackage that exports it; never a
    private module."""
    if not (isinstance(obj, type) or inspect.isfunction(obj)) or obj.__name__ != name:
        return
    home = obj.__module__
    assert not any(part.startswith("_") for part in home.split("."))
    assert name in importlib.import_module(home).__all__
    assert (home == "b2bfunnel") == (name in bf.__all__)


@pytest.mark.parametrize(("module", "name", "obj"), list(public_objects()))
def test_type_hints_resolve(module: str, name: str, obj: Any) -> None:
    """get_type_hints works on every public class, function and method (no dangling
    forward reference, no name imported only for type checkers)."""
    if isinstance(obj, type):
        typing.get_type_hints(obj)
        for attribute, member in vars(obj).items():
            if attribute.startswith("_") and attribute != "__init__":
                continue
            function = getattr(member, "__func__", member)
            if isinstance(member, property):
                function = member.fget
            if inspect.isfunction(function):
                typing.get_type_hints(function)
    elif inspect.isfunction(obj):
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


class _DefinedHere(doctest.DocTestFinder):
    """Finds the examples of the classes and functions a module defines, though their
    ``__module__`` names their public home rather than the module."""

    def _from_module(self, module: Any, object: Any) -> bool:
        if module is None:
            return True
        if inspect.isclass(object):
            source = inspect.getsource(module)
            return re.search(rf"^class {object.__name__}\b", source, re.MULTILINE) is not None
        if inspect.isfunction(object):
            return object.__globals__ is module.__dict__
        return bool(super()._from_module(module, object))  # type: ignore[misc]


@pytest.mark.parametrize("module", _modules())
def test_docstring_examples(module: str) -> None:
    """Every docstring example in the package runs as written."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in _DefinedHere().find(importlib.import_module(module)):
        runner.run(test)
    assert runner.summarize(verbose=False).failed == 0
