"""The facade: one configuration, every module of the funnel behind one object."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from types import MappingProxyType
from typing import Any

import attrs

from ._answers import answers_from_row
from ._config import did_you_mean, load_toml
from ._funnel_config import read_funnel
from ._public import publish
from ._ranking import Ranking
from ._rules_view import funnel_repr, funnel_summary
from ._time import parse_datetime, require_aware
from .accounts import AccountModel
from .accounts._match import AccountMatch, match_rows
from .accounts._rollup import rank_scores
from .accounts._score import AccountRanking, AccountScore
from .accounts._state import AccountState, kept_fields, merge_states
from .bant import Qualification, QualificationPolicy, qualify
from .errors import ConfigError, InvalidInputError
from .events import Event
from .kol import KOLBrief, KOLCandidate, KOLConfig, KOLFit, kol_fit
from .nurture import Action, NurtureFlow, NurtureState
from .progress import Progress, tracked
from .scoring import Score, ScoringModel
from .tables._columns import InputConfig, event_names
from .tables._kinds import account_fields, profile_fields
from .tables._options import ReadOptions, config_columns, config_options, read_options
from .tables._read import profile_of, read_events, rows_of
from .tables._table import Columns, TableLike
from .tables._values import require_iterable

__all__ = ["Funnel"]


@attrs.frozen(init=False)
class Funnel:
    """The funnel's modules configured together; ``Funnel()`` uses every default.

    ``scoring`` (:class:`ScoringModel`), ``qualification`` (:class:`QualificationPolicy`),
    ``kol`` (:class:`KOLConfig`), ``flow`` (:class:`NurtureFlow`) and ``accounts``
    (:class:`AccountModel`) come from the sections of the same names (``flow`` from
    ``nurture``; ``flows``, the named flows by name, from ``nurture.flows``;
    ``pressure``, the contact limit of every flow without its own, from ``pressure``);
    ``input``
    (:class:`InputConfig`) from ``columns``, ``aliases`` and ``input``, which say how
    a CRM's exports are read.

    >>> import b2bfunnel as bf
    >>> funnel = bf.Funnel({"scoring": {"hot_threshold": 80}})
    >>> funnel.scoring.hot_threshold
    80
    """

    scoring: ScoringModel
    qualification: QualificationPolicy
    kol: KOLConfig
    flow: NurtureFlow
    input: InputConfig
    accounts: AccountModel
    flows: Mapping[str, NurtureFlow] = attrs.field(factory=dict, hash=False)
    pressure: Mapping[str, Any] = attrs.field(factory=dict, hash=False)

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        fields = read_funnel(config if config is not None else {})
        self.__attrs_init__(
            scoring=fields.get("scoring") or ScoringModel.default(),
            qualification=fields.get("qualification") or QualificationPolicy.default(),
            kol=fields.get("kol") or KOLConfig(),
            flow=fields.get("flow") or NurtureFlow.default(),
            input=fields.get("input") or InputConfig(),
            accounts=fields.get("accounts") or AccountModel.default(),
            flows=MappingProxyType(fields.get("flows", {})),
            pressure=MappingProxyType(fields.get("pressure", {})),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Funnel:
        """Build from a mapping of sections (``scoring``, ...); all problems reported at once."""
        return cls(data)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Funnel:
        """Build from a TOML file holding any of the supported sections."""
        data = load_toml(path)
        try:
            return cls(data)
        except ConfigError as exc:
            raise ConfigError(exc.problems, what=f"configuration in {os.fspath(path)}") from None

    def __repr__(self) -> str:
        return funnel_repr(self)

    def _repr_html_(self) -> str:
        return funnel_summary(self)._repr_html_()

    def _repr_markdown_(self) -> str:
        return funnel_summary(self)._repr_markdown_()

    def to_dict(self) -> dict[str, Any]:
        """Every section as plain data; ``Funnel.from_dict(f.to_dict()) == f``."""
        return {
            "scoring": self.scoring.to_dict(),
            "qualification": self.qualification.to_dict(),
            "kol": self.kol.to_dict(),
            "nurture": self._nurture(),
            "accounts": self.accounts.to_dict(),
            **({"pressure": dict(self.pressure)} if self.pressure else {}),
            **self.input.to_dict(),
        }

    def _nurture(self) -> dict[str, Any]:
        data = self.flow.to_dict()
        if self.flows:
            data["flows"] = {name: flow.to_dict() for name, flow in self.flows.items()}
        return data

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
        """Score one lead with the funnel's scoring model (see :meth:`ScoringModel.score`),
        event names read through ``[aliases]``. ``events`` may be :class:`Event` values
        or a table of them (read as :func:`~b2bfunnel.events_from` reads one). The
        reading options not given default to the funnel's ``[input]`` (``decimal``,
        ``date_format``, ``timezone``) and ``[values]``."""
        options = self._options(
            tables={"profiles": [profile], "events": events},
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        read: Iterable[Event] = read_events(events, options)
        row = profile_of(profile, options)
        return self.scoring.score(row, self._aliased(read), as_of=as_of)

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
        """Rank leads best first (see :meth:`ScoringModel.rank`), event names read through
        ``[aliases]``; ``by`` names a named score of ``[scoring.scores]`` to sort by.

        The reading options not given default to the funnel's ``[input]``: ``decimal``
        (of number text), ``date_format``, ``timezone`` (of times without an offset),
        and to its ``[values]``; an option given wins.
        ``events`` may be :class:`Event` values or a table of them (a DataFrame or
        mappings: ``lead_id``, ``name``, ``at``); ``skip_invalid=True`` skips its bad
        rows.

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> funnel = bf.Funnel({"aliases": {"Page View": "pricing_page_visit"}})
        >>> funnel.rank([{"id": "L1"}], [bf.Event("L1", "page view", at)], as_of=at)[0].total
        15.0
        >>> rows = [{"lead_id": "L1", "name": "Page View", "at": "2026-11-20T00:00:00Z"}]
        >>> funnel.rank([{"id": "L1"}], rows, as_of=at)[0].total
        15.0
        """
        options = self._options(
            tables={"profiles": profiles, "events": events},
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        read: Iterable[Event] = read_events(events, options)
        rows = rows_of(profiles, options, "profiles", kind=profile_fields)
        return self.scoring._rank_rows(
            rows, self._aliased(read), as_of=as_of, progress=progress, by=by
        )

    def _options(self, tables: Mapping[str, Any] | None = None, **given: Any) -> ReadOptions:
        """The reading options of a call: each one given, else the configuration's;
        ``columns`` not given maps the ``tables`` (name -> table) as the command line
        would (see :func:`~b2bfunnel.tables._options.config_columns`)."""
        if given.get("columns") is None and tables:
            given["columns"] = config_columns(self.input, tables) or None
        return read_options(**config_options(self.input, given))

    def rank_accounts(
        self,
        leads: TableLike,
        events: Iterable[Event] | TableLike,
        *,
        as_of: datetime,
        accounts: TableLike | None = None,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
        progress: Progress | str | None = None,
    ) -> AccountRanking:
        """Rank accounts best first (ties by account id): contacts matched to accounts
        (see :func:`match_accounts`), scored with the funnel's scoring model as of
        ``as_of``, and rolled up with its ``[accounts]`` model (see ``docs/accounts.md``).

        ``accounts`` is the optional accounts table (``id``, ``domain``, ``name`` and the
        fields its fit rules read); ``columns`` maps field names to headers, per table
        as ``{"profiles": {...}, "accounts": {...}}``. Contacts matching no account are
        left out (``match_accounts`` says which and why). The tables are read with the
        reading options, defaulting to the funnel's configuration as :meth:`rank`'s do.

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> leads = [{"id": "L1", "email": "cfo@acme.es", "employees": 900},
        ...          {"id": "L2", "email": "it@acme.es", "job_title": "CTO"}]
        >>> ranked = bf.Funnel().rank_accounts(
        ...     leads, [bf.Event("L2", "webinar_completed", at)], as_of=at)
        >>> top = ranked[0]
        >>> top.account_id, top.fit, top.engagement, top.roles_present
        ('acme.es', 50.0, 25.0, ('technical_buyer',))
        """
        options = self._options(
            tables={"profiles": leads, "events": events, "accounts": accounts},
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        rows, match = self._contacts(leads, accounts, options)
        read = read_events(events, options)
        # The rows are read: score them as Funnel.rank would, without reading them again.
        ranking = self.scoring._rank_rows(rows, self._aliased(read), as_of=as_of, progress=progress)
        return rank_scores(self.accounts, ranking, _by_id(rows), match, as_of)

    def score_account(
        self,
        account_id: str,
        leads: TableLike,
        events: Iterable[Event] | TableLike,
        *,
        as_of: datetime,
        accounts: TableLike | None = None,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
    ) -> AccountScore:
        """One account's score (see :meth:`rank_accounts`, and its reading options); only
        its contacts are scored.

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> s = bf.Funnel().score_account("acme.es", [{"id": "L1", "email": "a@acme.es"}],
        ...                               [], as_of=at)
        >>> s.total, s.next_action.describe()
        (0.0, 'reach the economic buyer; ask L1 (its best-scoring contact) for an introduction')
        """
        options = self._options(
            tables={"profiles": leads, "events": events, "accounts": accounts},
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        rows, match = self._contacts(leads, accounts, options)
        known = match.accounts
        if account_id not in known:
            raise InvalidInputError(
                f"no account {account_id!r} among the contacts or the accounts table"
                f"{did_you_mean(str(account_id), known)}",
                path="account_id",
            )
        members = set(known[account_id])
        mine = [row for row in rows if str(row.get("id")) in members]
        read = read_events(events, options)
        ranking = self.scoring._rank_rows(mine, self._aliased(read), as_of=as_of)
        return rank_scores(self.accounts, ranking, _by_id(mine), match, as_of, account_id)[0]

    def new_account_state(
        self, account_id: str, contacts: Iterable[Mapping[str, Any]]
    ) -> AccountState:
        """An account's live state: its contacts (profiles with an ``id``), no events
        yet. Feed it with :meth:`ingest_account`, combine partial states with
        :meth:`merge_account_states`, read it with :meth:`score_account_state`.

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
        >>> funnel = bf.Funnel()
        >>> state = funnel.new_account_state("acme", [{"id": "L1", "job_title": "CFO"}])
        >>> state = funnel.ingest_account(state, bf.Event("L1", "webinar_completed", at))
        >>> funnel.score_account_state(state, as_of=at).engagement
        25.0
        """
        fields = {f for rule in self.accounts.fit for f in rule.when.fields()}
        states, profiles = {}, {}
        for index, profile in enumerate(require_iterable(contacts, "contacts", "profiles")):
            lead = profile.get("id") if isinstance(profile, Mapping) else None
            if not isinstance(lead, str) or not lead:
                raise InvalidInputError("expected a profile with an id", path=f"contacts[{index}]")
            states[lead] = self.scoring.new_state(lead, profile)
            profiles[lead] = kept_fields(profile, fields)
        return AccountState(account_id, states, profiles)

    def ingest_account(self, state: AccountState, event: Event) -> AccountState:
        """The account's state with one more event of one of its contacts."""
        (event,) = self._aliased(list(_only_events([event])))
        if event.lead_id not in state.contacts:
            raise InvalidInputError(
                f"{event.lead_id!r} is not a contact of account {state.account_id!r}",
                path="event.lead_id",
            )
        contacts = dict(state.contacts)
        contacts[event.lead_id] = self.scoring.ingest(contacts[event.lead_id], event)
        return AccountState(state.account_id, contacts, state.profiles)

    def merge_account_states(self, a: AccountState, b: AccountState) -> AccountState:
        """One state of an account from two built from disjoint sets of its events
        (associative and commutative, as :meth:`ScoringModel.merge` is)."""
        return merge_states(self.scoring, a, b)

    def score_account_state(self, state: AccountState, *, as_of: datetime) -> AccountScore:
        """The account's score at ``as_of`` from its state (see :meth:`rank_accounts`)."""
        scores = sorted(
            (self.scoring.score_state(s, as_of=as_of) for s in state.contacts.values()),
            key=lambda s: (-s.total, s.lead_id),
        )
        leads = list(state.contacts)
        match = AccountMatch(dict.fromkeys(leads, state.account_id), dict.fromkeys(leads, "id"))
        return rank_scores(self.accounts, scores, state.profiles, match, as_of)[0]

    def _contacts(
        self, leads: TableLike, accounts: TableLike | None, options: ReadOptions
    ) -> tuple[list[Mapping[str, Any]], Any]:
        """The leads and the accounts as rows (each read once, by its kind's converter)
        and their match."""
        rows = list(rows_of(leads, options, "profiles", kind=profile_fields))
        listed = (
            None
            if accounts is None
            else list(rows_of(accounts, options, "accounts", kind=account_fields))
        )
        match = match_rows(rows, listed, self.accounts.by_name)
        return rows, match

    def _aliased(self, events: Iterable[Event]) -> Iterable[Event]:
        """``events`` with names the ``[aliases]`` table maps replaced (lazily)."""
        if not self.input.aliases:
            return events
        resolve = event_names((), self.input.aliases)
        return (
            e if (name := resolve(e.name)) == e.name else attrs.evolve(e, name=name) for e in events
        )

    def qualify(
        self,
        answers: Mapping[str, Any],
        *,
        as_of: datetime | None = None,
        language: str | None = None,
        ignore_unknown: bool = False,
        values: Mapping[str, Any] | None = None,
    ) -> Qualification:
        """Qualify a lead with the funnel's ``[qualification]`` policy (see :func:`qualify`).

        ``answers`` may be a CRM row as the command line reads one: blank cells (NaN
        too) are unknown, ISO dates are dates, ``Economic Buyer`` is ``economic_buyer``.
        ``ignore_unknown=True`` skips columns that are not criteria (``id``, ``name``...);
        by default they are refused, so a typo is caught. ``values`` (default: the
        funnel's ``[values]``) maps a CRM's answers onto the criteria's values
        (``{"budget": {"approved": ["Aprobado"]}}``).

        >>> import b2bfunnel as bf
        >>> from datetime import datetime, timezone
        >>> row = {"id": "L1", "budget": "Approved", "authority": "Economic Buyer",
        ...        "need": "", "timing": "2026-12-15"}
        >>> now = datetime(2026, 11, 23, tzinfo=timezone.utc)
        >>> bf.Funnel().qualify(row, as_of=now, ignore_unknown=True).missing
        ('need',)
        """
        options = self._options(values=values)
        if isinstance(answers, Mapping) and (options.values.labels or options.values.fallback):
            answers = options.values.relabel(answers)
        rows = answers_from_row(answers, self.qualification, ignore_unknown=ignore_unknown)
        return qualify(rows, policy=self.qualification, as_of=as_of, language=language)

    def kol_fit(self, candidate: KOLCandidate, brief: KOLBrief) -> KOLFit:
        """A KOL's fit with the funnel's ``[kol]`` weights and norms (see :func:`kol_fit`)."""
        return kol_fit(candidate, brief, config=self.kol)

    def simulate(
        self,
        profiles: Iterable[Mapping[str, Any]] | TableLike,
        events: Iterable[Event] | TableLike,
        *,
        until: datetime,
        progress: Progress | str | None = None,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, tuple[NurtureState, tuple[Action, ...]]]:
        """Run the nurture flow over each lead's history, to test a flow before switching
        it on: every lead is enrolled at its first event (or its profile's ``enrolled_at``),
        each event is scored with the funnel's scoring model as it happens, and the flow
        is advanced to ``until``. Returns each lead's final state and actions.
        ``progress`` is told how many leads were replayed (see :mod:`b2bfunnel.progress`).
        Either may be a table, read with the reading options as :meth:`rank` reads them."""
        require_aware(until, "until")
        options = self._options(
            tables={"profiles": profiles, "events": events},
            columns=columns,
            decimal=decimal,
            date_format=date_format,
            timezone=timezone,
            values=values,
            skip_invalid=skip_invalid,
        )
        read: Iterable[Any] = read_events(events, options)
        rows: Iterable[Any] = rows_of(profiles, options, "profiles", kind=profile_fields)
        require_iterable(read, "events", "Events")
        leads = {}
        for index, profile in enumerate(require_iterable(rows, "profiles", "profiles")):
            lead_id = profile.get("id") if isinstance(profile, Mapping) else None
            if not isinstance(lead_id, str) or not lead_id:
                raise InvalidInputError("expected a profile with an id", path=f"profiles[{index}]")
            leads[lead_id] = profile
        by_lead: dict[str, list[Event]] = {lead_id: [] for lead_id in leads}
        for event in self._aliased(_only_events(read)):
            if event.lead_id in by_lead and event.at <= until:
                by_lead[event.lead_id].append(event)
        out = {}
        for lead_id, profile in tracked(leads.items(), progress, "leads", "replayed"):
            history = by_lead[lead_id]
            start = profile.get("enrolled_at") or min((e.at for e in history), default=until)
            if isinstance(start, str):
                start = parse_datetime(start, f"profiles[{lead_id!r}].enrolled_at")
            out[lead_id] = self.flow.replay(
                lead_id,
                enrolled_at=start,
                events=history,
                as_of=until,
                score_of=self._running_score(lead_id, profile),
            )
        return out

    def _running_score(self, lead_id: str, profile: Mapping[str, Any]) -> Callable[[Event], Score]:
        """A function giving a lead's score at each event it is handed, in time order, as
        a live system would have seen it (kept incrementally, O(1) per event)."""
        state = self.scoring.new_state(lead_id, profile)

        def score_at(event: Event) -> Score:
            nonlocal state
            state = self.scoring.ingest(state, event)
            return self.scoring.score_state(state, as_of=event.at)

        return score_at


def _by_id(rows: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    return {str(row.get("id")): row for row in rows}


def _only_events(events: Iterable[Any]) -> Iterator[Event]:
    """``events``, refusing anything that is not an :class:`Event` where it is met."""
    for index, event in enumerate(events):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
            )
        yield event


publish(globals(), __all__, as_data=["Funnel"])
