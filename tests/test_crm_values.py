"""Values as CRM exports write them: numbers, dates, labels, currencies, report shapes."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import written_amounts

import b2bfunnel as bf
from b2bfunnel.cli import main
from b2bfunnel.tables._currency import Currencies, parse_rate
from b2bfunnel.tables._dates import DateReader, consistent_formats
from b2bfunnel.tables._labels import ValueMap, survey_score
from b2bfunnel.tables._numbers import conventions, read_value, settle_decimal
from b2bfunnel.tables._shapes import footer_start, is_second_header, salesforce_id_hint

DATA = Path(__file__).parent / "data"
MADRID = ZoneInfo("Europe/Madrid")


def run(*argv: str) -> tuple[int, str]:
    """Run the command line; its status and standard output."""
    out = io.StringIO()
    try:
        status = main(list(argv), out=out)
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, out.getvalue()


class TestValueReader:
    @pytest.mark.parametrize(
        ("text", "decimal", "value", "currency"),
        [
            ("EUR 12.500,00", ",", "12500.00", "EUR"),
            ("12.500,00 €", ",", "12500.00", "EUR"),
            ("€12,500.00", ".", "12500.00", "EUR"),
            ("12500 EUR", None, "12500", "EUR"),
            ("$1,200", None, "1200", "USD"),
            ("1 200,5", ",", "1200.5", None),
        ],
    )
    def test_money_as_crms_write_it(
        self, text: str, decimal: str | None, value: str, currency: str | None
    ) -> None:
        """Symbols and codes before or after, grouping in threes, either decimal mark."""
        read = read_value(text, kind="money", decimal=decimal, path="amount")
        assert read.value == Decimal(value)
        assert read.currency == currency

    @pytest.mark.parametrize(
        ("text", "decimal", "value"),
        [("12k", None, 12_000), ("12.5K", None, 12_500), ("1,2 M", ",", 1_200_000)],
    )
    def test_multipliers_on_counts(self, text: str, decimal: str | None, value: int) -> None:
        """k and M multiply counts by a thousand and a million."""
        assert read_value(text, kind="count", decimal=decimal, path="followers").value == value

    @pytest.mark.parametrize(("text", "decimal"), [("12.5K", None), ("1,2 M", ",")])
    def test_multipliers_refused_on_money(self, text: str, decimal: str | None) -> None:
        """Money is never scaled by a letter: the cell is refused, quoted as written."""
        with pytest.raises(bf.InvalidInputError, match="counts only") as info:
            read_value(text, kind="money", decimal=decimal, path="deals[0].amount")
        assert repr(text) in str(info.value)
        assert info.value.path == "deals[0].amount"

    def test_percent_only_on_shares(self) -> None:
        """25% is 0.25 as a share, and refused as an amount or a count."""
        assert read_value("25%", kind="share", path="x").value == Decimal("0.25")
        assert read_value("0.25", kind="share", path="x").value == Decimal("0.25")
        for kind in ("money", "count"):
            with pytest.raises(bf.InvalidInputError, match="'%'"):
                read_value("25%", kind=kind, path="x")  # type: ignore[arg-type]

    @pytest.mark.parametrize("text", ["12,34,567", "1.2.3", "abc", "€12 $", "1,20", "--5"])
    def test_unreadable_is_refused(self, text: str) -> None:
        """A cell the reader cannot read is refused, never guessed."""
        with pytest.raises(bf.InvalidInputError) as info:
            read_value(text, kind="money", path="amount")
        assert repr(text) in info.value.message

    def test_currency_refused_on_counts(self) -> None:
        """A currency on a count is a mistake in the file."""
        with pytest.raises(bf.InvalidInputError, match="currency"):
            read_value("1200 EUR", kind="count", path="employees")

    @given(st.integers(min_value=0, max_value=10**12), st.sampled_from([".", ","]))
    def test_grouped_integers_read_back(self, number: int, decimal: str) -> None:
        """Any integer written with grouping of its convention reads as itself."""
        group = "," if decimal == "." else "."
        text = f"{number:,}".replace(",", group)
        assert read_value(text, kind="count", decimal=decimal, path="x").value == number

    @given(written_amounts())
    def test_written_amounts_read_back(self, case: tuple[str, str, Decimal, str | None]) -> None:
        """Any amount written the way its convention writes it (grouping, decimals,
        symbol or code before or after) reads back exactly, with its currency."""
        text, decimal, value, code = case
        read = read_value(text, kind="money", decimal=decimal, path="amount")
        assert (read.value, read.currency) == (value, code)

    @given(st.lists(st.sampled_from(["1.200", "850", "2.500", "1,5", "3.25", "10"]), max_size=8))
    def test_settling_is_order_independent(self, texts: list[str]) -> None:
        """A column's convention does not depend on the order of its values."""

        def outcome(values: list[str]) -> object:
            try:
                decimal, found = settle_decimal("x", values)
            except bf.InvalidInputError:
                return "refused"
            return decimal, None if found is None else found.count

        assert outcome(texts) == outcome(list(reversed(texts)))


