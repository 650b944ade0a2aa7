# SPDX-License-Identifier: MIT
"""The wire under `Fetcher`: httpx requests in, httpx responses out, over one of two paths.

- A plain-http request without a proxy and without the intranet rule (every feed of a cycle over
  http) goes through `monitor.collecting.plain`: HTTP/1.1 on asyncio, kept-alive connections pooled
  here per host and port. Why: aiohttp's import and its path per request were most of what a cycle
  of unchanged feeds spent above the bare event loop (docs/PERFORMANCE.md, Polling).
- Every other request (https, through a proxy, public-only) goes through aiohttp
  (`monitor.collecting.aiohttp_wire`), imported on the first such request.

Both paths name their failures as the same httpx errors (the OS-level cause chained), put the
address connected to on each response (the extension `monitor.peer_address`) and share:

- proxies from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), read once and
  decided once per host: aiohttp's own `trust_env` reads the environment and ~/.netrc on every request;
- the bound on idle connections across hosts: a cycle over 1,000 hosts would otherwise keep 1,000
  sockets open. Once `max_connections` connections are open (both paths counted), a request that
  has no idle connection to reuse asks for its connection to be closed after the answer.
"""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING

import httpx

from monitor.collecting import plain
from monitor.collecting.peers import PEER_EXTENSION, PUBLIC_ONLY_EXTENSION, NonPublicAddress

if TYPE_CHECKING:
    from monitor.collecting.aiohttp_wire import AiohttpWire

__all__ = ["PEER_EXTENSION", "PUBLIC_ONLY_EXTENSION", "NonPublicAddress", "Wire"]

DNS_CACHE_S = 10.0  # how long a name's addresses are reused for new connections (aiohttp's ttl_dns_cache)

_Address = tuple[str, int]  # host, port


class Wire(httpx.AsyncBaseTransport):
    """Send httpx requests over the plain path or aiohttp (made on first use, inside the event loop).

    `is_public(address)` is the caller's rule for the addresses a public-only request may connect to.
    `aiohttp_only` sends every request through aiohttp (tests compare the two paths).
    """

    def __init__(
        self, *, is_public: Callable[[str], bool], max_connections: int = 10, aiohttp_only: bool = False
    ) -> None:
        self._is_public = is_public
        self._max_connections = max_connections
        self._plain = not aiohttp_only
        self._proxies = _Proxies()
        self._aiohttp: AiohttpWire | None = None
        self._idle: dict[_Address, list[plain.Connection]] = {}  # the plain path's kept-alive connections
        self._open: set[plain.Connection] = set()  # the plain path's connections, idle or in use
        self._resolved: dict[_Address, tuple[float, list[tuple]]] = {}  # type: ignore[type-arg]
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        proxy = self._proxies.for_url(url)
        if self._plain and url.scheme == "http" and proxy is None and not request.extensions.get(PUBLIC_ONLY_EXTENSION):
            return await self._send_plain(request)
        return await self._through_aiohttp().send(request, proxy=proxy, open_elsewhere=self._plain_open())

    async def aclose(self) -> None:
        self._closed = True
        for connection in self._open:  # idle ones, and any whose body was never closed
            connection.close()
        self._idle.clear()
        if self._aiohttp is not None:
            await self._aiohttp.aclose()

    def _through_aiohttp(self) -> AiohttpWire:
        if self._aiohttp is None:
            from monitor.collecting.aiohttp_wire import AiohttpWire

            self._aiohttp = AiohttpWire(is_public=self._is_public, max_connections=self._max_connections)
        return self._aiohttp

    def _plain_open(self) -> int:
        self._open = {connection for connection in self._open if connection.is_open()}
        return len(self._open)

    def _open_count(self) -> int:
        return self._plain_open() + (self._aiohttp.open_count() if self._aiohttp is not None else 0)

    async def _send_plain(self, request: httpx.Request) -> httpx.Response:
        """The request on a kept-alive connection to its host if one is idle, else on a new one; a kept
        connection that closes as it is reused (the server's idle timeout) is replaced once."""
        address = (request.url.host, request.url.port or 80)
        connection = self._idle_connection(address)
        keep_alive = connection is not None or self._open_count() < self._max_connections
        try:
            head = plain.request_head(request, keep_alive=keep_alive)
            for _attempt in range(2):
                if connection is None:
                    connection = await self._connect(address)
                try:
                    answer = await plain.send(connection, head)
                    break
                except plain.Unanswered:
                    connection.close()
                    connection = None
            else:
                raise httpx.RemoteProtocolError("server disconnected without sending a complete response")
        except BaseException as exc:
            if connection is not None:
                connection.close()
            if isinstance(exc, httpx.RequestError):
                exc.request = request
            raise  # cancellation (Fetcher's time limit) passes as it is
        release = self._release(address, keep_alive=keep_alive)
        extensions: dict[str, object] = {"http_version": b"HTTP/1.1", PEER_EXTENSION: connection.peer}
        if answer.reason:
            extensions["reason_phrase"] = answer.reason
        return httpx.Response(answer.status, headers=answer.headers, stream=plain.Body(connection, answer, release),
                              request=request, extensions=extensions)  # fmt: skip

    def _idle_connection(self, address: _Address) -> plain.Connection | None:
        idle = self._idle.get(address)
        while idle:
            connection = idle.pop()
            if connection.idle():
                connection.reused = True
                return connection
            connection.close()
        return None

    def _release(self, address: _Address, *, keep_alive: bool) -> Callable[[plain.Connection, bool], None]:
        """What a body does once read or closed: its connection kept for the next request, or closed."""

        def release(connection: plain.Connection, reusable: bool) -> None:
            if reusable and keep_alive and not self._closed:
                self._idle.setdefault(address, []).append(connection)
            else:
                connection.close()

        return release

    async def _connect(self, address: _Address) -> plain.Connection:
        host, port = address
        try:
            addresses = await self._addresses_of(host, port)
        except socket.gaierror as exc:  # `Fetcher` says "host name not found" from it, as for aiohttp's
            raise httpx.ConnectError(f"Cannot connect to host {host}:{port} [{exc.strerror}]") from exc
        connection = await plain.connect(addresses)
        self._open.add(connection)
        return connection

    async def _addresses_of(self, host: str, port: int) -> list[tuple]:  # type: ignore[type-arg]
        now = time.monotonic()
        cached = self._resolved.get((host, port))
        if cached is not None and cached[0] > now:
            return cached[1]
        addresses = await plain.addresses_of(host, port)
        self._resolved[(host, port)] = (now + DNS_CACHE_S, addresses)
        return addresses


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
