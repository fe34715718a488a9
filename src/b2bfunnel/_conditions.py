"""The condition language used by rules: plain data, compiled once to a predicate.

A condition is a table. A *leaf* names a ``field`` and one or more operators, all of
which must hold; a *composite* is ``{all = [...]}``, ``{any = [...]}`` or
``{not = {...}}``. Text comparisons ignore case and accents; numeric operators accept
numbers (numpy's included) and numbers as CRMs write them (``1,200``, ``€12,500.00``,
see :func:`b2bfunnel._values.read_number`). A band such as ``501-1000`` or ``10,001+``
satisfies a numeric comparison when wholly inside it and fails it when wholly outside;
one that straddles it is *unknown*, and unknown never matches, under ``not`` as well
(like SQL's NULL). A field that is missing, ``None``, blank, NaN or an empty list is
*absent*: every operator except ``exists = false`` is then false, so a rule on a
missing field simply does not match. A list-valued field matches a positive operator
when any element does, and ``ne``/``not_in`` when no element does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from ._config import Reader, join, read_all
from ._public import publish
from ._text import fold, word_form
from .errors import InvalidInputError
from .tables._values import as_number, as_range, is_blank

__all__ = ["Condition"]

Predicate = Callable[[Mapping[str, Any]], bool | None]
# A test answers True, False or None: unknown, for a band of numbers that straddles
# the bound. Unknown never matches, under `not` as well (like SQL's NULL).
Test = Callable[[Any], bool | None]

SCALAR_OPS = ("eq", "ne", "in", "not_in")
NUMBER_OPS = ("gt", "gte", "lt", "lte", "between")
TEXT_OPS = ("contains", "words", "starts_with")
LEAF_KEYS = frozenset(("field", "exists", *SCALAR_OPS, *NUMBER_OPS, *TEXT_OPS))
COMPOSITE_KEYS = frozenset(("all", "any", "not"))

_MISSING = object()
MEMO_SIZE = 4096
_TRUE = frozenset(("true", "yes", "y", "1", "si", "on"))
_FALSE = frozenset(("false", "no", "n", "0", "off"))


def _bounds(value: Any) -> tuple[float, float] | None:
    """The numbers ``value`` may be: one number, a band such as ``501-1000``, or ``None``.

    An integer too large for a float (10**400 employees) reads as inf, so it is still
    greater than any bound."""
    number = as_number(value)
    if number is not None:
        return number, number
    return as_range(value)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def _equals(expected: Any) -> Test:
    if isinstance(expected, bool):

        def test_bool(actual: Any) -> bool:
            if isinstance(actual, bool):
                return actual is expected
            if isinstance(actual, str):
                word = fold(actual)
                return word in (_TRUE if expected else _FALSE)
            return False

        return test_bool
    if isinstance(expected, int | float):
        target = float(expected)

        def test_number(actual: Any) -> bool | None:
            bounds = _bounds(actual)
            if bounds is None or not bounds[0] <= target <= bounds[1]:
                return False
            return True if bounds[0] == bounds[1] else None

        return test_number
    folded = fold(expected)
    return lambda actual: not isinstance(actual, bool) and fold(_as_text(actual)) == folded


def _any_of(tests: Sequence[Test]) -> Test:
    if len(tests) == 1:
        return tests[0]
    return lambda actual: _either(t(actual) for t in tests)


def _either(answers: Iterable[bool | None]) -> bool | None:
    """Three-valued OR: true if any is, else unknown if any is, else false."""
    unknown = False
    for answer in answers:
        if answer:
            return True
        unknown = unknown or answer is None
    return None if unknown else False


def _within(low: float, high: float) -> Test:
    """Whether a value (a number or a band) lies in ``[low, high]``: a band partly in
    is unknown."""

    def test(actual: Any) -> bool | None:
        bounds = _bounds(actual)
        if bounds is None or bounds[1] < low or bounds[0] > high:
            return False
        if low <= bounds[0] and bounds[1] <= high:
            return True
        return None

    return test


def _compare(op: str, bound: float) -> Test:
    if op in ("gt", "lt"):
        # A strict bound: the band [x, x] must clear it, so narrow by the next float.
        edge = math.nextafter(bound, math.inf if op == "gt" else -math.inf)
        return _within(edge, math.inf) if op == "gt" else _within(-math.inf, edge)
    return _within(bound, math.inf) if op == "gte" else _within(-math.inf, bound)


def _between(low: float, high: float) -> Test:
    return _within(low, high)


def _text_test(op: str, needles: Sequence[str]) -> Test:
    """Substring, whole-word or prefix test, remembering its answers.

    CRM exports repeat the same job titles thousands of times, so each test keeps the
    answers for up to ``MEMO_SIZE`` distinct values it has seen (per compiled
    condition; nothing is shared between conditions).
    """
    if op == "words":
        normalise = word_form
        targets = tuple(word_form(n) for n in needles)
    else:
        normalise = fold
        targets = tuple(fold(n) for n in needles)
    starts = op == "starts_with"
    memo: dict[str, bool] = {}

    def test(actual: Any) -> bool:
        if not isinstance(actual, str):
            return False
        answer = memo.get(actual)
        if answer is None:
            form = normalise(actual)
            answer = form.startswith(targets) if starts else any(t in form for t in targets)
            if len(memo) < MEMO_SIZE:
                memo[actual] = answer
        return answer

    return test


def _getter(field: str) -> Callable[[Mapping[str, Any]], Any]:
    if "." not in field:
        return lambda data: data.get(field, _MISSING)
    parts = field.split(".")

    def get(data: Mapping[str, Any]) -> Any:
        value = data.get(field, _MISSING)  # a literal dotted key wins
        if value is not _MISSING:
            return value
        current: Any = data
        for part in parts:
            if not isinstance(current, Mapping) or part not in current:
                return _MISSING
            current = current[part]
        return current

    return get


_MANY = (list, tuple, set, frozenset)


def _compile_leaf(spec: Mapping[str, Any]) -> Predicate:
    get = _getter(spec["field"])
    exists = spec.get("exists")
    positive: list[Test] = []
    negative: list[Test] = []
    for op, arg in spec.items():
        if op in ("eq", "in"):
            positive.append(_any_of([_equals(v) for v in (arg if op == "in" else [arg])]))
        elif op in ("ne", "not_in"):
            negative.append(_any_of([_equals(v) for v in (arg if op == "not_in" else [arg])]))
        elif op in ("gt", "gte", "lt", "lte"):
            positive.append(_compare(op, float(arg)))
        elif op == "between":
            positive.append(_between(float(arg[0]), float(arg[1])))
        elif op in TEXT_OPS:
            needles = [arg] if isinstance(arg, str) else list(arg)
            positive.append(_text_test(op, needles))
    has_ops = bool(positive or negative)

    def leaf(data: Mapping[str, Any]) -> bool | None:
        value = get(data)
        many = isinstance(value, _MANY)
        if value is _MISSING or value is None:
            present = False
        elif type(value) is str:
            present = bool(value) and not value.isspace()
        elif many:
            present = bool(value)
        else:
            present = not is_blank(value)  # NaN, pandas NA/NaT
        if exists is not None and present is not exists:
            return False
        if not present:
            return not has_ops
        # Plain loops: this runs once per event for a rule's `where` filter.
        unknown = False
        for test in positive:
            answer = _either(test(v) for v in value) if many else test(value)
            if answer is False:
                return False
            unknown = unknown or answer is None
        for test in negative:
            answer = _either(test(v) for v in value) if many else test(value)
            if answer:
                return False
            unknown = unknown or answer is None
        return None if unknown else True

    return leaf


def _not(answer: bool | None) -> bool | None:
    return None if answer is None else not answer


def _compile(spec: Mapping[str, Any]) -> Predicate:
    if "all" in spec:
        parts = tuple(_compile(s) for s in spec["all"])

        def all_of(data: Mapping[str, Any]) -> bool | None:
            unknown = False
            for part in parts:
                answer = part(data)
                if answer is False:
                    return False
                unknown = unknown or answer is None
            return None if unknown else True

        return all_of
    if "any" in spec:
        options = tuple(_compile(s) for s in spec["any"])

        def any_of(data: Mapping[str, Any]) -> bool | None:
            return _either(option(data) for option in options)

        return any_of
    if "not" in spec:
        inner = _compile(spec["not"])
        return lambda data: _not(inner(data))
    return _compile_leaf(spec)


def _is_number_arg(arg: Any) -> bool:
    items = arg if isinstance(arg, list) else [arg]
    return any(isinstance(v, int | float) and not isinstance(v, bool) for v in items)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | bool | int | float) and not (
        isinstance(value, float) and not math.isfinite(value)
    )


def _check(data: Any, path: str, reader: Reader, depth: int = 0) -> bool:
    """Validate a condition spec, recording every problem; True when valid."""
    if depth > 32:
        reader.error(path, "condition nested too deeply (more than 32 levels)")
        return False
    if not isinstance(data, Mapping):
        reader.error(path, f"expected a condition table, got {type(data).__name__}")
        return False
    keys = set(data)
    composite = keys & COMPOSITE_KEYS
    if composite:
        return _check_composite(data, composite, path, reader, depth)
    before = len(reader.problems)
    reader.table(data, path, LEAF_KEYS | COMPOSITE_KEYS, required=("field",))
    if "field" in data:
        reader.string(data["field"], join(path, "field"))
    operators = keys - {"field"}
    if not operators and "field" in data:
        reader.error(path, "a condition on a field needs at least one operator, e.g. eq, in, gte")
    for op in sorted(operators & LEAF_KEYS):
        _check_operator(op, data[op], join(path, op), reader)
    return len(reader.problems) == before


def _check_composite(
    data: Mapping[str, Any], composite: set[str], path: str, reader: Reader, depth: int
) -> bool:
    """Validate ``{all = [...]}``, ``{any = [...]}`` or ``{not = {...}}``."""
    if len(data) != 1:
        reader.error(
            path,
            f"a composite condition has exactly one key of all/any/not, got {sorted(data)}",
        )
        return False
    (key,) = composite
    if key == "not":
        return _check(data["not"], join(path, "not"), reader, depth + 1)
    items = reader.array(data[key], join(path, key), non_empty=True)
    if items is None:
        return False
    results = [
        _check(item, join(join(path, key), i), reader, depth + 1) for i, item in enumerate(items)
    ]
    return all(results)


def _check_operator(op: str, arg: Any, where: str, reader: Reader) -> None:
    """Validate the argument of one leaf operator, recording problems at ``where``."""
    if op in ("eq", "ne"):
        if not _is_scalar(arg):
            reader.error(where, f"expected a string, number or boolean, got {arg!r}")
    elif op in ("in", "not_in"):
        items = reader.array(arg, where, non_empty=True)
        for i, item in enumerate(items or ()):
            if not _is_scalar(item):
                reader.error(join(where, i), f"expected a string, number or boolean, got {item!r}")
    elif op in ("gt", "gte", "lt", "lte"):
        reader.number(arg, where)
    elif op == "between":
        _check_between(arg, where, reader)
    elif op in TEXT_OPS:
        needles = [arg] if isinstance(arg, str) else reader.array(arg, where, non_empty=True)
        for i, needle in enumerate(needles or ()):
            at = where if isinstance(arg, str) else join(where, i)
            if not isinstance(needle, str) or not needle.strip():
                reader.error(at, f"expected a non-empty string, got {needle!r}")
            elif op == "words" and not word_form(needle).strip():
                reader.error(at, f"{needle!r} has no letters or digits to match as words")
    elif op == "exists":
        reader.boolean(arg, where)


def _check_between(arg: Any, where: str, reader: Reader) -> None:
    """Validate ``between = [low, high]``."""
    items = reader.array(arg, where)
    if items is None:
        return
    if len(items) != 2:
        reader.error(where, f"expected [low, high], got {len(items)} items")
        return
    low = reader.number(items[0], join(where, 0))
    high = reader.number(items[1], join(where, 1))
    if low is not None and high is not None and low > high:
        reader.error(where, f"low {low:g} is greater than high {high:g}")


def _canonical(data: Any) -> Any:
    if isinstance(data, Mapping):
        return {k: _canonical(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [_canonical(v) for v in data]
    return data


@attrs.frozen
class Condition:
    """A compiled condition over a mapping (a profile or an event's properties).

    >>> c = Condition.from_dict({"all": [
    ...     {"field": "job_title", "words": ["director", "directora", "head"]},
    ...     {"field": "employees", "gte": 500}]})
    >>> c.matches({"job_title": "Directora de Tecnología", "employees": "650"})
    True
    >>> c.matches({"job_title": "Director de IT"})  # employees missing: no match
    False
    """

    spec_json: str
    _predicate: Predicate = attrs.field(eq=False, hash=False, repr=False)

    @classmethod
    def parse(cls, data: object, path: str, reader: Reader) -> Condition | None:
        """Validate ``data`` recording problems in ``reader``; the condition if valid."""
        if not _check(data, path, reader):
            return None
        spec = _canonical(data)
        return cls(json.dumps(spec, sort_keys=True, ensure_ascii=False), _compile(spec))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, path: str = "condition") -> Condition:
        """Build a condition, raising :class:`ConfigError` listing every problem."""
        return read_all(cls.parse, data, path, "condition")

    def matches(self, data: Mapping[str, Any]) -> bool:
        """Whether ``data`` satisfies the condition; missing fields never raise."""
        if not isinstance(data, Mapping):
            raise InvalidInputError(
                f"expected a mapping of field names to values, got {type(data).__name__}",
                path="data",
            )
        return self._predicate(data) is True

    def fields(self) -> dict[str, bool]:
        """The fields the condition reads, each with whether it compares it as a number.

        >>> c = Condition.from_dict({"all": [{"field": "employees", "gte": 500},
        ...                                     {"field": "job_title", "words": "cio"}]})
        >>> c.fields()
        {'employees': True, 'job_title': False}
        """
        out: dict[str, bool] = {}
        pending = [json.loads(self.spec_json)]
        while pending:
            spec = pending.pop()
            if "field" in spec:
                numeric = any(op in spec for op in NUMBER_OPS) or any(
                    _is_number_arg(spec.get(op)) for op in SCALAR_OPS
                )
                out[spec["field"]] = out.get(spec["field"], False) or numeric
                continue
            for key in ("all", "any"):
                pending.extend(reversed(spec.get(key, [])))
            if "not" in spec:
                pending.append(spec["not"])
        return out

    def to_dict(self) -> dict[str, Any]:
        """The condition as plain data, as it was configured."""
        spec: dict[str, Any] = json.loads(self.spec_json)
        return spec


publish(globals(), __all__, as_data=["Condition"])