class TestAmbiguousNumbers:
    def test_one_separator_three_digits_is_ambiguous(self) -> None:
        """1.200 and 1,250 read two ways; 1.5, 1,200.50 and 1.200.000 one way."""
        assert set(conventions("1.200")) == {".", ","}
        assert set(conventions("1,250")) == {".", ","}
        assert set(conventions("1.5")) == {"."}
        assert set(conventions("1,200.50")) == {"."}
        assert set(conventions("1.200.000")) == {","}

    def test_column_reported_with_fix(self) -> None:
        """A column of only ambiguous values is read with '.', and reported."""
        decimal, found = settle_decimal("employees", ["1.200", "850", "2.500", "30"])
        assert decimal == "."
        assert found is not None
        assert (found.column, found.count, found.example) == ("employees", 2, "1.200")
        assert "decimal=','" in found.fix

    @pytest.mark.parametrize(("texts", "mark"), [(["1.200", "1,5"], ","), (["1,250", "3.5"], ".")])
    def test_settling_value(self, texts: list[str], mark: str) -> None:
        """A value valid under one convention only settles the column silently."""
        assert settle_decimal("x", texts) == (mark, None)

    def test_conflicting_column_refused(self) -> None:
        """One value only '.' and another only ',' is refused, naming both."""
        with pytest.raises(bf.InvalidInputError, match=r"'1\.5'.*'1,5'"):
            settle_decimal("amount", ["1.5", "1,5"])

    def test_data_report_lists_ambiguous_column(self) -> None:
        """A profile field compared as a number, all 1.200-like, is in the data report."""
        profiles = [
            {"id": "L1", "job_title": "CTO", "employees": "1.200"},
            {"id": "L2", "job_title": "CIO", "employees": "2.500"},
        ]
        report = bf.data_report(bf.ScoringModel.default(), profiles)
        (found,) = report.ambiguous_numbers
        assert (found.column, found.count, found.example) == ("employees", 2, "1.200")
        assert report.to_dict()["ambiguous_numbers"][0]["column"] == "employees"
        assert any("read two ways" in line for line in report.warnings())
        given = bf.data_report(bf.ScoringModel.default(), profiles, decimal=",")
        assert given.ambiguous_numbers == ()

    def test_leads_file_strict(self, capsys: pytest.CaptureFixture[str]) -> None:
        """A ;/cp1252 leads file with 1.200 employees: a warning naming --decimal ,;
        --strict exits 2; with --decimal , the IT director gets the 50 fit points."""
        argv = ["score", "--leads", str(DATA / "leads_es.csv"), "--events"]
        argv += [str(DATA / "events_es.csv"), "--as-of", "2026-11-23T08:00:00Z"]
        argv += ["--timezone", "UTC", "--format", "json"]
        status, _ = run(*argv, "--strict")
        assert status == 2
        assert "--decimal ," in capsys.readouterr().err
        status, text = run(*argv, "--decimal", ",")
        assert status == 0
        rows = {row["lead_id"]: row for row in json.loads(text)}
        assert rows["L1"]["explicit"] == 50


class TestDates:
    def test_iso_first_then_formats_in_order(self) -> None:
        """ISO 8601 wins; then the formats in order; a date alone is midnight in the zone."""
        reader = DateReader(("%d/%m/%Y", "%m/%d/%Y %I:%M:%S %p"), MADRID)
        assert reader.read("2026-03-15T10:00:00+01:00", "x") == datetime(2026, 3, 15, 9, tzinfo=UTC)
        assert reader.read("15/03/2026", "x") == datetime(2026, 3, 15, tzinfo=MADRID)
        assert reader.read("07/15/2026 2:05:00 PM", "x") == datetime(
            2026, 7, 15, 14, 5, tzinfo=MADRID
        )
        # July in Madrid is UTC+2 (summer time): midnight there is 22:00 UTC the day before.
        assert reader.read("15/07/2026", "x").astimezone(UTC) == datetime(
            2026, 7, 14, 22, tzinfo=UTC
        )

    def test_whole_value_and_c_locale_names(self) -> None:
        """A format matches the whole value; English month names and AM/PM in any case."""
        reader = DateReader(("%d %b %Y", "%B %d, %Y"), UTC)
        assert reader.read("15 MAR 2026", "x") == datetime(2026, 3, 15, tzinfo=UTC)
        assert reader.read("March 15, 2026", "x") == datetime(2026, 3, 15, tzinfo=UTC)
        with pytest.raises(bf.InvalidInputError):
            reader.read("15 Mar 2026 trailing", "x")
        with pytest.raises(bf.InvalidInputError):
            reader.read("15 Mär 2026", "x")

    def test_naive_needs_a_zone(self) -> None:
        """A format without %z gives naive times: refused without a zone."""
        with pytest.raises(bf.InvalidInputError, match="timezone"):
            DateReader(("%d/%m/%Y",)).read("15/03/2026", "deals[0].closed_at")
        with_offset = DateReader(("%d/%m/%Y %H:%M %z",)).read("15/03/2026 10:00 +0100", "x")
        assert with_offset == datetime(2026, 3, 15, 9, tzinfo=UTC)

    def test_impossible_date_refused(self) -> None:
        """31 February fits the pattern and is still no date."""
        with pytest.raises(bf.InvalidInputError, match="31/02/2026"):
            DateReader(("%d/%m/%Y",), UTC).read("31/02/2026", "x")

    def test_consistent_formats(self) -> None:
        """A first field over 12 means day first; a second over 12 month first."""
        assert consistent_formats(["06/12/2026", "15/03/2026"]) == ["%d/%m/%Y"]
        assert consistent_formats(["06/12/2026", "03/15/2026"]) == ["%m/%d/%Y"]
        assert consistent_formats(["06/12/2026"]) == ["%d/%m/%Y", "%m/%d/%Y"]

    def test_unknown_directive_refused(self) -> None:
        """A format with a directive the reader does not know is refused up front."""
        with pytest.raises(bf.InvalidInputError, match="%Q"):
            DateReader(("%d/%m/%Q",))


