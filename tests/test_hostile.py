# SPDX-License-Identifier: MIT
"""Hostile input: one case file each under tests/hostile/, served by a real HTTP server on 127.0.0.1.

A case file (`tests/hostile/<class>_<name>.toml`, class = xml, http or content)
says why it exists, what the server does, and what must come of one cycle:

    why = "a feed that declares UTF-8 but is Windows-1252"
    feed_body = '''<?xml version="1.0" encoding="utf-8"?><rss …><link>{PAGE}</link>…'''
    feed_encoding = "cp1252"          # how feed_body becomes bytes (default utf-8)
    outcome = "ok"                    # or "feed_error" / "page_error"
    require_in_store = ["“quoted”"]

The server side of a case: the feed (`feed_body`, `feed_file` under
tests/hostile/files/, or a `generator` with `params`) with its `status` and
`headers`, and the page its entries link to (`{PAGE}`; `page_body`,
`page_file`, `page_generator`, `page_params`, `page_status`, `page_headers`;
a plain article by default). Bodies may name `{BASE}` (the case's own prefix on
the server), `{PAGE}`, `{SECRET_FILE}` (a file:// URL of a local file holding
CANARY), `{SECRET_PATH}` and `{SECRET_HTTP}` (an URL on the server that must
never be requested). Generators are the Python functions in GENERATORS, by
name: no eval.

Every case runs one cycle over a database seeded by one good cycle, with the
good feed polled again beside the hostile one, and checks:

- the cycle finishes within `max_seconds` (a guard, not a benchmark);
- `outcome`: a `feed_error` is one line on `store.feed(url).last_error`, in the
  report and in the log, containing `error_contains`; a `page_error` is one line
  in the report's errors and in the log; `ok` means neither;
- what was stored before is intact (changes, articles, the good feed);
- no stored title, text, error or digest item holds CANARY, any of
  `forbid_in_store`, live markup or a line break in a title; `require_in_store`
  strings are stored; `min_articles` new articles and `min_changes` new
  changes at least, `max_entries` entries read at most; the next poll within
  `next_check_s` = [least, most] seconds;
- with `memory = true` the cycle runs in a subprocess whose peak RSS must stay
  under MAX_RSS_MB (decompression bombs, huge bodies); `pytest -s` prints the
  figures, beside a normal cycle's.

A case may also set the fetch limits (`fetch_timeout`, default 1 s;
`max_bytes`, default 5 MB), need an optional module (`requires = ["brotli"]`:
skipped without it) or run as if one were missing (`without = ["brotli"]`).
The loader refuses unknown keys, wrong types and half-made cases.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import gzip
import json
import logging
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import tomllib
import zlib
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import feedparser
import pytest

import monitor.collecting.fetch
from monitor.config import Config, DigestConfig, FetchConfig
from monitor.pipeline import CycleReport, run_cycle
from rules.engine import Engine
from storage import Store
from tests.support.httpserver import LocalServer, RecordedRequest
from tests.support.sockets import ThreadedSocketServer

HOSTILE = Path(__file__).parent / "hostile"
FILES = HOSTILE / "files"
DEV = Path(__file__).parent / "corpus" / "dev"
ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(HOSTILE.glob("*.toml"))
CLASSES = ("xml", "http", "content")
CANARY = "HOSTILE-CANARY-4b1e9f0c"  # the content of the local "secret" file XXE cases point at
# A normal cycle (imports, rules, 18 pages) peaks near 80 MB; a body is at most max_bytes (5 MB) and
# its decoding and extraction add a few times that. A bomb that got through takes gigabytes (the
# brotli one took 2.1 GB before decoding was bounded).
MAX_RSS_MB = 200
MIN_CASES = 100

DEFAULT_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>City library reopens after renovation</title></head><body><article>
<h1>City library reopens after renovation</h1>
<p>The central library reopened on Monday after an eighteen-month renovation that added a reading garden,
a children's wing and a workshop with sewing machines and 3D printers.</p>
<p>Visitors queued before the doors opened. The head librarian said the building now lends tools and
musical instruments as well as books, and that opening hours would be extended on weekends.</p>
<p>The renovation was paid for by the city and a local foundation. Work on the branch libraries in the
northern districts is due to start next spring, once the tender for the builders has closed.</p>
</article></body></html>"""


# --- case files -----------------------------------------------------------------------------------

