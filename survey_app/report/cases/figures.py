"""Figures 1 to 14 of the report from the case tracker's referrals (CASE_TRACKER.md, "What
the report computes from them"), each a table of counts and column % by prison with an
all-sites Total, and a chart of the percentages; then the slides' percentages.

The unit counted: mothers (one per case, with its latest referral's answers, as corrected)
in Figures 1-4, 6-9, 13 and 14; children (one per child entry on the referral) in 10-12.
Figure 5 counts local authorities (a word cloud in the report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...export.cases import CHILDREN
from ..data import ReportData, codes_of
from ..grid import hide, n_shown, ordered, shown
from ..model import Cell, ReportTable, Row
from ..questionnaires.link_tables import NOT_ANSWERED
from .answers import Answers, entries, label_of, not_asked, option_labels, referrals
from .by_prison import ALL_SITES, Counts, heads, prison_chart
from .slides import slides_table
from .tables import prisons_of

MOTHERS, CHILD_ENTRIES, SIBLINGS = "mothers", "children", "siblings"


POOLED = "all sites"  # the one column of a pooled figure


@dataclass(frozen=True)
class Figure:
    number: int
    title: str
    variable: str  # on the referral, or in its children's entries
    unit: str = MOTHERS
    all_sites_only: bool = False  # the report draws it for both prisons together
    # Published for all sites only (the 2023 report pooled it "to protect anonymity"): in
    # publication mode only its Total columns, and a release for one site is refused.
    pooled: bool = False


FIGURES = (
    Figure(1, "Figure 1: Source of referrals", "referral_source"),
    Figure(2, "Figure 2: Ethnicity of mothers accessing the Together a Chance service", "ethnicity"),
    Figure(3, "Figure 3: Age profile of mothers accessing the Together a Chance service", "age_band"),
    Figure(
        4,
        "Figure 4: Mothers accessing the Together a Chance service who were in care or known "
        "to social services as a child",
        "care_experience",
    ),
    Figure(6, "Figure 6: Offence profile for TaC mothers", "offence_category", pooled=True),
    Figure(7, "Figure 7: Length of sentence for TaC mothers", "sentence_length"),
    Figure(8, "Figure 8: Child-related offences by prison for TaC mothers", "child_related_offence"),
    Figure(9, "Figure 9: Number of children reported by each TaC mother", CHILDREN),
    Figure(10, "Figure 10: Children's ages for TaC mothers by prison", "child_age_band", CHILD_ENTRIES),
    Figure(
        11,
        "Figure 11: Care arrangements in place for the children of TaC mothers at the point "
        "of referral",
        "child_care_arrangement",
        CHILD_ENTRIES,
        all_sites_only=True,
    ),
    Figure(12, "Figure 12: Care arrangements by prison", "child_care_arrangement", CHILD_ENTRIES),
    Figure(
        13,
        "Figure 13: Sibling arrangements for TaC mothers with more than one child",
        "siblings",
        SIBLINGS,
    ),
    Figure(
        14,
        "Figure 14: Prison profile of TaC mothers' involvement in proceedings in the Family Court",
        "family_court",
    ),
)  # fmt: skip
# What each unit's total row is called, and the note that says what was counted.
UNITS = {
    MOTHERS: (
        "Total mothers",
        "n and % of the mothers (cases with a referral) at each prison.",
        "% of the mothers",
    ),
    CHILD_ENTRIES: (
        "Total children",
        "n and % of the children at each prison: one per child entered on the referrals.",
        "% of the children",
    ),
    SIBLINGS: (
        "Mothers with two or more children",
        "n and % of the mothers with two or more children entered on the referral.",
        "% of the mothers with two or more children",
    ),
}
CHILD_COUNTS = ("1 child", "2 children", "3 children", "4 children", "5 or more children")
LATEST = "A case counts once, with its latest referral (as last corrected)."


def units(data: ReportData, unit: str) -> list[tuple[str, Answers]]:
    mothers = referrals(data)
    if unit == CHILD_ENTRIES:
        return [(site, entry) for site, answers in mothers for entry in entries(answers)]
    if unit == SIBLINGS:
        return [(site, answers) for site, answers in mothers if len(entries(answers)) >= 2]
    return mothers


def children_label(answers: Answers) -> str:
    n = len(entries(answers))
    return CHILD_COUNTS[min(n, 5) - 1] if n else NOT_ANSWERED


def count_table(
    data: ReportData,
    figure: Figure,
    wanted: Sequence[str],
    pairs: Sequence[tuple[str, str]],
    notes: Sequence[str],
) -> ReportTable:
    """Counts of (site, row label) pairs by prison, every wanted row shown, anything else
    seen ("Not answered") after them; the unit's total row is each column's base."""
    prisons = prisons_of(data)
    if figure.pooled and data.threshold:
        prisons = [(POOLED, ALL_SITES)]  # one column, its Total the same: only that is shown
        pairs = [(POOLED, label) for _, label in pairs]
    column = {code: j for j, (code, _) in enumerate(prisons)}
    names = [name for _, name in prisons]
    labels = ordered(wanted, [label for _, label in pairs], keep_all=True)
    index = {label: i for i, label in enumerate(labels)}
    body = [[0] * len(prisons) for _ in labels]
    for site, label in pairs:
        body[index[label]][column[site]] += 1
    total_label, counted, axis = UNITS[figure.unit]
    # Named, so that a one-site release is tied to the prison's column of all sites.
    counts = Counts.crosstab(
        body,
        len(prisons),
        data.threshold,
        f"fig-{figure.number}",
        ([*labels, total_label], [*names, "Total"]),
    )
    n = (
        f"n = {n_shown(len(pairs), data.threshold)}"
        if pairs
        else "n = 0: no cases with a referral match the filters"
    )
    pooled = figure.pooled and bool(data.threshold)
    rows = counts.rows([*labels, total_label], ["data"] * len(labels) + ["total"])
    if pooled:
        rows = tuple(Row(r.label, r.cells[2:], r.kind) for r in rows)
        notes = [*notes, "Published for all sites together only, as the 2023 report did."]
    return ReportTable(
        f"fig-{figure.number}",
        figure.title,
        ("", *heads([] if pooled else names)),
        rows,
        (*notes, counted, LATEST, n),
        prison_chart(
            figure.title,
            counts,
            names,
            range(len(labels)),
            labels,
            axis_title=axis,
            all_sites_only=figure.all_sites_only or pooled,
        ),
    )


def figure_table(data: ReportData, figure: Figure) -> ReportTable:
    found = units(data, figure.unit)
    if figure.variable == CHILDREN:
        pairs = [(site, children_label(answers)) for site, answers in found]
        return count_table(data, figure, CHILD_COUNTS, pairs, not_asked(data, "referral", CHILDREN))
    labels = option_labels(data, "referral", figure.variable)
    pairs = [(site, label_of(answers, figure.variable, labels)) for site, answers in found]
    notes = not_asked(data, "referral", figure.variable)
    return count_table(data, figure, list(labels.values()), pairs, notes)


def _authorities(data: ReportData) -> tuple[list[tuple[str, set[int]]], list[set[int]]]:
    """Each mother's named authorities (those who named any), and each prison's."""
    named = [
        (site, set(codes))
        for site, answers in referrals(data)
        if (codes := codes_of(answers, "local_authorities"))
    ]
    per_prison = [
        set().union(*(codes for site, codes in named if site == code))
        for code, _ in prisons_of(data)
    ]
    return named, per_prison


def _mother_rows(
    data: ReportData, named: list[tuple[str, set[int]]], frequent: list[int]
) -> list[list[Cell]]:
    """Mothers who named any, then those who named each frequent authority; publication
    mode hides small counts in each row with its total."""
    codes = [code for code, _ in prisons_of(data)]
    grid = [[sum(site == code for site, _ in named) for code in codes] + [len(named)]]
    for la in frequent:
        row = [sum(site == code and la in mine for site, mine in named) for code in codes]
        grid.append([*row, sum(row)])
    lines = [[(r, c) for c in range(len(codes) + 1)] for r in range(len(grid))]
    hidden = hide(grid, lines, data.threshold)
    return [
        [shown(n, h, data.threshold) for n, h in zip(row, hid, strict=True)]
        for row, hid in zip(grid, hidden, strict=True)
    ]


def figure_5(data: ReportData) -> ReportTable:
    named, per_prison = _authorities(data)
    everywhere = set().union(*per_prison)
    common = {la for la in everywhere if sum(la in mine for mine in per_prison) >= 2}
    least = data.filters.threshold
    labels = option_labels(data, "referral", "local_authorities")
    mentions = {la: sum(la in mine for _, mine in named) for la in everywhere}
    frequent = sorted(
        (la for la, n in mentions.items() if n >= least),
        key=lambda la: (-mentions[la], labels.get(la, str(la))),
    )
    mothers = _mother_rows(data, named, frequent)
    rows = [
        Row("Mothers with a local authority named", tuple(mothers[0]), "total"),
        Row("Different local authorities", (*(len(p) for p in per_prison), len(everywhere))),
        Row(
            "Local authorities in common (named at more than one prison)",
            (*(len(p & common) for p in per_prison), len(common)),
        ),
        Row(f"Named by {least} or more mothers", (), "heading"),
        *(
            Row(labels.get(la, f"Authority {la}"), tuple(cells))
            for la, cells in zip(frequent, mothers[1:], strict=True)
        ),
    ]
    return ReportTable(
        "fig-5",
        "Figure 5: Local authorities responsible for the children of TaC mothers",
        ("", *(name for _, name in prisons_of(data)), "Total"),
        tuple(rows),
        (
            *not_asked(data, "referral", "local_authorities"),
            "The local authorities of her children's social workers, as named on the referral; "
            "a mother may name several. The Total column counts each authority once.",
            f"Listed by name: the authorities named by at least {least} mothers across all "
            "sites (the publication threshold).",
            LATEST,
            f"n = {n_shown(len(named), data.threshold)}"
            if named
            else "n = 0: no referral names a local authority",
        ),
    )


def pooled_titles() -> list[str]:
    return [f.title.split(":")[0] for f in FIGURES if f.pooled]


def case_figures(data: ReportData) -> list[ReportTable]:
    if not data.cases or data.period is not None:
        return []  # as Tables 1 to 7: the case tracker's tables are not split by period
    tables = [figure_table(data, f) for f in FIGURES]
    tables.insert(4, figure_5(data))
    return [*tables, slides_table(data)]
