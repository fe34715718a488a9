"""Journeys: reading touches and deals, and giving each touch to the deal it led to.

The rule: a touch belongs to the first deal of its lead that closes at or after it (an
open deal closes after every touch). So a lead's deals split its touches into runs:
the touches up to the first close go to the first deal, the next run to the next deal,
and touches after the last deal closed belong to no deal (the lead's tail).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any, Final, NamedTuple, cast

from .._money import money
from .._time import require_aware
from ..errors import InvalidInputError
from ..tables._labels import outcome_of
from ..tables._values import is_blank

DIMENSIONS = ("channel", "campaign", "kol")
NONE = "(none)"
OUTCOMES = ("won", "lost", "open")
_UNCHECKED = object()  # no tzinfo is this, so the first datetime is always checked

# Builds a named tuple without the Python-level __new__ of NamedTuple: the hot loops
# build one per journey.
_new = tuple.__new__

# A touch: (POSIX time, value of the dimension credited). Touches equal in both are
# interchangeable, so their order among themselves changes no result.
Touch = tuple[float, str]

# A lead's touches as read, unsorted and flat: time, key, time, key... Two plain values
# per touch and no tuple: the garbage collector neither counts nor scans them while the
# whole input is read (the tuples are built, a lead at a time, by ``sorted_touches``).
FlatTouches = list[float | str]


# A checked deal, times in POSIX seconds (closed is None while open): (position in the
# input, amount, outcome, opened, closed, lead created). A plain tuple, not a named one:
# the garbage collector stops tracking a tuple of plain values, never a tuple subclass,
# and every deal of the input is held while touches are assigned.
Deal = tuple[int, Decimal, str, float, float | None, float | None]
AMOUNT: Final = 1
OUTCOME: Final = 2
OPENED: Final = 3
CLOSED: Final = 4
LEAD_CREATED: Final = 5


class Journey(NamedTuple):
    """A deal and its touches within the lookback, counted back from ``end`` (its close,
    or for an open deal its last touch)."""

    deal: Deal
    touches: list[Touch]
    end: float


# A lead's journeys in the order their deals close, the touches after its last deal
# closed (all of them when it has no deal), and the outcome of that last deal.
LeadJourneys = tuple[list[Journey], list[Touch], str | None]


def read_touches(touches: Iterable[Any], by: str) -> tuple[dict[str, FlatTouches], int, float]:
    """Touches per lead (flat, see ``sorted_touches``), how many there were, and the
    latest time."""
    if isinstance(touches, str | bytes | Mapping) or not isinstance(touches, Iterable):
        raise InvalidInputError(
            f"expected touch records, got {type(touches).__name__}", path="touches"
        )
    by_lead: defaultdict[str, FlatTouches] = defaultdict(list)
    index = -1
    latest = -math.inf
    checked_zone: Any = _UNCHECKED
    keyed = by != "channel"
    for index, touch in enumerate(touches):
        # Paths are only built on the error paths: this loop runs once per touchpoint.
        if type(touch) is not dict and not isinstance(touch, Mapping):
            raise InvalidInputError(
                f"expected a mapping, got {type(touch).__name__}", path=f"touches[{index}]"
            )
        try:  # subscripts are quicker than get(), and the fields are nearly always there
            lead, at, channel = touch["lead_id"], touch["at"], touch["channel"]
        except KeyError:
            lead, at, channel = touch.get("lead_id"), touch.get("at"), touch.get("channel")
        if type(lead) is not str or not lead:
            raise InvalidInputError(
                f"expected a lead id, got {lead!r}", path=f"touches[{index}].lead_id"
            )
        if type(at) is not datetime or at.tzinfo is not checked_zone:
            # Touches nearly always share one tzinfo: check awareness once per zone.
            require_aware(at, f"touches[{index}].at")
            checked_zone = at.tzinfo
        if type(channel) is not str or not channel:
            raise InvalidInputError(
                f"expected a channel name, got {channel!r}", path=f"touches[{index}].channel"
            )
        if keyed:
            channel = touch.get(by)
            if is_blank(channel):
                channel = NONE
            if type(channel) is not str:
                raise InvalidInputError(
                    f"expected text, got {channel!r}", path=f"touches[{index}].{by}"
                )
        moment = at.timestamp()
        if moment > latest:
            latest = moment
        flat = by_lead[lead]
        flat.append(moment)
        flat.append(channel)
    return by_lead, index + 1, latest


def sorted_touches(flat: FlatTouches) -> list[Touch]:
    """A lead's touches, read flat (time, key, time, key...), as pairs sorted by time."""
    pairs: Any = iter(flat)
    return sorted(zip(pairs, pairs, strict=True))


