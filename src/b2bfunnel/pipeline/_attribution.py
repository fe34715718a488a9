"""Multi-touch attribution of won-deal value, with money that adds up exactly."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal, localcontext
from fractions import Fraction
from itertools import islice
from operator import itemgetter
from typing import Any, ClassVar

import attrs

from .. import plot as charts
from .._display import Plotted, Summarised, Summary
from .._money import EXACT, decimal_of
from .._time import require_aware
from ..errors import InvalidInputError
from ..plot import Charts
from ..progress import Progress, tracked
from ..tables._options import ReadOptions, read_options
from ..tables._table import Columns, TableLike
from ..tables._values import as_number
from ._allocation import split_units
from ._by_account import by_account
from ._by_role import ByRole, by_role
from ._journeys import (
    AMOUNT,
    DIMENSIONS,
    LEAD_CREATED,
    OPENED,
    OUTCOME,
    DealsByLead,
    FlatTouches,
    Journey,
    assign,
    read_deals,
    read_touches,
    sorted_touches,
    touches_after_deals,
    whole_journey,
)
from ._markov import START, Transitions, count_touches, removal_effects
from ._reading import TablesRead, read_touch_and_deal_tables, relocated
from ._summaries import attribution_summary

MODELS = (
    "first_touch",
    "last_touch",
    "linear",
    "time_decay",
    "position_based",
    "w_shaped",
    "markov",
)
MARKOV_SPLITS = ("journey", "touch", "global")
LEVELS = ("lead", "account")
_DAY = 86_400


@attrs.frozen(repr=False)
class AttributionReport(Summarised, Plotted):
    """Credit for won-deal value per value of ``by`` (channel, campaign or KOL), per model.

    ``totals[model][key]`` is Decimal, a whole number of ``minor_unit``; for every model
    the credits add up exactly to ``attributed``, the won revenue that had touches
    (``revenue - unattributed``) rounded to the minor unit. ``unattributed`` is the
    value of won deals with no touch in their lookback window; ``unattributed_touches``
    counts the touches that belong to no deal (after their lead's last deal closed, or of
    a lead with no deal). For the Markov model, ``removal_effects`` per key,
    ``non_converting_paths`` (lost and open deals' journeys, and the quiet journeys of
    leads with no deal, ``no_deal_paths`` of them) and the ``markov_split`` used.
    ``currency`` is the ISO code of the money when the reader knew it (``None``: not
    stated); ``notes`` what the reading did (rows skipped, amounts read two ways).
    """

    _charts: ClassVar[Charts] = (("credit", charts.attribution_credit),)

    by: str
    models: tuple[str, ...]
    totals: Mapping[str, Mapping[str, Decimal]] = attrs.field(hash=False)
    won_deals: int
    revenue: Decimal
    unattributed: Decimal
    touchpoints: int
    attributed: Decimal = Decimal(0)
    minor_unit: Decimal = Decimal("0.01")
    unattributed_touches: int = 0
    markov_split: str = "journey"
    removal_effects: Mapping[str, float] = attrs.field(factory=dict, hash=False)
    non_converting_paths: int = 0
    no_deal_paths: int = 0
    level: str = "lead"
    currency: str | None = None
    notes: tuple[str, ...] = ()

    def rows(self) -> list[dict[str, Any]]:
        """One row per key with each model's credit, keys by the first model's credit."""
        keys = sorted(
            {k for model in self.models for k in self.totals[model]},
            key=lambda k: (-self.totals[self.models[0]].get(k, Decimal(0)), k),
        )
        return [
            {self.by: key, **{m: self.totals[m].get(key, Decimal(0)) for m in self.models}}
            for key in keys
        ]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (money as strings)."""
        return {
            "by": self.by,
            "models": list(self.models),
            "totals": {m: {k: str(v) for k, v in t.items()} for m, t in self.totals.items()},
            "won_deals": self.won_deals,
            "revenue": str(self.revenue),
            "unattributed": str(self.unattributed),
            "touchpoints": self.touchpoints,
            "attributed": str(self.attributed),
            "minor_unit": str(self.minor_unit),
            "unattributed_touches": self.unattributed_touches,
            "markov_split": self.markov_split,
            "removal_effects": dict(self.removal_effects),
            "non_converting_paths": self.non_converting_paths,
            "no_deal_paths": self.no_deal_paths,
            "level": self.level,
            "currency": self.currency,
            "notes": list(self.notes),
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.rows()]

    def summary(self) -> Summary:
        """Won deals, revenue and how much had touches, then each key's credit per
        model (money in whole minor units)."""
        return attribution_summary(self)


