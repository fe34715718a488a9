"""Portfolio planning: the most qualified reach a budget can buy, exactly."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from decimal import Decimal
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Plotted, View, plain_fields
from .._money import money
from ..errors import InvalidInputError
from ..plot import Charts
from ..records import flatten
from ..tables._currency import Currencies
from ..tables._frames import is_rows, table_rows
from ..tables._numbers import settle_decimal
from ..tables._options import ReadOptions, read_options
from ..tables._read import read_rows
from ..tables._records import at_row, candidate_fields, money_currencies
from ..tables._table import Columns, TableLike
from ._fit import KOLFit, kol_fit
from ._knapsack import solve
from ._model import KOLBrief, KOLCandidate, KOLConfig

STAGES = ("TOFU", "MOFU", "BOFU")
# About 1-4 s of search (on a busy 2-core machine) before the best selection found is returned.
MAX_STATES = 2_000_000


# The columns a notebook shows of each selected candidate.
_VIEW_COLUMNS = ("handle", "score", "tier", "qualified_reach", "cost_per_mille", "funnel_stage")


@attrs.frozen(repr=False)
class Portfolio(Plotted):
    """The chosen candidates (by handle), what they cost and reach, their funnel mix,
    and every candidate left out with the reason.

    ``optimal`` is True when the selection is proven best; otherwise the search hit its
    limit, ``upper_bound`` is the LP (fractional knapsack) bound on the objective and
    ``gap`` how far below it the selection may be. When optimal, ``upper_bound`` is
    the objective itself and ``gap`` is 0. ``considered`` holds every candidate as
    ``(handle, cost_per_post, qualified_reach)`` (cost None when not given), sorted by
    handle, so the chosen ones can be seen among the rest. ``currency`` is the ISO code
    of the costs and the budget: the base currency when costs were converted
    (``currency=``/``rates=``), else the one currency the costs were written in, else
    None (unknown: plain numbers and no ``currency=``).
    """

    _charts: ClassVar[Charts] = (("reach", charts.portfolio_reach),)

    selected: tuple[KOLFit, ...]
    total_cost: Decimal
    qualified_reach: float
    objective: float
    budget: Decimal
    mix: dict[str, int] = attrs.field(hash=False)
    excluded: tuple[tuple[str, str], ...] = ()
    optimal: bool = True
    upper_bound: float | None = None
    considered: tuple[tuple[str, Decimal | None, float], ...] = ()
    currency: str | None = None

    @property
    def gap(self) -> float:
        """The upper bound minus the objective (0 when the selection is optimal)."""
        if self.optimal or self.upper_bound is None:
            return 0.0
        return self.upper_bound - self.objective

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (money as strings)."""
        return {
            "selected": [f.handle for f in self.selected],
            "total_cost": str(self.total_cost),
            "qualified_reach": self.qualified_reach,
            "objective": self.objective,
            "budget": str(self.budget),
            "currency": self.currency,
            "mix": dict(self.mix),
            "excluded": [{"handle": h, "reason": r} for h, r in self.excluded],
            "optimal": self.optimal,
            "upper_bound": self.upper_bound,
            "gap": self.gap,
            "considered": [
                {
                    "handle": handle,
                    "cost_per_post": None if cost is None else str(cost),
                    "qualified_reach": reach,
                }
                for handle, cost, reach in self.considered
            ],
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [flatten(fit) for fit in self.selected]

    def _view(self) -> View:
        rows = [{c: getattr(fit, c) for c in _VIEW_COLUMNS} for fit in self.selected]
        return View("Portfolio", plain_fields(self), rows)


def plan_portfolio(
    candidates: TableLike | Iterable[KOLCandidate],
    brief: KOLBrief,
    budget: Decimal | int | float | str,
    *,
    weight_by_fit: bool = False,
    config: KOLConfig | None = None,
    max_states: int = MAX_STATES,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
) -> Portfolio:
    """The selection of candidates (one post each at ``cost_per_post``) that maximises
    qualified reach, or qualified reach x fit/100 with ``weight_by_fit``, within
    ``budget``. Exact: a 0/1 knapsack in integers (costs in the smallest unit any of
    them is quoted in, so sub-cent prices count), solved by subset sum when every
    candidate has the same value per unit of cost and otherwise by a core search with
    upper bounds (see ``docs/kol.md``). Free candidates are always taken; vetoed
    candidates and candidates without a cost never. Among equal-value selections the
    cheaper one wins. The search examines at most ``max_states`` partial selections;
    past that the best selection found is returned with ``optimal=False`` and its gap
    to the LP bound. ``candidates`` may be a table (a DataFrame or mappings, read as
    the CLI reads a KOL file, with the reading options: ``columns`` maps field names to
    its headers; ``decimal``, ``values``, ``skip_invalid``; costs in more than one
    currency are refused unless ``currency`` and ``rates`` convert them).

    >>> import b2bfunnel as bf
    >>> brief = bf.KOLBrief(target_roles=["cto"])
    >>> pool = [bf.KOLCandidate("@a", 5000, {"cto": 0.8}, 200, cost_per_post=500),
    ...         bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
    ...         bf.KOLCandidate("@c", 8000, {"cto": 0.5}, 300, cost_per_post=400)]
    >>> p = bf.plan_portfolio(pool, brief, 1000)
    >>> [f.handle for f in p.selected], p.total_cost, p.qualified_reach
    (['@a', '@c'], Decimal('900'), 8000.0)
    """
    limit = money(budget, "budget")
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
        currency=currency,
        rates=rates,
    )
    pool, code = _checked(candidates, weight_by_fit, max_states, options)
    fits = {c.handle: kol_fit(c, brief, config=config) for c in pool}
    costs = {c.handle: c.cost_per_post for c in pool}
    items: list[tuple[str, Decimal, float]] = []
    excluded: list[tuple[str, str]] = []
    for handle in sorted(fits):
        fit, cost = fits[handle], costs[handle]
        value = fit.qualified_reach * (fit.score / 100 if weight_by_fit else 1.0)
        if fit.vetoed:
            excluded.append((handle, fit.reasons[0]))
        elif cost is None:
            excluded.append((handle, "no cost per post given"))
        elif value <= 0:
            excluded.append((handle, "no qualified reach"))
        elif cost > limit:
            excluded.append((handle, f"costs {cost}, more than the whole budget"))
        else:
            items.append((handle, cost, value))
    chosen, optimal = _choose(items, limit, max_states)
    selected = tuple(fits[h] for h in sorted(chosen))
    for handle, _, _ in items:
        if handle not in chosen:
            excluded.append((handle, "not in the best selection within the budget"))
    mix = dict.fromkeys(STAGES, 0)
    for fit in selected:
        mix[fit.funnel_stage] += 1
    total_cost = sum((costs[f.handle] or Decimal(0) for f in selected), Decimal(0))
    reach = sum(f.qualified_reach for f in selected)
    objective = sum(v for h, _, v in items if h in chosen)
    bound = objective if optimal else max(objective, _lp_bound(items, limit))
    considered = tuple((h, costs[h], fits[h].qualified_reach) for h in sorted(fits))
    return Portfolio(
        selected, total_cost, reach, objective, limit, mix, tuple(sorted(excluded)),
        optimal, bound, considered, code,
    )  # fmt: skip


