# SPDX-License-Identifier: MIT
"""monitor.collecting.transport: httpx requests over its two paths, against real sockets on 127.0.0.1.

The fetcher's behaviour (limits, redirects, decoding, the one-line errors) is
tested in test_fetch.py and the hostile suite through this transport; here,
what the transport itself promises: raw bodies, the address connected to on
every response (a reused connection too), public-only requests refused at the
connect, on a name as on an address, and never on a connection made without
the rule; connections kept alive when a body was read and closed when it was
not, idle ones bounded, and failures named as httpx's. Plain http goes through monitor.collecting.plain,
https and public-only requests through aiohttp; test_plain_wire.py compares the two paths on the same answers.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import ssl
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from monitor.collecting.fetch import (
    DEFAULT_ACCEPT,
    Fetcher,
    FetchOptions,
    FetchResult,
    accept_encoding,
    is_public_address,
)
from monitor.collecting.transport import PEER_EXTENSION, PUBLIC_ONLY_EXTENSION, NonPublicAddress, Wire
from tests.support.sockets import ThreadedSocketServer, request_heads

T = TypeVar("T")
Reply = Callable[[str], bytes]  # path -> the bytes sent back as they are


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


class SocketServer(ThreadedSocketServer):
    """HTTP/1.1 by hand on 127.0.0.1: each request answered with `reply(path)`, connections counted.

    A reply without "Connection: close" keeps the connection open for the next request.
    """

    def __init__(self, reply: Reply, *, tls: ssl.SSLContext | None = None) -> None:
        self._reply = reply
        self._tls = tls
        self.open = 0  # accepted and not yet closed by either side
        self._count = threading.Lock()
        super().__init__()
        self.base_url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def __enter__(self) -> SocketServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _answer(self, connection: socket.socket) -> None:
        with self._count:
            self.open += 1
        try:
            connection.settimeout(5)
            if self._tls is not None:
                connection = self._tls.wrap_socket(connection, server_side=True)
            for request in request_heads(connection):
                reply = self._reply(request.split(b" ", 2)[1].decode("latin-1"))
                connection.sendall(reply)
                if not reply or b"connection: close" in reply.lower():
                    break
        except OSError:  # the client gave up (or refused our certificate): nothing to answer
            pass
        finally:
            connection.close()
            with self._count:
                self.open -= 1


def response(status: str, body: bytes = b"", *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def get_all(urls: list[str], options: FetchOptions = FetchOptions(timeout_s=5)) -> list[FetchResult]:  # noqa: B008
    async def go() -> list[FetchResult]:
        async with Fetcher(options) as fetcher:
            return [await fetcher.get(url, etag='"v1"') for url in urls]

    return run(go())


def test_a_kept_alive_connection_still_names_its_peer() -> None:
    # A 304 has no body: its connection goes back to the pool before the response is returned.
    with SocketServer(lambda _path: response("304 Not Modified", b"", 'ETag: "v1"')) as server:

        async def go() -> list[object]:
            transport = Wire(is_public=is_public_address)
            try:
                answers = [
                    await transport.handle_async_request(httpx.Request("GET", server.base_url + "/f")) for _ in range(3)
                ]
                return [answer.extensions[PEER_EXTENSION] for answer in answers]
            finally:
                await transport.aclose()

        assert run(go()) == ["127.0.0.1"] * 3
        assert server.connections == 1


def test_unchanged_feeds_are_polled_over_one_connection() -> None:
    with SocketServer(lambda _path: response("304 Not Modified", b"", 'ETag: "v1"')) as server:
        results = get_all([server.base_url + f"/feed{number}.xml" for number in range(5)])
    assert [(result.status, result.error, result.private_peer) for result in results] == [(304, None, True)] * 5
    assert server.connections == 1


def test_idle_connections_are_capped_across_hosts() -> None:
    # 25 servers are 25 hosts to the pool (a port is part of its key); each would keep its connection open.
    # Past 4 open, a host with no idle connection is asked without keep-alive, and its connection closed.
    servers = [SocketServer(lambda _path: response("304 Not Modified", b"", 'ETag: "v1"')) for _ in range(25)]
    try:

        async def go() -> int:
            async with Fetcher(FetchOptions(timeout_s=5, max_connections=4)) as fetcher:
                for server in servers:
                    assert (await fetcher.get(server.base_url + "/feed.xml", etag='"v1"')).not_modified
                await asyncio.sleep(0.3)  # the servers see the closes
                return sum(server.open for server in servers)

        assert run(go()) == 4
        assert sum(server.open for server in servers) <= 4
    finally:
        for server in servers:
            server.close()


def test_a_body_abandoned_at_the_limit_closes_its_connection() -> None:
    big = b"x" * 200_000

    def reply(path: str) -> bytes:
        return response("200 OK", big if path == "/big" else b"small", "Content-Type: text/plain")

    with SocketServer(reply) as server:
        # Content-Length is 200 kB: refused from the header, the body never read; the next GET needs a new connection.
        too_big, after = get_all([server.base_url + "/big", server.base_url + "/small"], FetchOptions(max_bytes=1000))
    assert too_big.error is not None and "response larger than 1000 bytes" in too_big.error
    assert (after.ok, after.content) == (True, b"small")
    assert server.connections == 2


def test_bodies_come_as_sent_the_fetcher_decodes_them() -> None:
    packed = gzip.compress(b"<rss/>" * 50)
    reply = response("200 OK", packed, "Content-Encoding: gzip", "Content-Type: application/rss+xml")
    with SocketServer(lambda _path: reply) as server:

        async def raw_body() -> bytes:
            transport = Wire(is_public=is_public_address)
            try:
                answer = await transport.handle_async_request(httpx.Request("GET", server.base_url + "/feed.xml"))
                return b"".join([chunk async for chunk in answer.aiter_raw()])
            finally:
                await transport.aclose()

        assert run(raw_body()) == packed
        [fetched] = get_all([server.base_url + "/feed.xml"])
    assert fetched.content == b"<rss/>" * 50


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (b"", "fetch failed (RemoteProtocolError: server disconnected without sending a complete response)"),
        (b"SPAM SPAM SPAM\r\n\r\n", "fetch failed (RemoteProtocolError: invalid response ("),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort",
         "fetch failed (RemoteProtocolError: invalid body ("),
    ],
    ids=["closed-without-answer", "not-http", "truncated-body"],
)  # fmt: skip
def test_broken_answers_are_one_line_errors(reply: bytes, reason: str) -> None:
    with SocketServer(lambda _path: reply) as server:
        url = server.base_url + "/feed.xml"
        [result] = get_all([url])
    assert result.error is not None and result.error.startswith(f"{url}: {reason}"), result.error
    assert "\n" not in result.error and result.content is None


def test_an_untrusted_certificate_is_a_tls_error(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    with SocketServer(lambda _path: response("200 OK", b"secret"), tls=server_context) as server:
        url = server.base_url + "/feed.xml"
        [result] = get_all([url])
    assert result.error is not None and result.error.startswith(f"{url}: TLS handshake failed ("), result.error
    assert "CERTIFICATE_VERIFY_FAILED" in result.error and result.content is None


def test_the_ca_bundle_is_loaded_only_for_tls(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain http loads no CA bundle (0.02-0.03 s); a redirect from http to https does, and verifies with it."""
    loaded: list[object] = []
    create = ssl.create_default_context

    def counted(*args: Any, **kwargs: Any) -> ssl.SSLContext:
        loaded.append(kwargs.get("cafile"))
        return create(*args, **kwargs)

    monkeypatch.setattr("monitor.collecting.aiohttp_wire.ssl.create_default_context", counted)
    cert, key = certificate
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    with (
        SocketServer(lambda _path: response("200 OK", b"secret"), tls=server_context) as secure,
        SocketServer(lambda path: response("301 Moved", b"", f"Location: {secure.base_url}{path}")
                     if path == "/moved.xml" else response("200 OK", b"plain")) as plain,
    ):  # fmt: skip

        async def go() -> tuple[FetchResult, int, FetchResult]:
            async with Fetcher(FetchOptions(timeout_s=5)) as fetcher:
                first = await fetcher.get(plain.base_url + "/feed.xml")
                before = len(loaded)
                return first, before, await fetcher.get(plain.base_url + "/moved.xml")

        first, before, moved = run(go())
    assert first.ok and first.content == b"plain" and before == 0, "no CA bundle for plain http"
    assert moved.error is not None and "CERTIFICATE_VERIFY_FAILED" in moved.error and moved.content is None
    assert len(loaded) == 1 and loaded[0] is not None, "the CA bundle, once, for the https hop"


