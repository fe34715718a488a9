"""Batch scoring: default model, every rule type, decay kind, cap, band, grade, ranking."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from conftest import NOW, days_ago

import b2bfunnel as bf


def ev(name: str, days: float = 0, lead: str = "L1", **props: Any) -> bf.Event:
    return bf.Event(lead, name, days_ago(days), props)


def model_with(**config: Any) -> bf.ScoringModel:
    base: dict[str, Any] = {"explicit": []}
    base.update(config)
    return bf.ScoringModel.from_dict(base)


def contribution(score: bf.Score, rule: str) -> bf.Contribution:
    (found,) = [c for c in score.contributions if c.rule == rule]
    return found


class TestDefaultModel:
    @pytest.mark.parametrize(
        "title",
        [
            "IT Director",
            "Director de IT",
            "CIO",
            "CTO",
            "Directora de Tecnología",
            "Head of IT",
            "VP of Engineering",
            "Chief Information Officer",
            "Director de Sistemas",
            "director de informática",
        ],
    )
    def test_it_leaders_at_large_companies_get_50(self, model: bf.ScoringModel, title: str) -> None:
        """Director-level or C-level IT titles, English and Spanish, at 500+ employees."""
        score = model.score({"id": "L1", "job_title": title, "employees": 500}, [], as_of=NOW)
        assert score.explicit == 50

    @pytest.mark.parametrize(
        "title",
        [
            "IT Manager",
            "Marketing Director",
            "Directora de Marketing",
            "CFO",
            "Director de Servicios",
            "Software Engineer",
        ],
    )
    def test_other_titles_get_nothing(self, model: bf.ScoringModel, title: str) -> None:
        """Managers, non-IT directors and non-IT C-levels do not match."""
        score = model.score({"id": "L1", "job_title": title, "employees": 5000}, [], as_of=NOW)
        assert score.explicit == 0

    def test_small_company_or_missing_size_gets_nothing(self, model: bf.ScoringModel) -> None:
        """499 employees, or no employees field, gives no fit points."""
        for profile in ({"job_title": "CIO", "employees": "499"}, {"job_title": "CIO"}):
            assert model.score({"id": "L1", **profile}, [], as_of=NOW).explicit == 0

    def test_default_behaviour_points(self, model: bf.ScoringModel) -> None:
        """15 + 10 + 25 + 20 for the four documented events; others score nothing."""
        events = [
            ev("pricing_page_visit"),
            ev("case_study_download"),
            ev("webinar_completed"),
            ev("email_case_study_click"),
            ev("email_open"),
        ]
        score = model.score({"id": "L1"}, events, as_of=NOW)
        assert score.implicit == 70
        assert {c.rule: c.points for c in score.contributions} == {
            "pricing_page_visit": 15,
            "case_study_download": 10,
            "webinar_completed": 25,
            "email_case_study_click": 20,
        }

    def test_threshold_is_hot(self, model: bf.ScoringModel) -> None:
        """Exactly 100 points is hot; 95 is not."""
        fit = {"id": "L1", "job_title": "CIO", "employees": 900}
        hot = model.score(fit, [ev("webinar_completed"), ev("webinar_completed")], as_of=NOW)
        assert (hot.total, hot.hot, hot.band) == (100, True, "hot")
        warm = model.score(fit, [ev("webinar_completed"), ev("email_case_study_click")], as_of=NOW)
        assert (warm.total, warm.hot, warm.band) == (95, False, "warm")

    def test_events_after_as_of_do_not_count(self, model: bf.ScoringModel) -> None:
        """Only events at or before as_of count."""
        events = [ev("webinar_completed", days=0), ev("webinar_completed", days=-1)]
        score = model.score({"id": "L1"}, events, as_of=NOW)
        assert score.implicit == 25
        assert contribution(score, "webinar_completed").events == 1

    def test_default_bands(self, model: bf.ScoringModel) -> None:
        """cold < 40 <= warm < 100 <= hot."""
        assert [b.name for b in model.bands] == ["cold", "warm", "hot"]
        assert [b.min for b in model.bands] == [None, 40, 100]

    def test_inactivity_decay_defaults(self, model: bf.ScoringModel) -> None:
        """Nothing decays within 30 days of the last event; 60 days halves behaviour
        points; profile points never decay."""
        fit = {"id": "L1", "job_title": "CTO", "employees": 800}
        fresh = model.score(fit, [ev("webinar_completed", days=30)], as_of=NOW)
        stale = model.score(fit, [ev("webinar_completed", days=60)], as_of=NOW)
        assert fresh.implicit == 25
        assert stale.implicit == 12.5
        assert stale.explicit == fresh.explicit == 50
        assert stale.decay_factor == 0.5

    def test_activity_restores_full_points(self, model: bf.ScoringModel) -> None:
        """Any event, even one no rule scores, ends the inactivity."""
        events = [ev("webinar_completed", days=90), ev("page_view", days=1)]
        assert model.score({"id": "L1"}, events, as_of=NOW).implicit == 25


class TestImplicitRules:
    def test_property_filter(self) -> None:
        """where filters on event properties (here the page path)."""
        model = model_with(
            implicit=[
                {
                    "name": "pricing",
                    "event": "page_view",
                    "points": 15,
                    "where": {"field": "path", "starts_with": "/pricing"},
                }
            ]
        )
        events = [ev("page_view", path="/pricing"), ev("page_view", path="/blog"), ev("page_view")]
        assert model.score({"id": "L1"}, events, as_of=NOW).implicit == 15

    def test_negative_points(self) -> None:
        """A careers-page visit and an unsubscribe subtract points."""
        model = model_with(
            implicit=[
                {"name": "webinar", "event": "webinar", "points": 25},
                {"name": "careers", "event": "careers", "points": -10},
                {"name": "unsubscribe", "event": "unsubscribe", "points": -30},
            ]
        )
        events = [ev("webinar"), ev("careers"), ev("unsubscribe")]
        assert model.score({"id": "L1"}, events, as_of=NOW).implicit == -15

    def test_max_count(self) -> None:
        """max_count = 3: five visits count as three."""
        model = model_with(implicit=[{"name": "v", "event": "v", "points": 15, "max_count": 3}])
        score = model.score({"id": "L1"}, [ev("v", days=d) for d in range(5)], as_of=NOW)
        assert score.implicit == 45
        assert contribution(score, "v").events == 3

    def test_max_points_caps_magnitude(self) -> None:
        """max_points = 40 caps +75 at +40 and -75 at -40."""
        model = model_with(
            implicit=[
                {"name": "up", "event": "up", "points": 15, "max_points": 40},
                {"name": "down", "event": "down", "points": -15, "max_points": 40},
            ]
        )
        events = [ev("up") for _ in range(5)] + [ev("down") for _ in range(5)]
        score = model.score({"id": "L1"}, events, as_of=NOW)
        assert contribution(score, "up").points == 40
        assert contribution(score, "down").points == -40
        assert contribution(score, "up").raw_points == 75

    def test_every_matching_rule_counts(self) -> None:
        """Two rules on one event both count."""
        model = model_with(
            implicit=[
                {"name": "any_visit", "event": "page_view", "points": 1},
                {
                    "name": "pricing",
                    "event": "page_view",
                    "points": 14,
                    "where": {"field": "path", "eq": "/pricing"},
                },
            ]
        )
        assert (
            model.score({"id": "L1"}, [ev("page_view", path="/pricing")], as_of=NOW).implicit == 15
        )

    def test_non_decaying_rule(self) -> None:
        """decays = false keeps a rule's points whatever the inactivity."""
        model = model_with(
            implicit=[
                {"name": "webinar", "event": "webinar", "points": 20},
                {"name": "signed_nda", "event": "nda", "points": 20, "decays": False},
            ]
        )
        score = model.score({"id": "L1"}, [ev("webinar", 90), ev("nda", 90)], as_of=NOW)
        # 90 days idle = 60 days past the 30-day grace = two half-lives
        assert contribution(score, "webinar").points == 5
        assert contribution(score, "signed_nda").points == 20


