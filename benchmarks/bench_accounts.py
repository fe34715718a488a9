"""Account benchmarks: ``rank_accounts`` against ``rank`` of the same contacts (same
process, alternating runs, ratio printed; target <= 1.2x), and ``match_accounts``
contacts/s by account id, by e-mail domain (target >= 200,000/s) and with
``by_name=True`` (target >= 100,000/s).

Run: ``python benchmarks/bench_accounts.py [--contacts N] [--events N] [--accounts N]
[--rounds N]``. Sizes default to the targets (100,000 contacts, 2,000,000 events,
10,000 accounts). Times are CPU seconds of this process (the machine is shared).

Measured figures are kept in docs/performance.md.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from synth import COMPANY_A, COMPANY_B, event_rows, leads  # noqa: E402
from timing import best_of  # noqa: E402

import b2bfunnel as bf  # noqa: E402

AS_OF = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
FORMS = ["S.L.", "S.A.", "SLU", "Ltd", "GmbH", "Inc.", ""]


def population(
    n_contacts: int, n_accounts: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Contacts (synth's profiles with an e-mail at one of ``n_accounts`` companies,
    one in eight on free mail, a quarter at a sub-domain) and the accounts table."""
    rng = random.Random(5)
    companies = [
        f"{rng.choice(COMPANY_A)} {rng.choice(COMPANY_B)} {number}" for number in range(n_accounts)
    ]
    accounts = [
        {"id": f"A{j:05d}", "domain": f"www.company{j}.es", "name": f"{name} {rng.choice(FORMS)}",
         "employees": str(int(10 ** rng.uniform(1.0, 4.3)))}
        for j, name in enumerate(companies)
    ]  # fmt: skip
    contacts = leads(n_contacts)
    for number, contact in enumerate(contacts):
        j = rng.randrange(n_accounts)
        sub = rng.choice(["", "", "", "it.", "ventas."])
        domain = "gmail.com" if rng.random() < 0.125 else f"{sub}company{j}.es"
        contact["email"] = f"c{number}@{domain}"
        contact["company"] = f"{companies[j]} {rng.choice(FORMS)}"
    return contacts, accounts


def match_rates(
    contacts: list[dict[str, Any]], accounts: list[dict[str, Any]], rounds: int
) -> dict[str, float]:
    """Contacts matched per second: by id, by e-mail domain, and with names too."""
    with_ids = [{"id": c["id"], "account_id": f"A{k % 10_000:05d}"} for k, c in enumerate(contacts)]
    by_email = [{"id": c["id"], "email": c["email"]} for c in contacts]
    n = len(contacts)
    clock = time.process_time
    return {
        "id": n / best_of(rounds, lambda: bf.match_accounts(with_ids), clock),
        "email domain": n / best_of(rounds, lambda: bf.match_accounts(by_email, accounts), clock),
        "by_name=True": n
        / best_of(rounds, lambda: bf.match_accounts(contacts, accounts, by_name=True), clock),
    }


def rank_ratio(
    contacts: list[dict[str, Any]], accounts: list[dict[str, Any]], n_events: int, rounds: int
) -> tuple[float, float]:
    """Best CPU seconds of ``rank`` and of ``rank_accounts`` on the same data, measured
    alternately in this process."""
    ids = [c["id"] for c in contacts]
    events = [bf.Event(i, n, at, p) for i, n, at, p in event_rows(ids, n_events, end=AS_OF)]
    funnel = bf.Funnel()
    best_rank = best_accounts = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        funnel.rank(contacts, events, as_of=AS_OF)
        best_rank = min(best_rank, time.process_time() - start)
        start = time.process_time()
        ranked = funnel.rank_accounts(contacts, events, accounts=accounts, as_of=AS_OF)
        best_accounts = min(best_accounts, time.process_time() - start)
    assert len(ranked) == len(accounts)
    return best_rank, best_accounts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    contacts, accounts = population(args.contacts, args.accounts)
    print(f"{args.contacts:,} contacts, {args.events:,} events, {args.accounts:,} accounts")
    for how, rate in match_rates(contacts, accounts, args.rounds).items():
        print(f"match_accounts by {how:<13} {rate:>12,.0f} contacts/s")
    rank, ranked = rank_ratio(contacts, accounts, args.events, args.rounds)
    print(f"rank            {rank:8.2f} s CPU ({args.events / rank:,.0f} events/s)")
    print(f"rank_accounts   {ranked:8.2f} s CPU ({args.events / ranked:,.0f} events/s)")
    print(f"rank_accounts / rank: {ranked / rank:.3f}x (target <= 1.2x)")


if __name__ == "__main__":
    main()
