"""Reading a funnel's configuration: each section by its module's reader, then what
the sections share (the hot threshold, the contact pressure) made to agree."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from ._config import Reader, did_you_mean
from .accounts import AccountModel
from .accounts._model import read_model as read_accounts
from .bant import QualificationPolicy
from .bant._policy import read_policy
from .kol import KOLConfig
from .kol._model import read_config as read_kol
from .nurture import NurtureFlow
from .nurture._flow import read_funnel_flow, read_named_flows
from .nurture._pressure import read_pressure
from .scoring import ScoringModel
from .scoring._reading import read_model
from .tables._columns import INPUT_SECTIONS, read_input

# Each section: its name, the Funnel field it configures, its reader, and the value it
# builds. A tuple, so the table cannot change at run time.
READERS: tuple[tuple[str, str, Callable[[Any, str, Reader], dict[str, Any] | None], Any], ...] = (
    ("scoring", "scoring", read_model, ScoringModel),
    ("qualification", "qualification", read_policy, QualificationPolicy),
    ("kol", "kol", read_kol, KOLConfig),
    ("nurture", "flow", read_funnel_flow, NurtureFlow),
    ("accounts", "accounts", read_accounts, AccountModel),
)
SECTIONS = tuple(section for section, *_ in READERS)


def read_funnel(data: Any) -> dict[str, Any]:
    """The fields of a :class:`~b2bfunnel.Funnel` from its configuration (a mapping of
    sections), each section read by its own reader; every problem is reported at once."""
    reader = Reader()
    table = reader.table(data, "", (*SECTIONS, "pressure", *INPUT_SECTIONS))
    fields: dict[str, Any] = {}
    if table is not None:
        for section, field, read, build in READERS:
            if section in table:
                values = read(table[section], section, reader)
                if values is not None:
                    fields[field] = build(**values)
        fields["input"] = read_input(table, reader)
        nurture = table.get("nurture")
        if isinstance(nurture, Mapping) and "flows" in nurture:
            fields["flows"] = read_named_flows(nurture["flows"], "nurture.flows", reader)
        _share_hot_threshold(table, fields, reader)
        _check_account_score(table, fields, reader)
        if "pressure" in table:
            _share_pressure(table, fields, reader)
    reader.raise_if_any("funnel configuration")
    return fields


def _share_hot_threshold(table: Mapping[str, Any], fields: dict[str, Any], reader: Reader) -> None:
    """Give the nurture flow the scoring model's hot threshold.

    The funnel scores leads with its scoring model, so "hot" must mean the same in
    both: a plain number handed to the flow is hot from ``scoring.hot_threshold``. A
    ``nurture.hot_threshold`` that says otherwise is refused.
    """
    scoring = fields.get("scoring") or ScoringModel.default()
    flow = fields.get("flow") or NurtureFlow.default()
    threshold = float(scoring.hot_threshold)
    section = table.get("nurture")
    if (
        flow.hot_threshold != threshold
        and isinstance(section, Mapping)
        and ("hot_threshold" in section)
    ):
        reader.error(
            "nurture.hot_threshold",
            f"{flow.hot_threshold:g} differs from scoring.hot_threshold {threshold:g}; the "
            "funnel scores leads with its scoring model, so remove nurture.hot_threshold "
            "or make the two equal",
        )
        return
    fields["flow"] = _with_threshold(flow, threshold)
    named = fields.get("flows", {})
    sections = section.get("flows") if isinstance(section, Mapping) else None
    for name, other in named.items():
        own = sections.get(name) if isinstance(sections, Mapping) else None
        if isinstance(own, Mapping) and "hot_threshold" in own:
            if other.hot_threshold != threshold:
                reader.error(
                    f"nurture.flows.{name}.hot_threshold",
                    f"{other.hot_threshold:g} differs from scoring.hot_threshold "
                    f"{threshold:g}; remove it or make the two equal",
                )
        else:
            named[name] = _with_threshold(other, threshold)


def _share_pressure(table: Mapping[str, Any], fields: dict[str, Any], reader: Reader) -> None:
    """Give every flow without its own ``max_sends`` and ``min_gap_hours`` the limit of
    ``[pressure]``: one lead's sends across all flows are counted together."""
    limits = read_pressure(table["pressure"], "pressure", reader)
    if limits is None:
        return
    fields["pressure"] = dict(table["pressure"])

    raw = {k: v for k, v in table["pressure"].items() if k in ("max_sends", "min_gap_hours")}

    def limited(flow: NurtureFlow) -> NurtureFlow:
        # The source takes the keys too: a flow pickled as its data keeps its limit.
        added = {k: v for k, v in raw.items() if k not in flow.source}
        values = {k: v for k, v in limits.items() if k in added}
        return attrs.evolve(flow, **values, source={**flow.source, **added})

    fields["flow"] = limited(fields.get("flow") or NurtureFlow.default())
    named = fields.get("flows", {})
    for name, flow in named.items():
        named[name] = limited(flow)


def _with_threshold(flow: NurtureFlow, threshold: float) -> NurtureFlow:
    if flow.hot_threshold == threshold:
        return flow
    return attrs.evolve(
        flow, hot_threshold=threshold, source={**flow.source, "hot_threshold": threshold}
    )


def _check_account_score(
    table: Mapping[str, Any], fields: Mapping[str, Any], reader: Reader
) -> None:
    """``accounts.score`` names a named score of the scoring model to roll up (one
    that does not exist is refused rather than ignored)."""
    model = fields.get("accounts")
    if model is None or model.score is None:
        return
    if "scoring" in table and "scoring" not in fields:
        return  # the scoring section's own problems are reported
    names = (fields.get("scoring") or ScoringModel.default()).score_names
    if model.score not in names:
        known = ", ".join(repr(name) for name in names) or (
            "none: it has only its main score, which rolls up when accounts.score is left out"
        )
        reader.error(
            "accounts.score",
            f"the scoring model has no named score {model.score!r}"
            f"{did_you_mean(model.score, names)}; its named scores: {known}",
        )
