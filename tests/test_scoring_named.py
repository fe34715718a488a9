"""Named scores ([scoring.scores.NAME]): several scores of one model in one pass."""

from __future__ import annotations

import csv
import io
import json
import pickle
from datetime import UTC, datetime, timedelta
from functools import reduce
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import EPOCH, events, named_model_config, profiles, restricted_config

import b2bfunnel as bf
from b2bfunnel import _partials, _rank_frame
from b2bfunnel.cli import main
from b2bfunnel.scoring import NamedScore, SubScore

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
AS_OF = EPOCH + timedelta(days=400)
TOLERANCE = 1e-6 + 1e-9  # one unit of the 6th decimal, if float order flips it

CONFIG: dict[str, Any] = {
    "hot_threshold": 100,
    "explicit": [
        {"name": "it_leader", "points": 50, "when": {"field": "employees", "gte": 500}},
    ],
    "implicit": [
        {"name": "pricing", "event": "pricing_page_visit", "points": 15},
        {"name": "demo", "event": "demo_request", "points": 30},
        {"name": "docs", "event": "docs_visit", "points": 5},
    ],
    "decay": {"kind": "none"},
    "scores": {
        # "demo" counts in both scores.
        "product_a": {"rules": ["pricing", "demo"], "hot_threshold": 30},
        "product_b": {"rules": ["demo", "docs", "it_leader"]},
    },
}
PROFILE = {"id": "L1", "employees": 900}


def _day(day: int) -> datetime:
    return datetime(2026, 3, day, tzinfo=UTC)


EVENTS = [
    bf.Event("L1", "pricing_page_visit", _day(1)),
    bf.Event("L1", "demo_request", _day(2)),
    bf.Event("L1", "docs_visit", _day(3)),
    bf.Event("L1", "docs_visit", _day(3)),
]


def _model(**changes: Any) -> bf.ScoringModel:
    scores = {**CONFIG["scores"]}
    for name, extra in changes.pop("scores", {}).items():
        scores[name] = {**scores.get(name, {}), **extra}
    return bf.ScoringModel.from_dict({**CONFIG, **changes, "scores": scores})


