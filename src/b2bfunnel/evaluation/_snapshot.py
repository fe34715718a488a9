"""The leakage-free snapshot: every lead scored as of a cutoff, labelled by what followed.

A lead is in the population at a cutoff when it has an event on or before it, or a
``created_at`` on or before it. It is positive when its first outcome falls in
``(cutoff, cutoff + horizon]``; a lead whose first outcome is on or before the
cutoff has already converted and is excluded (and counted). The model sees only
events on or before the cutoff (``ScoringModel.rank`` with ``as_of=cutoff``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from .._time import from_ts, parse_datetime, require_aware
from ..errors import InvalidInputError
from ..events import Event
from ..scoring import Score, ScoringModel
from ..tables._values import as_number, is_blank, require_iterable

__all__ = [
    "Outcomes",
    "Snapshot",
    "cutoff_points",
    "horizon_end",
    "read_outcomes",
    "snapshot",
]


@attrs.frozen
class Outcomes:
    """Each lead's first outcome time (POSIX seconds) and the latest time seen."""

    first: Mapping[str, float]
    latest: float | None


@attrs.frozen
class Snapshot:
    """The population at one cutoff: scores (best first) and whether each converted."""

    cutoff: datetime
    horizon_days: float
    scores: tuple[Score, ...]
    labels: tuple[bool, ...]
    excluded: int
    unknown_outcomes: int
    # Per row, the running peak of its score over its event instants as flattened
    # (POSIX time, peak) pairs, oldest first; empty unless asked for.
    peaks: tuple[tuple[float, ...], ...] = ()


def _aware(value: Any, path: str) -> float:
    if isinstance(value, str):
        return parse_datetime(value, path).timestamp()
    return require_aware(value, path).timestamp()


def read_outcomes(outcomes: Iterable[Mapping[str, Any]]) -> Outcomes:
    """Check ``outcomes`` (mappings with ``lead_id`` and an aware ``at``) and keep the
    first per lead. ``at`` may be an ISO 8601 string with an offset."""
    if isinstance(outcomes, str | bytes) or not isinstance(outcomes, Iterable):
        raise InvalidInputError(
            f"expected an iterable of mappings with lead_id and at, got {type(outcomes).__name__}",
            path="outcomes",
        )
    first: dict[str, float] = {}
    latest: float | None = None
    for index, item in enumerate(outcomes):
        where = f"outcomes[{index}]"
        if not isinstance(item, Mapping):
            raise InvalidInputError(
                f"expected a mapping with lead_id and at, got {type(item).__name__}", path=where
            )
        lead_id = item.get("lead_id")
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(
                f"expected a non-empty string lead id, got {lead_id!r}", path=f"{where}.lead_id"
            )
        if is_blank(item.get("at")):
            raise InvalidInputError(
                "is missing: give when the lead reached the outcome, as an aware datetime",
                path=f"{where}.at",
            )
        at = _aware(item["at"], f"{where}.at")
        if lead_id not in first or at < first[lead_id]:
            first[lead_id] = at
        if latest is None or at > latest:
            latest = at
    return Outcomes(first, latest)


def check_horizon(horizon_days: float) -> float:
    """``horizon_days`` as a positive finite number of days, else raise."""
    days = as_number(horizon_days) if not isinstance(horizon_days, bool) else None
    if days is None or not math.isfinite(days) or days <= 0:
        raise InvalidInputError(
            f"expected a positive number of days, got {horizon_days!r}", path="horizon_days"
        )
    return float(days)


def as_events(events: Iterable[Event]) -> Sequence[Event]:
    """``events`` as a sequence, so several cutoffs can read them."""
    batch = events if isinstance(events, list | tuple) else list(require_iterable(events, "events"))
    if set(map(type, batch)) <= {Event}:  # one C-level pass over millions of events
        return batch
    for index, event in enumerate(batch):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
            )
    return batch


