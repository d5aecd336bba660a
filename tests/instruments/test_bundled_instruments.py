"""The bundled instrument files against the study's reference (tests/fixtures/reference_*.md,
copies of shared/reference/INSTRUMENTS.md and WAI-SR.md).

Researchers compare exports with the published report tables by the words in bold in the
reference, so every bold phrase must appear word for word in its instrument. No database and no
conftest fixtures: these tests read the files through the loader only.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from survey_app.instruments import missing, model
from survey_app.instruments.loader import FILES_DIR, YESNO, content_hash, load_all, load_library
from survey_app.scoring import WAI_SR_SUBSCALES

FIXTURES = Path(__file__).parent.parent / "fixtures"
REFERENCE = FIXTURES / "reference_instruments.md"
WAI_REFERENCE = FIXTURES / "reference_wai_sr.md"

MOTHERS = ("mothers_t1", "mothers_t2")
ALL_KEYS = (*MOTHERS, "prison_staff", "practitioners")
# Headings of the reference's instrument sections -> the instruments they describe.
SECTION_KEYS = {
    "Mothers": MOTHERS,
    "Prison staff": ("prison_staff",),
    "Community practitioners": ("practitioners",),
}
TARGET = "my children's social worker"
TARGET_CY = "gweithiwr cymdeithasol fy mhlant"
PNTS = missing.PREFER_NOT_TO_SAY
DK = missing.DONT_KNOW


# ---------------------------------------------------------------------------------------------
# Loading


@cache
def every_version() -> tuple[dict[str, Any], ...]:
    return tuple(load_all())


@cache
def definitions() -> dict[str, dict[str, Any]]:
    """The newest version of each instrument: the one new responses get, which these tests
    hold to the reference."""
    newest: dict[str, dict[str, Any]] = {}
    for d in every_version():
        if d["key"] not in newest or d["version"] > newest[d["key"]]["version"]:
            newest[d["key"]] = d
    return newest


def version_of(key: str, version: int) -> dict[str, Any]:
    [found] = [d for d in every_version() if (d["key"], d["version"]) == (key, version)]
    return found


@cache
def instrument(key: str) -> model.Instrument:
    return model.build(definitions()[key])


def item(key: str, variable: str) -> model.Item:
    found = instrument(key).item(variable)
    assert found is not None, f"{key} has no variable {variable!r}"
    return found


def raw_items(key: str) -> dict[str, dict[str, Any]]:
    """The expanded item dicts of an instrument by variable (what is stored when published)."""
    return {
        i["variable"]: i
        for s in definitions()[key]["sections"]
        for i in s["items"]
        if "variable" in i
    }


def english_texts(key: str) -> list[str]:
    """The English text of every item and every option (own or from its scale)."""
    texts: list[str] = []
    for it in instrument(key).items():
        texts.append(it.text["en"])
        texts.extend(option.label["en"] for option in it.options)
    return texts


# ---------------------------------------------------------------------------------------------
# The reference, parsed


def _normalise(phrase: str) -> str:
    # A line break after "/" is a soft wrap inside a compound ("Management/\nleadership role" is
    # Table 8's "Management/leadership role"); every other line break is a space.
    phrase = re.sub(r"/[ \t]*\n\s*", "/", phrase)
    phrase = re.sub(r"\s+", " ", phrase).strip()
    return phrase.removeprefix("... ")


@cache
def reference_entries() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(instrument keys, text) for each numbered entry of each instrument section, plus the
    section text before its list. Mothers' entries marked "T1 only" / "T2 only" go to that
    wave's instrument alone, the others to both."""
    text = REFERENCE.read_text(encoding="utf-8")
    entries: list[tuple[tuple[str, ...], str]] = []
    for chunk in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = chunk.partition("\n")
        keys = next((v for k, v in SECTION_KEYS.items() if heading.startswith(k)), None)
        if keys is None:
            continue
        for entry in re.split(r"^(?=\d+\. )", body, flags=re.MULTILINE):
            content = re.sub(r"^\d+\. ", "", entry)
            if content.startswith("T1 only"):
                entries.append((("mothers_t1",), entry))
            elif content.startswith("T2 only"):
                entries.append((("mothers_t2",), entry))
            else:
                entries.append((keys, entry))
    return tuple(entries)


