"""The shapes of reports as tools export them: footers, second header rows, id forms.

A report export ends with lines that are not records ("Copyright ...", "Generado
por ...", a blank line): after the last record, a row with at most one non-empty
cell (when the header has two or more columns) is a footer. A survey export may
repeat its header on the row after it (``Response``, ``Open-Ended Response``, or the
column's own header): a second header. Salesforce writes ids in 15 characters in
reports and 18 in the API (the 15 and a checksum of their case); a 15-character id
whose 18-character form is among another table's ids is the same record, which
:func:`salesforce_id_hint` points out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from ._values import is_blank, name_key

__all__ = ["footer_start", "is_second_header", "salesforce_18", "salesforce_id_hint"]

SECOND_HEADER_WORDS = frozenset(("response", "open ended response"))


def footer_start(rows: Sequence[Mapping[str, Any]], width: int) -> int:
    """The index of the first footer row of ``rows`` (``len(rows)`` when none): the
    rows after the last one with two or more non-empty cells. A one-column file has
    no footer.

    >>> footer_start([{"a": "1", "b": "2"}, {"a": "Copyright 2026"}, {}], 2)
    1
    """
    if width < 2:
        return len(rows)
    end = len(rows)
    while end and sum(1 for v in rows[end - 1].values() if not is_blank(v)) <= 1:
        end -= 1
    return end


def is_second_header(
    row: Mapping[str, Any],
    required: Collection[str],
    valid: Callable[[str, str], bool],
    header_of: Callable[[str], str] = str,
) -> bool:
    """Whether ``row`` (the one right after the header) repeats it: no ``required``
    field holds a valid value (``valid(field, text)``) and some cell is ``Response``,
    ``Open-Ended Response`` or its own column's header (``header_of(field)``: the
    column as the file names it, when a mapping renamed it).

    >>> is_second_header({"score": "Response", "comment": "Open-Ended Response"},
    ...                  ["score"], lambda field, text: text.isdigit())
    True
    """
    if any(f in row and isinstance(row[f], str) and valid(f, row[f]) for f in required):
        return False
    return any(
        isinstance(text, str)
        and (
            name_key(text) in SECOND_HEADER_WORDS
            or name_key(text) in (name_key(str(column)), name_key(header_of(str(column))))
        )
        for column, text in row.items()
    )


_CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def salesforce_18(short: str) -> str:
    """The 18-character, case-safe form of a 15-character Salesforce id: the id and a
    checksum of three characters, one per five: bit ``i`` set when the ``i``-th of the
    five is an uppercase letter, the five bits picking a character of ``A``..``Z``,
    ``0``..``5``.

    >>> salesforce_18("00Q5g00000ABCDE")
    '00Q5g00000ABCDEEA5'
    """
    if len(short) != 15:
        raise ValueError(f"expected a 15-character id, got {short!r}")
    checksum = ""
    for start in range(0, 15, 5):
        bits = sum(1 << i for i, c in enumerate(short[start : start + 5]) if "A" <= c <= "Z")
        checksum += _CHECKSUM[bits]
    return short + checksum


def salesforce_id_hint(first: Iterable[str], second: Iterable[str]) -> int:
    """How many 15-character ids of one set are, by their checksum, an 18-character
    id of the other (Salesforce's case-sensitive and case-safe forms of the same
    record; the 18-character one compared without case, as it is meant to be) while
    not being an id there themselves.

    >>> salesforce_id_hint(["00Q5g00000ABCDE"], ["00Q5g00000ABCDEEA5"])
    1
    >>> salesforce_id_hint(["00Q5g00000ABCDE"], ["00Q5g00000ABCDEAAA"])  # another record
    0
    """
    one, two = set(first), set(second)
    count = 0
    for short, longs in ((one, two), (two, one)):
        safe = {i.casefold() for i in longs if len(i) == 18}
        count += sum(
            1
            for i in short
            if len(i) == 15 and i not in longs and salesforce_18(i).casefold() in safe
        )
    return count
