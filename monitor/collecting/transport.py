# SPDX-License-Identifier: MIT
"""The wire under `Fetcher`: httpx-aiohttp's transport over aiohttp sessions set up here, public APIs only.

Why aiohttp: polling is bound by the client's CPU, and aiohttp's llhttp
parser and pool spend about a third of what httpcore does per conditional
GET. Why httpx-aiohttp: it is the maintained adapter (an httpx request in, an
httpx response out) that this module used to be by hand, on aiohttp's private
connector internals. `Fetcher` keeps building httpx requests and reading
httpx responses (its logic tests keep `httpx.MockTransport`).

This layer is still needed, thin, and uses documented aiohttp options only:

- the sessions: the certifi CA bundle (as httpx), no cookie jar (`Fetcher`
  keeps the cookies), no automatic headers, no aiohttp time limit (`Fetcher`
  bounds each request as a whole), bodies as sent on the wire
  (httpx-aiohttp turns `auto_decompress` off: `Fetcher` inflates them under
  its byte limit);
- proxies from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY,
  NO_PROXY), read once and decided once per host: aiohttp's own `trust_env`
  reads the environment and ~/.netrc on every request;
- failures named as before: httpx-aiohttp raises a refused connection as
  `ConnectTimeout` and lets a malformed answer through as aiohttp's own
  error, so aiohttp's failure is mapped again here, the OS-level cause
  chained (`Fetcher` names "connection refused", "host name not found", a TLS
  failure from it);
- the intranet rule and the address connected to (below);
- idle connections bounded across hosts: aiohttp bounds the connections in
  use, not the idle ones, so a cycle over 1,000 hosts would keep 1,000
  sockets open. Once `max_connections` sockets are open, a request that has
  no idle connection to reuse goes through a session that does not keep
  connections alive (aiohttp's `force_close`).

The intranet rule. `Fetcher.get(public_only=True)` marks its requests (the
request extension `monitor.public_only`) and they go through sessions of
their own, whose connector refuses a non-public address in its
`socket_factory` (aiohttp >= 3.12). aiohttp calls that factory with the very
address it is about to connect to: after name resolution and its cache, for
every address happy eyeballs tries, for a host written as an IP address (which
never reaches a resolver) and for a proxy. There is no check separate from
the connection, so a name whose answer changes between a check and the
connect (DNS rebinding) finds no gap; and as pools are per session, a
public-only request only ever reuses a connection made under the rule. A
custom `AbstractResolver` would not see IP-address hosts, and aiohttp's
tracing hooks carry no address.

The same factory notes the address of each connection a request opens, and
the response carries it as the extension `monitor.peer_address` (a reused
connection: the address this host's connections went to; a public one if any
was public, so a feed is never taken for an intranet one by mistake).
"""

from __future__ import annotations

import contextvars
import socket
import ssl
import urllib.request
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
import certifi
import httpx
from httpx_aiohttp import AiohttpTransport

__all__ = ["PEER_EXTENSION", "PUBLIC_ONLY_EXTENSION", "NonPublicAddress", "Wire"]

PEER_EXTENSION = "monitor.peer_address"
PUBLIC_ONLY_EXTENSION = "monitor.public_only"

_HostKey = tuple[bool, str | None, str, str, int | None]  # public only, proxy, scheme, host, port


class NonPublicAddress(httpx.ConnectError):
    """A public-only request refused before connecting: the address it would have connected to is not public."""

    def __init__(self, address: str, *, request: httpx.Request) -> None:
        super().__init__(f"refused to connect to a non-public address ({address})", request=request)
        self.address = address


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


