"""A real server process for end-to-end, concurrency and benchmark runs: gunicorn on
127.0.0.1 against its own freshly migrated database (SQLite file or PostgreSQL), over plain
HTTP or, given a certificate, over HTTPS."""

from __future__ import annotations

import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from survey_app import create_app
from survey_app.extensions import db
from survey_app.instruments.publish import sync_instruments, sync_study
from survey_app.study import current_study
from tests.dbutil import fresh_database
from tests.tls import Certificate

ROOT = Path(__file__).resolve().parent.parent
SECRET = "live-server-test-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database_url: str
    app: Flask  # in-process app on the same database, for setup and inspection
    process: subprocess.Popen[bytes]
    log: Path


def prepare_database(database_url: str) -> Flask:
    app = create_app(
        {"DATABASE_URL": database_url, "SECRET_KEY": SECRET, "SURVEY_APP_ENV": "testing"}
    )
    with app.app_context():
        upgrade()
        study = current_study()
        sync_study(db.session, study)
        sync_instruments(db.session, study=study)
        db.session.commit()
    return app


@contextmanager
def live_server(
    tmp_dir: Path,
    *,
    workers: int = 2,
    threads: int = 1,
    extra_env: dict[str, str] | None = None,
    database_url: str | None = None,
    tls: Certificate | None = None,
    gunicorn_args: Sequence[str] = (),
) -> Iterator[LiveServer]:
    """Serve the app with gunicorn on a free port until the block ends (with ``tls``, over
    HTTPS: gunicorn's own --certfile and --keyfile). ``gunicorn_args`` come last, so that they
    override the access-log settings given here."""
    with _database(tmp_dir, database_url) as url:
        app = prepare_database(url)
        port = free_port()
        log = tmp_dir / f"gunicorn-{port}.log"
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "SURVEY_APP_ENV": "testing",
            "TOTP_REQUIRED_ROLES": "",  # two-step login is tested in tests/auth/test_totp.py
            **(extra_env or {}),
        }
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
            *(["--certfile", str(tls.cert), "--keyfile", str(tls.key)] if tls else []),
            *gunicorn_args,
            "wsgi:app",
        ]
        with open(log, "wb") as log_file:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT
            )
        try:
            base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
            _wait_until_up(base, process, log, tls.client_context() if tls else None)
            yield LiveServer(url=base, database_url=url, app=app, process=process, log=log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
            with app.app_context():
                db.engine.dispose()


@contextmanager
def _database(tmp_dir: Path, given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    with fresh_database(tmp_dir) as url:
        yield url


def _wait_until_up(
    base: str,
    process: subprocess.Popen[bytes],
    log: Path,
    context: ssl.SSLContext | None = None,
    timeout: float = 90,  # start-up only: a loaded machine once took over 30 s
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2, context=context) as reply:  # noqa: S310 - loopback only
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()[-3000:]}")
