"""The shipped sample data drives every module: deals carry their lead and account,
touches feed attribution, stage dates feed the funnel metrics, and ``funnel.toml`` is
a complete configuration. The files that the README's figures come from are those the
generator writes (scripts/make_demo_data.py, scripts/make_sample_links.py)."""

from __future__ import annotations

import csv
import importlib.util
import json
import shutil
import sys
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import b2bfunnel as bf
from b2bfunnel.cli import main

ROOT = Path(__file__).resolve().parent.parent
DATA = resources.files("b2bfunnel") / "data"
AS_OF = datetime.fromisoformat("2026-11-23T08:00:00+00:00")
STAGES = ["lead_at", "mql_at", "sql_at", "opportunity_at", "won_at"]


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _typed(rows: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Blank cells as None and times as aware datetimes, as a CRM reader gives them."""
    return [
        {
            k: (
                None
                if v == ""
                else datetime.fromisoformat(v)
                if k == "at" or k.endswith("_at")
                else v
            )
            for k, v in row.items()
        }
        for row in rows
    ]


def _is_time(column: str) -> bool:
    return column == "at" or column.endswith("_at")


def _script(name: str) -> ModuleType:
    """A script of scripts/ as a module; the import paths it adds are taken back."""
    saved = list(sys.path)
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def test_the_deals_keep_every_generated_value() -> None:
    """Only columns were added: the generator's deals, drawn again, are the file's."""
    synth = _script("make_demo_data")  # the generators it imports from benchmarks/synth.py
    drawn = list(synth.deal_rows(400, end=AS_OF))
    shipped = _rows("demo_deals.csv")
    assert [{k: row[k] for k in drawn[0]} for row in shipped] == drawn
    assert list(shipped[0])[len(drawn[0]) :] == ["lead_id", "account_id", "lead_created_at"]


def test_deals_belong_to_sample_leads_and_their_accounts() -> None:
    leads = _rows("demo_leads.csv")
    match = bf.match_accounts(leads, _rows("demo_accounts.csv"))
    account_ids = {row["id"] for row in _rows("demo_accounts.csv")}
    deals = _rows("demo_deals.csv")
    assert {d["lead_id"] for d in deals} <= {lead["id"] for lead in leads}
    for deal in deals:
        assert deal["account_id"] == (match.account_of(deal["lead_id"]) or ""), deal
        assert deal["lead_created_at"] <= deal["created_at"], deal
    with_account = {d["account_id"] for d in deals if d["account_id"]}
    assert with_account <= account_ids
    assert len(with_account) >= 60
    assert sum(1 for d in deals if not d["account_id"]) <= 5  # free-mail contacts only


def test_each_converter_has_the_deal_opened_when_it_converted() -> None:
    """demo_outcomes.csv's conversions (an opportunity opening) are the converters'
    deals, opened within ten days of the recorded time (no deal opens in the data's last
    five days)."""
    deals = defaultdict(list)
    for deal in _rows("demo_deals.csv"):
        deals[deal["lead_id"]].append(datetime.fromisoformat(deal["created_at"]))
    for outcome in _rows("demo_outcomes.csv"):
        at = datetime.fromisoformat(outcome["at"])
        gap = min(abs(created - at) for created in deals[outcome["lead_id"]])
        assert gap < timedelta(days=10), outcome


def test_kol_influenced_deals_have_a_kol_touch_in_their_journey() -> None:
    touches = defaultdict(list)
    for touch in _typed(_rows("demo_touches.csv")):
        touches[touch["lead_id"]].append(touch)
    for deal in _typed(_rows("demo_deals.csv")):
        created = deal["created_at"]
        journey = [
            t
            for t in touches[deal["lead_id"]]
            if created - timedelta(days=90) <= t["at"] <= created
        ]
        assert journey, deal
        if deal["influenced"] == "yes":
            assert any(t["kol"] for t in journey), deal


def test_attribution_runs_on_the_sample_and_adds_up() -> None:
    touches, deals = _typed(_rows("demo_touches.csv")), _typed(_rows("demo_deals.csv"))
    report = bf.attribute(touches, deals)
    won = sum(Decimal(d["amount"]) for d in deals if d["outcome"] == "won")
    assert report.revenue == won and report.won_deals == 99
    # A touch belongs to the first deal of its lead closing after it: repeat deals of
    # one lead leave some revenue without a journey of its own, a small share here.
    assert report.attributed == won - report.unattributed > won * Decimal("0.8")
    for model in report.models:
        assert sum(report.totals[model].values()) == report.attributed, model
    assert {"kol_webinar", "kol_post", "email"} <= set(report.totals["linear"])
    by_kol = bf.attribute(touches, deals, by="kol", models=["linear"]).totals["linear"]
    assert {"Ana Ruiz", "Carlos Vidal", "Tech Leaders Podcast"} <= set(by_kol)


def test_funnel_metrics_run_on_the_lifecycle_and_agree_with_the_deals() -> None:
    lifecycle = _typed(_rows("demo_lifecycle.csv"))
    assert len(lifecycle) == 300
    deals = defaultdict(list)
    for deal in _typed(_rows("demo_deals.csv")):
        deals[deal["lead_id"]].append(deal)
    for record in lifecycle:
        times = [record[s] for s in STAGES if record[s] is not None]
        assert times == sorted(times) and all(t <= AS_OF for t in times), record
        own = deals.get(record["lead_id"], [])
        assert record["opportunity_at"] == min((d["created_at"] for d in own), default=None)
        won = [d["closed_at"] for d in own if d["outcome"] == "won"]
        assert record["won_at"] == min(won, default=None)
    metrics = bf.funnel_metrics(lifecycle)
    assert metrics.stages[0].reached == 300
    assert metrics.stages[3].reached == len(deals)  # opportunities: the leads with a deal
    assert metrics.sqls > 0 and metrics.rejection_reasons


def test_funnel_toml_is_a_complete_configuration_for_the_sample() -> None:
    path = DATA / "funnel.toml"
    funnel = bf.Funnel.from_toml(path)  # type: ignore[arg-type]
    assert bf.ScoringModel.from_toml(path) == funnel.scoring  # type: ignore[arg-type]
    names = {row["name"] for row in _rows("demo_events.csv")}
    assert {rule.event for rule in funnel.scoring.implicit} <= names
    leads = _rows("demo_leads.csv")
    ranked = funnel.rank(leads, bf.events_from(_rows("demo_events.csv")), as_of=AS_OF)
    assert len(ranked) == 300 and set(ranked.bands()) == {"hot", "warm", "cold"}
    assert any(c.rule == "it_leader_at_large_company" for s in ranked for c in s.contributions)


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    """Linking the sample again, from its unlinked files, writes the shipped files."""
    for name in ("demo_leads.csv", "demo_accounts.csv", "demo_events.csv", "demo_outcomes.csv"):
        shutil.copyfile(str(DATA / name), tmp_path / name)
    unlinked = [{k: row[k] for k in list(row)[:6]} for row in _rows("demo_deals.csv")]
    with open(tmp_path / "demo_deals.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(unlinked[0]))
        writer.writeheader()
        writer.writerows(unlinked)
    _script("make_sample_links").main(tmp_path)
    for name in ("demo_deals.csv", "demo_touches.csv", "demo_lifecycle.csv"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_account_level_attribution_credits_the_sample() -> None:
    """Deals name demo_accounts.csv's ids; given that table, contacts meet them."""
    touches, deals = _typed(_rows("demo_touches.csv")), _typed(_rows("demo_deals.csv"))
    contacts, accounts = _rows("demo_leads.csv"), _rows("demo_accounts.csv")
    without = bf.attribute(touches, deals, models=["linear"], level="account", contacts=contacts)
    report = bf.attribute(
        touches, deals, models=["linear"], level="account", contacts=contacts, accounts=accounts
    )
    assert without.attributed < report.attributed
    assert report.attributed > report.revenue / 2
    assert sum(report.totals["linear"].values()) == report.attributed
    with pytest.raises(bf.InvalidInputError) as caught:
        bf.attribute(touches, deals, accounts=accounts)
    assert caught.value.path == "accounts"


def test_cli_account_attribution_takes_the_accounts_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    files = [str(DATA / f"demo_{name}.csv") for name in ("touches", "deals", "leads")]
    args = ["attribution", files[0], files[1], "--level", "account", "--leads", files[2],
            "--model", "linear", "--format", "json"]  # fmt: skip
    assert main([*args, "--accounts", str(DATA / "demo_accounts.csv")]) == 0
    with_accounts = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    without = json.loads(capsys.readouterr().out)
    assert Decimal(with_accounts["attributed"]) > Decimal(without["attributed"])


@pytest.mark.parametrize(
    ("flag", "purpose"),
    [
        ("--accounts", "matches the contacts of an account"),
        ("--contact-roles", "credits the contacts of an account"),
    ],
)
def test_account_files_need_level_account(
    flag: str, purpose: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file only ``--level account`` reads is refused at lead level, naming the fix."""
    files = [str(DATA / f"demo_{name}.csv") for name in ("touches", "deals", "accounts")]
    assert main(["attribution", files[0], files[1], flag, files[2]]) == 2
    assert f"{flag}: {flag} {purpose}: add --level account" in capsys.readouterr().err