def bold(text: str) -> list[str]:
    return [_normalise(p) for p in re.findall(r"\*\*(.+?)\*\*", text, flags=re.DOTALL)]


@cache
def reference_phrases() -> dict[str, tuple[str, ...]]:
    phrases: dict[str, list[str]] = {key: [] for key in ALL_KEYS}
    for keys, entry in reference_entries():
        for phrase in bold(entry):
            for key in keys:
                phrases[key].append(phrase)
    return {key: tuple(found) for key, found in phrases.items()}


def reference_variables(key: str) -> set[str]:
    return {
        name
        for keys, entry in reference_entries()
        if key in keys
        for name in re.findall(r"`([a-z][a-z0-9_]*)`", entry)
    }


def practitioner_entry(number: int) -> str:
    for keys, entry in reference_entries():
        if keys == ("practitioners",) and entry.startswith(f"{number}. "):
            return entry
    raise AssertionError(f"no entry {number} in the practitioners' reference")


# ---------------------------------------------------------------------------------------------
# Every file loads


# Each published version's content hash: a deployed database holds these, so a file that no
# longer loads to the same content would be refused by `instruments sync` there.
PUBLISHED = {
    ("mothers_t1", 1): "ebeb66b2bffb86c7f070645aac2891a8c5bba3b80dd286f2d6800b409dec2bb9",
    ("mothers_t2", 1): "fcbeadf4258707f4605f8821cdb92303e8b2e8c14f22c33922c8adbdd92c64b5",
    ("practitioners", 1): "2375e58c8a88cbd2c80082968d38187fc3ec6a295933c80e3e6e4670cd88af92",
    ("prison_staff", 1): "37da0319e3ca04e1194884aa5dac2a20d59bb9fdd490071072d1fc846c2bec07",
}


def test_every_bundled_file_loads_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = load_all()
    # The case tracker's forms have tests of their own (tests/cases/test_case_forms.py).
    questionnaires = [d for d in loaded if d["audience"] != "caseworker"]
    assert sorted({d["key"] for d in questionnaires}) == sorted(ALL_KEYS)
    assert {k: d["version"] for k, d in definitions().items() if k in ALL_KEYS} == {
        "mothers_t1": 2,
        "mothers_t2": 2,
        "prison_staff": 2,
        "practitioners": 2,
    }
    for d in loaded:
        newest = d["version"] == definitions()[d["key"]]["version"]
        name = f"{d['key']}.yaml" if newest else f"{d['key']}.v{d['version']}.yaml"
        assert (FILES_DIR / name).exists(), name
        model.build(d)
    assert len(list(FILES_DIR.glob("*.yaml"))) == len(loaded)


@pytest.mark.parametrize(("ident", "digest"), PUBLISHED.items())
def test_published_versions_stay_as_published(ident: tuple[str, int], digest: str) -> None:
    assert content_hash(version_of(*ident)) == digest


