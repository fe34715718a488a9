"""The ``kol`` command: bad candidates located in their file."""

from __future__ import annotations

import io
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
