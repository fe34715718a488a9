"""Qualification: stages, statuses, policy as data, presets, committee, questions,
objection diagnosis, progressive profiling."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
ALL_MET = {
    "budget": "approved",
    "authority": "economic_buyer",
    "need": "risk",
    "timing": "this_quarter",
}


class TestDefaultPolicy:
    def test_all_four_met_is_sql(self) -> None:
        """Approved budget, economic buyer, a need and this quarter: SQL."""
        q = bf.qualify(ALL_MET)
        assert q.stage == bf.Stage.SQL == "SQL"
        assert q.met == {"budget", "authority", "need", "timing"}
        assert q.missing == () and q.next_question is None

    def test_no_need_is_unqualified(self) -> None:
        """Need none or unknown: a tourist, whatever else is met."""
        assert bf.qualify({**ALL_MET, "need": "none"}).stage == bf.Stage.UNQUALIFIED
        assert bf.qualify({k: v for k, v in ALL_MET.items() if k != "need"}).stage == "unqualified"

    @pytest.mark.parametrize(
        ("criterion", "value"),
        [
            ("budget", "estimating"),
            ("budget", "none"),
            ("authority", "technical_buyer"),
            ("timing", "this_year"),
            ("timing", "exploring"),
            ("authority", None),
        ],
    )
    def test_one_missing_is_mql(self, criterion: str, value: Any) -> None:
        """Need met and one other criterion not met: MQL."""
        q = bf.qualify({**ALL_MET, criterion: value})
        assert q.stage == bf.Stage.MQL
        assert q.missing == (criterion,)

    @pytest.mark.parametrize(
        ("criterion", "value", "status"),
        [
            ("budget", "approved", "met"),
            ("budget", "estimating", "partial"),
            ("budget", "business_case", "partial"),
            ("budget", "none", "unmet"),
            ("authority", "economic_buyer", "met"),
            ("authority", "technical_buyer", "partial"),
            ("authority", "influencer", "partial"),
            ("authority", "champion", "partial"),
            ("authority", "end_user", "unmet"),
            ("authority", "none", "unmet"),
            ("need", "compliance", "met"),
            ("need", "efficiency", "met"),
            ("need", "none", "unmet"),
            ("timing", "next_quarter", "met"),
            ("timing", "this_year", "partial"),
            ("timing", "next_year", "unmet"),
            ("budget", None, "unknown"),
        ],
    )
    def test_statuses(self, criterion: str, value: Any, status: str) -> None:
        """Each documented value has its status, with a reason."""
        q = bf.qualify({criterion: value})
        assert q.status(criterion) == status
        detail = next(d for d in q.details if d.criterion == criterion)
        assert detail.status == status and detail.reason

    def test_missing_in_bant_order_and_next_question(self) -> None:
        """Missing criteria keep B-A-N-T order; the question is for the first one."""
        q = bf.qualify({"need": "scale", "timing": "exploring"})
        assert q.missing == ("budget", "authority", "timing")
        assert "already approved, being estimated" in q.next_question
        assert q.next_question.endswith("?")

    def test_spanish_question(self) -> None:
        """language='es' gives the Spanish question."""
        q = bf.qualify({"need": "scale"}, language="es")
        assert q.next_question.startswith("¿Cómo está el presupuesto")

    def test_dates(self) -> None:
        """A decision date within 6 months is met, within 12 partial, later unmet."""

        def timing(d: date | datetime) -> str:
            return bf.qualify({"timing": d}, as_of=NOW).status("timing")

        assert timing(NOW + timedelta(days=150)) == "met"
        assert timing((NOW + timedelta(days=200)).date()) == "partial"
        assert timing(NOW + timedelta(days=400)) == "unmet"
        assert timing(NOW - timedelta(days=1)) == "unmet"

    def test_to_dict(self) -> None:
        """to_dict is JSON-ready, with the stage as its string."""
        import json

        data = json.loads(json.dumps(bf.qualify({"need": "risk"}).to_dict()))
        assert data["stage"] == "MQL" and data["missing"] == ["budget", "authority", "timing"]


class TestBadAnswers:
    @pytest.mark.parametrize(
        ("answers", "path", "text"),
        [
            ({"budget": "maybe"}, "answers.budget", "allowed: approved, estimating"),
            ({"budgett": "approved"}, "answers.budgett", "did you mean 'budget'"),
            ({"need": 3}, "answers.need", "expected one of risk"),
            ({"timing": date(2027, 1, 1)}, "answers.timing", "needs as_of"),
            ({"timing": datetime(2027, 1, 1)}, "answers.timing", "naive"),
            ({"committee": ["cfo"]}, "answers.committee[0]", "allowed: economic_buyer"),
            ({"committee": [{"name": "Ana"}]}, "answers.committee[0].role", "unknown role None"),
        ],
    )
    def test_located_errors(self, answers: dict[str, Any], path: str, text: str) -> None:
        """Unknown values and criteria, dates without as_of, naive datetimes, bad roles."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.qualify(answers)
        assert info.value.path == path
        assert text in str(info.value)

    def test_naive_as_of_and_bad_language(self) -> None:
        """as_of must be aware; the language one of en, es."""
        with pytest.raises(bf.InvalidInputError):
            bf.qualify({}, as_of=datetime(2026, 1, 1))
        with pytest.raises(bf.InvalidInputError):
            bf.qualify({}, language="fr")