def _time(value: Any, path: str) -> float:
    return require_aware(value, path).timestamp()


def _checked_deal(deal: Any, index: int) -> tuple[str, Deal]:
    """A deal checked field by field; any problem raises, naming the field."""
    path = f"deals[{index}]"
    if not isinstance(deal, Mapping):
        raise InvalidInputError(f"expected a mapping, got {type(deal).__name__}", path=path)
    lead = deal.get("lead_id")
    if not isinstance(lead, str) or not lead:
        raise InvalidInputError(f"expected a lead id, got {lead!r}", path=f"{path}.lead_id")
    amount = money(deal.get("amount"), f"{path}.amount")
    outcome = outcome_of(deal.get("outcome"))
    if outcome not in OUTCOMES:
        raise InvalidInputError(
            f"unknown outcome {outcome!r}; allowed: won, lost, open", path=f"{path}.outcome"
        )
    opened = _time(deal.get("created_at"), f"{path}.created_at")
    # NaN and NaT from a DataFrame are blanks, not dates.
    lead_created = deal.get("lead_created_at")
    created_ts = None if is_blank(lead_created) else _time(lead_created, f"{path}.lead_created_at")
    closed = None
    # An open deal's close date is the expected one (CRMs fill it): not a close.
    if outcome != "open":
        closed = _time(deal.get("closed_at"), f"{path}.closed_at")
        if closed < opened:
            raise InvalidInputError("closed_at is before created_at", path=f"{path}.closed_at")
    return lead, (index, amount, outcome, opened, closed, created_ts)


class DealsByLead(NamedTuple):
    """Checked deals per lead: each lead's first deal and, for the few leads with
    several, all of them (a wrapping tuple per lead would be one more object per deal
    for the garbage collector to count)."""

    first: dict[str, Deal]
    several: dict[str, tuple[Deal, ...]]

    def of(self, lead: str) -> Sequence[Deal]:
        """The lead's deals (none when it has none)."""
        deal = self.first.get(lead)
        if deal is None:
            return ()
        return self.several.get(lead) or (deal,)