class TestConfiguration:
    def test_dict_and_toml_forms_agree_and_round_trip(self, tmp_path: Path) -> None:
        """[scoring.scores.NAME] in TOML reads as the dict form; to_dict round-trips."""
        toml = tmp_path / "scoring.toml"
        toml.write_text(
            "[scoring]\nhot_threshold = 100\n[scoring.decay]\nkind = 'none'\n"
            "[[scoring.explicit]]\nname = 'it_leader'\npoints = 50\n"
            "when = {field = 'employees', gte = 500}\n"
            "[[scoring.implicit]]\nname = 'pricing'\nevent = 'pricing_page_visit'\npoints = 15\n"
            "[[scoring.implicit]]\nname = 'demo'\nevent = 'demo_request'\npoints = 30\n"
            "[[scoring.implicit]]\nname = 'docs'\nevent = 'docs_visit'\npoints = 5\n"
            "[scoring.scores.product_a]\nrules = ['pricing', 'demo']\nhot_threshold = 30\n"
            "[scoring.scores.product_b]\nrules = ['demo', 'docs', 'it_leader']\n"
        )
        model = bf.ScoringModel.from_toml(toml)
        assert model == _model()
        assert bf.ScoringModel.from_dict(model.to_dict()) == model
        assert model.to_dict()["scores"] == CONFIG["scores"]
        assert model.score_names == ("product_a", "product_b")

    def test_default_model_is_unchanged(self) -> None:
        """No named scores: no ``scores`` key, the same fingerprint as before them."""
        model = bf.ScoringModel.default()
        assert "scores" not in model.to_dict()
        assert model.fingerprint == "797b2052b5ac"
        assert model.score(PROFILE, [], as_of=_day(1)).scores == {}
        assert "scores" not in model.score(PROFILE, [], as_of=_day(1)).to_dict()

    def test_every_problem_is_reported_with_its_path(self) -> None:
        """Unknown rules, unknown keys, bad values and a missing ``rules``: all at once."""
        config = {
            **CONFIG,
            "scores": {
                "product_a": {"rules": ["pricing", "demoo"], "hot_treshold": 30},
                "product_b": {"rules": ["docs", "docs"], "decay": {"kind": "weekly"}},
                "product_c": {"hot_threshold": -1},
                "product_d": {"rules": [], "max_total": 10},
            },
        }
        with pytest.raises(bf.ConfigError) as info:
            bf.ScoringModel.from_dict(config)
        found = {p.path: p.message for p in info.value.problems}
        assert "did you mean 'demo'" in found["scoring.scores.product_a.rules[1]"]
        assert "scoring.scores.product_a.hot_treshold" in found
        assert "listed twice" in found["scoring.scores.product_b.rules[1]"]
        assert "scoring.scores.product_b.decay.kind" in found
        assert "scoring.scores.product_c.rules" in found
        assert "scoring.scores.product_c.hot_threshold" in found
        assert "scoring.scores.product_d.rules" in found
        assert len(found) == 7

    def test_a_score_cap_must_hold_its_profile_points(self) -> None:
        """A score's max_total below its profile rules' points is refused."""
        with pytest.raises(bf.ConfigError) as info:
            _model(scores={"product_b": {"max_total": 40}})
        assert info.value.path == "scoring.scores.product_b.max_total"

    def test_a_score_may_set_its_bands(self) -> None:
        """Own bands: a band named ``hot`` sets the score's threshold."""
        bands = [{"name": "low"}, {"name": "mid", "min": 20}, {"name": "hot", "min": 40}]
        model = _model(scores={"product_a": {"bands": bands, "hot_threshold": 40}})
        sub = model.score(PROFILE, EVENTS, as_of=_day(4)).scores["product_a"]
        assert (sub.total, sub.band, sub.hot) == (45.0, "hot", True)
        assert bf.ScoringModel.from_dict(model.to_dict()) == model

    def test_scores_built_by_hand_are_checked(self) -> None:
        """A model built with NamedScore values: names distinct, rules known."""
        fields = {"implicit": bf.ScoringModel.default().implicit}
        one = NamedScore("a", ("pricing_page_visit",))
        assert bf.ScoringModel(**fields, scores=(one,)).score_names == ("a",)
        with pytest.raises(bf.InvalidInputError, match="given twice"):
            bf.ScoringModel(**fields, scores=(one, one))
        with pytest.raises(bf.InvalidInputError, match="expected a NamedScore"):
            bf.ScoringModel(**fields, scores=({"rules": []},))
        with pytest.raises(bf.ConfigError, match="unknown rule 'nope'"):
            bf.ScoringModel(**fields, scores=(NamedScore("a", ("nope",)),))

    def test_named_score_value(self) -> None:
        """NamedScore and SubScore are public in b2bfunnel.scoring, not top level."""
        assert NamedScore.__module__ == SubScore.__module__ == "b2bfunnel.scoring"
        assert "SubScore" not in bf.__all__ and "NamedScore" not in bf.__all__
        assert _model().scores[0] == NamedScore("product_a", ("pricing", "demo"), 30)


