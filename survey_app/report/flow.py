"""The participant flow (CONSORT style): approached, declined and consented at the baseline,
the baseline complete, then at each follow-up wave who withdrew, said no to being asked
again, is not yet due, or was due (and declined, was not seen, or answered in or outside the
window), by site and in total. One grid through the disclosure control, with every sum a
reader knows from the boxes (approached = declined + consented ...) as a line of it, so that
publication mode's hidden counts cannot be worked back from the totals."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .data import ReportData
from .grid import CrossTab, Line
from .model import ReportTable, Row
from .participation import (
    DECLINED,
    DECLINED_RECONTACT,
    DONE_IN,
    DONE_OUT,
    NOT_SEEN,
    NOT_YET_DUE,
    WITHDRAWN,
    MotherFlow,
    Participation,
    group_link,
)

KEY = "flow"
NAME = "Participant flow"

Count = Callable[[Participation, str], int]  # the stage's count at one site


@dataclass(frozen=True)
class Stage:
    key: str  # the diagram's name for it
    label: str
    count: Count
    parts: tuple[str, ...] = ()  # the stages that add up to this one (keys)
    wave: str | None = None  # a follow-up wave's stage


def _mothers(p: Participation, site: str) -> list[MotherFlow]:
    return [m for m in p.mothers if m.site == site]


def _complete(p: Participation, site: str) -> int:
    return sum(m.baseline_on is not None for m in _mothers(p, site))


def _at(wave: str, *places: str) -> Count:
    def count(p: Participation, site: str) -> int:
        return sum(m.followups.get(wave) in places for m in _mothers(p, site))

    return count


def stages(p: Participation) -> list[Stage]:
    """The flow's boxes in order; each follow-up wave's after the baseline's."""
    b = p.baseline
    out = [
        Stage(
            "approached",
            f"Approached at {b} (declined + consented)",
            lambda p, s: p.declined.get(s, 0) + len(_mothers(p, s)),
            ("declined", "consented"),
        ),
        Stage("declined", f"Declined at {b}", lambda p, s: p.declined.get(s, 0)),
        Stage(
            "consented",
            f"Consented ({b} started)",
            lambda p, s: len(_mothers(p, s)),
            ("not_complete", "complete"),
        ),
        Stage(
            "not_complete",
            f"{b} not completed (left unfinished, or withdrawn with her answers deleted)",
            lambda p, s: len(_mothers(p, s)) - _complete(p, s),
        ),
        Stage("complete", f"{b} complete", _complete),
    ]
    for w in p.followups:
        due = (f"{w}_declined", f"{w}_not_seen", f"{w}_in", f"{w}_out")
        out += [
            Stage(f"{w}_withdrawn", f"Withdrawn before {w}", _at(w, WITHDRAWN), wave=w),
            Stage(
                f"{w}_no_recontact",
                f"Declined to be asked again (at {b})",
                _at(w, DECLINED_RECONTACT),
                wave=w,
            ),
            Stage(f"{w}_not_yet_due", f"{w} not yet due", _at(w, NOT_YET_DUE), wave=w),
            Stage(
                f"{w}_due",
                f"{w} due",
                _at(w, DECLINED, NOT_SEEN, DONE_IN, DONE_OUT),
                due,
                wave=w,
            ),
            Stage(f"{w}_declined", f"Declined at {w}", _at(w, DECLINED), wave=w),
            Stage(f"{w}_not_seen", f"Not seen at {w}", _at(w, NOT_SEEN), wave=w),
            Stage(f"{w}_in", f"{w} complete in its window", _at(w, DONE_IN), wave=w),
            Stage(f"{w}_out", f"{w} complete outside its window", _at(w, DONE_OUT), wave=w),
        ]
    return out


