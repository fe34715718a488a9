"""What a user must know about the data before trusting a score: no silent zeros.

:func:`data_report` looks at profiles and events the way a scoring model will read
them and says what will quietly score nothing: event names that match no rule,
events of leads with no profile, rule fields that no profile has, values of a
numeric condition that are not numbers, and fields mixing currencies. The command
line prints it on stderr; CRM code can log it.

>>> import b2bfunnel as bf
>>> from datetime import datetime, timezone
>>> at = datetime(2026, 11, 20, tzinfo=timezone.utc)
>>> report = bf.data_report(
...     bf.ScoringModel.default(),
...     [{"id": "L1", "job_title": "CTO", "Number of Employees": "850"}],
...     [bf.Event("L1", "Webinar Attended", at), bf.Event("L9", "webinar_completed", at)],
... )
>>> for line in report.warnings():
...     print(line)
1 of 2 events match no rule: 'Webinar Attended' 1 (map them with [aliases])
1 events are of leads with no profile
rules use 'employees'; no such column (did you mean 'Number of Employees'?)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import Any

import attrs

from ._display import Displayed
from ._public import publish
from .errors import InvalidInputError
from .events import Event
from .scoring import ScoringModel
from .tables._columns import closest_column
from .tables._numbers import AmbiguousNumbers, settle_decimal
from .tables._options import read_options
from .tables._read import read_events, rows_of
from .tables._shapes import salesforce_id_hint
from .tables._table import Columns, TableLike
from .tables._values import as_range, is_blank, name_key, read_number, require_iterable

__all__ = ["DataReport", "data_report"]

TOP = 10


@attrs.frozen(repr=False)
class DataReport(Displayed):
    """Counts of what would score nothing, each with a hint (see :meth:`warnings`)."""

    events: int = 0
    unmatched: tuple[tuple[str, int], ...] = ()
    unmatched_events: int = 0
    unknown_lead_events: int = 0
    missing_fields: tuple[tuple[str, str | None], ...] = ()
    not_numbers: tuple[tuple[str, int, str], ...] = ()
    mixed_currencies: tuple[tuple[str, tuple[str, ...]], ...] = ()
    ambiguous_numbers: tuple[AmbiguousNumbers, ...] = ()
    short_ids: int = 0

    def warnings(self) -> list[str]:
        """One line per finding, with its count and a hint; empty when all is well."""
        out = []
        if self.unmatched_events:
            top = ", ".join(f"{name!r} {n}" for name, n in self.unmatched)
            more = " ..." if len(self.unmatched) == TOP else ""
            out.append(
                f"{self.unmatched_events} of {self.events} events match no rule: {top}{more} "
                "(map them with [aliases])"
            )
        if self.unknown_lead_events:
            out.append(f"{self.unknown_lead_events} events are of leads with no profile")
        for field, close in self.missing_fields:
            hint = f" (did you mean {close!r}?)" if close else ""
            out.append(f"rules use {field!r}; no such column{hint}")
        for field, count, example in self.not_numbers:
            out.append(
                f"{count} values of {field!r} are not numbers (e.g. {example!r}); "
                "rules comparing it as a number skip them"
            )
        for field, symbols in self.mixed_currencies:
            out.append(f"{field!r} mixes currencies ({', '.join(symbols)}); not comparable")
        out.extend(found.warning() for found in self.ambiguous_numbers)
        if self.short_ids:
            out.append(
                f"{self.short_ids} lead ids of events are 15-character Salesforce ids whose "
                "18-character form is a profile's id (or the other way round): export both "
                "with the same form (the 18-character one is case-safe)"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return {
            "events": self.events,
            "unmatched": [list(pair) for pair in self.unmatched],
            "unmatched_events": self.unmatched_events,
            "unknown_lead_events": self.unknown_lead_events,
            "missing_fields": [list(pair) for pair in self.missing_fields],
            "not_numbers": [list(item) for item in self.not_numbers],
            "mixed_currencies": [[f, list(s)] for f, s in self.mixed_currencies],
            "ambiguous_numbers": [found.to_dict() for found in self.ambiguous_numbers],
            "short_ids": self.short_ids,
        }


def data_report(
    model: ScoringModel,
    profiles: TableLike,
    events: Iterable[Event] | TableLike = (),
    *,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> DataReport:
    """The :class:`DataReport` of ``profiles`` (mappings or a DataFrame; ``columns``
    maps field names to its headers) and ``events`` (:class:`Event` values or a table
    of them) under ``model``. Without ``decimal``, a numeric rule field whose text
    values all read two ways (``1.200``) is reported in ``ambiguous_numbers``; one
    mixing ``1.5`` and ``1,5`` is refused. The tables are read with the reading options
    (``date_format``, ``timezone``, ``values``, ``skip_invalid``), as every entry point
    reads them; number text is checked as written."""
    if not isinstance(model, ScoringModel):
        raise InvalidInputError(
            f"expected a ScoringModel, got {type(model).__name__}", path="model"
        )
    options = read_options(
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    # Rows not converted: the report describes a table, ids missing or not.
    leads = list(rows_of(profiles, attrs.evolve(options, decimal=None), "profiles"))
    events = read_events(events, options)
    for index, profile in enumerate(leads):
        if not isinstance(profile, Mapping):
            raise InvalidInputError(
                f"expected a mapping of profile fields, got {type(profile).__name__}",
                path=f"profiles[{index}]",
            )
    ids = {p.get("id") for p in leads}
    names: Counter[str] = Counter()
    strangers: set[str] = set()
    unknown = 0
    for index, event in enumerate(require_iterable(events, "events", "Events")):
        if not isinstance(event, Event):
            raise InvalidInputError(
                f"expected an Event, got {type(event).__name__}", path=f"events[{index}]"
            )
        names[event.name] += 1
        if event.lead_id not in ids:
            unknown += 1
            strangers.add(event.lead_id)
    return report_from_counts(model, leads, names, unknown, decimal=decimal, strangers=strangers)


def report_from_counts(
    model: ScoringModel,
    profiles: Iterable[Mapping[str, Any]],
    names: Mapping[str, int],
    unknown_lead_events: int,
    *,
    decimal: str | None = None,
    strangers: Iterable[str] = (),
) -> DataReport:
    """The report from event counts already taken (a reader streaming events counts
    them as they pass, instead of a second pass); ``strangers`` are the lead ids of
    events with no profile (a 15-character Salesforce id among them whose 18-character
    form is a profile's id, or the other way round, is counted in ``short_ids``)."""
    profiles = profiles if isinstance(profiles, list | tuple) else list(profiles)
    # Names match rules as the model matches them: exactly, else under name_key.
    known = {name_key(rule.event) for rule in model.implicit}
    unmatched = Counter({n: c for n, c in names.items() if name_key(n) not in known})
    fields: dict[str, bool] = {}
    for rule in model.explicit:
        for field, numeric in rule.when.fields().items():
            fields[field] = fields.get(field, False) or numeric
    seen: dict[str, int] = dict.fromkeys(fields, 0)
    bad: dict[str, tuple[int, str]] = {}
    currencies: dict[str, set[str]] = {}
    headers: dict[str, None] = {}
    texts: dict[str, list[str]] = {f: [] for f, numeric in fields.items() if numeric}
    for profile in profiles:
        headers.update(dict.fromkeys(profile))
        for field, numeric in fields.items():
            value = profile.get(field)
            if is_blank(value):
                continue
            seen[field] += 1
            if numeric and isinstance(value, str):
                _check_number(field, value, bad, currencies)
                texts[field].append(value)
    ambiguous = [] if decimal is not None else [settle_decimal(f, t)[1] for f, t in texts.items()]
    return DataReport(
        events=sum(names.values()),
        unmatched=tuple(unmatched.most_common(TOP)),
        unmatched_events=sum(unmatched.values()),
        unknown_lead_events=unknown_lead_events,
        missing_fields=tuple(
            (f, closest_column(f, [str(h) for h in headers])) for f, n in seen.items() if not n
        ),
        not_numbers=tuple((f, n, example) for f, (n, example) in bad.items()),
        mixed_currencies=tuple((f, tuple(sorted(s))) for f, s in currencies.items() if len(s) > 1),
        ambiguous_numbers=tuple(found for found in ambiguous if found is not None),
        short_ids=salesforce_id_hint(
            strangers, (str(p["id"]) for p in profiles if p.get("id") is not None)
        ),
    )


def _check_number(
    field: str, value: str, bad: dict[str, tuple[int, str]], currencies: dict[str, set[str]]
) -> None:
    number = read_number(value)
    if number is not None:
        if number[1]:
            currencies.setdefault(field, set()).add(number[1])
        return
    try:
        float(value)
    except ValueError:
        if as_range(value) is None:
            count, example = bad.get(field, (0, value))
            bad[field] = (count + 1, example)


publish(globals(), __all__)
