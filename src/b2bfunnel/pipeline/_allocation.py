"""Splitting whole units of money by weights so that the parts add up exactly."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from ..errors import InvalidInputError
from ..tables._values import as_number

# Below this many units a float share is off by far less than half a unit, so floors
# and remainders computed in floats are those of exact arithmetic (the sum is exact
# either way); above it the split is done in integers.
_FLOAT_SAFE = 2**40


def _integers(weights: Sequence[Any]) -> list[int]:
    """Integers in the same ratios as ``weights`` (ints, floats or fractions), exactly."""
    if type(weights[0]) is int and all(type(w) is int for w in weights):
        return list(weights)
    ratios = [Fraction(w) for w in weights]
    denominator = math.lcm(*(r.denominator for r in ratios))
    return [r.numerator * (denominator // r.denominator) for r in ratios]


def split_units(units: int, weights: Sequence[Any]) -> list[int]:
    """:func:`allocate` without the checks, for weights already known to be valid."""
    n = len(weights)
    if n == 1:
        return [units]
    total = sum(weights)
    # Sequence.count runs in C: these shortcuts are taken once per deal and model.
    if total <= 0 or weights.count(weights[0]) == n:
        base, left = divmod(units, n)  # equal shares: exact in integers
        return [base + 1 if i < left else base for i in range(n)]
    if weights.count(0) == n - 1:
        out = [0] * n
        out[next(i for i, w in enumerate(weights) if w)] = units
        return out
    if units < _FLOAT_SAFE and type(weights[0]) is float and all(type(w) is float for w in weights):
        shares = [units * w / total for w in weights]
        floors = [int(s) for s in shares]
        order = sorted(range(n), key=lambda i: (floors[i] - shares[i], i))
    else:
        whole = _integers(weights)
        exact_total = sum(whole)
        parts = [divmod(units * w, exact_total) for w in whole]
        floors = [q for q, _ in parts]
        order = sorted(range(n), key=lambda i: (-parts[i][1], i))
    for i in order[: units - sum(floors)]:
        floors[i] += 1
    return floors


def _weight(value: Any, path: str) -> Fraction | float:
    """A weight as an exact fraction (int, Decimal) or a float (floats, numpy numbers)."""
    number: Fraction | float | None = None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        if not isinstance(value, Decimal) or value.is_finite():
            number = Fraction(value)
    elif not isinstance(value, str):
        number = as_number(value)
    if number is None or not 0 <= number < math.inf:
        raise InvalidInputError(f"expected a finite weight >= 0, got {value!r}", path=path)
    return number


def allocate(units: int, weights: Sequence[Any]) -> list[int]:
    """Split whole ``units`` by ``weights`` exactly: each part is the floor of its share,
    and the units left over go one each to the largest remainders (ties to the earlier
    position). Weights are finite numbers >= 0; when all are 0 the shares are equal.

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    >>> allocate(10, [0.5, 0.25, 0.25])
    [5, 3, 2]
    """
    if isinstance(units, bool) or not isinstance(units, int) or units < 0:
        raise InvalidInputError(f"expected a whole number >= 0, got {units!r}", path="units")
    if isinstance(weights, str | bytes) or not isinstance(weights, Sequence):
        raise InvalidInputError(
            f"expected a sequence of weights, got {type(weights).__name__}", path="weights"
        )
    if not weights:
        raise InvalidInputError("expected at least one weight, got none", path="weights")
    return split_units(units, [_weight(w, f"weights[{i}]") for i, w in enumerate(weights)])
