# SPDX-License-Identifier: MIT
"""The wire through aiohttp, for the requests the plain path does not take: https, through a proxy, public-only.

`transport.Wire` hands each such httpx request to `aiohttp.ClientSession.request` (`AiohttpWire.send`)
and wraps its answer as an httpx response, as httpx-aiohttp's transport did with the same arguments:
that adapter was dropped in issue 16 (its import, a timeout and an extensions object per request, and
an exception mapping that this module undid anyway). Imported on the first such request: aiohttp's
import is about 0.1 s, which a cycle of plain-http feeds no longer pays (`monitor.collecting.plain`).

Documented aiohttp options only:

- the sessions: the certifi CA bundle (as httpx), no cookie jar (`Fetcher` keeps the cookies), no
  automatic headers, no aiohttp time limit (`Fetcher` bounds each request as a whole), bodies as sent
  on the wire (`auto_decompress` off: `Fetcher` inflates them under its byte limit);
- a proxy's credentials (from its URL in the environment, `transport.Wire` chooses the proxy) as
  aiohttp's proxy auth;
- failures named as httpx's: aiohttp's failure is mapped here, the OS-level cause chained (`Fetcher`
  names "connection refused", "host name not found", a TLS failure from it);
- the intranet rule and the address connected to (below);
- idle connections bounded: aiohttp bounds the connections in use, not the idle ones. Once the wire
  has `max_connections` sockets open (on either path), a request that has no idle connection to
  reuse goes through a session that does not keep connections alive (aiohttp's `force_close`).

The intranet rule. `Fetcher.get(public_only=True)` marks its requests (the request extension
`monitor.public_only`) and they go through sessions of their own, whose connector refuses a
non-public address in its `socket_factory` (aiohttp >= 3.12). aiohttp calls that factory with the
very address it is about to connect to: after name resolution and its cache, for every address happy
eyeballs tries, for a host written as an IP address (which never reaches a resolver) and for a
proxy. There is no check separate from the connection, so a name whose answer changes between a
check and the connect (DNS rebinding) finds no gap; and as pools are per session, a public-only
request only ever reuses a connection made under the rule. A custom `AbstractResolver` would not see
IP-address hosts, and aiohttp's tracing hooks carry no address.

The same factory notes the address of each connection a request opens, and the response carries it
as the extension `monitor.peer_address` (a reused connection: the address this host's connections
went to; a public one if any was public, so a feed is never taken for an intranet one by mistake).
"""

from __future__ import annotations

import contextvars
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
import certifi
import httpx

from monitor.collecting.peers import PEER_EXTENSION, PUBLIC_ONLY_EXTENSION, NonPublicAddress

__all__ = ["AiohttpWire"]

_HostKey = tuple[bool, str | None, str, str, int | None]  # public only, proxy, scheme, host, port


class _Refused(OSError):
    """Raised inside aiohttp's connect by the public-only socket factory."""


@dataclass
class _Attempt:
    """The connections one request opened (socket, address) and the address refused, noted by the socket factory."""

    opened: list[tuple[socket.socket, str]] = field(default_factory=list)
    refused: str | None = None

    def peer(self) -> str | None:
        """The address connected to: of the sockets tried, the one still open (happy eyeballs closes the others)."""
        addresses = [address for sock, address in self.opened if sock.fileno() != -1] or [a for _, a in self.opened]
        return addresses[-1] if addresses else None


# The request being sent, for the socket factory (aiohttp connects in the request's task or its children).
_attempt: contextvars.ContextVar[_Attempt | None] = contextvars.ContextVar("attempt", default=None)


@dataclass
class _Host:
    """One pool key as seen from here: its open kept-alive sockets, its requests in flight, where it connected."""

    sockets: list[socket.socket] = field(default_factory=list)
    busy: int = 0
    public_peer: str | None = None
    private_peer: str | None = None

    def has_idle(self) -> bool:
        self.sockets = [sock for sock in self.sockets if sock.fileno() != -1]
        return len(self.sockets) > self.busy

    def note(self, address: str, *, public: bool) -> None:
        if public:
            self.public_peer = address
        else:
            self.private_peer = address

    def peer(self) -> str | None:
        return self.public_peer or self.private_peer


