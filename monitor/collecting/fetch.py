# SPDX-License-Identifier: MIT
"""One shared, polite HTTP client: conditional GETs, bounded concurrency, hard limits.

Every feed and article goes through `Fetcher.get`, which never raises for an
HTTP or network failure: the outcome, good or bad, is a `FetchResult` whose
`error` is one line naming the URL, so one failing source is recorded and the
cycle goes on. Requests and responses are httpx's; `monitor.collecting.transport` puts
them on the wire (plain http on asyncio, the rest through aiohttp).

    async with Fetcher(FetchOptions(per_host=2)) as fetcher:
        first = await fetcher.get(feed_url)
        later = await fetcher.get(feed_url, etag=first.etag, last_modified=first.last_modified)
        if later.not_modified: ...

Politeness and limits, per `get`:

- at most `per_host` requests in flight to one host name and `max_connections`
  overall, and as many idle kept-alive connections; a request
  waits for its host's slot before it takes a global one, so a crowd of
  requests to one slow host never holds the global slots idle;
- redirects are followed by hand, at most `max_redirects`, each target checked
  to be a valid http or https URL as soon as the redirect arrives (a
  `javascript:`, `data:` or `file:` Location is named as such in the error);
- the body is streamed and abandoned past `max_bytes`, counted on the wire and
  once decoded: gzip, deflate and (when the `brotli` package is installed) br
  are decoded here, each step asked for no more than the bytes still allowed,
  so a decompression bomb stops at the limit without ever being inflated in
  memory; any other Content-Encoding is a one-line error, not garbage bytes;
- `timeout_s` bounds each request as a whole, connection to last byte, so a
  server trickling bytes still times out. Time spent waiting for a slot does
  not count.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Awaitable
from dataclasses import dataclass, field, replace
from types import ModuleType, TracebackType
from typing import Protocol, TypeVar

import httpx

from monitor.collecting.peers import PEER_EXTENSION, PUBLIC_ONLY_EXTENSION, NonPublicAddress
from monitor.collecting.transport import Wire
from monitor.urls import host_of

__all__ = ["DEFAULT_ACCEPT", "FetchOptions", "FetchResult", "Fetcher"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.9, application/xhtml+xml;q=0.9, text/*;q=0.8, */*;q=0.5"
)
_REASON_MAX = 100  # characters of a server's reason phrase kept in an error line


def _load_brotli() -> ModuleType | None:
    """The `brotli` module if it can decode with a bounded output (brotli >= 1.2), else None."""
    try:
        import brotli  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    try:
        brotli.Decompressor().process(b"", output_buffer_limit=1)
    except (TypeError, AttributeError):  # an older brotli, or brotlicffi's look-alike: no output bound
        return None
    return brotli


_BROTLI = _load_brotli()


@dataclass(frozen=True)
class FetchOptions:
    """Limits for fetching; `max_bytes` also bounds files and stdin read by `monitor check`."""

    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = "msft-openai-monitor/0.1 (+https://github.com/; change monitor)"
    max_connections: int = 10  # overall concurrency
    per_host: int = 2  # concurrent requests to one host name


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one GET: a body, "not modified", or an error naming the URL."""

    url: str  # as asked
    final_url: str  # after redirects (the last URL tried when it failed)
    status: int | None  # None when no response came (network error, timeout)
    content: bytes | None  # the body; None for 304 and errors
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)  # names lower-cased
    error: str | None = None  # "<url>: HTTP 404 Not Found", "<url>: timed out after 20s", …
    private_peer: bool = False  # the answer came from a loopback, private or link-local address
    cut: bool = False  # asked with `cut_at_limit`, the body was longer than max_bytes: these are its first bytes

    @property
    def not_modified(self) -> bool:
        """The server answered 304 to a conditional GET: what we had is current."""
        return self.status == 304

    @property
    def ok(self) -> bool:
        """A 2xx response whose body was read in full."""
        return self.error is None and self.content is not None and self.status is not None and 200 <= self.status < 300


