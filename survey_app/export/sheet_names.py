"""Every sheet of the export's workbook named once, in the workbook's order: the writers, the
report's sheets, the codebook's "where" column, the export page and the tests read these
names from here (researchers' scripts look sheets up by name)."""

from __future__ import annotations

ABOUT = "About"
CODEBOOK = "Codebook"
MOTHERS_LINKED = "Mothers (linked)"
MOTHERS_LONG = "Mothers (long)"
PRISON_STAFF = "Prison staff"
PRACTITIONERS = "Community practitioners"
WAI_SCORES = "WAI scores"
CASES = "Cases"
CASE_FORMS = "Case forms (long)"
CHILDREN = "Children"
CASE_AUTHORITIES = "Case local authorities"
SUMMARY = "Summary"  # the report's tables, one cell a row
REPORT = "Report"  # the report's tables and charts

SHEET_ORDER = (
    ABOUT,
    CODEBOOK,
    MOTHERS_LINKED,
    MOTHERS_LONG,
    PRISON_STAFF,
    PRACTITIONERS,
    WAI_SCORES,
    CASES,
    CASE_FORMS,
    CHILDREN,
    CASE_AUTHORITIES,
    SUMMARY,
    REPORT,
)
