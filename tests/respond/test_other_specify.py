""" "Other, please specify": text typed in the box is never silently lost. Where ticking
"Other" changes none of her choices (nothing chosen yet; a multiple choice), it is ticked for
her, as a mother who wrote her answer in the box expects; where she chose another answer,
the page asks her which ("Tick Other, or clear the box"), keeping what she typed."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.flows import click, create_link, link_consent, responses, start_link


def _about_you(app: Flask, client: FlaskClient) -> str:
    token = create_link(app, "prison_staff")
    start_link(client, token)
    link_consent(client, token)
    return token


def _answers(app: Flask) -> dict[str, object]:
    [response] = responses(app)
    return dict(response.answers)


def test_text_in_the_box_with_nothing_ticked_ticks_other(app: Flask, client: FlaskClient) -> None:
    token = _about_you(app, client)
    reply = click(
        client,
        f"/s/{token}/page/1",
        {"prison_other": "HMP Styal", "role_level": "2", "department": "1"},
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)[:800]
    answers = _answers(app)
    assert answers["prison"] == 3 and answers["prison_other"] == "HMP Styal"
    page = client.get(f"/s/{token}/page/1").get_data(as_text=True)
    assert 'name="prison" value="3" checked' in page


def test_text_in_the_box_adds_other_to_a_multiple_choice(app: Flask, client: FlaskClient) -> None:
    token = _about_you(app, client)
    click(client, f"/s/{token}/page/1", {"prison": "1", "role_level": "2", "department": "1"})
    reply = click(
        client,
        f"/s/{token}/page/2",
        {"contact_frequency": "2", "contact_purpose": ["1"], "contact_purpose_other": "ACCT"},
    )
    assert reply.status_code == 302
    answers = _answers(app)
    assert answers["contact_purpose"] == [1, 6] and answers["contact_purpose_other"] == "ACCT"


def test_text_beside_another_single_answer_is_asked_about_not_dropped(
    app: Flask, client: FlaskClient
) -> None:
    token = _about_you(app, client)
    for button in ("next", "back"):
        reply = click(
            client,
            f"/s/{token}/page/1",
            {"prison": "1", "prison_other": "HMP Styal", "role_level": "2", "department": "1"},
            button=button,
        )
        body = reply.get_data(as_text=True)
        assert reply.status_code == 422, button
        assert "You wrote in the box, but chose another answer." in body
        assert "Tick “Other”, or clear the box." in body
        assert 'value="HMP Styal"' in body and 'aria-invalid="true"' in body
        assert "prison" not in _answers(app)  # nothing from the page saved, nothing lost


def test_a_forged_other_text_with_a_tampered_answer_is_refused(
    app: Flask, client: FlaskClient
) -> None:
    token = _about_you(app, client)
    reply = click(client, f"/s/{token}/page/1", {"prison": "99", "prison_other": "x"})
    assert reply.status_code == 400
    assert "prison" not in _answers(app)