def test_credentials_in_a_url_are_sent_once_as_basic_auth() -> None:
    seen: list[bytes] = []

    def reply(path: str) -> bytes:
        return response("200 OK", b"ok", "Content-Type: text/plain")

    class Recording(SocketServer):
        def _answer(self, connection: socket.socket) -> None:
            head = connection.recv(65536)
            seen.append(head)
            connection.sendall(reply("/"))
            connection.close()

    with Recording(reply) as server:
        url = server.base_url.replace("http://", "http://user:pa%20ss@") + "/private.xml"
        [result] = get_all([url])
    assert result.ok
    [head] = seen
    assert head.startswith(b"GET /private.xml HTTP/1.1\r\n")
    assert head.lower().count(b"authorization: basic ") == 1 and b"user" not in head.split(b"\r\n", 1)[0]


def test_public_only_is_refused_at_the_connect_for_a_name_too() -> None:
    # "localhost" goes through name resolution (an IP address does not): the address is checked as it is connected to.
    with SocketServer(lambda _path: response("200 OK", b"secret")) as server:
        url = server.base_url.replace("127.0.0.1", "localhost") + "/admin"

        async def go() -> str:
            transport = Wire(is_public=is_public_address)
            request = httpx.Request("GET", url, extensions={PUBLIC_ONLY_EXTENSION: True})
            try:
                with pytest.raises(NonPublicAddress) as refused:
                    await transport.handle_async_request(request)
                return refused.value.address
            finally:
                await transport.aclose()

        assert run(go()) in ("127.0.0.1", "::1")
        assert server.connections == 0  # refused before connecting


