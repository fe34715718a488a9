"""The shared value readers: blanks, numbers, booleans and name keys as real data holds them."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from b2bfunnel.errors import InvalidInputError
from b2bfunnel.tables._values import as_number, is_blank, name_key, read_bool


class TestBlank:
    """None, blank text, NaN and pandas' missing markers are blank; zero is not."""

    @pytest.mark.parametrize("value", [None, "", " \t", float("nan")])
    def test_blank(self, value: object) -> None:
        assert is_blank(value)

    @pytest.mark.parametrize("value", [0, 0.0, "0", False, Decimal(0), "nan?"])
    def test_not_blank(self, value: object) -> None:
        assert not is_blank(value)

    def test_numpy_and_pandas(self) -> None:
        np = pytest.importorskip("numpy")
        pd = pytest.importorskip("pandas")
        assert is_blank(np.float32("nan")) and is_blank(np.float64("nan"))
        assert is_blank(pd.NA) and is_blank(pd.NaT)
        assert not is_blank(np.int64(0))


class TestNumber:
    """Numbers read by duck typing; booleans and NaN are not numbers."""

    def test_numpy_scalars(self) -> None:
        np = pytest.importorskip("numpy")
        assert as_number(np.int64(900)) == 900.0
        assert as_number(np.float32(2.5)) == 2.5
        assert as_number(np.bool_(True)) is None
        assert read_bool(np.bool_(False)) is False
        assert as_number(np.float64("nan")) is None

    def test_huge_integers_compare(self) -> None:
        assert as_number(10**400) == math.inf
        assert as_number(-(10**400)) == -math.inf

    @given(st.integers(-(10**15), 10**15))
    def test_integers_and_their_text_agree(self, n: int) -> None:
        assert as_number(n) == as_number(str(n)) == float(n)

    @pytest.mark.parametrize("value", [True, "abc", Decimal("NaN"), Decimal("sNaN"), object()])
    def test_not_numbers(self, value: object) -> None:
        assert as_number(value) is None


class TestBool:
    """Booleans read the same everywhere; an unknown word is an error with a path."""

    @pytest.mark.parametrize("word", ["true", "TRUE", "t", "yes", "Sí", "si", "1", "y", "on"])
    def test_true(self, word: str) -> None:
        assert read_bool(word) is True

    @pytest.mark.parametrize("word", ["false", "False", "f", "no", "NO", "0", "n", "off"])
    def test_false(self, word: str) -> None:
        assert read_bool(word) is False

    @pytest.mark.parametrize("value", ["maybe", "", 2, 0.5, None])
    def test_refused(self, value: object) -> None:
        with pytest.raises(InvalidInputError) as info:
            read_bool(value, path="events[3].properties.auto_reply")
        assert info.value.path == "events[3].properties.auto_reply"


def test_name_key_treats_separators_alike() -> None:
    """Case, accents, spaces, underscores and hyphens do not make names different."""
    assert name_key("Webinar_Completed") == name_key(" webinar  completed ")
    assert name_key("Económico") == name_key("economico")
    assert name_key("pricing_page_visit") != name_key("pricing_page")
