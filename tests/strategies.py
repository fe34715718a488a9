"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

import b2bfunnel as bf

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
EVENT_NAMES = ("visit", "download", "webinar", "unsubscribe", "noise")
PATHS = ("/pricing", "/careers", "/blog")

times = st.integers(min_value=0, max_value=200 * 86_400).map(lambda s: EPOCH + timedelta(seconds=s))


@st.composite
def events(draw: st.DrawFn, lead_id: str = "L1", max_size: int = 25) -> list[bf.Event]:
    """Events of one lead, possibly several at the same instant."""
    count = draw(st.integers(min_value=0, max_value=max_size))
    out = []
    for _ in range(count):
        props = {"path": draw(st.sampled_from(PATHS))} if draw(st.booleans()) else {}
        out.append(bf.Event(lead_id, draw(st.sampled_from(EVENT_NAMES)), draw(times), props))
    return out


DECAYS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "none": st.just({}),
    "inactivity": st.fixed_dictionaries(
        {
            "grace_days": st.integers(min_value=0, max_value=60),
            "half_life_days": st.integers(min_value=1, max_value=90),
        }
    ),
    "half_life": st.fixed_dictionaries({"half_life_days": st.integers(min_value=1, max_value=90)}),
    "linear": st.fixed_dictionaries(
        {
            "points_per_day": st.sampled_from([0.5, 1, 3]),
            "grace_days": st.integers(min_value=0, max_value=30),
        }
    ),
    "expiry": st.fixed_dictionaries({"days": st.integers(min_value=1, max_value=120)}),
    "stepwise": st.fixed_dictionaries(
        {
            "every_days": st.integers(min_value=1, max_value=40),
            "points": st.integers(min_value=1, max_value=20),
        }
    ),
}


@st.composite
def decay_config(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(sorted(DECAYS)))
    return {"kind": kind, **draw(DECAYS[kind])}


@st.composite
def implicit_rule(
    draw: st.DrawFn, index: int, positive: bool, windows: bool = True
) -> dict[str, Any]:
    low = 1 if positive else -40
    points = draw(st.integers(min_value=low, max_value=40).filter(lambda p: p != 0))
    rule: dict[str, Any] = {
        "name": f"rule{index}",
        "event": draw(st.sampled_from(EVENT_NAMES[:4])),
        "points": points,
    }
    if draw(st.booleans()):
        rule["where"] = {
            "field": "path",
            "in": list(draw(st.sets(st.sampled_from(PATHS), min_size=1))),
        }
    if draw(st.booleans()):
        rule["max_count"] = draw(st.integers(min_value=1, max_value=4))
    if draw(st.booleans()):
        rule["max_points"] = draw(st.integers(min_value=5, max_value=60))
    if draw(st.integers(0, 3)) == 0:
        rule["decays"] = False
    if windows and draw(st.integers(0, 3)) == 0:
        rule["within_days"] = draw(st.sampled_from([0.5, 1, 7, 30, 45.5, 90]))
    if draw(st.integers(0, 3)) == 0:
        rule["max_per_day"] = draw(st.integers(min_value=1, max_value=3))
    if draw(st.integers(0, 3)) == 0:
        rule["max_per_week"] = draw(st.integers(min_value=1, max_value=5))
    return rule


@st.composite
def model_config(draw: st.DrawFn, positive: bool = False, caps: bool = True) -> dict[str, Any]:
    """A ``[scoring]`` table: random implicit rules (negative ones unless ``positive``),
    a random decay and, if ``caps``, sometimes a total cap. Rules may have caps per day
    or week (in a random zone), and windows unless ``positive`` (a window lowers the
    score as time passes, so hot_since is no longer bounded by a late event's check),
    and sometimes ``reset_on``."""
    count = draw(st.integers(min_value=1, max_value=5))
    config: dict[str, Any] = {
        "hot_threshold": draw(st.integers(min_value=20, max_value=150)),
        "explicit": [
            {
                "name": "fit",
                "points": draw(st.integers(0, 60)),
                "when": {"field": "fit", "eq": True},
            }
        ],
        "implicit": [draw(implicit_rule(i, positive, not positive)) for i in range(count)],
        "decay": draw(decay_config()),
    }
    if draw(st.booleans()):
        config["timezone"] = draw(st.sampled_from(["UTC", "Europe/Madrid", "America/New_York"]))
    if draw(st.integers(0, 3)) == 0:
        config["reset_on"] = draw(st.sampled_from([["noise"], ["unsubscribe", "noise"]]))
    if caps and draw(st.booleans()):
        fit = config["explicit"][0]["points"]
        config["max_total"] = draw(st.integers(min_value=max(10, fit), max_value=200))
    return config


