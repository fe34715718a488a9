"""How a scoring model and a funnel show themselves: a one-line ``repr`` and, in a
notebook, their rules as a table (name, kind, condition, points, caps, decay).

Kept apart from the classes so that configuration code never grows display code; the
classes only delegate here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._markup import elide, number
from ._summary import Summary

if TYPE_CHECKING:  # for the signatures only: the classes import this module
    from .funnel import Funnel
    from .scoring import ScoringModel

__all__ = ["condition_text", "funnel_repr", "funnel_summary", "model_repr", "model_summary"]

# Text words of a condition shown before eliding the rest ("cio, cto, … (+5)").
_WORDS = 3
_CONDITION_WIDTH = 100
_OPS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "in": "in",
    "not_in": "not in",
    "contains": "contains",
    "words": "has word",
    "starts_with": "starts with",
    "between": "between",
}


def _argument(value: Any) -> str:
    if isinstance(value, list | tuple):
        shown = ", ".join(_argument(v) for v in value[:_WORDS])
        more = f", … (+{len(value) - _WORDS})" if len(value) > _WORDS else ""
        return f"[{shown}{more}]"
    if isinstance(value, float):
        return number(value)
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)


def _leaf(spec: Mapping[str, Any]) -> str:
    field = spec["field"]
    parts = []
    if "exists" in spec:
        parts.append(f"{field} {'is set' if spec['exists'] else 'is not set'}")
    for op, arg in spec.items():
        if op in _OPS:
            if op in ("words", "in", "not_in") and isinstance(arg, list) and len(arg) > 1:
                word = {"words": "has any word of"}.get(op, _OPS[op])
            else:
                word = _OPS[op]
            parts.append(f"{field} {word} {_argument(arg)}")
    return " and ".join(parts) or f"{field} is set"


def _text(spec: Mapping[str, Any], nested: bool) -> str:
    if "field" in spec:
        return _leaf(spec)
    if "not" in spec:
        return f"not ({_text(spec['not'], False)})"
    key = "all" if "all" in spec else "any"
    joined = f" {'and' if key == 'all' else 'or'} ".join(_text(s, True) for s in spec[key])
    return f"({joined})" if nested and len(spec[key]) > 1 else joined


def condition_text(spec: Mapping[str, Any]) -> str:
    """A condition as one readable line, long word lists elided:
    ``employees ≥ 500 and job_title has any word of ["cio", "cto", "ciso", … (+4)]``."""
    return elide(_text(spec, False), _CONDITION_WIDTH)


def _caps(rule: Any, names: Sequence[str]) -> str:
    return ", ".join(
        f"{name}={number(value) if isinstance(value, float) else value}"
        for name in names
        if (value := getattr(rule, name)) is not None
    )


_IMPLICIT_CAPS = ("max_count", "max_points", "within_days", "max_per_day", "max_per_week")


def _rule_rows(model: ScoringModel) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    for explicit in model.explicit:
        condition = condition_text(explicit.when.to_dict())
        group = explicit.group or ""
        rows.append((explicit.name, "explicit", condition, explicit.points, "", "never", group))
    for implicit in model.implicit:
        condition = f"event {json.dumps(implicit.event, ensure_ascii=False)}"
        if implicit.where is not None:
            condition += f" where {condition_text(implicit.where.to_dict())}"
        decay = model.decay.kind if implicit.decays else "never"
        caps = _caps(implicit, _IMPLICIT_CAPS)
        rows.append(
            (
                implicit.name,
                "implicit",
                condition,
                implicit.points,
                caps,
                decay,
                implicit.group or "",
            )
        )
    return rows


_RULES = ("rule", "kind", "condition", "points", "caps", "decay", "group")


def _decay_text(model: ScoringModel) -> str:
    params = ", ".join(f"{k}={float(v):g}" for k, v in model.decay.params.items())
    return f"{model.decay.kind} ({params})" if params else model.decay.kind


def _model_headline(model: ScoringModel) -> list[tuple[str, Any]]:
    bands = ", ".join(
        tier.name if tier.min is None else f"{tier.name} ≥ {tier.min:g}" for tier in model.bands
    )
    headline: list[tuple[str, Any]] = [
        ("rules", len(model.explicit) + len(model.implicit)),
        ("hot threshold", model.hot_threshold),
        ("bands", bands),
        ("decay", _decay_text(model)),
        ("fingerprint", model.fingerprint),
    ]
    if model.groups:
        caps = ", ".join(name if cap is None else f"{name} ≤ {cap:g}" for name, cap in model.groups)
        headline.append(("groups", caps))
    if model.max_total is not None:
        headline.append(("max total", model.max_total))
    if model.timezone != "UTC":
        headline.append(("timezone", model.timezone))
    if model.reset_on:
        headline.append(("reset on", ", ".join(model.reset_on)))
    return headline


def model_summary(model: ScoringModel) -> Summary:
    """The model's settings above a table of its rules, explicit first."""
    return Summary("Scoring model", _model_headline(model), _RULES, _rule_rows(model))


def model_repr(model: ScoringModel) -> str:
    """``ScoringModel(rules=6, hot_threshold=100, fingerprint='ab12cd34ef56')``."""
    rules = len(model.explicit) + len(model.implicit)
    shown = f"rules={rules}, hot_threshold={model.hot_threshold:g}"
    return f"ScoringModel({shown}, fingerprint={model.fingerprint!r})"


def funnel_repr(funnel: Funnel) -> str:
    """``Funnel(scoring=ScoringModel(…), flows=2)``: one line, whatever the config."""
    parts = [f"scoring={model_repr(funnel.scoring)}"]
    if funnel.flows:
        parts.append(f"flows={len(funnel.flows)}")
    if funnel.pressure:
        parts.append("pressure=set")
    return f"Funnel({', '.join(parts)})"


def funnel_summary(funnel: Funnel) -> Summary:
    """The funnel's sections in the headline, its scoring rules as the table."""
    data = funnel.to_dict()
    headline: list[tuple[str, Any]] = [
        ("sections", ", ".join(data)),
        *(("scoring " + label, value) for label, value in _model_headline(funnel.scoring)),
        (
            "nurture",
            f"{len(funnel.flow.statuses)} statuses, {len(funnel.flow.transitions)} "
            f"transitions, starting {funnel.flow.initial}",
        ),
        ("named flows", ", ".join(funnel.flows) or "none"),
    ]
    return Summary("Funnel", headline, _RULES, _rule_rows(funnel.scoring))
