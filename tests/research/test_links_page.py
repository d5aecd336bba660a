"""The Links page as a researcher uses it: questionnaires by title, each link's address in a
read-only field ready to copy, its QR code, closing after a confirmation, re-opening."""

from __future__ import annotations

import datetime as dt
import html
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import AuditEvent, Link
from survey_app.services import links as link_ops
from tests.flows import Auth, csrf_token, submit_form

STAFF_TITLE = "Together a Chance: questionnaire for prison staff"


def make_link(app: Flask, key: str = "prison_staff", **values: Any) -> tuple[int, str]:
    with app.app_context():
        link = link_ops.create(db.session, key)
        for name, value in values.items():
            setattr(link, name, value)
        db.session.commit()
        return link.id, link.token


def body(reply: Any) -> str:
    return str(reply.get_data(as_text=True))


def table(reply: Any) -> str:
    return body(reply).split('id="links"')[1].split("</table>")[0]


def events(app: Flask, kind: str) -> list[tuple[int | None, str | None]]:
    with app.app_context():
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == kind))
        return [(e.actor_id, e.target) for e in found]


def is_closed(app: Flask, link_id: int) -> bool:
    with app.app_context():
        link = db.session.get(Link, link_id)
        assert link is not None
        return link.closed_at is not None


def test_questionnaires_are_named_by_their_titles(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    auth.login("researcher")
    page = body(client.get("/research/links"))
    select_box = page.split('name="instrument"')[1].split("</select>")[0]
    labels = [html.unescape(t) for t in re.findall(r"<option[^>]*>([^<]*)</option>", select_box)]
    assert labels == [
        "Together a Chance: questionnaire for community practitioners",
        STAFF_TITLE,
    ]
    reply = submit_form(client, "/research/links", {"instrument": "prison_staff"}, follow=True)
    assert f"Link created for {STAFF_TITLE}" in html.unescape(body(reply))
    rows = table(reply)
    assert f'<th scope="row">{STAFF_TITLE}</th>' in html.unescape(rows)
    assert "prison_staff" not in rows


def test_each_address_is_in_a_read_only_field_selected_on_focus(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    link_id, token = make_link(app)
    auth.login("researcher")
    page = body(client.get("/research/links"))
    field = re.search(rf'<input[^>]*id="address-{link_id}"[^>]*>', page)
    assert field, "no address field"
    assert f'value="http://localhost/s/{token}"' in field.group(0)
    assert " readonly" in field.group(0) and "data-select-on-focus" in field.group(0)
    label = re.search(rf'<label for="address-{link_id}"[^>]*>([^<]+)</label>', page)
    assert label and STAFF_TITLE in html.unescape(label.group(1))
    assert '<script src="/static/js/research.js" defer></script>' in page
    script = client.get("/static/js/research.js")
    assert "data-select-on-focus" in body(script)
    script.close()  # static files are streamed from an open file


def test_each_link_has_a_qr_code_of_its_full_address(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    link_id, token = make_link(app)
    auth.login("researcher")
    page = body(client.get("/research/links"))
    image = re.search(rf'<img src="/research/links/{link_id}/qr.svg" alt="([^"]+)"', page)
    assert image and "QR code of the " in image.group(1)
    assert f'href="/research/links/{link_id}/qr.svg" download=' in page
    reply = client.get(f"/research/links/{link_id}/qr.svg")
    assert reply.status_code == 200 and reply.mimetype == "image/svg+xml"
    address = f"http://localhost/s/{token}"
    assert reply.data == link_ops.qr_svg(address)
    assert f"<title>QR code of {address}</title>" in body(reply)
    # Served from our own origin: the page's Content-Security-Policy allows it.
    assert "img-src 'self'" in client.get("/research/links").headers["Content-Security-Policy"]
    assert client.get("/research/links/999999/qr.svg").status_code == 404


def test_closing_asks_to_confirm_first(app: Flask, client: FlaskClient, auth: Auth) -> None:
    link_id, token = make_link(app)
    user = auth.login("researcher")
    listing = body(client.get("/research/links"))
    # The list offers no button that closes at once: only a way to the question.
    assert f'action="/research/links/{link_id}/close"' not in listing
    assert f'href="/research/links/{link_id}/close"' in listing
    question = client.get(f"/research/links/{link_id}/close")
    assert question.status_code == 200 and not is_closed(app, link_id)
    text = html.unescape(body(question))
    assert "Close this link?" in text and STAFF_TITLE in text
    assert 'class="warning">Close the link</button>' in text
    assert 'href="/research/links">Keep it open</a>' in text
    reply = client.post(
        f"/research/links/{link_id}/close", data={"csrf_token": csrf_token(question)}
    )
    assert reply.status_code == 302 and is_closed(app, link_id)
    assert events(app, "link.closed") == [(user.id, f"link:{link_id}")]
    assert app.test_client().get(f"/s/{token}").status_code == 410


def test_a_closed_link_can_be_reopened_and_it_is_audited(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    link_id, token = make_link(app, closed_at=dt.datetime(2026, 1, 1))
    user = auth.login("researcher")
    page = client.get("/research/links")
    assert f'action="/research/links/{link_id}/reopen"' in body(page)
    reply = client.post(f"/research/links/{link_id}/reopen", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 302 and not is_closed(app, link_id)
    assert events(app, "link.reopened") == [(user.id, f"link:{link_id}")]
    assert app.test_client().get(f"/s/{token}").status_code == 200
    listing = body(client.get("/research/links"))
    assert "status-open" in listing and f'href="/research/links/{link_id}/close"' in listing


def test_reopening_an_open_link_is_refused_with_a_message(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    link_id, _ = make_link(app)
    auth.login("researcher")
    page = client.get("/research/links")
    reply = client.post(f"/research/links/{link_id}/reopen", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 409 and "That link is open already." in body(reply)
    assert events(app, "link.reopened") == []


def test_a_link_past_its_closing_date_is_not_reopened(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    past = dt.date.today() - dt.timedelta(days=3)
    link_id, token = make_link(app, closed_at=dt.datetime(2026, 1, 1), closes_on=past)
    auth.login("researcher")
    page = client.get("/research/links")
    assert f'action="/research/links/{link_id}/reopen"' not in body(page)
    reply = client.post(f"/research/links/{link_id}/reopen", data={"csrf_token": csrf_token(page)})
    assert reply.status_code == 409 and "create a new link" in body(reply)
    assert is_closed(app, link_id) and events(app, "link.reopened") == []
    assert app.test_client().get(f"/s/{token}").status_code == 410


@pytest.mark.parametrize("action", ["close", "reopen"])
def test_closing_and_reopening_need_the_forms_token(
    app: Flask, client: FlaskClient, auth: Auth, action: str
) -> None:
    link_id, _ = make_link(app, closed_at=dt.datetime(2026, 1, 1) if action == "reopen" else None)
    auth.login("researcher")
    reply = client.post(f"/research/links/{link_id}/{action}", data={})
    assert reply.status_code == 400
    assert is_closed(app, link_id) == (action == "reopen")
