"""Scoring and nurture on Dask (``pip install "b2bfunnel[dask]"``).

The same two steps as :mod:`b2bfunnel.spark`: each partition of events becomes one
small state per lead (``map_partitions``), only those states are shuffled by lead, and
each lead's states are merged (:meth:`ScoringModel.merge`) and scored. A lead's raw
events are never grouped. See ``docs/datalake.md``.

dask and pandas are imported inside the functions: ``import b2bfunnel`` never loads them.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import _partials
from ._time import require_aware
from .errors import InvalidInputError
from .nurture import NurtureFlow
from .scoring import ScoringModel
from .tables._table import Columns

if TYPE_CHECKING:
    from dask.dataframe import DataFrame as DaskFrame
else:  # dask is imported where used; at run time the hints name the frame loosely
    DaskFrame = Any

__all__ = ["advance_due", "rank"]

Frame = Any  # a pandas DataFrame: typed loosely, pandas is an optional extra


def rank(
    profiles: DaskFrame,
    events: DaskFrame,
    model: ScoringModel,
    *,
    as_of: datetime,
    columns: Columns | None = None,
    detail: bool = False,
    by: str | None = None,
) -> DaskFrame:
    """Score and rank every profile: ``rank`` then the columns of
    ``to_pandas(model.rank(...))`` (see ``docs/datalake.md``), lazily.

    ``profiles`` has an ``id`` column and any profile columns (``columns`` maps field
    names to its headers, as :meth:`ScoringModel.rank` takes it); ``events`` has
    ``lead_id``, ``name`` and ``at`` (zoned datetimes, or ISO 8601 text with an offset)
    and any property columns. The columns and their types are checked before any task
    is computed. Rows come best first, ties by lead id, in one partition (call
    ``.compute()`` or ``.to_parquet()``). ``detail`` adds ``points.<rule>`` and
    ``group.<group>`` for every rule and group of ``model``. ``by`` sorts by a named
    score, as :meth:`ScoringModel.rank` takes it.
    """
    import dask.dataframe as dd  # the optional dask extra, imported only when used

    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    require_aware(as_of, "as_of")
    by = model._check_by(by)
    renames = _partials.profile_renames(columns, [str(c) for c in profiles.columns])
    if renames:
        profiles = profiles.rename(columns=renames)
    _partials.check_event_headers([str(c) for c in events.columns])
    _check_times(events["at"].dtype)
    payload_meta = _partials.profile_frame(_partials.empty_frame(["id"]))
    partials = events.map_partitions(_partial, model, as_of, meta=payload_meta)
    leads = profiles.map_partitions(_partials.profile_frame, meta=payload_meta)
    scored_meta = _partials.scored_frame(model, [], as_of, detail)
    scored = (
        dd.concat([leads, partials])
        .shuffle("lead_id")
        .map_partitions(_scored, model, as_of, detail, meta=scored_meta)
    )
    # One row per lead, so ordering them all in one partition is cheap next to the
    # events (Spark's adaptor does the same with one window).
    ranked_meta = _partials.ranked_frame(scored_meta, by)
    return scored.repartition(npartitions=1).map_partitions(
        _partials.ranked_frame, by, meta=ranked_meta
    )


def _check_times(dtype: Any) -> None:
    """``at`` holds zoned datetimes or text; naive datetimes are ambiguous."""
    kind = getattr(dtype, "kind", "O")
    if kind == "M" and getattr(dtype, "tz", None) is not None:
        return
    if kind in "OU" or str(dtype).startswith(("string", "str")):
        return
    why = "datetimes without time zone are ambiguous" if kind == "M" else f"got {dtype}"
    raise InvalidInputError(
        f"{why}; expected zoned datetimes (datetime64[ns, UTC]) or ISO 8601 text with an offset",
        path="events.at",
    )


def advance_due(states: DaskFrame, flow: NurtureFlow, as_of: datetime) -> DaskFrame:
    """Advance every nurture state to ``as_of``: columns ``lead_id, state, actions``.

    ``states`` has ``lead_id`` and ``state`` (a :class:`NurtureState` as its
    ``to_dict`` JSON); see :func:`b2bfunnel.spark.advance_due` for the columns returned
    and for deduplicating retried actions by ``idempotency_key``.
    """
    if not isinstance(flow, NurtureFlow):
        raise InvalidInputError(f"expected a NurtureFlow, got {type(flow).__name__}", path="flow")
    require_aware(as_of, "as_of")
    meta = _partials.advanced_frame(flow, _partials.empty_frame(["lead_id", "state"]), as_of)
    return states[["lead_id", "state"]].map_partitions(_advanced, flow, as_of, meta=meta)


def _partial(frame: Frame, model: ScoringModel, as_of: datetime) -> Frame:
    return _partials.partial_frame(model, [frame], as_of)


def _scored(frame: Frame, model: ScoringModel, as_of: datetime, detail: bool) -> Frame:
    return _partials.scored_frame(model, [frame], as_of, detail)


def _advanced(frame: Frame, flow: NurtureFlow, as_of: datetime) -> Frame:
    return _partials.advanced_frame(flow, frame, as_of)