# Candidate fields that hold money.
_MONEY = ("cost_per_post", "campaign_cost")


def candidates_in(
    table: Any,
    path: str = "candidates",
    columns: Columns | None = None,
    options: ReadOptions | None = None,
) -> list[KOLCandidate]:
    """KOL candidates given as a table (a DataFrame or mappings), read as the CLI reads
    a candidates file (:func:`~b2bfunnel.tables._records.candidate_fields`).

    >>> (c,) = candidates_in([{"handle": "@a", "followers": 5000.0, "audience.cto": 0.8,
    ...                        "avg_interactions": 200, "topics": "cloud; security"}])
    >>> c.followers, dict(c.audience), sorted(c.topics)
    (5000, {'cto': 0.8}, ['cloud', 'security'])
    """
    return _read_candidates(table, path, options or read_options(columns=columns))[0]


def _read_candidates(
    table: Any, path: str, options: ReadOptions
) -> tuple[list[KOLCandidate], str | None]:
    """The candidates of :func:`candidates_in` and the currency of their costs: the
    base when converted, else the one found, else None."""
    if options.rewrites or options.skip_invalid or options.currencies.base:
        # Costs read (and converted to the base currency) by the one row reader first.
        read = read_rows(table, options, path, money=_MONEY)
        pairs: Iterable[tuple[int, Any]] = zip(read.index, read.rows, strict=True)
    else:
        rows = list(table_rows(table, options.columns, path=path))
        for field in _MONEY if options.decimal is None else ():
            # €1,500 and €1.500,00 mixed: refused, as read_rows refuses them.
            texts = (r[field] for r in rows if isinstance(r, Mapping) and type(r.get(field)) is str)
            settle_decimal(field, texts, path=f"{path}.{field}")
        pairs = enumerate(rows)
    out = []
    codes: set[str] = set()
    for index, row in pairs:
        where = f"{path}[{index}]."
        if not isinstance(row, Mapping):
            raise InvalidInputError(
                f"expected a mapping, got {type(row).__name__}", path=where[:-1]
            )
        try:
            out.append(KOLCandidate(**candidate_fields(row)))
        except InvalidInputError as exc:
            if options.skip_invalid:
                continue
            raise at_row(exc, where, "candidate") from None
        codes.update(money_currencies(row).values())
    # Costs in two currencies: refused (converted ones are in the base already).
    found = Currencies().settle(codes, f"{path}.cost_per_post")
    return out, options.currencies.base or found


