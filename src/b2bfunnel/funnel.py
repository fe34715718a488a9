"""The facade: one configuration, every module of the funnel behind one object."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from ._config import Reader, load_toml
from .bant import Qualification, QualificationPolicy, qualify
from .bant._policy import read_policy
from .errors import ConfigError
from .events import Event
from .kol import KOLBrief, KOLCandidate, KOLConfig, KOLFit, kol_fit
from .kol._model import read_config as read_kol
from .nurture import NurtureFlow
from .nurture._flow import read_flow
from .scoring import Score, ScoringModel
from .scoring._model import read_model

__all__ = ["Funnel"]

SECTIONS = ("scoring", "qualification", "kol", "nurture")


def _read(data: Any) -> dict[str, Any]:
    reader = Reader()
    table = reader.table(data, "", SECTIONS)
    fields: dict[str, Any] = {}
    if table is not None:
        if "scoring" in table:
            scoring = read_model(table["scoring"], "scoring", reader)
            if scoring is not None:
                fields["scoring"] = ScoringModel(**scoring)
        if "kol" in table:
            kol = read_kol(table["kol"], "kol", reader)
            if kol is not None:
                fields["kol"] = KOLConfig(**kol)
        if "nurture" in table:
            flow = read_flow(table["nurture"], "nurture", reader)
            if flow is not None:
                fields["flow"] = NurtureFlow(**flow)
        if "qualification" in table:
            policy = read_policy(table["qualification"], "qualification", reader)
            if policy is not None:
                fields["qualification"] = QualificationPolicy(**policy)
    reader.raise_if_any("funnel configuration")
    return fields


@attrs.frozen(init=False)
class Funnel:
    """The funnel's modules configured together; ``Funnel()`` uses every default.

    ``scoring`` (:class:`ScoringModel`), ``qualification`` (:class:`QualificationPolicy`),
    ``kol`` (:class:`KOLConfig`) and ``flow`` (:class:`NurtureFlow`) come from the
    sections of the same names (``flow`` from ``nurture``).

    >>> import b2bfunnel as bf
    >>> funnel = bf.Funnel({"scoring": {"hot_threshold": 80}})
    >>> funnel.scoring.hot_threshold
    80
    """

    scoring: ScoringModel
    qualification: QualificationPolicy
    kol: KOLConfig
    flow: NurtureFlow

    def __init__(self, config: Mapping[str, Any] | None = None) -> None:
        fields = _read(config if config is not None else {})
        self.__attrs_init__(
            scoring=fields.get("scoring") or ScoringModel.default(),
            qualification=fields.get("qualification") or QualificationPolicy.default(),
            kol=fields.get("kol") or KOLConfig(),
            flow=fields.get("flow") or NurtureFlow.default(),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Funnel:
        """Build from a mapping of sections (``scoring``, ...); all problems reported at once."""
        return cls(data)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> Funnel:
        """Build from a TOML file holding any of the supported sections."""
        data = load_toml(path)
        try:
            return cls(data)
        except ConfigError as exc:
            raise ConfigError(exc.problems, what=f"configuration in {os.fspath(path)}") from None

    def to_dict(self) -> dict[str, Any]:
        """Every section as plain data; ``Funnel.from_dict(f.to_dict()) == f``."""
        return {
            "scoring": self.scoring.to_dict(),
            "qualification": self.qualification.to_dict(),
            "kol": self.kol.to_dict(),
            "nurture": self.flow.to_dict(),
        }

    def score(
        self, profile: Mapping[str, Any], events: Iterable[Event], *, as_of: datetime
    ) -> Score:
        """Score one lead with the funnel's scoring model (see :meth:`ScoringModel.score`)."""
        return self.scoring.score(profile, events, as_of=as_of)

    def rank(
        self, profiles: Iterable[Mapping[str, Any]], events: Iterable[Event], *, as_of: datetime
    ) -> list[Score]:
        """Rank leads best first (see :meth:`ScoringModel.rank`)."""
        return self.scoring.rank(profiles, events, as_of=as_of)

    def qualify(
        self,
        answers: Mapping[str, Any],
        *,
        as_of: datetime | None = None,
        language: str | None = None,
    ) -> Qualification:
        """Qualify a lead with the funnel's ``[qualification]`` policy (see :func:`qualify`)."""
        return qualify(answers, policy=self.qualification, as_of=as_of, language=language)

    def kol_fit(self, candidate: KOLCandidate, brief: KOLBrief) -> KOLFit:
        """A KOL's fit with the funnel's ``[kol]`` weights and norms (see :func:`kol_fit`)."""
        return kol_fit(candidate, brief, config=self.kol)