class TestHandComputed:
    def test_a_rule_counts_in_two_scores(self) -> None:
        """Main 50+15+30+2*5 = 105 (hot at day 3); product_a 15+30 = 45 against its own
        threshold 30 (hot at day 2, when it reached 45); product_b 30+10+50 = 90, warm
        under the model's bands (40 <= 90 < 100)."""
        score = _model().score(PROFILE, EVENTS, as_of=_day(4))
        assert (score.total, score.hot, score.hot_since) == (105.0, True, _day(3))
        a, b = score.scores["product_a"], score.scores["product_b"]
        assert (a.total, a.explicit, a.implicit, a.band, a.hot) == (45.0, 0.0, 45.0, "hot", True)
        assert a.hot_since == _day(2)
        assert (b.total, b.explicit, b.implicit, b.band, b.hot) == (90.0, 50.0, 40.0, "warm", False)
        assert b.hot_since is None
        assert [(c.rule, c.points, c.events) for c in b.contributions] == [
            ("it_leader", 50.0, 0),
            ("demo", 30.0, 1),
            ("docs", 10.0, 2),
        ]

    def test_own_threshold_gives_default_bands_of_it(self) -> None:
        """product_a's bands from its threshold 30: cold < 12 <= warm < 30 <= hot."""
        model = _model()
        one = model.score(PROFILE, EVENTS[:1], as_of=_day(1)).scores["product_a"]
        assert (one.total, one.band, one.hot) == (15.0, "warm", False)

    def test_own_decay(self) -> None:
        """product_b with half-life 10 days, the model without decay: at day 13 the demo
        (11 days old) keeps 0.5 ** 1.1 of 30 and the two docs visits (10 days) half of
        10; profile points never decay."""
        model = _model(scores={"product_b": {"decay": {"kind": "half_life", "half_life_days": 10}}})
        score = model.score(PROFILE, EVENTS, as_of=_day(13))
        expected = 50 + 30 * 0.5 ** (11 / 10) + 10 * 0.5
        assert score.scores["product_b"].total == pytest.approx(expected, abs=1e-6)
        assert score.total == 105.0  # the model's score does not decay

    def test_own_reset(self) -> None:
        """product_a resets on deal_lost: its behaviour before the reset goes (and its
        hot_since with it); the main score and product_b keep theirs."""
        model = _model(scores={"product_a": {"reset_on": ["deal_lost"]}})
        lost = bf.Event("L1", "deal_lost", _day(4))
        again = bf.Event("L1", "pricing_page_visit", _day(5))
        score = model.score(PROFILE, [*EVENTS, lost, again], as_of=_day(6))
        a = score.scores["product_a"]
        assert (a.total, a.last_reset, a.hot_since) == (15.0, _day(4), None)
        assert score.total == 120.0 and score.last_reset is None
        assert score.scores["product_b"].total == 90.0

    def test_model_reset_applies_to_scores_without_their_own(self) -> None:
        """reset_on of the model resets every named score that does not set its own."""
        model = _model(reset_on=["deal_lost"], scores={"product_b": {"reset_on": []}})
        score = model.score(PROFILE, [*EVENTS, bf.Event("L1", "deal_lost", _day(4))], as_of=_day(5))
        assert score.total == 50.0
        assert score.scores["product_a"].total == 0.0
        assert score.scores["product_a"].last_reset == _day(4)
        assert score.scores["product_b"].total == 90.0

    def test_own_cap(self) -> None:
        """product_a capped at 40: 45 behaviour points scaled down to 40."""
        score = _model(scores={"product_a": {"max_total": 40}}).score(
            PROFILE, EVENTS, as_of=_day(4)
        )
        assert score.scores["product_a"].total == 40.0
        assert score.total == 105.0

    def test_explain_and_display_show_them(self) -> None:
        """explain() has a block per named score; to_dict and the notebook view too."""
        score = _model().score(PROFILE, EVENTS, as_of=_day(4))
        text = score.explain()
        assert "score product_a: 45.0 points (hot, hot since 2026-03-02T00:00:00+00:00)" in text
        assert "score product_b: 90.0 points (warm)" in text
        assert score.to_dict()["scores"]["product_b"]["band"] == "warm"
        (row,) = bf.to_records(score)
        assert (row["score.product_a"], row["band.product_b"]) == (45.0, "warm")
        assert "product_a" in score._repr_html_()
        assert "it_leader" in score.scores["product_b"].explain()


RANK_LEADS = [{"id": "L1"}, {"id": "L2"}, {"id": "L3", "employees": 900}]
RANK_EVENTS = [
    bf.Event("L1", "pricing_page_visit", _day(1)),
    bf.Event("L1", "pricing_page_visit", _day(1)),
    bf.Event("L2", "docs_visit", _day(1)),
    bf.Event("L3", "pricing_page_visit", _day(1)),
]


