"""Tables 14 to 16 and the mothers' supplementary tables: each wave beside the others
(T1 beside T2), n and % of those who answered the item, collapsed as the report prints
them; ratings from 1 to 10; the WAI-SR's completion and scores."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from ...instruments import missing
from ...scoring import WAI_SR_SUBSCALES, score_wai
from ..charts.percent import Point, percent_chart
from ..collected import mothers_answered
from ..data import ReportData, WaveQuestionnaires, code_of, period_of
from ..grid import crosstab_rows, hide, n_shown, pct, shown
from ..model import SECONDARY, Cell, Chart, ReportTable, Row, Series
from .link_tables import OUTSIDE_PERIODS

# The report's tables of the mothers' questionnaires: number, title, variables.
LIKERT_TABLES = (
    (
        "14",
        "Table 14: Mothers' perceptions of Children's Social Services",
        ("css_willing", "css_trust", "css_confident"),
    ),
    (
        "15",
        "Table 15: Mothers' feelings of support inside and outside prison",
        ("support_inside", "support_outside"),
    ),
    (
        "16",
        "Table 16: Mothers' ability to share views in meetings about their children's care",
        ("meetings_share_views", "views_listened"),
    ),
)
RATINGS = ("decision_involvement", "csw_relationship")
WAI_PARTS = (
    ("task", "Task (items 1, 2, 10, 12)"),
    ("goal", "Goal (items 4, 6, 8, 11)"),
    ("bond", "Bond (items 3, 5, 7, 9)"),
    ("total", "Total (all 12 items)"),
)
assert {p for p, _ in WAI_PARTS} == {*WAI_SR_SUBSCALES, "total"}  # noqa: S101


def wave_title(wave: WaveQuestionnaires) -> str:
    return f"{wave.label} ({wave.code})"


def table_14a(data: ReportData) -> ReportTable:
    """Questionnaires received per wave, by study period."""
    labels = [p.label for p in data.study.periods]
    pairs = [
        ((None, period_of(a.date, data.study.periods) or OUTSIDE_PERIODS), wave.code)
        for wave in data.waves
        for a in data.answered_at(wave.code)
    ]
    seen = [row for row, _ in pairs]
    rows = [(None, label) for label in labels] + [
        r for r in dict.fromkeys(seen) if r[1] not in labels
    ]
    body = crosstab_rows(
        rows,
        [w.code for w in data.waves],
        pairs,
        data.threshold,
        total_label="Total questionnaires from mothers",
        link=lambda row, col: mothers_answered(col, row[1] if row else None),
        name="Table 14a",  # tied to the same table of all sites and of the whole study
    )
    return ReportTable(
        key="14a",
        title="Table 14a: Responses received for survey completed by mothers",
        columns=("", *(wave_title(w) for w in data.waves), "Total"),
        rows=tuple(Row(label, tuple(cells), kind) for label, cells, kind in body),
        notes=(
            "Numbered 14 in the 2023 report, which has two tables 14.",
            f"n = {n_shown(len(pairs), data.threshold)}"
            if pairs
            else "n = 0: no questionnaires match the filters",
        ),
    )


def _not_asked_note(wave: WaveQuestionnaires, variable: str) -> str | None:
    versions = wave.questionnaires.versions_without(variable)
    if not versions:
        return None
    listed = ", ".join(str(v) for v in versions)
    return f"{wave.code}: {variable} not asked in version {listed}"


def _likert_block(
    data: ReportData, variable: str
) -> tuple[list[Row], list[str], list[tuple[str, list[int], list[bool]]]]:
    """Rows for one item (heading, collapsed groups, total), the notes, and per wave the
    counts and hidden flags for its chart."""
    item = next((it for w in data.waves if (it := w.questionnaires.item(variable))), None)
    if item is None or item.scale is None:
        return [Row(f"{variable}: not asked", (), "heading")], [], []
    scale = next(
        w.questionnaires.instruments[0].scales[item.scale]
        for w in data.waves
        if w.questionnaires.item(variable)
    )
    groups = [(label["en"], codes) for label, codes in scale.collapsed] or [
        (o.label["en"], (o.code,)) for o in scale.options
    ]
    columns: list[list[Cell]] = []
    chart: list[tuple[str, list[int], list[bool]]] = []
    notes: list[str] = []
    for wave in data.waves:
        if wave.questionnaires.item(variable) is None:
            columns += [["not asked"] * (len(groups) + 1), [None] * (len(groups) + 1)]
            continue
        if note := _not_asked_note(wave, variable):
            notes.append(note)
        codes = [code_of(a.answers, variable) for a in data.answered_at(wave.code)]
        counts = [sum(c in g for c in codes) for _, g in groups]
        counts.append(sum(counts))
        grid = [[n] for n in counts]
        line = [[(r, 0) for r in range(len(grid))]]
        names = ([*(label for label, _ in groups), "Total"], ["n"])
        name = f"mothers {variable} {wave.code}"
        hidden = [h[0] for h in hide(grid, line, data.threshold, name=name, labels=names)]
        columns.append([shown(n, h, data.threshold) for n, h in zip(counts, hidden, strict=True)])
        columns.append([pct(n, counts[-1], h) for n, h in zip(counts, hidden, strict=True)])
        chart.append((wave.code, counts, hidden))
    rows = [Row(item.text["en"], (), "heading")]
    labels = [label for label, _ in groups] + ["Total"]
    for i, label in enumerate(labels):
        kind = "total" if i == len(groups) else "data"
        rows.append(Row(label, tuple(col[i] for col in columns), kind))
    return rows, notes, chart


def _short(text: str, width: int = 48) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def distinct_short(texts: Sequence[str], width: int = 48) -> list[str]:
    """Each text cut to ``width``, longer where two would read the same (Table 15's two
    items both begin "How supported do you feel in your role as a mother")."""
    while True:
        short = [_short(t, width) for t in texts]
        if len(set(short)) == len(set(texts)) or all(
            s == t for s, t in zip(short, texts, strict=True)
        ):
            return short
        width += 12


def likert_table(data: ReportData, key: str, title: str, variables: Sequence[str]) -> ReportTable:
    rows: list[Row] = []
    notes: list[str] = []
    categories: list[str] = []
    points: list[list[Point]] = []  # [category][group]
    group_names: list[str] = []
    blocks = [_likert_block(data, variable) for variable in variables]
    shorts = distinct_short([block[0].label for block, _notes, _chart in blocks])
    for (block, block_notes, chart), short in zip(blocks, shorts, strict=True):
        rows += block
        notes += block_notes
        group_names = group_names or [r.label for r in block[1:-1]]
        for wave_code, counts, hidden in chart:
            n = shown(counts[-1], hidden[-1], data.threshold)
            categories.append(f"{wave_code}: {short} (n = {n})")
            total = counts[-1]
            points.append(
                [
                    (counts[g] * 100 / total if total and not hidden[g] else None, hidden[g])
                    for g in range(len(counts) - 1)
                ]
            )
    notes.append("n and % of the mothers who answered the item at each wave.")
    chart_spec = (
        percent_chart(
            title,
            "stacked",
            categories,
            group_names,
            points,
            data.threshold,
            "% of those who answered",
        )
        if categories
        else None
    )
    columns = ("",) + tuple(f"{w.code} {h}" for w in data.waves for h in ("n", "%"))
    return ReportTable(key, title, columns, tuple(rows), tuple(notes), chart_spec)


def _stats(values: list[float], threshold: int) -> list[Cell]:
    n = len(values)
    if threshold and 0 < n < threshold:
        return [SECONDARY, None, None, None]
    return [
        n,
        round(statistics.fmean(values), 2) if n else None,
        round(statistics.stdev(values), 2) if n > 1 else None,
        statistics.median(values) if n else None,
    ]


def ratings_table(data: ReportData) -> ReportTable:
    rows: list[Row] = []
    notes: list[str] = []
    for variable in RATINGS:
        item = next((it for w in data.waves if (it := w.questionnaires.item(variable))), None)
        if item is None:
            rows.append(Row(f"{variable}: not asked", (), "heading"))
            continue
        rows.append(Row(item.text["en"], (), "heading"))
        per_wave: list[list[Cell]] = []
        for wave in data.waves:
            if wave.questionnaires.item(variable) is None:
                per_wave.append(["not asked"] * 4)
                continue
            if note := _not_asked_note(wave, variable):
                notes.append(note)
            values = [
                float(c)
                for a in data.answered_at(wave.code)
                if (c := code_of(a.answers, variable)) is not None
            ]
            per_wave.append(_stats(values, data.threshold))
        for i, label in enumerate(("n", "Mean", "SD", "Median")):
            rows.append(Row(label, tuple(col[i] for col in per_wave)))
    return ReportTable(
        "ratings",
        "Supplementary table A: Mothers' ratings from 1 to 10",
        ("", *(w.code for w in data.waves)),
        tuple(rows),
        (*notes, "Mean, standard deviation and median of the mothers who answered."),
    )


def wai_scores(data: ReportData, wave: WaveQuestionnaires, prefix: str) -> dict[str, list[float]]:
    """Each part's scores at one wave (complete scores only: no prorating)."""
    scores: dict[str, list[float]] = {part: [] for part, _ in WAI_PARTS}
    for a in data.answered_at(wave.code):
        scored = score_wai(a.answers, prefix)
        for part, _ in WAI_PARTS:
            value = getattr(scored, part)
            if value is not None:
                scores[part].append(value)
    return scores


