"""Web benchmarks: survey_app under gunicorn (tests/liveserver.py) against a bare Flask app
under the same gunicorn settings, loaded by bench/loadgen.py from 127.0.0.1."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from sqlalchemy import func, insert, select

from bench import loadgen
from bench.answers import answers_for
from bench.loadgen import Browser, Reply, Request, form_body
from survey_app.extensions import db
from survey_app.instruments import model
from survey_app.instruments.publish import latest_version
from survey_app.models import Response, ResponseStatus
from survey_app.models.types import random_id, today
from survey_app.services import links as link_ops
from survey_app.services import participants as participant_ops
from survey_app.services.responses import new_submission_key
from tests import dbutil, factories
from tests.flows import default_answer, instrument
from tests.liveserver import LiveServer, free_port, live_server

BENCH = Path(__file__).resolve().parent
_CSRF = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
_KEY = re.compile(rb'name="submission_key" value="([^"]+)"')
_NAMES = re.compile(rb'<(?:input|textarea|select)[^>]*\sname="([a-z][a-z0-9_]*)"')


@dataclass(frozen=True)
class Load:
    clients: int = 16
    requests: int = 3000  # per scenario, at most
    seconds: float = 15.0  # per scenario, at most
    warmup: int = 100


def _csrf(reply: Reply) -> str:
    match = _CSRF.search(reply.body)
    if not match:
        raise RuntimeError(f"no CSRF token on the page ({reply.status})")
    return match.group(1).decode()


def _expect(reply: Reply, status: int, location: str | None = None) -> Reply:
    where = reply.headers.get("Location")
    if reply.status != status or (location is not None and where != location):
        raise RuntimeError(f"expected {status} {location or ''}, got {reply.status} {where}")
    return reply


def _answer_page(browser: Browser, path: str, questionnaire: model.Instrument) -> str:
    page = _expect(browser.request("GET", path), 200)
    data: dict[str, Any] = {"csrf_token": _csrf(page), "action": "next"}
    for raw in dict.fromkeys(_NAMES.findall(page.body)):
        name = raw.decode()
        item = questionnaire.item(name)
        if item is not None:
            data[name] = default_answer(item)
    reply = _expect(browser.request("POST", path, data), 302)
    return str(reply.headers["Location"])


# -- servers ------------------------------------------------------------------------------


@contextmanager
def bare_server(tmp_dir: Path, workers: int, threads: int) -> Iterator[tuple[str, Path]]:
    """bench/bare_app.py under gunicorn with the settings of tests/liveserver.py."""
    port = free_port()
    log = tmp_dir / f"bare-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-w",
        str(workers),
        "--threads",
        str(threads),
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "-",
        "--access-logformat",
        '%(t)s "%(r)s" %(s)s %(b)s %(L)s',
        "--chdir",
        str(BENCH),
        "bare_app:app",
    ]
    with open(log, "wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=BENCH, stdout=log_file, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"bare gunicorn did not start:\n{log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as reply:  # noqa: S310 - loopback
                    if reply.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        yield base, log
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def database(tmp_dir: Path, backend: str, postgres_url: str | None) -> Iterator[str]:
    """A fresh database: a SQLite file in ``tmp_dir`` or a new database on the PostgreSQL
    server (created and dropped by tests/dbutil.fresh_database)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_dir / 'bench.db'}"
        return
    assert postgres_url
    with (
        mock.patch.object(dbutil, "SERVER_URL", postgres_url),
        dbutil.fresh_database(tmp_dir) as url,
    ):
        yield url


@contextmanager
def app_server(
    tmp_dir: Path, database_url: str, workers: int, threads: int
) -> Iterator[LiveServer]:
    env = {"KIOSK_IDLE_SECONDS": "3600"}  # the kiosk session outlives the whole run
    with live_server(
        tmp_dir, workers=workers, threads=threads, extra_env=env, database_url=database_url
    ) as server:
        yield server


# -- scenarios ----------------------------------------------------------------------------


def _with_cookie(browser: Browser, **headers: str) -> dict[str, str]:
    return {**browser.cookie_header(), **headers}


