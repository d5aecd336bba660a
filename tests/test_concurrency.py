"""Concurrency against a real gunicorn (tests/liveserver.py) on the database under test.

Simulated browsers talk HTTP to 127.0.0.1 with the standard library only (``http.client``),
each with its own connection and cookie jar, and drive the pages as a person does: GET a
page, read its CSRF token and questions, POST the answers, follow the redirect by hand."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.instruments.model import Instrument
from survey_app.models import AuditEvent, Response, ResponseStatus, User
from survey_app.services import links as link_ops
from survey_app.services import participants as participant_ops
from tests import factories
from tests.flows import default_answer, instrument
from tests.liveserver import LiveServer, live_server
from tests.redisutil import missing_redis, redis_problem, shared_store

BROWSERS = 16  # concurrent simulated browsers
FRESH = 400  # distinct complete responses
REPLAYS = 200  # final submits sent again with an already-used submission key
# One respondent in FULL_EVERY answers every page; the others give consent, skip the optional
# questions and send (still a complete response), to keep the test fast on two cores.
FULL_EVERY = 8

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_KEY = re.compile(r'name="submission_key" value="([^"]+)"')
_NAMES = re.compile(r'<(?:input|textarea|select)[^>]*\sname="([a-z][a-z0-9_]*)"')
_NOT_QUESTIONS = {"csrf_token", "action", "submission_key"}


class ServerError(AssertionError):
    pass


@dataclass
class Reply:
    status: int
    location: str
    body: str

    def csrf(self) -> str:
        match = _CSRF.search(self.body)
        assert match, f"no CSRF token on the page ({self.status})"
        return match.group(1)

    def submission_key(self) -> str:
        match = _KEY.search(self.body)
        assert match, "no submission key on the page"
        return match.group(1)

    def questions(self) -> list[str]:
        names: list[str] = []
        for name in _NAMES.findall(self.body):
            # Not an "Other, please specify" box (<variable>_other): left empty.
            if name not in _NOT_QUESTIONS and name not in names and not name.endswith("_other"):
                names.append(name)
        return names


@dataclass
class Browser:
    """One person's browser: a keep-alive connection per server and one cookie jar."""

    cookies: dict[str, str] = field(default_factory=dict)
    _connections: dict[str, http.client.HTTPConnection] = field(default_factory=dict)
    statuses: list[int] = field(default_factory=list)

    def request(
        self, base: str, method: str, path: str, form: Mapping[str, Any] | None = None
    ) -> Reply:
        connection = self._connection(base)
        headers = {"Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
        except (ConnectionError, http.client.RemoteDisconnected):
            # The server closed a kept-alive connection: a browser opens a new one.
            connection.close()
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
        text = reply.read().decode("utf-8", "replace")
        self._keep_cookies(reply.headers.get_all("Set-Cookie") or [])
        self.statuses.append(reply.status)
        if reply.status >= 500:
            raise ServerError(f"{method} {path} answered {reply.status}: {text[:500]}")
        return Reply(reply.status, reply.headers.get("Location", ""), text)

    def get(self, base: str, path: str) -> Reply:
        return self.request(base, "GET", path)

    def post(self, base: str, path: str, form: Mapping[str, Any]) -> Reply:
        return self.request(base, "POST", path, form)

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()

    def _connection(self, base: str) -> http.client.HTTPConnection:
        if base not in self._connections:
            parts = urllib.parse.urlsplit(base)
            assert parts.hostname == "127.0.0.1", base  # loopback only
            self._connections[base] = http.client.HTTPConnection(
                parts.hostname, parts.port, timeout=30
            )
        return self._connections[base]

    def _keep_cookies(self, headers: list[str]) -> None:
        for header in headers:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value


def answer_page(
    browser: Browser, base: str, path: str, instrument: Instrument, full: bool
) -> Reply:
    """GET a questionnaire page and press Next: every question answered (``full``), or only
    what is required (consent) with the optional questions skipped."""
    page = browser.get(base, path)
    assert page.status == 200, (path, page.status)
    data: dict[str, Any] = {"csrf_token": page.csrf(), "action": "next"}
    for name in page.questions():
        item = instrument.item(name)
        assert item is not None, name
        if full or item.required or item.type == "consent":
            data[name] = default_answer(item)
    reply = browser.post(base, path, data)
    assert reply.status == 302, (path, reply.status, reply.body[:1000])
    return reply


# ---------------------------------------------------------------------------------------------
# Anonymous link
# ---------------------------------------------------------------------------------------------


@dataclass
class Sent:
    """A finished respondent: what her browser needs to send the final submit again."""

    browser: Browser
    key: str
    csrf: str
    thanks: str


def make_link(app: Flask, key: str = "prison_staff") -> str:
    with app.app_context():
        link = link_ops.create(db.session, key)
        db.session.commit()
        return link.token


def link_to_finish(
    bases: list[str], token: str, instrument: Instrument, *, full: bool, browser: Browser
) -> tuple[Iterator[str], Reply]:
    """Land, start and answer the pages up to the finish page, taking the next server in
    ``bases`` for each request (one server: a normal respondent; two: she moves between
    them). Returns the server rotation and the finish page."""
    servers = _round_robin(bases)
    landing = browser.get(next(servers), f"/s/{token}")
    assert landing.status == 200, landing.status
    started = browser.post(next(servers), f"/s/{token}", {"csrf_token": landing.csrf()})
    assert started.status == 302 and started.location == f"/s/{token}/page/0", started
    location = started.location
    for _ in range(len(instrument.sections) + 1):
        if not location.startswith(f"/s/{token}/page/"):
            break
        location = answer_page(browser, next(servers), location, instrument, full).location
        if not full:
            # Consent given, nothing else required: she goes straight to Send.
            location = f"/s/{token}/finish"
    assert location == f"/s/{token}/finish", location
    finish = browser.get(next(servers), location)
    assert finish.status == 200, finish.status
    return servers, finish


def link_respondent(
    bases: list[str], token: str, instrument: Instrument, *, full: bool, browser: Browser
) -> Sent:
    """A whole response through the link, final submit included."""
    servers, finish = link_to_finish(bases, token, instrument, full=full, browser=browser)
    key, csrf = finish.submission_key(), finish.csrf()
    done = browser.post(
        next(servers), f"/s/{token}/submit", {"csrf_token": csrf, "submission_key": key}
    )
    assert (done.status, done.location) == (302, f"/s/{token}/thanks"), done
    return Sent(browser, key, csrf, done.location)


def replay(base: str, token: str, sent: Sent) -> Reply:
    return sent.browser.post(
        base, f"/s/{token}/submit", {"csrf_token": sent.csrf, "submission_key": sent.key}
    )


def _round_robin(bases: list[str]) -> Iterator[str]:
    while True:
        yield from bases


def stored(app: Flask) -> tuple[int, int, int]:
    """(all responses, complete responses, distinct submission keys)."""
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Response)) or 0
        complete = (
            db.session.scalar(
                select(func.count())
                .select_from(Response)
                .where(Response.status == ResponseStatus.COMPLETE)
            )
            or 0
        )
        keys = db.session.scalar(select(func.count(func.distinct(Response.submission_key)))) or 0
        db.session.rollback()
        return total, complete, keys


