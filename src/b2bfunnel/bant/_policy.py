"""The qualification policy: the Marketing-Sales SLA as data."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from .._config import Reader, did_you_mean, join, load_toml, read_all
from ..errors import InvalidInputError
from ._frameworks import LANGUAGES, PRESETS

POLICY_KEYS = ("framework", "language", "gate", "sql_accepts_partial", "criteria", "custom")
CRITERION_KEYS = ("name", "values", "met", "partial", "question", "timing", "committee")
OVERRIDE_KEYS = ("met", "partial", "window_months", "partial_window_months")
MET, PARTIAL, UNMET = "met", "partial", "unmet"


@attrs.frozen
class CriterionPolicy:
    """One criterion: allowed values, which of them meet or partially meet it, its
    question per language; ``timing`` criteria also take dates (met within
    ``window_months`` of ``as_of``, partial within ``partial_window_months``) and
    ``committee`` criteria are judged on the buying committee's roles."""

    name: str
    values: tuple[str, ...]
    met: tuple[str, ...]
    partial: tuple[str, ...]
    question: Mapping[str, str] = attrs.field(hash=False)
    timing: bool = False
    committee: bool = False
    window_months: int = 6
    partial_window_months: int = 12
    status_of: Mapping[str, str] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        status = dict.fromkeys(self.values, UNMET)
        status.update(dict.fromkeys(self.partial, PARTIAL))
        status.update(dict.fromkeys(self.met, MET))
        object.__setattr__(self, "status_of", MappingProxyType(status))

    def definition(self) -> dict[str, Any]:
        """The criterion as a custom framework defines it."""
        out: dict[str, Any] = {
            "name": self.name,
            "values": list(self.values),
            "met": list(self.met),
            "partial": list(self.partial),
            "question": dict(self.question),
        }
        if self.timing:
            out["timing"] = True
        if self.committee:
            out["committee"] = True
        return out

    def policy(self) -> dict[str, Any]:
        """The criterion's adjustable policy: met, partial and, for timing, windows."""
        out: dict[str, Any] = {"met": list(self.met), "partial": list(self.partial)}
        if self.timing:
            out["window_months"] = self.window_months
            out["partial_window_months"] = self.partial_window_months
        return out


def _names(value: Any, path: str, reader: Reader, allowed: Sequence[str], what: str) -> list[str]:
    """A list of strings, each one of ``allowed``."""
    items = reader.array(value, path)
    out: list[str] = []
    for index, item in enumerate(items or ()):
        where = join(path, index)
        if not isinstance(item, str) or item not in allowed:
            hint = did_you_mean(item, allowed) if isinstance(item, str) else ""
            reader.error(where, f"unknown {what} {item!r}{hint}; allowed: {', '.join(allowed)}")
        elif item in out:
            reader.error(where, f"{item!r} is listed twice")
        else:
            out.append(item)
    return out


