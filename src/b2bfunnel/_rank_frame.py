"""The one table of a ranking: ``to_pandas(ranking)`` and the Spark and Dask ``rank``.

=================  ===========================  =========================================
column             pandas dtype                 what
=================  ===========================  =========================================
``lead_id``        ``string``                   the lead
``total``          ``float64``                  the score, full precision
``explicit``       ``float64``                  profile points
``implicit``       ``float64``                  behaviour points after decay
``decay_factor``   ``float64``                  share of decaying points left
``band``           ``string``                   hot / warm / cold (the model's bands)
``grade``          ``string``                   fit letter and engagement digit
``hot``            ``bool``                     total at or above the hot threshold
``as_of``          ``datetime64[us, UTC]``      when the score was taken
``hot_since``      ``datetime64[us, UTC]``      when it crossed the threshold (or null)
``last_activity``  ``datetime64[us, UTC]``      the last counted event (or null)
``reasons``        ``string``                   the top 3 rules, as the CLI writes them
=================  ===========================  =========================================

With detail, ``points.<rule>`` and ``group.<group>`` (``float64``, null where the rule
did not count) follow. The engines put ``rank`` (``int64``, 1 = best) first and declare
a detail column for every rule and group of the model; ``to_pandas`` has one for every
rule that counted for some lead.
"""

from __future__ import annotations

import importlib
import math
import operator
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scoring import Score, ScoringModel

__all__ = ["BASE_COLUMNS", "detail_columns", "reasons_text", "score_frame"]

# (column, kind): kind is one of "string", "float", "bool", "time".
BASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("lead_id", "string"),
    ("total", "float"),
    ("explicit", "float"),
    ("implicit", "float"),
    ("decay_factor", "float"),
    ("band", "string"),
    ("grade", "string"),
    ("hot", "bool"),
    ("as_of", "time"),
    ("hot_since", "time"),
    ("last_activity", "time"),
    ("reasons", "string"),
)
TIME_UNIT = "datetime64[us, UTC]"


def reasons_text(score: Score, n: int = 3) -> str:
    """The ``n`` largest contributions as ``rule +points`` joined by ``"; "``: the
    ``reasons`` cell of the ``score`` command's CSV and of the ranking table."""
    return "; ".join(f"{row[0]} {row[1]:+g}" for row in score.top_rows(n))


def _reasons_column(scores: Sequence[Score]) -> list[str]:
    """:func:`reasons_text` of every score (top 3), without a call per score: sorting a
    lead's few rows by ``(-|points|, rule)`` keys built inline, and formatting each
    distinct ``rule +points`` once, is what costs here."""
    out: list[str] = []
    append = out.append
    texts: dict[tuple[str, float], str] = {}
    for score in scores:
        rows = score.rows
        if len(rows) > 1:
            top = sorted([(-abs(row[1]), row[0], row[1]) for row in rows])[:3]
            parts = []
            for _weight, rule, points in top:
                text = texts.get((rule, points))
                if text is None:
                    text = texts[rule, points] = f"{rule} {points:+g}"
                parts.append(text)
            append("; ".join(parts))
        elif rows:
            append(f"{rows[0][0]} {rows[0][1]:+g}")
        else:
            append("")
    return out


def detail_columns(model: ScoringModel) -> list[str]:
    """``points.<rule>`` for every rule of ``model``, then ``group.<group>``."""
    names = [rule.name for rule in model.explicit] + [rule.name for rule in model.implicit]
    return [f"points.{name}" for name in names] + [f"group.{g}" for g, _cap in model.groups]


def found_detail_columns(scores: Sequence[Score]) -> list[str]:
    """The detail columns of the rules and groups that counted for some score."""
    points: dict[str, None] = {}
    groups: dict[str, None] = {}
    for score in scores:
        for row in score.rows:
            points[f"points.{row[0]}"] = None
        for name in score.groups:
            groups[f"group.{name}"] = None
    return [*points, *groups]