class Wire(httpx.AsyncBaseTransport):
    """Send httpx requests through httpx-aiohttp; sessions are made on first use, inside the event loop.

    `is_public(address)` is the caller's rule for the addresses a public-only request may connect to.
    """

    def __init__(self, *, is_public: Callable[[str], bool], max_connections: int = 10) -> None:
        self._is_public = is_public
        self._max_connections = max_connections
        self._proxies = _Proxies()
        self._tls: ssl.SSLContext | None = None
        self._sessions: dict[tuple[bool, bool, bool], aiohttp.ClientSession] = {}  # public only, keep-alive, TLS
        self._senders: dict[tuple[bool, bool, str | None, bool], AiohttpTransport] = {}
        self._hosts: dict[_HostKey, _Host] = {}
        self._open: set[socket.socket] = set()  # kept-alive sockets, all hosts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        public_only = bool(request.extensions.get(PUBLIC_ONLY_EXTENSION))
        url = request.url
        proxy = self._proxies.for_url(url)
        key = (public_only, proxy, url.scheme, url.host, url.port)
        host = self._hosts.get(key) or self._hosts.setdefault(key, _Host())
        keep_alive = host.has_idle() or self._open_count() < self._max_connections
        sender = self._sender(public_only, keep_alive, proxy, request)
        attempt = _Attempt()
        token = _attempt.set(attempt)
        turn = host if keep_alive else None  # a kept-alive request holds one of its host's connections
        if turn is not None:
            turn.busy += 1
        try:
            response = await sender.handle_async_request(_on_the_wire(request))
        except BaseException as exc:
            if turn is not None:
                turn.busy -= 1
            if isinstance(exc, httpx.TransportError | aiohttp.ClientError):
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
        assert isinstance(response.stream, httpx.AsyncByteStream)  # httpx-aiohttp's stream
        response.stream = _Body(response.stream, request, turn)
        response.extensions[PEER_EXTENSION] = peer or host.peer()
        return response

    async def aclose(self) -> None:
        for sender in self._senders.values():
            await sender.aclose()  # closes its session; a session shared by several senders closes once
        self._senders.clear()
        self._sessions.clear()

    def _open_count(self) -> int:
        self._open = {sock for sock in self._open if sock.fileno() != -1}
        return len(self._open)

    def _sender(
        self, public_only: bool, keep_alive: bool, proxy: str | None, request: httpx.Request
    ) -> AiohttpTransport:
        """httpx-aiohttp's transport for this kind of request, sharing the session of its kind (made on first use).

        A plain-http request with no proxy goes through sessions without TLS: the CA bundle (0.02-0.03 s to
        load) is loaded only once a request may need it, an https URL or any proxy (which may be https)."""
        tls = request.url.scheme != "http" or proxy is not None
        sender = self._senders.get((public_only, keep_alive, proxy, tls))
        if sender is None:
            try:
                proxy_config = httpx.Proxy(proxy) if proxy else None
            except ValueError as exc:
                raise httpx.ProxyError(f"invalid proxy URL in the environment ({exc})", request=request) from None
            if tls and self._tls is None:
                # The CA bundle httpx uses, so a site valid under one client is valid under the other.
                self._tls = ssl.create_default_context(cafile=certifi.where())
            verify: ssl.SSLContext | bool = self._tls if tls and self._tls is not None else False
            kind = (public_only, keep_alive, tls)
            session = self._sessions.get(kind) or self._session(public_only, keep_alive, tls=tls)
            self._sessions[kind] = session
            # `verify` is httpx-aiohttp's for sessions it makes itself; this one's connector has its own (or none)
            sender = AiohttpTransport(verify=verify, proxy=proxy_config, client=session)
            self._senders[(public_only, keep_alive, proxy, tls)] = sender
        return sender

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


def _on_the_wire(request: httpx.Request) -> httpx.Request:
    """The request without credentials in its URL: `Fetcher` sends them as an Authorization header
    (and aiohttp refuses both at once)."""
    if not request.url.userinfo:
        return request
    return httpx.Request(request.method, request.url.copy_with(userinfo=b""), headers=request.headers)


class _Body(httpx.AsyncByteStream):
    """httpx-aiohttp's body stream, its failures named; closing it ends the request's turn on its host."""

    def __init__(self, stream: httpx.AsyncByteStream, request: httpx.Request, host: _Host | None) -> None:
        self._stream = stream
        self._request = request
        self._host: _Host | None = host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._stream:
                yield chunk
        except (httpx.TransportError, aiohttp.ClientError) as exc:
            raise _as_httpx_error(exc, self._request) from _cause(exc)

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()  # an unread body closes its connection instead of returning it
        except (httpx.TransportError, aiohttp.ClientError) as exc:
            raise _as_httpx_error(exc, self._request) from _cause(exc)
        finally:
            if self._host is not None:
                self._host.busy -= 1
                self._host = None


def _as_httpx_error(
    exc: httpx.TransportError | aiohttp.ClientError, request: httpx.Request, attempt: _Attempt | None = None
) -> httpx.TransportError:
    """aiohttp's failure (raised as it is, or as httpx-aiohttp mapped it) as the httpx error `Fetcher` names.

    Raise it `from _cause(exc)`: the OS-level cause chained. Cancellation is not caught, so passes as it is.
    """
    if attempt is not None and attempt.refused is not None and attempt.peer() is None:
        return NonPublicAddress(attempt.refused, request=request)
    original = _original(exc)
    if isinstance(original, aiohttp.ClientError):
        return _httpx_error(original, request)
    assert isinstance(exc, httpx.TransportError)
    return exc


def _original(exc: BaseException) -> BaseException:
    """The aiohttp error behind an httpx one from httpx-aiohttp (its mapping chains it as the cause)."""
    if isinstance(exc, httpx.TransportError) and isinstance(exc.__cause__, aiohttp.ClientError):
        return exc.__cause__
    return exc


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


def _cause(exc: BaseException) -> BaseException | None:
    exc = _original(exc)
    if not isinstance(exc, aiohttp.ClientError):
        return exc.__cause__  # an httpx error raised as it came
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
