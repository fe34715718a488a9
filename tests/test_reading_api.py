"""One set of reading options: every entry point that takes a table takes the same
keyword-only options, and reads a table with them the same way."""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import b2bfunnel as bf
from b2bfunnel.evaluation import fit_decay, fit_points, time_split
from b2bfunnel.pipeline import FunnelTally, PathCounts, VelocityTally
from b2bfunnel.surveys import ces_report, comment_themes

READING = {
    "columns": None,
    "decimal": None,
    "date_format": None,
    "timezone": None,
    "values": None,
    "skip_invalid": False,
}
MONEY = {"currency": None, "rates": None}

# Every public function or method that takes a table, and whether it reads amounts.
TAKES_TABLES: list[tuple[str, Callable[..., Any], bool]] = [
    ("events_from", bf.events_from, False),
    ("data_report", bf.data_report, False),
    ("evaluate", bf.evaluate, False),
    ("fit_points", fit_points, False),
    ("fit_decay", fit_decay, False),
    ("time_split", time_split, False),
    ("attribute", bf.attribute, True),
    ("funnel_metrics", bf.funnel_metrics, False),
    ("velocity_from_deals", bf.velocity_from_deals, True),
    ("compare_velocity", bf.compare_velocity, True),
    ("VelocityTally.of", VelocityTally.of, True),
    ("FunnelTally.of", FunnelTally.of, False),
    ("PathCounts.from_touches", PathCounts.from_touches, True),
    ("nps_report", bf.nps_report, False),
    ("account_nps", bf.account_nps, False),
    ("ces_report", ces_report, False),
    ("comment_themes", comment_themes, False),
    ("plan_portfolio", bf.plan_portfolio, True),
    ("match_accounts", bf.match_accounts, False),
    ("ScoringModel.rank", bf.ScoringModel.rank, False),
    ("ScoringModel.score", bf.ScoringModel.score, False),
    ("Funnel.rank", bf.Funnel.rank, False),
    ("Funnel.score", bf.Funnel.score, False),
    ("Funnel.rank_accounts", bf.Funnel.rank_accounts, False),
    ("Funnel.score_account", bf.Funnel.score_account, False),
    ("Funnel.simulate", bf.Funnel.simulate, False),
]


@pytest.mark.parametrize(
    ("name", "function", "money"), TAKES_TABLES, ids=[case[0] for case in TAKES_TABLES]
)
def test_the_same_keyword_only_options(
    name: str, function: Callable[..., Any], money: bool
) -> None:
    """Each entry point has the reading options as keyword-only parameters with the same
    defaults, and the money options exactly where it reads amounts."""
    parameters = inspect.signature(function).parameters
    wanted = {**READING, **(MONEY if money else {})}
    for option, default in wanted.items():
        assert option in parameters, f"{name} lacks {option}="
        parameter = parameters[option]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}: {option}"
        assert parameter.default == default, f"{name}: {option}={parameter.default!r}"
    if not money:
        assert not set(MONEY) & set(parameters), f"{name} reads no amounts"


def _public_callables() -> dict[str, Callable[..., Any]]:
    """Every public function, and every public method of a public class, by name."""
    found: dict[str, Callable[..., Any]] = {}
    for module_name in ("b2bfunnel", *(f"b2bfunnel.{m}" for m in PACKAGES)):
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if inspect.isclass(value):
                for attr, member in vars(value).items():
                    function = getattr(member, "__func__", member)
                    if inspect.isfunction(function) and not attr.startswith("_"):
                        found[f"{name}.{attr}"] = function
            elif inspect.isfunction(value):
                found[name] = value
    return found


PACKAGES = ("accounts", "evaluation", "kol", "pipeline", "scoring", "surveys", "tables")


