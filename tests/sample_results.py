"""One small instance of every result type, with names that are also HTML markup."""

from __future__ import annotations

import csv
import functools
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from typing import Any

from conftest import NOW

import b2bfunnel as bf

HOSTILE = "<script>alert(1)</script>"


def deals() -> list[dict[str, Any]]:
    """Four deals in two cohorts, closed and open, with enough won to have levers."""
    rows = []
    for i, (amount, outcome, influenced) in enumerate(
        [
            (1000, "won", True),
            (3000, "won", True),
            (2000, "lost", True),
            (500, "open", True),
            (1500, "won", False),
            (900, "won", False),
            (2500, "lost", False),
            (800, "open", False),
        ]
    ):
        created = NOW - timedelta(days=80 - 5 * i)
        row = {"created_at": created, "amount": amount, "outcome": outcome}
        row["influenced"] = HOSTILE if influenced else "no"
        if outcome != "open":
            row["closed_at"] = created + timedelta(days=20 + 3 * i)
        rows.append(row)
    return rows


def demo_rows(name: str) -> list[dict[str, str]]:
    """The rows of a CSV file shipped in the package's data folder."""
    with (files("b2bfunnel") / "data" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@functools.cache
def evaluation_results() -> dict[str, Any]:
    """An evaluation, a fitted model and a time split of the shipped demo data."""
    profiles, outcomes = demo_rows("demo_leads.csv"), demo_rows("demo_outcomes.csv")
    events = bf.events_from(demo_rows("demo_events.csv"))
    early, late = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 9, 24, tzinfo=UTC)
    model = bf.ScoringModel.default()
    return {
        "Evaluation": bf.evaluate(model, profiles, events, outcomes, cutoff=late, horizon_days=60),
        "FittedModel": bf.fit_points(profiles, events, outcomes, cutoff=early, horizon_days=60),
        "TimeSplit": bf.time_split(
            profiles, events, outcomes, fit_cutoff=early, cutoff=late, horizon_days=60
        ),
    }


def every_result() -> dict[str, Any]:
    """Result type name -> an instance."""
    leads = [
        {"id": "L1", "job_title": "CIO", "employees": 1200},
        {"id": HOSTILE, "job_title": "Analyst", "employees": 20},
    ]
    events = [
        bf.Event("L1", "webinar_completed", NOW - timedelta(days=2)),
        bf.Event(HOSTILE, "pricing_page_visit", NOW - timedelta(days=1)),
    ]
    ranking = bf.Funnel().rank(leads, events, as_of=NOW)
    responses = [
        bf.Response(9, at=NOW, account="Acme", segments={"sector": "saas"}),
        bf.Response(10, at=NOW, account="Acme", segments={"sector": "saas"}),
        bf.Response(3, at=NOW - timedelta(days=100), account=HOSTILE, segments={"sector": HOSTILE}),
    ]
    touches = [
        {"lead_id": "L1", "at": NOW - timedelta(days=30), "channel": HOSTILE},
        {"lead_id": "L1", "at": NOW - timedelta(days=20), "channel": "email"},
    ]
    won = [
        {
            "lead_id": "L1",
            "amount": "1000.00",
            "outcome": "won",
            "created_at": NOW - timedelta(days=25),
            "closed_at": NOW - timedelta(days=10),
        }
    ]
    brief = bf.KOLBrief(target_roles=["cto"])
    pool = [
        bf.KOLCandidate(HOSTILE, 5000, {"cto": 0.8}, 200, cost_per_post=500),
        bf.KOLCandidate("@b", 100000, {"cto": 0.05}, 900, cost_per_post=3000),
        bf.KOLCandidate("@c", 8000, {"cto": 0.5}, 300, cost_per_post=400),
    ]
    flow = bf.NurtureFlow.default()
    state = flow.enroll(HOSTILE, at=NOW)
    state, actions = flow.advance(state, as_of=NOW + timedelta(days=6))
    q1, q2 = bf.NPSResult.from_counts(80, 80, 40), bf.NPSResult.from_counts(120, 100, 30)
    return {
        "Ranking": ranking,
        "Score": ranking[0],
        "Qualification": bf.qualify({"budget": "approved", "need": "risk"}),
        "NPSResult": bf.nps([10, 9, 9, 8, 7, 6, 3, 10, 9, 5]),
        "NPSComparison": bf.compare_nps(q1, q2, labels=("Q1", "Q2")),
        "WhatItTakes": bf.nps_what_it_takes(q1, 30),
        "NPSPosition": bf.nps_position(20, "saas"),
        "AccountNPS": bf.account_nps(responses),
        "Report": bf.nps_report(responses, by="sector", period="quarter", min_n=2),
        "CESResult": bf.ces([7, 6, 5]),
        "RateResult": bf.fcr([True, False, True]),
        "VelocityReport": bf.velocity_from_deals(deals(), as_of=NOW),
        "VelocityComparison": bf.compare_velocity(deals(), by="influenced", as_of=NOW),
        "FunnelMetrics": bf.funnel_metrics(
            [
                {
                    "lead_at": NOW - timedelta(days=9),
                    "mql_at": NOW - timedelta(days=7),
                    "sql_at": NOW - timedelta(days=5),
                },
                {"lead_at": NOW - timedelta(days=8), "mql_at": NOW - timedelta(days=6)},
                {"lead_at": NOW - timedelta(days=8)},
            ]
        ),
        "AttributionReport": bf.attribute(touches, won, models=["linear", "first_touch"]),
        "KOLFit": bf.kol_fit(pool[0], brief),
        "Portfolio": bf.plan_portfolio(pool, brief, 1000),
        "ContractReview": bf.review_contract({"morality_clause": True}),
        "NurtureState": state,
        "Action": actions[0],
        "Event": bf.Event(HOSTILE, "page_view", NOW, {"path": HOSTILE}),
        "DataReport": bf.data_report(bf.ScoringModel.default(), leads, events),
        **history_results(leads[1], events[1:]),
        **evaluation_results(),
    }


def history_results(lead: dict[str, Any], events: list[bf.Event]) -> dict[str, Any]:
    """A lead's timeline, one of its points and one of its band changes."""
    model = bf.ScoringModel.default()
    timeline = model.history(lead, events, start=NOW - timedelta(days=3), end=NOW)
    (change, *_) = model.changes(lead, events, end=NOW)
    return {"Timeline": timeline, "TimelinePoint": timeline[0], "BandChange": change}
