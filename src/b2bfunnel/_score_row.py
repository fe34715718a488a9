"""The row of a score as ``b2bfunnel score`` writes it, shared by the command line and
the Spark and Dask adaptors (so their columns cannot drift apart)."""

from __future__ import annotations

from typing import Any

from .scoring import Score
from .scoring._result import named_columns

__all__ = ["json_row", "score_row"]


def _reasons(score: Score, n: int = 3) -> str:
    # The compact rows: a Contribution per reason of 100,000 leads is most of the output's time.
    return "; ".join(f"{row[0]} {row[1]:+g}" for row in score.top_rows(n))


def score_row(score: Score) -> dict[str, Any]:
    """The output row of a score, after its rank: lead, score, band, grade, then
    ``score.<name>`` and ``band.<name>`` per named score, and reasons."""
    return {
        "lead": score.lead_id,
        "score": round(score.total, 1),
        "band": score.band,
        "grade": score.grade,
        **named_columns(score.scores, 1),
        "reasons": _reasons(score),
    }


def json_row(score: Score) -> dict[str, Any]:
    """The JSON entry of a score: :meth:`Score.to_dict`, with ``score.<name>`` and
    ``band.<name>`` per named score, as the CSV has them."""
    return {**score.to_dict(), **named_columns(score.scores)}
