"""Nurture flows as data: statuses, steps, transitions, and the checks on load."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

import attrs

from .._conditions import Condition

ANY = "*"
RESUME = "(resume)"
TIMERS = ("idle_days", "days_in_status", "sequence_end_days")
SCORE_GUARDS = ("hot", "at_least", "band")
LATE_POLICIES = ("send", "skip")
MIGRATIONS = ("continue", "restart")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FLOW_KEYS = (
    "name",
    "splits",
    "max_sends",
    "min_gap_hours",
    "priority",
    "version",
    "initial",
    "reenroll",
    "late_policy",
    "max_lateness_days",
    "auto_reply_property",
    "hot_threshold",
    "history_limit",
    "migration",
    "send_window",
    "templates",
    "statuses",
    "transitions",
    "goals",
    "suppress_on",
)
STATUS_KEYS = (
    "steps",
    "terminal",
    "pause",
    "contact_every_months",
    "contact_template",
    "on_reentry",
)
STEP_KEYS = ("after_days", "action", "template", "name")
REENTRY = ("resume", "restart")
SUPPRESS_ON = ("unsubscribe", "hard_bounce")
# Past about a century a delay means a typo; it would also overflow a datetime.
MAX_DAYS = 36_600
TRANSITION_KEYS = ("from", "to", "on", "actions", "name")
TRIGGER_KEYS = ("event", "where", "score", *TIMERS)
ACTION_KEYS = ("action", "template")
WINDOW_KEYS = ("days", "start_hour", "end_hour", "timezone")


@attrs.frozen
class Step:
    """One step of a status's sequence: ``action`` ``after_days`` after entering it."""

    after_days: float
    action: str
    template: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """How ``on_reentry`` names this step: its ``name``, else its template or action."""
        return self.name or self.template or self.action


@attrs.frozen
class ActionSpec:
    """An action a transition performs."""

    action: str
    template: str | None = None


@attrs.frozen
class Status:
    """A named status. ``pause`` statuses hold the progress of the status they
    interrupted; ``terminal`` ones end the flow; ``contact_every_months`` sends
    ``contact_template`` on that calendar rhythm (the archive's quarterly list);
    ``on_reentry`` (``resume``, ``restart`` or a step's name) says where a lead that
    comes back to the status starts."""

    name: str
    steps: tuple[Step, ...] = ()
    terminal: bool = False
    pause: bool = False
    contact_every_months: int | None = None
    contact_template: str | None = None
    on_reentry: str = "resume"

    def step_index(self, label: str) -> int:
        """The index of the step named ``label`` (checked on load)."""
        return [step.label for step in self.steps].index(label)


@attrs.frozen
class Trigger:
    """What fires a transition: an ``event`` (name or ``*``) with an optional ``where``
    condition and score guard, or a timer."""

    event: str | None = None
    where: Condition | None = None
    score: tuple[tuple[str, Any], ...] = ()
    timer: str | None = None
    days: float = 0.0


@attrs.frozen
class TransitionSpec:
    """From ``source`` (a status or ``*``) to ``target`` (a status or ``(resume)``);
    a ``goal`` reaches its terminal status from every other status, terminal ones too."""

    name: str
    source: str
    target: str
    trigger: Trigger
    actions: tuple[ActionSpec, ...] = ()
    goal: bool = False


@attrs.frozen
class SendWindow:
    """When e-mails may go out, in the lead's time zone (``timezone`` the default)."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start_hour: int = 9
    end_hour: int = 18
    timezone: str = "UTC"


@attrs.frozen
class MaxSends:
    """At most ``count`` sends in any window of ``per_days`` days of exact time."""

    per_days: float
    count: int


@attrs.frozen
class Arm:
    """One arm of a split: its ``weight``, the ``templates`` it sends instead of others
    (from, to), or ``holdout`` (the control path: every ``send*`` action withheld)."""

    name: str
    weight: float
    templates: tuple[tuple[str, str], ...] = ()
    holdout: bool = False


@attrs.frozen
class Split:
    """Leads entering ``status`` are split into ``arms`` by weight (see ``flow.arm``)."""

    name: str
    status: str
    arms: tuple[Arm, ...]


class FlowDefinition(Protocol):
    """What the engine reads of a flow (``NurtureFlow`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def splits(self) -> tuple[Split, ...]: ...
    @property
    def max_sends(self) -> MaxSends | None: ...
    @property
    def min_gap_hours(self) -> float | None: ...

    @property
    def version(self) -> int: ...
    @property
    def initial(self) -> str: ...
    @property
    def statuses(self) -> tuple[Status, ...]: ...
    @property
    def transitions(self) -> tuple[TransitionSpec, ...]: ...
    @property
    def reenroll(self) -> bool: ...
    @property
    def late_policy(self) -> str: ...
    @property
    def max_lateness_days(self) -> float: ...
    @property
    def auto_reply_property(self) -> str: ...
    @property
    def hot_threshold(self) -> float: ...
    @property
    def history_limit(self) -> int: ...
    @property
    def migration(self) -> str: ...
    @property
    def send_window(self) -> SendWindow | None: ...
    @property
    def suppress_on(self) -> tuple[str, ...]: ...


def leaves(status: Status, spec: TransitionSpec, suppress_on: Collection[str]) -> bool:
    """Whether ``spec`` (from ``status`` or ``*``) may fire from ``status``: always from a
    non-terminal status; from a terminal one only a goal, or a suppression while the
    status still contacts the lead (the archive's quarterly e-mail), never to itself."""
    if not status.terminal:
        return True
    if spec.target == status.name:
        return False
    if spec.goal:
        return True
    sends = bool(status.steps) or status.contact_every_months is not None
    return sends and spec.trigger.event in suppress_on
