"""How a page's items are laid out: one at a time, or, for a run of items that share one
scale, as a grid (one row per item, one column per answer) on screens wide enough for it.

Each row of a grid is still its question's own fieldset with the same markup as a question
shown alone; only the stylesheet lines the rows up, so that screen readers, read-aloud and the
keyboard meet the same page whatever its width, and phones show the questions stacked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..instruments.model import Item, Option


@dataclass(frozen=True)
class ScaleGrid:
    items: tuple[Item, ...]
    options: tuple[Option, ...]
    offer: tuple[int, ...]
    # What the page template tests for (an Item has `items` too: a repeated group's).
    is_grid: bool = True


def _shares_scale(item: Item, grid: list[Item]) -> bool:
    first = grid[0]
    return (
        item.type == "likert"
        and item.scale == first.scale
        and item.options == first.options
        and item.offer == first.offer
    )


def blocks(items: Iterable[Item]) -> list[Item | ScaleGrid]:
    """The page's items in order, each run of two or more Likert items with the same scale
    and the same missing-data offers gathered into one grid."""
    out: list[Item | ScaleGrid] = []
    run: list[Item] = []

    def close() -> None:
        if len(run) > 1:
            out.append(ScaleGrid(tuple(run), run[0].options, run[0].offer))
        else:
            out.extend(run)
        run.clear()

    for item in items:
        if run and _shares_scale(item, run):
            run.append(item)
            continue
        close()
        if item.type == "likert":
            run.append(item)
        else:
            out.append(item)
    close()
    return out
