"""The landing page, the health check and error pages."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_the_landing_page_says_what_this_is(client: FlaskClient) -> None:
    response = client.get("/")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Together a Chance evaluation" in body
    assert 'href="/login"' in body
    assert 'href="/kiosk/"' in body


def test_healthz_checks_the_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


def test_unknown_pages_get_a_404_page(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "There is nothing at this address" in response.get_data(as_text=True)


def test_pages_carry_security_headers(client: FlaskClient) -> None:
    for path in ("/", "/login", "/no/such/page"):
        headers = client.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["Cache-Control"] == "no-store"


def test_production_adds_hsts(make_app: object) -> None:
    from collections.abc import Callable

    from flask import Flask

    build: Callable[..., Flask] = make_app  # type: ignore[assignment]
    production = build(SURVEY_APP_ENV="production", RATELIMIT_STORAGE_URI="memory://")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    headers = production.test_client().get("/").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_development_sends_no_hsts(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_a_server_error_shows_a_generic_page_without_a_trace(make_app: object) -> None:
    from collections.abc import Callable

    from flask import Flask

    build: Callable[..., Flask] = make_app  # type: ignore[assignment]
    broken = build(PROPAGATE_EXCEPTIONS=False)

    def explode() -> str:
        raise RuntimeError("secret detail /work/main/survey_app")

    broken.add_url_rule("/kiosk/boom", "boom_kiosk", explode)
    broken.add_url_rule("/research/boom", "boom_research", explode)
    for path, research_link in (("/kiosk/boom", False), ("/research/boom", True)):
        reply = broken.test_client().get(path)
        body = reply.get_data(as_text=True)
        assert reply.status_code == 500
        assert "Something went wrong on our side" in body
        assert "secret detail" not in body and "Traceback" not in body
        assert ('href="/research/"' in body) is research_link  # respondent pages lead nowhere
        assert reply.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_respondent_errors_lead_to_no_research_page(client: FlaskClient) -> None:
    reply = client.get("/s/" + "A" * 30)
    assert reply.status_code == 404
    assert "/research" not in reply.get_data(as_text=True) and "/login" not in reply.get_data(
        as_text=True
    )


def test_a_request_body_over_the_limit_gets_413(client: FlaskClient) -> None:
    reply = client.post("/login", data={"email": "x" * (600 * 1024)})
    assert reply.status_code == 413 and "too much to send" in reply.get_data(as_text=True)


def test_a_refusal_no_view_catches_answers_with_its_message_and_status(make_app: object) -> None:
    from collections.abc import Callable

    from flask import Flask

    from survey_app.services.links import LinkError
    from survey_app.services.participants import UnknownSite

    build: Callable[..., Flask] = make_app  # type: ignore[assignment]
    other = build()

    @other.route("/refused/link")
    def refused_link() -> str:
        raise LinkError("That link cannot be made.")

    @other.route("/kiosk/refused")
    def refused_kiosk() -> str:
        raise UnknownSite("No such site.")

    client = other.test_client()
    research = client.get("/refused/link")
    assert research.status_code == 422
    assert "That link cannot be made." in research.get_data(as_text=True)
    respondent = client.get("/kiosk/refused")
    assert respondent.status_code == 404
    assert "No such site." in respondent.get_data(as_text=True)
