"""Property-based form fuzzing: random, oversized, missing and extra fields posted to every
form, respondent and research. Whatever arrives, the answer is never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from survey_app.extensions import db
from survey_app.services import links as link_ops
from survey_app.services import participants as participant_ops
from tests import factories
from tests.flows import PASSWORD

KNOWN = [
    "email",
    "password",
    "code",
    "site",
    "wave",
    "participant_id",
    "action",
    "submission_key",
    "format",
    "date_from",
    "date_to",
    "versions",
    "publication",
    "count",
    "reason",
    "mode",
    "instrument",
    "closes_on",
    "role",
    "current",
    "new",
    "confirm",
    "status",
    "consent_info_sheet",
    "consent_take_part",
    "consent_skip",
    "css_trust",
    "csw_contact",
    "tac_hopes",
    "contact_purpose",
    "role_level",
    "gaps_filled",
    "days",
    "password",
]
VALUE = st.one_of(
    st.text(max_size=30),
    st.text(min_size=1000, max_size=3000),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.sampled_from(
        [
            "",
            "1",
            "-1",
            "-2",
            "-3",
            "0",
            "99",
            "next",
            "back",
            "lang:cy",
            "decline",
            "timeout",
            "xlsx",
            "sav",
            "csv",
            "delete",
            "keep",
            "2026-02-30",
            "send",
            "\x00",
            "=1+1",
            "TC-AAA-AAAA",
        ]
    ),
)
FORMS = st.dictionaries(
    keys=st.one_of(st.sampled_from(KNOWN), st.text(min_size=1, max_size=15)),
    values=st.lists(VALUE, min_size=1, max_size=3),
    max_size=8,
)
FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def open_app(make_app: Callable[..., Flask]) -> Flask:
    # CSRF off, so that the fuzz reaches the forms' own validation (CSRF is tested elsewhere).
    return make_app(WTF_CSRF_ENABLED=False)


def _post(client: FlaskClient, url: str, form: dict[str, list[str]]) -> int:
    data = MultiDict([(k, v) for k, values in form.items() for v in values])
    reply = client.post(url, data=data)
    reply.close()
    return reply.status_code


def _login(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    assert (
        client.post(
            "/login", data={"email": f"{role}@example.org", "password": PASSWORD}
        ).status_code
        == 302
    )
    return client


def test_research_forms_never_answer_500(open_app: Flask) -> None:
    for role in ("fieldworker", "researcher", "admin"):
        factories.user(open_app, role=role, email=f"{role}@example.org")
    with open_app.app_context():
        [participant] = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, "send")
        )
        link = link_ops.create(db.session, "prison_staff")
        pseudonym, link_id = participant.pseudonym, link.id
        db.session.commit()
    admin = _login(open_app, "admin")
    anonymous = open_app.test_client()
    urls = [
        "/research/participants/new",
        f"/research/participants/{pseudonym}/withdraw",
        f"/research/participants/{pseudonym}/responses/{'0' * 32}/void",
        "/research/links",
        f"/research/links/{link_id}/close",
        "/research/export",
        "/research/users",
        "/account/password",
        "/account/tokens/add",
        "/kiosk/",
    ]

    @FUZZ
    @given(form=FORMS, which=st.sampled_from(urls))
    def run(form: dict[str, list[str]], which: str) -> None:
        assert _post(admin, which, form) < 500, (which, form)
        assert _post(anonymous, "/login", form) < 500, form

    run()


def test_respondent_forms_never_answer_500(open_app: Flask) -> None:
    factories.user(open_app, role="fieldworker", email="fieldworker@example.org")
    with open_app.app_context():
        made = participant_ops.register(
            db.session, participant_ops.site_by_code(db.session, "send"), 3
        )
        link = link_ops.create(db.session, "prison_staff")
        pseudonyms, token = [p.pseudonym for p in made], link.token
        db.session.commit()
    kiosk = _login(open_app, "fieldworker")
    assert kiosk.post("/kiosk/", data={"site": "send", "wave": "T1"}).status_code == 302
    browser = open_app.test_client()
    browser.post(f"/s/{token}")

    def restart() -> None:
        # Keep a respondent at the kiosk, so that pages are reached, not just the lock screen.
        kiosk.post("/kiosk/start", data={"participant_id": pseudonyms[0]})

    urls: list[tuple[FlaskClient, str]] = [
        (kiosk, "/kiosk/start"),
        (kiosk, "/kiosk/page/0"),
        (kiosk, "/kiosk/page/1"),
        (kiosk, "/kiosk/page/99"),
        (kiosk, "/kiosk/resume"),
        (kiosk, "/kiosk/notice"),
        (kiosk, "/kiosk/stop?from=x"),
        (kiosk, "/kiosk/submit"),
        (browser, f"/s/{token}"),
        (browser, f"/s/{token}/page/0"),
        (browser, f"/s/{token}/page/2"),
        (browser, f"/s/{token}/submit"),
    ]

    @FUZZ
    @given(form=FORMS, which=st.integers(min_value=0, max_value=len(urls) - 1))
    def run(form: dict[str, list[str]], which: int) -> None:
        restart()
        client, url = urls[which]
        assert _post(client, url, form) < 500, (url, form)

    run()
    assert kiosk.post("/kiosk/exit", data={"password": "wrong wrong wrong"}).status_code == 422


def test_a_nul_byte_in_any_field_is_refused_with_400(open_app: Flask) -> None:
    factories.user(open_app, role="admin", email="admin@example.org")
    admin = _login(open_app, "admin")
    for url in ("/login", "/research/links", "/research/users", "/kiosk/", "/s/" + "A" * 30):
        for field in ("email", "password", "instrument", "site", "participant_id", "csrf_token"):
            reply = admin.post(url, data={field: "a\x00b"})
            assert reply.status_code == 400, (url, field, reply.status_code)
            assert "not allowed" in reply.get_data(as_text=True)
    assert admin.get("/research/audit?kind=a%00b").status_code == 400
