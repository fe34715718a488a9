"""Account model configuration and account scores, checked against hand computations."""

from __future__ import annotations

import json
import pickle
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import account_populations

import b2bfunnel as bf
from b2bfunnel.accounts import AccountRanking, AccountScore

AT = datetime(2026, 11, 20, 9, tzinfo=UTC)


def ev(lead: str, name: str, n: int = 1) -> list[bf.Event]:
    return [bf.Event(lead, name, AT - timedelta(hours=i + 1)) for i in range(n)]


LEADS = [
    {"id": "C1", "email": "ana@acme.es", "job_title": "CFO", "department": "Finance"},
    {"id": "C2", "email": "luis@it.acme.es", "job_title": "CTO", "department": "IT"},
    {"id": "C3", "email": "eva@acme.es", "job_title": "Software Engineer"},
    {"id": "C4", "email": "raul@acme.es"},
    {"id": "D1", "email": "d@beta.co.uk"},
    {"id": "E1", "email": "e@gmail.com"},
]
ACCOUNTS = [{"id": "acme", "domain": "acme.es", "employees": 800}]
# By hand, every event within the hour before AT (no decay): C1 webinar 25 + pricing 15
# = 40; C2 4 webinars 100 + pricing 15 = 115; C3 case study 10; C4 0; D1 pricing 15.
EVENTS = [
    *ev("C1", "webinar_completed"),
    *ev("C1", "pricing_page_visit"),
    *ev("C2", "webinar_completed", 4),
    *ev("C2", "pricing_page_visit"),
    *ev("C3", "case_study_download"),
    *ev("D1", "pricing_page_visit"),
    *ev("E1", "webinar_completed", 3),
]


def rank(config: dict[str, object] | None = None) -> AccountRanking:
    funnel = bf.Funnel({"accounts": config or {}})
    return funnel.rank_accounts(LEADS, EVENTS, accounts=ACCOUNTS, as_of=AT)


