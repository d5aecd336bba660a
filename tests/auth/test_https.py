"""Forms over HTTPS and behind a reverse proxy, in process (tests/e2e/test_tls.py does the same
in a real browser): no form needs a Referer, a form from another origin is refused, and
TRUSTED_PROXIES decides whose X-Forwarded-For and X-Forwarded-Proto are believed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Response
from survey_app.services import links as link_ops
from tests import factories
from tests.flows import PASSWORD, csrf_token

HTTPS = "https://localhost"
EXPIRED = "nothing was sent"  # the CSRF error page's words


def _link(app: Flask) -> str:
    with app.app_context():
        token = link_ops.create(db.session, "prison_staff").token
        db.session.commit()
        return token


def _responses(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response)) or 0


def test_forms_posted_over_https_without_a_referer_are_accepted(
    app: Flask, client: FlaskClient
) -> None:
    """Every page sends Referrer-Policy: no-referrer, so the browser sends no Referer."""
    factories.user(app, "researcher", "https@example.org")
    login = client.get("/login", base_url=HTTPS)
    reply = client.post(
        "/login",
        base_url=HTTPS,
        data={"csrf_token": csrf_token(login), "email": "https@example.org", "password": PASSWORD},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert reply.status_code == 302, reply.get_data(as_text=True)
    assert reply.location == "/research/"

    token = _link(app)
    landing = client.get(f"/s/{token}", base_url=HTTPS)
    started = client.post(f"/s/{token}", base_url=HTTPS, data={"csrf_token": csrf_token(landing)})
    assert started.status_code == 302 and _responses(app) == 1


@pytest.mark.parametrize("source", ["cross-site", "same-site"])
def test_a_form_sent_from_another_origin_is_refused(
    app: Flask, client: FlaskClient, source: str
) -> None:
    """Sec-Fetch-Site gives the same-origin proof the Referer check gave: a page elsewhere
    (another site, or http:// beside https://) that somehow holds a valid token is refused."""
    factories.user(app, "researcher", "origin@example.org")
    form = {"csrf_token": csrf_token(client.get("/login")), "email": "origin@example.org"}
    refused = client.post(
        "/login", data={**form, "password": PASSWORD}, headers={"Sec-Fetch-Site": source}
    )
    assert refused.status_code == 400 and EXPIRED in refused.get_data(as_text=True)

    token = _link(app)  # respondent forms check their token themselves: refused all the same
    landing = client.get(f"/s/{token}")
    refused = client.post(
        f"/s/{token}", data={"csrf_token": csrf_token(landing)}, headers={"Sec-Fetch-Site": source}
    )
    assert refused.status_code == 400 and _responses(app) == 0

    accepted = client.post(
        "/login", data={**form, "password": PASSWORD}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert accepted.status_code == 302


def _failed_logins(client: FlaskClient, forwarded_for: str, times: int) -> list[int]:
    token = csrf_token(client.get("/login"))
    return [
        client.post(
            "/login",
            data={"csrf_token": token, "email": f"nobody{n}@example.org", "password": "wrong 123"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
        for n in range(times)
    ]


def test_behind_a_trusted_proxy_each_client_is_counted_and_the_scheme_is_https(
    make_app: Callable[..., Flask],
) -> None:
    proxied = make_app(TRUSTED_PROXIES="1", LOGIN_ADDRESS_LIMIT="2 per minute")
    client = proxied.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.71"  # the proxy
    assert _failed_logins(client, "198.51.100.7", 3) == [200, 200, 429]
    assert _failed_logins(client, "198.51.100.8", 1) == [200]  # another client, same proxy

    factories.user(proxied, "researcher", "proxied@example.org")
    login = client.get("/login")
    client.post(
        "/login",
        data={
            "csrf_token": csrf_token(login),
            "email": "proxied@example.org",
            "password": PASSWORD,
        },
        headers={"X-Forwarded-For": "198.51.100.9"},
    )
    token = _link(proxied)
    links = client.get("/research/links", headers={"X-Forwarded-Proto": "https"})
    assert f"https://localhost/s/{token}" in links.get_data(as_text=True)


def test_without_trusted_proxies_forwarded_headers_are_ignored(
    make_app: Callable[..., Flask],
) -> None:
    """The default: a client reaching gunicorn directly cannot pick its address or scheme."""
    direct = make_app(LOGIN_ADDRESS_LIMIT="2 per minute")
    client = direct.test_client()
    client.environ_base["REMOTE_ADDR"] = "192.0.2.72"
    assert _failed_logins(client, "198.51.100.10", 2) == [200, 200]
    assert _failed_logins(client, "198.51.100.11", 1) == [429]

    factories.user(direct, "researcher", "direct@example.org")
    direct.config["LOGIN_ADDRESS_LIMIT"] = "100 per minute"
    login = client.get("/login")
    logged_in = client.post(
        "/login",
        data={"csrf_token": csrf_token(login), "email": "direct@example.org", "password": PASSWORD},
    )
    assert logged_in.status_code == 302
    token = _link(direct)
    links = client.get("/research/links", headers={"X-Forwarded-Proto": "https"})
    assert f"http://localhost/s/{token}" in links.get_data(as_text=True)