class TestDecayKinds:
    RULES: ClassVar[list[dict[str, Any]]] = [
        {"name": "a", "event": "a", "points": 30},
        {"name": "b", "event": "b", "points": 10},
    ]

    def score(self, decay: dict[str, Any], events: list[bf.Event]) -> bf.Score:
        return model_with(implicit=self.RULES, decay=decay).score({"id": "L1"}, events, as_of=NOW)

    def test_none(self) -> None:
        """kind = none: a year-old event keeps its points."""
        assert self.score({"kind": "none"}, [ev("a", 365)]).implicit == 30

    def test_half_life_per_event(self) -> None:
        """Each event halves every half_life_days of its own age: 30/2 + 30/4."""
        score = self.score({"kind": "half_life", "half_life_days": 7}, [ev("a", 7), ev("a", 14)])
        assert score.implicit == 22.5

    def test_linear_after_grace(self) -> None:
        """2 points per day after 10 days: 15 days idle takes 10 of 40, shared pro rata."""
        score = self.score(
            {"kind": "linear", "points_per_day": 2, "grace_days": 10}, [ev("a", 15), ev("b", 15)]
        )
        assert score.implicit == 30
        assert contribution(score, "a").points == 22.5
        assert contribution(score, "b").points == 7.5

    def test_linear_stops_at_zero(self) -> None:
        """Linear decay never goes below zero."""
        score = self.score({"kind": "linear", "points_per_day": 5}, [ev("a", 100)])
        assert score.implicit == 0

    def test_expiry_boundary(self) -> None:
        """An event exactly 90 days old counts; at 90 days and a second it does not."""
        at_limit = self.score({"kind": "expiry", "days": 90}, [ev("a", 90)])
        expired = self.score({"kind": "expiry", "days": 90}, [ev("a", 90 + 1 / 86_400)])
        assert at_limit.implicit == 30
        assert expired.implicit == 0 and expired.contributions == ()

    def test_stepwise(self) -> None:
        """Every 30 idle days subtract 10: 65 days = 2 steps = -20 of 40."""
        score = self.score(
            {"kind": "stepwise", "every_days": 30, "points": 10}, [ev("a", 65), ev("b", 65)]
        )
        assert score.implicit == 20

    def test_decay_never_flips_a_sign(self) -> None:
        """Negative behaviour points shrink toward zero, never past it."""
        model = model_with(
            implicit=[{"name": "u", "event": "u", "points": -30}],
            decay={"kind": "linear", "points_per_day": 1},
        )
        values = [
            model.score({"id": "L1"}, [ev("u", d)], as_of=NOW).implicit for d in (0, 10, 29, 31)
        ]
        assert values == [-30, -20, -1, 0]

    def test_per_event_decay_uses_the_most_recent_capped_events(self) -> None:
        """With max_count, the most recent events are the ones that count."""
        model = model_with(
            implicit=[{"name": "a", "event": "a", "points": 40, "max_count": 1}],
            decay={"kind": "half_life", "half_life_days": 10},
        )
        score = model.score({"id": "L1"}, [ev("a", 20), ev("a", 10)], as_of=NOW)
        assert score.implicit == 20