def assert_clean_log(server: LiveServer) -> None:
    log = server.log.read_text(errors="replace")
    assert "database is locked" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    server_errors = [line for line in log.splitlines() if re.search(r'" 5\d\d ', line)]
    assert not server_errors, server_errors[:10]


@pytest.mark.slow
def test_many_browsers_at_once_store_each_response_once(tmp_path: Path) -> None:
    """16 browsers at once: 400 distinct complete responses and 200 replays of used
    submission keys give exactly 400 responses, the same thank-you redirect for every
    replay, no 5xx and no "database is locked"."""
    deadline = time.monotonic() + 240  # a bound, far above the ~20 s this takes
    # 400 new drafts on one link in seconds: far above the link's budget of new drafts a
    # minute (tests/respond/test_link_budget.py), which is not what this test is about.
    budget = {"LINK_NEW_DRAFTS_PER_MINUTE": "100000"}
    with live_server(tmp_path, workers=2, threads=1, extra_env=budget) as server:
        token = make_link(server.app)
        staff = instrument(server.app, "prison_staff")
        replies: Counter[int] = Counter()
        replay_locations: list[str] = []
        lock = threading.Lock()

        def respondent(number: int) -> Sent:
            assert time.monotonic() < deadline, "out of time"
            full = number % FULL_EVERY == 0
            return link_respondent([server.url], token, staff, full=full, browser=Browser())

        def again(sent: Sent) -> None:
            reply = replay(server.url, token, sent)
            with lock:
                replay_locations.append(reply.location if reply.status == 302 else str(reply))

        sent_all: list[Sent] = []
        with ThreadPoolExecutor(max_workers=BROWSERS) as pool:
            fresh = [pool.submit(respondent, n) for n in range(FRESH)]
            replays: list[Future[None]] = []
            # Replays go out while other respondents are still answering, each from the
            # browser that sent the original (same cookie jar, key and CSRF token).
            for done in as_completed(fresh):
                sent = done.result()
                sent_all.append(sent)
                if len(replays) < REPLAYS:
                    replays.append(pool.submit(again, sent))
            for future in replays:
                future.result()
        for sent in sent_all:
            replies.update(sent.browser.statuses)
            sent.browser.close()

        assert len(sent_all) == FRESH
        assert len({s.key for s in sent_all}) == FRESH
        assert len(replay_locations) == REPLAYS
        assert set(replay_locations) == {f"/s/{token}/thanks"}, Counter(replay_locations)
        assert not [s for s in replies if s >= 500], replies
        assert stored(server.app) == (FRESH, FRESH, FRESH)
        assert_clean_log(server)