def read_deals(deals: Iterable[Any], skipped: list[int] | None = None) -> tuple[DealsByLead, float]:
    """Checked deals per lead, and the latest time any of them mentions. Given a
    ``skipped`` list (``skip_invalid``), a deal the checks refuse is left out and its
    index appended to it instead of raising."""
    if isinstance(deals, str | bytes | Mapping) or not isinstance(deals, Iterable):
        raise InvalidInputError(f"expected deal records, got {type(deals).__name__}", path="deals")
    # Tuples, not lists: a tuple of plain values drops out of the garbage collector's
    # scans, and a CRM export has one deal per lead or close to it.
    first: dict[str, Deal] = {}
    several: dict[str, tuple[Deal, ...]] = {}
    latest = -math.inf
    zone: Any = _UNCHECKED
    for index, deal in enumerate(deals):
        # This loop runs once per deal: a plain, valid deal takes the short way, anything
        # else the field-by-field check that names what is wrong.
        record: Deal | None = None
        if type(deal) is dict:
            lead, amount, outcome = deal.get("lead_id"), deal.get("amount"), deal.get("outcome")
            created, closed = deal.get("created_at"), deal.get("closed_at")
            if (
                type(lead) is str
                and lead
                and type(amount) is Decimal
                and amount.is_finite()
                and amount >= 0
                and type(created) is datetime
                and created.tzinfo is zone
                and deal.get("lead_created_at") is None
                and (
                    outcome == "open"
                    or (
                        (outcome == "won" or outcome == "lost")
                        and type(closed) is datetime
                        and closed.tzinfo is zone
                        and closed >= created
                    )
                )
            ):
                end = None if outcome == "open" else cast(datetime, closed).timestamp()
                record = (index, amount, outcome, created.timestamp(), end, None)
                owner = lead
        if record is None:
            try:
                owner, record = _checked_deal(deal, index)
            except InvalidInputError:
                if skipped is None:
                    raise
                skipped.append(index)
                continue
            zone = deal["created_at"].tzinfo  # known aware: later deals in it go the short way
        moment = record[OPENED] if record[CLOSED] is None else record[CLOSED]
        if moment > latest:
            latest = moment
        found = first.get(owner)
        if found is None:
            first[owner] = record
        else:
            several[owner] = (*several.get(owner, (found,)), record)
    return DealsByLead(first, several), latest


def _closing_order(deal: Deal) -> tuple[float, float, Decimal, str, float]:
    # Deals that tie on every field that matters are interchangeable, so this order (and
    # the result) does not depend on the order of the input.
    closed, created = deal[CLOSED], deal[LEAD_CREATED]
    closes = math.inf if closed is None else closed
    return (
        closes,
        deal[OPENED],
        deal[AMOUNT],
        deal[OUTCOME],
        -math.inf if created is None else created,
    )


def touches_after_deals(flat: FlatTouches, deals: Sequence[Deal]) -> int:
    """How many of a lead's touches (read flat, unsorted) come after its last deal
    closed: none while a deal is open."""
    if not flat:
        return 0
    if len(deals) == 1:  # most leads: no generator to build
        last = deals[0][CLOSED]
        if last is None:
            return 0
    elif any(deal[CLOSED] is None for deal in deals):
        return 0
    else:
        last = max(deal[CLOSED] for deal in deals if deal[CLOSED] is not None)
    times = cast("list[float]", flat[::2])
    if max(times) <= last:
        return 0
    return sum(1 for t in times if t > last)


def whole_journey(touches: list[Touch], deal: Deal, window: float) -> Journey | None:
    """The journey of a lead's only deal when every touch of the lead belongs to it and
    lies within the window (the common case, taken without building a list of times)."""
    closed = deal[CLOSED]
    if touches and (closed is None or touches[-1][0] <= closed):
        end = touches[-1][0] if closed is None else closed
        if touches[0][0] >= end - window:
            journey: Journey = _new(Journey, (deal, touches, end))
            return journey
    return None


def assign(touches: list[Touch], deals: Sequence[Deal], window: float) -> LeadJourneys:
    """Give each of a lead's touches (sorted by time) to the first of its deals that
    closes at or after it; keep those within ``window`` seconds of the deal's end."""
    if not deals:
        return [], touches, None
    ordered = sorted(deals, key=_closing_order) if len(deals) > 1 else deals
    times = [t for t, _ in touches]
    journeys = []
    low = 0
    for deal in ordered:
        closed = deal[CLOSED]
        if closed is None or not times or times[-1] <= closed:
            high = len(times)
        else:
            high = bisect_right(times, closed, low)
        if closed is None:
            closed = times[high - 1] if high > low else deal[OPENED]
        end = closed
        first = bisect_left(times, end - window, low, high) if high > low else low
        journeys.append(Journey(deal, touches[first:high], end))
        low = high
    return journeys, touches[low:], ordered[-1][OUTCOME]