def test_version_2_asks_about_contact_before_the_relationship_rating() -> None:
    for key in MOTHERS:
        sections = instrument(key).sections
        page_of = {it.variable: i for i, s in enumerate(sections) for it in s.items}
        # Skip logic needs the answer saved first: the rating is on a later page.
        assert page_of["csw_contact"] < page_of["csw_relationship"] < page_of["wai_csw_01"]
        rating = item(key, "csw_relationship")
        assert rating.show_if == model.ShowIf("csw_contact", frozenset({1}), negate=True)
        assert not rating.shown({"csw_contact": 1})
        assert rating.shown({"csw_contact": 2}) and rating.shown({"csw_contact": PNTS})
        # Version 1 asked them the other way round, on one page, the rating always.
        old = model.build(version_of(key, 1))
        [page] = [s for s in old.sections if old.item("csw_contact") in s.items]
        assert [it.variable for it in page.items] == ["csw_relationship", "csw_contact"]
        assert old.item("csw_relationship").show_if is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("key", "audience", "waves", "languages"),
    [
        ("mothers_t1", "mother", ["T1"], ["en", "cy"]),
        ("mothers_t2", "mother", ["T2"], ["en", "cy"]),
        ("prison_staff", "prison_staff", ["once"], ["en"]),
        ("practitioners", "practitioner", ["once"], ["en"]),
    ],
)
def test_instrument_metadata(
    key: str, audience: str, waves: list[str], languages: list[str]
) -> None:
    d = definitions()[key]
    assert (d["audience"], d["waves"], d["languages"]) == (audience, waves, languages)


# ---------------------------------------------------------------------------------------------
# The reference's bold phrases, word for word


def test_the_reference_parser_finds_every_bold_phrase() -> None:
    everything = Counter(bold(REFERENCE.read_text(encoding="utf-8")))
    assigned = Counter(phrase for keys, entry in reference_entries() for phrase in bold(entry))
    # Only the preamble's "in **bold**" is outside the instrument sections.
    assert everything - assigned == Counter({"bold": 1})
    counts = {key: len(found) for key, found in reference_phrases().items()}
    assert counts == {"mothers_t1": 10, "mothers_t2": 16, "prison_staff": 22, "practitioners": 5}
    assert "Management/leadership role" in reference_phrases()["prison_staff"]
    assert "professionals inside the prison?" in reference_phrases()["mothers_t1"]


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_bold_phrase_appears_word_for_word(key: str) -> None:
    texts = english_texts(key)
    absent = [p for p in reference_phrases()[key] if not any(p in text for text in texts)]
    assert absent == [], f"{key} lacks these phrases of the reference"


def test_t1_only_and_t2_only_phrases_stay_in_their_wave() -> None:
    t1_texts, t2_texts = english_texts("mothers_t1"), english_texts("mothers_t2")
    t1_only = set(reference_phrases()["mothers_t1"]) - set(reference_phrases()["mothers_t2"])
    t2_only = set(reference_phrases()["mothers_t2"]) - set(reference_phrases()["mothers_t1"])
    assert t1_only and t2_only
    assert not [p for p in t1_only if any(p in t for t in t2_texts)]
    assert not [p for p in t2_only if any(p in t for t in t1_texts)]


# ---------------------------------------------------------------------------------------------
# Variables


@pytest.mark.parametrize("key", ALL_KEYS)
def test_every_variable_named_in_the_reference_exists(key: str) -> None:
    named = reference_variables(key)
    assert len(named) >= 8
    assert sorted(named - set(instrument(key).variables)) == []


def test_mothers_variables_by_wave() -> None:
    t1, t2 = set(instrument("mothers_t1").variables), set(instrument("mothers_t2").variables)
    assert t1 - t2 == {"consent_recontact", "tac_hopes"}
    assert t2 - t1 == {
        "tac_satisfaction",
        "tac_listened",
        "tac_practical",
        "tac_emotional",
        "tac_confident_future",
        "tac_most_helpful",
        "tac_improve",
    }
    assert {f"wai_csw_{n:02d}" for n in range(1, 13)} <= t1 & t2


def test_repeated_items_are_identical_at_t1_and_t2() -> None:
    t1, t2 = raw_items("mothers_t1"), raw_items("mothers_t2")
    shared = [v for v in t1 if v in t2]
    assert len(shared) == 25
    assert shared == [v for v in t2 if v in t1], "repeated items are asked in the same order"
    for variable in shared:
        # Same type, English and Welsh text, options, scale, end labels, offers, show-if.
        assert t1[variable] == t2[variable], variable
        assert t1[variable]["text"]["en"] == t2[variable]["text"]["en"]
        scale = t1[variable].get("scale")
        if scale:
            assert (
                definitions()["mothers_t1"]["scales"][scale]
                == definitions()["mothers_t2"]["scales"][scale]
            )
    assert definitions()["mothers_t1"]["blocks"] == definitions()["mothers_t2"]["blocks"]