class TestRanking:
    def test_by_orders_by_the_named_score(self) -> None:
        """Main: L3 65, L1 30, L2 5; product_a: L1 30, L3 15, L2 0; product_b: L3 50,
        L2 5, L1 0."""
        model = _model()
        for by, order in (
            (None, ["L3", "L1", "L2"]),
            ("product_a", ["L1", "L3", "L2"]),
            ("product_b", ["L3", "L2", "L1"]),
        ):
            ranked = model.rank(RANK_LEADS, RANK_EVENTS, as_of=_day(2), by=by)
            assert [s.lead_id for s in ranked] == order
        funnel = bf.Funnel({"scoring": CONFIG})
        ranked = funnel.rank(RANK_LEADS, RANK_EVENTS, as_of=_day(2), by="product_a")
        assert [s.lead_id for s in ranked] == ["L1", "L3", "L2"]

    def test_unknown_name_says_which_exist(self) -> None:
        """by= a name that is not a named score: InvalidInputError listing them."""
        with pytest.raises(bf.InvalidInputError, match="'product_a', 'product_b'") as info:
            _model().rank(RANK_LEADS, RANK_EVENTS, as_of=_day(2), by="product_c")
        assert info.value.path == "by"
        with pytest.raises(bf.InvalidInputError, match="no named scores"):
            bf.ScoringModel.default().rank([], [], as_of=_day(2), by="x")

    def test_ties_go_by_lead_id(self) -> None:
        """Equal named totals keep lead id order."""
        leads = [{"id": "B"}, {"id": "A"}]
        ranked = _model().rank(leads, [], as_of=_day(2), by="product_a")
        assert [s.lead_id for s in ranked] == ["A", "B"]

    def test_frames_have_score_and_band_columns(self) -> None:
        """to_pandas and the engines' frame: score.NAME and band.NAME; ranked by= sorts."""
        model = _model()
        frame = bf.to_pandas(model.rank(RANK_LEADS, RANK_EVENTS, as_of=_day(2)))
        assert frame["score.product_a"].tolist() == [15.0, 30.0, 0.0]
        assert frame["band.product_b"].tolist() == ["warm", "cold", "cold"]
        states = _partials.partial_states(model, [RANK_EVENTS], _day(2))
        payloads = [(lead["id"], _partials.PROFILE, pickle.dumps(lead)) for lead in RANK_LEADS]
        payloads += [(lid, _partials.STATE, pickle.dumps(s)) for lid, s in states.items()]
        scored = _partials.score_leads(model, payloads, _day(2))
        table = _rank_frame.score_frame(scored, (), model.score_names)
        ranked = _partials.ranked_frame(table, "product_b")
        assert ranked["lead_id"].tolist() == ["L3", "L2", "L1"]
        assert ranked["score.product_b"].tolist() == [50.0, 5.0, 0.0]
        empty = _partials.scored_frame(model, [], _day(2))
        assert "score.product_a" in empty.columns and "band.product_b" in empty.columns

    def test_cli_by_score(self, tmp_path: Path) -> None:
        """b2bfunnel score --by-score NAME ranks by it; csv and json carry the columns."""
        (tmp_path / "leads.csv").write_text("id,employees\nL1,\nL2,\nL3,900\n")
        with (tmp_path / "events.csv").open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(("lead_id", "name", "at"))
            writer.writerows((e.lead_id, e.name, e.at.isoformat()) for e in RANK_EVENTS)
        (tmp_path / "funnel.toml").write_text(
            "[scoring]\nhot_threshold = 100\n[scoring.decay]\nkind = 'none'\n"
            "[[scoring.explicit]]\nname = 'it_leader'\npoints = 50\n"
            "when = {field = 'employees', gte = 500}\n"
            "[[scoring.implicit]]\nname = 'pricing'\nevent = 'pricing_page_visit'\npoints = 15\n"
            "[[scoring.implicit]]\nname = 'docs'\nevent = 'docs_visit'\npoints = 5\n"
            "[scoring.scores.product_a]\nrules = ['pricing']\nhot_threshold = 30\n"
        )
        argv = ["score", "--leads", str(tmp_path / "leads.csv"), "--events",
                str(tmp_path / "events.csv"), "--config", str(tmp_path / "funnel.toml"),
                "--as-of", _day(2).isoformat(), "--by-score", "product_a"]  # fmt: skip
        out = io.StringIO()
        assert main([*argv, "--format", "csv"], out=out) == 0
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert [r["lead"] for r in rows] == ["L1", "L3", "L2"]
        assert [r["score.product_a"] for r in rows] == ["30.0", "15.0", "0.0"]
        assert [r["band.product_a"] for r in rows] == ["hot", "warm", "cold"]
        out = io.StringIO()
        assert main([*argv, "--format", "json"], out=out) == 0
        entries = json.loads(out.getvalue())
        assert [e["lead_id"] for e in entries] == ["L1", "L3", "L2"]
        assert entries[0]["score.product_a"] == 30.0
        assert entries[0]["scores"]["product_a"]["hot"] is True
        err = io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("sys.stderr", err)
            status = main([*argv[:-1], "product_z"], out=io.StringIO())
        assert status != 0 and "product_a" in err.getvalue()


