"""Every route against every role. A new route without a rule here fails the suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey_app.access import ALLOWED as ROUTE_ALLOWED
from survey_app.access import ROUTE_ACCESS, RULE_WORDS
from tests import factories
from tests.flows import PASSWORD

ROLES = ("anonymous", "fieldworker", "caseworker", "researcher", "admin")
# The table of who may reach each route lives in the app (make routes prints it); this test is
# what makes it true.
RULES = ROUTE_ACCESS
ALLOWED = {rule: {role.value for role in roles} for rule, roles in ROUTE_ALLOWED.items()}


SAMPLE_ARGS: dict[str, Any] = {
    "token": "A" * 32,
    "index": 0,
    "key": "mothers_t1",
    "version": 1,
    "link_id": 999999,
    "pseudonym": "TC-AAA-AAAA",
    "response_id": "0" * 32,
    "user_id": 999999,
    "action": "deactivate",
    "filename": "css/app.css",
    "case_id": 999999,
    "form_id": 999999,
    "conflict_id": "0" * 32,
    "fmt": "xlsform",
    "lang": "en",
    "clip": "no_such_item",
    "key_id": 999999,
    "token_id": 999999,
    "instrument_key": "prison_staff",
    "variable": "gaps_filled",
    "key_theme_id": 999999,
    "theme_id": 999999,
}


@pytest.fixture
def open_app(make_app: Callable[..., Flask]) -> Flask:
    # CSRF off so that POSTs reach the role checks (CSRF has tests of its own).
    return make_app(WTF_CSRF_ENABLED=False)


def test_every_route_has_a_rule(open_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in open_app.url_map.iter_rules()}
    assert endpoints - set(RULES) == set(), "add the new routes to survey_app/access.py"
    assert set(RULES) - endpoints == set(), "remove rules of routes that are gone"
    assert set(RULES.values()) <= set(RULE_WORDS), "every rule is one make routes can name"


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonymous":
        reply = client.post("/login", data={"email": f"{role}@example.org", "password": PASSWORD})
        assert reply.status_code == 302, role
    return client


def _url(app: Flask, endpoint: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{a: SAMPLE_ARGS[a] for a in rule.arguments})


def _to_login(reply: Any) -> bool:
    return reply.status_code == 302 and reply.headers["Location"].startswith("/login")


def _api_problem(need: str, role: str, code: int, where: str) -> str | None:
    """The API's rules ("api-..."): a role's own token is allowed or 403; no token is 401."""
    if role == "anonymous":
        return None if code == 401 else f"{where} (should be 401 without a token)"
    if role not in ALLOWED[need]:
        return None if code == 403 else f"{where} (should be 403 for {role}'s token)"
    return None if code not in (401, 403) else f"{where} (should be allowed for {role}'s token)"


def test_every_route_answers_each_role_as_its_rule_says(open_app: Flask) -> None:
    users = {
        role: factories.user(open_app, role=role, email=f"{role}@example.org") for role in ROLES[1:]
    }
    # The API takes a Bearer token, never the session: each role calls it with a token of its
    # own, as well as with its logged-in session (which alone must get a 401).
    bearer = {"anonymous": {}} | {
        role: {"Authorization": f"Bearer {factories.api_token(open_app, user.id)}"}
        for role, user in users.items()
    }
    clients = {role: _client(open_app, role) for role in ROLES}
    problems: list[str] = []
    for rule in sorted(open_app.url_map.iter_rules(), key=lambda r: r.endpoint):
        url = _url(open_app, rule.endpoint)
        need = RULES[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                api = need.startswith("api-")
                headers = bearer[role] if api else {}
                reply = clients[role].open(url, method=method, data={}, headers=headers)
                reply.close()  # static files and downloads stream from open files
                code = reply.status_code
                where = f"{method} {url} as {role}: {code} {reply.headers.get('Location', '')}"
                if code >= 500:
                    problems.append(f"{where} (server error)")
                elif api:
                    session_only = clients[role].open(url, method=method).status_code
                    if session_only != 401:
                        problems.append(f"{where} (a session without a token: {session_only})")
                    problem = _api_problem(need, role, code, where)
                    if problem:
                        problems.append(problem)
                elif need == "public":
                    if code == 403 or _to_login(reply):
                        problems.append(f"{where} (should be open)")
                elif need == "password-step":
                    if not _to_login(reply):
                        problems.append(f"{where} (should need the password step)")
                elif need == "kiosk":
                    if not (code == 302 and reply.headers["Location"] == "/kiosk/"):
                        problems.append(f"{where} (should need kiosk mode)")
                elif role == "anonymous":
                    if not _to_login(reply):
                        problems.append(f"{where} (should ask to log in)")
                elif need == "login":
                    if code == 403 or _to_login(reply):
                        problems.append(f"{where} (any logged-in user)")
                elif role not in ALLOWED[need]:
                    if code != 403:
                        problems.append(f"{where} (should be 403 for {role})")
                elif code == 403 or _to_login(reply):
                    problems.append(f"{where} (should be allowed for {role})")
        # Logging out (a public POST) must not end the other roles' sessions for later rules.
        clients = (
            {role: _client(open_app, role) for role in ROLES}
            if rule.endpoint == "auth.logout"
            else clients
        )
    assert not problems, "\n".join(problems)


def test_make_routes_prints_every_url_with_who_may_reach_it(open_app: Flask) -> None:
    printed = open_app.test_cli_runner().invoke(args=["access"])
    assert printed.exit_code == 0, printed.output
    lines = printed.output.splitlines()
    assert len(lines) == len(list(open_app.url_map.iter_rules()))
    assert "NO RULE" not in printed.output
    users_page = next(line for line in lines if "[research.users]" in line)
    assert users_page.split()[:3] == ["GET,POST", "/research/users", "admin"]
    new_case = next(line for line in lines if "[cases.new_case]" in line)
    assert "caseworker (writes case forms)" in new_case