MOTHER_TYPES = {
    "css_willing": ("likert", "agree5"),
    "css_trust": ("likert", "agree5"),
    "css_confident": ("likert", "agree5"),
    "support_inside": ("likert", "extent5"),
    "support_outside": ("likert", "extent5"),
    "meetings_share_views": ("likert", "frequency5"),
    "views_listened": ("likert", "frequency5"),
    "decision_involvement": ("rating", None),
    "csw_relationship": ("rating", None),
    "csw_contact": ("single", None),
    "tac_hopes": ("long_text", None),
    "tac_satisfaction": ("likert", "satisfaction5"),
    "tac_listened": ("yesno", "yesno"),
    "tac_practical": ("yesno", "yesno"),
    "tac_emotional": ("yesno", "yesno"),
    "tac_confident_future": ("yesno", "yesno"),
    "tac_most_helpful": ("long_text", None),
    "tac_improve": ("long_text", None),
}


@pytest.mark.parametrize(("variable", "expected"), MOTHER_TYPES.items())
def test_mothers_item_types_and_scales(variable: str, expected: tuple[str, str | None]) -> None:
    key = "mothers_t2" if variable in instrument("mothers_t2").variables else "mothers_t1"
    it = item(key, variable)
    assert (it.type, it.scale) == expected


def test_mothers_ratings_and_contact_options() -> None:
    for key in MOTHERS:
        involvement = item(key, "decision_involvement")
        assert (involvement.min, involvement.max) == (1, 10)
        assert (involvement.low_label or {}).get("en") == "Not at all involved"
        assert (involvement.high_label or {}).get("en") == "Extremely involved"
        relationship = item(key, "csw_relationship")
        assert (relationship.min, relationship.max) == (1, 10)
        assert (relationship.low_label or {}).get("en") == "Very poor"
        assert (relationship.high_label or {}).get("en") == "Excellent"
        contact = item(key, "csw_contact")
        assert [(o.code, o.label["en"]) for o in contact.options] == [
            (1, "Never met them"),
            (2, "Rarely"),
            (3, "Sometimes"),
            (4, "Often"),
        ]
        assert (
            contact.text["en"] == "How often do you see or speak to your children's social worker?"
        )


# ---------------------------------------------------------------------------------------------
# Consent


@pytest.mark.parametrize("key", ALL_KEYS)
def test_consent_comes_first_is_required_and_offers_nothing(key: str) -> None:
    first = instrument(key).sections[0]
    assert first.is_consent
    consents = [it for it in instrument(key).items() if it.type == "consent"]
    assert consents and all(it in first.items for it in consents), "all consent is on page one"
    assert all(it.required for it in consents)
    assert [it.variable for it in first.items if it.offer] == []
    assert consents[-1].text["en"] == "I agree to take part."


def test_mothers_consent_and_recontact() -> None:
    for key in MOTHERS:
        consents = [it.variable for it in instrument(key).items() if it.type == "consent"]
        assert consents == ["consent_info_sheet", "consent_skip", "consent_take_part"]
        assert "information sheet" in item(key, "consent_info_sheet").text["en"]
        assert "skip any question and stop at any time" in item(key, "consent_skip").text["en"]
    recontact = item("mothers_t1", "consent_recontact")
    # She may take part without agreeing to be asked again: a yes/no, not a consent tick.
    assert recontact.type == "yesno" and not recontact.required
    assert "six months" in recontact.text["en"]
    assert recontact in instrument("mothers_t1").sections[0].items
    assert instrument("mothers_t2").item("consent_recontact") is None


# ---------------------------------------------------------------------------------------------
# The WAI-SR block


