"""Every route against every role. A new route without a rule here fails the suite."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.flows import PASSWORD

ROLES = ("anonymous", "fieldworker", "caseworker", "researcher", "admin")
# Who passes each role rule: fieldworkers and caseworkers see nothing of each other's pages;
# researchers and admins read cases, and only a caseworker writes them.
ALLOWED = {
    "fieldworker": {"fieldworker", "researcher", "admin"},
    "caseworker": {"caseworker", "researcher", "admin"},
    "caseworker-only": {"caseworker"},
    "researcher": {"researcher", "admin"},
    "admin": {"admin"},
}

# public: anyone; password-step: only between password and code; login: any logged-in user; kiosk: only inside kiosk mode (else back to its
# setup page); a role name: the roles in ALLOWED.
RULES: dict[str, str] = {
    "main.index": "public",
    "main.healthz": "public",
    "static": "public",
    "auth.login": "public",
    "auth.enrol": "password-step",  # only after the password: otherwise back to /login
    "auth.code": "password-step",
    "auth.logout": "public",
    "auth.password": "login",
    "link.landing": "public",
    "link.page": "public",
    "link.finish": "public",
    "link.submit": "public",
    "link.thanks": "public",
    "link.declined": "public",
    "link.stop": "public",
    "link.stopped": "public",
    "kiosk.setup": "fieldworker",
    "kiosk.lock": "kiosk",
    "kiosk.start": "kiosk",
    "kiosk.notice": "kiosk",
    "kiosk.stop": "kiosk",
    "kiosk.resume": "kiosk",
    "kiosk.page": "kiosk",
    "kiosk.finish": "kiosk",
    "kiosk.exit_kiosk": "kiosk",
    "kiosk.submit": "public",  # answers by submission key only; unknown keys go to the lock screen
    "kiosk.thanks": "public",  # shows nothing but thanks
    "kiosk.ended": "public",  # says that kiosk mode has ended; shows nothing else
    "research.dashboard": "login",  # a caseworker is sent on to her cases
    "research.participants": "fieldworker",
    "research.participant": "fieldworker",
    "research.register_participants": "fieldworker",
    "research.registered": "fieldworker",
    "research.withdraw": "researcher",
    "research.void_response": "researcher",
    "research.response": "researcher",
    "research.links": "researcher",
    "research.close_link": "researcher",
    "research.reopen_link": "researcher",
    "research.link_qr": "researcher",
    "research.link_responses": "researcher",
    "research.instruments": "researcher",
    "research.instrument_preview": "researcher",
    "research.instrument_diff": "researcher",
    "research.export": "researcher",
    "research.report": "researcher",
    "research.report_download": "researcher",
    "research.audit": "researcher",
    "research.field_duplicates": "researcher",
    "research.resolve_duplicate": "researcher",
    "research.users": "admin",
    "cases.index": "caseworker",
    "cases.case": "caseworker",
    "cases.form_view": "caseworker",
    "cases.new_case": "caseworker-only",
    "cases.start_form": "caseworker-only",
    "cases.form_page": "caseworker-only",
    "cases.send_form": "caseworker-only",
    "cases.discard_form": "caseworker-only",
    "cases.correct_form": "caseworker-only",
    "cases.correction_page": "caseworker-only",
    "cases.send_correction": "caseworker-only",
    "cases.rebase_correction": "caseworker-only",
    "cases.transfer": "caseworker",
    "research.user_action": "admin",
    "research.user_sites": "admin",
}

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
}


@pytest.fixture
def open_app(make_app: Callable[..., Flask]) -> Flask:
    # CSRF off so that POSTs reach the role checks (CSRF has tests of its own).
    return make_app(WTF_CSRF_ENABLED=False)


def test_every_route_has_a_rule(open_app: Flask) -> None:
    endpoints = {rule.endpoint for rule in open_app.url_map.iter_rules()}
    assert endpoints - set(RULES) == set(), "add the new routes to RULES"
    assert set(RULES) - endpoints == set(), "remove rules of routes that are gone"


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


def test_every_route_answers_each_role_as_its_rule_says(open_app: Flask) -> None:
    for role in ROLES[1:]:
        factories.user(open_app, role=role, email=f"{role}@example.org")
    clients = {role: _client(open_app, role) for role in ROLES}
    problems: list[str] = []
    for rule in sorted(open_app.url_map.iter_rules(), key=lambda r: r.endpoint):
        url = _url(open_app, rule.endpoint)
        need = RULES[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in ROLES:
                reply = clients[role].open(url, method=method, data={})
                reply.close()  # static files and downloads stream from open files
                code = reply.status_code
                where = f"{method} {url} as {role}: {code} {reply.headers.get('Location', '')}"
                if code >= 500:
                    problems.append(f"{where} (server error)")
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
