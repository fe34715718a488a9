"""The facade: one hot threshold shared by the scoring model and the nurture flow."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import b2bfunnel as bf

AT = datetime(2026, 11, 23, tzinfo=UTC)


class TestFacade:
    def test_a_plain_number_is_hot_by_the_scoring_threshold(self) -> None:
        """Funnel with scoring.hot_threshold 80: a score of 90 handed to the flow is hot."""
        funnel = bf.Funnel({"scoring": {"hot_threshold": 80}})
        assert funnel.flow.hot_threshold == 80
        state = funnel.flow.enroll("L1", at=AT)
        state, _ = funnel.flow.handle(state, bf.Event("L1", "pricing_page_visit", AT), score=90)
        assert state.status == "sales_ready"
        assert bf.Funnel.from_dict(funnel.to_dict()) == funnel

    def test_a_different_nurture_threshold_is_refused(self) -> None:
        """Two thresholds for one funnel would make 'hot' mean two things."""
        with pytest.raises(bf.ConfigError) as info:
            bf.Funnel({"scoring": {"hot_threshold": 80}, "nurture": {"hot_threshold": 90}})
        assert [p.path for p in info.value.problems] == ["nurture.hot_threshold"]
