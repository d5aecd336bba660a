"""Finding a participant by ID on the participants list: a GET search that forgives layout,
lists her row for a valid ID, and for a mistyped one suggests the registered IDs one typing
slip away (never to anyone who cannot see the list)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from survey_app import pseudonyms
from survey_app.extensions import db
from tests import factories
from tests.flows import Auth

LIST = "/research/participants"
_LISTED = re.compile(r'<th scope="row"><a class="pseudonym" href="[^"]*">([^<]+)</a></th>')
_SUGGESTED = re.compile(
    r'<li><a class="pseudonym" href="/research/participants/([^"]+)">([^<]+)</a></li>'
)


def listed(reply: Any) -> list[str]:
    return _LISTED.findall(reply.get_data(as_text=True))


def suggested(reply: Any) -> list[str]:
    found = _SUGGESTED.findall(reply.get_data(as_text=True))
    assert all(href == text for href, text in found)
    return [text for _, text in found]


def valid_id(body: str) -> str:
    """The display form of a 6-symbol body with its check symbol."""
    code = body + pseudonyms.check_symbol(body)
    return f"TC-{code[:3]}-{code[3:]}"


def slips(pseudonym: str) -> list[str]:
    """Every one-symbol change (to another symbol of the alphabet) and neighbour swap."""
    full = pseudonym.replace("-", "")
    changed = [
        full[:i] + ("Z" if full[i] != "Z" else "Y") + full[i + 1 :] for i in range(len(full))
    ]
    swapped = [
        full[:i] + full[i + 1] + full[i] + full[i + 2 :]
        for i in range(len(full) - 1)
        if full[i] != full[i + 1]
    ]
    return changed + swapped


@pytest.mark.parametrize(
    "typing",
    [
        lambda p: p,
        lambda p: p.lower(),
        lambda p: p.replace("-", ""),
        lambda p: p.replace("-", " ").lower(),
        lambda p: f"  {p[3:]}  ",  # without the prefix
        lambda p: " ".join(p.replace("-", "")),
    ],
)
def test_a_search_by_her_whole_id_opens_her_record_however_it_is_typed(
    app: Flask, client: FlaskClient, auth: Auth, typing: Any
) -> None:
    her, *others = factories.participants(app, 3)
    auth.login("fieldworker")
    reply = client.get(LIST, query_string={"q": typing(her)})
    assert reply.status_code == 302
    assert reply.headers["Location"] == f"{LIST}/{her}"
    body = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert her in body and not any(other in body for other in others)


def test_with_a_site_chosen_her_id_opens_her_record_only_at_her_site(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    [her] = factories.participants(app, 1)  # at HMP Send
    auth.login("fieldworker")
    at_send = client.get(LIST, query_string={"q": her, "site": "send"})
    assert at_send.headers["Location"] == f"{LIST}/{her}"
    elsewhere = client.get(LIST, query_string={"q": her, "site": "eastwood_park"})
    assert elsewhere.status_code == 200 and listed(elsewhere) == []


def test_the_search_is_a_get_form_kept_filled_in(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    factories.participants(app, 1)
    unknown = pseudonyms.generate("TC").lower()
    auth.login("fieldworker")
    body = client.get(LIST, query_string={"q": unknown}).get_data(as_text=True)
    form = body.split('aria-label="Find a participant by ID"')[0].rsplit("<form", 1)[1]
    assert 'method="get"' in form
    assert re.search(rf'<input[^>]*name="q"[^>]*value="{unknown}"', body)
    assert re.search(r'<label for="q">Participant ID</label>', body)


def test_a_valid_id_not_registered_is_not_found_and_nothing_is_suggested(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    factories.participants(app, 2)
    auth.login("fieldworker")
    unknown = pseudonyms.generate("TC")
    reply = client.get(LIST, query_string={"q": unknown})
    assert reply.status_code == 200
    body = reply.get_data(as_text=True)
    assert listed(reply) == [] and suggested(reply) == []
    assert f'No participant has the ID <span class="pseudonym">{unknown}</span>.' in body


def test_a_mistyped_id_suggests_the_registered_id_one_slip_away(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    her, other = factories.participants(app, 2)
    auth.login("researcher")
    for typo in slips(her):
        reply = client.get(LIST, query_string={"q": typo.lower()})
        assert reply.status_code == 400, typo
        body = reply.get_data(as_text=True)
        assert f"{typo.lower()} is not a valid ID: please check it." in body
        assert 'aria-invalid="true"' in body
        assert suggested(reply) == [her], typo
        assert listed(reply) == [] and other not in body


def test_every_registered_id_one_slip_away_is_listed(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    first = valid_id("ABCDEF")
    typed = first[:-1] + ("Y" if first[-1] != "Y" else "Z")  # its check symbol mistyped
    # Another registered ID is one changed symbol (the fourth) from what was typed; a third
    # is two slips away.
    second = next(
        f"TC-ABC-{d}EF{typed[-1]}"
        for d in pseudonyms.ALPHABET
        if pseudonyms.is_valid(f"TC-ABC-{d}EF{typed[-1]}")
    )
    far = valid_id("ABCDGG")
    for pseudonym in (first, second, far):
        factories.participant_with_id(app, pseudonym)
    auth.login("fieldworker")
    reply = client.get(LIST, query_string={"q": typed})
    assert reply.status_code == 400
    assert suggested(reply) == sorted([first, second])
    assert "These registered IDs are one typing slip" in reply.get_data(as_text=True)


def test_suggestions_keep_to_the_site_chosen(app: Flask, client: FlaskClient, auth: Auth) -> None:
    [at_send] = factories.participants(app, 1, "send")
    auth.login("fieldworker")
    typo = slips(at_send)[0]
    reply = client.get(LIST, query_string={"q": typo, "site": "eastwood_park"})
    assert reply.status_code == 400 and suggested(reply) == []
    assert "No registered ID at this site is one typing slip" in reply.get_data(as_text=True)
    assert suggested(client.get(LIST, query_string={"q": typo, "site": "send"})) == [at_send]


@pytest.mark.parametrize("typed", ["hello", "TC-7KX", "x" * 41, "TC-7KX-Q2M9-TC", "%_%"])
def test_an_entry_that_is_no_id_is_refused_with_a_message(
    app: Flask, client: FlaskClient, auth: Auth, typed: str
) -> None:
    factories.participants(app, 2)
    auth.login("fieldworker")
    reply = client.get(LIST, query_string={"q": typed})
    assert reply.status_code == 400
    assert listed(reply) == [] and suggested(reply) == []
    assert '<p class="field-error" id="q-error">' in reply.get_data(as_text=True)


def test_no_id_is_suggested_to_anyone_not_logged_in(app: Flask, client: FlaskClient) -> None:
    [her] = factories.participants(app, 1)
    reply = client.get(LIST, query_string={"q": slips(her)[0]})
    assert reply.status_code == 302 and reply.headers["Location"].startswith("/login")
    assert her not in reply.get_data(as_text=True)


def _statements(app: Flask, client: FlaskClient, url: str, status: int) -> list[str]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(args[2])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == status
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def test_a_search_is_one_query_however_many_are_registered(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    """An exact search asks the database for her, and goes to her record in fewer statements
    than the plain list; a mistyped one asks it for the IDs one slip away, as many statements
    however many IDs."""
    [her] = factories.participants(app, 1)
    auth.login("fieldworker")
    plain = _statements(app, client, LIST, 200)
    exact = _statements(app, client, f"{LIST}?q={her}", 302)
    mistyped = _statements(app, client, f"{LIST}?q={slips(her)[0]}", 400)
    assert len(exact) < len(plain)
    factories.participants(app, 60)
    assert len(_statements(app, client, f"{LIST}?q={her}", 302)) == len(exact)
    assert len(_statements(app, client, f"{LIST}?q={slips(her)[0]}", 400)) == len(mistyped)
    assert any(" LIKE " in statement for statement in mistyped)
