"""Where public names say they live, and how public values travel between processes.

:func:`publish` sets each exported class's and function's ``__module__`` to its public
home: ``b2bfunnel`` for the names of the package's ``__all__``, else the public module
that exports it (``b2bfunnel.scoring.Contribution``), so reprs, docs and pickles never
name a private module. A class's annotations are resolved first, in the module that
defines it, so ``typing.get_type_hints`` keeps working from the public home.

Spark, Dask and :mod:`multiprocessing` move values by pickling them. A default pickle
names the module a class is defined in, so moving a class would break every stored
pickle; and values holding read-only mappings or compiled conditions could not be
pickled at all. :func:`publish` gives each exported class a ``__reduce__`` that
rebuilds it through ``b2bfunnel._restore`` and its public path, from plain constructor
arguments (the validators run again on load) or, for the classes named in
``as_data``, from their ``to_dict`` data.
"""

from __future__ import annotations

import enum
import sys
import typing
from collections.abc import Callable, Iterable, Mapping
from types import FunctionType, MappingProxyType
from typing import Any

import attrs

__all__ = ["publish"]


def publish(
    namespace: Mapping[str, Any], names: Iterable[str], *, as_data: Iterable[str] = ()
) -> None:
    """Give the classes and functions among ``names`` their public home, and make the
    classes pickle through it.

    Called once by each public module or package, with its ``__all__`` (and by a
    private module defining a name of the package's ``__all__``). The classes in
    ``as_data`` travel as their ``to_dict`` data, rebuilt by ``from_dict``: those whose
    fields hold compiled code or private classes.
    """
    data = set(as_data)
    top = set(getattr(sys.modules.get("b2bfunnel"), "__all__", ()))
    for name in names:
        cls = namespace[name]
        home = "b2bfunnel" if name in top else str(namespace["__name__"])
        if isinstance(cls, FunctionType) and cls.__name__ == name:
            cls.__module__ = home
        if not isinstance(cls, type) or cls.__name__ != name:
            continue
        _settle(cls, home)
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


def _settle(cls: type, home: str) -> None:
    """Move ``cls`` to ``home``, its annotations (and those of the ``__init__`` attrs
    wrote for it) resolved where they were written."""
    if cls.__module__ in (home, "b2bfunnel"):  # settled already, the top level first
        return
    if "__annotations__" in cls.__dict__ and not issubclass(cls, enum.Enum):
        try:
            hints = typing.get_type_hints(cls, include_extras=True)
        except NameError:  # a name for type checkers only: tests/test_api.py reports it
            cls.__module__ = home
            return
        cls.__annotations__ = {key: hints[key] for key in vars(cls)["__annotations__"]}
        init = cls.__dict__.get("__init__")
        if attrs.has(cls) and isinstance(init, FunctionType):
            init.__annotations__ = {
                key: hints.get(key, hints.get(f"_{key}", value))
                for key, value in init.__annotations__.items()
            }
    cls.__module__ = home


def _public_path(cls: type) -> str:
    """The name ``b2bfunnel._restore`` finds ``cls`` by: relative to the package."""
    module = cls.__module__.removeprefix("b2bfunnel").removeprefix(".")
    return f"{module}.{cls.__qualname__}" if module else cls.__qualname__


def _restore_function() -> Any:
    # Looked up when pickling, by which time the package has finished loading.
    return sys.modules["b2bfunnel"]._restore


def _value_reducer(cls: type) -> Callable[[Any], tuple[Any, ...]]:
    """``__reduce__`` for an attrs class: its public name and constructor arguments."""
    name = _public_path(cls)
    fields = tuple(f.name for f in attrs.fields(cls) if f.init)

    def reduce(self: Any) -> tuple[Any, ...]:
        args = tuple(getattr(self, field) for field in fields)
        if MappingProxyType in map(type, args):  # the field's converter makes it read-only again
            args = tuple(dict(a) if type(a) is MappingProxyType else a for a in args)
        return (_restore_function(), (name, args))

    return reduce


def _reduce_data(self: Any) -> tuple[Any, ...]:
    return (_restore_function(), (_public_path(type(self)), (self.to_dict(),), "from_dict"))


def _reduce_list(self: list[Any]) -> tuple[Any, ...]:
    return (_restore_function(), (_public_path(type(self)), (list(self),)))


def _reduce_member(self: enum.Enum, _protocol: int) -> tuple[Any, ...]:
    return (_restore_function(), (_public_path(type(self)), (self.value,)))


def _reduce_error(self: BaseException) -> tuple[Any, ...]:
    # Built without calling __init__ (whose arguments differ per error class), then
    # given back its attributes: path, message and, for ConfigError, problems.
    return (_restore_function(), (_public_path(type(self)), self.args, "__new__"), self.__dict__)