profiles = st.fixed_dictionaries({"id": st.just("L1"), "fit": st.booleans()})


@st.composite
def named_model_config(draw: st.DrawFn, positive: bool = False) -> dict[str, Any]:
    """:func:`model_config` with 1 to 3 named scores (``[scoring.scores]``), each over a
    random selection of the rules (a rule may be in several), sometimes with its own
    hot threshold, decay, ``max_total`` or ``reset_on``."""
    config = draw(model_config(positive=positive))
    names = ["fit", *(rule["name"] for rule in config["implicit"])]
    scores: dict[str, Any] = {}
    for index in range(draw(st.integers(min_value=1, max_value=3))):
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
        spec: dict[str, Any] = {"rules": chosen}
        if draw(st.booleans()):
            spec["hot_threshold"] = draw(st.integers(min_value=10, max_value=120))
        if draw(st.integers(0, 2)) == 0:
            spec["decay"] = draw(decay_config())
        if draw(st.integers(0, 3)) == 0:
            spec["max_total"] = draw(st.integers(min_value=60, max_value=200))
        if draw(st.integers(0, 3)) == 0:
            spec["reset_on"] = draw(st.sampled_from([[], ["unsubscribe"], ["noise"]]))
        scores[f"s{index}"] = spec
    config["scores"] = scores
    return config


def restricted_config(config: dict[str, Any], name: str) -> dict[str, Any]:
    """The ``[scoring]`` table of a model of only named score ``name``'s rules, with its
    own settings: what the named score is documented to equal, built independently."""
    spec = config["scores"][name]
    chosen = set(spec["rules"])
    out = {key: value for key, value in config.items() if key != "scores"}
    out["explicit"] = [rule for rule in config["explicit"] if rule["name"] in chosen]
    out["implicit"] = [rule for rule in config["implicit"] if rule["name"] in chosen]
    for key in ("hot_threshold", "decay", "max_total", "reset_on"):
        if key in spec:
            out[key] = spec[key]
    return out


PRICE_STRUCTURES = (
    "uncorrelated",
    "flat rate card",
    "equal ratio",
    "correlated",
    "free",
    "sub-unit",
)


@st.composite
def kol_pool(draw: st.DrawFn, max_size: int = 12) -> list[bf.KOLCandidate]:
    """KOL candidates (audience share of role "cto") under one of the price structures
    real rate cards have: free posts, a flat price per 1,000 followers with equal or
    differing audience shares, cost tied to reach, sub-cent prices."""
    structure = draw(st.sampled_from(PRICE_STRUCTURES))
    size = draw(st.integers(1, max_size))
    rate = Decimal(draw(st.integers(10, 100)))  # $ per 1,000 followers
    out = []
    for index in range(size):
        followers = draw(st.integers(1_000, 200_000))
        share = draw(st.sampled_from([0.1, 0.25, 0.5, 0.8]))
        cost: Decimal | None
        if structure in ("flat rate card", "equal ratio"):
            share = 0.5 if structure == "equal ratio" else share
            cost = rate * followers / 1000
        elif structure == "correlated":
            cost = Decimal(draw(st.integers(10, 100)))
            followers = int(cost) * 20 + 1000
            share = 0.5
        elif structure == "sub-unit":
            cost = Decimal(draw(st.integers(1, 2_000))) / 1000
        else:
            cost = Decimal(draw(st.integers(0 if structure == "free" else 1, 400)) * 10)
        out.append(
            bf.KOLCandidate(
                f"@k{index}", followers, {"cto": share}, followers * 0.03, cost_per_post=cost
            )
        )
    return out


# Zones whose clocks change, both hemispheres, and instants around their 2026 changes.
DST_ZONES = ("Europe/Madrid", "America/New_York", "Australia/Sydney", "America/Santiago")
dst_zones = st.sampled_from(DST_ZONES)
dst_instants = st.integers(min_value=0, max_value=330 * 86_400).map(
    lambda s: datetime(2026, 1, 20, tzinfo=UTC) + timedelta(seconds=s)
)


@st.composite
def histories(
    draw: st.DrawFn, max_leads: int = 8
) -> tuple[list[dict[str, Any]], list[bf.Event], list[dict[str, Any]]]:
    """Several leads with profiles, events and outcomes (some leads never convert, some
    convert more than once, one outcome may belong to a lead with no profile)."""
    count = draw(st.integers(min_value=1, max_value=max_leads))
    leads = [f"L{i}" for i in range(count)]
    profiles = [{"id": lead, "fit": draw(st.booleans())} for lead in leads]
    history: list[bf.Event] = []
    outcomes: list[dict[str, Any]] = []
    for lead in leads:
        history.extend(draw(events(lead, max_size=8)))
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            outcomes.append({"lead_id": lead, "at": draw(times)})
    if draw(st.booleans()):
        outcomes.append({"lead_id": "stranger", "at": draw(times)})
    return profiles, history, outcomes


