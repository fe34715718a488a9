"""Ordered scales (bands and grades) shared by the contact and the account models:
a tier is named by the highest lower bound a value reaches."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import attrs

from ._config import Reader, join
from .errors import InvalidInputError

__all__ = ["Tier", "read_tiers", "tier_of", "tiers_to_list"]


@attrs.frozen
class Tier:
    """One named level of an ordered scale; ``min`` is its inclusive lower bound."""

    name: str = attrs.field()
    min: float | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidInputError(
                f"expected a non-empty name, got {self.name!r}", path="tier.name"
            )
        if self.min is not None and (
            isinstance(self.min, bool)
            or not isinstance(self.min, int | float)
            or not math.isfinite(self.min)
        ):
            raise InvalidInputError(
                f"expected a finite number or None, got {self.min!r}", path="tier.min"
            )


def tier_of(tiers: Sequence[Tier], value: float) -> str:
    """Name of the highest tier whose ``min`` is at most ``value``."""
    for tier in reversed(tiers):
        if tier.min is None or value >= tier.min:
            return tier.name
    return tiers[0].name


def read_tiers(data: Any, path: str, reader: Reader) -> tuple[Tier, ...] | None:
    """Read an ordered scale: ``[{name = "cold"}, {name = "warm", min = 40}, ...]``.

    Listed from lowest to highest; the first has no ``min``, the others strictly
    increasing ones; names are unique.
    """
    items = reader.array(data, path, non_empty=True)
    if items is None:
        return None
    before = len(reader.problems)
    tiers: list[Tier] = []
    previous: float | None = None
    for index, item in enumerate(items):
        where = join(path, index)
        table = reader.table(item, where, ("name", "min"), required=("name",))
        if table is None:
            continue
        name = reader.string(table.get("name"), join(where, "name")) if "name" in table else None
        low = None
        if index == 0:
            if "min" in table:
                reader.error(join(where, "min"), "the lowest tier has no min (it takes the rest)")
        elif "min" not in table:
            reader.error(join(where, "min"), "is required for every tier but the first")
        else:
            low = reader.number(table["min"], join(where, "min"))
            if low is not None and previous is not None and low <= previous:
                reader.error(
                    join(where, "min"),
                    f"must be greater than the previous tier's min {previous:g}; "
                    "list tiers from lowest to highest",
                )
            previous = low if low is not None else previous
        if name is not None:
            if any(t.name == name for t in tiers):
                reader.error(join(where, "name"), f"duplicate tier name {name!r}")
            tiers.append(Tier(name, low))
    if len(reader.problems) != before:
        return None
    return tuple(tiers)


def tiers_to_list(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    """A scale as configuration data."""
    return [{"name": t.name} if t.min is None else {"name": t.name, "min": t.min} for t in tiers]
