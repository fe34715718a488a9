"""Deterministic synthetic CRM data: leads with English and Spanish job titles, events.

Used to build the demo data set shipped in the package and by the benchmarks.
"""

from __future__ import annotations

import random
import unicodedata
import zlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

TITLES = [
    ("IT Director", 6),
    ("Director de IT", 6),
    ("CIO", 4),
    ("CTO", 4),
    ("Directora de Sistemas", 4),
    ("Director de Tecnología", 3),
    ("Head of IT", 3),
    ("VP of Engineering", 2),
    ("Chief Information Security Officer", 1),
    ("IT Manager", 8),
    ("Responsable de Sistemas", 6),
    ("Jefe de Proyecto", 5),
    ("Software Engineer", 8),
    ("Ingeniera de Software", 6),
    ("Analista de Seguridad", 5),
    ("Marketing Manager", 6),
    ("Directora de Marketing", 4),
    ("CFO", 3),
    ("Director Financiero", 3),
    ("Office Manager", 3),
    ("Técnico de Soporte", 5),
    ("Procurement Specialist", 3),
    ("Responsable de Compras", 3),
]
FIRST = [
    "Ana",
    "Luis",
    "Marta",
    "Javier",
    "Lucía",
    "Carlos",
    "Elena",
    "Pablo",
    "Sara",
    "David",
    "Laura",
    "Jorge",
    "Emma",
    "Oliver",
    "Sophie",
    "James",
    "Nuria",
    "Iker",
]
LAST = [
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Pérez",
    "Gómez",
    "Fernández",
    "Smith",
    "Jones",
    "Brown",
    "Navarro",
    "Ruiz",
    "Moreno",
    "Taylor",
    "Iglesias",
    "Castro",
]
COMPANY_A = [
    "Acme",
    "Iberia",
    "Nova",
    "Atlas",
    "Delta",
    "Helix",
    "Orion",
    "Vértice",
    "Cobalto",
    "Quantum",
    "Sierra",
    "Lumen",
    "Boreal",
    "Nexo",
]
COMPANY_B = [
    "Logistics",
    "Seguros",
    "Energía",
    "Retail",
    "Health",
    "Banca",
    "Foods",
    "Industrial",
    "Telecom",
    "Software",
    "Consulting",
    "Motors",
]
SECTORS = ["saas", "consulting", "financial_services", "manufacturing", "retail", "health"]
EVENTS = [
    ("page_view", 30),
    ("email_open", 25),
    ("pricing_page_visit", 8),
    ("case_study_download", 6),
    ("webinar_completed", 4),
    ("email_case_study_click", 5),
    ("form_submit", 4),
    ("careers_page_visit", 2),
    ("email_reply", 1),
    ("unsubscribe", 1),
]
PATHS = ["/", "/product", "/pricing", "/blog/zero-trust", "/careers", "/customers"]
BANT_ANSWERS = [
    ("budget", ["approved", "estimating", "business_case", "none"]),
    ("authority", ["economic_buyer", "technical_buyer", "end_user", "influencer", "champion"]),
    ("need", ["risk", "compliance", "scale", "efficiency", "none"]),
    ("timing", ["this_quarter", "next_quarter", "this_year", "next_year", "exploring"]),
]


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    names, weights = zip(*pairs, strict=True)
    return rng.choices(names, weights)[0]


