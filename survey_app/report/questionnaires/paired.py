"""What changed for the same mothers between the first wave and each later one: only
mothers who answered both are counted, and n pairs is stated on every row."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ...scoring import score_wai
from ..data import Answered, ReportData, Wave, code_of
from ..grid import CrossTab, n_shown
from ..model import SECONDARY, Cell, ReportTable, Row
from ..stats import MIN_PAIRS, TOO_FEW, paired_agreement, paired_change
from .mother_tables import LIKERT_TABLES, RATINGS, WAI_PARTS

Score = Callable[[Answered], float | None]


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 2)


def _p(p: float | None, n: int) -> Cell:
    if n < MIN_PAIRS:
        return TOO_FEW
    return None if p is None else round(p, 3) if p >= 0.001 else "<0.001"


def _wai(prefix: str, part: str, a: Answered) -> float | None:
    value: float | None = getattr(score_wai(a.answers, prefix), part)
    return value


def _rating(variable: str, a: Answered) -> float | None:
    code = code_of(a.answers, variable)
    return None if code is None else float(code)


def _scores(data: ReportData) -> list[tuple[str, Score]]:
    found: list[tuple[str, Score]] = []
    prefixes = dict.fromkeys(p for w in data.waves for p in w.questionnaires.blocks)
    for prefix in prefixes:
        for part, label in WAI_PARTS:
            name = f"WAI {label.split(' (')[0].lower()} ({prefix})"
            found.append((name, partial(_wai, prefix, part)))
    found += [(variable, partial(_rating, variable)) for variable in RATINGS]
    return found


def _pairs(data: ReportData, first: Wave, later: Wave) -> list[tuple[Answered, Answered]]:
    return [
        (m.waves[first.code], m.waves[later.code])
        for m in data.mothers
        if first.code in m.waves and later.code in m.waves
    ]


def _change_row(
    label: str, score: Score, linked: list[tuple[Answered, Answered]], threshold: int
) -> Row:
    """One score's paired change; only the count, hidden, when too few pairs to publish."""
    pairs = [
        (b, a) for x, y in linked if (b := score(x)) is not None and (a := score(y)) is not None
    ]
    change = paired_change(pairs)
    if threshold and 0 < change.n < threshold:
        return Row(label, (SECONDARY, None, None, None, None, None))
    ci = (
        f"{change.ci_low:.2f} to {change.ci_high:.2f}"
        if change.ci_low is not None and change.ci_high is not None
        else None
    )
    return Row(
        label,
        (
            change.n,
            _r(change.mean_before),
            _r(change.mean_after),
            _r(change.mean_difference),
            ci,
            _p(change.p, change.n),
        ),
    )


def _agreement_row(
    variable: str,
    first: Wave,
    later: Wave,
    linked: list[tuple[Answered, Answered]],
    threshold: int,
) -> tuple[Row, bool] | None:
    """One item's first collapsed category at both waves, and whether its p is withheld; None
    for an item with no scale or no collapsed categories."""
    item = first.questionnaires.item(variable) or later.questionnaires.item(variable)
    if item is None or item.scale is None:
        return None
    scales = (first.questionnaires.instruments + later.questionnaires.instruments)[0]
    scale = scales.scales.get(item.scale)
    if scale is None or not scale.collapsed:
        return None
    top_label, top = scale.collapsed[0]
    pairs = [
        (b in top, a in top)
        for x, y in linked
        if (b := code_of(x.answers, variable)) is not None
        and (a := code_of(y.answers, variable)) is not None
    ]
    result = paired_agreement(pairs)
    # T1 by T2 with its margins: the margins are the pairs agreeing at each wave, counted
    # among all the mothers of Table 14 too (the same count when every mother answering at
    # that wave is one of the pairs), so the release ties them to Table 14's cells.
    body = [[result.both, result.before_only], [result.after_only, result.neither]]
    links = {
        (0, 2): f"mothers {variable} {first.code}|{top_label['en']}|n",
        (2, 0): f"mothers {variable} {later.code}|{top_label['en']}|n",
        (2, 2): f"mothers {variable} {later.code}|Total|n",
    }
    table = CrossTab(body, threshold, name=f"Supplementary table D {variable}", links=links)
    shown, _grid, hidden = table.rendered()
    p = _p(result.p, result.n)
    # McNemar's p is a function of the two discordant counts (At T1 only, At T2 only):
    # beside a hidden one it gives the count back (one value fits p and the other).
    withheld = bool((hidden[0][1] or hidden[1][0]) and p != TOO_FEW)
    row = Row(
        f"{item.text['en']} ({top_label['en']})",
        (shown[2][2], shown[0][0], shown[0][1], shown[1][0], shown[1][1], None if withheld else p),
    )
    return row, withheld


def change_table(data: ReportData, first: Wave, later: Wave) -> ReportTable:
    linked = _pairs(data, first, later)
    threshold = data.threshold
    rows = [_change_row(label, score, linked, threshold) for label, score in _scores(data)]
    return ReportTable(
        f"change-{later.code}",
        f"Supplementary table C: Change from {first.code} to {later.code} for the same mothers "
        f"({n_shown(len(linked), threshold)} answered both)",
        (
            "",
            "n pairs",
            f"Mean at {first.code}",
            f"Mean at {later.code}",
            f"Mean difference ({later.code} - {first.code})",
            "95% confidence interval",
            "Wilcoxon signed-rank p",
        ),
        tuple(rows),
        (
            "Only mothers who answered both waves and the item at both; n pairs on every row.",
            "95% confidence interval of the mean difference (t distribution); Wilcoxon "
            "signed-rank test, two-sided, zero differences dropped (scipy).",
            f"Under {MIN_PAIRS} pairs: {TOO_FEW}.",
        ),
    )


def agreement_table(data: ReportData, first: Wave, later: Wave) -> ReportTable:
    linked = _pairs(data, first, later)
    threshold = data.threshold
    found = [
        agreed
        for _key, _title, variables in LIKERT_TABLES
        for variable in variables
        if (agreed := _agreement_row(variable, first, later, linked, threshold)) is not None
    ]
    rows = [row for row, _withheld in found]
    p_withheld = any(withheld for _row, withheld in found)
    return ReportTable(
        f"agreement-{later.code}",
        f"Supplementary table D: Collapsed items, {first.code} beside {later.code} for the same "
        "mothers",
        (
            "",
            "n pairs",
            f"At {first.code} and {later.code}",
            f"At {first.code} only",
            f"At {later.code} only",
            "At neither",
            "McNemar's exact p",
        ),
        tuple(rows),
        (
            "Each item's first collapsed category (e.g. Strongly agree or agree) at each wave, "
            "for mothers who answered it at both.",
            "McNemar's exact test: two-sided binomial test of the discordant pairs (scipy).",
            f"Under {MIN_PAIRS} pairs: {TOO_FEW}.",
            *(
                [
                    f"For publication, no p where {first.code} only or {later.code} only is "
                    "hidden: with the other count it would give the hidden one back."
                ]
                if p_withheld
                else []
            ),
        ),
    )


def paired_tables(data: ReportData) -> list[ReportTable]:
    if len(data.waves) < 2:
        return []
    first = data.waves[0]
    tables = []
    for later in data.waves[1:]:
        tables += [change_table(data, first, later), agreement_table(data, first, later)]
    return tables
