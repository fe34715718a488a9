"""The ``kol`` command: bad candidates located in their file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from b2bfunnel.cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_unknown_risk_flag_is_located_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown flag is reported at its file line and column, with no doubled prefix."""
    candidates, brief = tmp_path / "c.csv", tmp_path / "brief.toml"
    candidates.write_text(
        "handle,followers,audience,avg_interactions,risk_flags,cost_per_post\n"
        "@a,1000,cto:0.5,40,,100\n"
        "@b,5000,cto:0.4,100,provocative_tone;crypto_shilling,200\n",
        encoding="utf-8",
    )
    brief.write_text('[brief]\ntarget_roles = ["cto"]\n', encoding="utf-8")
    assert run("kol", str(candidates), "--brief", str(brief))[0] == 2
    err = capsys.readouterr().err
    assert f"{candidates}:3:risk_flags[1]: unknown risk flag 'crypto_shilling'" in err
    assert err.count(f"{candidates}:3") == 1


def test_a_planned_portfolio_says_its_currency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Costs written with € (a Spanish export's `1.200 €`) plan a portfolio in EUR: the
    JSON's currency and the table's sums say so; USD among them needs a rate."""
    candidates, brief = tmp_path / "c.csv", tmp_path / "brief.toml"
    candidates.write_text(
        "handle,followers,audience,avg_interactions,cost_per_post\n"
        '@a,1000,cto:0.5,40,"1.200,00 €"\n'
        '@b,5000,cto:0.4,100,"2.000,00 €"\n',
        encoding="utf-8",
    )
    brief.write_text('[brief]\ntarget_roles = ["cto"]\n', encoding="utf-8")
    common = ["kol", str(candidates), "--brief", str(brief), "--budget", "5000", "--decimal", ","]
    status, out = run(*common, "--format", "json")
    assert status == 0
    assert json.loads(out)["currency"] == "EUR"
    status, out = run(*common)
    assert status == 0 and "3200.00 EUR of 5000 EUR" in out.replace(",", "")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(candidates.read_text(encoding="utf-8") + '@c,800,cto:0.6,30,"$900.00"\n')
    assert (
        run("kol", str(mixed), "--brief", str(brief), "--budget", "5000", "--decimal", ",")[0] == 2
    )
