"""Company names in the form under which two spellings are the same company.

``ACME, S.L.U.``, ``Acmé SL`` and ``acme`` are one company: case, accents and
punctuation are dropped, and legal-form suffixes (``S.A.``, ``S.L.``, ``SLU``,
``Inc``, ``Ltd``, ``GmbH``, ``BV``, ``SAS`` ...) removed from the end.
"""

from __future__ import annotations

import functools
import re

from ._text import fold

__all__ = ["LEGAL_SUFFIXES", "company_key"]

# Legal forms, written without dots or spaces (how they read once punctuation goes):
# Spain, Latin America, the UK and US, Germany, the Netherlands, France, Italy,
# Portugal and the Nordics. Removed only at the end of a name, repeatedly
# ("Acme Holdings Ltd" keeps "holdings": it is part of the name).
LEGAL_SUFFIXES = frozenset(
    (
        "sa", "sl", "slu", "sau", "sll", "slne", "scoop", "sc", "scp", "sad", "sas", "sca",
        "sapi", "sadecv", "sacv", "srl", "spa", "sapa", "ltda", "eirl", "cb", "sarl", "eurl",
        "snc", "inc", "incorporated", "corp", "corporation", "co", "company", "llc", "llp",
        "lp", "ltd", "limited", "plc", "pllc", "pc", "gmbh", "ag", "kg", "ohg", "ug", "gbr",
        "ev", "mbh", "bv", "nv", "vof", "cv", "se", "ab", "as", "asa", "oy", "oyj", "aps",
        "lda", "pty", "bhd", "sdn", "kk", "sro", "spzoo", "zrt", "kft",
    )
)  # fmt: skip
# "S. de R.L. de C.V.", "S.A. de C.V.": Mexican forms joined by "de".
_JOINED = re.compile(r"\b(s(?: a| de r ?l)(?: de c ?v)?)$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_DOTTED = re.compile(r"\b(?:[a-z] ){1,5}[a-z]\b$")


@functools.lru_cache(maxsize=65_536)
def company_key(name: str) -> str:
    """The normalised form of a company name; empty when nothing but a legal form.

    >>> company_key("ACME, S.L.U."), company_key("Acmé SL"), company_key("Acme Inc.")
    ('acme', 'acme', 'acme')
    >>> company_key("Industrias Pérez S.A. de C.V."), company_key("Müller GmbH & Co. KG")
    ('industrias perez', 'muller')
    """
    text = fold(name).replace("&", " ").replace("'", "")
    text = " ".join(_NON_WORD.sub(" ", text).split())
    text = _JOINED.sub("", text).strip()
    words = text.split()
    while len(words) > 1:
        # "s l u" (from "S.L.U.") reads as one suffix: join trailing single letters.
        tail = _DOTTED.search(" ".join(words))
        if tail is not None and tail.group(0).replace(" ", "") in LEGAL_SUFFIXES:
            words = words[: len(words) - len(tail.group(0).split())]
            continue
        if words[-1] in LEGAL_SUFFIXES:
            words.pop()
            continue
        break
    return " ".join(words)
