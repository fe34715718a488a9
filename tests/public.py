"""The package's public modules and names, as docs/api.md lists them."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import b2bfunnel as bf


def public_modules() -> list[str]:
    """Modules with no private part that set ``__all__``, the command line aside (its
    interface is its options, documented in docs/cli.md)."""
    found = ["b2bfunnel"]
    for info in pkgutil.walk_packages(bf.__path__, prefix="b2bfunnel."):
        parts = info.name.split(".")
        if any(part.startswith("_") for part in parts) or parts[1] == "cli":
            continue
        if hasattr(importlib.import_module(info.name), "__all__"):
            found.append(info.name)
    return found


def public_objects() -> Iterator[tuple[str, str, Any]]:
    """Each public name's module, name and object."""
    for module in public_modules():
        namespace = importlib.import_module(module)
        for name in namespace.__all__:
            yield module, name, getattr(namespace, name)


def public_classes() -> dict[str, type]:
    """Every public class by name (each defined once, whichever modules export it)."""
    return {
        name: obj
        for _module, name, obj in public_objects()
        if isinstance(obj, type) and obj.__name__ == name
    }
