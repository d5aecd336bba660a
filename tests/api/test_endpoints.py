"""Every API endpoint x every role x every token state (valid, expired, revoked, unknown): a
valid token reads what its owner's role may read (200) and nothing else (403); any other
token is a 401. Every answer is JSON (the export's file aside), sets no cookie and sends no
CORS header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import TestResponse

from survey_app.access import ALLOWED, ROUTE_ACCESS
from survey_app.models import User
from tests import factories
from tests.case_data import add_case

ROLES = ("fieldworker", "caseworker", "researcher", "admin")
STATES = ("valid", "expired", "revoked", "unknown")


def api_endpoints(app: Flask) -> list[str]:
    return sorted(r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("api."))


def _url(endpoint: str, pseudonym: str, case_id: int) -> str:
    urls = {
        "api.openapi": "/api/v1/openapi.json",
        "api.participants": "/api/v1/participants",
        "api.participant": f"/api/v1/participants/{pseudonym}",
        "api.due": "/api/v1/due",
        "api.responses": "/api/v1/responses",
        "api.cases": "/api/v1/cases",
        "api.case": f"/api/v1/cases/{case_id}",
        "api.codebook": "/api/v1/codebook",
        "api.export": "/api/v1/exports/csv",
        "api.report": "/api/v1/report",
    }
    return urls[endpoint]


def _case_id(app: Flask, pseudonym: str) -> int:
    from sqlalchemy import select

    from survey_app.extensions import db
    from survey_app.models import Case, Participant

    with app.app_context():
        found = db.session.scalar(
            select(Case.id).join(Participant).where(Participant.pseudonym == pseudonym)
        )
        assert found is not None
        return found


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    """One mother with a sent referral at Send, a caseworker of Send, and a token of every
    role in every state."""
    pseudonym = add_case(app, "send", [("referral", "2022-01-10", {"needs": [1]})])
    users: dict[str, User] = {}
    for role in ROLES:
        if role == "caseworker":
            users[role] = factories.caseworker(app, ("send",))
        else:
            users[role] = factories.user(app, role=role)
    tokens = {
        (role, state): factories.api_token(app, users[role].id, state)
        for role in ROLES
        for state in STATES
    }
    return {"pseudonym": pseudonym, "case_id": _case_id(app, pseudonym), "tokens": tokens}


def _no_cookie_no_cors(reply: TestResponse, where: str) -> None:
    assert "Set-Cookie" not in reply.headers, where
    assert not [h for h in reply.headers if h[0].lower().startswith("access-control-")], where


def test_the_matrix_covers_every_api_route(app: Flask) -> None:
    # A new endpoint must join the matrix below (its URL) and survey_app/access.py.
    assert {e for e in ROUTE_ACCESS if e.startswith("api.")} == set(api_endpoints(app))


@pytest.mark.parametrize(
    "endpoint",
    [
        "api.participants",
        "api.participant",
        "api.due",
        "api.responses",
        "api.cases",
        "api.case",
        "api.codebook",
        "api.export",
        "api.report",
    ],
)
def test_each_role_and_token_state_gets_what_its_rule_says(
    app: Flask, world: dict[str, Any], endpoint: str
) -> None:
    client = app.test_client()
    url = _url(endpoint, world["pseudonym"], world["case_id"])
    allowed = {role.value for role in ALLOWED[ROUTE_ACCESS[endpoint]]}
    problems = []
    for role in ROLES:
        for state in STATES:
            token = world["tokens"][(role, state)]
            reply = client.get(url, headers={"Authorization": f"Bearer {token}"})
            reply.close()  # a download streams from an open file
            where = f"{url} {role} {state}: {reply.status_code}"
            _no_cookie_no_cors(reply, where)
            expected = 401 if state != "valid" else 200 if role in allowed else 403
            if reply.status_code != expected:
                problems.append(
                    f"{where}, expected {expected}: {reply.get_data(as_text=True)[:200]}"
                )
            elif expected != 200 or endpoint != "api.export":
                body = reply.get_json()
                assert reply.mimetype == "application/json", where
                assert ("error" in body) == (expected != 200), where
            if expected == 401:
                assert reply.headers["WWW-Authenticate"].startswith("Bearer"), where
    assert not problems, "\n".join(problems)


def test_no_token_is_a_401_and_a_session_cookie_is_not_a_token(app: Flask) -> None:
    from tests.flows import Auth

    client = app.test_client()
    Auth(app, client).login("researcher")
    # The researcher is logged in on this client: the API neither reads nor refreshes her
    # session.
    for url in ("/api/v1/participants", "/api/v1/responses", "/api/v1/report"):
        reply = client.get(url)
        assert reply.status_code == 401, url
        assert reply.get_json()["error"]["status"] == 401
        _no_cookie_no_cors(reply, url)
    assert client.get("/research/participants").status_code == 200  # her session lives on


@pytest.mark.parametrize(
    "header",
    ["Basic dXNlcjpwYXNz", "Bearer", "Bearer    ", "Token abc", "bearer not-a-token"],
)
def test_a_malformed_authorization_header_is_a_401_in_json(app: Flask, header: str) -> None:
    reply = app.test_client().get("/api/v1/due", headers={"Authorization": header})
    assert reply.status_code == 401
    assert reply.get_json()["error"]["message"]


def test_the_description_is_open_to_anyone(client: Any) -> None:
    reply = client.get("/api/v1/openapi.json")
    assert reply.status_code == 200
    assert reply.get_json()["openapi"] == "3.1.0"
    _no_cookie_no_cors(reply, "openapi")


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/api/v1/no-such-thing", 404),
        ("GET", "/api/v1/cases/99999999999", 404),
        ("POST", "/api/v1/participants", 405),
        ("DELETE", "/api/v1/cases/1", 405),
    ],
)
def test_api_errors_are_json_never_a_page(app: Flask, method: str, url: str, status: int) -> None:
    owner = factories.user(app, "researcher")
    token = factories.api_token(app, owner.id)
    reply = app.test_client().open(url, method=method, headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == status
    assert reply.mimetype == "application/json"
    assert reply.get_json()["error"]["status"] == status


QUERY_VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        ["", "0", "1", "-1", "501", "send", "T2", "due", "2026-02-30", "2026-01-01",
         "mothers_t1", "mothers_t1:1", "W10.abc", "\x00", "9" * 30]
    ),
)  # fmt: skip
QUERIES = st.dictionaries(
    keys=st.one_of(
        st.sampled_from(
            ["site", "status", "wave", "limit", "cursor", "instrument", "from", "to",
             "version", "publication", "by_period"]
        ),
        st.text(min_size=1, max_size=10),
    ),
    values=QUERY_VALUES,
    max_size=4,
)  # fmt: skip


def test_no_query_string_makes_the_api_answer_500_or_a_page(app: Flask) -> None:
    factories.participants(app, 2)
    owner = factories.user(app, "admin")
    token = factories.api_token(app, owner.id)
    client = app.test_client()
    paths = ["/participants", "/due", "/responses", "/cases", "/codebook", "/report"]

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(query=QUERIES, path=st.sampled_from(paths))
    def run(query: dict[str, str], path: str) -> None:
        reply = client.get(
            "/api/v1" + path, query_string=query, headers={"Authorization": f"Bearer {token}"}
        )
        assert reply.status_code < 500, (path, query)
        assert reply.mimetype == "application/json", (path, query)

    run()


@pytest.mark.parametrize(
    "url", ["/api/v1/participants?%00=1", "/api/v1/participants/TC%00AAA", "/api/v1/due?a%01b="]
)
def test_a_nul_byte_in_a_name_or_the_path_is_refused_and_still_audited(
    app: Flask, url: str
) -> None:
    owner = factories.user(app, "researcher")
    token = factories.api_token(app, owner.id)
    reply = app.test_client().get(url, headers={"Authorization": f"Bearer {token}"})
    assert 400 <= reply.status_code < 500
    assert reply.mimetype == "application/json"
    with app.app_context():
        from sqlalchemy import select

        from survey_app.extensions import db
        from survey_app.models import AuditEvent

        [call] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "api.call"))
        assert "\x00" not in str(call.detail) + (call.target or "")


def test_a_fault_inside_the_api_is_a_json_500_never_a_page(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    # As served: the error is handled, not raised into the test (PROPAGATE_EXCEPTIONS off).
    served = make_app(PROPAGATE_EXCEPTIONS=False)
    owner = factories.user(served, "researcher")
    token = factories.api_token(served, owner.id)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr("survey_app.api.routes.followup.due_counts", broken)
    reply = served.test_client().get("/api/v1/due", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 500
    assert reply.mimetype == "application/json"
    assert "fault" not in reply.get_data(as_text=True)  # no detail of the fault is shown
