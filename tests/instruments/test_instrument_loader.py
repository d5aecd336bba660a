"""A broken instrument file fails with one line naming the file, the path inside it and the
problem; never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from survey_app.instruments import model
from survey_app.instruments.loader import InstrumentError, content_hash, load_all
from tests.flows import changed, instrument_tree, loader_problems

SCALES = """
scales:
  agree5:
    options:
      - {code: 1, label: {en: Strongly disagree, cy: Anghytuno'n gryf}}
      - {code: 2, label: {en: Disagree, cy: Anghytuno}}
      - {code: 3, label: {en: Agree, cy: Cytuno}}
    collapsed:
      - {label: Agree, codes: [3]}
      - {label: Disagree, codes: [1, 2]}
"""

BLOCK = """
format: 1
key: pair
title: A two-item block
citation: Someone (2020)
licence: Ask first
params: [target]
scale: agree5
subscales: {all: [1, 2]}
items:
  - {number: 1, text: {en: "{Target} listens.", cy: "Mae {target} yn gwrando."}}
  - {number: 2, text: {en: "I trust {target}.", cy: "Rwy'n ymddiried yn {target}."}}
"""

GOOD = """
format: 1
key: demo
version: 1
title: Demo
audience: mother
waves: [T1]
sections:
  - id: first
    title: First
    items:
      - {type: consent, variable: consent_ok, text: I agree to take part.}
      - {type: single, variable: met, text: "Have you met them?",
         options: [{code: 1, label: "No"}, {code: 2, label: "Yes"}]}
      - {type: likert, variable: q1, scale: agree5, text: I am fine., offer: [prefer_not_to_say]}
  - id: second
    title: Second
    items:
      - {block: pair, prefix: pair_sw, params: {target: my social worker},
         show_if: {variable: met, not_in: [1]}}
      - {type: long_text, variable: hopes, text: "What do you hope for?", max_length: 500}
"""


def write_tree(tmp_path: Path, instrument: str, scales: str = SCALES, block: str = BLOCK) -> Path:
    return instrument_tree(tmp_path, instrument, {"scales.yaml": scales, "blocks/pair.yaml": block})


def load(tmp_path: Path) -> list[dict[str, object]]:
    return load_all(tmp_path / "files", tmp_path / "shared")


def problems(tmp_path: Path, instrument: str, **kwargs: str) -> list[str]:
    return loader_problems(write_tree(tmp_path, instrument, **kwargs))


def test_a_good_file_expands_blocks_and_scales(tmp_path: Path) -> None:
    [definition] = load(write_tree(tmp_path, GOOD))
    instrument = model.build(definition)
    assert instrument.variables == ("consent_ok", "met", "q1", "pair_sw_01", "pair_sw_02", "hopes")
    first = instrument.item("pair_sw_01")
    assert first is not None and first.text["en"] == "My social worker listens."
    assert instrument.item("pair_sw_02").text["en"] == "I trust my social worker."  # type: ignore[union-attr]
    assert first.show_if is not None and first.show_if.holds({"met": 2})
    assert not first.show_if.holds({"met": 1})
    assert instrument.item("consent_ok").required  # type: ignore[union-attr]
    assert instrument.item("q1").valid_codes() == {1, 2, 3, -2}  # type: ignore[union-attr]
    assert instrument.blocks["pair_sw"]["subscales"] == {"all": ["pair_sw_01", "pair_sw_02"]}
    assert set(definition["scales"]) == {"agree5"}  # type: ignore[arg-type]


def test_the_hash_is_canonical_and_changes_with_content(tmp_path: Path) -> None:
    [a] = load(write_tree(tmp_path / "a", GOOD))
    [b] = load(write_tree(tmp_path / "b", GOOD.replace("I am fine.", "I am well.")))
    [a_again] = load(write_tree(tmp_path / "c", GOOD))
    assert content_hash(a) == content_hash(a_again)
    assert content_hash(a) != content_hash(b)


def test_a_change_to_a_shared_scale_changes_the_hash(tmp_path: Path) -> None:
    [a] = load(write_tree(tmp_path / "a", GOOD))
    [b] = load(write_tree(tmp_path / "b", GOOD, scales=SCALES.replace("en: Agree,", "en: Agreed,")))
    assert content_hash(a) != content_hash(b)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("title: Demo\n", "title: Demo\nsections_extra: [\n"),
            "demo.yaml: line 8, column 6: YAML syntax error:",
        ),
        (
            ("type: long_text", "type: essay"),
            "demo.yaml: sections[1].items[1].type: unknown item type 'essay'",
        ),
        (
            ("scale: agree5, text: I am fine.", "scale: agree7, text: I am fine."),
            "demo.yaml: sections[0].items[2].scale: unknown scale 'agree7'",
        ),
        (
            ("variable: hopes", "variable: q1"),
            "demo.yaml: sections[1].items[1].variable: duplicate variable 'q1'",
        ),
        (
            ("show_if: {variable: met,", "show_if: {variable: hopes,"),
            "demo.yaml: sections[1].items[0].show_if.variable: refers to 'hopes', "
            "which is not an earlier variable",
        ),
        (
            ("show_if: {variable: met,", "show_if: {variable: nobody,"),
            "demo.yaml: sections[1].items[0].show_if.variable: refers to 'nobody', "
            "which is not an earlier variable",
        ),
        (
            ("title: First", "title: {cy: Cyntaf}"),
            "demo.yaml: sections[0].title: missing 'en' text",
        ),
        (
            ("audience: mother", "audience: mothers"),
            "demo.yaml: audience: Must be one of: mother, prison_staff, practitioner, caseworker.",
        ),
        (
            ("version: 1", "version: one"),
            "demo.yaml: version: not a whole number",
        ),
        (
            ("max_length: 500}", "max_length: 500, colour: red}"),
            "demo.yaml: sections[1].items[1].colour: unknown field (check its spelling)",
        ),
        (
            ("block: pair,", "block: triple,"),
            "demo.yaml: sections[1].items[0].block: unknown block 'triple'",
        ),
        (
            ('{code: 2, label: "Yes"}', '{code: 1, label: "Yes"}'),
            "demo.yaml: sections[0].items[1].options[1].code: duplicate code 1",
        ),
    ],
)
def test_broken_instrument_files_are_named_precisely(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    lines = problems(tmp_path, changed(GOOD, change))
    assert any(line.startswith(expected) for line in lines), lines


def test_a_scale_with_duplicate_codes_names_the_scales_file(tmp_path: Path) -> None:
    broken = SCALES.replace("{code: 2, label: {en: Disagree", "{code: 1, label: {en: Disagree")
    lines = problems(tmp_path, GOOD, scales=broken)
    assert "scales.yaml: scales.agree5.options[1].code: duplicate code 1" in lines


def test_missing_welsh_is_refused_when_the_instrument_lists_cy(tmp_path: Path) -> None:
    with_cy = GOOD.replace("waves: [T1]", "waves: [T1]\nlanguages: [en, cy]")
    lines = problems(tmp_path, with_cy)
    assert "demo.yaml: title: missing 'cy' text (the instrument lists 'cy')" in lines
    assert (
        "demo.yaml: sections[0].items[2].text: missing 'cy' text (the instrument lists 'cy')"
        in lines
    )


def test_a_block_without_its_parameter_is_refused(tmp_path: Path) -> None:
    lines = problems(tmp_path, GOOD.replace("params: {target: my social worker},", ""))
    assert lines == ["demo.yaml: sections[1].items[0].params: block 'pair' needs target"]


def test_a_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    assert problems(tmp_path, "- just\n- a list\n") == [
        "demo.yaml: (top): expected a mapping of fields"
    ]


def test_all_problems_of_all_files_are_reported_at_once(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path, GOOD.replace("agree5, text: I am fine.", "agree9, text: I am fine.")
    )
    (root / "files" / "other.yaml").write_text("key: [\n")
    with pytest.raises(InstrumentError) as caught:
        load(root)
    text = str(caught.value)
    assert "demo.yaml: sections[0].items[2].scale: unknown scale 'agree9'" in text
    assert "other.yaml: line 2" in text


def test_a_block_parameter_without_welsh_is_refused_when_the_instrument_lists_cy(
    tmp_path: Path,
) -> None:
    with_cy = GOOD.replace("waves: [T1]", "waves: [T1]\nlanguages: [en, cy]").replace(
        "params: {target: my social worker}", "params: {target: {en: my social worker}}"
    )
    lines = problems(tmp_path, with_cy)
    assert (
        "demo.yaml: sections[1].items[0].params.target: missing 'cy' text (the instrument lists 'cy')"
        in lines
    )


def test_an_unknown_placeholder_in_a_block_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    lines = problems(tmp_path, GOOD, block=BLOCK.replace("{Target} listens.", "{Targt} listens."))
    assert lines == [
        "demo.yaml: sections[1].items[0].block: item 1 of block 'pair' uses {Targt}, "
        "which is not one of its params"
    ]


def test_show_if_on_a_multiple_choice_item_is_refused(tmp_path: Path) -> None:
    multi = GOOD.replace("{type: single, variable: met,", "{type: multiple, variable: met,")
    lines = problems(tmp_path, multi)
    assert (
        "demo.yaml: sections[1].items[0].show_if.variable: 'met' is not a single-answer choice item"
        in lines
    )


def test_a_block_use_can_offer_missing_codes(tmp_path: Path) -> None:
    offered = GOOD.replace(
        "show_if: {variable: met, not_in: [1]}}",
        "show_if: {variable: met, not_in: [1]}, offer: [prefer_not_to_say]}",
    )
    [definition] = load(write_tree(tmp_path, offered))
    assert model.build(definition).item("pair_sw_02").offer == (-2,)  # type: ignore[union-attr]


def test_a_show_if_on_the_same_page_is_refused(tmp_path: Path) -> None:
    same_page = GOOD.replace(
        "      - {type: likert, variable: q1, scale: agree5, text: I am fine., offer: [prefer_not_to_say]}",
        "      - {type: likert, variable: q1, scale: agree5, text: I am fine., offer: [prefer_not_to_say],"
        " show_if: {variable: met, in: [2]}}",
    )
    assert same_page != GOOD
    lines = problems(tmp_path, same_page)
    assert lines == [
        "demo.yaml: sections[0].items[2].show_if.variable: refers to 'met' on the same page: "
        "put the question it controls in a later section"
    ]


def test_the_newest_version_is_key_yaml_and_older_ones_key_vn_yaml(tmp_path: Path) -> None:
    root = write_tree(tmp_path, GOOD.replace("version: 1", "version: 2"))
    (root / "files" / "demo.v1.yaml").write_text(textwrap.dedent(GOOD))
    assert sorted(d["version"] for d in load(root)) == [1, 2]
    # The newest left in an old version's file name, and an old one in the key's name.
    (root / "files" / "demo.v1.yaml").rename(root / "files" / "demo.yaml.tmp")
    (root / "files" / "demo.yaml").rename(root / "files" / "demo.v1.yaml")
    (root / "files" / "demo.yaml.tmp").rename(root / "files" / "demo.yaml")
    with pytest.raises(InstrumentError) as caught:
        load(root)
    assert caught.value.problems == [
        "demo.yaml: (top): demo v1 belongs in demo.v1.yaml (the newest version of an instrument "
        "is <key>.yaml, earlier ones <key>.v<version>.yaml)",
        "demo.v1.yaml: (top): demo v2 belongs in demo.yaml (the newest version of an instrument "
        "is <key>.yaml, earlier ones <key>.v<version>.yaml)",
    ]


WELSH_YES_NO_FILE = """
format: 2
key: demo
version: 1
title: {en: Demo, cy: Demo (cy)}
audience: mother
waves: [T1]
languages: [en, cy]
sections:
  - id: first
    title: {en: First, cy: Cyntaf}
    items:
      - {type: consent, variable: consent_ok, text: {en: I agree., cy: Rydw i'n cytuno.}}
      - type: yesno
        variable: met
        text: {en: "Have you met them?", cy: "Ydych chi wedi cwrdd â nhw?"}
        yes_no_cy: [Ydw, Nac ydw]
"""


def test_a_yes_no_question_in_welsh_carries_its_own_yes_and_no(tmp_path: Path) -> None:
    [definition] = load(write_tree(tmp_path, WELSH_YES_NO_FILE))
    met = model.build(definition).item("met")
    assert met is not None and met.scale == "yesno"
    assert [(o.code, o.label["en"], o.label["cy"]) for o in met.options] == [
        (1, "Yes", "Ydw"),
        (0, "No", "Nac ydw"),
    ]
    assert met.valid_codes() == {0, 1}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("        yes_no_cy: [Ydw, Nac ydw]\n", ""),
            "demo.yaml: sections[0].items[1].yes_no_cy: missing: a yes/no question in Welsh "
            "gives its own Welsh yes and no, with the question's verb, e.g. [Ydw, Nac ydw] or "
            "[Oes, Nac oes]",
        ),
        (
            ("[Ydw, Nac ydw]", "[Ydw, Naddo]"),
            "demo.yaml: sections[0].items[1].yes_no_cy: Ydw/Naddo is not a Welsh yes and no of "
            "one verb (known: Ydw/Nac ydw, Ydy/Nac ydy,",
        ),
        (
            ("[Ydw, Nac ydw]", "[Ydw]"),
            "demo.yaml: sections[0].items[1].yes_no_cy: give the Welsh yes, then the Welsh no",
        ),
        (
            ("format: 2", "format: 1"),
            "demo.yaml: sections[0].items[1].yes_no_cy: a Welsh yes and no need format: 2",
        ),
        (
            ("languages: [en, cy]", "languages: [en]"),
            "demo.yaml: sections[0].items[1].yes_no_cy: this instrument is not in Welsh "
            "(languages)",
        ),
        (
            ("type: yesno", "type: short_text"),
            "demo.yaml: sections[0].items[1].yes_no_cy: only a yes/no question has a Welsh yes "
            "and no",
        ),
        (
            ("format: 2", "format: 3"),
            "demo.yaml: format: unsupported format 3; this app reads 1 and 2",
        ),
    ],
)
def test_the_loader_checks_the_welsh_yes_and_no(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    lines = problems(tmp_path, WELSH_YES_NO_FILE.replace(*change))
    assert [line for line in lines if line.startswith(expected)] != [], lines


def test_a_format_1_file_keeps_the_shared_yes_and_no(tmp_path: Path) -> None:
    old = WELSH_YES_NO_FILE.replace("format: 2", "format: 1").replace(
        "        yes_no_cy: [Ydw, Nac ydw]\n", ""
    )
    [definition] = load(write_tree(tmp_path, old))
    met = model.build(definition).item("met")
    assert met is not None and met.options[0].label["cy"] == "Ydw / Do / Oes"
    assert "options" not in definition["sections"][0]["items"][1]  # type: ignore[index]


OTHER = GOOD.replace(
    'options: [{code: 1, label: "No"}, {code: 2, label: "Yes"}]}',
    'options: [{code: 1, label: "No"}, {code: 2, label: "Yes"}, '
    '{code: 3, label: "Other", other_text: true}]}',
)


def test_an_other_option_with_a_text_box(tmp_path: Path) -> None:
    [definition] = load(write_tree(tmp_path, OTHER))
    met = model.build(definition).item("met")
    assert met is not None and met.other_variable == "met_other"
    assert met.other_chosen(3) and not met.other_chosen(2) and met.other_chosen([1, 3])


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('{code: 2, label: "Yes"}', '{code: 2, label: "Yes", other_text: true}'),
            "demo.yaml: sections[0].items[1].options: only one option can have other_text",
        ),
        (
            ("{type: long_text, variable: hopes,", "{type: long_text, variable: met_other,"),
            "demo.yaml: sections[1].items[1].variable: duplicate variable 'met_other'",
        ),
    ],
)
def test_other_text_is_checked(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert expected in problems(tmp_path, OTHER.replace(*change))
