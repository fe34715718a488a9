"""L2-regularised logistic regression solved exactly by Newton's method (IRLS), pure Python.

Rows are sparse (``(feature index, value)`` pairs) and identical rows are merged into
one binomial row first, so the cost per iteration is the number of distinct rows
times their non-zero features squared: cheap for scoring features, which are mostly 0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import attrs

__all__ = ["Fit", "SparseRow", "logistic", "sigmoid"]

SparseRow = tuple[tuple[int, float], ...]


@attrs.frozen
class Fit:
    """Intercept, coefficients and their covariance (intercept first), iterations used."""

    intercept: float
    coefficients: tuple[float, ...]
    covariance: tuple[tuple[float, ...], ...]
    iterations: int


def sigmoid(x: float) -> float:
    """The logistic function, without overflow for large ``|x|``."""
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    e = math.exp(x)
    return e / (1 + e)


def _cholesky_solve(matrix: list[list[float]], rhs: list[float]) -> list[float]:
    """Solve ``matrix @ x = rhs`` for a symmetric positive-definite ``matrix``."""
    n = len(rhs)
    low = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1):
            s = matrix[i][j] - math.fsum(low[i][k] * low[j][k] for k in range(j))
            if i == j:
                low[i][i] = math.sqrt(max(s, 1e-300))
            else:
                low[i][j] = s / low[j][j]
    y = [0.0] * n
    for i in range(n):
        y[i] = (rhs[i] - math.fsum(low[i][k] * y[k] for k in range(i))) / low[i][i]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (y[i] - math.fsum(low[k][i] * x[k] for k in range(i + 1, n))) / low[i][i]
    return x


def _inverse(matrix: list[list[float]]) -> list[list[float]]:
    n = len(matrix)
    columns = [
        _cholesky_solve(matrix, [1.0 if i == j else 0.0 for i in range(n)]) for j in range(n)
    ]
    return [[columns[j][i] for j in range(n)] for i in range(n)]


def _merge(rows: Sequence[SparseRow], labels: Sequence[bool]) -> list[tuple[SparseRow, int, int]]:
    """Identical rows merged: (row, count, positives)."""
    merged: dict[SparseRow, list[int]] = {}
    for row, label in zip(rows, labels, strict=True):
        slot = merged.get(row)
        if slot is None:
            merged[row] = [1, int(label)]
        else:
            slot[0] += 1
            slot[1] += label
    return [(row, n, k) for row, (n, k) in merged.items()]


def logistic(
    rows: Sequence[SparseRow],
    labels: Sequence[bool],
    size: int,
    *,
    l2: float,
    max_iterations: int = 50,
    tolerance: float = 1e-9,
) -> Fit:
    """Maximise the log-likelihood minus ``l2 / 2 * |beta|^2`` (intercept not penalised).

    ``size`` is the number of features; ``rows[i]`` holds the non-zero features of row i.
    """
    data = _merge(rows, labels)
    dim = size + 1  # index 0 is the intercept
    beta = [0.0] * dim
    positives = sum(k for _, _, k in data)
    total = sum(n for _, n, _ in data)
    if 0 < positives < total:
        beta[0] = math.log(positives / (total - positives))
    hessian: list[list[float]] = []
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported below
        gradient = [0.0] * dim
        hessian = [[0.0] * dim for _ in range(dim)]
        for row, n, k in data:
            eta = beta[0]
            for j, x in row:
                eta += beta[j + 1] * x
            mu = sigmoid(eta)
            residual = k - n * mu
            weight = n * mu * (1 - mu)
            gradient[0] += residual
            hessian[0][0] += weight
            for a, (j, x) in enumerate(row):
                wx = weight * x
                gradient[j + 1] += residual * x
                hessian[j + 1][0] += wx
                for b in range(a + 1):
                    jb, xb = row[b]
                    hessian[max(j, jb) + 1][min(j, jb) + 1] += wx * xb
        for j in range(1, dim):
            gradient[j] -= l2 * beta[j]
            hessian[j][j] += l2
        for i in range(dim):  # mirror the lower triangle
            for j in range(i):
                hessian[j][i] = hessian[i][j]
        step = _cholesky_solve(hessian, gradient)
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if max(abs(s) for s in step) < tolerance:
            break
    covariance = _inverse(hessian)
    return Fit(beta[0], tuple(beta[1:]), tuple(tuple(r) for r in covariance), iterations)
