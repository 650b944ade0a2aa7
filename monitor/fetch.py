# SPDX-License-Identifier: MIT
"""One shared, polite HTTP client: conditional GETs, bounded concurrency, hard limits.

Every feed and article goes through `Fetcher.get`, which never raises for an
HTTP or network failure: the outcome, good or bad, is a `FetchResult` whose
`error` is one line naming the URL, so one failing source is recorded and the
cycle goes on.

    async with Fetcher(FetchOptions(per_host=2)) as fetcher:
        first = await fetcher.get(feed_url)
        later = await fetcher.get(feed_url, etag=first.etag, last_modified=first.last_modified)
        if later.not_modified: ...

Politeness and limits, per `get`:

- at most `per_host` requests in flight to one host name and `max_connections`
  overall (httpx's pool slows down sharply past ~10-20 connections); a request
  waits for its host's slot before it takes a global one, so a crowd of
  requests to one slow host never holds the global slots idle;
- redirects are followed by hand, at most `max_redirects`, each target checked
  to be http or https before it is requested;
- the body is streamed and abandoned past `max_bytes` (decoded size, so a gzip
  bomb stops too);
- `timeout_s` bounds each request as a whole, connection to last byte, so a
  server trickling bytes still times out. Time spent waiting for a slot does
  not count.
"""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import ssl
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

import httpx

from monitor.urls import host_of

__all__ = ["DEFAULT_ACCEPT", "FetchOptions", "FetchResult", "Fetcher"]

logger = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.9, application/xhtml+xml;q=0.9, text/*;q=0.8, */*;q=0.5"
)


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
    """An async context manager owning one `httpx.AsyncClient` shared by every `get`."""

    def __init__(
        self,
        options: FetchOptions = FetchOptions(),  # noqa: B008 - frozen, so sharing the default is safe
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.options = options
        limits = httpx.Limits(
            max_connections=options.max_connections, max_keepalive_connections=options.max_connections
        )
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": options.user_agent, "Accept": DEFAULT_ACCEPT},
            timeout=options.timeout_s,
            limits=limits,
            follow_redirects=False,
        )
        self._global = asyncio.Semaphore(options.max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET url; with validators, conditionally (a 304 comes back as `not_modified`). Never raises for HTTP.

        `accept` replaces the default Accept header (feeds, HTML and text).
        """
        headers = {"If-None-Match": etag, "If-Modified-Since": last_modified, "Accept": accept}
        try:
            request = self._client.build_request(
                "GET", _checked_url(url), headers={name: value for name, value in headers.items() if value}
            )
        except _Failure as failure:
            return _failed(url, url, failure)
        budget = _Budget(self.options.timeout_s)
        try:
            for _hop in range(self.options.max_redirects + 1):
                async with self._slot(request.url):
                    response = await budget.run(self._send(request))
                    try:
                        if response.next_request is None:
                            return await self._finish(url, response, budget, etag=etag, last_modified=last_modified)
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
        if isinstance(exc, httpx.TimeoutException | TimeoutError):
            return _Failure(f"timed out after {self.options.timeout_s:g}s")
        if isinstance(exc, httpx.ConnectError):
            return _Failure(_connect_failure(exc))
        return _Failure(f"fetch failed ({type(exc).__name__}: {exc})")

    def _slot(self, url: httpx.URL) -> _Slot:
        host = host_of(str(url))
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.options.per_host)
        return _Slot(self._hosts[host], self._global)

    async def _send(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._client.send(request, stream=True, follow_redirects=False)
        except httpx.InvalidURL as exc:  # httpx builds the next request from Location while sending this one
            raise _Failure(f"redirect to an invalid URL ({exc})") from None

    async def _finish(
        self, url: str, response: httpx.Response, budget: _Budget, *, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        status = response.status_code
        if status == 304:  # a server may omit the validators from a 304: the ones sent still hold
            return _result(url, response, None, etag=etag, last_modified=last_modified)
        if not response.is_success:
            reason = response.reason_phrase or httpx.codes.get_reason_phrase(status)
            raise _Failure(f"HTTP {status} {reason}".rstrip(), response=response)
        body = await budget.run(_read_body(response, max_bytes=self.options.max_bytes))
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


async def _read_body(response: httpx.Response, *, max_bytes: int) -> bytes:
    """Stream the (decoded) body, stopping as soon as it passes max_bytes."""
    too_large = _Failure(f"response larger than {max_bytes} bytes", response=response)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


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
    )


def _failed(url: str, final_url: str, failure: _Failure) -> FetchResult:
    # One line whatever the server said: callers print or store the message as it is.
    error = re.sub(r"[\r\n]+", " ", f"{url}: {failure.reason}")
    logger.debug("fetch failed url=%s reason=%s", url, failure.reason)
    if failure.response is not None:  # an HTTP error or an oversized body: the headers still matter (Retry-After)
        return _result(url, failure.response, None, error=error)
    return FetchResult(url=url, final_url=final_url, status=None, content=None, error=error)


def _connect_failure(exc: httpx.ConnectError) -> str:
    """Name the OS-level cause that httpcore wraps, e.g. 'unreachable (connection refused)'."""
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
