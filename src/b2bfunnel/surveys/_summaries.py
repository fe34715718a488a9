"""The summary of an NPS comparison (``summary()``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._summary import Summary

if TYPE_CHECKING:  # for the signature only: the result module imports this one
    from ._core import NPSComparison

__all__ = ["comparison_summary"]


def comparison_summary(comparison: NPSComparison) -> Summary:
    """The difference ``b - a`` with its interval and p-value, then each sample's NPS
    with its own interval; the verdict as a note."""
    first, second = comparison.labels
    level = f"{comparison.confidence:.0%}"
    headline: list[tuple[str, Any]] = [
        ("responses", comparison.a.n + comparison.b.n),
        (f"difference ({second} - {first}, points)", comparison.difference),
        (f"{level} interval", comparison.interval),
        ("standard error", comparison.standard_error),
        ("p-value (two-sided)", comparison.p_value),
        ("significant", comparison.significant),
    ]
    samples = ((first, comparison.a), (second, comparison.b))
    rows = [
        (label, r.n, r.promoters, r.passives, r.detractors, r.score, r.interval)
        for label, r in samples
    ]
    notes = [comparison.verdict, *(f"{label}: {r.note}" for label, r in samples if r.note)]
    return Summary(
        f"NPS of {second} against {first}",
        [(label, value) for label, value in headline if value is not None],
        ("sample", "responses", "promoters", "passives", "detractors", "NPS", "interval"),
        rows,
        notes,
    )