class TestLimits:
    def test_group_cap_scales_its_rules(self) -> None:
        """A product-line group capped at 30: 20 + 40 becomes 10 + 20."""
        model = model_with(
            groups={"product_a": {"max_points": 30}, "product_b": {}},
            implicit=[
                {"name": "a1", "event": "a1", "points": 20, "group": "product_a"},
                {"name": "a2", "event": "a2", "points": 40, "group": "product_a"},
                {"name": "b1", "event": "b1", "points": 50, "group": "product_b"},
            ],
        )
        score = model.score({"id": "L1"}, [ev("a1"), ev("a2"), ev("b1")], as_of=NOW)
        assert contribution(score, "a1").points == 10
        assert contribution(score, "a2").points == 20
        assert dict(score.groups) == {"product_a": 30, "product_b": 50}
        assert score.total == 80

    def test_group_cap_keeps_negative_points(self) -> None:
        """Positive points shrink so the group sums to its cap; negatives stay."""
        model = model_with(
            groups={"g": {"max_points": 30}},
            implicit=[
                {"name": "up", "event": "up", "points": 60, "group": "g"},
                {"name": "down", "event": "down", "points": -10, "group": "g"},
            ],
        )
        score = model.score({"id": "L1"}, [ev("up"), ev("down")], as_of=NOW)
        assert contribution(score, "up").points == 40
        assert contribution(score, "down").points == -10
        assert score.groups["g"] == 30

    def test_total_cap_never_scales_profile_points(self) -> None:
        """Profile points stay whole; behaviour points absorb the cap."""
        model = bf.ScoringModel.from_dict(
            {
                "max_total": 60,
                "explicit": [{"name": "fit", "points": 50, "when": {"field": "fit", "eq": True}}],
                "implicit": [{"name": "v", "event": "v", "points": 30}],
            }
        )
        score = model.score({"id": "L1", "fit": True}, [ev("v")], as_of=NOW)
        assert (score.explicit, score.implicit, score.total) == (50, 10, 60)

    def test_total_cap(self) -> None:
        """max_total = 100 holds a runaway score at 100."""
        model = model_with(max_total=100, implicit=[{"name": "v", "event": "v", "points": 15}])
        score = model.score({"id": "L1"}, [ev("v") for _ in range(50)], as_of=NOW)
        assert score.total == 100
        assert contribution(score, "v").raw_points == 750