def _weights(
    model: str, journey: Journey, half_life: float, effect: Mapping[str, float], split: str
) -> list[int] | list[float]:
    """Each touch's weight in its deal's credit under ``model``: integers in the exact
    ratios of the rule-based models, floats for time decay and Markov."""
    touches = journey.touches
    n = len(touches)
    if model == "first_touch":
        return [1] + [0] * (n - 1)
    if model == "last_touch":
        return [0] * (n - 1) + [1]
    if model == "linear":
        return [1] * n
    if model == "position_based":  # 40/20/40, in units of a fifth of the middle touches' 20%
        if n <= 2:
            return [1] * n
        return [2 * (n - 2)] + [1] * (n - 2) + [2 * (n - 2)]
    if model == "w_shaped":
        return _w_shaped(journey)
    if model == "time_decay":
        # Ages from the newest touch: the same ratios as ages from the close, and the
        # newest weight is 1, so a short half-life cannot underflow every weight to 0.
        newest = touches[-1][0]
        return [0.5 ** ((newest - t) / half_life) for t, _ in touches]
    if split == "touch":
        return [effect.get(key, 0.0) for _, key in touches]
    counts: dict[str, int] = {}
    for _, key in touches:
        counts[key] = counts.get(key, 0) + 1
    return [effect.get(key, 0.0) / counts[key] for _, key in touches]


def _w_shaped(journey: Journey) -> list[int]:
    """30% first touch, 30% lead creation, 30% opportunity creation, 10% the rest, in
    units of the rest's 10% shared by its touches (one milestone touch may hold several
    roles; with no rest the 90% is the whole)."""
    touches, deal = journey.touches, journey.deal
    n = len(touches)
    created = 0
    lead_created, opened = deal[LEAD_CREATED], deal[OPENED]
    if lead_created is not None:
        created = max((i for i, (t, _) in enumerate(touches) if t <= lead_created), default=0)
    opportunity = max((i for i, (t, _) in enumerate(touches) if t <= opened), default=0)
    roles = (0, created, opportunity)
    rest = n - len(set(roles))
    weights = [0 if i in roles else 1 for i in range(n)]
    for role in roles:
        weights[role] += 3 * max(rest, 1)
    return weights


def _models(models: Any) -> tuple[str, ...]:
    if isinstance(models, str):
        models = (models,)
    if isinstance(models, bytes | Mapping) or not isinstance(models, Iterable):
        raise InvalidInputError(
            f"expected model names, got {type(models).__name__}; allowed: {', '.join(MODELS)}",
            path="models",
        )
    chosen = tuple(models)
    if not chosen:
        raise InvalidInputError(f"expected at least one of {', '.join(MODELS)}", path="models")
    for index, model in enumerate(chosen):
        if not isinstance(model, str) or model not in MODELS:
            raise InvalidInputError(
                f"unknown model {model!r}; allowed: {', '.join(MODELS)}", path=f"models[{index}]"
            )
    return tuple(dict.fromkeys(chosen))


