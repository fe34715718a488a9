"""NPS benchmarks: where a score stands in its sector."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from .._display import Displayed
from ..errors import InvalidInputError
from ..tables._values import require_items


@attrs.frozen
class NPSBenchmark:
    """A sector's reference NPS values: the average, the sector leader, international."""

    sector: str
    average: float
    leader: float
    international: float
    international_region: str = ""
    source: str = ""

    def __attrs_post_init__(self) -> None:
        for name in ("average", "leader", "international"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not (-100 <= value <= 100)
            ):
                raise InvalidInputError(f"expected an NPS -100..100, got {value!r}",
                                        path=f"benchmark.{name}")  # fmt: skip


SOURCE = "B2B Spain 2024"
# DOMAIN.md's table: average / sector leader / international reference.
B2B_SPAIN_2024: tuple[NPSBenchmark, ...] = (
    NPSBenchmark("saas", 15, 45, 30, "US", SOURCE),
    NPSBenchmark("consulting", 22, 50, 35, "Europe", SOURCE),
    NPSBenchmark("financial_services", -1, 25, 34, "US", SOURCE),
    NPSBenchmark("manufacturing", 8, 30, 20, "global", SOURCE),
)


@attrs.frozen(repr=False)
class NPSPosition(Displayed):
    """Where ``score`` stands against a sector benchmark, in points and in words."""

    score: float
    benchmark: NPSBenchmark
    vs_average: float
    vs_leader: float
    vs_international: float
    label: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "score": self.score,
            "sector": self.benchmark.sector,
            "average": self.benchmark.average,
            "leader": self.benchmark.leader,
            "international": self.benchmark.international,
            "vs_average": self.vs_average,
            "vs_leader": self.vs_leader,
            "vs_international": self.vs_international,
            "label": self.label,
        }


def nps_position(
    score: float, sector: str, *, benchmarks: Iterable[NPSBenchmark] = B2B_SPAIN_2024
) -> NPSPosition:
    """Where an NPS stands in its sector: a +20 is excellent in one, mediocre in another.

    >>> print(nps_position(20, "saas").label)
    above the saas average (+15), below the sector leader (+45)
    >>> print(nps_position(20, "consulting").label)
    below the consulting average (+22)
    """
    if isinstance(score, bool) or not isinstance(score, int | float) or not -100 <= score <= 100:
        raise InvalidInputError(f"expected an NPS -100..100, got {score!r}", path="score")
    listed = require_items(
        benchmarks, NPSBenchmark, "benchmarks", "NPSBenchmark values", "an NPSBenchmark"
    )
    table = {b.sector: b for b in listed}
    if not isinstance(sector, str) or sector not in table:
        raise InvalidInputError(
            f"no benchmark for sector {sector!r}; known: {', '.join(sorted(table))}",
            path="sector",
        )
    ref = table[sector]
    if score >= ref.leader:
        label = f"at or above the {sector} leader ({ref.leader:+g})"
    elif score >= ref.average:
        label = (
            f"above the {sector} average ({ref.average:+g}), "
            f"below the sector leader ({ref.leader:+g})"
        )
    else:
        label = f"below the {sector} average ({ref.average:+g})"
    return NPSPosition(
        float(score), ref, score - ref.average, score - ref.leader, score - ref.international, label
    )
