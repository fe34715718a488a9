"""Real CRM exports: encodings, delimiters, mapping, CRM number formats, bad rows, safe CSV."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.cli import main
from b2bfunnel.cli._args import parse_maps
from b2bfunnel.cli._tables import safe_cell, write_csv
from b2bfunnel.tables import BadRows, open_table, sniff_delimiter
from b2bfunnel.tables._columns import closest_column, column_map, event_names

DATA = Path(__file__).parent / "data"
AS_OF = "2026-11-23T08:00:00+00:00"


def run(*argv: str) -> tuple[int, str]:
    """Run the command line; its status and standard output."""
    out = io.StringIO()
    try:
        status = main(list(argv), out=out)
    except SystemExit as exc:  # argparse refusing an option value
        status = int(exc.code or 0)
    return status, out.getvalue()


def scores(*argv: str) -> dict[str, dict[str, object]]:
    """``b2bfunnel score ... --format json`` by lead id."""
    status, text = run("score", *argv, "--as-of", AS_OF, "--format", "json")
    assert status == 0
    return {row["lead_id"]: row for row in json.loads(text)}


class TestHubSpot:
    def test_hubspot_export_scores_the_cto(self) -> None:
        """A HubSpot export read with --from hubspot gives the CTO of 850 people his points."""
        got = scores(
            "--leads",
            str(DATA / "hubspot_contacts.csv"),
            "--events",
            str(DATA / "hubspot_events.csv"),
            "--from",
            "hubspot",
        )
        assert got["101"]["explicit"] == 50
        # Webinar_Completed and "Webinar Attended" (aliased below) are webinar events.
        assert got["101"]["implicit"] > 0

    def test_without_mapping_names_the_closest_header(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The missing id column is an error that names 'Record ID' and the --map fix."""
        status, _ = run(
            "score",
            "--leads",
            str(DATA / "hubspot_contacts.csv"),
            "--events",
            str(DATA / "hubspot_events.csv"),
            "--as-of",
            AS_OF,
        )
        assert status == 2
        err = capsys.readouterr().err
        assert "did you mean 'Record ID'? use --map id='Record ID'" in err

    def test_map_options_and_grouped_numbers(self, tmp_path: Path) -> None:
        """--map renames columns; '1,200' employees compare as 1200 and ranges as bands."""
        got = scores(
            "--leads",
            str(DATA / "hubspot_contacts.csv"),
            "--events",
            str(DATA / "hubspot_events.csv"),
            "--map",
            "id=Record ID",
            "--map",
            "leads.job_title=Job Title",
            "--map",
            "employees=Number of Employees",
            "--map",
            "events.lead_id=Record ID",
            "--map",
            "events.name=Activity Type",
            "--map",
            "events.at=Activity Date",
        )
        assert got["101"]["explicit"] == 50  # CTO, 850
        assert got["103"]["explicit"] == 50  # Head of IT, 501-1000: wholly >= 500
        assert got["104"]["explicit"] == 0  # Director of IT, 201-1000: unknown, no points

    def test_aliases_in_config(self, tmp_path: Path) -> None:
        """[aliases] maps a CRM's event name onto the model's; names match loosely."""
        config = tmp_path / "funnel.toml"
        config.write_text(
            '[aliases]\n"Webinar Attended" = "webinar_completed"\n'
            '[columns.events]\nlead_id = "Record ID"\nname = "Activity Type"\n'
            'at = "Activity Date"\n[columns.leads]\nid = "Record ID"\n',
            encoding="utf-8",
        )
        with_alias = scores(
            "--leads",
            str(DATA / "hubspot_contacts.csv"),
            "--events",
            str(DATA / "hubspot_events.csv"),
            "--config",
            str(config),
        )
        webinar = next(
            c for c in with_alias["101"]["contributions"] if c["rule"] == "webinar_completed"
        )
        assert webinar["events"] == 2
        pricing = [c["rule"] for c in with_alias["102"]["contributions"]]
        assert "pricing_page_visit" in pricing


