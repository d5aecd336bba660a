"""Redis for the tests that run as deployed, several gunicorn workers sharing one limiter store.

Like PostgreSQL: `make test` uses Redis when it is there and skips those tests with the reason
when it is not; with REQUIRE_REDIS=1 (as in .ci/run) a missing Redis fails them instead."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def missing_redis(reason: str) -> NoReturn:
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"REQUIRE_REDIS=1 but {reason}")
    pytest.skip(f"{reason} (REQUIRE_REDIS=1 makes this a failure)")
