"""The scoring model: the one public door to configuration, batch and incremental scoring.

The work is done by private modules, one concern each: ``_reading`` (configuration),
``_engine`` (compiled rules and point arithmetic), ``_batch`` (score and rank),
``_replay`` (when the lead became hot), ``_state`` (the persisted state and its
formats) and ``_incremental`` (feeding and reading states).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

import attrs

from .._config import Reader, load_toml, read_all
from .._ranking import Ranking
from .._rules_view import model_repr, model_summary
from .._tiers import Tier, read_tiers, tiers_to_list
from ..errors import ConfigError, InvalidInputError, Problem
from ..events import Event
from ..progress import Progress, tracked
from ..tables._frames import table_rows
from ..tables._kinds import profile_fields
from ..tables._options import read_options
from ..tables._read import profile_of, read_events, rows_of
from ..tables._table import Columns, TableLike
from . import _batch, _history, _incremental, _merge
from ._engine import Engine
from ._named import NamedScore, Part, restricted
from ._reading import DEFAULT_CONFIG, default_bands, read_model
from ._result import Score
from ._rules import Decay, ExplicitRule, ImplicitRule
from ._state import ScoreState
from ._timeline import BandChange, Timeline

__all__ = ["ScoringModel"]


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
    timezone: str = "UTC"
    reset_on: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    scores: tuple[NamedScore, ...] = attrs.field(default=(), converter=tuple)

    fingerprint: str = attrs.field(init=False, eq=False, repr=False, hash=False)
    _engine: Engine = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        _check_scores(self.scores)
        data = self.to_dict()
        reader = Reader()
        read_model(data, "scoring", reader)  # a model built by hand is checked like config
        reader.raise_if_any("scoring model")
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False)
        object.__setattr__(self, "fingerprint", hashlib.sha256(canonical.encode()).hexdigest()[:12])
        engine = Engine(self, _default_fingerprint)
        object.__setattr__(self, "_engine", engine)
        if self.scores:
            engine.attach(tuple(_part(self, named) for named in self.scores))

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
        """Build a model from the ``[scoring]`` section of a TOML file; a file without
        one is a :class:`ConfigError` (``Funnel.from_toml`` takes such a file)."""
        data = load_toml(path)
        if "scoring" not in data:
            sections = ", ".join(f"[{key}]" for key in data) or "none"
            problem = Problem(
                str(path),
                f"no [scoring] section (the file has: {sections}); add one, or use "
                "Funnel.from_toml for a file of other sections",
            )
            raise ConfigError([problem])
        return cls.from_dict(data["scoring"])

    # --- display: one line, or the rules as a table in a notebook ----------------------

    def __repr__(self) -> str:
        return model_repr(self)

    def _repr_html_(self) -> str:
        return model_summary(self)._repr_html_()

    def _repr_markdown_(self) -> str:
        return model_summary(self)._repr_markdown_()

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
        if self.timezone != "UTC":  # left out by default, so the fingerprint stays
            out["timezone"] = self.timezone
        if self.reset_on:
            out["reset_on"] = list(self.reset_on)
        if self.scores:  # left out when there are none, so the fingerprint stays
            out["scores"] = {named.name: named.to_dict() for named in self.scores}
        return out

    @property
    def score_names(self) -> tuple[str, ...]:
        """The names of the model's named scores, in configuration order."""
        return tuple(named.name for named in self.scores)

    # --- batch scoring ------------------------------------------------------------

    def score(
        self,
        profile: Mapping[str, Any],
        events: Iterable[Event] | TableLike,
        *,
        as_of: datetime,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
    ) -> Score:
        """Score one lead from its profile and events; only events at or before ``as_of``.

        The lead id is the profile's ``id`` (events of another lead are an error) or,
        without one, the events' common ``lead_id``. ``events`` may be a table of events;
        the profile and the table are read with the reading options, as :meth:`rank`
        reads them.
        """
        options = read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        read = read_events(events, options)
        return _batch.score_one(self._engine, profile_of(profile, options), read, as_of)

    def rank(
        self,
        profiles: TableLike,
        events: Iterable[Event] | TableLike,
        *,
        as_of: datetime,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
        progress: Progress | str | None = None,
        by: str | None = None,
    ) -> Ranking:
        """Score every profile (each with an ``id``) and sort best first, ties by lead id.

        Events of leads that have no profile are ignored. The result is a list of
        :class:`Score` that displays as a table in a notebook. ``profiles`` may be a
        pandas DataFrame; ``columns`` maps field names to its headers
        (``{"job_title": "Job Title"}``). ``progress`` is told how many events were read
        (see :mod:`b2bfunnel.progress`). ``events`` may be a table of events too (read as
        :func:`~b2bfunnel.events_from` reads one, in ``timezone``; ``skip_invalid=True``
        skips its bad rows); ``decimal=","`` reads number text in the profiles with a
        decimal comma; ``date_format`` and ``values`` read dates and a CRM's labels in
        both tables. ``by`` names one of the model's named scores to sort by (its
        total, ties by lead id) instead of the main total; every score is computed
        either way.
        """
        self._check_by(by)
        options = read_options(
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        leads = rows_of(profiles, options, "profiles", kind=profile_fields)
        read = read_events(events, options)
        tracked_events = tracked(read, progress, "events")
        return Ranking(_batch.rank(self._engine, leads, tracked_events, as_of, by=by))

    def _rank_rows(
        self,
        rows: Iterable[Mapping[str, Any]],
        events: Iterable[Event],
        *,
        as_of: datetime,
        progress: Progress | str | None = None,
        by: str | None = None,
    ) -> Ranking:
        """:meth:`rank` of profiles the profile converter has already read (a facade
        that reads contacts once to match them and to score them) and of events
        already read: the same scores, without reading the rows again."""
        self._check_by(by)
        tracked_events = tracked(events, progress, "events")
        return Ranking(_batch.rank(self._engine, rows, tracked_events, as_of, by=by))

    def _rank_cells(
        self,
        profiles: Iterable[Mapping[str, Any]],
        cells: Iterable[tuple[str, str, float, Event | Mapping[str, Any] | None]],
        *,
        as_of: datetime,
        by: str | None = None,
    ) -> Ranking:
        """:meth:`rank` for table readers with millions of rows: each event as
        ``(lead_id, name, POSIX seconds, event)``, where ``event`` is the :class:`Event`
        or just its properties (a mapping) when :meth:`_needs_event` says so for
        ``name``, and may be ``None`` otherwise, so a reader builds no object for events
        the model only times. Of events given as ``None`` only each lead's first and
        last time count, so a reader may give just those. Same scores as :meth:`rank`
        of the events (names taken as given: no aliasing here).

        >>> from datetime import datetime, timezone
        >>> model = ScoringModel.default()
        >>> at = datetime(2026, 11, 2, tzinfo=timezone.utc)
        >>> visit = Event("L1", "pricing_page_visit", at)
        >>> cells = [("L1", "page_view", at.timestamp(), None),
        ...          ("L1", visit.name, visit.ts, visit)]
        >>> model._needs_event("page_view"), model._rank_cells([{"id": "L1"}], cells,
        ...     as_of=at) == model.rank([{"id": "L1"}], [visit], as_of=at)
        (False, True)
        """
        return Ranking(_batch.rank_cells(self._engine, profiles, cells, as_of, by))

    def _check_by(self, by: object) -> str | None:
        """``by`` if it names one of the model's named scores or is None, else an
        :class:`InvalidInputError` naming them (for :meth:`rank` and the engines)."""
        return _batch.check_by(self._engine, by)

    def _needs_event(self, name: str) -> bool:
        """Whether :meth:`_rank_cells` needs the :class:`Event` of events called ``name``
        (a rule counts them, or the model's hot-crossing replay reads every event)."""
        return self._engine.needs_event(name)

    def _needs_properties(self, name: str) -> bool:
        """Whether :meth:`_rank_cells` reads the properties of events called ``name`` (a
        rule counting them filters with ``where``); if not, an empty mapping will do.

        >>> ScoringModel.default()._needs_properties("pricing_page_visit")
        False
        """
        return self._engine.needs_properties(name)

    def _rank_with_peaks(
        self, profiles: Iterable[Mapping[str, Any]], events: Iterable[Event], *, as_of: datetime
    ) -> tuple[Ranking, dict[str, tuple[float, ...]]]:
        """:meth:`rank`, plus each lead's running peak over its event instants up to
        ``as_of``, flattened as ``(POSIX time, peak, POSIX time, peak, ...)``: each instant
        where the score rose above all its earlier instants (instants as
        :attr:`Score.hot_since` reads them), so a threshold ``T`` was first reached at the
        first step whose peak is ``>= T``. Leads without events have no entry. Used by
        ``evaluate`` to count first crossings.
        """
        steps: dict[str, tuple[float, ...]] = {}
        leads = table_rows(profiles, path="profiles")
        return Ranking(_batch.rank(self._engine, leads, events, as_of, steps)), steps

    # --- history ------------------------------------------------------------------

    def history(
        self,
        profile: Mapping[str, Any],
        events: Iterable[Event],
        *,
        start: datetime,
        end: datetime,
        every: timedelta | str = "1d",
    ) -> Timeline:
        """The lead's score at ``start + k * every`` for every ``k`` through ``end``
        (inclusive), each point what :meth:`score` says ``as_of`` it, in one sweep over
        the events. ``every`` is a timedelta or ``"Nh"``, ``"Nd"``, ``"Nw"``; steps are
        calendar arithmetic on ``start``, so days from a zoned midnight stay midnights
        across a DST change. Each point's ``scores`` holds the named scores' totals and
        bands.
        """
        return _history.history(self._engine, profile, events, start, end, every)

    def changes(
        self,
        profile: Mapping[str, Any],
        events: Iterable[Event],
        *,
        start: datetime | None = None,
        end: datetime,
    ) -> tuple[BandChange, ...]:
        """Every change of the lead's band or grade after ``start`` (else from its
        profile alone, before its first event) through ``end``, each with its cause: the
        event, or the passing of time (decay, a rule's window), found to the second.
        The named scores' band changes are listed too (``BandChange.score`` names the
        score): by time, then the main score, then the named scores in order.
        """
        return _history.changes(self._engine, profile, events, start, end)

    # --- incremental path ---------------------------------------------------------

    def new_state(self, lead_id: str, profile: Mapping[str, Any] | None = None) -> ScoreState:
        """An empty per-lead state; ``profile`` sets which profile rules match."""
        return _incremental.new_state(self._engine, lead_id, profile)

    def with_profile(self, state: ScoreState, profile: Mapping[str, Any]) -> ScoreState:
        """The same state with its profile rules re-evaluated on a new ``profile``."""
        return _incremental.with_profile(self._engine, state, profile)

    # Bound directly, not wrapped: the live path makes one call per event.
    ingest = _incremental.ingest

    def ingest_with_changes(
        self, state: ScoreState, events: Event | Iterable[Event]
    ) -> tuple[ScoreState, tuple[BandChange, ...]]:
        """:meth:`ingest`, plus the changes of band or grade the events caused, each
        judged at the event's time (a late event at the newest time seen, as
        ``hot_since`` is), so CRM code can act when a lead becomes hot. Changes that
        time alone brings (decay, windows) come only from :meth:`changes`. A named
        score's band changes come after the main score's of the same event, with
        ``BandChange.score`` set to its name.
        """
        return _history.ingest_with_changes(self, state, events)

    def merge(
        self, a: ScoreState, b: ScoreState, *, profile: Mapping[str, Any] | None = None
    ) -> ScoreState:
        """One state of a lead from two states built from disjoint sets of its events.

        The merge is associative and commutative, so partial states built on separate
        partitions combine in any grouping (see ``docs/datalake.md``): counts and last
        times equal :meth:`ingest` of all the events exactly, totals and contributions
        after rounding. ``hot_since`` is the same upper bound as for late events.
        States that match different profile rules are refused unless ``profile`` says
        which profile is current. Events seen by both states count twice: deduplicate
        at-least-once deliveries before building the parts.

        >>> from datetime import datetime, timezone
        >>> from b2bfunnel import Event, ScoringModel
        >>> model = ScoringModel.default()
        >>> at = datetime(2026, 11, 2, tzinfo=timezone.utc)
        >>> a = model.ingest(model.new_state("L1"), Event("L1", "webinar_completed", at))
        >>> b = model.ingest(model.new_state("L1"), Event("L1", "pricing_page_visit", at))
        >>> model.score_state(model.merge(a, b), as_of=at).total
        40.0
        """
        return _merge.merge(self._engine, a, b, profile)

    def score_state(self, state: ScoreState, *, as_of: datetime) -> Score:
        """The score of an incremental state at ``as_of`` (not before its latest event)."""
        return _incremental.score_state(self._engine, state, as_of)


@functools.cache
def _default_fingerprint() -> str:
    """The default model's fingerprint (a model's engine asks when it reads a state)."""
    return ScoringModel.default().fingerprint


def _check_scores(scores: tuple[Any, ...]) -> None:
    """Named scores given by hand are :class:`NamedScore` values with distinct names."""
    seen: set[str] = set()
    for index, named in enumerate(scores):
        if not isinstance(named, NamedScore):
            raise InvalidInputError(
                f"expected a NamedScore, got {type(named).__name__}", path=f"scores[{index}]"
            )
        if named.name in seen:
            raise InvalidInputError(
                f"named score {named.name!r} is given twice", path=f"scores[{index}].name"
            )
        seen.add(named.name)


def _part(model: ScoringModel, named: NamedScore) -> Part:
    """``named`` compiled: the engine of the model restricted to its rules."""
    fields = {str(f.alias): getattr(model, f.name) for f in attrs.fields(ScoringModel) if f.init}
    sub = restricted(named, fields, default_bands)
    shared = sub["decay"] == model.decay and tuple(sub["reset_on"]) == model.reset_on
    return Part(named.name, ScoringModel(**sub)._engine, model._engine, shared)
