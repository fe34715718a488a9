"""Nurture flows: behaviour-triggered sequences for "not now" leads. See ``docs/nurture.md``."""

from .._public import publish
from ._flow import NurtureFlow
from ._state import Action, HistoryEntry, NurtureState, due

__all__ = ["Action", "HistoryEntry", "NurtureFlow", "NurtureState", "due"]


publish(globals(), __all__, as_data=["NurtureFlow"])
