"""The figures the 2023 report quotes in its text with no table of their own, from five
hand-made cases; every count and % worked by hand below (cells: Send n, %, Eastwood Park n,
%, Total n, %)."""

from __future__ import annotations

from flask import Flask

from survey_app.export.filters import ExportFilters
from tests.case_data import add_case
from tests.report_steps import cells, report_of, table


def kid(age: int, care: int, csw: int) -> dict[str, int]:
    return {"child_age_band": age, "child_care_arrangement": care, "child_has_social_worker": csw}


def update(abuse: int, mbu: int) -> dict[str, int]:
    return {"acct": 0, "domestic_abuse": abuse, "mbu_application": mbu, "contact_now": 1,
            "in_proceedings": 0}  # fmt: skip


def five_cases(app: Flask) -> None:
    # A (Send): single, in care as a child, 2 social workers, an unborn child with her
    # father and a child of 2-4 with family, siblings separated amongst family; updates:
    # domestic abuse then none, MBU being explored then successful.
    add_case(app, "send", [
        ("referral", "2021-05-10", {
            "relationship_status": 1, "care_experience": 1, "children_social_workers": 2,
            "children": [kid(1, 1, 1), kid(3, 2, 1)], "siblings": 2, "on_mbu": 0}),
        ("update", "2021-06-01", update(1, 2)),
        ("update", "2021-08-01", update(0, 4)),
    ])  # fmt: skip
    # B (Send): in a relationship, neither, no social worker, one child in foster care.
    add_case(app, "send", [
        ("referral", "2021-06-10", {
            "relationship_status": 3, "care_experience": 3, "children_social_workers": 0,
            "children": [kid(4, 3, 0)], "on_mbu": 0}),
    ])  # fmt: skip
    # C (Eastwood Park): separated, known to social services, number of social workers
    # blank but her second child has one; a child under 2 with her on the MBU and one placed
    # for adoption (separated, including adoption); on the MBU; an update with domestic abuse
    # and an MBU application submitted; closed, re-opened on a recall.
    add_case(app, "eastwood_park", [
        ("referral", "2021-07-10", {
            "relationship_status": 2, "care_experience": 2,
            "children": [kid(2, 6, 9), kid(5, 4, 1)], "siblings": 5, "on_mbu": 1}),
        ("update", "2021-09-01", update(1, 3)),
        ("closure", "2022-01-01", {}),
        ("reopening", "2022-03-01", {"reopen_reason": 1}),
    ])  # fmt: skip
    # D (Eastwood Park): not known twice, 1 social worker, two children with family, living
    # together; closed and re-opened twice (after sentencing, then a re-arrest).
    add_case(app, "eastwood_park", [
        ("referral", "2021-08-10", {
            "relationship_status": 9, "care_experience": 9, "children_social_workers": 1,
            "children": [kid(3, 2, 1), kid(4, 2, 1)], "siblings": 1, "on_mbu": 0}),
        ("closure", "2021-10-01", {}),
        ("reopening", "2021-11-01", {"reopen_reason": 2}),
        ("closure", "2021-12-01", {}),
        ("reopening", "2022-02-01", {"reopen_reason": 3}),
    ])  # fmt: skip
    # E (Eastwood Park): nothing answered but one child, all not known.
    add_case(app, "eastwood_park", [
        ("referral", "2021-09-10", {"children": [kid(9, 9, 9)]}),
    ])  # fmt: skip


