"""Reading and checking ``[scoring]`` configuration: defaults, rules, bands, caps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .._config import Reader, did_you_mean, join
from .._tiers import Tier, read_tiers
from .._time import read_zone
from ..errors import InvalidInputError
from ._named import read_scores
from ._rules import (
    ExplicitRule,
    ImplicitRule,
    agree_hot,
    read_decay,
    read_explicit,
    read_implicit,
    read_reset_on,
)

# Fingerprints of the default model in earlier releases. Their rule layout (rule
# count, events and kinds) is today's default's, so a state saved under one is
# re-based onto today's default instead of refused.
PREVIOUS_DEFAULT_FINGERPRINTS = frozenset(("a6eaa570a039",))

MODEL_KEYS = (
    "hot_threshold",
    "max_total",
    "bands",
    "grade",
    "groups",
    "explicit",
    "implicit",
    "decay",
    "timezone",
    "reset_on",
    "scores",
)

# The default fit rule's IT leader: a senior word and an IT word, or a C-level IT
# title, and none of the words of other functions or junior roles. English and
# Spanish, feminine forms included; compared as whole words, accents folded.
IT_TITLE_WORDS = [
    "it", "ti", "tic", "technology", "technologies", "information technology",
    "information systems", "systems", "engineering", "infrastructure", "cybersecurity",
    "information security", "tecnologia", "tecnologias", "tecnologico", "tecnologica",
    "sistemas", "informatica", "ingenieria", "infraestructura", "ciberseguridad",
    "seguridad informatica",
]  # fmt: skip
SENIOR_TITLE_WORDS = [
    "director", "head", "vp", "svp", "evp", "vice president", "chief",
    "directora", "subdirector", "subdirectora", "jefe", "jefa", "responsable", "gerente",
    "vicepresidente", "vicepresidenta",
]  # fmt: skip
C_LEVEL_IT_WORDS = [
    "cio", "cto", "ciso", "chief information officer", "chief technology officer",
    "chief technical officer", "chief information security officer",
]  # fmt: skip
NOT_IT_LEADER_WORDS = [
    "sales", "marketing", "finance", "financial", "human resources", "hr", "people",
    "recruiter", "recruiting", "talent", "assistant", "secretary", "intern", "trainee",
    "project", "projects", "team lead", "chief of staff",
    "ventas", "comercial", "financiero", "financiera", "finanzas", "recursos humanos",
    "rrhh", "seleccion", "asistente", "secretario", "secretaria", "becario", "becaria",
    "proyecto", "proyectos", "equipo",
]  # fmt: skip

DEFAULT_CONFIG: dict[str, Any] = {
    "hot_threshold": 100,
    "explicit": [
        {
            "name": "it_leader_at_large_company",
            "points": 50,
            "when": {
                "all": [
                    {"field": "employees", "gte": 500},
                    {
                        "any": [
                            {"field": "job_title", "words": C_LEVEL_IT_WORDS},
                            {
                                "all": [
                                    {"field": "job_title", "words": SENIOR_TITLE_WORDS},
                                    {"field": "job_title", "words": IT_TITLE_WORDS},
                                ]
                            },
                        ]
                    },
                    {"not": {"field": "job_title", "words": NOT_IT_LEADER_WORDS}},
                ]
            },
        }
    ],
    "implicit": [
        {"name": "pricing_page_visit", "event": "pricing_page_visit", "points": 15},
        {"name": "case_study_download", "event": "case_study_download", "points": 10},
        {"name": "webinar_completed", "event": "webinar_completed", "points": 25},
        {"name": "email_case_study_click", "event": "email_case_study_click", "points": 20},
    ],
    "decay": {"kind": "inactivity"},
    "grade": {
        "fit": [{"name": "D"}, {"name": "C", "min": 15}, {"name": "B", "min": 30},
                {"name": "A", "min": 50}],
        "engagement": [{"name": "4"}, {"name": "3", "min": 15}, {"name": "2", "min": 40},
                       {"name": "1", "min": 75}],
    },
}  # fmt: skip


def default_bands(hot_threshold: float) -> tuple[Tier, ...]:
    """``cold`` < 40% of the hot threshold <= ``warm`` < hot threshold <= ``hot``."""
    return (Tier("cold"), Tier("warm", 0.4 * hot_threshold), Tier("hot", hot_threshold))


def _read_grade(data: Any, path: str, reader: Reader) -> dict[str, tuple[Tier, ...]]:
    table = reader.table(data, path, ("fit", "engagement"))
    out: dict[str, tuple[Tier, ...]] = {}
    for axis in ("fit", "engagement"):
        source = table[axis] if table is not None and axis in table else None
        if source is None:
            source = DEFAULT_CONFIG["grade"][axis]
            tiers = read_tiers(source, join(path, axis), Reader())
        else:
            tiers = read_tiers(source, join(path, axis), reader)
        if tiers is not None:
            out[axis] = tiers
    return out


def _read_groups(data: Any, path: str, reader: Reader) -> tuple[tuple[str, float | None], ...]:
    if not isinstance(data, Mapping):
        reader.error(path, f"expected a table of groups, got {type(data).__name__}")
        return ()
    groups: list[tuple[str, float | None]] = []
    for name, spec in data.items():
        where = join(path, str(name))
        table = reader.table(spec, where, ("max_points",))
        cap = None
        if table is not None and "max_points" in table:
            cap = reader.number(table["max_points"], join(where, "max_points"), minimum=0)
        groups.append((str(name), cap))
    return tuple(groups)


def read_model(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[scoring]`` section into :class:`ScoringModel` fields; None if invalid."""
    table = reader.table(data, path, MODEL_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    merged = {**DEFAULT_CONFIG, **table}
    threshold = reader.number(
        merged["hot_threshold"], join(path, "hot_threshold"), exclusive_minimum=0
    )
    max_total = None
    if "max_total" in table:
        max_total = reader.number(table["max_total"], join(path, "max_total"), minimum=0)
    explicit: list[ExplicitRule] = []
    items = reader.array(merged["explicit"], join(path, "explicit"))
    if items is not None:
        explicit = reader.each(items, join(path, "explicit"), read_explicit)
    implicit: list[ImplicitRule] = []
    items = reader.array(merged["implicit"], join(path, "implicit"))
    if items is not None:
        implicit = reader.each(items, join(path, "implicit"), read_implicit)
    decay = read_decay(merged["decay"], join(path, "decay"), reader)
    grade = _read_grade(merged.get("grade", {}), join(path, "grade"), reader)
    groups = _read_groups(table.get("groups", {}), join(path, "groups"), reader)
    if "bands" in table:
        bands = read_tiers(table["bands"], join(path, "bands"), reader)
        if bands is not None:
            threshold = agree_hot(bands, threshold, "hot_threshold" in table, path, reader)
    else:
        bands = default_bands(threshold) if threshold is not None else None
    timezone = _read_timezone(table.get("timezone", "UTC"), join(path, "timezone"), reader)
    reset_on = read_reset_on(table.get("reset_on", []), join(path, "reset_on"), reader)
    _check_references(table, groups, path, reader)
    scores = read_scores(
        table.get("scores", {}),
        join(path, "scores"),
        reader,
        _rule_names(table),
        explicit,
        threshold,
    )
    _check_caps(explicit, groups, max_total, path, reader)
    if len(reader.problems) != before:
        return None
    return {
        "hot_threshold": threshold,
        "explicit": tuple(explicit),
        "implicit": tuple(implicit),
        "decay": decay,
        "bands": bands,
        "fit_grades": grade["fit"],
        "engagement_grades": grade["engagement"],
        "groups": groups,
        "max_total": max_total,
        "timezone": timezone,
        "reset_on": reset_on,
        "scores": scores,
    }


def _rule_names(table: Mapping[str, Any]) -> list[str]:
    """The names of the rules as configured (read or not), profile rules first."""
    names = []
    for section in ("explicit", "implicit"):
        items = table.get(section, DEFAULT_CONFIG[section])
        if isinstance(items, list | tuple):
            names += [
                item["name"]
                for item in items
                if isinstance(item, Mapping) and isinstance(item.get("name"), str)
            ]
    return names


def _read_timezone(value: Any, path: str, reader: Reader) -> str:
    """The IANA zone whose calendar days and weeks ``max_per_day``/``max_per_week`` count."""
    name = reader.string(value, path)
    if name is None:
        return "UTC"
    try:
        read_zone(name, path)
    except InvalidInputError as exc:
        reader.error(path, exc.message)
    return name


def _check_references(
    table: Mapping[str, Any],
    groups: Sequence[tuple[str, float | None]],
    path: str,
    reader: Reader,
) -> None:
    """Rule names are unique; every group a rule names is declared under ``groups``.

    Reads the configured lists themselves, so each problem has the rule's own index.
    """
    seen: dict[str, str] = {}
    group_names = [name for name, _ in groups]
    for section in ("explicit", "implicit"):
        items = table.get(section, DEFAULT_CONFIG[section])
        if not isinstance(items, list | tuple):
            continue
        for index, item in enumerate(items):
            if not isinstance(item, Mapping):
                continue
            where = join(join(path, section), index)
            name, group = item.get("name"), item.get("group")
            if isinstance(name, str):
                if name in seen:
                    reader.error(
                        join(where, "name"),
                        f"duplicate rule name {name!r} (also at {seen[name]}); "
                        "contributions are reported by rule name",
                    )
                seen.setdefault(name, where)
            if isinstance(group, str) and group not in group_names:
                known = ", ".join(group_names) or "none declared"
                reader.error(
                    join(where, "group"),
                    f"unknown group {group!r}{did_you_mean(group, group_names)}; "
                    f"declare it under [{join(path, 'groups')}.{group}] (known: {known})",
                )


def _check_caps(
    explicit: Sequence[ExplicitRule],
    groups: Sequence[tuple[str, float | None]],
    max_total: float | None,
    path: str,
    reader: Reader,
) -> None:
    """A cap must hold every positive profile point it covers: caps shrink behaviour
    points only, so profile points stay the same whatever the lead does."""
    if max_total is not None:
        most = sum(r.points for r in explicit if r.points > 0)
        if most > max_total:
            reader.error(
                join(path, "max_total"),
                f"{max_total:g} is below the {most:g} profile points the rules can give; "
                "caps limit behaviour points only",
            )
    for name, cap in groups:
        most = sum(r.points for r in explicit if r.points > 0 and r.group == name)
        if cap is not None and most > cap:
            reader.error(
                join(join(join(path, "groups"), name), "max_points"),
                f"{cap:g} is below the {most:g} profile points of the group's rules",
            )
