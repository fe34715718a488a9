"""Scoring and nurture on Apache Spark (``pip install "b2bfunnel[spark]"``).

:func:`rank` pre-aggregates each partition of events into one small state per lead,
shuffles only those states, merges them per lead (:meth:`ScoringModel.merge`) and
scores; it never groups a lead's raw events, so a lead with millions of events costs
one state, not one giant group. :func:`advance_due` runs nurture flows over states
stored as their ``to_dict`` JSON. See ``docs/datalake.md``.

pyspark is imported inside the functions: ``import b2bfunnel`` never loads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import _partials, _rank_frame
from ._time import require_aware
from .errors import InvalidInputError
from .nurture import NurtureFlow
from .scoring import ScoringModel
from .tables._table import Columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
else:  # pyspark is imported where used; at run time the hints name the frame loosely
    DataFrame = Any

__all__ = ["advance_due", "rank"]

Frame = Any  # a pandas DataFrame: typed loosely, pandas is an optional extra

_PAYLOADS = "lead_id string, kind int, payload binary"
_ADVANCED = "lead_id string, state string, actions string"


def rank(
    profiles: DataFrame | None = None,
    events: DataFrame | None = None,
    model: ScoringModel | None = None,
    *,
    as_of: datetime,
    columns: Columns | None = None,
    detail: bool = False,
    partitions: int | None = None,
    spark_profiles: DataFrame | None = None,
    spark_events: DataFrame | None = None,
    by: str | None = None,
) -> DataFrame:
    """Score and rank every profile: ``rank`` then the columns of
    ``to_pandas(model.rank(...))`` (see ``docs/datalake.md``).

    ``profiles`` has an ``id`` column and any profile columns (``columns`` maps field
    names to its headers, as :meth:`ScoringModel.rank` takes it); ``events`` has
    ``lead_id``, ``name`` and ``at`` (a timestamp, or ISO 8601 text with an offset) and
    any property columns. The schemas are checked before any job is submitted. Rows
    come best first, ties by lead id; totals equal :meth:`ScoringModel.rank` under the
    merge law of ``docs/datalake.md``. ``detail`` adds ``points.<rule>`` and
    ``group.<group>`` for every rule and group of ``model``. ``partitions`` sets the
    number of partitions of the per-lead shuffle (default:
    ``spark.sql.shuffle.partitions``). ``spark_profiles``/``spark_events`` are the
    former names of ``profiles``/``events``. ``by`` sorts by a named score (its
    ``score.<name>`` column), as :meth:`ScoringModel.rank` takes it.
    """
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    profiles = _either(profiles, spark_profiles, "profiles")
    events = _either(events, spark_events, "events")
    checked = _check(model, as_of)
    by = checked._check_by(by)
    for header, field in _partials.profile_renames(columns, profiles.columns).items():
        profiles = profiles.withColumnRenamed(header, field)
    _partials.check_event_headers(events.columns)
    events = _with_event_times(events)
    schema = _ranking_schema(
        _rank_frame.detail_columns(checked) if detail else [],
        _rank_frame.named_columns(checked.score_names),
    )

    def partials(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.partial_frame(checked, frames, as_of)

    def leads(frames: Iterator[Frame]) -> Iterator[Frame]:
        for frame in frames:
            yield _partials.profile_frame(frame)

    def scored(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.scored_frame(checked, frames, as_of, detail)

    both = profiles.mapInPandas(leads, _PAYLOADS).unionByName(
        events.mapInPandas(partials, _PAYLOADS)
    )
    shuffled = (
        both.repartition(partitions, "lead_id") if partitions else both.repartition("lead_id")
    )
    # One row per lead, so ordering them all in one window is cheap next to the events.
    key = "total" if by is None else f"`score.{by}`"
    order = Window.orderBy(F.desc(key), F.asc("lead_id"))
    return (
        shuffled.mapInPandas(scored, schema)
        .withColumn("rank", F.row_number().over(order).cast("long"))
        .select("rank", *(F.col(f"`{name}`") for name in schema.fieldNames()))
        .orderBy("rank")
    )


def _either(table: Any, former: Any, name: str) -> Any:
    """The table given as ``name`` or by its former ``spark_<name>`` keyword."""
    if (table is None) == (former is None):
        raise InvalidInputError(
            f"expected one Spark DataFrame of {name} (spark_{name}= is its former name)",
            path=name,
        )
    table = former if table is None else table
    if not hasattr(table, "mapInPandas"):
        raise InvalidInputError(
            f"expected a Spark DataFrame, got {type(table).__name__}", path=name
        )
    return table


def advance_due(spark_states: DataFrame, flow: NurtureFlow, as_of: datetime) -> DataFrame:
    """Advance every nurture state to ``as_of``: columns ``lead_id, state, actions``.

    ``spark_states`` has ``lead_id`` and ``state`` (a :class:`NurtureState` as its
    ``to_dict`` JSON). ``state`` comes back as the new state's JSON and ``actions`` as a
    JSON list of :class:`Action` data with their ``idempotency_key``: a retried task
    may emit an action twice, so deliver at least once and deduplicate by that key.
    """
    if not isinstance(flow, NurtureFlow):
        raise InvalidInputError(f"expected a NurtureFlow, got {type(flow).__name__}", path="flow")
    require_aware(as_of, "as_of")

    def advance(frames: Iterator[Frame]) -> Iterator[Frame]:
        for frame in frames:
            yield _partials.advanced_frame(flow, frame, as_of)

    return spark_states.select("lead_id", "state").mapInPandas(advance, _ADVANCED)


def _check(model: Any, as_of: Any) -> ScoringModel:
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    require_aware(as_of, "as_of")
    return model


def _with_event_times(events: DataFrame) -> DataFrame:
    """Spark timestamps become POSIX microseconds: exact, and free of the session time
    zone that Spark applies when it hands timestamps to pandas."""
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, TimestampNTZType, TimestampType

    kind = events.schema["at"].dataType
    if isinstance(kind, TimestampType) and not isinstance(kind, TimestampNTZType):
        return events.withColumn("at", F.unix_micros("at"))
    if isinstance(kind, StringType):
        return events
    why = (
        "timestamps without time zone are ambiguous"
        if isinstance(kind, TimestampNTZType)
        else f"got {kind.simpleString()}"
    )
    raise InvalidInputError(
        f"{why}; expected TIMESTAMP (with zone) or ISO 8601 text with an offset",
        path="events.at",
    )


def _ranking_schema(detail: list[str], named: list[tuple[str, str]] | None = None) -> Any:
    """The Spark schema of :mod:`b2bfunnel._rank_frame`'s table (without ``rank``)."""
    from pyspark.sql import types as T  # the optional spark extra, imported when used

    kinds = {
        "string": T.StringType(),
        "float": T.DoubleType(),
        "bool": T.BooleanType(),
        "time": T.TimestampType(),
    }
    fields = [T.StructField(name, kinds[kind], True) for name, kind in _rank_frame.BASE_COLUMNS]
    fields += [T.StructField(name, kinds[kind], True) for name, kind in named or ()]
    fields += [T.StructField(name, T.DoubleType(), True) for name in detail]
    return T.StructType(fields)
