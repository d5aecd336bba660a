"""Figures the 2023 report quotes in its text (and the slides) with no table of their own:
relationship status, care experience combined, children's social workers, the Mother and
Baby Unit, domestic abuse, re-opened cases, siblings separated and the mothers' children's
care. Each a table of counts by prison with an all-sites Total and each count's % of the
base row it names, a chart of those %, its title's count worked out from the data, through
the same publication suppression as every table.

The unit is the case (one mother): with its latest referral's answers, every update and
re-opening it has."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from ...export.cases import CaseRecord
from ...kinds import CaseFormKind
from ..data import ReportData, code_of
from ..grid import Line, n_shown
from ..model import ReportTable, Row
from .answers import Answers, entries, not_asked, option_labels
from .by_prison import Counts, heads, prison_chart
from .tables import prisons_of

Test = Callable[[CaseRecord], bool]
YES, NO, NOT_KNOWN = 1, 0, 9  # yes_no_not_known (case_referral.yaml)
UNBORN, UNDER_2 = 1, 2  # child_age_band
FAMILY_CARE = (1, 2)  # child_care_arrangement: father or step-father; other family or kinship
ADOPTION = 4  # child_care_arrangement: placed or being placed for adoption
SIBLINGS_TOGETHER = 1  # siblings: living together; 2 to 5 are the four separated arrangements
SEPARATED = (2, 3, 4, 5)
IN_CARE, KNOWN_TO_SS = 1, 2  # care_experience
SINGLE, SEPARATED_OR_DIVORCED = 1, 2  # relationship_status
NOT_ANSWERED = "Not answered"


@dataclass(frozen=True)
class Line_:
    """A row: its label, the cases it counts, the row whose count is its % base (None: no
    %), and a heading to print before it."""

    label: str
    test: Test
    base: int | None
    heading: str | None = None


def referral(case: CaseRecord) -> Answers | None:
    form = case.last(CaseFormKind.REFERRAL)
    return form.answers if form else None


def referred(case: CaseRecord) -> bool:
    return case.last(CaseFormKind.REFERRAL) is not None


def answer(case: CaseRecord, variable: str) -> int | None:
    answers = referral(case)
    return code_of(answers, variable) if answers is not None else None


def children(case: CaseRecord) -> list[Answers]:
    answers = referral(case)
    return entries(answers) if answers is not None else []


def updates(case: CaseRecord) -> list[Answers]:
    return [u.answers for u in case.of_kind(CaseFormKind.UPDATE)]


def reopened(case: CaseRecord) -> bool:
    """Re-opened after a closure (a re-opening form; the form cannot be sent while open)."""
    return bool(case.of_kind(CaseFormKind.REOPENING))


def _answered(variable: str, code: int, case: CaseRecord) -> bool:
    return referred(case) and answer(case, variable) == code


def option_lines(
    data: ReportData, variable: str, base: int, skip: Sequence[int] = ()
) -> list[Line_]:
    """One row per option of a referral variable (in the form's words), then Not answered."""
    labels = option_labels(data, CaseFormKind.REFERRAL, variable)
    lines = [
        Line_(label, partial(_answered, variable, code), base)
        for code, label in labels.items()
        if code not in skip
    ]
    known = set(labels)
    lines.append(
        Line_(
            NOT_ANSWERED,
            lambda c: referred(c) and answer(c, variable) not in known,
            base,
        )
    )
    return lines


@dataclass(frozen=True)
class Quoted:
    key: str
    title: Callable[[Sequence[object]], str]  # from the shown total of each row
    lines: list[Line_]
    sums: list[tuple[int, ...]]  # (total row, its parts): publication keeps them
    charted: list[int]
    notes: list[str]


def quoted_table(data: ReportData, q: Quoted) -> ReportTable:
    prisons = prisons_of(data)
    names = [name for _, name in prisons]
    grid = []
    for line in q.lines:
        counted = [sum(c.site == code and line.test(c) for c in data.cases) for code, _ in prisons]
        grid.append([*counted, sum(counted)])
    n_cols = len(prisons) + 1
    lines: list[Line] = [[(r, c) for c in range(n_cols)] for r in range(len(grid))]
    lines += [[(r, c) for r in (*s[1:], s[0])] for s in q.sums for c in range(n_cols)]
    counts = Counts.of(grid, lines, [line.base for line in q.lines], data.threshold, q.key)
    bases = {line.base for line in q.lines}
    shown = counts.rows(
        [line.label for line in q.lines],
        ["total" if i in bases else "data" for i in range(len(q.lines))],
    )
    rows: list[Row] = []
    for line, row in zip(q.lines, shown, strict=True):
        rows += [Row(line.heading, (), "heading")] if line.heading else []
        rows.append(row)
    title = q.title([n_shown(row[-1], data.threshold) for row in grid])
    chart = prison_chart(
        title,
        counts,
        names,
        q.charted,
        [q.lines[i].label for i in q.charted],
        axis_title="% of the base row",
    )
    return ReportTable(
        q.key,
        title,
        ("", *heads(names)),
        tuple(rows),
        (
            *q.notes,
            "n and % by prison and in total; each % is of the row its note names as base, "
            "rounded half up.",
        ),
        chart,
    )


MOTHERS = "Mothers (cases with a referral)"


def relationship(data: ReportData) -> Quoted:
    options = option_lines(data, "relationship_status", 0)
    single = len(options) + 1
    lines = [
        Line_(MOTHERS, referred, 0),
        *options,
        Line_(
            "Single or separated (either of the first two)",
            lambda c: answer(c, "relationship_status") in (SINGLE, SEPARATED_OR_DIVORCED),
            0,
        ),
    ]
    return Quoted(
        "text-relationship",
        lambda n: f"Relationship status of the {n[0]} mothers (the text: single or separated)",
        lines,
        [tuple(range(len(options) + 1)), (single, 1, 2)],
        [1, 2, single],
        [
            *not_asked(data, CaseFormKind.REFERRAL, "relationship_status"),
            "Base: the mothers (cases with a referral), Not known and Not answered "
            "included, as the report's 78% of 81.",
        ],
    )


def care_experience(data: ReportData) -> Quoted:
    options = option_lines(data, "care_experience", 0)
    either = len(options) + 1
    lines = [
        Line_(MOTHERS, referred, 0),
        *options,
        Line_(
            "In care or known to social services as a child",
            lambda c: answer(c, "care_experience") in (IN_CARE, KNOWN_TO_SS),
            0,
        ),
    ]
    return Quoted(
        "text-care-experience",
        lambda n: (
            f"Mothers in care or known to social services as a child: {n[either]} of the "
            f"{n[0]} mothers"
        ),
        lines,
        [tuple(range(len(options) + 1)), (either, 1, 2)],
        [either],
        [
            *not_asked(data, CaseFormKind.REFERRAL, "care_experience"),
            "Base: the mothers (cases with a referral), Not known included, as the "
            "report's 22 mothers (27%) of 81. Figure 4 gives each answer.",
        ],
    )


def _social_workers(case: CaseRecord) -> int | None:
    return answer(case, "children_social_workers")


def _has_csw(case: CaseRecord) -> bool:
    n = _social_workers(case)
    return (n is not None and n > 0) or any(
        code_of(e, "child_has_social_worker") == YES for e in children(case)
    )


def _no_csw(case: CaseRecord) -> bool:
    if _has_csw(case):
        return False
    kids = children(case)
    return _social_workers(case) == 0 or (
        bool(kids) and all(code_of(e, "child_has_social_worker") == NO for e in kids)
    )


def social_workers(data: ReportData) -> Quoted:
    lines = [
        Line_(MOTHERS, referred, 0),
        Line_(
            "At least one children's social worker allocated",
            lambda c: referred(c) and _has_csw(c),
            0,
        ),
        Line_("None allocated", lambda c: referred(c) and _no_csw(c), 0),
        Line_(
            "Not known or not answered",
            lambda c: referred(c) and not _has_csw(c) and not _no_csw(c),
            0,
        ),
    ]
    return Quoted(
        "text-social-workers",
        lambda n: (
            f"Mothers with at least one children's social worker: {n[1]} of the {n[0]} mothers"
        ),
        lines,
        [(0, 1, 2, 3)],
        [1],
        [
            *not_asked(data, CaseFormKind.REFERRAL, "children_social_workers"),
            "At least one: the referral's number of children's social workers is 1 or more, "
            "or a child entered has a social worker. None: the number is 0, or every child "
            "entered has none. Base: the mothers (cases with a referral).",
        ],
    )


def _latest_update(case: CaseRecord, variable: str) -> int | None:
    found = [code for u in updates(case) if (code := code_of(u, variable)) is not None]
    return found[-1] if found else None


def _latest_is(variable: str, code: int, case: CaseRecord) -> bool:
    return referred(case) and _latest_update(case, variable) == code


def mbu(data: ReportData) -> Quoted:
    labels = option_labels(data, CaseFormKind.UPDATE, "mbu_application")
    with_update = 3
    lines = [
        Line_(MOTHERS, referred, 0),
        Line_(
            "A child unborn or under 2 at referral",
            lambda c: (
                referred(c)
                and any(code_of(e, "child_age_band") in (UNBORN, UNDER_2) for e in children(c))
            ),
            0,
        ),
        Line_("On the Mother and Baby Unit at referral", lambda c: answer(c, "on_mbu") == YES, 0),
        Line_(
            "Mothers with an update",
            lambda c: referred(c) and bool(updates(c)),
            with_update,
            heading="Mother and Baby Unit application, at the case's latest update answering it",
        ),
        *(
            Line_(label, partial(_latest_is, "mbu_application", code), with_update)
            for code, label in labels.items()
        ),
        Line_(
            NOT_ANSWERED,
            lambda c: (
                referred(c)
                and bool(updates(c))
                and _latest_update(c, "mbu_application") not in labels
            ),
            with_update,
        ),
    ]
    parts = tuple(range(with_update + 1, len(lines)))
    return Quoted(
        "text-mbu",
        lambda n: (
            f"The Mother and Baby Unit: {n[2]} of the {n[0]} mothers on it at referral, "
            f"{n[1]} with a child unborn or under 2"
        ),
        lines,
        [(with_update, *parts)],
        [1, 2, *parts[:-1]],
        [
            *not_asked(data, CaseFormKind.REFERRAL, "on_mbu"),
            *not_asked(data, CaseFormKind.UPDATE, "mbu_application"),
            "At referral: % of the mothers (cases with a referral). Applications: the answer "
            "of the case's latest update that gave one, % of the mothers with an update.",
        ],
    )


def domestic_abuse(data: ReportData) -> Quoted:
    lines = [
        Line_(MOTHERS, referred, 0),
        Line_("Mothers with an update", lambda c: referred(c) and bool(updates(c)), 0),
        Line_(
            "Ongoing issues with domestic abuse highlighted at any update",
            lambda c: referred(c) and any(code_of(u, "domestic_abuse") == YES for u in updates(c)),
            0,
        ),
    ]
    return Quoted(
        "text-domestic-abuse",
        lambda n: f"Domestic abuse highlighted: {n[2]} of the {n[0]} mothers",
        lines,
        [],
        [2],
        [
            *not_asked(data, CaseFormKind.UPDATE, "domestic_abuse"),
            "Base: the mothers (cases with a referral), as the report's 12 cases (15%) of 81; "
            "a case with no update counts as not highlighted.",
        ],
    )


def _gave_reason(code: int, case: CaseRecord) -> bool:
    reasons = {code_of(f.answers, "reopen_reason") for f in case.of_kind(CaseFormKind.REOPENING)}
    return referred(case) and code in reasons


def reopenings(data: ReportData) -> Quoted:
    labels = option_labels(data, CaseFormKind.REOPENING, "reopen_reason")

    lines = [
        Line_("Cases (with a referral)", referred, 0),
        Line_("Re-opened after a closure", lambda c: referred(c) and reopened(c), 0),
        *(
            Line_(
                label,
                partial(_gave_reason, code),
                1,
                heading="Reasons given (a case re-opened twice may give two)" if i == 0 else None,
            )
            for i, (code, label) in enumerate(labels.items())
        ),
    ]
    return Quoted(
        "text-reopened",
        lambda n: f"Cases re-opened on a return to prison: {n[1]} of {n[0]}",
        lines,
        [],
        [1, *range(2, len(lines))],
        [
            "Re-opened: a re-opening form after a closure; % of the cases. Reasons: % of the "
            "re-opened cases (the report: five at Eastwood Park, 12.5%).",
        ],
    )


def siblings(data: ReportData) -> Quoted:
    def two_or_more(c: CaseRecord) -> bool:
        return referred(c) and len(children(c)) >= 2

    lines = [
        Line_("Mothers with two or more children", two_or_more, 0),
        Line_(
            "Siblings separated (any of the four separated arrangements)",
            lambda c: two_or_more(c) and answer(c, "siblings") in SEPARATED,
            0,
        ),
        Line_(
            "Living together",
            lambda c: two_or_more(c) and answer(c, "siblings") == SIBLINGS_TOGETHER,
            0,
        ),
        Line_(
            "Not known or not answered",
            lambda c: (
                two_or_more(c) and answer(c, "siblings") not in (*SEPARATED, SIBLINGS_TOGETHER)
            ),
            0,
        ),
    ]
    return Quoted(
        "text-siblings",
        lambda n: f"Siblings separated: {n[1]} of the {n[0]} mothers with two or more children",
        lines,
        [(0, 1, 2, 3)],
        [1, 2],
        [
            *not_asked(data, CaseFormKind.REFERRAL, "siblings"),
            "Base: the mothers with two or more children entered on the referral (the "
            "report: 68% of 56). Figure 13 gives each arrangement.",
        ],
    )


def _arrangements(case: CaseRecord) -> list[int | None]:
    return [code_of(e, "child_care_arrangement") for e in children(case)]


def care_of_children(data: ReportData) -> Quoted:
    def with_children(c: CaseRecord) -> bool:
        return referred(c) and bool(children(c))

    lines = [
        Line_("Mothers with a child entered", with_children, 0),
        Line_(
            "All her children with family (father, step-father, other family or kinship carer)",
            lambda c: with_children(c) and all(a in FAMILY_CARE for a in _arrangements(c)),
            0,
        ),
        Line_(
            "Any child placed or being placed for adoption",
            lambda c: with_children(c) and ADOPTION in _arrangements(c),
            0,
        ),
    ]
    return Quoted(
        "text-children-care",
        lambda n: (
            f"Care of the mothers' children: all with family for {n[1]} of the {n[0]} "
            f"mothers, any child adopted for {n[2]}"
        ),
        lines,
        [],
        [1, 2],
        [
            *not_asked(data, CaseFormKind.REFERRAL, "child_care_arrangement"),
            "Counted per mother, not per child (Figures 11 and 12 count children): base, the "
            "mothers with a child entered on the referral (the report: 44% and 17%).",
        ],
    )


BUILDERS = (
    relationship,
    care_experience,
    social_workers,
    mbu,
    domestic_abuse,
    reopenings,
    siblings,
    care_of_children,
)


def quoted_tables(data: ReportData) -> list[ReportTable]:
    if not data.cases or data.period is not None:
        return []
    return [quoted_table(data, build(data)) for build in BUILDERS]
