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

from . import _partials
from ._time import require_aware
from .errors import InvalidInputError
from .nurture import NurtureFlow
from .scoring import ScoringModel

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
else:  # pyspark is imported where used; at run time the hints name the frame loosely
    DataFrame = Any

__all__ = ["advance_due", "rank"]

Frame = Any  # a pandas DataFrame: typed loosely, pandas is an optional extra

_PAYLOADS = "lead_id string, kind int, payload binary"
_SCORED = "lead string, total double, score double, band string, grade string, reasons string"
_ADVANCED = "lead_id string, state string, actions string"


def rank(
    spark_profiles: DataFrame,
    spark_events: DataFrame,
    model: ScoringModel,
    *,
    as_of: datetime,
    partitions: int | None = None,
) -> DataFrame:
    """Score and rank every profile, as the ``score`` command writes them as CSV.

    ``spark_profiles`` has an ``id`` column and any profile columns;
    ``spark_events`` has ``lead_id``, ``name`` and ``at`` (a timestamp, or ISO 8601
    text with an offset) and any property columns. Returns the columns ``rank, lead,
    score, band, grade, reasons``, best first, ties by lead id; totals equal
    :meth:`ScoringModel.rank` under the merge law of ``docs/datalake.md``.
    ``partitions`` sets the number of partitions of the per-lead shuffle (default:
    ``spark.sql.shuffle.partitions``).
    """
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    _check(model, as_of)
    events = _with_event_times(spark_events)

    def partials(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.partial_frame(model, frames, as_of)

    def profiles(frames: Iterator[Frame]) -> Iterator[Frame]:
        for frame in frames:
            yield _partials.profile_frame(frame)

    def scored(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.scored_frame(model, frames, as_of)

    both = spark_profiles.mapInPandas(profiles, _PAYLOADS).unionByName(
        events.mapInPandas(partials, _PAYLOADS)
    )
    shuffled = (
        both.repartition(partitions, "lead_id") if partitions else both.repartition("lead_id")
    )
    # One row per lead, so ordering them all in one window is cheap next to the events.
    order = Window.orderBy(F.desc("total"), F.asc("lead"))
    return (
        shuffled.mapInPandas(scored, _SCORED)
        .withColumn("rank", F.row_number().over(order))
        .select(*_partials.RANK_COLUMNS)
    )


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


def _check(model: Any, as_of: Any) -> None:
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    require_aware(as_of, "as_of")


def _with_event_times(events: DataFrame) -> DataFrame:
    """Spark timestamps become POSIX microseconds: exact, and free of the session time
    zone that Spark applies when it hands timestamps to pandas."""
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import functions as F
    from pyspark.sql.types import TimestampNTZType, TimestampType

    if "at" not in events.columns:
        raise InvalidInputError(
            f"missing column at; the events have: {', '.join(events.columns)}", path="events"
        )
    kind = events.schema["at"].dataType
    if isinstance(kind, TimestampNTZType):
        raise InvalidInputError(
            "timestamps without time zone are ambiguous; use TIMESTAMP (with zone) or "
            "ISO 8601 text with an offset",
            path="events.at",
        )
    if isinstance(kind, TimestampType):
        return events.withColumn("at", F.unix_micros("at"))
    return events
