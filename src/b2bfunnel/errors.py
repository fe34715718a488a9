"""The errors b2bfunnel raises on purpose.

Every one is a :class:`B2BFunnelError` and carries ``.path``, a string locating the
offending item (``scoring.implicit[2].points``, ``events[17].at``,
``events.csv:3:at``), which also starts its message, and ``.parts``, the same path as
parts (``("scoring", "implicit", 2, "points")``; a file location is one part,
``"events.csv:3:"``). :meth:`InvalidInputError.relocate` moves an error under the
caller's own path: code never cuts a path string apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs

from ._public import publish

__all__ = ["B2BFunnelError", "ConfigError", "InvalidInputError", "Problem"]

Part = str | int
_SEGMENT = re.compile(r"([^\[]*)((?:\[\d+\])*)")


def split_path(path: str) -> tuple[Part, ...]:
    """The parts of ``path``: names, list indexes as ints, and a leading file location
    (``file:line:``) as one part. :func:`join_path` gives ``path`` back."""
    head: tuple[Part, ...] = ()
    if ":" in path:
        location, _, path = path.rpartition(":")
        head = (location + ":",)
    if not path:
        return head
    parts: list[Part] = []
    for segment in path.split("."):
        found = _SEGMENT.fullmatch(segment)
        if found is None or (not found[1] and parts and found[2]):
            parts.append(segment)  # not name[i][j]...: kept whole
            continue
        if found[1] or not found[2]:
            parts.append(found[1])
        parts.extend(int(index) for index in re.findall(r"\d+", found[2]))
    return (*head, *parts)


def join_path(parts: Sequence[Part]) -> str:
    """The path of ``parts``: ``name.key``, ``name[3]``, ``file:line:key``."""
    text = ""
    for index, part in enumerate(parts):
        if isinstance(part, int):
            text += f"[{part}]"
        elif index and not text.endswith(":"):
            text += "." + part
        else:
            text += part
    return text


class B2BFunnelError(Exception):
    """Base of every error the library raises on purpose."""

    path: str
    message: str

    @property
    def parts(self) -> tuple[Part, ...]:
        """``path`` as parts: names, list indexes (ints), a file location."""
        return split_path(self.path)

    def __init__(self, message: str, *, path: str = "") -> None:
        self.path = path
        self.message = message  # without the path, so a caller can re-locate it
        super().__init__(f"{path}: {message}" if path else message)


class InvalidInputError(B2BFunnelError, ValueError):
    """Bad data given to a function: wrong type, out of range, naive datetime...

    >>> import b2bfunnel as bf
    >>> try:
    ...     bf.Event("L1", "", at=None)  # type: ignore[arg-type]
    ... except bf.InvalidInputError as exc:
    ...     print(exc.path)
    event.name
    """

    def at(self, path: str) -> InvalidInputError:
        """The same error located at ``path``: for a caller that knows better where the
        bad item came from (a file, line and column; an item of its own list)."""
        return type(self)(self.message, path=path)

    def relocate(self, prefix: str, *, depth: int = 1) -> InvalidInputError:
        """The same error with the first ``depth`` parts of its path (its root, such as
        ``event`` in ``event.at``) replaced by ``prefix``: a path (``events[3]``) or a
        file location ending in ``:`` (``events.csv:4:``).

        >>> import b2bfunnel as bf
        >>> error = bf.InvalidInputError("empty cell", path="event.name")
        >>> error.relocate("events[3]").path, error.relocate("events.csv:4:").path
        ('events[3].name', 'events.csv:4:name')
        """
        return self.at(join_path((*split_path(prefix), *self.parts[depth:])))


@attrs.frozen
class Problem:
    """One problem found in a configuration: where, and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ConfigError(B2BFunnelError, ValueError):
    """A configuration is invalid. ``.problems`` lists every problem found.

    ``.path`` is the path of the first problem; the message lists all of them.
    """

    problems: tuple[Problem, ...]

    def __init__(self, problems: Iterable[Problem], *, what: str = "configuration") -> None:
        self.problems = tuple(problems)
        first = self.problems[0] if self.problems else Problem("", "invalid")
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if count == 1 else "problems"
        self.message = f"invalid {what}, {count} {noun}:\n{lines}"
        Exception.__init__(self, f"{first.path}: {self.message}")
        self.path = first.path


publish(globals(), __all__)
