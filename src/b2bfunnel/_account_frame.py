"""The one table of an account ranking: ``b2bfunnel.spark.rank_accounts`` and
``b2bfunnel.dask.rank_accounts`` (and :func:`account_frame` of an in-process
``Funnel.rank_accounts``), with the conventions of the lead ranking table
(:mod:`._rank_frame`): strings ``pd.StringDtype()``, scores ``float64`` at full
precision, times UTC.

=================  ===========================  =========================================
column             pandas dtype                 what
=================  ===========================  =========================================
``rank``           ``int64``                    1 = best; ties by account id
``account_id``     ``string``                   the account
``total``          ``float64``                  fit + engagement, full precision
``fit``            ``float64``                  points of the account's fit rules
``engagement``     ``float64``                  its contacts' behaviour points, rolled up
``band``           ``string``                   the account model's band
``grade``          ``string``                   fit letter and engagement digit
``contacts``       ``int64``                    its contacts
``engaged``        ``int64``                    its engaged contacts
``roles_present``  ``string``                   buying-committee roles present, ``", "``
``roles_missing``  ``string``                   roles missing, in the same order
``next_action``    ``string``                   whom to reach and through whom ("" none)
``reasons``        ``string``                   fit rules and the 3 contacts counting
                                                most, as ``b2bfunnel accounts`` writes
``as_of``          ``datetime64[us, UTC]``      when the accounts were scored
=================  ===========================  =========================================
"""

from __future__ import annotations

import importlib
import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ._rank_frame import _seconds, _typed

if TYPE_CHECKING:
    from .accounts import AccountScore

__all__ = ["ACCOUNT_COLUMNS", "account_frame", "account_reasons"]

# (column, kind): kind is one of "string", "float", "int", "time" (``rank`` comes first
# and is added by whoever orders the rows).
ACCOUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("account_id", "string"),
    ("total", "float"),
    ("fit", "float"),
    ("engagement", "float"),
    ("band", "string"),
    ("grade", "string"),
    ("contacts", "int"),
    ("engaged", "int"),
    ("roles_present", "string"),
    ("roles_missing", "string"),
    ("next_action", "string"),
    ("reasons", "string"),
    ("as_of", "time"),
)


def account_reasons(score: AccountScore) -> str:
    """The fit rules that matched and the three contacts whose shares count most, as
    ``rule +points`` joined by ``"; "`` (the ``reasons`` of ``b2bfunnel accounts``)."""
    parts = list(score.rules.items())
    parts += sorted(score.shares.items(), key=lambda item: (-abs(item[1]), item[0]))[:3]
    return "; ".join(f"{name} {round(points, 1):+g}" for name, points in parts if points)


def account_frame(scores: Sequence[AccountScore], ranked: bool = True) -> Any:
    """A pandas DataFrame of account scores (best first), typed as the module says:
    ``rank`` then :data:`ACCOUNT_COLUMNS` (without ``rank`` when not ``ranked``)."""
    pd = importlib.import_module("pandas")
    np = importlib.import_module("numpy")
    values: dict[str, Any] = {
        name: list(map(operator.attrgetter(name), scores))
        for name in ("account_id", "total", "fit", "engagement", "band", "grade")
    }
    values["contacts"] = [len(s.contacts) for s in scores]
    values["engaged"] = [s.breadth.engaged for s in scores]
    values["roles_present"] = [", ".join(s.roles_present) for s in scores]
    values["roles_missing"] = [", ".join(s.roles_missing) for s in scores]
    values["next_action"] = [s.next_action.describe() if s.next_action else "" for s in scores]
    values["reasons"] = [account_reasons(s) for s in scores]
    values["as_of"] = _seconds(s.as_of for s in scores)
    columns: dict[str, Any] = {}
    if ranked:
        columns["rank"] = np.arange(1, len(scores) + 1, dtype="int64")
    for name, kind in ACCOUNT_COLUMNS:
        cells = values[name]
        columns[name] = np.array(cells, dtype="int64") if kind == "int" else _typed(pd, cells, kind)
    return pd.DataFrame(columns, copy=False)


def ranked_accounts(frame: Any) -> Any:
    """Account rows best first, ties by account id, with ``rank`` (``int64``) first."""
    np = importlib.import_module("numpy")
    ordered = frame.sort_values(["total", "account_id"], ascending=[False, True], kind="stable")
    ordered = ordered.reset_index(drop=True)
    ordered.insert(0, "rank", np.arange(1, len(ordered) + 1, dtype="int64"))
    return ordered
