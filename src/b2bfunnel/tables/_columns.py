"""Which column of a CRM's export holds which field, and which event name is which.

Shared by every way tables come in (CSV files on the command line, DataFrames in a
notebook): the CRM presets, ``FIELD=COLUMN`` mappings, the ``[columns.*]``,
``[aliases]`` and ``[input]`` configuration sections, the "did you mean" of a missing
column, and the resolution of a CRM's event names onto the model's.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from .._config import Reader, join
from .._time import read_zone
from ..errors import InvalidInputError
from ._currency import Currencies
from ._dates import read_formats
from ._labels import read_values
from ._values import name_key

__all__ = [
    "KINDS",
    "PRESETS",
    "InputConfig",
    "closest_column",
    "column_map",
    "event_names",
    "missing_column",
]

KINDS = (
    "leads",
    "events",
    "deals",
    "survey",
    "touches",
    "answers",
    "kols",
    "outcomes",
    "accounts",
    "contact_roles",
)

# Field -> header as each CRM writes it in its standard export (see docs/crm-export.md
# for the pages these headers come from).
PRESETS: Mapping[str, Mapping[str, Mapping[str, str]]] = {
    "hubspot": {
        "leads": {
            "id": "Record ID",
            "name": "First Name",
            "company": "Company Name",
            "job_title": "Job Title",
            "employees": "Number of Employees",
            "industry": "Industry",
            "country": "Country/Region",
            "lead_at": "Became a Lead Date",
            "mql_at": "Became a Marketing Qualified Lead Date",
            "sql_at": "Became a Sales Qualified Lead Date",
            "opportunity_at": "Became an Opportunity Date",
            "won_at": "Became a Customer Date",
        },
        "answers": {"id": "Record ID"},
        "accounts": {
            "id": "Record ID",
            "name": "Company name",
            "domain": "Company Domain Name",
            "employees": "Number of Employees",
            "industry": "Industry",
            "country": "Country/Region",
        },
        "events": {"lead_id": "Record ID", "name": "Activity Type", "at": "Activity Date"},
        "deals": {
            "lead_id": "Associated Contact",
            "amount": "Amount",
            "outcome": "Deal Stage",
            "created_at": "Create Date",
            "closed_at": "Close Date",
        },
    },
    "salesforce": {
        "leads": {
            "id": "Lead ID",
            "name": "Full Name",
            "company": "Company",
            "job_title": "Title",
            "employees": "No. of Employees",
            "industry": "Industry",
            "country": "Country",
        },
        "answers": {"id": "Lead ID"},
        "accounts": {
            "id": "Account ID",
            "name": "Account Name",
            "domain": "Website",
            "employees": "Employees",
            "industry": "Industry",
            "country": "Billing Country",
        },
        "events": {"lead_id": "Lead ID", "name": "Subject", "at": "Date"},
        "deals": {
            "deal_id": "Opportunity ID",
            "account_id": "Account ID",
            "lead_id": "Lead ID",
            "amount": "Amount",
            "outcome": "Stage",
            "created_at": "Created Date",
            "closed_at": "Close Date",
        },
        # An OpportunityContactRole export (a report or Data Loader).
        "contact_roles": {
            "deal_id": "Opportunity ID",
            "lead_id": "Contact ID",
            "role": "Role",
            "is_primary": "Is Primary",
        },
    },
    "pipedrive": {
        "leads": {
            "id": "Person - ID",
            "name": "Person - Name",
            "company": "Organization - Name",
            "job_title": "Person - Job title",
            "employees": "Organization - Number of employees",
            "industry": "Organization - Industry",
            "country": "Organization - Country",
        },
        "answers": {"id": "Person - ID"},
        "events": {
            "lead_id": "Person - ID",
            "name": "Activity - Type",
            "at": "Activity - Due date",
        },
        "deals": {
            "lead_id": "Person - ID",
            "amount": "Deal - Value",
            "outcome": "Deal - Status",
            "created_at": "Deal - Deal created",
            "closed_at": "Deal - Deal closed on",
            "won_at": "Deal - Won time",
            "lost_at": "Deal - Lost time",
            "currency": "Deal - Currency",
        },
    },
}


def closest_column(field: str, header: Sequence[str]) -> str | None:
    """The header most likely meant for ``field``: one whose words contain the field's
    (``id`` -> ``Record ID``), else the closest spelling.

    >>> closest_column("employees", ["Record ID", "Number of Employees"])
    'Number of Employees'
    """
    key = name_key(field)
    words = key.split()
    keys = {name_key(h): h for h in header if h}
    for column_key, column in keys.items():
        if words and all(w in column_key.split() for w in words):
            return column
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
    return keys[close[0]] if close else None


def missing_column(
    field: str,
    header: Sequence[str],
    *,
    path: str,
    mapped: str | None = None,
) -> InvalidInputError:
    """The error for a field with no column, naming the closest header and the fix
    (the ``columns=`` argument, which the command line shows as its own option).

    >>> missing_column("score", ["Score"], path="responses").message.split("; ")[1]
    "did you mean 'Score'? use columns={'score': 'Score'}"
    """
    shown = ", ".join(repr(h) for h in header if h) or "(none)"
    if mapped is not None:
        close = closest_column(mapped, header)
        hint = f"; did you mean {close!r}?" if close else ""
        return InvalidInputError(
            f"no column {mapped!r} (mapped to {field}){hint} the header has: {shown}",
            path=path,
        )
    close = closest_column(field, header)
    fix = f"columns={{{field!r}: {close!r}}}"
    hint = f"; did you mean {close!r}? use {fix}" if close else ""
    return InvalidInputError(f"missing column {field!r}{hint}; the header has: {shown}", path=path)


def column_map(
    kind: str,
    header: Sequence[str],
    *,
    preset: str | None = None,
    maps: Mapping[str | None, Mapping[str, str]] | None = None,
    config: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, str]:
    """Field -> column for a file of ``kind`` with ``header``.

    Later sources win: the ``preset``'s headers that the file has, then the
    configuration's ``[columns.KIND]``, then ``maps[None]`` for every file (where the
    file has the column), then ``maps[kind]``. A ``[columns.KIND]`` or ``maps[kind]``
    naming a missing column is an error when the file is opened.
    """
    if preset is not None and preset not in PRESETS:
        raise InvalidInputError(
            f"unknown CRM {preset!r}; expected one of {', '.join(PRESETS)}", path="preset"
        )
    present = set(header)
    out = {
        field: column
        for field, column in (PRESETS[preset].get(kind, {}) if preset else {}).items()
        if column in present and field not in present
    }
    out.update((config or {}).get(kind, {}))
    # A mapping for every file applies where its column is: a command's files differ.
    out.update((f, c) for f, c in (maps or {}).get(None, {}).items() if c in present)
    out.update((maps or {}).get(kind, {}))
    return {field: column for field, column in out.items() if field != column}


def event_names(
    known: Iterable[str], aliases: Mapping[str, str] | None = None
) -> Callable[[str], str]:
    """A function giving the model's name for a CRM's event name: an alias first, then
    a known name equal under :func:`name_key`, else the name as it is.

    >>> name = event_names(["webinar_completed"], {"Webinar Attended": "webinar_completed"})
    >>> name("Webinar_Completed"), name("webinar attended"), name("Page View")
    ('webinar_completed', 'webinar_completed', 'Page View')
    """
    table = {name_key(name): name for name in known}
    table.update({name_key(alias): name for alias, name in (aliases or {}).items()})
    memo: dict[str, str] = {}

    def resolve(name: str) -> str:
        found = memo.get(name)
        if found is None:
            found = memo[name] = table.get(name_key(name), name)
        return found

    return resolve


INPUT_SECTIONS = ("columns", "aliases", "input", "values", "currency")
INPUT_KEYS = ("timezone", "encoding", "delimiter", "decimal", "from", "date_format")


@attrs.frozen
class InputConfig:
    """How a funnel's input tables are read: the ``[columns.KIND]`` tables (field ->
    header), ``[aliases]`` (CRM event name -> model event name) and ``[input]``
    (``timezone``, ``encoding``, ``delimiter``, ``decimal``, ``from``, ``date_format``),
    ``[values.FIELD]`` (library value -> the CRM's labels) and ``[currency]`` (``base``
    and ``[currency.rates]``)."""

    columns: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    input: Mapping[str, Any] = attrs.field(factory=dict)
    values: Mapping[str, Any] = attrs.field(factory=dict)
    currency: Mapping[str, Any] = attrs.field(factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The sections as plain data (empty ones left out)."""
        out: dict[str, Any] = {}
        if self.columns:
            out["columns"] = {kind: dict(table) for kind, table in self.columns.items()}
        if self.aliases:
            out["aliases"] = dict(self.aliases)
        if self.input:
            out["input"] = dict(self.input)
        if self.values:
            out["values"] = {field: dict(table) for field, table in self.values.items()}
        if self.currency:
            out["currency"] = dict(self.currency)
        return out


