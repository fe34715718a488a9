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

A model with named scores adds ``score.<name>`` (``float64``) and ``band.<name>``
(``string``) per named score after these. With detail, ``points.<rule>`` and
``group.<group>`` (``float64``, null where the rule did not count) follow. The
engines put ``rank`` (``int64``, 1 = best) first and declare a detail column for every
rule and group of the model; ``to_pandas`` has one for every rule that counted for
some lead.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scoring import Score, ScoringModel

__all__ = ["BASE_COLUMNS", "detail_columns", "named_columns", "reasons_text", "score_frame"]

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


def detail_columns(model: ScoringModel) -> list[str]:
    """``points.<rule>`` for every rule of ``model``, then ``group.<group>``."""
    names = [rule.name for rule in model.explicit] + [rule.name for rule in model.implicit]
    return [f"points.{name}" for name in names] + [f"group.{g}" for g, _cap in model.groups]


def named_columns(names: Sequence[str]) -> list[tuple[str, str]]:
    """``(score.<name>, "float")`` and ``(band.<name>, "string")`` per named score."""
    return [
        col for name in names for col in ((f"score.{name}", "float"), (f"band.{name}", "string"))
    ]


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


def score_frame(
    scores: Sequence[Score], detail: Sequence[str] = (), named: Sequence[str] | None = None
) -> Any:
    """A pandas DataFrame of ``scores`` with :data:`BASE_COLUMNS`, the columns of the
    ``named`` scores (default: those of the first score) and the ``detail`` columns
    (``points.<rule>``, ``group.<group>``), typed as the module says."""
    pd = importlib.import_module("pandas")
    data: dict[str, Any] = {
        "lead_id": [s.lead_id for s in scores],
        "total": [s.total for s in scores],
        "explicit": [s.explicit for s in scores],
        "implicit": [s.implicit for s in scores],
        "decay_factor": [s.decay_factor for s in scores],
        "band": [s.band for s in scores],
        "grade": [s.grade for s in scores],
        "hot": [s.hot for s in scores],
        "as_of": [s.as_of.timestamp() for s in scores],
        "hot_since": [None if s.hot_since is None else s.hot_since.timestamp() for s in scores],
        "last_activity": [
            None if s.last_activity is None else s.last_activity.timestamp() for s in scores
        ],
        "reasons": [reasons_text(s) for s in scores],
    }
    columns: dict[str, Any] = {}
    for name, kind in BASE_COLUMNS:
        columns[name] = _typed(pd, data[name], kind)
    for name in list(scores[0].scores) if named is None and scores else named or ():
        columns[f"score.{name}"] = _typed(pd, [s.scores[name].total for s in scores], "float")
        columns[f"band.{name}"] = _typed(pd, [s.scores[name].band for s in scores], "string")
    if detail:
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
        for name in detail:
            columns[name] = _typed(pd, cells[name], "float")
    return pd.DataFrame(columns)


def _typed(pd: Any, values: list[Any], kind: str) -> Any:
    if kind == "string":
        return pd.Series(values, dtype=pd.StringDtype())
    if kind == "float":
        return pd.Series(values, dtype="float64")
    if kind == "bool":
        return pd.Series(values, dtype="bool")
    # POSIX seconds as floats resolve microseconds exactly for centuries around now,
    # and converting numbers is far quicker than 100,000 datetime objects.
    np = importlib.import_module("numpy")
    seconds = np.array(values, dtype="float64")
    micros = np.round(seconds * 1_000_000)
    stamps = np.where(np.isnan(micros), np.iinfo("int64").min, micros).astype("int64")
    return pd.Series(stamps.view("datetime64[us]")).dt.tz_localize("UTC")


def ranked(frame: Any, by: str | None = None) -> Any:
    """``frame`` best first (by the named score ``by``, else the total), ties by lead
    id, with ``rank`` (``int64``) first."""
    key = "total" if by is None else f"score.{by}"
    ordered = frame.sort_values([key, "lead_id"], ascending=[False, True], kind="stable")
    ordered = ordered.reset_index(drop=True)
    ordered.insert(0, "rank", pd_range(len(ordered)))
    return ordered


def pd_range(n: int) -> Any:
    """``1..n`` as ``int64``."""
    np = importlib.import_module("numpy")
    return np.arange(1, n + 1, dtype="int64")
