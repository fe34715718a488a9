"""Text normalisation shared by conditions and keyword matching."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Case- and accent-insensitive form of ``text`` with single spaces."""
    text = text.casefold()
    if not text.isascii():
        text = "".join(
            c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
        )
    return " ".join(text.split())


def word_form(text: str) -> str:
    """Folded text reduced to words between single spaces, padded: ``' director de it '``.

    ``word_form(needle) in word_form(text)`` is a whole-word (or whole-phrase) match.
    """
    return " " + " ".join(_NON_WORD.sub(" ", fold(text)).split()) + " "
