"""Who reaches the coding pages: researchers and admins; fieldworkers and caseworkers never
(every coding route, every method), and their menus do not offer it."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from survey_app.access import ROUTE_ACCESS
from tests import coding_steps as steps
from tests.flows import csrf_token

ARGS = {
    "instrument_key": "prison_staff",
    "variable": "gaps_filled",
    "key_theme_id": 1,
    "theme_id": 1,
}


def _coding_routes(app: Flask) -> list[tuple[str, str]]:
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("coding."):
                url = url_for(rule.endpoint, **{a: ARGS[a] for a in rule.arguments})
                found += [(m, url) for m in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return found


def test_every_coding_route_is_for_researchers_in_the_access_table(app: Flask) -> None:
    endpoints = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("coding.")}
    assert len(endpoints) >= 14
    assert {ROUTE_ACCESS[e] for e in endpoints} == {"researcher"}


@pytest.mark.parametrize("role", ["fieldworker", "caseworker"])
def test_fieldworkers_and_caseworkers_never_reach_a_coding_page(app: Flask, role: str) -> None:
    researcher = steps.login(app, "coder.one@example.org")
    book = steps.make_codebook(app, researcher)
    [ref] = steps.staff_answers(app, ["She knows the courts."])
    steps.code_answer(researcher, ref, [book.themes["Specialist knowledge"]])
    client = steps.login(app, f"{role}@example.org", role=role)
    menu = client.get("/research/" if role == "fieldworker" else "/cases/")
    token = csrf_token(menu)  # a form's token of her own pages: the role check answers, not CSRF
    for method, url in _coding_routes(app):
        reply = client.open(url, method=method, data={"csrf_token": token})
        assert reply.status_code == 403, (method, url, reply.status_code)
        assert "She knows the courts." not in reply.get_data(as_text=True)
    assert "/research/coding/" not in menu.get_data(as_text=True)


def test_an_admin_reaches_the_coding_pages(app: Flask) -> None:
    admin = steps.login(app, "admin@example.org", role="admin")
    assert admin.get(steps.INDEX).status_code == 200
    steps.make_codebook(app, admin)
    [ref] = steps.staff_answers(app, ["She knows the courts."])
    assert admin.get(f"{steps.STAFF_QUESTION}/code?answer={ref}").status_code == 200
