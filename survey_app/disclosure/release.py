"""One release protected as a whole. The report's builders are run twice: the first pass
gathers every grid of counts they lay out (with its lines and the links that tie its cells to
cells of other tables), the release is protected in one go, and the second pass hands each
grid, in the same order, the cells it must hide.

Grids are tied by *links*: two cells of one scope with the same link are one count (a role's
total in Tables 8 and 11); a cell of a parent scope is the sum of the same link's cells in its
child scopes, and the rest (the whole study and its periods; the unfiltered release and a
filtered one). A grid with no release (a builder called on its own) is protected alone."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

from ..user_errors import UserError
from .audit import Interval, Problem, audit, protected
from .protect import Decision, protect

Line = Sequence[tuple[int, int]]  # cells of a line, its total last
Cell = tuple[int, int]
Key = tuple[str, int, int, int]  # scope, grid number in its scope, row, column


@dataclass
class Grid:
    scope: str
    number: int
    name: str
    values: list[list[int]]
    lines: list[Line]
    links: dict[Cell, str]
    labels: tuple[Sequence[str], Sequence[str]] | None = None
    named: bool = False  # named by its builder (else by its place): its labels link it

    def key(self, r: int, c: int) -> Key:
        return (self.scope, self.number, r, c)

    def cell_name(self, r: int, c: int) -> str:
        if self.labels and r < len(self.labels[0]) and c < len(self.labels[1]):
            return f"{self.labels[0][r]} / {self.labels[1][c]}"
        return f"row {r + 1}, column {c + 1}"


@dataclass
class Release:
    threshold: int
    # child scope -> parent scope; a parent's cells are the sums of its children's.
    parents: dict[str, str] = field(default_factory=dict)
    frozen_scopes: set[str] = field(default_factory=set)
    grids: list[Grid] = field(default_factory=list)
    scope: str = ""
    builder: str = ""
    applying: bool = False
    decision: Decision | None = None
    problem: Problem | None = None
    seconds: float = 0.0
    _counter: dict[str, int] = field(default_factory=dict)
    rests: list[Key] = field(default_factory=list)  # small rests of a parent's counts

    @contextmanager
    def in_scope(self, scope: str) -> Iterator[None]:
        before, self.scope = self.scope, scope
        try:
            yield
        finally:
            self.scope = before

    def grid(
        self,
        values: list[list[int]],
        lines: Sequence[Line],
        name: str,
        links: Mapping[Cell, str],
        labels: tuple[Sequence[str], Sequence[str]] | None,
    ) -> list[list[bool]]:
        number = self._counter.get(self.scope, 0)
        self._counter[self.scope] = number + 1
        if not self.applying:
            self.grids.append(
                Grid(
                    self.scope,
                    number,
                    name or f"{self.builder} grid {number + 1}",
                    [list(r) for r in values],
                    list(lines),
                    dict(links),
                    labels,
                    bool(name),
                )
            )
            return [[False] * len(r) for r in values]
        hidden = self.decision.hidden if self.decision else set()
        return [
            [(self.scope, number, r, c) in hidden for c in range(len(row))]
            for r, row in enumerate(values)
        ]

    def solve(self) -> Decision:
        """Protect the frozen scopes (the release already published) alone, then the rest."""
        started = time.perf_counter()
        problem = self._problem()
        grid_of = _grid_of
        rests = set(self.rests)
        frozen_keys = {k for k in problem.values if cast(Key, k)[0] in self.frozen_scopes}
        before = Decision(set(), {})
        if frozen_keys:
            alone = Problem(
                {k: v for k, v in problem.values.items() if k in frozen_keys},
            )
            for eq in problem.equations:
                if all(k in frozen_keys for k in (*eq.parts, eq.total)):
                    alone.equations.append(eq)
            before = protect(alone, self.threshold, grid_of=grid_of)
        self.decision = protect(
            problem,
            self.threshold,
            grid_of=grid_of,
            frozen=frozen_keys | rests,
            already_hidden=before.hidden | rests,
        )
        # A cell pinned to a count the unfiltered release already shows leaks nothing new,
        # through any chain of links (Table 13's total is Table 1's, which is the unfiltered
        # Table 1's).
        published = {k for k in frozen_keys if k not in self.decision.hidden}
        already = _pinned_to(problem, published)
        self.decision.failing = [k for k in self.decision.failing if k not in already]
        self.problem = problem
        self.applying = True
        self._counter = {}
        self.seconds = time.perf_counter() - started
        return self.decision

    def _problem(self) -> Problem:
        problem = Problem()
        self.rests = []
        linked: dict[tuple[str, str], list[Key]] = {}
        for g in self.grids:
            for r, row in enumerate(g.values):
                for c, n in enumerate(row):
                    problem.values[g.key(r, c)] = n
            for line in g.lines:
                *parts, total = line
                problem.relate([g.key(*p) for p in parts], g.key(*total))
            for (r, c), link in _links(g):
                linked.setdefault((g.scope, link), []).append(g.key(r, c))
        for keys in linked.values():
            for other in keys[1:]:
                problem.relate([other], keys[0])
        children: dict[str, list[str]] = {}
        for child, parent in self.parents.items():
            children.setdefault(parent, []).append(child)
        for (scope, link), keys in linked.items():
            if scope not in children:
                continue
            cells = [linked[(c, link)][0] for c in children[scope] if (c, link) in linked]
            if not cells:
                continue
            rest = problem.values[keys[0]] - sum(problem.values[k] for k in cells)
            if 0 < rest < self.threshold:
                # The rest (all sites minus this one; the whole minus its periods) is a count
                # a reader can work out: hidden, never shown, and protected like a cell.
                key = (REST, len(self.rests), 0, 0)
                self.rests.append(key)
                problem.values[key] = rest
                problem.relate([*cells, key], keys[0])
            else:
                # Exact when the children hold all of it (a reader may know that), else a part.
                problem.relate(cells, keys[0])
        return problem

    def report(self) -> list[tuple[str, str, Interval, bool]]:
        """(grid, cell, interval, protected) of every hidden cell, in the grids' order."""
        if not self.decision or not self.problem:
            return []
        exact = audit(self.problem, self.decision.hidden)  # whole intervals, not just checked
        out = []
        for g in self.grids:
            for r, row in enumerate(g.values):
                for c, n in enumerate(row):
                    key = g.key(r, c)
                    if key in self.decision.hidden:
                        interval = exact.get(key, Interval(0, float("inf")))
                        ok = protected(interval, n, self.threshold)
                        where = g.name if not g.scope else f"{g.name} ({g.scope})"
                        out.append((where, g.cell_name(r, c), interval, ok))
        return out

    @property
    def failed_grids(self) -> list[str]:
        """Grids of this release with a cell the audit could not protect. A cell of the
        release already published (the unfiltered one) is left out: see the audit's output."""
        failing = set(self.decision.failing) if self.decision else set()
        failing = {k for k in failing if cast(Key, k)[0] not in self.frozen_scopes}
        rest = [REST] if failing.intersection(self.rests) else []
        return rest + [
            g.name if not g.scope else f"{g.name} ({g.scope})"
            for g in self.grids
            if any(
                g.key(r, c) in failing for r, row in enumerate(g.values) for c in range(len(row))
            )
        ]