class TestStates:
    def test_format_4_only_with_named_scores(self) -> None:
        """A model with named scores writes format 4 and reads it back equal; the
        default model still writes format 2."""
        model = _model(scores={"product_b": {"decay": {"kind": "half_life"}}})
        state = model.ingest(model.new_state("L1", PROFILE), EVENTS)
        data = json.loads(json.dumps(state.to_dict()))
        assert data["v"] == 4 and set(data["scores"]) == {"product_a", "product_b"}
        assert data["scores"]["product_a"] == {"hot_since": _day(2).timestamp()}
        assert len(data["scores"]["product_b"]["rules"]) == 2  # its own entries
        assert bf.ScoreState.from_dict(data) == state
        assert model.score_state(bf.ScoreState.from_dict(data), as_of=_day(9)) == model.score(
            PROFILE, EVENTS, as_of=_day(9)
        )
        default = bf.ScoringModel.default()
        assert default.ingest(default.new_state("L1"), EVENTS).to_dict()["v"] == 2

    def test_damaged_named_entries_are_refused(self) -> None:
        """Wrong score names, or own entries where the score shares the model's."""
        model = _model()
        data = model.ingest(model.new_state("L1", PROFILE), EVENTS).to_dict()
        renamed = {**data, "scores": {"product_x": {}, "product_b": {}}}
        with pytest.raises(bf.InvalidInputError) as info:
            model.score_state(bf.ScoreState.from_dict(renamed), as_of=_day(9))
        assert info.value.path == "state.scores"
        own = {**data, "scores": {**data["scores"], "product_b": {"rules": [0, 0]}}}
        with pytest.raises(bf.InvalidInputError) as info:
            model.score_state(bf.ScoreState.from_dict(own), as_of=_day(9))
        assert info.value.path == "state.scores.product_b"
        late = {**data, "scores": {**data["scores"], "product_b": {"hot_since": 4e9}}}
        with pytest.raises(bf.InvalidInputError) as info:
            bf.ScoreState.from_dict(late)
        assert info.value.path == "state.scores.product_b.hot_since"


# --- properties ---------------------------------------------------------------------


def _same_sub(a: SubScore, b: SubScore, hot: bool = True) -> None:
    assert abs(a.total - b.total) <= TOLERANCE
    assert (a.name, a.last_reset) == (b.name, b.last_reset)
    assert [(r[0], r[2], r[3], r[4], r[5]) for r in a.rows] == [
        (r[0], r[2], r[3], r[4], r[5]) for r in b.rows
    ]
    if hot:
        assert a.hot_since == b.hot_since


@SETTINGS
@given(named_model_config(), profiles, events())
def test_each_named_score_is_the_restricted_model(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event]
) -> None:
    """Each named score equals score() of a model built, independently, of only its rules
    and settings; the main score equals the model's without named scores."""
    model = bf.ScoringModel.from_dict(config)
    score = model.score(profile, evs, as_of=AS_OF)
    plain = {key: value for key, value in config.items() if key != "scores"}
    assert score.rows == bf.ScoringModel.from_dict(plain).score(profile, evs, as_of=AS_OF).rows
    for name in config["scores"]:
        alone = bf.ScoringModel.from_dict(restricted_config(config, name))
        expected = alone.score(profile, evs, as_of=AS_OF)
        sub = score.scores[name]
        assert (sub.total, sub.explicit, sub.implicit, sub.band, sub.hot) == (
            expected.total,
            expected.explicit,
            expected.implicit,
            expected.band,
            expected.hot,
        )
        assert (sub.rows, sub.hot_since, sub.last_reset) == (
            expected.rows,
            expected.hot_since,
            expected.last_reset,
        )


