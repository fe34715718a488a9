"""The public API used as a user would, checked by ``mypy --strict`` (see ``.ci/run``).

Each ``assert_type`` states what a checker must infer; a loose signature (a bare
``Any``) fails it. The same code runs under pytest through ``test_public_types``, so
the example cannot rot: what it claims about values is checked too.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from importlib.resources import files
from typing import Any, assert_type

import b2bfunnel as bf
import b2bfunnel.kol

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def demo_rows(name: str) -> list[dict[str, str]]:
    """The rows of one of the demo CSV files the package ships."""
    text = (files("b2bfunnel") / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def demo_events() -> list[bf.Event]:
    """The demo events, properties as their non-empty extra cells."""
    return [
        bf.Event(
            row["lead_id"],
            row["name"],
            datetime.fromisoformat(row["at"]),
            {k: v for k, v in row.items() if k not in ("lead_id", "name", "at") and v},
        )
        for row in demo_rows("demo_events.csv")
    ]


def scoring() -> None:
    """A funnel scores and ranks leads; scores explain themselves."""
    funnel = bf.Funnel.from_dict({"scoring": {"hot_threshold": 80}})
    assert_type(funnel, bf.Funnel)
    profile: dict[str, Any] = {"id": "L1", "job_title": "CTO", "employees": 900}
    events = [
        bf.Event("L1", "pricing_page_visit", NOW - timedelta(days=2)),
        bf.Event("L2", "webinar_completed", NOW - timedelta(days=1), {"source": "kol"}),
    ]
    score = funnel.score(profile, [e for e in events if e.lead_id == "L1"], as_of=NOW)
    assert_type(score, bf.Score)
    total = assert_type(score.total, float)
    assert total >= 15.0  # at least the pricing page visit counts
    assert isinstance(score.explain(), str)
    ranking = funnel.rank([profile, {"id": "L2"}], events, as_of=NOW)
    assert_type(ranking[0], bf.Score)
    totals = [s.total for s in ranking]
    assert totals == sorted(totals, reverse=True)
    assert bf.Funnel.from_dict(funnel.to_dict()) == funnel


def qualification() -> None:
    """Every BANT criterion met makes an SQL; the first missing one asks its question."""
    sql = bf.qualify(
        {
            "budget": "approved",
            "authority": "economic_buyer",
            "need": "compliance",
            "timing": "this_quarter",
        }
    )
    assert_type(sql, bf.Qualification)
    assert sql.stage is bf.Stage.SQL and sql.next_question is None
    partial = bf.qualify({"need": "compliance"}, language="es")
    assert_type(partial.missing, tuple[str, ...])
    question = assert_type(partial.next_question, str | None)
    assert partial.stage is bf.Stage.MQL and question is not None


def surveys() -> None:
    """NPS of two promoters and a detractor is (2 - 1) / 3 = 33.3; reports keep the type."""
    result = bf.nps([10, 9, 0])
    assert_type(result, bf.NPSResult)
    assert round(result.score, 1) == 33.3
    responses = [bf.Response(s, NOW, {"sector": "saas"}) for s in (10, 9, 0)]
    report = bf.nps_report(responses, by="sector", min_n=1)
    overall = assert_type(report.overall, bf.NPSResult)
    assert overall.score == result.score
    assert [c.result.n for c in report.cells] == [3]


def velocity() -> None:
    """40 open deals of 25,000 won a quarter of the time over 50 days: 5,000 a day."""
    figure = bf.pipeline_velocity(
        opportunities=40, avg_deal_value=Decimal("25000"), win_rate=0.25, cycle_days=50
    )
    assert_type(figure, Decimal)
    assert figure == 5000
    deals: list[dict[str, object]] = [
        {
            "amount": 1000,
            "outcome": "won",
            "created_at": NOW - timedelta(days=30),
            "closed_at": NOW - timedelta(days=10),
        },
        {"amount": 500, "outcome": "open", "created_at": NOW - timedelta(days=5)},
    ]
    report = bf.velocity_from_deals(deals, as_of=NOW, window=timedelta(days=90))
    assert_type(report, bf.VelocityReport)
    assert report.opportunities == 1 and report.won == 1
    assert report.cycle_days == 20


def kol() -> None:
    """A KOL whose audience is the target fits; a portfolio keeps within its budget."""
    brief = bf.KOLBrief(target_roles=["cto"], topics=["cloud"])
    candidate = bf.KOLCandidate(
        "@cloudcto", 5000, {"cto": 0.6}, 200, topics=["cloud"], cost_per_post=Decimal("300")
    )
    fit = bf.kol_fit(candidate, brief)
    assert_type(fit, bf.KOLFit)
    assert fit.affinity == 0.6 and 0 <= fit.score <= 100
    portfolio = bf.plan_portfolio([candidate], brief, "500.00")
    assert_type(portfolio, b2bfunnel.kol.Portfolio)
    assert portfolio.total_cost <= 500


def nurture() -> None:
    """A flow enrols a lead, advances it and hands it to Sales on a hot score."""
    flow = bf.NurtureFlow.default()
    state = flow.enroll("L1", at=NOW)
    assert_type(state, bf.NurtureState)
    state, actions = flow.advance(state, as_of=NOW + timedelta(days=1))
    assert_type(actions, tuple[bf.Action, ...])
    assert all(a.lead_id == "L1" for a in actions)
    visit = bf.Event("L1", "pricing_page_visit", NOW + timedelta(days=2))
    state, actions = flow.handle(state, visit, score=flow.hot_threshold)
    assert state.status == "sales_ready"
    restored = bf.NurtureState.from_dict(state.to_dict())
    assert restored == state


def evaluation() -> None:
    """A model evaluated on the demo data gives an AUC in 0..1 and rows for a table."""
    cutoff = datetime(2026, 9, 24, tzinfo=UTC)
    result = bf.evaluate(
        bf.ScoringModel.default(),
        demo_rows("demo_leads.csv"),
        demo_events(),
        demo_rows("demo_outcomes.csv"),
        cutoff=cutoff,
        horizon_days=60,
    )
    assert_type(result, bf.Evaluation)
    auc = assert_type(result.auc, float | None)
    assert auc is not None and 0 <= auc <= 1
    rows = bf.to_records(result)
    assert_type(rows, list[dict[str, Any]])
    assert len(rows) == len(result.by_band)


def main() -> None:
    """Run every example."""
    scoring()
    qualification()
    surveys()
    velocity()
    kol()
    nurture()
    evaluation()


if __name__ == "__main__":
    main()