def test_a_double_click_on_send_stores_one_response(tmp_path: Path) -> None:
    """The final submit sent twice at the same instant (two connections, one cookie jar),
    by 16 respondents at once: one response each, and both sends get the thank-you."""
    respondents = BROWSERS
    with live_server(tmp_path, workers=2, threads=1) as server:
        token = make_link(server.app)
        staff = instrument(server.app, "prison_staff")

        def double_click(_number: int) -> list[tuple[int, str]]:
            browser = Browser()
            _servers, finish = link_to_finish(
                [server.url], token, staff, full=False, browser=browser
            )
            form = {"csrf_token": finish.csrf(), "submission_key": finish.submission_key()}
            twin = Browser(cookies=dict(browser.cookies))  # the same browser, a 2nd socket
            both = threading.Barrier(2, timeout=30)

            def send(one: Browser) -> tuple[int, str]:
                both.wait()
                reply = one.post(server.url, f"/s/{token}/submit", form)
                return reply.status, reply.location

            try:
                with ThreadPoolExecutor(max_workers=2) as clicks:
                    return list(clicks.map(send, (browser, twin)))
            finally:
                browser.close()
                twin.close()

        with ThreadPoolExecutor(max_workers=respondents) as pool:
            sends = [r for pair in pool.map(double_click, range(respondents)) for r in pair]
        assert set(sends) == {(302, f"/s/{token}/thanks")}, Counter(sends)
        assert stored(server.app) == (respondents, respondents, respondents)
        assert_clean_log(server)


def test_two_pages_of_one_draft_saved_at_once_are_both_kept(tmp_path: Path) -> None:
    """Two tabs of one browser send two different pages of one draft at the same instant,
    for 16 respondents at once: every draft keeps both pages (on SQLite, where FOR UPDATE
    does nothing, a page was lost in most rounds)."""
    respondents = BROWSERS
    with live_server(tmp_path, workers=2, threads=1) as server:
        token = make_link(server.app)
        staff = instrument(server.app, "prison_staff")

        def two_tabs(_number: int) -> None:
            browser = Browser()
            landing = browser.get(server.url, f"/s/{token}")
            started = browser.post(server.url, f"/s/{token}", {"csrf_token": landing.csrf()})
            answer_page(browser, server.url, started.location, staff, full=True)  # consent
            twin = Browser(cookies=dict(browser.cookies))  # the same browser, a 2nd socket
            pages = [(tab, f"/s/{token}/page/{index}") for tab, index in ((browser, 1), (twin, 2))]
            forms = []
            for tab, path in pages:
                page = tab.get(server.url, path)
                form: dict[str, Any] = {"csrf_token": page.csrf(), "action": "next"}
                for name in page.questions():
                    form[name] = default_answer(staff.item(name))  # type: ignore[arg-type]
                forms.append(form)
            both = threading.Barrier(2, timeout=30)

            def send(tab: Browser, path: str, form: dict[str, Any]) -> int:
                both.wait()
                return tab.post(server.url, path, form).status

            try:
                with ThreadPoolExecutor(max_workers=2) as tabs:
                    statuses = list(tabs.map(send, *zip(*pages, strict=True), forms))
            finally:
                browser.close()
                twin.close()
            assert statuses == [302, 302], statuses

        with ThreadPoolExecutor(max_workers=respondents) as pool:
            list(pool.map(two_tabs, range(respondents)))
        both_pages = {"prison", "role_level", "department", "contact_frequency"}
        with server.app.app_context():
            drafts = [dict(r.answers) for r in db.session.scalars(select(Response))]
            db.session.rollback()
        assert len(drafts) == respondents
        lost = [sorted(both_pages - set(answers)) for answers in drafts]
        assert not [missing for missing in lost if missing], lost
        assert_clean_log(server)


