"""The condition language: every operator, composition, missing fields, bad specs."""

from __future__ import annotations

from typing import Any

import pytest

import b2bfunnel as bf


def matches(spec: dict[str, Any], data: dict[str, Any]) -> bool:
    return bf.Condition.from_dict(spec).matches(data)


class TestOperators:
    def test_eq_ignores_case_and_accents(self) -> None:
        """eq on text compares folded forms: España == ESPANA == españa."""
        spec = {"field": "country", "eq": "España"}
        assert matches(spec, {"country": "ESPANA"})
        assert matches(spec, {"country": "españa"})
        assert not matches(spec, {"country": "Portugal"})

    def test_eq_number_accepts_numeric_strings(self) -> None:
        """A CSV cell '500' equals the number 500; a non-number never does."""
        assert matches({"field": "n", "eq": 500}, {"n": "500"})
        assert matches({"field": "n", "eq": 500}, {"n": 500.0})
        assert not matches({"field": "n", "eq": 500}, {"n": "five hundred"})

    def test_eq_boolean_accepts_yes_and_true(self) -> None:
        """Booleans match real booleans and common spellings in CSV cells."""
        assert matches({"field": "opt_in", "eq": True}, {"opt_in": "yes"})
        assert matches({"field": "opt_in", "eq": True}, {"opt_in": True})
        assert matches({"field": "opt_in", "eq": False}, {"opt_in": "No"})
        assert not matches({"field": "opt_in", "eq": True}, {"opt_in": 1})

    def test_in_and_not_in(self) -> None:
        """Membership is case-insensitive; not_in needs the field present."""
        spec = {"field": "sector", "in": ["SaaS", "Consulting"]}
        assert matches(spec, {"sector": "saas"})
        assert not matches(spec, {"sector": "retail"})
        assert matches({"field": "sector", "not_in": ["retail"]}, {"sector": "saas"})
        assert not matches({"field": "sector", "not_in": ["retail"]}, {"sector": "Retail"})
        assert not matches({"field": "sector", "not_in": ["retail"]}, {})

    def test_ne(self) -> None:
        """ne is true for a different value, false for an equal or missing one."""
        assert matches({"field": "c", "ne": "ES"}, {"c": "PT"})
        assert not matches({"field": "c", "ne": "ES"}, {"c": "es"})
        assert not matches({"field": "c", "ne": "ES"}, {})

    @pytest.mark.parametrize(
        ("op", "value", "expected"),
        [
            ("gt", 499, True),
            ("gt", 500, False),
            ("gte", 500, True),
            ("gte", 501, False),
            ("lt", 501, True),
            ("lt", 500, False),
            ("lte", 500, True),
            ("lte", 499, False),
        ],
    )
    def test_comparisons_at_the_boundary(self, op: str, value: int, expected: bool) -> None:
        """Each comparison at, just below and just above 500 employees."""
        assert matches({"field": "employees", op: value}, {"employees": "500"}) is expected

    def test_between_is_inclusive(self) -> None:
        """between [10, 20] holds at both ends and nowhere outside."""
        spec = {"field": "x", "between": [10, 20]}
        assert [matches(spec, {"x": v}) for v in (9.99, 10, 15, 20, 20.01)] == [
            False,
            True,
            True,
            True,
            False,
        ]

    def test_comparison_on_text_does_not_match(self) -> None:
        """A numeric operator on a non-numeric value is simply false."""
        assert not matches({"field": "employees", "gte": 10}, {"employees": "many"})

    def test_contains_is_a_substring_match(self) -> None:
        """contains finds folded substrings, any of several needles."""
        spec = {"field": "title", "contains": ["direc", "head"]}
        assert matches(spec, {"title": "Subdirectora de TI"})
        assert not matches(spec, {"title": "Analista"})

    def test_words_match_whole_words_only(self) -> None:
        """'cio' matches the word CIO, not 'Servicios'; phrases match in order."""
        spec = {"field": "title", "words": ["cio", "chief information officer"]}
        assert matches(spec, {"title": "Global CIO"})
        assert matches(spec, {"title": "Chief Information Officer, EMEA"})
        assert not matches(spec, {"title": "Director de Servicios"})
        assert not matches(spec, {"title": "Chief Officer of Information"})

    def test_words_fold_spanish_accents(self) -> None:
        """'tecnologia' matches 'Tecnología'."""
        assert matches({"field": "t", "words": "tecnologia"}, {"t": "Directora de Tecnología"})

    def test_starts_with(self) -> None:
        """starts_with compares the folded beginning."""
        assert matches(
            {"field": "path", "starts_with": "/pricing"}, {"path": "/Pricing/enterprise"}
        )
        assert not matches({"field": "path", "starts_with": "/pricing"}, {"path": "/blog/pricing"})

    def test_exists(self) -> None:
        """Blank strings, None and empty lists count as absent."""
        present = {"field": "phone", "exists": True}
        absent = {"field": "phone", "exists": False}
        for value in ("", "  ", None, []):
            assert not matches(present, {"phone": value})
            assert matches(absent, {"phone": value})
        assert matches(present, {"phone": "+34 600"})
        assert matches(absent, {})

    def test_list_values_match_any_element(self) -> None:
        """A positive operator matches when any element does; ne when none does."""
        data = {"tags": ["webinar", "Security"]}
        assert matches({"field": "tags", "eq": "security"}, data)
        assert not matches({"field": "tags", "ne": "security"}, data)
        assert matches({"field": "tags", "ne": "pricing"}, data)

    def test_dotted_field_reads_nested_mappings(self) -> None:
        """company.size reads data['company']['size']; a literal dotted key wins."""
        assert matches({"field": "company.size", "gte": 500}, {"company": {"size": 800}})
        assert matches({"field": "a.b", "eq": 1}, {"a.b": 1, "a": {"b": 2}})
        assert not matches({"field": "company.size", "gte": 500}, {"company": "Acme"})

    def test_several_operators_must_all_hold(self) -> None:
        """A range written as gte + lt."""
        spec = {"field": "employees", "gte": 500, "lt": 5000}
        assert matches(spec, {"employees": 500})
        assert not matches(spec, {"employees": 5000})