KEYS: dict[str, type | tuple[type, ...]] = {
    "why": str,
    "feed_body": str,
    "feed_file": str,
    "feed_encoding": str,
    "status": int,
    "headers": dict,
    "generator": str,
    "params": dict,
    "page_body": str,
    "page_file": str,
    "page_encoding": str,
    "page_status": int,
    "page_headers": dict,
    "page_generator": str,
    "page_params": dict,
    "outcome": str,
    "error_contains": str,
    "min_articles": int,
    "max_entries": int,
    "max_seconds": (int, float),
    "forbid_in_store": list,
    "require_in_store": list,
    "fetch_timeout": (int, float),
    "max_bytes": int,
    "memory": bool,
    "requires": list,
    "without": list,
    "min_changes": int,
    "next_check_s": list,
}
OUTCOMES = ("ok", "feed_error", "page_error")
OPTIONAL_MODULES = ("brotli",)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    why: str
    outcome: str
    feed_body: str | None = None
    feed_file: str | None = None
    feed_encoding: str = "utf-8"
    status: int = 200
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    generator: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    page_body: str | None = None
    page_file: str | None = None
    page_encoding: str = "utf-8"
    page_status: int = 200
    page_headers: dict[str, str] = dataclasses.field(default_factory=dict)
    page_generator: str | None = None
    page_params: dict[str, Any] = dataclasses.field(default_factory=dict)
    error_contains: str | None = None
    min_articles: int = 0
    max_entries: int | None = None
    max_seconds: float = 20.0
    forbid_in_store: tuple[str, ...] = ()
    require_in_store: tuple[str, ...] = ()
    fetch_timeout: float = 1.0
    max_bytes: int = 5_000_000
    memory: bool = False
    requires: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    min_changes: int = 0
    next_check_s: tuple[int, ...] = ()  # [least, most] seconds until the feed's next poll (Retry-After)

    @property
    def kind(self) -> str:
        return self.id.split("_", 1)[0]


def load_case(path: Path) -> Case:
    """The case in `path`; a ValueError naming the file for an unknown key, a wrong type or a missing part."""
    table = tomllib.loads(path.read_text(encoding="utf-8"))
    name = path.name
    for key, value in table.items():
        if key not in KEYS:
            raise ValueError(f"{name}: unknown key {key!r}")
        if not isinstance(value, KEYS[key]) or isinstance(value, bool) is not (KEYS[key] is bool):
            raise ValueError(f"{name}: key {key!r} has the wrong type ({type(value).__name__})")
    for key in ("why", "outcome"):
        if key not in table:
            raise ValueError(f"{name}: missing key {key!r}")
    if table["outcome"] not in OUTCOMES:
        raise ValueError(f"{name}: outcome must be one of {OUTCOMES}")
    if table["outcome"] != "ok" and "error_contains" not in table:
        raise ValueError(f"{name}: an error outcome needs error_contains")
    if sum(key in table for key in ("feed_body", "feed_file", "generator")) != 1:
        raise ValueError(f"{name}: exactly one of feed_body, feed_file, generator")
    if sum(key in table for key in ("page_body", "page_file", "page_generator")) > 1:
        raise ValueError(f"{name}: at most one of page_body, page_file, page_generator")
    for key in ("generator", "page_generator"):
        if key in table and table[key] not in GENERATORS:
            raise ValueError(f"{name}: unknown {key} {table[key]!r}")
    for key in ("requires", "without"):
        if not set(table.get(key, [])) <= set(OPTIONAL_MODULES):
            raise ValueError(f"{name}: {key} names modules outside {OPTIONAL_MODULES}")
    if path.stem.split("_", 1)[0] not in CLASSES:
        raise ValueError(f"{name}: the file name must start with one of {CLASSES} and '_'")
    if "next_check_s" in table and len(table["next_check_s"]) != 2:
        raise ValueError(f"{name}: next_check_s is [least, most] seconds")
    for key in ("forbid_in_store", "require_in_store", "requires", "without", "next_check_s"):
        if key in table:
            table[key] = tuple(table[key])
    if "max_seconds" in table:
        table["max_seconds"] = float(table["max_seconds"])
    return Case(id=path.stem, **table)


# --- the server side --------------------------------------------------------------------------------


@dataclasses.dataclass
class Context:
    """What a case's server side needs: where its files live on the servers."""

    case_id: str
    server: LocalServer
    raw: RawServer
    secret: Path
    page_url: str | None = None  # where {PAGE} points: the page generator's URL, else page.html here

    @property
    def base(self) -> str:
        return self.server.url(f"/{self.case_id}")

    def path(self, name: str) -> str:
        return f"/{self.case_id}/{name}"

    def url(self, name: str) -> str:
        return self.server.url(self.path(name))

    def fill(self, text: str) -> str:
        """Substitute the placeholders (plain replacement: bodies are full of braces)."""
        for name, value in {
            "{PAGE}": self.page_url or self.url("page.html"),
            "{BASE}": self.base,
            "{SECRET_FILE}": self.secret.as_uri(),
            "{SECRET_PATH}": str(self.secret),
            "{SECRET_HTTP}": self.url("secret.txt"),
        }.items():
            text = text.replace(name, value)
        return text


@dataclasses.dataclass(frozen=True)
class Raw:
    """A reply sent as is on a raw socket: `data` (bytes or chunks), then a close or a reset (RST)."""

    data: bytes | list[bytes]
    reset: bool = False
    pause: float = 0.0  # seconds between chunks


