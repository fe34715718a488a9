"""The account model: fit rules over account fields, how engagement rolls up, the
buying-committee roles, bands and grades. Read from the ``[accounts]`` section."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from .._conditions import Condition
from .._config import Reader, join, load_toml, read_all
from .._text import word_form
from .._tiers import Tier, read_tiers, tiers_to_list
from ..bant import ROLES

__all__ = ["AccountModel", "AccountRule"]

METHODS = ("sum", "top_k", "role_weighted")
NO_ROLE = "none"
MAX_POINTS = 1e12

# The default title -> role table, in the order it is read (the first phrase found in
# a title, as whole words with case and accents ignored, gives the role). English and
# Spanish. No title makes a champion: that is a relationship, given in a `role` column.
DEFAULT_ROLES: tuple[tuple[str, str], ...] = tuple(
    (title, role)
    for role, titles in (
        ("economic_buyer", (
            "ceo", "cfo", "coo", "chief executive officer", "chief financial officer",
            "chief operating officer", "managing director", "general manager", "owner",
            "founder", "president", "director general", "directora general",
            "consejero delegado", "consejera delegada", "director financiero",
            "directora financiera", "gerente general",
        )),
        ("technical_buyer", (
            "cio", "cto", "ciso", "chief information officer", "chief technology officer",
            "it director", "director of it", "head of it", "vp engineering",
            "vp of engineering", "head of engineering", "it manager", "director de it",
            "directora de it", "director de sistemas", "directora de sistemas",
            "responsable de sistemas", "jefe de sistemas", "jefa de sistemas",
            "director de tecnologia", "directora de tecnologia", "architect", "arquitecto",
            "arquitecta",
        )),
        ("influencer", (
            "consultant", "consultor", "consultora", "advisor", "asesor", "asesora",
            "procurement", "purchasing", "compras",
        )),
        ("end_user", (
            "engineer", "ingeniero", "ingeniera", "analyst", "analista", "developer",
            "desarrollador", "desarrolladora", "administrator", "administrador",
            "administradora", "technician", "tecnico", "tecnica", "operator", "operador",
        )),
    )
    for title in titles
)  # fmt: skip

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "economic_buyer": 1.0,
        "technical_buyer": 1.0,
        "champion": 1.0,
        "influencer": 0.5,
        "end_user": 0.5,
        NO_ROLE: 0.25,
    }
)

# An account rolls up a committee, not a lead: its default bands and engagement grades
# are the contact model's (warm 40, hot 100; engagement 3 at 15, 2 at 40, 1 at 75) for
# the committee's core of three (economic buyer, technical buyer, champion; also the
# default k). With each contact capped at 100 and the default fit at most 50, a hot
# account needs at least three engaged contacts. See docs/accounts.md.
COMMITTEE = 3

DEFAULT_CONFIG: Mapping[str, Any] = MappingProxyType(
    {
        "by_name": False,
        "method": "sum",
        "max_per_contact": 100,
        "k": 3,
        "engaged_min": 15,
        "fit": [
            {"name": "large_company", "points": 50, "when": {"field": "employees", "gte": 500}}
        ],
        # The contact model's bands and engagement grades times COMMITTEE (see below); fit
        # is the company's profile, on the contact model's explicit scale.
        "bands": [{"name": "cold"}, {"name": "warm", "min": 120}, {"name": "hot", "min": 300}],
        "grade": {
            "fit": [{"name": "D"}, {"name": "C", "min": 15}, {"name": "B", "min": 30},
                    {"name": "A", "min": 50}],
            "engagement": [{"name": "4"}, {"name": "3", "min": 45}, {"name": "2", "min": 120},
                           {"name": "1", "min": 225}],
        },
    }
)  # fmt: skip
MODEL_KEYS = (*DEFAULT_CONFIG, "score", "weights", "roles")


@attrs.frozen
class AccountRule:
    """Account fit points: ``points`` when the account's fields satisfy ``when``."""

    name: str
    points: float
    when: Condition

    def to_dict(self) -> dict[str, Any]:
        """The rule as configuration data."""
        return {"name": self.name, "points": self.points, "when": self.when.to_dict()}


def _read_only(weights: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(weights))


def _tiers(data: Any) -> tuple[Tier, ...]:
    return read_tiers(data, "", Reader()) or ()


