"""The case tracker's four forms as versioned instrument files, the item types they need
(date, bounded whole number, repeated group, show-if on the number of entries, a choice from a
bundled list) and the bundled list of children's services authorities."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from survey_app.instruments import model
from survey_app.instruments.diff import diff
from survey_app.instruments.loader import SHARED_DIR, load_all
from tests.flows import Auth, changed, instrument_tree, loader_problems

REFERENCE = Path("/work/shared/reference/CASE_TRACKER.md")
FIXTURE = Path(__file__).parent.parent / "fixtures" / "reference_case_tracker.md"
FORMS = {
    "Referral": "case_referral",
    "Progress update": "case_update",
    "Closure": "case_closure",
    "Re-opening": "case_reopening",
}
# Each form's variables, as the reference names them (children's items inside the group).
VARIABLES = {
    "case_referral": [
        "start_date", "referral_source", "ethnicity", "age_band", "care_experience",
        "relationship_status", "local_authorities", "offence_category", "sentence_length",
        "child_related_offence", "children", "siblings", "on_mbu", "children_social_workers",
        "family_court", "contact_at_referral", "needs",
    ],
    "case_update": [
        "update_date", "acct", "domestic_abuse", "mbu_application", "contact_now",
        "in_proceedings", "update_note",
    ],
    "case_closure": [
        "closure_date", "closure_reason", "outcomes", "barriers", "contact_outcome",
        "closure_summary",
    ],
    "case_reopening": ["reopen_date", "reopen_reason"],
}  # fmt: skip


def bundled() -> dict[str, model.Instrument]:
    return {d["key"]: model.build(d) for d in load_all() if d["audience"] == "caseworker"}


def english_texts(instrument: model.Instrument) -> list[str]:
    texts: list[str] = []

    def add(item: model.Item) -> None:
        texts.append(item.text["en"])
        texts.extend(o.label["en"] for o in item.options)
        for sub in item.items:
            add(sub)

    for item in instrument.items():
        add(item)
    return texts


def reference_sections() -> dict[str, str]:
    text = FIXTURE.read_text(encoding="utf-8")
    parts = re.split(r"^### (.+)$", text, flags=re.M)
    return {
        heading.split(" (")[0].strip(): body
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
    }


def test_the_fixture_is_a_copy_of_the_reference() -> None:
    if not REFERENCE.exists():
        pytest.skip("the shared reference is not on this machine")
    assert FIXTURE.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8")


def test_four_forms_for_caseworkers_with_the_reference_variables() -> None:
    forms = bundled()
    assert set(forms) == set(VARIABLES)
    for key, variables in VARIABLES.items():
        assert forms[key].audience == "caseworker"
        assert forms[key].waves == ()
        assert list(forms[key].variables) == variables, key
    group = forms["case_referral"].item("children")
    assert group is not None and (group.min_entries, group.max_entries) == (1, 15)
    assert [i.variable for i in group.items] == [
        "child_age_band",
        "child_care_arrangement",
        "child_has_social_worker",
    ]


@pytest.mark.parametrize("heading", FORMS)
def test_every_bold_label_of_the_report_is_in_its_form_word_for_word(heading: str) -> None:
    body = reference_sections()[heading]
    phrases = [" ".join(p.split()) for p in re.findall(r"\*\*(.+?)\*\*", body, flags=re.S)]
    assert phrases, heading
    texts = english_texts(bundled()[FORMS[heading]])
    absent = [p for p in phrases if not any(p in t for t in texts)]
    assert absent == []


def test_siblings_show_only_with_two_children_or_more() -> None:
    siblings = bundled()["case_referral"].item("siblings")
    assert siblings is not None
    assert not siblings.shown({"children": [{"child_age_band": 1}]})
    assert siblings.shown({"children": [{"child_age_band": 1}, {"child_age_band": 2}]})
    assert not siblings.shown({})


# ---------------------------------------------------------------------------------------------
# The bundled list


def test_the_local_authorities_list_has_every_authority_once() -> None:
    raw = yaml.safe_load((SHARED_DIR / "lists" / "local_authorities.yaml").read_text("utf-8"))
    entries = raw["entries"]
    names = [e["name"] for e in entries]
    assert len(names) == len({" ".join(n.split()).casefold() for n in names}), "a name repeats"
    assert len({e["code"] for e in entries}) == len(entries)
    by_country = {c: sum(e["country"] == c for e in entries) for c in ("England", "Wales")}
    assert by_country == {"England": 153, "Wales": 22}
    for name in ("Bournemouth, Christchurch and Poole", "Westmorland and Furness", "Cumberland",
                 "North Northamptonshire", "Rhondda Cynon Taf", "Isle of Anglesey"):  # fmt: skip
        assert name in names
    for gone in ("Cumbria", "Northamptonshire", "Poole"):
        assert gone not in names
    options = bundled()["case_referral"].item("local_authorities")
    assert options is not None
    assert [o.label["en"] for o in options.options] == names


# ---------------------------------------------------------------------------------------------
# The loader's one-line errors for the new item types

GOOD = """
format: 1
key: demo
version: 1
title: Demo
audience: caseworker
sections:
  - id: first
    title: First
    items:
      - {type: date, variable: when, text: 'When?', required: true}
      - {type: integer, variable: how_many, text: "How many?", min: 0, max: 20}
      - {type: multiple, variable: las, text: "Which?", choices_from: places}
      - type: group
        variable: kids
        text: Children
        min_entries: 1
        max_entries: 15
        items:
          - {type: single, variable: kid_age, text: Age, options: [{code: 1, label: Young}]}
  - id: second
    title: Second
    items:
      - {type: yesno, variable: together, text: "Together?", show_if: {variable: kids, count_at_least: 2}}
