"""Salesforce's two id forms: the 18-character checksum, and the hint given when one
table holds the 15-character form of another's ids."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import b2bfunnel as bf
from b2bfunnel.cli import main
from b2bfunnel.tables._shapes import salesforce_18, salesforce_id_hint

ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class TestChecksum:
    @pytest.mark.parametrize(
        ("short", "long"),
        [
            # By hand: 00Q5g -> Q is 3rd (bit 2) = 4 = E; 00000 -> 0 = A; ABCDE -> 31 = 5.
            ("00Q5g00000ABCDE", "00Q5g00000ABCDEEA5"),
            # Salesforce's own documented example: 001D0 -> D 4th (bit 3) = 8 = I;
            # 00000 -> A; IqhSL -> I, S, L (bits 0, 3, 4) = 25 = Z.
            ("001D000000IqhSL", "001D000000IqhSLIAZ"),
            # 00Q5e -> E; 00000 -> A; AbCdE -> A, C, E (bits 0, 2, 4) = 21 = V.
            ("00Q5e00000AbCdE", "00Q5e00000AbCdEEAV"),
            ("000000000000000", "000000000000000AAA"),
        ],
    )
    def test_known_ids(self, short: str, long: str) -> None:
        """The checksum of ids worked out by hand."""
        assert salesforce_18(short) == long

    @given(st.text(st.sampled_from(ID_CHARS), min_size=15, max_size=15))
    def test_each_checksum_letter_spells_its_chunks_capitals(self, short: str) -> None:
        """Read back, each checksum character's index is a bit per capital of its five
        (an independent reading: the index in the alphabet, its binary digits)."""
        long = salesforce_18(short)
        assert long[:15] == short and len(long) == 18
        for k, char in enumerate(long[15:]):
            value = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345".index(char)
            chunk = short[5 * k : 5 * k + 5]
            assert [bool(value >> i & 1) for i in range(5)] == [c.isupper() for c in chunk]

    def test_a_case_change_is_another_record(self) -> None:
        """Two 15-character ids differing in case have different 18-character forms."""
        assert salesforce_18("00Q5g00000ABCDE") != salesforce_18("00Q5g00000aBCDE")


class TestHint:
    def test_matching_forms_are_counted_both_ways(self) -> None:
        """A 15-character id in either table whose 18-character form is in the other."""
        assert salesforce_id_hint(["00Q5g00000ABCDE"], ["00Q5g00000ABCDEEA5"]) == 1
        assert salesforce_id_hint(["001D000000IqhSLIAZ"], ["001D000000IqhSL"]) == 1
        # The 18-character form is case-safe: a lower-cased one still matches.
        assert salesforce_id_hint(["00Q5g00000ABCDE"], ["00q5g00000abcdeea5"]) == 1

    def test_a_wrong_checksum_is_another_record(self) -> None:
        """Same first 15 characters, another checksum: not the same record, no hint."""
        assert salesforce_id_hint(["00Q5g00000ABCDE"], ["00Q5g00000ABCDEAAA"]) == 0
        assert salesforce_id_hint(["00Q5g00000abcde"], ["00Q5g00000ABCDEEA5"]) == 0

    def test_equal_ids_need_no_hint(self) -> None:
        assert salesforce_id_hint(["00Q5g00000ABCDE"], ["00Q5g00000ABCDE"]) == 0

    def test_data_report_hints_events_of_short_ids(self) -> None:
        """Profiles keyed by 18-character ids, events by the 15-character ones."""
        at = datetime(2026, 11, 20, tzinfo=UTC)
        report = bf.data_report(
            bf.ScoringModel.default(),
            [{"id": "001D000000IqhSLIAZ"}, {"id": "00Q5g00000ABCDEEA5"}],
            [
                bf.Event("001D000000IqhSL", "webinar_completed", at),
                bf.Event("00Q5g00000ABCDE", "webinar_completed", at),
                bf.Event("00Q5g00000ABCDF", "webinar_completed", at),
            ],
        )
        assert report.short_ids == 2
        assert report.to_dict()["short_ids"] == 2
        assert any("15-character Salesforce ids" in line for line in report.warnings())


def test_score_reports_short_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``b2bfunnel score`` on leads with 18-character ids and events with 15: the data
    report on stderr says so (and ``--strict`` makes it exit 2)."""
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "id,job_title,employees\n001D000000IqhSLIAZ,CTO,800\n00Q5g00000ABCDEEA5,CIO,900\n",
        encoding="utf-8",
    )
    events = tmp_path / "events.csv"
    events.write_text(
        "lead_id,name,at\n"
        "001D000000IqhSL,webinar_completed,2026-11-02T10:00:00Z\n"
        "00Q5g00000ABCDEEA5,webinar_completed,2026-11-02T10:00:00Z\n",
        encoding="utf-8",
    )
    argv = ["score", "--leads", str(leads), "--events", str(events)]
    argv += ["--as-of", "2026-11-20T00:00:00Z"]
    assert main(argv, out=io.StringIO()) == 0
    err = capsys.readouterr().err
    assert "1 events are of leads with no profile" in err
    assert "1 lead ids of events are 15-character Salesforce ids" in err
    assert main([*argv, "--strict"], out=io.StringIO()) == 2
