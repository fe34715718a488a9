"""The scoring model: configuration, batch scoring, ranking and the incremental path."""

from __future__ import annotations

import hashlib
import json
import math
import operator
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from .._config import Reader, did_you_mean, join, load_toml, read_all
from .._time import SECONDS_PER_DAY, from_ts, require_aware
from ..errors import InvalidInputError
from ..events import Event
from ._result import Accumulator, Row, Score, ScoreState
from ._rules import (
    Decay,
    ExplicitRule,
    ImplicitRule,
    Tier,
    read_decay,
    read_explicit,
    read_implicit,
    read_tiers,
    tier_of,
    tiers_to_list,
)

__all__ = ["ScoringModel"]

COUNT, WEIGHT, TIMES = 0, 1, 2
MODEL_KEYS = (
    "hot_threshold",
    "max_total",
    "bands",
    "grade",
    "groups",
    "explicit",
    "implicit",
    "decay",
)
# Every reported figure is rounded to this many decimals, which also makes results
# independent of the order in which floating-point sums were accumulated.
PLACES = 6

IT_TITLE_WORDS = [
    "it", "ti", "technology", "tecnologia", "tecnologias", "information technology",
    "systems", "sistemas", "informatica", "engineering", "ingenieria",
    "infrastructure", "infraestructura", "cybersecurity", "ciberseguridad",
]  # fmt: skip
SENIOR_TITLE_WORDS = ["director", "directora", "head", "vp", "vice president", "chief"]
C_LEVEL_IT_WORDS = [
    "cio", "cto", "ciso", "chief information officer", "chief technology officer",
    "chief information security officer",
]  # fmt: skip

DEFAULT_CONFIG: dict[str, Any] = {
    "hot_threshold": 100,
    "explicit": [
        {
            "name": "it_leader_at_large_company",
            "points": 50,
            "when": {
                "all": [
                    {"field": "employees", "gte": 500},
                    {
                        "any": [
                            {"field": "job_title", "words": C_LEVEL_IT_WORDS},
                            {
                                "all": [
                                    {"field": "job_title", "words": SENIOR_TITLE_WORDS},
                                    {"field": "job_title", "words": IT_TITLE_WORDS},
                                ]
                            },
                        ]
                    },
                ]
            },
        }
    ],
    "implicit": [
        {"name": "pricing_page_visit", "event": "pricing_page_visit", "points": 15},
        {"name": "case_study_download", "event": "case_study_download", "points": 10},
        {"name": "webinar_completed", "event": "webinar_completed", "points": 25},
        {"name": "email_case_study_click", "event": "email_case_study_click", "points": 20},
    ],
    "decay": {"kind": "inactivity"},
    "grade": {
        "fit": [{"name": "D"}, {"name": "C", "min": 15}, {"name": "B", "min": 30},
                {"name": "A", "min": 50}],
        "engagement": [{"name": "4"}, {"name": "3", "min": 15}, {"name": "2", "min": 40},
                       {"name": "1", "min": 75}],
    },
}  # fmt: skip


def default_bands(hot_threshold: float) -> tuple[Tier, ...]:
    """``cold`` < 40% of the hot threshold <= ``warm`` < hot threshold <= ``hot``."""
    return (Tier("cold"), Tier("warm", 0.4 * hot_threshold), Tier("hot", hot_threshold))


def _read_grade(data: Any, path: str, reader: Reader) -> dict[str, tuple[Tier, ...]]:
    table = reader.table(data, path, ("fit", "engagement"))
    out: dict[str, tuple[Tier, ...]] = {}
    for axis in ("fit", "engagement"):
        source = table[axis] if table is not None and axis in table else None
        if source is None:
            source = DEFAULT_CONFIG["grade"][axis]
            tiers = read_tiers(source, join(path, axis), Reader())
        else:
            tiers = read_tiers(source, join(path, axis), reader)
        if tiers is not None:
            out[axis] = tiers
    return out


