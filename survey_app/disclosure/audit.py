"""The attacker's interval of each hidden cell: the least and greatest value it can take
given every shown cell, every relation between cells a reader knows, and counts that are not
negative. Two linear programmes per hidden cell (scipy's HiGHS), on each group of hidden
cells tied by the relations separately; rounded inwards to whole numbers."""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linprog

Key = Hashable
INF = math.inf


@dataclass(frozen=True)
class Equation:
    """``sum(parts) == total``; with ``slack``, ``sum(parts) <= total`` (the rest unpublished)."""

    parts: tuple[Key, ...]
    total: Key
    slack: bool = False

    def holds(self, values: Mapping[Key, int]) -> bool:
        found = sum(values[p] for p in self.parts)
        return found <= values[self.total] if self.slack else found == values[self.total]


@dataclass
class Problem:
    """True counts by key and the relations between them that hold (others are dropped)."""

    values: dict[Key, int] = field(default_factory=dict)
    equations: list[Equation] = field(default_factory=list)
    _index: dict[Key, list[int]] | None = field(default=None, repr=False, compare=False)

    def index(self) -> dict[Key, list[int]]:
        """The equations each cell is in (built once, after the last ``relate``)."""
        if self._index is None or sum(map(len, self._index.values())) != sum(
            len(eq.parts) + 1 for eq in self.equations
        ):
            index: dict[Key, list[int]] = {}
            for i, eq in enumerate(self.equations):
                for key in (*eq.parts, eq.total):
                    index.setdefault(key, []).append(i)
            self._index = index
        return self._index

    def relate(self, parts: Sequence[Key], total: Key, *, slack: bool = False) -> None:
        equation = Equation(tuple(parts), total, slack)
        if total not in self.values or any(p not in self.values for p in parts):
            return
        if equation.holds(self.values):
            self.equations.append(equation)
        elif not slack and Equation(equation.parts, total, True).holds(self.values):
            self.equations.append(Equation(equation.parts, total, True))


@dataclass(frozen=True)
class Interval:
    low: float
    high: float  # INF: no upper bound follows

    def __str__(self) -> str:
        high = "no upper bound" if self.high == INF else f"{self.high:g}"
        return f"[{self.low:g}, {high}]"


def protected(interval: Interval, value: int, threshold: int) -> bool:
    """Not pinned to one value; a count under the threshold could be 0 or the threshold."""
    if value < threshold:
        return interval.low <= 0 and interval.high >= threshold
    return interval.low < interval.high


def audit(
    problem: Problem,
    hidden: Collection[Key],
    near: Collection[Key] | None = None,
    threshold: int | None = None,
) -> dict[Key, Interval]:
    """The interval of every hidden cell; with ``near``, only of the hidden cells tied to
    those (directly or through other hidden cells). With ``threshold``, only as much of each
    interval as shows whether the cell is protected (see ``protected``): faster."""
    hidden = set(hidden)
    by_key = problem.index()
    starts = hidden if near is None else _hidden_near(problem, hidden, near, by_key)
    out: dict[Key, Interval] = {}
    for group in _components(hidden, starts, by_key, problem.equations):
        out.update(_solve(problem, group, by_key, threshold))
    return out


def tied(problem: Problem, hidden: Collection[Key], near: Collection[Key]) -> int:
    """How many hidden cells the audit near ``near`` would solve for."""
    hidden = set(hidden)
    by_key = problem.index()
    starts = _hidden_near(problem, hidden, near, by_key)
    return sum(len(g) for g in _components(hidden, starts, by_key, problem.equations))


def _hidden_near(
    problem: Problem, hidden: set[Key], near: Collection[Key], by_key: Mapping[Key, list[int]]
) -> set[Key]:
    found = {k for k in near if k in hidden}
    for key in near:
        for i in by_key.get(key, ()):
            eq = problem.equations[i]
            found.update(k for k in (*eq.parts, eq.total) if k in hidden)
    return found


def _components(
    hidden: set[Key],
    starts: Iterable[Key],
    by_key: Mapping[Key, list[int]],
    equations: Sequence[Equation],
) -> Iterable[list[Key]]:
    seen: set[Key] = set()
    for start in starts:
        if start in seen:
            continue
        group, todo = [], [start]
        seen.add(start)
        while todo:
            key = todo.pop()
            group.append(key)
            for i in by_key.get(key, ()):
                eq = equations[i]
                for other in (*eq.parts, eq.total):
                    if other in hidden and other not in seen:
                        seen.add(other)
                        todo.append(other)
        yield group


def _solve(
    problem: Problem, group: list[Key], by_key: Mapping[Key, list[int]], threshold: int | None
) -> dict[Key, Interval]:
    rows = sorted({i for key in group for i in by_key.get(key, ())})
    if not rows:
        return {key: Interval(0, INF) for key in group}
    index = {key: j for j, key in enumerate(group)}
    slacks = [i for i in rows if problem.equations[i].slack]
    width = len(group) + len(slacks)
    a = np.zeros((len(rows), width))
    b = np.zeros(len(rows))
    for r, i in enumerate(rows):
        eq = problem.equations[i]
        for key, sign in [*((p, 1.0) for p in eq.parts), (eq.total, -1.0)]:
            if key in index:
                a[r, index[key]] += sign
            else:
                b[r] -= sign * problem.values[key]
        if eq.slack:
            a[r, len(group) + slacks.index(i)] = 1.0  # sum(parts) + rest = total
    if threshold is None:
        return {key: _exact(a, b, j, width) for key, j in index.items()}
    # Checking only: every solution found is a point the cells can take, so the least and
    # greatest values seen so far bound the interval from inside; an LP is solved only when
    # they do not already show the cell protected (then its bound is exact).
    low = [float(problem.values[k]) for k in group] + [INF] * len(slacks)
    high = [float(problem.values[k]) for k in group] + [-INF] * len(slacks)
    for key, j in index.items():
        small = problem.values[key] < threshold
        for sign in (1.0, -1.0):
            done = (
                (low[j] <= 0 if sign > 0 else high[j] >= threshold) if small else low[j] < high[j]
            )
            if done:
                continue
            bound, x = _bound(a, b, j, width, sign)
            if x is None:
                high[j] = INF
                continue
            for v, value in enumerate(x):
                low[v], high[v] = min(low[v], value), max(high[v], value)
    return {
        key: Interval(
            math.ceil(low[j] - 1e-6), INF if high[j] == INF else math.floor(high[j] + 1e-6)
        )
        for key, j in index.items()
    }


def _exact(a: np.ndarray, b: np.ndarray, j: int, width: int) -> Interval:
    low, _ = _bound(a, b, j, width, 1.0)
    high, _ = _bound(a, b, j, width, -1.0)
    return Interval(math.ceil(low - 1e-6), INF if high == INF else math.floor(high + 1e-6))


def _bound(
    a: np.ndarray, b: np.ndarray, j: int, width: int, sign: float
) -> tuple[float, np.ndarray | None]:
    """The least (sign 1) or greatest (sign -1) value of variable ``j``, and a solution."""
    c = np.zeros(width)
    c[j] = sign
    result = linprog(c, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    if result.status == 3:  # unbounded
        return INF, None
    if result.status != 0:
        raise ValueError(f"the relations do not hold for the true counts: {result.message}")
    return float(result.x[j]), result.x
