"""Scoring configuration: defaults, round-trips, validation of every key, TOML, facade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import model_config

import b2bfunnel as bf

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FULL: dict[str, Any] = {
    "hot_threshold": 80,
    "max_total": 150,
    "bands": [{"name": "cold"}, {"name": "warm", "min": 30}, {"name": "hot", "min": 80}],
    "grade": {"fit": [{"name": "B"}, {"name": "A", "min": 40}]},
    "groups": {"cloud": {"max_points": 60}, "onprem": {}},
    "explicit": [
        {"name": "big", "points": 30, "when": {"field": "employees", "gte": 1000}},
        {
            "name": "spain",
            "points": 10,
            "when": {"field": "country", "in": ["ES"]},
            "group": "onprem",
        },
    ],
    "implicit": [
        {"name": "demo", "event": "demo_request", "points": 40, "group": "cloud"},
        {
            "name": "careers",
            "event": "page_view",
            "points": -10,
            "where": {"field": "path", "starts_with": "/careers"},
            "decays": False,
        },
        {"name": "opens", "event": "email_open", "points": 1, "max_count": 10, "max_points": 5},
    ],
    "decay": {"kind": "half_life", "half_life_days": 14},
}


def problems(data: Any) -> dict[str, str]:
    with pytest.raises(bf.ConfigError) as info:
        bf.ScoringModel.from_dict(data)
    return {p.path: p.message for p in info.value.problems}


class TestRoundTrip:
    def test_default_round_trips(self) -> None:
        """from_dict(default.to_dict()) equals the default model."""
        model = bf.ScoringModel.default()
        assert bf.ScoringModel.from_dict(model.to_dict()) == model

    def test_full_config_round_trips(self) -> None:
        """Every key survives to_dict/from_dict, and to_dict keeps the input's shape."""
        model = bf.ScoringModel.from_dict(FULL)
        again = bf.ScoringModel.from_dict(model.to_dict())
        assert again == model
        data = model.to_dict()
        assert data["implicit"] == FULL["implicit"]
        assert data["explicit"] == FULL["explicit"]
        assert data["decay"] == FULL["decay"]

    def test_left_out_keys_take_defaults(self) -> None:
        """Only hot_threshold given: the default rules and decay remain."""
        model = bf.ScoringModel.from_dict({"hot_threshold": 120})
        default = bf.ScoringModel.default()
        assert model.implicit == default.implicit
        assert model.explicit == default.explicit
        assert model.decay == default.decay

    def test_empty_rule_lists_are_allowed(self) -> None:
        """explicit = [] removes the profile rules."""
        assert bf.ScoringModel.from_dict({"explicit": []}).explicit == ()

    def test_fingerprint_follows_content(self) -> None:
        """Equal configurations share a fingerprint; a change alters it."""
        a = bf.ScoringModel.from_dict(FULL)
        b = bf.ScoringModel.from_dict(dict(FULL))
        c = bf.ScoringModel.from_dict({**FULL, "max_total": 500})
        assert a.fingerprint == b.fingerprint != c.fingerprint