def kiosk_question_page(server: LiveServer) -> Request:
    """A fieldworker logs in and unlocks a kiosk for T1; a mother enters her ID and gives
    consent. The request is the next page (/kiosk/page/1) with her session cookie."""
    fieldworker = factories.user(server.app, role="fieldworker", email="bench-fw@example.org")
    with server.app.app_context():
        site = participant_ops.site_by_code(db.session, "send")
        [participant] = participant_ops.register(db.session, site)
        db.session.commit()
        pseudonym = participant.pseudonym
    mothers = instrument(server.app, "mothers_t1")
    browser = Browser(server.url)
    try:
        login = browser.request("GET", "/login")
        form = {
            "csrf_token": _csrf(login),
            "email": fieldworker.email,
            "password": factories.PASSWORD,
        }
        _expect(browser.request("POST", "/login", form), 302)
        setup = browser.request("GET", "/kiosk/")
        form = {"csrf_token": _csrf(setup), "site": "send", "wave": "T1"}
        _expect(browser.request("POST", "/kiosk/", form), 302, "/kiosk/lock")
        start = browser.request("GET", "/kiosk/start")
        form = {"csrf_token": _csrf(start), "participant_id": pseudonym}
        _expect(browser.request("POST", "/kiosk/start", form), 302, "/kiosk/page/0")
        after_consent = _answer_page(browser, "/kiosk/page/0", mothers)
        if after_consent != "/kiosk/page/1":
            raise RuntimeError(f"consent led to {after_consent}")
        _expect(browser.request("GET", "/kiosk/page/1"), 200)
        return Request("GET", "/kiosk/page/1", headers=_with_cookie(browser, Accept="text/html"))
    finally:
        browser.close()


def check_question_page(reply: Reply) -> str | None:
    if reply.status != 200:
        return f"status {reply.status} {reply.headers.get('Location', '')}"
    if b'action="/kiosk/page/1"' not in reply.body:
        return "not the question page"
    return None


def make_link(server: LiveServer) -> str:
    with server.app.app_context():
        token = link_ops.create(db.session, "prison_staff").token
        db.session.commit()
        return token


def completed_link_submit(server: LiveServer, token: str) -> Request:
    """A staff member answers through the link and sends; the request is that final submit
    again (same cookie, CSRF token and submission key): the idempotent path."""
    staff = instrument(server.app, "prison_staff")
    browser = Browser(server.url)
    try:
        landing = browser.request("GET", f"/s/{token}")
        _expect(
            browser.request("POST", f"/s/{token}", {"csrf_token": _csrf(landing)}),
            302,
            f"/s/{token}/page/0",
        )
        location = f"/s/{token}/page/0"
        for _ in range(len(staff.sections)):
            if not location.startswith(f"/s/{token}/page/"):
                break
            location = _answer_page(browser, location, staff)
        finish = _expect(browser.request("GET", location), 200)
        key = _KEY.search(finish.body)
        assert key
        form = {"csrf_token": _csrf(finish), "submission_key": key.group(1).decode()}
        _expect(browser.request("POST", f"/s/{token}/submit", form), 302, f"/s/{token}/thanks")
        return Request(
            "POST",
            f"/s/{token}/submit",
            form_body(form),
            _with_cookie(browser, **{"Content-Type": "application/x-www-form-urlencoded"}),
        )
    finally:
        browser.close()


def fresh_submits(
    server: LiveServer, token: str, count: int
) -> tuple[str, list[str], list[dict[str, str]]]:
    """``count`` drafts on the link with every page answered (made through the models), and
    one browser session with a CSRF token, copied into one cookie per draft that holds that
    draft (a link sends only the draft its browser holds): each request completes a
    different draft."""
    rng = random.Random(7)  # noqa: S311 - made-up answers, not secrets
    with server.app.app_context():
        link = link_ops.by_token(db.session, token)
        version = latest_version(db.session, "prison_staff")
        assert link is not None and version is not None
        staff = model.from_version(version)
        keys = [new_submission_key() for _ in range(count)]
        rows = [
            {
                "id": random_id(),
                "instrument_version_id": version.id,
                "channel": "link",
                "link_id": link.id,
                "status": ResponseStatus.IN_PROGRESS,
                "submission_key": key,
                "answers": answers_for(staff, rng),
                "language": "en",
                "started_on": today(),
                "flags": {},
            }
            for key in keys
        ]
        for start in range(0, len(rows), 1000):
            db.session.execute(insert(Response), rows[start : start + 1000])
        db.session.commit()
    browser = Browser(server.url)
    try:
        csrf = _csrf(browser.request("GET", f"/s/{token}"))
        signer = server.app.session_interface.get_signing_serializer(server.app)  # type: ignore[attr-defined]
        assert signer is not None
        session = signer.loads(browser.cookies["session"])
        headers = [
            {
                "Cookie": "session="
                + signer.dumps({**session, "links": {token: {"key": key, "seen": time.time()}}}),
                "Content-Type": "application/x-www-form-urlencoded",
            }
            for key in keys
        ]
        return csrf, keys, headers
    finally:
        browser.close()


