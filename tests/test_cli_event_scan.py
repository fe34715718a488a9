"""``score``'s fast path (_rank_cells over event cells) against rank of Events."""

from __future__ import annotations

import argparse
import csv
import tempfile
from collections import Counter
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import EPOCH, EVENT_NAMES, PATHS, model_config

import b2bfunnel as bf
from b2bfunnel.cli._event_scan import rank_events
from b2bfunnel.cli._tables import EventTally, Reading, iter_events, read_events
from b2bfunnel.cli.score import scoring_names
from b2bfunnel.tables._columns import event_names

ALIASES = {"Webinar Attended": "webinar", "Page View": "visit", "Asset Fetch": "Download"}
# Rule names, CRM spellings of them, aliases and names no rule counts.
WRITTEN = (*EVENT_NAMES, "Webinar_Attended", "page view", "VISIT", "Down-load", "asset fetch")
ZONES = (UTC, ZoneInfo("Europe/Madrid"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"))
LEADS = ("L1", "L2", "L3")
AS_OF = EPOCH + timedelta(days=150)


@st.composite
def event_rows(draw: st.DrawFn) -> list[list[str]]:
    """Event rows of known and unknown leads, in several zones, some with a path."""
    rows = []
    for _ in range(draw(st.integers(min_value=0, max_value=40))):
        at = EPOCH + timedelta(seconds=draw(st.integers(0, 200 * 86_400)))
        text = at.astimezone(draw(st.sampled_from(ZONES))).isoformat()
        if text.endswith("+00:00") and draw(st.booleans()):
            text = text[:-6] + "Z"
        rows.append(
            [
                draw(st.sampled_from((*LEADS, "L9"))),
                draw(st.sampled_from(WRITTEN)),
                text,
                draw(st.sampled_from(("", *PATHS))),
            ]
        )
    return rows


@settings(max_examples=60, deadline=None)
@given(
    config=model_config(),
    rows=event_rows(),
    fits=st.lists(st.booleans(), min_size=3, max_size=3),
)
def test_fast_path_scores_as_the_general_path(
    config: dict[str, Any], rows: list[list[str]], fits: list[bool]
) -> None:
    """_rank_cells over the cells score reads (rank_events, one process) equals
    Funnel.rank over every Event read."""
    funnel = bf.Funnel({"scoring": config, "aliases": ALIASES})
    profiles = [{"id": lead, "fit": fit} for lead, fit in zip(LEADS, fits, strict=True)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["lead_id", "name", "at", "path"])
            writer.writerows(rows)
        known = [rule.event for rule in funnel.scoring.implicit]
        events = read_events(path, Reading(), event_names(known, ALIASES))
        general = funnel.rank(profiles, events, as_of=AS_OF)
        tally = EventTally(LEADS)
        fast = rank_events(
            path, Reading(), funnel.scoring, scoring_names(funnel), tally, profiles, AS_OF
        )
    assert list(fast) == list(general)
    assert [s.to_dict() for s in fast] == [s.to_dict() for s in general]
    assert tally.unknown == sum(row[0] == "L9" for row in rows)
    assert tally.names == Counter(event.name for event in events)


HOSTILE_LEADS = st.sampled_from(["L1", " L2 ", "", " ", "L9", "\u00a0"])
HOSTILE_NAMES = st.sampled_from(["webinar", " visit ", "", "Page View"])
HOSTILE_TIMES = st.sampled_from(
    ["2026-11-02T10:00:00Z", " 2026-11-02T10:00:00+01:00 ", "2026-11-02 10:00", "15/03/2026",
     "", "soon", "2026-13-02T10:00Z", "9999-12-31T23:59:59-14:00", "2026-11-02"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(
        st.tuples(HOSTILE_LEADS, HOSTILE_NAMES, HOSTILE_TIMES).map(list), min_size=1, max_size=12
    ),
    zone=st.sampled_from([None, "Europe/Madrid"]),
)
def test_fast_path_refuses_as_the_events_reader(rows: list[list[str]], zone: str | None) -> None:
    """On hostile rows (blank and padded cells, naive and out-of-range times, dates in
    another form) the fast scan of ``score`` records the same bad rows, at the same
    ``file:line:field`` with the same message, as the events reader, which reads each
    row's cells as a DataFrame's are read (``event_cells``): one reading, two speeds."""
    args = argparse.Namespace(timezone=zone, skip_invalid=True)
    funnel = bf.Funnel()
    profiles = [{"id": lead} for lead in LEADS]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "events.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["lead_id", "name", "at"])
            writer.writerows(rows)
        general = Reading(args)
        events = list(iter_events(path, general, scoring_names(funnel)))
        fast = Reading(args)
        rank_events(path, fast, funnel.scoring, scoring_names(funnel), EventTally(LEADS),
                    profiles, AS_OF)  # fmt: skip
    assert [str(p) for p in fast.bad.problems] == [str(p) for p in general.bad.problems]
    assert len(events) + len(general.bad.problems) == len(rows)