# ---------------------------------------------------------------------------------------------
# No process-local state: two servers on one database
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Two independent gunicorns (one worker each) on one database, sharing SECRET_KEY."""
    with ExitStack() as stack:
        first = stack.enter_context(live_server(tmp_path, workers=1))
        second = stack.enter_context(
            live_server(tmp_path, workers=1, database_url=first.database_url)
        )
        yield first, second


def test_a_link_respondent_moves_between_servers_mid_survey(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    a, b = two_servers
    token = make_link(a.app)
    staff = instrument(a.app, "prison_staff")
    browser = Browser()
    try:
        # Starts on A, then every request goes to the other server; the submit lands on B.
        sent = link_respondent([a.url, b.url], token, staff, full=True, browser=browser)
        # The same cookie, key and token sent to either server again: the same thank-you.
        for base in (a.url, b.url):
            again = replay(base, token, sent)
            assert (again.status, again.location) == (302, f"/s/{token}/thanks")
        assert browser.get(b.url, f"/s/{token}/thanks").status == 200
    finally:
        browser.close()
    assert stored(b.app) == (1, 1, 1)
    with b.app.app_context():
        [response] = db.session.scalars(select(Response)).all()
        assert response.answers["consent_take_part"] == 1
        assert all(q.variable in response.answers for q in staff.questions())
    assert_clean_log(a)
    assert_clean_log(b)


def test_a_kiosk_moves_between_servers_mid_survey(
    two_servers: tuple[LiveServer, LiveServer],
) -> None:
    """The fieldworker logs in and unlocks the kiosk on A; the mother starts on B, answers
    pages on both, and sends on B: one complete response, found again by a replay on A."""
    a, b = two_servers
    fieldworker = factories.user(a.app, role="fieldworker", email="fw@example.org")
    with a.app.app_context():
        site = participant_ops.site_by_code(db.session, "send")
        [participant] = participant_ops.register(db.session, site)
        db.session.commit()
        pseudonym = participant.pseudonym
    mothers = instrument(a.app, "mothers_t1")
    browser = Browser()
    try:
        login = browser.get(a.url, "/login")
        logged_in = browser.post(
            a.url,
            "/login",
            {
                "csrf_token": login.csrf(),
                "email": fieldworker.email,
                "password": factories.PASSWORD,
            },
        )
        assert logged_in.status == 302, logged_in.body[:500]
        setup = browser.get(b.url, "/kiosk/")
        assert setup.status == 200, setup.status
        unlocked = browser.post(
            a.url, "/kiosk/", {"csrf_token": setup.csrf(), "site": "send", "wave": "T1"}
        )
        assert (unlocked.status, unlocked.location) == (302, "/kiosk/lock")
        start = browser.get(b.url, "/kiosk/start")
        started = browser.post(
            b.url, "/kiosk/start", {"csrf_token": start.csrf(), "participant_id": pseudonym}
        )
        assert (started.status, started.location) == (302, "/kiosk/page/0"), started.body[:500]
        location = started.location
        servers = _round_robin([a.url, b.url])
        for _ in range(len(mothers.sections) + 1):
            if not location.startswith("/kiosk/page/"):
                break
            location = answer_page(browser, next(servers), location, mothers, True).location
        assert location == "/kiosk/finish", location
        finish = browser.get(a.url, location)
        form = {"csrf_token": finish.csrf(), "submission_key": finish.submission_key()}
        done = browser.post(b.url, "/kiosk/submit", form)
        assert (done.status, done.location) == (302, "/kiosk/thanks")
        again = browser.post(a.url, "/kiosk/submit", form)
        assert (again.status, again.location) == (302, "/kiosk/thanks")
        # The kiosk is back at the lock screen on both servers.
        assert browser.get(a.url, "/kiosk/page/1").location == "/kiosk/lock"
        assert browser.get(b.url, "/kiosk/page/1").location == "/kiosk/lock"
    finally:
        browser.close()
    assert stored(a.app) == (1, 1, 1)
    with a.app.app_context():
        [response] = db.session.scalars(select(Response)).all()
        assert response.channel == "kiosk" and response.status == ResponseStatus.COMPLETE
        assert response.answers["consent_take_part"] == 1
    assert_clean_log(a)
    assert_clean_log(b)


# ---------------------------------------------------------------------------------------------
# Throttles under simultaneous requests, every worker counting in one shared store
# ---------------------------------------------------------------------------------------------

AT_ONCE = 20  # requests fired together
ACCOUNT_LIMIT = 5  # LOGIN_ACCOUNT_LIMIT: 5 per minute
ADDRESS_LIMIT = 30  # LOGIN_ADDRESS_LIMIT: 30 per minute


@pytest.fixture
def shared_limits() -> dict[str, str]:
    """As deployed: several workers counting in one Redis (CI has one, and REQUIRE_REDIS=1:
    without it these tests fail there). A prefix of its own keeps this run's counters apart."""
    problem = redis_problem()
    if problem:
        missing_redis(f"the throttle tests need Redis: {problem}")
    return shared_store()


