"""``score`` in several processes: the same scores, data report, bad rows and errors as in one."""

from __future__ import annotations

import io
import multiprocessing
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import EPOCH, model_config

import b2bfunnel as bf
from b2bfunnel.cli import _event_scan, main
from b2bfunnel.cli._event_scan import Task, parts_for, rank_events, read_span, spans_of
from b2bfunnel.cli._pool import start_method
from b2bfunnel.cli._tables import EventTally, Reading
from b2bfunnel.cli.score import scoring_names
from b2bfunnel.tables import open_table

ALIASES = {"Webinar Attended": "webinar", "Page View": "visit"}
NAMES = ("visit", "download", "webinar", "noise", "Webinar Attended", "page view", "UNKNOWN")
LEADS = tuple(f"L{i}" for i in range(13))  # in shares of unequal size
AS_OF = EPOCH + timedelta(days=150)
MADRID = ZoneInfo("Europe/Madrid")


@st.composite
def event_lines(draw: st.DrawFn) -> list[str]:
    """Rows as exports hold them: known and unknown leads, DST-zoned times (some after
    ``as_of``), a path property, and now and then a bad row (empty cell, bad time,
    too many cells) or a blank line."""
    lines = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.sampled_from(["good"] * 8 + ["empty", "time", "wide", "blank"]))
        at = EPOCH + timedelta(seconds=draw(st.integers(0, 170 * 86_400)))
        lead = draw(st.sampled_from((*LEADS, "L99")))
        name = draw(st.sampled_from(NAMES))
        path = draw(st.sampled_from(["", "/pricing", "/blog"]))
        text = at.astimezone(MADRID).isoformat()
        lines.append(
            {
                "good": f"{lead},{name},{text},{path}",
                "empty": f"{lead},,{text},{path}",
                "time": f"{lead},{name},yesterday,{path}",
                "wide": f"{lead},{name},{text},{path},extra",
                "blank": "",
            }[kind]
        )
    return lines


def _rank(
    funnel: bf.Funnel, events: Path, jobs: int, *, skip: bool = True
) -> tuple[list[dict[str, Any]], Any, int, list[str]]:
    """Scores, names tally, unknown count and bad rows of ``score``'s reading with ``jobs``."""
    reading = Reading()
    reading.bad.skip = skip
    tally = EventTally(LEADS)
    profiles = [{"id": lead, "fit": str(i % 3 == 0).lower()} for i, lead in enumerate(LEADS)]
    scores = rank_events(
        events, reading, funnel.scoring, scoring_names(funnel), tally, profiles, AS_OF, jobs
    )
    problems = [str(p) for p in reading.bad.problems]
    return [s.to_dict() for s in scores], tally.names, tally.unknown, problems


def _write(lines: list[str], ending: str) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / "events.csv"
    path.write_bytes(ending.join(["lead_id,name,at,path", *lines, ""]).encode("utf-8"))
    return path


@settings(max_examples=40, deadline=None)
@given(
    config=model_config(),
    lines=event_lines(),
    ending=st.sampled_from(["\n", "\r\n"]),
    jobs=st.integers(2, 4),
)
def test_parts_give_what_one_process_gives(
    config: dict[str, Any], lines: list[str], ending: str, jobs: int
) -> None:
    """Scores (in rank order), the data report's counts and every bad row, in file
    order, are those of one process, for any number of processes."""
    funnel = bf.Funnel({"scoring": config, "aliases": ALIASES})
    events = _write(lines, ending)
    assert _rank(funnel, events, jobs) == _rank(funnel, events, 1)


GOOD = [f"{lead},{name},2026-03-0{1 + i % 9}T10:00:00+01:00,/pricing"
        for i, (lead, name) in enumerate(zip(LEADS * 5, NAMES * 9, strict=False))]  # fmt: skip


def test_spans_are_read_by_a_pool_of_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """With --jobs 3 the file is read by a pool of three workers, started by the
    fork server or spawned (never forked from this process, which may run threads),
    to the result of one process."""
    funnel = bf.Funnel({"aliases": ALIASES})
    events = _write([*GOOD, "L1,visit,soon,/x"], "\n")
    expected = _rank(funnel, events, 1)
    pools: list[int] = []
    real = _event_scan.worker_pool

    @contextmanager
    def recorded(workers: int, preload: Any = ()) -> Iterator[Any]:
        pools.append(workers)
        with real(workers, preload) as pool:
            yield pool

    monkeypatch.setattr(_event_scan, "worker_pool", recorded)
    assert _rank(funnel, events, 3) == expected
    assert pools == [3]
    assert start_method() in ("forkserver", "spawn")
    assert expected[3], "a bad row to carry across"