class TestComposition:
    def test_all_any_not(self) -> None:
        """all needs every part, any one part, not inverts."""
        spec = {
            "all": [
                {"any": [{"field": "a", "eq": 1}, {"field": "b", "eq": 1}]},
                {"not": {"field": "c", "eq": 1}},
            ]
        }
        assert matches(spec, {"a": 1, "c": 0})
        assert matches(spec, {"b": 1})
        assert not matches(spec, {"a": 1, "c": 1})
        assert not matches(spec, {"c": 0})

    def test_missing_fields_never_raise(self) -> None:
        """Every operator on a missing field is false (exists=false aside)."""
        for op, arg in [
            ("eq", 1),
            ("in", [1]),
            ("gt", 1),
            ("between", [1, 2]),
            ("contains", "x"),
            ("words", "x"),
            ("starts_with", "x"),
        ]:
            assert not matches({"field": "nope", op: arg}, {})

    def test_matches_refuses_non_mappings(self) -> None:
        """Data that is not a mapping is an InvalidInputError."""
        with pytest.raises(bf.InvalidInputError):
            bf.Condition.from_dict({"field": "a", "eq": 1}).matches(["a"])  # type: ignore[arg-type]

    def test_to_dict_round_trips(self) -> None:
        """A condition's data rebuilds an equal condition."""
        spec = {"any": [{"field": "a", "in": [1, "x"]}, {"not": {"field": "b", "exists": True}}]}
        condition = bf.Condition.from_dict(spec)
        assert condition.to_dict() == spec
        assert bf.Condition.from_dict(condition.to_dict()) == condition


