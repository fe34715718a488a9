"""Money: always Decimal."""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal, InvalidOperation
from typing import Any

from .errors import InvalidInputError

# Every digit kept and exponents as wide as Decimal allows: sums and roundings of money
# in this context are exact whatever the size or precision of the amounts.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def decimal_of(value: Any, path: str, noun: str = "amount") -> Decimal:
    """A finite Decimal from a Decimal, an int, a numeric string or a finite float (via
    its repr); anything else raises, naming ``noun``."""
    article = "an" if noun[0] in "aeiou" else "a"
    if isinstance(value, bool):
        raise InvalidInputError(f"expected {article} {noun}, got {value!r}", path=path)
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidInputError(
                f"expected {article} {noun}, got {value!r}", path=path
            ) from None
    else:
        raise InvalidInputError(f"expected {article} {noun}, got {type(value).__name__}", path=path)
    if not number.is_finite():
        raise InvalidInputError(f"expected a finite {noun}, got {value!r}", path=path)
    return number


def money(value: Any, path: str) -> Decimal:
    """Money as Decimal: int, numeric string or finite float (via its repr), >= 0."""
    amount = decimal_of(value, path, "amount")
    if amount < 0:
        raise InvalidInputError(f"expected a finite amount >= 0, got {value!r}", path=path)
    return amount
