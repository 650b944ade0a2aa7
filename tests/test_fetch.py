# SPDX-License-Identifier: MIT
"""monitor.collecting.fetch: the shared client against a real server on 127.0.0.1 (MockTransport for pure logic)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, TypeVar

import httpx
import pytest

import monitor.collecting.fetch
from monitor.collecting.fetch import DEFAULT_ACCEPT, Fetcher, FetchOptions, FetchResult, is_public_address
from monitor.reading.source import read_source
from tests.support.httpserver import LocalServer, RecordedRequest

T = TypeVar("T")
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
FAST = FetchOptions(timeout_s=5)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def fetch(url: str, options: FetchOptions = FAST, **kwargs: Any) -> FetchResult:
    """One get with a fresh Fetcher."""

    async def go() -> FetchResult:
        async with Fetcher(options) as fetcher:
            return await fetcher.get(url, **kwargs)

    return run(go())


def fetch_many(
    urls: list[str], options: FetchOptions, *, transport: httpx.AsyncBaseTransport | None = None
) -> list[FetchResult]:
    async def go() -> list[FetchResult]:
        async with Fetcher(options, transport=transport) as fetcher:
            return list(await asyncio.gather(*(fetcher.get(url) for url in urls)))

    return run(go())


def _chunks(count: int, size: int, pause: float = 0.0) -> Iterator[bytes]:
    for _ in range(count):
        time.sleep(pause)
        yield b"a" * size


# --- conditional GET ----------------------------------------------------------------------------------

ETAG = '"feed-v1"'
LAST_MODIFIED = "Tue, 10 Jun 2025 04:00:00 GMT"


def conditional_feed(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
    if request.headers.get("if-none-match") == ETAG:
        return 304, {"ETag": ETAG}, b""
    return 200, {"Content-Type": "application/rss+xml", "ETag": ETAG, "Last-Modified": LAST_MODIFIED}, b"<rss/>"


def test_conditional_get_not_modified(local_server: LocalServer) -> None:
    local_server.route_handler("/feed.xml", conditional_feed)
    url = local_server.url("/feed.xml")

    async def poll_twice() -> tuple[FetchResult, FetchResult]:
        async with Fetcher(FAST) as fetcher:
            first = await fetcher.get(url)
            return first, await fetcher.get(url, etag=first.etag, last_modified=first.last_modified)

    first, second = run(poll_twice())
    assert (first.status, first.ok, first.not_modified, first.content) == (200, True, False, b"<rss/>")
    assert (first.etag, first.last_modified, first.content_type) == (ETAG, LAST_MODIFIED, "application/rss+xml")
    assert "if-none-match" not in local_server.requests[0].headers
    sent = local_server.requests[1].headers
    assert (sent["If-None-Match"], sent["If-Modified-Since"]) == (ETAG, LAST_MODIFIED)
    assert (second.status, second.not_modified, second.ok, second.content, second.error) == (
        304,
        True,
        False,
        None,
        None,
    )
    # The 304 repeated the ETag but not Last-Modified: the validator sent still holds.
    assert (second.etag, second.last_modified) == (ETAG, LAST_MODIFIED)


def test_only_the_validators_given_are_sent(local_server: LocalServer) -> None:
    local_server.route("/f", status=304)
    result = fetch(local_server.url("/f"), last_modified=LAST_MODIFIED)
    assert result.not_modified and result.etag is None and result.last_modified == LAST_MODIFIED
    (request,) = local_server.requests
    assert "If-None-Match" not in request.headers
    assert request.headers["If-Modified-Since"] == LAST_MODIFIED


# --- status codes -------------------------------------------------------------------------------------

STATUSES = {
    "200": (200, None, True),
    "203": (203, None, True),
    "404": (404, "HTTP 404 Not Found", False),
    "410": (410, "HTTP 410 Gone", False),
    "429": (429, "HTTP 429 Too Many Requests", False),
    "500": (500, "HTTP 500 Internal Server Error", False),
    "503": (503, "HTTP 503 Service Unavailable", False),
}


@pytest.mark.parametrize("status, reason, ok", STATUSES.values(), ids=STATUSES.keys())
def test_status(local_server: LocalServer, status: int, reason: str | None, ok: bool) -> None:
    local_server.route("/p", "body", status=status, headers=TEXT | {"Retry-After": "120", "X-Mixed-Case": "v"})
    url = local_server.url("/p")
    result = fetch(url)
    assert (result.status, result.ok, result.url, result.final_url) == (status, ok, url, url)
    assert result.error == (f"{url}: {reason}" if reason else None)
    assert result.content == (b"body" if ok else None)
    # Header names are lower-cased, and kept on errors: the scheduler reads Retry-After.
    assert result.headers["retry-after"] == "120" and result.headers["x-mixed-case"] == "v"
    assert result.content_type == TEXT["Content-Type"]


# --- redirects ----------------------------------------------------------------------------------------


def test_redirect_chain_sets_final_url(local_server: LocalServer) -> None:
    local_server.route("/a", status=301, headers={"Location": local_server.url("/b")})
    local_server.route("/b", status=302, headers={"Location": "/c?from=b"})  # relative
    local_server.route("/c", status=307, headers={"Location": "d"})
    local_server.route("/d", "arrived", headers=TEXT)
    url = local_server.url("/a")
    result = fetch(url, FetchOptions(timeout_s=5, max_redirects=3))
    assert (result.ok, result.content, result.url, result.final_url) == (True, b"arrived", url, local_server.url("/d"))
    assert [r.path for r in local_server.requests] == ["/a", "/b", "/c?from=b", "/d"]


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("2001:4860:4860::8888", True), ("127.0.0.1", False), ("10.1.2.3", False),
     ("192.168.0.1", False), ("172.16.5.5", False), ("169.254.169.254", False), ("100.64.0.1", False),
     ("::1", False), ("fe80::1%eth0", False), ("fd00::1", False), ("::ffff:127.0.0.1", False), ("0.0.0.0", False),
     ("not an address", False)],
)  # fmt: skip
def test_is_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_a_private_peer_is_reported_and_refused_when_public_only(local_server: LocalServer) -> None:
    local_server.route("/page", "text", headers=TEXT)
    url = local_server.url("/page")
    allowed = fetch(url)
    assert (allowed.ok, allowed.private_peer) == (True, True)
    refused = fetch(url, public_only=True)
    assert refused.error == f"{url}: refused: a non-public address (127.0.0.1) linked from a public feed"
    assert refused.content is None


def test_public_only_checks_every_redirect_hop(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer("127.0.0.2") as internal:
        internal.route("/secret", "metadata", headers=TEXT)
        local_server.route("/go", status=302, headers={"Location": internal.url("/secret")})
        # 127.0.0.1 plays the public internet; 127.0.0.2 the intranet.
        monkeypatch.setattr(monitor.collecting.fetch, "is_public_address", lambda address: address == "127.0.0.1")
        result = fetch(local_server.url("/go"), public_only=True)
        assert result.error is not None and "non-public address (127.0.0.2)" in result.error
        assert result.final_url == internal.url("/secret")


def test_redirect_loop(local_server: LocalServer) -> None:
    local_server.route("/loop", status=302, headers={"Location": "/loop"})
    url = local_server.url("/loop")
    result = fetch(url, FetchOptions(timeout_s=5, max_redirects=3))
    assert result.error == f"{url}: too many redirects (more than 3)"
    assert (result.ok, result.content) == (False, None)
    assert len(local_server.requests) == 4


@pytest.mark.parametrize(
    "target, reason",
    [
        ("ftp://127.0.0.1/file.txt", "redirect to an unsupported URL scheme (ftp://127.0.0.1/file.txt)"),
        ("file:///etc/passwd", "redirect to an unsupported URL scheme (file:///etc/passwd)"),
    ],
    ids=["ftp", "file"],
)
def test_redirect_to_other_scheme(local_server: LocalServer, target: str, reason: str) -> None:
    local_server.route("/r", status=302, headers={"Location": target})
    url = local_server.url("/r")
    result = fetch(url)
    assert (result.error, result.status, result.content) == (f"{url}: {reason}", None, None)
    assert len(local_server.requests) == 1


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://example.com/x", "unsupported URL scheme (only http and https)"),
        ("http:///path", "invalid URL (no host name)"),
        ("http://[::1", "invalid URL"),
    ],
    ids=["ftp", "no-host", "bad-host"],
)
def test_bad_url_is_an_error_not_an_exception(url: str, reason: str) -> None:
    result = fetch(url)
    assert result.error is not None and result.error.startswith(f"{url}: {reason}")
    assert (result.status, result.content, result.ok) == (None, None, False)


# --- limits -------------------------------------------------------------------------------------------


def serve_big_text(server: LocalServer, *, declared: bool) -> str:
    """200 KB of "a", with a Content-Length, or streamed in chunks without one."""
    if declared:
        server.route("/big.txt", b"a" * 200_000)
    else:
        server.route_handler("/big.txt", lambda _r: (200, TEXT, _chunks(50, 4000)))
    return server.url("/big.txt")


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_body_larger_than_max_bytes(local_server: LocalServer, declared: bool) -> None:
    url = serve_big_text(local_server, declared=declared)
    result = fetch(url, FetchOptions(timeout_s=5, max_bytes=50_000))
    assert result.error == f"{url}: response larger than 50000 bytes"
    assert (result.status, result.content, result.ok) == (200, None, False)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
def test_cut_at_limit_gives_the_head_of_a_long_body(local_server: LocalServer, declared: bool) -> None:
    url = serve_big_text(local_server, declared=declared)
    result = fetch(url, FetchOptions(timeout_s=5, max_bytes=50_000), cut_at_limit=True)
    assert result.error is None and result.cut and result.content is not None
    assert 40_000 <= len(result.content) <= 50_000 and set(result.content) == {ord("a")}


def test_max_bytes_counts_decoded_bytes(local_server: LocalServer) -> None:
    bomb = gzip.compress(b"\0" * 1_000_000)  # ~1 KB on the wire
    local_server.route("/bomb", bomb, headers=TEXT | {"Content-Encoding": "gzip"})
    url = local_server.url("/bomb")
    assert fetch(url, FetchOptions(timeout_s=5, max_bytes=100_000)).error == f"{url}: response larger than 100000 bytes"
    assert fetch(url, FetchOptions(timeout_s=5, max_bytes=1_000_000)).content == b"\0" * 1_000_000


def test_stalled_response_times_out(local_server: LocalServer) -> None:
    release = threading.Event()

    def stall(_request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        release.wait(10)
        return 200, {}, b"too late"

    local_server.route_handler("/slow", stall)
    url = local_server.url("/slow")
    started = time.monotonic()
    try:
        result = fetch(url, FetchOptions(timeout_s=0.3))
    finally:
        release.set()
    assert (result.error, result.status) == (f"{url}: timed out after 0.3s", None)
    assert time.monotonic() - started < 2


def test_trickling_body_hits_the_overall_deadline(local_server: LocalServer) -> None:
    # Each chunk comes well within httpx's read timeout; the whole body would take ~4 s.
    local_server.route_handler("/drip", lambda _r: (200, TEXT, _chunks(20, 10, pause=0.2)))
    url = local_server.url("/drip")
    started = time.monotonic()
    result = fetch(url, FetchOptions(timeout_s=0.5))
    assert result.error == f"{url}: timed out after 0.5s"
    assert time.monotonic() - started < 1.5


def test_nothing_listening() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/feed.xml"
    result = fetch(url)
    assert (result.error, result.status, result.content) == (f"{url}: unreachable (connection refused)", None, None)


# --- concurrency --------------------------------------------------------------------------------------


class InFlight:
    """Counts requests in progress, thread-safely, and remembers the peak."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self) -> None:
        with self._lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self.now -= 1