def _checked(
    candidates: Any, weight_by_fit: bool, max_states: int, options: ReadOptions
) -> tuple[list[KOLCandidate], str | None]:
    """The candidates as a list, after checking them and the options, and the
    currency of their costs when read from a table."""
    if isinstance(max_states, bool) or not isinstance(max_states, int) or max_states < 1:
        raise InvalidInputError(
            f"expected a whole number >= 1, got {max_states!r}", path="max_states"
        )
    if not isinstance(weight_by_fit, bool):
        raise InvalidInputError(
            f"expected true or false, got {weight_by_fit!r}", path="weight_by_fit"
        )
    if isinstance(candidates, str | bytes) or not isinstance(candidates, Iterable):
        raise InvalidInputError(
            f"expected candidates, got {type(candidates).__name__}", path="candidates"
        )
    if is_rows(candidates):
        pool, code = _read_candidates(candidates, "candidates", options)
    else:  # plain amounts: in the base currency when one is given (as unmarked cells)
        pool, code = list(candidates), options.currencies.base
    seen: set[str] = set()
    for index, candidate in enumerate(pool):
        if not isinstance(candidate, KOLCandidate):
            raise InvalidInputError(
                f"expected a KOLCandidate, got {type(candidate).__name__}",
                path=f"candidates[{index}]",
            )
        if candidate.handle in seen:
            raise InvalidInputError(
                f"duplicate handle {candidate.handle!r}", path=f"candidates[{index}].handle"
            )
        seen.add(candidate.handle)
    return pool, code


def _choose(
    items: list[tuple[str, Decimal, float]], limit: Decimal, max_states: int
) -> tuple[set[str], bool]:
    """The handles of a best selection and whether it is proven best.

    Free candidates are always taken. The rest become an integer knapsack: costs in
    the smallest unit any of them is quoted in, values as exact multiples of the
    smallest power of two that expresses every float value, and each profit
    ``value * M - cost`` with M above the total cost, so that a higher value always
    wins and, among equal values, the lower cost does.
    """
    chosen = {h for h, cost, _ in items if cost == 0}
    paid = [(h, cost, value) for h, cost, value in items if cost > 0]
    if sum((cost for _, cost, _ in paid), Decimal(0)) <= limit:
        return chosen | {h for h, _, _ in paid}, True
    places = max(max(0, -int(cost.as_tuple().exponent)) for _, cost, _ in paid)
    weights = [_scaled(cost, places) for _, cost, _ in paid]
    capacity = _scaled(limit, places)
    ratios = [value.as_integer_ratio() for _, _, value in paid]
    unit = max(den for _, den in ratios)
    scale = sum(weights) + 1
    profits = [num * (unit // den) * scale - weight
               for (num, den), weight in zip(ratios, weights, strict=True)]  # fmt: skip
    solution = solve(weights, profits, capacity, max_states)
    return chosen | {paid[i][0] for i in solution.chosen}, solution.optimal


def _scaled(amount: Decimal, places: int) -> int:
    """``amount`` x 10**places, rounded down, exactly (no decimal context involved)."""
    numerator, denominator = amount.as_integer_ratio()
    return int(numerator * 10**places // denominator)


def _lp_bound(items: list[tuple[str, Decimal, float]], limit: Decimal) -> float:
    """The fractional-knapsack (LP relaxation) bound on the objective."""
    room = float(limit)
    bound = 0.0
    for _, cost, value in sorted(
        items, key=lambda it: -it[2] / float(it[1]) if it[1] else -math.inf
    ):
        share = 1.0 if float(cost) <= room else room / float(cost)
        bound += value * share
        room -= float(cost) * share
        if room <= 0:
            break
    return bound