@attrs.frozen
class AccountModel:
    """How accounts are scored: ``total = fit + engagement``; see ``docs/accounts.md``.

    ``fit`` rules read account fields (from the accounts table, else the most common
    value among the account's contacts); engagement rolls up the contacts' behaviour
    (implicit) points by ``method``: ``sum`` (each contact capped at
    ``max_per_contact``), ``top_k`` (the ``k`` most engaged contacts) or
    ``role_weighted`` (each contact times its role's weight in ``weights``). ``roles``
    maps title phrases to buying-committee roles (in order); ``max_per_contact`` false
    (None) caps nothing; ``engaged_min`` is the behaviour
    points that make a contact engaged; ``score`` names the scoring model's named score
    to roll up (None: the main score).

    >>> import b2bfunnel as bf
    >>> model = bf.AccountModel.from_dict({"method": "top_k", "k": 2})
    >>> model.method, model.k, model.max_per_contact
    ('top_k', 2, 100)
    >>> bf.AccountModel.from_dict(model.to_dict()) == model
    True
    """

    fit: tuple[AccountRule, ...] = ()
    method: str = "sum"
    max_per_contact: float | None = 100
    k: int = 3
    weights: Mapping[str, float] = attrs.field(
        default=DEFAULT_WEIGHTS, converter=_read_only, hash=False
    )
    roles: tuple[tuple[str, str], ...] = DEFAULT_ROLES
    engaged_min: float = 15
    by_name: bool = False
    score: str | None = None
    bands: tuple[Tier, ...] = attrs.Factory(lambda: _tiers(DEFAULT_CONFIG["bands"]))
    fit_grades: tuple[Tier, ...] = attrs.Factory(lambda: _tiers(DEFAULT_CONFIG["grade"]["fit"]))
    engagement_grades: tuple[Tier, ...] = attrs.Factory(
        lambda: _tiers(DEFAULT_CONFIG["grade"]["engagement"])
    )
    _titles: tuple[tuple[str, str], ...] = attrs.field(init=False, eq=False, repr=False, hash=False)

    def __attrs_post_init__(self) -> None:
        reader = Reader()
        read_model(self.to_dict(), "accounts", reader)  # built by hand: checked as config
        reader.raise_if_any("account model")
        object.__setattr__(self, "_titles", tuple((word_form(t), r) for t, r in self.roles))

    @classmethod
    def default(cls) -> AccountModel:
        """The documented default model (see ``docs/accounts.md``)."""
        return cls.from_dict({})

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "accounts") -> AccountModel:
        """Build from ``[accounts]`` data; every problem is reported at once, with paths."""
        return cls(**read_all(read_model, data, path, "accounts configuration"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> AccountModel:
        """Build from the ``[accounts]`` section of a TOML file."""
        return cls.from_dict(load_toml(path).get("accounts", {}))

    def to_dict(self) -> dict[str, Any]:
        """The model as ``[accounts]`` data; ``from_dict(m.to_dict()) == m``."""
        out: dict[str, Any] = {
            "by_name": self.by_name,
            "method": self.method,
            "k": self.k,
            "engaged_min": self.engaged_min,
            "weights": dict(self.weights),
            "roles": dict(self.roles),
            "fit": [rule.to_dict() for rule in self.fit],
            "bands": tiers_to_list(self.bands),
            "grade": {
                "fit": tiers_to_list(self.fit_grades),
                "engagement": tiers_to_list(self.engagement_grades),
            },
        }
        out["max_per_contact"] = False if self.max_per_contact is None else self.max_per_contact
        if self.score is not None:
            out["score"] = self.score
        return out

    def role_of(self, profile: Mapping[str, Any]) -> str | None:
        """A contact's buying-committee role: its ``role`` field when that names one of
        the five roles, else the first title phrase of ``roles`` in its ``job_title``.

        >>> model = AccountModel.default()
        >>> model.role_of({"job_title": "Directora Financiera"})
        'economic_buyer'
        >>> model.role_of({"role": "Champion", "job_title": "CFO"})
        'champion'
        """
        given = profile.get("role")
        if isinstance(given, str):
            key = "_".join(word_form(given).split())
            if key in ROLES:
                return key
        title = profile.get("job_title")
        if not isinstance(title, str) or not title:
            return None
        form = word_form(title)
        for phrase, role in self._titles:
            if phrase in form:
                return role
        return None


# --- reading configuration --------------------------------------------------------


def _read_rule(data: Any, path: str, reader: Reader) -> AccountRule | None:
    before = len(reader.problems)
    table = reader.table(
        data, path, ("name", "points", "when"), required=("name", "points", "when")
    )
    if table is None:
        return None
    name = reader.string(table["name"], join(path, "name")) if "name" in table else None
    points = (
        reader.number(table["points"], join(path, "points"), magnitude=MAX_POINTS)
        if "points" in table
        else None
    )
    when = Condition.parse(table["when"], join(path, "when"), reader) if "when" in table else None
    if len(reader.problems) != before or name is None or points is None or when is None:
        return None
    return AccountRule(name, points, when)


def _read_weights(data: Any, path: str, reader: Reader) -> dict[str, float]:
    known = (*ROLES, NO_ROLE)
    table = reader.table(data, path, known)
    weights = dict(DEFAULT_WEIGHTS)
    for role, value in (table or {}).items():
        if role in known:
            number = reader.number(value, join(path, role), minimum=0, magnitude=MAX_POINTS)
            if number is not None:
                weights[role] = number
    return weights


def _read_roles(data: Any, path: str, reader: Reader) -> tuple[tuple[str, str], ...]:
    if not isinstance(data, Mapping):
        reader.error(path, f"expected a table of job title -> role, got {type(data).__name__}")
        return ()
    out = []
    for title, role in data.items():
        where = join(path, str(title))
        if not isinstance(title, str) or not word_form(title).strip():
            reader.error(where, "a title needs letters or digits to match as words")
        elif reader.string(role, where, choices=ROLES) is not None:
            out.append((title, role))
    return tuple(out)


def _read_scalars(table: Mapping[str, Any], path: str, reader: Reader) -> dict[str, Any]:
    get = {**DEFAULT_CONFIG, **table}.get
    out: dict[str, Any] = {
        "method": reader.string(get("method"), join(path, "method"), choices=METHODS),
        "k": reader.number(get("k"), join(path, "k"), minimum=1, integer=True),
        "engaged_min": reader.number(get("engaged_min"), join(path, "engaged_min")),
        "by_name": reader.boolean(get("by_name"), join(path, "by_name")),
        "max_per_contact": None,
        "score": None,
    }
    cap = get("max_per_contact")
    if cap is not False:  # false: no cap
        out["max_per_contact"] = reader.number(
            cap, join(path, "max_per_contact"), exclusive_minimum=0, magnitude=MAX_POINTS
        )
    if "score" in table:
        out["score"] = reader.string(table["score"], join(path, "score"))
    return out


def read_model(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read an ``[accounts]`` section into :class:`AccountModel` fields; None if invalid."""
    table = reader.table(data, path, MODEL_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    fields = _read_scalars(table, path, reader)
    rules = reader.array(table.get("fit", DEFAULT_CONFIG["fit"]), join(path, "fit"))
    fit = reader.each(rules or [], join(path, "fit"), _read_rule)
    _unique(rules or [], join(path, "fit"), reader)
    weights = _read_weights(table.get("weights", {}), join(path, "weights"), reader)
    roles = _read_roles(table["roles"], join(path, "roles"), reader) if "roles" in table else None
    bands = read_tiers(table.get("bands", DEFAULT_CONFIG["bands"]), join(path, "bands"), reader)
    grade = table.get("grade", {})
    grade_table = reader.table(grade, join(path, "grade"), ("fit", "engagement")) or {}
    grades = {
        axis: read_tiers(
            grade_table.get(axis, DEFAULT_CONFIG["grade"][axis]),
            join(join(path, "grade"), axis),
            reader,
        )
        for axis in ("fit", "engagement")
    }
    if len(reader.problems) != before:
        return None
    return {
        **fields,
        "fit": tuple(fit),
        "weights": weights,
        "roles": DEFAULT_ROLES if roles is None else roles,
        "bands": bands,
        "fit_grades": grades["fit"],
        "engagement_grades": grades["engagement"],
    }


def _unique(rules: Sequence[Any], path: str, reader: Reader) -> None:
    """Rule names are unique: an explanation names each rule's share."""
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        name = rule.get("name") if isinstance(rule, Mapping) else None
        if isinstance(name, str) and name in seen:
            reader.error(join(join(path, index), "name"), f"duplicate rule name {name!r}")
        if isinstance(name, str):
            seen.add(name)
