"""Agreement of two coders, theme by theme: over the n answers both coded, the share they
agree on (the theme given by both, or by neither) and Cohen's kappa, which discounts the
agreement their rates alone would give by chance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..models import Coding, Theme


@dataclass(frozen=True)
class ThemeAgreement:
    theme: Theme
    n: int
    both: int  # answers both gave this theme
    only_a: int
    only_b: int
    neither: int

    @property
    def agreed(self) -> int:
        return self.both + self.neither

    @property
    def percent(self) -> float | None:
        return 100 * self.agreed / self.n if self.n else None

    @property
    def kappa(self) -> float | None:
        """(po - pe) / (1 - pe); None when pe is 1 (both coders gave the theme to every answer,
        or to none): kappa is then undefined, and the percentage says what there is to say."""
        if not self.n:
            return None
        n = self.n
        observed = self.agreed / n
        a_yes, b_yes = (self.both + self.only_a) / n, (self.both + self.only_b) / n
        chance = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
        if chance >= 1:
            return None
        return (observed - chance) / (1 - chance)


@dataclass(frozen=True)
class Disagreement:
    ref: str
    only_a: frozenset[int]
    only_b: frozenset[int]
    agreed: frozenset[int]


def per_theme(
    themes: Sequence[Theme],
    first: Mapping[str, Coding],
    second: Mapping[str, Coding],
    refs: Sequence[str],
) -> list[ThemeAgreement]:
    """Each theme's agreement over the answers of ``refs`` that both coded."""
    shared = [ref for ref in refs if ref in first and ref in second]
    result = []
    for theme in themes:
        a = [theme.id in first[ref].theme_ids for ref in shared]
        b = [theme.id in second[ref].theme_ids for ref in shared]
        result.append(
            ThemeAgreement(
                theme,
                len(shared),
                sum(x and y for x, y in zip(a, b, strict=True)),
                sum(x and not y for x, y in zip(a, b, strict=True)),
                sum(y and not x for x, y in zip(a, b, strict=True)),
                sum(not x and not y for x, y in zip(a, b, strict=True)),
            )
        )
    return result


def disagreements(
    first: Mapping[str, Coding], second: Mapping[str, Coding], refs: Sequence[str]
) -> list[Disagreement]:
    found = []
    for ref in refs:
        if ref in first and ref in second:
            a, b = first[ref].theme_ids, second[ref].theme_ids
            if a != b:
                found.append(Disagreement(ref, a - b, b - a, a & b))
    return found
