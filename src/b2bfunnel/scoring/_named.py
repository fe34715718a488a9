"""Named scores: several scores of one model, each over a selection of its rules.

A named score is the model restricted to the rules it names, with its own bands, hot
threshold, decay, ``max_total`` and ``reset_on`` where it gives them (the model's
otherwise). :class:`Part` is one compiled: the engine of that restricted model and
where its rule entries live in the lead's record, so every score of a lead is read
from one pass over its events (see ``docs/scoring.md``, "Named scores").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from .._config import Reader, did_you_mean, join
from .._tiers import Tier, read_tiers, tier_of, tiers_to_list
from .._time import from_ts
from ..errors import InvalidInputError
from ._engine import round_points
from ._result import SubScore
from ._rules import Decay, ExplicitRule, agree_hot, read_decay, read_reset_on

if TYPE_CHECKING:
    from ._engine import Engine
    from ._result import Row

SCORE_KEYS = ("rules", "hot_threshold", "bands", "decay", "max_total", "reset_on")


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise InvalidInputError(
            f"expected a list of rule names, got {type(value).__name__}", path="rules"
        )
    return tuple(value)


def _optional_names(value: Any) -> tuple[str, ...] | None:
    return None if value is None else _names(value)


def _optional_tiers(value: Any) -> tuple[Tier, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen
class NamedScore:
    """One named score of a model (``[scoring.scores.NAME]``): the model's rules it
    counts (by name; a rule may count in several scores) and what it sets apart from
    the model. Each of ``hot_threshold``, ``bands``, ``decay``, ``max_total`` and
    ``reset_on`` left as ``None`` is the model's.

    >>> NamedScore("product_a", ("pricing_page_visit",), hot_threshold=30).to_dict()
    {'rules': ['pricing_page_visit'], 'hot_threshold': 30}
    """

    name: str
    rules: tuple[str, ...] = attrs.field(converter=_names)
    hot_threshold: float | None = None
    bands: tuple[Tier, ...] | None = attrs.field(default=None, converter=_optional_tiers)
    decay: Decay | None = None
    max_total: float | None = None
    reset_on: tuple[str, ...] | None = attrs.field(default=None, converter=_optional_names)

    def to_dict(self) -> dict[str, Any]:
        """The score as ``[scoring.scores.NAME]`` data: the keys it gives."""
        out: dict[str, Any] = {"rules": list(self.rules)}
        if self.hot_threshold is not None:
            out["hot_threshold"] = self.hot_threshold
        if self.bands is not None:
            out["bands"] = tiers_to_list(self.bands)
        if self.decay is not None:
            out["decay"] = self.decay.to_dict()
        if self.max_total is not None:
            out["max_total"] = self.max_total
        if self.reset_on is not None:
            out["reset_on"] = list(self.reset_on)
        return out


# --- reading configuration --------------------------------------------------------


def read_scores(
    data: Any,
    path: str,
    reader: Reader,
    rule_names: Sequence[str],
    explicit: Sequence[ExplicitRule],
    threshold: float | None,
) -> tuple[NamedScore, ...]:
    """Read ``[scoring.scores]``: a table of named scores, every problem recorded.

    ``rule_names`` are the names of the model's rules as configured (so a rule that
    failed to read for another reason is not also reported unknown), ``explicit`` its
    profile rules (a score's ``max_total`` must hold their points) and ``threshold``
    the model's hot threshold (what a score without its own must agree with).
    """
    if not isinstance(data, Mapping):
        reader.error(path, f"expected a table of named scores, got {type(data).__name__}")
        return ()
    scores = []
    for name, spec in data.items():
        where = join(path, str(name))
        if not isinstance(name, str) or not name.strip():
            reader.error(where, f"expected a non-empty score name, got {name!r}")
            continue
        score = _read_score(name, spec, where, reader, rule_names, explicit, threshold)
        if score is not None:
            scores.append(score)
    return tuple(scores)


def _read_score(  # long: one check per key of a named score, each recording its problem
    name: str,
    data: Any,
    path: str,
    reader: Reader,
    rule_names: Sequence[str],
    explicit: Sequence[ExplicitRule],
    threshold: float | None,
) -> NamedScore | None:
    before = len(reader.problems)
    table = reader.table(data, path, SCORE_KEYS, required=("rules",))
    if table is None:
        return None
    rules = _read_rules(table.get("rules"), join(path, "rules"), reader, rule_names)
    own = None
    if "hot_threshold" in table:
        own = reader.number(
            table["hot_threshold"], join(path, "hot_threshold"), exclusive_minimum=0
        )
    bands = None
    if "bands" in table:
        bands = read_tiers(table["bands"], join(path, "bands"), reader)
        if bands is not None:
            given = own is not None
            agreed = agree_hot(bands, own if given else threshold, given, path, reader)
            if not given and agreed != threshold:
                own = agreed  # the score's band named "hot" sets its threshold
    decay = read_decay(table["decay"], join(path, "decay"), reader) if "decay" in table else None
    max_total = None
    if "max_total" in table:
        max_total = reader.number(table["max_total"], join(path, "max_total"), minimum=0)
        most = sum(r.points for r in explicit if r.points > 0 and r.name in (rules or ()))
        if max_total is not None and most > max_total:
            reader.error(
                join(path, "max_total"),
                f"{max_total:g} is below the {most:g} profile points of the score's rules; "
                "caps limit behaviour points only",
            )
    reset_on = None
    if "reset_on" in table:
        reset_on = read_reset_on(table["reset_on"], join(path, "reset_on"), reader)
    if len(reader.problems) != before or rules is None:
        return None
    return NamedScore(name, rules, own, bands, decay, max_total, reset_on)


def _read_rules(
    value: Any, path: str, reader: Reader, rule_names: Sequence[str]
) -> tuple[str, ...] | None:
    """A non-empty list of distinct names of the model's rules."""
    items = reader.array(value, path, non_empty=True)
    if items is None:
        return None
    before = len(reader.problems)
    names: list[str] = []
    for index, item in enumerate(items):
        where = join(path, index)
        rule = reader.string(item, where)
        if rule is None:
            continue
        if rule not in rule_names:
            known = ", ".join(rule_names) or "none"
            reader.error(
                where,
                f"unknown rule {rule!r}{did_you_mean(rule, rule_names)}; a named score "
                f"counts rules of the model by name (known: {known})",
            )
        elif rule in names:
            reader.error(where, f"{rule!r} is listed twice")
        else:
            names.append(rule)
    return tuple(names) if len(reader.problems) == before else None


# --- the restricted model ---------------------------------------------------------


def restricted(named: NamedScore, fields: Mapping[str, Any], default_bands: Any) -> dict[str, Any]:
    """The fields of the model that ``named`` scores with: the model's ``fields``
    restricted to the rules it names, with its own settings where it gives them.

    Without its own bands, a score with its own threshold gets the default bands of
    that threshold (cold, warm from 40% of it, hot), else the model's bands.
    """
    selected = set(named.rules)
    explicit = tuple(r for r in fields["explicit"] if r.name in selected)
    implicit = tuple(r for r in fields["implicit"] if r.name in selected)
    used = {r.group for r in (*explicit, *implicit)}
    threshold = named.hot_threshold
    if threshold is None and named.bands is not None:
        hot = next((t.min for t in named.bands if t.name == "hot" and t.min is not None), None)
        threshold = hot
    if threshold is None:
        threshold = fields["hot_threshold"]
    if named.bands is not None:
        bands = named.bands
    elif named.hot_threshold is not None:
        bands = default_bands(threshold)
    else:
        bands = fields["bands"]
    return {
        **fields,
        "hot_threshold": threshold,
        "explicit": explicit,
        "implicit": implicit,
        "decay": fields["decay"] if named.decay is None else named.decay,
        "bands": bands,
        "groups": tuple(g for g in fields["groups"] if g[0] in used),
        "max_total": fields["max_total"] if named.max_total is None else named.max_total,
        "reset_on": fields["reset_on"] if named.reset_on is None else named.reset_on,
        "scores": (),
    }


class Part:
    """One named score compiled: its engine (the restricted model's) and how its rule
    entries are found in a lead's record or state.

    ``shared`` parts have the model's decay and resets, so their rule entries are the
    model's own (``implicit`` gives their positions); the others keep their own
    entries, fed by the same pass over the events.
    """

    __slots__ = ("at", "engine", "explicit_at", "implicit", "name", "names", "shared", "slot")

    def __init__(self, name: str, engine: Engine, main: Engine, shared: bool) -> None:
        self.name = name
        self.engine = engine
        self.shared = shared
        self.slot = -1  # this part's place among the model's parts with their own entries
        positions = {rule.name: index for index, rule in enumerate(main.implicit)}
        self.implicit: tuple[int, ...] = tuple(positions[r.name] for r in engine.implicit)
        # The model's behaviour rule index -> this score's.
        self.at: dict[int, int] = {main_index: i for i, main_index in enumerate(self.implicit)}
        mine = {rule.name: index for index, rule in enumerate(engine.explicit)}
        # The model's profile rule index -> this score's, for the rules it counts.
        self.explicit_at: dict[int, int] = {
            index: mine[rule.name] for index, rule in enumerate(main.explicit) if rule.name in mine
        }
        # When no cap scales points and the decay factor does not depend on the decaying
        # total, each rule's points are the model's: the score's rows are the model's
        # rows of its rules (``names``), read rather than computed again.
        derived = (
            shared
            and not main.capped
            and not engine.capped
            and main.decay.kind not in ("linear", "stepwise")
        )
        self.names: frozenset[str] | None = (
            frozenset([*(r.name for r in engine.explicit), *(r.name for r in engine.implicit)])
            if derived
            else None
        )

    def explicit(self, matched: Sequence[int]) -> tuple[int, ...]:
        """This score's indices of the model's matched profile rules ``matched``."""
        at = self.explicit_at
        if not at or not matched:
            return ()
        return tuple(at[index] for index in matched if index in at)

    def shared_rules(self, accs: Sequence[Any]) -> list[Any]:
        """This score's rule entries, read from the model's ``accs``."""
        return [accs[index] for index in self.implicit]

    def score(
        self,
        explicit: Sequence[int],
        accs: Sequence[Any],
        last: float | None,
        asof_ts: float,
        hot_since: datetime | None,
        last_reset: float | None,
        rows: Sequence[Row] | None = None,
    ) -> SubScore:
        """This score of a lead: from the model's ``rows`` when they hold it (see
        :attr:`names`), else from its rule entries ``accs`` and matched profile rules
        ``explicit`` (this score's indices)."""
        names = self.names
        if rows is None or names is None:
            rows, names = self.engine.tally(explicit, accs, last, asof_ts)[0], None
        mine = []
        explicit_total = implicit_total = 0.0
        for row in rows:  # summed in the order tally() sums them
            if names is not None and row[0] not in names:
                continue
            mine.append(row)
            if row[2] == "explicit":
                explicit_total += row[1]
            else:
                implicit_total += row[1]
        explicit_total = round_points(explicit_total)
        implicit_total = round_points(implicit_total)
        total = round_points(explicit_total + implicit_total)
        engine = self.engine
        return SubScore(
            self.name,
            total,
            explicit_total,
            implicit_total,
            tier_of(engine.bands, total),
            total >= engine.hot_threshold,
            tuple(mine),
            hot_since,
            None if last_reset is None else from_ts(last_reset),
        )
