"""Tests for survey_app.pseudonyms.

The detection tests build IDs with their own checksum oracle (not the module's
check_symbol), so a broken check in the module cannot make them pass.
"""

import random
import re

import pytest

from survey_app.pseudonyms import (
    ALPHABET,
    InvalidPseudonym,
    check_symbol,
    generate,
    is_valid,
    normalise,
    one_slip_away,
)

MESSAGE = "This ID is not valid: please check it"
EXPECTED_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DISPLAY = re.compile(r"TC-[2-9A-HJKMNP-Z]{3}-[2-9A-HJKMNP-Z]{4}")


def weighted_sum(code: str) -> int:
    return sum((i + 1) * EXPECTED_ALPHABET.index(s) for i, s in enumerate(code)) % 31


def oracle_code(body: str) -> str:
    """body + the unique symbol making the weighted sum 0 mod 31, found by search."""
    [check] = [c for c in EXPECTED_ALPHABET if weighted_sum(body + c) == 0]
    return body + check


def seeded_codes(n: int = 200, seed: int = 20240611) -> list[str]:
    rng = random.Random(seed)
    return [oracle_code("".join(rng.choices(EXPECTED_ALPHABET, k=6))) for _ in range(n)]


def display(code: str) -> str:
    return f"TC-{code[:3]}-{code[3:]}"


def test_alphabet_has_31_symbols_without_look_alikes() -> None:
    assert ALPHABET == EXPECTED_ALPHABET
    assert len(set(ALPHABET)) == 31
    assert not set("01OIL") & set(ALPHABET)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # All values 0: sum 0, so check value 0 = "2".
        ("222222", "TC-222-2222"),
        # A..F = 8..13: 8+18+30+44+60+78 = 238 = 21 mod 31; 7c = -21 = 10 mod 31;
        # 7^-1 = 9 (63 = 2*31 + 1), c = 90 mod 31 = 28 = "X". Check: 238 + 196 = 434 = 14*31.
        ("ABCDEF", "TC-ABC-DEFX"),
        # 2..7 = 0..5: 0+2+6+12+20+30 = 70 = 8 mod 31; 7c = 23, c = 207 mod 31 = 21 = "Q".
        # Check: 70 + 147 = 217 = 7*31.
        ("234567", "TC-234-567Q"),
        # S=23, B..F = 9..13: 23+18+30+44+60+78 = 253 = 5 mod 31; 7c = 26,
        # c = 26*9 = 234 mod 31 = 17 = "K". Check: 253 + 119 = 372 = 12*31.
        ("SBCDEF", "TC-SBC-DEFK"),
    ],
)
def test_hand_computed_check_symbols(body: str, expected: str) -> None:
    assert check_symbol(body) == expected[-1]
    assert normalise(expected) == expected


def test_generated_ids_are_valid_and_normalise_to_themselves() -> None:
    for _ in range(500):
        pid = generate()
        assert DISPLAY.fullmatch(pid), pid
        assert weighted_sum(pid[3:6] + pid[7:]) == 0, pid
        assert is_valid(pid)
        assert normalise(pid) == pid


def test_generated_ids_are_random() -> None:
    # 31**6 bodies: a repeat among 1000 is rare (p < 0.001); several would mean no randomness.
    assert len({generate() for _ in range(1000)}) >= 995


def test_other_prefix() -> None:
    pid = generate("ab")
    assert re.fullmatch(r"AB-\w{3}-\w{4}", pid)
    assert normalise(pid, prefix="AB") == pid
    assert normalise(pid[3:], prefix="AB") == pid
    # The same code under the default prefix is a wrong-prefix ID.
    assert not is_valid(pid)
    assert normalise(pid[3:]) == "TC-" + pid[3:]


@pytest.mark.parametrize("prefix", ["", "T1", "T-C", "TÇ", " TC"])
def test_bad_prefix_parameter_is_a_programming_error(prefix: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        generate(prefix)
    assert not isinstance(excinfo.value, InvalidPseudonym)
    with pytest.raises(ValueError):
        normalise("TC-222-2222", prefix)


@pytest.mark.parametrize(
    "typed",
    [
        "TC-ABC-DEFX",
        "tc-abc-defx",
        "TCABCDEFX",
        "ABCDEFX",
        "abc defx",
        "  a b c - d e f x  ",
        "ABC-DEFX",
        "Tc abc-DefX",
        "T-C-A-B-C-D-E-F-X",
        "tc\tabc\ndefx\u00a0",
    ],
)
def test_entry_ignores_case_spaces_hyphens_and_prefix(typed: str) -> None:
    assert normalise(typed) == "TC-ABC-DEFX"
    assert is_valid(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "TC",
        "TC-ABC-DEF",  # check symbol missing
        "TC-ABC-DEFXX",  # one too many
        "ABCDEF",
        "TC-ABC-DEFY",  # wrong check symbol
        "XY-ABC-DEFX",  # wrong prefix
        "TT-ABC-DEFX",
        "TCC-ABC-DEFX",
        "TC-ABC-DEFX-TC",
        "TC_ABC_DEFX",  # underscores are not separators
        "TC.ABC.DEFX",
        # Long s upper-cases to "S", and TC-SBC-DEFK is valid: still refused.
        "TC-ſBC-DEFK",
        "TC-ＡBC-DEFX",  # fullwidth A
    ],
)
def test_malformed_entries_refused(typed: str) -> None:
    with pytest.raises(InvalidPseudonym):
        normalise(typed)
    assert not is_valid(typed)


