"""The library's messages in the command line's words: parameters become options.

The library names its keyword parameters (``decimal=','``, ``date_format=``,
``currency='EUR'``, ``rates={'USD': ...}``); on the command line the same advice is an
option (``--decimal ,``, ``--date-format``, ``--currency EUR``, ``--rate USD=VALUE``).
"""

from __future__ import annotations

import re

_RULES = (
    (re.compile(r"decimal='([.,])'"), r"--decimal \1"),
    (re.compile(r"date_format=('[^']*')"), r"--date-format \1"),
    (re.compile(r"currency='([A-Z]{3})'"), r"--currency \1"),
    (re.compile(r"rates=\{'([A-Z]{3})': \.\.\.\}"), r"--rate \1=VALUE"),
    (re.compile(r"\bdate_format="), "--date-format"),
    (re.compile(r"\bcurrency="), "--currency"),
    (re.compile(r"\brates="), "--rate"),
    (re.compile(r"\btimezone="), "--timezone"),
    (re.compile(r"\bvalues=\{'(\w+)': \{'(\w+)': \['\.\.\.'\]\}\}"), r"[values.\1] \2 = [...]"),
)


def as_flags(text: str) -> str:
    """``text`` with the library's parameter advice given as command-line options.

    >>> as_flags("read with '.'; say which with decimal=',' (or decimal='.')")
    "read with '.'; say which with --decimal , (or --decimal .)"
    >>> as_flags("give currency='EUR' and rates={'USD': ...}")
    'give --currency EUR and --rate USD=VALUE'
    """
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    return text