class RawServer(ThreadedSocketServer):
    """A TCP server on 127.0.0.1 that answers each path with bytes that no HTTP server would send."""

    def __init__(self) -> None:
        self._replies: dict[str, Raw] = {}
        super().__init__()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, reply: Raw) -> None:
        self._replies[path] = reply

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request and len(request) < 65536:
                    piece = connection.recv(4096)
                    if not piece:
                        return
                    request += piece
                path = request.split(b" ", 2)[1].decode("latin-1") if request.count(b" ") >= 2 else "/"
                reply = self._replies.get(path.split("?", 1)[0], Raw(b"HTTP/1.0 404 Not Found\r\n\r\n"))
                for chunk in [reply.data] if isinstance(reply.data, bytes) else reply.data:
                    connection.sendall(chunk)
                    time.sleep(reply.pause)
                if reply.reset:  # SO_LINGER 0: close() sends RST instead of FIN
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass


# Generators: (params, context, name) -> the URL of what they serve as `name` ("feed.xml" or "page.html").
Generator = Callable[[dict[str, Any], Context, str], str]


def _lazy_compressed(params: dict[str, Any], *, wbits: int) -> Iterator[bytes]:
    """`prefix`, then `decoded_mb` MiB of `fill`, compressed as they are sent: the server never holds it all."""
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    pending = packer.compress(str(params.get("prefix", "")).encode())
    block = str(params.get("fill", " ")).encode() * (1 << 20)
    for _ in range(int(params.get("decoded_mb", 1024))):
        pending += packer.compress(block)
        if len(pending) >= 64 << 10:  # a full read for the client each time, which inflates to ~64 MiB at once
            yield pending
            pending = b""
    yield pending + packer.flush()


def gzip_bomb(params: dict[str, Any], ctx: Context, name: str) -> str:
    """A gzip (or deflate, `coding`) body decoding to `decoded_mb` MiB; `coding = "gzip, gzip"` nests it."""
    coding = str(params.get("coding", "gzip"))
    if coding == "gzip, gzip":  # the inner gzip is small enough to build whole: 64 MiB decode to ~64 KiB
        inner = gzip.compress(str(params.get("prefix", "")).encode() + b" " * (64 << 20), 9)
        body: Any = [gzip.compress(inner, 9)]
    else:
        body = _lazy_compressed(params, wbits=31 if coding == "gzip" else 15)
    headers = {"Content-Type": str(params.get("content_type", "application/rss+xml")), "Content-Encoding": coding}
    ctx.server.route_handler(ctx.path(name), lambda _request: (200, headers, body))
    return ctx.url(name)


def brotli_bomb(params: dict[str, Any], ctx: Context, name: str) -> str:
    """1 GiB of zeros as 841 bytes of brotli (made once with brotli quality 11, kept in files/)."""
    body = (FILES / "bomb-1gib.br").read_bytes()
    headers = {"Content-Type": str(params.get("content_type", "application/rss+xml")), "Content-Encoding": "br"}
    ctx.server.route(ctx.path(name), body, headers=headers)
    return ctx.url(name)


def huge_body(params: dict[str, Any], ctx: Context, name: str) -> str:
    """`mb` MiB: `head`, then `unit` repeated, streamed in 64 KiB chunks; `declare_length` sends Content-Length."""
    head = ctx.fill(str(params.get("head", "<!doctype html><html><body><article>"))).encode()
    unit = ctx.fill(str(params.get("unit", "<p>All work and no play makes Jack a dull boy. </p>\n"))).encode()
    total = int(float(params.get("mb", 50)) * (1 << 20))
    chunk = unit * max(1, 65536 // len(unit))

    def body() -> Iterator[bytes]:
        yield head
        sent = len(head)
        while sent < total:
            yield chunk
            sent += len(chunk)

    headers = {"Content-Type": str(params.get("content_type", "text/html; charset=utf-8"))}
    if params.get("declare_length"):
        headers["Content-Length"] = str(total)
    ctx.server.route_handler(ctx.path(name), lambda _request: (200, headers, body()))
    return ctx.url(name)


def repeat(params: dict[str, Any], ctx: Context, name: str) -> str:
    """`head` + `unit` × `count` + `tail` (placeholders filled; `{N}` in `unit` numbers the copies)."""
    unit = ctx.fill(str(params["unit"]))
    count = int(params["count"])
    middle = "".join(unit.replace("{N}", str(n)) for n in range(count)) if "{N}" in unit else unit * count
    text = ctx.fill(str(params.get("head", ""))) + middle + ctx.fill(str(params.get("tail", "")))
    headers = {"Content-Type": str(params.get("content_type", "application/rss+xml"))}
    ctx.server.route(ctx.path(name), text.encode(str(params.get("encoding", "utf-8"))), headers=headers)
    return ctx.url(name)


def entity_blowup(params: dict[str, Any], ctx: Context, name: str) -> str:
    """One internal entity of `size` characters referenced `references` times: quadratic blowup."""
    size, references = int(params.get("size", 100_000)), int(params.get("references", 5000))
    where = str(params.get("where", "title"))
    entity = f'<!DOCTYPE rss [\n<!ENTITY big "{"x" * size}">\n]>\n'
    refs = "&big;" * references
    title = refs if where == "title" else "Blowup"
    description = refs if where == "description" else "d"
    body = (
        f'<?xml version="1.0" encoding="utf-8"?>\n{entity}<rss version="2.0"><channel><title>{title}</title>'
        f"<link>{ctx.base}/</link><description>d</description><item><title>Item</title>"
        f"<link>{ctx.url('page.html')}</link><description>{description}</description></item></channel></rss>"
    )
    ctx.server.route(ctx.path(name), body, headers={"Content-Type": "application/rss+xml"})
    return ctx.url(name)


def many_entries(params: dict[str, Any], ctx: Context, name: str) -> str:
    """An RSS feed of `entries` items; `link` (with `{N}`) and `guid` patterns, or none."""
    link, guid = params.get("link"), params.get("guid")
    items = []
    for n in range(int(params.get("entries", 10_000))):
        parts = [f"<title>Entry {n}</title>", f"<description>Item number {n}.</description>"]
        if link:
            parts.append(f"<link>{ctx.fill(str(link)).replace('{N}', str(n))}</link>")
        if guid:
            parts.append(f'<guid isPermaLink="false">{str(guid).replace("{N}", str(n))}</guid>')
        items.append("<item>" + "".join(parts) + "</item>")
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Many entries</title>'
        f"<link>{ctx.base}/</link><description>d</description>{''.join(items)}</channel></rss>"
    )
    ctx.server.route(ctx.path(name), body, headers={"Content-Type": "application/rss+xml"})
    return ctx.url(name)


