"""Splits of a flow into arms: reading them, and assigning a lead to an arm.

Assignment is a pure function of the flow's name, the split's name and the lead id:
the SHA-256 of the UTF-8 text ``flow + "\\x1f" + split + "\\x1f" + lead_id``, its first 8
bytes read big-endian and divided by 2**64, give ``u`` in [0, 1); the arm is the first,
in the order defined, whose cumulative normalised weight exceeds ``u``. The comparison
is exact (fractions), so no rounding moves a lead across a boundary."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from datetime import datetime
from fractions import Fraction
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from .._config import Reader, join
from ._definition import Arm, Split

SPLIT_KEYS = ("name", "status", "arms")
ARM_KEYS = ("weight", "templates", "holdout")
SEPARATOR = "\x1f"
_SCALE = 2**64


def unit(flow: str, split: str, lead_id: str) -> int:
    """The lead's position as an integer ``h``: u = h / 2**64."""
    text = f"{flow}{SEPARATOR}{split}{SEPARATOR}{lead_id}".encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")


@lru_cache(maxsize=256)
def _cutoffs(arms: tuple[Arm, ...]) -> tuple[int, ...]:
    """Per arm, the least integer position that is past it: ``cumulative / total >
    position / 2**64`` holds exactly when ``position < ceil(cumulative * 2**64 / total)``."""
    weights = [Fraction(arm.weight) for arm in arms]
    total = sum(weights, Fraction(0))
    cumulative = Fraction(0)
    out = []
    for weight in weights:
        cumulative += weight
        out.append(math.ceil(cumulative * _SCALE / total))
    return tuple(out)


def pick(arms: tuple[Arm, ...], position: int) -> Arm:
    """The first arm whose cumulative normalised weight exceeds ``position / 2**64``."""
    for arm, cutoff in zip(arms, _cutoffs(arms), strict=True):
        if position < cutoff:
            return arm
    return arms[-1]  # unreachable: the last cutoff is 2**64 > position


def assign(flow: str, split: Split, lead_id: str) -> Arm:
    """The arm of ``split`` that ``lead_id`` gets in the flow named ``flow``."""
    return pick(split.arms, unit(flow, split.name, lead_id))


class Arms:
    """A flow's splits, ready for the engine: by status, and each arm by name."""

    __slots__ = ("at", "by", "flow")

    def __init__(self, flow: str, splits: tuple[Split, ...]) -> None:
        self.flow = flow
        self.at: dict[str, tuple[Split, ...]] = {}
        for split in splits:
            self.at[split.status] = (*self.at.get(split.status, ()), split)
        self.by = {(split.name, arm.name): arm for split in splits for arm in split.arms}

    def assigned(
        self,
        lead_id: str,
        status: str,
        arms: Mapping[str, str],
        assigned_at: Mapping[str, datetime],
        at: datetime,
    ) -> tuple[Mapping[str, str], Mapping[str, datetime]]:
        """``arms`` and ``assigned_at`` with the splits of ``status`` the lead has not
        passed yet assigned at ``at``; a stored arm is never changed."""
        new = [split for split in self.at.get(status, ()) if split.name not in arms]
        if not new:
            return arms, assigned_at
        arms, assigned_at = dict(arms), dict(assigned_at)
        for split in new:
            arms[split.name] = assign(self.flow, split, lead_id).name
            assigned_at[split.name] = at
        return MappingProxyType(arms), MappingProxyType(assigned_at)

    def template(
        self, status: str, arms: Mapping[str, str], template: str | None, send: bool
    ) -> tuple[bool, str | None]:
        """Whether the lead's ``arms`` (of the splits at ``status``) let an action out,
        and the template they send instead. An arm the flow no longer has changes
        nothing."""
        for split in self.at[status]:
            arm = self.by.get((split.name, arms.get(split.name, "")))
            if arm is None:
                continue
            if arm.holdout and send:
                return False, template
            for source, target in arm.templates:
                if template == source:
                    template = target
                    break
        return True, template


