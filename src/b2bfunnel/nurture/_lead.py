"""One lead in all its flows: advancing them together under one contact limit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import MAXYEAR, UTC, datetime

from ..errors import InvalidInputError
from ._engine import PressureInput
from ._flow import NurtureFlow
from ._pressure import Pressure
from ._schedule import utc
from ._state import Action, NurtureState

_NEVER = datetime(MAXYEAR, 12, 31, tzinfo=UTC)


def advance_lead(
    flows_and_states: Iterable[tuple[NurtureFlow, NurtureState]],
    pressure: PressureInput,
    *,
    as_of: datetime,
) -> tuple[tuple[NurtureState, ...], tuple[Action, ...], Pressure]:
    """Advance one lead in every flow it is in, up to ``as_of``, under one contact
    pressure: flows go by ``priority`` (lower first), then by their earliest due time,
    so the sends due at once that the limit lets out are the most urgent flow's. Returns
    the new states (in the order given), the actions, and the pressure with the sends
    recorded.
    """
    as_of = utc(as_of, "as_of")
    pairs = _pairs(flows_and_states)
    current = pressure if isinstance(pressure, Pressure) else Pressure.of(pressure or ())
    order = sorted(
        range(len(pairs)),
        key=lambda i: (pairs[i][0].priority, pairs[i][1].next_due_at or _NEVER, i),
    )
    states = [state for _, state in pairs]
    actions: list[Action] = []
    for index in order:
        flow, state = pairs[index]
        states[index], done = flow.advance(state, as_of=as_of, pressure=current)
        current = current.record(done)
        actions.extend(done)
    return tuple(states), tuple(actions), current


def _pairs(
    items: Iterable[tuple[NurtureFlow, NurtureState]],
) -> list[tuple[NurtureFlow, NurtureState]]:
    """The (flow, state) pairs, all of one lead, each flow once."""
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidInputError(
            f"expected (flow, state) pairs, got {type(items).__name__}", path="flows_and_states"
        )
    pairs = list(items)
    names: set[str] = set()
    for index, pair in enumerate(pairs):
        where = f"flows_and_states[{index}]"
        if not (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], NurtureFlow)
            and isinstance(pair[1], NurtureState)
        ):
            raise InvalidInputError("expected a (NurtureFlow, NurtureState) pair", path=where)
        if pair[1].lead_id != pairs[0][1].lead_id:
            raise InvalidInputError(
                f"states of two leads ({pairs[0][1].lead_id!r}, {pair[1].lead_id!r}); "
                "advance_lead takes one lead",
                path=where,
            )
        if pair[0].name in names:
            raise InvalidInputError(f"the flow {pair[0].name!r} is given twice", path=where)
        names.add(pair[0].name)
    return pairs