class TestGradesAndBands:
    def test_grade_keeps_fit_and_engagement_apart(self, model: bf.ScoringModel) -> None:
        """A fit lead with no engagement is A4; an unfit engaged one D1."""
        fit = model.score({"id": "L1", "job_title": "CIO", "employees": 900}, [], as_of=NOW)
        events = [ev("webinar_completed") for _ in range(3)]
        engaged = model.score({"id": "L1", "job_title": "Intern"}, events, as_of=NOW)
        assert fit.grade == "A4"
        assert engaged.grade == "D1"

    def test_configured_bands_and_grades(self) -> None:
        """Custom bands and grade bounds apply to totals and to each axis."""
        model = model_with(
            hot_threshold=60,
            bands=[{"name": "ice"}, {"name": "mild", "min": 10}, {"name": "fire", "min": 60}],
            grade={"engagement": [{"name": "low"}, {"name": "high", "min": 20}]},
            implicit=[{"name": "v", "event": "v", "points": 20}],
        )
        score = model.score({"id": "L1"}, [ev("v")], as_of=NOW)
        assert (score.band, score.grade, score.hot) == ("mild", "Dhigh", False)

    def test_default_bands_follow_the_threshold(self) -> None:
        """With hot_threshold = 80, warm starts at 32 and hot at 80."""
        model = bf.ScoringModel.from_dict({"hot_threshold": 80})
        assert [b.min for b in model.bands] == [None, 32, 80]


class TestExplanations:
    def test_contributions_sum_to_the_total(self, model: bf.ScoringModel) -> None:
        """Each counted rule appears once; the points add up to the total."""
        events = [
            ev("pricing_page_visit", 40),
            ev("pricing_page_visit", 35),
            ev("webinar_completed", 45),
        ]
        score = model.score({"id": "L1", "job_title": "CTO", "employees": 900}, events, as_of=NOW)
        assert sum(c.points for c in score.contributions) == pytest.approx(score.total)
        visits = contribution(score, "pricing_page_visit")
        assert visits.events == 2
        assert visits.last_at == days_ago(35)
        assert visits.raw_points == 30

    def test_explain_names_rules_and_decay(self, model: bf.ScoringModel) -> None:
        """explain() has a line per contribution and one for the decay."""
        score = model.score({"id": "L9"}, [ev("webinar_completed", 60, lead="L9")], as_of=NOW)
        text = score.explain()
        assert text.startswith("L9: 12.5 points (cold, grade D4)")
        assert "webinar_completed (1 event, last" in text
        assert "x0.50 after 60 days without activity" in text

    def test_to_dict_is_json_ready(self, model: bf.ScoringModel) -> None:
        """to_dict holds only JSON types, datetimes as ISO 8601."""
        import json

        score = model.score({"id": "L1"}, [ev("webinar_completed", 1)], as_of=NOW)
        data = json.loads(json.dumps(score.to_dict()))
        assert data["as_of"] == NOW.isoformat()
        assert data["contributions"][0]["rule"] == "webinar_completed"


