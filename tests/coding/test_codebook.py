"""The codebook through its pages: key themes and themes made, renamed (same id, history
kept), merged (codings follow), and a theme in use refused deletion."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import AuditEvent, CodingMark, Theme
from tests import coding_steps as steps
from tests.flows import text_of


def test_the_codebook_lists_key_themes_with_their_themes_and_definitions(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    page = text_of(researcher.get(steps.INDEX).get_data(as_text=True))
    for key, themes in steps.CODEBOOK.items():
        assert key in page
        for name in themes:
            assert name in page and f"About {name.lower()}." in page
    assert len(book.themes) == 5 and len(book.keys) == 2


def test_a_second_theme_of_the_same_name_is_refused_with_a_message(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    reply = steps.post_form(
        researcher,
        steps.INDEX,
        "/research/coding/themes",
        {"key_theme": book.keys["Relationships"], "name": "specialist KNOWLEDGE"},
    )
    assert reply.status_code == 409
    assert "There is a theme called “specialist KNOWLEDGE” already." in reply.get_data(as_text=True)
    assert len(steps.theme_ids(app)) == 5


def test_a_renamed_theme_keeps_its_id_and_its_history(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    theme_id = book.themes["Navigate systems"]
    url = f"/research/coding/themes/{theme_id}"
    reply = steps.post_form(
        researcher,
        url,
        url,
        {
            "key_theme": book.keys["Filling gaps"],
            "name": "Navigate multiple systems",
            "definition": "Helps mothers through prison, courts and children's services.",
        },
    )
    assert reply.status_code == 302
    assert steps.theme_ids(app)["Navigate multiple systems"] == theme_id
    page = text_of(researcher.get(url).get_data(as_text=True))
    assert "(“Navigate systems” to “Navigate multiple systems”)" in page
    with app.app_context():
        kinds = db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.target == f"theme:{theme_id}")
        ).all()
    assert kinds == ["coding.theme_added", "coding.theme_edited"]


def test_a_theme_in_use_cannot_be_deleted_but_merges_and_its_codings_follow(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    refs = steps.staff_answers(
        app, ["She knows the family courts.", "She has time to listen and knows the law."]
    )
    time, knowledge = book.themes["Time for mothers"], book.themes["Specialist knowledge"]
    steps.code_answer(researcher, refs[0], [knowledge])
    steps.code_answer(researcher, refs[1], [time, knowledge], {time: "time to listen"})

    url = f"/research/coding/themes/{time}"
    refused = steps.post_form(researcher, url, f"{url}/delete", {})
    assert refused.status_code == 409
    assert "cannot be deleted. Merge it into another theme instead" in refused.get_data(
        as_text=True
    )

    merged = steps.post_form(researcher, url, f"{url}/merge", {"into": knowledge})
    assert merged.status_code == 302
    with app.app_context():
        gone = db.session.get(Theme, time)
        assert gone is not None and gone.merged_into_id == knowledge
        marks = db.session.scalars(select(CodingMark).order_by(CodingMark.coding_id)).all()
        # Answer 2 carried both: one mark left, keeping the quote the merged theme had.
        assert [(m.theme_id, m.quote) for m in marks] == [
            (knowledge, None),
            (knowledge, "time to listen"),
        ]
    flashed = text_of(researcher.get(steps.INDEX).get_data(as_text=True))
    assert "“Time for mothers” merged into “Specialist knowledge”: 1 coding moved." in flashed
    assert "Time for mothers" not in text_of(researcher.get(steps.INDEX).get_data(as_text=True))
    assert "into “Specialist knowledge”" in text_of(researcher.get(url).get_data(as_text=True))


def test_an_unused_theme_is_deleted_and_an_emptied_key_theme_too(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    for name in steps.CODEBOOK["Relationships"]:
        url = f"/research/coding/themes/{book.themes[name]}"
        assert steps.post_form(researcher, url, f"{url}/delete", {}).status_code == 302
    key_url = f"/research/coding/key-themes/{book.keys['Relationships']}"
    assert steps.post_form(researcher, key_url, f"{key_url}/delete", {}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Theme)) == 3
    assert set(steps.key_theme_ids(app)) == {"Filling gaps"}


def test_a_key_theme_holding_themes_is_not_deleted(
    app: Flask, researcher: FlaskClient, book: steps.Book
) -> None:
    key_url = f"/research/coding/key-themes/{book.keys['Relationships']}"
    reply = steps.post_form(researcher, key_url, f"{key_url}/delete", {})
    assert reply.status_code == 409
    assert "still holds themes" in reply.get_data(as_text=True)
