"""The local-authority question: 175 tick boxes in columns that work without JavaScript, a
filter box that research.js shows, and the prison's most ticked authorities first."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests import case_steps as steps
from tests import factories
from tests.flows import register


def _referral_ticking(client: FlaskClient, pseudonym: str, authorities: list[str]) -> None:
    pages = [
        *steps.REFERRAL_PAGES[:2],
        {"local_authorities": authorities},
        steps.REFERRAL_PAGES[3],
        steps.children_page(1),
        steps.FAMILY,
        {"needs": ["1"]},
    ]
    send_url = steps.fill_pages(client, steps.open_case(client, pseudonym), pages)
    assert steps.send(client, send_url).status_code == 302


def _authorities_page(client: FlaskClient, pseudonym: str) -> tuple[str, str]:
    first = steps.open_case(client, pseudonym)
    url = steps.fill_pages(client, first, steps.REFERRAL_PAGES[:2])
    return url, client.get(url).get_data(as_text=True)


def test_the_long_list_has_a_filter_box_for_scripts_and_columns_without(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    steps.log_in(client)
    _, page = _authorities_page(client, register(app))
    assert page.count('name="local_authorities"') == 175
    assert re.search(r'<div class="list-filter" hidden>\s*<label for="q-local_authorities-filter">'
                     r"Type to find</label>", page)  # fmt: skip
    assert 'data-filter-for="q-local_authorities-options"' in page
    assert 'class="options long-list" id="q-local_authorities-options"' in page
    assert "Most often ticked" not in page  # nothing sent at this prison yet
    assert "js/research.js" in page


def test_the_prisons_most_ticked_authorities_come_first_and_are_saved(
    app: Flask, client: FlaskClient
) -> None:
    factories.caseworker(app)
    factories.caseworker(app, sites=("eastwood_park",), email="ep@example.org")
    steps.log_in(client)
    for _ in range(2):
        _referral_ticking(client, register(app), ["150", "40", "3"])
    _referral_ticking(client, register(app), ["3"])
    url, page = _authorities_page(client, register(app))
    assert "Most often ticked at HMP Send" in page
    order = re.findall(r'id="q-local_authorities-(\d+)"', page)
    assert order[:3] == ["3", "40", "150"]  # three times, then twice each by code
    assert sorted(order, key=int) == [str(c) for c in range(1, 176)]  # each once
    reply = steps.post_page(client, url, {"local_authorities": ["150", "15"]})
    assert reply.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'id="q-local_authorities-150" [^>]*checked', page)
    assert re.search(r'id="q-local_authorities-15" [^>]*checked', page)
    other = app.test_client()
    steps.log_in(other, "ep@example.org")
    _, page = _authorities_page(other, register(app, "eastwood_park"))
    assert "Most often ticked" not in page  # another prison's choices are its own