class TestHotSince:
    def test_first_event_reaching_the_threshold(self, model: bf.ScoringModel) -> None:
        """50 fit + 15 + 25 + 20 crosses 100 at the third event."""
        fit = {"id": "L1", "job_title": "CTO", "employees": 900}
        events = [
            ev("email_case_study_click", 3),
            ev("pricing_page_visit", 10),
            ev("webinar_completed", 5),
        ]
        assert model.score(fit, events, as_of=NOW).hot_since == days_ago(3)

    def test_a_lead_that_cooled_down_keeps_its_crossing(self, model: bf.ScoringModel) -> None:
        """Hot 200 days ago and decayed since: hot_since still says when it crossed."""
        fit = {"id": "L1", "job_title": "CTO", "employees": 900}
        events = [ev("webinar_completed", 201), ev("webinar_completed", 200)]
        score = model.score(fit, events, as_of=NOW)
        assert not score.hot
        assert score.hot_since == days_ago(200)

    def test_never_hot(self, model: bf.ScoringModel) -> None:
        """A lead that never reached the threshold has no hot_since."""
        assert model.score({"id": "L1"}, [ev("webinar_completed")], as_of=NOW).hot_since is None

    def test_profile_alone_is_not_hot_if_the_first_instant_subtracts(self) -> None:
        """Profile points at the threshold, but an unsubscribe at the first event: the
        score at that event is below, so the lead was never hot."""
        model = model_with(
            hot_threshold=20,
            explicit=[{"name": "fit", "points": 20, "when": {"field": "fit", "eq": True}}],
            implicit=[{"name": "u", "event": "u", "points": -1}],
        )
        profile = {"id": "L1", "fit": True}
        assert model.score(profile, [ev("u", 3)], as_of=NOW).hot_since is None
        later = [ev("page_view", 5), ev("u", 3)]
        assert model.score(profile, later, as_of=NOW).hot_since == days_ago(5)

    def test_negative_points_can_undo_a_crossing(self) -> None:
        """If an unsubscribe at the same instant pulls the score back under, the
        crossing is the next instant the score is at or over the threshold."""
        model = model_with(
            hot_threshold=50,
            implicit=[
                {"name": "w", "event": "w", "points": 50},
                {"name": "u", "event": "u", "points": -20},
            ],
        )
        events = [ev("w", 5), ev("u", 5), ev("w", 2)]
        assert model.score({"id": "L1"}, events, as_of=NOW).hot_since == days_ago(2)


class TestRank:
    def test_best_first_ties_by_lead_id(self, model: bf.ScoringModel) -> None:
        """Sorted by total descending, then lead id ascending."""
        profiles = [{"id": "B"}, {"id": "A"}, {"id": "C"}]
        events = [
            ev("webinar_completed", lead="C"),
            ev("case_study_download", lead="B"),
            ev("case_study_download", lead="A"),
            ev("webinar_completed", lead="X"),
        ]
        ranked = model.rank(profiles, events, as_of=NOW)
        assert [s.lead_id for s in ranked] == ["C", "A", "B"]

    def test_rank_equals_score_per_lead(self, model: bf.ScoringModel) -> None:
        """rank gives each lead exactly what score gives it alone."""
        profiles = [{"id": "A", "job_title": "CIO", "employees": 600}, {"id": "B"}]
        events = [ev("webinar_completed", 3, lead="A"), ev("pricing_page_visit", 50, lead="B")]
        ranked = {s.lead_id: s for s in model.rank(profiles, events, as_of=NOW)}
        for profile in profiles:
            own = [e for e in events if e.lead_id == profile["id"]]
            assert ranked[profile["id"]] == model.score(profile, own, as_of=NOW)

    @pytest.mark.parametrize(
        ("profiles", "path"),
        [
            ([{"id": "A"}, {"id": "A"}], "profiles[1].id"),
            ([{"name": "no id"}], "profiles[0].id"),
            ([{"id": [7]}], "profiles[0].id"),
            ([{"id": True}], "profiles[0].id"),
            (["A"], "profiles[0]"),
        ],
    )
    def test_bad_profiles(self, model: bf.ScoringModel, profiles: list[Any], path: str) -> None:
        """Duplicate, missing or non-string ids and non-mappings are located."""
        with pytest.raises(bf.InvalidInputError) as info:
            model.rank(profiles, [], as_of=NOW)
        assert info.value.path == path

    def test_bad_event(self, model: bf.ScoringModel) -> None:
        """A non-Event in the events is located by its index."""
        with pytest.raises(bf.InvalidInputError) as info:
            model.rank([{"id": "A"}], [ev("v", lead="A"), {"lead_id": "A"}], as_of=NOW)  # type: ignore[list-item]
        assert info.value.path == "events[1]"


