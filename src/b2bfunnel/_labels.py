"""Values as CRMs name them: mapping a CRM's labels onto the library's values.

``[values.FIELD]`` (``values=`` in the API) maps each library value of a field to the
CRM's labels for it (a list), or to ``"*"`` (every label no other value lists). Labels
compare under :func:`~b2bfunnel._values.name_key` (case, accents, space/``_``/``-``).
The CRM presets carry the labels of their standard exports (:data:`PRESET_VALUES`);
a value mapped to ``skip`` is dropped and counted. A survey score written
``N - label`` is N (:func:`survey_score`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from ._values import name_key
from .errors import ConfigError, InvalidInputError

__all__ = ["PRESET_VALUES", "SKIP", "ValueMap", "survey_score"]

SKIP = "skip"
ANY = "*"
# The labels each CRM's standard deal export writes (see docs/crm-export.md for the
# pages these come from). Listed labels win over "*".
PRESET_VALUES: Mapping[str, Mapping[str, Mapping[str, Any]]] = {
    "salesforce": {"outcome": {"won": ["Closed Won"], "lost": ["Closed Lost"], "open": ANY}},
    "hubspot": {"outcome": {"won": ["closedwon"], "lost": ["closedlost"], "open": ANY}},
    "pipedrive": {
        "outcome": {"won": ["won"], "lost": ["lost"], "open": ["open"], SKIP: ["deleted"]}
    },
}


@attrs.frozen
class ValueMap:
    """For each field, the library value of each CRM label (``labels``) and the value
    of every other label (``fallback``, from ``"*"``).

    >>> values = ValueMap.from_dict({"outcome": {"won": ["Closed Won"], "open": "*"}})
    >>> values.read("outcome", "CLOSED-WON", ("won", "lost", "open"), "deals[0].outcome")
    'won'
    >>> values.read("outcome", "Negotiation", ("won", "lost", "open"), "deals[1].outcome")
    'open'
    """

    labels: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    fallback: Mapping[str, str] = attrs.field(factory=dict)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any] | None, *, path: str = "values", base: ValueMap | None = None
    ) -> ValueMap:
        """The map of ``{field: {value: [labels] | "*"}}``, over ``base`` (a preset's);
        every error is reported at once as a :class:`ConfigError`."""
        labels = {f: dict(m) for f, m in (base.labels if base else {}).items()}
        fallback = dict(base.fallback) if base else {}
        problems = []
        if data is not None and not isinstance(data, Mapping):
            raise ConfigError(f"expected a table of fields, got {type(data).__name__}", path=path)
        for field, table in (data or {}).items():
            if not isinstance(table, Mapping):
                problems.append((f"{path}.{field}", "expected a table of value = [labels]"))
                continue
            own = labels.setdefault(str(field), {})
            for value, given in table.items():
                where = f"{path}.{field}.{value}"
                if given == ANY:
                    fallback[str(field)] = str(value)
                elif isinstance(given, list | tuple) and all(isinstance(g, str) for g in given):
                    own.update({name_key(g): str(value) for g in given})
                elif isinstance(given, str):
                    own[name_key(given)] = str(value)
                else:
                    problems.append((where, f'expected a list of labels or "*", got {given!r}'))
        if problems:
            raise ConfigError(
                "; ".join(f"{p}: {m}" for p, m in problems), path=problems[0][0]
            )
        return cls(labels, fallback)

    @classmethod
    def of(cls, preset: str | None, values: Mapping[str, Any] | None) -> ValueMap:
        """The preset's labels (if any) under the user's ``values``."""
        base = cls.from_dict(PRESET_VALUES[preset]) if preset in PRESET_VALUES else None
        return cls.from_dict(values, base=base)

    def read(self, field: str, text: str, allowed: tuple[str, ...], path: str) -> str:
        """The library value of label ``text`` of ``field`` (or ``"skip"``): a mapped
        label, else an allowed value itself (any case), else the ``"*"`` value."""
        key = name_key(text)
        found = self.labels.get(field, {}).get(key)
        if found is not None:
            return found
        for value in allowed:
            if name_key(value) == key:
                return value
        if field in self.fallback:
            return self.fallback[field]
        listed = sorted({*allowed, *self.labels.get(field, {}).values()} - {SKIP})
        raise InvalidInputError(
            f"unknown {field} {text!r}; allowed: {', '.join(listed)} "
            f"(map a CRM's labels with values={{'{field}': {{'won': ['...']}}}})",
            path=path,
        )


_SCORE = re.compile(r"\s*(?P<n>\d{1,2})(?:\s*[-\u2013]\s*\S.*)?\s*", re.DOTALL)


def survey_score(text: str) -> int | None:
    """The 0..10 score of a cell written ``9`` or ``N - label`` (any language, ``-`` or
    ``–``), else ``None``.

    >>> survey_score("10 - Extremely likely"), survey_score("0 – Nada probable"), survey_score("x")
    (10, 0, None)
    """
    match = _SCORE.fullmatch(text)
    if match is None:
        return None
    score = int(match["n"])
    return score if score <= 10 else None
