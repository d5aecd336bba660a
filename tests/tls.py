"""HTTPS for the live server, as production has it: a self-signed certificate made for the run
(openssl, which Debian ships), and a TLS-terminating reverse proxy that forwards plain HTTP to
gunicorn with X-Forwarded-For and X-Forwarded-Proto, as nginx does in front of the app."""

from __future__ import annotations

import http.client
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Headers about one connection, not the request (RFC 9110 7.6.1): a proxy does not pass them on.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path

    def client_context(self) -> ssl.SSLContext:
        """A client context that trusts this certificate (and verifies it)."""
        return ssl.create_default_context(cafile=str(self.cert))

    def server_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, self.key)
        return context


def self_signed_certificate(directory: Path) -> Certificate:
    """A certificate for 127.0.0.1, valid for two days."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(  # noqa: S603 - fixed arguments
        [  # noqa: S607 - Debian's openssl
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return Certificate(cert=cert, key=key)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as browsers expect of a proxy
    timeout = 60  # an idle keep-alive connection ends by itself
    server: _TlsProxy

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        backend = http.client.HTTPConnection(*self.server.backend, timeout=60)
        try:
            backend.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in HOP_BY_HOP and not name.lower().startswith("x-forwarded-"):
                    backend.putheader(name, value)
            # What nginx sends with proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for
            # and X-Forwarded-Proto $scheme; Host is passed on unchanged.
            backend.putheader("X-Forwarded-For", self.client_address[0])
            backend.putheader("X-Forwarded-Proto", "https")
            backend.putheader("Content-Length", str(len(body)))
            backend.endheaders(body)
            reply = backend.getresponse()
            data = reply.read()
        finally:
            backend.close()
        self.send_response_only(reply.status, reply.reason)
        for name, value in reply.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_HEAD = _forward

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # gunicorn's access log records each request


class _TlsProxy(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a browser's idle keep-alive connection must not hold up the end

    def __init__(self, backend: tuple[str, int], context: ssl.SSLContext) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.backend = backend
        self.context = context

    def finish_request(self, request: Any, client_address: Any) -> None:
        # The TLS handshake runs in the connection's own thread, not in the accepting one.
        # Headers and body go out as separate writes: without TCP_NODELAY each reply waits
        # for the browser's delayed ACK (40 ms).
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a browser that gave up on a spare connection
        try:
            super().finish_request(tls, client_address)
        finally:
            tls.close()

    def shutdown_request(self, request: Any) -> None:
        request.close()  # detached by wrap_socket (the TLS socket is closed above)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a connection the browser dropped; a real failure shows in the test's page


@contextmanager
def tls_proxy(backend_url: str, certificate: Certificate) -> Iterator[str]:
    """A TLS-terminating reverse proxy in front of ``backend_url`` (plain HTTP) until the block
    ends; its https:// address."""
    parts = urlsplit(backend_url)
    assert parts.scheme == "http" and parts.hostname and parts.port, backend_url
    proxy = _TlsProxy((parts.hostname, parts.port), certificate.server_context())
    thread = threading.Thread(target=proxy.serve_forever, name="tls-proxy", daemon=True)
    thread.start()
    try:
        host, port = proxy.server_address[:2]
        yield f"https://{host!s}:{port}"
    finally:
        proxy.shutdown()
        proxy.server_close()
        thread.join(timeout=10)