@SETTINGS
@given(named_model_config(), profiles, events(), st.randoms(use_true_random=False))
def test_incremental_equals_batch(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], rnd: Any
) -> None:
    """Fed one by one in any order, every named score's total and rows equal score();
    fed instant by instant in time order, the whole Score (hot_since too) is equal; the
    state survives its JSON."""
    model = bf.ScoringModel.from_dict(config)
    batch = model.score(profile, evs, as_of=AS_OF)
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    state = model.new_state("L1", profile)
    for event in shuffled:
        state = model.ingest(state, event)
    live = model.score_state(state, as_of=AS_OF)
    assert live.rows == batch.rows
    for name, sub in batch.scores.items():
        assert (live.scores[name].total, live.scores[name].rows) == (sub.total, sub.rows)
    ordered = model.new_state("L1", profile)
    by_time: dict[float, list[bf.Event]] = {}
    for event in evs:
        by_time.setdefault(event.ts, []).append(event)
    for ts in sorted(by_time):
        ordered = model.ingest(ordered, by_time[ts])
    assert model.score_state(ordered, as_of=AS_OF) == batch
    restored = bf.ScoreState.from_dict(json.loads(json.dumps(ordered.to_dict())))
    assert restored == ordered
    assert model.score_state(restored, as_of=AS_OF) == batch


def _hot_since_both_ways(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], name: str
) -> tuple[datetime | None, datetime | None]:
    model = bf.ScoringModel.from_dict(config)
    batch = model.score(profile, evs, as_of=AS_OF)
    state = model.new_state("L1", profile)
    for event in evs:
        state = model.ingest(state, event)
    live = model.score_state(state, as_of=AS_OF)
    return batch.scores[name].hot_since, live.scores[name].hot_since


def test_a_reset_of_the_model_does_not_hide_a_named_scores_own_event() -> None:
    """The model resets on ``unsubscribe``; the score ``s1`` does not, and counts it.
    By hand: visit at 0 s gives s1 13 points, unsubscribe at 1 s one more: 14, its
    threshold, so s1 became hot at 1 s, fed at once or one event at a time."""
    config = {
        "hot_threshold": 20,
        "implicit": [
            {"name": "visit", "event": "visit", "points": 13, "decays": False},
            {"name": "unsubscribe", "event": "unsubscribe", "points": 1, "decays": False},
        ],
        "decay": {"kind": "none"},
        "reset_on": ["unsubscribe"],
        "scores": {"s1": {"rules": ["visit", "unsubscribe"], "hot_threshold": 14, "reset_on": []}},
    }
    evs = [
        bf.Event("L1", "visit", EPOCH),
        bf.Event("L1", "unsubscribe", EPOCH + timedelta(seconds=1)),
    ]
    expected = EPOCH + timedelta(seconds=1)
    assert _hot_since_both_ways(config, {"id": "L1"}, evs, "s1") == (expected, expected)


def test_a_named_score_hot_on_profile_alone_is_hot_from_the_first_event() -> None:
    """The profile's 20 points already reach s1's threshold of 15, so s1 is hot from
    the lead's first event (``noise``, which no rule counts), not from the first event
    a rule counts (5 s later)."""
    config = {
        "hot_threshold": 50,
        "explicit": [{"name": "fit", "points": 20, "when": {"field": "fit", "eq": True}}],
        "implicit": [{"name": "visit", "event": "visit", "points": 13}],
        "scores": {"s1": {"rules": ["fit"], "hot_threshold": 15}},
    }
    evs = [bf.Event("L1", "noise", EPOCH), bf.Event("L1", "visit", EPOCH + timedelta(seconds=5))]
    assert _hot_since_both_ways(config, {"id": "L1", "fit": True}, evs, "s1") == (EPOCH, EPOCH)