class TestValueLabels:
    def test_listed_labels_win_over_star(self) -> None:
        """Listed labels, in any case/accents/separators, win over "*"."""
        values = ValueMap.from_dict(
            {"outcome": {"won": ["Closed Won", "Ganada"], "lost": ["Perdida"], "open": "*"}}
        )
        allowed = ("won", "lost", "open")
        assert values.read("outcome", "closed_won", allowed, "x") == "won"
        assert values.read("outcome", "PERDIDA", allowed, "x") == "lost"
        assert values.read("outcome", "Qualification", allowed, "x") == "open"

    def test_without_star_unknown_is_refused(self) -> None:
        """Without "*", an unknown label is refused naming the allowed values."""
        with pytest.raises(bf.InvalidInputError, match="allowed: lost, open, won"):
            ValueMap().read("outcome", "Closed Won", ("won", "lost", "open"), "x")

    def test_capitalised_outcome_accepted(self) -> None:
        """Won and LOST are the library's won and lost."""
        assert ValueMap().read("outcome", "Won", ("won", "lost", "open"), "x") == "won"

    def test_bad_configuration_reports_every_problem(self) -> None:
        """Every bad [values] entry is reported at once."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel.from_dict({"values": {"outcome": {"won": 3, "lost": [1]}, "budget": 2}})
        assert len(info.value.problems) == 3

    @pytest.mark.parametrize(
        ("text", "score"),
        [("10 - Extremely likely", 10), ("0 - Not at all likely", 0), ("7 \u2013 Probable", 7)],
    )
    def test_survey_labels(self, text: str, score: int) -> None:
        """N - label (hyphen or en dash, any language) is N."""
        assert survey_score(text) == score

    def test_survey_label_out_of_range(self) -> None:
        """11 - label is no score."""
        assert survey_score("11 - Very") is None


class TestCurrencies:
    def test_mixed_refused_naming_currencies(self) -> None:
        """Two currencies without a base are refused, naming both."""
        with pytest.raises(bf.InvalidInputError, match="EUR, USD"):
            Currencies().settle({"USD", "EUR"}, "deals")

    def test_missing_rate_refused(self) -> None:
        """A base without the rate of a currency found is refused, naming it."""
        with pytest.raises(bf.InvalidInputError, match="GBP"):
            Currencies.of("EUR", {"USD": "0.92"}).settle({"EUR", "USD", "GBP"}, "deals")

    def test_conversion_half_even_to_minor_unit(self) -> None:
        """Decimal x Decimal(rate), rounded half-even to cents (yen: whole units)."""
        eur = Currencies.of("EUR", {"USD": "0.5"})
        assert eur.convert(Decimal("0.05"), "USD") == Decimal("0.02")  # 0.025 -> 0.02
        assert eur.convert(Decimal("0.07"), "USD") == Decimal("0.04")  # 0.035 -> 0.04
        yen = Currencies.of("JPY", {"EUR": "160.5"})
        assert yen.convert(Decimal("1"), "EUR") == Decimal("160")  # 160.5 -> 160
        assert parse_rate("usd=1.1") == ("USD", Decimal("1.1"))

    def test_rates_need_a_base(self) -> None:
        """rates= without currency= is refused."""
        with pytest.raises(bf.InvalidInputError, match="currency="):
            Currencies.of(None, {"USD": 1})


class TestShapes:
    def test_footer_after_last_record(self) -> None:
        """Rows with at most one cell after the last record are a footer."""
        rows = [{"a": "1", "b": "2"}, {"a": "x"}, {"a": "3", "b": "4"}, {"a": "(c)"}, {}]
        assert footer_start(rows, 2) == 3
        assert footer_start(rows, 1) == len(rows)

    def test_second_header(self) -> None:
        """A row of 'Response' or the column's own header, with no valid score, repeats it."""
        assert is_second_header({"score": "Response"}, ["score"], lambda f, t: t.isdigit())
        assert is_second_header({"score": "x", "Name": "name"}, ["score"], lambda f, t: False)
        assert not is_second_header({"score": "9"}, ["score"], lambda f, t: t.isdigit())

    def test_salesforce_ids(self) -> None:
        """15-character ids that start 18-character ones are counted."""
        assert salesforce_id_hint(["00Q5e00000AbCdE", "x"], ["00Q5e00000AbCdEEAV"]) == 1
        assert salesforce_id_hint(["00Q5e00000AbCdE"], ["00Q5e00000AbCdE"]) == 0


def at(day: int, month: int = 3) -> datetime:
    """Midnight UTC of a day of 2026."""
    return datetime(2026, month, day, tzinfo=UTC)


SALESFORCE_VELOCITY = (
    "velocity", str(DATA / "salesforce_opportunities.csv"), "--from", "salesforce",
    "--date-format", "%d/%m/%Y", "--timezone", "Europe/Madrid",
    "--as-of", "2026-03-31T12:00:00+02:00",
)  # fmt: skip


PIPEDRIVE_VELOCITY = (
    "velocity", str(DATA / "pipedrive_deals.csv"), "--from", "pipedrive",
    "--timezone", "UTC", "--as-of", "2026-03-31T12:00:00Z",
)  # fmt: skip