def _lines(chosen: Sequence[Stage], width: int) -> list[Line]:
    """Each column's sums: a stage is the sum of its parts; the baseline's completers are
    those withdrawn, declining recontact, not yet due and due at each follow-up wave."""
    at = {s.key: i for i, s in enumerate(chosen)}
    sums = [(s.key, s.parts) for s in chosen if s.parts]
    for w in {s.wave for s in chosen if s.wave}:
        parts = (f"{w}_withdrawn", f"{w}_no_recontact", f"{w}_not_yet_due", f"{w}_due")
        sums.append(("complete", parts))
    return [
        [*((at[part], c) for part in parts), (at[total], c)]
        for total, parts in sums
        for c in range(width)
    ]


def _groups(
    p: Participation, chosen: Sequence[Stage], columns: Sequence[str]
) -> tuple[list[list[int]], list[Line], dict[tuple[int, int], str]]:
    """Rows never shown, below the stages: at each follow-up wave, those seen (complete in or
    outside the window) and those not seen (withdrawn, no to recontact, declined, not seen),
    the groups the attrition tables count by site. Their sums and links put the two tables
    in one problem, so that neither gives back what the other hides."""
    at = {s.key: i for i, s in enumerate(chosen)}
    cells: list[list[int]] = []
    lines: list[Line] = []
    links: dict[tuple[int, int], str] = {}
    for w in p.followups:
        for seen, parts in (
            (True, (f"{w}_in", f"{w}_out")),
            (False, (f"{w}_withdrawn", f"{w}_no_recontact", f"{w}_declined", f"{w}_not_seen")),
        ):
            row = len(chosen) + len(cells)
            cells.append([sum(chosen[at[k]].count(p, site) for k in parts) for site in p.sites])
            for c, column in enumerate(columns):
                lines.append([*((at[k], c) for k in parts), (row, c)])
                links[(row, c)] = group_link(w, seen, column)
    return cells, lines, links


def _group_labels(p: Participation) -> list[str]:
    """The never-shown rows' names, for the audit's listing (`flask report audit`)."""
    return [f"{group} at {w} (the attrition table's)" for w in p.followups
            for group in ("Seen", "Not seen")]  # fmt: skip


def flow_table(data: ReportData) -> list[ReportTable]:
    p = data.participation
    if p is None or not (p.mothers or p.declined):
        return []
    chosen = stages(p)
    names = [data.site_name(s) for s in p.sites]
    columns = [*names, "Total"]
    cells = [[stage.count(p, site) for site in p.sites] for stage in chosen]
    groups, group_lines, links = _groups(p, chosen, columns)
    table = CrossTab(
        cells + groups,
        data.threshold,
        total_row=False,
        n_cols=len(p.sites),
        name=NAME,
        labels=([s.label for s in chosen] + _group_labels(p), columns),
        links=links,
        extra_lines=[*_lines(chosen, len(columns)), *group_lines],
    )
    shown, _grid, _hidden = table.rendered()
    rows: list[Row] = []
    wave = None
    for stage, row in zip(chosen, shown[: len(chosen)], strict=True):
        if stage.wave != wave and stage.wave is not None:
            rows.append(Row(data.study.wave_name(stage.wave), (), "heading"))
        wave = stage.wave
        rows.append(Row(stage.label, tuple(row), "total" if stage.parts else "data"))
    return [
        ReportTable(
            key=KEY,
            title=f"{NAME}: mothers approached, consented and seen at each wave, by site",
            columns=("Stage", *names, "Total"),
            rows=tuple(rows),
            notes=_notes(p),
        )
    ]


def _notes(p: Participation) -> tuple[str, ...]:
    return (
        "From what was recorded: declines at the kiosk, questionnaires started and sent "
        "(voided ones left out), consent to be asked again, withdrawals. All dates and "
        "versions, whatever the filters; the site is where she was registered (a decline's, "
        "the kiosk's). A mother approached twice counts twice among those approached.",
        f"Due: counted on {p.on:%d %B %Y}, from her {p.baseline} date and the wave's window "
        "(study.yaml). A follow-up sent counts as seen whatever came after; then a withdrawal, "
        "then her no to being asked again (unless a researcher recorded that she asked to "
        "take part again), then a decline at that wave.",
    )


__all__ = ["KEY", "Stage", "flow_table", "stages"]