@st.composite
def _split(draw: st.DrawFn, items: list[Any]) -> list[list[Any]]:
    k = draw(st.integers(min_value=1, max_value=5))
    owners = draw(st.lists(st.integers(0, k - 1), min_size=len(items), max_size=len(items)))
    parts: list[list[Any]] = [[] for _ in range(k)]
    for item, owner in zip(items, owners, strict=True):
        parts[owner].append(item)
    return parts


def _state(model: bf.ScoringModel, evs: list[bf.Event], profile: Any = None) -> bf.ScoreState:
    return model.ingest(model.new_state("L1", profile), sorted(evs, key=lambda e: e.ts))


@SETTINGS
@given(named_model_config(), profiles, events(max_size=30), st.data())
def test_merged_parts_equal_ingesting_everything(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], data: st.DataObject
) -> None:
    """Any split, merged in any order, scores every named score as ingest of all; each
    named score's hot_since is what merging the same parts of the model of only its
    rules gives."""
    model = bf.ScoringModel.from_dict(config)
    parts = data.draw(_split(evs))
    order = data.draw(st.permutations(range(len(parts))))

    def merged(of: bf.ScoringModel) -> bf.ScoreState:
        states = [_state(of, parts[k]) for k in order]
        start = of.new_state("L1", profile)
        return reduce(lambda a, b: of.merge(a, b, profile=profile), states, start)

    whole = _state(model, evs, profile)
    got = model.score_state(merged(model), as_of=AS_OF)
    want = model.score_state(whole, as_of=AS_OF)
    assert abs(got.total - want.total) <= TOLERANCE
    for name, sub in want.scores.items():
        _same_sub(got.scores[name], sub, hot=False)
        alone = bf.ScoringModel.from_dict(restricted_config(config, name))
        expected = alone.score_state(merged(alone), as_of=AS_OF)
        assert got.scores[name].hot_since == expected.hot_since


@SETTINGS
@given(named_model_config(), events(), events(), events())
def test_merge_is_commutative_and_associative(
    config: dict[str, Any], xs: list[bf.Event], ys: list[bf.Event], zs: list[bf.Event]
) -> None:
    """merge(a, b) == merge(b, a) exactly, named entries included; grouping changes at
    most float bits of the scores."""
    model = bf.ScoringModel.from_dict(config)
    a, b, c = (_state(model, part) for part in (xs, ys, zs))
    assert model.merge(a, b) == model.merge(b, a)
    left = model.score_state(model.merge(model.merge(a, b), c), as_of=AS_OF)
    right = model.score_state(model.merge(a, model.merge(b, c)), as_of=AS_OF)
    for name, sub in left.scores.items():
        _same_sub(sub, right.scores[name], hot=False)


@SETTINGS
@given(named_model_config())
def test_model_round_trip(config: dict[str, Any]) -> None:
    """from_dict(to_dict()) gives an equal model with the same fingerprint."""
    model = bf.ScoringModel.from_dict(config)
    again = bf.ScoringModel.from_dict(model.to_dict())
    assert again == model and again.fingerprint == model.fingerprint


@SETTINGS
@given(named_model_config(), st.lists(events(max_size=10), min_size=1, max_size=4))
def test_table_readers_path_equals_rank(
    config: dict[str, Any], per_lead: list[list[bf.Event]]
) -> None:
    """_rank_cells, given only the events the model reads (others as bare times, as the
    CLI's reader gives them), ranks as rank() does, named scores included."""
    model = bf.ScoringModel.from_dict(config)
    leads = [{"id": f"L{i}", "fit": i % 2 == 0} for i in range(len(per_lead))]
    evs = [
        bf.Event(lead["id"], e.name, e.at, e.properties)
        for lead, lead_events in zip(leads, per_lead, strict=True)
        for e in lead_events
    ]
    cells = [(e.lead_id, e.name, e.ts, e if model._needs_event(e.name) else None) for e in evs]
    by = next(iter(config["scores"]))
    assert model._rank_cells(leads, cells, as_of=AS_OF, by=by) == model.rank(
        leads, evs, as_of=AS_OF, by=by
    )
