"""The slides' percentages from the case tracker (seeds/tac-evaluation-slides.md): no contact
at referral, in family court proceedings, on an ACCT, and the contact outcome of closed cases
where contact was an issue; each beside its n, by prison and in total."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...export.cases import CaseRecord
from ..data import ReportData, code_of
from ..grid import Line, n_shown
from ..model import ReportTable, Row
from .answers import not_asked
from .by_prison import Counts, heads, prison_chart
from .tables import prisons_of

# The forms' codes (instruments/files/case_*.yaml; a code never changes its meaning).
YES = 1  # in_proceedings, acct
NO_CONTACT = 1  # contact_at_referral
NOT_KNOWN = 9  # version 2's "Not known": no answer to count, like a blank
CURRENTLY_IN_PROCEEDINGS = 1  # family_court: Currently in proceedings brought by the LA
PLAN, SUPPORTED, NOT_RESOLVED, NOT_AN_ISSUE = 1, 2, 3, 4  # contact_outcome
AN_ISSUE = (PLAN, SUPPORTED, NOT_RESOLVED)


@dataclass(frozen=True)
class Facts:
    """What the slides count of one case."""

    referred: bool  # has a referral
    contact: int | None  # contact_at_referral, None if not answered
    proceedings: bool
    acct: bool
    closed: bool  # has a closure
    outcome: int | None  # the last closure's contact_outcome, None if not answered


def facts_of(case: CaseRecord) -> Facts:
    referral, closure = case.last("referral"), case.last("closure")
    answers = referral.answers if referral else {}
    updates = [u.answers for u in case.of_kind("update")]
    outcome = code_of(closure.answers, "contact_outcome") if closure else None
    contact = code_of(answers, "contact_at_referral")
    return Facts(
        referred=referral is not None,
        contact=None if contact == NOT_KNOWN else contact,
        proceedings=code_of(answers, "family_court") == CURRENTLY_IN_PROCEEDINGS
        or any(code_of(u, "in_proceedings") == YES for u in updates),
        acct=any(code_of(u, "acct") == YES for u in updates),
        closed=closure is not None,
        outcome=outcome if outcome in (*AN_ISSUE, NOT_AN_ISSUE) else None,
    )


Test = Callable[[Facts], bool]
# (heading before it or None, label, who it counts, index of its base row or None)
ROWS: tuple[tuple[str | None, str, Test, int | None], ...] = (
    ("No contact with her children at referral", "Mothers whose referral answered it (n)",
     lambda f: f.referred and f.contact is not None, 0),
    (None, "No contact at referral", lambda f: f.referred and f.contact == NO_CONTACT, 0),
    (None, "Not answered or not known (not counted)", lambda f: f.referred and f.contact is None,
     None),
    ("In family court proceedings", "Mothers (cases with a referral) (n)",
     lambda f: f.referred, 3),
    (None, "In proceedings", lambda f: f.referred and f.proceedings, 3),
    ("On an ACCT (Assessment, Care in Custody and Teamwork) plan",
     "Mothers (cases with a referral) (n)", lambda f: f.referred, 5),
    (None, "On an ACCT at any update", lambda f: f.referred and f.acct, 5),
    ("Contact outcome of closed cases where contact was an issue", "Closed cases",
     lambda f: f.closed, None),
    (None, "Contact was not an issue (not counted)",
     lambda f: f.closed and f.outcome == NOT_AN_ISSUE, None),
    (None, "Not answered or not known (not counted)", lambda f: f.closed and f.outcome is None,
     None),
    (None, "Closed cases where contact was an issue (n)",
     lambda f: f.closed and f.outcome in AN_ISSUE, 10),
    (None, "Contact issue resolved", lambda f: f.closed and f.outcome in (PLAN, SUPPORTED), 10),
    (None, "Contact plan in place", lambda f: f.closed and f.outcome == PLAN, 10),
    (None, "Supported with no contact in the child's best interest",
     lambda f: f.closed and f.outcome == SUPPORTED, 10),
    (None, "Contact issue not resolved", lambda f: f.closed and f.outcome == NOT_RESOLVED, 10),
)  # fmt: skip
# Rows whose first adds up to the others, in every column: publication mode keeps them so.
SUMS = ((3, 0, 2), (7, 8, 9, 10), (10, 12, 13, 14), (11, 12, 13), (10, 11, 14))
CHARTED = (1, 4, 6, 11, 12, 13)
NOTES = (
    "No contact: contact_at_referral 'No contact', of the mothers whose referral answered it.",
    "In proceedings: in_proceedings 'Yes' on any update of the case, or family_court "
    "'Currently in proceedings brought by the local authority' on the referral; of the cases "
    "with a referral (the slides' 48% also counted those who needed legal assistance).",
    "On an ACCT: acct 'Yes' on any update; a case with no update counts as not on one (the "
    "report: 'at least 13 of 81').",
    "Contact outcome: the contact_outcome of the case's last closure, of the cases with a "
    "closure whose answer was neither 'Contact was not an issue' nor missing; resolved: a "
    "contact plan in place or supported with no contact (the slides' 88% = 68% + 20%).",
)


def _lines(n_cols: int) -> list[Line]:
    rows = [[(r, c) for c in range(n_cols)] for r in range(len(ROWS))]
    # Each sum's total (its first row) last, as the release's lines have it.
    return rows + [
        [(r, c) for r in (*rows_[1:], rows_[0])] for rows_ in SUMS for c in range(n_cols)
    ]


def slides_table(data: ReportData) -> ReportTable:
    prisons = prisons_of(data)
    names = [name for _, name in prisons]
    facts = [(case.site, facts_of(case)) for case in data.cases]
    grid = []
    for _head, _label, test, _base in ROWS:
        counted = [sum(site == code and test(f) for site, f in facts) for code, _ in prisons]
        grid.append([*counted, sum(counted)])
    counts = Counts.of(
        grid, _lines(len(prisons) + 1), [b for *_, b in ROWS], data.threshold, "slides"
    )
    shown_rows = counts.rows(
        [label for _, label, _, _ in ROWS],
        ["total" if base == i else "data" for i, (*_, base) in enumerate(ROWS)],
    )
    rows: list[Row] = []
    for (head, *_), row in zip(ROWS, shown_rows, strict=True):
        rows += [Row(head, (), "heading")] if head else []
        rows.append(row)
    notes = [
        note
        for kind, variable in (
            ("referral", "contact_at_referral"),
            ("referral", "family_court"),
            ("update", "in_proceedings"),
            ("update", "acct"),
            ("closure", "contact_outcome"),
        )
        for note in not_asked(data, kind, variable)
    ]
    title = "Case outcomes (slides)"
    labels = [ROWS[i][1] for i in CHARTED]
    chart = prison_chart(
        title, counts, names, CHARTED, labels, axis_title="% of the n in the table"
    )
    n = f"n = {n_shown(len(facts), data.threshold)} cases"
    return ReportTable(
        "slides", title, ("", *heads(names)), tuple(rows), (*notes, *NOTES, n), chart
    )