def score_frame(scores: Sequence[Score], detail: Sequence[str] = ()) -> Any:
    """A pandas DataFrame of ``scores`` with :data:`BASE_COLUMNS` and the ``detail``
    columns (``points.<rule>``, ``group.<group>``), typed as the module says.

    Each column is built once as a list or an array and typed with one pandas call
    (100,000 leads in well under a second): :func:`base_values` gives the values of
    :data:`BASE_COLUMNS`, :func:`detail_values` those of the detail columns; a new
    family of columns adds its own ``*_values`` and kinds the same way.
    """
    pd = importlib.import_module("pandas")
    values = base_values(scores)
    columns: dict[str, Any] = {name: _typed(pd, values[name], kind) for name, kind in BASE_COLUMNS}
    if detail:
        for name, cells in detail_values(scores, detail).items():
            columns[name] = _typed(pd, cells, "float")
    return pd.DataFrame(columns, copy=False)


_BASE_FIELDS = ("lead_id", "total", "explicit", "implicit", "decay_factor", "band", "grade", "hot")
_TIME_FIELDS = ("as_of", "hot_since", "last_activity")


def base_values(scores: Sequence[Score]) -> dict[str, Any]:
    """The values of :data:`BASE_COLUMNS`, one list (or array) per column; times as
    POSIX seconds (NaN for none)."""
    values: dict[str, Any] = {
        name: list(map(operator.attrgetter(name), scores)) for name in _BASE_FIELDS
    }
    for name in _TIME_FIELDS:
        values[name] = _seconds(map(operator.attrgetter(name), scores))
    values["reasons"] = _reasons_column(scores)
    return values


def _seconds(times: Iterable[datetime | None]) -> list[float]:
    """POSIX seconds of each time (NaN for None)."""
    nan = math.nan
    return [nan if time is None else time.timestamp() for time in times]


def detail_values(scores: Sequence[Score], detail: Sequence[str]) -> dict[str, list[float | None]]:
    """The cells of the ``detail`` columns (``points.<rule>``, ``group.<group>``), None
    where the rule did not count."""
    cells: dict[str, list[float | None]] = {c: [None] * len(scores) for c in detail}
    for index, score in enumerate(scores):
        for row in score.rows:
            column = cells.get(f"points.{row[0]}")
            if column is not None:
                column[index] = row[1]
        for name, points in score.groups.items():
            column = cells.get(f"group.{name}")
            if column is not None:
                column[index] = points
    return cells


def _typed(pd: Any, values: Any, kind: str) -> Any:
    if kind == "string":
        return pd.array(values, dtype=pd.StringDtype())
    if kind == "float":
        return importlib.import_module("numpy").array(values, dtype="float64")  # None: NaN
    if kind == "bool":
        return importlib.import_module("numpy").array(values, dtype="bool")
    # POSIX seconds as floats resolve microseconds exactly for centuries around now,
    # and converting numbers is far quicker than 100,000 datetime objects.
    np = importlib.import_module("numpy")
    seconds = np.array(values, dtype="float64")
    micros = np.round(seconds * 1_000_000)
    stamps = np.where(np.isnan(micros), np.iinfo("int64").min, micros).astype("int64")
    return pd.DatetimeIndex(stamps.view("datetime64[us]")).tz_localize("UTC").array


def ranked(frame: Any) -> Any:
    """``frame`` best first, ties by lead id, with ``rank`` (``int64``) first."""
    ordered = frame.sort_values(["total", "lead_id"], ascending=[False, True], kind="stable")
    ordered = ordered.reset_index(drop=True)
    ordered.insert(0, "rank", pd_range(len(ordered)))
    return ordered


def pd_range(n: int) -> Any:
    """``1..n`` as ``int64``."""
    np = importlib.import_module("numpy")
    return np.arange(1, n + 1, dtype="int64")