class TestCommittee:
    def test_authority_judged_on_the_committee(self) -> None:
        """A technical buyer answering, with the CFO mapped as economic buyer: met."""
        q = bf.qualify(
            {
                **ALL_MET,
                "authority": "technical_buyer",
                "committee": [{"name": "Ana", "role": "economic_buyer"}, "end_user"],
            }
        )
        assert q.status("authority") == "met"
        assert q.stage == bf.Stage.SQL
        assert q.unmapped_roles == ("technical_buyer", "influencer", "champion")

    def test_committee_without_economic_buyer_names_the_gaps(self) -> None:
        """Only an influencer mapped: partial, and the question lists who is missing."""
        q = bf.qualify({"budget": "approved", "need": "risk", "committee": ["influencer"]})
        assert q.status("authority") == "partial"
        assert "not yet mapped: economic decision-maker" in q.next_question
        assert "economic_buyer" in q.unmapped_roles


class TestPolicy:
    def test_partial_budget_accepted(self) -> None:
        """A team that accepts SQL with a partial budget."""
        policy = bf.QualificationPolicy.from_dict({"sql_accepts_partial": ["budget"]})
        q = bf.qualify({**ALL_MET, "budget": "business_case"}, policy=policy)
        assert q.stage == bf.Stage.SQL
        assert q.missing == ("budget",)

    def test_values_and_window_are_configurable(self) -> None:
        """Champion counts as authority; timing met within 3 months."""
        policy = bf.QualificationPolicy.from_dict(
            {
                "criteria": {
                    "authority": {
                        "met": ["economic_buyer", "champion"],
                        "partial": ["technical_buyer"],
                    },
                    "timing": {"window_months": 3, "partial_window_months": 9},
                }
            }
        )
        assert bf.qualify({"authority": "champion"}, policy=policy).status("authority") == "met"
        q = bf.qualify({"timing": NOW + timedelta(days=120)}, policy=policy, as_of=NOW)
        assert q.status("timing") == "partial"

    def test_round_trip(self) -> None:
        """from_dict(to_dict()) is equal, for presets and custom frameworks."""
        for name in bf.bant.PRESETS:
            policy = bf.QualificationPolicy.preset(name)
            assert bf.QualificationPolicy.from_dict(policy.to_dict()) == policy
        custom = bf.QualificationPolicy.from_dict({"custom": SPICED})
        assert bf.QualificationPolicy.from_dict(custom.to_dict()) == custom

    def test_every_problem_reported(self) -> None:
        """Unknown values, criteria and keys, overlaps and windows: all at once, located."""
        with pytest.raises(bf.ConfigError) as info:
            bf.QualificationPolicy.from_dict(
                {
                    "framework": "bant",
                    "gate": ["nede"],
                    "sql_accepts_partial": ["money"],
                    "criteria": {
                        "budget": {"met": ["approved", "signed"], "partial": ["approved"]},
                        "need": {"window_months": 3},
                        "timing": {"window_months": 12, "partial_window_months": 6},
                        "urgency": {},
                    },
                    "langauge": "es",
                }
            )
        paths = {p.path for p in info.value.problems}
        assert paths == {
            "qualification.gate[0]",
            "qualification.sql_accepts_partial[0]",
            "qualification.criteria.budget.met[1]",
            "qualification.criteria.budget.partial",
            "qualification.criteria.need.window_months",
            "qualification.criteria.timing.partial_window_months",
            "qualification.criteria.urgency",
            "qualification.langauge",
        }
        assert "did you mean 'need'" in str(info.value)

    def test_unknown_framework(self) -> None:
        """An unknown framework lists the known ones."""
        with pytest.raises(bf.ConfigError) as info:
            bf.QualificationPolicy.from_dict({"framework": "spin"})
        assert "allowed: anum, bant, champ, meddic" in str(info.value)


