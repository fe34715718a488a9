"""Results as flat rows, as a pandas DataFrame, and their :class:`Summary`.

:func:`to_records` turns any result, or a sequence of results, into a list of flat
dicts, one per row of what the result is about:

============================  ===============================================
result                         one row per
============================  ===============================================
``Score`` (and a ranking)      lead
``Report``                     segment x period cell
``VelocityComparison``         cohort (its report, then its lift)
``FunnelMetrics``              stage
``AttributionReport``          channel (or campaign, KOL), a column per model
``Portfolio``                  selected candidate
``AccountNPS``                 account
``Evaluation``                 band
``FittedModel``                coefficient
anything else                  the result itself
============================  ===============================================

Nested parts are flattened with dotted names: a ``Score`` has ``points.<rule>`` per
rule that counted and ``group.<name>`` per group cap; a nested value or mapping gives
``<field>.<key>``; a pair of bounds such as ``interval`` gives ``interval_low`` and
``interval_high``; a list of plain values becomes one text cell, items joined with
``"; "``. Datetimes stay datetimes and money stays ``Decimal``.

>>> import b2bfunnel as bf
>>> rows = bf.to_records(bf.nps([10, 9, 3, 8]))
>>> rows[0]["score"], rows[0]["n"], round(rows[0]["interval_low"], 1)
(25.0, 4, -44.2)
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from . import _rank_frame
from ._public import publish
from ._summary import Summary
from .errors import InvalidInputError

__all__ = ["Summary", "to_pandas", "to_polars", "to_records"]

Row = dict[str, Any]
_SCALARS = (str, int, float, bool, Decimal, date, enum.Enum)
# Columns that hold datetimes even when every row is blank (a ranking with no hot lead).
_TIME_NAMES = frozenset(("as_of", "at", "hot_since", "last_activity"))


class Result(Protocol):
    """What :func:`to_records` takes: a b2bfunnel result (an attrs value with
    ``to_dict``)."""

    def to_dict(self) -> dict[str, Any]: ...


def to_records(obj: Result | Iterable[Result]) -> list[Row]:
    """Flat rows of a result or of a sequence of results (see the module's table).

    >>> import b2bfunnel as bf
    >>> a, b = bf.nps([10, 9]), bf.nps([0, 5, 9])
    >>> [row["score"] for row in bf.to_records([a, b])]
    [100.0, -33.333333333333336]
    """
    if is_result(obj):
        return _rows_of(obj)
    if isinstance(obj, Iterable) and not isinstance(obj, str | bytes | Mapping):
        rows: list[Row] = []
        for index, item in enumerate(obj):
            if not is_result(item):
                raise InvalidInputError(
                    f"expected a b2bfunnel result, got {type(item).__name__}",
                    path=f"obj[{index}]",
                )
            rows += _rows_of(item)
        return rows
    raise InvalidInputError(
        f"expected a b2bfunnel result or a sequence of them, got {type(obj).__name__}",
        path="obj",
    )


def to_pandas(obj: Result | Iterable[Result], *, money: str = "float", detail: bool = False) -> Any:
    """A pandas DataFrame of :func:`to_records`: datetimes as UTC ``datetime64``
    columns, dates (report periods) as ``datetime64``, rates, days and scores as
    ``float``, money as ``float`` (the default: sums, means and plots work on it) or,
    with ``money="decimal"``, as the exact ``Decimal`` cents :func:`to_records` gives.
    A ranking gives the table of ``docs/datalake.md``; ``detail`` adds its
    ``points.<rule>`` and ``group.<group>`` columns.

    pandas is imported here, only when asked for; without it this raises an
    ImportError saying how to install it.

    >>> import b2bfunnel as bf
    >>> df = bf.to_pandas([bf.nps([10, 9]), bf.nps([0, 5, 9])])
    >>> df["score"].round(1).tolist(), len(df)
    ([100.0, -33.3], 2)
    """
    if money not in ("decimal", "float"):
        raise InvalidInputError(f"expected 'decimal' or 'float', got {money!r}", path="money")
    try:
        # Through importlib: pandas ships no type hints, and the frame is Any here anyway.
        pd = importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(
            'to_pandas needs pandas: pip install "b2bfunnel[pandas]"', name=exc.name
        ) from exc
    scores = _scores_of(obj)
    if scores is not None:  # a ranking: the one typed table the engines also give
        rule_columns = _rank_frame.found_detail_columns(scores) if detail else []
        return _rank_frame.score_frame(scores, rule_columns)
    rows = to_records(obj)
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    data: dict[str, Any] = {}
    for name in columns:
        values = [row.get(name) for row in rows]
        present = [v for v in values if v is not None]
        if all(isinstance(v, datetime) for v in present) and (present or _is_time(name)):
            data[name] = pd.to_datetime(values, utc=True)
        elif present and all(isinstance(v, date) for v in present):
            data[name] = pd.to_datetime(values)
        elif money == "float" and present and all(isinstance(v, Decimal) for v in present):
            data[name] = [None if v is None else float(v) for v in values]
        else:
            data[name] = values
    return pd.DataFrame(data, columns=list(columns))


def to_polars(obj: Result | Iterable[Result], *, money: str = "float", detail: bool = False) -> Any:
    """A polars DataFrame with the columns and types of :func:`to_pandas` (text as
    ``String``, timestamps as UTC ``Datetime("us")``); ``pip install
    "b2bfunnel[polars]"``. polars is imported here, only when asked for.

    >>> import b2bfunnel as bf
    >>> from b2bfunnel.records import to_polars
    >>> to_polars([bf.nps([10, 9]), bf.nps([0, 5, 9])])["score"].round(1).to_list()
    [100.0, -33.3]
    """
    try:
        pl = importlib.import_module("polars")
    except ImportError as exc:
        raise ImportError(
            'to_polars needs polars and pandas: pip install "b2bfunnel[polars]"', name=exc.name
        ) from exc
    return pl.from_pandas(to_pandas(obj, money=money, detail=detail))


def _scores_of(obj: Any) -> list[Any] | None:
    """The scores when ``obj`` is a :class:`Score` or a non-empty sequence of them
    (known by their ``top_rows``: scoring imports this module, not the reverse)."""
    if _is_score(obj):
        return [obj]
    if isinstance(obj, list | tuple) and obj and _is_score(obj[0]):
        kind = type(obj[0])  # one type check per row: a ranking has 100,000s
        if all(type(s) is kind for s in obj) or all(_is_score(s) for s in obj):
            return list(obj)
    return None


def _is_score(obj: Any) -> bool:
    return is_result(obj) and callable(getattr(obj, "top_rows", None))


def _is_time(column: str) -> bool:
    name = column.rpartition(".")[2]
    return name in _TIME_NAMES or name.endswith("_at")


def is_result(obj: Any) -> bool:
    return callable(getattr(obj, "to_dict", None)) and hasattr(type(obj), "__attrs_attrs__")


def _rows_of(obj: Any) -> list[Row]:
    # A result about several parts (cells, stages, cohorts) gives one row per part
    # from its own `_rows` method; any other result is one row of itself.
    tabulate = getattr(obj, "_rows", None)
    rows = tabulate() if tabulate is not None else None
    return [_plain_numbers(row) for row in (rows if rows is not None else [flatten(obj)])]


_CENT = Decimal("0.01")
# Decimal figures that are not money: rates and durations are floats in every table.
_NOT_MONEY = ("rate", "days")


def _plain_numbers(row: Row) -> Row:
    """Money rounded to the cent (``Decimal``); other Decimals (rates, days) as float."""
    for name, value in row.items():
        if type(value) is Decimal:
            last = name.rpartition(".")[2]
            if last.endswith(_NOT_MONEY):
                row[name] = float(value)
            elif value.is_finite():
                row[name] = value.quantize(_CENT)
    return row


def public_fields(obj: Any) -> dict[str, Any]:
    """The fields ``to_dict`` shows, with the typed values where the object has them
    (datetimes, Decimals, nested values) and the plain data where it does not."""
    plain = obj.to_dict()
    out = {}
    for key, data in plain.items():
        value = getattr(obj, key, data)
        if callable(value) or (_is_sequence(value) and any(is_result(v) for v in value)):
            value = data
        out[key] = value
    return out


def flatten(obj: Any, prefix: str = "") -> Row:
    """One flat row of a value: its own ``_flat`` row where its class defines one (a
    ``Score``'s points per rule), else :func:`fields_row`."""
    flat = getattr(obj, "_flat", None)
    return flat(prefix) if flat is not None else fields_row(obj, prefix)


def fields_row(obj: Any, prefix: str = "") -> Row:
    """One flat row of a value: its public fields, nested parts with dotted names."""
    row: Row = {}
    for key, value in public_fields(obj).items():
        _put(row, prefix + key, value)
    return row


def _put(row: Row, name: str, value: Any) -> None:
    if value is None and (name == "interval" or name.endswith((".interval", "_interval"))):
        row[name + "_low"] = row[name + "_high"] = None
    elif value is None or isinstance(value, _SCALARS):
        row[name] = value.value if isinstance(value, enum.Enum) else value
    elif is_result(value):
        row.update(flatten(value, name + "."))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _put(row, f"{name}.{key}", item)
    elif _is_bounds(value):
        row[name + "_low"], row[name + "_high"] = value
    elif _is_sequence(value):
        items = sorted(value) if isinstance(value, frozenset | set) else list(value)
        if items and all(isinstance(v, Mapping) for v in items):
            for item in items:
                first, *rest = item.items()
                for key, sub in rest:
                    _put(row, f"{name}.{first[1]}.{key}", sub)
        else:
            row[name] = "; ".join(_text(v) for v in items)
    else:
        row[name] = str(value)


def _text(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if is_result(value):
        return str(next(iter(value.to_dict().values())))
    if _is_sequence(value):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _is_sequence(value: Any) -> bool:
    return isinstance(value, list | tuple | frozenset | set)


def _is_bounds(value: Any) -> bool:
    return (
        isinstance(value, tuple | list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


publish(globals(), __all__)
