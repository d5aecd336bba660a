"""Field batches at scale: 1,000 sealed responses on a laptop, exported and imported on a
server (SQLite files in a temporary folder, or the server on DATABASE_URL). Prints the batch
size and the import time. Not part of the test run:

    .venv/bin/python -m bench.field [--count 1000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from flask import Flask

from survey_app.extensions import db
from survey_app.field import batch, bundle, sealing, sending
from survey_app.instruments.model import from_version
from survey_app.instruments.publish import latest_version
from survey_app.models import Response, ResponseStatus, Wave
from survey_app.services import participants as participant_ops
from survey_app.services.responses import new_submission_key
from tests.flows import default_answer
from tests.liveserver import prepare_database

PASSPHRASE = "benchmark passphrase, not a real one"  # noqa: S105 - a throwaway key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--server-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        server = prepare_database(args.server_url or f"sqlite:///{folder / 'server.db'}")
        key = sealing.generate(folder / "keys", PASSPHRASE)
        with server.app_context():
            site = participant_ops.site_by_code(db.session, "send")
            participant_ops.register(db.session, site, args.count)
            doc = bundle.build(db.session, site, key)
            db.session.commit()
        laptop = prepare_database(f"sqlite:///{folder / 'laptop.db'}")
        with laptop.app_context():
            bundle.apply(db.session, doc, laptop_id="bench-laptop")
            db.session.commit()
            _answer_all(laptop)
            instance = sending.field_instance(db.session)
            assert instance is not None
            raw = json.dumps(batch.export(db.session, instance)).encode()
            db.session.commit()
        (folder / "a.batch").write_bytes(raw)
        with server.app_context():
            started = time.perf_counter()
            opener = sealing.unlock(folder / "keys" / sealing.PRIVATE_FILE, PASSPHRASE)
            unlocked = time.perf_counter()
            report = batch.import_batch(db.session, batch.open_batch(batch.parse(raw), opener))
            db.session.commit()
            done = time.perf_counter()
        print(f"responses: {report.inserted} inserted of {args.count}")
        print(f"batch size: {len(raw) / 1e6:.2f} MB ({len(raw) / args.count / 1e3:.1f} kB each)")
        print(f"unlock private key (argon2id): {unlocked - started:.2f} s")
        print(f"decrypt, check and insert: {done - unlocked:.2f} s")
        for app in (server, laptop):
            with app.app_context():
                db.engine.dispose()


def _answer_all(laptop: Flask) -> None:
    """Complete one T1 per participant through the same send hook as the kiosk."""
    wave = db.session.query(Wave).filter_by(code="T1").one()
    version = latest_version(db.session, "mothers_t1")
    assert version is not None
    instrument = from_version(version)
    answers = {
        item.variable: default_answer(item) for item in instrument.questions() if item.variable
    }
    for participant in participant_ops_all():
        response = Response(
            instrument_version=version,
            channel="kiosk",
            participant=participant,
            wave=wave,
            status=ResponseStatus.COMPLETE,
            submission_key=new_submission_key(),
            answers=answers,
        )
        response.completed_on = response.started_on = __import__("datetime").date.today()
        db.session.add(response)
        db.session.flush()
        sending.seal_if_field(db.session, response)
    db.session.commit()


def participant_ops_all() -> list:  # type: ignore[type-arg]
    from survey_app.models import Participant

    return list(db.session.query(Participant))


if __name__ == "__main__":
    main()