def test_errors_are_those_of_one_process(tmp_path: Path) -> None:
    """A file that cannot be decoded after its middle, and bad rows on both sides of
    the cut: the same message and exit status with 1 or 2 processes."""
    lines = [*GOOD * 20, "L1,visit,2026-03-01T10:00:00Z,/caf\xe9"]
    leads = tmp_path / "leads.csv"
    leads.write_text("id\n" + "\n".join(LEADS) + "\n", encoding="utf-8")
    undecodable = tmp_path / "latin.csv"
    undecodable.write_bytes("\n".join(["lead_id,name,at,path", *lines, ""]).encode("latin-1"))
    bad_rows = _write(["L1,visit,never,", *GOOD * 20, "L2,,2026-03-01T10:00:00Z,"], "\n")
    for events, extra in ((undecodable, ["--encoding", "utf-8"]), (bad_rows, [])):
        seen = []
        for jobs in ("1", "2"):
            err = io.StringIO()
            argv = ["score", "--leads", str(leads), "--events", str(events), "--jobs", jobs]
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr("sys.stderr", err)
                status = main([*argv, "--as-of", AS_OF.isoformat(), *extra], out=io.StringIO())
            seen.append((status, err.getvalue()))
        assert seen[0] == seen[1]
        assert seen[0][0] == 2


def test_score_command_with_jobs(tmp_path: Path) -> None:
    """``--jobs 2`` prints what ``--jobs 1`` prints, in every format."""
    leads = tmp_path / "leads.csv"
    leads.write_text("id,job_title,employees\n" + "\n".join(f"{lead},CTO,{900 + i}" for i, lead
                     in enumerate(LEADS)) + "\n", encoding="utf-8")  # fmt: skip
    events = _write(GOOD, "\r\n")
    for output in ("table", "csv", "json"):
        texts = []
        for jobs in ("1", "2"):
            out = io.StringIO()
            argv = ["score", "--leads", str(leads), "--events", str(events), "--jobs", jobs]
            assert main([*argv, "--as-of", AS_OF.isoformat(), "--format", output], out=out) == 0
            texts.append(out.getvalue())
        assert texts[0] == texts[1]
        assert "L1" in texts[0]


def test_how_many_processes(tmp_path: Path) -> None:
    """One process for a quoted file or a small file when not asked; as asked otherwise."""
    plain = _write(GOOD, "\n")
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('lead_id,name,at\nL1,"visit",2026-03-01T10:00:00Z\n', encoding="utf-8")
    assert parts_for(open_table(quoted), 2) == 1
    assert parts_for(open_table(plain), None) == 1  # a few hundred bytes
    assert parts_for(open_table(plain), 3) == 3


def test_jobs_beyond_the_cap_and_the_leads(tmp_path: Path) -> None:
    """--jobs 300 (more than MAX_JOBS, more than the leads) prints what --jobs 1 does."""
    leads = tmp_path / "leads.csv"
    leads.write_text("id\nL1\n", encoding="utf-8")
    events = _write(["L1,webinar_completed,2026-03-01T10:00:00Z,"], "\n")
    texts = []
    for jobs in ("1", "300"):
        out = io.StringIO()
        argv = ["score", "--leads", str(leads), "--events", str(events), "--jobs", jobs]
        assert main([*argv, "--as-of", AS_OF.isoformat(), "--format", "csv"], out=out) == 0
        texts.append(out.getvalue())
    assert texts[0] == texts[1]
    assert parts_for(open_table(events), 300) == _event_scan.MAX_JOBS


def test_interrupted_while_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C while waiting for the workers: KeyboardInterrupt, and every worker is
    ended and reaped, none left running."""

    def interrupted(self: Future[Any], timeout: float | None = None) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Future, "result", interrupted)
    events = _write(GOOD, "\n")
    before = set(multiprocessing.active_children())
    with pytest.raises(KeyboardInterrupt):
        _rank(bf.Funnel({}), events, 3)
    assert set(multiprocessing.active_children()) <= before  # others' (Dask's) may run


def test_a_plain_file_is_read_as_it_was_opened(tmp_path: Path) -> None:
    """Rows appended after the table was opened are not read, in one span or several:
    every process reads the same file."""
    path = _write(GOOD[:4], "\n")
    table = open_table(path)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("L1,visit,2026-03-01T10:00:00Z,\n")
    whole = [line for line, _ in table.cells()]
    assert whole == [2, 3, 4, 5]
    assert [line for span in table._spans(2) for line, _ in table._cells(span)] == whole


def test_progress_shows_the_whole_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, the worker of the first span shows about as many progress lines
    as one process would, with counts of the whole file's rows (the first span's rows
    times the spans); the other workers show none."""
    from b2bfunnel.cli import _tables
    from b2bfunnel.tables import _file as tables

    monkeypatch.setattr(tables, "PROGRESS_EVERY", 60)
    events = _write(GOOD * 40, "\n")
    rows = len(GOOD) * 40
    seen: dict[int, list[int]] = {}
    for jobs in (1, 3):
        shown: list[int] = []
        for module in (_tables, _event_scan):
            monkeypatch.setattr(module, "rows_read", lambda _name, _stream, s=shown: s.append)
        reading = Reading()
        reading.progress = lambda name: _tables.rows_read(name, sys.stderr)
        table, columns, others = _tables.open_events(events, reading)
        task = Task(table, reading, columns, others, str, bf.ScoringModel.default(), 1e12, LEADS)
        tasks = spans_of(task, jobs)
        assert len(tasks) == jobs
        for one in tasks:  # here, as each worker would
            read_span(one)
        seen[jobs] = shown
    assert len(seen[1]) == rows // 60
    assert 0.75 * rows // 60 <= len(seen[3]) <= 1.25 * rows // 60
    assert max(seen[3]) <= rows * 1.2