@cache
def wai_reference() -> tuple[dict[int, str], dict[int, str]]:
    """(original items, the study's adapted items) from WAI-SR.md."""
    text = WAI_REFERENCE.read_text(encoding="utf-8")
    before, after = text.split("Suggested adaptation", 1)
    originals = {int(n): t for n, t in re.findall(r"^(\d+)\. (.+)$", before, flags=re.MULTILINE)}
    adapted = {int(n): t for n, t in re.findall(r"^(\d+)\. (.+)$", after, flags=re.MULTILINE)}
    assert sorted(originals) == list(range(1, 13))
    assert sorted(adapted) == [1, 2, 4, 10]
    return originals, adapted


def expected_wai_text(number: int, target: str) -> str:
    originals, adapted = wai_reference()
    template = adapted.get(number) or originals[number].replace(
        "he/she does not approve of", "they do not approve of"
    )
    if template.startswith("___"):
        template = target[:1].upper() + target[1:] + template[3:]
    return template.replace("___", target)


def test_the_wai_block_expands_with_the_target_filled_in() -> None:
    originals, _ = wai_reference()
    for key in MOTHERS:
        wai = [it for it in instrument(key).items() if it.block_prefix == "wai_csw"]
        assert [it.variable for it in wai] == [f"wai_csw_{n:02d}" for n in range(1, 13)]
        for number, it in enumerate(wai, start=1):
            assert it.text["en"] == expected_wai_text(number, TARGET), number
            assert it.type == "likert" and it.scale == "wai5"
            assert "{" not in it.text["en"] and "{" not in it.text["cy"]
            if "___" in originals[number]:
                assert TARGET in it.text["en"].lower()
                assert TARGET_CY in it.text["cy"]
        assert (
            wai[3].text["en"] == "My children's social worker and I work together on setting goals."
        )
        assert wai[2].text["en"] == "I believe my children's social worker likes me."
        assert wai[8].text["en"].endswith("even when I do things that they do not approve of.")


def test_the_wai_block_is_skipped_when_she_never_met_the_social_worker() -> None:
    for key in MOTHERS:
        sections = [s for s in instrument(key).sections if any(i.block_prefix for i in s.items)]
        assert len(sections) == 1, "the WAI-SR has a page of its own"
        [section] = sections
        assert all(it.block_prefix == "wai_csw" for it in section.items)
        earlier = instrument(key).sections[: instrument(key).sections.index(section)]
        assert "csw_contact" in [it.variable for s in earlier for it in s.items]
        for it in section.items:
            assert it.show_if == model.ShowIf("csw_contact", frozenset({1}), negate=True)
            assert not it.shown({"csw_contact": 1})
            assert it.shown({"csw_contact": 2}) and it.shown({"csw_contact": 4})


def test_the_wai_block_records_its_source() -> None:
    block = load_library().blocks["wai_sr"]
    originals, adapted = wai_reference()
    assert block["scale"] == "wai5" and block["params"] == ["target"]
    assert {b["number"]: b["original"] for b in block["items"]} == originals
    assert {b["number"] for b in block["items"] if b["adapted"]} == set(adapted)
    for needle in (
        "Horvath",
        "Greenberg",
        "1989",
        "Hatcher",
        "Gillaspy",
        "2006",
        "Killian",
        "2015",
    ):
        assert needle in block["citation"]
    for needle in (
        "copyright",
        "Society for Psychotherapy Research",
        "research use on request",
        "permission",
    ):
        assert needle in block["licence"]
    assert (
        "our work together" in block["adaptation"]
        and "they do not approve of" in block["adaptation"]
    )
    for key in MOTHERS:
        use = instrument(key).blocks["wai_csw"]
        assert use["citation"] == block["citation"] and use["licence"] == block["licence"]
        assert use["params"] == {"target": {"en": TARGET, "cy": TARGET_CY}}


