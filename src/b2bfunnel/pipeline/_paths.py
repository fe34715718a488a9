"""Mergeable Markov path counts: fit the Markov attribution model from pieces.

The Markov removal-effect model depends on journeys only through how many of them made
each step (channel to channel, to conversion or to null). Count each partition's
journeys, merge the counts (they add: associative, commutative, exact) and solve once,
equal to counting every journey together.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

import attrs

from ..errors import InvalidInputError
from ..tables._options import read_options
from ..tables._table import Columns, TableLike
from ._attribution import markov_transitions
from ._markov import CONVERSION, NULL, START, Transitions, count_transitions, removal_effects

__all__ = ["PathCounts"]

Step = tuple[str, str, int]


def _sorted_steps(value: Sequence[Step]) -> Sequence[Step]:
    return tuple(sorted(value)) if isinstance(value, list | tuple) else value


def _check_steps(_instance: Any, _attr: Any, value: Any) -> None:
    if not isinstance(value, tuple) or not all(
        isinstance(s, tuple)
        and len(s) == 3
        and isinstance(s[0], str)
        and isinstance(s[1], str)
        and type(s[2]) is int
        and s[2] > 0
        for s in value
    ):
        raise InvalidInputError("expected (state, next state, count > 0) steps", path="steps")


@attrs.frozen
class PathCounts:
    """How many journeys made each step ``(state, next state, count)``: mergeable, exact.

    >>> a = PathCounts.of([(["email", "webinar"], True)])
    >>> b = PathCounts.of([(["email"], False)])
    >>> a.merge(b) == PathCounts.of([(["email", "webinar"], True), (["email"], False)])
    True
    >>> sorted(a.merge(b).removal_effects())
    ['email', 'webinar']
    """

    steps: tuple[Step, ...] = attrs.field(converter=_sorted_steps, validator=_check_steps)

    @classmethod
    def of(cls, paths: Iterable[tuple[Sequence[str], bool]]) -> PathCounts:
        """Count journeys given as ``(channels in order, converted)``."""
        checked = []
        for index, item in enumerate(paths):
            if not (isinstance(item, tuple | list) and len(item) == 2):
                raise InvalidInputError(
                    f"expected (channels, converted), got {item!r}", path=f"paths[{index}]"
                )
            channels, converted = item
            if isinstance(channels, str) or not all(isinstance(c, str) and c for c in channels):
                raise InvalidInputError(
                    f"expected a list of channel names, got {channels!r}",
                    path=f"paths[{index}][0]",
                )
            if not isinstance(converted, bool):
                raise InvalidInputError(
                    f"expected true or false, got {converted!r}", path=f"paths[{index}][1]"
                )
            checked.append((list(channels), converted))
        return cls._counted(count_transitions(checked))

    @classmethod
    def _counted(cls, transitions: Transitions) -> PathCounts:
        return cls(tuple((a, b, n) for a, step in transitions.items() for b, n in step.items()))

    @classmethod
    def from_touches(
        cls,
        touches: TableLike,
        deals: TableLike,
        *,
        by: str = "channel",
        lookback_days: float | None = 90,
        non_converting_after_days: float | None = 90,
        as_of: datetime | None = None,
        columns: Columns | None = None,
        decimal: str | None = None,
        date_format: str | Sequence[str] | None = None,
        timezone: str | tzinfo | None = None,
        values: Mapping[str, Any] | None = None,
        skip_invalid: bool = False,
        currency: str | None = None,
        rates: Mapping[str, Any] | None = None,
    ) -> PathCounts:
        """Count the journeys of touch and deal records exactly as the ``markov`` model of
        :func:`b2bfunnel.attribute` gathers them (same arguments, same touch-to-deal
        rules). Partition by lead: a lead's touches and deals in one partition. With
        ``non_converting_after_days`` set, ``as_of`` is required and must be the same
        for every partition (the whole data's latest time is not known to a part).
        The tables are read with the reading options, as :func:`b2bfunnel.attribute`
        reads them.

        >>> from datetime import datetime, timezone
        >>> t = lambda d: datetime(2026, 10, d, tzinfo=timezone.utc)
        >>> touches = [{"lead_id": "L1", "at": t(1), "channel": "email"}]
        >>> deals = [{"lead_id": "L1", "amount": 10, "outcome": "won",
        ...           "created_at": t(2), "closed_at": t(3)}]
        >>> PathCounts.from_touches(touches, deals, as_of=t(30)).steps
        (('(start)', 'email', 1), ('email', '(conversion)', 1))
        """
        transitions = markov_transitions(
            touches,
            deals,
            by=by,
            lookback_days=lookback_days,
            non_converting_after_days=non_converting_after_days,
            as_of=as_of,
            options=read_options(
                columns=columns,
                decimal=decimal,
                date_format=date_format,
                timezone=timezone,
                values=values,
                skip_invalid=skip_invalid,
                currency=currency,
                rates=rates,
            ),
            plain=all(o is None for o in (decimal, date_format, timezone, values, currency, rates))
            and not skip_invalid,
        )
        return cls._counted(transitions)

    def merge(self, other: PathCounts) -> PathCounts:
        """The counts of both sets of journeys."""
        if not isinstance(other, PathCounts):
            raise InvalidInputError(f"expected PathCounts, got {other!r}", path="other")
        total: Counter[tuple[str, str]] = Counter()
        for a, b, n in (*self.steps, *other.steps):
            total[a, b] += n
        return PathCounts(tuple((a, b, n) for (a, b), n in total.items()))

    def removal_effects(self) -> dict[str, float]:
        """Each channel's Markov removal effect (empty when no journey converted), as the
        ``markov`` model of :func:`b2bfunnel.attribute` computes it."""
        transitions: Transitions = {START: {}}
        for a, b, n in self.steps:
            transitions.setdefault(a, {})[b] = n
            if b not in (CONVERSION, NULL):  # the absorbing ends are not states to remove
                transitions.setdefault(b, {})
        return removal_effects(transitions)
