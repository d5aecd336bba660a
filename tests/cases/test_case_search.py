"""Finding a case by her ID on the case list: her whole ID opens her case; a caseworker finds
only her own prisons' cases, and an unknown ID and another prison's mother get the same words."""

from __future__ import annotations

import html

from flask import Flask
from flask.testing import FlaskClient

from survey_app import pseudonyms
from tests import case_steps as steps
from tests import factories
from tests.flows import Auth, register

EASTWOOD = "eastwood@example.org"


def _find(client: FlaskClient, typed: str) -> tuple[int, str, str]:
    reply = client.get("/cases/", query_string={"q": typed})
    return reply.status_code, reply.headers.get("Location", ""), reply.get_data(as_text=True)


def _said(body: str) -> str:
    """The words beside the ID field."""
    return html.unescape(body.split('id="q-error">')[1].split("</p>")[0])


def test_her_whole_id_opens_her_case_however_it_is_typed(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    hers, other = register(app), register(app)
    case_url = steps.referral(client, hers)
    steps.referral(client, other)
    for typed in (hers, hers.lower().replace("-", ""), f"  {hers[3:]} "):
        status, location, _ = _find(client, typed)
        assert (status, location) == (302, case_url), typed
    # The list without a search still lists both; the search box keeps the list a GET.
    body = client.get("/cases/").get_data(as_text=True)
    assert hers in body and other in body
    assert 'role="search" aria-label="Find a case by ID"' in body


def test_another_prisons_mother_and_an_unknown_id_get_the_same_words(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    factories.caseworker(app, sites=("eastwood_park",), email=EASTWOOD)
    elsewhere = app.test_client()
    steps.log_in(elsewhere, EASTWOOD)
    theirs = register(app, site="eastwood_park")
    steps.referral(elsewhere, theirs)
    steps.log_in(client)
    unknown = pseudonyms.generate("TC")
    answers = [_find(client, typed) for typed in (theirs, unknown)]
    assert [a[0] for a in answers] == [404, 404]
    words = {_said(a[2]) for a in answers}
    assert len(words) == 1 and theirs not in answers[0][2].split('id="q"')[0]
    [said] = words
    assert said.startswith("No participant has this ID at your prisons.")
    assert "do not give her a new ID" in said
    assert 'id="cases"' not in answers[0][2]  # no case of anyone's is listed
    # Registered at her prison without a case: told so, and how to start one.
    mine = register(app)
    status, _, body = _find(client, mine)
    assert status == 404 and _said(body).startswith("She has no case yet.")


def test_a_researcher_finds_any_prisons_case_and_a_mistyped_id_is_named(
    app: Flask, client: FlaskClient, auth: Auth
) -> None:
    factories.caseworker(app, sites=("eastwood_park",), email=EASTWOOD)
    elsewhere = app.test_client()
    steps.log_in(elsewhere, EASTWOOD)
    theirs = register(app, site="eastwood_park")
    case_url = steps.referral(elsewhere, theirs)
    auth.login("researcher")
    status, location, _ = _find(client, theirs)
    assert (status, location) == (302, case_url)
    typo = theirs[:-1] + ("Z" if theirs[-1] != "Z" else "Y")
    status, _, body = _find(client, typo)
    assert status == 400 and _said(body) == f"{typo} is not a valid ID: please check it."
    assert 'aria-invalid="true"' in body
    status, _, body = _find(client, "x" * 41)
    assert status == 400 and "An ID is 11 characters" in body