def wai_table(data: ReportData, prefix: str) -> ReportTable:
    asked = [prefix in w.questionnaires.blocks for w in data.waves]
    scores = [
        wai_scores(data, w, prefix) if ok else None for w, ok in zip(data.waves, asked, strict=True)
    ]
    rows = _wai_completion_rows(data, scores, asked, prefix)
    rows += _wai_score_rows(scores, data.threshold)
    return ReportTable(
        f"wai-{prefix}",
        f"Supplementary table B: Working Alliance Inventory (WAI-SR), {prefix}",
        ("", *(w.code for w in data.waves)),
        tuple(rows),
        (
            "Completion: mothers with all 12 items answered 1-5, of those who were asked the "
            "WAI at that wave; the questionnaire's routing leaves it out for mothers who never "
            "met the worker it asks about, counted as not asked (the 2023 report: 47% at T1, "
            "45% at T2).",
            "Scores are item means (1-5); no prorating: a score is blank when any of its "
            "items is missing or Not applicable.",
        ),
        _wai_chart(data, scores),
    )


def _wai_completion_rows(
    data: ReportData, scores: list[dict[str, list[float]] | None], asked: list[bool], prefix: str
) -> list[Row]:
    """Who answered the questionnaire, who of them was asked the WAI (its routing leaves it out
    for mothers who never met the worker it asks about), who completed it, and the share of
    those asked, by wave."""
    threshold = data.threshold
    answered = [len(data.answered_at(w.code)) for w in data.waves]
    were_asked = [_asked_wai(data, w, prefix) for w in data.waves]
    not_asked = [n - k for n, k in zip(answered, were_asked, strict=True)]
    completed = [len(s["total"]) if s else 0 for s in scores]
    counts = (answered, not_asked, were_asked, completed)
    small = [[bool(threshold) and (0 < n < threshold) for n in row] for row in counts]

    def row(label: str, index: int) -> Row:
        cells = zip(counts[index], small[index], asked, strict=True)
        return Row(
            label, tuple(shown(n, h, threshold) if ok else "not asked" for n, h, ok in cells)
        )

    return [
        Row(
            "Mothers who answered the questionnaire",
            tuple(shown(n, h, threshold) for n, h in zip(answered, small[0], strict=True)),
        ),
        row("Not asked the WAI (the questionnaire's routing left it out)", 1),
        row("Asked the WAI", 2),
        row("Completed the WAI (all 12 items)", 3),
        Row(
            "Completion (% of those asked)",
            tuple(
                None if h1 or h2 or not ok else pct(c, n, False)
                for c, n, h1, h2, ok in zip(
                    completed, were_asked, small[2], small[3], asked, strict=True
                )
            ),
        ),
    ]