class _Failure(Exception):
    """A fetch failed for the reason given; becomes `FetchResult.error`, never leaves this module."""

    def __init__(self, reason: str, *, response: httpx.Response | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.response = response


class Fetcher:
    """An async context manager owning one transport (and cookie jar) shared by every `get`.

    Requests and responses are httpx's, but no `httpx.AsyncClient` sends them:
    its cookie, auth and redirect layers cost more CPU per request than the
    wire below them. The few rules of theirs that apply to a GET are kept
    here: default headers, credentials in a URL sent as Basic auth, cookies,
    and httpx's redirect rules (`_next_request`).
    """

    def __init__(
        self,
        options: FetchOptions = FetchOptions(),  # noqa: B008 - frozen, so sharing the default is safe
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """`transport` replaces the network layer (tests: `httpx.MockTransport`); the default is `Wire`."""
        self.options = options
        self._transport = transport or Wire(is_public=_is_public, max_connections=options.max_connections)
        # as pairs, not httpx.Headers: copying those for each request cost more than building the request
        self._headers = [("User-Agent", options.user_agent), ("Accept", DEFAULT_ACCEPT),
                         ("Accept-Encoding", accept_encoding())]  # fmt: skip
        self._cookies = httpx.Cookies()
        self._global = asyncio.Semaphore(options.max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._host_names: dict[bytes, str] = {}  # httpx's parsed host → `host_of` its URL, the semaphores' key

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        public_only: bool = False,
        cut_at_limit: bool = False,
    ) -> FetchResult:
        """GET url; with validators, conditionally (a 304 comes back as `not_modified`). Never raises for HTTP.

        `accept` replaces the default Accept header (feeds, HTML and text). With `public_only`, an
        answer from a non-public address (loopback, private, link-local: an intranet service, a
        cloud metadata endpoint) is refused unread, at every redirect hop: the address checked is
        the one connected to (the default transport refuses it before connecting), so a DNS name
        that changes its answer cannot slip by. With `cut_at_limit`, a body longer than `max_bytes`
        is not an error: its first `max_bytes` come back, marked `cut` (a feed's first entries are
        worth reading).
        """
        asked = [(name, value) for name, value in (("If-None-Match", etag), ("If-Modified-Since", last_modified),
                                                   ("Accept", accept)) if value]  # fmt: skip
        # an Accept asked for replaces the default one (and goes last, as httpx.Headers.update puts it)
        headers = [pair for pair in self._headers if not (accept and pair[0] == "Accept")] + asked
        try:
            request = httpx.Request("GET", _checked_url(url), headers=headers)
        except _Failure as failure:
            return _failed(url, url, failure)
        budget = _Budget(self.options.timeout_s)
        try:
            for _hop in range(self.options.max_redirects + 1):
                async with self._slot(request.url):
                    response = await budget.run(self._send(request, public_only=public_only))
                    try:
                        if public_only:
                            _refuse_private_peer(response)
                        if response.next_request is None:
                            return await self._finish(url, response, budget, etag=etag, last_modified=last_modified,
                                                      cut_at_limit=cut_at_limit)  # fmt: skip
                        request, location = response.next_request, response.headers.get("location", "")
                    finally:
                        await response.aclose()
                logger.debug("redirect url=%s target=%s", url, request.url)
                if request.url.scheme not in ("http", "https"):
                    # Name the Location as sent: httpx fills in a missing host ("file:///x" becomes "file://host/x").
                    raise _Failure(f"redirect to an unsupported URL scheme ({location or request.url})")
            raise _Failure(f"too many redirects (more than {self.options.max_redirects})")
        except (_Failure, httpx.HTTPError, TimeoutError) as exc:
            return _failed(url, str(request.url), self._as_failure(exc))

    def _as_failure(self, exc: _Failure | httpx.HTTPError | TimeoutError) -> _Failure:
        if isinstance(exc, _Failure):
            return exc
        if isinstance(exc, NonPublicAddress):  # refused by the transport before it connected
            return _Failure(_refusal(exc.address))
        if isinstance(exc, httpx.TimeoutException | TimeoutError):
            return _Failure(f"timed out after {self.options.timeout_s:g}s")
        if isinstance(exc, httpx.ConnectError):
            return _Failure(_connect_failure(exc))
        return _Failure(f"fetch failed ({type(exc).__name__}: {exc})")

    def _slot(self, url: httpx.URL) -> _Slot:
        # `host_of(str(url))` depends on nothing but the host httpx parsed (`raw_host`, as str(url) writes it):
        # asked once per host, not once per request (str() and urlsplit() were a few percent of a 304's CPU)
        host = self._host_names.get(url.raw_host)
        if host is None:
            host = self._host_names[url.raw_host] = host_of(str(url))
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.options.per_host)
        return _Slot(self._hosts[host], self._global)

    async def _send(self, request: httpx.Request, *, public_only: bool) -> httpx.Response:
        _add_credentials(request)
        if public_only:  # our transport refuses to connect to a non-public address; any other is checked after
            request.extensions[PUBLIC_ONLY_EXTENSION] = True
        if self._cookies.jar:
            self._cookies.set_cookie_header(request)
        response = await self._transport.handle_async_request(request)
        response.request = request
        _note_peer(response)
        try:
            if "set-cookie" in response.headers:
                self._cookies.extract_cookies(response)
            # A redirect's target is checked when it arrives, before the body or the peer rule.
            response.next_request = _next_request(request, response)
        except BaseException:
            await response.aclose()
            raise
        return response

    async def _finish(
        self,
        url: str,
        response: httpx.Response,
        budget: _Budget,
        *,
        etag: str | None,
        last_modified: str | None,
        cut_at_limit: bool = False,
    ) -> FetchResult:
        status = response.status_code
        if status == 304:  # a server may omit the validators from a 304: the ones sent still hold
            return _result(url, response, None, etag=etag, last_modified=last_modified)
        if not response.is_success:
            # The standard phrase when there is one: the server's own is any text it likes.
            reason = httpx.codes.get_reason_phrase(status) or _server_phrase(response.reason_phrase)
            raise _Failure(f"HTTP {status} {reason}".rstrip(), response=response)
        limit = self.options.max_bytes
        try:
            body = await budget.run(_read_body(response, max_bytes=limit, keep=limit if cut_at_limit else 0))
        except _TooLarge as too_large:
            if not cut_at_limit:
                raise
            return replace(_result(url, response, too_large.head), cut=True)
        return _result(url, response, body)


class _Slot:
    """Hold the host's semaphore, then a global one: never hold a global slot while queueing for a host."""

    def __init__(self, host: asyncio.Semaphore, overall: asyncio.Semaphore) -> None:
        self._host = host
        self._overall = overall

    async def __aenter__(self) -> None:
        await self._host.acquire()
        try:
            await self._overall.acquire()
        except BaseException:
            self._host.release()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self._overall.release()
        self._host.release()


class _Budget:
    """The time one `get` may spend in flight, summed over its redirect hops (waiting for a slot is free).

    `asyncio.timeout` bounds the whole of each step, so unlike httpx's per-read
    timeout it also stops a server that sends a byte every few seconds.
    """

    def __init__(self, seconds: float) -> None:
        self._left = seconds

    async def run(self, step: Awaitable[T]) -> T:
        started = time.monotonic()
        try:
            # Even with nothing left the step is awaited (and cancelled at once): never leave it un-awaited.
            async with asyncio.timeout(max(self._left, 0.0)):
                return await step
        finally:
            self._left -= time.monotonic() - started


def peer_address(response: httpx.Response) -> str | None:
    """The IP address the response came from (None when the transport does not tell: a test mock)."""
    return response.extensions.get(PEER_EXTENSION)


def _note_peer(response: httpx.Response) -> None:
    """Keep the connected address on the response: our transport notes it; httpx's own shows its stream."""
    if PEER_EXTENSION in response.extensions:
        return
    stream = response.extensions.get("network_stream")
    address = stream.get_extra_info("server_addr") if stream is not None else None
    response.extensions[PEER_EXTENSION] = str(address[0]) if address else None


@functools.lru_cache(maxsize=1024)
def is_public_address(address: str) -> bool:
    """Whether `address` is reachable on the public internet (not loopback, private, link-local, reserved).
    Cached: it is asked twice a response, of the few addresses a cycle's hosts resolve to."""
    try:
        return ipaddress.ip_address(address.split("%", 1)[0]).is_global
    except ValueError:
        return False


def _is_public(address: str) -> bool:
    """The transport's rule for public-only requests: `is_public_address`, looked up when asked."""
    return is_public_address(address)


def _is_private_peer(response: httpx.Response) -> bool:
    address = peer_address(response)
    return address is not None and not is_public_address(address)


def _refuse_private_peer(response: httpx.Response) -> None:
    if _is_private_peer(response):
        raise _Failure(_refusal(peer_address(response)))


def _refusal(address: str | None) -> str:
    return f"refused: a non-public address ({address}) linked from a public feed"


def _next_request(request: httpx.Request, response: httpx.Response) -> httpx.Request | None:
    """The GET a redirect asks for, by httpx's rules, or None when `response` is not a redirect.

    A Location that is no http or https URL is refused, named as sent (httpx
    would fail on some with a puzzle). A relative one is joined to the URL
    asked; the fragment asked is kept when the Location has none;
    Authorization goes on only to the same origin (or from http to https on
    the same host); cookies are set again from the jar.
    """
    if not response.has_redirect_location:
        return None
    location = response.headers["location"]
    shown = _printable(location)[:200]
    try:
        target = httpx.URL(location)
        if target.scheme and target.scheme not in ("http", "https"):
            if not location.split(":", 1)[1].startswith("//"):  # javascript:…, data:…, mailto:… name no place at all
                raise _Failure(f"redirect to an invalid URL ({shown}: not an http or https URL)")
            raise _Failure(f"redirect to an unsupported URL scheme ({shown})")
        if target.scheme and not target.host:
            target = target.copy_with(host=request.url.host)
        if target.is_relative_url:
            target = request.url.join(target)
    except httpx.InvalidURL as exc:
        raise _Failure(f"redirect to an invalid URL ({shown}: {exc})") from None
    if request.url.fragment and not target.fragment:
        target = target.copy_with(fragment=request.url.fragment)
    headers = request.headers.copy()
    for name in ("Host", "Cookie"):
        headers.pop(name, None)
    if not _keeps_credentials(request.url, target):
        headers.pop("Authorization", None)
    return httpx.Request("GET", target, headers=headers)


def _keeps_credentials(old: httpx.URL, new: httpx.URL) -> bool:
    if (old.scheme, old.host, _port(old)) == (new.scheme, new.host, _port(new)):
        return True
    return old.host == new.host and (old.scheme, _port(old), new.scheme, _port(new)) == ("http", 80, "https", 443)


def _port(url: httpx.URL) -> int | None:
    return url.port or {"http": 80, "https": 443}.get(url.scheme)


def _add_credentials(request: httpx.Request) -> None:
    """Credentials in the URL ("https://user:pass@host/") are sent as Basic auth, as httpx's client does."""
    url = request.url
    if url.username or url.password:
        pair = f"{url.username}:{url.password}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")


