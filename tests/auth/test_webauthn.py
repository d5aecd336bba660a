"""Security keys (WebAuthn) as a second factor beside the authenticator key_app, driven through the
pages by a software key (tests/softkey.py): added from the account page after the password and
a code, named, listed, removed; used at login; refused for another account, replayed, or with
a counter that did not move on; every event audited."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from survey_app.extensions import db
from survey_app.models import AuditEvent, SecurityKey, User
from tests import factories
from tests.flows import PASSWORD, csrf_token, submit_form
from tests.softkey import SoftKey

_OPTIONS = re.compile(r'<script type="application/json" id="key-options">(.*?)</script>', re.S)


@pytest.fixture
def key_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(TOTP_REQUIRED_ROLES="admin,researcher")


_researcher = factories.enrolled_researcher


def _code(secret: str, steps: int) -> str:
    """The code of the step ``steps`` from now. Never made in the last 2 s of a step: made just
    before a step ends and checked just after, a code of the step before would be two steps old
    when checked, and refused (seen once on a loaded machine)."""
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.05)
    return pyotp.TOTP(secret).at(time.time() + 30 * steps)


def _logged_in(key_app: Flask, email: str, secret: str) -> FlaskClient:
    client = key_app.test_client()
    assert submit_form(client, "/login", {"email": email, "password": PASSWORD}).status_code == 302
    reply = submit_form(client, "/login/code", {"code": _code(secret, -1)})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    return client


def _options(page: TestResponse) -> dict[str, Any]:
    found = _OPTIONS.search(page.get_data(as_text=True))
    assert found, page.get_data(as_text=True)
    options: dict[str, Any] = json.loads(found.group(1))
    return options


def _add_key(
    client: FlaskClient, secret: str, key: SoftKey, name: str = "Blue key"
) -> TestResponse:
    asked = _continue(client, secret, name)
    assert asked.status_code == 200, asked.get_data(as_text=True)
    return client.post(
        "/account/keys/finish",
        data={"csrf_token": csrf_token(asked), "answer": key.create(_options(asked))},
    )


def _continue(
    client: FlaskClient, secret: str, name: str, password: str = PASSWORD
) -> TestResponse:
    page = client.get("/account/keys")
    assert page.status_code == 200
    return client.post(
        "/account/keys/add",
        data={
            "csrf_token": csrf_token(page),
            "name": name,
            "password": password,
            "code": _code(secret, 0),
        },
    )


def _to_key_step(key_app: Flask, email: str) -> tuple[FlaskClient, TestResponse]:
    client = key_app.test_client()
    reply = submit_form(client, "/login", {"email": email, "password": PASSWORD})
    assert reply.headers["Location"] == "/login/key"
    page = client.get("/login/key")
    assert page.status_code == 200
    return client, page


def _answer(client: FlaskClient, page: TestResponse, answer: str) -> TestResponse:
    return client.post("/login/key", data={"csrf_token": csrf_token(page), "answer": answer})


def _kinds(key_app: Flask) -> list[str]:
    with key_app.app_context():
        return list(db.session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


def test_a_key_is_added_after_both_factors_then_logs_her_in(key_app: Flask) -> None:
    secret = _researcher(key_app, "r@example.org")
    client = _logged_in(key_app, "r@example.org", secret)
    key = SoftKey()
    added = _add_key(client, secret, key)
    assert added.status_code == 302 and added.headers["Location"] == "/account/keys"
    listing = client.get("/account/keys").get_data(as_text=True)
    assert "Blue key" in listing and "Not yet" in listing

    client, page = _to_key_step(key_app, "r@example.org")
    assert 'href="/login/code"' in page.get_data(as_text=True)  # the key_app's code stays on offer
    assert client.get("/research/").status_code == 302  # not logged in before the key
    reply = _answer(client, page, key.get(_options(page)))
    assert reply.status_code == 302, reply.get_data(as_text=True)
    assert client.get("/research/").status_code == 200
    with key_app.app_context():
        stored = db.session.scalar(select(SecurityKey))
        assert stored is not None and stored.sign_count == 1 and stored.last_used_at
    kinds = _kinds(key_app)
    assert "webauthn.registered" in kinds and kinds[-1] == "webauthn.used"


def test_the_code_still_logs_in_a_user_with_a_key(key_app: Flask) -> None:
    secret = _researcher(key_app, "r@example.org")
    _add_key(_logged_in(key_app, "r@example.org", secret), secret, SoftKey())
    client, _ = _to_key_step(key_app, "r@example.org")
    reply = submit_form(client, "/login/code", {"code": _code(secret, 1)})
    assert reply.status_code == 302
    assert client.get("/research/").status_code == 200


@pytest.mark.parametrize("field", ["password", "code"])
def test_a_key_is_not_added_without_both_factors(key_app: Flask, field: str) -> None:
    secret = _researcher(key_app, "r@example.org")
    client = _logged_in(key_app, "r@example.org", secret)
    page = client.get("/account/keys")
    data = {
        "csrf_token": csrf_token(page),
        "name": "K",
        "password": PASSWORD,
        "code": _code(secret, 0),
    }
    data[field] = "wrong-password" if field == "password" else "000000"
    reply = client.post("/account/keys/add", data=data)
    assert reply.status_code == 422
    assert "key-options" not in reply.get_data(as_text=True)
    # and a finish without the ceremony's challenge adds nothing
    refused = client.post(
        "/account/keys/finish",
        data={"csrf_token": csrf_token(page), "answer": SoftKey().create({"challenge": "AAAA"})},
    )
    assert refused.status_code == 422
    with key_app.app_context():
        assert db.session.scalar(select(SecurityKey)) is None


def test_a_bad_name_or_a_garbled_answer_is_a_clear_422(key_app: Flask) -> None:
    secret = _researcher(key_app, "r@example.org")
    client = _logged_in(key_app, "r@example.org", secret)
    asked = _continue(client, secret, "Grey key")
    reply = client.post(
        "/account/keys/finish", data={"csrf_token": csrf_token(asked), "answer": "{not json"}
    )
    assert reply.status_code == 422
    assert "could not be checked" in reply.get_data(as_text=True)
    assert _continue(client, secret, "x" * 61).status_code == 422
    with key_app.app_context():
        assert db.session.scalar(select(SecurityKey)) is None


def test_an_assertion_by_another_accounts_key_is_refused(key_app: Flask) -> None:
    secrets_ = {e: _researcher(key_app, e) for e in ("a@example.org", "b@example.org")}
    key_a, key_b = SoftKey(), SoftKey()
    _add_key(
        _logged_in(key_app, "a@example.org", secrets_["a@example.org"]),
        secrets_["a@example.org"],
        key_a,
    )
    _add_key(
        _logged_in(key_app, "b@example.org", secrets_["b@example.org"]),
        secrets_["b@example.org"],
        key_b,
    )
    client, page = _to_key_step(key_app, "a@example.org")
    # B's key signs A's challenge, properly: still not A's key.
    reply = _answer(client, page, key_b.get(_options(page)))
    assert reply.status_code == 422
    assert "not registered to this account" in reply.get_data(as_text=True)
    assert client.get("/research/").status_code == 302
    assert _kinds(key_app)[-1] == "webauthn.failed"


@pytest.mark.parametrize("counts", [True, False], ids=["key-with-counter", "key-without-counter"])
def test_a_replayed_assertion_is_refused_even_with_the_old_cookie(
    key_app: Flask, counts: bool
) -> None:
    """Refused by the signature counter where the key keeps one; where it does not (many
    platform authenticators send 0), by the challenge, which is accepted once."""
    secret = _researcher(key_app, "r@example.org")
    key = SoftKey()
    _add_key(_logged_in(key_app, "r@example.org", secret), secret, key)
    client, page = _to_key_step(key_app, "r@example.org")
    cookie = client.get_cookie("session")
    assert cookie is not None
    answer = key.get(_options(page), count=counts)
    assert _answer(client, page, answer).status_code == 302
    # The same request again, from a browser holding the cookie as it was before the login.
    thief = key_app.test_client()
    thief.set_cookie("session", cookie.value)
    replayed = _answer(thief, page, answer)
    assert replayed.status_code == 422
    said = replayed.get_data(as_text=True)
    assert ("was not accepted" if counts else "used already") in said
    assert thief.get("/research/").status_code == 302
    assert _kinds(key_app)[-1] == "webauthn.failed"


def test_a_cloned_key_whose_counter_did_not_move_on_is_refused(key_app: Flask) -> None:
    secret = _researcher(key_app, "r@example.org")
    key = SoftKey()
    _add_key(_logged_in(key_app, "r@example.org", secret), secret, key)
    client, page = _to_key_step(key_app, "r@example.org")
    assert _answer(client, page, key.get(_options(page))).status_code == 302
    client, page = _to_key_step(key_app, "r@example.org")
    reply = _answer(client, page, key.get(_options(page), count=False))  # same counter: a clone
    assert reply.status_code == 422
    assert client.get("/research/").status_code == 302


def test_keys_are_removed_by_their_owner_only(key_app: Flask) -> None:
    secret = _researcher(key_app, "r@example.org")
    client = _logged_in(key_app, "r@example.org", secret)
    _add_key(client, secret, SoftKey(), "Blue key")
    other = _researcher(key_app, "o@example.org")
    other_client = _logged_in(key_app, "o@example.org", other)
    with key_app.app_context():
        key_id = db.session.scalar(select(SecurityKey.id))
    page = other_client.get("/account/keys")
    refused = other_client.post(
        f"/account/keys/{key_id}/remove", data={"csrf_token": csrf_token(page)}
    )
    assert refused.status_code == 404
    page = client.get("/account/keys")
    assert "Remove<span" in page.get_data(as_text=True)
    removed = client.post(f"/account/keys/{key_id}/remove", data={"csrf_token": csrf_token(page)})
    assert removed.status_code == 302
    assert "You have no security keys" in client.get("/account/keys").get_data(as_text=True)
    assert _kinds(key_app)[-1] == "webauthn.removed"
    # With no key left, the login asks for the code again.
    login = submit_form(
        key_app.test_client(), "/login", {"email": "r@example.org", "password": PASSWORD}
    )
    assert login.headers["Location"] == "/login/code"


def _first_key(key_app: Flask, email: str, key: SoftKey) -> FlaskClient:
    """Her first login, without a phone: the password, then a key in place of the app."""
    client = key_app.test_client()
    reply = submit_form(client, "/login", {"email": email, "password": PASSWORD})
    assert reply.headers["Location"] == "/login/enrol"
    offer = client.get("/login/enrol").get_data(as_text=True)
    assert 'href="/login/enrol/key"' in offer
    named = submit_form(client, "/login/enrol/key", {"name": "Work key"})
    assert named.status_code == 200, named.get_data(as_text=True)
    done = client.post(
        "/login/enrol/key/finish",
        data={"csrf_token": csrf_token(named), "answer": key.create(_options(named))},
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    assert done.headers["Location"] == "/research/"
    return client


def test_a_first_login_without_a_phone_sets_up_a_key_and_the_key_logs_her_in(
    key_app: Flask,
) -> None:
    factories.user(key_app, role="researcher", email="r@example.org")
    key = SoftKey()
    client = _first_key(key_app, "r@example.org", key)
    assert client.get("/research/").status_code == 200
    with key_app.app_context():
        [stored] = db.session.scalars(select(SecurityKey)).all()
        assert stored.name == "Work key"
    assert "webauthn.registered" in _kinds(key_app)
    # Next time the key is asked for, and no code is offered (she has no app).
    client, page = _to_key_step(key_app, "r@example.org")
    assert 'href="/login/code"' not in page.get_data(as_text=True)
    assert client.get("/login/code").headers["Location"] == "/login"
    assert _answer(client, page, key.get(_options(page))).status_code == 302
    assert client.get("/research/").status_code == 200


def test_the_password_alone_never_adds_a_key_to_an_account_with_a_second_factor(
    key_app: Flask,
) -> None:
    """A key at first login only: an account with the app (or a key already) goes to its
    own second step, and the first-key pages send it back to the login."""
    _researcher(key_app, "app@example.org")
    factories.user(key_app, role="researcher", email="key@example.org")
    _first_key(key_app, "key@example.org", SoftKey())
    for email in ("app@example.org", "key@example.org"):
        client = key_app.test_client()
        submit_form(client, "/login", {"email": email, "password": PASSWORD})
        assert client.get("/login/enrol/key").headers["Location"] == "/login", email
        page = client.get("/login")
        forced = client.post(
            "/login/enrol/key/finish",
            data={"csrf_token": csrf_token(page), "answer": SoftKey().create({"challenge": "AA"})},
        )
        assert forced.headers["Location"] == "/login", email
        assert client.get("/research/").status_code == 302
    with key_app.app_context():
        assert len(db.session.scalars(select(SecurityKey)).all()) == 1  # key@'s own only
    # Without the password step at all: back to the login.
    assert key_app.test_client().get("/login/enrol/key").headers["Location"] == "/login"


def test_a_refused_first_key_adds_nothing_and_says_why(key_app: Flask) -> None:
    factories.user(key_app, role="researcher", email="r@example.org")
    client = key_app.test_client()
    submit_form(client, "/login", {"email": "r@example.org", "password": PASSWORD})
    unnamed = submit_form(client, "/login/enrol/key", {"name": ""})
    assert unnamed.status_code == 422 and "Please give the key a name." in unnamed.get_data(
        as_text=True
    )
    named = submit_form(client, "/login/enrol/key", {"name": "Work key"})
    garbled = client.post(
        "/login/enrol/key/finish", data={"csrf_token": csrf_token(named), "answer": "{not json"}
    )
    assert garbled.status_code == 422
    assert "could not be checked. Please try again. The key was not added." in garbled.get_data(
        as_text=True
    )
    assert client.get("/research/").status_code == 302
    with key_app.app_context():
        assert db.session.scalar(select(SecurityKey)) is None


@pytest.fixture
def lock_app(make_app: Callable[..., Flask]) -> Flask:
    # The per-minute throttle is tested on its own (tests/test_concurrency.py); lifted here so
    # that ten answers can be sent in a row.
    return make_app(TOTP_REQUIRED_ROLES="admin,researcher", LOGIN_ACCOUNT_LIMIT="1000 per minute")


def test_refused_keys_and_wrong_codes_count_toward_one_lock(lock_app: Flask) -> None:
    secret = _researcher(lock_app, "r@example.org")
    key = SoftKey()
    _add_key(_logged_in(lock_app, "r@example.org", secret), secret, key)
    stranger = SoftKey()  # not hers: signs properly, refused
    client, page = _to_key_step(lock_app, "r@example.org")
    for _ in range(5):
        assert submit_form(client, "/login/code", {"code": "000000"}).status_code == 422
    for _ in range(4):
        page = client.get("/login/key")
        assert _answer(client, page, stranger.get(_options(page))).status_code == 422
    page = client.get("/login/key")
    locked = _answer(client, page, stranger.get(_options(page)))  # the tenth in a row
    assert locked.status_code == 429
    assert "locked for 15 more minutes" in locked.get_data(as_text=True)
    # While locked, her own key is refused unread, and so is a right code.
    page = client.get("/login/key")
    assert _answer(client, page, key.get(_options(page))).status_code == 429
    assert submit_form(client, "/login/code", {"code": _code(secret, 1)}).status_code == 429
    assert client.get("/research/").status_code == 302
    with lock_app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "totp.locked"))
        assert event.detail == {"wrong_codes": 10, "minutes": 15}
        assert _kinds(lock_app).count("webauthn.failed") == 5


def test_her_own_key_clears_the_count_of_wrong_answers(lock_app: Flask) -> None:
    secret = _researcher(lock_app, "r@example.org")
    key = SoftKey()
    _add_key(_logged_in(lock_app, "r@example.org", secret), secret, key)
    client, page = _to_key_step(lock_app, "r@example.org")
    for _ in range(9):
        page = client.get("/login/key")
        assert _answer(client, page, SoftKey().get(_options(page))).status_code == 422
    page = client.get("/login/key")
    assert _answer(client, page, key.get(_options(page))).status_code == 302
    with lock_app.app_context():
        stored = db.session.scalar(select(User).where(User.email == "r@example.org"))
        assert stored is not None and stored.totp_failures == 0


def test_a_key_only_account_adds_a_key_only_with_a_key_it_has(key_app: Flask) -> None:
    """Without the app, the password is not enough: a key she has confirms the new one."""
    factories.user(key_app, role="researcher", email="r@example.org")
    first = SoftKey()
    client = _first_key(key_app, "r@example.org", first)
    page = client.get("/account/keys")
    assert "then use a key you have" in page.get_data(as_text=True)
    asked = client.post(
        "/account/keys/add",
        data={"csrf_token": csrf_token(page), "name": "Spare key", "password": PASSWORD},
    )
    assert asked.status_code == 200 and "Confirm with a key you have" in asked.get_data(
        as_text=True
    )
    # Straight to the new key's finish, skipping the confirmation: nothing is added.
    skipped = client.post(
        "/account/keys/finish",
        data={"csrf_token": csrf_token(asked), "answer": SoftKey().create(_options(asked))},
    )
    assert skipped.status_code == 422
    # A key that is not hers does not confirm.
    page = client.get("/account/keys")
    asked = client.post(
        "/account/keys/add",
        data={"csrf_token": csrf_token(page), "name": "Spare key", "password": PASSWORD},
    )
    refused = client.post(
        "/account/keys/confirm",
        data={"csrf_token": csrf_token(asked), "answer": SoftKey().get(_options(asked))},
    )
    assert refused.status_code == 422 and "The key was not added." in refused.get_data(as_text=True)
    with key_app.app_context():
        assert len(db.session.scalars(select(SecurityKey)).all()) == 1
    # Her own key confirms; then the new key is made and added.
    page = client.get("/account/keys")
    asked = client.post(
        "/account/keys/add",
        data={"csrf_token": csrf_token(page), "name": "Spare key", "password": PASSWORD},
    )
    confirmed = client.post(
        "/account/keys/confirm",
        data={"csrf_token": csrf_token(asked), "answer": first.get(_options(asked))},
    )
    assert confirmed.status_code == 200 and "Add a security key" in confirmed.get_data(as_text=True)
    spare = SoftKey()
    added = client.post(
        "/account/keys/finish",
        data={"csrf_token": csrf_token(confirmed), "answer": spare.create(_options(confirmed))},
    )
    assert added.status_code == 302
    with key_app.app_context():
        names = [k.name for k in db.session.scalars(select(SecurityKey).order_by(SecurityKey.id))]
    assert names == ["Work key", "Spare key"]