class TestForeignFiles:
    def test_latin1_semicolon_decimal_comma(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A Windows-1252 ';' file with '1.200' employees reads with a note, and scores."""
        got = scores(
            "--leads",
            str(DATA / "leads_es.csv"),
            "--events",
            str(DATA / "events_es.csv"),
            "--decimal",
            ",",
        )
        assert got["L1"]["explicit"] == 50
        assert "read as Windows-1252" in capsys.readouterr().err

    def test_utf16_tab_file(self) -> None:
        """A UTF-16 file with a BOM and tabs reads like any other."""
        table = open_table(DATA / "events_utf16.csv")
        assert (table.encoding, table.delimiter) == ("utf-16", "\t")
        assert [row["name"] for _, row in table] == ["webinar_completed", "demo_request"]

    def test_explicit_encoding_failure_is_located(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Bytes that are not in the given encoding are exit 2 with the file and line."""
        path = tmp_path / "leads.csv"
        path.write_bytes(b"id,job_title\nL1,CTO\nL2,Direc\xe9\x80\n")
        status, _ = run(
            "score", "--leads", str(path), "--events", str(DATA / "events_es.csv"),
            "--encoding", "ascii", "--as-of", AS_OF,
        )  # fmt: skip
        assert status == 2
        assert f"{path}:3" in capsys.readouterr().err

    @pytest.mark.parametrize(
        ("line", "expected"),
        [("a,b;c", ","), ("a;b;c", ";"), ("a\tb\tc", "\t"), ("a|b|c", "|"), ('"a;b",c', ",")],
    )
    def test_sniff_delimiter(self, line: str, expected: str) -> None:
        """The most frequent delimiter outside quotes wins."""
        assert sniff_delimiter(line) == expected


class TestHeaders:
    def test_duplicate_header_refused(self, tmp_path: Path) -> None:
        """Two columns with the same header are refused, naming both positions."""
        path = tmp_path / "t.csv"
        path.write_text("id,name,name\nL1,a,b\n", encoding="utf-8")
        with pytest.raises(bf.InvalidInputError, match="duplicate column 'name'"):
            open_table(path)

    def test_blank_header_only_over_data(self, tmp_path: Path) -> None:
        """Excel's empty trailing columns pass; data under a blank header is a bad row."""
        path = tmp_path / "t.csv"
        path.write_text("id,name,,\nL1,a,,\nL2,b,x,\n", encoding="utf-8")
        bad = BadRows()
        rows = list(open_table(path, bad=bad))
        assert [r["id"] for _, r in rows] == ["L1"]
        assert bad.count == 1 and bad.problems[0].path == f"{path}:3:column 3"

    def test_unterminated_quote_located(self, tmp_path: Path) -> None:
        """An unterminated quote is reported at the line it starts on, not swallowed."""
        path = tmp_path / "t.csv"
        path.write_text('id,name\nL1,a\nL2,"b\nL3,c\nL4,d\n', encoding="utf-8")
        with pytest.raises(bf.InvalidInputError, match="unterminated quote") as info:
            list(open_table(path))
        assert info.value.path == f"{path}:3"

    def test_huge_header_cell(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A 1 MB header cell is read (no traceback) and reported as a missing column."""
        path = tmp_path / "leads.csv"
        path.write_text("x" * 1_000_000 + "\nv\n", encoding="utf-8")
        status, _ = run(
            "score", "--leads", str(path), "--events", str(DATA / "events_es.csv"),
            "--as-of", AS_OF,
        )  # fmt: skip
        assert status == 2
        assert "missing column 'id'" in capsys.readouterr().err


class TestBadRows:
    EVENTS = (
        "lead_id,name,at\n"
        "L1,webinar_completed,2026-11-20T10:00:00Z\n"
        "L1,webinar_completed,yesterday\n"
        "L2,,2026-11-20T10:00:00Z\n"
        "L2,demo,2026-11-20 10:00\n"
        "L2,demo,0001-01-01T00:00:00+00:00\n"
    )

    def files(self, tmp_path: Path) -> tuple[Path, Path]:
        """Leads and events files, the events with three bad rows."""
        leads, events = tmp_path / "leads.csv", tmp_path / "events.csv"
        leads.write_text("id,job_title\nL1,CTO\nL2,CIO\n", encoding="utf-8")
        events.write_text(self.EVENTS, encoding="utf-8")
        return leads, events

    def test_every_bad_row_reported(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Three bad rows: all three located in one run, exit 2."""
        leads, events = self.files(tmp_path)
        status, _ = run("score", "--leads", str(leads), "--events", str(events), "--as-of", AS_OF)
        assert status == 2
        err = capsys.readouterr().err
        assert "3 bad rows" in err
        for where in (f"{events}:3:at", f"{events}:4:name", f"{events}:5:at"):
            assert where in err

    def test_skip_invalid(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--skip-invalid scores the good rows and counts the skipped ones on stderr."""
        leads, events = self.files(tmp_path)
        status, text = run(
            "score", "--leads", str(leads), "--events", str(events), "--as-of", AS_OF,
            "--skip-invalid", "--format", "json",
        )  # fmt: skip
        assert status == 0
        assert "skipped 3 bad rows" in capsys.readouterr().err
        assert {r["lead_id"] for r in json.loads(text)} == {"L1", "L2"}

    def test_timezone_reads_naive_times(self, tmp_path: Path) -> None:
        """--timezone gives naive timestamps a zone instead of refusing them."""
        leads, events = self.files(tmp_path)
        events.write_text(
            "lead_id,name,at\nL1,webinar_completed,2026-11-20 10:00\n", encoding="utf-8"
        )
        got = scores("--leads", str(leads), "--events", str(events), "--timezone", "Europe/Madrid")
        (contribution,) = [c for c in got["L1"]["contributions"] if c["kind"] == "implicit"]
        assert contribution["last_at"].startswith("2026-11-20T09:00:00")

    @pytest.mark.parametrize(
        "argv",
        [
            ["funnel", "LIFECYCLE", "--sla-hours", "1000000000000"],
            ["kol", "CANDIDATES", "--brief", "BRIEF", "--budget", "9e999999"],
        ],
    )
    def test_extreme_options_exit_2(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
    ) -> None:
        """Absurd option values end in exit 2 with a message, never a traceback."""
        lifecycle = tmp_path / "lifecycle.csv"
        lifecycle.write_text("lead_at,mql_at\n2026-01-01T00:00:00Z,\n", encoding="utf-8")
        candidates = tmp_path / "kols.csv"
        candidates.write_text(
            "handle,followers,avg_interactions,audience\n@a,1000,50,cio:0.5\n", encoding="utf-8"
        )
        brief = tmp_path / "brief.toml"
        brief.write_text('[brief]\ntarget_roles = ["cio"]\n', encoding="utf-8")
        files = {"LIFECYCLE": lifecycle, "CANDIDATES": candidates, "BRIEF": brief}
        status, _ = run(*[str(files.get(a, a)) for a in argv])
        assert status == 2
        err = capsys.readouterr().err
        assert "error:" in err and "Traceback" not in err


class TestMapping:
    def test_parse_maps_refuses_junk(self) -> None:
        """A --map without '=' or with an unknown kind is refused."""
        with pytest.raises(bf.InvalidInputError, match="FIELD=COLUMN"):
            parse_maps(["id"])
        with pytest.raises(bf.InvalidInputError, match="unknown file kind"):
            parse_maps(["lead.id=x"])

    def test_precedence(self) -> None:
        """The kind's --map beats the global --map, which beats the config and preset."""
        header = ["Record ID", "A", "B", "C"]
        got = column_map(
            "leads",
            header,
            preset="hubspot",
            config={"leads": {"x": "A", "y": "A"}},
            maps={None: {"y": "B", "z": "B"}, "leads": {"z": "C"}},
        )
        assert got == {"id": "Record ID", "x": "A", "y": "B", "z": "C"}

    def test_closest_column(self) -> None:
        """Field words inside a header win over spelling distance."""
        assert closest_column("id", ["Email", "Record ID"]) == "Record ID"
        assert closest_column("lead_id", ["Lead ID"]) == "Lead ID"
        assert closest_column("budget", ["Email"]) is None

    def test_event_names(self) -> None:
        """Case, accents, '_', '-' and spaces do not matter; aliases come first."""
        name = event_names(["webinar_completed"], {"Demo Réquest": "demo_request"})
        assert name("WEBINAR-completed") == "webinar_completed"
        assert name("demo request") == "demo_request"
        assert name("Page View") == "Page View"


# --- safe CSV out ---------------------------------------------------------------


class TestSafeCsv:
    @pytest.mark.parametrize(
        "cell",
        ["\r=cmd|' /C calc'!A0", " =1+1", "\n@SUM(1)", "\t-2", "-inf", "+nan", "-1_000", "+x"],
    )
    def test_neutralised(self, cell: str) -> None:
        """Cells a spreadsheet would run are quoted with a leading apostrophe."""
        assert safe_cell(cell) == "'" + cell

    @pytest.mark.parametrize("cell", ["-12.5", "+3", "7", "ok", "a=b", ""])
    def test_left_alone(self, cell: str) -> None:
        """Plain numbers and harmless text pass unchanged."""
        assert safe_cell(cell) == cell

    def test_every_column_of_score_csv(self) -> None:
        """Hostile cells in every input column come out neutralised and on their own row."""
        status, text = run(
            "score", "--leads", str(DATA / "hostile_leads.csv"), "--events",
            str(DATA / "hostile_events.csv"), "--as-of", AS_OF, "--format", "csv",
        )  # fmt: skip
        assert status == 0
        rows = list(csv.reader(io.StringIO(text)))
        assert all(len(row) == len(rows[0]) for row in rows)
        for row in rows:
            for cell in row:
                assert cell.lstrip(" \r\n")[:1] not in ("=", "+", "@", "\t") or cell.startswith("'")

    def test_nps_by_hostile_header(self, tmp_path: Path) -> None:
        """A --by column whose header and values are formulas is neutralised in CSV."""
        path = tmp_path / "survey.csv"
        path.write_text('score,"=1+1"\n9,"=2+2"\n3,"@x"\n', encoding="utf-8")
        status, text = run("nps", str(path), "--by", "=1+1", "--format", "csv")
        assert status == 0
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][0] == "'=1+1"
        assert {r[0] for r in rows[1:]} >= {"'=2+2", "'@x"}

    def test_table_escapes_controls(self) -> None:
        """ANSI escapes and CR in cells are shown escaped in a text table."""
        status, text = run(
            "score", "--leads", str(DATA / "hostile_leads.csv"), "--events",
            str(DATA / "hostile_events.csv"), "--as-of", AS_OF,
        )  # fmt: skip
        assert status == 0
        assert "\x1b" not in text and "\r" not in text

    def test_spanish_excel(self, tmp_path: Path) -> None:
        """--delimiter ; --decimal , --bom writes CSV for a Spanish Excel."""
        status, text = run(
            "score", "--leads", str(DATA / "leads_es.csv"), "--events",
            str(DATA / "events_es.csv"), "--as-of", AS_OF, "--format", "csv",
            "--delimiter", ";", "--decimal", ",", "--bom",
        )  # fmt: skip
        assert status == 0
        assert text.startswith("\ufeffrank;lead;score;")
        assert ";25,0;" in text or ";75,0;" in text


@given(st.lists(st.lists(st.text(max_size=12), min_size=2, max_size=2), min_size=1, max_size=6))
def test_csv_round_trip(cells: list[list[str]]) -> None:
    """Written cells read back with csv as they were (a neutralised one as "'" + it),
    and none would run as a formula."""
    rows = [{"a": a, "b": b} for a, b in cells]
    out = io.StringIO()
    write_csv(rows, out)
    back = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert back[0] == ["a", "b"]
    for row, written in zip(rows, back[1:], strict=True):
        for original, cell in zip(row.values(), written, strict=True):
            assert cell in (original, "'" + original)
            first = cell.lstrip(" \r\n")[:1]
            assert first not in ("=", "+", "-", "@", "\t") or safe_cell(cell) == cell


class TestDataReport:
    HUBSPOT = (
        "--leads", str(DATA / "hubspot_contacts.csv"), "--events", str(DATA / "hubspot_events.csv"),
        "--map", "id=Record ID", "--map", "events.lead_id=Record ID",
        "--map", "events.name=Activity Type", "--map", "events.at=Activity Date",
    )  # fmt: skip

    def test_warnings_on_stderr(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Unmatched event names and rule fields missing from the header are reported."""
        status, _ = run("score", *self.HUBSPOT, "--as-of", AS_OF)
        assert status == 0
        err = capsys.readouterr().err
        assert "1 of 3 events match no rule: 'Webinar Attended' 1" in err
        assert "rules use 'employees'; no such column (did you mean 'Number of Employees'?)" in err

    def test_strict_and_quiet(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--strict makes warnings exit 2; --quiet hides them."""
        assert run("score", *self.HUBSPOT, "--as-of", AS_OF, "--strict")[0] == 2
        capsys.readouterr()
        assert run("score", *self.HUBSPOT, "--as-of", AS_OF, "--quiet")[0] == 0
        assert capsys.readouterr().err == ""

    def test_api_value(self) -> None:
        """The report is a value: unmatched names, unknown leads, non-numbers, currencies."""
        from datetime import UTC, datetime

        at = datetime(2026, 11, 20, tzinfo=UTC)
        profiles = [
            {"id": "L1", "employees": "lots", "job_title": "CTO"},
            {"id": "L2", "employees": "€1,200", "job_title": "CIO"},
            {"id": "L3", "employees": "$900", "job_title": "CIO"},
        ]
        events = [bf.Event("L1", "page_view", at), bf.Event("L9", "webinar_completed", at)]
        report = bf.data_report(bf.ScoringModel.default(), profiles, events)
        assert report.unmatched == (("page_view", 1),)
        assert report.unknown_lead_events == 1
        assert report.not_numbers == (("employees", 1, "lots"),)
        assert report.mixed_currencies == (("employees", ("EUR", "USD")),)
        assert report.missing_fields == ()

    def test_mixed_currency_column_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A numeric rule field mixing currency symbols is exit 2."""
        leads = tmp_path / "leads.csv"
        leads.write_text("id,job_title,employees\nL1,CTO,€900\nL2,CIO,$900\n", encoding="utf-8")
        status, _ = run(
            "score", "--leads", str(leads), "--events", str(DATA / "events_es.csv"),
            "--as-of", AS_OF,
        )  # fmt: skip
        assert status == 2
        assert "mixes currencies" in capsys.readouterr().err

    @pytest.mark.parametrize("command", ["nps", "velocity"])
    def test_by_typo_is_an_error(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
    ) -> None:
        """--by naming a missing column is exit 2 with a did-you-mean, not a '(none)' row."""
        path = tmp_path / "t.csv"
        path.write_text(
            "score,sector,created_at,amount,outcome\n9,saas,2026-01-01T00:00:00Z,100,won\n",
            encoding="utf-8",
        )
        status, _ = run(command, str(path), "--by", "sectr", *(
            ["--as-of", AS_OF] if command == "velocity" else []
        ))  # fmt: skip
        assert status == 2
        assert "did you mean 'sector'?" in capsys.readouterr().err


class TestProgress:
    def test_progress_on_a_terminal(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a terminal, reading shows rows read and the rate; elsewhere nothing."""

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        import b2bfunnel.tables._file

        monkeypatch.setattr(b2bfunnel.tables._file, "PROGRESS_EVERY", 2)
        terminal = Terminal()
        monkeypatch.setattr("sys.stderr", terminal)
        events = tmp_path / "events.csv"
        events.write_text(
            "lead_id,name,at\n" + "L1,webinar_completed,2026-11-20T10:00:00Z\n" * 5,
            encoding="utf-8",
        )
        assert run("score", "--leads", str(DATA / "leads_es.csv"), "--events", str(events),
                   "--as-of", AS_OF, "--quiet")[0] == 0  # fmt: skip
        assert "events.csv: 4 rows (" in terminal.getvalue()


class TestQualifyRow:
    NOW = "2026-11-23T08:00:00+00:00"

    def test_crm_row(self) -> None:
        """A CRM row qualifies: labels as CRMs write them, NaN blank, ISO dates."""
        from datetime import UTC, datetime

        row = {
            "id": "L1",
            "budget": "Approved",
            "authority": "Economic Buyer",
            "need": float("nan"),
            "timing": "2026-12-15",
            "committee": "economic buyer; Champion",
        }
        now = datetime(2026, 11, 23, tzinfo=UTC)
        result = bf.Funnel().qualify(row, as_of=now, ignore_unknown=True)
        assert result.missing == ("need",)
        assert set(result.met) >= {"budget", "authority", "timing"}

    def test_strict_by_default(self) -> None:
        """Without ignore_unknown a column that is no criterion is refused, with a hint."""
        with pytest.raises(bf.InvalidInputError, match="unknown criterion 'budgt'"):
            bf.Funnel().qualify({"budgt": "approved"})

    def test_cli_reads_crm_labels_and_reports_every_bad_row(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The qualify command reads 'Economic Buyer' and lists both bad rows."""
        path = tmp_path / "answers.csv"
        path.write_text(
            "id,budget,authority\nL1,Approved,Economic Buyer\nL2,soon,\nL3,,boss\n",
            encoding="utf-8",
        )
        status, _ = run("qualify", str(path), "--as-of", self.NOW)
        assert status == 2
        err = capsys.readouterr().err
        assert f"{path}:3:budget" in err and f"{path}:4:authority" in err
        status, text = run("qualify", str(path), "--as-of", self.NOW, "--skip-invalid",
                           "--format", "json")  # fmt: skip
        assert status == 0
        (l1,) = json.loads(text)
        assert l1["lead"] == "L1" and "budget" not in l1["missing"]


class TestEventNamesInTheModel:
    def test_model_matches_names_loosely(self) -> None:
        """Batch and incremental scoring count Webinar_Completed as webinar_completed."""
        from datetime import UTC, datetime

        at = datetime(2026, 11, 20, tzinfo=UTC)
        model = bf.ScoringModel.default()
        events = [bf.Event("L1", "Webinar_Completed", at), bf.Event("L1", "WEBINAR-completed", at)]
        batch = model.score({"id": "L1"}, events, as_of=at)
        state = model.new_state("L1", {"id": "L1"})
        for event in events:
            state = model.ingest(state, event)
        assert batch.total == 50 == model.score_state(state, as_of=at).total

    def test_funnel_aliases(self) -> None:
        """[aliases] apply to Funnel.rank and Funnel.simulate alike."""
        from datetime import UTC, datetime

        at = datetime(2026, 11, 20, tzinfo=UTC)
        funnel = bf.Funnel({"aliases": {"Webinar Attended": "webinar_completed"}})
        events = [bf.Event("L1", "Webinar Attended", at)]
        assert funnel.rank([{"id": "L1"}], events, as_of=at)[0].total == 25
        assert funnel.score({"id": "L1"}, events, as_of=at).total == 25


HOSTILE = "\r=cmd|' /C calc'!A0"


def _q(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _assert_safe_csv(text: str) -> None:
    """Every row has the header's width and no cell would run as a formula."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows and all(len(r) == len(rows[0]) for r in rows)
    for row in rows:
        for cell in row:
            risky = cell.lstrip(" \r\n")[:1] in ("=", "+", "@", "\t", "-")
            assert not risky or cell.startswith("'") or safe_cell(cell) == cell


class TestHostileCellsEveryCommand:
    def test_qualify_simulate_kol_velocity_attribution(self, tmp_path: Path) -> None:
        """Hostile ids, handles, cohorts, channels and headers come out neutralised."""
        h = _q(HOSTILE)
        answers = tmp_path / "answers.csv"
        answers.write_text(f"id,budget\n{h},approved\n", encoding="utf-8")
        leads = tmp_path / "leads.csv"
        leads.write_text(f"id,job_title\n{h},CTO\n", encoding="utf-8")
        events = tmp_path / "events.csv"
        events.write_text(f"lead_id,name,at\n{h},webinar_completed,2026-11-20T10:00:00Z\n",
                          encoding="utf-8")  # fmt: skip
        kols = tmp_path / "kols.csv"
        kols.write_text(
            f"handle,followers,avg_interactions,audience\n{h},5000,240,cio:0.5\n", encoding="utf-8"
        )
        brief = tmp_path / "brief.toml"
        brief.write_text('[brief]\ntarget_roles = ["cio"]\n', encoding="utf-8")
        deals = tmp_path / "deals.csv"
        deals.write_text(
            f"lead_id,created_at,amount,outcome,closed_at,{_q('=HYPERLINK(1)')}\n"
            f"L1,2026-01-01T00:00:00Z,1000,won,2026-01-11T00:00:00Z,{h}\n"
            "L2,2026-01-01T00:00:00Z,1000,lost,2026-01-04T00:00:00Z,no\n",
            encoding="utf-8",
        )
        touches = tmp_path / "touches.csv"
        touches.write_text(f"lead_id,at,channel\nL1,2026-01-01T00:00:00Z,{h}\n", encoding="utf-8")
        commands = [
            ["qualify", str(answers), "--as-of", AS_OF],
            ["simulate", "--leads", str(leads), "--events", str(events), "--until", AS_OF],
            ["kol", str(kols), "--brief", str(brief)],
            ["velocity", str(deals), "--by", "=HYPERLINK(1)", "--as-of", AS_OF],
            ["attribution", str(touches), str(deals)],
        ]
        for argv in commands:
            status, text = run(*argv, "--format", "csv", "--quiet")
            assert status == 0, argv
            _assert_safe_csv(text)
            assert "'=cmd" in text or "'=HYPERLINK" in text, argv


def test_option_columns_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """attribution --by and nps --period's --at-column must name columns the file has."""
    touches = tmp_path / "touches.csv"
    touches.write_text("lead_id,at,channel\nL1,2026-01-01T00:00:00Z,web\n", encoding="utf-8")
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "lead_id,created_at,amount,outcome\nL1,2026-01-01T00:00:00Z,10,open\n", encoding="utf-8"
    )
    assert run("attribution", str(touches), str(deals), "--by", "campaign")[0] == 2
    assert "--by: no column 'campaign'" in capsys.readouterr().err
    survey = tmp_path / "survey.csv"
    survey.write_text("score,when\n9,2026-01-01T00:00:00Z\n", encoding="utf-8")
    assert run("nps", str(survey), "--period", "month")[0] == 2
    assert "--at-column: no column 'at'" in capsys.readouterr().err


def test_collector_restored_after_a_run() -> None:
    """The command line pauses the cyclic collector while it runs, and restores it,
    whether the run succeeds or fails."""
    import gc

    assert gc.isenabled()
    run("score", "--leads", str(DATA / "leads_es.csv"), "--events", str(DATA / "events_es.csv"),
        "--as-of", AS_OF, "--quiet")  # fmt: skip
    assert gc.isenabled()
    run("score", "--leads", "/nonexistent.csv", "--events", "/nonexistent.csv")
    assert gc.isenabled()


def test_input_sections_report_every_problem() -> None:
    """[columns.*], [aliases] and [input] are validated in full, with paths and hints."""
    with pytest.raises(bf.ConfigError) as info:
        bf.Funnel(
            {
                "columns": {"lead": {"id": "Record ID"}, "events": {"name": 3}},
                "aliases": ["Page View"],
                "input": {"timezone": "Mars/Base", "decimal": ";", "tz": "UTC"},
            }
        )
    paths = {p.path for p in info.value.problems}
    assert paths == {
        "columns.lead", "columns.events.name", "aliases", "input.timezone", "input.decimal",
        "input.tz",
    }  # fmt: skip
    assert "did you mean 'leads'?" in str(info.value)
