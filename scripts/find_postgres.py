"""Print the PostgreSQL URL the test suite should use, or exit 1 if no server answers.

TEST_DATABASE_URL wins; otherwise the local server on 127.0.0.1:5432 (trust auth, database
``test``) that developers' machines and CI have."""

from __future__ import annotations

import os
import sys

DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def main() -> int:
    url = os.environ.get("TEST_DATABASE_URL", "").strip() or DEFAULT
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        with psycopg.connect(
            host=parsed.host or "127.0.0.1",
            port=parsed.port or 5432,
            user=parsed.username or "postgres",
            password=parsed.password,
            dbname=parsed.database or "postgres",
            connect_timeout=3,
        ):
            pass
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        print(
            f"PostgreSQL not reachable at {url}: {str(exc).strip().splitlines()[0]}",
            file=sys.stderr,
        )
        return 1
    print(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