class TestScoreInput:
    def test_naive_as_of(self, model: bf.ScoringModel) -> None:
        """as_of must be timezone-aware."""
        with pytest.raises(bf.InvalidInputError) as info:
            model.score({"id": "L1"}, [], as_of=NOW.replace(tzinfo=None))
        assert info.value.path == "as_of"

    def test_event_of_another_lead(self, model: bf.ScoringModel) -> None:
        """Events of another lead than the profile's are refused."""
        with pytest.raises(bf.InvalidInputError) as info:
            model.score({"id": "L1"}, [ev("v"), ev("v", lead="L2")], as_of=NOW)
        assert info.value.path == "events[1].lead_id"

    def test_lead_id_from_events(self, model: bf.ScoringModel) -> None:
        """Without a profile id, the events' lead id names the score."""
        assert model.score({}, [ev("v", lead="L5")], as_of=NOW).lead_id == "L5"


class TestHugeAndOddNumbers:
    @pytest.mark.parametrize(
        ("employees", "points"),
        [(10**400, 50), (-(10**400), 0), ("9e999999", 50), (Decimal("1E+999999"), 50),
         (Decimal("sNaN"), 0), (Decimal("NaN"), 0), (float("nan"), 0)],
    )  # fmt: skip
    def test_profile_values_compare_correctly(
        self, model: bf.ScoringModel, employees: object, points: float
    ) -> None:
        """10**400 employees is at least 500; sNaN and NaN are not numbers; none crash."""
        score = model.score({"id": "L1", "job_title": "CTO", "employees": employees}, [], as_of=NOW)
        assert score.explicit == points

    @pytest.mark.parametrize(
        ("key", "value", "path"),
        [
            ("hot_threshold", 10**400, "scoring.hot_threshold"),
            ("max_total", -(10**400), "scoring.max_total"),
            (
                "implicit",
                [{"name": "a", "event": "a", "points": 10**400}],
                "scoring.implicit[0].points",
            ),
            ("decay", {"kind": "expiry", "days": 10**400}, "scoring.decay.days"),
        ],
    )
    def test_config_numbers_too_large_for_a_float_are_refused(
        self, key: str, value: object, path: str
    ) -> None:
        """A ConfigError with the path, not an OverflowError."""
        with pytest.raises(bf.ConfigError) as info:
            bf.ScoringModel.from_dict({key: value})
        assert [p.path for p in info.value.problems] == [path]

    def test_points_that_could_overflow_are_refused(self) -> None:
        """Rules of +-1e308 points would add up to inf - inf = NaN totals (found by
        fuzzing the command line): each is refused, at its path, with the bound."""
        rules = [
            {"name": "up", "event": "up", "points": 1e308},
            {"name": "down", "event": "down", "points": -1.5e12},
        ]
        explicit = [{"name": "fit", "points": 2e12, "when": {"field": "x", "eq": 1}}]
        with pytest.raises(bf.ConfigError) as info:
            bf.ScoringModel.from_dict({"implicit": rules, "explicit": explicit})
        problems = {p.path: p.message for p in info.value.problems}
        assert sorted(problems) == [
            "scoring.explicit[0].points",
            "scoring.implicit[0].points",
            "scoring.implicit[1].points",
        ]
        assert all("between -1e+12 and 1e+12" in m for m in problems.values())

    def test_largest_points_over_many_events_stay_finite(self) -> None:
        """100,000 events of each of two opposite 1e12-point rules: a finite total."""
        model = bf.ScoringModel.from_dict(
            {
                "decay": {"kind": "none"},
                "implicit": [
                    {"name": "up", "event": "up", "points": 1e12},
                    {"name": "down", "event": "down", "points": -1e12},
                ],
            }
        )
        at = days_ago(1).timestamp()
        cells = [("L1", name, at, {}) for name in ("up", "down", "up") for _ in range(10**5)]
        (score,) = model._rank_cells([{"id": "L1"}], cells, as_of=NOW)
        assert score.total == 1e17

    @pytest.mark.parametrize("points", [1e12, -1e12, 1e-200])
    @pytest.mark.parametrize(
        "decay",
        [
            {"kind": "stepwise", "every_days": 1e-308},
            {"kind": "half_life", "half_life_days": 1e-200},
            {"kind": "inactivity", "grace_days": 1e200},
            {"kind": "linear", "points_per_day": 1e200},
        ],
    )
    def test_extreme_points_and_decays_score(self, points: float, decay: dict[str, object]) -> None:
        """The largest points allowed, 1e-200 and extreme decay parameters give a finite
        total."""
        model = bf.ScoringModel.from_dict(
            {"decay": decay, "implicit": [{"name": "a", "event": "a", "points": points}]}
        )
        events = [bf.Event("L1", "a", days_ago(400)), bf.Event("L1", "a", days_ago(200))]
        late = NOW.replace(year=9999)
        for as_of in (NOW, late):
            total = model.score({"id": "L1"}, events, as_of=as_of).total
            assert math.isfinite(total) and abs(total) <= 2 * abs(points)


