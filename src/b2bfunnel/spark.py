"""Scoring and nurture on Apache Spark (``pip install "b2bfunnel[spark]"``).

:func:`rank` pre-aggregates each partition of events into one small state per lead,
shuffles only those states, merges them per lead (:meth:`ScoringModel.merge`) and
scores; it never groups a lead's raw events, so a lead with millions of events costs
one state, not one giant group. :func:`advance_due` runs nurture flows over states
stored as their ``to_dict`` JSON. See ``docs/datalake.md``.

pyspark is imported inside the functions: ``import b2bfunnel`` never loads it.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import _account_frame, _partials, _rank_frame
from . import _account_partials as _accounts
from ._time import require_aware
from .errors import B2BFunnelError, InvalidInputError
from .funnel import Funnel
from .nurture import NurtureFlow
from .scoring import ScoringModel
from .tables._table import Columns

if TYPE_CHECKING:
    from pyspark.sql import DataFrame
else:  # pyspark is imported where used; at run time the hints name the frame loosely
    DataFrame = Any

__all__ = ["advance_due", "rank", "rank_accounts"]

Frame = Any  # a pandas DataFrame: typed loosely, pandas is an optional extra

_PAYLOADS = "lead_id string, kind int, payload binary"
_ADVANCED = "lead_id string, state string, actions string"
_ACCOUNT_PAYLOADS = "account_id string, kind int, payload binary"


def rank(
    profiles: DataFrame | None = None,
    events: DataFrame | None = None,
    model: ScoringModel | None = None,
    *,
    as_of: datetime,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    detail: bool = False,
    partitions: int | None = None,
    spark_profiles: DataFrame | None = None,
    spark_events: DataFrame | None = None,
) -> DataFrame:
    """Score and rank every profile: ``rank`` then the columns of
    ``to_pandas(model.rank(...))`` (see ``docs/datalake.md``).

    ``profiles`` has an ``id`` column and any profile columns (``columns`` maps field
    names to its headers, as :meth:`ScoringModel.rank` takes it); ``events`` has
    ``lead_id``, ``name`` and ``at`` (a timestamp, or ISO 8601 text with an offset) and
    any property columns. The reading options are :meth:`ScoringModel.rank`'s:
    ``decimal=","`` reads number text in the profiles with a decimal comma, ``timezone``
    reads times without an offset (text or ``TIMESTAMP_NTZ``) in that zone,
    ``skip_invalid=True`` skips bad event rows; ``date_format`` reads time text as an
    export writes it (``"%d/%m/%Y %H:%M"``), ``values`` maps a CRM's values onto the
    model's (``{"budget": {"approved": ["Aprobado"]}}``). The schemas and options are checked
    before any job is submitted; a bad row stops the job with an
    :class:`InvalidInputError` naming its lead (see :func:`_raising_b2bfunnel_errors`).
    Rows come best first, ties by lead id; totals equal :meth:`ScoringModel.rank`
    under the merge law of ``docs/datalake.md``. ``detail`` adds ``points.<rule>`` and
    ``group.<group>`` for every rule and group of ``model``. ``partitions`` sets the
    number of partitions of the per-lead shuffle (default:
    ``spark.sql.shuffle.partitions``). ``spark_profiles``/``spark_events`` are the
    former names of ``profiles``/``events``.
    """
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    profiles = _either(profiles, spark_profiles, "profiles")
    events = _either(events, spark_events, "events")
    checked = _check(model, as_of)
    reading = _partials.reading_of(
        decimal, timezone, skip_invalid, date_format=date_format, values=values
    )
    for header, field in _partials.profile_renames(columns, profiles.columns).items():
        profiles = profiles.withColumnRenamed(header, field)
    _partials.check_event_headers(events.columns)
    events = _with_event_times(events, timezone)
    schema = _ranking_schema(_rank_frame.detail_columns(checked) if detail else [])
    _raising_b2bfunnel_errors()

    def partials(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.partial_frame(checked, frames, as_of, reading)

    def leads(frames: Iterator[Frame]) -> Iterator[Frame]:
        for frame in frames:
            yield _partials.profile_frame(frame, reading)

    def scored(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.scored_frame(checked, frames, as_of, detail)

    both = profiles.mapInPandas(leads, _PAYLOADS).unionByName(
        events.mapInPandas(partials, _PAYLOADS)
    )
    shuffled = (
        both.repartition(partitions, "lead_id") if partitions else both.repartition("lead_id")
    )
    # One row per lead, so ordering them all in one window is cheap next to the events.
    order = Window.orderBy(F.desc("total"), F.asc("lead_id"))
    return (
        shuffled.mapInPandas(scored, schema)
        .withColumn("rank", F.row_number().over(order).cast("long"))
        .select("rank", *(F.col(f"`{name}`") for name in schema.fieldNames()))
        .orderBy("rank")
    )


def rank_accounts(
    profiles: DataFrame,
    events: DataFrame,
    funnel: Funnel,
    *,
    accounts: Any = None,
    as_of: datetime,
    columns: Columns | None = None,
    decimal: str | None = None,
    timezone: str | None = None,
    skip_invalid: bool = False,
    partitions: int | None = None,
) -> DataFrame:
    """Rank accounts as ``funnel.rank_accounts(...)`` does: ``rank`` then the columns of
    the account table of ``docs/datalake.md`` (account, total, fit, engagement, band,
    grade, contacts, engaged contacts, roles present and missing, next action,
    reasons), best first, ties by account id.

    ``profiles`` and ``events`` are those of :func:`rank`; ``accounts`` the optional
    accounts table (a Spark or pandas DataFrame or rows: one row per account, brought
    to the driver). The reading options are :func:`rank`'s, ``decimal`` and
    ``timezone`` defaulting to the funnel's ``[input]``; event names go through its
    ``[aliases]``. The schemas are checked before any job is submitted; then the
    contacts' matching columns (ids, e-mail, website, company) are collected and
    matched on the driver, the events scored per lead on the workers and the contacts'
    scores rolled up per account on the workers.
    """
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if not isinstance(funnel, Funnel):
        raise InvalidInputError(f"expected a Funnel, got {type(funnel).__name__}", path="funnel")
    profiles, events = _either(profiles, None, "profiles"), _either(events, None, "events")
    require_aware(as_of, "as_of")
    reading = _accounts.funnel_reading(funnel, decimal, timezone, skip_invalid)
    for header, field in _partials.profile_renames(columns, profiles.columns).items():
        profiles = profiles.withColumnRenamed(header, field)
    _partials.check_event_headers(events.columns)
    events = _with_event_times(events, reading.timezone)
    schema = _table_schema(_account_frame.ACCOUNT_COLUMNS)
    _raising_b2bfunnel_errors()
    wanted = _accounts.match_columns(profiles.columns)
    contacts = profiles.select(*(F.col(f"`{c}`") for c in wanted)).toPandas()
    table = _accounts.accounts_table(accounts)
    job, match = _accounts.driver_match(funnel, contacts, table, columns, as_of, reading)
    model = funnel.scoring

    def partials(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _partials.partial_frame(model, frames, as_of, reading)

    def leads(frames: Iterator[Frame]) -> Iterator[Frame]:
        for frame in frames:
            yield _partials.profile_frame(frame, reading)

    def scored(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _accounts.contact_frame(job, frames)

    def rolled(frames: Iterator[Frame]) -> Iterator[Frame]:
        yield _accounts.accounts_frame(job, frames)

    both = profiles.mapInPandas(leads, _PAYLOADS).unionByName(
        events.mapInPandas(partials, _PAYLOADS)
    )
    markers = profiles.sparkSession.createDataFrame(
        _accounts.account_markers(match), _ACCOUNT_PAYLOADS
    )
    by_account = (
        _by(both, "lead_id", partitions).mapInPandas(scored, _ACCOUNT_PAYLOADS).unionByName(markers)
    )
    order = Window.orderBy(F.desc("total"), F.asc("account_id"))
    return (
        _by(by_account, "account_id", partitions)
        .mapInPandas(rolled, schema)
        .withColumn("rank", F.row_number().over(order).cast("long"))
        .select("rank", *schema.fieldNames())
        .orderBy("rank")
    )


def _by(frame: DataFrame, column: str, partitions: int | None) -> DataFrame:
    """``frame`` repartitioned by ``column`` (into ``partitions`` when given)."""
    return frame.repartition(partitions, column) if partitions else frame.repartition(column)


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
    _raising_b2bfunnel_errors()

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


def _with_event_times(events: DataFrame, timezone: str | None) -> DataFrame:
    """Spark timestamps become POSIX microseconds: exact, and free of the session time
    zone that Spark applies when it hands timestamps to pandas. ``TIMESTAMP_NTZ``
    reaches pandas as naive datetimes, read in ``timezone`` (refused without one)."""
    # pyspark is the optional spark extra, imported only when used.
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, TimestampNTZType, TimestampType

    kind = events.schema["at"].dataType
    if isinstance(kind, TimestampType) and not isinstance(kind, TimestampNTZType):
        return events.withColumn("at", F.unix_micros("at"))
    if isinstance(kind, StringType) or (isinstance(kind, TimestampNTZType) and timezone):
        return events
    why = (
        "timestamps without time zone are ambiguous"
        if isinstance(kind, TimestampNTZType)
        else f"got {kind.simpleString()}"
    )
    raise InvalidInputError(
        f"{why}; expected TIMESTAMP (with zone) or ISO 8601 text with an offset"
        " (or pass timezone= for times without one)",
        path="events.at",
    )


def _ranking_schema(detail: list[str]) -> Any:
    """The Spark schema of :mod:`b2bfunnel._rank_frame`'s table (without ``rank``)."""
    return _table_schema((*_rank_frame.BASE_COLUMNS, *((name, "float") for name in detail)))


