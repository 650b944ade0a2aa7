# SPDX-License-Identifier: MIT
"""HTTP/1.1 GETs over plain connections (no TLS, no proxy) on asyncio: the wire of a cycle of plain-http feeds.

Why not aiohttp here: over 1,000 unchanged feeds, aiohttp's import (about 0.1 s of CPU: its package
imports the client, and its connector builds two TLS contexts when imported) and its path per request
(URL objects, request and response objects, the writer, the pool) were most of what `monitor run --once`
spent above the bare event loop (docs/PERFORMANCE.md, Polling). A conditional GET needs little of it:
one head written, one head read, a body framed by its length. `transport.Wire` sends plain-http requests
without a proxy or the intranet rule here, and everything else (https, a proxy, public-only pages)
through aiohttp, imported on first use.

Why not h11 (the sans-I/O HTTP/1.1 under httpx's own transport) for the parsing below: tried in commit
639a250 and reverted, it cost a fifth more of the command's CPU over 1,000 unchanged feeds (0.399 -> 0.478 s
and 0.394 -> 0.471 s, 14 paired rounds each; it validates every header of each request and answer again,
about 55 µs a request), where the project allows a library 10 % (docs/PERFORMANCE.md, fifth round).

What it speaks, read as aiohttp read it (tests/test_plain_wire.py runs both paths on the same answers):

- the request head as aiohttp wrote it for the same httpx request: `GET <path> HTTP/1.1`, then httpx's
  headers in order, names as httpx gives them ("host", "user-agent", …), "Connection: close" last on a
  request that will not keep its connection;
- a response head whose lines end in CRLF or a bare LF; a folded header line joined to the one before;
  interim (1xx) answers skipped; a body framed by Transfer-Encoding: chunked, else Content-Length,
  else the connection's end; none after 204, 304 or 1xx;
- a connection kept for the next request only after a whole body read, from an HTTP/1.1 answer
  without "Connection: close" (or HTTP/1.0 with "keep-alive") that came framed; a kept connection
  that closed while idle is seen before reuse, and one that closes as it is reused is retried once on
  a new connection (the request was never answered).

What it refuses, each a one-line httpx error that `Fetcher` names ("fetch failed (RemoteProtocolError:
invalid response (…))"): a status line that is not HTTP/1.x and a three-digit status, a header line
that is no "name: value" or holds control characters, a line over 8,190 bytes or more than 128 header
lines (aiohttp's limits), a head over 64 KiB, Content-Length that is not a number or given more than
once, both Content-Length and Transfer-Encoding (request smuggling), a Transfer-Encoding
other than chunked; "invalid body (…)" for a bad chunk or a body cut short; "server disconnected
without sending a complete response" for a connection closed before a whole head.
"""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx

__all__ = ["Connection", "Head", "Unanswered", "addresses_of", "connect", "request_head", "send"]

LINE_MAX = 8190  # bytes of a status, header or chunk-size line (aiohttp's max_line_size and max_field_size)
HEADERS_MAX = 128  # header lines in a head (aiohttp's max_headers)
HEAD_MAX = 2**16  # bytes of a whole head
CHUNK = 16 * 1024  # body pieces handed up, at most (as the aiohttp path reads them)
HIGH_WATER = 2**16  # bytes received and unread past which reading pauses (a body is read as fast as it is used)
HAPPY_EYEBALLS_DELAY = 0.25  # aiohttp's default: the next address is tried when one has not answered in this time

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_LINE_END = re.compile(rb"\r?\n")
_STATUS = re.compile(rb"HTTP/1\.([01]) ([1-9][0-9][0-9])(?: (.*))?")
_STATUS_START = re.compile(rb"HTTP/1\.[01] [1-9][0-9][0-9]")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # in a header value; a tab is allowed
_CHUNK_SIZE = re.compile(rb"([0-9A-Fa-f]{1,16})[ \t]*(?:;.*)?")
_NO_BODY = (204, 304)


class Unanswered(Exception):
    """A reused connection closed before any byte of an answer: the request can go again on a new one."""


class _Invalid(Exception):
    """The answer broke HTTP/1.1 (the message says how); named as an httpx error by the caller."""


@dataclass(frozen=True)
class Head:
    """A response head: status, reason phrase and headers as received (names in their case, values trimmed)."""

    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    keep_alive: bool  # the connection may serve another request once the body is read
    length: int | None  # bytes of body; None: chunked or up to the connection's end (see `chunked`)
    chunked: bool


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
    """One connection of the plain path: its stream, the address it went to, whether it served a request."""

    def __init__(self, stream: _Stream, peer: str | None) -> None:
        self.stream = stream
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


