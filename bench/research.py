"""The research pages at scale: N participants (100,000 by default) spread over the sites, each
with a complete T1 and about half with a complete T2, then a logged-in researcher in an
in-process Flask test client times the participants list (page 1 and a middle page), the T2
due and overdue lists and the dashboard. The SQL statements each page runs are captured
during one request and explained (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE);
the plans go to bench/results/explain-<db>.txt.

The timings are the whole request as the test client sees it (routing, session, queries,
template), not the network: there is no server process here."""

from __future__ import annotations

import datetime as dt
import random
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection

from bench import web
from bench.export import Mother, add_mothers
from survey_app import create_app
from survey_app.extensions import db
from survey_app.models import Participant
from survey_app.models.types import today
from survey_app.services.followup import PER_PAGE
from tests import factories
from tests.conftest import app_config
from tests.factories import PASSWORD
from tests.flows import submit_form
from tests.liveserver import prepare_database

RESULTS = Path(__file__).resolve().parent / "results"
TARGET_MS = 100.0
WARMUPS = 2
REPETITIONS = 20


def pages(n: int, pseudonym: str) -> list[tuple[str, str, int]]:
    """(name, path, status) of each timed page; the middle page of the unfiltered list, and a
    search by a registered ID typed loosely (answered 302 to her record), then with a slip
    (answered 400, with the IDs one slip away)."""
    middle = max(1, -(-n // PER_PAGE) // 2)
    loose = pseudonym.lower().replace("-", "")
    slip = loose[:-2] + loose[-1] + loose[-2]
    if slip == loose:
        slip = loose[:-1] + ("z" if loose[-1] != "z" else "y")
    return [
        ("participants, page 1", "/research/participants", 200),
        (f"participants, page {middle}", f"/research/participants?page={middle}", 200),
        ("participants, status=due", "/research/participants?status=due", 200),
        ("participants, status=overdue", "/research/participants?status=overdue", 200),
        ("participants, search by ID", f"/research/participants?q={loose}", 302),
        ("participants, a mistyped ID", f"/research/participants?q={slip}", 400),
        ("dashboard", "/research/", 200),
    ]


def research_mother(rng: random.Random) -> Mother:
    """T1 some time in the last 18 months, registered that day; T2 done for about half (those
    whose window has opened, three times in four); 2% withdrawn. So the due, overdue and not
    yet due lists all hold thousands."""
    now = today()
    t1_on = now - dt.timedelta(days=rng.randint(0, 540))
    t2_on = None
    if (now - t1_on).days >= 150 and rng.random() < 0.75:
        t2_on = min(now, t1_on + dt.timedelta(days=rng.randint(150, 240)))
    created_at = dt.datetime.combine(t1_on, dt.time(9)) + dt.timedelta(
        minutes=rng.randint(0, 480), seconds=rng.randint(0, 59)
    )
    withdrawn_at = None
    if rng.random() < 0.02:
        withdrawn_at = created_at + dt.timedelta(days=rng.randint(1, 120))
    return Mother(created_at, t1_on, t2_on, withdrawn_at)


@contextmanager
def captured(app: Flask) -> Iterator[list[tuple[str, Any, float]]]:
    """(statement, parameters, ms) of every SQL statement run inside the block."""
    found: list[tuple[str, Any, float]] = []

    def before(conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        conn.info["bench_began"] = time.perf_counter()

    def after(conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        ms = (time.perf_counter() - conn.info.pop("bench_began")) * 1000
        found.append((statement, parameters, ms))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def _sqlite_plan(rows: list[Any]) -> list[str]:
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + str(detail))
    return lines


def explain(app: Flask, backend: str, statement: str, parameters: Any) -> list[str]:
    with app.app_context(), db.engine.connect() as connection:
        if backend == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
            return _sqlite_plan(list(rows))
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        plan = [str(row[0]) for row in rows]
        connection.rollback()
        return plan


def _login(app: Flask) -> Any:
    user = factories.user(app, role="researcher", email="bench-researcher@example.org")
    client = app.test_client()
    reply = submit_form(client, "/login", {"email": user.email, "password": PASSWORD})
    if reply.status_code != 302:
        raise RuntimeError(f"login failed: {reply.status_code}")
    return client


def bench_backend(tmp_dir: Path, backend: str, postgres_url: str, n: int) -> dict[str, Any]:
    with web.database(tmp_dir, backend, postgres_url) as url:
        began = time.perf_counter()
        prepare_database(url)
        app = create_app(app_config(url))
        with app.app_context():
            add_mothers(n, random.Random(2026), research_mother)  # noqa: S311 - made-up data
            db.session.commit()
            if backend == "postgresql":
                # What autovacuum does to freshly inserted tables soon after (statistics, and
                # the visibility map that index-only scans need); don't wait for it.
                autocommit = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                with autocommit as connection:
                    connection.execute(text("VACUUM ANALYZE"))
            # SQLite: no ANALYZE, as the app never runs one (the planner has no statistics).
        generated = round(time.perf_counter() - began, 1)
        client = _login(app)
        rows: list[dict[str, Any]] = []
        plans: list[str] = []
        with app.app_context():
            pseudonym = db.session.scalar(
                select(Participant.pseudonym).order_by(Participant.id).limit(1)
            )
        for name, path, status in pages(n, str(pseudonym)):
            times = []
            for i in range(WARMUPS + REPETITIONS):
                started = time.perf_counter()
                reply = client.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                if reply.status_code != status:
                    raise RuntimeError(f"{path}: {reply.status_code}")
                if i >= WARMUPS:
                    times.append(elapsed)
            with captured(app) as statements:
                client.get(path)
            rows.append(
                {
                    "name": name,
                    "path": path,
                    "median_ms": round(statistics.median(times), 2),
                    "max_ms": round(max(times), 2),
                    "met": statistics.median(times) < TARGET_MS,
                    "statements": len(statements),
                    "sql_ms": round(sum(ms for _s, _p, ms in statements), 2),
                }
            )
            plans.append(f"===== {name}: GET {path} ({len(statements)} statements) =====")
            for statement, parameters, ms in statements:
                plans.append(f"--- {ms:.2f} ms during the request; parameters {parameters!r}")
                plans.append(statement.strip())
                if statement.lstrip().upper().startswith("SELECT"):
                    plans.extend(
                        "  | " + line for line in explain(app, backend, statement, parameters)
                    )
                plans.append("")
        with app.app_context():
            db.engine.dispose()
    RESULTS.mkdir(parents=True, exist_ok=True)
    plan_file = RESULTS / f"explain-{backend}.txt"
    header = f"# {backend}: {n} participants; plans of the statements each research page runs\n"
    plan_file.write_text(header + "\n".join(plans) + "\n")
    return {
        "backend": backend,
        "participants": n,
        "generated_seconds": generated,
        "pages": rows,
        "plans": str(plan_file),
    }


def met(row: dict[str, Any]) -> str:
    """The target is on the median; a maximum over it is shown beside."""
    if not row["met"]:
        return "NO"
    return "yes" if row["max_ms"] < TARGET_MS else "yes (max over)"


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        f"Research pages: in-process test client, logged-in researcher; {REPETITIONS} timed "
        f"requests per page after {WARMUPS} warm-ups. 'sql ms' = time in the database during one "
        "captured request.",
        f"{'db':<10} {'page':<32} {'median ms':>9} {'max ms':>7} {'sql ms':>7} {'stmts':>5}  "
        f"{'target':<9} met",
    ]
    for run in runs:
        if "skipped" in run:
            lines.append(f"{run['backend']:<10} skipped: {run['skipped']}")
            continue
        for row in run["pages"]:
            lines.append(
                f"{run['backend']:<10} {row['name']:<32} {row['median_ms']:>9.1f} "
                f"{row['max_ms']:>7.1f} {row['sql_ms']:>7.1f} {row['statements']:>5}  "
                f"{'< ' + format(TARGET_MS, '.0f') + ' ms':<9} {met(row)}"
            )
        lines.append(
            f"{'':<10} ({run['participants']} participants, generated in "
            f"{run['generated_seconds']:.0f} s; plans in {run['plans']})"
        )
    return "\n".join(lines)
