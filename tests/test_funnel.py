"""The facade: one hot threshold shared by the scoring model and the nurture flow."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

import b2bfunnel as bf
from b2bfunnel.cli import main

AT = datetime(2026, 11, 23, tzinfo=UTC)


class TestFacade:
    def test_a_plain_number_is_hot_by_the_scoring_threshold(self) -> None:
        """Funnel with scoring.hot_threshold 80: a score of 90 handed to the flow is hot."""
        funnel = bf.Funnel({"scoring": {"hot_threshold": 80}})
        assert funnel.flow.hot_threshold == 80
        state = funnel.flow.enroll("L1", at=AT)
        state, _ = funnel.flow.handle(state, bf.Event("L1", "pricing_page_visit", AT), score=90)
        assert state.status == "sales_ready"
        assert bf.Funnel.from_dict(funnel.to_dict()) == funnel

    def test_a_different_nurture_threshold_is_refused(self) -> None:
        """Two thresholds for one funnel would make 'hot' mean two things."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel({"scoring": {"hot_threshold": 80}, "nurture": {"hot_threshold": 90}})
        assert [p.path for p in info.value.problems] == ["nurture.hot_threshold"]


class TestConfigColumns:
    """``Funnel`` methods not given ``columns=`` map headers as the command line reads
    the same configuration: ``[input] from`` preset headers, then ``[columns.KIND]``."""

    AS_OF = datetime(2026, 11, 23, 8, tzinfo=UTC)
    # A HubSpot contacts export, as its real headers write it.
    HUBSPOT = (
        "Record ID,Email,Job Title,Number of Employees\n"
        "101,ana@acme.es,CTO,1200\n"
        "102,luis@nova.es,Marketing Manager,40\n"
        "103,eva@big.es,IT Director,5000\n"
    )
    # A HubSpot activities export.
    ACTIVITIES = (
        "Record ID,Activity Type,Activity Date\n"
        "102,pricing_page_visit,2026-11-21T10:00:00Z\n"
        "102,webinar_completed,2026-11-22T10:00:00+01:00\n"
        "103,webinar_completed,2026-11-20T10:00:00+00:00\n"
    )

    def test_columns_leads_equal_explicit_columns(self) -> None:
        pd = pytest.importorskip("pandas")
        leads = pd.DataFrame(
            [
                {"Lead": "L1", "Cargo": "CIO", "Empleados": 900},
                {"Lead": "L2", "Cargo": "Analyst", "Empleados": 10},
            ]
        )
        events = pd.DataFrame(
            [{"Contacto": "L2", "Evento": "webinar_completed", "at": "2026-11-20T00:00:00Z"}]
        )
        maps = {"id": "Lead", "job_title": "Cargo", "employees": "Empleados"}
        event_map = {"lead_id": "Contacto", "name": "Evento"}
        funnel = bf.Funnel({"columns": {"leads": maps, "events": event_map}})
        got = funnel.rank(leads, events, as_of=self.AS_OF)
        want = bf.Funnel().rank(
            leads, events, as_of=self.AS_OF, columns={"profiles": maps, "events": event_map}
        )
        assert [(s.lead_id, s.total) for s in got] == [(s.lead_id, s.total) for s in want]
        # By hand: L1 is an IT leader at a 900-employee company (50); L2's webinar 25.
        assert [(s.lead_id, s.total) for s in got] == [("L1", 50.0), ("L2", 25.0)]

    def test_explicit_columns_win(self) -> None:
        funnel = bf.Funnel({"columns": {"leads": {"id": "Lead"}}})
        rows = [{"Lead": "L1", "Other": "L9", "job_title": "CIO", "employees": 900}]
        (score,) = funnel.rank(rows, [], as_of=self.AS_OF, columns={"id": "Other"})
        assert score.lead_id == "L9"

    def test_hubspot_preset_like_the_cli(self, tmp_path: Path) -> None:
        pd = pytest.importorskip("pandas")
        leads_csv, events_csv = tmp_path / "leads.csv", tmp_path / "events.csv"
        leads_csv.write_text(self.HUBSPOT, encoding="utf-8")
        events_csv.write_text(self.ACTIVITIES, encoding="utf-8")
        config = tmp_path / "funnel.toml"
        config.write_text('[input]\nfrom = "hubspot"\n', encoding="utf-8")
        out = io.StringIO()
        status = main(
            ["score", "--leads", str(leads_csv), "--events", str(events_csv),
             "--as-of", self.AS_OF.isoformat(), "--from", "hubspot", "--format", "json"],
            out=out,
        )  # fmt: skip
        assert status == 0
        cli = [(row["lead_id"], float(row["total"])) for row in json.loads(out.getvalue())]
        funnel = bf.Funnel.from_toml(config)
        leads = pd.read_csv(leads_csv, dtype=str)
        events = pd.read_csv(events_csv, dtype=str)
        got = [(s.lead_id, s.total) for s in funnel.rank(leads, events, as_of=self.AS_OF)]
        assert got == cli
        # By hand: 103 IT leader at 5000 (50) + webinar 25; 101 50; 102 15 + 25.
        assert got == [("103", 75.0), ("101", 50.0), ("102", 40.0)]
        # score(): one profile row with the preset's headers, events as rows.
        row = leads.iloc[2].to_dict()
        mine = events[events["Record ID"] == "103"]
        assert funnel.score(row, mine, as_of=self.AS_OF).total == 75.0

    def test_preset_outcome_labels_reach_values(self) -> None:
        options = bf.Funnel({"input": {"from": "hubspot"}})._options(values=None)
        assert options.values.read("outcome", "closedwon", ("won", "lost", "open"), "x") == "won"

    def test_hubspot_preset_reads_accounts(self) -> None:
        """The companies export's headers map through the preset's ``accounts`` table:
        the account's 850 employees give the CTO's account its fit 50 (by hand)."""
        leads = [{"Record ID": "101", "Email": "ana@acme.es", "Job Title": "CTO"}]
        accounts = [
            {"Record ID": "9001", "Company name": "Acme", "Company Domain Name": "www.acme.es",
             "Number of Employees": "850"}
        ]  # fmt: skip
        funnel = bf.Funnel({"input": {"from": "hubspot"}})
        ranked = funnel.rank_accounts(leads, [], as_of=self.AS_OF, accounts=accounts)
        assert [(a.account_id, a.fit) for a in ranked] == [("9001", 50.0)]
        assert (
            funnel.score_account("9001", leads, [], as_of=self.AS_OF, accounts=accounts).fit == 50.0
        )