@pytest.mark.parametrize("look_alike", ["0", "O", "o", "1", "I", "i", "L", "l"])
def test_look_alikes_refused_at_every_position(look_alike: str) -> None:
    code = "ABCDEFX"
    for pos in range(len(code)):
        typed = code[:pos] + look_alike + code[pos + 1 :]
        assert not is_valid(typed), typed
        assert not is_valid("TC" + typed), typed


def test_exact_message() -> None:
    for typed in ["TC-ABC-DEFY", "TC-0BC-DEFX", "short", "XY-ABC-DEFX"]:
        with pytest.raises(InvalidPseudonym) as excinfo:
            normalise(typed)
        assert str(excinfo.value) == MESSAGE
        assert isinstance(excinfo.value, ValueError)


def test_seeded_codes_are_accepted() -> None:
    # Guards the detection tests below against passing because everything is refused.
    for code in seeded_codes():
        assert normalise(code) == display(code)
        assert normalise("TC" + code) == display(code)


def test_every_single_substitution_is_refused() -> None:
    accepted = []
    for code in seeded_codes():
        for pos in range(len(code)):  # body positions 0..5 and check position 6
            for symbol in ALPHABET:
                if symbol == code[pos]:
                    continue
                typo = code[:pos] + symbol + code[pos + 1 :]
                if is_valid(typo) or is_valid("TC-" + typo):
                    accepted.append((code, typo))
    assert accepted == []


def test_every_neighbour_swap_is_refused() -> None:
    accepted = []
    swaps = 0
    for code in seeded_codes():
        full = "TC" + code  # also swaps across the prefix boundary
        for pos in range(len(full) - 1):
            a, b = full[pos], full[pos + 1]
            if a == b:
                continue
            swapped = full[:pos] + b + a + full[pos + 2 :]
            swaps += 1
            if is_valid(swapped) or (pos >= 2 and is_valid(swapped[2:])):
                accepted.append((code, swapped))
    assert accepted == []
    assert swaps > 200 * 6  # nearly all 8 neighbour pairs per ID were exercised


def _reached(patterns: list[str], swaps: list[str], target: str) -> bool:
    """Whether ``target`` is among the candidates, read as the database reads LIKE patterns."""
    as_regex = [re.compile(re.escape(p).replace("_", ".") + r"\Z") for p in patterns]
    return target in swaps or any(r.match(target) for r in as_regex)


def test_every_slip_of_an_id_leads_back_to_it() -> None:
    for code in seeded_codes(50):
        full = "TC" + code
        slips = [full[:i] + s + full[i + 1 :] for i in range(len(full)) for s in "Z0o"]
        slips += [full[:i] + full[i + 1] + full[i] + full[i + 2 :] for i in range(len(full) - 1)]
        for slip in slips:
            typed = f"{slip[:2].lower()} {slip[2:5]}-{slip[5:]}"  # layout does not matter
            assert _reached(*one_slip_away(typed), display(code)), (code, typed)
            if slip.startswith("TC"):  # a slip in the body, typed without the prefix
                assert _reached(*one_slip_away(slip[2:]), display(code)), (code, slip)


def test_ids_two_slips_apart_are_not_candidates() -> None:
    codes = seeded_codes(20)
    for code in codes:
        for other in codes:
            if sum(a != b for a, b in zip(code, other, strict=True)) >= 2:
                assert not _reached(*one_slip_away(code), display(other))


@pytest.mark.parametrize(
    "typed", ["", "TC", "TC-ABC-DEF", "TC-ABC-DEFXX", "TC_ABC_DEFX", "TC-ſBC-DEFK", "TC-AB%-DEFX"]
)
def test_entries_of_the_wrong_shape_have_no_candidates(typed: str) -> None:
    assert one_slip_away(typed) == ([], [])


def test_candidates_are_in_display_form_with_one_wildcard() -> None:
    patterns, swaps = one_slip_away("tc abc defy")
    assert patterns[0] == "_C-ABC-DEFY" and patterns[-1] == "TC-ABC-DEF_"
    assert len(patterns) == 9 and all(p.count("_") == 1 for p in patterns)
    assert "TC-ABC-DEYF" in swaps and "CT-ABC-DEFY" in swaps and len(swaps) == 8
