"""The incremental path: a small persistable state per lead, fed one event at a time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from .._time import from_ts, require_aware, ts_to_json
from ..errors import InvalidInputError
from ..events import Event
from ._batch import check_profile
from ._engine import Engine
from ._result import Accumulator, Score

STATE_VERSION = 1


@attrs.frozen
class ScoreState:
    """What the incremental path keeps per lead between calls: small and persistable.

    Build one with :meth:`ScoringModel.new_state`, feed it with
    :meth:`ScoringModel.ingest`, read it with :meth:`ScoringModel.score_state`. Times are
    kept as POSIX seconds; ``model`` fingerprints the scoring model the state belongs to.
    """

    lead_id: str
    model: str
    explicit: tuple[int, ...]
    rules: tuple[Accumulator, ...]
    last_ts: float | None = None
    hot_since_ts: float | None = None

    @property
    def last_activity(self) -> datetime | None:
        """Time of the latest event ingested."""
        return None if self.last_ts is None else from_ts(self.last_ts)

    @property
    def hot_since(self) -> datetime | None:
        """Time of the first ingested event at which the lead was hot."""
        return None if self.hot_since_ts is None else from_ts(self.hot_since_ts)

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON-ready data; :meth:`from_dict` restores an equal state."""
        return {
            "v": STATE_VERSION,
            "model": self.model,
            "lead_id": self.lead_id,
            "explicit": list(self.explicit),
            "last": None if self.last_ts is None else ts_to_json(self.last_ts),
            "hot_since": None if self.hot_since_ts is None else ts_to_json(self.hot_since_ts),
            "rules": [[_num_json(x) for x in acc] for acc in self.rules],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreState:
        """Restore a state saved with :meth:`to_dict`; refuses other versions."""
        path = "state"
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(data).__name__}", path=path)
        if data.get("v") != STATE_VERSION:
            raise InvalidInputError(
                f"unsupported score state version {data.get('v')!r}; this version reads "
                f"{STATE_VERSION}",
                path=f"{path}.v",
            )
        expected = {"v", "model", "lead_id", "explicit", "last", "hot_since", "rules"}
        if set(data) != expected:
            raise InvalidInputError(
                f"expected exactly the keys {sorted(expected)}, got {sorted(data)}", path=path
            )
        if not isinstance(data["lead_id"], str) or not data["lead_id"]:
            raise InvalidInputError("expected a non-empty string", path=f"{path}.lead_id")
        if not isinstance(data["model"], str):
            raise InvalidInputError("expected a model fingerprint string", path=f"{path}.model")
        explicit = data["explicit"]
        if not isinstance(explicit, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and i >= 0 for i in explicit
        ):
            raise InvalidInputError("expected a list of rule indices", path=f"{path}.explicit")
        for key in ("last", "hot_since"):
            if data[key] is not None and not _is_number(data[key]):
                raise InvalidInputError("expected POSIX seconds or null", path=f"{path}.{key}")
        rules = data["rules"]
        if not isinstance(rules, list):
            raise InvalidInputError("expected a list", path=f"{path}.rules")
        accs: list[Accumulator] = []
        for index, acc in enumerate(rules):
            if not isinstance(acc, list) or not all(x is None or _is_number(x) for x in acc):
                raise InvalidInputError("expected a list of numbers", path=f"{path}.rules[{index}]")
            accs.append(tuple(acc))
        return cls(
            data["lead_id"],
            data["model"],
            tuple(explicit),
            tuple(accs),
            data["last"],
            data["hot_since"],
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _num_json(value: Any) -> Any:
    return ts_to_json(value) if isinstance(value, float) else value


def new_state(engine: Engine, lead_id: str, profile: Mapping[str, Any] | None) -> ScoreState:
    """:meth:`ScoringModel.new_state`."""
    if not isinstance(lead_id, str) or not lead_id.strip():
        raise InvalidInputError(f"expected a non-empty string, got {lead_id!r}", path="lead_id")
    explicit = engine.match_profile(check_profile(profile, "profile")) if profile else ()
    return ScoreState(lead_id, engine.fingerprint, explicit, tuple(engine.empty_rules()))


def with_profile(engine: Engine, state: ScoreState, profile: Mapping[str, Any]) -> ScoreState:
    """:meth:`ScoringModel.with_profile`."""
    check_state(engine, state)
    explicit = engine.match_profile(check_profile(profile, "profile"))
    return attrs.evolve(state, explicit=explicit)


def ingest(engine: Engine, state: ScoreState, events: Event | Iterable[Event]) -> ScoreState:
    """:meth:`ScoringModel.ingest`."""
    if (
        type(state) is not ScoreState
        or state.model != engine.fingerprint
        or len(state.rules) != len(engine.implicit)
    ):
        check_state(engine, state)
    if type(events) is Event:  # the live path: one event per call
        if events.lead_id != state.lead_id:
            raise InvalidInputError(
                f"event of lead {events.lead_id!r} given to the state of {state.lead_id!r}",
                path="events[0].lead_id",
            )
        batch: Sequence[Event] = (events,)
    else:
        batch = list(events) if not isinstance(events, Event) else [events]
        for index, event in enumerate(batch):
            if not isinstance(event, Event):
                raise InvalidInputError(
                    f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
                )
            if event.lead_id != state.lead_id:
                raise InvalidInputError(
                    f"event of lead {event.lead_id!r} given to the state of {state.lead_id!r}",
                    path=f"events[{index}].lead_id",
                )
    if state.explicit and max(state.explicit) >= len(engine.explicit):
        check_state(engine, state)
    accs = list(state.rules)
    last, hot = state.last_ts, state.hot_since_ts
    dispatch = engine.dispatch.get
    monotone = engine.monotone
    pending = False  # an event since the last hot check could have changed the score
    size = len(batch)
    for position, event in enumerate(batch):
        t = event.ts
        if last is None or t >= last:
            pending = pending or last is None
            last = t
        targets = dispatch(event.name)
        if targets is not None:
            engine.apply(accs, targets, event, t)
        pending = pending or targets is not None or not monotone
        if position + 1 < size and batch[position + 1].ts == t:
            continue  # like score(): evaluate once every event of this instant is in
        if hot is None and pending:
            pending = False
            # In order, the check is exact at t. A late event can only be checked at
            # the newest time seen, an upper bound of the exact crossing.
            assert last is not None
            if engine.total_at(state.explicit, accs, last) >= engine.hot_threshold:
                hot = last
    return ScoreState(state.lead_id, state.model, state.explicit, tuple(accs), last, hot)


def score_state(engine: Engine, state: ScoreState, as_of: datetime) -> Score:
    """:meth:`ScoringModel.score_state`."""
    check_state(engine, state)
    require_aware(as_of, "as_of")
    asof_ts = as_of.timestamp()
    if state.last_ts is not None and asof_ts < state.last_ts:
        raise InvalidInputError(
            f"as_of {as_of.isoformat()} is before the latest ingested event "
            f"{from_ts(state.last_ts).isoformat()}; use ScoringModel.score for history",
            path="as_of",
        )
    hot = None if state.hot_since_ts is None else from_ts(state.hot_since_ts)
    return engine.build(
        state.lead_id, state.explicit, list(state.rules), state.last_ts, as_of, asof_ts, hot
    )


def check_state(engine: Engine, state: Any) -> None:
    """Refuse a state that is not a :class:`ScoreState` of this model."""
    if not isinstance(state, ScoreState):
        raise InvalidInputError(f"expected a ScoreState, got {type(state).__name__}", path="state")
    if state.model != engine.fingerprint:
        raise InvalidInputError(
            f"state belongs to scoring model {state.model!r}, not this one "
            f"({engine.fingerprint!r}); rebuild it from the lead's events",
            path="state.model",
        )
    if len(state.rules) != len(engine.implicit) or (
        state.explicit and max(state.explicit) >= len(engine.explicit)
    ):
        raise InvalidInputError("state does not fit this model's rules", path="state.rules")