def trickle(params: dict[str, Any], ctx: Context, name: str) -> str:
    """`prefix`, then one byte every `interval` seconds (default 1), `bytes` of them."""
    prefix = ctx.fill(str(params.get("prefix", ""))).encode()
    interval, count = float(params.get("interval", 1.0)), int(params.get("bytes", 60))

    def body() -> Iterator[bytes]:
        yield prefix
        for _ in range(count):
            time.sleep(interval)
            yield b" "

    headers = {"Content-Type": str(params.get("content_type", "application/rss+xml"))}
    ctx.server.route_handler(ctx.path(name), lambda _request: (200, headers, body()))
    return ctx.url(name)


def stall(params: dict[str, Any], ctx: Context, name: str) -> str:
    """No status line for `seconds` (default 5): the server thinks, the client waits."""
    seconds = float(params.get("seconds", 5.0))

    def handler(_request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        time.sleep(seconds)
        return 200, {"Content-Type": "application/rss+xml"}, b"<rss/>"

    ctx.server.route_handler(ctx.path(name), handler)
    return ctx.url(name)


def cut_body(params: dict[str, Any], ctx: Context, name: str) -> str:
    """Content-Length promises `declared` bytes; `body` is sent, then the connection closes (FIN)."""
    text = ctx.fill(str(params.get("body", '<rss version="2.0"><channel><title>Cut')))

    def body() -> Iterator[bytes]:
        yield text.encode()
        raise ConnectionAbortedError("the server hangs up mid-body")  # the handler's thread closes the socket

    headers = {"Content-Type": "application/rss+xml", "Content-Length": str(int(params.get("declared", 100_000)))}
    ctx.server.route_handler(ctx.path(name), lambda _request: (200, headers, body()))
    return ctx.url(name)


def raw_reply(params: dict[str, Any], ctx: Context, name: str) -> str:
    """`response` + `unit` × `repeat` + `tail`, sent as is (\\r\\n written in TOML); `reset` ends with an RST."""
    data = ctx.fill(str(params["response"])).encode("latin-1")
    data += str(params.get("unit", "")).encode("latin-1") * int(params.get("repeat", 0))
    data += ctx.fill(str(params.get("tail", ""))).encode("latin-1")
    ctx.raw.route(ctx.path(name), Raw(data, reset=bool(params.get("reset", False))))
    return ctx.raw.url(ctx.path(name))


def reset_mid_body(params: dict[str, Any], ctx: Context, name: str) -> str:
    """A 200 with Content-Length, part of the body, a pause, then a TCP reset."""
    text = ctx.fill(str(params.get("body", '<?xml version="1.0"?><rss version="2.0"><channel><title>Reset')))
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {params.get('content_type', 'application/rss+xml')}\r\n"
    head += f"Content-Length: {int(params.get('declared', 100_000))}\r\n\r\n"
    ctx.raw.route(ctx.path(name), Raw([head.encode(), text.encode()], reset=True, pause=0.05))
    return ctx.raw.url(ctx.path(name))


def redirect_loop(params: dict[str, Any], ctx: Context, name: str) -> str:
    """`length` URLs redirecting to one another in a ring (1: to itself)."""
    length = int(params.get("length", 2))
    for n in range(length):
        target = ctx.path(f"{name}.{(n + 1) % length}")
        ctx.server.route(ctx.path(f"{name}.{n}"), status=int(params.get("status", 302)), headers={"Location": target})
    return ctx.url(f"{name}.0")


def redirect_chain(params: dict[str, Any], ctx: Context, name: str) -> str:
    """`hops` redirects in a row, ending at a good feed."""
    hops = int(params.get("hops", 10))
    for n in range(hops):
        ctx.server.route(ctx.path(f"{name}.{n}"), status=301, headers={"Location": ctx.path(f"{name}.{n + 1}")})
    ctx.server.route(ctx.path(f"{name}.{hops}"), good_feed(ctx), headers={"Content-Type": "application/rss+xml"})
    return ctx.url(f"{name}.0")


GENERATORS: dict[str, Generator] = {
    "gzip_bomb": gzip_bomb,
    "brotli_bomb": brotli_bomb,
    "huge_body": huge_body,
    "repeat": repeat,
    "entity_blowup": entity_blowup,
    "many_entries": many_entries,
    "trickle": trickle,
    "stall": stall,
    "cut_body": cut_body,
    "raw_reply": raw_reply,
    "reset_mid_body": reset_mid_body,
    "redirect_loop": redirect_loop,
    "redirect_chain": redirect_chain,
}


def good_feed(ctx: Context) -> str:
    """A small valid feed with one entry linking to the case's page."""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good</title>'
        f"<link>{ctx.base}/</link><description>d</description><item><title>Library reopens</title>"
        f"<link>{ctx.url('page.html')}</link><guid>{ctx.url('page.html')}</guid></item></channel></rss>"
    )


