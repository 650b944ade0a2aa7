# SPDX-License-Identifier: MIT
"""HTTP/1.1 GETs over plain connections (no TLS, no proxy) on asyncio: the wire of a cycle of plain-http feeds.

Why not aiohttp here: over 1,000 unchanged feeds, aiohttp's import (about 0.1 s of CPU: its package
imports the client, and its connector builds two TLS contexts when imported) and its path per request
(URL objects, request and response objects, the writer, the pool) were most of what `monitor run --once`
spent above the bare event loop (docs/PERFORMANCE.md, Polling). `transport.Wire` sends plain-http requests
without a proxy or the intranet rule here, and everything else (https, a proxy, public-only pages)
through aiohttp, imported on first use.

What is HTTP is h11's: each connection has an `h11.Connection` (the client's side of HTTP/1.1, without
I/O), which writes the request head and reads the answer: its status line and headers, interim (1xx)
answers, the body framed by Transfer-Encoding: chunked, Content-Length or the connection's end, and
whether the connection may serve another request. What is ours: the socket (an asyncio protocol that
pauses reading while a body is not read), connecting (happy eyeballs, as aiohttp connects), the pool
(in `transport.Wire`) and the one retry of a request whose kept connection closed unanswered.

The request goes through h11 as the `Request` event, whose bytes are the head aiohttp wrote for the
same httpx request (tests/test_transport.py pins them): `GET <path> HTTP/1.1`, Host first, httpx's
headers in order with their names lower-cased, "Connection: close" last on a request that will not
keep its connection. The answer is read as aiohttp reads it (tests/test_plain_wire.py runs both paths
on the same answers and lists where they differ): lines ending in CRLF or a bare LF, a folded header
line joined to the one before, a connection kept after a whole body of a framed HTTP/1.1 answer.

What it refuses, each a one-line httpx error that `Fetcher` names ("fetch failed (RemoteProtocolError:
invalid response (…))", the reason in h11's words): what h11 refuses (a status line that is not
HTTP/1.x with three digits, a header line that is no "name: value" or holds a NUL or CR or LF, a
Content-Length that is not a number or given twice with two values, a Transfer-Encoding other than
chunked, a head or chunk-size line that is still incomplete past about 64 KiB), and one check of ours:
both Content-Length and Transfer-Encoding (request smuggling; h11 would read the body as chunked, aiohttp
refuses it). "invalid body (…)" for a bad chunk or a body cut short; "server disconnected without
sending a complete response" for a connection closed before a whole head.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Sequence

import h11
import httpx

__all__ = ["Body", "Connection", "Unanswered", "addresses_of", "connect", "request_event", "send"]

HEAD_MAX = 2**16  # bytes of an incomplete head (or chunk-size line, or trailers) past which it is refused
CHUNK = 16 * 1024  # bytes handed to h11 at a time: a head is refused within HEAD_MAX + CHUNK bytes
HIGH_WATER = 2**16  # bytes received and unread past which reading pauses (a body is read as fast as it is used)
HAPPY_EYEBALLS_DELAY = 0.25  # aiohttp's default: the next address is tried when one has not answered in this time
SHOWN = 120  # characters of h11's reason kept in an error line (it quotes the line it refused)

_Event = h11.Event | type[h11.NEED_DATA] | type[h11.PAUSED]


class Unanswered(Exception):
    """A reused connection closed before any byte of an answer: the request can go again on a new one."""


class _Stream(asyncio.Protocol):
    """The bytes one connection received, read by one request at a time; reading pauses while HIGH_WATER
    bytes wait unread."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: OSError | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and not self._paused and self.transport is not None:
            self.transport.pause_reading()
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        if isinstance(exc, OSError):
            self.error = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def more(self) -> bool:
        """Wait for more bytes; False when none will come (the connection ended; its OS error raised)."""
        if self.eof:
            if self.error is not None:
                raise self.error
            return False
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None
        return True

    def take(self, most: int) -> bytes:
        piece = bytes(self.buffer[:most])
        del self.buffer[:most]
        return piece