class TestValidation:
    def test_every_problem_at_once(self) -> None:
        """Four mistakes in four places: four located problems in one error."""
        found = problems(
            {
                "hot_treshold": 90,
                "implicit": [
                    {"name": "a", "event": "a", "points": "ten"},
                    {"name": "b", "event": "b", "points": 5, "max_count": 0},
                ],
                "decay": {"kind": "exponential"},
            }
        )
        assert set(found) == {
            "scoring.hot_treshold",
            "scoring.implicit[0].points",
            "scoring.implicit[1].max_count",
            "scoring.decay.kind",
        }
        assert "did you mean 'hot_threshold'" in found["scoring.hot_treshold"]
        assert (
            "allowed: expiry, half_life, inactivity, linear, none, stepwise"
            in found["scoring.decay.kind"]
        )

    @pytest.mark.parametrize(
        ("data", "path"),
        [
            ({"hot_threshold": 0}, "scoring.hot_threshold"),
            ({"hot_threshold": float("nan")}, "scoring.hot_threshold"),
            ({"hot_threshold": True}, "scoring.hot_threshold"),
            ({"max_total": -1}, "scoring.max_total"),
            ({"max_total": 40}, "scoring.max_total"),
            (
                {
                    "groups": {"g": {"max_points": 5}},
                    "explicit": [
                        {"name": "e", "points": 10, "when": {"field": "a", "eq": 1}, "group": "g"}
                    ],
                },
                "scoring.groups.g.max_points",
            ),
            ({"explicit": {"name": "x"}}, "scoring.explicit"),
            ({"explicit": [{"name": "x", "points": 5}]}, "scoring.explicit[0].when"),
            ({"implicit": [{"name": "x", "points": 5}]}, "scoring.implicit[0].event"),
            (
                {"implicit": [{"name": "x", "event": "e", "points": 5, "max_points": 0}]},
                "scoring.implicit[0].max_points",
            ),
            (
                {"implicit": [{"name": "x", "event": "e", "points": 5, "decays": "no"}]},
                "scoring.implicit[0].decays",
            ),
            (
                {"implicit": [{"name": "x", "event": "e", "points": 5, "pionts": 5}]},
                "scoring.implicit[0].pionts",
            ),
            ({"decay": {"kind": "half_life", "half_life_days": 0}}, "scoring.decay.half_life_days"),
            ({"decay": {"kind": "expiry", "half_life_days": 3}}, "scoring.decay.half_life_days"),
            ({"decay": {"kind": "linear", "grace_days": -1}}, "scoring.decay.grace_days"),
            ({"bands": []}, "scoring.bands"),
            ({"bands": [{"name": "a", "min": 0}]}, "scoring.bands[0].min"),
            ({"bands": [{"name": "a"}, {"name": "b"}]}, "scoring.bands[1].min"),
            (
                {"bands": [{"name": "a"}, {"name": "b", "min": 50}, {"name": "c", "min": 50}]},
                "scoring.bands[2].min",
            ),
            ({"bands": [{"name": "a"}, {"name": "a", "min": 5}]}, "scoring.bands[1].name"),
            ({"grade": {"fit": [], "x": 1}}, "scoring.grade.x"),
            ({"groups": {"g": {"max_points": -5}}}, "scoring.groups.g.max_points"),
            (
                {
                    "implicit": [{"name": "x", "event": "e", "points": 1, "group": "clod"}],
                    "groups": {"cloud": {}},
                },
                "scoring.implicit[0].group",
            ),
            (
                {
                    "implicit": [
                        {"name": "x", "event": "e", "points": 1},
                        {"name": "x", "event": "f", "points": 2},
                    ]
                },
                "scoring.implicit[1].name",
            ),
            ([1, 2], "scoring"),
        ],
    )
    def test_each_key_is_checked(self, data: Any, path: str) -> None:
        """Each invalid value is refused with a problem at its path."""
        assert path in problems(data)

    def test_unknown_group_suggests_the_close_one(self) -> None:
        """A misspelt group name gets a hint."""
        found = problems(
            {
                "groups": {"cloud": {}},
                "implicit": [{"name": "x", "event": "e", "points": 1, "group": "clod"}],
            }
        )
        assert "did you mean 'cloud'" in found["scoring.implicit[0].group"]

    def test_model_built_by_hand_is_checked(self) -> None:
        """Constructing ScoringModel directly runs the same validation."""
        with pytest.raises(bf.ConfigError):
            bf.ScoringModel(hot_threshold=-5)

    def test_decay_built_by_hand_is_checked(self) -> None:
        """Decay refuses parameters of another kind."""
        with pytest.raises(bf.ConfigError):
            bf.Decay("expiry", {"half_life_days": 3})