def _read_groups(data: Any, path: str, reader: Reader) -> tuple[tuple[str, float | None], ...]:
    if not isinstance(data, Mapping):
        reader.error(path, f"expected a table of groups, got {type(data).__name__}")
        return ()
    groups: list[tuple[str, float | None]] = []
    for name, spec in data.items():
        where = join(path, str(name))
        table = reader.table(spec, where, ("max_points",))
        cap = None
        if table is not None and "max_points" in table:
            cap = reader.number(table["max_points"], join(where, "max_points"), minimum=0)
        groups.append((str(name), cap))
    return tuple(groups)


def read_model(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[scoring]`` section into :class:`ScoringModel` fields; None if invalid."""
    table = reader.table(data, path, MODEL_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    merged = {**DEFAULT_CONFIG, **table}
    threshold = reader.number(
        merged["hot_threshold"], join(path, "hot_threshold"), exclusive_minimum=0
    )
    max_total = None
    if "max_total" in table:
        max_total = reader.number(table["max_total"], join(path, "max_total"), minimum=0)
    explicit: list[ExplicitRule] = []
    items = reader.array(merged["explicit"], join(path, "explicit"))
    if items is not None:
        explicit = reader.each(items, join(path, "explicit"), read_explicit)
    implicit: list[ImplicitRule] = []
    items = reader.array(merged["implicit"], join(path, "implicit"))
    if items is not None:
        implicit = reader.each(items, join(path, "implicit"), read_implicit)
    decay = read_decay(merged["decay"], join(path, "decay"), reader)
    grade = _read_grade(merged.get("grade", {}), join(path, "grade"), reader)
    groups = _read_groups(table.get("groups", {}), join(path, "groups"), reader)
    bands = (
        read_tiers(table["bands"], join(path, "bands"), reader)
        if "bands" in table
        else (default_bands(threshold) if threshold is not None else None)
    )
    _check_references(table, groups, path, reader)
    _check_caps(explicit, groups, max_total, path, reader)
    if len(reader.problems) != before:
        return None
    return {
        "hot_threshold": threshold,
        "explicit": tuple(explicit),
        "implicit": tuple(implicit),
        "decay": decay,
        "bands": bands,
        "fit_grades": grade["fit"],
        "engagement_grades": grade["engagement"],
        "groups": groups,
        "max_total": max_total,
    }


def _check_references(
    table: Mapping[str, Any],
    groups: Sequence[tuple[str, float | None]],
    path: str,
    reader: Reader,
) -> None:
    """Rule names are unique; every group a rule names is declared under ``groups``.

    Reads the configured lists themselves, so each problem has the rule's own index.
    """
    seen: dict[str, str] = {}
    group_names = [name for name, _ in groups]
    for section in ("explicit", "implicit"):
        items = table.get(section, DEFAULT_CONFIG[section])
        if not isinstance(items, list | tuple):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            where = join(join(path, section), index)
            name, group = item.get("name"), item.get("group")
            if isinstance(name, str):
                if name in seen:
                    reader.error(
                        join(where, "name"),
                        f"duplicate rule name {name!r} (also at {seen[name]}); "
                        "contributions are reported by rule name",
                    )
                seen.setdefault(name, where)
            if isinstance(group, str) and group not in group_names:
                known = ", ".join(group_names) or "none declared"
                reader.error(
                    join(where, "group"),
                    f"unknown group {group!r}{did_you_mean(group, group_names)}; "
                    f"declare it under [{join(path, 'groups')}.{group}] (known: {known})",
                )


def _check_caps(
    explicit: Sequence[ExplicitRule],
    groups: Sequence[tuple[str, float | None]],
    max_total: float | None,
    path: str,
    reader: Reader,
) -> None:
    """A cap must hold every positive profile point it covers: caps shrink behaviour
    points only, so profile points stay the same whatever the lead does."""
    if max_total is not None:
        most = sum(r.points for r in explicit if r.points > 0)
        if most > max_total:
            reader.error(
                join(path, "max_total"),
                f"{max_total:g} is below the {most:g} profile points the rules can give; "
                "caps limit behaviour points only",
            )
    for name, cap in groups:
        most = sum(r.points for r in explicit if r.points > 0 and r.group == name)
        if cap is not None and most > cap:
            reader.error(
                join(join(join(path, "groups"), name), "max_points"),
                f"{cap:g} is below the {most:g} profile points of the group's rules",
            )


def _profile_id(profile: Mapping[str, Any], path: str) -> str:
    lead_id = profile.get("id")
    if not isinstance(lead_id, str) or not lead_id.strip():
        raise InvalidInputError(f"expected a non-empty string lead id, got {lead_id!r}", path=path)
    return lead_id


def _check_profile(profile: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(profile, Mapping):
        raise InvalidInputError(
            f"expected a mapping of profile fields, got {type(profile).__name__}", path=path
        )
    return profile


@attrs.frozen
class ScoringModel:
    """A lead-scoring model: profile (explicit) and behaviour (implicit) rules with decay.

    Build it with :meth:`default`, :meth:`from_dict` or :meth:`from_toml`.

    >>> from datetime import datetime, timezone
    >>> from b2bfunnel import Event, ScoringModel
    >>> model = ScoringModel.default()
    >>> now = datetime(2026, 11, 23, tzinfo=timezone.utc)
    >>> events = [Event("L7", "pricing_page_visit", now), Event("L7", "webinar_completed", now)]
    >>> s = model.score({"id": "L7", "job_title": "Director de IT", "employees": 800},
    ...                 events, as_of=now)
    >>> s.total, s.band, s.hot, s.grade
    (90.0, 'warm', False, 'A2')
    """

    hot_threshold: float = 100
    explicit: tuple[ExplicitRule, ...] = ()
    implicit: tuple[ImplicitRule, ...] = ()
    decay: Decay = attrs.Factory(Decay)
    bands: tuple[Tier, ...] = attrs.field(
        default=attrs.Factory(lambda self: default_bands(self.hot_threshold), takes_self=True)
    )
    fit_grades: tuple[Tier, ...] = attrs.Factory(
        lambda: read_tiers(DEFAULT_CONFIG["grade"]["fit"], "", Reader()) or ()
    )
    engagement_grades: tuple[Tier, ...] = attrs.Factory(
        lambda: read_tiers(DEFAULT_CONFIG["grade"]["engagement"], "", Reader()) or ()
    )
    groups: tuple[tuple[str, float | None], ...] = ()
    max_total: float | None = None

    fingerprint: str = attrs.field(init=False, eq=False, repr=False, hash=False)
    _dispatch: dict[str, tuple[tuple[int, int, Any], ...]] = attrs.field(
        init=False, eq=False, repr=False, hash=False
    )
    _kinds: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _aggregate: tuple[bool, ...] = attrs.field(init=False, eq=False, repr=False, hash=False)
    _monotone: bool = attrs.field(init=False, eq=False, repr=False, hash=False)
    _running_total_ok: bool = attrs.field(init=False, eq=False, repr=False, hash=False)
    _rule_groups: tuple[str | None, ...] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        data = self.to_dict()
        reader = Reader()
        read_model(data, "scoring", reader)  # a model built by hand is checked like config
        reader.raise_if_any("scoring model")
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        setattr_ = object.__setattr__
        setattr_(self, "fingerprint", hashlib.sha256(canonical.encode()).hexdigest()[:12])
        per_event = self.decay.per_event
        kinds = []
        for rule in self.implicit:
            if not rule.decays or not per_event:
                kinds.append(COUNT)
            elif self.decay.kind == "half_life" and rule.max_count is None:
                kinds.append(WEIGHT)
            else:
                kinds.append(TIMES)
        setattr_(self, "_kinds", tuple(kinds))
        setattr_(self, "_aggregate", tuple(r.decays and not per_event for r in self.implicit))
        dispatch: dict[str, list[tuple[int, int, Any]]] = {}
        for index, rule in enumerate(self.implicit):
            where = rule.where._predicate if rule.where is not None else None
            dispatch.setdefault(rule.event, []).append((index, kinds[index], where))
        setattr_(self, "_dispatch", {k: tuple(v) for k, v in dispatch.items()})
        # Monotone: adding an event never lowers the score at event times, so the peak
        # over event times is the score at the last event.
        setattr_(
            self,
            "_monotone",
            not per_event and all(r.points >= 0 for r in self.implicit),
        )
        setattr_(
            self,
            "_running_total_ok",
            not per_event and self.max_total is None and all(c is None for _, c in self.groups),
        )
        setattr_(
            self,
            "_rule_groups",
            tuple(r.group for r in self.explicit) + tuple(r.group for r in self.implicit),
        )

    # --- construction -------------------------------------------------------------

    @classmethod
    def default(cls) -> ScoringModel:
        """The documented defaults of DOMAIN.md (see ``docs/scoring.md``)."""
        return cls.from_dict({})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "scoring") -> ScoringModel:
        """Build a model from ``[scoring]`` data; every problem is reported at once.

        >>> ScoringModel.from_dict({"hot_threshold": 80}).hot_threshold
        80
        """
        return cls(**read_all(read_model, data, path, "scoring configuration"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> ScoringModel:
        """Build a model from the ``[scoring]`` section of a TOML file."""
        data = load_toml(path)
        return cls.from_dict(data.get("scoring", {}))

    def to_dict(self) -> dict[str, Any]:
        """The model as ``[scoring]`` data; ``from_dict(m.to_dict()) == m``."""
        out: dict[str, Any] = {
            "hot_threshold": self.hot_threshold,
            "bands": tiers_to_list(self.bands),
            "grade": {
                "fit": tiers_to_list(self.fit_grades),
                "engagement": tiers_to_list(self.engagement_grades),
            },
            "groups": {
                name: ({} if cap is None else {"max_points": cap}) for name, cap in self.groups
            },
            "explicit": [r.to_dict() for r in self.explicit],
            "implicit": [r.to_dict() for r in self.implicit],
            "decay": self.decay.to_dict(),
        }
        if self.max_total is not None:
            out["max_total"] = self.max_total
        return out

    # --- batch scoring ------------------------------------------------------------

    def score(
        self, profile: Mapping[str, Any], events: Iterable[Event], *, as_of: datetime
    ) -> Score:
        """Score one lead from its profile and events; only events at or before ``as_of``.

        The lead id is the profile's ``id`` (events of another lead are an error) or,
        without one, the events' common ``lead_id``.
        """
        require_aware(as_of, "as_of")
        _check_profile(profile, "profile")
        lead_id = profile.get("id")
        if lead_id is not None:
            lead_id = _profile_id(profile, "profile.id")
        batch = list(events) if not isinstance(events, list) else events
        for index, event in enumerate(batch):
            if not isinstance(event, Event):
                raise InvalidInputError(
                    f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
                )
            if lead_id is None:
                lead_id = event.lead_id
            elif event.lead_id != lead_id:
                raise InvalidInputError(
                    f"event of lead {event.lead_id!r} given for lead {lead_id!r}",
                    path=f"events[{index}].lead_id",
                )
        (score,) = self._score_all({lead_id or "": profile}, batch, as_of)
        return score

    def rank(
        self,
        profiles: Iterable[Mapping[str, Any]],
        events: Iterable[Event],
        *,
        as_of: datetime,
    ) -> list[Score]:
        """Score every profile (each with an ``id``) and sort best first, ties by lead id.

        Events of leads that have no profile are ignored.
        """
        require_aware(as_of, "as_of")
        leads: dict[str, Mapping[str, Any]] = {}
        for index, profile in enumerate(profiles):
            _check_profile(profile, f"profiles[{index}]")
            lead_id = _profile_id(profile, f"profiles[{index}].id")
            if lead_id in leads:
                raise InvalidInputError(
                    f"duplicate lead id {lead_id!r}", path=f"profiles[{index}].id"
                )
            leads[lead_id] = profile
        scores = self._score_all(leads, events, as_of)
        scores.sort(key=lambda s: (-s.total, s.lead_id))
        return scores

    def _score_all(
        self, leads: Mapping[str, Mapping[str, Any]], events: Iterable[Event], as_of: datetime
    ) -> list[Score]:
        """Score ``leads`` from ``events`` (others' events are skipped) in one pass.

        Events are read once, in the order given, each updating its lead's record: far
        kinder to the memory caches on millions of events than grouping them first.
        A record is the rule accumulators followed by the last and first event time
        and the events a hot-crossing replay may need.
        """
        asof_ts = as_of.timestamp()
        n = len(self.implicit)
        empty = self._empty_rules()
        records: dict[str, list[Any]] = {
            lead_id: [*empty, -math.inf, math.inf, []] for lead_id in leads
        }
        get = records.get
        dispatch = self._dispatch.get
        apply = self._apply
        keep_all = not self._running_total_ok  # a full replay needs every event
        for index, event in enumerate(events):
            if type(event) is not Event and not isinstance(event, Event):
                raise InvalidInputError(
                    f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
                )
            record = get(event.lead_id)
            if record is None:
                continue
            t = event.ts
            if t > asof_ts:
                continue
            if t > record[n]:
                record[n] = t
            if t < record[n + 1]:
                record[n + 1] = t
            targets = dispatch(event.name)
            if targets is not None:
                apply(record, targets, event, t)
                record[n + 2].append(event)
            elif keep_all:
                record[n + 2].append(event)
        scores = []
        for lead_id, profile in leads.items():
            record = records[lead_id]
            explicit = self._match_profile(profile)
            last = record[n]
            if last == -math.inf:
                scores.append(self._build(lead_id, explicit, record, None, as_of, asof_ts, None))
                continue
            hot_since = self._first_hot(explicit, record[n + 2], record, last, record[n + 1])
            scores.append(self._build(lead_id, explicit, record, last, as_of, asof_ts, hot_since))
        return scores

    # --- incremental path ---------------------------------------------------------

    def new_state(self, lead_id: str, profile: Mapping[str, Any] | None = None) -> ScoreState:
        """An empty per-lead state; ``profile`` sets which profile rules match."""
        if not isinstance(lead_id, str) or not lead_id.strip():
            raise InvalidInputError(f"expected a non-empty string, got {lead_id!r}", path="lead_id")
        explicit = self._match_profile(_check_profile(profile, "profile")) if profile else ()
        return ScoreState(lead_id, self.fingerprint, explicit, tuple(self._empty_rules()))

    def with_profile(self, state: ScoreState, profile: Mapping[str, Any]) -> ScoreState:
        """The same state with its profile rules re-evaluated on a new ``profile``."""
        self._check_state(state)
        explicit = self._match_profile(_check_profile(profile, "profile"))
        return attrs.evolve(state, explicit=explicit)

    def ingest(self, state: ScoreState, events: Event | Iterable[Event]) -> ScoreState:
        """The state after ``events`` (one or many, in any order): O(1) per event.

        Scoring the result equals :meth:`score` on the same events. ``hot_since`` is
        checked at each event (consecutive events of one instant in one call are checked
        together, as :meth:`score` does), so fed in time order it equals what
        :meth:`score` reports. For an event older than one already ingested (late) the
        exact crossing time is unknowable without the history: the check happens at the
        newest event time seen, an upper bound of :meth:`score`'s answer when points are
        positive and decay is not per event (see ``docs/scoring.md``).
        """
        if (
            type(state) is not ScoreState
            or state.model != self.fingerprint
            or len(state.rules) != len(self.implicit)
        ):
            self._check_state(state)
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
        if state.explicit and max(state.explicit) >= len(self.explicit):
            self._check_state(state)
        accs = list(state.rules)
        last, hot = state.last_ts, state.hot_since_ts
        dispatch = self._dispatch.get
        pending = False  # an event since the last hot check could have changed the score
        size = len(batch)
        for position, event in enumerate(batch):
            t = event.ts
            if last is None or t >= last:
                pending = pending or last is None
                last = t
            targets = dispatch(event.name)
            if targets is not None:
                self._apply(accs, targets, event, t)
            pending = pending or targets is not None or not self._monotone
            if position + 1 < size and batch[position + 1].ts == t:
                continue  # like score(): evaluate once every event of this instant is in
            if hot is None and pending:
                pending = False
                # In order, the check is exact at t. A late event can only be checked at
                # the newest time seen, an upper bound of the exact crossing.
                assert last is not None
                if self._total_at(state.explicit, accs, last) >= self.hot_threshold:
                    hot = last
        return ScoreState(state.lead_id, state.model, state.explicit, tuple(accs), last, hot)

    def score_state(self, state: ScoreState, *, as_of: datetime) -> Score:
        """The score of an incremental state at ``as_of`` (not before its latest event)."""
        self._check_state(state)
        require_aware(as_of, "as_of")
        asof_ts = as_of.timestamp()
        if state.last_ts is not None and asof_ts < state.last_ts:
            raise InvalidInputError(
                f"as_of {as_of.isoformat()} is before the latest ingested event "
                f"{from_ts(state.last_ts).isoformat()}; use ScoringModel.score for history",
                path="as_of",
            )
        hot = None if state.hot_since_ts is None else from_ts(state.hot_since_ts)
        return self._build(
            state.lead_id, state.explicit, list(state.rules), state.last_ts, as_of, asof_ts, hot
        )

    def _check_state(self, state: Any) -> None:
        if not isinstance(state, ScoreState):
            raise InvalidInputError(
                f"expected a ScoreState, got {type(state).__name__}", path="state"
            )
        if state.model != self.fingerprint:
            raise InvalidInputError(
                f"state belongs to scoring model {state.model!r}, not this one "
                f"({self.fingerprint!r}); rebuild it from the lead's events",
                path="state.model",
            )
        if len(state.rules) != len(self.implicit) or (
            state.explicit and max(state.explicit) >= len(self.explicit)
        ):
            raise InvalidInputError("state does not fit this model's rules", path="state.rules")

    # --- the engine ---------------------------------------------------------------

    def _match_profile(self, profile: Mapping[str, Any]) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(self.explicit) if r.when._predicate(profile))

    def _empty_rules(self) -> list[Accumulator]:
        return [() if kind == TIMES else (0, None) if kind == COUNT else (0, None, 0.0)
                for kind in self._kinds]  # fmt: skip

    def _apply(
        self,
        accs: list[Accumulator],
        targets: tuple[tuple[int, int, Any], ...],
        event: Event,
        t: float,
    ) -> None:
        """Add one event to the accumulators of the rules it matches."""
        for index, kind, where in targets:
            if where is not None and not where(event.properties):
                continue
            acc = accs[index]
            if kind == COUNT:
                count = acc[0]
                accs[index] = (count + 1, t if not count or t > acc[1] else acc[1])
            elif kind == WEIGHT:
                accs[index] = self._add_weight(acc, t)
            else:
                accs[index] = self._add_time(index, acc, t)

    def _add_weight(self, acc: Accumulator, t: float) -> Accumulator:
        count, anchor, weight = acc
        half_life = self.decay.param("half_life_days") * SECONDS_PER_DAY
        if not count:
            return (1, t, 1.0)
        if t > anchor:  # re-anchor on the newest event so every term stays <= 1
            return (count + 1, t, weight * 0.5 ** ((t - anchor) / half_life) + 1.0)
        return (count + 1, anchor, weight + 0.5 ** ((anchor - t) / half_life))

    def _add_time(self, index: int, acc: Accumulator, t: float) -> Accumulator:
        times = sorted((*acc, t))
        if self.decay.kind == "expiry":
            # Scores are read at or after the newest event, so older ones can never count.
            horizon = times[-1] - self.decay.param("days") * SECONDS_PER_DAY
            times = [x for x in times if x >= horizon]
        cap = self.implicit[index].max_count
        if cap is not None:
            times = times[-cap:]
        return tuple(times)

    def _values(
        self,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        asof_ts: float,
    ) -> tuple[list[list[Any]], float]:
        """Per counted rule ``[rule index, value, raw, events, last_ts]`` and the decay factor.

        Rule indices count explicit rules first, then implicit ones.
        """
        items: list[list[Any]] = [
            [j, float(self.explicit[j].points), float(self.explicit[j].points), 0, None]
            for j in explicit
        ]
        offset = len(self.explicit)
        decay = self.decay
        decaying: list[list[Any]] = []
        decaying_total = 0.0
        for index in range(len(self.implicit)):  # accs may carry more after the rules
            acc = accs[index]
            kind = self._kinds[index]
            rule = self.implicit[index]
            points = rule.points
            if kind == COUNT:
                count, rule_last = acc
                if not count:
                    continue
                if rule.max_count is not None and count > rule.max_count:
                    count = rule.max_count
                value = float(count * points)
            elif kind == WEIGHT:
                count, rule_last, weight = acc
                if not count:
                    continue
                half_life = decay.param("half_life_days") * SECONDS_PER_DAY
                value = points * weight * 0.5 ** ((asof_ts - rule_last) / half_life)
            else:
                times = [t for t in acc if t <= asof_ts]
                if decay.kind == "expiry":
                    horizon = asof_ts - decay.param("days") * SECONDS_PER_DAY
                    times = [t for t in times if t >= horizon]
                if rule.max_count is not None:
                    times = times[-rule.max_count :]
                if not times:
                    continue
                count, rule_last = len(times), times[-1]
                value = points * math.fsum(
                    decay.event_factor((asof_ts - t) / SECONDS_PER_DAY) for t in times
                )
            cap = rule.max_points
            if cap is not None and abs(value) > cap:
                value = math.copysign(cap, value)
            item = [offset + index, value, count * points, count, rule_last]
            items.append(item)
            if self._aggregate[index]:
                decaying.append(item)
                decaying_total += value
        factor = 1.0
        if decaying and last is not None:
            factor = decay.factor(decaying_total, (asof_ts - last) / SECONDS_PER_DAY)
            if factor != 1.0:
                for item in decaying:
                    item[1] *= factor
        for name, cap in self.groups:
            if cap is not None:
                _cap([it for it in items if self._rule_groups[it[0]] == name], cap, offset)
        if self.max_total is not None:
            _cap(items, self.max_total, offset)
        return items, factor

    def _total(
        self, explicit: Sequence[int], accs: Sequence[Accumulator], last: float | None, at: float
    ) -> float:
        items, _ = self._values(explicit, accs, last, at)
        return round(math.fsum(round(it[1], PLACES) for it in items), PLACES)

    def _first_hot(
        self,
        explicit: Sequence[int],
        events: Sequence[Event],
        accs: Sequence[Accumulator],
        last: float,
        first: float,
    ) -> datetime | None:
        """Time of the first event at which the score reached the hot threshold.

        The score is evaluated after each instant that has events, with every event of
        that instant counted (so the result does not depend on the order given).
        """
        threshold = self.hot_threshold
        if self._running_total_ok:
            if self._monotone and self._undecayed_total(explicit, accs) < threshold:
                return None  # the peak over event times is the score at the last event
            return self._first_hot_running(explicit, events, first)
        if self._monotone and self._total_at(explicit, accs, last) < threshold:
            return None
        ordered = sorted(events, key=_BY_TIME)
        replay = self._empty_rules()
        dispatch = self._dispatch.get
        for position, event in enumerate(ordered):
            t = event.ts
            targets = dispatch(event.name)
            if targets is not None:
                self._apply(replay, targets, event, t)
            if position + 1 < len(ordered) and ordered[position + 1].ts == t:
                continue  # evaluate once all events of this instant are in
            if self._total(explicit, replay, t, t) >= threshold:
                return from_ts(t)
        return None

    def _total_at(self, explicit: Sequence[int], accs: Sequence[Accumulator], last: float) -> float:
        """The total at the time of the newest event ``last`` (nothing decayed yet)."""
        if self._running_total_ok:
            return self._undecayed_total(explicit, accs)
        return self._total(explicit, accs, last, last)

    def _undecayed_total(self, explicit: Sequence[int], accs: Sequence[Accumulator]) -> float:
        """Score at the last event for models where :meth:`_first_hot_running` applies."""
        running = 0.0
        for j in explicit:
            running += self.explicit[j].points
        rule_value = self._rule_value
        for index in range(len(self.implicit)):
            acc = accs[index]
            if acc[0]:
                running += rule_value(index, acc[0])
        return _round(running)

    def _first_hot_running(
        self, explicit: Sequence[int], events: Sequence[Event], first: float
    ) -> datetime | None:
        """:meth:`_first_hot` in O(1) per event, for models where the score at an event's
        time is the plain sum of capped rule points (no decay yet, no group caps).

        Only events that a rule counts can change that sum, so ``events`` holds only those
        (``first`` is the time of the lead's first event of any kind).
        """
        threshold = self.hot_threshold
        running = math.fsum(self.explicit[j].points for j in explicit)
        dispatch = self._dispatch
        scoring = sorted(events, key=_BY_TIME)
        # Before the first scoring instant, the score at every event is the profile's.
        if _round(running) >= threshold and (not scoring or first < scoring[0].ts):
            return from_ts(first)
        counts = [0] * len(self.implicit)
        rule_value = self._rule_value
        instant = None
        for event in scoring:
            t = event.ts
            if t != instant:
                if instant is not None and _round(running) >= threshold:
                    return from_ts(instant)
                instant = t
            for index, _kind, where in dispatch[event.name]:
                if where is not None and not where(event.properties):
                    continue
                count = counts[index]
                counts[index] = count + 1
                running += rule_value(index, count + 1) - rule_value(index, count)
        if instant is not None and _round(running) >= threshold:
            return from_ts(instant)
        return None

    def _rule_value(self, index: int, count: int) -> float:
        """Undecayed points of implicit rule ``index`` for ``count`` events, after its caps."""
        rule = self.implicit[index]
        if rule.max_count is not None and count > rule.max_count:
            count = rule.max_count
        value = count * rule.points
        cap = rule.max_points
        if cap is not None and abs(value) > cap:
            value = math.copysign(cap, value)
        return float(value)

    def _build(
        self,
        lead_id: str,
        explicit: Sequence[int],
        accs: Sequence[Accumulator],
        last: float | None,
        as_of: datetime,
        asof_ts: float,
        hot_since: datetime | None,
    ) -> Score:
        items, factor = self._values(explicit, accs, last, asof_ts)
        offset = len(self.explicit)
        rows: list[Row] = []
        explicit_total = implicit_total = 0.0
        for index, value, raw, count, rule_last in items:
            # inline _round: this runs once per rule per lead
            points = value + 0.0 if value.is_integer() else round(value, PLACES) + 0.0
            if index < offset:
                rule: ExplicitRule | ImplicitRule = self.explicit[index]
                explicit_total += points
                kind = "explicit"
            else:
                rule = self.implicit[index - offset]
                implicit_total += points
                kind = "implicit"
            rows.append((rule.name, points, kind, float(raw), count, rule_last, rule.group))
        explicit_total = _round(explicit_total)
        implicit_total = _round(implicit_total)
        total = _round(explicit_total + implicit_total)
        groups: Mapping[str, float] = _NO_GROUPS
        if self.groups:
            sums = {name: 0.0 for name, _ in self.groups}
            for row in rows:
                if row[6] is not None:
                    sums[row[6]] += row[1]
            groups = {name: _round(v) for name, v in sums.items()}
        return Score(
            lead_id,
            total,
            explicit_total,
            implicit_total,
            tier_of(self.bands, total),
            total >= self.hot_threshold,
            tuple(rows),
            as_of,
            tier_of(self.fit_grades, explicit_total)
            + tier_of(self.engagement_grades, implicit_total),
            hot_since,
            None if last is None else from_ts(last),
            _round(factor),
            groups,
        )


_NO_GROUPS: Mapping[str, float] = MappingProxyType({})


def _round(value: float) -> float:
    """``value`` to :data:`PLACES` decimals (-0.0 becomes 0.0); integers pass untouched,
    because ``round`` with digits is slow and they are the common case."""
    if value.is_integer():
        return value + 0.0
    return round(value, PLACES) + 0.0


# Sorting key for events by time (C-level attribute access).
_BY_TIME = operator.attrgetter("ts")


def _cap(items: list[list[Any]], cap: float, offset: int) -> None:
    """Scale the positive behaviour values of ``items`` so their sum is at most ``cap``.

    Profile points (rule index below ``offset``) are never scaled: configuration
    guarantees a cap holds all of them, so shrinking behaviour points always suffices.
    """
    total = math.fsum(it[1] for it in items)
    if total <= cap:
        return
    positive = math.fsum(it[1] for it in items if it[1] > 0 and it[0] >= offset)
    scale = max(0.0, (cap - (total - positive)) / positive)
    for item in items:
        if item[1] > 0 and item[0] >= offset:
            item[1] *= scale