def _server_phrase(phrase: str) -> str:
    """A reason phrase the server made up, as plain one-line text of sane length."""
    return _printable(re.sub(r"<[^>]*>?", "", phrase).replace(">", ""))[:_REASON_MAX]


def _checked_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise _Failure(f"invalid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise _Failure("unsupported URL scheme (only http and https)")
    if not parsed.host:
        raise _Failure("invalid URL (no host name)")
    return parsed


class _TooLarge(_Failure):
    """The body passed max_bytes; `head` holds its first `keep` decoded bytes (empty unless asked)."""

    def __init__(self, max_bytes: int, *, response: httpx.Response, head: bytes = b"") -> None:
        super().__init__(f"response larger than {max_bytes} bytes", response=response)
        self.head = head


async def _read_body(response: httpx.Response, *, max_bytes: int, keep: int = 0) -> bytes:
    """The decoded body, abandoned as soon as it passes max_bytes on the wire or once decoded
    (`_TooLarge`, with its first `keep` bytes when they are wanted)."""
    declared = response.headers.get("content-length", "").strip()
    if not keep and declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        raise _TooLarge(max_bytes, response=response)
    try:
        body = response.content  # already in memory: a test transport built the response whole
    except httpx.ResponseNotRead:
        pass
    else:
        if len(body) > max_bytes:
            raise _TooLarge(max_bytes, response=response, head=body[:keep])
        return body
    decoder = _Decoder(response.headers.get_list("content-encoding", split_commas=True), response=response)
    buffer = bytearray()
    wire = 0
    async for raw in response.aiter_raw():
        wire += len(raw)
        buffer += decoder.decode(raw, room=max_bytes + 1 - len(buffer))  # bounded, whatever the chunk
        if len(buffer) > max_bytes or wire > max_bytes:  # the wire too: an endless stream may decode to nothing
            raise _TooLarge(max_bytes, response=response, head=bytes(buffer[:keep]))
    return bytes(buffer)


def accept_encoding() -> str:
    """The Accept-Encoding this client sends: exactly the codings `_Decoder` can bound."""
    return "gzip, deflate, br" if _BROTLI is not None else "gzip, deflate"


class _Step(Protocol):
    def decode(self, data: bytes, room: int) -> bytes:
        """Decode the next piece, producing at most about `room` bytes (a full room means: too large)."""
        ...


class _Decoder:
    """Undo a response's Content-Encoding(s), never producing more than the room left under the limit.

    Codings apply in the order listed, so they are undone last first. A step
    that fills the room stops there and its output goes back as it is: the
    caller then holds more than its limit and gives up, so what is still
    pending is never inflated. (A chained coding counts its intermediate form
    against the same limit.)
    """

    def __init__(self, codings: list[str], *, response: httpx.Response) -> None:
        self._response = response
        self._steps: list[_Step] = []
        for coding in reversed([c.strip().lower() for c in codings if c.strip()]):
            if coding == "identity":
                continue
            if coding in ("gzip", "x-gzip"):
                self._steps.append(_ZlibStep(zlib.MAX_WBITS | 16))
            elif coding == "deflate":
                self._steps.append(_DeflateStep())
            elif coding == "br" and _BROTLI is not None:
                self._steps.append(_BrotliStep(_BROTLI))
            else:
                reason = f"unsupported Content-Encoding {_printable(coding)[:40]!r} (accepted: {accept_encoding()})"
                raise _Failure(reason, response=response)

    def decode(self, data: bytes, *, room: int) -> bytes:
        room = max(room, 1)  # zlib reads a max_length of 0 as "no limit"
        try:
            for step in self._steps:
                data = step.decode(data, room)
                if len(data) >= room:
                    return data
            return data
        except (zlib.error, _BrotliError) as exc:
            reason = f"could not decode the body ({type(exc).__name__}: {_printable(str(exc))[:100]})"
            raise _Failure(reason, response=self._response) from None


class _BrotliError(Exception):
    """brotli.error, under a name that exists without brotli installed."""


class _ZlibStep:
    def __init__(self, wbits: int) -> None:
        self._inflate = zlib.decompressobj(wbits)

    def decode(self, data: bytes, room: int) -> bytes:
        if self._inflate.eof:  # data after the end of the stream is ignored, as httpx does
            return b""
        return self._inflate.decompress(data, room)  # leaves input unconsumed only when the room is full


class _DeflateStep:
    """A "deflate" body is meant to be zlib-wrapped, but some servers send raw deflate: both are read, as by httpx."""

    def __init__(self) -> None:
        self._step = _ZlibStep(zlib.MAX_WBITS)
        self._first = True

    def decode(self, data: bytes, room: int) -> bytes:
        if self._first and data:
            self._first = False
            try:
                return self._step.decode(data, room)
            except zlib.error:
                self._step = _ZlibStep(-zlib.MAX_WBITS)
        return self._step.decode(data, room)


class _BrotliStep:
    def __init__(self, brotli: ModuleType) -> None:
        self._brotli = brotli
        self._decompressor = brotli.Decompressor()

    def decode(self, data: bytes, room: int) -> bytes:
        if not data or self._decompressor.is_finished():
            return b""
        try:
            out = bytearray(self._decompressor.process(data, output_buffer_limit=room))
            # Input held back only when the output buffer filled; drain it while there is room.
            while len(out) < room and not self._decompressor.can_accept_more_data():
                more = self._decompressor.process(b"", output_buffer_limit=room - len(out))
                if not more:
                    break
                out += more
        except self._brotli.error as exc:
            raise _BrotliError(str(exc) or "invalid brotli data") from None
        return bytes(out)


def _result(
    url: str,
    response: httpx.Response,
    body: bytes | None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    error: str | None = None,
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    return FetchResult(
        url=url,
        final_url=str(response.url),
        status=response.status_code,
        content=body,
        content_type=headers.get("content-type"),
        etag=headers.get("etag") or etag,
        last_modified=headers.get("last-modified") or last_modified,
        headers=headers,
        error=error,
        private_peer=_is_private_peer(response),
    )


def _printable(text: str) -> str:
    """Text from a server made safe for a one-line message: control characters become spaces."""
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f]", " ", text).split())


def _failed(url: str, final_url: str, failure: _Failure) -> FetchResult:
    # One line whatever the server said: callers print or store the message as it is.
    shown = url if len(url) <= 300 else url[:299] + "…"
    error = re.sub(r"[\r\n]+", " ", f"{shown}: {failure.reason}")
    logger.debug("fetch failed url=%s reason=%s", url, failure.reason)
    if failure.response is not None:  # an HTTP error or an oversized body: the headers still matter (Retry-After)
        return _result(url, failure.response, None, error=error)
    return FetchResult(url=url, final_url=final_url, status=None, content=None, error=error)


def _connect_failure(exc: httpx.ConnectError) -> str:
    """Name the OS-level cause that the transport wraps, e.g. 'unreachable (connection refused)'."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ConnectionRefusedError):
            return "unreachable (connection refused)"
        if isinstance(cause, socket.gaierror):
            return "unreachable (host name not found)"
        if isinstance(cause, ssl.SSLError):
            return f"TLS handshake failed ({cause.reason or cause})"
        if isinstance(cause, OSError) and cause.strerror:
            return f"unreachable ({cause.strerror})"
        cause = cause.__cause__ or cause.__context__
    return f"unreachable ({exc or 'connection failed'})"
