"""Every public value and state travels between processes: pickles equal, by public names."""

from __future__ import annotations

import doctest
import importlib
import pickle
import pickletools
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf
from tests.public import public_classes
from tests.strategies import events, model_config, profiles

ROOT = Path(__file__).resolve().parent.parent
# Every public value class; the reading machinery of b2bfunnel.tables holds open files,
# and a protocol describes values of other classes.
PUBLIC_CLASSES = {
    name: cls
    for name, cls in public_classes().items()
    if cls.__module__ != "b2bfunnel.tables" and not getattr(cls, "_is_protocol", False)
}
MADRID = ZoneInfo("Europe/Madrid")


def _walk(value: Any, seen: set[int]) -> Iterator[Any]:
    """``value`` and every value inside it (containers and attrs fields)."""
    if id(value) in seen:
        return
    seen.add(id(value))
    yield value
    if isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _walk(item, seen)
    elif isinstance(value, dict) or type(value).__name__ == "mappingproxy":
        for item in value.values():
            yield from _walk(item, seen)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _walk(getattr(value, field.name), seen)


def _documented_values() -> dict[str, Any]:
    """One value of each public class that the documentation's examples build."""
    found: dict[str, Any] = {}
    parser = doctest.DocTestParser()
    for path in [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]:
        test = parser.get_doctest(path.read_text(encoding="utf-8"), {}, path.name, None, 0)
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        runner.run(test, clear_globs=False, out=lambda _text: None)
        seen: set[int] = set()
        for value in list(test.globs.values()):
            for item in _walk(value, seen):
                name = type(item).__name__
                if PUBLIC_CLASSES.get(name) is type(item):
                    found.setdefault(name, item)
    return found


def _more_values() -> dict[str, Any]:
    """Values of the public classes no documentation example happens to keep."""
    at = datetime(2026, 3, 29, 1, 30, tzinfo=MADRID)  # the night clocks go forward
    score = bf.ScoringModel.from_dict(
        {
            "groups": {"web": {"max_points": 20}},
            "implicit": [{"name": "visit", "event": "visit", "points": 15, "group": "web"}],
        }
    ).score({"id": "L1"}, [bf.Event("L1", "visit", at), bf.Event("L1", "visit", at)], as_of=at)
    answers = [
        bf.Response(9, at, {"region": "south"}, "ok", "Acme"),
        bf.Response(3, account="Nova"),
    ]
    candidate = bf.KOLCandidate("ana", 12_000, {"cto": 0.3}, 240.0, topics=("cloud",))
    return {
        "Component": bf.kol_fit(candidate, bf.KOLBrief(["cto"], ["cloud"])).components[0],
        "AccountNPS": bf.account_nps(answers),
        "Contribution": score.contributions[0],
        "CriterionStatus": bf.CriterionStatus("budget", "approved", "met", "approved budget"),
        "DataReport": bf.data_report(bf.ScoringModel.default(), [{"id": "L1"}]),
        "NPSPosition": bf.nps_position(20, "saas"),
        "SurveyTally": bf.SurveyTally.of([10, 9, 3, 7]),
        "RateTally": bf.RateTally.of([True, False, True]),
        "PathCounts": bf.PathCounts.of([(["email", "webinar"], True), (["ads"], False)]),
        "Ticket": bf.Ticket(True, at, {"channel": "phone"}),
        "Score": score,
        "Ranking": bf.ScoringModel.default().rank([{"id": "L1"}, {"id": "L2"}], [], as_of=at),
        "B2BFunnelError": bf.B2BFunnelError("broken", path="x"),
        "InvalidInputError": bf.InvalidInputError("expected a number", path="events[3].at"),
        "ConfigError": bf.ConfigError(
            [bf.Problem("scoring.decay", "unknown kind"), bf.Problem("nps", "bad")]
        ),
    }


VALUES = {**_documented_values(), **_more_values()}


def _globals_named(data: bytes) -> set[str]:
    """The ``module name`` pairs a pickle imports from (protocol 4 and 5 streams)."""
    strings: list[Any] = []
    named = set()
    for opcode, arg, _pos in pickletools.genops(data):
        if opcode.name == "STACK_GLOBAL":
            named.add(f"{strings[-2]} {strings[-1]}")
        elif opcode.name == "GLOBAL":
            named.add(str(arg))
        if isinstance(arg, str):
            strings.append(arg)
    return named


def test_every_public_class_has_a_value_here() -> None:
    """The round-trip tests below cover every exported class."""
    assert sorted(set(PUBLIC_CLASSES) - set(VALUES)) == []


@pytest.mark.parametrize("name", sorted(PUBLIC_CLASSES))
def test_value_pickles_equal(name: str) -> None:
    """A value unpickles equal, of the same class, at every protocol from 2."""
    value = VALUES[name]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        copy = pickle.loads(pickle.dumps(value, protocol))
        assert type(copy) is type(value)
        if isinstance(value, BaseException):
            assert (str(copy), copy.__dict__) == (str(value), value.__dict__)
        else:
            assert copy == value


