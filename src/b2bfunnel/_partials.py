"""Scoring a data lake in two steps, shared by the Spark and Dask adaptors.

1. Per partition of events: one partial :class:`ScoreState` per lead
   (:func:`partial_states`), so memory holds states, never a lead's events.
2. Per lead, after the states and the profile meet on one partition: merge them and
   score (:func:`score_leads`), one row of the ranking table of :mod:`._rank_frame`.

States cross the shuffle pickled (a few hundred bytes each). Every function here takes
pandas frames or plain values, so it is the same for every engine; the engines' own
modules only move data.
"""

from __future__ import annotations

import importlib
import json
import operator
import pickle
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from . import _rank_frame
from ._time import read_zone
from .errors import InvalidInputError
from .events import Event
from .nurture import NurtureFlow, NurtureState
from .scoring import Score, ScoreState, ScoringModel
from .tables._columns import closest_column, missing_column
from .tables._frames import (
    header_renames,
)
from .tables._kinds import profile_fields
from .tables._options import ReadOptions, read_options
from .tables._read import events_from, rows_of

__all__ = [
    "NO_OPTIONS",
    "Reading",
    "advanced_frame",
    "check_event_headers",
    "empty_frame",
    "frame_payloads",
    "merged_leads",
    "partial_frame",
    "partial_states",
    "profile_frame",
    "profile_renames",
    "ranked_frame",
    "reading_of",
    "score_leads",
    "scored_frame",
]


@attrs.frozen
class Reading:
    """How the partitions read their rows: the reading options of
    :meth:`ScoringModel.rank` (``decimal`` of number text in the profiles, ``timezone``
    of event times without an offset, ``skip_invalid`` bad event rows) and, for a
    funnel, ``rename``, which names events through its ``[aliases]``."""

    decimal: str | None = None
    timezone: str | None = None
    skip_invalid: bool = False
    rename: Callable[[list[Event]], Iterable[Event]] | None = None
    date_format: str | Sequence[str] | None = None
    values: Mapping[str, Any] | None = None


NO_OPTIONS = Reading()


def reading_of(
    decimal: Any,
    timezone: Any,
    skip_invalid: Any,
    rename: Any = None,
    *,
    date_format: Any = None,
    values: Any = None,
) -> Reading:
    """The reading options checked on the driver, before any job or task: a bad one
    is an error naming it, as :meth:`ScoringModel.rank` raises it (by
    :func:`read_options` itself)."""
    read_options(decimal=decimal, date_format=date_format, values=values, skip_invalid=skip_invalid)
    if timezone is not None:  # a zone's name only (no tzinfo), as the engines document
        read_zone(timezone, "timezone")
    return Reading(decimal, timezone, skip_invalid, rename, date_format, values)


PAYLOAD_COLUMNS = ("lead_id", "kind", "payload")
EVENT_FIELDS = ("lead_id", "name", "at")
PROFILE, STATE = 0, 1  # what a shuffled payload holds
_BY_TIME = operator.attrgetter("ts")


def profile_renames(columns: Any, headers: Sequence[str]) -> dict[str, str]:
    """``{header: field}`` for a profiles table from ``columns`` (as
    :meth:`ScoringModel.rank` takes it), checked against ``headers`` before any data is
    read: a mapped header that is absent, or no ``id`` column, is an error naming the
    closest header and the fix."""
    fields = header_renames(columns, "profiles", headers)
    if "id" not in [fields.get(h, h) for h in headers]:
        raise missing_column("id", headers, path="profiles")
    return fields


def check_event_headers(headers: Sequence[str]) -> None:
    """Events need ``lead_id``, ``name`` and ``at``: a missing one is an error naming
    the closest header, before any data is read."""
    for field in EVENT_FIELDS:
        if field not in headers:
            close = closest_column(field, headers)
            hint = f"; did you mean {close!r}? rename it to {field!r}" if close else ""
            shown = ", ".join(repr(h) for h in headers) or "(none)"
            raise InvalidInputError(
                f"missing column {field!r}{hint}; the events have: {shown}", path="events"
            )


