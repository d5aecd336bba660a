"""The export benchmark. Run as a script, one measurement per process so that each peak
memory figure (``ru_maxrss``) is that measurement's own:

    python bench/export.py generate --db URL --n 5000    # N mothers with T1 and T2
    python bench/export.py measure --db URL --what app   # build_export + FORMATS['xlsx']
    python bench/export.py measure --db URL --what raw   # openpyxl write-only, plain lists
    python bench/export.py measure --db URL --what pandas  # DataFrame.to_excel, linked sheet

Each prints one JSON line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script: import from the repository root (bench.*, tests.*), not from bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.answers import answers_for  # noqa: E402
from survey_app import create_app  # noqa: E402
from survey_app.export.sheet_names import MOTHERS_LINKED  # noqa: E402
from survey_app.extensions import db  # noqa: E402
from survey_app.instruments import model  # noqa: E402
from survey_app.instruments.publish import latest_version  # noqa: E402
from survey_app.models import COMPLETE, Participant, Response, Site, Wave  # noqa: E402
from survey_app.models.types import random_id  # noqa: E402
from survey_app.pseudonyms import generate as new_pseudonym  # noqa: E402
from survey_app.services.responses import new_submission_key  # noqa: E402

BATCH = 1000
SECRET = "bench-secret-key"  # noqa: S105 - a throwaway key for a throwaway database


def maxrss_mb() -> float:
    """This process's peak resident memory. VmHWM starts afresh at exec; ru_maxrss would
    carry over the parent's peak from the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _app(url: str) -> Any:
    return create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET, "SURVEY_APP_ENV": "testing"})


@dataclass(frozen=True)
class Mother:
    """When one generated mother registered, completed T1 and T2 (None: not done), and
    withdrew (None: still in the study)."""

    created_at: dt.datetime
    t1_on: dt.date
    t2_on: dt.date | None
    withdrawn_at: dt.datetime | None = None


def _export_mother(rng: random.Random) -> Mother:
    start_day = dt.date(2025, 1, 6)
    t1_day = start_day + dt.timedelta(days=rng.randint(0, 365))
    t2_day = t1_day + dt.timedelta(days=rng.randint(160, 230))
    return Mother(dt.datetime(2025, 1, 6, 9, 0), t1_day, t2_day)


def add_mothers(
    n: int, rng: random.Random, plan: Callable[[random.Random], Mother] = _export_mother
) -> None:
    """Add ``n`` mothers spread over the sites, each with the complete T1 (and T2) that
    ``plan`` gives her, in batches through SQLAlchemy's bulk insert. In an app context on a
    migrated database with the instruments published."""
    sites = list(db.session.scalars(select(Site.id).order_by(Site.id)))
    waves = {w.code: w.id for w in db.session.scalars(select(Wave))}
    versions = {key: latest_version(db.session, key) for key in ("mothers_t1", "mothers_t2")}
    parsed = {key: model.from_version(v) for key, v in versions.items() if v is not None}
    assert len(parsed) == 2
    taken = set(db.session.scalars(select(Participant.pseudonym)))
    first_id = 1 + (db.session.scalar(select(Participant.id).order_by(Participant.id.desc())) or 0)
    for batch_start in range(0, n, BATCH):
        people: list[dict[str, Any]] = []
        responses: list[dict[str, Any]] = []
        for number in range(batch_start, min(n, batch_start + BATCH)):
            pseudonym = new_pseudonym("TC")
            while pseudonym in taken:
                pseudonym = new_pseudonym("TC")
            taken.add(pseudonym)
            pid = first_id + number
            site = rng.choice(sites)
            mother = plan(rng)
            people.append(
                {
                    "id": pid,
                    "pseudonym": pseudonym,
                    "site_id": site,
                    "created_at": mother.created_at,
                    "withdrawn_at": mother.withdrawn_at,
                }
            )
            for wave, key, day in (
                ("T1", "mothers_t1", mother.t1_on),
                ("T2", "mothers_t2", mother.t2_on),
            ):
                version = versions[key]
                assert version is not None
                if day is None:
                    continue
                responses.append(
                    {
                        "id": random_id(),
                        "instrument_version_id": version.id,
                        "channel": "kiosk",
                        "participant_id": pid,
                        "wave_id": waves[wave],
                        "status": COMPLETE,
                        "submission_key": new_submission_key(),
                        "answers": answers_for(parsed[key], rng),
                        "language": "cy" if rng.random() < 0.05 else "en",
                        "started_on": day,
                        "completed_on": day,
                        "flags": {},
                    }
                )
        db.session.execute(insert(Participant), people)
        db.session.execute(insert(Response), responses)
        db.session.commit()