def install(case: Case, ctx: Context) -> str:
    """Put the case's feed and page on the servers; return the feed's URL."""
    ctx.server.route(ctx.path("secret.txt"), CANARY, headers={"Content-Type": "text/plain"})
    if case.page_generator:
        ctx.page_url = GENERATORS[case.page_generator](case.page_params, ctx, "page.html")
    else:
        page = _body(ctx, case.page_body, case.page_file, case.page_encoding, DEFAULT_PAGE)
        headers = _headers(ctx, case.page_headers or {"Content-Type": "text/html; charset=utf-8"})
        ctx.server.route(ctx.path("page.html"), page, status=case.page_status, headers=headers)
    if case.generator:
        return GENERATORS[case.generator](case.params, ctx, "feed.xml")
    feed = _body(ctx, case.feed_body, case.feed_file, case.feed_encoding, "")
    headers = _headers(ctx, case.headers or {"Content-Type": "application/rss+xml"})
    ctx.server.route(ctx.path("feed.xml"), feed, status=case.status, headers=headers)
    return ctx.url("feed.xml")


def _headers(ctx: Context, headers: dict[str, str]) -> dict[str, str]:
    return {name: ctx.fill(str(value)) for name, value in headers.items()}


def _body(ctx: Context, text: str | None, file: str | None, encoding: str, default: str) -> bytes:
    if file is not None:
        data = (FILES / file).read_bytes()
        return ctx.fill(data.decode("latin-1")).encode("latin-1")  # placeholders are ASCII: bytes survive
    return ctx.fill(default if text is None else text).encode(encoding, errors="strict")


# --- seeding: one good cycle, then a snapshot of what it stored -------------------------------------


@dataclasses.dataclass(frozen=True)
class Seed:
    db: Path
    good_feed_url: str
    changes: list[Any]
    articles: list[dict[str, Any]]
    feeds: list[dict[str, Any]]
    claims: int


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as local:
        yield local


@pytest.fixture(scope="module")
def raw_server() -> Iterator[RawServer]:
    raw = RawServer()
    yield raw
    raw.close()


@pytest.fixture(scope="module")
def secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("secret") / "secret.txt"
    path.write_text(CANARY + "\n", encoding="utf-8")
    return path


def serve_good_feed(server: LocalServer) -> str:
    """The seed feed: two dev-corpus pages that flag changes; answers 304 to its validators."""
    items = "".join(
        f"<item><title>{title}</title><link>{server.url('/good/' + page)}</link>"
        f'<guid isPermaLink="false">good-{page}</guid><pubDate>{date}</pubDate></item>'
        for page, title, date in (
            ("dev-02.html", "OpenAI signs computing deal with Oracle", "Wed, 10 Sep 2025 08:30:00 +0000"),
            ("dev-07.html", "Microsoft adds Claude to Copilot", "Wed, 24 Sep 2025 08:30:00 +0000"),
        )
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Good feed</title>'
        f"<link>{server.url('/good/')}</link><description>d</description>{items}</channel></rss>"
    ).encode()
    etag = '"good-v1"'

    def handler(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, body

    server.route_handler("/good/feed.xml", handler)
    for page in ("dev-02.html", "dev-07.html"):
        server.route(f"/good/{page}", (DEV / page).read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
    return server.url("/good/feed.xml")


def table_rows(db: Path, table: str) -> list[dict[str, Any]]:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in connection.execute(f"SELECT * FROM {table} ORDER BY rowid")]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory, server: LocalServer, engine: Engine) -> Seed:
    directory = tmp_path_factory.mktemp("seed")
    url = serve_good_feed(server)
    store = Store.open(directory / "monitor.db")
    config = Config(digest=DigestConfig(path=directory / "digest.xml"))
    feed, _ = store.add_feed(url)
    report = asyncio.run(run_cycle(config, store, engine, feeds=[feed]))
    assert report.feeds_failed == 0 and report.pages_failed == 0 and report.articles_new == 2
    changes = store.changes()
    assert changes, "the seed cycle flags something to protect"
    store.close()
    db = directory / "monitor.db"
    return Seed(
        db=db,
        good_feed_url=url,
        changes=changes,
        articles=table_rows(db, "articles"),
        feeds=table_rows(db, "feeds"),
        claims=len(table_rows(db, "claims")),
    )


