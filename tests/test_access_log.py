"""gunicorn run with the README's command keeps no access-log line of an anonymous
respondent's requests (their times, matched against row order, would date each response)."""

from __future__ import annotations

import http.cookiejar
import re
import shlex
import urllib.parse
import urllib.request
from pathlib import Path

from survey_app.extensions import db
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
