"""Reading single values as CRMs, CSV files and notebooks hold them.

One place decides what is blank, what is a number, what is a boolean and when two
names are the same, for the whole library. Duck typing only: numpy and pandas are
never imported here, yet their scalars, ``NaN``, ``NA`` and ``NaT`` read correctly.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from .._text import fold
from ..errors import InvalidInputError
from ._numbers import read_value

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "as_number",
    "as_range",
    "as_whole",
    "is_blank",
    "name_key",
    "read_bool",
    "read_number",
    "require_items",
    "require_iterable",
]

T = TypeVar("T")

TRUE_WORDS = frozenset(("true", "t", "yes", "y", "si", "1", "on"))
FALSE_WORDS = frozenset(("false", "f", "no", "n", "0", "off"))
_NULL_TYPES = frozenset(("NAType", "NaTType"))


def _is_boolean(value: Any) -> bool:
    """``bool`` or numpy's boolean scalar (named ``bool_`` before numpy 2, ``bool`` after)."""
    kind = type(value)
    return kind is bool or (kind.__module__ == "numpy" and kind.__name__ in ("bool", "bool_"))


def is_blank(value: Any) -> bool:
    """Whether ``value`` means "no value": ``None``, a blank string, NaN, pandas NA/NaT.

    >>> [is_blank(v) for v in (None, "", "  ", float("nan"), 0, "0", "x")]
    [True, True, True, True, False, False, False]
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return value != value
    if isinstance(value, bool | int | Decimal):
        return False
    if type(value).__name__ in _NULL_TYPES:
        return True
    if not isinstance(value, numbers.Integral) and hasattr(value, "__float__"):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return False
        return number != number
    return False


def as_whole(value: Any) -> int | None:
    """``value`` as an ``int`` when it is a whole-number type (``int``, numpy's integer
    scalars), never a bool; None for anything else.

    >>> as_whole(7), as_whole(True), as_whole(7.0)
    (7, None, None)
    """
    return _integral(value)


def _integral(value: Any) -> int | None:
    if _is_boolean(value):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, numbers.Integral) or (
        hasattr(value, "__index__") and not isinstance(value, str)
    ):
        try:
            return int(value.__index__())
        except (TypeError, ValueError):
            return None
    return None


def as_number(value: Any) -> float | None:
    """``value`` as a float when it is a number (numpy scalars and numeric strings
    included), else ``None``. NaN, blanks and booleans are not numbers; an integer too
    large for a float reads as ±infinity, so it still compares correctly.

    >>> as_number("1200"), as_number(7), as_number(True), as_number(float("nan"))
    (1200.0, 7.0, None, None)
    >>> as_number(10**400)
    inf
    """
    integral = _integral(value)
    if integral is not None:
        try:
            return float(integral)
        except OverflowError:
            return math.inf if integral > 0 else -math.inf
    if _is_boolean(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            read = read_number(text)
            return None if read is None else read[0]
    elif isinstance(value, Decimal):
        if value.is_nan():
            return None
        number = float(value)
    elif isinstance(value, float) or (hasattr(value, "__float__") and not is_blank(value)):
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
    else:
        return None
    return None if number != number else number


_RANGE = re.compile(r"(?P<low>[^-\u2013\u2014]+?)\s*(?:[-\u2013\u2014]|to)\s*(?P<high>.+)")


def read_number(text: str) -> tuple[float, str | None] | None:
    """A profile number as CRMs write it, with its currency (an ISO code) or ``None``,
    read by the one value reader (:func:`~b2bfunnel.tables._numbers.read_value`, ``.``
    as the decimal mark): digits grouped in threes, a symbol or code before or after,
    or a count with ``k``/``M`` (``12k`` employees; a profile field has no declared
    kind, and ``k`` with a currency is refused). Anything else is not a number (an
    ambiguous ``1,20`` included: never guessed).

    >>> read_number("1,200"), read_number("€12,500.00"), read_number("1 200 EUR")
    ((1200.0, None), (12500.0, 'EUR'), (1200.0, 'EUR'))
    >>> read_number("1,20") is None, read_number("12k"), read_number("€12k") is None
    (True, (12000.0, None), True)
    """
    for kind in ("money", "count"):
        try:
            value = read_value(text, kind=kind, path="")
        except InvalidInputError:
            continue
        return float(value.value), value.currency
    return None


def as_range(value: Any) -> tuple[float, float] | None:
    """A band of numbers as CRMs write employee counts: ``501-1000``, ``1,001 to 5,000``
    (or any dash), ``10,001+`` (no upper bound); ``None`` for anything else, plain
    numbers included.

    >>> as_range("501-1000"), as_range("10,001+")
    ((501.0, 1000.0), (10001.0, inf))
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith("+"):
        low = read_number(text[:-1])
        return None if low is None or low[0] < 0 else (low[0], math.inf)
    match = _RANGE.fullmatch(text)
    if match is None:
        return None
    low, high = read_number(match["low"]), read_number(match["high"])
    if low is None or high is None or low[0] < 0 or low[0] > high[0]:
        return None
    return low[0], high[0]


def read_bool(value: Any, *, path: str = "value") -> bool:
    """``value`` read as a boolean: ``True``/``False``, numpy booleans, 1/0, and the
    words true/false, t/f, yes/no, y/n, sí/no, on/off in any case, accents folded.

    Anything else raises :class:`InvalidInputError` at ``path``.

    >>> read_bool("Sí"), read_bool("false"), read_bool(0)
    (True, False, False)
    """
    if _is_boolean(value):
        return bool(value)
    integral = _integral(value)
    if integral in (0, 1):
        return bool(integral)
    if isinstance(value, str):
        word = fold(value)
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
    allowed = "true/false, yes/no, sí/no, t/f, y/n, on/off, 1/0"
    raise InvalidInputError(f"{value!r} is not a boolean; expected one of {allowed}", path=path)


def name_key(text: str) -> str:
    """The form under which two names (event names, enumerated answers) are the same:
    case- and accent-insensitive, with space, ``_`` and ``-`` alike.

    >>> name_key("Webinar_Completed"), name_key("WEBINAR-completed")
    ('webinar completed', 'webinar completed')
    """
    return " ".join(fold(text).replace("_", " ").replace("-", " ").split())


def require_items(value: Any, kind: type[T], path: str, what: str, item: str) -> list[T]:
    """``value`` as a list of ``kind`` (refused as :func:`require_iterable` refuses),
    else raise at the first item of another type, naming its index.

    >>> require_items(["half_life"], str, "kinds", "decay kinds", "a decay kind name")
    ['half_life']
    """
    listed = list(require_iterable(value, path, what))
    for index, element in enumerate(listed):
        if not isinstance(element, kind):
            shown = (
                repr(element)
                if isinstance(element, str | int | float | None)
                else (type(element).__name__)
            )
            raise InvalidInputError(f"expected {item}, got {shown}", path=f"{path}[{index}]")
    return listed


def require_iterable(value: Any, path: str, what: str = "items") -> Iterable[Any]:
    """``value`` if it is an iterable of ``what`` (a list, a generator...), else raise.

    A string, bytes or a mapping is refused: iterating it would walk characters or keys.

    >>> require_iterable([1, 2], "scores")
    [1, 2]
    """
    if isinstance(value, str | bytes | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"expected an iterable of {what} (a list, a generator...), got {type(value).__name__}",
            path=path,
        )
    return value
