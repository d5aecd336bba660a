"""A small closed-loop HTTP load generator: N client threads, each with its own
``http.client`` connection (kept alive when the server allows it), sending requests until a
fixed count is reached or a time bound passes, whichever comes first. Loopback only."""

from __future__ import annotations

import http.client
import itertools
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


# check(reply) -> None when the reply is what a working server sends, else a short reason
Check = Callable[[Reply], str | None]


@dataclass
class Result:
    name: str
    clients: int
    sent: int
    ok: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    first_errors: list[str]
    stopped_by: str  # "count" or "time"

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
        return ordered[index]

    def summary(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "clients": self.clients,
            "requests": self.sent,
            "ok": self.ok,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "rps": round(self.rps, 1),
            "p50_ms": round(self.percentile(50), 2),
            "p99_ms": round(self.percentile(99), 2),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 2) if self.latencies_ms else None,
            "stopped_by": self.stopped_by,
            "first_errors": self.first_errors[:5],
        }


def _connection(base: str, timeout: float) -> http.client.HTTPConnection:
    parts = urllib.parse.urlsplit(base)
    if parts.hostname != "127.0.0.1":
        raise ValueError(f"the load generator talks to 127.0.0.1 only, not {base}")
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def send(connection: http.client.HTTPConnection, request: Request) -> Reply:
    """One request on a kept-alive connection; reopened once if the server had closed it."""
    for attempt in (1, 2):
        try:
            connection.request(
                request.method, request.path, body=request.body, headers=dict(request.headers)
            )
            reply = connection.getresponse()
            body = reply.read()
            return Reply(reply.status, reply.headers, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            connection.close()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def run(
    name: str,
    base: str,
    make_request: Callable[[int], Request],
    check: Check,
    *,
    clients: int = 16,
    requests: int = 2000,
    seconds: float = 20.0,
    timeout: float = 10.0,
) -> Result:
    """Send up to ``requests`` requests (request i is ``make_request(i)``) from ``clients``
    threads, stopping early after ``seconds``. Latency is measured per request, from
    sending to the last byte of the body."""
    counter = itertools.count()
    start_line = threading.Barrier(clients + 1)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    stats = {"sent": 0, "ok": 0, "errors": 0}
    deadline = 0.0
    timed_out = threading.Event()

    def client() -> None:
        connection = _connection(base, timeout)
        mine: list[float] = []
        sent = ok = failed = 0
        reasons: list[str] = []
        start_line.wait()
        try:
            while True:
                if time.perf_counter() >= deadline:
                    timed_out.set()
                    break
                index = next(counter)
                if index >= requests:
                    break
                request = make_request(index)
                sent += 1
                began = time.perf_counter()
                try:
                    reply = send(connection, request)
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    failed += 1
                    reasons.append(f"{request.method} {request.path}: {exc!r}")
                    continue
                mine.append((time.perf_counter() - began) * 1000)
                reason = check(reply)
                if reason is None:
                    ok += 1
                else:
                    failed += 1
                    reasons.append(f"{request.method} {request.path}: {reason}")
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                errors.extend(reasons[:5])
                stats["sent"] += sent
                stats["ok"] += ok
                stats["errors"] += failed

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join(timeout + seconds + 30)
    elapsed = time.perf_counter() - began
    return Result(
        name=name,
        clients=clients,
        sent=stats["sent"],
        ok=stats["ok"],
        errors=stats["errors"],
        seconds=elapsed,
        latencies_ms=latencies,
        first_errors=errors,
        stopped_by="time" if timed_out.is_set() else "count",
    )


class Browser:
    """One simulated browser for setting a scenario up: a connection and a cookie jar."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies: dict[str, str] = {}
        self.connection = _connection(base, 30)

    def cookie_header(self) -> dict[str, str]:
        if not self.cookies:
            return {}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}

    def request(self, method: str, path: str, form: Mapping[str, Any] | None = None) -> Reply:
        headers = {"Accept": "text/html", **self.cookie_header()}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        reply = send(self.connection, Request(method, path, body, headers))
        for header in reply.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if reply.status >= 500:
            raise RuntimeError(f"{method} {path} answered {reply.status}")
        return reply

    def close(self) -> None:
        self.connection.close()


def form_body(form: Mapping[str, Any]) -> bytes:
    return urllib.parse.urlencode(form, doseq=True).encode()