def read_splits(
    data: Any,
    path: str,
    reader: Reader,
    statuses: Mapping[str, Any],
    templates: set[str],
) -> tuple[Split, ...]:
    """``splits``: an array of ``{name, status, arms}``; names unique, statuses known."""
    splits: list[Split] = []
    seen: set[str] = set()
    for index, item in enumerate(reader.array(data, path) or ()):
        at = join(path, index)
        table = reader.table(item, at, SPLIT_KEYS, required=SPLIT_KEYS)
        if table is None or not set(SPLIT_KEYS) <= set(table):
            continue
        name = _split_name(table["name"], join(at, "name"), reader)
        if name is not None and name in seen:
            reader.error(join(at, "name"), f"two splits are named {name!r}; names are unique")
        status = reader.string(table["status"], join(at, "status"))
        if status is not None and status not in statuses:
            reader.error(
                join(at, "status"), f"unknown status {status!r}; known: {', '.join(statuses)}"
            )
        arms = _read_arms(table["arms"], join(at, "arms"), reader, templates)
        if name is not None and status is not None and arms:
            seen.add(name)
            splits.append(Split(name, status, arms))
    return tuple(splits)


def _split_name(value: Any, path: str, reader: Reader) -> str | None:
    """A split's or arm's name: no control characters (the separator among them)."""
    name = reader.string(value, path)
    if name is not None and any(ord(c) < 32 or ord(c) == 127 for c in name):
        reader.error(path, f"a name cannot hold control characters, got {name!r}")
        return None
    return name


def _read_arms(data: Any, path: str, reader: Reader, templates: set[str]) -> tuple[Arm, ...]:
    """The arms table: name -> ``{weight, templates}`` or ``{weight, holdout = true}``."""
    if not isinstance(data, Mapping) or len(data) < 2:
        reader.error(path, "expected a table of at least two arms (name = { weight = N })")
        return ()
    before = len(reader.problems)
    arms = []
    for name, body in data.items():
        at = join(path, str(name))
        if _split_name(name, at, reader) is None:
            continue
        arm = _read_arm(str(name), body, at, reader, templates)
        if arm is not None:
            arms.append(arm)
    if sum(arm.holdout for arm in arms) > 1:
        reader.error(path, "one holdout arm at most")
    return tuple(arms) if len(reader.problems) == before else ()


def _read_arm(name: str, body: Any, at: str, reader: Reader, templates: set[str]) -> Arm | None:
    table = reader.table(body, at, ARM_KEYS, required=("weight",))
    if table is None or "weight" not in table:
        return None
    weight = reader.number(table["weight"], join(at, "weight"), exclusive_minimum=0)
    holdout = bool(reader.boolean(table.get("holdout", False), join(at, "holdout")))
    swaps: list[tuple[str, str]] = []
    if "templates" in table:
        if holdout:
            reader.error(join(at, "templates"), "a holdout sends nothing: give no templates")
        swaps = _read_swaps(table["templates"], join(at, "templates"), reader, templates)
    if weight is None or weight == float("inf"):
        if weight is not None:
            reader.error(join(at, "weight"), "expected a finite positive weight")
        return None
    return Arm(name, float(weight), tuple(swaps), holdout)


def _read_swaps(data: Any, path: str, reader: Reader, templates: set[str]) -> list[tuple[str, str]]:
    """``{ FROM = TO }``: both templates declared in the flow's ``templates``."""
    swaps: list[tuple[str, str]] = []
    if not isinstance(data, Mapping):
        reader.error(path, "expected a table of template = other template")
        return swaps
    for source, target in data.items():
        at = join(path, str(source))
        bad = [t for t in (source, target) if not isinstance(t, str) or t not in templates]
        if bad:
            reader.error(
                at,
                f"unknown template {bad[0]!r}; declare it in templates "
                f"(known: {', '.join(sorted(templates)) or 'none'})",
            )
            continue
        swaps.append((str(source), str(target)))
    return swaps
