# SPDX-License-Identifier: MIT
"""monitor.collecting.plain against aiohttp: the same answers, byte for byte on loopback, read alike.

Each case is a raw answer (or a short exchange) served by hand on 127.0.0.1 and fetched twice through
`Fetcher`: over the plain path and with `Wire(aiohttp_only=True)`. What comes back must be the same
field for field (status, body, validators, headers, final URL, private peer, cut), and a failure the
same kind of failure: the same line up to the parser's own wording of what was wrong ("fetch failed
(RemoteProtocolError: invalid response (…))" on both; aiohttp's llhttp and this parser word the reason
differently). The cases where the two differ on purpose are listed in DIFFERENT, each with why.
"""

from __future__ import annotations

import asyncio
import gzip
import re
import socket
from collections.abc import Iterator

import pytest

from monitor.collecting.fetch import Fetcher, FetchOptions, FetchResult, is_public_address
from monitor.collecting.transport import Wire
from tests.support.sockets import ThreadedSocketServer, request_heads

GZ = gzip.compress(b"<rss>gzipped</rss>")


def ok(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = "\r\n".join([f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers])
    return (head + "\r\n\r\n").encode() + body


# name → the bytes sent back for every request (a connection ends after them when they say close)
ANSWERS: dict[str, bytes] = {
    "200": ok(
        b"<rss/>", "Content-Type: application/rss+xml", 'ETag: "e1"', "Last-Modified: Wed, 31 Dec 2025 12:00:00 GMT"
    ),
    "304": b'HTTP/1.1 304 Not Modified\r\nETag: "e1"\r\n\r\n',
    "304-without-validators": b"HTTP/1.1 304 Not Modified\r\n\r\n",
    "gzip": ok(GZ, "Content-Encoding: gzip"),
    "bad-gzip": ok(b"not gzip at all", "Content-Encoding: gzip"),
    "unknown-coding": ok(b"x", "Content-Encoding: zstd"),
    "503-retry-after": ok(b"busy", "Retry-After: 120", status="503 Service Unavailable"),
    "made-up-reason": ok(b"", status="599 <b>Go</b> away"),
    "no-reason": b"HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n",
    "no-reason-trailing-space": b"HTTP/1.1 200 \r\nContent-Length: 2\r\n\r\nok",
    "404": ok(b"gone", status="404 Not Found"),
    "204": b"HTTP/1.1 204 No Content\r\n\r\n",
    "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n<rs\r\n4;ext=1\r\ns/>!\r\n0\r\n\r\n",
    "chunked-with-trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n",
    "chunked-bad-size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n<rss/>\r\n0\r\n\r\n",
    "chunked-cut": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n10\r\nshort",
    "chunked-endless-extensions": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + b"x" * 70_000,
    "chunked-lf-after-data": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\n0\r\n\r\n",
    "until-close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n<rss>to the end</rss>",
    "http-1.0": b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "bare-lf": b'HTTP/1.1 200 OK\nContent-Length: 2\nETag: "lf"\n\nok',
    "short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\nshort",
    "same-length-twice": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
    "lengths-conflicting": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 20\r\n\r\nok",
    "length-not-a-number": b"HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\nok",
    "length-and-chunked": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
    b"\r\n",
    "header-without-colon": b"HTTP/1.1 200 OK\r\nthis is not a header\r\n\r\n<rss/>",
    "space-before-colon": b"HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok",
    "nul-in-value": b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 2\r\n\r\nok",
    "latin-1-value": b"HTTP/1.1 200 OK\r\nX-A: caf\xe9\r\nContent-Length: 2\r\n\r\nok",
    "huge-header": b"HTTP/1.1 200 OK\r\nX-Filler: " + b"a" * 1_000_000 + b"\r\n\r\n",
    "header-over-8190": b"HTTP/1.1 200 OK\r\nX-Filler: " + b"a" * 9000 + b"\r\nContent-Length: 2\r\n\r\nok",
    "200-header-lines": b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 200 + b"Content-Length: 2\r\n\r\nok",
    "not-http": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "http-0.9": b"<rss version='2.0'><channel><title>Nine</title></channel></rss>",
    "empty": b"",
    "interim-100": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    "redirect-relative": b"HTTP/1.1 301 Moved\r\nLocation: /200\r\nContent-Length: 0\r\n\r\n",
    "redirect-javascript": b"HTTP/1.1 302 Found\r\nLocation: javascript:alert(1)\r\nContent-Length: 0\r\n\r\n",
}

# The cases read differently on purpose (every other case must read the same).
DIFFERENT = {
    # llhttp reads chunk extensions without end (the fetch times out); the plain path refuses a chunk-size
    # line over 8,190 bytes at once, as it refuses a header line that long
    "chunked-endless-extensions",
}


class Server(ThreadedSocketServer):
    """Answers each request on a connection with ANSWERS[<path>] (the path "/200" etc.)."""

    def _answer(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        try:
            for head in request_heads(connection):
                answer = ANSWERS[head.split(b" ", 2)[1].decode().lstrip("/")]
                connection.sendall(answer)
                if not answer.startswith(b"HTTP/1.1") or b"connection: close" in answer.lower():
                    return
        except OSError:
            pass
        finally:
            connection.close()


def fetch(url: str, *, aiohttp_only: bool, options: FetchOptions, cut_at_limit: bool = False) -> FetchResult:
    async def go() -> FetchResult:
        wire = Wire(is_public=is_public_address, max_connections=options.max_connections, aiohttp_only=aiohttp_only)
        async with Fetcher(options, transport=wire) as fetcher:
            return await fetcher.get(url, etag='"e0"', cut_at_limit=cut_at_limit)

    return asyncio.run(go())


def kind(error: str | None) -> str | None:
    """An error line without the parser's own wording of what was wrong (llhttp may also find a bad chunk
    while it reads the head, "invalid response", where the plain path finds it reading the body)."""
    return error and re.sub(r"(RemoteProtocolError: invalid) .*", r"\1", error)


def compared(result: FetchResult) -> tuple[object, ...]:
    return (result.status, result.content, result.content_type, result.etag, result.last_modified, result.headers,
            result.final_url, kind(result.error), result.private_peer, result.cut)  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    yield running
    running.close()


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_both_paths_read_an_answer_alike(server: Server, name: str) -> None:
    url = f"http://127.0.0.1:{server.port}/{name}"
    options = FetchOptions(timeout_s=3)
    plain, through_aiohttp = (compared(fetch(url, aiohttp_only=flag, options=options)) for flag in (False, True))
    if name in DIFFERENT:
        assert plain != through_aiohttp
    else:
        assert plain == through_aiohttp


@pytest.mark.parametrize("cut_at_limit", [False, True])
def test_both_paths_stop_a_body_at_the_limit(server: Server, cut_at_limit: bool) -> None:
    url = f"http://127.0.0.1:{server.port}/until-close"
    options = FetchOptions(timeout_s=3, max_bytes=5)
    results = [fetch(url, aiohttp_only=flag, options=options, cut_at_limit=cut_at_limit) for flag in (False, True)]
    assert compared(results[0]) == compared(results[1])
    assert (results[0].cut, results[0].content) == ((True, b"<rss>") if cut_at_limit else (False, None))


def test_both_paths_name_a_closed_port_alike() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{placeholder.getsockname()[1]}/feed.xml"  # bound, not listening
        errors = [fetch(url, aiohttp_only=flag, options=FetchOptions(timeout_s=3)).error for flag in (False, True)]
    assert errors[0] == errors[1] == f"{url}: unreachable (connection refused)"


def test_both_paths_name_a_host_without_address_alike() -> None:
    url = "http://no-such-host.invalid/feed.xml"  # .invalid never resolves (RFC 6761)
    errors = [fetch(url, aiohttp_only=flag, options=FetchOptions(timeout_s=5)).error for flag in (False, True)]
    assert errors[0] == errors[1] == f"{url}: unreachable (host name not found)"


class _Closing(ThreadedSocketServer):
    """Answers one request per connection with a 304 that says keep-alive, then closes: the client's kept
    connection is dead by the next request."""

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            if connection.recv(65536):
                connection.sendall(b'HTTP/1.1 304 Not Modified\r\nETag: "e1"\r\n\r\n')


def test_a_kept_connection_closed_by_the_server_is_replaced() -> None:
    closing = _Closing()
    try:

        async def go() -> list[FetchResult]:
            async with Fetcher(FetchOptions(timeout_s=3)) as fetcher:
                results = []
                for number in range(3):
                    results.append(await fetcher.get(f"http://127.0.0.1:{closing.port}/f{number}", etag='"e1"'))
                    await asyncio.sleep(0.05 * (number % 2))  # the close seen before reuse, or only at reuse
                return results

        results = asyncio.run(go())
    finally:
        closing.close()
    assert [(result.status, result.error) for result in results] == [(304, None)] * 3
    assert closing.connections == 3


class _Silent(ThreadedSocketServer):
    """Reads a request and closes without a word, counting the requests."""

    requests = 0

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            if connection.recv(65536):
                self.requests += 1


def test_a_server_that_closes_unanswered_is_asked_once() -> None:
    """aiohttp sends a GET again when its connection drops unanswered, a fresh one too (two requests to a
    hostile server); the plain path sends it again only on a kept connection, which may have timed out."""
    silent = _Silent()
    try:
        url = f"http://127.0.0.1:{silent.port}/feed.xml"
        result = fetch(url, aiohttp_only=False, options=FetchOptions(timeout_s=3))
    finally:
        silent.close()
    assert (
        result.error
        == f"{url}: fetch failed (RemoteProtocolError: server disconnected without sending a complete response)"
    )
    assert (silent.requests, silent.connections) == (1, 1)
