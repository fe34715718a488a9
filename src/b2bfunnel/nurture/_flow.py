"""A nurture flow: its definition, construction from configuration, and diagrams.

The engine that runs it lives in ``_engine``; the state it keeps in ``_state``."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from .._config import Reader, join, load_toml, read_all
from ..errors import InvalidInputError
from ..events import Event
from ..tables._values import require_items
from ._default import DEFAULT_FLOW
from ._definition import MaxSends, SendWindow, Split, Status, TransitionSpec
from ._engine import Engine, PressureInput
from ._export import to_dot, to_mermaid
from ._guards import ScoreInput
from ._pressure import send_times
from ._reading import read_definition
from ._splits import assign
from ._state import Action, NurtureState


def read_flow(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[nurture]`` table into :class:`NurtureFlow` fields (with ``source``)."""
    if isinstance(data, Mapping) and "statuses" not in data:
        data = {**DEFAULT_FLOW, **data}
    fields = read_definition(data, path, reader)
    if fields is None:
        return None
    return {**fields, "source": copy.deepcopy(dict(data))}


def read_funnel_flow(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a funnel's ``[nurture]`` table: the default flow, its ``flows`` (the named
    flows, read by :func:`read_named_flows`) left out."""
    if isinstance(data, Mapping) and "flows" in data:
        data = {key: value for key, value in data.items() if key != "flows"}
    return read_flow(data, path, reader)


def read_named_flows(data: Any, path: str, reader: Reader) -> dict[str, NurtureFlow]:
    """``[nurture.flows.NAME]`` tables: one flow each, named ``NAME`` (a ``name`` key, if
    given, must agree); ``default`` is the name of the ``[nurture]`` flow itself."""
    if not isinstance(data, Mapping):
        reader.error(path, "expected a table of flows ([nurture.flows.NAME])")
        return {}
    flows = {}
    for name, body in data.items():
        at = join(path, str(name))
        if not isinstance(name, str) or not name.strip() or name == "default":
            reader.error(at, "a named flow needs a name other than default (the [nurture] flow)")
            continue
        if isinstance(body, Mapping) and body.get("name", name) != name:
            reader.error(join(at, "name"), f"this flow is named {name!r} by its table")
            continue
        fields = read_flow(
            {**body, "name": name} if isinstance(body, Mapping) else body, at, reader
        )
        if fields is not None:
            flows[name] = NurtureFlow(**fields)
    return flows


def _events(events: Iterable[Event]) -> list[Event]:
    return require_items(events, Event, "events", "events", "an Event")


@attrs.frozen
class NurtureFlow:
    """A nurture flow: statuses, sequences and transitions, driven by events and time.

    Build it with :meth:`default`, :meth:`from_dict` or :meth:`from_toml`. It is pure:
    :meth:`handle` and :meth:`advance` return the new state and the actions due; they
    never perform I/O and never read the clock.
    """

    version: int
    initial: str
    statuses: tuple[Status, ...]
    transitions: tuple[TransitionSpec, ...]
    templates: tuple[str, ...] = ()
    reenroll: bool = False
    late_policy: str = "send"
    max_lateness_days: float = 3.0
    auto_reply_property: str = "auto_reply"
    hot_threshold: float = 100.0
    history_limit: int = 20
    migration: str = "continue"
    send_window: SendWindow | None = None
    goals: tuple[Mapping[str, str], ...] = attrs.field(default=(), eq=False, repr=False)
    source: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False, hash=False)
    suppress_on: tuple[str, ...] = ("unsubscribe", "hard_bounce")
    name: str = "default"
    splits: tuple[Split, ...] = ()
    max_sends: MaxSends | None = None
    min_gap_hours: float | None = None
    priority: int = 0
    _engine: Engine = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_engine", Engine(self))

    # --- construction -------------------------------------------------------------

    @classmethod
    def default(cls) -> NurtureFlow:
        """The flow DOMAIN.md describes (see ``docs/nurture.md`` for its diagram)."""
        return cls.from_dict(DEFAULT_FLOW)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "nurture") -> NurtureFlow:
        """Build a flow from ``[nurture]`` data; every problem is reported at once. A key
        left out takes its default; without ``statuses``, the default flow is adjusted."""
        return cls(**read_all(read_flow, data, path, "nurture flow"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> NurtureFlow:
        """Build a flow from the ``[nurture]`` section of a TOML file."""
        if not isinstance(path, str | os.PathLike):
            raise InvalidInputError(f"expected a file path, got {path!r}", path="path")
        return cls.from_dict(load_toml(path).get("nurture", {}))

    def to_dict(self) -> dict[str, Any]:
        """The flow as ``[nurture]`` data: ``from_dict(f.to_dict()) == f``. A deep copy:
        changing it changes neither this flow nor the defaults."""
        return copy.deepcopy(dict(self.source))

    # --- the engine (see ``_engine``) -------------------------------------------

    def enroll(
        self,
        lead_id: str,
        *,
        at: datetime,
        previous: NurtureState | None = None,
        timezone: str | None = None,
    ) -> NurtureState:
        """Start a lead in the flow's initial status. ``timezone`` (an IANA name; UTC if
        None) schedules the lead's days. Re-enrolment (``previous`` given) needs
        ``reenroll = true`` and a previous state that has ended; it keeps the previous
        state's suppression (a fresh enrolment without it cannot know of one)."""
        return self._engine.enroll(lead_id, at=at, previous=previous, timezone=timezone)

    def handle(
        self,
        state: NurtureState,
        event: Event,
        *,
        score: ScoreInput = None,
        pressure: PressureInput = None,
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Apply one event: first whatever fell due before it, then its transition (the
        first matching one: suppression first, then in the order defined), then what
        became due at once.

        An event older than what the state has processed is applied as of the processed
        time (its actions are due then, never earlier). ``score`` (a ``Score``, a number
        or None) feeds the score guards. A suppression event (``suppress_on``) marks the
        lead suppressed for good, whatever its status. An automatic reply (property
        ``auto_reply_property`` read as a boolean) is not a reply: it is ignored.
        ``pressure`` (a :class:`Pressure` or the lead's send times across all flows)
        postpones a send that would break ``max_sends`` or ``min_gap_hours``: it is
        kept in the state and goes out when allowed, with the key of its due instant.
        """
        return self._engine.handle(state, event, score=score, pressure=pressure)

    def advance(
        self, state: NurtureState, *, as_of: datetime, pressure: PressureInput = None
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Everything that came due up to ``as_of``, in time order, chains included.
        Calling it again with the same ``as_of`` yields no action. A suppressed lead
        gets no send action, whatever its status. ``pressure`` as for :meth:`handle`."""
        return self._engine.advance(state, as_of=as_of, pressure=pressure)

    def replay(
        self,
        lead_id: str,
        *,
        enrolled_at: datetime,
        events: Iterable[Event],
        as_of: datetime | None = None,
        score_of: Callable[[Event], ScoreInput] | None = None,
        timezone: str | None = None,
        pressure: PressureInput = None,
    ) -> tuple[NurtureState, tuple[Action, ...]]:
        """Rebuild a state from the enrolment time and the lead's events (sorted by time):
        the same state and actions as handling them one by one (each given ``pressure``
        and the sends made before it)."""
        if score_of is not None and not callable(score_of):
            raise InvalidInputError(f"expected a function, got {score_of!r}", path="score_of")
        listed = _events(events)
        sends = send_times(pressure)
        if sends is None and self._engine.limited:
            sends = []  # the replay's own sends limit its later ones
        state = self.enroll(lead_id, at=enrolled_at, timezone=timezone)
        actions: list[Action] = []
        for event in sorted(listed, key=lambda e: (e.ts, e.name)):
            score = score_of(event) if score_of else None
            state, done = self.handle(state, event, score=score, pressure=sends)
            actions.extend(done)
            if sends is not None:
                sends.extend(a.at for a in done if a.kind.startswith("send"))
        if as_of is not None:
            state, done = self.advance(state, as_of=as_of, pressure=sends)
            actions.extend(done)
        return state, tuple(actions)

    # --- experiments -------------------------------------------------------------

    def arm(self, lead_id: str, split: str) -> str:
        """The arm of ``split`` that ``lead_id`` gets under the current weights (a state's
        stored arm wins over it; see ``NurtureState.arms``). Pure: the same flow name,
        split and lead id give the same arm in every process."""
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(
                f"expected a non-empty lead id, got {lead_id!r}", path="lead_id"
            )
        for candidate in self.splits:
            if candidate.name == split:
                return assign(self.name, candidate, lead_id).name
        known = ", ".join(s.name for s in self.splits) or "none"
        raise InvalidInputError(f"unknown split {split!r}; this flow has: {known}", path="split")

    # --- diagrams -----------------------------------------------------------------

    def to_mermaid(self) -> str:
        """The flow as a Mermaid ``stateDiagram-v2``."""
        return to_mermaid(
            self.initial, self.statuses, self.transitions, self.suppress_on, self.splits
        )

    def to_dot(self) -> str:
        """The flow as a Graphviz DOT digraph."""
        return to_dot(self.initial, self.statuses, self.transitions, self.suppress_on, self.splits)
