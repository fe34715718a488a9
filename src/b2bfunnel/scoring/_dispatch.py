"""Event names to what a model does with them, each name matched once and remembered.

A CRM export writes an event's name as its tool does (``Webinar_Completed``); each
look-up below matches it under :func:`name_key` the first time and keeps the answer,
so the scoring loops stay one dict look-up per event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..tables._values import name_key

if TYPE_CHECKING:
    from ._named import Part

Targets = tuple[tuple[int, int, Any], ...]


class _Remembered(dict[str, Any]):
    """A look-up by event name that finds a name not seen yet once (:meth:`find`) and
    then remembers the answer, up to ``MEMO_SIZE`` names, so a hot loop stays one dict
    look-up per event."""

    MEMO_SIZE = 65_536

    def find(self, name: str) -> Any:
        raise NotImplementedError

    def __missing__(self, name: str) -> Any:
        found = self.find(name)
        if len(self) < self.MEMO_SIZE:
            self[name] = found
        return found


class Dispatch(_Remembered):
    """Event name -> the implicit rules it feeds (``None``: no rule). A name not written
    as a rule's event is matched under :func:`name_key` (``Webinar_Completed`` is
    ``webinar_completed``)."""

    def __init__(self, exact: dict[str, Targets]) -> None:
        super().__init__(exact)
        self.by_key: dict[str, Targets] = {}
        for name, targets in exact.items():
            self.by_key.setdefault(name_key(name), targets)

    def find(self, name: str) -> Targets | None:
        return self.by_key.get(name_key(name)) if isinstance(name, str) else None


class ResetNames(_Remembered):
    """Event name -> whether it resets behaviour points (``reset_on``), matched as rule
    events are (:func:`name_key`)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        super().__init__(dict.fromkeys(names, True))
        self.keys_ = frozenset(name_key(name) for name in names)

    def find(self, name: str) -> bool:
        return isinstance(name, str) and name_key(name) in self.keys_


class OwnedNames(_Remembered):
    """Event name -> whether a named score with rule entries of its own counts or resets
    on it, found through the scores' own look-ups."""

    def __init__(self, owned: tuple[Part, ...]) -> None:
        super().__init__()
        self.owned = owned

    def find(self, name: str) -> bool:
        return any(
            part.engine.dispatch[name] is not None
            or (part.engine.reset_names is not None and part.engine.reset_names[name])
            for part in self.owned
        )