class TestInvalidSpecs:
    def test_every_problem_is_reported_with_its_path(self) -> None:
        """Three mistakes in one condition give three problems, each located."""
        spec = {
            "all": [
                {"field": "a", "eq": [1]},
                {"field": "b", "gte": "ten"},
                {"feild": "c", "eq": 1},
            ]
        }
        with pytest.raises(bf.ConfigError) as info:
            bf.Condition.from_dict(spec, path="when")
        paths = [p.path for p in info.value.problems]
        assert "when.all[0].eq" in paths
        assert "when.all[1].gte" in paths
        assert "when.all[2].feild" in paths
        assert "when.all[2].field" in paths
        assert "did you mean 'field'" in str(info.value)

    @pytest.mark.parametrize(
        "spec",
        [
            {"field": "a"},
            {"all": []},
            {"all": [{"field": "a", "eq": 1}], "any": []},
            {"field": "a", "between": [5, 1]},
            {"field": "a", "between": [1]},
            {"field": "a", "words": "!!!"},
            {"field": "a", "in": []},
            {"field": "a", "exists": "yes"},
            {"field": "", "eq": 1},
            "a == 1",
        ],
    )
    def test_malformed_specs_are_config_errors(self, spec: Any) -> None:
        """Each malformed spec is refused with a ConfigError, never a TypeError."""
        with pytest.raises(bf.ConfigError):
            bf.Condition.from_dict(spec)


class TestCrmValues:
    """Numbers and bands as CRMs write them; notebook values."""

    @pytest.mark.parametrize(
        "value", ["1,200", "1 200", "1\u00a0200", "€12,500.00", "12,500.00 €", "$1,200"]
    )
    def test_grouped_numbers_compare(self, value: str) -> None:
        """Grouped thousands and currency symbols compare numerically."""
        assert bf.Condition.from_dict({"field": "n", "gte": 500}).matches({"n": value})

    @pytest.mark.parametrize("value", ["1,20", "12,34,567", "1.200.000", "²"])
    def test_not_numbers_never_guessed(self, value: str) -> None:
        """Bad grouping is not a number: no numeric comparison holds, either way."""
        assert not bf.Condition.from_dict({"field": "n", "gte": 0}).matches({"n": value})
        assert not bf.Condition.from_dict({"field": "n", "lt": 0}).matches({"n": value})

    @pytest.mark.parametrize(
        ("band", "inside", "outside"),
        [("501-1000", True, False), ("1,001\u20135,000", True, False), ("10,001+", True, False),
         ("1-10", False, True), ("201-1000", False, False)],
    )  # fmt: skip
    def test_bands(self, band: str, inside: bool, outside: bool) -> None:
        """Wholly inside satisfies, wholly outside fails, straddling is unknown."""
        gte = bf.Condition.from_dict({"field": "n", "gte": 500})
        negated = bf.Condition.from_dict({"not": {"field": "n", "gte": 500}})
        assert gte.matches({"n": band}) is inside
        assert negated.matches({"n": band}) is outside

    def test_unknown_under_any_and_all(self) -> None:
        """An unknown leg makes `all` unknown unless another fails; `any` needs a true one."""
        unknown = {"field": "n", "gte": 500}
        yes, no = {"field": "t", "eq": "a"}, {"field": "t", "eq": "b"}
        row = {"n": "201-1000", "t": "a"}
        assert not bf.Condition.from_dict({"all": [unknown, yes]}).matches(row)
        assert bf.Condition.from_dict({"not": {"all": [unknown, no]}}).matches(row)
        assert bf.Condition.from_dict({"any": [unknown, yes]}).matches(row)
        assert not bf.Condition.from_dict({"not": {"any": [unknown, no]}}).matches(row)

    def test_numpy_and_nan(self) -> None:
        """numpy integers compare as numbers; NaN is absent, not the text 'nan'."""
        np = pytest.importorskip("numpy")
        assert bf.Condition.from_dict({"field": "n", "gte": 500}).matches({"n": np.int64(900)})
        assert not bf.Condition.from_dict({"field": "n", "eq": "nan"}).matches({"n": float("nan")})
        assert bf.Condition.from_dict({"field": "n", "exists": False}).matches({"n": np.nan})
