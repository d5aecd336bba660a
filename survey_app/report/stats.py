"""Paired statistics for the same mothers at two waves, computed by scipy.

Under ``MIN_PAIRS`` pairs no test is run: the table says "too few pairs to test"."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from scipy import stats as sps

MIN_PAIRS = 10
TOO_FEW = "too few pairs to test"


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_before: float | None
    mean_after: float | None
    mean_difference: float | None  # after - before
    ci_low: float | None  # 95% confidence interval of the mean difference (t distribution)
    ci_high: float | None
    p: float | None  # Wilcoxon signed-rank, two-sided; None under MIN_PAIRS

    @property
    def tested(self) -> bool:
        return self.n >= MIN_PAIRS


def paired_change(pairs: Sequence[tuple[float, float]]) -> PairedChange:
    n = len(pairs)
    if not n:
        return PairedChange(0, None, None, None, None, None, None)
    before = [b for b, _ in pairs]
    after = [a for _, a in pairs]
    diffs = [a - b for b, a in pairs]
    mean = statistics.fmean(diffs)
    low = high = None
    if n > 1:
        half = float(sps.t.ppf(0.975, n - 1)) * statistics.stdev(diffs) / math.sqrt(n)
        low, high = mean - half, mean + half
    p = None
    if n >= MIN_PAIRS:
        # Zero differences are dropped (Wilcoxon's own rule); all zero: nothing changed.
        p = 1.0 if not any(diffs) else float(sps.wilcoxon(diffs, zero_method="wilcox").pvalue)
    return PairedChange(n, statistics.fmean(before), statistics.fmean(after), mean, low, high, p)


@dataclass(frozen=True)
class PairedAgreement:
    """A yes/no (agree or not) at two waves for the same mothers: the 2 x 2 table."""

    both: int
    before_only: int
    after_only: int
    neither: int
    p: float | None  # McNemar's exact test (binomial on the discordant pairs); None under MIN_PAIRS

    @property
    def n(self) -> int:
        return self.both + self.before_only + self.after_only + self.neither


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
    p = mcnemar_exact(before_only, after_only) if len(pairs) >= MIN_PAIRS else None
    return PairedAgreement(both, before_only, after_only, neither, p)
