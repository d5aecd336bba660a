"""The one mark of a hidden count, its note, and the percentages beside counts."""

from __future__ import annotations

MARK = "[c]"  # confidential: as the GSS guidance on symbols has it, whatever the count


def note(threshold: int) -> str:
    """The one note of a table or chart showing the mark: it does not say which are small."""
    return (
        f"{MARK}: confidential, hidden so that no count under {threshold} can be read or "
        "worked out from the release"
    )


def percent(n: int, total: int) -> int | None:
    return half_up(n * 100 / total) if total else None


def half_up(value: float) -> int:
    """A percentage as a whole number, half up, for tables and charts alike (Python's round()
    and format() give 12 for 12.5)."""
    return int(value + 0.5)


def primary(n: int, threshold: int) -> bool:
    """Under the threshold and not zero: hidden for itself."""
    return bool(threshold) and 0 < n < threshold


def shown(n: int, hidden: bool) -> int | str:
    return MARK if hidden else n


def n_shown(n: int, threshold: int) -> int | str:
    """A count stated in words (a note's "n = 3"): hidden under the threshold, as its cell is."""
    return shown(n, primary(n, threshold))


def is_mark(cell: object) -> bool:
    return cell == MARK
