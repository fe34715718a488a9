"""Account-level NPS: each B2B account one vote, or weighted (by ARR...)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import tzinfo
from typing import Any

import attrs

from .._companies import company_key
from .._display import Displayed
from .._stats import z_for
from ..errors import InvalidInputError
from ..tables._table import Columns, TableLike
from ._core import CATEGORY, SMALL_N
from ._survey import Response, read_answers


def _account_key(account: str) -> str:
    """The account's normalised company name (its stripped text when nothing is left)."""
    return company_key(account) or account.strip()


def _keyed_weights(weights: Any) -> dict[str, Any]:
    """``weights`` by normalised account name; two spellings of one account must agree."""
    if not isinstance(weights, Mapping):
        raise InvalidInputError(
            f"expected a mapping of account -> weight, got {type(weights).__name__}",
            path="weights",
        )
    keyed: dict[str, Any] = {}
    for account, w in weights.items():
        key = _account_key(str(account))
        if key in keyed and keyed[key] != w:
            raise InvalidInputError(
                f"two weights, {keyed[key]!r} and {w!r}, for one account {key!r}",
                path=f"weights[{account!r}]",
            )
        keyed[key] = w
    return keyed


@attrs.frozen(repr=False)
class AccountNPS(Displayed):
    """NPS with each account as one vote (or weighted, e.g. by ARR).

    Each account's own NPS (-100..100, from its respondents) is averaged with the
    weights. ``margin_of_error`` treats accounts as the sample: the weighted variance of
    the account scores over the effective number of accounts (Kish). With one respondent
    per account and equal weights the score is exactly the respondent-level NPS.

    With fewer than two accounts, or account scores that do not vary, the spread cannot
    be estimated: ``margin_of_error`` and ``interval`` are None and ``note`` says why.
    Below ``SMALL_N`` (30) accounts the normal interval is approximate, and ``note``
    says that too.
    """

    accounts: int
    respondents: int
    score: float
    margin_of_error: float | None
    interval: tuple[float, float] | None
    per_account: Mapping[str, float] = attrs.field(hash=False)
    confidence: float = 0.95
    note: str = ""
    skipped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "accounts": self.accounts,
            "respondents": self.respondents,
            "score": self.score,
            "margin_of_error": self.margin_of_error,
            "interval": None if self.interval is None else list(self.interval),
            "per_account": dict(self.per_account),
            "confidence": self.confidence,
            "note": self.note,
            "skipped": self.skipped,
        }

    def _rows(self) -> list[dict[str, Any]]:
        return [{"account": k, "score": v} for k, v in self.per_account.items()]


def account_nps(
    responses: TableLike | Iterable[Response],
    *,
    weights: Mapping[str, float] | None = None,
    confidence: float = 0.95,
    columns: Columns | None = None,
    decimal: str | None = None,
    date_format: str | Sequence[str] | None = None,
    timezone: str | tzinfo | None = None,
    values: Mapping[str, Any] | None = None,
    skip_invalid: bool = False,
) -> AccountNPS:
    """Account-level NPS of B2B responses (each with an ``account``).

    Accounts are joined by their normalised company name, as :func:`match_accounts`
    joins them (case, accents, punctuation and legal forms ignored): ``Acme, S.L.`` and
    ``ACME SL`` are one account, shown as first written. ``weights`` are looked up the
    same way.

    >>> import b2bfunnel as bf
    >>> rs = [bf.Response(10, account="Acme"), bf.Response(3, account="Acme"),
    ...       bf.Response(9, account="Nova")]
    >>> r = bf.account_nps(rs)
    >>> r.score, dict(r.per_account)
    (50.0, {'Acme': 0.0, 'Nova': 100.0})
    >>> bf.account_nps(rs, weights={"Acme": 3, "Nova": 1}).score
    25.0
    >>> more = [bf.Response(9, account="ACME, S.L."), bf.Response(10, account="acmé sl")]
    >>> dict(bf.account_nps([*rs, *more]).per_account)
    {'Acme': 50.0, 'Nova': 100.0}
    """
    answers, skipped = read_answers(
        responses,
        columns=columns,
        decimal=decimal,
        date_format=date_format,
        timezone=timezone,
        values=values,
        skip_invalid=skip_invalid,
    )
    counts: dict[str, list[int]] = {}
    shown: dict[str, str] = {}  # normalised name -> the account as first written
    for index, response in enumerate(answers):
        if response.account is None:
            raise InvalidInputError("has no account", path=f"responses[{index}].account")
        key = _account_key(response.account)
        name = shown.setdefault(key, response.account)
        counts.setdefault(name, [0, 0, 0])[CATEGORY[response.score]] += 1
    per_account = {a: 100 * (c[0] - c[2]) / sum(c) for a, c in counts.items()}
    if weights is None:
        weight = dict.fromkeys(per_account, 1.0)
    else:
        keyed = _keyed_weights(weights)
        weight = {}
        for account in per_account:
            w = keyed.get(_account_key(account))
            if (
                isinstance(w, bool)
                or not isinstance(w, int | float)
                or not math.isfinite(w)
                or w < 0
            ):
                raise InvalidInputError(
                    f"expected a weight >= 0 for account {account!r}, got {w!r}",
                    path=f"weights[{account!r}]",
                )
            weight[account] = float(w)
    total = sum(weight.values())
    if total <= 0:
        raise InvalidInputError("the weights sum to zero", path="weights")
    mean = sum(weight[a] * x for a, x in per_account.items()) / total
    spread = sum(weight[a] * (x - mean) ** 2 for a, x in per_account.items()) / total
    effective = total**2 / sum(w * w for w in weight.values())
    z = z_for(confidence)
    count = len(per_account)
    if count < 2 or spread == 0:
        why = "one account" if count < 2 else "every account has the same NPS"
        note = f"{why}: the spread between accounts, and so the interval, is unknown"
        return AccountNPS(count, len(answers), mean, None, None, per_account, confidence, note,
                          skipped)  # fmt: skip
    margin = z * math.sqrt(spread / effective)
    low, high = max(-100.0, mean - margin), min(100.0, mean + margin)
    note = (
        f"{count} accounts, below {SMALL_N}: the interval is approximate" if count < SMALL_N else ""
    )
    return AccountNPS(count, len(answers), mean, margin, (low, high), per_account, confidence,
                      note, skipped)  # fmt: skip