class Connection:
    """One connection of the plain path: its stream, its HTTP state (h11's), the address it went to,
    whether it served a request."""

    def __init__(self, stream: _Stream, peer: str | None) -> None:
        self.stream = stream
        self.http = h11.Connection(h11.CLIENT, max_incomplete_event_size=HEAD_MAX)
        self.peer = peer
        self.reused = False

    def idle(self) -> bool:
        """Open, and nothing received since its last answer (a server that closed or spoke is not asked again)."""
        transport = self.stream.transport
        return transport is not None and not transport.is_closing() and not self.stream.eof and not self.stream.buffer

    def is_open(self) -> bool:
        transport = self.stream.transport
        return transport is not None and not transport.is_closing()

    def close(self) -> None:
        if self.stream.transport is not None:
            self.stream.transport.close()

    def finish(self) -> bool:
        """After an answer: whether the connection may serve the next request (h11 ready for it, and
        nothing received past the answer), made ready if so, closed if not."""
        http = self.http
        if http.our_state is h11.DONE and http.their_state is h11.DONE and not http.trailing_data[0]:
            http.start_next_cycle()
            return True
        self.close()
        return False

    async def next_event(self, *, sent: bool = False) -> _Event:
        """h11's next event, bytes handed to it as it needs them (`sent`: a request was just sent, so h11 holds
        none yet and is not asked before some arrive). `ConnectionClosed` when the connection ended before a
        whole head (where h11 would raise "can't handle event type ConnectionClosed")."""
        http, stream = self.http, self.stream
        event = h11.NEED_DATA if sent else http.next_event()
        while event is h11.NEED_DATA:
            if stream.buffer:
                http.receive_data(stream.take(CHUNK))
            elif await stream.more():
                continue
            elif http.their_state is h11.SEND_RESPONSE:
                return h11.ConnectionClosed()
            else:
                http.receive_data(b"")  # a body up to the connection's end ends here; any other is cut short
            event = http.next_event()
        return event

    def unanswered(self) -> bool:
        """Whether nothing of an answer came: no byte in the stream or in h11's buffer."""
        return not self.stream.buffer and not self.http.trailing_data[0]


