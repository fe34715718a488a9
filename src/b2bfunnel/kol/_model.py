"""KOL briefs, candidates and the scoring configuration (``[kol]``)."""

from __future__ import annotations

import functools
import math
import os
from bisect import bisect_right
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any, SupportsIndex

import attrs

from .._config import Reader, did_you_mean, join, load_toml, read_all
from .._money import money
from .._text import fold
from ..errors import InvalidInputError
from ..tables._values import as_whole, is_blank, require_items, require_iterable

# Tier bounds by followers (lower bound inclusive).
TIERS = (
    ("below_nano", 0),
    ("nano", 1_000),
    ("micro", 10_000),
    ("macro", 100_000),
    ("mega", 1_000_000),
)
# Median engagement rate by follower band, HypeAuditor 2018 (Instagram, about 37,000
# accounts, March 2018): (min followers, median). The source measures engagement as
# (likes + comments) / followers; DOMAIN.md's rate also counts shares (docs/kol.md).
HYPEAUDITOR_2018 = (
    (0, 0.1699),
    (1_000, 0.0645),
    (5_000, 0.0376),
    (20_000, 0.0263),
    (100_000, 0.0257),
    (1_000_000, 0.0256),
)
COMPONENTS = ("affinity", "engagement", "relevance", "authenticity", "risk", "cost")
DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "affinity": 0.40,
        "engagement": 0.20,
        "relevance": 0.15,
        "authenticity": 0.10,
        "risk": 0.05,
        "cost": 0.10,
    }
)
VETO, WARNING, NOTICE = "veto", "warning", "notice"
SEVERITIES = (VETO, WARNING, NOTICE)
DEFAULT_FLAGS: Mapping[str, str] = MappingProxyType(
    {
        "extreme_political_statements": VETO,
        "public_conflict_with_competitors": VETO,
        "toxic_sentiment": VETO,
        "hate_speech": VETO,
        "undisclosed_sponsorships": WARNING,
        "past_association_with_competitor": WARNING,
        "controversial_statements": WARNING,
        "negative_sentiment_spike": WARNING,
        "provocative_tone": NOTICE,
    }
)
CONFIG_KEYS = (
    "weights",
    "engagement_norms",
    "flags",
    "warning_penalty",
    "warning_points",
    "vetting_days",
    "bot_engagement_ratio",
    "growth_spike",
    "excellent_micro_rate",
)


# Counts and money beyond these are typos (no account has 10**15 followers, no post
# costs 10**15), and would only make float and decimal arithmetic overflow.
MAX_COUNT = 10**15
MAX_AMOUNT = Decimal(10) ** 15


def tier_of(followers: int) -> str:
    """The tier of a follower count: below_nano, nano, micro, macro or mega."""
    if isinstance(followers, bool) or not isinstance(followers, int) or followers < 0:
        raise InvalidInputError(
            f"expected a whole number >= 0, got {followers!r}", path="followers"
        )
    return tier_by_count(followers)


_TIER_BOUNDS = tuple(low for _, low in TIERS)


def tier_by_count(followers: int) -> str:
    """:func:`tier_of` for a count already checked (a candidate's)."""
    return TIERS[bisect_right(_TIER_BOUNDS, followers) - 1][0]


def _shares(value: Mapping[str, float] | None, name: str) -> Mapping[str, float]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise InvalidInputError(f"expected a mapping of {name} to shares 0..1", path=name)
    total = 0.0
    out = {}
    for key, share in value.items():
        where = f"{name}[{key!r}]"
        if not isinstance(key, str) or not key.strip():
            raise InvalidInputError("expected a non-empty name", path=where)
        if (
            isinstance(share, bool)
            or not isinstance(share, int | float)
            or not (math.isfinite(share) and 0 <= share <= 1)
        ):
            raise InvalidInputError(f"expected a share 0..1, got {share!r}", path=where)
        total += share
        out[fold(key)] = float(share)
    if total > 1 + 1e-9:
        raise InvalidInputError(f"shares sum to {total:g}, more than 1", path=name)
    return MappingProxyType(out)


