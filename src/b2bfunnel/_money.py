"""Money: always Decimal."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import InvalidInputError


def money(value: Any, path: str) -> Decimal:
    """Money as Decimal: int, numeric string or finite float (via its repr)."""
    if isinstance(value, bool):
        raise InvalidInputError(f"expected an amount, got {value!r}", path=path)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidInputError(f"expected a finite amount, got {value!r}", path=path)
        amount = Decimal(str(value))
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise InvalidInputError(f"expected an amount, got {value!r}", path=path) from None
    else:
        raise InvalidInputError(f"expected an amount, got {type(value).__name__}", path=path)
    if not amount.is_finite() or amount < 0:
        raise InvalidInputError(f"expected a finite amount >= 0, got {value!r}", path=path)
    return amount