def _days(value: Any, path: str, *, optional: bool = False) -> float | None:
    if value is None and optional:
        return None
    number = None if isinstance(value, str) else as_number(value)
    if number is None or not 0 < number < math.inf:
        allowed = "a finite number of days > 0" + (" or None" if optional else "")
        raise InvalidInputError(f"expected {allowed}, got {value!r}", path=path)
    return number


def _choice(value: Any, allowed: Sequence[str], path: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidInputError(
            f"unknown {path} {value!r}; allowed: {', '.join(allowed)}", path=path
        )
    return value


def _minor_unit(value: Any) -> Decimal:
    unit = decimal_of(value, "minor_unit", "minor unit")
    if unit <= 0:
        raise InvalidInputError(
            f"expected a minor unit > 0 (e.g. 0.01 for cents), got {value!r}", path="minor_unit"
        )
    return unit


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) else 0


class _Journeys:
    """What attribution needs from the journeys: the won ones, the Markov model's
    transition counts (counted as journeys are found, not kept as paths: a list per
    journey would be one more object for the garbage collector to scan), how many
    non-converting journeys it counted, and how many touches belong to no deal."""

    def __init__(self) -> None:
        self.won: list[Journey] = []
        self.transitions: Transitions = {START: {}}
        self.non_converting = 0
        self.stray_touches = 0
        self.no_deal_paths = 0


class _Collector:
    """Assigns touches to deals lead by lead and gathers what attribution needs."""

    def __init__(self, window: float, quiet: float | None, reference: float, markov: bool):
        self.window, self.quiet, self.reference, self.markov = window, quiet, reference, markov
        self.out = _Journeys()

    def lead(self, flat: FlatTouches, deals: Sequence[Any]) -> None:
        out = self.out
        if (
            not self.markov
            and deals
            and deals[0][OUTCOME] != "won"
            and (len(deals) == 1 or all(d[OUTCOME] != "won" for d in deals))
        ):
            # Only the Markov model learns from deals that were not won: the rest only
            # count the touches that belong to no deal.
            out.stray_touches += touches_after_deals(flat, deals)
            return
        touches = sorted_touches(flat)
        if len(deals) == 1:
            whole = whole_journey(touches, deals[0], self.window)
            if whole is not None:
                self.journey(whole)
                return
        found, tail, tail_after = assign(touches, deals, self.window)
        for journey in found:
            self.journey(journey)
        if tail:
            out.stray_touches += len(tail)
            # A tail after a won deal is a customer's, not a prospect's journey: left out.
            if self.markov and self.quiet is not None and tail_after in (None, "lost"):
                last = tail[-1][0]
                if last <= self.reference - self.quiet:
                    first = bisect_left(tail, last - self.window, key=itemgetter(0))
                    count_touches(out.transitions, islice(tail, first, None), False)
                    out.non_converting += 1
                    out.no_deal_paths += 1

    def journey(self, journey: Journey) -> None:
        won = journey.deal[OUTCOME] == "won"
        if won:
            self.out.won.append(journey)
        if self.markov:
            count_touches(self.out.transitions, journey.touches, won)
            if not won:
                self.out.non_converting += 1


def _collect(
    touches: Mapping[str, FlatTouches],
    deals: DealsByLead,
    window: float,
    quiet: float | None,
    reference: float,
    markov: bool,
) -> _Journeys:
    """Assign touches to deals, lead by lead, and gather the journeys."""
    # Lead by lead without building a pair per lead: with a large heap, every object
    # that is allocated costs the garbage collector.
    collector = _Collector(window, quiet, reference, markov)
    for lead, flat in touches.items():
        collector.lead(flat, deals.of(lead))
    for lead in deals.first:
        if lead not in touches:
            collector.lead([], deals.of(lead))
    return collector.out


