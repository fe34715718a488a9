"""What the entry points accept as a table, for type checkers.

A table is any iterable of mappings (rows keyed by column) or a DataFrame. The
DataFrame is described by what it has (:class:`FrameLike`), so pandas' DataFrame fits
it without this package importing pandas, and strict ``mypy`` users with
pandas-stubs can pass one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol, TypeAlias

__all__ = ["Columns", "FrameLike", "TableLike"]


class FrameLike(Protocol):
    """A DataFrame: it has ``columns`` and ``to_dict`` (pandas' DataFrame does)."""

    @property
    def columns(self) -> Any:
        """The column labels."""

    @property
    def to_dict(self) -> Callable[..., Any]:
        """The frame as plain data."""


TableLike: TypeAlias = Iterable[Mapping[str, Any]] | FrameLike
"""Rows: an iterable of mappings (column -> value) or a DataFrame."""

Columns: TypeAlias = Mapping[str, str] | Mapping[str, Mapping[str, str]]
"""Field -> column header (``{"job_title": "Job Title"}``), or such mappings keyed by
the call's table parameter (``{"profiles": {...}, "outcomes": {...}}``)."""
