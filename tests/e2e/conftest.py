"""Real-browser tests: Debian's headless Chromium, driven by playwright, against the app served
by gunicorn on 127.0.0.1 (tests/liveserver.py) on the database TEST_DATABASE_URL selects.

One browser and one live server for the whole run; each test gets its own browser context
(its own cookies, so its own kiosk). Without /usr/bin/chromium every test here is skipped with
the reason, and the run says so at its end; with REQUIRE_BROWSER=1 (as in .ci/run) a missing
browser fails the run instead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import CHROMIUM, CHROMIUM_ARGS, STEP_TIMEOUT_MS, Accounts, make_accounts
from tests.liveserver import LiveServer, live_server
from tests.redisutil import forget_counts, redis_problem, shared_store

SKIP_REASON = (
    f"browser tests skipped: {CHROMIUM} not found "
    "(install Debian's chromium package; .ci/run does, and sets REQUIRE_BROWSER=1)"
)
_skipped: list[str] = []


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The browser, or a skip with the reason (a failure when REQUIRE_BROWSER=1)."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return str(CHROMIUM)
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing: install Debian's chromium")
    _skipped.append(SKIP_REASON)
    pytest.skip(SKIP_REASON)


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium_executable, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def throttle_store() -> dict[str, str]:
    """The live server's limiter counts in Redis under a prefix of this run's, as deployed with
    several workers, so that each test can start from no attempts (``_fresh_throttles``). Without
    Redis the workers count in memory, which no test can reset (REQUIRE_REDIS=1 fails instead)."""
    problem = redis_problem()
    if problem is None:
        return shared_store()
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"REQUIRE_REDIS=1 but {problem}")
    _skipped.append(f"browser tests without Redis share throttle counters: {problem}")
    return {"RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture(scope="session")
def server(
    chromium_executable: str,
    tmp_path_factory: pytest.TempPathFactory,
    throttle_store: dict[str, str],
) -> Iterator[LiveServer]:
    with live_server(
        tmp_path_factory.mktemp("live"), workers=2, extra_env=throttle_store
    ) as served:
        yield served


@pytest.fixture(autouse=True)
def _fresh_throttles(request: pytest.FixtureRequest) -> None:
    """Every browser test starts with no failed attempts counted: the tests share one server
    and, run quickly, reached the kiosk's 5-a-minute password throttle within its minute (a
    test that means to reach a throttle fills it itself)."""
    if "server" not in request.fixturenames:
        return
    prefix = request.getfixturevalue("throttle_store").get("RATELIMIT_KEY_PREFIX")
    if prefix:
        forget_counts(prefix)


@pytest.fixture
def accounts(server: LiveServer) -> Accounts:
    """A fieldworker and a researcher of this test's own: per-account counters start at 0."""
    return make_accounts(server.app)


@pytest.fixture
def context(browser: Any, server: LiveServer) -> Iterator[Any]:
    made = browser.new_context(
        base_url=server.url, viewport={"width": 1024, "height": 768}, locale="en-GB"
    )
    made.set_default_timeout(STEP_TIMEOUT_MS)
    yield made
    made.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    from tests.e2e.helpers import AXE_SCANS

    if AXE_SCANS:
        found = sum(n for _, n in AXE_SCANS)
        terminalreporter.write_line(
            f"axe-core: {len(AXE_SCANS)} pages scanned, {found} violations of any impact "
            "(serious or critical ones fail the tests)"
        )
    if _skipped:
        terminalreporter.write_line(f"NOTE: {SKIP_REASON}", yellow=True, bold=True)