def test_a_public_only_request_never_reuses_a_connection_made_without_the_rule() -> None:
    with SocketServer(lambda _path: response("304 Not Modified", b"", 'ETag: "v1"')) as server:

        async def go() -> tuple[int, str | None]:
            async with Fetcher(FetchOptions(timeout_s=5)) as fetcher:
                feed = await fetcher.get(server.base_url + "/feed.xml", etag='"v1"')  # its connection stays open
                page = await fetcher.get(server.base_url + "/page.html", etag='"v1"', public_only=True)
                return feed.status or 0, page.error

        status, error = run(go())
    assert status == 304
    assert error == f"{server.base_url}/page.html: refused: a non-public address (127.0.0.1) linked from a public feed"
    assert server.connections == 1


def test_a_refused_connection_is_named() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{placeholder.getsockname()[1]}/feed.xml"  # bound, not listening
        [result] = get_all([url])
    assert result.error == f"{url}: unreachable (connection refused)"


class _Echo(SocketServer):
    """Answers every request with its own head (the port written PORT), one request per connection."""

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            head = next(request_heads(connection), b"")
            body = head.replace(str(self.port).encode(), b"PORT")
            connection.sendall(response("200 OK", body, "Connection: close"))


# The request heads as httpx-aiohttp 0.2 sent them, recorded before issue 16 dropped it (the wire now calls
# aiohttp's ClientSession.request itself, with the same arguments, and plain http goes through
# monitor.collecting.plain): the same bytes, header for header, on both paths.
SENT_DIRECT = (
    b"GET /rss?a=1 HTTP/1.1\r\nhost: 127.0.0.1:PORT\r\n"
    b"user-agent: msft-openai-monitor/0.1 (+https://github.com/; change monitor)\r\n"
    b"accept: " + DEFAULT_ACCEPT.encode() + b"\r\naccept-encoding: " + accept_encoding().encode() + b"\r\n"
    b'if-none-match: "x"\r\nauthorization: Basic dTpwdw=='
)
SENT_TO_PROXY = (
    b"GET http://feeds.example.invalid/rss HTTP/1.1\r\nhost: feeds.example.invalid\r\n"
    b"user-agent: msft-openai-monitor/0.1 (+https://github.com/; change monitor)\r\n"
    b"accept: " + DEFAULT_ACCEPT.encode() + b"\r\naccept-encoding: " + accept_encoding().encode() + b"\r\n"
    b'if-none-match: "x"\r\nProxy-Authorization: Basic dXNlcjpwQHNz'
)