def test_every_entry_point_taking_a_table_is_listed() -> None:
    """A public callable with a table parameter (``TableLike``) is in TAKES_TABLES, so
    the checks above cover it."""
    listed = {name for name, _, _ in TAKES_TABLES}
    taking = {
        name
        for name, function in _public_callables().items()
        if any("TableLike" in str(p.annotation)
               for p in inspect.signature(function).parameters.values())
    }  # fmt: skip
    assert taking <= listed, sorted(taking - listed)


# --- the same table written four ways ----------------------------------------------

ZONE = ZoneInfo("Europe/Madrid")
DAY_FIRST = "%d/%m/%Y %H:%M"


def t(day: int, hour: int = 9) -> datetime:
    """A time in October 2026, Madrid (days over 12: day-first is unambiguous)."""
    return datetime(2026, 10, day, hour, 30, tzinfo=ZONE)


def comma(number: Any) -> str:
    """``number`` as a Spanish spreadsheet writes it: ``1.200,5``."""
    text = f"{Decimal(number):,}"
    return text.translate(str.maketrans(",.", ".,"))


Date = Callable[[datetime], Any]
Number = Callable[[Any], Any]
Case = Callable[[Date, Number, Mapping[str, Any]], Any]

# (how dates are written, how numbers are written, the options that read them)
WAYS: dict[str, tuple[Date, Number, dict[str, Any]]] = {
    "decimal_comma": (lambda d: d, comma, {"decimal": ","}),
    "day_first": (lambda d: d.strftime(DAY_FIRST), lambda n: n,
                  {"date_format": DAY_FIRST, "timezone": "Europe/Madrid"}),
    "naive_in_zone": (lambda d: d.strftime("%Y-%m-%d %H:%M"), lambda n: n,
                      {"timezone": ZONE}),
}  # fmt: skip
PLAIN: tuple[Date, Number] = (lambda d: d, lambda n: n)

MODEL = bf.ScoringModel.from_dict(
    {
        "explicit": [{"name": "big", "when": {"field": "employees", "gte": 1000}, "points": 20}],
        "implicit": [{"name": "webinar", "event": "webinar_completed", "points": 10}],
    }
)
FUNNEL = bf.Funnel({"scoring": MODEL.to_dict()})
AS_OF = t(30)


def profiles(d: Date, n: Number) -> list[dict[str, Any]]:
    return [
        {"id": "L1", "employees": n(1200), "email": "a@acme.es", "lead_at": d(t(13))},
        {"id": "L2", "employees": n(40), "email": "b@nova.es", "lead_at": d(t(14))},
    ]


def events(d: Date) -> list[dict[str, Any]]:
    return [
        {"lead_id": "L1", "name": "webinar_completed", "at": d(t(15))},
        {"lead_id": "L2", "name": "webinar_completed", "at": d(t(16))},
        {"lead_id": "L2", "name": "pricing_page_visit", "at": d(t(17))},
    ]


def deals(d: Date, n: Number) -> list[dict[str, Any]]:
    return [
        {"lead_id": "L1", "created_at": d(t(14)), "closed_at": d(t(24)),
         "amount": n(Decimal("1200.50")), "outcome": "won", "kol": True},
        {"lead_id": "L2", "created_at": d(t(15)), "closed_at": d(t(20)),
         "amount": n(Decimal("300.25")), "outcome": "lost", "kol": False},
        {"lead_id": "L3", "created_at": d(t(16)), "amount": n(Decimal("800")),
         "outcome": "open", "kol": False},
        {"lead_id": "L4", "created_at": d(t(13)), "closed_at": d(t(19)),
         "amount": n(Decimal("2000")), "outcome": "won", "kol": False},
    ]  # fmt: skip


def touches(d: Date) -> list[dict[str, Any]]:
    return [
        {"lead_id": "L1", "at": d(t(13)), "channel": "email"},
        {"lead_id": "L1", "at": d(t(18)), "channel": "kol_webinar"},
        {"lead_id": "L4", "at": d(t(14)), "channel": "paid_search"},
    ]


