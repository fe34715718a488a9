"""The persisted per-lead state of the incremental path, and its dict formats.

Format 2 (written today) is self-describing, so :meth:`ScoreState.from_dict` checks
every value without the model. Format 1 (written up to 0.x of this library) is read
as written and upgraded by the model at first use, because its rule entries only make
sense with the model's rules (see ``docs/scoring.md``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._time import MAX_TS, MIN_TS, from_ts, ts_to_json
from ..errors import InvalidInputError
from ._result import EMPTY, Accumulator, RuleEntry
from ._times import Times

STATE_VERSION = 2
# Format 3 is format 2 with the time of the lead's newest reset event (``reset``): only
# states of models with ``reset_on`` that saw a reset are written in it.
RESET_VERSION = 3
# Values of ``ScoreState._checked``: nothing checked yet; its values checked (without
# the model); read from format 1 and checked as far as that format allows; otherwise
# the fingerprint of the model it was checked against and upgraded for.
UNCHECKED, VALUES_CHECKED, FORMAT_1 = "", "*", "1"
_V1_KEYS = frozenset(("v", "model", "lead_id", "explicit", "last", "hot_since", "rules"))
_V2_REQUIRED = frozenset(("v", "model", "lead_id", "explicit", "rules"))
_V2_KEYS = _V2_REQUIRED | {"last", "hot_since"}
_V3_REQUIRED = _V2_REQUIRED | {"reset"}
_V3_KEYS = _V2_KEYS | {"reset"}
# Format 4 is format 3 with the named scores (``scores``; ``reset`` optional): only
# states of models with named scores are written in it.
NAMED_VERSION = 4
_V4_REQUIRED = _V2_REQUIRED | {"scores"}
_V4_KEYS = _V3_KEYS | {"scores"}
_NAMED_KEYS = frozenset(("hot_since", "reset", "rules"))
# What a state keeps of one named score: its name, when it became hot, and for a
# score with its own decay or resets the time of its newest reset and its own rule
# entries (a score sharing the model's entries keeps None and ()).
NamedEntry = tuple[str, "float | None", "float | None", "tuple[RuleEntry, ...]"]


@attrs.frozen
class ScoreState:
    """What the incremental path keeps per lead between calls: small and persistable.

    Build one with :meth:`ScoringModel.new_state`, feed it with
    :meth:`ScoringModel.ingest`, read it with :meth:`ScoringModel.score_state`. Times are
    kept as POSIX seconds; ``model`` fingerprints the scoring model the state belongs to.
    A state read from an older format is upgraded by the first model call that uses it.

    Every rule entry is designed to merge: counts add, last times take the maximum,
    half-life weights re-anchor on the later time and add, kept times are the union.
    """

    lead_id: str
    model: str
    explicit: tuple[int, ...]
    rules: tuple[RuleEntry, ...]
    last_ts: float | None = None
    hot_since_ts: float | None = None
    # How far the state was checked (see UNCHECKED); a state built by hand is checked
    # in full by the first model call.
    _checked: str = attrs.field(
        default=UNCHECKED, eq=False, repr=False, hash=False, alias="_checked"
    )
    # Time of the newest reset event (models with ``reset_on``): rules keep only later
    # events, and hot_since is judged since it.
    reset_ts: float | None = None
    # The named scores of the model, in its order (see NamedEntry).
    named: tuple[NamedEntry, ...] = ()

    @property
    def last_reset(self) -> datetime | None:
        """Time of the newest reset event ingested (``reset_on``)."""
        return None if self.reset_ts is None else from_ts(self.reset_ts)

    @property
    def last_activity(self) -> datetime | None:
        """Time of the latest event ingested."""
        return None if self.last_ts is None else from_ts(self.last_ts)

    @property
    def hot_since(self) -> datetime | None:
        """Time of the first ingested event at which the lead was hot."""
        return None if self.hot_since_ts is None else from_ts(self.hot_since_ts)

    def to_dict(self) -> dict[str, Any]:
        """Compact JSON-ready data; :meth:`from_dict` restores an equal state.

        A state read from format 1 and not yet used by its model is written back as
        it was read.
        """
        if self._checked == FORMAT_1:
            return {
                "v": 1,
                "model": self.model,
                "lead_id": self.lead_id,
                "explicit": list(self.explicit),
                "last": _time_json(self.last_ts),
                "hot_since": _time_json(self.hot_since_ts),
                "rules": [[_num_json(x) for x in acc] for acc in self.rules],
            }
        out: dict[str, Any] = {
            "v": STATE_VERSION,
            "model": self.model,
            "lead_id": self.lead_id,
            "explicit": list(self.explicit),
            "rules": [_rule_json(acc) for acc in self.rules],
        }
        if self.last_ts is not None:
            out["last"] = ts_to_json(self.last_ts)
        if self.hot_since_ts is not None:
            out["hot_since"] = ts_to_json(self.hot_since_ts)
        if self.reset_ts is not None:
            out["v"] = RESET_VERSION
            out["reset"] = ts_to_json(self.reset_ts)
        if self.named:
            out["v"] = NAMED_VERSION
            out["scores"] = {entry[0]: _named_json(entry) for entry in self.named}
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreState:
        """Restore a state saved with :meth:`to_dict` by this or an earlier version.

        Checks everything that needs no model (keys, types, counts, times, duplicate
        rule indices); the model checks the rest (rule count and kinds) before it
        uses the state. Problems raise :class:`InvalidInputError` with ``.path``.

        >>> ScoreState.from_dict({"v": 2, "model": "m", "lead_id": "L1", "explicit": [],
        ...                       "rules": [-3]})
        Traceback (most recent call last):
        ...
        b2bfunnel.InvalidInputError: state.rules[0]: expected 0 (no events), \
