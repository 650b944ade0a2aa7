# SPDX-License-Identifier: MIT
"""A real HTTP server on 127.0.0.1 for wire tests: feeds, article pages, webhook receivers.

Tests must never reach the public internet; they talk to this server instead,
so redirects, timeouts, status codes and headers go through real sockets.

    with LocalServer() as server:
        server.route("/a.html", "<html>…</html>", headers={"Content-Type": "text/html"})
        httpx.get(server.url("/a.html"))
        assert server.requests[0].headers["user-agent"].startswith("msft-openai-monitor")

It speaks HTTP/1.0 (one request per connection, body ends at close), which
keeps shutdown simple. A handler may return an iterable of byte chunks to send
a body without Content-Length, e.g. to trickle it or exceed a size limit.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

Body = bytes | Iterable[bytes]
Response = tuple[int, dict[str, str], Body]


class Headers(dict[str, str]):
    """Request headers; names are stored lower-cased and looked up case-insensitively."""

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return super().get(name.lower(), default)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    path: str  # with the query string, as sent
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""


Handler = Callable[[RecordedRequest], Response]


class LocalServer:
    """A threaded HTTP server on an ephemeral port; routes map a path to a response."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        """Listen on `host` (any 127.x.y.z address is loopback on Linux: two servers, two addresses)."""
        self._lock = threading.Lock()
        self._routes: dict[str, Handler] = {}
        self.requests: list[RecordedRequest] = []
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.owner = self
        self.base_url = f"http://{host}:{self._httpd.server_port}"
        # A short poll interval: shutdown() waits for the serving loop to notice it.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="local-http", daemon=True
        )
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(
        self, path: str, body: bytes | str = b"", *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        """Serve a fixed response; Content-Type defaults to a guess from the path's extension."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        fixed = dict(headers or {})
        guessed, _ = mimetypes.guess_type(path)
        if guessed and not any(name.lower() == "content-type" for name in fixed):
            fixed["Content-Type"] = guessed
        self.route_handler(path, lambda _request: (status, fixed, data))

    def route_handler(self, path: str, handler: Handler) -> None:
        """Serve whatever handler returns: (status, headers, body bytes or an iterable of chunks)."""
        with self._lock:
            self._routes[path] = handler

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _record(self, request: RecordedRequest) -> Handler | None:
        with self._lock:
            self.requests.append(request)
            # An exact match first, so a test can route one query string specially.
            return self._routes.get(request.path) or self._routes.get(urlsplit(request.path).path)


class _Server(ThreadingHTTPServer):
    owner: LocalServer
    # Do not wait for handlers still running (say, one sleeping past a client's timeout).
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hung up early (timeouts, size limits) is expected here: stay quiet.
        logger.debug("local server: error while serving %s", client_address, exc_info=True)


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._respond()

    def do_HEAD(self) -> None:
        self._respond()

    def do_POST(self) -> None:
        self._respond()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        """Quiet: the stdlib writes every request to stderr."""

    def _respond(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        headers = Headers()
        for name, value in self.headers.items():  # a repeated header becomes one, comma-joined
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        request = RecordedRequest(self.command, self.path, headers, self.rfile.read(length))
        handler = self.server.owner._record(request)
        body: Body
        if handler is None:
            status, reply_headers, body = 404, {"Content-Type": "text/plain"}, b"not found"
        else:
            try:
                status, reply_headers, body = handler(request)
            except Exception as exc:  # the boundary: a broken test handler becomes a visible 500
                logger.exception("local server: handler for %s failed", self.path)
                status, reply_headers, body = 500, {"Content-Type": "text/plain"}, repr(exc).encode()
        self._send(status, reply_headers, body)

    def _send(self, status: int, headers: dict[str, str], body: Body) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if isinstance(body, bytes) and not any(name.lower() == "content-length" for name in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        for chunk in [body] if isinstance(body, bytes) else body:
            self.wfile.write(chunk)
            self.wfile.flush()