class TestFiles:
    def test_from_toml(self, tmp_path: Path) -> None:
        """A [scoring] section in TOML builds the same model as the dict."""
        path = tmp_path / "funnel.toml"
        path.write_text(
            """
[scoring]
hot_threshold = 80

[[scoring.implicit]]
name = "demo"
event = "demo_request"
points = 40
where = { field = "source", in = ["web", "partner"] }

[scoring.decay]
kind = "expiry"
days = 60
""",
            encoding="utf-8",
        )
        from_file = bf.ScoringModel.from_toml(path)
        assert from_file == bf.ScoringModel.from_dict(
            {
                "hot_threshold": 80,
                "implicit": [
                    {
                        "name": "demo",
                        "event": "demo_request",
                        "points": 40,
                        "where": {"field": "source", "in": ["web", "partner"]},
                    }
                ],
                "decay": {"kind": "expiry", "days": 60},
            }
        )

    def test_toml_syntax_error(self, tmp_path: Path) -> None:
        """Invalid TOML is a ConfigError naming the file."""
        path = tmp_path / "bad.toml"
        path.write_text("[scoring\nhot_threshold = 1", encoding="utf-8")
        with pytest.raises(bf.ConfigError) as info:
            bf.ScoringModel.from_toml(path)
        assert info.value.path == str(path)

    def test_file_without_scoring_section(self, tmp_path: Path) -> None:
        """ScoringModel.from_toml refuses a file with no [scoring], naming the section;
        Funnel.from_toml still reads it."""
        path = tmp_path / "funnel.toml"
        path.write_text("[nurture]\n", encoding="utf-8")
        with pytest.raises(bf.ConfigError, match=r"no \[scoring\] section") as info:
            bf.ScoringModel.from_toml(path)
        assert info.value.path == str(path) and "[nurture]" in str(info.value)
        assert bf.Funnel.from_toml(path).scoring == bf.ScoringModel.default()

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a ConfigError, not an OSError."""
        with pytest.raises(bf.ConfigError):
            bf.Funnel.from_toml(tmp_path / "nope.toml")


class TestFunnel:
    def test_defaults(self) -> None:
        """Funnel() uses the default scoring model."""
        assert bf.Funnel().scoring == bf.ScoringModel.default()

    def test_from_dict_and_round_trip(self) -> None:
        """The scoring section configures funnel.scoring; to_dict round-trips."""
        funnel = bf.Funnel.from_dict({"scoring": FULL})
        assert funnel.scoring == bf.ScoringModel.from_dict(FULL)
        assert bf.Funnel.from_dict(funnel.to_dict()) == funnel

    def test_problems_in_several_sections_reported_together(self) -> None:
        """An unknown section and a bad scoring key are reported at once."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel.from_dict({"scoring": {"hot_threshold": -1}, "scorng": {}})
        paths = {p.path for p in info.value.problems}
        assert paths == {"scoring.hot_threshold", "scorng"}

    def test_qualification_section(self) -> None:
        """The qualification section configures funnel.qualification and qualify()."""
        funnel = bf.Funnel.from_dict({"qualification": {"sql_accepts_partial": ["budget"]}})
        answers = {
            "budget": "estimating",
            "authority": "economic_buyer",
            "need": "risk",
            "timing": "this_quarter",
        }
        assert funnel.qualify(answers).stage == bf.Stage.SQL
        assert bf.Funnel().qualify(answers).stage == bf.Stage.MQL

    def test_nurture_section(self) -> None:
        """The nurture section configures funnel.flow; an unknown section is refused."""
        funnel = bf.Funnel.from_dict({"nurture": {"reenroll": True}})
        assert funnel.flow.reenroll and not bf.Funnel().flow.reenroll
        assert bf.Funnel.from_dict(funnel.to_dict()) == funnel
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel.from_dict({"nurtur": {}})
        assert "did you mean 'nurture'" in str(info.value)

    def test_facade_scores_with_its_model(self) -> None:
        """funnel.score and funnel.rank use the configured model."""
        from conftest import NOW

        funnel = bf.Funnel({"scoring": {"implicit": [{"name": "d", "event": "d", "points": 7}]}})
        event = bf.Event("L1", "d", NOW)
        assert funnel.score({"id": "L1"}, [event], as_of=NOW).implicit == 7
        assert funnel.rank([{"id": "L1"}], [event], as_of=NOW)[0].implicit == 7


@SETTINGS
@given(model_config())
def test_config_round_trips(config: dict[str, Any]) -> None:
    """from_dict(to_dict(m)) == m for any valid configuration."""
    model = bf.ScoringModel.from_dict(config)
    again = bf.ScoringModel.from_dict(model.to_dict())
    assert again == model
    assert again.fingerprint == model.fingerprint
