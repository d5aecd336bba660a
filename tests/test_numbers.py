"""Numbers from a request (issue 21): one reading (survey_app/numbers.py) for every form
field, query string and URL; "²", "١" and ids past a 32-bit column are a 4xx with a message,
never a 500, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from survey_app.numbers import INT_MAX, NumberConverter, whole_number
from tests import case_steps as steps
from tests import factories
from tests.flows import Auth, csrf_token, register

PAST_INT = str(2**31)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", 0),
        ("42", 42),
        (str(INT_MAX), INT_MAX),
        (PAST_INT, None),
        ("²", None),
        ("1²", None),
        ("١٢", None),  # Arabic-Indic digits: int() reads them, a page never sends them
        ("", None),
        (" 4", None),
        ("-1", None),
        ("+1", None),
        ("4.0", None),
        ("9" * 11, None),
        (None, None),
    ],
)
def test_a_whole_number_is_ascii_digits_in_range(raw: str | None, expected: int | None) -> None:
    assert whole_number(raw) == expected


def test_every_number_in_a_route_is_read_by_the_one_converter(app: Flask) -> None:
    numbered = [
        rule.rule
        for rule in app.url_map.iter_rules()
        for converter in (rule._converters or {}).values()
        if isinstance(converter, IntegerConverter)
    ]
    assert numbered == []
    assert any(
        isinstance(c, NumberConverter)
        for rule in app.url_map.iter_rules()
        for c in (rule._converters or {}).values()
    )


def test_an_id_past_the_columns_range_is_a_404(client: FlaskClient, auth: Auth, app: Flask) -> None:
    auth.login("admin")
    for url in (
        f"/research/links/{PAST_INT}/responses",
        f"/research/links/{PAST_INT}/qr.svg",
        f"/research/instruments/mothers_t1/{PAST_INT}",
        f"/research/links/{'9' * 19}/responses",
        "/research/links/²/responses",
        f"/cases/{PAST_INT}",
    ):
        assert client.get(url).status_code == 404, url
    page = client.get("/research/audit")
    reply = client.post(
        f"/research/users/{PAST_INT}/deactivate", data={"csrf_token": csrf_token(page)}
    )
    assert reply.status_code == 404


def test_a_superscript_page_number_is_a_400_with_a_message(client: FlaskClient, auth: Auth) -> None:
    auth.login("admin")
    reply = client.get("/research/audit?page=²")
    assert reply.status_code == 400 and "not a number" in reply.get_data(as_text=True)
    # The participants list shows its first page for any page number that is not one.
    assert client.get("/research/participants?page=²").status_code == 200
    assert client.get("/research/audit?page=999999").status_code == 200


def test_superscripts_on_a_case_page_are_a_400_with_a_message(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    first = steps.open_case(client, register(app))
    children_url = steps.fill_pages(client, first, steps.REFERRAL_PAGES)
    two = steps.children_page(2)
    reply = steps.post_page(client, children_url, {**two, "children-count": "²"})
    assert reply.status_code == 400
    assert "Nothing was saved" in reply.get_data(as_text=True)
    reply = steps.post_page(client, children_url, two, "group:remove:children:²")
    assert reply.status_code == 400 and "Nothing was saved" in reply.get_data(as_text=True)
    reply = steps.post_page(client, children_url, two, f"group:remove:children:{PAST_INT}")
    assert reply.status_code == 400
    pages = [steps.children_page(1), steps.FAMILY, {"needs": ["1"]}]
    send_url = steps.fill_pages(client, children_url, pages)
    page = client.get(send_url)
    for revision in ("²", PAST_INT):
        reply = client.post(send_url, data={"csrf_token": csrf_token(page), "revision": revision})
        assert reply.status_code == 400
        assert "revision number" in reply.get_data(as_text=True)
    assert client.get(f"{send_url.rsplit('/forms', 1)[0]}/forms/{PAST_INT}").status_code == 404
    form_url = send_url.removesuffix("/send")
    assert client.get(f"{form_url}?revision=²").status_code == 404