class TestRollUp:
    @pytest.mark.parametrize(
        ("config", "engagement", "shares"),
        [
            ({}, 150.0, {"C1": 40, "C2": 100, "C3": 10, "C4": 0}),  # sum, each at most 100
            ({"max_per_contact": 50}, 100.0, {"C1": 40, "C2": 50, "C3": 10, "C4": 0}),
            ({"max_per_contact": False}, 165.0, {"C1": 40, "C2": 115, "C3": 10, "C4": 0}),
            ({"method": "top_k", "k": 2}, 155.0, {"C1": 40, "C2": 115, "C3": 0, "C4": 0}),
            # economic 1 x 40 + technical 1 x 115 + end user 0.5 x 10 + no role 0.25 x 0
            ({"method": "role_weighted"}, 160.0, {"C1": 40, "C2": 115, "C3": 5, "C4": 0}),
            (
                {"method": "role_weighted", "weights": {"end_user": 2, "technical_buyer": 0.1}},
                40 + 11.5 + 20,
                {"C1": 40, "C2": 11.5, "C3": 20, "C4": 0},
            ),
        ],
    )
    def test_each_method_by_hand(
        self, config: dict[str, object], engagement: float, shares: dict[str, float]
    ) -> None:
        """Engagement per method equals the hand computation; total = fit + engagement."""
        acme = next(a for a in rank(config) if a.account_id == "acme")
        assert acme.fit == 50.0  # employees 800 >= 500, from the accounts table
        assert acme.engagement == pytest.approx(engagement)
        assert acme.total == pytest.approx(50.0 + engagement)
        assert dict(acme.shares) == pytest.approx(shares)

    def test_ranking_order_fields_and_coverage(self) -> None:
        """Accounts rank best first; breadth, roles, band, grade and next action by hand."""
        ranked = rank({"max_per_contact": 50})
        assert [a.account_id for a in ranked] == ["acme", "beta.co.uk"]  # gmail left out
        acme, beta = ranked
        assert [s.lead_id for s in acme.contacts] == ["C2", "C1", "C3", "C4"]
        assert acme.breadth.engaged == 2  # C1 40 and C2 115 are >= 15
        assert acme.breadth.roles == ("economic_buyer", "technical_buyer")
        assert acme.breadth.departments == ("Finance", "IT")
        assert acme.roles_present == ("economic_buyer", "technical_buyer", "end_user")
        committee = [{"role": r} for r in acme.roles_present]
        assert acme.roles_missing == bf.qualify({"committee": committee}).unmapped_roles
        # 150: warm (120 to 300); fit 50 is A, engagement 100 is 3 (45 to 120).
        assert (acme.band, acme.grade) == ("warm", "A3")
        assert acme.next_action is not None
        assert (acme.next_action.role, acme.next_action.via) == ("influencer", "C2")
        assert (beta.total, beta.band, beta.grade) == (15.0, "cold", "D4")
        assert beta.breadth.departments == ()  # the column exists, D1 has none

    def test_fit_from_most_common_contact_value(self) -> None:
        """Without an accounts row, fit reads the most common value among contacts."""
        leads = [
            {"id": "G1", "email": "a@gamma.com", "employees": "600"},
            {"id": "G2", "email": "b@gamma.com", "employees": "600"},
            {"id": "G3", "email": "c@gamma.com", "employees": "50"},
            {"id": "H1", "email": "a@hotel.com", "employees": "50"},
            {"id": "H2", "email": "b@hotel.com", "employees": "900"},  # tie: "50" < "900"
        ]
        ranked = bf.Funnel().rank_accounts(leads, [], as_of=AT)
        assert {a.account_id: a.fit for a in ranked} == {"gamma.com": 50.0, "hotel.com": 0.0}

    def test_score_account_equals_its_row_in_the_ranking(self) -> None:
        """``score_account`` gives the same figures as the account's row of the ranking."""
        funnel = bf.Funnel()
        one = funnel.score_account("acme", LEADS, EVENTS, accounts=ACCOUNTS, as_of=AT)
        row = next(a for a in rank() if a.account_id == "acme")
        assert one.to_dict() == row.to_dict()
        with pytest.raises(bf.InvalidInputError) as info:
            funnel.score_account("acme.es", LEADS, EVENTS, accounts=ACCOUNTS, as_of=AT)
        assert info.value.path == "account_id"

    def test_explain_to_dict_and_display(self) -> None:
        """Explanations name each rule's and contact's share; to_dict is JSON."""
        acme = rank()[0]
        text = acme.explain()
        assert "+50.0  large_company" in text
        assert "+100.0  C2 (technical buyer; 115.0 behaviour points)" in text
        assert "next: reach the influencer; ask C2" in text
        data = json.loads(json.dumps(acme.to_dict()))
        assert data["contacts"][0] == {
            "lead_id": "C2", "total": 115.0, "implicit": 115.0, "role": "technical_buyer",
            "share": 100.0,
        }  # fmt: skip
        assert "acme" in acme._repr_html_() and "C2" in acme._repr_markdown_()
        ranked = rank()
        assert "Ranking of 2 accounts" in ranked._repr_html_()
        assert ranked.bands() == {"warm": 1, "cold": 1}  # acme 50 + 40 + 100 + 10 = 200
        assert isinstance(ranked[0], AccountScore) and "acme" in repr(ranked)

    def test_plots(self) -> None:
        """Both results draw themselves on a given Axes."""
        plt = pytest.importorskip("matplotlib.pyplot")
        _, ax = plt.subplots()
        assert rank().plot(ax=ax) is ax
        _, ax = plt.subplots()
        assert rank()[0].plot(ax=ax) is ax
        plt.close("all")


