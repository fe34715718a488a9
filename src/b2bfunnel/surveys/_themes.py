"""What comments talk about: theme counts for promoters, passives and detractors."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import Any

import attrs

from .._display import Displayed
from .._text import word_form
from ..errors import InvalidInputError
from ..tables._table import Columns, TableLike
from ._core import CATEGORY
from ._survey import Response, read_answers

GROUPS = ("promoters", "passives", "detractors")


@attrs.frozen(repr=False)
class ThemeCounts(Displayed):
    """Comments per group (promoters' peaks, detractors' valleys) and theme counts."""

    comments: Mapping[str, int] = attrs.field(hash=False)
    themes: Mapping[str, Mapping[str, int]] = attrs.field(hash=False)
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {"comments": dict(self.comments),
                "themes": {g: dict(t) for g, t in self.themes.items()},
                "skipped": self.skipped}  # fmt: skip


def comment_themes(
    responses: TableLike | Iterable[Response],
    themes: Mapping[str, Sequence[str]],
    *,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> ThemeCounts:
    """Count comments per theme, separately for promoters, passives and detractors.

    A theme is a list of keywords matched as whole words or phrases, ignoring case and
    accents; a keyword ending in ``*`` matches as a word prefix (``precio*`` matches
    "precios"). A comment counts once per theme it mentions.

    >>> import b2bfunnel as bf
    >>> rs = [bf.Response(10, comment="Soporte rapidísimo"),
    ...       bf.Response(2, comment="Los precios suben cada año"),
    ...       bf.Response(3, comment="Too expensive, and support is slow")]
    >>> themes = {"price": ["precio*", "expensive"], "support": ["soporte", "support"]}
    >>> t = bf.comment_themes(rs, themes)
    >>> dict(t.themes["detractors"]), dict(t.themes["promoters"])
    ({'price': 2, 'support': 1}, {'price': 0, 'support': 1})
    """
    if not isinstance(themes, Mapping) or not themes:
        raise InvalidInputError("expected a mapping of theme names to keyword lists", path="themes")
    patterns: dict[str, tuple[str, ...]] = {}
    for name, keywords in themes.items():
        if isinstance(keywords, str) or not isinstance(keywords, Sequence) or not keywords:
            raise InvalidInputError("expected a non-empty list of keywords", path=f"themes.{name}")
        compiled = []
        for index, keyword in enumerate(keywords):
            if not isinstance(keyword, str) or not word_form(keyword.rstrip("*")).strip():
                raise InvalidInputError(f"expected a keyword, got {keyword!r}",
                                        path=f"themes.{name}[{index}]")  # fmt: skip
            form = word_form(keyword.rstrip("*"))
            compiled.append(form[:-1] if keyword.endswith("*") else form)
        patterns[name] = tuple(compiled)
    answers, skipped = read_answers(
        responses,
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    comments = dict.fromkeys(GROUPS, 0)
    counts = {group: dict.fromkeys(patterns, 0) for group in GROUPS}
    for response in answers:
        if not response.comment or not response.comment.strip():
            continue
        group = GROUPS[CATEGORY[response.score]]
        comments[group] += 1
        text = word_form(response.comment)
        for name, forms in patterns.items():
            if any(form in text for form in forms):
                counts[group][name] += 1
    return ThemeCounts(comments, counts, skipped)