class AiohttpWire:
    """Send httpx requests through aiohttp; sessions are made on first use, inside the event loop.

    `is_public(address)` is the caller's rule for the addresses a public-only request may connect to.
    """

    def __init__(self, *, is_public: Callable[[str], bool], max_connections: int) -> None:
        self._is_public = is_public
        self._max_connections = max_connections
        self._tls: ssl.SSLContext | None = None
        self._sessions: dict[tuple[bool, bool, bool], aiohttp.ClientSession] = {}  # public only, keep-alive, TLS
        self._proxy_auth: dict[str, tuple[str, aiohttp.BasicAuth | None]] = {}  # proxy URL from the environment
        self._hosts: dict[_HostKey, _Host] = {}
        self._open: set[socket.socket] = set()  # kept-alive sockets, all hosts

    async def send(self, request: httpx.Request, *, proxy: str | None, open_elsewhere: int) -> httpx.Response:
        """`request` through aiohttp (`proxy`: the proxy URL chosen for it); `open_elsewhere`: the sockets
        the other path keeps open, counted against `max_connections`."""
        public_only = bool(request.extensions.get(PUBLIC_ONLY_EXTENSION))
        url = request.url
        key = (public_only, proxy, url.scheme, url.host, url.port)
        host = self._hosts.get(key) or self._hosts.setdefault(key, _Host())
        keep_alive = host.has_idle() or self.open_count() + open_elsewhere < self._max_connections
        session = self._session_for(public_only, keep_alive, proxy, request)
        attempt = _Attempt()
        token = _attempt.set(attempt)
        turn = host if keep_alive else None  # a kept-alive request holds one of its host's connections
        if turn is not None:
            turn.busy += 1
        try:
            response = await self._send(session, _on_the_wire(request), proxy)
        except BaseException as exc:
            if turn is not None:
                turn.busy -= 1
            if isinstance(exc, aiohttp.ClientError):
                raise _as_httpx_error(exc, request, attempt) from _cause(exc)
            raise  # cancellation (Fetcher's time limit) passes as it is
        finally:
            _attempt.reset(token)
        if turn is not None:
            for sock, _address in attempt.opened:
                turn.sockets.append(sock)
                self._open.add(sock)
        peer = attempt.peer()
        if peer is not None:
            host.note(peer, public=self._is_public(peer))
        extensions: dict[str, object] = {"http_version": b"HTTP/1.1", PEER_EXTENSION: peer or host.peer()}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode()
        return httpx.Response(response.status, headers=response.raw_headers, stream=_Body(response, request, turn),
                              request=request, extensions=extensions)  # fmt: skip

    def open_count(self) -> int:
        """The kept-alive sockets open through aiohttp."""
        self._open = {sock for sock in self._open if sock.fileno() != -1}
        return len(self._open)

    async def aclose(self) -> None:
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()

    async def _send(
        self, session: aiohttp.ClientSession, request: httpx.Request, proxy: str | None
    ) -> aiohttp.ClientResponse:
        """The request through aiohttp's public API, with the arguments httpx-aiohttp 0.2 gave it for a GET
        without a body: redirects, decompression and time limits are `Fetcher`'s."""
        proxy_url, proxy_auth = self._proxy(proxy, request) if proxy else (None, None)
        return await session.request(
            request.method,
            str(request.url),
            headers=request.headers,  # httpx's, Host included, as aiohttp reads any mapping
            allow_redirects=False,
            auto_decompress=False,
            compress=False,
            timeout=_NO_TIME_LIMIT,
            server_hostname=request.extensions.get("sni_hostname"),
            proxy=proxy_url,
            proxy_auth=proxy_auth,
        ).__aenter__()

    def _proxy(self, proxy: str, request: httpx.Request) -> tuple[str, aiohttp.BasicAuth | None]:
        """A proxy URL from the environment as httpx.Proxy reads it: its credentials apart, as proxy auth."""
        if proxy not in self._proxy_auth:
            try:
                config = httpx.Proxy(proxy)
            except ValueError as exc:
                raise httpx.ProxyError(f"invalid proxy URL in the environment ({exc})", request=request) from None
            auth = aiohttp.BasicAuth(config.auth[0], config.auth[1]) if config.auth else None
            self._proxy_auth[proxy] = (str(config.url), auth)
        return self._proxy_auth[proxy]

    def _session_for(
        self, public_only: bool, keep_alive: bool, proxy: str | None, request: httpx.Request
    ) -> aiohttp.ClientSession:
        """The session for this kind of request (made on first use).

        A plain-http request with no proxy goes through sessions without TLS: the CA bundle (0.02-0.03 s to
        load) is loaded only once a request may need it, an https URL or any proxy (which may be https)."""
        tls = request.url.scheme != "http" or proxy is not None
        if proxy:
            self._proxy(proxy, request)  # an invalid proxy URL fails before any session is made
        kind = (public_only, keep_alive, tls)
        session = self._sessions.get(kind)
        if session is None:
            if tls and self._tls is None:
                # The CA bundle httpx uses, so a site valid under one client is valid under the other.
                self._tls = ssl.create_default_context(cafile=certifi.where())
            session = self._sessions[kind] = self._session(public_only, keep_alive, tls=tls)
        return session

    def _session(self, public_only: bool, keep_alive: bool, *, tls: bool) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=0,
            # a session without TLS makes plain connections only; True (aiohttp's own verifying context, made
            # when aiohttp was imported) is there so that nothing on it could ever go unverified
            ssl=self._tls if tls and self._tls is not None else True,
            force_close=not keep_alive,
            socket_factory=self._public_socket if public_only else _noted_socket,
        )
        return aiohttp.ClientSession(
            connector=connector,
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),  # `Fetcher` keeps the cookies
            timeout=aiohttp.ClientTimeout(total=None),
            skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent"),
        )

    def _public_socket(self, addr_info: tuple) -> socket.socket:  # type: ignore[type-arg]
        """aiohttp's socket factory for public-only requests: called with the address about to be connected to."""
        address = str(addr_info[4][0])
        if not self._is_public(address):
            attempt = _attempt.get()
            if attempt is not None:
                attempt.refused = address
            raise _Refused(f"refused to connect to a non-public address ({address})")
        return _noted_socket(addr_info)


