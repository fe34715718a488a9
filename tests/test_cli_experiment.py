"""``b2bfunnel experiment``: plan and compare, against the library's own results."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import b2bfunnel as bf
from b2bfunnel.cli import main
from b2bfunnel.nurture import NurtureState

T0 = datetime(2026, 1, 5, 9, tzinfo=UTC)


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_plan_prints_leads_per_arm() -> None:
    """plan prints arm_sample_size's figure; with three arms the Bonferroni one."""
    assert run("experiment", "plan", "--baseline", "0.05", "--lift", "0.2") == (
        0,
        "8158 leads per arm, 16316 in all\n",
    )
    status, text = run(
        "experiment",
        "plan",
        "--baseline",
        "0.05",
        "--lift",
        "0.2",
        "--arms",
        "3",
        "--format",
        "json",
    )
    per_arm = bf.arm_sample_size(0.05, 0.2, arms=3)
    assert status == 0 and json.loads(text) == {"per_arm": per_arm, "total": 3 * per_arm}


def test_compare_reads_states_and_outcomes(tmp_path: Path) -> None:
    """compare on saved states and an outcomes CSV equals compare_arms on the same data."""
    states, outcomes = [], []
    for arm, n, x in (("A", 150, 15), ("B", 150, 40)):
        for i in range(n):
            lead = f"{arm}{i}"
            states.append(
                NurtureState(lead, "nurturing", 1, T0, T0, arms={"s": arm}, assigned_at={"s": T0})
            )
            if i < x:
                outcomes.append((lead, (T0 + timedelta(days=3)).isoformat()))
    (tmp_path / "states.json").write_text(json.dumps([s.to_dict() for s in states]))
    (tmp_path / "outcomes.csv").write_text(
        "lead_id;at\n" + "".join(f"{lead};{at}\n" for lead, at in outcomes), encoding="utf-8"
    )
    args = [
        "experiment",
        "compare",
        "--states",
        str(tmp_path / "states.json"),
        "--outcomes",
        str(tmp_path / "outcomes.csv"),
        "--split",
        "s",
        "--horizon-days",
        "30",
        "--as-of",
        "2026-03-01",
    ]
    status, text = run(*args, "--format", "json")
    expected = bf.compare_arms(
        states,
        [{"lead_id": lead, "at": at} for lead, at in outcomes],
        split="s",
        horizon_days=30,
        as_of=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert status == 0 and json.loads(text) == expected.to_dict()
    status, text = run(*args)
    assert status == 0 and "winner: B" in text and "A (control)" in text


def test_compare_refuses_bad_states(tmp_path: Path) -> None:
    """A states file that is not JSON is an error naming the file, exit status 2."""
    (tmp_path / "s.json").write_text("{not json")
    (tmp_path / "o.csv").write_text("lead_id,at\n")
    status, _ = run(
        "experiment", "compare", "--states", str(tmp_path / "s.json"), "--outcomes",
        str(tmp_path / "o.csv"), "--split", "s", "--horizon-days", "30", "--as-of", "2026-03-01",
    )  # fmt: skip
    assert status == 2
