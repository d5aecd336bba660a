"""The paired change (Supplementary tables C and D) checked against values worked by hand:
the Hodges-Lehmann estimate and its interval from the Walsh averages, the exact signed-rank
p, the rank-biserial effect size, zero differences, and 9 against 10 changed pairs."""

from __future__ import annotations

import datetime as dt

import pytest
from flask import Flask

from survey_app.report import stats
from survey_app.report.stats import TOO_FEW
from tests import factories
from tests.report_steps import cells, report_of, table

MOTHER_CONSENT = {"consent_info_sheet": 1, "consent_skip": 1, "consent_take_part": 1}


def test_all_rising_differences_give_the_tabled_interval_and_p() -> None:
    change = stats.paired_change([(0.0, float(d)) for d in range(1, 11)])
    # The 55 Walsh averages of 1..10 lie symmetric about 5.5: the estimate is 5.5.
    assert (change.n, change.n_nonzero, change.estimate) == (10, 10, 5.5)
    # The subsets of ranks 1..10 summing to 8 or less number 25 (25/1024 <= 0.025), to 9 or
    # less 33: k = 9. The pair sums i + j (i <= j) 2, 3, 4, 5, 6 occur 1, 1, 2, 2, 3 times, so
    # the 9th smallest average is 6 / 2 = 3, the 9th largest 11 - 3 = 8.
    assert (change.ci_low, change.ci_high) == (3.0, 8.0)
    assert change.effect == 1.0
    assert change.p == pytest.approx(2 / 1024)  # W- = 0: two of the 1024 sign patterns


def test_zero_differences_are_dropped_from_test_estimate_and_interval() -> None:
    change = stats.paired_change([(2.0, 2.0)] * 2 + [(0.0, float(d)) for d in range(1, 11)])
    assert (change.n, change.n_nonzero) == (12, 10)
    assert change.mean_before == pytest.approx(0 / 12 + 2 * 2 / 12)
    assert change.mean_after == pytest.approx((55 + 4) / 12)
    assert (change.estimate, change.ci_low, change.ci_high) == (5.5, 3.0, 8.0)
    assert change.p == pytest.approx(2 / 1024)


def test_nine_changed_pairs_give_no_inference_ten_do() -> None:
    nine = stats.paired_change([(1.0, 1.0)] + [(0.0, float(d)) for d in range(1, 10)])
    assert (nine.n, nine.n_nonzero, nine.tested) == (10, 9, False)
    assert (nine.ci_low, nine.ci_high, nine.effect, nine.p) == (None, None, None, None)
    assert nine.estimate == 5.0  # Walsh averages of 1..9, symmetric about 5: descriptive
    ten = stats.paired_change([(1.0, 1.0)] + [(0.0, float(d)) for d in range(1, 11)])
    assert (ten.n, ten.n_nonzero, ten.tested) == (11, 10, True)
    assert ten.p == pytest.approx(2 / 1024) and ten.ci_low == 3.0
    unchanged = stats.paired_change([(3.0, 3.0)] * 10)
    assert (unchanged.n_nonzero, unchanged.estimate, unchanged.p) == (0, 0.0, None)


def test_a_fall_and_tied_ranks_give_the_hand_worked_p_and_effect() -> None:
    # -1, 2 .. 10: ranks 1 .. 10 with rank 1 falling: R- = 1, R+ = 54. P(W <= 1) = 2/1024.
    one_down = [-1.0, *map(float, range(2, 11))]
    assert stats.signed_rank_p(one_down) == pytest.approx(4 / 1024)
    assert stats.rank_biserial(one_down) == pytest.approx(53 / 55)
    # 1, -1, 2 .. 9: |d| 1 and 1 share ranks 1 and 2 (1.5 each), the rest 3 .. 10.
    # R- = 1.5, R+ = 53.5: r = 52 / 55. Sign patterns with a positive sum of 1.5 or less:
    # none ticked, or either 1.5 alone: 3 of 1024, two-sided 6 / 1024.
    tied = [1.0, -1.0, *map(float, range(2, 10))]
    assert stats.rank_biserial(tied) == pytest.approx(52 / 55)
    assert stats.signed_rank_p(tied) == pytest.approx(6 / 1024)


def test_critical_ranks_match_the_published_table_and_the_normal_formula() -> None:
    # Published two-sided 5% critical values of T: n = 10: 8, n = 20: 52, n = 50: 434.
    assert [stats.critical_rank(n) for n in (10, 20, 50)] == [9, 53, 435]
    # n = 60: 60 * 61 / 4 - 1.959964 * sqrt(60 * 61 * 121 / 24) = 915 - 266.24: k = 648.
    assert stats.critical_rank(60) == 648
    # Walsh averages of 1 .. 60: pair sums up to 51 number 1 + 1 + 2 + 2 + ... + 25 + 25 = 650,
    # up to 50 number 625, so the 648th smallest is 51 / 2; the 648th largest 61 - 25.5.
    assert stats.hodges_lehmann_ci([float(d) for d in range(1, 61)]) == (25.5, 35.5)


