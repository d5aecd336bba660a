"""Tables 13a to 13g: the community practitioners' answers statement by statement, in the
report's way ("All participants (n = 9) agreed that the service was important in providing
support to the mother"): those agreeing, those who answered and the % agreeing, then the
other answers; a stacked bar per statement. Agreement items are collapsed as the scale says
(strongly agree or agree / not sure / disagree); yes/no and other choices are counted as
they are, with "Don't know" where the question offers it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...instruments import missing
from ..charts.counts import cell_points
from ..charts.percent import percent_chart
from ..data import Questionnaires, ReportData
from ..grid import hide, n_shown, pct, shown
from ..model import Cell, ReportTable, Row
from .link_tables import not_asked

# Key, what the table is about, the statements (variables) in the instrument's order.
BLOCKS = (
    (
        "13a",
        "who the service supported",
        ("supported_mother", "supported_child", "supported_sw", "supported_carer"),
    ),
    (
        "13b",
        "support to the mother",
        (
            "mother_involved_decisions",
            "mother_represented_meetings",
            "mother_family_visits",
            "mother_settle_community",
            "mother_settle_family",
            "mother_less_reoffend",
        ),
    ),
    ("13c", "support to the child", ("child_relationship_improved",)),
    (
        "13d",
        "support to the child's carer",
        ("carer_liaise", "carer_visiting", "carer_child_relationship", "carer_mother_relationship"),
    ),
    (
        "13e",
        "support to professionals (multi-agency working)",
        ("useful_resource", "home_sw_relationship", "team_member", "support_links"),
    ),
    (
        "13f",
        "yes/no questions (effects of the service, advice and training)",
        (
            "changed_prison_experience",
            "negative_effects_mother",
            "negative_effects_child",
            "gave_advice",
            "gave_training",
        ),
    ),
    ("13g", "whether the child is more settled", ("child_settled",)),
)
NOT_ASKED = "not asked"

Group = tuple[str, tuple[int, ...]]  # a column's label and the codes it counts


def groups_of(q: Questionnaires, variable: str) -> list[Group]:
    """The answers' columns: the scale's collapsed groups, else each option; then the
    missing-data answers the question offers ("Don't know"). The newest version's wording."""
    for instrument in sorted(q.instruments, key=lambda i: i.version, reverse=True):
        item = instrument.item(variable)
        if item is None:
            continue
        scale = instrument.scales.get(item.scale) if item.scale else None
        groups = [(label["en"], codes) for label, codes in scale.collapsed] if scale else []
        groups = groups or [(o.label["en"], (o.code,)) for o in item.options]
        return groups + [(missing.LABELS[code]["en"], (code,)) for code in item.offer]
    return []


def _answer(answers: Mapping[str, Any], variable: str) -> int | None:
    """The code given, missing-data codes included ("Don't know" is an answer here)."""
    value = answers.get(variable)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def columns_of(groups: Sequence[Group]) -> tuple[str, ...]:
    if not groups:
        return ("Statement", "Answered n")
    first = groups[0][0]
    rest = (f"{label} n" for label, _ in groups[1:])
    return ("Statement", f"{first} n", "Answered n", f"{first} %", *rest)


def statement_row(
    q: Questionnaires, variable: str, groups: Sequence[Group], threshold: int
) -> tuple[Row, list[tuple[Cell, Cell]]]:
    """The row of one statement, and (count, answered) per group for its bar."""
    item = q.item(variable)
    width = len(columns_of(groups)) - 1
    if item is None or not groups:
        return Row(f"{variable}: {NOT_ASKED}", (NOT_ASKED,) * width), []
    codes = [_answer(a.answers, variable) for a in q.answered]
    counts = [sum(c in group for c in codes) for _, group in groups]
    counts.append(sum(counts))
    line = [[n] for n in counts]
    labels = ([*(label for label, _ in groups), "Total"], ["n"])
    lines = [[(r, 0) for r in range(len(line))]]
    hidden = [h[0] for h in hide(line, lines, threshold, name=variable, labels=labels)]
    cells = [shown(n, h, threshold) for n, h in zip(counts, hidden, strict=True)]
    answered = cells[-1]
    agreeing = pct(counts[0], counts[-1], hidden[0])
    row = Row(item.text["en"], (cells[0], answered, agreeing, *cells[1:-1]))
    return row, [(cell, answered) for cell in cells[:-1]]


def chart_labels(texts: Sequence[str]) -> list[str]:
    """The statements without the words they all begin with ("Because of the TaC service,
    the mother ..."), so that the bars can be told apart; the table keeps the full wording."""
    words = [t.split() for t in texts]
    common = 0
    while len(words) > 1 and all(len(w) > common + 1 for w in words):
        if len({w[common] for w in words}) > 1:
            break
        common += 1
    return ["… " + " ".join(w[common:]) if common else t for w, t in zip(words, texts, strict=True)]


def agreement_table(
    data: ReportData, key: str, about: str, variables: Sequence[str]
) -> ReportTable:
    q, threshold = data.practitioners, data.threshold
    groups = next((g for v in variables if (g := groups_of(q, v))), [])
    title = f"Table {key}: Community practitioners: {about}"
    rows, bars = [], []
    for variable in variables:
        row, pairs = statement_row(q, variable, groups, threshold)
        rows.append(row)
        if pairs and row.cells[1] != 0:  # a statement nobody answered has no bar
            bars.append((row.label, pairs))
    n = len(q.answered)
    notes = (
        *not_asked(q, variables),
        "n and % of the practitioners who answered each statement; skipped: not counted.",
        f"n = {n_shown(n, threshold)}" if n else "n = 0: no questionnaires match the filters",
    )
    chart = percent_chart(
        title,
        "stacked",
        chart_labels([label for label, _ in bars]),
        [label for label, _ in groups],
        cell_points([pairs for _, pairs in bars]),
        threshold,
        "% of those who answered",
    )
    return ReportTable(key, title, columns_of(groups), tuple(rows), notes, chart)


def practitioner_tables(data: ReportData) -> list[ReportTable]:
    return [agreement_table(data, key, about, variables) for key, about, variables in BLOCKS]
