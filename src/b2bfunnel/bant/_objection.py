"""Is "it's too expensive" a price objection, or distrust in disguise?"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .._config import did_you_mean
from .._display import Displayed
from ..errors import InvalidInputError
from ._frameworks import ROLES

# signal -> (points to "price" when true, points to "distrust" when true)
SIGNALS: Mapping[str, tuple[int, int]] = {
    "asks_about_roi": (1, 0),
    "avoids_results": (0, 1),
    "asks_for_comparisons": (1, 0),
    "names_no_alternative": (0, 1),
    "postpones_indefinitely": (0, 1),
}
REASONS = {
    "asks_about_roi": "asks about ROI",
    "avoids_results": "avoids talking about expected results",
    "asks_for_comparisons": "asks for detailed comparisons with competitors",
    "names_no_alternative": "names no specific alternative",
    "postpones_indefinitely": "postpones the decision indefinitely",
}
RESPONSES = {
    "price": "Answer with ROI material: a business case with payback period, total cost of "
    "ownership and a comparison on the criteria the buyer named.",
    "distrust": "Answer with trust material: case studies from similar companies, "
    "certifications, references the buyer can call; lowering the price will not help.",
    "unclear": "Ask about the results they expect and the alternatives they consider before "
    "answering on price.",
}
ECONOMIC_BUYER = (
    "Reach the economic buyer: without budget visibility, this speaker is the "
    "classic source of a fake 'too expensive'."
)


@attrs.frozen(repr=False)
class ObjectionDiagnosis(Displayed):
    """``verdict`` is ``price``, ``distrust`` or ``unclear``; ``reasons`` the signals
    behind it; ``responses`` what to do, most important first."""

    verdict: str
    reasons: tuple[str, ...]
    responses: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        return {
            "verdict": self.verdict,
            "reasons": list(self.reasons),
            "responses": list(self.responses),
        }


def diagnose_price_objection(
    signals: Mapping[str, Any],
    *,
    decision_days: int | None = None,
    speaker_role: str | None = None,
    quick_decision_days: int = 30,
) -> ObjectionDiagnosis:
    """Read DOMAIN.md's signals: real price objections ask about ROI, compare competitors
    in detail and decide within about 30 days; distrust avoids results, names no
    alternative and postpones indefinitely.

    ``signals`` maps signal names to booleans (missing or None = not observed):
    ``asks_about_roi``, ``avoids_results``, ``asks_for_comparisons``,
    ``names_no_alternative``, ``postpones_indefinitely``. ``decision_days`` is when they
    say they will decide. A ``speaker_role`` other than ``economic_buyer`` adds the advice
    to reach the economic buyer.

    >>> d = diagnose_price_objection({"asks_about_roi": True, "asks_for_comparisons": True},
    ...                              decision_days=20)
    >>> d.verdict, len(d.reasons), d.reasons[-1]
    ('price', 3, 'decides within 20 days')
    >>> diagnose_price_objection({"avoids_results": True, "names_no_alternative": True},
    ...                          speaker_role="end_user").verdict
    'distrust'
    """
    if not isinstance(signals, Mapping):
        raise InvalidInputError(
            f"expected a mapping of signals, got {type(signals).__name__}", path="signals"
        )
    if type(quick_decision_days) is not int or quick_decision_days < 0:
        raise InvalidInputError(
            f"expected a whole number of days >= 0, got {quick_decision_days!r}",
            path="quick_decision_days",
        )
    price = distrust = 0
    reasons = []
    for name, value in signals.items():
        if name not in SIGNALS:
            raise InvalidInputError(
                f"unknown signal {name!r}{did_you_mean(str(name), SIGNALS)}; "
                f"allowed: {', '.join(SIGNALS)}",
                path=f"signals.{name}",
            )
        if value is None:
            continue
        if not isinstance(value, bool):
            raise InvalidInputError(
                f"expected true, false or None, got {value!r}", path=f"signals.{name}"
            )
        if value:
            to_price, to_distrust = SIGNALS[name]
            price += to_price
            distrust += to_distrust
            reasons.append(REASONS[name])
    if decision_days is not None:
        if type(decision_days) is not int or decision_days < 0:
            raise InvalidInputError(
                f"expected a whole number of days >= 0, got {decision_days!r}", path="decision_days"
            )
        if decision_days <= quick_decision_days:
            price += 1
            reasons.append(f"decides within {decision_days} days")
        else:
            reasons.append(f"decides in {decision_days} days, later than {quick_decision_days}")
    if speaker_role is not None and speaker_role not in (*ROLES, "none"):
        raise InvalidInputError(
            f"unknown role {speaker_role!r}; allowed: {', '.join(ROLES)}, none", path="speaker_role"
        )
    if price >= 2 and price > distrust:
        verdict = "price"
    elif distrust >= 2 and distrust > price:
        verdict = "distrust"
    else:
        verdict = "unclear"
    responses = [RESPONSES[verdict]]
    if speaker_role is not None and speaker_role != "economic_buyer":
        responses.insert(0, ECONOMIC_BUYER)
        reasons.append(f"the speaker is a {speaker_role.replace('_', ' ')}, not the economic buyer")
    return ObjectionDiagnosis(verdict, tuple(reasons), tuple(responses))
