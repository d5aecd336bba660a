"""Redis for the tests that run as deployed, several gunicorn workers sharing one limiter store.

Like PostgreSQL: `make test` uses Redis when it is there and skips those tests with the reason
when it is not; with REQUIRE_REDIS=1 (as in .ci/run) a missing Redis fails them instead."""

from __future__ import annotations

import os
import secrets
from typing import NoReturn

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def missing_redis(reason: str) -> NoReturn:
    if os.environ.get("REQUIRE_REDIS") == "1":
        pytest.fail(f"REQUIRE_REDIS=1 but {reason}")
    pytest.skip(f"{reason} (REQUIRE_REDIS=1 makes this a failure)")


def redis_problem() -> str | None:
    """Why Redis at REDIS_URL cannot be used, or None when it answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"no Redis at {REDIS_URL} (TEST_REDIS_URL): {exc}"
    finally:
        client.close()
    return None


def shared_store() -> dict[str, str]:
    """Settings for a limiter store in Redis that this test alone counts in (a prefix of its own)."""
    return {
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": f"test-{secrets.token_hex(6)}",
    }


def forget_counts(prefix: str) -> int:
    """Delete every limiter counter under ``prefix``; how many there were."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
        return int(client.delete(*keys)) if keys else 0
    finally:
        client.close()