def copy_database(source: Path, target: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


# --- running a case -----------------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    report: CycleReport
    seconds: float
    log: str  # the warnings logged during the cycle
    peak_rss_mb: float | None = None


def config_for(case: Case, directory: Path) -> Config:
    return Config(
        fetch=FetchConfig(timeout=case.fetch_timeout, max_bytes=case.max_bytes),
        digest=DigestConfig(path=directory / "digest.xml"),
    )


def run_in_process(
    case: Case, db: Path, feed_urls: list[str], engine: Engine, directory: Path, caplog: pytest.LogCaptureFixture
) -> Outcome:
    store = Store.open(db)
    try:
        feeds = [store.feed(url) for url in feed_urls]
        assert all(feeds)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            started = time.monotonic()
            report = asyncio.run(run_cycle(config_for(case, directory), store, engine, feeds=feeds))  # type: ignore[arg-type]
            seconds = time.monotonic() - started
    finally:
        store.close()
    return Outcome(report, seconds, "\n".join(r.getMessage() for r in caplog.records))


CHILD = r"""
import asyncio, dataclasses, json, logging, resource, sys, time
args = json.loads(sys.argv[1])
sys.path.insert(0, args["root"])
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
from monitor.config import Config
from monitor.pipeline import run_cycle
from rules.engine import Engine
from storage import Store
config = Config.model_validate(args["config"])
store = Store.open(args["db"])
feeds = [store.feed(url) for url in args["feeds"]]
engine = Engine.load()
def peak_kb():
    # VmHWM: this process's own high-water mark. ru_maxrss is not: Linux carries the parent's peak
    # over fork and exec, so a child of a big pytest process would report the parent's size.
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = peak_kb()
started = time.monotonic()
report = asyncio.run(run_cycle(config, store, engine, feeds=feeds))
seconds = time.monotonic() - started
store.close()
print(json.dumps({"report": dataclasses.asdict(report), "seconds": seconds, "rss_before_kb": before,
                  "peak_rss_kb": peak_kb()}))
"""


def run_in_subprocess(
    case: Case | None, db: Path, feed_urls: list[str], directory: Path, *, timeout: float = 120
) -> Outcome:
    """The cycle in a fresh interpreter, so its peak RSS (VmHWM) is its own."""
    config = config_for(case, directory) if case else Config(digest=DigestConfig(path=directory / "digest.xml"))
    args = {"root": str(ROOT), "db": str(db), "feeds": feed_urls, "config": config.model_dump(mode="json")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(args)], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    report = CycleReport(**result["report"])
    return Outcome(report, result["seconds"], done.stderr, peak_rss_mb=result["peak_rss_kb"] / 1024)


# --- checks -------------------------------------------------------------------------------------------

TAG = re.compile(r"<[A-Za-z/!?]")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
DIGEST_TAGS = {"p", "b", "blockquote", "ul", "li", "a"}


def check_outcome(case: Case, outcome: Outcome, feed_url: str, store: Store) -> None:
    report = outcome.report
    feed = store.feed(feed_url)
    assert feed is not None
    assert report.feeds_polled == 2
    for error in report.errors:
        assert "\n" not in error and "\r" not in error, f"a multi-line error: {error!r}"
        assert len(error) < 2000, f"an error of {len(error)} characters"
    page_errors = report.errors[report.feeds_failed :]  # the feeds' errors come first
    if case.outcome == "feed_error":
        assert report.feeds_failed == 1, f"the feed did not fail: {report}"
        assert feed.last_error and feed.consecutive_errors == 1
        assert case.error_contains and case.error_contains in feed.last_error, feed.last_error
        assert "\n" not in feed.last_error and "\r" not in feed.last_error
        assert feed.last_error in report.errors
        assert f"feed failed feed_url={feed_url}" in outcome.log and feed.last_error in outcome.log
    else:
        assert report.feeds_failed == 0, f"the feed failed: {feed.last_error}"
        assert feed.last_error is None
    if case.outcome == "page_error":
        assert report.pages_failed >= 1, f"no page failed: {report}"
        wanted = [e for e in page_errors if case.error_contains and case.error_contains in e]
        assert wanted, f"no page error contains {case.error_contains!r}: {page_errors}"
        assert re.search(rf"page failed article_url=\S+ error={re.escape(wanted[0])}", outcome.log)
    elif case.outcome == "ok":
        assert report.pages_failed == 0, f"pages failed: {page_errors}"
    if case.max_entries is not None:
        assert report.articles_new + report.pages_failed <= case.max_entries
    if case.next_check_s:
        assert feed.next_check is not None
        wait = (dt.datetime.fromisoformat(feed.next_check) - dt.datetime.now(dt.UTC)).total_seconds()
        least, most = case.next_check_s
        assert least <= wait <= most, f"next poll in {wait:.0f}s, wanted {least}..{most}"
    assert outcome.seconds < case.max_seconds, f"the cycle took {outcome.seconds:.1f}s"


def check_intact(seed: Seed, db: Path) -> None:
    """What the seed cycle stored is still there, unchanged (new sources may only be appended)."""
    store = Store.open(db)
    try:
        after = {change.id: change for change in store.changes()}
        good = store.feed(seed.good_feed_url)
    finally:
        store.close()
    for change in seed.changes:
        now = after.get(change.id)
        assert now is not None, f"change {change.id} lost"
        assert dataclasses.replace(now, sources=[]) == dataclasses.replace(change, sources=[])
        assert now.sources[: len(change.sources)] == change.sources
    articles = {row["id"]: row for row in table_rows(db, "articles")}
    for row in seed.articles:
        assert articles.get(row["id"]) == row, f"article {row['id']} changed"
    assert len(table_rows(db, "claims")) >= seed.claims
    (before,) = [f for f in seed.feeds if f["url"] == seed.good_feed_url]
    assert good is not None and good.last_error is None and good.consecutive_errors == 0
    assert (good.title, good.etag) == (before["title"], before["etag"])


def stored_text(db: Path) -> list[tuple[str, str]]:
    """(where, text) for every text the cycle may have stored from a source."""
    out: list[tuple[str, str]] = []
    for row in table_rows(db, "articles"):
        out += [(f"article {row['id']} title", row["title"] or ""), (f"article {row['id']} text", row["text"] or "")]
        out += [(f"article {row['id']} url", row["url"] or ""), (f"article {row['id']} guid", row["guid"] or "")]
    for row in table_rows(db, "feeds"):
        out += [(f"feed {row['url']} title", row["title"] or ""), (f"feed {row['url']} error", row["last_error"] or "")]
    for row in table_rows(db, "changes"):
        out += [(f"change {row['id']}", f"{row['summary']} {row['before']} {row['after']}")]
    for row in table_rows(db, "claims"):
        out += [(f"claim {row['id']}", " ".join(str(v) for v in row.values()))]
    return out


def check_store(case: Case, seed: Seed, db: Path, digest: Path, report: CycleReport) -> None:
    texts = stored_text(db) + [("report", error) for error in report.errors]
    if digest.exists():
        texts.append(("digest", digest.read_text(encoding="utf-8")))
    for forbidden in (CANARY, *case.forbid_in_store):
        for where, text in texts:
            assert forbidden.lower() not in text.lower(), f"{forbidden!r} stored in {where}"
    for required in case.require_in_store:
        assert any(required in text for _, text in texts), f"{required!r} stored nowhere"
    new = [row for row in table_rows(db, "articles") if row["id"] > max((a["id"] for a in seed.articles), default=0)]
    assert len(new) >= case.min_articles, f"{len(new)} new articles, wanted {case.min_articles}"
    flagged = len(table_rows(db, "changes")) - len(seed.changes)
    assert flagged >= case.min_changes, f"{flagged} new changes, wanted {case.min_changes}"
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    for row in [*new, *table_rows(db, "feeds")]:
        title = row["title"] or ""
        assert not TAG.search(title) and not CONTROL.search(title), f"markup or control in title {title!r}"
        assert "\n" not in title and "\r" not in title and len(title) <= 1000
    for row in new:
        assert row["published"] is None or "1995" <= row["published"] <= tomorrow, row["published"]
        assert "\x00" not in row["text"]
    if digest.exists():
        check_digest(digest)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


def check_digest(path: Path) -> None:
    """Digest items: titles are text; descriptions hold only the digest's own markup."""
    digest = feedparser.parse(path.read_bytes())
    assert not digest.bozo, digest.get("bozo_exception")
    for item in digest.entries:
        assert not TAG.search(item.title), item.title
        tags = _Tags()
        tags.feed(item.description)
        for tag, attrs in tags.seen:
            assert tag in DIGEST_TAGS, f"live <{tag}> in a digest item"
            for name, value in attrs:
                assert name == "href" and tag == "a" and (value or "").startswith(("http://", "https://")), attrs


# --- the tests ----------------------------------------------------------------------------------------

ALL = [load_case(path) for path in CASES]


def _skip_without(case: Case) -> None:
    for module in case.requires:
        pytest.importorskip(module)
        if module == "brotli" and monitor.collecting.fetch._BROTLI is None:
            pytest.skip("brotli is too old to bound its output")


def _prepare(
    case: Case, seed: Seed, server: LocalServer, raw: RawServer, secret: Path, directory: Path
) -> tuple[Path, str]:
    ctx = Context(case.id, server, raw, secret)
    feed_url = install(case, ctx)
    db = copy_database(seed.db, directory / "monitor.db")
    store = Store.open(db)
    store.add_feed(feed_url)
    store.close()
    return db, feed_url


def _verify(
    case: Case, seed: Seed, outcome: Outcome, db: Path, feed_url: str, directory: Path, server: LocalServer
) -> None:
    store = Store.open(db)
    try:
        check_outcome(case, outcome, feed_url, store)
    finally:
        store.close()
    check_intact(seed, db)
    check_store(case, seed, db, directory / "digest.xml", outcome.report)
    secret_path = f"/{case.id}/secret.txt"
    assert not [r for r in server.requests if r.path.startswith(secret_path)], "the secret URL was requested"


IN_PROCESS = [case for case in ALL if not case.memory]
IN_SUBPROCESS = [case for case in ALL if case.memory]


@pytest.mark.parametrize("case", IN_PROCESS, ids=[case.id for case in IN_PROCESS])
def test_hostile_case(
    case: Case,
    seed: Seed,
    server: LocalServer,
    raw_server: RawServer,
    secret: Path,
    engine: Engine,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _skip_without(case)
    if "brotli" in case.without:
        monkeypatch.setattr(monitor.collecting.fetch, "_BROTLI", None)
    db, feed_url = _prepare(case, seed, server, raw_server, secret, tmp_path)
    outcome = run_in_process(case, db, [seed.good_feed_url, feed_url], engine, tmp_path, caplog)
    _verify(case, seed, outcome, db, feed_url, tmp_path, server)


@pytest.fixture(scope="module")
def normal_rss(seed: Seed, server: LocalServer, tmp_path_factory: pytest.TempPathFactory) -> float:
    """The peak RSS of a normal cycle: the 18 dev-corpus pages, in a subprocess like the bomb cases."""
    directory = tmp_path_factory.mktemp("normal")
    feed = (DEV / "feed.xml").read_text(encoding="utf-8").replace("{BASE}", server.url("/normal"))
    server.route("/normal/feed.xml", feed, headers={"Content-Type": "application/rss+xml"})
    for page in DEV.glob("*.html"):
        server.route(f"/normal/{page.name}", page.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})
    db = copy_database(seed.db, directory / "monitor.db")
    store = Store.open(db)
    store.add_feed(server.url("/normal/feed.xml"))
    store.close()
    outcome = run_in_subprocess(None, db, [seed.good_feed_url, server.url("/normal/feed.xml")], directory)
    assert outcome.report.articles_new == 18 and outcome.report.pages_failed == 0
    assert outcome.peak_rss_mb is not None
    print(f"\nnormal cycle: peak RSS {outcome.peak_rss_mb:.0f} MB, {outcome.seconds:.1f}s")
    return outcome.peak_rss_mb


def test_a_normal_cycle_leaves_room_under_the_memory_bound(normal_rss: float) -> None:
    assert normal_rss < MAX_RSS_MB * 0.75, "raise MAX_RSS_MB with care: the bound must stay meaningful"


@pytest.mark.parametrize("case", IN_SUBPROCESS, ids=[case.id for case in IN_SUBPROCESS])
def test_hostile_case_memory(
    case: Case,
    seed: Seed,
    server: LocalServer,
    raw_server: RawServer,
    secret: Path,
    normal_rss: float,
    tmp_path: Path,
) -> None:
    _skip_without(case)
    assert not case.without, "memory cases run the code as installed"
    db, feed_url = _prepare(case, seed, server, raw_server, secret, tmp_path)
    outcome = run_in_subprocess(case, db, [seed.good_feed_url, feed_url], tmp_path)
    print(f"\n{case.id}: peak RSS {outcome.peak_rss_mb:.0f} MB (normal {normal_rss:.0f}), {outcome.seconds:.1f}s")
    assert outcome.peak_rss_mb is not None and outcome.peak_rss_mb < MAX_RSS_MB
    _verify(case, seed, outcome, db, feed_url, tmp_path, server)


# --- the suite itself ---------------------------------------------------------------------------------


def test_the_suite_is_large_enough_and_covers_every_class() -> None:
    counts = {kind: sum(case.kind == kind for case in ALL) for kind in CLASSES}
    assert sum(counts.values()) >= MIN_CASES, counts
    assert all(counts.values()), counts
    assert IN_SUBPROCESS, "the bombs and the huge bodies run in a subprocess"


def test_the_loader_refuses_unknown_keys(tmp_path: Path) -> None:
    case = tmp_path / "xml_typo.toml"
    case.write_text('why = "x"\noutcome = "ok"\nfeed_body = "<rss/>"\nfeed_bodyy = "typo"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key 'feed_bodyy'"):
        load_case(case)
    case.write_text('why = "x"\noutcome = "feed_error"\nfeed_body = "<rss/>"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="error_contains"):
        load_case(case)
    case.write_text('why = "x"\noutcome = "ok"\ngenerator = "eval"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown generator"):
        load_case(case)


def test_every_case_file_is_used() -> None:
    named = {case.feed_file for case in ALL} | {case.page_file for case in ALL} | {"bomb-1gib.br"}
    assert {path.name for path in FILES.iterdir()} <= named