def test_the_wai_subscales_match_the_scoring_key() -> None:
    block = load_library().blocks["wai_sr"]
    assert block["subscales"] == {name: list(items) for name, items in WAI_SR_SUBSCALES.items()}
    for key in MOTHERS:
        assert instrument(key).blocks["wai_csw"]["subscales"] == {
            name: [f"wai_csw_{n:02d}" for n in items] for name, items in WAI_SR_SUBSCALES.items()
        }


# ---------------------------------------------------------------------------------------------
# Scales


def _reference_scales() -> dict[str, tuple[list[tuple[int, str]], list[tuple[str, list[int]]]]]:
    rows = re.findall(
        r"^\| (\w+) \| (.+?) \| (.+?) \|$", REFERENCE.read_text(encoding="utf-8"), re.M
    )
    scales = {}
    for name, codes, collapsed in rows:
        if name in ("scale", "rating10"):
            continue
        options = [(int(m[0]), m[1]) for m in re.findall(r"(\d+) ([^,]+)", codes)]
        groups = []
        if "(" in collapsed:
            for part in collapsed.split(" / "):
                label, low, high = re.fullmatch(r"(.+) \((\d)(?:-(\d))?\)", part).groups()  # type: ignore[union-attr]
                groups.append((label, list(range(int(low), int(high or low) + 1))))
        scales[name] = (options, groups)
    return scales


def test_the_shared_scales_are_those_of_the_reference() -> None:
    reference = _reference_scales()
    assert set(reference) == {"agree5", "extent5", "frequency5", "satisfaction5", "yesno", "wai5"}
    library = load_library().scales
    for name, (options, groups) in reference.items():
        scale = library[name] if name != "yesno" else YESNO
        assert [(o["code"], o["label"]["en"]) for o in scale["options"]] == options, name
        collapsed = [(g["label"]["en"], sorted(g["codes"])) for g in scale.get("collapsed", [])]
        assert collapsed == groups, name
    assert [g[0] for g in reference["agree5"][1]] == [
        "Strongly agree or agree",
        "Not sure",
        "Strongly disagree or disagree",
    ]


# ---------------------------------------------------------------------------------------------
# Welsh


def lang_texts(value: Any, path: str = "") -> Iterator[tuple[str, Mapping[str, str]]]:
    """Every {en: ..., cy: ...} text in an expanded definition, with where it is."""
    if isinstance(value, dict):
        if "en" in value and all(isinstance(v, str) for v in value.values()):
            yield path, value
            return
        for k, child in value.items():
            yield from lang_texts(child, f"{path}.{k}")
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield from lang_texts(child, f"{path}[{i}]")


@pytest.mark.parametrize("key", MOTHERS)
def test_every_string_a_mother_sees_has_welsh(key: str) -> None:
    d = definitions()[key]
    texts = list(lang_texts(d))
    assert len(texts) > 80
    assert [path for path, t in texts if not t.get("cy", "").strip()] == []
    # A Welsh text that is the English one copied is not a translation.
    assert [path for path, t in texts if t["cy"] == t["en"]] == []
    # The loader fills a missing Welsh parameter with the English one; make sure it did not.
    for it in instrument(key).items():
        assert TARGET not in it.text["cy"].lower()
    assert "draft" in d["translation_note"] and "translator" in d["translation_note"]


# ---------------------------------------------------------------------------------------------
# Missing-data offers


MOTHERS_OFFERING = {
    "css_willing": {PNTS},
    "css_trust": {PNTS},
    "css_confident": {PNTS},
    "support_inside": {PNTS},
    "support_outside": {PNTS},
    "meetings_share_views": {DK, PNTS},
    "views_listened": {DK, PNTS},
    "decision_involvement": {DK, PNTS},
    "csw_relationship": {DK, PNTS},
    "csw_contact": {PNTS},
}


