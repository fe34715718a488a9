"""The default fit rule's IT-leader titles, in English and Spanish."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import b2bfunnel as bf

IT_LEADERS_EN = [
    "CIO", "CTO", "CISO", "Chief Information Officer", "Chief Technology Officer",
    "Chief Technical Officer", "Chief Information Security Officer", "IT Director",
    "Director of IT", "Director of Information Technology", "Director of Technology",
    "Technology Director", "Director of Engineering", "Engineering Director",
    "Director of Information Systems", "Systems Director", "Director of Infrastructure",
    "Director of Cybersecurity", "Head of IT", "Head of Systems", "Head of Technology",
    "Head of Engineering", "Head of IT Infrastructure", "Head of Information Security",
    "VP of Engineering", "VP Engineering", "Vice President of Engineering",
    "Vice President, Information Technology", "SVP Technology", "EVP of Technology",
    "Senior Director of IT", "Global Head of Technology", "Group CIO",
    "Co-founder & CTO", "Chief Information & Technology Officer",
]  # fmt: skip
IT_LEADERS_ES = [
    "Jefe de Sistemas", "Jefa de Sistemas", "Jefe de TI", "Jefa de TI",
    "Jefe de Informática", "Jefa de Informática", "Responsable de Informática",
    "Responsable de Sistemas", "Responsable de TI", "Director de Sistemas de Información",
    "Directora de Sistemas de Información", "Director de Sistemas", "Directora de Sistemas",
    "Director de TI", "Directora de TI", "Director de IT", "Directora de Tecnología",
    "Director de Tecnología", "Director de Informática", "Directora de Informática",
    "Director de Ingeniería", "Directora de Ingeniería", "Director de Infraestructura",
    "Directora de Ciberseguridad", "Director Tecnológico", "Directora Tecnológica",
    "Directora de Tecnologías de la Información", "Vicepresidente de Ingeniería",
    "Vicepresidenta de Tecnología", "Subdirector de Sistemas", "Subdirectora de Informática",
    "Gerente de TI", "Gerente de Sistemas", "Director de TIC", "Jefa de Seguridad Informática",
]  # fmt: skip
NOT_IT_LEADERS_EN = [
    "IT Support Technician", "IT Manager", "Systems Administrator", "Software Engineer",
    "Senior Software Engineer", "Network Engineer", "Help Desk Analyst", "DevOps Engineer",
    "Data Analyst", "QA Tester", "Technical Writer", "CFO", "CMO", "CEO", "COO",
    "Chief Financial Officer", "Chief Marketing Officer", "Marketing Director",
    "Sales Director", "Head of Sales", "VP of Sales", "HR Director", "Finance Director",
    "Head of Marketing", "Director of IT Sales", "IT Recruiter",
    "Executive Assistant to the CIO", "Chief of Staff to the CTO", "IT Project Manager",
    "Head of People Systems", "Engineering Intern", "IT Trainee",
]  # fmt: skip
AT = datetime(2026, 11, 23, tzinfo=UTC)
NOT_IT_LEADERS_ES = [
    "Técnico de Sistemas", "Técnica de Sistemas", "Técnico de Soporte Informático",
    "Administrador de Sistemas", "Administradora de Sistemas", "Programador",
    "Programadora", "Desarrollador de Software", "Ingeniero de Software",
    "Ingeniera de Sistemas", "Analista de Sistemas", "Consultor de TI", "Consultora IT",
    "Director Financiero", "Directora Financiera", "Director de Marketing",
    "Directora de Marketing", "Director Comercial", "Directora Comercial",
    "Jefe de Ventas", "Jefa de Ventas", "Responsable de Recursos Humanos",
    "Directora de RRHH", "Becario de Sistemas", "Becaria de Informática",
    "Secretaria del Director de TI", "Asistente de Dirección de Sistemas",
    "Jefe de Proyecto TI", "Jefa de Proyectos de Sistemas", "Jefe de Equipo de Desarrollo",
    "Directora General", "Director de Operaciones",
]  # fmt: skip


def fit_points(title: str) -> float:
    """Profile points the default model gives this title at a 900-employee company."""
    score = bf.ScoringModel.default().score(
        {"id": "L1", "job_title": title, "employees": 900}, [], as_of=AT
    )
    return score.explicit


def test_tables_are_big_enough() -> None:
    """At least 30 titles each way in each language."""
    for table in (IT_LEADERS_EN, IT_LEADERS_ES, NOT_IT_LEADERS_EN, NOT_IT_LEADERS_ES):
        assert len(table) >= 30 and len(set(table)) == len(table)


@pytest.mark.parametrize("title", IT_LEADERS_EN + IT_LEADERS_ES)
def test_it_leaders_get_the_fit_points(title: str) -> None:
    """Director-level and C-level IT titles, both languages and genders, get +50."""
    assert fit_points(title) == 50


@pytest.mark.parametrize("title", NOT_IT_LEADERS_EN + NOT_IT_LEADERS_ES)
def test_other_titles_get_nothing(title: str) -> None:
    """Technicians, other functions' leaders and assistants to IT leaders get 0."""
    assert fit_points(title) == 0