def _table_schema(columns: Iterable[tuple[str, str]]) -> Any:
    """The Spark schema of ``(column, kind)`` pairs, kinds as :mod:`._rank_frame` names
    them."""
    from pyspark.sql import types as T  # the optional spark extra, imported when used

    kinds = {
        "string": T.StringType(),
        "float": T.DoubleType(),
        "int": T.LongType(),
        "bool": T.BooleanType(),
        "time": T.TimestampType(),
    }
    return T.StructType([T.StructField(name, kinds[kind], True) for name, kind in columns])


# --- b2bfunnel's errors from the workers -------------------------------------------

# The last line of a worker's traceback that is one of b2bfunnel's errors: its message
# is that line (a ConfigError adds one "  - " line per problem); what follows it is
# Spark's (" SQLSTATE: ...", the JVM's frames).
_WORKER_ERROR = re.compile(
    r"^b2bfunnel(?:\.errors)?\.(B2BFunnelError|InvalidInputError|ConfigError): "
    r"([^\n]*(?:\n  - [^\n]*)*)",
    re.MULTILINE,
)


def worker_error(error: BaseException) -> B2BFunnelError | None:
    """The b2bfunnel error a Python worker raised, as the driver receives it wrapped in
    a ``PythonException`` (or a ``Py4JJavaError``): a new error of the same class whose
    message is the worker's, or None when the failure is not b2bfunnel's."""
    text = str(error)
    start = text.rfind("Traceback (most recent call last):")
    found = list(_WORKER_ERROR.finditer(text, max(start, 0)))[-1:]
    if not found:
        return None
    kind, line = found[0][1], found[0][2].rstrip()
    path, sep, message = line.partition(": ")
    if not sep or " " in path.removeprefix("lead "):
        path, message = "", line
    if kind == "ConfigError":  # its problems are in the text; keep them as one message
        return B2BFunnelError(line)
    return (InvalidInputError if kind == "InvalidInputError" else B2BFunnelError)(
        message, path=path
    )


def _raising_b2bfunnel_errors() -> None:
    """Make a job that fails on a b2bfunnel error raise that error on the driver.

    A worker's :class:`InvalidInputError` (``lead L123: events.at: ...``) reaches the
    driver as a ``PythonException`` whose text starts with Spark's own lines and holds
    the worker's traceback. Every Spark action goes through Py4J's
    ``get_return_value``: wrapped here (once per process, re-wrapped if Spark replaced
    it), a failure that carries a b2bfunnel error is raised again as that error, its
    first line b2bfunnel's, ``from`` the original exception. Any other failure passes
    through unchanged.
    """
    # pyspark's own dependency, there whenever it is (untyped: through importlib).
    java_gateway = importlib.import_module("py4j.java_gateway")

    current = java_gateway.get_return_value
    if getattr(current, "b2bfunnel", False):
        return

    def get_return_value(*args: Any, **kwargs: Any) -> Any:
        try:
            return current(*args, **kwargs)
        except Exception as exc:
            mine = worker_error(exc)
            if mine is None:
                raise
            raise mine from exc

    get_return_value.b2bfunnel = True  # type: ignore[attr-defined]
    java_gateway.__dict__["get_return_value"] = get_return_value
