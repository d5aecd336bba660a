"""Counts per theme and key theme for one questionnaire (or case form): how many respondents
carry each, by site and in total, from the codings that count (single, settled, or the two
coders' when they agree) over all its coded questions. A respondent is one response, or one
case for the case forms. Publication mode hides through survey_app/disclosure/, as every
table of a release."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from ..disclosure.marks import note, percent, shown
from ..disclosure.release import hide
from ..models import CodingQuestion, KeyTheme
from ..models.types import DbSession
from . import codebook, codings
from .answers import Question, answers, questions

TOTAL = "Total"
BASE_LABEL = "Respondents with a counted coding"


@dataclass(frozen=True)
class Source:
    """A questionnaire or case form with coded questions."""

    instrument_key: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Respondent:
    site: str
    themes: frozenset[int]


@dataclass(frozen=True)
class CountRow:
    label: str
    kind: str  # "base", "key" or "theme"
    theme_id: int | None
    key_theme: str
    cells: tuple[tuple[int | str, int | None], ...]  # (n or the mark, %) per site, then total


@dataclass(frozen=True)
class ThemeCounts:
    source: Source
    sites: tuple[str, ...]
    rows: tuple[CountRow, ...]
    left_out: int  # answers coded twice whose coders differ, not settled yet
    notes: tuple[str, ...] = field(default=())


def sources(session: DbSession) -> list[Source]:
    started = {(cq.instrument_key, cq.variable) for cq in session.scalars(select(CodingQuestion))}
    by_key: dict[str, list[Question]] = {}
    for q in questions(session):
        if (q.instrument_key, q.variable) in started:
            by_key.setdefault(q.instrument_key, []).append(q)
    return [Source(key, qs[0].instrument_title, tuple(qs)) for key, qs in by_key.items()]


def respondents(session: DbSession, source: Source) -> tuple[list[Respondent], int]:
    """Each respondent with a counted coding, and the answers left out awaiting settlement."""
    sites: dict[str, str] = {}
    carried: dict[str, set[int]] = {}
    left_out = 0
    for q in source.questions:
        cq = codings.coding_question(session, q)
        found = answers(session, q)
        counted = codings.counted(session, cq, found)
        if cq.is_double:
            both = (
                codings.codings(session, cq, "a").keys() & codings.codings(session, cq, "b").keys()
            )
            left_out += sum(1 for a in found if a.ref in both and a.ref not in counted)
        for a in found:
            if a.ref in counted:
                sites[a.respondent] = a.site
                carried.setdefault(a.respondent, set()).update(counted[a.ref].theme_ids)
    return [Respondent(sites[r], frozenset(t)) for r, t in carried.items()], left_out


def theme_counts(session: DbSession, source: Source, threshold: int = 0) -> ThemeCounts:
    people, left_out = respondents(session, source)
    sites = tuple(sorted({p.site for p in people}))
    tests: list[tuple[str, str, int | None, str, frozenset[int]]] = []
    for key in session.scalars(select(KeyTheme).order_by(KeyTheme.name)):
        live = frozenset(t.id for t in key.themes if t.is_live)
        tests.append((key.name, "key", None, key.name, live))
        tests += [
            (t.name, "theme", t.id, key.name, frozenset({t.id})) for t in key.themes if t.is_live
        ]
    grid = [_line(people, sites, None)] + [_line(people, sites, ids) for *_, ids in tests]
    width = len(sites)
    lines = [[(r, c) for c in range(width + 1)] for r in range(len(grid))]
    hidden = hide(grid, lines, threshold, name=f"coding:{source.instrument_key}")
    labels = [(BASE_LABEL, "base", None, "")] + [t[:4] for t in tests]
    rows = tuple(
        CountRow(label, kind, theme_id, key_name, _cells(grid, hidden, r))
        for r, (label, kind, theme_id, key_name) in enumerate(labels)
    )
    marked = threshold and any(any(h) for h in hidden)
    return ThemeCounts(source, sites, rows, left_out, (note(threshold),) if marked else ())


def _line(
    people: Sequence[Respondent], sites: Sequence[str], ids: frozenset[int] | None
) -> list[int]:
    def carries(p: Respondent) -> bool:
        return ids is None or bool(p.themes & ids)

    counts = [sum(1 for p in people if p.site == site and carries(p)) for site in sites]
    return [*counts, sum(counts)]


def _cells(
    grid: list[list[int]], hidden: list[list[bool]], r: int
) -> tuple[tuple[int | str, int | None], ...]:
    out = []
    for c, n in enumerate(grid[r]):
        base_hidden = hidden[0][c]
        pct = None if hidden[r][c] or base_hidden else percent(n, grid[0][c])
        out.append((shown(n, hidden[r][c]), pct))
    return tuple(out)


def all_counts(session: DbSession, threshold: int = 0) -> list[ThemeCounts]:
    if not codebook.key_themes(session):
        return []
    return [theme_counts(session, s, threshold) for s in sources(session)]