@pytest.mark.parametrize("aiohttp_only", [False, True], ids=["plain", "aiohttp"])
def test_the_request_goes_on_the_wire_as_before(aiohttp_only: bool) -> None:
    with _Echo(lambda _path: b"") as server:
        url = server.base_url.replace("http://", "http://u:pw@") + "/rss?a=1"
        [result] = get_all_with(url, etag='"x"', aiohttp_only=aiohttp_only)
    assert result.ok and result.content == SENT_DIRECT


@pytest.mark.parametrize("aiohttp_only", [False, True], ids=["plain", "aiohttp"])
def test_a_request_past_the_idle_bound_asks_to_close_as_before(aiohttp_only: bool) -> None:
    """One connection may stay open: the first server's is kept, so the request to the second asks for its
    connection to be closed after the answer ("Connection: close" last, as aiohttp's force_close writes it)."""
    with (
        SocketServer(lambda _path: response("304 Not Modified", b"", 'ETag: "x"')) as kept,
        _Echo(lambda _path: b"") as echo,
    ):

        async def go() -> FetchResult:
            wire = Wire(is_public=is_public_address, max_connections=1, aiohttp_only=aiohttp_only)
            async with Fetcher(FetchOptions(timeout_s=5, max_connections=1), transport=wire) as fetcher:
                assert (await fetcher.get(kept.base_url + "/feed.xml", etag='"x"')).not_modified
                return await fetcher.get(echo.base_url + "/rss")

        result = run(go())
    assert result.ok and result.content is not None
    assert result.content.startswith(b"GET /rss HTTP/1.1\r\nhost: 127.0.0.1:PORT\r\n")
    assert result.content.endswith(b"accept-encoding: " + accept_encoding().encode() + b"\r\nConnection: close")


# aiohttp 3.14 deprecates the BasicAuth proxy credentials httpx-aiohttp gave it (and the wire still gives it,
# to send the same bytes); a warning that Python does not show outside tests
@pytest.mark.filterwarnings("ignore:The 'proxy_auth' parameter is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:BasicAuth is deprecated:DeprecationWarning")
def test_a_proxy_from_the_environment_gets_its_credentials_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    with _Echo(lambda _path: b"") as proxy:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url.replace("http://", "http://user:p%40ss@"))
        [result] = get_all_with("http://feeds.example.invalid/rss", etag='"x"')  # the proxy resolves it, not us
    assert result.ok and result.content == SENT_TO_PROXY


def get_all_with(url: str, *, etag: str, aiohttp_only: bool = False) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        wire = Wire(is_public=is_public_address, aiohttp_only=aiohttp_only)
        async with Fetcher(FetchOptions(timeout_s=5), transport=wire) as fetcher:
            return [await fetcher.get(url, etag=etag)]

    return run(go())
