# SPDX-License-Identifier: MIT
"""httpx's transport over aiohttp's connection pool and C HTTP parser: the wire under `Fetcher`.

Why: polling is bound by the client's CPU. httpcore (pure Python, on anyio)
spends about 2 ms of CPU per conditional GET, so 1,000 feeds answering 304
cost 2 s of one core; aiohttp's llhttp parser and dict-keyed pool do the same
in about a third of that. `Fetcher` keeps building httpx requests and
reading httpx responses (and its logic tests keep `httpx.MockTransport`):
only the network layer changes.

What this transport leaves to `Fetcher`, on purpose:
- decoding: bodies come as sent on the wire (aiohttp's `auto_decompress` is
  off) so that `Fetcher` inflates them under its byte limit;
- time limits: `Fetcher` bounds each request as a whole (no aiohttp timeout);
- redirects, cookies, credentials and concurrency per host.

Proxies come from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
NO_PROXY), as they did with httpx, read once per transport and decided once
per host: aiohttp's own `trust_env` reads the environment and ~/.netrc on
every request, which cost more than the request itself.

What it adds: the address actually connected to, as the response extension
`monitor.peer_address`, for the rule that a public feed may not lead to an
intranet page. aiohttp releases a connection as soon as an empty body (a 304)
is read, before the response is returned; so the address is taken when the
connector hands the connection over, and passed back through a context
variable holding one slot per request.

Failures are raised as the httpx exceptions they correspond to, the OS-level
cause chained (`Fetcher` names "connection refused", "host name not found",
a TLS failure from it).
"""

from __future__ import annotations

import contextlib
import contextvars
import ssl
import urllib.request
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import aiohttp
import certifi
import httpx
from yarl import URL

__all__ = ["PEER_EXTENSION", "AiohttpTransport"]

PEER_EXTENSION = "monitor.peer_address"

# The slot of the request being sent, filled by the connector with the address it connected to.
_peer_slot: contextvars.ContextVar[SimpleNamespace | None] = contextvars.ContextVar("peer_slot", default=None)


class _PeerNotingConnector(aiohttp.TCPConnector):
    """aiohttp's pool, noting the peer of each connection handed over and keeping at most `limit` idle ones.

    aiohttp bounds the connections in use, not the idle ones: a cycle over
    1,000 hosts would keep 1,000 sockets open until their keep-alive timeout.
    The oldest idle connection is closed past the limit, as httpcore did.
    """

    async def connect(self, req: Any, traces: Any, timeout: Any) -> Any:
        connection = await super().connect(req, traces, timeout)
        slot = _peer_slot.get()
        if slot is not None:
            transport = connection.transport
            peer = transport.get_extra_info("peername") if transport is not None else None
            slot.address = str(peer[0]) if peer else None
        return connection

    def _release(self, key: Any, protocol: Any, *, should_close: bool = False) -> None:
        super()._release(key, protocol, should_close=should_close)
        idle = self._conns  # connection key -> deque of (protocol, time released), oldest first
        count = sum(len(queue) for queue in idle.values())
        while count > self.limit > 0:
            oldest_key = min(idle, key=lambda each: idle[each][0][1])
            oldest, _released = idle[oldest_key].popleft()
            if not idle[oldest_key]:
                del idle[oldest_key]
            oldest.close()
            count -= 1


class AiohttpTransport(httpx.AsyncBaseTransport):
    """Send httpx requests through one aiohttp session (created on first use, inside the event loop)."""

    def __init__(self, *, max_connections: int = 10) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._proxies = _Proxies()

    def _open(self) -> aiohttp.ClientSession:
        # The CA bundle httpx uses, so a site valid under one client is valid under the other.
        context = ssl.create_default_context(cafile=certifi.where())
        connector = _PeerNotingConnector(limit=self._max_connections, limit_per_host=0, ssl=context)
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # httpx's client keeps the cookies
            timeout=aiohttp.ClientTimeout(total=None),
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._session is None:
            self._session = self._open()
        slot = SimpleNamespace(address=None)
        token = _peer_slot.set(slot)
        try:
            with _as_httpx_errors(request):
                response = await self._session.request(
                    request.method,
                    _wire_url(request.url),
                    headers=list(request.headers.multi_items()),
                    data=await request.aread() or None,
                    allow_redirects=False,
                    proxy=self._proxies.for_url(request.url),
                )
        finally:
            _peer_slot.reset(token)
        return httpx.Response(
            status_code=response.status,
            headers=[(name, value) for name, value in response.raw_headers],
            stream=_Body(response, request),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": _reason(response), PEER_EXTENSION: slot.address},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Proxies:
    """The proxy to use for each scheme and host, from the environment as read at start."""

    def __init__(self) -> None:
        self._environment = urllib.request.getproxies_environment()  # {"http": url, "https": url, "no": hosts}
        self._chosen: dict[tuple[str, str, int | None], str | None] = {}

    def for_url(self, url: httpx.URL) -> str | None:
        key = (url.scheme, url.host, url.port)
        if key not in self._chosen:
            proxy = self._environment.get(url.scheme) or self._environment.get("all")
            host = f"{url.host}:{url.port}" if url.port else url.host
            if proxy and urllib.request.proxy_bypass(host):  # NO_PROXY
                proxy = None
            self._chosen[key] = proxy
        return self._chosen[key]


def _reason(response: aiohttp.ClientResponse) -> bytes:
    return (response.reason or "").encode("latin-1", "replace")


def _wire_url(url: httpx.URL) -> URL:
    """The URL as httpx encoded it, without credentials: `Fetcher` sends them as an Authorization header."""
    if url.userinfo:
        url = url.copy_with(userinfo=b"")
    return URL(str(url), encoded=True)


class _Body(httpx.AsyncByteStream):
    """The raw body, chunk by chunk; a body left unread closes its connection instead of returning it."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._response.content.iter_any():
                yield chunk

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()


@contextlib.contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    """Turn aiohttp's failures into httpx's, with the OS-level cause chained (cancellation passes as it is)."""
    try:
        yield
    except aiohttp.ClientError as exc:
        raise _httpx_error(exc, request) from _cause(exc)


def _httpx_error(exc: aiohttp.ClientError, request: httpx.Request) -> httpx.TransportError:
    if isinstance(exc, aiohttp.ClientConnectorError):
        return httpx.ConnectError(str(exc), request=request)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError("server disconnected without sending a complete response", request=request)
    if isinstance(exc, aiohttp.ClientResponseError):  # the status line or headers could not be parsed
        return httpx.RemoteProtocolError(f"invalid response ({exc.message})", request=request)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(f"invalid body ({_payload_reason(exc)})", request=request)
    if isinstance(exc, aiohttp.ClientOSError):
        return httpx.ReadError(exc.strerror or str(exc) or "connection lost", request=request)
    return httpx.TransportError(str(exc) or type(exc).__name__, request=request)


def _cause(exc: aiohttp.ClientError) -> BaseException:
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return exc.certificate_error
    if isinstance(exc, aiohttp.ClientConnectorError):
        return exc.os_error
    return exc


def _payload_reason(exc: aiohttp.ClientPayloadError) -> str:
    """The innermost reason, e.g. "Not enough data to satisfy content length header"."""
    cause: BaseException = exc
    while cause.__cause__ is not None:
        cause = cause.__cause__
    return str(cause) or str(exc) or "truncated"
