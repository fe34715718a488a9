"""Qualification frameworks: criteria, their allowed values, questions, default policy."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

LANGUAGES = ("en", "es")
ROLES = ("economic_buyer", "technical_buyer", "end_user", "influencer", "champion")
ROLE_NAMES = {
    "en": {
        "economic_buyer": "economic decision-maker",
        "technical_buyer": "technical decision-maker",
        "end_user": "end user",
        "influencer": "influencer",
        "champion": "champion",
    },
    "es": {
        "economic_buyer": "decisor económico",
        "technical_buyer": "decisor técnico",
        "end_user": "usuario final",
        "influencer": "influenciador",
        "champion": "champion",
    },
}

# A framework is plain data, exactly what a team writes in TOML for its own:
#   criteria: [{name, values, met, partial, question {en, es}, timing?, committee?}]
#   gate: criteria that must be met, or the lead is unqualified.
# `timing` criteria also accept a date; `committee` criteria are judged on the roles of
# the buying committee.

_BUDGET = {
    "en": "How is the budget for this project looking: already approved, being estimated, "
    "or does it depend on approving a business case?",
    "es": "¿Cómo está el presupuesto para este proyecto: ya aprobado, en estimación o "
    "depende de aprobar un business case?",
}
_AUTHORITY = {
    "en": "Besides you, who else takes part in this decision: someone from finance, from IT, "
    "or the people who will use it every day?",
    "es": "Además de usted, ¿quién más participa en esta decisión: alguien de finanzas, de "
    "IT o las personas que lo usarán a diario?",
}
_NEED = {
    "en": "What is driving this project: a risk to reduce, a regulation to comply with, the "
    "need to scale, or gaining efficiency?",
    "es": "¿Qué impulsa este proyecto: reducir un riesgo, cumplir una normativa, poder "
    "escalar o ganar eficiencia?",
}
_TIMING = {
    "en": "When would you like to have this working: this quarter, next quarter, later this "
    "year, or are you exploring for next year?",
    "es": "¿Para cuándo le gustaría tenerlo funcionando: este trimestre, el próximo, más "
    "adelante este año, o están explorando para el año que viene?",
}
_AUTHORITY_VALUES = [*ROLES, "none"]
_NEED_VALUES = ["risk", "compliance", "scale", "efficiency", "none"]
_MONEY_VALUES = ["approved", "estimating", "business_case", "none"]


def _criterion(
    name: str,
    values: list[str],
    met: list[str],
    partial: list[str],
    question: dict[str, str],
    **flags: Any,
) -> dict[str, Any]:
    return {
        "name": name,
        "values": values,
        "met": met,
        "partial": partial,
        "question": question,
        **flags,
    }


def _money(name: str) -> dict[str, Any]:
    """The budget criterion (BANT's budget, ANUM's and CHAMP's money)."""
    return _criterion(name, _MONEY_VALUES, ["approved"], ["estimating", "business_case"], _BUDGET)


def _authority() -> dict[str, Any]:
    """Authority, judged on the buying committee too."""
    return _criterion(
        "authority",
        _AUTHORITY_VALUES,
        ["economic_buyer"],
        ["technical_buyer", "influencer", "champion"],
        _AUTHORITY,
        committee=True,
    )


def _read_only(value: Any) -> Any:
    """``value`` with every dict a read-only view and every list a tuple, all the way down."""
    if isinstance(value, dict):
        return MappingProxyType({k: _read_only(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_read_only(v) for v in value)
    return value


_DEFINITIONS: dict[str, dict[str, Any]] = {
    "bant": {
        "criteria": [
            _money("budget"),
            _authority(),
            _criterion("need", _NEED_VALUES, _NEED_VALUES[:4], [], _NEED),
            _criterion(
                "timing",
                ["this_quarter", "next_quarter", "this_year", "next_year", "exploring"],
                ["this_quarter", "next_quarter"],
                ["this_year"],
                _TIMING,
                timing=True,
            ),
        ],
        "gate": ["need"],
    },
    "anum": {
        "criteria": [
            _authority(),
            _criterion("need", _NEED_VALUES, _NEED_VALUES[:4], [], _NEED),
            _criterion(
                "urgency",
                ["immediate", "this_quarter", "this_year", "none"],
                ["immediate", "this_quarter"],
                ["this_year"],
                _TIMING,
                timing=True,
            ),
            _money("money"),
        ],
        "gate": ["need"],
    },
    "champ": {
        "criteria": [
            _criterion(
                "challenges",
                _NEED_VALUES,
                _NEED_VALUES[:4],
                [],
                {
                    "en": "What is the main challenge behind this: a risk, a regulation, growth, "
                    "or "
                    "efficiency?",
                    "es": "¿Cuál es el reto principal detrás de esto: un riesgo, una normativa, el "
                    "crecimiento o la eficiencia?",
                },
            ),
            _authority(),
            _money("money"),
            _criterion(
                "prioritization",
                ["top", "high", "medium", "low", "none"],
                ["top", "high"],
                ["medium"],
                {
                    "en": "Where does this sit among your priorities: top of the list, important, "
                    "or "
                    "something for later?",
                    "es": "¿Dónde está esto entre sus prioridades: lo primero de la lista, "
                    "importante "
                    "o algo para más adelante?",
                },
            ),
        ],
        "gate": ["challenges"],
    },
    "meddic": {
        "criteria": [
            _criterion(
                "metrics",
                ["quantified", "qualitative", "none"],
                ["quantified"],
                ["qualitative"],
                {
                    "en": "How will you measure success: is there a figure you want to move, or "
                    "is it "
                    "more of a general improvement?",
                    "es": "¿Cómo medirán el éxito: hay una cifra concreta que quieren mejorar o es "
                    "una mejora más general?",
                },
            ),
            _criterion(
                "economic_buyer",
                ["engaged", "identified", "none"],
                ["engaged"],
                ["identified"],
                {
                    "en": "Who signs off the investment in the end, and have they been part of the "
                    "conversation yet?",
                    "es": "¿Quién aprueba finalmente la inversión, y ha participado ya en la "
                    "conversación?",
                },
            ),
            _criterion(
                "decision_criteria",
                ["documented", "discussed", "none"],
                ["documented"],
                ["discussed"],
                {
                    "en": "Which criteria will you compare the options on: is there a written "
                    "list, "
                    "or is it still open?",
                    "es": "¿Con qué criterios compararán las opciones: hay una lista escrita o "
                    "todavía está abierto?",
                },
            ),
            _criterion(
                "decision_process",
                ["mapped", "outlined", "none"],
                ["mapped"],
                ["outlined"],
                {
                    "en": "What are the steps from here to a decision: who reviews, in what order, "
                    "and when?",
                    "es": "¿Qué pasos hay desde aquí hasta la decisión: quién revisa, en qué orden "
                    "y cuándo?",
                },
            ),
            _criterion(
                "identify_pain",
                ["quantified", "identified", "none"],
                ["quantified", "identified"],
                [],
                {
                    "en": "What happens if nothing changes: what does the problem cost you today?",
                    "es": "¿Qué pasa si nada cambia: cuánto les cuesta hoy el problema?",
                },
            ),
            _criterion(
                "champion",
                ["confirmed", "potential", "none"],
                ["confirmed"],
                ["potential"],
                {
                    "en": "Who on your side would push for this internally if it is the right fit?",
                    "es": "¿Quién de su lado impulsaría esto internamente si encaja?",
                },
            ),
        ],
        "gate": ["identify_pain"],
    },
}
# Read-only all the way down: shared by every Funnel of the process, so a caller
# editing them must not change anyone else's qualification.
PRESETS: Mapping[str, Mapping[str, Any]] = _read_only(_DEFINITIONS)
