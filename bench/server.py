# SPDX-License-Identifier: MIT
"""Serve a corpus directory on 127.0.0.1, in a process of its own, fast enough never to be the bottleneck.

    with serve(site_dir, all_304=False) as base:      # base = "http://127.0.0.1:PORT"
        ...                                           # GET base + "/feeds/f0001.xml"

    python bench/server.py SITE_DIR [--all-304]       # prints the port, serves until stdin closes

Why a hand-written asyncio protocol rather than uvicorn or http.server: this
venv has uvicorn without httptools or uvloop, so its pure-Python h11 parser
(like http.server) costs more per request than the client being measured.
Every file is read once, at start, into memory with its gzip form and its
ETag; a request is one dictionary lookup and one write. Running in its own
process keeps it off the measured process's GIL.

HTTP/1.1 with keep-alive, GET and HEAD; gzip when the client accepts it (real
servers do, and decoding is part of the client's cost). Conditional requests:
If-None-Match with the current ETag gets 304; with `--all-304`, every feed
(.xml) answers 304 to any conditional request, the state of feeds that never
change. Files are served with every "http://bench.invalid" (corpus.BASE)
replaced by the server's own address.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PLACEHOLDER = b"http://bench.invalid"  # corpus.BASE; not imported, so this file needs nothing but the stdlib
_TYPES = {".xml": b"application/rss+xml; charset=utf-8", ".html": b"text/html; charset=utf-8"}
_LAST_MODIFIED = b"Wed, 31 Dec 2025 12:00:00 GMT"


@dataclass(frozen=True)
class Resource:
    body: bytes
    gzipped: bytes
    etag: bytes
    content_type: bytes
    is_feed: bool


def load_site(root: Path, base: bytes) -> dict[bytes, Resource]:
    """Every file under `root` by URL path, with its placeholder links made absolute."""
    site = {}
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        body = path.read_bytes().replace(PLACEHOLDER, base)
        etag = b'"' + hashlib.blake2b(body, digest_size=8).hexdigest().encode() + b'"'
        kind = _TYPES.get(path.suffix, b"application/octet-stream")
        resource = Resource(body, gzip.compress(body, 6, mtime=0), etag, kind, path.suffix == ".xml")
        site[b"/" + path.relative_to(root).as_posix().encode()] = resource
    return site


class HttpProtocol(asyncio.Protocol):
    """One connection: requests parsed from the buffer as they complete, answered in order."""

    def __init__(self, site: dict[bytes, Resource], all_304: bool) -> None:
        self.site = site
        self.all_304 = all_304
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            self.respond(head)

    def respond(self, head: bytes) -> None:
        assert self.transport is not None
        lines = head.split(b"\r\n")
        method, _, rest = lines[0].partition(b" ")
        target, _, version = rest.partition(b" ")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        self.buffer = self.buffer[int(headers.get(b"content-length", b"0") or 0) :]  # a body is never used
        status, extra, body = self.answer(method, target.split(b"?", 1)[0], headers)
        connection = headers.get(b"connection", b"").lower()
        close = connection == b"close" or (version == b"HTTP/1.0" and connection != b"keep-alive")
        response = [b"HTTP/1.1 " + status, b"Content-Length: " + str(len(body)).encode(), *extra]
        response.append(b"Connection: close" if close else b"Connection: keep-alive")
        self.transport.write(b"\r\n".join(response) + b"\r\n\r\n" + (b"" if method == b"HEAD" else body))
        if close:
            self.transport.close()
            self.transport = None

    def answer(self, method: bytes, path: bytes, headers: dict[bytes, bytes]) -> tuple[bytes, list[bytes], bytes]:
        """Status line, headers and body for one request."""
        if method not in (b"GET", b"HEAD"):
            return b"405 Method Not Allowed", [b"Allow: GET, HEAD"], b""
        resource = self.site.get(path)
        if resource is None:
            return b"404 Not Found", [b"Content-Type: text/plain"], b"not found\n"
        validators = [b"ETag: " + resource.etag, b"Last-Modified: " + _LAST_MODIFIED]
        match = headers.get(b"if-none-match")
        conditional = match is not None or b"if-modified-since" in headers
        if match == resource.etag or (self.all_304 and resource.is_feed and conditional):
            return b"304 Not Modified", validators, b""
        extra = [b"Content-Type: " + resource.content_type, *validators, b"Vary: Accept-Encoding"]
        if b"gzip" in headers.get(b"accept-encoding", b""):
            return b"200 OK", [*extra, b"Content-Encoding: gzip"], resource.gzipped
        return b"200 OK", extra, resource.body


async def _serve(root: Path, all_304: bool) -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    site = load_site(root, f"http://127.0.0.1:{port}".encode())
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: HttpProtocol(site, all_304), sock=listener, backlog=1024)
    print(port, flush=True)  # the parent reads this line: the site is loaded and the socket listening
    closed = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: closed.set() if not sys.stdin.buffer.read1(4096) else None)
    async with server:
        await closed.wait()


@contextmanager
def serve(root: Path, *, all_304: bool = False) -> Iterator[str]:
    """Run the server on `root` in a child process; yield its base URL; stop it on exit."""
    command = [sys.executable, str(Path(__file__).resolve()), str(root)] + (["--all-304"] if all_304 else [])
    child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        port = child.stdout.readline().strip()
        if not port.isdigit():
            raise RuntimeError(f"the corpus server did not start (exit code {child.poll()})")
        yield f"http://127.0.0.1:{port}"
    finally:
        if child.stdin is not None:
            child.stdin.close()  # the child's signal to stop
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--all-304", action="store_true", help="every feed answers 304 to a conditional request")
    args = parser.parse_args()
    asyncio.run(_serve(args.root, args.all_304))


if __name__ == "__main__":
    main()
