"""Regenerate the demo data set shipped in ``src/b2bfunnel/data`` (deterministic)."""

from __future__ import annotations

import csv
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "scripts"))

from make_sample_links import main as link_sample  # noqa: E402
from synth import (  # noqa: E402
    account_rows,
    contact_emails,
    deal_rows,
    event_rows,
    leads,
    outcome_rows,
    survey_rows,
)

AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def main() -> None:
    data = ROOT / "src" / "b2bfunnel" / "data"
    profiles = leads(300)
    # E-mail addresses come last, drawn apart: every other column stays as it was.
    emails = contact_emails(profiles)
    with open(data / "demo_leads.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*profiles[0], "email"])
        writer.writeheader()
        writer.writerows({**p, "email": e} for p, e in zip(profiles, emails, strict=True))
    accounts = account_rows(profiles)
    with open(data / "demo_accounts.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(accounts[0]))
        writer.writeheader()
        writer.writerows(accounts)
    rows = sorted(event_rows([p["id"] for p in profiles], 4000, end=AS_OF), key=lambda r: r[2])
    with open(data / "demo_events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_id", "name", "at", "path"])
        for lead_id, name, at, props in rows:
            writer.writerow([lead_id, name, at.isoformat(), props.get("path", "")])
    # Outcomes drawn from the documented ground truth (synth.TRUTH, docs/evaluation.md).
    outcomes = outcome_rows(profiles, rows, end=AS_OF)
    with open(data / "demo_outcomes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["lead_id", "at"])
        writer.writeheader()
        writer.writerows(outcomes)
    survey = list(survey_rows(420, start=datetime(2025, 11, 20, tzinfo=UTC)))
    with open(data / "demo_survey.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(survey[0]))
        writer.writeheader()
        writer.writerows(survey)
    deals = list(deal_rows(400, end=AS_OF))
    with open(data / "demo_deals.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(deals[0]))
        writer.writeheader()
        writer.writerows(deals)
    (data / "demo.toml").write_text(
        "# The demo data set's 'today': the call list is computed as of this moment.\n"
        f'[demo]\nas_of = {AS_OF.isoformat()}\nsector = "saas"\n'
        "\n# The scoring check: fit as of fit_cutoff, compare with the default as of cutoff.\n"
        "[demo.evaluation]\nfit_cutoff = 2026-07-01T00:00:00+00:00\n"
        "cutoff = 2026-09-24T00:00:00+00:00\nhorizon_days = 60\n",
        encoding="utf-8",
    )
    # Deals gain their lead, account and stage dates; touches and lifecycle beside them.
    link_sample(data)


if __name__ == "__main__":
    main()
