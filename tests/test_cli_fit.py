"""The ``fit`` command: the fitted model written as TOML, and the time split."""

from __future__ import annotations

import io
from pathlib import Path

from conftest import DEMO_CUTOFF, DEMO_INPUTS, demo_sample

import b2bfunnel as bf
from b2bfunnel.cli import main


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out), out.getvalue()


def test_fit_writes_a_toml_that_loads_as_the_fitted_model(tmp_path: Path) -> None:
    """``fit --out`` writes the model fit_points learns, and prints the time split."""
    target = tmp_path / "fitted.toml"
    status, text = run("fit", *DEMO_INPUTS, "--cutoff", "2026-09-24", "--out", str(target))
    fitted = bf.fit_points(*demo_sample(), cutoff=DEMO_CUTOFF, horizon_days=60)
    assert status == 0
    assert bf.ScoringModel.from_toml(target) == fitted.model
    assert bf.Funnel.from_toml(target).scoring == fitted.model
    assert "Time split: fitted as of 2026-07-26" in text and "difference" in text
