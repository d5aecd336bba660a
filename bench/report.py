"""The Report page: N mothers (300 by default) with a T1 and about half a T2, a staff and a
practitioner questionnaire and the tests' twelve cases, then a logged-in researcher in an in-process Flask test client
asks for the report, plain and for publication. The first request draws every chart (the
chart cache is emptied first); the next ones find them drawn, as a researcher reloading the
page or printing it does.

The timings are the whole request as the test client sees it, not the network."""

from __future__ import annotations

import random
import statistics
import time
from pathlib import Path
from typing import Any

from bench import web
from bench.export import add_mothers
from bench.research import _login, research_mother
from survey_app import create_app
from survey_app.extensions import db
from survey_app.report.charts import svg as charts
from tests import case_data, factories
from tests.conftest import app_config
from tests.liveserver import prepare_database

REPETITIONS = 5
PAGES = [
    ("report", "/research/report"),
    ("report, for publication", "/research/report?publication=y"),
]


def _seconds(client: Any, path: str) -> float:
    started = time.perf_counter()
    reply = client.get(path)
    elapsed = time.perf_counter() - started
    if reply.status_code != 200:
        raise RuntimeError(f"{path}: {reply.status_code}")
    return elapsed


def bench_backend(tmp_dir: Path, backend: str, postgres_url: str, n: int) -> dict[str, Any]:
    with web.database(tmp_dir, backend, postgres_url) as url:
        prepare_database(url)
        app = create_app(app_config(url))
        # The cases first: add_mothers writes its own ids (the sequence does not move), so
        # the ORM's inserts after it would collide on PostgreSQL.
        case_data.twelve_cases(app)
        for key in ("prison_staff", "practitioners"):
            factories.link_response(app, key, {})
        with app.app_context():
            add_mothers(n, random.Random(2026), research_mother)  # noqa: S311 - made-up data
            db.session.commit()
        client = _login(app)
        rows: list[dict[str, Any]] = []
        for name, path in PAGES:
            charts.svg.cache_clear()
            cold = _seconds(client, path)
            warm = [_seconds(client, path) for _ in range(REPETITIONS)]
            rows.append(
                {
                    "name": name,
                    "path": path,
                    "first_ms": round(cold * 1000, 1),
                    "again_median_ms": round(statistics.median(warm) * 1000, 1),
                }
            )
        with app.app_context():
            db.engine.dispose()
    return {"backend": backend, "mothers": n, "pages": rows}


def table(runs: list[dict[str, Any]]) -> str:
    lines = [
        f"Report page: in-process test client, logged-in researcher; the first request with "
        f"the chart cache empty, then the median of {REPETITIONS} more.",
        f"{'db':<10} {'page':<26} {'first ms':>9} {'again ms':>9}",
    ]
    for run in runs:
        if "skipped" in run:
            lines.append(f"{run['backend']:<10} skipped: {run['skipped']}")
            continue
        for row in run["pages"]:
            lines.append(
                f"{run['backend']:<10} {row['name']:<26} {row['first_ms']:>9.1f} "
                f"{row['again_median_ms']:>9.1f}"
            )
        lines.append(f"{'':<10} ({run['mothers']} mothers)")
    return "\n".join(lines)
