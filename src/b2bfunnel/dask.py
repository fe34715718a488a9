"""Scoring and nurture on Dask (``pip install "b2bfunnel[dask]"``).

The same two steps as :mod:`b2bfunnel.spark`: each partition of events becomes one
small state per lead (``map_partitions``), only those states are shuffled by lead, and
each lead's states are merged (:meth:`ScoringModel.merge`) and scored. A lead's raw
events are never grouped. See ``docs/datalake.md``.

dask and pandas are imported inside the functions: ``import b2bfunnel`` never loads them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import _account_frame, _partials
from . import _account_partials as _accounts
from ._time import require_aware
from .errors import InvalidInputError
from .funnel import Funnel
from .nurture import NurtureFlow
from .scoring import ScoringModel
from .tables._table import Columns

if TYPE_CHECKING:
    from dask.dataframe import DataFrame as DaskFrame
else:  # dask is imported where used; at run time the hints name the frame loosely
    DaskFrame = Any

__all__ = ["advance_due", "rank", "rank_accounts"]

Frame = Any  # a pandas DataFrame: typed loosely, pandas is an optional extra


def rank(
    profiles: DaskFrame,
    events: DaskFrame,
    model: ScoringModel,
    *,
    as_of: datetime,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    detail: bool = False,
) -> DaskFrame:
    """Score and rank every profile: ``rank`` then the columns of
    ``to_pandas(model.rank(...))`` (see ``docs/datalake.md``), lazily.

    ``profiles`` has an ``id`` column and any profile columns (``columns`` maps field
    names to its headers, as :meth:`ScoringModel.rank` takes it); ``events`` has
    ``lead_id``, ``name`` and ``at`` (zoned datetimes, or ISO 8601 text with an offset)
    and any property columns. The reading options are :meth:`ScoringModel.rank`'s:
    ``decimal=","`` reads number text in the profiles with a decimal comma, ``timezone``
    reads times without an offset (text or naive datetimes) in that zone,
    ``skip_invalid=True`` skips bad event rows; ``date_format`` reads time text as an
    export writes it (``"%d/%m/%Y %H:%M"``), ``values`` maps a CRM's values onto the
    model's (``{"budget": {"approved": ["Aprobado"]}}``). The columns, their types and the
    options are checked before any task is computed; a bad row raises b2bfunnel's own
    :class:`InvalidInputError`, naming its lead. Rows come best first, ties by lead
    id, in one partition (call ``.compute()`` or ``.to_parquet()``). ``detail`` adds
    ``points.<rule>`` and ``group.<group>`` for every rule and group of ``model``.
    """
    import dask.dataframe as dd  # the optional dask extra, imported only when used

    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    require_aware(as_of, "as_of")
    reading = _partials.reading_of(
        decimal, timezone, skip_invalid, date_format=date_format, values=values
    )
    renames = _partials.profile_renames(columns, [str(c) for c in profiles.columns])
    if renames:
        profiles = profiles.rename(columns=renames)
    _partials.check_event_headers([str(c) for c in events.columns])
    _check_times(events["at"].dtype, timezone)
    payload_meta = _partials.profile_frame(_partials.empty_frame(["id"]))
    partials = events.map_partitions(_partial, model, as_of, reading, meta=payload_meta)
    leads = profiles.map_partitions(_partials.profile_frame, reading, meta=payload_meta)
    scored_meta = _partials.scored_frame(model, [], as_of, detail)
    scored = (
        dd.concat([leads, partials])
        .shuffle("lead_id")
        .map_partitions(_scored, model, as_of, detail, meta=scored_meta)
    )
    # One row per lead, so ordering them all in one partition is cheap next to the
    # events (Spark's adaptor does the same with one window).
    ranked_meta = _partials.ranked_frame(scored_meta)
    return scored.repartition(npartitions=1).map_partitions(
        _partials.ranked_frame, meta=ranked_meta
    )


def rank_accounts(
    profiles: DaskFrame,
    events: DaskFrame,
    funnel: Funnel,
    *,
    accounts: Any = None,
    as_of: datetime,
    columns: Columns | None = None,
    decimal: str | None = None,
    timezone: str | None = None,
    skip_invalid: bool = False,
) -> DaskFrame:
    """Rank accounts as ``funnel.rank_accounts(...)`` does, lazily: the table of
    :func:`b2bfunnel.spark.rank_accounts` (``rank``, account, total, fit, engagement,
    band, grade, contacts, engaged contacts, roles, next action, reasons), best first,
    ties by account id, in one partition.

    ``profiles`` and ``events`` are those of :func:`rank`, ``accounts`` the optional
    accounts table (Dask, pandas or rows); the reading options are :func:`rank`'s,
    defaulting to the funnel's ``[input]``. The columns are checked before any task is
    computed; then the contacts' matching columns are computed and matched here, and
    the scoring and the roll-up per account run on the workers.
    """
    # dask is the optional dask extra, imported only when used.
    import dask
    import dask.dataframe as dd

    if not isinstance(funnel, Funnel):
        raise InvalidInputError(f"expected a Funnel, got {type(funnel).__name__}", path="funnel")
    require_aware(as_of, "as_of")
    reading = _accounts.funnel_reading(funnel, decimal, timezone, skip_invalid)
    renames = _partials.profile_renames(columns, [str(c) for c in profiles.columns])
    if renames:
        profiles = profiles.rename(columns=renames)
    _partials.check_event_headers([str(c) for c in events.columns])
    _check_times(events["at"].dtype, reading.timezone)
    contacts = profiles[_accounts.match_columns([str(c) for c in profiles.columns])].compute()
    table = _accounts.accounts_table(accounts)
    job, match = _accounts.driver_match(funnel, contacts, table, columns, as_of, reading)
    shared = dask.delayed(job, pure=True)  # one copy in the graph, not one per task
    payload_meta = _partials.profile_frame(_partials.empty_frame(["id"]))
    model = funnel.scoring
    partials = events.map_partitions(_partial, model, as_of, reading, meta=payload_meta)
    leads = profiles.map_partitions(_partials.profile_frame, reading, meta=payload_meta)
    markers = _accounts.account_markers(match)
    contacts_meta = markers.iloc[:0]
    table_meta = _account_frame.account_frame([], ranked=False)
    # The markers join the first partition's rows: a frame of their own, built with
    # from_pandas or from_delayed, would have its pickled bytes turned into text.
    by_account = (
        dd.concat([leads, partials])
        .shuffle("lead_id")
        .map_partitions(_contacts, shared, dask.delayed(markers), meta=contacts_meta)
    )
    rolled = by_account.shuffle("account_id").map_partitions(_rolled, shared, meta=table_meta)
    ranked_meta = _account_frame.ranked_accounts(table_meta)
    return rolled.repartition(npartitions=1).map_partitions(
        _account_frame.ranked_accounts, meta=ranked_meta
    )


def _contacts(
    frame: Frame,
    job: _accounts.AccountJob,
    markers: Frame,
    partition_info: dict[str, Any] | None = None,
) -> Frame:
    rows = _accounts.contact_frame(job, [frame])
    if partition_info is None or partition_info["number"] != 0 or markers.empty:
        return rows
    return importlib.import_module("pandas").concat([rows, markers], ignore_index=True)


def _rolled(frame: Frame, job: _accounts.AccountJob) -> Frame:
    return _accounts.accounts_frame(job, [frame])


def _check_times(dtype: Any, timezone: str | None) -> None:
    """``at`` holds zoned datetimes or text; naive datetimes are ambiguous unless
    ``timezone`` says where they were taken."""
    kind = getattr(dtype, "kind", "O")
    if kind == "M" and (timezone or getattr(dtype, "tz", None) is not None):
        return
    if kind in "OU" or str(dtype).startswith(("string", "str")):
        return
    why = "datetimes without time zone are ambiguous" if kind == "M" else f"got {dtype}"
    raise InvalidInputError(
        f"{why}; expected zoned datetimes (datetime64[ns, UTC]) or ISO 8601 text with an"
        " offset (or pass timezone= for times without one)",
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


def _partial(
    frame: Frame, model: ScoringModel, as_of: datetime, reading: _partials.Reading
) -> Frame:
    return _partials.partial_frame(model, [frame], as_of, reading)


def _scored(frame: Frame, model: ScoringModel, as_of: datetime, detail: bool) -> Frame:
    return _partials.scored_frame(model, [frame], as_of, detail)


def _advanced(frame: Frame, flow: NurtureFlow, as_of: datetime) -> Frame:
    return _partials.advanced_frame(flow, frame, as_of)