def partial_states(
    model: ScoringModel, batches: Iterable[Sequence[Event]], as_of: datetime
) -> dict[str, ScoreState]:
    """One state per lead from a partition's events at or before ``as_of``.

    Each batch is ingested in time order; a later batch may hold older events, which
    only loosens ``hot_since`` to its documented bound.
    """
    asof_ts = as_of.timestamp()
    states: dict[str, ScoreState] = {}
    for batch in batches:
        by_lead: dict[str, list[Event]] = {}
        for event in sorted(batch, key=_BY_TIME):
            if event.ts <= asof_ts:
                by_lead.setdefault(event.lead_id, []).append(event)
        for lead_id, events in by_lead.items():
            state = states.get(lead_id) or model.new_state(lead_id)
            states[lead_id] = model.ingest(state, events)
    return states


def profile_payloads(
    frame: Any, decimal: str | None = None, reading: Reading | None = None
) -> Iterator[tuple[str, bytes]]:
    """``(lead id, pickled profile)`` per row of a DataFrame of profiles, read by the
    one profile converter (:func:`~b2bfunnel.tables._kinds.profile_fields`), as the
    CLI reads a leads file, with :meth:`ScoringModel.rank`'s reading options (number
    text with a decimal comma when ``decimal`` is ``","``; dates in
    ``reading.date_format``, CRM values by ``reading.values``)."""
    options = ReadOptions()
    if decimal is not None or reading is not None:
        options = read_options(
            decimal=decimal,
            date_format=None if reading is None else reading.date_format,
            timezone=None if reading is None else reading.timezone,
            values=None if reading is None else reading.values,
        )
    for profile in rows_of(frame, options, "profiles", kind=profile_fields):
        yield profile["id"], pickle.dumps(profile)


def score_leads(
    model: ScoringModel,
    payloads: Iterable[tuple[str, int, bytes]],
    as_of: datetime,
) -> list[Score]:
    """Merge each profiled lead's partial states and score it.

    ``payloads`` are ``(lead id, PROFILE or STATE, pickle)``, every payload of a lead in
    this call. Leads without a profile are skipped, as :meth:`ScoringModel.rank` skips
    their events.
    """
    return [model.score_state(state, as_of=as_of) for _p, state in merged_leads(model, payloads)]


def merged_leads(
    model: ScoringModel, payloads: Iterable[tuple[str, int, bytes]]
) -> Iterator[tuple[dict[str, Any], ScoreState]]:
    """Each profiled lead's profile and its partial states merged (see
    :func:`score_leads`)."""
    profiles: dict[str, dict[str, Any]] = {}
    states: dict[str, list[ScoreState]] = {}
    for lead_id, kind, payload in payloads:
        if kind == PROFILE:
            if lead_id in profiles:
                raise InvalidInputError(f"duplicate lead id {lead_id!r}", path="profiles.id")
            profiles[lead_id] = pickle.loads(payload)
        else:
            states.setdefault(lead_id, []).append(pickle.loads(payload))
    for lead_id, profile in profiles.items():
        state = model.new_state(lead_id, profile)
        for part in states.get(lead_id, ()):
            state = model.merge(state, part, profile=profile)
        yield profile, state


def frame_payloads(frames: Iterable[Any]) -> Iterator[tuple[str, int, bytes]]:
    """The ``(lead id, kind, payload)`` rows of frames of payloads."""
    for frame in frames:
        yield from zip(frame["lead_id"], frame["kind"], frame["payload"], strict=True)


def advance_rows(
    flow: NurtureFlow, lead_ids: Sequence[str], states: Sequence[str], as_of: datetime
) -> list[tuple[str, str, str]]:
    """``(lead id, new state JSON, actions JSON)`` for states saved as ``to_dict`` JSON."""
    out = []
    for row, (lead_id, text) in enumerate(zip(lead_ids, states, strict=True)):
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as exc:
            raise InvalidInputError(f"not JSON: {exc}", path=f"states[{row}]") from None
        state = NurtureState.from_dict(data)
        new, actions = flow.advance(state, as_of=as_of)
        out.append(
            (
                lead_id,
                json.dumps(new.to_dict(), ensure_ascii=False, allow_nan=False),
                json.dumps([a.to_dict() for a in actions], ensure_ascii=False, allow_nan=False),
            )
        )
    return out