"""

PLACES = """
format: 1
key: places
title: Places
entries:
  - {code: 1, name: Barnet, country: England}
  - {code: 2, name: Cardiff, country: Wales}
"""


def write_tree(tmp_path: Path, instrument: str, places: str = PLACES) -> Path:
    return instrument_tree(tmp_path, instrument, {"lists/places.yaml": places})


def problems(tmp_path: Path, instrument: str, places: str = PLACES) -> list[str]:
    return loader_problems(write_tree(tmp_path, instrument, places))


def test_a_good_case_form_loads_with_the_list_expanded(tmp_path: Path) -> None:
    root = write_tree(tmp_path, GOOD)
    [definition] = load_all(root / "files", root / "shared")
    built = model.build(definition)
    las = built.item("las")
    assert las is not None and [o.label["en"] for o in las.options] == ["Barnet", "Cardiff"]
    kids = built.item("kids")
    assert kids is not None and kids.items[0].variable == "kid_age"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("min: 0, max: 20}", "min: 0}"),
            "demo.yaml: sections[0].items[1].max: a whole-number item needs min and max",
        ),
        (
            ("min: 0, max: 20}", "min: 20, max: 20}"),
            "demo.yaml: sections[0].items[1].max: min must be below max",
        ),
        (
            ("choices_from: places", "choices_from: planets"),
            "demo.yaml: sections[0].items[2].choices_from: unknown list 'planets' (lists: places)",
        ),
        (
            ("type: multiple, variable: las", "type: single, variable: las"),
            "demo.yaml: sections[0].items[2].choices_from: only a multiple choice item takes",
        ),
        (
            ("max_entries: 15", "max_entries: 0"),
            "demo.yaml: sections[0].items[3].max_entries: Must be greater than or equal to 1",
        ),
        (
            ("min_entries: 1", "min_entries: 16"),
            "demo.yaml: sections[0].items[3].max_entries: min_entries must not be above",
        ),
        (
            ("        max_entries: 15\n", ""),
            "demo.yaml: sections[0].items[3].max_entries: a repeated group needs max_entries",
        ),
        (
            ("- {type: single, variable: kid_age", "- {type: long_text, variable: kid_age"),
            "demo.yaml: sections[0].items[3].items[0].type: not allowed in a group: 'long_text'",
        ),
        (
            ("{variable: kids, count_at_least: 2}", "{variable: how_many, count_at_least: 2}"),
            "demo.yaml: sections[1].items[0].show_if.variable: 'how_many' is not an earlier "
            "repeated group",
        ),
        (
            ("{variable: kids, count_at_least: 2}", "{variable: kid_age, in: [1]}"),
            "demo.yaml: sections[1].items[0].show_if.variable: 'kid_age' is inside a repeated",
        ),
        (
            ("{variable: kids, count_at_least: 2}", "{variable: kids, count_at_least: 2, in: [1]}"),
            "demo.yaml: sections[1].items[0].show_if: give exactly one of",
        ),
        (
            ("{type: date, variable: when, text: 'When?', required: true}",
             "{type: date, variable: when, text: 'When?', items: [{type: date, variable: w, text: x}]}"),
            "demo.yaml: sections[0].items[0].items: only a repeated group has items",
        ),
        (
            ("audience: caseworker", "audience: caseworker\nwaves: [T1]"),
            "demo.yaml: waves: case forms follow the case: leave out waves",
        ),
    ],
)  # fmt: skip
def test_broken_case_forms_are_named_precisely(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    lines = problems(tmp_path, changed(GOOD, change))
    assert any(line.startswith(expected) for line in lines), lines


def test_a_count_rule_on_the_same_page_is_refused(tmp_path: Path) -> None:
    moved = GOOD.replace("  - id: second\n    title: Second\n    items:\n", "")
    lines = problems(tmp_path, moved)
    assert any("refers to 'kids' on the same page" in line for line in lines), lines


def test_a_list_with_a_repeated_name_or_code_is_refused(tmp_path: Path) -> None:
    repeated = PLACES.replace("name: Cardiff", "name: barnet ")
    assert problems(tmp_path / "a", GOOD, repeated) == [
        "lists/places.yaml: entries[1].name: duplicate name 'barnet'"
    ]
    same_code = PLACES.replace("code: 2", "code: 1")
    assert problems(tmp_path / "b", GOOD, same_code) == [
        "lists/places.yaml: entries[1].code: duplicate code 1"
    ]


# ---------------------------------------------------------------------------------------------
# Published, listed and diffed like the questionnaires


def test_case_forms_are_listed_and_version_2_is_diffed_from_version_1(app: Flask) -> None:
    listing = app.test_cli_runner().invoke(args=["instruments", "list"]).output
    for key in VARIABLES:
        assert re.search(rf"^{key}\s+1\s", listing, flags=re.M), key
    for key in ("case_referral", "case_closure"):
        assert re.search(rf"^{key}\s+2\s", listing, flags=re.M), key
    versions = {d["version"]: d for d in load_all() if d["key"] == "case_referral"}
    change = diff(model.build(versions[1]), model.build(versions[2]))
    assert not change.added and not change.removed
    for variable in ("referral_source", "age_band", "children", "on_mbu", "contact_at_referral"):
        assert variable in change.scale_changed
    output = app.test_cli_runner().invoke(args=["instruments", "diff", "case_referral", "1", "2"])
    assert "scale changed:" in output.output and "on_mbu" in output.output


def test_a_researcher_previews_each_case_form(app: Flask, auth: Auth, client: FlaskClient) -> None:
    auth.login("researcher")
    for key in VARIABLES:
        page = client.get(f"/research/instruments/{key}/1")
        assert page.status_code == 200, key
    page = client.get("/research/instruments/case_referral/1").get_data(as_text=True)
    assert "From 1 to 15 entries (Child 1, 2, …)" in page
    assert "With father or step-father = 1" in page
