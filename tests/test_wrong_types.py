"""Every public callable refuses wrong Python types with a B2BFunnelError.

A table holds one valid call of each public function, input class and method; the
test replaces each argument in turn with values of the wrong type and accepts only a
``B2BFunnelError`` (never a bare TypeError, AttributeError, IndexError...). Result
classes, which the library builds, are walked through their methods only. numpy
scalars, NaN and pandas NA are not wrong types, so they are not used here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import b2bfunnel as bf
from b2bfunnel.nurture import Pressure, advance_lead

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)
# Wrong for every parameter of the table: no parameter takes an arbitrary object, a
# complex number or a list holding one.
WRONG: tuple[Any, ...] = (object(), 1j, [object()])


def day(d: int) -> datetime:
    return datetime(2026, 11, d, tzinfo=UTC)


MODEL = bf.ScoringModel.default()
PROFILE = {"id": "L1", "job_title": "CTO", "employees": 900}
EVENT = bf.Event("L1", "pricing_page_visit", day(20), {"path": "/pricing"})
EVENTS = [EVENT, bf.Event("L1", "webinar_completed", day(21))]
STATE = MODEL.ingest(MODEL.new_state("L1", PROFILE), EVENTS)
SCORE = MODEL.score(PROFILE, EVENTS, as_of=AT)
FLOW = bf.NurtureFlow.default()
NSTATE = FLOW.enroll("L1", at=day(1))
LFLOW = bf.NurtureFlow.from_dict(
    {
        "name": "lim",
        "max_sends": {"per_days": 7, "count": 2},
        "min_gap_hours": 4,
        "splits": [
            {"name": "s", "status": "nurturing", "arms": {"A": {"weight": 1}, "B": {"weight": 1}}}
        ],
    }
)
LSTATE = LFLOW.enroll("L1", at=day(1))
ARM_STATES = [LFLOW.enroll(f"L{i}", at=day(1)) for i in range(6)]
NPS = bf.nps([9, 10, 7, 3, 9, 8] * 10)
CANDIDATE = bf.KOLCandidate(
    "@a", 12_000, {"cto": 0.3, "developer": 0.4}, avg_interactions=300,
    topics=["cloud"], cost_per_post=400,
)  # fmt: skip
BRIEF = bf.KOLBrief(target_roles=["cto"], topics=["cloud"])
RESPONSES = [bf.Response(s, at=day(2), segments={"sector": "saas"}, account="Acme")
             for s in (9, 10, 3, 7) * 10]  # fmt: skip
TICKETS = [bf.Ticket(i % 3 != 0, at=day(2), segments={"team": "a"}) for i in range(40)]
TOUCHES = [{"lead_id": "L1", "at": day(1), "channel": "kol_webinar"},
           {"lead_id": "L1", "at": day(5), "channel": "email"}]  # fmt: skip
DEALS = [{"lead_id": "L1", "amount": "1000.00", "outcome": "won", "created_at": day(6),
          "closed_at": day(20), "lead_created_at": day(1)},
         {"created_at": day(2), "closed_at": day(5), "amount": 500, "outcome": "lost"}]  # fmt: skip
RECORDS = [{"lead_at": day(1), "mql_at": day(2), "sql_at": day(4), "first_contact_at": day(4)}]
LEADS = [{"id": f"L{i}", "job_title": "CTO" if i % 2 else "Analyst", "employees": 900}
         for i in range(12)]  # fmt: skip
HISTORY = [bf.Event(f"L{i}", "pricing_page_visit", day(1)) for i in range(12)]
HISTORY.append(bf.Event("L0", "page_view", day(28)))
OUTCOMES = [{"lead_id": f"L{i}", "at": day(10 + i)} for i in range(0, 12, 3)]
EVALUATION = bf.evaluate(MODEL, LEADS, HISTORY, OUTCOMES, cutoff=day(5), horizon_days=10)
FITTED = bf.fit_points(LEADS, HISTORY, OUTCOMES, cutoff=day(5), horizon_days=10)
POLICY = bf.QualificationPolicy.default()
ANSWERS = {"budget": "approved", "need": "risk", "timing": day(25)}

# (label, callable, positional arguments, keyword arguments): one valid call each.
Call = tuple[str, Callable[..., Any], tuple[Any, ...], dict[str, Any]]
CALLS: list[Call] = [
    # events and scoring
    ("Event", bf.Event, ("L1", "visit", AT), {"properties": {"a": 1}}),
    ("Event.from_dict", bf.Event.from_dict, (EVENT.to_dict(),), {}),
    ("Decay", bf.Decay, ("half_life", {"half_life_days": 7}), {}),
    ("Decay.event_factor", bf.Decay().event_factor, (3.0,), {}),
    ("Decay.factor", bf.Decay().factor, (50.0, 40.0), {}),
    ("Decay.param", bf.Decay().param, ("grace_days",), {}),
    ("Tier", bf.Tier, ("warm", 40), {}),
    ("ScoringModel.from_dict", bf.ScoringModel.from_dict, ({"hot_threshold": 80},), {}),
    ("ScoringModel.score", MODEL.score, (PROFILE, EVENTS), {"as_of": AT}),
    ("ScoringModel.rank", MODEL.rank, ([PROFILE], EVENTS), {"as_of": AT}),
    ("ScoringModel._rank_with_peaks", MODEL._rank_with_peaks, ([PROFILE], EVENTS), {"as_of": AT}),
    ("ScoringModel.new_state", MODEL.new_state, ("L1", PROFILE), {}),
    ("ScoringModel.with_profile", MODEL.with_profile, (STATE, PROFILE), {}),
    ("ScoringModel.ingest", MODEL.ingest, (STATE, EVENT), {}),
    ("ScoringModel.score_state", MODEL.score_state, (STATE,), {"as_of": AT}),
    ("ScoreState.from_dict", bf.ScoreState.from_dict, (STATE.to_dict(),), {}),
    ("Score.top_reasons", SCORE.top_reasons, (2,), {}),
    ("Condition.from_dict", bf.Condition.from_dict, ({"field": "a", "gte": 1},), {}),
    (
        "Condition.matches",
        bf.Condition.from_dict({"field": "a", "gte": 1}).matches,
        ({"a": 2},),
        {},
    ),
    ("data_report", bf.data_report, (MODEL, [PROFILE], EVENTS), {}),
    # qualification
    ("qualify", bf.qualify, (ANSWERS,), {"policy": POLICY, "as_of": AT, "language": "es"}),
    (
        "QualificationPolicy.from_dict",
        bf.QualificationPolicy.from_dict,
        ({"framework": "bant"},),
        {},
    ),
    ("QualificationPolicy.preset", bf.QualificationPolicy.preset, ("meddic",), {}),
    ("QualificationPolicy.criterion", POLICY.criterion, ("budget",), {}),
    (
        "next_fields",
        bf.next_fields,
        ({"budget": "approved"},),
        {"hot": True, "max_fields": 3, "policy": POLICY},
    ),
    (
        "diagnose_price_objection",
        bf.diagnose_price_objection,
        ({"avoids_results": True},),
        {"decision_days": 10, "speaker_role": "economic_buyer"},
    ),
    ("review_contract", bf.review_contract, ({"morality_clause": True},), {}),
    # facade
    ("Funnel", bf.Funnel, ({"scoring": {"hot_threshold": 80}},), {}),
    ("Funnel.score", bf.Funnel().score, (PROFILE, EVENTS), {"as_of": AT}),
    ("Funnel.rank", bf.Funnel().rank, ([PROFILE], EVENTS), {"as_of": AT}),
    ("Funnel.qualify", bf.Funnel().qualify, (ANSWERS,), {"as_of": AT}),
    ("Funnel.kol_fit", bf.Funnel().kol_fit, (CANDIDATE, BRIEF), {}),
    ("Funnel.simulate", bf.Funnel().simulate, ([PROFILE], EVENTS), {"until": AT}),
    # nurture
    ("NurtureFlow.from_dict", bf.NurtureFlow.from_dict, ({"hot_threshold": 80},), {}),
    ("NurtureFlow.enroll", FLOW.enroll, ("L1",), {"at": day(1), "timezone": "Europe/Madrid"}),
    (
        "NurtureFlow.handle",
        FLOW.handle,
        (NSTATE, bf.Event("L1", "email_open", day(2))),
        {"score": 50},
    ),
    ("NurtureFlow.advance", FLOW.advance, (NSTATE,), {"as_of": day(20)}),
    (
        "NurtureFlow.replay",
        FLOW.replay,
        ("L1",),
        {"enrolled_at": day(1), "events": [bf.Event("L1", "email_open", day(2))], "as_of": AT},
    ),
    ("NurtureState.from_dict", bf.NurtureState.from_dict, (NSTATE.to_dict(),), {}),
    (
        "NurtureFlow.handle (pressure)",
        LFLOW.handle,
        (LSTATE, bf.Event("L1", "email_open", day(2))),
        {"score": 50, "pressure": [day(1)]},
    ),
    ("NurtureFlow.advance (pressure)", LFLOW.advance, (LSTATE,), {"as_of": AT, "pressure": []}),
    ("NurtureFlow.arm", LFLOW.arm, ("L1", "s"), {}),
    ("arm_sample_size", bf.arm_sample_size, (0.05, 0.2), {"power": 0.8, "arms": 3}),
    (
        "compare_arms",
        bf.compare_arms,
        (ARM_STATES, [{"lead_id": "L1", "at": day(3)}]),
        {"split": "s", "horizon_days": 5, "as_of": AT, "min_n": 1, "sequential": True},
    ),
    (
        "advance_lead",
        advance_lead,
        ([(LFLOW, LSTATE), (FLOW, NSTATE)], [day(1)]),
        {"as_of": AT},
    ),
    ("Pressure.of", Pressure.of, ([day(1)],), {}),
    ("Pressure.from_dict", Pressure.from_dict, (Pressure.of([day(1)]).to_dict(),), {}),
    ("Pressure.merge", Pressure().merge, (Pressure(),), {}),
    # NPS and service metrics
    ("nps", bf.nps, ([9, 10, 3],), {"confidence": 0.9, "method": "wald"}),
    ("Response", bf.Response, (9,), {"at": AT, "segments": {"s": "a"}, "account": "A"}),
    ("Ticket", bf.Ticket, (True,), {"at": AT, "segments": {"s": "a"}}),
    ("nps_report", bf.nps_report, (RESPONSES,), {"by": "sector", "period": "month"}),
    ("account_nps", bf.account_nps, (RESPONSES,), {"weights": {"Acme": 2}}),
    ("compare_nps", bf.compare_nps, (NPS, NPS), {"labels": ("a", "b")}),
    ("nps_sample_size", bf.nps_sample_size, (10,), {"expected": (0.5, 0.2)}),
    ("nps_detectable_change", bf.nps_detectable_change, (100, 100), {"power": 0.8}),
    ("nps_position", bf.nps_position, (20, "saas"), {}),
    ("nps_what_it_takes", bf.nps_what_it_takes, (NPS, 50), {}),
    ("ces", bf.ces, ([5, 6, 7, 2],), {"low_effort_min": 5}),
    ("ces_report", bf.ces_report, ([bf.Response(5, at=day(2))] * 3,), {"period": "month"}),
    ("fcr", bf.fcr, ([True, False, True],), {}),
    ("fcr_report", bf.fcr_report, (TICKETS,), {"by": "team"}),
    (
        "comment_themes",
        bf.comment_themes,
        ([bf.Response(3, comment="too expensive")], {"price": ["expensive"]}),
        {},
    ),
    # KOL
    ("KOLCandidate", bf.KOLCandidate, ("@b", 5000, {"cto": 0.5}), {"avg_interactions": 100}),
    ("KOLBrief", bf.KOLBrief, (["cto"],), {"topics": ["cloud"]}),
    ("KOLConfig.from_dict", bf.KOLConfig.from_dict, ({},), {}),
    ("kol_fit", bf.kol_fit, (CANDIDATE, BRIEF), {"config": bf.KOLConfig()}),
    ("plan_portfolio", bf.plan_portfolio, ([CANDIDATE], BRIEF, 1500), {}),
    # evaluation and tables
    (
        "evaluate",
        bf.evaluate,
        (MODEL, LEADS, HISTORY, OUTCOMES),
        {"cutoff": day(5), "horizon_days": 10},
    ),
    (
        "fit_points",
        bf.fit_points,
        (LEADS, HISTORY, OUTCOMES),
        {"cutoff": day(5), "horizon_days": 10},
    ),
    (
        "time_split",
        bf.time_split,
        (LEADS, HISTORY, OUTCOMES),
        {"fit_cutoff": day(2), "cutoff": day(13), "horizon_days": 10},
    ),
    ("Evaluation.threshold_for", EVALUATION.threshold_for, (), {"capacity": 2, "per_days": 7}),
    ("Evaluation.psi", EVALUATION.psi, (EVALUATION,), {}),
    ("Evaluation.crossings", EVALUATION.crossings, (50,), {"per_days": 7}),
    ("FittedModel.probability", FITTED.probability, (50,), {}),
    ("FittedModel.odds", FITTED.odds, (50,), {}),
    ("FittedModel.points", FITTED.points, (50,), {}),
    (
        "events_from",
        bf.events_from,
        ([{"lead_id": "L1", "name": "x", "at": "2026-11-01T00:00:00Z"}],),
        {"lead_id": "lead_id"},
    ),
    ("to_records", bf.to_records, (EVALUATION,), {}),
    ("KOLConfig.norm", bf.KOLConfig().norm, (1000,), {}),
    ("KOLConfig.check_flags", bf.KOLConfig().check_flags, (["provocative_tone"],), {}),
    # pipeline
    (
        "pipeline_velocity",
        bf.pipeline_velocity,
        (),
        {"opportunities": 10, "avg_deal_value": 1000, "win_rate": 0.2, "cycle_days": 30},
    ),
    ("velocity_from_deals", bf.velocity_from_deals, (DEALS,), {"as_of": day(23)}),
    (
        "compare_velocity",
        bf.compare_velocity,
        (DEALS,),
        {"by": "outcome", "as_of": day(23), "samples": 20},
    ),
    ("funnel_metrics", bf.funnel_metrics, (RECORDS,), {"sla": timedelta(hours=48)}),
    ("attribute", bf.attribute, (TOUCHES, DEALS[:1]), {"models": ["linear"], "by": "channel"}),
]


def _cases() -> list[Any]:
    cases = []
    for label, fn, args, kwargs in CALLS:
        for index in range(len(args)):
            for wrong in WRONG:
                new_args = (*args[:index], wrong, *args[index + 1 :])
                cases.append(
                    pytest.param(
                        fn, new_args, kwargs, id=f"{label}-arg{index}-{type(wrong).__name__}"
                    )
                )
        for key in kwargs:
            for wrong in WRONG:
                cases.append(
                    pytest.param(
                        fn, args, {**kwargs, key: wrong}, id=f"{label}-{key}-{type(wrong).__name__}"
                    )
                )
    return cases


@pytest.mark.parametrize(("label", "fn", "args", "kwargs"), CALLS, ids=[c[0] for c in CALLS])
def test_each_valid_call_works(
    label: str, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """The table's calls are valid, so a refusal below is about the wrong value alone."""
    fn(*args, **kwargs)


@pytest.mark.parametrize(("fn", "args", "kwargs"), _cases())
def test_wrong_types_raise_b2bfunnel_errors(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> None:
    """A wrong-typed argument anywhere is a B2BFunnelError, nothing else."""
    with pytest.raises(bf.B2BFunnelError):
        fn(*args, **kwargs)


def test_every_public_callable_is_in_the_table() -> None:
    """New public functions join the walk."""
    functions = {n for n in bf.__all__ if callable(getattr(bf, n)) and n[0].islower()}
    walked = {label for label, *_ in CALLS}
    missing = sorted(
        n for n in functions - walked if n != "to_pandas"  # needs the pandas extra
    )  # fmt: skip
    assert missing == []