def test_the_quoted_figures_count_the_five_cases(app: Flask) -> None:
    five_cases(app)
    report = report_of(app)
    keys = [t.key for t in report.tables]
    assert keys.index("text-relationship") > keys.index("slides")

    t = table(report, "text-relationship")
    assert t.title == "Relationship status of the 5 mothers (the text: single or separated)"
    rel = dict(cells(t))
    assert rel["Mothers (cases with a referral)"] == (2, 100, 3, 100, 5, 100)
    assert rel["Single"] == (1, 50, 0, 0, 1, 20)  # A
    assert rel["Separated or divorced"] == (0, 0, 1, 33, 1, 20)  # C
    assert rel["Not known"] == (0, 0, 1, 33, 1, 20)  # D
    assert rel["Not answered"] == (0, 0, 1, 33, 1, 20)  # E
    assert rel["Single or separated (either of the first two)"] == (1, 50, 1, 33, 2, 40)
    assert t.chart is not None

    t = table(report, "text-care-experience")
    assert t.title == ("Mothers in care or known to social services as a child: 2 of the 5 mothers")
    assert dict(cells(t))["In care or known to social services as a child"] == (
        1, 50, 1, 33, 2, 40,
    )  # fmt: skip

    t = table(report, "text-social-workers")
    assert t.title == "Mothers with at least one children's social worker: 3 of the 5 mothers"
    csw = dict(cells(t))
    assert csw["At least one children's social worker allocated"] == (1, 50, 2, 67, 3, 60)
    assert csw["None allocated"] == (1, 50, 0, 0, 1, 20)  # B: 0 and her child has none
    assert csw["Not known or not answered"] == (0, 0, 1, 33, 1, 20)  # E

    t = table(report, "text-mbu")
    assert t.title == (
        "The Mother and Baby Unit: 1 of the 5 mothers on it at referral, 2 with a child "
        "unborn or under 2"
    )
    mbu = dict(cells(t))
    assert mbu["A child unborn or under 2 at referral"] == (1, 50, 1, 33, 2, 40)  # A, C
    assert mbu["On the Mother and Baby Unit at referral"] == (0, 0, 1, 33, 1, 20)  # C
    assert mbu["Mothers with an update"] == (1, 100, 1, 100, 2, 100)  # A, C
    assert mbu["Successful"] == (1, 100, 0, 0, 1, 50)  # A's latest
    assert mbu["Submitted"] == (0, 0, 1, 100, 1, 50)  # C's
    assert mbu["Being explored"] == (0, 0, 0, 0, 0, 0)  # A's earlier update

    t = table(report, "text-domestic-abuse")
    assert t.title == "Domestic abuse highlighted: 2 of the 5 mothers"
    abuse = dict(cells(t))
    assert abuse["Ongoing issues with domestic abuse highlighted at any update"] == (
        1, 50, 1, 33, 2, 40,
    )  # fmt: skip

    t = table(report, "text-reopened")
    assert t.title == "Cases re-opened on a return to prison: 2 of 5"
    again = dict(cells(t))
    assert again["Re-opened after a closure"] == (0, 0, 2, 67, 2, 40)  # C, D
    # % of the re-opened cases: none at Send (no %), 2 at Eastwood Park.
    assert again["Recall due to breach of license conditions"] == (0, None, 1, 50, 1, 50)
    reason = "Being re-arrested following an initial remand and bail cycle"
    assert again[reason] == (0, None, 1, 50, 1, 50)

    t = table(report, "text-siblings")
    assert t.title == "Siblings separated: 2 of the 3 mothers with two or more children"
    sib = dict(cells(t))
    assert sib["Siblings separated (any of the four separated arrangements)"] == (
        1, 100, 1, 50, 2, 67,
    )  # fmt: skip
    assert sib["Living together"] == (0, 0, 1, 50, 1, 33)

    t = table(report, "text-children-care")
    assert t.title == (
        "Care of the mothers' children: all with family for 2 of the 5 mothers, any child "
        "adopted for 1"
    )
    care = dict(cells(t))
    family = "All her children with family (father, step-father, other family or kinship carer)"
    assert care[family] == (1, 50, 1, 33, 2, 40)  # A, D
    assert care["Any child placed or being placed for adoption"] == (0, 0, 1, 33, 1, 20)


def test_quoted_figures_in_publication_mode_hide_small_counts_in_title_and_cells(
    app: Flask,
) -> None:
    five_cases(app)
    report = report_of(app, ExportFilters(publication=True, threshold=5))
    t = table(report, "text-domestic-abuse")
    assert t.title == "Domestic abuse highlighted: [c] of the 5 mothers"
    row = dict(cells(t))["Ongoing issues with domestic abuse highlighted at any update"]
    assert row[::2] == ("[c]", "[c]", "[c]") and row[1::2] == (None, None, None)
    assert any(note.startswith("[c]: confidential") for note in t.notes)