# --- pandas frames in and out (pandas is there whenever an engine calls these) -------


def _pandas() -> Any:
    # Through importlib: pandas ships no type hints, and frames are Any here anyway.
    return importlib.import_module("pandas")


def empty_frame(columns: Sequence[str]) -> Any:
    """A frame with no rows and text ``columns``: for an engine's ``meta``."""
    pd = _pandas()
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _payloads(lead_ids: list[str], kind: int, payloads: list[bytes]) -> Any:
    pd = _pandas()
    return pd.DataFrame(
        {
            "lead_id": pd.Series(lead_ids, dtype=object),
            "kind": pd.Series([kind] * len(lead_ids), dtype="int64"),
            "payload": pd.Series(payloads, dtype=object),
        },
        columns=list(PAYLOAD_COLUMNS),
    )


def partial_frame(
    model: ScoringModel, frames: Iterable[Any], as_of: datetime, reading: Reading = NO_OPTIONS
) -> Any:
    """Step 1 on frames of events: a frame ``lead_id, kind, payload`` of pickled states.

    An integer ``at`` column holds POSIX microseconds (how Spark hands over timestamps).
    """
    pd = _pandas()
    timezone, skip, rename = reading.timezone, reading.skip_invalid, reading.rename

    def events(frame: Any) -> list[Event]:
        if "at" in frame.columns and frame["at"].dtype.kind in "iu":
            frame = frame.assign(at=pd.to_datetime(frame["at"], unit="us", utc=True))
        try:
            read = events_from(
                frame,
                timezone=timezone,
                date_format=reading.date_format,
                values=reading.values,
                skip_invalid=skip,
            )
        except InvalidInputError as exc:
            raise by_lead(exc, frame) from None
        return read if rename is None else list(rename(read))

    states = partial_states(model, (events(frame) for frame in frames), as_of)
    return _payloads(list(states), STATE, [pickle.dumps(s) for s in states.values()])


def by_lead(error: InvalidInputError, frame: Any) -> InvalidInputError:
    """``error`` about row N of a partition of events, located by the row's lead id
    (``lead L123: events.at: ...``): a row number within a partition means nothing to
    the caller."""
    found = re.fullmatch(r"table\[(\d+)\](.*)", error.path)
    if found is None:
        return error.at(f"events.{error.path}")
    lead = frame["lead_id"].iloc[int(found[1])]
    if not isinstance(lead, str) or not lead.strip():
        return InvalidInputError(error.message, path=f"events{found[2]} (lead id blank)")
    return InvalidInputError(f"events{found[2]}: {error.message}", path=f"lead {lead}")


def profile_frame(frame: Any, reading: Reading = NO_OPTIONS) -> Any:
    """Profiles as a frame ``lead_id, kind, payload`` of pickled profiles."""
    pairs = list(profile_payloads(frame, reading.decimal, reading))
    return _payloads([p[0] for p in pairs], PROFILE, [p[1] for p in pairs])


def scored_frame(
    model: ScoringModel, frames: Iterable[Any], as_of: datetime, detail: bool = False
) -> Any:
    """Step 2 on frames holding every payload of their leads: the ranking table of
    :mod:`._rank_frame` (unsorted), with every rule's column when ``detail``."""
    scores = score_leads(model, frame_payloads(frames), as_of)
    columns = _rank_frame.detail_columns(model) if detail else ()
    return _rank_frame.score_frame(scores, columns, model.score_names)


def ranked_frame(frame: Any, by: str | None = None) -> Any:
    """Scored rows best first (by the named score ``by``, else the total), ties by lead
    id, with ``rank`` first."""
    return _rank_frame.ranked(frame, by)


def advanced_frame(flow: NurtureFlow, frame: Any, as_of: datetime) -> Any:
    """Nurture states ``lead_id, state`` advanced: ``lead_id, state, actions``."""
    rows = advance_rows(flow, frame["lead_id"].tolist(), frame["state"].tolist(), as_of)
    return _pandas().DataFrame(rows, columns=["lead_id", "state", "actions"], dtype=object)
