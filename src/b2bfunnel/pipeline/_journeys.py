"""Journeys: reading touches and deals, and giving each touch to the deal it led to.

The rule: a touch belongs to the first deal of its lead that closes at or after it (an
open deal closes after every touch). So a lead's deals split its touches into runs:
the touches up to the first close go to the first deal, the next run to the next deal,
and touches after the last deal closed belong to no deal (the lead's tail).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from .._money import money
from .._time import require_aware
from ..errors import InvalidInputError

DIMENSIONS = ("channel", "campaign", "kol")
NONE = "(none)"
OUTCOMES = ("won", "lost", "open")
_UNCHECKED = object()  # no tzinfo is this, so the first datetime is always checked

# A touch: (POSIX time, value of the dimension credited, index in the input).
Touch = tuple[float, str, int]


class Deal(NamedTuple):
    """A checked deal, times in POSIX seconds (``closed`` is None while open)."""

    position: int
    amount: Decimal
    outcome: str
    opened: float
    closed: float | None
    lead_created: float | None


class Journey(NamedTuple):
    """A deal and its touches within the lookback, counted back from ``end`` (its close,
    or for an open deal its last touch)."""

    deal: Deal
    touches: list[Touch]
    end: float


class LeadJourneys(NamedTuple):
    """A lead's journeys in the order their deals close, the touches after its last deal
    closed (all of them when it has no deal), and the outcome of that last deal."""

    journeys: list[Journey]
    tail: list[Touch]
    tail_after: str | None


def read_touches(touches: Iterable[Any], by: str) -> tuple[dict[str, list[Touch]], int, float]:
    """Touches per lead sorted by time, how many there were, and the latest time."""
    if isinstance(touches, str | bytes | Mapping) or not isinstance(touches, Iterable):
        raise InvalidInputError(
            f"expected touch records, got {type(touches).__name__}", path="touches"
        )
    by_lead: dict[str, list[Touch]] = {}
    count = 0
    latest = -math.inf
    checked_zone: Any = _UNCHECKED
    for index, touch in enumerate(touches):
        # Paths are only built on the error paths: this loop runs once per touchpoint.
        if type(touch) is not dict and not isinstance(touch, Mapping):
            raise InvalidInputError(
                f"expected a mapping, got {type(touch).__name__}", path=f"touches[{index}]"
            )
        lead = touch.get("lead_id")
        if type(lead) is not str or not lead:
            raise InvalidInputError(
                f"expected a lead id, got {lead!r}", path=f"touches[{index}].lead_id"
            )
        at: Any = touch.get("at")
        if type(at) is not datetime or at.tzinfo is not checked_zone:
            # Touches nearly always share one tzinfo: check awareness once per zone.
            require_aware(at, f"touches[{index}].at")
            checked_zone = at.tzinfo
        channel = touch.get("channel")
        if type(channel) is not str or not channel:
            raise InvalidInputError(
                f"expected a channel name, got {channel!r}", path=f"touches[{index}].channel"
            )
        key = channel if by == "channel" else touch.get(by) or NONE
        if type(key) is not str:
            raise InvalidInputError(f"expected text, got {key!r}", path=f"touches[{index}].{by}")
        ts = at.timestamp()
        if ts > latest:
            latest = ts
        journey = by_lead.get(lead)
        if journey is None:
            by_lead[lead] = [(ts, key, index)]
        else:
            journey.append((ts, key, index))
        count += 1
    for journey in by_lead.values():
        journey.sort()
    return by_lead, count, latest


def _time(value: Any, path: str) -> float:
    return require_aware(value, path).timestamp()


def read_deals(deals: Iterable[Any]) -> tuple[dict[str, list[Deal]], float]:
    """Checked deals per lead, and the latest time any of them mentions."""
    if isinstance(deals, str | bytes | Mapping) or not isinstance(deals, Iterable):
        raise InvalidInputError(f"expected deal records, got {type(deals).__name__}", path="deals")
    by_lead: dict[str, list[Deal]] = {}
    latest = -math.inf
    for index, deal in enumerate(deals):
        path = f"deals[{index}]"
        if not isinstance(deal, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(deal).__name__}", path=path)
        lead = deal.get("lead_id")
        if not isinstance(lead, str) or not lead:
            raise InvalidInputError(f"expected a lead id, got {lead!r}", path=f"{path}.lead_id")
        amount = money(deal.get("amount"), f"{path}.amount")
        outcome = deal.get("outcome")
        if outcome not in OUTCOMES:
            raise InvalidInputError(
                f"unknown outcome {outcome!r}; allowed: won, lost, open", path=f"{path}.outcome"
            )
        opened = _time(deal.get("created_at"), f"{path}.created_at")
        lead_created = deal.get("lead_created_at")
        created_ts = (
            None if lead_created is None else _time(lead_created, f"{path}.lead_created_at")
        )
        closed = None
        if outcome == "open":
            if deal.get("closed_at") is not None:
                raise InvalidInputError("an open deal has no closed_at", path=f"{path}.closed_at")
        else:
            closed = _time(deal.get("closed_at"), f"{path}.closed_at")
            if closed < opened:
                raise InvalidInputError("closed_at is before created_at", path=f"{path}.closed_at")
        latest = max(latest, opened if closed is None else closed)
        record = Deal(index, amount, outcome, opened, closed, created_ts)
        by_lead.setdefault(lead, []).append(record)
    return by_lead, latest


def _closing_order(deal: Deal) -> tuple[float, float, Decimal, str, float]:
    # Deals that tie on every field that matters are interchangeable, so this order (and
    # the result) does not depend on the order of the input.
    closes = math.inf if deal.closed is None else deal.closed
    created = -math.inf if deal.lead_created is None else deal.lead_created
    return (closes, deal.opened, deal.amount, deal.outcome, created)


def assign(touches: list[Touch], deals: list[Deal], window: float) -> LeadJourneys:
    """Give each of a lead's touches (sorted by time) to the first of its deals that
    closes at or after it; keep those within ``window`` seconds of the deal's end."""
    if not deals:
        return LeadJourneys([], touches, None)
    ordered = sorted(deals, key=_closing_order) if len(deals) > 1 else deals
    times = [t for t, _, _ in touches]
    journeys = []
    low = 0
    for deal in ordered:
        if deal.closed is None or not times or times[-1] <= deal.closed:
            high = len(times)
        else:
            high = bisect_right(times, deal.closed, low)
        if deal.closed is not None:
            end = deal.closed
        else:
            end = times[high - 1] if high > low else deal.opened
        first = bisect_left(times, end - window, low, high) if high > low else low
        journeys.append(Journey(deal, touches[first:high], end))
        low = high
    return LeadJourneys(journeys, touches[low:], ordered[-1].outcome)
