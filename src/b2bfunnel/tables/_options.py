"""One set of reading options, taken by every function that reads a table.

Every entry point that takes a table (profiles, events, deals, touches, responses,
candidates, outcomes, lifecycle records, accounts) takes the same keyword-only
options, checked here into one :class:`ReadOptions` value:

- ``columns``: field -> header (or such mappings per table parameter);
- ``decimal``: ``","`` or ``"."`` (numbers written as text; ``None``: ``"."``, and
  amounts settle their column's mark);
- ``date_format``: strptime formats of date text that is not ISO 8601 (tried in order);
- ``timezone``: the zone of times without an offset (an IANA name or a ``tzinfo``);
- ``values``: the CRM's labels of the library's values, ``{"outcome": {"won": [...]}}``;
- ``skip_invalid``: leave bad rows out (counted) instead of raising at the first;
- and where amounts are read, ``currency`` and ``rates`` (see :class:`Currencies`).

:func:`read_options` keeps their names and defaults in one place; a facade fills
the options not given from its configuration with :func:`config_options`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

import attrs

from .._time import read_zone
from ..errors import InvalidInputError
from ._columns import InputConfig, column_map
from ._currency import Currencies
from ._dates import DateReader, read_formats
from ._file import comma_decimal
from ._frames import _frame_kind, is_frame
from ._labels import ValueMap
from ._numbers import read_value

__all__ = [
    "MONEY_OPTIONS",
    "READ_OPTIONS",
    "ReadOptions",
    "all_at_once",
    "config_columns",
    "config_options",
    "is_time_field",
    "read_options",
]

# The names and defaults of the reading options, in signature order; amounts add
# ``MONEY_OPTIONS``. tests/test_reading_api.py checks every entry point against them.
READ_OPTIONS: Mapping[str, Any] = {
    "columns": None,
    "decimal": None,
    "date_format": None,
    "timezone": None,
    "values": None,
    "skip_invalid": False,
}
MONEY_OPTIONS: Mapping[str, Any] = {"currency": None, "rates": None}


def is_time_field(field: str) -> bool:
    """Whether ``field`` holds a date or time: ``at`` and every ``*_at``."""
    return field == "at" or field.endswith("_at")


@attrs.frozen
class ReadOptions:
    """The reading options of one call, checked.

    ``timezone`` is the zone as given (a name or a ``tzinfo``), for readers that take it
    as such; ``dates`` reads date text with the formats and the zone.
    """

    columns: Any = None
    decimal: str | None = None
    dates: DateReader = attrs.field(factory=DateReader)
    timezone: str | tzinfo | None = None
    values: ValueMap = attrs.field(factory=ValueMap)
    skip_invalid: bool = False
    currencies: Currencies = attrs.field(factory=Currencies)

    @property
    def zone(self) -> tzinfo | None:
        """The zone of times without an offset."""
        return self.dates.zone

    @property
    def rewrites(self) -> bool:
        """Whether cells need reading beyond what each record's own check does: date
        formats, labels, a decimal comma or a ``tzinfo`` zone given."""
        return bool(
            self.dates.formats
            or self.values.labels
            or self.values.fallback
            or self.decimal == ","
            or (self.timezone is not None and not isinstance(self.timezone, str))
        )

    def read_row(
        self,
        row: Mapping[str, Any],
        money: Collection[str] = (),
        decimal: str | None = None,
        times: Collection[str] | None = None,
        keep: Collection[str] = (),
    ) -> tuple[dict[str, Any], str | None]:
        """A row's cells read, and the currency its amounts carry: labels through
        ``values``; text of a time field (``times``, else :func:`is_time_field`) as a
        date, a naive datetime in the zone; text of a ``money`` field as an amount;
        other number text with the decimal comma read; the ``keep`` fields only
        relabelled (their record's converter reads them). Errors are at the field; a
        row with several bad fields is refused naming each (see :func:`all_at_once`)."""
        out = self.values.relabel(row) if self.values.labels or self.values.fallback else dict(row)
        code = None
        errors: list[InvalidInputError] = []
        for key, value in list(out.items()):
            if key in keep:
                continue
            try:
                code = self._read_cell(out, key, value, money, decimal, times, code)
            except InvalidInputError as exc:
                errors.append(exc)
        if errors:
            raise all_at_once(errors, "field")
        return out, code

    def _read_cell(
        self,
        out: dict[str, Any],
        key: Any,
        value: Any,
        money: Collection[str],
        decimal: str | None,
        times: Collection[str] | None,
        code: str | None,
    ) -> str | None:
        """Read one cell of ``out`` in place; the currency of the row's amounts."""
        zone = self.dates.zone
        if (times is None and isinstance(key, str) and is_time_field(key)) or (
            times is not None and key in times
        ):
            if type(value) is str and value.strip():
                out[key] = self.dates.read(value, str(key))
            elif isinstance(value, datetime) and value.tzinfo is None and zone is not None:
                out[key] = value.replace(tzinfo=zone)
        elif key in money and type(value) is str and value.strip():
            read = read_value(value, kind="money", decimal=decimal or ".", path=str(key))
            if read.value < 0:
                raise InvalidInputError(
                    f"{value!r} is negative; expected an amount >= 0", path=str(key)
                )
            if read.currency and code and read.currency != code:
                raise InvalidInputError(
                    f"{value!r} is in {read.currency} but the row's other amounts are in {code}",
                    path=str(key),
                )
            out[key] = read.value
            code = read.currency or code
        elif self.decimal == "," and type(value) is str:
            out[key] = comma_decimal(value)
        return code


def all_at_once(errors: Sequence[InvalidInputError], noun: str = "row") -> InvalidInputError:
    """One error for ``errors``: the error itself when there is one, else one naming
    each (at the first one's place).

    >>> one = InvalidInputError("bad date", path="deals[1].closed_at")
    >>> two = InvalidInputError("bad amount", path="deals[3].amount")
    >>> all_at_once([one]) is one
    True
    >>> print(all_at_once([one, two]).message)
    2 bad rows (fix them, or skip them with skip_invalid=True):
      deals[1].closed_at: bad date
      deals[3].amount: bad amount
    """
    if len(errors) == 1:
        return errors[0]
    shown = [f"  {e.path}: {e.message}" if e.path else f"  {e.message}" for e in errors[:20]]
    if len(errors) > 20:
        shown.append(f"  ... and {len(errors) - 20} more")
    fix = "fix them, or skip them with skip_invalid=True" if noun == "row" else "fix them"
    return InvalidInputError(
        f"{len(errors)} bad {noun}s ({fix}):\n" + "\n".join(shown), path=errors[0].path
    )


def _decimal(value: Any) -> str | None:
    if value not in (None, ".", ","):
        raise InvalidInputError(f"expected '.' or ',', got {value!r}", path="decimal")
    return value  # type: ignore[no-any-return]


def _zone(value: Any) -> tzinfo | None:
    if value is None or isinstance(value, tzinfo):
        return value
    if isinstance(value, str):
        return read_zone(value, "timezone")
    raise InvalidInputError(
        f"expected an IANA zone name such as 'Europe/Madrid' or a tzinfo, got {value!r}",
        path="timezone",
    )


def read_options(
    *,
    columns: Any = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
    currency: str | None = None,
    rates: Mapping[str, Any] | None = None,
    preset: str | None = None,
) -> ReadOptions:
    """The options of a call checked, each error at its parameter.

    >>> options = read_options(decimal=",", date_format="%d/%m/%Y", timezone="UTC")
    >>> options.dates.read("15/03/2026", "at").isoformat()
    '2026-03-15T00:00:00+00:00'
    """
    if not isinstance(skip_invalid, bool):
        raise InvalidInputError(
            f"expected True or False, got {skip_invalid!r}", path="skip_invalid"
        )
    if date_format is None:
        formats: tuple[str, ...] = ()
    else:
        given = [date_format] if isinstance(date_format, str) else date_format
        formats = read_formats(list(given) if isinstance(given, Sequence) else given, "date_format")
    if values is not None and not isinstance(values, Mapping):
        raise InvalidInputError(
            "expected a mapping of field -> {value: [labels]}, e.g. "
            "{'outcome': {'won': ['Closed Won']}}",
            path="values",
        )
    return ReadOptions(
        columns,
        _decimal(decimal),
        DateReader(formats, _zone(timezone)),
        timezone,
        ValueMap.of(preset, values),
        skip_invalid,
        Currencies.of(currency, rates),
    )


def config_options(config: InputConfig, given: Mapping[str, Any]) -> dict[str, Any]:
    """The reading options ``given`` to a facade's method, each one not given (``None``)
    taken from the configuration: ``[input]`` ``decimal``, ``date_format`` and
    ``timezone``, ``[values]``, ``[currency]`` ``base`` and ``rates``.

    >>> config = InputConfig(input={"decimal": ",", "timezone": "Europe/Madrid"})
    >>> config_options(config, {"decimal": ".", "timezone": None})
    {'decimal': '.', 'timezone': 'Europe/Madrid'}
    """
    settings = config.input
    fallback = {
        "decimal": settings.get("decimal"),
        "date_format": settings.get("date_format"),
        "timezone": settings.get("timezone"),
        "values": dict(config.values) or None,
        "preset": settings.get("from"),
        "currency": config.currency.get("base"),
        "rates": config.currency.get("rates"),
    }
    out = {
        name: value if value is not None else fallback.get(name) for name, value in given.items()
    }
    if "values" in given and fallback["preset"] is not None:
        out["preset"] = fallback["preset"]  # the preset's labels under the values
    return out


# The record kind (``[columns.KIND]``, a preset's table) of each table a facade reads.
TABLE_KINDS: Mapping[str, str] = {"profiles": "leads", "events": "events", "accounts": "accounts"}


def config_columns(config: InputConfig, tables: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The ``columns`` of a facade's call not given one, per table, as the command line
    maps a file's header: the ``[input] from`` preset's headers the table has, then
    ``[columns.KIND]`` (``profiles`` are ``leads``); ``tables`` maps each table's
    name to the table (a DataFrame or rows; other values give no header).

    >>> config = InputConfig(input={"from": "hubspot"}, columns={"leads": {"email": "E-mail"}})
    >>> config_columns(config, {"profiles": [{"Record ID": "1", "E-mail": "a@b.es"}]})
    {'profiles': {'id': 'Record ID', 'email': 'E-mail'}}
    """
    preset = config.input.get("from")
    out = {}
    for name, table in tables.items():
        kind = TABLE_KINDS[name]
        mapped = column_map(kind, _header(table), preset=preset, config=config.columns)
        if mapped:
            out[name] = mapped
    return out


def _header(table: Any) -> list[str]:
    """The headers of a DataFrame, or every key of a list of mappings; else none."""
    if table is None or not (is_frame(table) or isinstance(table, list | tuple)):
        return []
    if _frame_kind(table) == "arrow":
        return [str(c) for c in table.column_names]
    if is_frame(table):
        return [str(c) for c in table.columns]
    keys: dict[str, None] = {}
    for row in table:
        if isinstance(row, Mapping):
            keys.update(dict.fromkeys(str(k) for k in row))
    return list(keys)