def end_of_data(events: Sequence[Event], outcomes: Outcomes, given: datetime | None) -> float:
    """POSIX seconds of the end of the data: ``given`` or the latest event or outcome."""
    if given is not None:
        return require_aware(given, "data_end").timestamp()
    latest = max((e.ts for e in events), default=-math.inf)
    if outcomes.latest is not None:
        latest = max(latest, outcomes.latest)
    return latest


def created_times(profiles: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Each profile's ``created_at`` (when given) as POSIX seconds."""
    created: dict[str, float] = {}
    for index, profile in enumerate(profiles):
        if not isinstance(profile, Mapping):
            continue  # rank() reports it with its index
        value = profile.get("created_at")
        if not is_blank(value):
            lead_id = profile.get("id")
            created[str(lead_id)] = _aware(value, f"profiles[{index}].created_at")
    return created


def horizon_end(cutoff: datetime, horizon_days: float, end: float, path: str) -> float:
    """POSIX seconds of the end of the horizon after ``cutoff``; raise when it ends after
    the end of the data (``end``), where late converters would look negative."""
    require_aware(cutoff, path)
    closes = cutoff + timedelta(days=horizon_days)
    if closes.timestamp() > end:
        raise InvalidInputError(
            f"the {horizon_days:g}-day horizon after {cutoff.isoformat()} ends "
            f"{closes.isoformat()}, after the end of the data {from_ts(end).isoformat()}; "
            "late converters would look negative: pick an earlier cutoff or a shorter horizon",
            path=path,
        )
    return closes.timestamp()


def cutoff_points(
    cutoff: datetime | None, cutoffs: Iterable[datetime] | None
) -> tuple[list[datetime], list[str]]:
    """The checked cutoffs (exactly one of ``cutoff`` and ``cutoffs``) and their paths."""
    if (cutoff is None) == (cutoffs is None):
        raise InvalidInputError("give exactly one of cutoff= or cutoffs=", path="cutoff")
    points = [cutoff] if cutoff is not None else list(cutoffs or ())
    if not points:
        raise InvalidInputError("expected at least one cutoff", path="cutoffs")
    labels = ["cutoff"] if cutoff is not None else [f"cutoffs[{i}]" for i in range(len(points))]
    for point, where in zip(points, labels, strict=True):
        require_aware(point, where)
    return points, labels


def snapshot(
    model: ScoringModel,
    profiles: Sequence[Mapping[str, Any]],
    events: Sequence[Event],
    outcomes: Outcomes,
    created: Mapping[str, float],
    *,
    cutoff: datetime,
    horizon_days: float,
    end: float,
    path: str = "cutoff",
    peaks: bool = False,
) -> Snapshot:
    """Score the population at ``cutoff`` and label it from ``outcomes``; with
    ``peaks``, keep each row's running peak (see :meth:`ScoringModel._rank_with_peaks`)."""
    cutoff_ts = cutoff.timestamp()
    end_ts = horizon_end(cutoff, horizon_days, end, path)
    scores: list[Score] = []
    labels: list[bool] = []
    excluded = 0
    first = outcomes.first
    steps: dict[str, tuple[float, ...]] | None = None
    if peaks:
        ranking, steps = model._rank_with_peaks(profiles, events, as_of=cutoff)
    else:
        ranking = model.rank(profiles, events, as_of=cutoff)
    rows: list[tuple[float, ...]] = []
    for score in ranking:
        lead_id = score.lead_id
        if score.last_activity is None and created.get(lead_id, math.inf) > cutoff_ts:
            continue
        converted = first.get(lead_id)
        if converted is not None and converted <= cutoff_ts:
            excluded += 1
            continue
        scores.append(score)
        labels.append(converted is not None and converted <= end_ts)
        if steps is not None:
            rows.append(steps.get(lead_id, ()))
    known = {str(p.get("id")) for p in profiles if isinstance(p, Mapping)}
    unknown = sum(1 for lead_id in first if lead_id not in known)
    return Snapshot(
        cutoff, horizon_days, tuple(scores), tuple(labels), excluded, unknown, tuple(rows)
    )