def all_at_once(
    forms: list[tuple[Browser, Mapping[str, Any]]], base: str, path: str
) -> list[Reply]:
    """POST every form at the same instant, each from its own browser and connection."""
    start = threading.Barrier(len(forms), timeout=30)

    def send(pair: tuple[Browser, Mapping[str, Any]]) -> Reply:
        start.wait()
        return pair[0].post(base, path, pair[1])

    try:
        with ThreadPoolExecutor(max_workers=len(forms)) as pool:
            return list(pool.map(send, forms))
    finally:
        for browser, _form in forms:
            browser.close()


def audited(app: Flask, kind: str, actor_id: int | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)
        if actor_id is not None:
            query = query.where(AuditEvent.actor_id == actor_id)
        found = db.session.scalar(query) or 0
        db.session.rollback()
        return found


def login_forms(base: str, emails: list[str]) -> list[tuple[Browser, Mapping[str, Any]]]:
    forms: list[tuple[Browser, Mapping[str, Any]]] = []
    for email in emails:
        browser = Browser()
        page = browser.get(base, "/login")
        form = {"csrf_token": page.csrf(), "email": email, "password": "wrong guess 123"}
        forms.append((browser, form))
    return forms


def test_simultaneous_wrong_passwords_are_checked_no_more_than_the_account_limit(
    tmp_path: Path, shared_limits: dict[str, str]
) -> None:
    """20 wrong passwords for one account at once, on 2 workers x 8 threads: at most 5 are
    checked against the password hash (each check is a login.failed audit row); the rest
    get 429 without a check."""
    with live_server(tmp_path, workers=2, threads=8, extra_env=shared_limits) as server:
        target = factories.user(server.app, email="target@example.org")
        replies = all_at_once(
            login_forms(server.url, [target.email] * AT_ONCE), server.url, "/login"
        )
        statuses = Counter(reply.status for reply in replies)
        checked = audited(server.app, "login.failed", target.id)
        assert set(statuses) <= {200, 429}, statuses
        assert statuses[200] == checked
        assert 1 <= checked <= ACCOUNT_LIMIT, (checked, statuses)
        assert_clean_log(server)


def test_simultaneous_logins_from_one_address_are_checked_no_more_than_its_limit(
    tmp_path: Path, shared_limits: dict[str, str]
) -> None:
    """40 wrong logins at once from one address, each for another account: at most 30 are
    checked."""
    emails = [f"nobody{n}@example.org" for n in range(ADDRESS_LIMIT + 10)]
    with live_server(tmp_path, workers=2, threads=8, extra_env=shared_limits) as server:
        replies = all_at_once(login_forms(server.url, emails), server.url, "/login")
        statuses = Counter(reply.status for reply in replies)
        checked = audited(server.app, "login.failed")
        assert set(statuses) <= {200, 429}, statuses
        assert statuses[200] == checked
        assert 1 <= checked <= ADDRESS_LIMIT, (checked, statuses)
        assert_clean_log(server)


