"""Tests for survey_app.scoring: expected values are computed by hand, written as literals."""

import math

import pytest

from survey_app.scoring import WAI_SR_SUBSCALES, WaiScores, score_wai

# Item number -> answer. Chosen so every mean is exact in binary and so that a
# wrong item-to-subscale key (e.g. items 1-4 as Task) gives a different number.
#   Task items 1, 2, 10, 12 = 2, 3, 3, 3 -> 11 / 4 = 2.75
#   Goal items 4, 6, 8, 11  = 4, 3, 4, 3 -> 14 / 4 = 3.5
#   Bond items 3, 5, 7, 9   = 5, 4, 4, 4 -> 17 / 4 = 4.25
#   Total 11 + 14 + 17 = 42 -> 42 / 12 = 3.5
ITEMS = {1: 2, 2: 3, 3: 5, 4: 4, 5: 4, 6: 3, 7: 4, 8: 4, 9: 4, 10: 3, 11: 3, 12: 3}


def answers(items: dict[int, object], prefix: str = "wai_csw") -> dict[str, object]:
    return {f"{prefix}_{n:02d}": value for n, value in items.items()}


def test_subscale_key() -> None:
    assert dict(WAI_SR_SUBSCALES) == {
        "task": (1, 2, 10, 12),
        "goal": (4, 6, 8, 11),
        "bond": (3, 5, 7, 9),
    }


def test_all_answered() -> None:
    assert score_wai(answers(ITEMS), "wai_csw") == WaiScores(
        task=2.75, goal=3.5, bond=4.25, total=3.5, items_answered=12
    )


def test_all_answered_unequal_total() -> None:
    # Items 1..12 answered 1,2,3,4,5,1,2,3,4,5,1,2.
    #   Task 1, 2, 10, 12 = 1, 2, 5, 2 -> 10 / 4 = 2.5
    #   Goal 4, 6, 8, 11  = 4, 1, 3, 1 -> 9 / 4 = 2.25
    #   Bond 3, 5, 7, 9   = 3, 5, 2, 4 -> 14 / 4 = 3.5
    #   Total 33 / 12 = 2.75
    items: dict[int, object] = {n: (n - 1) % 5 + 1 for n in range(1, 13)}
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=2.5, goal=2.25, bond=3.5, total=2.75, items_answered=12
    )


def test_total_is_an_unrounded_mean() -> None:
    # All 4 except item 1 = 5: Task 17 / 4 = 4.25, total 49 / 12 = 4.0833...
    items: dict[int, object] = {n: 4 for n in range(1, 13)} | {1: 5}
    scores = score_wai(answers(items), "wai_csw")
    assert scores.task == 4.25
    assert scores.goal == 4.0
    assert scores.bond == 4.0
    assert scores.total == 49 / 12
    assert scores.total != round(49 / 12, 2)


def test_all_missing() -> None:
    assert score_wai({}, "wai_csw") == WaiScores(
        task=None, goal=None, bond=None, total=None, items_answered=0
    )
    all_none: dict[int, object] = {n: None for n in range(1, 13)}
    assert score_wai(answers(all_none), "wai_csw") == WaiScores(None, None, None, None, 0)


def test_one_missing_item_drops_its_subscale_and_total() -> None:
    # Item 7 (Bond) absent: Task and Goal as before, Bond and total not scored.
    items = {n: v for n, v in ITEMS.items() if n != 7}
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=2.75, goal=3.5, bond=None, total=None, items_answered=11
    )


def test_one_item_none() -> None:
    # Item 11 (Goal) explicitly None.
    items: dict[int, object] = {**ITEMS, 11: None}
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=2.75, goal=None, bond=4.25, total=None, items_answered=11
    )


def test_not_applicable_codes_count_as_not_answered() -> None:
    # Item 2 (Task) and item 5 (Bond) = -3 Not applicable; Goal still 14 / 4 = 3.5.
    items: dict[int, object] = {**ITEMS, 2: -3, 5: -3}
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=None, goal=3.5, bond=None, total=None, items_answered=10
    )


@pytest.mark.parametrize("code", [-1, -2, -3, "-1", "-2", "-3"])
def test_each_missing_code_in_one_item(code: object) -> None:
    # Item 12 (Task) coded missing: 11 answered, Task and total not scored.
    items: dict[int, object] = {**ITEMS, 12: code}
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=None, goal=3.5, bond=4.25, total=None, items_answered=11
    )


def test_all_missing_codes() -> None:
    items: dict[int, object] = {n: -(n % 3) - 1 for n in range(1, 13)}  # -1, -2, -3 mixed
    assert score_wai(answers(items), "wai_csw") == WaiScores(None, None, None, None, 0)


def test_string_values() -> None:
    items: dict[int, object] = {n: str(v) for n, v in ITEMS.items()}
    items[3] = " 5 "  # stray whitespace from a form post
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=2.75, goal=3.5, bond=4.25, total=3.5, items_answered=12
    )


@pytest.mark.parametrize(
    "bad",
    [0, 6, 99, -4, 3.5, math.nan, math.inf, "0", "6", "3.5", "", "abc", "nan", True, False, [4]],
)
def test_out_of_range_or_non_numeric_is_missing(bad: object) -> None:
    # Item 9 (Bond) invalid: treated as missing, not an error.
    items: dict[int, object] = {**ITEMS, 9: bad}
    assert score_wai(answers(items), "wai_csw") == WaiScores(
        task=2.75, goal=3.5, bond=None, total=None, items_answered=11
    )


def test_integral_float_counts() -> None:
    items: dict[int, object] = {**ITEMS, 9: 4.0, 10: "3.0"}
    assert score_wai(answers(items), "wai_csw").total == 3.5


def test_different_prefix() -> None:
    mixed = answers(ITEMS, "wai_client") | answers({n: 1 for n in range(1, 13)}, "wai_csw")
    assert score_wai(mixed, "wai_client") == WaiScores(
        task=2.75, goal=3.5, bond=4.25, total=3.5, items_answered=12
    )
    assert score_wai(mixed, "wai_csw") == WaiScores(1.0, 1.0, 1.0, 1.0, 12)
    assert score_wai(mixed, "wai_other") == WaiScores(None, None, None, None, 0)


def test_item_numbers_are_zero_padded() -> None:
    # "wai_csw_1" is not "wai_csw_01": nothing is found.
    unpadded = {f"wai_csw_{n}": v for n, v in ITEMS.items()}
    assert score_wai(unpadded, "wai_csw").items_answered == 3  # only 10, 11, 12 match


def test_custom_subscales() -> None:
    # A 6-item form: Task 1, 2 = 2, 3 -> 2.5; Goal 3, 4 = 5, 4 -> 4.5; Bond 5, 6 = 4, 3 -> 3.5.
    # Total 21 / 6 = 3.5. Items 7..12 are present but outside the form, so ignored.
    subscales = {"task": [1, 2], "goal": [3, 4], "bond": [5, 6]}
    assert score_wai(answers(ITEMS), "wai_csw", subscales, n_items=6) == WaiScores(
        task=2.5, goal=4.5, bond=3.5, total=3.5, items_answered=6
    )


@pytest.mark.parametrize(
    "subscales",
    [
        {"task": (1, 2), "goal": (3, 4)},
        {"task": (1, 2), "goal": (3, 4), "bond": (5, 13)},
        {"task": (0, 2), "goal": (3, 4), "bond": (5, 6)},
    ],
)
def test_bad_subscale_key_is_an_error(subscales: dict[str, tuple[int, ...]]) -> None:
    with pytest.raises(ValueError):
        score_wai(answers(ITEMS), "wai_csw", subscales)