def test_total_cap_holds_after_rounding_each_row() -> None:
    """Rows rounded one by one never add up past ``max_total`` (hypothesis found 127.000002)."""
    model = bf.ScoringModel.from_dict(
        {
            "hot_threshold": 20,
            "explicit": [{"name": "fit", "points": 38, "when": {"field": "fit", "eq": True}}],
            "implicit": [
                {"name": "rule0", "event": "visit", "points": -3, "max_points": 38},
                {"name": "rule1", "event": "visit", "points": 8, "max_count": 2, "decays": False},
                {"name": "rule2", "event": "visit", "points": 24,
                 "where": {"field": "path", "in": ["/pricing"]}},
                {"name": "rule3", "event": "download", "points": -31},
                {"name": "rule4", "event": "webinar", "points": 35},
            ],
            "decay": {"kind": "stepwise", "every_days": 30, "points": 20},
            "max_total": 127,
        }
    )  # fmt: skip
    start = datetime(2026, 1, 1, tzinfo=UTC)
    events = [bf.Event("L1", "visit", start, {"path": "/pricing"})]
    events += [bf.Event("L1", "visit", start)] * 12
    events += [bf.Event("L1", "download", start)] * 2
    events += [bf.Event("L1", "webinar", start)] * 8
    events.append(bf.Event("L1", "webinar", start + timedelta(seconds=1728001)))
    score = model.score({"id": "L1", "fit": True}, events, as_of=start + timedelta(days=200))
    assert score.total <= 127
    assert math.fsum(c.points for c in score.contributions) <= 127


def test_a_capped_total_reaches_the_cap_and_is_hot_at_it() -> None:
    """Shrunk rows add up to the cap exactly, so hot_threshold == max_total is still hot."""
    model = bf.ScoringModel.from_dict(
        {
            "hot_threshold": 38,
            "explicit": [],
            "implicit": [
                {"name": "visits", "event": "visit", "points": 16, "decays": False},
                {"name": "first", "event": "visit", "points": 25, "max_count": 1,
                 "decays": False},
            ],
            "max_total": 38,
        }
    )  # fmt: skip
    start = datetime(2026, 1, 1, tzinfo=UTC)
    score = model.score({"id": "L1"}, [bf.Event("L1", "visit", start)], as_of=start)
    assert score.total == 38
    assert math.fsum(c.points for c in score.contributions) == 38
    assert score.hot and score.hot_since == start


def test_a_whole_number_id_reads_as_its_digits() -> None:
    """A numeric id column (HubSpot's Record ID read by pandas as int64, or as float
    because of a blank) is read as the CSV reader reads ``1042``: the text ``'1042'``."""
    model = bf.ScoringModel.default()
    ranked = model.rank([{"id": 1042}, {"id": 7.0}, {"id": " L3 "}], [], as_of=NOW)
    assert sorted(score.lead_id for score in ranked) == ["1042", "7", "L3"]