@pytest.mark.parametrize("name", sorted(PUBLIC_CLASSES))
def test_pickle_names_only_public_names(name: str) -> None:
    """No pickle names a private module, so moving one never breaks a stored pickle."""
    named = _globals_named(pickle.dumps(VALUES[name], 4))
    ours = {n for n in named if n.split()[0].split(".")[0] == "b2bfunnel"}
    assert ours <= {"b2bfunnel _restore"}


OLD_PICKLES = ROOT / "tests" / "data" / "pickles_0.1.0.dev.pickle"


def test_pickles_made_before_the_move_still_load() -> None:
    """Pickles written before 0.1.0 (bare names, results at the top level, NPS in
    b2bfunnel.nps) load as the same classes, at their public homes now; the file was
    written by that version of the package, with the values rebuilt below."""
    with OLD_PICKLES.open("rb") as handle:
        old = pickle.load(handle)
    at = datetime(2026, 3, 29, 1, 30, tzinfo=MADRID)
    model = bf.ScoringModel.default()
    visits = [bf.Event("L1", "pricing_page_visit", at)]
    score = model.score({"id": "L1", "job_title": "CIO", "employees": 900}, visits, as_of=at)
    errors = importlib.import_module("b2bfunnel.errors")
    surveys = importlib.import_module("b2bfunnel.surveys")
    pipeline = importlib.import_module("b2bfunnel.pipeline")
    assert old["Score"] == score
    assert old["Contribution"] == score.contributions[0]
    assert type(old["Contribution"]).__module__ == "b2bfunnel.scoring"
    assert old["Ranking"] == model.rank([{"id": "L1"}, {"id": "L2"}], [], as_of=at)
    assert old["ScoreState"] == model.ingest(model.new_state("L1", {}), visits)
    assert old["NPSResult"] == bf.nps([10, 9, 3])
    assert old["SurveyTally"] == surveys.SurveyTally.of([10, 9, 3])
    assert old["NPSPosition"] == surveys.nps_position(20, "saas")
    assert old["Qualification"] == bf.qualify({"need": "risk"})
    assert old["Stage"] is bf.Stage.MQL
    assert old["Problem"] == errors.Problem("scoring.decay", "unknown kind")
    assert isinstance(old["ConfigError"], bf.ConfigError)
    assert old["ConfigError"].path == "scoring.decay"
    assert old["PathCounts"] == pipeline.PathCounts.of([(["email"], True)])
    assert old["Decay"] == model.decay


def test_pickles_name_the_public_path() -> None:
    """A result that lives in a subpackage pickles under its path there."""
    data = pickle.dumps(VALUES["Contribution"], 4)
    assert b"scoring.Contribution" in data
    assert pickle.loads(data) == VALUES["Contribution"]


def test_score_with_groups_pickles() -> None:
    """Regression: a Score's read-only groups mapping made it unpicklable."""
    score = VALUES["Score"]
    assert score.groups == {"web": 20.0}
    copy = pickle.loads(pickle.dumps(score))
    assert copy.groups == {"web": 20.0}
    with pytest.raises(TypeError):
        copy.groups["web"] = 0  # type: ignore[index]


def test_errors_keep_where_and_what() -> None:
    """An error raised in a worker arrives with its path, message and problems."""
    error = pickle.loads(pickle.dumps(VALUES["ConfigError"]))
    assert isinstance(error, bf.ConfigError)
    assert isinstance(error, ValueError)
    assert error.path == "scoring.decay"
    assert [p.path for p in error.problems] == ["scoring.decay", "nps"]


def test_zoned_times_keep_their_zone() -> None:
    """An event in a DST zone comes back in that zone, not a fixed offset."""
    event = bf.Event("L1", "visit", datetime(2026, 10, 25, 2, 30, tzinfo=MADRID, fold=1))
    copy = pickle.loads(pickle.dumps(event))
    assert copy.at.tzinfo == MADRID
    assert copy.at.utcoffset() == event.at.utcoffset()


@given(model_config(), profiles, events(), st.sampled_from([None, MADRID]))
def test_scores_and_states_pickle_equal(
    config: dict[str, Any], profile: dict[str, Any], evs: list[bf.Event], zone: ZoneInfo | None
) -> None:
    """Scores, states and models of random configurations travel unchanged."""
    model = bf.ScoringModel.from_dict(config)
    if zone is not None:
        evs = [bf.Event(e.lead_id, e.name, e.at.astimezone(zone), e.properties) for e in evs]
    as_of = max((e.at for e in evs), default=datetime(2026, 7, 1, tzinfo=MADRID))
    state = model.ingest(model.new_state("L1", profile), evs)
    score = model.score(profile, evs, as_of=as_of)
    copy_model, copy_state, copy_score = pickle.loads(pickle.dumps((model, state, score)))
    assert copy_model == model
    assert copy_model.fingerprint == model.fingerprint
    assert copy_state == state
    assert copy_score == score
    assert copy_score.contributions == score.contributions
    assert copy_model.score_state(copy_state, as_of=as_of) == model.score_state(state, as_of=as_of)