def lifecycle(d: Date) -> list[dict[str, Any]]:
    return [
        {"lead_at": d(t(13)), "mql_at": d(t(15)), "sql_at": d(t(17)),
         "first_contact_at": d(t(17, 20))},
        {"lead_at": d(t(14)), "mql_at": d(t(16))},
    ]  # fmt: skip


def responses(d: Date) -> list[dict[str, Any]]:
    return [
        {"score": 10, "at": d(t(13)), "account": "Acme", "comment": "great support"},
        {"score": 3, "at": d(datetime(2026, 11, 14, 9, tzinfo=ZONE)), "account": "Nova",
         "comment": "slow support"},
        {"score": 7, "at": d(t(15)), "account": "Acme"},
    ]  # fmt: skip


def candidates(n: Number) -> list[dict[str, Any]]:
    return [
        {"handle": "@a", "followers": n(5000), "audience": "cto:0.8",
         "avg_interactions": n(200), "cost_per_post": n(Decimal("500.50"))},
        {"handle": "@b", "followers": n(12000), "audience": "cto:0.5",
         "avg_interactions": n(300), "cost_per_post": n(Decimal("700.25"))},
    ]  # fmt: skip


def mine(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events of lead L1."""
    return [row for row in rows if row["lead_id"] == "L1"]


OUTCOMES = [{"lead_id": "L1", "at": t(28)}]


def ranked(ranking: Any) -> list[tuple[str, float]]:
    return [(s.lead_id, s.total) for s in ranking]


def figures(report: bf.VelocityReport) -> tuple[Any, ...]:
    return (report.opportunities, report.won, report.lost, report.avg_deal_value,
            report.win_rate, report.cycle_days, report.velocity)  # fmt: skip


CASES: dict[str, Case] = {
    "events_from": lambda d, n, o: [
        (e.lead_id, e.name, e.at) for e in bf.events_from(events(d), **o)],
    "data_report": lambda d, n, o: bf.data_report(MODEL, profiles(d, n), events(d), **o).events,
    "evaluate": lambda d, n, o: bf.evaluate(
        MODEL, profiles(d, n), events(d), [{**r, "at": d(r["at"])} for r in OUTCOMES],
        cutoff=t(20), horizon_days=9, data_end=AS_OF, **o).to_dict()["auc"],
    "attribute": lambda d, n, o: bf.attribute(touches(d), deals(d, n), models=["linear"],
                                              **o).totals,
    "funnel_metrics": lambda d, n, o: bf.funnel_metrics(lifecycle(d), **o).to_dict(),
    "velocity_from_deals": lambda d, n, o: figures(
        bf.velocity_from_deals(deals(d, n), as_of=AS_OF, **o)),
    "compare_velocity": lambda d, n, o: {
        k: figures(r) for k, r in bf.compare_velocity(
            deals(d, n), by="kol", as_of=AS_OF, samples=20, **o).items()},
    "VelocityTally.of": lambda d, n, o: figures(
        VelocityTally.of(deals(d, n), as_of=AS_OF, **o).report()),
    "FunnelTally.of": lambda d, n, o: FunnelTally.of(lifecycle(d), **o).metrics().to_dict(),
    "PathCounts.from_touches": lambda d, n, o: PathCounts.from_touches(
        touches(d), deals(d, n), as_of=AS_OF, **o).steps,
    "nps_report": lambda d, n, o: bf.nps_report(responses(d), period="month",
                                                **o).to_dict()["cells"],
    "account_nps": lambda d, n, o: bf.account_nps(responses(d), **o).to_dict(),
    "ces_report": lambda d, n, o: ces_report(
        [{**r, "score": 1 + r["score"] % 7} for r in responses(d)], period="month",
        **o).to_dict()["cells"],
    "comment_themes": lambda d, n, o: comment_themes(
        responses(d), {"support": ["support"]}, **o).to_dict(),
    "plan_portfolio": lambda d, n, o: bf.plan_portfolio(
        candidates(n), bf.KOLBrief(target_roles=["cto"]), 1000, **o).to_dict()["selected"],
    "match_accounts": lambda d, n, o: bf.match_accounts(profiles(d, n), **o).accounts,
    "ScoringModel.rank": lambda d, n, o: ranked(
        MODEL.rank(profiles(d, n), events(d), as_of=AS_OF, **o)),
    "ScoringModel.score": lambda d, n, o: MODEL.score(
        profiles(d, n)[0], mine(events(d)), as_of=AS_OF, **o).total,
    "Funnel.rank": lambda d, n, o: ranked(
        FUNNEL.rank(profiles(d, n), events(d), as_of=AS_OF, **o)),
    "Funnel.score": lambda d, n, o: FUNNEL.score(
        profiles(d, n)[0], mine(events(d)), as_of=AS_OF, **o).total,
    "Funnel.rank_accounts": lambda d, n, o: [
        (a.account_id, a.total) for a in FUNNEL.rank_accounts(
            profiles(d, n), events(d), as_of=AS_OF, **o)],
    "Funnel.score_account": lambda d, n, o: FUNNEL.score_account(
        "acme.es", profiles(d, n), events(d), as_of=AS_OF, **o).total,
    "Funnel.simulate": lambda d, n, o: {
        k: s.step for k, (s, _) in FUNNEL.simulate(
            profiles(d, n), events(d), until=AS_OF, **o).items()},
}  # fmt: skip


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("name", list(CASES))
def test_a_table_reads_the_same_written_any_way(name: str, way: str) -> None:
    """Decimal commas, day-first dates with date_format and naive times with timezone
    give what the same table of Python values gives."""
    case = CASES[name]
    date, number, options = WAYS[way]
    assert case(date, number, options) == case(*PLAIN, {})


def test_the_cases_are_not_trivial() -> None:
    """The figures compared above are real ones, checked by hand here."""
    assert CASES["ScoringModel.rank"](*PLAIN, {}) == [("L1", 30.0), ("L2", 10.0)]
    report = figures(bf.velocity_from_deals(deals(*PLAIN), as_of=AS_OF))
    assert report[:4] == (1, 2, 1, Decimal("1600.25"))
    assert CASES["attribute"](*PLAIN, {})["linear"] == {
        "email": Decimal("600.25"), "kol_webinar": Decimal("600.25"),
        "paid_search": Decimal("2000.00"),
    }  # fmt: skip


@pytest.mark.parametrize("name", list(CASES))
def test_without_the_options_such_a_table_is_refused(name: str) -> None:
    """The options matter: a day-first table is refused without date_format."""
    if name in ("plan_portfolio", "match_accounts", "data_report"):
        pytest.skip("reads no dates")
    date, number, _ = WAYS["day_first"]
    with pytest.raises(bf.InvalidInputError):
        CASES[name](date, number, {})


# --- bad rows ------------------------------------------------------------------------

BAD_DATE = "not a date"


def _with_bad_row(name: str, monkeypatch: pytest.MonkeyPatch) -> Callable[[Mapping[str, Any]], Any]:
    """The case of ``name`` with one more row, whose date (or number, or id) is bad."""

    def d(value: Any) -> Any:
        return value

    def with_bad(rows: list[dict[str, Any]], field: str, value: Any = BAD_DATE) -> list[Any]:
        return [*rows, {**rows[-1], field: value, "id": "LX", "lead_id": "LX"}]

    here = sys.modules[__name__]
    if name in ("nps_report", "account_nps", "ces_report", "comment_themes"):
        bad = [*responses(d), {"score": 9, "at": BAD_DATE, "account": "Nova"}]
        monkeypatch.setattr(here, "responses", lambda _d: bad)
    elif name in ("velocity_from_deals", "compare_velocity", "VelocityTally.of"):
        rows = with_bad(deals(d, d), "created_at")
        monkeypatch.setattr(here, "deals", lambda _d, _n: rows)
    elif name in ("attribute", "PathCounts.from_touches"):
        rows = with_bad(touches(d), "at")
        monkeypatch.setattr(here, "touches", lambda _d: rows)
    elif name in ("funnel_metrics", "FunnelTally.of"):
        rows = with_bad(lifecycle(d), "mql_at")
        monkeypatch.setattr(here, "lifecycle", lambda _d: rows)
    elif name == "plan_portfolio":
        rows = with_bad(candidates(d), "followers", "lots")
        monkeypatch.setattr(here, "candidates", lambda _n: rows)
    elif name == "match_accounts":  # a contact without an id
        rows = [*profiles(d, d), {"email": "x@acme.es"}]
        monkeypatch.setattr(here, "profiles", lambda _d, _n: rows)
    elif name == "evaluate":  # an outcome with a bad date
        monkeypatch.setattr(here, "OUTCOMES", [*OUTCOMES, {"lead_id": "L2", "at": BAD_DATE}])
    else:  # an event with a bad date
        rows = [*events(d), {"lead_id": "L1", "name": "x", "at": BAD_DATE}]
        monkeypatch.setattr(here, "events", lambda _d: rows)
    return lambda options: CASES[name](d, d, options)


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_row_is_refused_or_skipped(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad row raises at its place; with skip_invalid=True the rest reads as if it
    were not there."""
    want = CASES[name](*PLAIN, {})
    case = _with_bad_row(name, monkeypatch)
    with pytest.raises(bf.InvalidInputError) as caught:
        case({})
    assert caught.value.path, "the error says where"
    assert case({"skip_invalid": True}) == want


# --- the facade's defaults -----------------------------------------------------------


def test_funnel_rank_reads_input_decimal_on_a_dataframe() -> None:
    """[input] decimal=',' reads '1.200' employees in a DataFrame as 1200; an explicit
    decimal= wins over the configuration."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": ["L1", "L2"], "employees": ["1.200", "40"]})
    funnel = bf.Funnel({"scoring": MODEL.to_dict(), "input": {"decimal": ","}})
    assert ranked(funnel.rank(frame, [], as_of=AS_OF)) == [("L1", 20.0), ("L2", 0.0)]
    assert ranked(funnel.rank(frame, [], as_of=AS_OF, decimal=".")) == [
        ("L1", 0.0), ("L2", 0.0)
    ]  # fmt: skip


def test_funnel_methods_take_input_values_and_dates() -> None:
    """[input] date_format and timezone, and [values], read what the methods are given."""
    config = {
        "scoring": MODEL.to_dict(),
        "input": {"date_format": DAY_FIRST, "timezone": "Europe/Madrid"},
        "values": {"name": {"webinar_completed": ["Webinar Attended"]}},
    }
    rows = [{"lead_id": "L1", "name": "Webinar Attended", "at": t(15).strftime(DAY_FIRST)}]
    funnel = bf.Funnel(config)
    assert funnel.score({"id": "L1"}, rows, as_of=AS_OF).total == 10.0
    with pytest.raises(bf.InvalidInputError):
        funnel.score({"id": "L1"}, rows, as_of=AS_OF, date_format="%Y")


def test_events_from_maps_columns() -> None:
    """columns= maps lead_id, name and at, and names the properties it maps."""
    rows = [{"Lead": "L1", "Event": "webinar_completed", "When": t(15), "Page": "/pricing"}]
    (event,) = bf.events_from(
        rows, columns={"lead_id": "Lead", "name": "Event", "at": "When", "page": "Page"}
    )
    assert (event.lead_id, event.at, dict(event.properties)) == ("L1", t(15), {"page": "/pricing"})


def test_funnel_qualify_reads_values() -> None:
    """[values.budget] maps a CRM's answer in Funnel.qualify as in b2bfunnel qualify."""
    row = {"budget": "Aprobado"}
    funnel = bf.Funnel({"values": {"budget": {"approved": ["Aprobado"]}}})
    assert "budget" not in funnel.qualify(row).missing
    assert "budget" not in bf.Funnel().qualify(row, values=funnel.input.values).missing
    with pytest.raises(bf.InvalidInputError):
        bf.Funnel().qualify(row)


def test_rank_takes_an_events_dataframe() -> None:
    """An events DataFrame given to rank is read as a table, not refused as 'str'."""
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(events(lambda d: d.strftime(DAY_FIRST)))
    got = MODEL.rank(profiles(*PLAIN), frame, as_of=AS_OF, date_format=DAY_FIRST,
                     timezone="Europe/Madrid")  # fmt: skip
    assert ranked(got) == [("L1", 30.0), ("L2", 10.0)]


# --- deals read by the one reader --------------------------------------------------


def test_compare_velocity_reads_crm_text() -> None:
    """EUR 12.500,00, 15/10/2026 and Closed Won work in compare_velocity as in velocity."""
    rows = [
        {"created_at": "01/10/2026", "closed_at": "15/10/2026", "amount": "EUR 12.500,00",
         "outcome": "Closed Won", "kol": True},
        {"created_at": "02/10/2026", "closed_at": "20/10/2026", "amount": "EUR 2.000,00",
         "outcome": "Closed Won", "kol": False},
        {"created_at": "03/10/2026", "amount": "EUR 1.000,00", "outcome": "Prospecting",
         "kol": False},
    ]  # fmt: skip
    options = {"decimal": ",", "date_format": "%d/%m/%Y", "timezone": "Europe/Madrid",
               "values": {"outcome": {"won": ["Closed Won"], "open": "*"}}}  # fmt: skip
    got = bf.compare_velocity(rows, by="kol", as_of=AS_OF, samples=10, **options)
    assert got[True].avg_deal_value == Decimal("12500.00")
    assert got[True].currency == "EUR"
    assert (got[False].won, got[False].opportunities) == (1, 1)
    tally = VelocityTally.of(rows, as_of=AS_OF, **options).report()
    assert tally.avg_deal_value == (Decimal("12500.00") + Decimal("2000.00")) / 2
    assert tally.currency == "EUR"
    dollars = VelocityTally.of([{**rows[0], "amount": "USD 1.000,00"}], as_of=AS_OF, **options)
    with pytest.raises(bf.InvalidInputError, match="EUR"):
        VelocityTally.of(rows, as_of=AS_OF, **options).merge(dollars)


def test_a_bad_outcome_or_amount_is_a_skippable_row() -> None:
    """An unknown outcome and an unreadable amount are bad rows: skipped (and said) with
    skip_invalid, else refused at their place."""
    rows = [*deals(*PLAIN), {**deals(*PLAIN)[0], "outcome": "maybe"},
            {**deals(*PLAIN)[0], "amount": "lots"}]  # fmt: skip
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.velocity_from_deals(rows, as_of=AS_OF)
    assert caught.value.path == "deals[4].outcome"
    report = bf.velocity_from_deals(rows, as_of=AS_OF, skip_invalid=True)
    assert figures(report) == figures(bf.velocity_from_deals(deals(*PLAIN), as_of=AS_OF))
    assert any("skipped 2 bad rows" in note for note in report.notes)


def test_every_bad_row_is_reported_at_once() -> None:
    """Two bad rows of different fields: one error naming both, at the first."""
    rows = deals(*PLAIN)
    rows[1] = {**rows[1], "closed_at": "someday"}
    rows[3] = {**rows[3], "amount": "lots"}
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.velocity_from_deals(rows, as_of=AS_OF)
    assert caught.value.path == "deals[1].closed_at"
    assert "2 bad rows" in caught.value.message
    assert "deals[3].amount: 'lots'" in caught.value.message
    touch_rows = [*touches(PLAIN[0]), {"lead_id": "L1", "at": "x", "channel": "a"},
                  {"lead_id": "L1", "at": "y", "channel": "b"}]  # fmt: skip
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.funnel_metrics(touch_rows, date_format=DAY_FIRST)
    assert caught.value.message.count("records[") == 2


# --- currencies of touches ----------------------------------------------------------


def _valued_touches() -> list[dict[str, Any]]:
    return [
        {"lead_id": "L1", "at": t(13), "channel": "email", "value": "€10.00"},
        {"lead_id": "L1", "at": t(18), "channel": "kol_webinar", "value": "USD 20.00"},
        {"lead_id": "L4", "at": t(14), "channel": "paid_search", "value": "30.00"},
    ]


def test_touch_values_in_two_currencies_are_refused() -> None:
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.attribute(_valued_touches(), deals(*PLAIN), models=["linear"])
    assert "EUR" in caught.value.message and "USD" in caught.value.message
    assert caught.value.path == "touches.value"


def test_touch_values_converted_with_rates() -> None:
    """currency= and rates= convert touch values; the report says the currency."""
    eur = [{**d, "amount": f"€{d['amount']}"} for d in deals(*PLAIN)]
    report = bf.attribute(_valued_touches(), eur, models=["linear"], currency="EUR",
                          rates={"USD": "0.90"})  # fmt: skip
    assert report.currency == "EUR"
    assert report.to_dict()["currency"] == "EUR"
    assert report.revenue == Decimal("3200.50")
    assert "$" not in str(report.to_dict())


def test_a_deals_currency_is_the_reports() -> None:
    eur = [{**d, "amount": f"{d['amount']} EUR"} for d in deals(*PLAIN)]
    report = bf.attribute(touches(PLAIN[0]), eur, models=["linear"])
    assert report.currency == "EUR"


# --- the command line ----------------------------------------------------------------


def _attribution(tmp_path: Any, touch_rows: str, *flags: str) -> tuple[int, str]:
    """``b2bfunnel attribution`` of ``touch_rows`` and one won deal: exit code, output."""
    from io import StringIO

    from b2bfunnel.cli import main

    touches_file = tmp_path / "touches.csv"
    touches_file.write_text("lead_id,at,channel,value\n" + touch_rows, encoding="utf-8")
    deals_file = tmp_path / "deals.csv"
    deals_file.write_text(
        "lead_id,created_at,closed_at,amount,outcome\n"
        "L1,2026-10-14T00:00:00Z,2026-10-24T00:00:00Z,€1200.50,won\n",
        encoding="utf-8",
    )
    out = StringIO()
    try:
        code = main(["attribution", str(touches_file), str(deals_file), *flags], out)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return code, out.getvalue()


def test_cli_refuses_touch_values_in_two_currencies(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """--currency and --rate convert touch values as they do deal amounts; the sums say
    their currency, never '$'."""
    rows = "L1,2026-10-13T00:00:00Z,email,€10.00\nL1,2026-10-18T00:00:00Z,kol,USD 20.00\n"
    code, _ = _attribution(tmp_path, rows)
    assert code == 2
    err = capsys.readouterr().err
    assert "EUR" in err and "USD" in err and "--currency" in err
    code, out = _attribution(tmp_path, rows, "--currency", "EUR", "--rate", "USD=0.9")
    assert code == 0
    assert "1200.50 EUR" in out and "$" not in out


def test_cli_skips_a_bad_touch_value(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A touch value that is no amount is a bad row at its line; --skip-invalid skips it
    and says so."""
    rows = "L1,2026-10-13T00:00:00Z,email,10.00\nL1,2026-10-18T00:00:00Z,kol,lots\n"
    code, _ = _attribution(tmp_path, rows)
    assert code == 2
    assert "touches.csv:3:value" in capsys.readouterr().err
    code, out = _attribution(tmp_path, rows, "--skip-invalid")
    assert code == 0
    assert "skipped 1 bad row (--skip-invalid)" in capsys.readouterr().err
    assert "kol" not in out.split("\n\n")[0]