def request_head(request: httpx.Request, *, keep_alive: bool) -> bytes:
    """The request head as aiohttp wrote it for this GET: httpx's headers in their order and case, UTF-8."""
    # httpx keeps each header as bytes, ASCII for a str (`Fetcher` gives str): its raw names lower-cased are
    # what aiohttp wrote from `request.headers.items()`, without decoding and encoding each header again
    lines = [request.method.encode() + b" " + request.url.raw_path + b" HTTP/1.1"]
    lines += [name.lower() + b": " + value for name, value in request.headers.raw]
    if not keep_alive:
        lines.append(b"Connection: close")
    if any(b"\r" in line or b"\n" in line for line in lines):  # refused as aiohttp refuses it
        raise ValueError("Newline or carriage return character detected in HTTP status message or header")
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def send(connection: Connection, head: bytes) -> Head:
    """Write a request head, read the answer's head (after any interim 1xx ones).

    Raises `Unanswered` when a reused connection ended before any byte of an answer, else the httpx
    error naming what went wrong (`httpx.RemoteProtocolError`, `httpx.ReadError`)."""
    stream = connection.stream
    assert stream.transport is not None
    stream.transport.write(head)
    first = True
    while True:
        try:
            lines = await _head_lines(stream)
        except OSError as exc:
            if connection.reused and first and not stream.buffer:
                raise Unanswered from exc
            raise httpx.ReadError(exc.strerror or str(exc) or "connection lost") from exc
        except _Invalid as invalid:
            raise httpx.RemoteProtocolError(f"invalid response ({invalid})") from None
        if lines is None:
            if connection.reused and first and not stream.buffer:
                raise Unanswered
            raise httpx.RemoteProtocolError("server disconnected without sending a complete response")
        try:
            answer = _parse_head(lines)
        except _Invalid as invalid:
            raise httpx.RemoteProtocolError(f"invalid response ({invalid})") from None
        if answer is not None:
            return answer
        first = False


async def _head_lines(stream: _Stream) -> list[bytes] | None:
    """The lines of the next head (their ends dropped), or None when the connection ended before a whole one."""
    searched = 0
    while True:
        found = _BLANK_LINE.search(stream.buffer, max(searched - 3, 0))
        if found is not None:
            lines = _LINE_END.split(bytes(stream.buffer[: found.start()]))
            del stream.buffer[: found.end()]
            return lines
        if len(stream.buffer) > HEAD_MAX:
            raise _Invalid(f"the head is longer than {HEAD_MAX} bytes")
        searched = len(stream.buffer)
        if not await stream.more():
            if stream.buffer and not _STATUS_START.match(stream.buffer):  # an HTTP/0.9 body, a banner…
                raise _Invalid(f"not an HTTP/1.x status line: {_shown(bytes(stream.buffer[:60]))}")
            return None


def _parse_head(lines: list[bytes]) -> Head | None:
    """The head read from `lines`, or None for an interim (1xx) answer, which a final one follows."""
    status_line = lines[0]
    if len(status_line) > LINE_MAX:
        raise _Invalid(f"a status line longer than {LINE_MAX} bytes")
    matched = _STATUS.fullmatch(status_line)
    if matched is None:
        raise _Invalid(f"not an HTTP/1.x status line: {_shown(status_line)}")
    minor, status, reason = int(matched[1]), int(matched[2]), (matched[3] or b"").strip()
    if _CONTROL.search(reason):
        raise _Invalid("control characters in the reason phrase")
    if 100 <= status < 200 and status != 101:
        return None
    headers = _headers(lines[1:])
    return _framed(status, reason, headers, minor=minor)


def _headers(lines: list[bytes]) -> list[tuple[bytes, bytes]]:
    if len(lines) > HEADERS_MAX:
        raise _Invalid(f"more than {HEADERS_MAX} header lines")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines:
        if len(line) > LINE_MAX:
            raise _Invalid(f"a header line longer than {LINE_MAX} bytes")
        if line[:1] in (b" ", b"\t") and headers:  # obs-fold: a continuation of the header before
            name, value = headers.pop()
            headers.append((name, (value + b" " + line.strip(b" \t")).strip(b" ")))
            continue
        name, colon, value = line.partition(b":")
        # whitespace before the colon is taken, the name kept as sent ("Content-Length "), as aiohttp takes it
        if not colon or not _TOKEN.fullmatch(name.rstrip(b" \t")):
            raise _Invalid(f"not a header line: {_shown(line)}")
        value = value.strip(b" \t")
        if _CONTROL.search(value):
            raise _Invalid(f"control characters in the header {_shown(name)}")
        headers.append((name, value))
    return headers