def check_thanks(reply: Reply) -> str | None:
    where = reply.headers.get("Location", "")
    if reply.status != 302 or not where.endswith("/thanks"):
        return f"status {reply.status} {where}"
    return None


def complete_count(server: LiveServer, token: str) -> int:
    with server.app.app_context():
        link = link_ops.by_token(db.session, token)
        assert link is not None
        found = db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.link_id == link.id, Response.status == ResponseStatus.COMPLETE)
        )
        db.session.rollback()
        return int(found or 0)


_SERVED = re.compile(r'" (\d{3}) \S+ (\d+\.\d+)$')


def server_times(log: Path, offset: int) -> list[float]:
    """Milliseconds per request as gunicorn logged them (the %(L)s field) after ``offset``:
    the time inside the worker, without the queueing and the client's own overhead."""
    with open(log, "rb") as handle:
        handle.seek(offset)
        text = handle.read().decode(errors="replace")
    return [float(m.group(2)) * 1000 for m in map(_SERVED.search, text.splitlines()) if m]


def _measure(
    name: str,
    base: str,
    make: Any,
    check: loadgen.Check,
    load: Load,
    log: Path,
    warm: bool = True,
) -> dict[str, Any]:
    if warm and load.warmup:
        loadgen.run(name, base, make, check, clients=load.clients, requests=load.warmup, seconds=10)
    offset = log.stat().st_size
    result = loadgen.run(
        name,
        base,
        make,
        check,
        clients=load.clients,
        requests=load.requests,
        seconds=load.seconds,
    )
    summary = result.summary()
    time.sleep(0.2)  # the last access-log lines
    served = sorted(server_times(log, offset))
    summary["server_p50_ms"] = round(served[len(served) // 2], 2) if served else None
    summary["server_mean_ms"] = round(sum(served) / len(served), 2) if served else None
    return summary


def bench_bare(tmp_dir: Path, load: Load, workers: int, threads: int) -> dict[str, Any]:
    with bare_server(tmp_dir, workers, threads) as (base, log):
        request = Request("GET", "/")

        def check(reply: Reply) -> str | None:
            return None if reply.status == 200 and reply.body == b"ok" else f"{reply.status}"

        return _measure("bare Flask GET /", base, lambda _i: request, check, load, log)


def bench_app(
    tmp_dir: Path, backend: str, postgres_url: str | None, load: Load, workers: int, threads: int
) -> dict[str, Any]:
    """The survey_app scenarios on one database."""
    results: list[dict[str, Any]] = []
    with (
        database(tmp_dir, backend, postgres_url) as url,
        app_server(tmp_dir, url, workers, threads) as server,
    ):
        page = kiosk_question_page(server)
        results.append(
            _measure(
                "question page (kiosk T1 page 1)",
                server.url,
                lambda _i: page,
                check_question_page,
                load,
                server.log,
            )
        )
        token = make_link(server)
        replay = completed_link_submit(server, token)
        results.append(
            _measure(
                "submit, already complete (replay)",
                server.url,
                lambda _i: replay,
                check_thanks,
                load,
                server.log,
            )
        )
        fresh_count = load.requests
        csrf, keys, headers = fresh_submits(server, token, fresh_count)
        bodies = [form_body({"csrf_token": csrf, "submission_key": k}) for k in keys]
        path = f"/s/{token}/submit"
        before = complete_count(server, token)
        fresh = _measure(
            "submit, fresh complete",
            server.url,
            lambda i: Request("POST", path, bodies[i], headers[i]),
            check_thanks,
            load,
            server.log,
            warm=False,
        )
        stored = complete_count(server, token) - before
        fresh["stored"] = stored
        if stored != fresh["ok"]:
            fresh["first_errors"].append(f"{fresh['ok']} sends answered but {stored} stored")
            fresh["errors"] += abs(fresh["ok"] - stored)
        results.append(fresh)
        health = Request("GET", "/healthz")
        results.append(
            _measure(
                "health check (/healthz, one SELECT 1)",
                server.url,
                lambda _i: health,
                lambda r: None if r.status == 200 else str(r.status),
                load,
                server.log,
            )
        )
        log = server.log.read_text(errors="replace")
        problems = {
            "database is locked": log.count("database is locked"),
            "Traceback": log.count("Traceback"),
            "5xx": len(re.findall(r'" 5\d\d ', log)),
        }
    return {"backend": backend, "scenarios": results, "server_log": problems}