def _asked_wai(data: ReportData, wave: WaveQuestionnaires, prefix: str) -> int:
    """Mothers whose answers show the WAI was asked: its routing held for her, and its items
    are not all Not applicable (what the routing stores for a block left out)."""
    first = wave.questionnaires.item(f"{prefix}_01")
    count = 0
    for a in data.answered_at(wave.code):
        items = [a.answers.get(f"{prefix}_{n:02d}") for n in range(1, 13)]
        routed_out = all(v == missing.NOT_APPLICABLE for v in items)
        if not routed_out and (first is None or first.shown(a.answers)):
            count += 1
    return count


def _wai_score_rows(scores: list[dict[str, list[float]] | None], threshold: int) -> list[Row]:
    """Each part's n, mean and SD by wave, under the part's heading."""
    rows: list[Row] = []
    for part, label in WAI_PARTS:
        rows.append(Row(label, (), "heading"))
        per_wave = [_stats(s[part], threshold)[:3] if s else ["not asked"] * 3 for s in scores]
        for i, stat in enumerate(("n", "Mean", "SD")):
            rows.append(Row(stat, tuple(col[i] for col in per_wave)))
    return rows


def _wai_chart(data: ReportData, scores: list[dict[str, list[float]] | None]) -> Chart:
    """Each part's mean by wave; a part with too few scores is hidden, not drawn."""
    threshold = data.threshold
    series: list[Series] = []
    for w, s in zip(data.waves, scores, strict=True):
        values, hidden = [], []
        for part, _ in WAI_PARTS:
            n = len(s[part]) if s else 0
            h = bool(threshold) and 0 < n < threshold
            values.append(statistics.fmean(s[part]) if s and n and not h else None)
            hidden.append(h)
        series.append(Series(w.code, tuple(values), tuple(hidden)))
    return Chart(
        f"WAI-SR subscales, {' beside '.join(w.code for w in data.waves)}",
        tuple(label.split(" (")[0] for _, label in WAI_PARTS),
        tuple(series),
        "grouped",
        "Mean score (1-5)",
        5,
        threshold,
    )


def mother_tables(data: ReportData) -> list[ReportTable]:
    # Table 14a is by study period already: a period's copy would be one of its rows again,
    # and with its totals and the whole's would pin the rows outside the periods.
    tables = [] if data.period else [table_14a(data)]
    tables += [likert_table(data, key, title, variables) for key, title, variables in LIKERT_TABLES]
    tables.append(ratings_table(data))
    prefixes = dict.fromkeys(p for w in data.waves for p in w.questionnaires.blocks)
    tables += [wai_table(data, prefix) for prefix in prefixes]
    return tables
