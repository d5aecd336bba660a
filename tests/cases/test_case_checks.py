"""Checks where the answer is given: a form's date out of order is a message on the page that
holds it; the check page has a "Change" link per answer that comes back to it; adding a child
returns to the new child."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey_app.extensions import db
from survey_app.models import CaseForm
from tests import case_steps as steps
from tests import factories
from tests.flows import register


def _logged_in(app: Flask, client: FlaskClient) -> None:
    factories.caseworker(app)
    steps.log_in(client)


def test_a_closure_dated_before_the_last_update_is_refused_on_its_own_page(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    case_url = steps.referral(client, register(app))
    assert steps.update(client, case_url, "2022-05-01").status_code == 302
    first = steps.start_form(client, case_url, "closure").headers["Location"]
    reply = steps.post_page(client, first, {"closure_date": "2022-04-20", "closure_reason": "2"})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert re.search(
        r'id="q-closure_date-error" role="alert">The closure date \(20 April 2022\) is before '
        r"the progress update of 01 May 2022: dates must be in order.",
        page,
    )
    assert re.search(r'id="q-closure_reason-2" [^>]*checked', page)  # kept as sent
    with app.app_context():
        draft = db.session.scalar(select(CaseForm).where(CaseForm.kind == "closure"))
        assert draft is not None and draft.answers == {}
    assert steps.closure_pages_from(client, first, "2022-05-02").status_code == 302


def test_an_update_dated_before_the_referral_is_refused_on_its_page(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    case_url = steps.referral(client, register(app), start="2022-01-10")
    first = steps.start_form(client, case_url, "update").headers["Location"]
    reply = steps.post_page(
        client, first, {"update_date": "2022-01-09", "acct": "0", "domestic_abuse": "0"}
    )
    assert reply.status_code == 422
    assert "is before the referral of 10 January 2022" in reply.get_data(as_text=True)


def test_the_check_page_has_a_change_link_per_answer_that_comes_back_to_it(
    app: Flask, client: FlaskClient
) -> None:
    _logged_in(app, client)
    case_url = steps.referral(client, register(app))
    first = steps.start_form(client, case_url, "update").headers["Location"]
    pages = [
        {"update_date": "2022-03-01", "acct": "1", "domestic_abuse": "0"},
        {"mbu_application": "1", "contact_now": "2", "in_proceedings": "1"},
    ]
    send_url = steps.fill_pages(client, first, pages)
    review = client.get(send_url).get_data(as_text=True)
    links = re.findall(r'<a href="([^"]+\?then=check)">Change<span class="visually-hidden"> '
                       r"([^<]+)</span>", review)  # fmt: skip
    assert len(links) == 7  # every question of the update, each its own link
    acct_url = next(url for url, question in links if "ACCT" in question)
    assert acct_url.endswith("/pages/0?then=check")
    page = client.get(acct_url).get_data(as_text=True)
    assert 'action="' + acct_url + '"' in page.replace("&amp;", "&")
    reply = steps.post_page(client, acct_url, dict(pages[0], acct="0"))
    assert reply.status_code == 302 and reply.headers["Location"] == send_url
    assert "<td>No</td>" in client.get(send_url).get_data(as_text=True).split("ACCT")[1][:120]


def test_adding_a_child_returns_to_the_new_child(app: Flask, client: FlaskClient) -> None:
    _logged_in(app, client)
    children_url = steps.fill_pages(
        client, steps.open_case(client, register(app)), steps.REFERRAL_PAGES
    )
    reply = steps.post_page(client, children_url, steps.children_page(2), "group:add:children")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("#children-2")
    page = client.get(children_url).get_data(as_text=True)
    assert 'id="children-2"' in page and "<legend>Child 3</legend>" in page
    reply = steps.post_page(client, children_url, steps.children_page(3), "group:remove:children:0")
    assert reply.headers["Location"].endswith("#group-children")
    assert 'id="group-children"' in client.get(children_url).get_data(as_text=True)