class TestVelocityFromCRMs:
    def test_open_deal_with_close_date_is_open(self) -> None:
        """An open deal's close date is its expected date: no error, still open."""
        deals = [
            {"created_at": at(1), "closed_at": at(11), "amount": 1000, "outcome": "Won"},
            {"created_at": at(2), "closed_at": at(30, 6), "amount": 5000, "outcome": "open"},
        ]
        report = bf.velocity_from_deals(deals, as_of=at(20))
        assert (report.opportunities, report.won) == (1, 1)
        # 1 open x 1000 x 1/1 / 10 days
        assert report.velocity == Decimal(100)

    @pytest.mark.parametrize("decimal", [(), ("--decimal", ",")])
    def test_salesforce_report(self, decimal: tuple[str, ...]) -> None:
        """The Salesforce report: day-first dates, EUR 12.500,00 (settled by its ',00', or
        said with --decimal ,), footer, open deals dated."""
        status, text = run(*SALESFORCE_VELOCITY, *decimal, "--format", "json")
        assert status == 0
        got = json.loads(text)
        # Won: 12,500 (1 Feb -> 15 Mar, 42 days) and 7,500 (1 -> 30 Mar, 29 days);
        # lost 1; open 2 (their close dates are expected ones, in the future).
        assert (got["opportunities"], got["won"], got["lost"]) == (2, 2, 1)
        assert Decimal(got["avg_deal_value"]) == Decimal(10_000)
        assert Decimal(got["cycle_days"]) == Decimal("35.5")
        expected = Decimal(2) * 10_000 * Decimal(2) / 3 / Decimal("35.5")
        assert abs(Decimal(got["velocity"]) - expected) < Decimal("1e-20")
        assert got["currency"] == "EUR"

    def test_salesforce_without_format_names_it(self, capsys: pytest.CaptureFixture[str]) -> None:
        """Without --date-format, 15/03/2026 is refused naming the day-first format."""
        status, _ = run(
            "velocity",
            str(DATA / "salesforce_opportunities.csv"),
            "--from",
            "salesforce",
            "--as-of",
            "2026-03-31T12:00:00+02:00",
        )
        assert status == 2
        err = capsys.readouterr().err
        # Created dates are all <= 12/12: both orders fit that column.
        assert "salesforce_opportunities.csv:2:created_at" in err
        assert "fits --date-format '%d/%m/%Y' or '%m/%d/%Y'" in err

    def test_day_first_column_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """06/12/2026 in a column that also has 15/03/2026 names only %d/%m/%Y."""
        path = tmp_path / "deals.csv"
        path.write_text(
            "created_at,amount,outcome\n06/12/2026,10,open\n15/03/2026,10,open\n",
            encoding="utf-8",
        )
        status, _ = run("velocity", str(path), "--as-of", "2026-12-31T00:00Z")
        assert status == 2
        err = capsys.readouterr().err
        assert f"{path}:2:created_at: '06/12/2026'" in err
        assert "fits --date-format '%d/%m/%Y'\n" in err
        assert "%m/%d/%Y" not in err

    def test_footer_noted(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The Copyright/Generado por lines are one note, not deals."""
        run(*SALESFORCE_VELOCITY)
        assert "skipped 4 footer rows" in capsys.readouterr().err

    def test_hubspot_closedwon(self) -> None:
        """HubSpot's closedwon/closedlost and other stages as open."""
        status, text = run(
            "velocity",
            str(DATA / "hubspot_deals.csv"),
            "--from",
            "hubspot",
            "--timezone",
            "UTC",
            "--as-of",
            "2026-03-31T12:00:00Z",
            "--format",
            "json",
        )
        assert status == 0
        got = json.loads(text)
        assert (got["opportunities"], got["won"], got["lost"]) == (2, 2, 1)
        # 42 d 8.5 h and 29 d: mean 35.677... days
        cycle = (Decimal(42) + Decimal("8.5") / 24 + 29) / 2
        assert abs(Decimal(got["cycle_days"]) - cycle) < Decimal("1e-20")

    def test_pipedrive_mixed_currency_refused(self, capsys: pytest.CaptureFixture[str]) -> None:
        """One USD deal among EUR deals is refused, naming both currencies."""
        status, _ = run(*PIPEDRIVE_VELOCITY)
        assert status == 2
        assert "EUR, USD" in capsys.readouterr().err

    def test_pipedrive_converted_won_time_deleted(self, capsys: pytest.CaptureFixture[str]) -> None:
        """With --currency/--rate: USD converted; won time wins; deleted skipped, counted."""
        status, text = run(
            *PIPEDRIVE_VELOCITY, "--currency", "EUR", "--rate", "USD=0.92", "--format", "json"
        )
        assert status == 0
        got = json.loads(text)
        assert (got["opportunities"], got["won"], got["lost"]) == (1, 2, 1)
        # 12,500 EUR and 8,000 USD x 0.92 = 7,360.00 EUR
        assert Decimal(got["avg_deal_value"]) == (Decimal(12_500) + Decimal("7360.00")) / 2
        # Won time (15 Mar 17:30), not Deal closed on (16 Mar 08:00): 42 d 8.5 h, and 29 d.
        cycle = (Decimal(42) + Decimal("8.5") / 24 + 29) / 2
        assert abs(Decimal(got["cycle_days"]) - cycle) < Decimal("1e-20")
        assert got["currency"] == "EUR"
        assert "skipped 1 deleted deals" in capsys.readouterr().err

    def test_decimal_comma_message_quotes_the_cell(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With --decimal , a bad amount is quoted as it is in the file."""
        path = tmp_path / "deals.csv"
        path.write_text(
            "created_at,amount,outcome,closed_at\n"
            "2026-03-01T00:00:00Z,12.5K €,won,2026-03-05T00:00:00Z\n",
            encoding="utf-8",
        )
        status, _ = run("velocity", str(path), "--decimal", ",", "--as-of", "2026-03-31T00:00Z")
        assert status == 2
        assert "'12.5K €'" in capsys.readouterr().err

    def test_dates_across_dst(self, tmp_path: Path) -> None:
        """Day-first dates in Madrid across the spring change stay midnight local."""
        path = tmp_path / "deals.csv"
        path.write_text(
            "created_at;amount;outcome;closed_at\n20/03/2026;1.000,50;won;05/04/2026\n",
            encoding="cp1252",
        )
        reader = DateReader(("%d/%m/%Y",), MADRID)
        closed = reader.read("05/04/2026", "x")
        assert closed.utcoffset() == timedelta(hours=2)
        status, text = run(
            "velocity",
            str(path),
            "--date-format",
            "%d/%m/%Y",
            "--timezone",
            "Europe/Madrid",
            "--as-of",
            "2026-04-30T00:00Z",
            "--format",
            "json",
        )
        assert status == 0
        assert Decimal(json.loads(text)["avg_deal_value"]) == Decimal("1000.50")


SURVEY = DATA / "surveymonkey_nps.csv"
QUESTION = "How likely is it that you would recommend Acme to a friend or colleague?"


class TestSurveyMonkey:
    def test_labels_and_second_header(self, capsys: pytest.CaptureFixture[str]) -> None:
        """'10 - Extremely likely' is 10 and the 'Response' row is skipped with a note:
        11 promoters and 5 detractors of 20 is NPS 30.0 (not 10s dropped as bad rows)."""
        status, text = run(
            "nps",
            str(SURVEY),
            "--map",
            f"score={QUESTION}",
            "--map",
            "at=Start Date",
            "--date-format",
            "%m/%d/%Y %I:%M:%S %p",
            "--timezone",
            "America/New_York",
            "--format",
            "json",
            "--skip-invalid",
        )
        assert status == 0
        overall = json.loads(text)["overall"]
        assert (overall["n"], overall["promoters"], overall["detractors"]) == (20, 11, 5)
        assert overall["score"] == pytest.approx((11 - 5) / 20 * 100)
        err = capsys.readouterr().err
        assert "surveymonkey_nps.csv:2: skipped a second header row" in err
        assert "bad row" not in err

    def test_us_dates_without_format_name_both_orders(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Without --date-format, 03/01/2026 09:00:10 AM is refused naming the formats."""
        status, _ = run("nps", str(SURVEY), "--map", f"score={QUESTION}", "--map", "at=Start Date")
        assert status == 2
        assert "fits '%d/%m/%Y' or '%m/%d/%Y'" in capsys.readouterr().err

    def test_api_rows(self) -> None:
        """The same export as rows in Python: second header skipped, labels read."""
        import csv

        with open(SURVEY, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        report = bf.nps_report(rows, columns={"score": QUESTION})
        assert (report.overall.n, report.overall.score) == (20, pytest.approx(30.0))


class TestIdForms:
    def test_short_salesforce_ids_hinted(self) -> None:
        """Events of 00Q...AbCdE (15) and profiles of 00Q...AbCdEEAV (18): one hint."""
        at_ = datetime(2026, 11, 20, tzinfo=UTC)
        report = bf.data_report(
            bf.ScoringModel.default(),
            [{"id": "00Q5e00000AbCdEEAV", "job_title": "CTO", "employees": "800"}],
            [bf.Event("00Q5e00000AbCdE", "webinar_completed", at_)],
        )
        assert report.unknown_lead_events == 1
        assert report.short_ids == 1
        assert any("15-character" in line for line in report.warnings())


class TestFunnelShapes:
    def test_lifecycle_export_without_preset_refused(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A HubSpot lifecycle export read without --from is refused, not all zeros."""
        status, text = run("funnel", str(DATA / "hubspot_lifecycle.csv"))
        assert status == 2
        assert text == ""
        err = capsys.readouterr().err
        assert "looked for lead_at, mql_at" in err
        assert "'Became an Opportunity Date'" in err
        assert "--from hubspot" in err

    def test_lifecycle_export_with_preset(self) -> None:
        """With --from hubspot the Became a ... Date columns are the stages."""
        status, text = run(
            "funnel",
            str(DATA / "hubspot_lifecycle.csv"),
            "--from",
            "hubspot",
            "--timezone",
            "Europe/Madrid",
            "--format",
            "json",
        )
        assert status == 0
        stages = {s["stage"]: s for s in json.loads(text)["stages"]}
        # 5 leads, 4 became MQLs, 3 SQLs, 2 opportunities, 1 customer.
        assert [stages[s]["reached"] for s in ("lead", "mql", "sql", "opportunity", "won")] == [
            5,
            4,
            3,
            2,
            1,
        ]
        # Lead -> MQL took 7, 4, 13 and 24 days: median 10.
        assert stages["lead"]["median_days"] == pytest.approx(10.0)


SALESFORCE_COLUMNS = {
    "amount": "Amount",
    "outcome": "Stage",
    "created_at": "Created Date",
    "closed_at": "Close Date",
}
SALESFORCE_VALUES = {"outcome": {"won": ["Closed Won"], "lost": ["Closed Lost"], "open": "*"}}


class TestVelocityAPI:
    def test_salesforce_rows_as_pandas_reads_them(self) -> None:
        """The Salesforce report as a pandas DataFrame of text, read with the options,
        gives the CLI's answer (footer rows skipped, EUR stated)."""
        pd = pytest.importorskip("pandas")
        frame = pd.read_csv(DATA / "salesforce_opportunities.csv", dtype=str)
        report = bf.velocity_from_deals(
            frame,
            as_of=datetime(2026, 3, 31, 12, tzinfo=MADRID),
            columns=SALESFORCE_COLUMNS,
            date_format="%d/%m/%Y",
            timezone="Europe/Madrid",
            values=SALESFORCE_VALUES,
        )
        assert (report.opportunities, report.won, report.lost) == (2, 2, 1)
        assert report.avg_deal_value == Decimal(10_000)
        assert report.cycle_days == Decimal("35.5")
        assert report.currency == "EUR"
        assert report.to_dict()["currency"] == "EUR"

    def test_bad_row_located_in_the_input(self) -> None:
        """An error after reading names the row of the input, not of the kept records."""
        rows = [
            {"created_at": "2026-03-01T00:00Z", "amount": "1", "outcome": "deleted"},
            {"created_at": "2026-03-05T00:00Z", "amount": "2", "outcome": "won"},
        ]
        with pytest.raises(bf.InvalidInputError) as info:
            bf.velocity_from_deals(
                rows,
                as_of=at(31),
                values={"outcome": {"skip": ["deleted"]}},
            )
        assert info.value.path == "deals[1].closed_at"

    def test_mixed_currencies_refused_then_converted(self) -> None:
        """USD among EUR is refused naming both; with currency=/rates= it is converted."""
        rows = [
            {"created_at": "2026-03-01T00:00Z", "closed_at": "2026-03-11T00:00Z",
             "amount": "€1,000.00", "outcome": "won"},
            {"created_at": "2026-03-01T00:00Z", "closed_at": "2026-03-11T00:00Z",
             "amount": "$1,000.00", "outcome": "won"},
        ]  # fmt: skip
        with pytest.raises(bf.InvalidInputError, match=r"EUR, USD"):
            bf.velocity_from_deals(rows, as_of=at(31), decimal=".")
        report = bf.velocity_from_deals(rows, as_of=at(31), currency="EUR", rates={"USD": "0.925"})
        # 1,000 x 0.925 = 925.00; mean (1000 + 925) / 2
        assert report.avg_deal_value == Decimal("962.50")
        assert report.currency == "EUR"


class TestKOLNumbers:
    def test_counts_and_shares_as_written(self) -> None:
        """12k followers, 1,250 interactions, 80% of CTOs: read by the one reader."""
        from b2bfunnel.kol._portfolio import candidates_in

        (c,) = candidates_in(
            [{"handle": "@a", "followers": "12k", "avg_interactions": "1,250",
              "audience": "cto:80%;cio:0.1"}]
        )  # fmt: skip
        assert c.followers == 12_000
        assert c.avg_interactions == 1250
        assert dict(c.audience) == {"cto": pytest.approx(0.8), "cio": pytest.approx(0.1)}

    def test_money_letters_refused_on_shares(self) -> None:
        """A currency on a share is refused, quoting the cell."""
        from b2bfunnel.kol._portfolio import candidates_in

        with pytest.raises(bf.InvalidInputError, match=r"'0\.8 EUR'"):
            candidates_in(
                [{"handle": "@a", "followers": "5000", "avg_interactions": "10",
                  "audience": "cto:0.8 EUR"}]
            )  # fmt: skip


class TestConfiguration:
    def test_toml_sections_drive_the_reading(self, tmp_path: Path) -> None:
        """[input] date_format, [values.outcome] and [currency] read a deals file as the
        options would."""
        config = tmp_path / "funnel.toml"
        config.write_text(
            '[input]\ndate_format = ["%d/%m/%Y"]\ntimezone = "Europe/Madrid"\n'
            '[values.outcome]\nwon = ["Ganada"]\nlost = ["Perdida"]\nopen = "*"\n'
            '[currency]\nbase = "EUR"\n[currency.rates]\nUSD = "0.5"\n',
            encoding="utf-8",
        )
        deals = tmp_path / "deals.csv"
        deals.write_text(
            "created_at;amount;outcome;closed_at\n"
            "01/03/2026;1.000,00 €;Ganada;11/03/2026\n"
            "01/03/2026;USD 3.000,00;Ganada;21/03/2026\n"
            "01/03/2026;500,00 €;Perdida;05/03/2026\n"
            "02/03/2026;9.999,00 €;En negociación;30/06/2026\n",
            encoding="cp1252",
        )
        status, text = run(
            "velocity", str(deals), "--config", str(config), "--as-of",
            "2026-03-31T00:00:00+02:00", "--format", "json",
        )  # fmt: skip
        assert status == 0
        got = json.loads(text)
        # Won: 1,000 EUR and 3,000 USD x 0.5 = 1,500 EUR; one lost; one open.
        assert Decimal(got["avg_deal_value"]) == Decimal("1250.00")
        assert (got["opportunities"], got["won"], got["lost"]) == (1, 2, 1)
        assert got["currency"] == "EUR"
        # 10 and 20 days, wall-clock in Madrid.
        assert Decimal(got["cycle_days"]) == 15


class TestVelocityNotes:
    def test_ambiguous_amounts_noted(self) -> None:
        """Amounts that read two ways are read with '.' and said in the report's notes."""
        rows = [
            {"created_at": "2026-03-01T00:00Z", "closed_at": "2026-03-11T00:00Z",
             "amount": "1.500", "outcome": "won"},
            {"created_at": "2026-03-01T00:00Z", "closed_at": "2026-03-11T00:00Z",
             "amount": "2.500", "outcome": "lost"},
        ]  # fmt: skip
        report = bf.velocity_from_deals(rows, as_of=at(31), values={})
        assert report.avg_deal_value == Decimal("1.500")
        assert any("read two ways" in note and "'1.500'" in note for note in report.notes)
        given = bf.velocity_from_deals(rows, as_of=at(31), decimal=",")
        assert given.avg_deal_value == Decimal(1500)
        assert not any("read two ways" in note for note in given.notes)


class TestEventDates:
    def test_score_reads_day_first_event_times(self, tmp_path: Path) -> None:
        """--date-format applies to the events file of score too: 15/11/2026 10:00 in
        Madrid is 09:00 UTC."""
        events = tmp_path / "events.csv"
        events.write_text(
            "lead_id,name,at\nL1,webinar_completed,15/11/2026 10:00\n", encoding="utf-8"
        )
        leads = tmp_path / "leads.csv"
        leads.write_text("id,job_title,employees\nL1,CTO,800\n", encoding="utf-8")
        status, text = run(
            "score", "--leads", str(leads), "--events", str(events),
            "--as-of", "2026-11-23T00:00Z", "--date-format", "%d/%m/%Y %H:%M",
            "--timezone", "Europe/Madrid", "--format", "json",
        )  # fmt: skip
        assert status == 0
        (row,) = json.loads(text)
        assert row["last_activity"] == "2026-11-15T09:00:00+00:00"
        assert row["implicit"] == 25


class TestLeadFooters:
    def test_salesforce_leads_report_footer(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The report's footer lines are one note, not four leads scored 0."""
        status, text = run(
            "score", "--leads", str(DATA / "salesforce_leads.csv"), "--events",
            str(DATA / "events_es.csv"), "--from", "salesforce", "--decimal", ",",
            "--timezone", "UTC", "--as-of", "2026-11-23T00:00Z", "--format", "json",
        )  # fmt: skip
        assert status == 0
        rows = {row["lead_id"]: row for row in json.loads(text)}
        assert set(rows) == {"00Q5e00000AbCd1", "00Q5e00000AbCd2", "00Q5e00000AbCd3"}
        # Director de IT at 1.200 (1,200 with --decimal ,) and a CTO at 850: +50 each.
        assert rows["00Q5e00000AbCd1"]["explicit"] == 50
        assert rows["00Q5e00000AbCd2"]["explicit"] == 50
        assert "skipped 4 footer rows after the last lead" in capsys.readouterr().err

    def test_thin_rows_inside_the_file(self, tmp_path: Path) -> None:
        """Inside the file, a lone id is a lead and a lone other cell is a bad row."""
        leads = tmp_path / "leads.csv"
        leads.write_text(
            "id,job_title,employees\nL1,CTO,800\nL2,,\n,Note to self,\nL3,CIO,900\n",
            encoding="utf-8",
        )
        from b2bfunnel.cli._tables import Reading, read_leads

        with pytest.raises(bf.InvalidInputError) as info:
            read_leads(leads, Reading())
        assert f"{leads}:4: one cell, 'Note to self', and no lead id" in str(info.value)
        assert "1 bad row" in str(info.value)


class TestPresetAPI:
    @pytest.mark.parametrize(
        ("crm", "extra", "expected"),
        [
            ("salesforce", {"date_format": "%d/%m/%Y", "timezone": "Europe/Madrid"}, (2, 2, 1)),
            ("hubspot", {"timezone": "UTC"}, (2, 2, 1)),
            ("pipedrive", {"timezone": "UTC", "currency": "EUR", "rates": {"USD": "0.92"}},
             (1, 2, 1)),
        ],
    )  # fmt: skip
    def test_preset_reads_the_export_as_rows(
        self, crm: str, extra: dict[str, object], expected: tuple[int, int, int]
    ) -> None:
        """preset= maps the export's headers and values, as --from does."""
        import csv

        name = {"salesforce": "salesforce_opportunities"}.get(crm, f"{crm}_deals")
        with open(DATA / f"{name}.csv", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        report = bf.velocity_from_deals(
            rows,
            as_of=datetime(2026, 3, 31, 10, tzinfo=UTC),
            preset=crm,
            **extra,  # type: ignore[arg-type]
        )
        assert (report.opportunities, report.won, report.lost) == expected


class TestAttributionOpenDeals:
    def test_expected_close_is_not_a_close(self) -> None:
        """An open deal with a close date (its expected one) is open, not an error; only
        the won deal (outcome written 'Won') is attributed."""
        t = lambda d: datetime(2026, 10, d, tzinfo=UTC)  # noqa: E731
        touches = [
            {"lead_id": "L1", "at": t(1), "channel": "webinar"},
            {"lead_id": "L2", "at": t(2), "channel": "email"},
        ]
        deals = [
            {"lead_id": "L1", "amount": "1000.00", "outcome": "Won", "created_at": t(3),
             "closed_at": t(10)},
            {"lead_id": "L2", "amount": "5000.00", "outcome": "open", "created_at": t(3),
             "closed_at": t(28)},
        ]  # fmt: skip
        report = bf.attribute(touches, deals, models=["linear"])
        assert report.totals["linear"] == {"webinar": Decimal("1000.00")}
        assert report.won_deals == 1


class TestAnswerLabels:
    def test_values_map_bant_answers(self, tmp_path: Path) -> None:
        """[values.budget] approved = ["Aprobado"] reads a CRM's answers as BANT's."""
        config = tmp_path / "funnel.toml"
        config.write_text(
            '[values.budget]\napproved = ["Aprobado"]\n'
            '[values.authority]\neconomic_buyer = ["Decisor económico"]\n',
            encoding="utf-8",
        )
        answers = tmp_path / "answers.csv"
        answers.write_text(
            "id,budget,authority,need,timing\nL1,APROBADO,Decisor Economico,risk,this_quarter\n",
            encoding="utf-8",
        )
        status, text = run(
            "qualify", str(answers), "--config", str(config), "--format", "json",
            "--as-of", "2026-11-23T00:00Z",
        )  # fmt: skip
        assert status == 0
        (row,) = json.loads(text)
        assert row["stage"] == "SQL"


class TestProfileCounts:
    def test_employees_with_k(self) -> None:
        """12k employees compares as 12,000 in a rule; 'EUR 12k' is not a number."""
        model = bf.ScoringModel.default()
        at_ = datetime(2026, 11, 23, tzinfo=UTC)
        big = model.score({"id": "L1", "job_title": "CTO", "employees": "1.2k"}, [], as_of=at_)
        small = model.score({"id": "L2", "job_title": "CTO", "employees": "0.4k"}, [], as_of=at_)
        assert (big.explicit, small.explicit) == (50, 0)
        report = bf.data_report(model, [{"id": "L3", "job_title": "CTO", "employees": "EUR 12k"}])
        assert report.not_numbers == (("employees", 1, "EUR 12k"),)


class TestAttributionIds:
    def test_short_ids_warned(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Touches keyed by 18-character ids and deals by 15: a warning (--strict: 2)."""
        touches = tmp_path / "touches.csv"
        touches.write_text(
            "lead_id,at,channel\n00Q5e00000AbCdEEAV,2026-10-01T00:00:00Z,webinar\n",
            encoding="utf-8",
        )
        deals = tmp_path / "deals.csv"
        deals.write_text(
            "lead_id,amount,outcome,created_at,closed_at\n"
            "00Q5e00000AbCdE,1000,won,2026-10-02T00:00:00Z,2026-10-20T00:00:00Z\n",
            encoding="utf-8",
        )
        status, _ = run("attribution", str(touches), str(deals), "--strict")
        assert status == 2
        assert "1 lead ids are 15-character Salesforce ids" in capsys.readouterr().err


class TestKOLCurrencies:
    def files(self, tmp_path: Path) -> tuple[Path, Path]:
        """A candidates file with a cost in euros and one in dollars, and a brief."""
        candidates, brief = tmp_path / "c.csv", tmp_path / "brief.toml"
        candidates.write_text(
            "handle,followers,avg_interactions,audience,cost_per_post\n"
            '@a,12k,500,cto:60%,"\u20ac1,500"\n@b,8000,300,cto:0.5,$900\n',
            encoding="utf-8",
        )
        brief.write_text('[brief]\ntarget_roles = ["cto"]\n', encoding="utf-8")
        return candidates, brief

    def test_mixed_costs_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """Costs in EUR and USD are refused, naming both."""
        candidates, brief = self.files(tmp_path)
        assert run("kol", str(candidates), "--brief", str(brief))[0] == 2
        assert "EUR, USD" in capsys.readouterr().err

    def test_mixed_costs_converted(self, tmp_path: Path) -> None:
        """With --currency EUR --rate USD=0.9: 900 USD is 810.00 EUR."""
        from b2bfunnel.cli._tables import Reading, read_candidates

        candidates, _ = self.files(tmp_path)
        reading = Reading()
        reading.currencies = Currencies.of("EUR", {"USD": "0.9"})
        a, b = read_candidates(candidates, reading)
        assert (a.followers, a.cost_per_post) == (12_000, Decimal(1500))
        assert b.cost_per_post == Decimal("810.00")

    def test_api_rows_mixing_currencies_refused(self) -> None:
        """Candidates given in Python with costs in EUR and USD are refused too."""
        from b2bfunnel.kol._portfolio import candidates_in

        rows = [
            {"handle": "@a", "followers": "5000", "avg_interactions": "10", "audience": "cto:0.5",
             "cost_per_post": "€500"},
            {"handle": "@b", "followers": "5000", "avg_interactions": "10", "audience": "cto:0.5",
             "cost_per_post": "$500"},
        ]  # fmt: skip
        with pytest.raises(bf.InvalidInputError, match="EUR, USD"):
            candidates_in(rows)

    def test_costs_read_two_ways_are_said(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """€1.500 without --decimal is 1.5 euros, and the data report says so (--strict: 2)."""
        candidates, brief = tmp_path / "c.csv", tmp_path / "brief.toml"
        candidates.write_text(
            "handle,followers,avg_interactions,audience,cost_per_post\n"
            "@a,5000,500,cto:0.6,\u20ac1.500\n@b,8000,300,cto:0.5,\u20ac2.000\n",
            encoding="utf-8",
        )
        brief.write_text('[brief]\ntarget_roles = ["cto"]\n', encoding="utf-8")
        assert run("kol", str(candidates), "--brief", str(brief), "--strict")[0] == 2
        assert "2 values of 'cost_per_post' read two ways" in capsys.readouterr().err
        assert run("kol", str(candidates), "--brief", str(brief), "--decimal", ",")[0] == 0