def _names(value: Collection[str], name: str) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Collection):
        raise InvalidInputError(f"expected a list of names, got {value!r}", path=name)
    out = set()
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InvalidInputError(
                f"expected a non-empty name, got {item!r}", path=f"{name}[{index}]"
            )
        out.add(fold(item))
    return frozenset(out)


def _target_roles(value: Collection[str]) -> frozenset[str]:
    return _names(value, "brief.target_roles")


def _brief_topics(value: Collection[str]) -> frozenset[str]:
    return _names(value, "brief.topics")


def _target_industries(value: Collection[str]) -> frozenset[str]:
    return _names(value, "brief.target_industries")


def _target_seniority(value: Collection[str]) -> frozenset[str]:
    return _names(value, "brief.target_seniority")


def _candidate_topics(value: Collection[str]) -> frozenset[str]:
    return _names(value, "candidate.topics")


def _audience(value: Mapping[str, float] | None) -> Mapping[str, float]:
    return _shares(value, "candidate.audience")


def _industries(value: Mapping[str, float] | None) -> Mapping[str, float]:
    return _shares(value, "candidate.industries")


def _seniority(value: Mapping[str, float] | None) -> Mapping[str, float]:
    return _shares(value, "candidate.seniority")


def _alternative_cpc(value: Decimal | int | float | str) -> Decimal:
    return money(value, "brief.alternative_cpc")


def _reference_cpm(value: Decimal | int | float | str) -> Decimal:
    return money(value, "brief.reference_cpm")


def _price(value: Decimal | int | float | str | None, path: str) -> Decimal | None:
    if is_blank(value):  # None, or NaN / NA from a DataFrame: not given
        return None
    amount = money(value, path)
    if amount > MAX_AMOUNT:
        raise InvalidInputError(f"expected an amount up to 10^15, got {value!r}", path=path)
    return amount


def _cost_per_post(value: Decimal | int | float | str | None) -> Decimal | None:
    return _price(value, "candidate.cost_per_post")


def _campaign_cost(value: Decimal | int | float | str | None) -> Decimal | None:
    return _price(value, "candidate.campaign_cost")


def _risk_flags(value: Collection[str]) -> tuple[str, ...]:
    return tuple(require_items(value, str, "candidate.risk_flags", "flags", "a flag name"))


def _whole(value: float | SupportsIndex) -> float | SupportsIndex:
    """A numpy integer as an ``int``; anything else as it is, for the validator."""
    whole = as_whole(value)
    return value if whole is None else whole


def _whole_count(value: SupportsIndex) -> SupportsIndex:
    """:func:`_whole` of a count that must be whole (a float is refused)."""
    whole = as_whole(value)
    return value if whole is None else whole


def _optional_count(value: float | SupportsIndex | None) -> float | SupportsIndex | None:
    """Blank (None, NaN, pandas NA) as None; a numpy integer as an ``int``."""
    return None if value is None or is_blank(value) else _whole(value)


def _count(name: str, optional: bool = False) -> Any:
    def check(_inst: object, _attr: attrs.Attribute[Any], value: Any) -> None:
        if optional and value is None:
            return
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (math.isfinite(value) if isinstance(value, float) else True)
            or not 0 <= value <= MAX_COUNT
        ):
            raise InvalidInputError(f"expected a number 0..10^15, got {value!r}", path=name)

    return check


def _history(value: Iterable[tuple[date, int]] | None) -> tuple[tuple[date, int], ...]:
    if value is None:
        return ()
    if isinstance(value, str | Mapping) or not isinstance(value, Iterable):
        raise InvalidInputError(
            f"expected (date, followers) pairs, got {type(value).__name__}",
            path="candidate.follower_history",
        )
    out = []
    for index, item in enumerate(value):
        where = f"candidate.follower_history[{index}]"
        if not (isinstance(item, tuple | list) and len(item) == 2 and isinstance(item[0], date)):
            raise InvalidInputError("expected (date, followers) pairs", path=where)
        if isinstance(item[1], bool) or not isinstance(item[1], int) or item[1] < 0:
            raise InvalidInputError(f"expected a follower count >= 0, got {item[1]!r}", path=where)
        out.append((item[0], item[1]))
    return tuple(sorted(out))


