"""The coding's two sheets of the export workbook: ``Themes`` (the codebook with each theme's
and key theme's counts, one row per questionnaire, theme and site) and ``Codings`` (one row
per answer and theme, with the coder and the quote). The workbook takes them from
``coding_sheets``; the rows are built here so that any assembler can place them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ..export.column_types import ColumnKind
from ..export.dataset import ColumnMeta, Sheet
from ..export.filters import ExportFilters
from ..export.sheet_names import CODINGS, THEMES
from ..models import Coding, CodingQuestion
from ..models.coding import SLOT_A, SLOT_B, SLOT_MAIN, SLOT_SETTLED
from ..models.types import DbSession
from . import codings, counts
from .answers import answers, questions

SLOT_WORDS = {
    SLOT_MAIN: "single",
    SLOT_A: "first coder",
    SLOT_B: "second coder",
    SLOT_SETTLED: "settled",
}


def themes_columns(publication: bool) -> list[ColumnMeta]:
    # A release shows "[c]" for a hidden count, so its counts are text there.
    number = ColumnKind.TEXT if publication else ColumnKind.COUNT
    return [
        ColumnMeta("questionnaire", "Questionnaire or case form (key)"),
        ColumnMeta("level", "key theme or theme"),
        ColumnMeta("key_theme", "Key theme"),
        ColumnMeta("theme", "Theme (blank on a key theme's row)"),
        ColumnMeta("theme_id", "Theme number (kept when renamed)", ColumnKind.CODE),
        ColumnMeta("definition", "Short definition"),
        ColumnMeta("site", "Site, or Total"),
        ColumnMeta("n", "Respondents whose counted codings carry it", number),
        ColumnMeta("percent", "% of the respondents with a counted coding at this site", number),
        ColumnMeta("base", "Respondents with a counted coding at this site", number),
    ]


def themes_rows(session: DbSession, filters: ExportFilters) -> Iterator[list[Any]]:
    threshold = filters.threshold if filters.publication else 0
    definitions = _definitions(session)
    for table in counts.all_counts(session, threshold):
        sites = [*table.sites, counts.TOTAL]
        base = table.rows[0]
        for row in table.rows[1:]:
            for c, site in enumerate(sites):
                n, pct = row.cells[c]
                yield [
                    table.source.instrument_key,
                    "key theme" if row.kind == "key" else "theme",
                    row.key_theme,
                    row.label if row.kind == "theme" else None,
                    row.theme_id,
                    definitions.get((row.kind, row.theme_id or row.label), ""),
                    site,
                    n,
                    "[c]" if pct is None and n == "[c]" else pct,
                    base.cells[c][0],
                ]


def _definitions(session: DbSession) -> dict[tuple[str, int | str], str]:
    from . import codebook

    found: dict[tuple[str, int | str], str] = {}
    for key in codebook.key_themes(session):
        found[("key", key.name)] = key.definition
        for theme in key.themes:
            found[("theme", theme.id)] = theme.definition
    return found


CODINGS_COLUMNS = [
    ColumnMeta("questionnaire", "Questionnaire or case form (key)"),
    ColumnMeta("variable", "The open question's variable"),
    ColumnMeta(
        "answer_id", "The answer's row in its sheet: participant ID, response ID or form_id"
    ),
    ColumnMeta("wave", "Wave (mothers' questionnaires)"),
    ColumnMeta("site", "Site"),
    ColumnMeta("coding", "single, first coder, second coder or settled"),
    ColumnMeta("counts", "1: the coding that counts in the Themes sheet", ColumnKind.CODE),
    ColumnMeta("key_theme", "Key theme"),
    ColumnMeta("theme", "Theme (blank: the answer carries none)"),
    ColumnMeta("theme_id", "Theme number", ColumnKind.CODE),
    ColumnMeta("quote", "The passage of the answer quoted for the theme"),
    ColumnMeta("coder", "Who coded it"),
    ColumnMeta("coded_at", "When it was last saved (UTC)", ColumnKind.DATETIME),
]


def codings_rows(session: DbSession) -> Iterator[list[Any]]:
    """Every coding of a live answer, one row per theme it carries (one blank row if none)."""
    by_item = {
        (cq.instrument_key, cq.variable): cq for cq in session.scalars(select(CodingQuestion))
    }
    for q in questions(session):
        cq = by_item.get((q.instrument_key, q.variable))
        if cq is None:
            continue
        found = answers(session, q)
        counted = {c.id for c in codings.counted(session, cq, found).values()}
        live = {a.ref: a for a in found}
        rows = session.scalars(
            select(Coding).where(Coding.question_id == cq.id).order_by(Coding.id)
        )
        for coding in rows:
            answer = live.get(coding.answer_ref)
            if answer is None:
                continue  # withdrawn or voided since: out of the export as out of the counts
            head = [
                q.instrument_key,
                q.variable,
                answer.export_id,
                answer.wave or None,
                answer.site,
                SLOT_WORDS[coding.slot],
                int(coding.id in counted),
            ]
            tail = [coding.coder.email if coding.coder else None, coding.coded_at]
            if not coding.marks:
                yield [*head, None, None, None, None, *tail]
            for mark in coding.marks:
                theme = mark.theme
                yield [*head, theme.key_theme.name, theme.name, theme.id, mark.quote, *tail]


def coding_sheets(session: DbSession, filters: ExportFilters) -> list[Sheet]:
    """The two sheets, in their order, for the workbook."""
    return [
        Sheet(
            THEMES,
            themes_columns(filters.publication),
            lambda: themes_rows(session, filters),
            -1,
        ),
        Sheet(CODINGS, CODINGS_COLUMNS, lambda: codings_rows(session), -1),
    ]