class TestModel:
    def test_default_and_round_trip(self) -> None:
        """The default model is documented; from_dict(to_dict()) is equal and pickles."""
        model = bf.AccountModel.default()
        assert (model.method, model.max_per_contact, model.k, model.engaged_min) == (
            "sum", 100, 3, 15,
        )  # fmt: skip
        custom = bf.AccountModel.from_dict(
            {"method": "role_weighted", "roles": {"Jefe de Compras": "economic_buyer"},
             "weights": {"none": 0}, "max_per_contact": False, "by_name": True,
             "bands": [{"name": "low"}, {"name": "high", "min": 10}]}
        )  # fmt: skip
        for m in (model, custom):
            assert bf.AccountModel.from_dict(json.loads(json.dumps(m.to_dict()))) == m
            assert pickle.loads(pickle.dumps(m)) == m
        assert custom.role_of({"job_title": "Jefe de compras"}) == "economic_buyer"
        assert custom.role_of({"job_title": "CFO"}) is None  # the table replaces the default

    def test_default_bands_are_the_contact_bands_for_a_committee_of_three(self) -> None:
        """Warm 120 and hot 300 (3 x the contact's 40 and 100): at the 100 cap per contact
        and the 50 of the default fit, two maxed contacts at a large company are warm (250)
        and three are hot (300); engagement grades 3 x 15, 40 and 75."""
        model = bf.AccountModel.default()
        assert [(t.name, t.min) for t in model.bands] == [
            ("cold", None), ("warm", 120), ("hot", 300),
        ]  # fmt: skip
        assert [t.min for t in model.engagement_grades] == [None, 45, 120, 225]
        leads = [{"id": f"M{i}", "email": f"m{i}@big.es", "employees": 900} for i in range(3)]
        events = [e for i in range(3) for e in ev(f"M{i}", "webinar_completed", 5)]  # 125 each
        funnel = bf.Funnel()
        for size, (total, band, grade) in ((2, (250.0, "warm", "A2")), (3, (350.0, "hot", "A1"))):
            mine = {f"M{i}" for i in range(size)}
            score = funnel.score_account(
                "big.es", leads[:size], [e for e in events if e.lead_id in mine], as_of=AT
            )
            assert (score.total, score.band, score.grade) == (total, band, grade)

    def test_every_problem_reported_with_paths(self) -> None:
        """Bad configuration lists every problem, each at its path."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel(
                {"accounts": {"method": "mean", "k": 0, "engaged_min": "x", "colour": 1,
                              "fit": [{"name": "a", "points": 1, "when": {"field": "x"}}],
                              "roles": {"CFO": "boss"}, "weights": {"cto": 1}}}
            )  # fmt: skip
        paths = {p.path for p in info.value.problems}
        assert paths >= {
            "accounts.method", "accounts.k", "accounts.engaged_min", "accounts.colour",
            "accounts.fit[0].when", "accounts.roles.CFO", "accounts.weights.cto",
        }  # fmt: skip

    def test_named_score_the_model_lacks_is_refused(self) -> None:
        """``accounts.score`` names a score the scoring model does not have: refused."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel({"accounts": {"score": "product"}})
        assert info.value.path == "accounts.score"
        scoring = {"scores": {"products": {"rules": ["webinar_completed"]}}}
        with pytest.raises(bf.ConfigError, match="did you mean 'products'") as info:
            bf.Funnel({"scoring": scoring, "accounts": {"score": "product"}})
        assert info.value.path == "accounts.score"

    def test_named_score_rolls_up(self) -> None:
        """With ``score = "webinars"`` only that named score's behaviour points roll up
        and decide who is engaged: L1 25 (one webinar), L2 0 (a pricing visit, 15, is
        not in the score); the main score would give 25 + 15."""
        at = datetime(2026, 11, 20, tzinfo=UTC)
        leads = [{"id": "L1", "email": "a@acme.es"}, {"id": "L2", "email": "b@acme.es"}]
        events = [bf.Event("L1", "webinar_completed", at), bf.Event("L2", "pricing_page_visit", at)]
        scoring = {"scores": {"webinars": {"rules": ["webinar_completed"]}}}
        main = bf.Funnel({"scoring": scoring}).rank_accounts(leads, events, as_of=at)[0]
        named = bf.Funnel({"scoring": scoring, "accounts": {"score": "webinars"}})
        top = named.rank_accounts(leads, events, as_of=at)[0]
        assert main.engagement == 40.0 and main.breadth.engaged == 2
        assert top.engagement == 25.0 and top.breadth.engaged == 1
        assert dict(top.shares) == {"L1": 25.0, "L2": 0.0}

    def test_funnel_round_trip_and_toml(self, tmp_path: object) -> None:
        """The funnel carries its [accounts] section through to_dict and TOML."""
        from pathlib import Path

        path = Path(str(tmp_path)) / "f.toml"
        path.write_text('[accounts]\nmethod = "top_k"\nk = 5\n', encoding="utf-8")
        funnel = bf.Funnel.from_toml(path)
        assert (funnel.accounts.method, funnel.accounts.k) == ("top_k", 5)
        assert bf.Funnel.from_dict(funnel.to_dict()) == funnel
        assert bf.AccountModel.from_toml(path) == funnel.accounts

    @pytest.mark.parametrize(
        ("title", "role"),
        [("Directora Financiera", "economic_buyer"), ("Head of IT", "technical_buyer"),
         ("Director de Tecnología", "technical_buyer"), ("Analista de datos", "end_user"),
         ("Consultor SAP", "influencer"), ("Marketing Manager", None)],
    )  # fmt: skip
    def test_default_title_table(self, title: str, role: str | None) -> None:
        """The documented title table reads English and Spanish titles."""
        assert bf.AccountModel.default().role_of({"job_title": title}) == role

    def test_role_column_wins_over_title(self) -> None:
        """A ``role`` naming one of the five roles wins; other text falls back to the title."""
        model = bf.AccountModel.default()
        assert model.role_of({"role": "Champion", "job_title": "CFO"}) == "champion"
        assert model.role_of({"role": "Blocker", "job_title": "CFO"}) == "economic_buyer"


