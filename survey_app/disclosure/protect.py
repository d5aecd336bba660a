"""Which cells to hide: every count under the threshold (primary), then more (secondary)
until the audit passes. Greedy, as Tau-Argus's and sdcTable's heuristics are before their
optimal solvers: each cell the audit fails adds the shown cell of one of its relations that
costs least (a non-zero count before a zero, a body cell before a total, the smallest count
that lifts the hidden part of the relation to the threshold), and the audit runs again. A
grid whose cells cannot be protected that way is hidden throughout."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from dataclasses import dataclass, field

from .audit import Interval, Key, Problem, audit, protected, tied
from .marks import primary

# Showing a cell again re-audits the hidden cells tied to it: skipped when they are more than
# this (a whole study tied to its periods), where it would cost minutes.
SHOW_AGAIN_UP_TO = 40


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
    primaries = {k for k, n in problem.values.items() if k not in frozen and primary(n, threshold)}
    hidden = primaries | set(already_hidden)
    intervals = audit(problem, hidden, threshold=threshold)
    rounds = 0
    while True:
        rounds += 1
        failing = _failing(problem, intervals, threshold)
        if not failing:
            break
        added = _add_cheapest(problem, failing, hidden, frozen, threshold)
        if not added:
            # Nothing cheap left next to them: hide their grids throughout, and those of the
            # cells they are tied to (a cell already published cannot be hidden again).
            near = set(failing)
            for eq in problem.equations:
                members = (*eq.parts, eq.total)
                if near.intersection(members):
                    near.update(members)
            grids = {grid_of(key) for key in near} - {None}
            added = {k for k in problem.values if grid_of(k) in grids and k not in frozen}
            added -= hidden
            if not added:
                return Decision(hidden, intervals, failing, rounds)
            hidden |= added
        intervals.update(audit(problem, hidden, near=added | set(failing), threshold=threshold))
    _show_again(problem, hidden, intervals, primaries | set(already_hidden), threshold)
    return Decision(hidden, intervals, [], rounds)


def _failing(problem: Problem, intervals: dict[Key, Interval], threshold: int) -> list[Key]:
    return [
        k
        for k, interval in intervals.items()
        if not protected(interval, problem.values[k], threshold)
    ]


def _show_again(
    problem: Problem,
    hidden: set[Key],
    intervals: dict[Key, Interval],
    kept: set[Key],
    threshold: int,
) -> None:
    """Greedy choices overshoot: each secondary cell, totals and large counts first, is
    shown again if the audit still passes without it."""
    totals = {eq.total for eq in problem.equations if len(eq.parts) > 1}
    order = sorted(hidden - kept, key=lambda k: (k not in totals, -problem.values[k], repr(k)))
    for key in order:
        if tied(problem, hidden, [key]) > SHOW_AGAIN_UP_TO:
            continue
        hidden.discard(key)
        again = audit(problem, hidden, near=[key], threshold=threshold)
        if _failing(problem, again, threshold):
            hidden.add(key)
        else:
            intervals.pop(key, None)
            intervals.update(again)


def _add_cheapest(
    problem: Problem, failing: list[Key], hidden: set[Key], frozen: set[Key], threshold: int
) -> set[Key]:
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
    return chosen


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