SPICED: dict[str, Any] = {
    "name": "spiced",
    "gate": ["pain"],
    "criteria": [
        {
            "name": "situation",
            "values": ["known", "partly_known", "unknown"],
            "met": ["known"],
            "partial": ["partly_known"],
            "question": {"en": "Tell me about your setup?"},
        },
        {
            "name": "pain",
            "values": ["quantified", "named", "none"],
            "met": ["quantified", "named"],
            "question": {"en": "What hurts today?", "es": "¿Qué duele hoy?"},
        },
        {
            "name": "critical_event",
            "values": ["dated", "none"],
            "met": ["dated"],
            "timing": True,
            "question": {"en": "Is there a date this must be ready by?"},
        },
    ],
}


class TestFrameworks:
    @pytest.mark.parametrize(
        ("name", "sql", "gate"),
        [
            (
                "anum",
                {
                    "authority": "economic_buyer",
                    "need": "risk",
                    "urgency": "immediate",
                    "money": "approved",
                },
                "need",
            ),
            (
                "champ",
                {
                    "challenges": "compliance",
                    "authority": "economic_buyer",
                    "money": "approved",
                    "prioritization": "top",
                },
                "challenges",
            ),
            (
                "meddic",
                {
                    "metrics": "quantified",
                    "economic_buyer": "engaged",
                    "decision_criteria": "documented",
                    "decision_process": "mapped",
                    "identify_pain": "quantified",
                    "champion": "confirmed",
                },
                "identify_pain",
            ),
        ],
    )
    def test_presets(self, name: str, sql: dict[str, str], gate: str) -> None:
        """Each preset: all met is SQL, one short is MQL, the gate unmet is unqualified."""
        policy = bf.QualificationPolicy.preset(name)
        assert bf.qualify(sql, policy=policy).stage == bf.Stage.SQL
        other = next(c for c in sql if c != gate)
        assert bf.qualify({**sql, other: None}, policy=policy).stage == bf.Stage.MQL
        assert bf.qualify({**sql, gate: "none"}, policy=policy).stage == bf.Stage.UNQUALIFIED
        assert list(sql) == [c.name for c in policy.criteria]

    def test_custom_framework(self) -> None:
        """A team's own framework from TOML data: order, gate, questions, dates."""
        policy = bf.QualificationPolicy.from_dict({"custom": SPICED, "language": "es"})
        q = bf.qualify(
            {"pain": "named", "critical_event": NOW + timedelta(days=30)}, policy=policy, as_of=NOW
        )
        assert q.stage == bf.Stage.MQL and q.missing == ("situation",)
        assert q.next_question == "Tell me about your setup?"  # no Spanish text: English
        assert bf.qualify({"situation": "known"}, policy=policy).next_question == "¿Qué duele hoy?"

    def test_custom_framework_problems(self) -> None:
        """A custom criterion needs values and a question; met values must exist."""
        broken = {
            "name": "x",
            "criteria": [
                {"name": "a", "values": [], "question": {"en": "?"}},
                {"name": "b", "values": ["yes"], "met": ["si"], "question": {}},
            ],
        }
        with pytest.raises(bf.ConfigError) as info:
            bf.QualificationPolicy.from_dict({"custom": broken})
        paths = {p.path for p in info.value.problems}
        assert "qualification.custom.criteria[0].values" in paths
        assert "qualification.custom.criteria[1].question.en" in paths


class TestObjection:
    def test_real_price_objection(self) -> None:
        """ROI questions, detailed comparisons and a decision within 30 days: price."""
        d = bf.diagnose_price_objection(
            {"asks_about_roi": True, "asks_for_comparisons": True}, decision_days=30
        )
        assert d.verdict == "price"
        assert "ROI material" in d.responses[0]

    def test_distrust_in_disguise(self) -> None:
        """Avoids results, names no alternative, postpones: distrust."""
        d = bf.diagnose_price_objection(
            {"avoids_results": True, "names_no_alternative": True, "postpones_indefinitely": True}
        )
        assert d.verdict == "distrust"
        assert "case studies" in d.responses[0]
        assert len(d.reasons) == 3

    def test_unclear_and_speaker_without_authority(self) -> None:
        """Mixed signals are unclear; a junior speaker adds reaching the economic buyer."""
        d = bf.diagnose_price_objection(
            {"asks_about_roi": True, "avoids_results": True},
            decision_days=90,
            speaker_role="end_user",
        )
        assert d.verdict == "unclear"
        assert d.responses[0].startswith("Reach the economic buyer")
        assert d.responses[0].endswith("classic source of a fake 'too expensive'.")

    def test_bad_signals(self) -> None:
        """Unknown signals and non-boolean values are refused, located."""
        with pytest.raises(bf.InvalidInputError) as info:
            bf.diagnose_price_objection({"asks_roi": True})
        assert info.value.path == "signals.asks_roi" and "did you mean" in str(info.value)
        with pytest.raises(bf.InvalidInputError):
            bf.diagnose_price_objection({"asks_about_roi": "yes"})


