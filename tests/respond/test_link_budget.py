"""A budget of new drafts per anonymous link per minute (LINK_NEW_DRAFTS_PER_MINUTE), counted
by the link's token and never by address: one client cannot fill the database with drafts."""

from __future__ import annotations

import http.cookiejar
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from survey_app.extensions import db, limiter
from survey_app.models import Response
from survey_app.services import links as link_ops
from tests.flows import csrf_token
from tests.liveserver import free_port, live_server
from tests.redisutil import missing_redis

BUSY = "Many people have started this questionnaire in the last minute"
ADDRESSES = ("192.0.2.", "203.0.113.9")


def _new_link(app: Flask) -> str:
    with app.app_context():
        token = link_ops.create(db.session, "prison_staff").token
        db.session.commit()
        return token


def _drafts(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Response)) or 0


def _press_start(app: Flask, token: str, number: int, *, csrf: bool = True) -> int:
    """A new browser, from an address of its own, opens the link and presses Start."""
    browser = app.test_client()
    browser.environ_base.update(
        {"REMOTE_ADDR": f"192.0.2.{number}", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    )
    landing = browser.get(f"/s/{token}")
    assert landing.status_code == 200
    data = {"csrf_token": csrf_token(landing) if csrf else "stale"}
    reply = browser.post(f"/s/{token}", data=data)
    if reply.status_code == 429:
        body = reply.get_data(as_text=True)
        assert BUSY in body and "Please wait a minute, then press Start again." in body
    return reply.status_code


def test_a_link_starts_at_most_its_budget_of_new_drafts_a_minute(
    make_app: Callable[..., Flask],
) -> None:
    strict = make_app(LINK_NEW_DRAFTS_PER_MINUTE="3")
    token, other = _new_link(strict), _new_link(strict)
    # Starts that start nothing (an expired page shows the landing page again) cost nothing.
    assert [_press_start(strict, token, n, csrf=False) for n in range(5)] == [200] * 5
    assert _drafts(strict) == 0
    assert [_press_start(strict, token, n) for n in range(1, 6)] == [302, 302, 302, 429, 429]
    assert _drafts(strict) == 3
    assert _press_start(strict, other, 9) == 302  # each link has its own budget
    # Nothing in the limiter's storage names an address; the budget is the token's.
    with strict.app_context():
        keys = list(limiter.storage.storage)  # type: ignore[attr-defined]  # memory://
    assert any(token in key for key in keys), keys
    assert not any(address in key for key in keys for address in ADDRESSES), keys


def test_someone_with_a_draft_still_gets_back_to_it_when_the_budget_is_spent(
    make_app: Callable[..., Flask],
) -> None:
    strict = make_app(LINK_NEW_DRAFTS_PER_MINUTE="1")
    token = _new_link(strict)
    browser = strict.test_client()
    landing = browser.get(f"/s/{token}")
    assert browser.post(f"/s/{token}", data={"csrf_token": csrf_token(landing)}).status_code == 302
    assert _press_start(strict, token, 2) == 429
    back = browser.get(f"/s/{token}")
    assert back.status_code == 302 and back.headers["Location"] == f"/s/{token}/page/0"
    assert browser.get(f"/s/{token}/page/0").status_code == 200


def test_the_budget_is_configured_as_a_positive_whole_number(tmp_path: Path) -> None:
    from survey_app.config import ConfigError, load_settings

    assert load_settings(tmp_path, {"SECRET_KEY": "x"}).link_new_drafts_per_minute == 30
    for bad in ("0", "many", "-5"):
        with pytest.raises(ConfigError, match="LINK_NEW_DRAFTS_PER_MINUTE"):
            load_settings(tmp_path, {"SECRET_KEY": "x", "LINK_NEW_DRAFTS_PER_MINUTE": bad})


# -- as deployed: several gunicorn workers sharing one limiter store -------------------------

REDIS = shutil.which("redis-server")


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway Redis on a free port, keeping nothing on disk."""
    if REDIS is None:
        missing_redis("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _start_over_http(base: str, token: str) -> tuple[int, str]:
    """A browser of its own (a cookie jar, no redirects followed): open the link, press Start."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    with opener.open(f"{base}/s/{token}", timeout=30) as landing:
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', landing.read().decode())
    assert match
    body = urllib.parse.urlencode({"csrf_token": match.group(1)}).encode()
    try:
        with opener.open(f"{base}/s/{token}", data=body, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as reply:
        return reply.code, reply.read().decode()


@pytest.mark.slow
def test_the_budget_holds_across_gunicorn_workers_with_a_shared_store(
    tmp_path: Path, redis_url: str
) -> None:
    import redis

    env = {"RATELIMIT_STORAGE_URI": redis_url, "LINK_NEW_DRAFTS_PER_MINUTE": "5"}
    with live_server(tmp_path, workers=3, extra_env=env) as server:
        token = _new_link(server.app)
        replies = [_start_over_http(server.url, token) for _ in range(12)]
        statuses = [status for status, _body in replies]
        assert statuses.count(302) == 5 and statuses.count(429) == 7, statuses
        assert all(BUSY in body for status, body in replies if status == 429)
        assert _drafts(server.app) == 5
    keys = [k.decode() for k in redis.Redis.from_url(redis_url).keys("*")]
    assert keys and all(token in key for key in keys), keys
    assert not any("127.0.0.1" in key for key in keys), keys