@attrs.frozen
class KOLBrief:
    """What the brand looks for: the audience's roles (and optionally industries and
    seniority), the topics, and the alternative channel to beat on cost.

    ``alternative_cpc`` defaults to LinkedIn Ads' $5.58 (DOMAIN.md; a B2B newsletter
    sponsorship averaged $1.71). ``reference_cpm`` is the cost per 1,000 qualified reach
    that scores as "on par" (default $100, the top of the typical $10-100 per 1,000
    followers per post).
    """

    target_roles: frozenset[str] = attrs.field(converter=_target_roles)
    topics: frozenset[str] = attrs.field(default=(), converter=_brief_topics)
    target_industries: frozenset[str] = attrs.field(default=(), converter=_target_industries)
    target_seniority: frozenset[str] = attrs.field(default=(), converter=_target_seniority)
    alternative_cpc: Decimal = attrs.field(default=Decimal("5.58"), converter=_alternative_cpc)
    alternative_channel: str = "LinkedIn Ads"
    reference_cpm: Decimal = attrs.field(default=Decimal("100"), converter=_reference_cpm)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.alternative_channel, str):
            raise InvalidInputError(
                f"expected a channel name, got {self.alternative_channel!r}",
                path="brief.alternative_channel",
            )
        if not self.target_roles:
            raise InvalidInputError("name at least one target role", path="brief.target_roles")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> KOLBrief:
        """A brief from plain data (a ``[brief]`` TOML table)."""
        if not isinstance(data, Mapping):
            raise InvalidInputError("expected a table", path="brief")
        known = [f.name for f in attrs.fields(cls)]
        for key in data:
            if key not in known:
                raise InvalidInputError(
                    f"unknown key{did_you_mean(str(key), known)}; allowed: {', '.join(known)}",
                    path=f"brief.{key}",
                )
        if "target_roles" not in data:
            raise InvalidInputError("is required", path="brief.target_roles")
        return cls(**data)


