"""The row of a score as ``b2bfunnel score`` writes it, shared by the command line and
the Spark and Dask adaptors (so their columns cannot drift apart)."""

from __future__ import annotations

from typing import Any

from .scoring import Score

__all__ = ["json_row", "score_row"]


def _reasons(score: Score, n: int = 3) -> str:
    # The compact rows: a Contribution per reason of 100,000 leads is most of the output's time.
    return "; ".join(f"{row[0]} {row[1]:+g}" for row in score.top_rows(n))


def score_row(score: Score) -> dict[str, Any]:
    """The output row of a score, after its rank: lead, score, band, grade, then
    ``score.<name>`` and ``band.<name>`` per named score, and reasons."""
    row = {
        "lead": score.lead_id,
        "score": round(score.total, 1),
        "band": score.band,
        "grade": score.grade,
    }
    for name, sub in score.scores.items():
        row[f"score.{name}"] = round(sub.total, 1)
        row[f"band.{name}"] = sub.band
    row["reasons"] = _reasons(score)
    return row


def json_row(score: Score) -> dict[str, Any]:
    """The JSON entry of a score: :meth:`Score.to_dict`, with ``score.<name>`` and
    ``band.<name>`` per named score, as the CSV has them."""
    row = score.to_dict()
    for name, sub in score.scores.items():
        row[f"score.{name}"] = sub.total
        row[f"band.{name}"] = sub.band
    return row