[count, last], [count, last, weight] or [[times...]], got -3
        """
        path = "state"
        if not isinstance(data, Mapping):
            raise InvalidInputError(f"expected a mapping, got {type(data).__name__}", path=path)
        version = data.get("v")
        if version == 1:
            _check_keys(data, _V1_KEYS, _V1_KEYS, path)
        elif version == STATE_VERSION:
            _check_keys(data, _V2_REQUIRED, _V2_KEYS, path)
        elif version == RESET_VERSION:
            _check_keys(data, _V3_REQUIRED, _V3_KEYS, path)
        elif version == NAMED_VERSION:
            _check_keys(data, _V4_REQUIRED, _V4_KEYS, path)
        else:
            raise InvalidInputError(
                f"unknown score state format {version!r}; this version reads 1 to 4",
                path=f"{path}.v",
            )
        lead_id = data["lead_id"]
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(
                f"expected a non-empty string, got {lead_id!r}", path=f"{path}.lead_id"
            )
        model = data["model"]
        if not isinstance(model, str) or not model:
            raise InvalidInputError(
                f"expected a model fingerprint string, got {model!r}", path=f"{path}.model"
            )
        explicit = _read_indices(data["explicit"], f"{path}.explicit")
        last, hot = (
            None if data.get(key) is None else read_time(data[key], f"{path}.{key}")
            for key in ("last", "hot_since")
        )
        rules = data["rules"]
        if not isinstance(rules, list):
            raise InvalidInputError(
                f"expected a list of rule entries, got {type(rules).__name__}", path=f"{path}.rules"
            )
        read = _read_v1_rule if version == 1 else read_rule
        accs = tuple(read(acc, f"{path}.rules[{i}]") for i, acc in enumerate(rules))
        newest = None
        if version != 1:  # format-1 entries are checked by the model
            newest = max((t for t in map(newest_time, accs) if t is not None), default=None)
        reset = None if data.get("reset") is None else read_time(data["reset"], f"{path}.reset")
        _check_reset(accs, reset, last, path)
        named = () if version != NAMED_VERSION else _read_named(data["scores"], last, path)
        if newest is not None and (last is None or newest > last):
            raise InvalidInputError(
                "is before a rule's latest event; the state was edited or damaged",
                path=f"{path}.last",
            )
        if hot is not None and (last is None or hot > last):
            raise InvalidInputError(
                "is after the latest event ingested; the state was edited or damaged",
                path=f"{path}.hot_since",
            )
        checked = FORMAT_1 if version == 1 else VALUES_CHECKED
        return cls(lead_id, model, explicit, accs, last, hot, checked, reset, named)


def _named_json(entry: NamedEntry) -> dict[str, Any]:
    """One named score's entry: ``hot_since``, ``reset`` and ``rules`` where it has them."""
    _, hot, reset, rules = entry
    out: dict[str, Any] = {}
    if hot is not None:
        out["hot_since"] = ts_to_json(hot)
    if reset is not None:
        out["reset"] = ts_to_json(reset)
    if rules:
        out["rules"] = [_rule_json(acc) for acc in rules]
    return out