@attrs.frozen
class KOLCandidate:
    """A possible key opinion leader, as measured and vetted.

    ``audience`` maps role -> share of followers (shares sum to at most 1), likewise the
    optional ``industries`` and ``seniority``; ``avg_interactions`` is likes + comments
    + shares per post; ``reach`` the average accounts reached per post, if known;
    ``risk_flags`` the vetting's findings; ``vetting_days`` how much posting history
    the vetting covered; ``clicks`` and ``campaign_cost`` a past campaign's figures;
    ``follower_history`` (date, followers) samples, to spot bought followers.
    """

    handle: str = attrs.field()
    followers: int = attrs.field(converter=_whole_count)
    audience: Mapping[str, float] = attrs.field(converter=_audience, hash=False)
    avg_interactions: float = attrs.field(
        converter=_whole, validator=_count("candidate.avg_interactions")
    )
    topics: frozenset[str] = attrs.field(default=(), converter=_candidate_topics)
    risk_flags: tuple[str, ...] = attrs.field(default=(), converter=_risk_flags)
    cost_per_post: Decimal | None = attrs.field(default=None, converter=_cost_per_post)
    industries: Mapping[str, float] = attrs.field(default=None, converter=_industries, hash=False)
    seniority: Mapping[str, float] = attrs.field(default=None, converter=_seniority, hash=False)
    reach: int | None = attrs.field(
        default=None, converter=_optional_count, validator=_count("candidate.reach", True)
    )
    vetting_days: int | None = attrs.field(
        default=None, converter=_optional_count, validator=_count("candidate.vetting_days", True)
    )
    clicks: int | None = attrs.field(
        default=None, converter=_optional_count, validator=_count("candidate.clicks", True)
    )
    campaign_cost: Decimal | None = attrs.field(default=None, converter=_campaign_cost)
    follower_history: tuple[tuple[date, int], ...] = attrs.field(default=(), converter=_history)

    @handle.validator
    def _check_handle(self, _attr: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            raise InvalidInputError(
                f"expected a non-empty handle, got {value!r}", path="candidate.handle"
            )

    @followers.validator
    def _check_followers(self, _attr: attrs.Attribute[Any], value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise InvalidInputError(
                f"expected a whole number 0..10^15, got {value!r}", path="candidate.followers"
            )


@attrs.frozen
class KOLConfig:
    """How fits are scored (the ``[kol]`` section). Defaults are documented in
    ``docs/kol.md`` and ``docs/configuration.md``."""

    weights: Mapping[str, float] = attrs.field(default=DEFAULT_WEIGHTS, hash=False)
    engagement_norms: tuple[tuple[int, float], ...] = HYPEAUDITOR_2018
    flags: Mapping[str, str] = attrs.field(default=DEFAULT_FLAGS, hash=False)
    warning_penalty: float = 0.35
    warning_points: float = 10.0
    vetting_days: int = 730
    bot_engagement_ratio: float = 0.25
    growth_spike: float = 0.25
    excellent_micro_rate: float = 0.03

    def __attrs_post_init__(self) -> None:
        for name in ("weights", "flags"):
            if not isinstance(getattr(self, name), Mapping):
                raise InvalidInputError(f"expected a table, got {getattr(self, name)!r}", path=name)
        reader = Reader()
        read_config(self.to_dict(), "kol", reader)
        reader.raise_if_any("kol configuration")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "kol") -> KOLConfig:
        """Build from ``[kol]`` data; every problem is reported at once."""
        return cls(**read_all(read_config, data, path, "kol configuration"))

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> KOLConfig:
        """Build from the ``[kol]`` section of a TOML file."""
        return cls.from_dict(load_toml(path).get("kol", {}))

    def to_dict(self) -> dict[str, Any]:
        """The configuration as ``[kol]`` data."""
        return {
            "weights": dict(self.weights),
            "engagement_norms": [
                {"min_followers": m, "median": r} for m, r in self.engagement_norms
            ],
            "flags": dict(self.flags),
            "warning_penalty": self.warning_penalty,
            "warning_points": self.warning_points,
            "vetting_days": self.vetting_days,
            "bot_engagement_ratio": self.bot_engagement_ratio,
            "growth_spike": self.growth_spike,
            "excellent_micro_rate": self.excellent_micro_rate,
        }

    def check_flags(self, flags: Sequence[str], path: str = "candidate.risk_flags") -> None:
        """Refuse a flag this configuration does not know, at ``path[index]``."""
        check_flags(flags, self, path)

    def norm(self, followers: int) -> float:
        """The median engagement rate of the follower band of ``followers``."""
        if isinstance(followers, bool) or not isinstance(followers, int | float):
            raise InvalidInputError(
                f"expected a follower count, got {type(followers).__name__}", path="followers"
            )
        return self._norm_rates[bisect_right(self._norm_bounds, followers) - 1]

    @functools.cached_property
    def _norm_bounds(self) -> tuple[int, ...]:
        return tuple(low for low, _ in self.engagement_norms)

    @functools.cached_property
    def _norm_rates(self) -> tuple[float, ...]:
        return tuple(rate for _, rate in self.engagement_norms)

    @functools.cached_property
    def component_weights(self) -> tuple[float, ...]:
        """The weights in the order of ``COMPONENTS``, scaled so the largest is 1: only
        their ratios matter, and huge or tiny weights (1e200, 1e-200) then neither
        overflow nor vanish when summed."""
        top = max(self.weights[name] for name in COMPONENTS)
        return tuple(self.weights[name] / top for name in COMPONENTS)


def read_config(data: Any, path: str, reader: Reader) -> dict[str, Any] | None:
    """Read a ``[kol]`` table into :class:`KOLConfig` fields."""
    table = reader.table(data, path, CONFIG_KEYS)
    if table is None:
        return None
    before = len(reader.problems)
    fields: dict[str, Any] = {}
    if "weights" in table:
        fields["weights"] = _read_weights(table["weights"], join(path, "weights"), reader)
    if "engagement_norms" in table:
        where = join(path, "engagement_norms")
        fields["engagement_norms"] = _read_norms(table["engagement_norms"], where, reader)
    if "flags" in table:
        fields["flags"] = _read_flags(table["flags"], join(path, "flags"), reader)
    if "warning_points" in table:
        points = reader.number(table["warning_points"], join(path, "warning_points"), minimum=0)
        if points is not None and points > 100:
            reader.error(join(path, "warning_points"), f"must be at most 100, got {points!r}")
        fields["warning_points"] = points
    for key, kind in (
        ("warning_penalty", "share"),
        ("vetting_days", "days"),
        ("bot_engagement_ratio", "share"),
        ("growth_spike", "share"),
        ("excellent_micro_rate", "share"),
    ):
        if key in table:
            value = reader.number(
                table[key], join(path, key), exclusive_minimum=0, integer=kind == "days"
            )
            if value is not None and kind == "share" and key != "growth_spike" and value > 1:
                reader.error(join(path, key), f"must be at most 1, got {value!r}")
            fields[key] = value
    if len(reader.problems) != before:
        return None
    return fields


def _read_weights(data: Any, where: str, reader: Reader) -> Mapping[str, float]:
    """``[kol.weights]`` over the default weights; they must not sum to zero."""
    weights = reader.table(data, where, DEFAULT_WEIGHTS) or {}
    merged = dict(DEFAULT_WEIGHTS)
    for name, value in weights.items():
        if reader.number(value, join(where, name), minimum=0) is not None:
            merged[name] = float(value)
    if sum(merged.values()) <= 0:
        reader.error(where, "the weights sum to zero")
    return MappingProxyType(merged)


def _read_norms(data: Any, where: str, reader: Reader) -> tuple[tuple[int, float], ...]:
    """``[[kol.engagement_norms]]``: bands by increasing ``min_followers`` from 0."""
    norms: list[tuple[int, float]] = []
    for index, item in enumerate(reader.array(data, where, non_empty=True) or ()):
        at = join(where, index)
        spec = reader.table(
            item, at, ("min_followers", "median"), required=("min_followers", "median")
        )
        if spec is None or "min_followers" not in spec or "median" not in spec:
            continue
        low = reader.number(
            spec["min_followers"], join(at, "min_followers"), minimum=0, integer=True
        )
        rate = reader.number(spec["median"], join(at, "median"), exclusive_minimum=0)
        if low is not None and rate is not None:
            if norms and low <= norms[-1][0]:
                reader.error(
                    join(at, "min_followers"), "list the bands by increasing min_followers"
                )
            norms.append((int(low), float(rate)))
    if norms and norms[0][0] != 0:
        reader.error(join(join(where, 0), "min_followers"), "the first band starts at 0")
    return tuple(norms)


def _read_flags(spec: Any, where: str, reader: Reader) -> Mapping[str, str]:
    """``[kol.flags]``: flag names to severities, over the built-in flags."""
    flags = dict(DEFAULT_FLAGS)
    if not isinstance(spec, Mapping):
        reader.error(where, "expected a table of flag names to severities")
    else:
        for name, severity in spec.items():
            if reader.string(severity, join(where, str(name)), choices=SEVERITIES) is not None:
                flags[str(name)] = severity
    return MappingProxyType(flags)


def check_flags(flags: Sequence[str], config: KOLConfig, path: str) -> None:
    """Every flag must be known (built in, or declared with a severity in ``[kol.flags]``)."""
    for index, flag in enumerate(require_iterable(flags, path, "flag names")):
        if flag not in config.flags:
            raise InvalidInputError(
                f"unknown risk flag {flag!r}{did_you_mean(str(flag), config.flags)}; known: "
                f"{', '.join(sorted(config.flags))} (declare your own under [kol.flags] with "
                "a severity: veto, warning or notice)",
                path=f"{path}[{index}]",
            )
