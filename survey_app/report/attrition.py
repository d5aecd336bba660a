"""Attrition: the baseline characteristics of the mothers seen at a follow-up wave beside those
not seen, so that a reader of the T1-to-T2 change can judge whether those who came back were
like those who did not. Not seen: her follow-up fell due (or she withdrew, or said no to being
asked again) and nothing was sent; mothers not yet due are left out. Her site, her age band
and ethnicity from her case referral (the questionnaires ask neither), her WAI total and the
1-10 ratings at the baseline; n and % (or mean and SD) per group and the standardised
difference, counts through the disclosure control."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

from ..scoring import score_wai
from .data import Mother, ReportData, code_of
from .grid import CrossTab
from .model import Cell, ReportTable, Row
from .participation import NOT_YET_DUE, group_link

COLUMNS = ("", "Seen: n", "Seen: %", "Not seen: n", "Not seen: %", "Standardised difference")
NOT_KNOWN = "Not known (no referral, or not recorded)"
# Standardised differences of at least this size are named in the note (Austin 2009 takes 0.1
# as a meaningful imbalance between groups).
NOTABLE = 0.1
REFERRAL_ITEMS = (("age_band", "Age band"), ("ethnicity", "Ethnicity"))


def _smd_share(p1: float, p2: float) -> float | None:
    spread = math.sqrt((p1 * (1 - p1) + p2 * (1 - p2)) / 2)
    return (p1 - p2) / spread if spread else None


def _smd_mean(a: Sequence[float], b: Sequence[float]) -> float | None:
    if len(a) < 2 or len(b) < 2:
        return None
    spread = math.sqrt((statistics.variance(a) + statistics.variance(b)) / 2)
    return (statistics.fmean(a) - statistics.fmean(b)) / spread if spread else None


def _fmt(value: float | None) -> Cell:
    # Half away from zero, as every table rounds (not Python's round half to even).
    if value is None:
        return None
    return f"{math.copysign(math.floor(abs(value) * 100 + 0.5) / 100, value):.2f}"


def _pct(n: int, total: int, hidden: bool) -> Cell:
    return None if hidden or not total else int(n * 100 / total + 0.5)


class _Block:
    """One characteristic's rows, with the standardised differences it found."""

    def __init__(self, data: ReportData, wave: str) -> None:
        self.data, self.wave = data, wave
        self.rows: list[Row] = []
        self.differences: list[tuple[str, float]] = []

    def categories(
        self,
        title: str,
        values: Sequence[tuple[str, bool]],
        order: Sequence[str],
        *,
        by_site: bool = False,
    ) -> None:
        """``values``: (category, seen) of each mother; categories in ``order`` (those seen),
        then any other, the unknown last. Each block's Total row is the participant flow's
        two groups (``by_site``: each row too, a site's), tied to it in the release."""
        present = {label for label, _ in values}
        labels = [label for label in order if label in present]
        labels += sorted(present - set(labels) - {NOT_KNOWN})
        labels += [NOT_KNOWN] if NOT_KNOWN in present else []
        cells = [[sum(1 for v, s in values if v == label and s is seen) for seen in (True, False)]
                 for label in labels]  # fmt: skip
        tied = labels if by_site else []
        links = {
            (i, c): group_link(self.wave, c == 0, label)
            for i, label in [*enumerate(tied), (len(labels), "Total")]
            for c in (0, 1)
        }
        grid = CrossTab(
            cells,
            self.data.threshold,
            n_cols=2,
            name=f"Attrition {self.wave} {title}",
            labels=([*labels, "Total"], ["Seen", "Not seen", "Total"]),
            links=links,
        )
        shown, counts, hidden = grid.rendered()
        totals = counts[-1]
        # A share is shown only when its count and its group's total are.
        off = [[hidden[i][c] or hidden[-1][c] for c in (0, 1)] for i in range(len(hidden))]
        self.rows.append(Row(title, (), "heading"))
        for i, label in enumerate([*labels, "Total"]):
            seen_n, not_n = counts[i][0], counts[i][1]
            smd = None
            if i < len(labels) and not (off[i][0] or off[i][1]) and all(totals[:2]):
                smd = _smd_share(seen_n / totals[0], not_n / totals[1])
            if smd is not None and label != NOT_KNOWN:
                self.differences.append((f"{title}: {label}", smd))
            self.rows.append(
                Row(
                    label,
                    (
                        shown[i][0],
                        _pct(seen_n, totals[0], off[i][0]),
                        shown[i][1],
                        _pct(not_n, totals[1], off[i][1]),
                        _fmt(smd),
                    ),
                    "total" if i == len(labels) else "data",
                )
            )

    def scores(self, title: str, seen: list[float], lost: list[float]) -> None:
        """A score's n, mean and SD per group; the mean hidden with its n."""
        threshold = self.data.threshold
        grid = CrossTab(
            [[len(seen), len(lost)]],
            threshold,
            total_row=False,
            n_cols=2,
            name=f"Attrition {self.wave} {title}",
            labels=(["n"], ["Seen", "Not seen", "Total"]),
        )
        shown, _counts, hidden = grid.rendered()
        means: list[Cell] = []
        for values, hid in ((seen, hidden[0][0]), (lost, hidden[0][1])):
            if hid or not values:
                means.append("[c]" if hid else None)
            elif len(values) == 1:
                means.append(f"{values[0]:.2f}")
            else:
                means.append(f"{statistics.fmean(values):.2f} ({statistics.stdev(values):.2f})")
        smd = None if (hidden[0][0] or hidden[0][1]) else _smd_mean(seen, lost)
        if smd is not None:
            self.differences.append((title, smd))
        self.rows += [
            Row(title, (), "heading"),
            Row("n with a score", (shown[0][0], None, shown[0][1], None, None)),
            Row("Mean (SD)", (means[0], None, means[1], None, _fmt(smd))),
        ]


