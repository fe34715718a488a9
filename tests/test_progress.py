"""progress= on long calls: when it is called, with what, and the adapters."""

from __future__ import annotations

import io
import re
import sys
import types
from datetime import timedelta
from typing import Any

import pytest
from conftest import NOW

import b2bfunnel as bf
from b2bfunnel import progress as progress_module

LEADS = [{"id": f"L{i}", "job_title": "CIO", "employees": 900} for i in range(4)]
EVENTS = [bf.Event(f"L{i % 4}", "webinar_completed", NOW - timedelta(hours=i)) for i in range(7)]


class Recorder:
    """Keeps every (done, total) it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int | None]] = []

    def __call__(self, done: int, total: int | None) -> None:
        self.calls.append((done, total))


def test_rank_reports_events_read_and_ranks_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls start at 0, rise every EVERY events, end at the total; the ranking is unchanged."""
    monkeypatch.setattr(progress_module, "EVERY", 3)
    seen = Recorder()
    model = bf.ScoringModel.default()
    ranked = model.rank(LEADS, EVENTS, as_of=NOW, progress=seen)
    assert ranked == model.rank(LEADS, EVENTS, as_of=NOW)
    assert seen.calls == [(0, 7), (3, 7), (6, 7), (7, 7)]


def test_unknown_length_reports_none_then_the_count() -> None:
    """A generator has no length: total is None until the end."""
    seen = Recorder()
    bf.Funnel().rank(LEADS, (e for e in EVENTS), as_of=NOW, progress=seen)
    assert seen.calls[0] == (0, None)
    assert seen.calls[-1] == (7, 7)


def test_attribute_and_simulate_report() -> None:
    """attribute counts touches; simulate counts leads replayed."""
    touches = [{"lead_id": "L1", "at": NOW - timedelta(days=d), "channel": "email"} for d in (3, 2)]
    deals = [
        {
            "lead_id": "L1",
            "amount": 100,
            "outcome": "won",
            "created_at": NOW - timedelta(days=2),
            "closed_at": NOW,
        }
    ]
    seen = Recorder()
    bf.attribute(touches, deals, progress=seen)
    assert seen.calls[-1] == (2, 2)
    replayed = Recorder()
    bf.Funnel().simulate(LEADS, EVENTS, until=NOW, progress=replayed)
    assert replayed.calls[-1] == (4, 4)


def test_stderr_line_writes_one_updating_line(capsys: pytest.CaptureFixture[str]) -> None:
    """progress="stderr" writes counts and shares on one line ending with a newline."""
    bf.ScoringModel.default().rank(LEADS, EVENTS, as_of=NOW, progress="stderr")
    err = capsys.readouterr().err
    assert err.endswith("\revents read: 7 / 7 (100%)\n")
    assert err.count("\n") == 1
    out = io.StringIO()
    progress_module.stderr_line("events", out)(1_500_000, None)
    assert out.getvalue() == "\revents 1,500,000"


def test_stderr_lines_say_what_they_count(capsys: pytest.CaptureFixture[str]) -> None:
    """Each long call's stderr line names what it counts: touches read, leads replayed."""
    touches = [{"lead_id": "L1", "at": NOW, "channel": "email"}]
    bf.attribute(touches, [], progress="stderr")
    assert capsys.readouterr().err.endswith("\rtouches read: 1 / 1 (100%)\n")
    bf.Funnel().simulate(LEADS, EVENTS, until=NOW, progress="stderr")
    assert capsys.readouterr().err.endswith("\rleads replayed: 4 / 4 (100%)\n")


def test_tqdm_bar_is_driven_to_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    """progress="tqdm" creates one bar with the total, updates it to the end, closes it."""
    bars: list[Any] = []

    class FakeBar:
        def __init__(self, total: int | None = None, **options: Any) -> None:
            self.total, self.n, self.closed = total, 0, False
            self.options = options
            bars.append(self)

        def update(self, step: int) -> None:
            self.n += step

        def close(self) -> None:
            self.closed = True

    monkeypatch.setitem(sys.modules, "tqdm.auto", types.SimpleNamespace(tqdm=FakeBar))
    bf.ScoringModel.default().rank(LEADS, EVENTS, as_of=NOW, progress="tqdm")
    (bar,) = bars
    assert (bar.total, bar.n, bar.closed) == (7, 7, True)
    assert (bar.options["desc"], bar.options["unit"]) == ("events read", " events")


def test_without_tqdm_the_error_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for a tqdm bar without tqdm raises ImportError naming it."""
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    with pytest.raises(ImportError, match="pip install tqdm"):
        bf.ScoringModel.default().rank(LEADS, EVENTS, as_of=NOW, progress="tqdm")


def test_anything_else_is_refused() -> None:
    """A progress that is neither callable nor a known name raises at progress."""
    with pytest.raises(bf.InvalidInputError) as info:
        bf.ScoringModel.default().rank(LEADS, EVENTS, as_of=NOW, progress="bar")
    assert info.value.path == "progress"


def test_the_command_lines_rows_line_is_the_same_line_with_a_rate() -> None:
    """The CLI's rows-read line is stderr_line with a unit and a rate, never finished."""
    from b2bfunnel.cli._tables import rows_read

    out = io.StringIO()
    show = rows_read("events.csv", out)
    show(65_536)
    show(131_072)
    lines = out.getvalue().split("\r")[1:]
    assert len(lines) == 2 and "\n" not in out.getvalue()
    assert re.fullmatch(r"b2bfunnel: events\.csv: 131,072 rows \([\d,]+ rows/s\) ", lines[1])
