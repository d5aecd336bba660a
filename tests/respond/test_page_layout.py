"""Which questions a page shows as one grid (survey_app/respond/layout.py)."""

from __future__ import annotations

from survey_app.instruments.loader import load_all
from survey_app.instruments.model import Instrument, build
from survey_app.respond.layout import ScaleGrid, blocks


def newest(key: str) -> Instrument:
    return build(max((d for d in load_all() if d["key"] == key), key=lambda d: d["version"]))


def shape(instrument: Instrument, section_id: str) -> list[object]:
    [section] = [s for s in instrument.sections if s.id == section_id]
    return [
        [i.variable for i in b.items] if isinstance(b, ScaleGrid) else b.variable
        for b in blocks(section.items)
    ]


def test_a_run_of_questions_on_one_scale_and_offers_is_one_grid() -> None:
    t1 = newest("mothers_t1")
    assert shape(t1, "working_with_csw") == [[f"wai_csw_{n:02d}" for n in range(1, 13)]]
    assert shape(t1, "social_services") == [["css_willing", "css_trust", "css_confident"]]
    # The rating after two frequency items ends their run; a question alone is no grid.
    assert shape(t1, "meetings") == [
        ["meetings_share_views", "views_listened"],
        "decision_involvement",
    ]
    assert shape(t1, "childrens_social_worker") == ["csw_contact"]
    staff = newest("practitioners")
    assert shape(staff, "effects") == [
        "changed_prison_experience",
        "negative_effects_mother",
        "negative_effects_child",
    ]


def test_other_offers_or_another_scale_start_a_new_grid() -> None:
    t2 = newest("mothers_t2")
    [section] = [s for s in t2.sections if s.id == "meetings"]
    share, listened, rating = section.items
    changed = type(listened)(**{**listened.__dict__, "offer": listened.offer[:1]})
    assert [type(b).__name__ for b in blocks([share, changed, rating])] == ["Item", "Item", "Item"]
    grid = blocks([share, listened])[0]
    assert isinstance(grid, ScaleGrid) and grid.offer == share.offer
    assert grid.options == share.options