def generate(url: str, n: int, seed: int = 2026) -> dict[str, Any]:
    """Migrate a fresh database, publish the instruments and add ``n`` mothers, each with a
    complete T1 and a complete T2, in batches through SQLAlchemy's bulk insert."""
    from tests.liveserver import prepare_database

    began = time.perf_counter()
    app = prepare_database(url)
    rng = random.Random(seed)  # noqa: S311 - made-up answers, not secrets
    with app.app_context():
        add_mothers(n, rng)
        db.engine.dispose()
    return {"n": n, "responses": 2 * n, "seconds": round(time.perf_counter() - began, 2)}


def _export(session: Any) -> Any:
    from survey_app.downloads.export_workbook import build_export
    from survey_app.export.filters import ExportFilters

    return build_export(session, ExportFilters(), "bench@example.org")


def _materialise(
    export: Any, only: str | None = None
) -> list[tuple[str, list[str], list[list[Any]]]]:
    return [
        (sheet.name, sheet.header, [list(row) for row in sheet.rows()])
        for sheet in export.sheets
        if only is None or sheet.name == only
    ]


def measure(url: str, what: str) -> dict[str, Any]:
    app = _app(url)
    with app.app_context(), tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{what}.xlsx"
        cells = None
        if what == "app":
            from survey_app.export.formats import FORMATS

            before = maxrss_mb()
            began = time.perf_counter()
            export = _export(db.session)
            with open(out, "wb") as handle:
                FORMATS["xlsx"].write(export, handle)
            seconds = time.perf_counter() - began
        elif what == "raw":
            from openpyxl import Workbook

            sheets = _materialise(_export(db.session))  # untimed: the cells as plain lists
            cells = sum(len(header) * (1 + len(rows)) for _n, header, rows in sheets)
            before = maxrss_mb()
            began = time.perf_counter()
            workbook = Workbook(write_only=True)
            for name, header, rows in sheets:
                sheet = workbook.create_sheet(name)
                sheet.append(header)
                for row in rows:
                    sheet.append(row)
            workbook.save(out)
            seconds = time.perf_counter() - began
        elif what == "pandas":
            import pandas as pd

            [(_name, header, rows)] = _materialise(_export(db.session), MOTHERS_LINKED)
            frame = pd.DataFrame(rows, columns=header)  # untimed
            cells = len(header) * (1 + len(rows))
            del rows
            before = maxrss_mb()
            began = time.perf_counter()
            frame.to_excel(out, sheet_name=MOTHERS_LINKED, index=False, engine="openpyxl")
            seconds = time.perf_counter() - began
        else:
            raise SystemExit(f"unknown measurement {what!r}")
        size = out.stat().st_size
        db.engine.dispose()
    return {
        "what": what,
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(maxrss_mb(), 1),
        "rss_before_mb": round(before, 1),
        "cells": cells,
        "bytes": size,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--db", required=True)
    gen.add_argument("--n", type=int, required=True)
    meas = sub.add_parser("measure")
    meas.add_argument("--db", required=True)
    meas.add_argument("--what", choices=("app", "raw", "pandas"), required=True)
    args = parser.parse_args(argv)
    if args.command == "generate":
        result = generate(args.db, args.n)
    else:
        result = measure(args.db, args.what)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