def test_mcnemar_needs_ten_discordant_pairs() -> None:
    nine = stats.paired_agreement([(False, True)] * 9 + [(True, True)] * 5)
    assert (nine.n, nine.discordant, nine.p) == (14, 9, None)
    ten = stats.paired_agreement([(False, True)] * 9 + [(True, False)] + [(True, True)] * 5)
    assert ten.p == pytest.approx(2 * (1 + 10) / 1024)  # binomial: 1 of 10, two-sided


def wai(values: list[int]) -> dict[str, object]:
    return {f"wai_csw_{i:02d}": v for i, v in enumerate(values, start=1)}


def add_mothers(app: Flask) -> None:
    """Eleven mothers at T1 and T2. WAI: all 1 at T1; at T2 mother k < 10 has items 1 .. k+1
    at 2 (total up by (k+1)/12), mother 10 is unchanged. Involvement 1 at T1, k+2 at T2 for
    k < 9, unchanged for mothers 9 and 10. Willing: disagree at T1; agree at T2 for k < 10."""
    for k in range(11):
        t1 = {**MOTHER_CONSENT, "csw_contact": 3, "decision_involvement": 1, **wai([1] * 12)}
        t1["css_willing"] = 2
        raised = k + 1 if k < 10 else 0
        t2 = {**MOTHER_CONSENT, "csw_contact": 3, **wai([2] * raised + [1] * (12 - raised))}
        t2["decision_involvement"] = k + 2 if k < 9 else 1
        t2["css_willing"] = 4 if k < 10 else 2
        factories.complete_response(app, f"TC-P{k:02d}-AAAA", "T1", t1, dt.date(2022, 1, 5))
        factories.complete_response(app, f"TC-P{k:02d}-AAAA", "T2", t2, dt.date(2022, 7, 5))


INVOLVEMENT = (
    "How involved do you feel in the decisions that are made about your children's care? (1 to 10)"
)
ABOUT = "about my children's social worker"


def test_table_c_and_d_from_entered_questionnaires(app: Flask) -> None:
    add_mothers(app)
    report = report_of(app)
    change_table = table(report, "change-T2")
    assert "11 answered both" in change_table.title
    change = dict(cells(change_table))
    # WAI total: 10 changed, by 1/12 .. 10/12: estimate 5.5/12, interval 3/12 to 8/12.
    # Means: 1 at T1; 1 + (55/12)/11 at T2.
    assert change[f"WAI-SR total score, {ABOUT}"] == (
        11,
        10,
        1.0,
        1.42,
        0.46,
        "0.25 to 0.67",
        1.0,
        0.002,
    )
    # Task items 1, 2, 10, 12: every mother k < 10 raised at least item 1: 10 changed.
    assert change[f"WAI-SR task score, {ABOUT}"][:2] == (11, 10)
    # Goal items 4, 6, 8, 11: mothers 0 .. 2 raised none of them: 7 changed, no test.
    goal = change[f"WAI-SR goal score, {ABOUT}"]
    assert goal[:2] == (11, 7) and goal[5:] == (None, None, TOO_FEW)
    # Bond items 3, 5, 7, 9: mothers 0 and 1 raised none: 8 changed.
    assert change[f"WAI-SR bond score, {ABOUT}"][:2] == (11, 8)
    # Involvement: 9 changed (1 .. 9), two unchanged: no inference; mean at T2 56/11;
    # the estimate (the Walsh averages of 1 .. 9 centre on 5) still shown.
    assert change[INVOLVEMENT] == (11, 9, 1.0, 5.09, 5.0, None, None, TOO_FEW)
    agreement_table = table(report, "agreement-T2")
    willing = dict(cells(agreement_table))[
        "I am willing to engage with Children's Social Services. (Strongly agree or agree)"
    ]
    # Ten agree at T2 only, one at neither: McNemar's exact p = 2 * 0.5**10.
    assert willing == (11, 0, 0, 10, 1, round(2 / 1024, 3))
    # Tests shown: WAI task and total, willing: three.
    note = (
        "Exploratory: 3 tests in Supplementary tables C and D of this report, none adjusted "
        "for multiplicity; read a p as a pointer, not a finding."
    )
    assert note in change_table.notes and note in agreement_table.notes
    assert not any("_" in label for label in change)  # no variable names


def test_under_ten_pairs_nothing_is_tested(app: Flask) -> None:
    for k in range(9):
        t1 = {**MOTHER_CONSENT, "decision_involvement": 1, "css_willing": 2}
        t2 = {**MOTHER_CONSENT, "decision_involvement": k + 2, "css_willing": 4}
        factories.complete_response(app, f"TC-Q{k:02d}-AAAA", "T1", t1, dt.date(2022, 1, 5))
        factories.complete_response(app, f"TC-Q{k:02d}-AAAA", "T2", t2, dt.date(2022, 7, 5))
    report = report_of(app)
    involvement = dict(cells(table(report, "change-T2")))[INVOLVEMENT]
    # Differences 1 .. 9: mean at T2 54 / 9, estimate 5 (their Walsh averages centre on 5).
    assert involvement == (9, 9, 1.0, 6.0, 5.0, None, None, TOO_FEW)
    agreement = dict(cells(table(report, "agreement-T2")))
    assert all(row[-1] == TOO_FEW for row in agreement.values())
    assert any(note.startswith("Exploratory: 0 tests") for note in table(report, "change-T2").notes)
