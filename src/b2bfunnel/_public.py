"""How public values travel between processes: pickles that name only public names.

Spark, Dask and :mod:`multiprocessing` move values by pickling them. A default pickle
names the private module a class is defined in, so moving a class between private
modules would break every stored pickle; and values holding read-only mappings or
compiled conditions could not be pickled at all. :func:`publish` gives each exported
class a ``__reduce__`` that rebuilds it through ``b2bfunnel._restore`` and its public
name, from plain constructor arguments (the validators run again on load) or, for
the classes named in ``as_data``, from their ``to_dict`` data.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

__all__ = ["publish"]


def publish(
    namespace: Mapping[str, Any], names: Iterable[str], *, as_data: Iterable[str] = ()
) -> None:
    """Make the classes among ``names`` pickle through ``b2bfunnel.<name>``.

    Called once by each module or package that exports classes, with its ``__all__``.
    The classes in ``as_data`` travel as their ``to_dict`` data, rebuilt by
    ``from_dict``: those whose fields hold compiled code or private classes.
    """
    data = set(as_data)
    for name in names:
        cls = namespace[name]
        if not isinstance(cls, type) or cls.__name__ != name:
            continue
        # Enum defines __reduce_ex__, which pickle prefers to __reduce__.
        method = "__reduce_ex__" if issubclass(cls, enum.Enum) else "__reduce__"
        if name in data:
            setattr(cls, method, _reduce_data)
        elif issubclass(cls, enum.Enum):
            setattr(cls, method, _reduce_member)
        elif attrs.has(cls):
            setattr(cls, method, _value_reducer(cls))
        elif issubclass(cls, BaseException):
            setattr(cls, method, _reduce_error)
        elif issubclass(cls, list):
            setattr(cls, method, _reduce_list)


def _restore_function() -> Any:
    # Looked up when pickling, by which time the package has finished loading.
    return sys.modules["b2bfunnel"]._restore


def _value_reducer(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """``__reduce__`` for an attrs class: its public name and constructor arguments."""
    name = cls.__name__
    fields = tuple(f.name for f in attrs.fields(cls) if f.init)

    def reduce(self: Any) -> tuple[Any, ...]:
        args = tuple(getattr(self, field) for field in fields)
        if MappingProxyType in map(type, args):  # the field's converter makes it read-only again
            args = tuple(dict(a) if type(a) is MappingProxyType else a for a in args)
        return (_restore_function(), (name, args))

    return reduce


def _reduce_data(self: Any) -> tuple[Any, ...]:
    return (_restore_function(), (type(self).__name__, (self.to_dict(),), "from_dict"))


def _reduce_list(self: list[Any]) -> tuple[Any, ...]:
    return (_restore_function(), (type(self).__name__, (list(self),)))


def _reduce_member(self: enum.Enum, _protocol: int) -> tuple[Any, ...]:
    return (_restore_function(), (type(self).__name__, (self.value,)))


def _reduce_error(self: BaseException) -> tuple[Any, ...]:
    # Built without calling __init__ (whose arguments differ per error class), then
    # given back its attributes: path, message and, for ConfigError, problems.
    return (_restore_function(), (type(self).__name__, self.args, "__new__"), self.__dict__)