def _read_named(data: Any, last: float | None, path: str) -> tuple[NamedEntry, ...]:
    """The ``scores`` of a format-4 state, checked as far as the model is not needed."""
    path = f"{path}.scores"
    if not isinstance(data, Mapping) or not data:
        raise InvalidInputError(f"expected a table of named scores, got {data!r}", path=path)
    entries = []
    for name, entry in data.items():
        where = f"{path}.{name}"
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"expected a score name, got {name!r}", path=path)
        if not isinstance(entry, Mapping):
            raise InvalidInputError(f"expected a table, got {type(entry).__name__}", path=where)
        unknown = sorted(str(k) for k in set(entry) - _NAMED_KEYS)
        if unknown:
            raise InvalidInputError(
                f"unknown {', '.join(unknown)} (a named score has the keys hot_since, "
                "reset, rules)",
                path=where,
            )
        hot, reset = (
            None if entry.get(key) is None else read_time(entry[key], f"{where}.{key}")
            for key in ("hot_since", "reset")
        )
        rules = entry.get("rules", [])
        if not isinstance(rules, list):
            raise InvalidInputError(
                f"expected a list of rule entries, got {type(rules).__name__}",
                path=f"{where}.rules",
            )
        accs = tuple(read_rule(acc, f"{where}.rules[{i}]") for i, acc in enumerate(rules))
        _check_reset(accs, reset, last, where)
        newest = max((t for t in map(newest_time, accs) if t is not None), default=None)
        for key, t in (("rules", newest), ("hot_since", hot)):
            if t is not None and (last is None or t > last):
                raise InvalidInputError(
                    "is after the latest event ingested; the state was edited or damaged",
                    path=f"{where}.{key}",
                )
        entries.append((name, hot, reset, accs))
    return tuple(entries)


def _check_reset(
    accs: tuple[Accumulator, ...], reset: float | None, last: float | None, path: str
) -> None:
    """A reset is an event (so not after ``last``) and rules keep only later times."""
    if reset is None:
        return
    if last is None or reset > last:
        raise InvalidInputError(
            "is after the latest event ingested; the state was edited or damaged",
            path=f"{path}.reset",
        )
    for index, acc in enumerate(accs):
        if type(acc) is not Times or not len(acc) or acc.at(0) > reset:
            continue
        raise InvalidInputError(
            "keeps a time at or before the reset; the state was edited or damaged",
            path=f"{path}.rules[{index}]",
        )


def _check_keys(
    data: Mapping[str, Any], required: frozenset[str], allowed: frozenset[str], path: str
) -> None:
    missing = sorted(required - set(data))
    unknown = sorted(str(k) for k in set(data) - allowed)
    if missing or unknown:
        what = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(unknown)}" if unknown else "",
            )
            if part
        )
        raise InvalidInputError(
            f"{what} (format {data['v']} has the keys {', '.join(sorted(allowed))})", path=path
        )