@settings(max_examples=40, deadline=None)
@given(account_populations(AT), st.integers(0, 2**32 - 1))
def test_rank_accounts_invariants(
    population: tuple[list[dict[str, str]], list[bf.Event]], seed: int
) -> None:
    """Order of leads does not matter; methods keep their bounds against a plain sum."""
    leads, events = population
    shuffled = list(leads)
    random.Random(seed).shuffle(shuffled)
    results = {}
    for config in (
        {"max_per_contact": False},
        {},
        {"method": "top_k"},
        {"method": "role_weighted"},
    ):
        funnel = bf.Funnel({"accounts": config})
        a = funnel.rank_accounts(leads, events, as_of=AT)
        b = funnel.rank_accounts(shuffled, events, as_of=AT)
        assert [x.to_dict() for x in a] == [x.to_dict() for x in b]
        results[config.get("method", "sum") + str(config)] = {x.account_id: x for x in a}
    plain = results["sum{'max_per_contact': False}"]
    for ranking in results.values():
        for account, score in ranking.items():
            assert score.total == pytest.approx(score.fit + score.engagement)
            assert set(score.roles_present) | set(score.roles_missing) == set(bf.bant.ROLES)
            assert score.engagement <= plain[account].engagement + 1e-9


class TestContactEvents:
    """``rank_accounts`` and ``score_account`` hand the events to the scoring model as
    ``Funnel.rank`` does: through ``[aliases]``, up to ``as_of``, counted by progress."""

    def test_aliases_as_of_and_progress(self) -> None:
        """By hand: C1's "Webinar" is ``webinar_completed`` through ``[aliases]``, 25;
        C2's pricing visit 15, its webinar an hour after ``as_of`` not counted; acme's
        engagement 25 + 15 = 40. Progress is told of all 3 events, and their total."""
        funnel = bf.Funnel({"aliases": {"Webinar": "webinar_completed"}})
        leads = [{"id": "C1", "email": "a@acme.es"}, {"id": "C2", "email": "b@acme.es"}]
        events = [
            bf.Event("C1", "Webinar", AT - timedelta(hours=1)),
            bf.Event("C2", "pricing_page_visit", AT - timedelta(hours=1)),
            bf.Event("C2", "webinar_completed", AT + timedelta(hours=1)),
        ]
        seen: list[tuple[int, int | None]] = []
        (acme,) = funnel.rank_accounts(leads, events, as_of=AT, progress=lambda *a: seen.append(a))
        assert dict(acme.shares) == {"C1": 25.0, "C2": 15.0}
        assert acme.engagement == 40.0
        assert seen[-1] == (3, 3)
        single = funnel.score_account("acme.es", leads, events, as_of=AT)
        assert single.to_dict() == acme.to_dict()

    def test_refuses_what_is_not_an_event(self) -> None:
        """Anything among the events that is not an Event is refused where it stands."""
        leads = [{"id": "C1", "email": "a@acme.es"}]
        events = [bf.Event("C1", "webinar_completed", AT), "webinar_completed"]
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Funnel().rank_accounts(leads, events, as_of=AT)
        assert info.value.path == "events[1]"
        with pytest.raises(bf.InvalidInputError) as info:
            bf.Funnel().rank_accounts(leads, 42, as_of=AT)  # type: ignore[arg-type]
        assert info.value.path == "events"