@pytest.mark.parametrize("key", MOTHERS)
def test_mothers_items_offer_prefer_not_to_say(key: str) -> None:
    for variable, offers in MOTHERS_OFFERING.items():
        assert set(item(key, variable).offer) == offers, variable
    for it in instrument(key).questions():
        choice = it.type in ("likert", "single", "multiple", "yesno", "rating")
        # WAI-SR items are checked below; the re-contact question sits with the consent.
        if choice and it.block_prefix is None and it.variable != "consent_recontact":
            assert PNTS in it.offer, it.variable


@pytest.mark.parametrize("key", MOTHERS)
def test_wai_items_offer_prefer_not_to_say(key: str) -> None:
    for it in instrument(key).items():
        if it.block_prefix == "wai_csw":
            assert PNTS in it.offer, it.variable


@pytest.mark.parametrize("key", ALL_KEYS)
def test_no_option_duplicates_a_missing_code(key: str) -> None:
    missing_labels = {label["en"].lower() for label in missing.LABELS.values()}
    for it in instrument(key).items():
        assert all(o.code >= 0 for o in it.options), it.variable
        assert not [o for o in it.options if o.label["en"].lower() in missing_labels], it.variable
        if it.type not in ("likert", "single", "multiple", "yesno", "rating"):
            assert it.offer == (), it.variable


def test_child_settled_offers_dont_know_instead_of_an_option() -> None:
    settled = item("practitioners", "child_settled")
    assert settled.type == "single"
    assert [(o.code, o.label["en"]) for o in settled.options] == [
        (1, "More settled"),
        (2, "No change"),
        (3, "Less settled"),
    ]
    assert settled.offer == (DK,)
    assert settled.text["en"].startswith("Since the TaC service became involved, is the child")


# ---------------------------------------------------------------------------------------------
# Prison staff


def options_of(key: str, variable: str) -> list[tuple[int, str]]:
    return [(o.code, o.label["en"]) for o in item(key, variable).options]


STAFF_LONG_TEXTS = [
    "gaps_filled",
    "supports_mothers",
    "supports_child_relationships",
    "supports_professional_relationships",
    "supports_release_planning",
    "knowledge_helps_staff",
    "liaison_community",
]


def test_prison_staff_items() -> None:
    key = "prison_staff"
    assert options_of(key, "prison") == [(1, "HMP Send"), (2, "HMP Eastwood Park"), (3, "Other")]
    assert options_of(key, "role_level") == [
        (1, "Management/leadership role"),
        (2, "Frontline role"),
    ]
    assert [label for _, label in options_of(key, "department")] == [
        "Offender Management Unit (OMU)",
        "Safer custody",
        "Healthcare or perinatal",
        "Family services",
        "Residential or wing",
        "Mother and Baby Unit",
        "Other",
    ]
    assert [label for _, label in options_of(key, "contact_frequency")] == [
        "Daily",
        "Weekly",
        "Monthly",
        "Less than monthly",
        "Never",
    ]
    assert item(key, "contact_purpose").type == "multiple"
    purposes = options_of(key, "contact_purpose")
    assert [code for code, _ in purposes] == [1, 2, 3, 4, 5, 6] and purposes[-1] == (6, "Other")
    section = next(
        s for s in instrument(key).sections if any(i.variable == "gaps_filled" for i in s.items)
    )
    assert [it.variable for it in section.items] == STAFF_LONG_TEXTS
    assert all(it.type == "long_text" for it in section.items)
    assert (item(key, "acct_involvement").type, item(key, "based_in_prison").type) == (
        "yesno",
        "yesno",
    )
    assert options_of(key, "qualification") == [
        (1, "Qualified social worker"),
        (2, "Qualification does not matter"),
    ]
    variables = list(instrument(key).variables)
    for question, follow_up in [
        ("acct_involvement", "acct_comment"),
        ("qualification", "qualification_why"),
        ("based_in_prison", "based_in_prison_why"),
    ]:
        assert item(key, follow_up).type == "long_text"
        assert variables.index(follow_up) == variables.index(question) + 1


# ---------------------------------------------------------------------------------------------
# Community practitioners


