"""The errors b2bfunnel raises on purpose.

Every one is a :class:`B2BFunnelError` and carries ``.path``, a string locating the
offending item (``scoring.implicit[2].points``, ``events[17].at``), which also starts
its message.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ._public import publish

__all__ = ["B2BFunnelError", "ConfigError", "InvalidInputError", "Problem"]


class B2BFunnelError(Exception):
    """Base of every error the library raises on purpose."""

    path: str
    message: str

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