def _read_indices(value: Any, path: str) -> tuple[int, ...]:
    """Profile rule indices: distinct non-negative integers, kept in increasing order."""
    if not isinstance(value, list):
        raise InvalidInputError(
            f"expected a list of rule indices, got {type(value).__name__}", path=path
        )
    for position, index in enumerate(value):
        if not is_int(index) or index < 0:
            raise InvalidInputError(
                f"expected a rule index (an integer >= 0), got {index!r}",
                path=f"{path}[{position}]",
            )
        if index in value[:position]:
            raise InvalidInputError(
                f"rule {index} is listed twice; it would be counted twice",
                path=f"{path}[{position}]",
            )
    return tuple(sorted(value))


def read_time(value: Any, path: str) -> float:
    """POSIX seconds of an instant a datetime can hold."""
    if not _is_number(value) or not MIN_TS <= value <= MAX_TS:
        raise InvalidInputError(
            f"expected POSIX seconds between {MIN_TS:.0f} (year 1) and {MAX_TS:.0f} "
            f"(year 9999), got {value!r}",
            path=path,
        )
    return float(value)


def read_rule(value: Any, path: str) -> Accumulator:
    """A format-2 rule entry (see :func:`_rule_json`)."""
    if value == 0 and is_int(value):
        return EMPTY
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], list) and value[0]:
        times = [read_time(t, f"{path}[0][{i}]") for i, t in enumerate(value[0])]
        if any(b < a for a, b in itertools.pairwise(times)):
            raise InvalidInputError("times must be in increasing order", path=f"{path}[0]")
        return Times.of(times)
    if isinstance(value, list) and len(value) in (2, 3):
        count = value[0]
        if not is_int(count) or count < 1:
            raise InvalidInputError(
                f"expected an event count (an integer >= 1; 0 is written as a bare 0), "
                f"got {count!r}",
                path=f"{path}[0]",
            )
        last = read_time(value[1], f"{path}[1]")
        if len(value) == 2:
            return (count, last)
        weight = value[2]
        # Each event adds at most 1 (the newest exactly 1): 1 <= weight <= count.
        if not _is_number(weight) or not 1.0 <= weight <= count * (1 + 1e-9):
            raise InvalidInputError(
                f"expected a half-life weight between 1 and the count {count}, got {weight!r}",
                path=f"{path}[2]",
            )
        return (count, last, float(weight))
    raise InvalidInputError(
        "expected 0 (no events), [count, last], [count, last, weight] or [[times...]], "
        f"got {value!r}",
        path=path,
    )


def _read_v1_rule(value: Any, path: str) -> tuple[Any, ...]:
    """A format-1 rule entry, kept as read: only the model knows which kind it is."""
    if not isinstance(value, list):
        raise InvalidInputError(
            f"expected a list of numbers, got {type(value).__name__}", path=path
        )
    for i, x in enumerate(value):
        if x is not None:
            read_time(x, f"{path}[{i}]")
    return tuple(value)


def newest_time(acc: Accumulator) -> float | None:
    """Time of the newest event a rule entry holds; None when empty."""
    if type(acc) is Times:
        return acc.at(len(acc) - 1)
    last: float | None = acc[1]
    return last


def _rule_json(acc: Accumulator) -> Any:
    """``0`` (no events), ``[count, last]``, ``[count, last, weight]`` or ``[[times]]``."""
    if type(acc) is Times:
        return [[ts_to_json(t) for t in acc]] if len(acc) else 0
    if not acc[0]:
        return 0
    return [_num_json(x) for x in acc]


def _time_json(ts: float | None) -> int | float | None:
    return None if ts is None else ts_to_json(ts)


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


def _num_json(value: Any) -> Any:
    return ts_to_json(value) if isinstance(value, float) else value