def _wording(entry: str) -> dict[str, str]:
    """`variable` wording pairs of one reference entry, without a leading '(scale) ' or '... '."""
    flat = re.sub(r"\s+", " ", entry)
    return {
        name: re.sub(r"^\(\w+\) ", "", text.strip()).removeprefix("... ").rstrip(".")
        for name, text in re.findall(r"`(\w+)` ([^;`]+)", flat)
    }


@pytest.mark.parametrize(
    ("number", "stem"),
    [
        (3, "The TaC service has been important in supporting"),
        (4, "Because of the TaC service, the mother"),
    ],
)
def test_practitioner_stems_are_in_the_intro_and_in_every_statement(number: int, stem: str) -> None:
    wording = _wording(practitioner_entry(number))
    assert len(wording) in (4, 6)
    sections = {
        s.id: s
        for s in instrument("practitioners").sections
        for i in s.items
        if i.variable in wording
    }
    assert len(sections) == 1
    [section] = sections.values()
    assert section.intro is not None and stem in section.intro["en"]
    for variable, text in wording.items():
        it = item("practitioners", variable)
        assert it.scale == "agree5"
        assert it.text["en"] == f"{stem} {text}.", variable


@pytest.mark.parametrize("number", [6, 7, 8, 9])
def test_practitioner_statements_keep_the_reference_wording(number: int) -> None:
    for variable, text in _wording(practitioner_entry(number)).items():
        if variable == "child_settled":
            continue
        # "The TaC social worker has provided advice ..." is asked as "Has the TaC social
        # worker provided advice ...?": compare from the verb on.
        text = re.sub(r"^(The TaC social worker |The service )?(has )?", "", text)
        assert text in item("practitioners", variable).text["en"], variable


def test_practitioner_yes_no_items() -> None:
    key = "practitioners"
    for variable in (
        "changed_prison_experience",
        "negative_effects_mother",
        "negative_effects_child",
        "gave_advice",
        "gave_training",
    ):
        assert item(key, variable).type == "yesno", variable
    assert item(key, "changed_prison_experience").text["en"] == (
        "Has the TaC service changed the prison experience for the mother and child relationship?"
    )
    assert item(key, "negative_effects_mother").text["en"].endswith("for the mother?")
    assert item(key, "negative_effects_child").text["en"].endswith("for the child?")
    assert options_of(key, "practitioner_role")[-1] == (6, "Other")
    assert item(key, "improvements").type == "long_text"
    assert item(key, "improvements").text["en"] == "How could the TaC service be improved?"


# The Welsh question's verb -> the answer's (Welsh answers yes and no with the verb).
WELSH_VERB_ANSWERS = {"Ydych": ("Ydw", "Nac ydw"), "Ydy": ("Ydy", "Nac ydy")}


@pytest.mark.parametrize("key", MOTHERS)
def test_each_welsh_yes_no_question_is_answered_with_its_verb(key: str) -> None:
    yes_no = [it for it in instrument(key).questions() if it.type == "yesno"]
    assert yes_no
    for it in yes_no:
        verb = it.text["cy"].split()[0]
        answers = tuple(o.label["cy"] for o in it.options)
        assert answers == WELSH_VERB_ANSWERS[verb], it.variable
        assert [(o.code, o.label["en"]) for o in it.options] == [(1, "Yes"), (0, "No")]


@pytest.mark.parametrize("key", ["prison_staff", "practitioners"])
def test_every_other_asks_what_in_a_text_box(key: str) -> None:
    others = [
        (it.variable, o.code)
        for it in instrument(key).questions()
        for o in it.options
        if o.label["en"] == "Other"
    ]
    assert others
    for variable, code in others:
        it = item(key, variable)
        assert it.other_option is not None and it.other_option.code == code
        assert it.other_variable == f"{variable}_other"
        assert instrument(key).item(f"{variable}_other") is None  # a name of its own
    old = model.build(version_of(key, 1))
    assert not [o for it in old.questions() for o in it.options if o.other_text]
