"""Per-lead features for fitting, read from one scoring pass at the cutoff.

A feature is an explicit rule matched (0 or 1), an implicit rule's value at the
cutoff after decay and caps, in events (its points divided by the rule's points),
or a profile field's value (0 or 1) seen on at least ``min_support`` leads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .._text import fold
from ..errors import InvalidInputError
from ..scoring import Score, ScoringModel
from ..tables._values import is_blank
from ._logistic import SparseRow

__all__ = ["Feature", "field_features", "rule_features"]

_SLUG = re.compile(r"[^0-9a-z]+")


@attrs.frozen
class Feature:
    """One column: its rule name, kind (``explicit``, ``implicit`` or ``field``), the
    base rule's points, and for a field its name and value."""

    name: str
    kind: str
    base_points: float = 0.0
    field: str | None = None
    value: str | None = None


def rule_features(model: ScoringModel) -> list[Feature]:
    """A feature per rule of ``model``; implicit rules worth 0 points are left out
    (their value says nothing about how many events counted)."""
    out = [Feature(r.name, "explicit", float(r.points)) for r in model.explicit]
    out += [Feature(r.name, "implicit", float(r.points)) for r in model.implicit if r.points]
    return out


def field_features(
    fields: Sequence[str],
    profiles: Sequence[Mapping[str, Any]],
    min_support: int,
    taken: set[str],
) -> list[Feature]:
    """A feature per value of each field held by at least ``min_support`` profiles.

    Values are compared folded (case and accents ignored), as the ``eq`` condition does.
    The most common value of each field is the reference and gets no feature: its
    points are 0, like those of rarer and unseen values, which fall back to it.
    """
    out = []
    for index, field in enumerate(fields):
        if not isinstance(field, str) or not field.strip():
            raise InvalidInputError(
                f"expected a profile field name, got {field!r}", path=f"fields[{index}]"
            )
        counts: dict[str, int] = {}
        first: dict[str, str] = {}
        for profile in profiles:
            value = profile.get(field)
            if is_blank(value):
                continue
            text = str(value).strip()
            key = fold(text)
            counts[key] = counts.get(key, 0) + 1
            first.setdefault(key, text)
        reference = max(sorted(counts), key=counts.__getitem__, default=None)
        for key in sorted(counts):
            if counts[key] < min_support or key == reference:
                continue
            name = f"{field}_{_SLUG.sub('_', key).strip('_') or 'value'}"
            while name in taken:
                name += "_"
            taken.add(name)
            out.append(Feature(name, "field", 0.0, field, first[key]))
    return out


def feature_rows(
    features: Sequence[Feature],
    scores: Sequence[Score],
    profiles: Mapping[str, Mapping[str, Any]],
) -> list[SparseRow]:
    """The non-zero features of each scored lead, read from its score's rows."""
    column = {f.name: i for i, f in enumerate(features) if f.kind != "field"}
    points = [f.base_points for f in features]
    fields: dict[str, dict[str, int]] = {}
    for i, f in enumerate(features):
        if f.kind == "field" and f.field is not None and f.value is not None:
            fields.setdefault(f.field, {})[fold(f.value)] = i
    out: list[SparseRow] = []
    for score in scores:
        row: list[tuple[int, float]] = []
        for item in score.rows:  # (rule, points, kind, ...): see Score.rows
            j = column.get(item[0])
            if j is None:
                continue
            x = 1.0 if item[2] == "explicit" else item[1] / points[j]
            if x:
                row.append((j, x))
        if fields:
            profile = profiles[score.lead_id]
            for field, values in fields.items():
                raw = profile.get(field)
                if not is_blank(raw):
                    j = values.get(fold(str(raw).strip()), -1)
                    if j >= 0:
                        row.append((j, 1.0))
        row.sort()
        out.append(tuple(row))
    return out
