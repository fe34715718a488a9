"""Amounts in several currencies: refused unless a base currency and rates convert them.

A :class:`Currencies` holds the base currency (``[currency] base``, ``currency=``)
and the rates (``CODE=VALUE`` pairs, ``[currency.rates]``, ``rates=``;
a rate is base per one unit of CODE). :meth:`Currencies.settle` says which currency a
file's amounts are in, or refuses the mix naming the currencies found;
:meth:`Currencies.convert` is ``Decimal * Decimal(rate)`` rounded half-even to the
base currency's minor unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

import attrs

from ..errors import InvalidInputError

__all__ = ["Currencies", "minor_unit", "parse_rate"]

# ISO 4217 minor units that are not 2.
_MINOR = {
    "JPY": 0,
    "KRW": 0,
    "CLP": 0,
    "ISK": 0,
    "VND": 0,
    "HUF": 2,
    "BHD": 3,
    "KWD": 3,
    "OMR": 3,
    "JOD": 3,
    "TND": 3,
}
_CODE = re.compile(r"[A-Z]{3}")


def minor_unit(code: str) -> int:
    """Digits after the decimal point of ``code``'s smallest unit (ISO 4217; 2 unless
    listed).

    >>> minor_unit("EUR"), minor_unit("JPY")
    (2, 0)
    """
    return _MINOR.get(code, 2)


def _code(value: Any, path: str) -> str:
    if not isinstance(value, str) or not _CODE.fullmatch(value.strip().upper()):
        raise InvalidInputError(f"expected an ISO 4217 code such as EUR, got {value!r}", path=path)
    return value.strip().upper()


def _rate(value: Any, path: str) -> Decimal:
    try:
        rate = Decimal(value if isinstance(value, str | int | Decimal) else repr(value))
    except (InvalidOperation, TypeError, ValueError):
        rate = Decimal("NaN")
    if not rate.is_finite() or rate <= 0 or isinstance(value, bool):
        raise InvalidInputError(f"expected a rate > 0, got {value!r}", path=path)
    return rate


def parse_rate(text: str, path: str = "rates") -> tuple[str, Decimal]:
    """``CODE=VALUE`` as a code and a rate.

    >>> parse_rate("USD=0.92")
    ('USD', Decimal('0.92'))
    """
    code, sep, value = text.partition("=")
    if not sep:
        raise InvalidInputError(f"expected CODE=VALUE such as USD=0.92, got {text!r}", path=path)
    return _code(code, path), _rate(value.strip(), path)


@attrs.frozen
class Currencies:
    """The base currency and rates (base per one unit of each code) of a run."""

    base: str | None = None
    rates: Mapping[str, Decimal] = attrs.field(factory=dict)

    @classmethod
    def of(cls, base: Any = None, rates: Mapping[str, Any] | None = None) -> Currencies:
        """Checked ``currency=`` and ``rates=``; rates need a base."""
        code = None if base is None else _code(base, "currency")
        checked = {_code(k, f"rates.{k}"): _rate(v, f"rates.{k}") for k, v in (rates or {}).items()}
        if checked and code is None:
            raise InvalidInputError("rates= needs currency= (the base currency)", path="rates")
        return cls(code, checked)

    def settle(self, found: Iterable[str], path: str) -> str | None:
        """The currency results are in, given the currencies the amounts carry; more
        than one without a base and a rate for each other one is refused."""
        codes = sorted(set(found))
        if self.base is not None:
            missing = [c for c in codes if c != self.base and c not in self.rates]
            if missing:
                rates = " and ".join(f"rates={{'{c}': ...}}" for c in missing)
                raise InvalidInputError(
                    f"amounts in {', '.join(missing)} need a rate to {self.base}: give {rates}",
                    path=path,
                )
            return self.base
        if len(codes) > 1:
            raise InvalidInputError(
                f"amounts mix currencies ({', '.join(codes)}); convert them to one: give "
                f"currency='{codes[0]}' and "
                + " and ".join(f"rates={{'{c}': ...}}" for c in codes[1:]),
                path=path,
            )
        return codes[0] if codes else None

    def convert(self, amount: Decimal, code: str | None) -> Decimal:
        """``amount`` (in ``code``; unmarked = the base) in the base currency.

        >>> Currencies.of("EUR", {"USD": "0.92"}).convert(Decimal("1000.005"), "USD")
        Decimal('920.00')
        """
        if self.base is None or code is None or code == self.base:
            return amount
        unit = Decimal(1).scaleb(-minor_unit(self.base))
        return (amount * self.rates[code]).quantize(unit, rounding=ROUND_HALF_EVEN)