def leads(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` lead profiles with ids ``L00001``... (CSV-like: every value a string)."""
    rng = random.Random(seed)
    out = []
    for number in range(1, count + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}"
        employees = int(10 ** rng.uniform(1.0, 4.3))
        bant = {}
        for name, options in BANT_ANSWERS:
            bant[name] = rng.choice(options) if rng.random() < 0.55 else ""
        out.append(
            {
                "id": f"L{number:05d}",
                "name": f"{first} {last}",
                "company": company,
                "job_title": _weighted(rng, TITLES),
                "employees": str(employees),
                "sector": rng.choice(SECTORS),
                "country": rng.choice(["ES", "ES", "ES", "PT", "MX", "UK"]),
                **bant,
            }
        )
    return out


def event_rows(
    lead_ids: list[str], count: int, *, end: datetime, days: int = 180, seed: int = 11
) -> Iterator[tuple[str, str, datetime, dict[str, str]]]:
    """``count`` events ``(lead_id, name, at, properties)`` over the ``days`` before ``end``.

    Engagement is skewed: a few leads are very active, many barely; recent weeks are busier.
    """
    rng = random.Random(seed)
    weights = [min(rng.paretovariate(2.2), 8.0) for _ in lead_ids]
    chosen = rng.choices(lead_ids, weights, k=count)
    for lead_id in chosen:
        age = days * rng.random() ** 1.3
        at = (end - timedelta(days=age)).replace(microsecond=0)
        name = _weighted(rng, EVENTS)
        props = {"path": rng.choice(PATHS)} if name == "page_view" else {}
        yield lead_id, name, at, props


COMMENTS = {
    "promoter": [
        "Soporte rapidísimo y muy cercano",
        "Great integration with our SAP stack",
        "La integración fue sencilla",
        "Support team knows the product inside out",
        "Muy buena relación calidad-precio",
        "",
    ],
    "passive": [
        "Funciona, pero la interfaz es mejorable",
        "Good product, onboarding was slow",
        "Precio algo alto para lo que ofrece",
        "",
    ],
    "detractor": [
        "Too expensive for what we use",
        "El soporte tarda días en responder",
        "Los precios suben cada año",
        "Integration broke after the last update",
        "Hard to reach the right contact, we repeat the story every time",
        "",
    ],
}


def survey_rows(count: int, *, start: datetime, seed: int = 23) -> Iterator[dict[str, str]]:
    """NPS survey answers over a year: score, time, sector, account, comment."""
    rng = random.Random(seed)
    # Loyalty improves a little over the year; consulting is happiest, finance least.
    base = {"saas": 0.0, "consulting": 0.8, "financial_services": -1.2, "manufacturing": -0.3}
    accounts = [f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)}" for _ in range(60)]
    for _ in range(count):
        day = rng.randrange(365)
        sector = rng.choice(sorted(base))
        mood = rng.gauss(7.2 + base[sector] + day / 365, 2.2)
        score = max(0, min(10, round(mood)))
        kind = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        yield {
            "score": str(score),
            "at": (start + timedelta(days=day, hours=rng.randrange(9, 18))).isoformat(),
            "sector": sector,
            "account": rng.choice(accounts),
            "comment": rng.choice(COMMENTS[kind]),
        }


def deal_rows(count: int, *, end: datetime, seed: int = 31) -> Iterator[dict[str, str]]:
    """Deals over the year before ``end``; deals influenced by a KOL's content close a
    little faster and a little more often."""
    rng = random.Random(seed)
    for number in range(1, count + 1):
        influenced = rng.random() < 0.5  # balanced cohorts: compare speed, not size
        created = end - timedelta(days=rng.uniform(5, 365), hours=rng.randrange(24))
        cycle = rng.gauss(48 if influenced else 60, 15)
        closes = created + timedelta(days=max(5.0, cycle))
        won = rng.random() < (0.34 if influenced else 0.27)
        row = {
            "deal_id": f"D{number:04d}",
            "created_at": created.replace(microsecond=0).isoformat(),
            "amount": str(rng.randrange(8, 90) * 500),
            "influenced": "yes" if influenced else "no",
            "outcome": "open",
            "closed_at": "",
        }
        if closes <= end:
            row["outcome"] = "won" if won else "lost"
            row["closed_at"] = closes.replace(microsecond=0).isoformat()
        yield row


# The ground truth of the shipped outcomes (docs/evaluation.md): each event of a kind
# gives the lead this chance of converting (becoming an opportunity) some weeks later.
# Webinars matter most, then case-study downloads, then pricing-page visits; case-study
# e-mail clicks, page views and e-mail opens matter not at all, although the default
# scoring gives clicks +20. IT leaders at companies of 500+ employees convert 1.5 times
# as often.
TRUTH = {
    "webinar_completed": 0.25,
    "case_study_download": 0.15,
    "pricing_page_visit": 0.04,
    "form_submit": 0.02,
    "email_case_study_click": 0.0,
    "page_view": 0.0,
    "email_open": 0.0,
}
LEADER_FACTOR = 1.5
MEAN_DELAY_DAYS = 60.0


def is_it_leader(profile: dict[str, Any]) -> bool:
    """The default model's profile rule, restated: an IT director or C-level IT title at a
    company of 500+ employees."""
    title = f" {profile['job_title'].lower()} "
    senior = any(w in title for w in (" director", " directora", " head ", " vp ", " chief "))
    it = any(
        w in title
        for w in (" it ", " sistemas", " tecnología", " engineering", " security", " information")
    )
    c_level = profile["job_title"] in ("CIO", "CTO", "Chief Information Security Officer")
    return int(profile["employees"]) >= 500 and (c_level or (senior and it))


def outcome_rows(
    profiles: list[dict[str, Any]],
    events: list[tuple[str, str, datetime, dict[str, str]]],
    *,
    end: datetime,
    seed: int = 41,
) -> list[dict[str, str]]:
    """Outcomes drawn from :data:`TRUTH`: a lead converts at the earliest time one of its
    events triggered a conversion (``at`` = event time + exponential delay); conversions
    after ``end`` are not yet observed and left out."""
    rng = random.Random(seed)
    leader = {p["id"]: is_it_leader(p) for p in profiles}
    first: dict[str, datetime] = {}
    for lead_id, name, at, _props in sorted(events, key=lambda r: (r[2], r[0], r[1])):
        chance = TRUTH.get(name, 0.0) * (LEADER_FACTOR if leader.get(lead_id) else 1.0)
        if rng.random() < chance:
            when = at + timedelta(days=rng.expovariate(1 / MEAN_DELAY_DAYS))
            if when <= end and (lead_id not in first or when < first[lead_id]):
                first[lead_id] = when.replace(microsecond=0)
    return [
        {"lead_id": lead_id, "at": at.isoformat()}
        for lead_id, at in sorted(first.items(), key=lambda kv: (kv[1], kv[0]))
    ]


FREE_MAIL = ["gmail.com", "hotmail.es", "outlook.com", "yahoo.es", "telefonica.net"]
SUB_DOMAINS = ["ventas.", "it.", "mail.", "es."]
SUFFIXES = [".es", ".com", ".com.es", ".co.uk", ".es", ".com"]
LEGAL_FORMS = [" S.L.", " S.A.", ", S.L.U.", ""]


def _plain(text: str) -> str:
    """Lower case ASCII letters and digits of ``text``, words joined by ``-``."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = (c for c in folded if not unicodedata.combining(c))
    kept = "".join(c if c.isascii() and c.isalnum() else " " for c in letters)
    return "-".join(kept.split())


def company_domain(company: str) -> str:
    """A company's web domain: its name as a slug under a suffix chosen by the name."""
    slug = _plain(company)
    return slug + SUFFIXES[zlib.crc32(slug.encode()) % len(SUFFIXES)]


def contact_emails(profiles: list[dict[str, Any]], seed: int = 41) -> list[str]:
    """An e-mail address per profile: at its company's domain (a quarter at a
    sub-domain), or, for about one in eight, at a free-mail provider."""
    rng = random.Random(seed)
    out = []
    for profile in profiles:
        local = ".".join(_plain(part) for part in profile["name"].split()[:2])
        if rng.random() < 0.12:
            out.append(f"{local}@{rng.choice(FREE_MAIL)}")
            continue
        sub = rng.choice(SUB_DOMAINS) if rng.random() < 0.25 else ""
        out.append(f"{local}@{sub}{company_domain(profile['company'])}")
    return out


def _most_common(values: list[str]) -> str:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return min(counts, key=lambda v: (-counts[v], v))


def account_rows(profiles: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One accounts-table row per company of ``profiles``: id, name with a legal form,
    website, employees (the median of its contacts'), sector and country (the most
    common among them)."""
    by_company: dict[str, list[dict[str, Any]]] = {}
    for profile in profiles:
        by_company.setdefault(profile["company"], []).append(profile)
    rows = []
    for number, company in enumerate(sorted(by_company), start=1):
        group = by_company[company]
        sizes = sorted(int(p["employees"]) for p in group)
        form = LEGAL_FORMS[zlib.crc32(company.encode()) % len(LEGAL_FORMS)]
        rows.append(
            {
                "id": f"A{number:03d}",
                "name": company + form,
                "domain": "www." + company_domain(company),
                "employees": str(sizes[len(sizes) // 2]),
                "sector": _most_common([p["sector"] for p in group]),
                "country": _most_common([p["country"] for p in group]),
            }
        )
    return rows