def test_per_host_concurrency_is_bounded(local_server: LocalServer) -> None:
    in_flight = InFlight()

    def slow(_request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        with in_flight:
            time.sleep(0.05)
        return 200, TEXT, b"ok"

    local_server.route_handler("/item", slow)
    urls = [local_server.url(f"/item?n={n}") for n in range(10)]
    results = fetch_many(urls, FetchOptions(timeout_s=5, per_host=2, max_connections=10))
    assert all(result.ok for result in results)
    assert in_flight.peak == 2  # never more, and the two slots were used


def test_global_concurrency_is_bounded_across_hosts() -> None:
    overall = InFlight()
    per_host: dict[str, InFlight] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = per_host.setdefault(request.url.host, InFlight())
        with overall, host:
            await asyncio.sleep(0.02)
        return httpx.Response(200, content=b"ok")

    urls = [f"https://host{h}.example/{n}" for h in range(4) for n in range(5)]
    options = FetchOptions(timeout_s=5, per_host=2, max_connections=3)
    results = fetch_many(urls, options, transport=httpx.MockTransport(handler))
    assert all(result.ok for result in results)
    assert overall.peak == 3
    assert max(counter.peak for counter in per_host.values()) == 2


def test_a_crowded_host_does_not_hold_the_global_slots() -> None:
    """Requests queued for a busy host wait for its slot before taking a global one."""
    started: dict[str, float] = {}
    finished: dict[str, float] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        started[str(request.url)] = time.monotonic()
        await asyncio.sleep(0.05)
        finished[str(request.url)] = time.monotonic()
        return httpx.Response(200, content=b"ok")

    busy = [f"https://busy.example/{n}" for n in range(4)]
    other = "https://other.example/x"
    fetch_many([*busy, other], FetchOptions(per_host=1, max_connections=2), transport=httpx.MockTransport(handler))
    assert started[other] < finished[busy[0]]


def test_waiting_for_a_slot_does_not_count_against_the_timeout() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.15)
        return httpx.Response(200, content=b"ok")

    urls = [f"https://one.example/{n}" for n in range(4)]  # 0.6 s in all, one at a time
    results = fetch_many(urls, FetchOptions(timeout_s=0.4, per_host=1), transport=httpx.MockTransport(handler))
    assert [result.error for result in results] == [None] * 4