def _referrals(data: ReportData) -> dict[str, Mapping[str, Any]]:
    """Her latest case's referral answers, by pseudonym."""
    found: dict[str, Mapping[str, Any]] = {}
    for case in data.cases:
        if case.referral is not None:
            found[case.pseudonym] = case.referral.answers
    return found


def _option_label(data: ReportData, variable: str, code: int | None) -> str:
    label = dict(data.case_options.get(variable, ())).get(code, str(code)) if code else None
    # The form's own "Not known" and no answer at all are one row.
    return NOT_KNOWN if label is None or label == "Not known" else label


def attrition_table(data: ReportData, wave: str) -> ReportTable | None:
    p = data.participation
    if p is None:
        return None
    places = {m.pseudonym: m for m in p.mothers if m.baseline_on is not None}
    groups: list[tuple[Mother, bool]] = []
    for mother in data.mothers:
        flow = places.get(mother.pseudonym)
        if flow is None or p.baseline not in mother.waves:
            continue
        if flow.followups.get(wave) == NOT_YET_DUE:
            continue
        groups.append((mother, flow.seen_at(wave)))
    if not groups:
        return None
    block = _Block(data, wave)
    block.categories(
        "Site (where registered)",
        [(data.site_name(m.site), seen) for m, seen in groups],
        [site.name for site in data.study.sites],
        by_site=True,
    )
    referrals = _referrals(data)
    for variable, title in REFERRAL_ITEMS:
        block.categories(
            f"{title} (her case referral)",
            [
                (_option_label(data, variable, code_of(referrals.get(m.pseudonym, {}), variable)),
                 seen)
                for m, seen in groups
            ],
            [label for _code, label in data.case_options.get(variable, ())],
        )  # fmt: skip
    baseline = next(w for w in data.waves if w.code == p.baseline)
    for prefix in baseline.questionnaires.blocks:
        totals = [(score_wai(m.waves[p.baseline].answers, prefix).total, s) for m, s in groups]
        block.scores(
            f"WAI total at {p.baseline} (1-5; {prefix})" if len(baseline.questionnaires.blocks) > 1
            else f"WAI total at {p.baseline} (1-5)",
            [v for v, s in totals if v is not None and s],
            [v for v, s in totals if v is not None and not s],
        )  # fmt: skip
    for item in _ratings(data, p.baseline):
        values = [(code_of(m.waves[p.baseline].answers, item[0]), s) for m, s in groups]
        block.scores(
            f"{item[1]} ({p.baseline}, 1-10)",
            [float(v) for v, s in values if v is not None and s],
            [float(v) for v, s in values if v is not None and not s],
        )
    # The groups' sizes as the site block's Total row shows them (hidden there, hidden here).
    site_total = next(r for r in block.rows if r.kind == "total")
    return ReportTable(
        key=f"attrition-{wave.lower()}",
        title=f"Attrition: {p.baseline} characteristics of the mothers seen at {wave} beside "
        "those not seen",
        columns=(COLUMNS[0], *(c.replace("Seen", f"Seen at {wave}") for c in COLUMNS[1:3]),
                 *(c.replace("Not seen", f"Not seen at {wave}") for c in COLUMNS[3:])),
        rows=tuple(block.rows),
        notes=_notes(wave, p.baseline, block.differences, site_total.cells[0], site_total.cells[2]),
    )  # fmt: skip


def _ratings(data: ReportData, baseline: str) -> list[tuple[str, str]]:
    """The baseline's 1-10 ratings: (variable, its question, shortened)."""
    wave = next(w for w in data.waves if w.code == baseline)
    found: dict[str, str] = {}
    for instrument in wave.questionnaires.instruments:
        for item in instrument.questions():
            if item.type == "rating" and item.variable and item.variable not in found:
                text = item.text.get("en", item.variable)
                found[item.variable] = text if len(text) <= 60 else text[:59].rstrip() + "…"
    return list(found.items())


def _notes(
    wave: str, baseline: str, differences: list[tuple[str, float]], seen: Cell, lost: Cell
) -> tuple[str, ...]:
    notable = sorted(
        ((label, d) for label, d in differences if abs(d) >= NOTABLE),
        key=lambda pair: -abs(pair[1]),
    )
    if notable:
        named = "; ".join(f"{label} ({_fmt(d)})" for label, d in notable[:4])
        difference = (
            f"The groups differ by a standardised difference of {NOTABLE} or more (Austin "
            f"2009) on {len(notable)} of {len(differences)} rows, the largest: {named}. A "
            f"change from {baseline} to {wave} counts only those seen, so it may not hold for "
            "those not seen."
        )
    else:
        difference = (
            f"No standardised difference reaches {NOTABLE} (Austin 2009): on these "
            f"characteristics the mothers seen at {wave} are like those not seen."
        )
    return (
        f"Mothers with a complete {baseline} whose {wave} fell due: seen at {wave} "
        f"{seen}, not seen {lost} (no {wave} sent: "
        "not seen, declined, withdrawn or said no to being asked again); those not yet due "
        "are left out. % of each group; the standardised difference is seen minus not seen "
        "over the pooled SD (for a category, of its share). Descriptive: no test.",
        difference,
    )


def attrition_tables(data: ReportData) -> list[ReportTable]:
    p = data.participation
    if p is None:
        return []
    return [t for w in p.followups if (t := attrition_table(data, w)) is not None]