def _noted_socket(addr_info: tuple) -> socket.socket:  # type: ignore[type-arg]
    """aiohttp's socket factory: the socket it would make, noted with its address for the request being sent."""
    family, kind, proto, _name, address = addr_info
    sock = socket.socket(family=family, type=kind, proto=proto)
    attempt = _attempt.get()
    if attempt is not None:
        attempt.opened.append((sock, str(address[0])))
    return sock


_NO_TIME_LIMIT = aiohttp.ClientTimeout(sock_connect=None, sock_read=None, connect=None)  # `Fetcher` bounds each request


def _on_the_wire(request: httpx.Request) -> httpx.Request:
    """The request without credentials in its URL: `Fetcher` sends them as an Authorization header
    (and aiohttp refuses both at once)."""
    if not request.url.userinfo:
        return request
    return httpx.Request(request.method, request.url.copy_with(userinfo=b""), headers=request.headers)


class _Body(httpx.AsyncByteStream):
    """aiohttp's response body as httpx reads it, in chunks of up to 16 KiB (as httpx-aiohttp read it), its
    failures named; closing it ends the request's turn on its host."""

    CHUNK = 16 * 1024

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request, host: _Host | None) -> None:
        self._response = response
        self._request = request
        self._host: _Host | None = host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(self.CHUNK):
                yield chunk
        except aiohttp.ClientError as exc:
            raise _as_httpx_error(exc, self._request) from _cause(exc)

    async def aclose(self) -> None:
        try:
            # an unread body closes its connection instead of returning it
            await self._response.__aexit__(None, None, None)
        except aiohttp.ClientError as exc:
            raise _as_httpx_error(exc, self._request) from _cause(exc)
        finally:
            if self._host is not None:
                self._host.busy -= 1
                self._host = None


def _as_httpx_error(
    exc: aiohttp.ClientError, request: httpx.Request, attempt: _Attempt | None = None
) -> httpx.TransportError:
    """aiohttp's failure as the httpx error `Fetcher` names.

    Raise it `from _cause(exc)`: the OS-level cause chained. Cancellation is not caught, so passes as it is.
    """
    if attempt is not None and attempt.refused is not None and attempt.peer() is None:
        return NonPublicAddress(attempt.refused, request=request)
    return _httpx_error(exc, request)


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


def _cause(exc: aiohttp.ClientError) -> BaseException | None:
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