# --- request headers ----------------------------------------------------------------------------------


def test_user_agent_and_accept(local_server: LocalServer) -> None:
    local_server.route("/x", "ok", headers=TEXT)
    fetch(local_server.url("/x"))
    fetch(local_server.url("/x"), FetchOptions(user_agent="monitor-test/9.9"), accept="text/html")
    default, custom = local_server.requests
    assert default.headers["User-Agent"] == FetchOptions().user_agent
    assert default.headers["Accept"] == DEFAULT_ACCEPT
    assert (custom.headers["User-Agent"], custom.headers["Accept"]) == ("monitor-test/9.9", "text/html")


# --- read_source goes through the Fetcher -------------------------------------------------------------


class SyncOnlyTransport(httpx.BaseTransport):
    """A transport with no async side, which `read_source` must still accept."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.handler = handler
        self.closed = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self.handler(request)

    def close(self) -> None:
        self.closed = True


def test_read_source_accepts_a_sync_transport() -> None:
    body = gzip.compress(b"Microsoft and OpenAI.")
    transport = SyncOnlyTransport(
        lambda request: httpx.Response(
            200, content=body, headers={"Content-Type": "text/plain", "Content-Encoding": "gzip"}
        )
    )
    doc = read_source("https://news.invalid/a", transport=transport)
    assert (doc.text, doc.url) == ("Microsoft and OpenAI.", "https://news.invalid/a")
    assert transport.closed


# --- what httpx's client did, now done by the fetcher ----------------------------------------------------


def test_a_cookie_set_by_a_redirect_goes_to_its_target(local_server: LocalServer) -> None:
    # Some news sites set a consent or session cookie on a redirect and loop until it comes back.
    local_server.route("/start", status=302, headers={"Location": "/end", "Set-Cookie": "session=abc; Path=/"})
    local_server.route("/end", "<rss/>", headers={"Content-Type": "application/rss+xml"})
    result = fetch(local_server.url("/start"))
    assert result.ok and result.final_url == local_server.url("/end")
    start, end = local_server.requests
    assert (start.headers.get("cookie"), end.headers.get("cookie")) == (None, "session=abc")


def test_credentials_go_to_the_same_origin_only(local_server: LocalServer) -> None:
    with LocalServer("127.0.0.2") as other:
        other.route("/feed.xml", "<rss/>")
        local_server.route("/here", status=302, headers={"Location": "/there"})
        local_server.route("/there", status=302, headers={"Location": other.url("/feed.xml")})
        url = local_server.url("/here").replace("http://", "http://reader:s3cret@")
        assert fetch(url).ok
        same_origin = [request.headers.get("authorization") for request in local_server.requests]
        assert same_origin == ["Basic cmVhZGVyOnMzY3JldA=="] * 2  # base64 of reader:s3cret
        assert [request.headers.get("authorization") for request in other.requests] == [None]


def test_a_relative_redirect_keeps_the_fragment_asked_for(local_server: LocalServer) -> None:
    local_server.route("/old", status=301, headers={"Location": "new?x=1"})
    local_server.route("/new", "<rss/>")
    result = fetch(local_server.url("/old#top"))
    assert result.ok and result.final_url == local_server.url("/new?x=1#top")


def test_proxy_variables_are_honoured(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # The proxy gets the absolute URL; the feed's host is never looked up here.
    local_server.route_handler("http://feeds.example/feed.xml", lambda _request: (200, {}, b"<rss/>"))
    monkeypatch.setenv("HTTP_PROXY", local_server.base_url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    result = fetch("http://feeds.example/feed.xml")
    assert (result.ok, result.content) == (True, b"<rss/>"), result.error
    assert [request.path for request in local_server.requests] == ["http://feeds.example/feed.xml"]


def test_no_proxy_hosts_are_reached_directly(local_server: LocalServer, monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalServer("127.0.0.2") as proxy:
        local_server.route("/feed.xml", "<rss/>")
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        assert fetch(local_server.url("/feed.xml")).ok
        assert ([r.path for r in local_server.requests], proxy.requests) == (["/feed.xml"], [])