def _read_definition(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """A custom framework: ``{name, gate, criteria = [...]}``."""
    table = reader.table(data, path, ("name", "gate", "criteria"), required=("name", "criteria"))
    if table is None:
        return None
    before = len(reader.problems)
    name = reader.string(table.get("name"), join(path, "name")) if "name" in table else None
    criteria: list[dict[str, Any]] = []
    items = reader.array(table.get("criteria"), join(path, "criteria"), non_empty=True)
    for index, item in enumerate(items or ()):
        where = join(join(path, "criteria"), index)
        spec = reader.table(item, where, CRITERION_KEYS, required=("name", "values", "question"))
        if spec is None:
            continue
        crit_name = reader.string(spec.get("name"), join(where, "name")) if "name" in spec else None
        values = reader.array(spec.get("values"), join(where, "values"), non_empty=True) or []
        for v_index, value in enumerate(values):
            reader.string(value, join(join(where, "values"), v_index))
        question = reader.table(
            spec.get("question", {}), join(where, "question"), LANGUAGES, required=("en",)
        )
        for lang, text in (question or {}).items():
            reader.string(text, join(join(where, "question"), lang))
        for flag in ("timing", "committee"):
            if flag in spec:
                reader.boolean(spec[flag], join(where, flag))
        if crit_name is not None:
            if any(c["name"] == crit_name for c in criteria):
                reader.error(join(where, "name"), f"duplicate criterion {crit_name!r}")
            criteria.append({"met": [], "partial": [], **spec})
    if len(reader.problems) != before or name is None:
        return None
    return {"name": name, "criteria": criteria, "gate": table.get("gate", [])}


def read_policy(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[qualification]`` table into :class:`QualificationPolicy` fields."""
    table = reader.table(data, path, POLICY_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    custom = (
        _read_definition(table["custom"], join(path, "custom"), reader)
        if "custom" in table
        else None
    )
    if "custom" in table and custom is None:
        return None
    known = {**PRESETS, **({custom["name"]: custom} if custom else {})}
    framework = table.get("framework", custom["name"] if custom else "bant")
    if reader.string(framework, join(path, "framework"), choices=known) is None:
        return None
    definition = known[framework]
    names = [c["name"] for c in definition["criteria"]]
    language = table.get("language", "en")
    reader.string(language, join(path, "language"), choices=LANGUAGES)
    gate_path = join(path, "gate") if "gate" in table else join(join(path, "custom"), "gate")
    gate = _names(
        table.get("gate", definition.get("gate", [])), gate_path, reader, names, "criterion"
    )
    accepts = _names(
        table.get("sql_accepts_partial", []),
        join(path, "sql_accepts_partial"),
        reader,
        names,
        "criterion",
    )
    overrides = table.get("criteria", {})
    over = reader.table(overrides, join(path, "criteria"), names) or {}
    criteria = [
        _read_criterion(spec, index, over, path, custom is not None, reader)
        for index, spec in enumerate(definition["criteria"])
    ]
    if len(reader.problems) != before:
        return None
    return {
        "framework": framework,
        "criteria": tuple(criteria),
        "gate": tuple(gate),
        "sql_accepts_partial": tuple(accepts),
        "language": language,
        "custom": custom is not None,
    }


def _read_criterion(
    spec: Mapping[str, Any],
    index: int,
    over: Mapping[str, Any],
    path: str,
    custom: bool,
    reader: Reader,
) -> CriterionPolicy:
    """One criterion of the framework (``spec``, ``index``-th) with the policy's
    override of it from ``over`` applied."""
    name = spec["name"]
    values = list(spec["values"])
    where = join(join(path, "criteria"), name)
    override = reader.table(over.get(name, {}), where, OVERRIDE_KEYS) or {}
    origin = join(join(join(path, "custom"), "criteria"), index) if custom else where
    # Each value list comes from the override if given, else from the framework.
    met, partial = (
        _names(
            override.get(key, spec[key]),
            join(where if key in override else origin, key),
            reader,
            values,
            f"value of {name}",
        )
        for key in ("met", "partial")
    )
    for value in set(met) & set(partial):
        reader.error(join(where, "partial"), f"{value!r} is both met and partial")
    timing = bool(spec.get("timing", False))
    window, partial_window = _read_windows(override, timing, where, reader)
    return CriterionPolicy(
        name,
        tuple(values),
        tuple(met),
        tuple(partial),
        MappingProxyType(dict(spec["question"])),
        timing,
        bool(spec.get("committee", False)),
        window,
        partial_window,
    )


def _read_windows(
    override: Mapping[str, Any], timing: bool, where: str, reader: Reader
) -> tuple[int, int]:
    """A criterion's ``(window_months, partial_window_months)``, defaults filled in."""
    windows = {}
    for key, default in (("window_months", 6), ("partial_window_months", 12)):
        if key in override and not timing:
            reader.error(join(where, key), f"only timing criteria have a {key}")
        value = override.get(key, default)
        checked = reader.number(value, join(where, key), minimum=1, integer=True)
        windows[key] = int(checked) if checked is not None else default
    if windows["partial_window_months"] < windows["window_months"]:
        reader.error(join(where, "partial_window_months"), "must be at least window_months")
    return windows["window_months"], windows["partial_window_months"]


@attrs.frozen
class QualificationPolicy:
    """Which answers meet each criterion and what makes an SQL, an MQL or neither.

    Build it with :meth:`default`, :meth:`preset`, :meth:`from_dict` or
    :meth:`from_toml`; ``from_dict(p.to_dict()) == p``.

    >>> p = QualificationPolicy.from_dict({"sql_accepts_partial": ["budget"]})
    >>> p.framework, [c.name for c in p.criteria], p.gate
    ('bant', ['budget', 'authority', 'need', 'timing'], ('need',))
    """

    framework: str
    criteria: tuple[CriterionPolicy, ...]
    gate: tuple[str, ...]
    sql_accepts_partial: tuple[str, ...] = ()
    language: str = "en"
    custom: bool = False
    # Per criterion, what qualify() needs in its loop: (name, status by value, criterion,
    # in the gate, partial accepted for SQL).
    plan: tuple[tuple[str, dict[str, str], CriterionPolicy, bool, bool], ...] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    names: frozenset[str] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        reader = Reader()
        read_policy(self.to_dict(), "qualification", reader)
        reader.raise_if_any("qualification policy")
        plan = tuple(
            (c.name, dict(c.status_of), c, c.name in self.gate, c.name in self.sql_accepts_partial)
            for c in self.criteria
        )
        object.__setattr__(self, "plan", plan)
        object.__setattr__(self, "names", frozenset(c.name for c in self.criteria) | {"committee"})

    @classmethod
    def default(cls) -> QualificationPolicy:
        """The default SLA: BANT, every criterion met for SQL, need or unqualified."""
        return cls.from_dict({})

    @classmethod
    def preset(cls, name: str) -> QualificationPolicy:
        """A shipped framework with its default policy: bant, anum, champ or meddic."""
        return cls.from_dict({"framework": name})

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], *, path: str = "qualification"
    ) -> QualificationPolicy:
        """Build from ``[qualification]`` data; every problem is reported at once."""
        return cls(**read_all(read_policy, data, path, "qualification configuration"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> QualificationPolicy:
        """Build from the ``[qualification]`` section of a TOML file."""
        return cls.from_dict(load_toml(path).get("qualification", {}))

    def to_dict(self) -> dict[str, Any]:
        """The policy as ``[qualification]`` data, every default filled in."""
        out: dict[str, Any] = {
            "framework": self.framework,
            "language": self.language,
            "gate": list(self.gate),
            "sql_accepts_partial": list(self.sql_accepts_partial),
            "criteria": {c.name: c.policy() for c in self.criteria},
        }
        if self.custom:
            out["custom"] = {
                "name": self.framework,
                "gate": list(self.gate),
                "criteria": [c.definition() for c in self.criteria],
            }
        return out

    def criterion(self, name: str) -> CriterionPolicy:
        """The criterion called ``name``."""
        if not isinstance(name, str):
            raise InvalidInputError(
                f"expected a criterion name, got {type(name).__name__}", path="criterion"
            )
        for criterion in self.criteria:
            if criterion.name == name:
                return criterion
        names = [c.name for c in self.criteria]
        raise InvalidInputError(
            f"unknown criterion {name!r}{did_you_mean(name, names)}; allowed: {', '.join(names)}",
            path="criterion",
        )
