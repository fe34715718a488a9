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

from .._config import Reader, join
from ..errors import InvalidInputError
from ._values import name_key

__all__ = ["PRESET_VALUES", "SKIP", "ValueMap", "outcome_of", "read_values", "survey_score"]

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
        every problem is reported at once as a :class:`ConfigError`."""
        reader = Reader()
        found = read_values(data, reader, path=path, base=base)
        reader.raise_if_any()
        return found

    @classmethod
    def of(cls, preset: str | None, values: Mapping[str, Any] | None) -> ValueMap:
        """The preset's labels (if any) under the user's ``values``."""
        base = None if preset is None else cls.from_dict(PRESET_VALUES.get(preset, {}))
        return cls.from_dict(values, base=base)

    def relabel(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """``row`` with each text cell of a mapped field replaced by its library value
        (cells no label matches stay as they are, for the field's own check).

        >>> ValueMap.from_dict({"budget": {"approved": ["Aprobado"]}}).relabel(
        ...     {"id": "L1", "budget": "APROBADO", "need": "risk"})
        {'id': 'L1', 'budget': 'approved', 'need': 'risk'}
        """
        out = dict(row)
        for field in self.labels.keys() | self.fallback.keys():
            text = out.get(field)
            if isinstance(text, str):
                found = self.labels.get(field, {}).get(name_key(text))
                out[field] = found if found is not None else self.fallback.get(field, text)
        return out

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


def read_values(
    data: Any, reader: Reader, *, path: str = "values", base: ValueMap | None = None
) -> ValueMap:
    """The ``[values.FIELD]`` tables of a configuration; problems go to ``reader``."""
    labels = {f: dict(m) for f, m in (base.labels if base else {}).items()}
    fallback = dict(base.fallback) if base else {}
    if data is not None and not isinstance(data, Mapping):
        reader.error(path, f"expected a table of fields, got {type(data).__name__}")
        data = None
    for field, table in (data or {}).items():
        if not isinstance(table, Mapping):
            reader.error(join(path, str(field)), 'expected a table of value = [labels] or "*"')
            continue
        own = labels.setdefault(str(field), {})
        for value, given in table.items():
            if given == ANY:
                fallback[str(field)] = str(value)
            elif isinstance(given, list | tuple) and all(isinstance(g, str) for g in given):
                own.update({name_key(g): str(value) for g in given})
            elif isinstance(given, str):
                own[name_key(given)] = str(value)
            else:
                where = join(join(path, str(field)), str(value))
                reader.error(where, f'expected a list of labels or "*", got {given!r}')
    return ValueMap(labels, fallback)


_SCORE = re.compile(r"\s*(?P<n>\d{1,2})(?:\s*[-\u2013]\s*\S.*)?\s*", re.DOTALL)


def survey_score(text: str) -> int | None:
    """The 0..10 score of a cell written ``9`` or ``N - label`` (any language, a hyphen or
    an en dash), else ``None``.

    >>> survey_score("10 - Extremely likely"), survey_score("0 \u2013 Nada probable")
    (10, 0)
    >>> survey_score("Response") is None
    True
    """
    match = _SCORE.fullmatch(text)
    if match is None:
        return None
    score = int(match["n"])
    return score if score <= 10 else None


_OUTCOMES = {"won": "won", "lost": "lost", "open": "open"}


def outcome_of(value: Any) -> Any:
    """A deal outcome written in any case (``Won``, `` LOST ``) as the library's word;
    anything else as it is (refused by the caller, naming the allowed ones).

    >>> outcome_of("Won"), outcome_of("closedwon")
    ('won', 'closedwon')
    """
    if isinstance(value, str):
        return _OUTCOMES.get(name_key(value), value)
    return value
