"""The one reader of numbers as exports write them, and the decimal convention of a column.

Every numeric field (profile numbers, deal amounts, touch values, KOL followers and
costs, shares and rates) is read by :func:`read_value`: a currency symbol or ISO code
before or after (money only), digits grouped in threes, a decimal mark under the
given convention, ``k``/``K`` and ``m``/``M`` on counts only, ``%`` on shares only. A
cell it cannot read is refused, quoted as it is in the file; nothing is guessed.

:func:`settle_decimal` works out a column's decimal mark when none is given: a value
valid under only one convention (``1.5``, ``1,200.50``, ``1.200.000``) settles it; a
value valid under both with different readings (``1.200``, ``1,250``) is ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

import attrs

from ..errors import InvalidInputError

__all__ = [
    "AmbiguousNumbers",
    "Kind",
    "Value",
    "conventions",
    "read_value",
    "settle_decimal",
]

Kind = Literal["number", "money", "count", "share"]
DECIMALS = (".", ",")
SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "¥": "JPY", "₹": "INR"}
_SPACES = " \u00a0\u202f"
_MULTIPLIERS = {"k": Decimal(1000), "m": Decimal(1_000_000)}
_OUTER = re.compile(
    r"""(?P<sign1>[+-]?)\s*
    (?P<pre>[€$£¥₹]|[A-Z]{3}(?=[\s\d+-]))?\s*
    (?P<sign2>[+-]?)
    (?P<body>\d[\d.,'\s\u00a0\u202f]*?)
    \s*(?P<mult>[kKmM](?![A-Za-z]))?
    \s*(?P<pct>%)?
    \s*(?P<post>[€$£¥₹]|(?<=[\s\d])[A-Z]{3})?""",
    re.VERBOSE,
)


def _body(decimal: str) -> re.Pattern[str]:
    group = "[,'" + _SPACES + "]" if decimal == "." else "[.'" + _SPACES + "]"
    mark = re.escape(decimal)
    return re.compile(
        rf"(?:[1-9]\d{{0,2}}(?P<g>{group})\d{{3}}(?:(?P=g)\d{{3}})*|\d+)(?:{mark}\d+)?"
    )


_BODIES = {d: _body(d) for d in DECIMALS}


@attrs.frozen
class Value:
    """A number read from a cell: its value and the currency it was written in (an ISO
    code, ``None`` when unmarked)."""

    value: Decimal
    currency: str | None = None


def _digits(body: str, decimal: str) -> Decimal | None:
    if _BODIES[decimal].fullmatch(body) is None:
        return None
    kept = "".join(c for c in body if c.isdigit() or c == decimal)
    return Decimal(kept.replace(",", "."))


def conventions(text: str) -> dict[str, Decimal]:
    """The decimal marks under which ``text`` (the number part of a cell) is valid, with
    the value it reads as under each.

    >>> conventions("1.200")
    {'.': Decimal('1.200'), ',': Decimal('1200')}
    >>> conventions("1,200.50"), conventions("1 200")
    ({'.': Decimal('1200.50')}, {'.': Decimal('1200'), ',': Decimal('1200')})
    """
    match = _OUTER.fullmatch(text.strip())
    if match is None:
        return {}
    out = {}
    for decimal in DECIMALS:
        number = _digits(match["body"], decimal)
        if number is not None:
            out[decimal] = number
    return out


def _allowed(kind: Kind) -> str:
    return {
        "money": "an amount such as 12500.00, 12,500.00, EUR 12.500,00 (with decimal ',') "
        "or €12,500",
        "count": "a count such as 1200, 1,200, 12k or 1.2M",
        "share": "a share such as 0.25 or 25%",
        "number": "a number such as 1200 or 1,200.50",
    }[kind]


def read_value(text: str, *, kind: Kind = "number", decimal: str | None = None, path: str) -> Value:
    """The number in ``text`` as a field of ``kind`` reads it (see the module's notes);
    ``decimal`` is ``"."`` (the default) or ``","``.

    >>> read_value("EUR 12.500,00", kind="money", decimal=",", path="amount")
    Value(value=Decimal('12500.00'), currency='EUR')
    >>> read_value("12k", kind="count", path="followers").value
    Decimal('12000')
    >>> read_value("25%", kind="share", path="win_rate").value
    Decimal('0.25')
    """
    mark = decimal or "."
    if mark not in DECIMALS:
        raise InvalidInputError(f"decimal must be '.' or ',', got {decimal!r}", path="decimal")
    match = _OUTER.fullmatch(text.strip())

    def refuse(why: str) -> InvalidInputError:
        return InvalidInputError(f"{text!r} {why}; expected {_allowed(kind)}", path=path)

    if match is None or (match["sign1"] and match["sign2"]):
        raise refuse("is not a number")
    number = _digits(match["body"], mark)
    if number is None:
        other = "," if mark == "." else "."
        hint = f" (it reads with decimal {other!r})" if _digits(match["body"], other) else ""
        raise refuse(f"is not a number with decimal {mark!r}{hint}")
    pre, post = match["pre"], match["post"]
    if pre and post:
        raise refuse("has two currencies")
    currency = pre or post
    if currency and kind != "money":
        raise refuse(f"carries a currency ({currency})")
    if match["mult"]:
        if kind != "count":
            raise refuse(f"has a multiplier {match['mult']!r}, allowed on counts only")
        number *= _MULTIPLIERS[match["mult"].lower()]
    if match["pct"]:
        if kind != "share":
            raise refuse("has '%', allowed on shares and rates only")
        number /= 100
    if match["sign1"] == "-" or match["sign2"] == "-":
        number = -number
    return Value(number, SYMBOLS.get(currency, currency) if currency else None)


@attrs.frozen
class AmbiguousNumbers:
    """A numeric column whose values all read two ways (``1.200``: 1.2 or 1200) and
    none settles which: read with ``.`` as the decimal mark; ``fix`` says how to say."""

    column: str
    count: int
    example: str
    fix: str = "decimal=',' (or decimal='.' to keep this reading)"

    def to_dict(self) -> dict[str, object]:
        """Plain data."""
        return {
            "column": self.column,
            "count": self.count,
            "example": self.example,
            "fix": self.fix,
        }

    def warning(self) -> str:
        """The data report's line."""
        return (
            f"{self.count} values of {self.column!r} read two ways (e.g. {self.example!r}: "
            f"decimal '.' gives {conventions(self.example)['.']}, decimal ',' gives "
            f"{conventions(self.example)[',']}); read with '.'; say which with {self.fix}"
        )


def settle_decimal(
    column: str, texts: Iterable[str], *, path: str | None = None
) -> tuple[str, AmbiguousNumbers | None]:
    """The decimal mark of a column whose mark was not given, and its ambiguity if its
    values leave it open. A column with a value valid only under ``.`` and another valid
    only under ``,`` is refused, naming both.

    >>> settle_decimal("employees", ["1.200", "850", "2.500"])[1].count
    2
    >>> settle_decimal("employees", ["1.200", "1,5"])
    (',', None)
    """
    ambiguous = 0
    example = ""
    only: dict[str, str] = {}
    for text in texts:
        readings = conventions(text)
        if len(readings) == 1:
            only.setdefault(next(iter(readings)), text)
        elif len(readings) == 2 and readings["."] != readings[","]:
            ambiguous += 1
            example = example or text
    if len(only) == 2:
        raise InvalidInputError(
            f"column {column!r} mixes decimal marks: {only['.']!r} reads only with '.', "
            f"{only[',']!r} only with ','; make the column consistent",
            path=path or column,
        )
    if only:
        return next(iter(only)), None
    if ambiguous:
        return ".", AmbiguousNumbers(column, ambiguous, example)
    return ".", None