class TestProfiling:
    def test_order(self) -> None:
        """E-mail first, then job title and company, then BANT; at most four."""
        assert bf.next_fields({}) == ("email", "job_title", "company", "budget")
        assert bf.next_fields({"email": "a@b.es"}, max_fields=2) == ("job_title", "company")

    def test_phone_only_when_hot(self) -> None:
        """The phone is never asked of a lead that is not hot."""
        known = {"email": "x", "job_title": "CIO", "company": "Acme", **ALL_MET}
        assert bf.next_fields(known) == ()
        assert bf.next_fields(known, hot=True) == ("phone",)
        assert "phone" not in bf.next_fields({}, max_fields=20)
        assert bf.next_fields({}, max_fields=20, hot=True)[-1] == "phone"

    def test_blank_fields_count_as_unknown(self) -> None:
        """A blank e-mail is asked again."""
        assert bf.next_fields({"email": " "}, max_fields=1) == ("email",)

    def test_framework_questions(self) -> None:
        """With MEDDIC the qualification fields are MEDDIC's."""
        meddic = bf.QualificationPolicy.preset("meddic")
        known = {"email": "x", "job_title": "CIO", "company": "Acme"}
        assert bf.next_fields(known, policy=meddic, max_fields=2) == ("metrics", "economic_buyer")


VALUES = {c.name: (None, *c.values) for c in bf.QualificationPolicy.default().criteria}
answer_sets = st.fixed_dictionaries({name: st.sampled_from(v) for name, v in VALUES.items()})
RANK = {bf.Stage.UNQUALIFIED: 0, bf.Stage.MQL: 1, bf.Stage.SQL: 2}


@given(answer_sets, st.sampled_from(sorted(VALUES)))
def test_meeting_a_criterion_never_lowers_the_stage(answers: dict[str, Any], name: str) -> None:
    """Replacing any answer with one that meets the criterion never lowers the stage."""
    policy = bf.QualificationPolicy.default()
    before = bf.qualify(answers)
    met_value = policy.criterion(name).met[0]
    after = bf.qualify({**answers, name: met_value})
    assert RANK[after.stage] >= RANK[before.stage]
    assert name in after.met


class TestSharedPresets:
    def test_presets_cannot_be_changed_in_place(self) -> None:
        """Editing b2bfunnel.bant.PRESETS fails instead of breaking Funnel() for everyone."""
        from b2bfunnel.bant import PRESETS

        with pytest.raises(TypeError):
            PRESETS["bant"]["gate"] = ["budget"]  # type: ignore[index]
        with pytest.raises((TypeError, AttributeError)):
            PRESETS["bant"]["criteria"][0]["met"].append("none")
        with pytest.raises(TypeError):
            PRESETS["bant"]["criteria"][0]["question"]["en"] = "?"  # type: ignore[index]
        assert bf.Funnel().qualify(ALL_MET, as_of=NOW).stage == bf.Stage.SQL


class TestExtremeTimingDates:
    @pytest.mark.parametrize(
        "value",
        [date(9999, 12, 31), datetime(9999, 12, 31, 23, tzinfo=UTC)],
    )
    def test_a_date_in_year_9999_is_judged(self, value: date) -> None:
        """Windows that end past year 9999 hold every later date instead of crashing."""
        as_of = datetime(9999, 11, 1, tzinfo=UTC)
        q = bf.qualify({**ALL_MET, "timing": value}, as_of=as_of)
        assert "timing" not in q.missing

    def test_huge_window_is_refused_with_a_path(self) -> None:
        """A window of 10**400 months is a ConfigError, not an OverflowError."""
        with pytest.raises(bf.ConfigError) as info:
            bf.QualificationPolicy.from_dict({"criteria": {"timing": {"window_months": 10**400}}})
        assert info.value.path == "qualification.criteria.timing.window_months"


class TestBlankAnswers:
    @pytest.mark.parametrize("blank", ["", "  ", float("nan"), None])
    def test_blank_answers_are_unknown(self, blank: object) -> None:
        """An empty CSV cell or a NaN from a DataFrame is unknown, not a wrong value."""
        q = bf.qualify({**ALL_MET, "budget": blank, "timing": blank}, as_of=NOW)
        assert set(q.missing) == {"budget", "timing"}
