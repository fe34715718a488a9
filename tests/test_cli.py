"""The command line: demo, score, formats, spreadsheet-safe CSV, located errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import b2bfunnel as bf
from b2bfunnel.cli import main, read_candidates, read_events, read_leads

LEADS = """id,job_title,employees,company
L1,CIO,900,Acme
L2,Software Engineer,50,=HYPERLINK("http://x")
L3,Directora de Tecnología,1200,Nova
"""
EVENTS = """lead_id,name,at,path
L1,webinar_completed,2026-11-20T10:00:00+00:00,
L1,pricing_page_visit,2026-11-21T10:00:00Z,/pricing
L2,case_study_download,2026-11-01T10:00:00+01:00,
L3,webinar_completed,2026-11-22T08:00:00+00:00,
L9,webinar_completed,2026-11-22T08:00:00+00:00,
"""
AS_OF = "2026-11-23T08:00:00+00:00"


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    leads, events = tmp_path / "leads.csv", tmp_path / "events.csv"
    leads.write_text(LEADS, encoding="utf-8")
    events.write_text(EVENTS, encoding="utf-8")
    return leads, events


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def score(leads: Path, events: Path, *options: str) -> tuple[int, str]:
    """``b2bfunnel score`` on two files as of AS_OF, with extra options."""
    return run("score", "--leads", str(leads), "--events", str(events), "--as-of", AS_OF, *options)


class TestScore:
    def test_json_matches_the_library(self, files: tuple[Path, Path]) -> None:
        """The JSON output is rank() of the same data, best first."""
        leads, events = files
        status, text = score(leads, events, "--format", "json")
        assert status == 0
        payload = json.loads(text)
        expected = bf.ScoringModel.default().rank(
            read_leads(leads), read_events(events), as_of=bf._time.parse_datetime(AS_OF, "")
        )
        assert [row["lead_id"] for row in payload] == [s.lead_id for s in expected]
        assert [row["total"] for row in payload] == [s.total for s in expected]
        assert payload[0]["rank"] == 1

    def test_top_and_table(self, files: tuple[Path, Path]) -> None:
        """--top limits the rows; the table ends with the band summary of all leads."""
        leads, events = files
        status, text = score(leads, events, "--top", "1")
        assert status == 0
        lines = text.splitlines()
        assert lines[0].split()[:3] == ["rank", "lead", "score"]
        assert lines[2].split()[:2] == ["1", "L1"]
        assert lines[-1] == "3 leads: 0 hot, 2 warm, 1 cold"

    def test_csv_neutralises_formulas(self, files: tuple[Path, Path], tmp_path: Path) -> None:
        """A cell that would run as a formula starts with an apostrophe in CSV output."""
        leads = tmp_path / "evil.csv"
        leads.write_text("id,job_title\n\"=cmd|' /C calc'!A0\",CIO\n", encoding="utf-8")
        _, events = files
        status, text = score(leads, events, "--format", "csv")
        assert status == 0
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows[0]["lead"].startswith("'=")

    def test_config_file(self, files: tuple[Path, Path], tmp_path: Path) -> None:
        """--config applies the funnel TOML."""
        config = tmp_path / "funnel.toml"
        config.write_text("[scoring]\nexplicit = []\n", encoding="utf-8")
        leads, events = files
        _, text = score(leads, events, "--format", "json", "--config", str(config))
        assert all(row["explicit"] == 0 for row in json.loads(text))


class TestBadInput:
    def test_bad_timestamp_names_file_line_and_column(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A naive timestamp on line 3 is reported as events.csv:3:at, exit status 2."""
        leads, events = files
        events.write_text(
            EVENTS.replace("2026-11-21T10:00:00Z", "2026-11-21 10:00"), encoding="utf-8"
        )
        status, _ = score(leads, events)
        assert status == 2
        assert f"{events}:3:at" in capsys.readouterr().err

    def test_missing_column(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A header without lead_id is refused with the header shown."""
        leads, events = files
        events.write_text("lead,name,at\nL1,x,2026-11-21T10:00:00Z\n", encoding="utf-8")
        assert score(leads, events)[0] == 2
        assert "missing column 'lead_id'; did you mean 'lead'?" in capsys.readouterr().err

    def test_duplicate_lead(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A repeated lead id names both lines."""
        leads, events = files
        leads.write_text(LEADS + "L1,CTO,10,Dup\n", encoding="utf-8")
        assert score(leads, events)[0] == 2
        err = capsys.readouterr().err
        assert f"{leads}:5:id" in err and "first on line 2" in err

    def test_bad_as_of_and_missing_file(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A naive --as-of and an unreadable file are errors, not tracebacks."""
        leads, events = files
        assert (
            run("score", "--leads", str(leads), "--events", str(events), "--as-of", "2026-11-23")[0]
            == 2
        )
        assert "--as-of" in capsys.readouterr().err
        assert run("score", "--leads", "nope.csv", "--events", str(events))[0] == 2
        assert "nope.csv" in capsys.readouterr().err

    def test_bad_config(
        self, files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Every configuration problem is printed."""
        config = tmp_path / "funnel.toml"
        config.write_text("[scoring]\nhot_treshold = 5\nmax_total = -1\n", encoding="utf-8")
        leads, events = files
        assert score(leads, events, "--config", str(config))[0] == 2
        err = capsys.readouterr().err
        assert "scoring.hot_treshold" in err and "scoring.max_total" in err


class TestDemo:
    def test_demo_lists_the_best_leads_of_the_sample(self) -> None:
        """The demo's call list is the top of rank() over the shipped sample."""
        status, text = run("demo", "--top", "5")
        assert status == 0
        lines = text.splitlines()
        assert lines[0].startswith("Today's call list, as of 2026-11-23T08:00:00+00:00")
        shown = [line.split()[1] for line in lines[4:9]]
        from b2bfunnel.cli.demo import demo_file as _demo_file

        leads = read_leads(_demo_file("demo_leads.csv"))
        events = read_events(_demo_file("demo_events.csv"))
        ranked = bf.Funnel().rank(
            leads, events, as_of=bf._time.parse_datetime("2026-11-23T08:00:00+00:00", "")
        )
        assert shown == [s.lead_id for s in ranked[:5]]
        summary = next(line for line in lines if line.endswith("cold"))
        assert summary.startswith(f"{len(leads)} leads: ")
        counts = dict(reversed(part.split()) for part in summary.split(": ")[1].split(", "))
        assert counts == {
            band: str(sum(s.band == band for s in ranked)) for band in ("hot", "warm", "cold")
        }
        assert len(leads) >= 200 and len(events) >= 2000

    def test_module_and_help(self) -> None:
        """python -m b2bfunnel --help lists every subcommand."""
        result = subprocess.run(
            [sys.executable, "-m", "b2bfunnel", "--help"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "demo" in result.stdout and "score" in result.stdout

    def test_safe_cell(self) -> None:
        """Numbers pass; text that a spreadsheet would evaluate is quoted."""
        from b2bfunnel.cli import safe_cell

        assert [safe_cell(v) for v in ("=1+1", "+x", "-x", "@x", "-3.5", 7, "ok")] == [
            "'=1+1",
            "'+x",
            "'-x",
            "'@x",
            "-3.5",
            "7",
            "ok",
        ]


SURVEY = """score,at,sector,comment
10,2026-01-10T10:00:00Z,saas,great
9,2026-02-10T10:00:00Z,saas,
3,2026-04-10T10:00:00Z,saas,slow support
8,2026-01-20T10:00:00Z,consulting,ok
"""


class TestNps:
    def test_json_report(self, tmp_path: Path) -> None:
        """The JSON report holds the overall NPS, the cells and the sector position."""
        path = tmp_path / "survey.csv"
        path.write_text(SURVEY, encoding="utf-8")
        status, text = run(
            "nps",
            str(path),
            "--by",
            "sector",
            "--period",
            "quarter",
            "--sector",
            "saas",
            "--format",
            "json",
        )
        assert status == 0
        data = json.loads(text)
        assert data["overall"]["score"] == 25.0  # 2 promoters - 1 detractor of 4
        cells = [(c["segment"], c["period"], c["score"]) for c in data["cells"]]
        assert cells == [
            ("consulting", "2026-Q1", 0.0),
            ("saas", "2026-Q1", 100.0),
            ("saas", "2026-Q2", -100.0),
        ]
        assert data["position"]["vs_average"] == 10.0

    def test_table_flags_small_cells(self, tmp_path: Path) -> None:
        """Cells under --min-n are flagged in the table."""
        path = tmp_path / "survey.csv"
        path.write_text(SURVEY, encoding="utf-8")
        status, text = run("nps", str(path), "--by", "sector", "--min-n", "3")
        assert status == 0
        consulting = next(line for line in text.splitlines() if line.startswith("consulting"))
        assert "too few to trust" in consulting

    @pytest.mark.parametrize(
        ("cell", "message"),
        [
            ("11", "expected a whole number 0..10"),
            ("9.5", "expected a whole number 0..10"),
            ("²", "expected a whole number 0..10"),
        ],
    )
    def test_bad_score_names_line_and_column(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], cell: str, message: str
    ) -> None:
        """A bad score on line 3 is reported as file:3:score."""
        path = tmp_path / "survey.csv"
        path.write_text(SURVEY.replace("9,2026-02-10", f"{cell},2026-02-10"), encoding="utf-8")
        assert run("nps", str(path))[0] == 2
        err = capsys.readouterr().err
        assert f"{path}:3:score" in err and message in err

    def test_blank_score_is_skipped_and_reported(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A response without a score is left out of the NPS and counted on stderr."""
        path = tmp_path / "survey.csv"
        path.write_text(SURVEY.replace("9,2026-02-10", ",2026-02-10"), encoding="utf-8")
        status, text = run("nps", str(path), "--format", "json")
        assert status == 0
        assert json.loads(text)["overall"]["n"] == SURVEY.count("\n") - 2
        assert "1 responses without a score were skipped" in capsys.readouterr().err

    def test_custom_score_column_and_naive_time(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """--score-column picks the column; a naive time is located."""
        path = tmp_path / "survey.csv"
        path.write_text(
            "rating,at\n10,2026-01-10T10:00:00Z\n0,2026-01-11 10:00\n", encoding="utf-8"
        )
        assert run("nps", str(path), "--score-column", "rating")[0] == 2
        assert f"{path}:3:at" in capsys.readouterr().err

    def test_demo_shows_the_survey_nps(self) -> None:
        """The demo ends with the sample survey's NPS and its quarters."""
        _, text = run("demo")
        from b2bfunnel.cli import read_responses
        from b2bfunnel.cli.demo import demo_file as _demo_file

        overall = bf.nps([r.score for r in read_responses(_demo_file("demo_survey.csv"))])
        assert f"NPS of the sample survey: {overall.score:+.1f}" in text
        assert "By quarter, with 95% intervals: " in text


ANSWERS = """id,name,budget,authority,need,timing,committee
A1,Ana,approved,economic_buyer,risk,this_quarter,
A2,Luis,estimating,technical_buyer,scale,2027-02-01,economic_buyer;end_user
A3,Sara,,,,,
"""


class TestQualify:
    def test_json(self, tmp_path: Path) -> None:
        """Each row gets its stage, missing criteria and question; dates use --as-of."""
        path = tmp_path / "answers.csv"
        path.write_text(ANSWERS, encoding="utf-8")
        status, text = run("qualify", str(path), "--as-of", AS_OF, "--format", "json")
        assert status == 0
        data = {row["lead"]: row for row in json.loads(text)}
        assert data["A1"]["stage"] == "SQL"
        assert data["A2"]["stage"] == "MQL" and data["A2"]["missing"] == ["budget"]
        assert data["A2"]["details"][3]["status"] == "met"  # 2027-02-01 is within 6 months
        assert data["A3"]["stage"] == "unqualified"

    def test_spanish_table(self, tmp_path: Path) -> None:
        """--language es asks in Spanish."""
        path = tmp_path / "answers.csv"
        path.write_text(ANSWERS, encoding="utf-8")
        _, text = run("qualify", str(path), "--as-of", AS_OF, "--language", "es")
        assert "¿Cómo está el presupuesto" in text

    def test_bad_value_located(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown answer is reported at file:line:column with the allowed values."""
        path = tmp_path / "answers.csv"
        path.write_text(ANSWERS.replace("estimating", "soon"), encoding="utf-8")
        assert run("qualify", str(path), "--as-of", AS_OF)[0] == 2
        err = capsys.readouterr().err
        assert f"{path}:3:budget" in err and "allowed: approved" in err

    def test_demo_shows_stages(self) -> None:
        """The demo's call list has a stage per lead, as qualify() gives it."""
        _, text = run("demo", "--top", "3")
        lines = text.splitlines()
        header = lines[2].split()
        assert "stage" in header
        from b2bfunnel.cli.demo import demo_file as _demo_file

        leads = {lead["id"]: lead for lead in read_leads(_demo_file("demo_leads.csv"))}
        for line in lines[4:7]:
            lead_id = line.split()[1]
            answers = {
                k: v
                for k, v in leads[lead_id].items()
                if k in ("budget", "authority", "need", "timing")
            }
            assert f" {bf.qualify(answers).stage.value} " in line


CANDIDATES = """\
handle,followers,avg_interactions,audience,topics,risk_flags,cost_per_post,vetting_days
@secarch,5000,240,engineering_director:0.45;security_analyst:0.35,cybersecurity,,400,800
@techstar,100000,1500,engineering_director:0.02;security_analyst:0.01,lifestyle,,6000,900
@flame,40000,2400,engineering_director:0.3,cybersecurity,toxic_sentiment,100,900
"""
BRIEF_TOML = """[brief]
target_roles = ["engineering_director", "security_analyst"]
topics = ["cybersecurity", "cloud"]
"""


class TestKol:
    @pytest.fixture
    def kol_files(self, tmp_path: Path) -> tuple[Path, Path]:
        candidates, brief = tmp_path / "candidates.csv", tmp_path / "brief.toml"
        candidates.write_text(CANDIDATES, encoding="utf-8")
        brief.write_text(BRIEF_TOML, encoding="utf-8")
        return candidates, brief

    def test_ranked_fits(self, kol_files: tuple[Path, Path]) -> None:
        """Fits best first, as kol_fit() scores them; the vetoed one last with 0."""
        candidates, brief = kol_files
        status, text = run("kol", str(candidates), "--brief", str(brief), "--format", "json")
        assert status == 0
        data = json.loads(text)
        assert [d["handle"] for d in data] == ["@secarch", "@techstar", "@flame"]
        expected = bf.kol_fit(
            read_candidates(candidates)[0],
            bf.KOLBrief(["engineering_director", "security_analyst"], ["cybersecurity", "cloud"]),
        )
        assert data[0]["score"] == expected.score
        assert data[2]["vetoed"] and data[2]["score"] == 0

    def test_portfolio(self, kol_files: tuple[Path, Path]) -> None:
        """--budget plans the portfolio; the vetoed cheap one is never chosen."""
        candidates, brief = kol_files
        status, text = run(
            "kol", str(candidates), "--brief", str(brief), "--budget", "6500", "--format", "json"
        )
        assert status == 0
        plan = json.loads(text)
        assert plan["selected"] == ["@secarch", "@techstar"]
        assert plan["total_cost"] == "6400"

    def test_bad_row_located(
        self, kol_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Shares over 1 are reported at file:line:column."""
        candidates, brief = kol_files
        candidates.write_text(CANDIDATES.replace("0.45;", "0.95;"), encoding="utf-8")
        assert run("kol", str(candidates), "--brief", str(brief))[0] == 2
        assert f"{candidates}:2:audience" in capsys.readouterr().err

    def test_brief_needs_roles(
        self, kol_files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A brief without target roles is refused."""
        candidates, brief = kol_files
        brief.write_text("[brief]\ntopics = ['cloud']\n", encoding="utf-8")
        assert run("kol", str(candidates), "--brief", str(brief))[0] == 2
        assert "brief.target_roles" in capsys.readouterr().err


DEALS_CSV = """deal_id,lead_id,created_at,amount,outcome,closed_at,influenced
D1,L1,2026-01-01T00:00:00Z,1000,won,2026-01-11T00:00:00Z,no
D2,L2,2026-01-01T00:00:00Z,1000,lost,2026-01-04T00:00:00Z,no
D3,L3,2026-01-01T00:00:00Z,1000,open,,no
D4,L4,2026-01-01T00:00:00Z,1000,open,,no
D5,L5,2026-01-01T00:00:00Z,1000,won,2026-01-06T00:00:00Z,yes
D6,L6,2026-01-01T00:00:00Z,1000,open,,yes
D7,L7,2026-01-01T00:00:00Z,1000,open,,yes
"""
TOUCHES_CSV = """lead_id,at,channel,campaign
L1,2026-01-01T00:00:00Z,webinar,q1
L1,2026-01-05T00:00:00Z,email,
L5,2026-01-02T00:00:00Z,webinar,q1
"""
LIFECYCLE_CSV = """lead_id,lead_at,mql_at,sql_at,first_contact_at,rejection_reason
L1,2026-01-01T00:00:00Z,2026-01-02T00:00:00Z,2026-01-03T00:00:00Z,2026-01-03T05:00:00Z,
L2,2026-01-01T00:00:00Z,,,,no budget
"""


class TestVelocityCommands:
    def test_velocity_by_cohort(self, tmp_path: Path) -> None:
        """Per cohort velocity as compare_velocity gives it (100 vs 400 per day)."""
        path = tmp_path / "deals.csv"
        path.write_text(DEALS_CSV, encoding="utf-8")
        status, text = run(
            "velocity",
            str(path),
            "--by",
            "influenced",
            "--as-of",
            "2026-02-01T00:00:00Z",
            "--format",
            "json",
        )
        assert status == 0
        data = json.loads(text)
        assert float(data["reports"]["no"]["velocity"]) == 100
        assert float(data["reports"]["yes"]["velocity"]) == 400
        assert data["lifts"]["yes"]["velocity_ratio"] == pytest.approx(4)

    def test_velocity_csv_has_the_comparison(self, tmp_path: Path) -> None:
        """--format csv carries what the table prints under its rows: each cohort's
        velocity and cycle change against the baseline, their intervals, the main lever
        (400 vs 100 per day: +300%; 5 vs 10 days in every resample: -50%)."""
        path = tmp_path / "deals.csv"
        path.write_text(DEALS_CSV, encoding="utf-8")
        status, text = run(
            "velocity", str(path), "--by", "influenced", "--as-of", "2026-02-01T00:00:00Z",
            "--format", "csv",
        )  # fmt: skip
        assert status == 0
        rows = {row["cohort"]: row for row in csv.DictReader(io.StringIO(text))}
        assert rows["no"]["velocity_change"] == ""
        yes = rows["yes"]
        assert (yes["baseline"], yes["velocity_change"], yes["main_lever"]) == (
            "no",
            "3.000",
            "win_rate",
        )
        assert float(yes["velocity_change_low"]) <= 3 <= float(yes["velocity_change_high"])
        assert [yes[k] for k in ("cycle_change", "cycle_change_low", "cycle_change_high")] == [
            "-0.500"
        ] * 3

    def test_velocity_bad_cell(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A won deal without closed_at is reported at file:line:column."""
        path = tmp_path / "deals.csv"
        path.write_text(DEALS_CSV.replace("won,2026-01-11T00:00:00Z", "won,"), encoding="utf-8")
        assert run("velocity", str(path), "--as-of", "2026-02-01T00:00:00Z")[0] == 2
        assert f"{path}:2:closed_at" in capsys.readouterr().err

    def test_bad_cell_after_blank_lines(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Blank lines are skipped, and the error still names the real line."""
        path = tmp_path / "deals.csv"
        header, first, *rest = DEALS_CSV.replace("won,2026-01-11T00:00:00Z", "won,").splitlines()
        path.write_text("\n".join([header, "", "", first, *rest]) + "\n", encoding="utf-8")
        assert run("velocity", str(path), "--as-of", "2026-02-01T00:00:00Z")[0] == 2
        assert f"{path}:4:closed_at" in capsys.readouterr().err

    def test_funnel(self, tmp_path: Path) -> None:
        """Stage table, SLA share and rejection reasons."""
        path = tmp_path / "lifecycle.csv"
        path.write_text(LIFECYCLE_CSV, encoding="utf-8")
        status, text = run("funnel", str(path))
        assert status == 0
        assert "SQLs contacted within 24 h: 100% of 1" in text
        assert "Rejection reasons: no budget 1" in text

    def test_attribution(self, tmp_path: Path) -> None:
        """Linear credit per channel; by campaign, blanks go to '(none)'."""
        touches, deals = tmp_path / "touches.csv", tmp_path / "deals.csv"
        touches.write_text(TOUCHES_CSV, encoding="utf-8")
        deals.write_text(DEALS_CSV, encoding="utf-8")
        status, text = run(
            "attribution", str(touches), str(deals), "--model", "linear", "--format", "json"
        )
        assert status == 0
        assert json.loads(text)["totals"]["linear"] == {"email": "500.00", "webinar": "1500.00"}
        _, text = run(
            "attribution",
            str(touches),
            str(deals),
            "--model",
            "first_touch",
            "--by",
            "campaign",
            "--format",
            "json",
        )
        assert json.loads(text)["totals"]["first_touch"] == {"(none)": "0.00", "q1": "2000.00"}

    def test_attribution_money_options(self, tmp_path: Path) -> None:
        """--minor-unit and --markov-split reach attribute(): yen, and the global split."""
        touches, deals = tmp_path / "touches.csv", tmp_path / "deals.csv"
        touches.write_text(TOUCHES_CSV, encoding="utf-8")
        deals.write_text(DEALS_CSV, encoding="utf-8")
        _, text = run(
            "attribution", str(touches), str(deals), "--minor-unit", "1",
            "--markov-split", "global", "--model", "markov", "--format", "json",
        )  # fmt: skip
        data = json.loads(text)
        assert (data["minor_unit"], data["markov_split"], data["attributed"]) == (
            "1",
            "global",
            "2000",
        )

    def test_attribution_touch_after_close(self, tmp_path: Path) -> None:
        """A touch after its lead's last deal closed is counted as unattributed, no error."""
        touches, deals = tmp_path / "touches.csv", tmp_path / "deals.csv"
        touches.write_text(TOUCHES_CSV + "L1,2026-03-01T00:00:00Z,ads,\n", encoding="utf-8")
        deals.write_text(DEALS_CSV, encoding="utf-8")
        status, text = run("attribution", str(touches), str(deals), "--format", "json")
        assert status == 0
        assert json.loads(text)["unattributed_touches"] == 1

    def test_demo_velocity_summary(self) -> None:
        """The demo ends with the sample deals' velocity, influenced vs not."""
        _, text = run("demo")
        assert "Pipeline velocity of the sample deals, with 95% bootstrap intervals: KOL-in" in text
        assert "yes vs no: velocity" in text


class TestNurtureCommands:
    def test_flow_diagrams(self) -> None:
        """flow prints the default flow as Mermaid or DOT."""
        status, text = run("flow")
        assert status == 0 and text.startswith("stateDiagram-v2")
        assert text.strip() == bf.NurtureFlow.default().to_mermaid()
        _, dot = run("flow", "--format", "dot")
        assert dot.startswith("digraph nurture {")

    def test_simulate(self, files: tuple[Path, Path]) -> None:
        """simulate replays each lead's history: L1 gets the welcome e-mail on its first
        event, and the JSON holds every lead's state."""
        leads, events = files
        status, text = run(
            "simulate",
            "--leads",
            str(leads),
            "--events",
            str(events),
            "--until",
            AS_OF,
            "--format",
            "json",
        )
        assert status == 0
        data = json.loads(text)
        assert set(data) == {"L1", "L2", "L3"}
        first = data["L1"]["actions"][0]
        assert (first["kind"], first["template"]) == ("send_email", "welcome_1")
        assert first["at"] == "2026-11-20T10:00:00+00:00"

    def test_simulate_needs_until(
        self, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A naive --until is refused."""
        leads, events = files
        assert (
            run(
                "simulate", "--leads", str(leads), "--events", str(events), "--until", "2026-11-23"
            )[0]
            == 2
        )
        assert "--until" in capsys.readouterr().err
