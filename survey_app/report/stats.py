"""Paired statistics for the same mothers at two waves.

The change in a score is tested by Wilcoxon's signed-rank test and estimated by the
Hodges-Lehmann estimate (the median of the Walsh averages) with its distribution-free 95%
confidence interval, the interval that inverts the same test; its effect size is the
matched-pairs rank-biserial correlation. Zero differences are dropped from all four, as
Wilcoxon did (and R's wilcox.test does). Under ``MIN_PAIRS`` non-zero differences there is
no inference at all: neither p nor interval nor effect size."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from scipy import stats as sps

MIN_PAIRS = 10
TOO_FEW = "too few pairs to test"
# Up to this many non-zero differences the interval's critical value comes from the exact
# null distribution of the signed-rank statistic, beyond it from the normal approximation.
EXACT_UP_TO = 50
Z_975 = 1.959963984540054


@dataclass(frozen=True)
class PairedChange:
    n: int  # pairs: answered at both waves
    n_nonzero: int  # pairs whose score changed: the test's sample
    mean_before: float | None
    mean_after: float | None
    estimate: float | None  # Hodges-Lehmann estimate of the change (after - before)
    ci_low: float | None  # its 95% confidence interval; None under MIN_PAIRS non-zero
    ci_high: float | None
    effect: float | None  # matched-pairs rank-biserial correlation; None under MIN_PAIRS
    p: float | None  # Wilcoxon signed-rank, two-sided; None under MIN_PAIRS non-zero

    @property
    def tested(self) -> bool:
        return self.n_nonzero >= MIN_PAIRS


def walsh_averages(diffs: Sequence[float]) -> list[float]:
    """(d_i + d_j) / 2 for every i <= j, sorted."""
    return sorted((a + b) / 2 for i, a in enumerate(diffs) for b in diffs[i:])


def hodges_lehmann(diffs: Sequence[float]) -> float:
    return statistics.median(walsh_averages(diffs))


@cache
def _sign_counts(ranks: tuple[int, ...]) -> tuple[int, ...]:
    """How many of the 2**n sign patterns of these (integer) ranks give each sum of the
    positive ones, 0 .. sum(ranks): the signed-rank statistic's null distribution."""
    counts = [1]
    for rank in ranks:
        longer = counts + [0] * rank
        for s, c in enumerate(counts):
            longer[s + rank] += c
        counts = longer
    return tuple(counts)


def critical_rank(n: int) -> int:
    """k: the 95% interval runs from the k-th smallest Walsh average to the k-th largest.
    Exact: the largest k with P(W+ <= k - 1) <= 0.025 (so at least 95% coverage); beyond
    ``EXACT_UP_TO`` the normal approximation's integer part (Hollander and Wolfe)."""
    if n > EXACT_UP_TO:
        k = int(n * (n + 1) / 4 - Z_975 * math.sqrt(n * (n + 1) * (2 * n + 1) / 24))
        return max(k, 1)
    counts, total = _sign_counts(tuple(range(1, n + 1))), 1 << n
    below, k = 0, 0
    while (below + counts[k]) * 40 <= total:  # P(W+ <= k) <= 1/40
        below += counts[k]
        k += 1
    return k  # P(W+ <= k - 1) <= 0.025 < P(W+ <= k)


def signed_rank_p(diffs: Sequence[float]) -> float:
    """Two-sided p of Wilcoxon's signed-rank test of non-zero differences. Up to
    ``EXACT_UP_TO`` of them exact: every sign pattern of their ranks (tied ranks averaged,
    so the exact conditional distribution); beyond, the normal approximation with the tie
    correction (scipy)."""
    n = len(diffs)
    if n > EXACT_UP_TO:
        return float(sps.wilcoxon(diffs, zero_method="wilcox", method="asymptotic").pvalue)
    # Average ranks are whole or halves: doubled, they are whole numbers for the counting.
    doubled = [round(2 * float(r)) for r in sps.rankdata([abs(d) for d in diffs])]
    up = sum(r for r, d in zip(doubled, diffs, strict=True) if d > 0)
    smaller = min(up, sum(doubled) - up)
    counts = _sign_counts(tuple(sorted(doubled)))
    return min(1.0, 2 * sum(counts[: smaller + 1]) / (1 << n))


def hodges_lehmann_ci(diffs: Sequence[float]) -> tuple[float, float] | None:
    walsh = walsh_averages(diffs)
    k = critical_rank(len(diffs))
    if k < 1:  # too few differences for any 95% interval
        return None
    return walsh[k - 1], walsh[len(walsh) - k]


def rank_biserial(diffs: Sequence[float]) -> float:
    """(R+ - R-) / (R+ + R-), the ranks of |d| with ties given their average rank."""
    ranks = sps.rankdata([abs(d) for d in diffs])
    up = sum(r for r, d in zip(ranks, diffs, strict=True) if d > 0)
    down = sum(r for r, d in zip(ranks, diffs, strict=True) if d < 0)
    return float((up - down) / (up + down))


def paired_change(pairs: Sequence[tuple[float, float]]) -> PairedChange:
    n = len(pairs)
    if not n:
        return PairedChange(0, 0, None, None, None, None, None, None, None)
    before = statistics.fmean(b for b, _ in pairs)
    after = statistics.fmean(a for _, a in pairs)
    changed = [a - b for b, a in pairs if a != b]
    m = len(changed)
    estimate = hodges_lehmann(changed) if changed else 0.0
    if m < MIN_PAIRS:
        return PairedChange(n, m, before, after, estimate, None, None, None, None)
    ci = hodges_lehmann_ci(changed)
    low, high = ci if ci else (None, None)
    p = signed_rank_p(changed)
    return PairedChange(n, m, before, after, estimate, low, high, rank_biserial(changed), p)


@dataclass(frozen=True)
class PairedAgreement:
    """A yes/no (agree or not) at two waves for the same mothers: the 2 x 2 table."""

    both: int
    before_only: int
    after_only: int
    neither: int
    # McNemar's exact test (binomial on the discordant pairs); None under MIN_PAIRS of them
    p: float | None

    @property
    def n(self) -> int:
        return self.both + self.before_only + self.after_only + self.neither

    @property
    def discordant(self) -> int:
        """The pairs that changed: the only ones the test counts (as the non-zero
        differences of the signed-rank test)."""
        return self.before_only + self.after_only

    @property
    def tested(self) -> bool:
        return self.discordant >= MIN_PAIRS


def mcnemar_exact(before_only: int, after_only: int) -> float:
    discordant = before_only + after_only
    if not discordant:
        return 1.0
    return float(sps.binomtest(before_only, discordant, 0.5).pvalue)


def paired_agreement(pairs: Sequence[tuple[bool, bool]]) -> PairedAgreement:
    both = sum(b and a for b, a in pairs)
    before_only = sum(b and not a for b, a in pairs)
    after_only = sum(a and not b for b, a in pairs)
    neither = len(pairs) - both - before_only - after_only
    changed = before_only + after_only
    p = mcnemar_exact(before_only, after_only) if changed >= MIN_PAIRS else None
    return PairedAgreement(both, before_only, after_only, neither, p)
