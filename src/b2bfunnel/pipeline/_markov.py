"""The Markov removal-effect model: count journeys into transitions, then solve the chain.

Counting and solving are separate steps so that transition counts gathered in pieces
(per partition, per day) can be added up and solved once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

START, CONVERSION, NULL = "(start)", "(conversion)", "(null)"

# state -> next state -> how many journeys made that step
Transitions = dict[str, dict[str, int]]


def count_transitions(
    paths: Iterable[tuple[Sequence[str], bool]], into: Transitions | None = None
) -> Transitions:
    """Count each step of each journey (start, its states in order, then conversion if
    it converted, else null), adding to ``into`` when given. Counts add up: the counts of
    two sets of journeys are the sum of their counts."""
    transitions: Transitions = {START: {}} if into is None else into
    transitions.setdefault(START, {})
    for path, converted in paths:
        previous = START
        for state in path:
            step = transitions[previous]
            step[state] = step.get(state, 0) + 1
            if state not in transitions:
                transitions[state] = {}
            previous = state
        end = CONVERSION if converted else NULL
        step = transitions[previous]
        step[end] = step.get(end, 0) + 1
    return transitions


def count_touches(
    transitions: Transitions, touches: Iterable[tuple[float, str]], converted: bool
) -> None:
    """Count one journey given as its touches ``(time, state)`` in order into
    ``transitions`` (which holds ``START``), as :func:`count_transitions` counts its
    states: without a list of states per journey, which the attribution of many
    journeys would otherwise build and keep."""
    step = transitions[START]
    for _, state in touches:
        step[state] = step.get(state, 0) + 1
        following = transitions.get(state)
        if following is None:
            following = transitions[state] = {}
        step = following
    end = CONVERSION if converted else NULL
    step[end] = step.get(end, 0) + 1


def _solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (small dense systems)."""
    size = len(rhs)
    a = [[*row, rhs[i]] for i, row in enumerate(matrix)]
    for col in range(size):
        pivot = max(range(col, size), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        if abs(a[col][col]) < 1e-15:
            continue
        for row in range(size):
            if row != col and a[row][col]:
                factor = a[row][col] / a[col][col]
                a[row] = [x - factor * y for x, y in zip(a[row], a[col], strict=True)]
    return [a[i][size] / a[i][i] if abs(a[i][i]) > 1e-15 else 0.0 for i in range(size)]


def conversion_probability(
    transitions: Mapping[str, Mapping[str, int]], removed: str | None = None
) -> float:
    """Probability of reaching conversion from the start of the absorbing chain, solved
    exactly from the linear system (no simulation); a ``removed`` state sends its
    incoming transitions to the null state."""
    # Sorted, so the linear system (and its floating-point result) does not depend on
    # the order in which journeys were given.
    states = sorted(s for s in transitions if s != removed)
    index = {s: i for i, s in enumerate(states)}
    size = len(states)
    matrix = [[0.0] * size for _ in range(size)]
    rhs = [0.0] * size
    for state in states:
        row = index[state]
        matrix[row][row] = 1.0
        out = transitions[state]
        total = sum(out.values())
        if not total:
            continue
        for target, count in sorted(out.items()):
            p = count / total
            if target == CONVERSION:
                rhs[row] += p
            elif target in index:
                matrix[row][index[target]] -= p
    solution = _solve(matrix, rhs)
    return solution[index[START]] if START in index else 0.0


def removal_effects(transitions: Mapping[str, Mapping[str, int]]) -> dict[str, float]:
    """Each state's removal effect: the share of the conversion probability lost when
    the state is removed (its incoming steps go to null). Empty when nothing converts."""
    base = conversion_probability(transitions)
    if base <= 0:
        return {}
    states = sorted(s for s in transitions if s != START)
    return {s: max(0.0, 1 - conversion_probability(transitions, s) / base) for s in states}