def _strings(value: Any, path: str, reader: Reader, known: Sequence[str] = ()) -> dict[str, str]:
    """A table of non-empty strings (with only ``known`` keys, when given)."""
    if known:
        table = reader.table(value, path, known)
    elif isinstance(value, Mapping):
        table = value
    else:
        reader.error(path, "expected a table of strings")
        table = None
    out = {}
    for key, text in (table or {}).items():
        if known and key not in known:
            continue  # reported by reader.table
        if isinstance(text, str) and text.strip():
            out[str(key)] = text
        else:
            reader.error(join(path, str(key)), "expected a non-empty string")
    return out


def read_input(data: Mapping[str, Any], reader: Reader) -> InputConfig:
    """The ``columns``, ``aliases`` and ``input`` sections of a funnel configuration;
    problems go to ``reader``."""
    columns: dict[str, dict[str, str]] = {}
    if "columns" in data:
        table = reader.table(data["columns"], "columns", KINDS)
        for kind, value in (table or {}).items():
            if kind in KINDS:
                columns[kind] = _strings(value, join("columns", kind), reader)
    aliases = _strings(data["aliases"], "aliases", reader) if "aliases" in data else {}
    raw = data.get("input")
    formats = raw.get("date_format") if isinstance(raw, Mapping) else None
    if isinstance(raw, Mapping) and "date_format" in raw:
        raw = {k: v for k, v in raw.items() if k != "date_format"}
    settings: dict[str, Any] = _strings(raw, "input", reader, INPUT_KEYS) if "input" in data else {}
    if formats is not None:
        try:
            settings["date_format"] = list(read_formats(formats, "input.date_format"))
        except InvalidInputError as exc:
            reader.error(exc.path, exc.message)
    if settings.get("decimal", ".") not in (".", ","):
        reader.error("input.decimal", "expected '.' or ','")
    if "timezone" in settings:
        try:
            read_zone(settings["timezone"], "input.timezone")
        except InvalidInputError as exc:
            reader.error("input.timezone", exc.message)
    if settings.get("from") is not None and settings["from"] not in PRESETS:
        reader.error("input.from", f"expected one of {', '.join(PRESETS)}")
    values = data.get("values")
    if values is not None:
        read_values(values, reader)
    currency = data.get("currency")
    if currency is not None:
        _read_currency(currency, reader)
    return InputConfig(columns, aliases, settings, dict(values or {}), dict(currency or {}))


def _read_currency(value: Any, reader: Reader) -> None:
    table = reader.table(value, "currency", ("base", "rates"))
    if table is None:
        return
    rates = table.get("rates", {})
    if not isinstance(rates, Mapping):
        reader.error("currency.rates", "expected a table of CODE = rate")
        return
    try:
        Currencies.of(table.get("base"), rates)
    except InvalidInputError as exc:
        reader.error(join("currency", exc.path), exc.message)