def _framed(status: int, reason: bytes, headers: list[tuple[bytes, bytes]], *, minor: int) -> Head:
    """How the body is framed and whether the connection may be kept (RFC 9112 section 6.3)."""
    named = [(name.rstrip(b" \t").lower(), value) for name, value in headers]
    lengths = [value for name, value in named if name == b"content-length"]
    codings = [value for name, value in named if name == b"transfer-encoding"]
    tokens = {token.strip().lower() for name, value in named if name == b"connection" for token in value.split(b",")}
    keep_alive = b"close" not in tokens if minor == 1 else b"keep-alive" in tokens
    if status in _NO_BODY or status == 101:
        return Head(status, reason, headers, keep_alive and status != 101, 0, chunked=False)
    if codings:
        if lengths:
            raise _Invalid("both Content-Length and Transfer-Encoding")
        listed = [c.strip().lower() for value in codings for c in value.split(b",") if c.strip()]
        if listed != [b"chunked"]:
            raise _Invalid(f"unsupported Transfer-Encoding {_shown(b', '.join(codings))}")
        return Head(status, reason, headers, keep_alive, None, chunked=True)
    if len(lengths) > 1:
        raise _Invalid("Content-Length given more than once")
    if lengths:
        [length] = lengths
        if not (length.isdigit() and len(length) <= 18):
            raise _Invalid(f"Content-Length is not a number: {_shown(length)}")
        return Head(status, reason, headers, keep_alive, int(length), chunked=False)
    return Head(status, reason, headers, False, None, chunked=False)  # up to the connection's end


def _shown(data: bytes) -> str:
    """Bytes from a server, shortened and printable, for an error line."""
    text = data[:60].decode("latin-1")
    return repr(text + ("…" if len(data) > 60 else ""))


class Body(httpx.AsyncByteStream):
    """A response's body as sent on the wire, chunked framing removed, in pieces of up to CHUNK bytes.

    `done(reusable)` is called once: when the body has been read whole (the connection may serve
    another request if its head said so) or when it is closed unread (the connection is closed)."""

    def __init__(self, connection: Connection, head: Head, done: Callable[[Connection, bool], None]) -> None:
        self._connection = connection
        self._head = head
        self._done: Callable[[Connection, bool], None] | None = done
        self._read_whole = head.length == 0
        if self._read_whole:
            self._finish()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._read_whole:
            return
        stream = self._connection.stream
        try:
            if self._head.chunked:
                pieces = _chunked(stream)
            elif self._head.length is not None:
                pieces = _counted(stream, self._head.length)
            else:
                pieces = _to_the_end(stream)
            async for piece in pieces:
                yield piece
        except _Invalid as invalid:
            raise httpx.RemoteProtocolError(f"invalid body ({invalid})") from None
        except OSError as exc:
            raise httpx.RemoteProtocolError(f"invalid body ({exc.strerror or exc})") from exc
        self._read_whole = True
        self._finish()

    async def aclose(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._done is not None:
            done, self._done = self._done, None
            reusable = self._read_whole and self._head.keep_alive
            if not reusable:
                self._connection.close()
            done(self._connection, reusable)


async def _counted(stream: _Stream, length: int) -> AsyncIterator[bytes]:
    left = length
    while left:
        if not stream.buffer and not await stream.more():
            raise _Invalid(f"the connection ended {left} bytes short of Content-Length {length}")
        piece = stream.take(min(left, CHUNK))
        left -= len(piece)
        yield piece


async def _to_the_end(stream: _Stream) -> AsyncIterator[bytes]:
    while stream.buffer or await stream.more():
        if stream.buffer:
            yield stream.take(CHUNK)


async def _chunked(stream: _Stream) -> AsyncIterator[bytes]:
    while True:
        size_line = await _line(stream, "chunk size")
        matched = _CHUNK_SIZE.fullmatch(size_line)
        if matched is None:
            raise _Invalid(f"not a chunk size: {_shown(size_line)}")
        size = int(matched[1], 16)
        if size == 0:
            while await _line(stream, "trailer"):  # trailers, up to an empty line
                pass
            return
        async for piece in _counted(stream, size):
            yield piece
        if await _line(stream, "chunk end"):
            raise _Invalid("a chunk longer than its size")


async def _line(stream: _Stream, what: str) -> bytes:
    """The next line of a chunked body, its end (CRLF or LF) dropped."""
    searched = 0
    while True:
        end = stream.buffer.find(b"\n", searched)
        if end > LINE_MAX:
            raise _Invalid(f"a {what} line longer than {LINE_MAX} bytes")
        if end >= 0:
            line = stream.take(end + 1)
            return line[:-2] if line.endswith(b"\r\n") else line[:-1]
        if len(stream.buffer) > LINE_MAX:
            raise _Invalid(f"a {what} line longer than {LINE_MAX} bytes")
        searched = len(stream.buffer)
        if not await stream.more():
            raise _Invalid(f"the connection ended within the chunked body (at a {what} line)")
