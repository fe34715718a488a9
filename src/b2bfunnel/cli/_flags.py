"""The library's words for its options, as the command line's flags.

The library speaks Python: its errors and notes name parameters (``encoding=``,
``skip_invalid=True``, ``columns={'id': 'Record ID'}``, a path ``timezone``). The
command line shows them as the flags a user types.

>>> as_flags("x.csv: 2 bad rows (fix them, or skip them with skip_invalid=True):")
'x.csv: 2 bad rows (fix them, or skip them with --skip-invalid):'
>>> as_flags("missing column 'id'; did you mean 'ID'? use columns={'id': 'ID'}")
"missing column 'id'; did you mean 'ID'? use --map id='ID'"
>>> as_flags("encoding: unknown text encoding 'rot13'")
"--encoding: unknown text encoding 'rot13'"
"""

from __future__ import annotations

import re

__all__ = ["as_flags"]

# Advice with values: the option as typed (from the values branch's messages).
_VALUED = (
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
# Parameter -> flag, where the two differ in more than the leading dashes.
_RENAMED = {"preset": "from", "columns": "map"}
_PARAMETERS = (
    "encoding|timezone|decimal|delimiter|date_format|currency|rates|values|preset|out_delimiter"
    "|out_decimal"
)
_COLUMNS = re.compile(r"columns=\{('[^']*'|\"[^\"]*\"): ('[^']*'|\"[^\"]*\")\}")
_SWITCH = re.compile(r"\bskip_invalid=True\b")
_NAMED = re.compile(rf"\b(?<![.\w])({_PARAMETERS})=(?=[\s,;)]|$)")
_PATH = re.compile(rf"^({_PARAMETERS}|skip_invalid): ")


def _flag(name: str) -> str:
    return "--" + _RENAMED.get(name, name).replace("_", "-")


def as_flags(text: str) -> str:
    """``text`` with the library's parameter names as the command line's flags.

    >>> as_flags("read with '.'; say which with decimal=',' (or decimal='.')")
    "read with '.'; say which with --decimal , (or --decimal .)"
    >>> as_flags("give currency='EUR' and rates={'USD': ...}")
    'give --currency EUR and --rate USD=VALUE'
    """
    for pattern, replacement in _VALUED:
        text = pattern.sub(replacement, text)
    text = _COLUMNS.sub(lambda m: f"--map {m.group(1).strip(chr(39) + chr(34))}={m.group(2)}", text)
    text = _SWITCH.sub("--skip-invalid", text)
    text = _NAMED.sub(lambda m: _flag(m.group(1)), text)
    return _PATH.sub(lambda m: _flag(m.group(1)) + ": ", text)