REST = "the rest of a count (all sites minus this site, or the whole minus its periods)"


def _pinned_to(problem: Problem, published: set[Hashable]) -> set[Hashable]:
    """Every cell equal, through a chain of one-part equations (links), to a published one."""
    same: dict[Hashable, list[Hashable]] = {}
    for eq in problem.equations:
        if len(eq.parts) == 1 and not eq.slack:
            a, b = eq.parts[0], eq.total
            same.setdefault(a, []).append(b)
            same.setdefault(b, []).append(a)
    found: set[Hashable] = set()
    todo = [k for k in published if k in same]
    while todo:
        key = todo.pop()
        for other in same[key]:
            if other not in found and other not in published:
                found.add(other)
                todo.append(other)
    return found


def _grid_of(key: Hashable) -> Hashable:
    return cast(Key, key)[:2]  # (scope, grid number)


def _links(g: Grid) -> list[tuple[Cell, str]]:
    """The grid's own links, and for a named grid with labels each cell's name (so that the
    same table in another scope, a period or the unfiltered release, is tied to it). A cell
    may have both: Table 14a's cells are tied by name to 14a of all sites and by link to
    Table 1 (one replacing the other let all sites minus one site give a total back)."""
    links: list[tuple[Cell, str]] = []
    if g.labels and g.named:
        rows, cols = g.labels
        for r, row in enumerate(g.values):
            for c in range(len(row)):
                if r < len(rows) and c < len(cols):
                    links.append(((r, c), f"{g.name}|{rows[r]}|{cols[c]}"))
    links.extend(g.links.items())
    return links


class ReleaseRefused(UserError):
    """A publication release whose audit fails: it is not produced."""

    status = 409


def refuse_if_failing(release: Release | None) -> None:
    if release is not None and release.failed_grids:
        names = ", ".join(dict.fromkeys(release.failed_grids))
        raise ReleaseRefused(
            f"Not released: the disclosure audit could not protect {names}. Choose fewer "
            "filters or no split by study period."
        )


_CURRENT: contextvars.ContextVar[Release | None] = contextvars.ContextVar("release", default=None)


def current() -> Release | None:
    return _CURRENT.get()


@contextmanager
def active(release: Release) -> Iterator[Release]:
    token = _CURRENT.set(release)
    try:
        yield release
    finally:
        _CURRENT.reset(token)


def hide(
    values: Sequence[Sequence[int]],
    lines: Sequence[Line],
    threshold: int,
    *,
    name: str = "",
    links: Mapping[Cell, str] | None = None,
    labels: tuple[Sequence[str], Sequence[str]] | None = None,
) -> list[list[bool]]:
    """Which cells of a grid to hide: decided with the release when there is one."""
    grid = [list(r) for r in values]
    if not threshold:
        return [[False] * len(r) for r in grid]
    release = current()
    if release is not None:
        return release.grid(grid, lines, name, links or {}, labels)
    alone = Release(threshold)
    alone.grid(grid, lines, name, links or {}, labels)
    alone.solve()
    return alone.grid(grid, lines, name, links or {}, labels)
