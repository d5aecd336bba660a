"""gunicorn run with the README's command keeps no access-log line of an anonymous
respondent's requests (their times, matched against row order, would date each response), and
no log, the app's or gunicorn's, writes a link's token (its secret address)."""

from __future__ import annotations

import http.cookiejar
import io
import logging
import re
import secrets
import shlex
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from gunicorn.config import Config

from survey_app.accesslog import RespondentSafeLogger
from survey_app.extensions import db
from survey_app.logtokens import redact
from survey_app.services import links as link_ops
from tests.liveserver import ROOT, live_server

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_TIME = re.compile(r"\[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]")


def readme_gunicorn_options() -> list[str]:
    """The options of the README's gunicorn command, less workers, address and app."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^\.venv/bin/gunicorn (?:.*\\\n)*.*$", readme, re.M)
    assert match, "no gunicorn command in the README"
    words = shlex.split(match.group(0).replace("\\\n", " "))[1:]
    options: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("-w", "-b"):
            skip = True
        elif word != "wsgi:app":
            options.append(word)
    return options


def test_the_readme_command_logs_no_respondent_request(tmp_path: Path) -> None:
    options = readme_gunicorn_options()
    assert "--access-logfile" in options  # an access log is kept, for everything else
    with live_server(tmp_path, workers=1, gunicorn_args=options) as server:
        with server.app.app_context():
            token = link_ops.create(db.session, "prison_staff").token
            db.session.commit()
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

        def fetch(path: str, form: dict[str, str] | None = None) -> str:
            data = urllib.parse.urlencode(form).encode() if form is not None else None
            with opener.open(f"{server.url}{path}", data=data, timeout=30) as reply:
                assert reply.status == 200, (path, reply.status)
                return str(reply.read().decode())

        landing = fetch(f"/s/{token}")
        csrf = _CSRF.search(landing)
        assert csrf, "no CSRF token on the landing page"
        first_page = fetch(f"/s/{token}", {"csrf_token": csrf.group(1)})  # Start, redirected
        assert 'name="consent_take_part"' in first_page
        fetch("/static/css/app.css")
        fetch(f"//s/{token}/page/0")  # redirected to /s/...
        fetch("/login")
    log = server.log.read_text()

    assert token not in log
    assert not [line for line in log.splitlines() if "/s/" in line or "/static/" in line]
    [login] = [line for line in log.splitlines() if '"GET /login ' in line]
    assert _TIME.search(login), login  # other requests keep the configured format


def test_an_error_on_a_link_page_is_logged_without_its_token(
    make_app: Callable[..., Flask],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = secrets.token_urlsafe(24)

    def fail(given: str) -> None:
        # As a failed query would: the token in the exception's own text.
        raise RuntimeError(f"link lookup failed [parameters: ({given!r},)]")

    monkeypatch.setattr("survey_app.respond.link._open_link", fail)
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    with caplog.at_level(logging.ERROR):
        for path in (f"/s/{token}", f"/s/{token}/page/0"):
            assert app.test_client().get(path).status_code == 500
    assert "Exception on /s/<token> [GET]" in caplog.text
    assert "Exception on /s/<token>/page/0 [GET]" in caplog.text
    assert "RuntimeError: link lookup failed" in caplog.text  # the cause is still told
    assert token not in caplog.text
    assert all(r.exc_info is None for r in caplog.records)  # the exception's text went too


def test_gunicorns_error_log_hides_a_link_token() -> None:
    token = secrets.token_urlsafe(24)
    config = Config()
    config.set("errorlog", "/dev/null")
    logger = RespondentSafeLogger(config)
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    logger.error_log.addHandler(handler)
    try:
        try:
            raise OSError(f"connection reset on //s/{token}/submit")
        except OSError:
            logger.exception("Error handling request %s", f"/s/{token}/page/2?lang=cy")
    finally:
        logger.error_log.removeHandler(handler)
    text = written.getvalue()
    assert "Error handling request /s/<token>/page/2?lang=cy" in text
    assert "OSError: connection reset on //s/<token>/submit" in text
    assert token not in text


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        ("GET /s/abc-DEF_123 HTTP/1.1", "GET /s/<token> HTTP/1.1"),
        ("//s/abc/page/0", "//s/<token>/page/0"),
        ("/%73/abc?x=1", "/%73/<token>?x=1"),
        ("'/s/abc'", "'/s/<token>'"),
        ("/research/links /static/app.css", "/research/links /static/app.css"),
    ],
)
def test_link_paths_are_redacted_however_spelt(logged: str, shown: str) -> None:
    assert redact(logged) == shown