def _credit_units(
    journeys: _Journeys,
    chosen: Sequence[str],
    places: int,
    half_life: float,
    effect: Mapping[str, float],
    split: str,
) -> dict[str, defaultdict[str, int]]:
    """Per model and key, credit in units of ``10**-places``: each deal's value split
    over its touches exactly (or, for the global Markov split, the whole value by the
    removal effects)."""
    units: dict[str, defaultdict[str, int]] = {model: defaultdict(int) for model in chosen}
    per_deal = [m for m in chosen if not (m == "markov" and split == "global")]
    total = 0
    for journey in journeys.won:
        if not journey.touches:
            continue
        whole = int(journey.deal[AMOUNT].scaleb(places))
        total += whole
        for model in per_deal:
            weights = _weights(model, journey, half_life, effect, split)
            totals = units[model]
            for (_, key), share in zip(journey.touches, split_units(whole, weights), strict=True):
                totals[key] += share
    if len(per_deal) < len(chosen):
        keys = sorted(effect)
        if keys:
            shares = split_units(total, [effect[k] for k in keys])
            units["markov"] = defaultdict(int, zip(keys, shares, strict=True))
    return units


def _round(
    units: Mapping[str, Mapping[str, int]], target: int, unit: Decimal
) -> dict[str, dict[str, Decimal]]:
    """Each model's credit in whole minor units, adding up exactly to ``target`` units."""
    out = {}
    for model, by_key in units.items():
        keys = sorted(by_key)
        weights = [by_key[k] for k in keys]
        if not keys or not sum(weights):
            out[model] = {k: Decimal(0) * unit for k in keys}
            continue
        parts = split_units(target, weights)
        out[model] = {k: part * unit for k, part in zip(keys, parts, strict=True)}
    return out


def markov_transitions(
    touches: TableLike,
    deals: TableLike,
    *,
    by: str,
    lookback_days: float | None,
    non_converting_after_days: float | None,
    as_of: datetime | None,
    options: ReadOptions,
    plain: bool = True,
) -> Transitions:
    """The transition counts of the journeys the ``markov`` model of :func:`attribute`
    learns from, assigned by the same rules. Quiet journeys need an explicit ``as_of``:
    a partition's own latest time is not the whole data's."""
    by = _choice(by, DIMENSIONS, "by")
    lookback = _days(lookback_days, "lookback_days", optional=True)
    quiet = _days(non_converting_after_days, "non_converting_after_days", optional=True)
    if quiet is not None and as_of is None:
        raise InvalidInputError(
            "expected as_of (the same for every partition) when non_converting_after_days "
            "is set, or non_converting_after_days=None",
            path="as_of",
        )
    reference = -math.inf if as_of is None else require_aware(as_of, "as_of").timestamp()
    read = read_touch_and_deal_tables(touches, deals, options, plain=plain)
    by_lead, _, _ = read_touches(read.touches, by)
    try:
        deals_by_lead, _ = read_deals(read.deals, [] if options.skip_invalid else None)
    except InvalidInputError as exc:
        raise relocated(exc, read.deal_index) from None
    window = math.inf if lookback is None else lookback * _DAY
    quiet_seconds = None if quiet is None else quiet * _DAY
    return _collect(by_lead, deals_by_lead, window, quiet_seconds, reference, True).transitions


def _read(
    read: TablesRead,
    by: str,
    level: str,
    contacts: TableLike | None,
    contact_roles: TableLike | None,
    accounts: TableLike | None,
    options: ReadOptions,
    progress: Progress | str | None,
    skipped: list[int] | None = None,
) -> ByRole:
    """Touches and deals by the key they are assigned under: their lead's; by account,
    their account's; with contact roles, their deal's (see ``_by_role``). Given
    ``skipped`` (``skip_invalid``), deals the checks refuse are left out and listed."""
    touch_rows: Iterable[Any] = read.touches
    deal_rows: Iterable[Any] = read.deals
    if _choice(level, LEVELS, "level") == "account":
        if contacts is None:
            raise InvalidInputError(
                "expected contacts (the leads table) to match to accounts", path="contacts"
            )
        if contact_roles is not None:
            tracked_rows = tracked(touch_rows, progress, "touches")
            return by_role(
                tracked_rows, deal_rows, contacts, contact_roles, options, by, accounts, skipped
            )
        touch_rows, deal_rows = by_account(
            touch_rows, deal_rows, contacts, options.columns, accounts
        )
    else:
        for name, given in (("contact_roles", contact_roles), ("accounts", accounts)):
            if given is not None:
                raise InvalidInputError(
                    f"{name} credit the contacts of an account: give level='account'",
                    path=name,
                )
    by_lead, count, latest_touch = read_touches(tracked(touch_rows, progress, "touches"), by)
    try:
        deals_by_lead, latest_deal = read_deals(deal_rows, skipped)
    except InvalidInputError as exc:
        raise relocated(exc, read.deal_index) from None
    return ByRole(by_lead, count, latest_touch, deals_by_lead, latest_deal, 0)