def enrolled(app: Flask, email: str) -> tuple[User, str]:
    """A researcher with two-step login set up: (user, TOTP secret)."""
    secret = pyotp.random_base32()
    made = factories.user(app, role="researcher", email=email)
    with app.app_context():
        user = db.session.get(User, made.id)
        assert user is not None
        user.totp_secret = secret
        db.session.commit()
    return made, secret


def wrong_code(secret: str) -> str:
    """A code that no step near now accepts."""
    from survey_app.auth.totp import matching_step

    now = time.time()
    for candidate in range(0, 10**6, 7919):
        code = f"{candidate:06d}"
        if all(matching_step(secret, code, now + shift) is None for shift in (-60, 0, 60)):
            return code
    raise AssertionError("no wrong code found")


def code_forms(
    base: str, email: str, secret: str, count: int
) -> list[tuple[Browser, Mapping[str, Any]]]:
    """One browser past the password, cloned ``count`` times: the same half-logged-in
    session on separate connections, each sending a wrong code."""
    browser = Browser()
    page = browser.get(base, "/login")
    password = browser.post(
        base, "/login", {"csrf_token": page.csrf(), "email": email, "password": factories.PASSWORD}
    )
    assert (password.status, password.location) == (302, "/login/code"), password
    page = browser.get(base, "/login/code")
    form = {"csrf_token": page.csrf(), "code": wrong_code(secret)}
    clones = [(Browser(cookies=dict(browser.cookies)), form) for _ in range(count)]
    browser.close()
    return clones


def test_simultaneous_wrong_codes_are_checked_no_more_than_the_account_limit(
    tmp_path: Path, shared_limits: dict[str, str]
) -> None:
    """20 wrong two-step codes at once for one account: at most 5 are checked (each check is
    a totp.failed audit row); the rest get 429."""
    env = {**shared_limits, "TOTP_REQUIRED_ROLES": "researcher"}
    with live_server(tmp_path, workers=2, threads=8, extra_env=env) as server:
        user, secret = enrolled(server.app, "code@example.org")
        forms = code_forms(server.url, user.email, secret, AT_ONCE)
        replies = all_at_once(forms, server.url, "/login/code")
        statuses = Counter(reply.status for reply in replies)
        checked = audited(server.app, "totp.failed", user.id)
        assert set(statuses) <= {422, 429}, statuses
        assert statuses[422] == checked
        assert 1 <= checked <= ACCOUNT_LIMIT, (checked, statuses)
        assert_clean_log(server)


def test_simultaneous_wrong_codes_near_the_lockout_are_checked_no_more_than_it_allows(
    tmp_path: Path, shared_limits: dict[str, str]
) -> None:
    """Eight wrong codes in a row already; five more at once (within the per-minute limit),
    on two workers: two are checked, the tenth locks two-step login, the other three are
    refused unchecked, and the lock is audited once."""
    from survey_app.auth.totp import LOCK_AFTER

    env = {**shared_limits, "TOTP_REQUIRED_ROLES": "researcher"}
    with live_server(tmp_path, workers=2, threads=8, extra_env=env) as server:
        user, secret = enrolled(server.app, "near@example.org")
        with server.app.app_context():
            db.session.get(User, user.id).totp_failures = LOCK_AFTER - 2  # type: ignore[union-attr]
            db.session.commit()
        replies = all_at_once(
            code_forms(server.url, user.email, secret, 5), server.url, "/login/code"
        )
        statuses = Counter(reply.status for reply in replies)
        assert statuses == {422: 1, 429: 4}, statuses
        assert sum("Too many wrong codes" in reply.body for reply in replies) == 4
        assert audited(server.app, "totp.failed", user.id) == 2
        assert audited(server.app, "totp.locked", user.id) == 1
        with server.app.app_context():
            locked = db.session.get(User, user.id)
            assert locked is not None and locked.totp_failures == LOCK_AFTER
            assert locked.totp_locked()
        assert_clean_log(server)