# Attribution: leads with several deals (renewals, upsells, a lost deal and a later win),
# touches before, between, during and after them, in zones with DST changes.
CHANNELS = ("kol", "email", "search", "webinar")
ZONES = (UTC, ZoneInfo("Europe/Madrid"), ZoneInfo("America/New_York"))

# Any amount a CRM can hold: cents, many decimals, 30 significant digits, ints, floats.
amounts = st.one_of(
    st.decimals(min_value=0, max_value=10**7, places=2),
    st.builds(
        lambda digits, places: Decimal(f"{digits}E-{places}"),
        st.integers(min_value=0, max_value=10**30),
        st.integers(min_value=0, max_value=12),
    ),
    st.integers(min_value=0, max_value=10**12),
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
)


@st.composite
def moments(draw: st.DrawFn, low_day: int = 0, high_day: int = 200) -> datetime:
    """An instant between two days after :data:`EPOCH`, in one of :data:`ZONES`."""
    seconds = draw(st.integers(min_value=low_day * 86_400, max_value=high_day * 86_400))
    return (EPOCH + timedelta(seconds=seconds)).astimezone(draw(st.sampled_from(ZONES)))


@st.composite
def crm_journeys(
    draw: st.DrawFn, max_leads: int = 4, max_deals: int = 3, max_touches: int = 8
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Touches and deals of a few leads; a lead has 0..``max_deals`` deals, one after
    the other or overlapping, the last possibly open, and touches at any time."""
    touches: list[dict[str, Any]] = []
    deals: list[dict[str, Any]] = []
    for lead in range(draw(st.integers(min_value=1, max_value=max_leads))):
        lead_id = f"L{lead}"
        count = draw(st.integers(min_value=0, max_value=max_deals))
        start = 0
        for k in range(count):
            created = start + draw(st.integers(min_value=0, max_value=30))
            outcomes = ["won", "won", "lost"] + (["open"] if k == count - 1 else [])
            deal = {
                "lead_id": lead_id,
                "amount": draw(amounts),
                "outcome": draw(st.sampled_from(outcomes)),
                "created_at": draw(moments(created, created)),
                "lead_created_at": EPOCH,
            }
            if deal["outcome"] != "open":
                closed = created + draw(st.integers(min_value=0, max_value=40))
                deal["closed_at"] = draw(moments(closed, closed)) + timedelta(hours=1)
                start = max(0, closed - draw(st.integers(min_value=0, max_value=10)))
            deals.append(deal)
        for _ in range(draw(st.integers(min_value=0, max_value=max_touches))):
            touches.append(
                {
                    "lead_id": lead_id,
                    "at": draw(moments(0, start + 60)),
                    "channel": draw(st.sampled_from(CHANNELS)),
                }
            )
    return touches, deals


# A cell as a pandas DataFrame holds it: blank (None, NaN), a number or short text.
table_cells = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.integers(min_value=-5, max_value=5),
    st.floats(min_value=-5, max_value=5, allow_nan=False),
    st.text("ab ", max_size=3),
)


@st.composite
def partitions(draw: st.DrawFn, items: list[Any], max_parts: int = 8) -> list[list[Any]]:
    """``items`` split into 1..``max_parts`` parts (some possibly empty), each item in one
    part, in their order: how a data lake's partitions hold rows."""
    k = draw(st.integers(min_value=1, max_value=max_parts))
    parts: list[list[Any]] = [[] for _ in range(k)]
    for item in items:
        parts[draw(st.integers(min_value=0, max_value=k - 1))].append(item)
    return parts


@st.composite
def lead_partitions(
    draw: st.DrawFn, touches: list[dict[str, Any]], deals: list[dict[str, Any]]
) -> list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Touches and deals split into up to 8 parts by lead: a lead's rows in one part."""
    leads = sorted({row["lead_id"] for row in (*touches, *deals)})
    parts = draw(partitions(leads))
    return [
        (
            [t for t in touches if t["lead_id"] in part],
            [d for d in deals if d["lead_id"] in part],
        )
        for part in parts
    ]


REASONS = ("no budget", "No  Budget", "NO BUDGET", "sin presupuesto", "Sin presupuésto", " ")


@st.composite
def lifecycle_records(draw: st.DrawFn) -> dict[str, Any]:
    """A lead's lifecycle: stage times in order (whole days or odd hours, across DST
    zones) up to some stage, maybe a first contact, maybe a rejection with a reason
    spelt one of several ways."""
    record: dict[str, Any] = {}
    moment = draw(moments(0, 100))
    for stage in ("lead", "mql", "sql", "opportunity", "won")[: draw(st.integers(0, 5))]:
        record[f"{stage}_at"] = moment
        step = draw(
            st.one_of(
                st.integers(0, 20).map(lambda d: timedelta(days=d)),
                st.integers(0, 500).map(lambda h: timedelta(hours=h)),
            )
        )
        moment = (moment + step).astimezone(draw(st.sampled_from(ZONES)))
    if "sql_at" in record and draw(st.booleans()):
        record["first_contact_at"] = record["sql_at"] + timedelta(hours=draw(st.integers(-5, 60)))
    if draw(st.booleans()):
        record["rejected_at"] = moment
        record["rejection_reason"] = draw(st.one_of(st.none(), st.sampled_from(REASONS)))
    return record


@st.composite
def written_amounts(draw: st.DrawFn) -> tuple[str, str, Decimal, str | None]:
    """An amount as a CRM export writes it: ``(cell, decimal mark, value, ISO code)``,
    grouped in threes under its convention, with a symbol or code before or after (or
    none) and a space or not."""
    cents = draw(st.integers(min_value=0, max_value=10**11))
    decimal = draw(st.sampled_from([".", ","]))
    group = draw(st.sampled_from(["", ",", " ", "\u00a0"] if decimal == "." else ["", ".", " "]))
    whole = f"{cents // 100:,}".replace(",", group)
    text = whole + (decimal + f"{cents % 100:02d}" if draw(st.booleans()) else "")
    value = Decimal(cents // 100) + (Decimal(cents % 100) / 100 if decimal in text else 0)
    mark = draw(st.sampled_from([None, "€", "$", "EUR", "USD", "GBP"]))
    code = {"€": "EUR", "$": "USD"}.get(mark or "", mark)
    if mark is not None:
        space = draw(st.sampled_from(["", " "])) if len(mark) == 1 else " "
        text = mark + space + text if draw(st.booleans()) else text + space + mark
    return text, decimal, value, code


ACCOUNT_EVENT_NAMES = [
    "pricing_page_visit",
    "webinar_completed",
    "case_study_download",
    "page_view",
]


@st.composite
def account_populations(
    draw: st.DrawFn, as_of: datetime
) -> tuple[list[dict[str, str]], list[bf.Event]]:
    """A few contacts at two companies and on gmail, with titles of several roles, and
    events of theirs up to 60 days before ``as_of``."""
    n = draw(st.integers(1, 8))
    domains = ["a.es", "b.com", "gmail.com"]
    titles = ["CFO", "CTO", "Engineer", "", "Consultant"]
    leads = [
        {"id": f"L{i}", "email": f"x@{draw(st.sampled_from(domains))}",
         "job_title": draw(st.sampled_from(titles))}
        for i in range(n)
    ]  # fmt: skip
    events = [
        bf.Event(f"L{draw(st.integers(0, n - 1))}", draw(st.sampled_from(ACCOUNT_EVENT_NAMES)),
                 as_of - timedelta(days=draw(st.integers(0, 60))))
        for _ in range(draw(st.integers(0, 20)))
    ]  # fmt: skip
    return leads, events


# --- nurture contact pressure ---------------------------------------------------------

NURTURE_EVENTS = (
    "page_view",
    "email_reply",
    "nurture_resumed",
    "pricing_page_visit",
    "meeting_booked",
    "unsubscribe",
)


@st.composite
def lead_histories(
    draw: st.DrawFn, flows: int = 3, max_size: int = 20
) -> list[tuple[str, float, int, str]]:
    """One lead's life across ``flows`` flows: ``(op, day, flow, event)`` in time order,
    ``op`` being ``"event"`` (handled by flow ``flow``) or ``"advance"`` (every flow);
    events are rarely a suppression or a goal, so histories run long."""
    size = draw(st.integers(min_value=0, max_value=max_size))
    day = 0.0
    out = []
    for _ in range(size):
        day += draw(st.floats(min_value=0, max_value=9, allow_nan=False))
        op = draw(st.sampled_from(("event", "event", "advance")))
        name = draw(st.sampled_from(NURTURE_EVENTS[:4] * 4 + NURTURE_EVENTS[4:]))
        out.append((op, round(day, 3), draw(st.integers(0, flows - 1)), name))
    return out