async def addresses_of(host: str, port: int) -> list[tuple]:  # type: ignore[type-arg]
    """The addresses to try for host:port, as aiohttp's resolver gives them: an IP address as it is,
    a name through getaddrinfo (its failure is a `socket.gaierror`)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        address = (host, port) if family == socket.AF_INET else (host, port, 0, 0)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", address)]
    loop = asyncio.get_running_loop()
    return await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG)


async def connect(addresses: list[tuple]) -> Connection:  # type: ignore[type-arg]
    """A connection to the first of `addresses` that answers (happy eyeballs, as aiohttp connects).
    Raises `httpx.ConnectError`, the OS error chained (`Fetcher` names "connection refused" from it)."""
    import aiohappyeyeballs  # aiohttp's own connecting code (a dependency of it), so failures read the same

    try:
        sock = await aiohappyeyeballs.start_connection(addresses, happy_eyeballs_delay=HAPPY_EYEBALLS_DELAY)
        _transport, stream = await asyncio.get_running_loop().create_connection(_Stream, sock=sock)
    except OSError as exc:
        host, port = addresses[0][4][:2]
        raise httpx.ConnectError(f"Cannot connect to host {host}:{port} [{exc.strerror or exc}]") from exc
    return Connection(stream, str(sock.getpeername()[0]))


def request_event(request: httpx.Request, *, keep_alive: bool) -> h11.Request:
    """The GET as h11's event, written as aiohttp wrote it: httpx's headers in their order, names lower-cased.

    Raises `httpx.LocalProtocolError` for a header h11 will not send (a newline in a value, say)."""
    # httpx keeps each header as bytes, ASCII for a str (`Fetcher` gives str): its raw names lower-cased are
    # what aiohttp wrote from `request.headers.items()`; h11 writes names in the case given, Host first
    headers = [(name.lower(), value) for name, value in request.headers.raw]
    if not keep_alive:
        headers.append((b"Connection", b"close"))
    try:
        return h11.Request(method=request.method, target=request.url.raw_path, headers=headers)
    except h11.LocalProtocolError as exc:
        raise httpx.LocalProtocolError(f"invalid request ({_said(exc)})") from None


async def send(connection: Connection, request: h11.Request) -> h11.Response:
    """Write a request, read the answer's head (after any interim 1xx ones).

    Raises `Unanswered` when a reused connection ended before any byte of an answer, else the httpx
    error naming what went wrong (`httpx.RemoteProtocolError`, `httpx.ReadError`)."""
    stream = connection.stream
    assert stream.transport is not None
    stream.transport.write(connection.http.send(request) + connection.http.send(h11.EndOfMessage()))
    interim = False
    while True:
        try:
            event = await connection.next_event(sent=not interim)
        except OSError as exc:
            if connection.reused and not interim and connection.unanswered():
                raise Unanswered from exc
            raise httpx.ReadError(exc.strerror or str(exc) or "connection lost") from exc
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(f"invalid response ({_said(exc)})") from None
        if type(event) is h11.ConnectionClosed:
            raise _ended(connection, interim=interim)
        if type(event) is h11.Response:
            if _smuggled(event.headers):
                raise httpx.RemoteProtocolError("invalid response (both Content-Length and Transfer-Encoding)")
            return event
        interim = True  # an InformationalResponse (1xx): the final answer follows


def _ended(connection: Connection, *, interim: bool) -> Exception:
    """What a connection closed before a whole head is: a kept one that timed out (`Unanswered`), no HTTP
    at all (a banner, an HTTP/0.9 body) or an answer cut short."""
    received = connection.http.trailing_data[0]
    if connection.reused and not interim and not received:
        return Unanswered()
    if received and not received.startswith(b"HTTP/"):
        return httpx.RemoteProtocolError(f"invalid response (no HTTP/1.x status line: {_shown(received)})")
    return httpx.RemoteProtocolError("server disconnected without sending a complete response")


def _smuggled(headers: Sequence[tuple[bytes, bytes]]) -> bool:
    """Both Content-Length and Transfer-Encoding: refused as aiohttp refuses it (RFC 9112, section 6.3:
    "ought to be handled as an error"), where h11 reads the body as chunked."""
    names = {name for name, _value in headers}
    return b"transfer-encoding" in names and b"content-length" in names


def _said(exc: h11.ProtocolError) -> str:
    """h11's reason, shortened for an error line (it quotes the line it refused, which may be long)."""
    text = str(exc)
    return text if len(text) <= SHOWN else text[:SHOWN] + "…"


def _shown(data: bytes) -> str:
    """Bytes from a server, shortened and printable, for an error line."""
    text = data[:60].decode("latin-1")
    return repr(text + ("…" if len(data) > 60 else ""))


class Body(httpx.AsyncByteStream):
    """A response's body as sent on the wire, chunked framing removed (h11's `Data` events).

    `done(connection, reusable)` is called once: when the body has been read whole (the connection may
    serve another request if h11 says so) or when it is closed unread (the connection is closed). A body
    whose end came with the head (a 304, Content-Length: 0) is read whole at once, so its connection is
    free before the response is used."""

    def __init__(self, connection: Connection, done: Callable[[Connection, bool], None]) -> None:
        self._connection = connection
        self._done: Callable[[Connection, bool], None] | None = done
        self._read_whole = False
        self._first: _Event | h11.RemoteProtocolError
        try:
            self._first = connection.http.next_event()  # the body's first event, if its bytes came with the head
        except h11.RemoteProtocolError as exc:
            self._first = exc  # raised when the body is read
        if type(self._first) is h11.EndOfMessage:
            self._read_whole = True
            self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._read_whole:
            return
        event, self._first = self._first, h11.NEED_DATA
        try:
            while type(event) is not h11.EndOfMessage:
                if isinstance(event, h11.RemoteProtocolError):
                    raise event
                if type(event) is h11.Data:
                    yield bytes(event.data)
                event = await self._connection.next_event()
        except h11.RemoteProtocolError as exc:
            raise httpx.RemoteProtocolError(f"invalid body ({_said(exc)})") from None
        except OSError as exc:
            raise httpx.RemoteProtocolError(f"invalid body ({exc.strerror or exc})") from exc
        self._read_whole = True
        self._finish()

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._done is not None:
            done, self._done = self._done, None
            if self._read_whole:
                done(self._connection, self._connection.finish())
            else:
                self._connection.close()
                done(self._connection, False)