# long: checks each argument and reads the tables with the reading options, then one
# call per step
def attribute(
    touches: TableLike,
    deals: TableLike,
    *,
    models: Sequence[str] = MODELS,
    by: str = "channel",
    lookback_days: float | None = 90,
    half_life_days: float = 7,
    minor_unit: Decimal | int | float | str = "0.01",
    markov_split: str = "journey",
    non_converting_after_days: float | None = 90,
    as_of: datetime | None = None,
    columns: Columns | None = None,
    progress: Progress | str | None = None,
    level: str = "lead",
    contacts: TableLike | None = None,
    contact_roles: TableLike | None = None,
    accounts: TableLike | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
) -> AttributionReport:
    """Attribute won-deal value over the touchpoints that led to each deal.

    Touches have ``lead_id``, ``at`` (timezone-aware) and ``channel`` (and optionally
    ``campaign``, ``kol``); deals have ``lead_id``, ``amount``, ``outcome``
    (won/lost/open), ``created_at`` (when the opportunity was created), ``closed_at``
    when closed, and optionally ``lead_created_at``. A touch belongs to the first deal of
    its lead that closes at or after it (an open deal is still to close); a deal's
    journey is its touches in the ``lookback_days`` before it closed (before its last
    touch, for an open deal). Touches after a lead's last deal closed belong to no deal.
    Models: first and last touch, linear, time decay (half-life ``half_life_days``),
    position-based 40/20/40, W-shaped 30/30/30/10, and Markov removal effect (won
    journeys convert; lost and open ones, and by ``non_converting_after_days`` the quiet
    journeys of leads with no deal, do not; ``markov_split`` journey, touch or global).
    Credits are whole ``minor_unit`` and add up exactly to the attributed revenue
    rounded to it. See ``docs/attribution.md``.

    Each table may also be a pandas DataFrame; ``columns`` maps field names to its
    headers (``{"amount": "Amount (EUR)"}``). ``progress`` is told how many touches were
    read (see :mod:`b2bfunnel.progress`). Tables as a CRM exports them are read with the
    reading options (``decimal``, ``date_format``, ``timezone``, ``values``,
    ``skip_invalid``): text dates, amounts such as ``EUR 12.500,00`` and outcome labels
    such as ``Closed Won``. Amounts (the deals', and a touch's ``value`` or ``cost``) in
    more than one currency are refused unless ``currency`` (the base) and ``rates``
    (base per one unit of each other code) convert them; the report's ``currency``
    says which they are in.

    ``level="account"`` credits by account: ``contacts`` (the leads table) are matched
    to accounts as :func:`match_accounts` does (against ``accounts``, the accounts
    table, when given: then a deal's ``account_id`` is that table's id), and a deal
    (keyed by its ``account_id``, else its contact's account) is credited with the touches of every
    contact of its account, the rules above applied per account (see
    ``docs/accounts.md``). With ``contact_roles``, an opportunity contact-role table
    (``deal_id``, ``lead_id`` and ``role``, or Salesforce's ``Opportunity ID``,
    ``Contact ID``, ``Role``), a deal (by its ``deal_id``) is credited only with the
    touches of the contacts with a role on it; a deal without roles, with every
    contact's of its account.

    >>> from datetime import datetime, timezone
    >>> t = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
    >>> touches = [{"lead_id": "L1", "at": t(1), "channel": "kol_webinar"},
    ...            {"lead_id": "L1", "at": t(5), "channel": "email"},
    ...            {"lead_id": "L1", "at": t(9), "channel": "paid_search"}]
    >>> deals = [{"lead_id": "L1", "amount": "1000.00", "outcome": "won",
    ...           "created_at": t(6), "closed_at": t(20)}]
    >>> r = attribute(touches, deals, models=["linear", "position_based"])
    >>> r.totals["linear"]
    {'email': Decimal('333.33'), 'kol_webinar': Decimal('333.34'), 'paid_search': Decimal('333.33')}
    >>> r.totals["position_based"]["email"]
    Decimal('200.00')
    """
    chosen = _models(models)
    by = _choice(by, DIMENSIONS, "by")
    split = _choice(markov_split, MARKOV_SPLITS, "markov_split")
    lookback = _days(lookback_days, "lookback_days", optional=True)
    half_life = _DAY * (_days(half_life_days, "half_life_days") or 0)
    quiet = _days(non_converting_after_days, "non_converting_after_days", optional=True)
    unit = _minor_unit(minor_unit)
    reference = None if as_of is None else require_aware(as_of, "as_of").timestamp()
    options = read_options(columns=columns, decimal=decimal, date_format=date_format,
                           timezone=timezone, values=values, skip_invalid=skip_invalid,
                           currency=currency, rates=rates)  # fmt: skip
    given = (decimal, date_format, timezone, values, currency, rates)
    read = read_touch_and_deal_tables(
        touches, deals, options, plain=all(o is None for o in given) and not skip_invalid
    )
    skipped: list[int] | None = [] if skip_invalid else None
    tables = _read(read, by, level, contacts, contact_roles, accounts, options, progress, skipped)
    by_lead, count, latest_touch, deals_by_lead, latest_deal, customer_touches = tables
    window = math.inf if lookback is None else lookback * _DAY
    markov = "markov" in chosen
    journeys = _collect(
        by_lead,
        deals_by_lead,
        window,
        None if quiet is None else quiet * _DAY,
        max(latest_touch, latest_deal) if reference is None else reference,
        markov,
    )
    effect = removal_effects(journeys.transitions) if markov else {}
    with localcontext(EXACT):
        revenue = sum((j.deal[AMOUNT] for j in journeys.won), Decimal(0))
        credited = [j.deal[AMOUNT] for j in journeys.won if j.touches]
        unattributed = revenue - sum(credited, Decimal(0))
        # Half to even, in exact fractions: a quotient by a unit such as 0.03 need not end.
        target = round(Fraction(revenue - unattributed) / Fraction(unit))
        attributed = target * unit
        places = max([0, _decimals(unit)] + [_decimals(a) for a in credited])
        units = _credit_units(journeys, chosen, places, half_life, effect, split)
        totals = _round(units, target, unit)
    return AttributionReport(
        by,
        chosen,
        totals,
        len(journeys.won),
        revenue,
        unattributed,
        count,
        attributed,
        unit,
        journeys.stray_touches + customer_touches,
        split,
        effect,
        journeys.non_converting,
        journeys.no_deal_paths,
        level,
        read.currency,
        (*read.notes, *_skipped_note(skipped)),
    )


def _skipped_note(skipped: Sequence[int] | None) -> tuple[str, ...]:
    """The note on deals the checks refused and ``skip_invalid`` left out, if any."""
    if not skipped:
        return ()
    noun = "deal" if len(skipped) == 1 else "deals"
    return (f"skipped {len(skipped)} bad {noun} (skip_invalid=True)",)
