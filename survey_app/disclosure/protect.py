"""Which cells to hide: every count under the threshold (primary), then more (secondary)
until the audit passes. Greedy, as Tau-Argus's and sdcTable's heuristics are before their
optimal solvers: each cell the audit fails adds the shown cell of one of its relations that
costs least (a non-zero count before a zero, a body cell before a total, the smallest count
that lifts the hidden part of the relation to the threshold), and the audit runs again. A
grid whose cells cannot be protected that way is hidden throughout."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field

from .audit import Interval, Key, Problem, audit, protected
from .marks import primary


@dataclass
class Decision:
    hidden: set[Key]
    intervals: dict[Key, Interval]
    failing: list[Key] = field(default_factory=list)  # still unprotected (frozen cells)
    rounds: int = 0


def protect(
    problem: Problem,
    threshold: int,
    *,
    grid_of: Callable[[Key], Hashable] = lambda key: None,
    frozen: Collection[Key] = (),
    already_hidden: Collection[Key] = (),
) -> Decision:
    """``frozen``: cells already published (shown or hidden) that this release cannot change;
    ``already_hidden``: those of them that are hidden. ``grid_of``: the grid a key is in, for
    hiding a grid throughout."""
    frozen = set(frozen)
    hidden = {k for k, n in problem.values.items() if k not in frozen and primary(n, threshold)}
    hidden |= set(already_hidden)
    rounds = 0
    while True:
        rounds += 1
        intervals = audit(problem, hidden)
        failing = [
            k
            for k, interval in intervals.items()
            if not protected(interval, problem.values[k], threshold)
        ]
        if not failing:
            return Decision(hidden, intervals, [], rounds)
        if _add_cheapest(problem, failing, hidden, frozen, threshold):
            continue
        # Nothing cheap left next to them: hide their grids throughout, and those of the
        # cells they are tied to (a cell already published cannot be hidden again).
        near = set(failing)
        for eq in problem.equations:
            members = (*eq.parts, eq.total)
            if near.intersection(members):
                near.update(members)
        grids = {grid_of(key) for key in near} - {None}
        whole = {k for k in problem.values if grid_of(k) in grids and k not in frozen}
        if not whole - hidden:
            return Decision(hidden, intervals, failing, rounds)
        hidden |= whole


def _add_cheapest(
    problem: Problem, failing: list[Key], hidden: set[Key], frozen: set[Key], threshold: int
) -> bool:
    """Hide one more cell for each failing cell: from its own relations, else from those of
    the hidden cells it shares a relation with. False when there was none to hide."""
    chosen = {c for key in failing if (c := _cheapest(problem, [key], hidden, frozen, threshold))}
    if not chosen:
        near = {
            other
            for key in failing
            for eq in problem.equations
            if key in (*eq.parts, eq.total)
            for other in (*eq.parts, eq.total)
            if other in hidden
        }
        found = _cheapest(problem, sorted(near, key=repr), hidden, frozen, threshold)
        chosen = {found} if found is not None else set()
    hidden |= chosen
    return bool(chosen)


def _cheapest(
    problem: Problem, keys: list[Key], hidden: set[Key], frozen: set[Key], threshold: int
) -> Key | None:
    best: tuple[tuple[bool, bool, bool, bool, int, str], Key] | None = None
    wanted = set(keys)
    totals = {eq.total for eq in problem.equations if len(eq.parts) > 1}
    linked = {k for eq in problem.equations if len(eq.parts) == 1 for k in (eq.parts[0], eq.total)}
    for eq in problem.equations:
        members = (*eq.parts, eq.total)
        if not wanted.intersection(members):
            continue
        hidden_sum = sum(problem.values[p] for p in eq.parts if p in hidden)
        need = threshold - hidden_sum
        for other in members:
            if other in hidden or other in frozen:
                continue
            n = problem.values[other]
            # A count shown in another table too would have to go there as well.
            cost = (n == 0, other in totals, other in linked, n < need, n, repr(other))
            if best is None or cost < best[0]:
                best = (cost, other)
    return best[1] if best else None
