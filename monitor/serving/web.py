# SPDX-License-Identifier: MIT
"""The daemon's HTTP side: /healthz, /metrics, /digest.xml, a status page at / and a JSON API under /api/.

    app = create_app(WebState(database=db, digest=rss, metrics=metrics, health=daemon.health))
    await serve(app, "127.0.0.1:8080")     # until cancelled

Handlers are plain functions run in a worker thread (SQLite and file reads
block); each opens its own read connection and closes it, which WAL allows
beside the daemon's writer. One boundary per request (`_endpoint`) turns any
failure into a 503 with a one-line reason and logs it: a response never
carries a traceback. Any other path answers 404 (Starlette's router; a
known path with another method than GET/HEAD answers 405).

The server is uvicorn without its signal handlers (the daemon owns SIGTERM
and SIGINT), without lifespan, and without touching the logging
configuration: its records go to the daemon's handlers at WARNING and above.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import os
import socket
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from urllib.parse import parse_qs, quote

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from monitor.config import parse_listen
from monitor.errors import EXPECTED, StorageError
from monitor.judging.baseline import build_baseline
from monitor.judging.diff import KnownState
from monitor.judging.state import known_state, standing
from monitor.serving import api
from monitor.serving.metrics import Metrics
from monitor.serving.page import Paging, render_baseline, render_page, render_state
from monitor.serving.review import VERDICTS, ReviewGate
from rules.engine import Engine
from storage import ChangeFilter, Store
from storage.db import reason as one_line

logger = logging.getLogger(__name__)

RSS_TYPE = "application/rss+xml"
GRACEFUL_SHUTDOWN_S = 5.0  # open connections get this long once cancelled (the daemon allows 8 s in all)
HEADER_TIMEOUT_S = 10.0  # a connection must have sent a whole request head this long after it opened
KEEP_ALIVE_S = 5  # an idle connection is closed this long after its last response
PAGE_SIZE = 50  # changes on one page of /
CHART_SIZE = 500  # the newest changes the timeline draws
# No script on the page: say so to the browser too, in case an escape is ever missed
_PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
}
_NO_STORE = {"Cache-Control": "no-store"}


@dataclass
class WebState:
    """What the daemon shares with the web app."""

    database: Path | str  # the SQLite file, or the PostgreSQL URL
    digest: Path  # the RSS digest the daemon writes
    metrics: Metrics
    health: Callable[[], tuple[bool, str]]  # (ok, reason): whether the daemon's scheduler runs
    engine: Engine | None = None  # for the baseline on "/"; None shows none
    review: ReviewGate | None = None  # reviews from the page; None: the page only reads
    # /healthz takes the write lock for a moment: a writer holding it longer than this is unhealthy
    write_timeout_s: float = 2.0
    daemon_id: str | None = None  # shown in /healthz (several daemons on one database)
    store: Store | None = None  # a PostgreSQL store the requests share (its pool); SQLite opens one per request
    lease_s: float = 300.0  # /metrics counts the daemons seen within this long


class Unavailable(Exception):
    """A request cannot be answered now; the message is the reason the 503 gives."""


def create_app(state: WebState) -> Starlette:
    """The Starlette app serving `state`."""
    web = _Web(state)
    routes = [
        Route("/healthz", _endpoint(web.healthz), methods=["GET"]),
        Route("/metrics", _endpoint(web.metrics), methods=["GET"]),
        Route("/digest.xml", _endpoint(web.digest), methods=["GET"]),
        Route("/", _endpoint(web.page), methods=["GET"]),
        Route("/baseline", _endpoint(web.baseline_page), methods=["GET"]),
        Route("/changes/{change_id}/review", web.review, methods=["POST"]),
        Route("/api/changes", _endpoint(web.api_changes), methods=["GET"]),
        Route("/api/signals", _endpoint(web.api_signals), methods=["GET"]),
        Route("/api/state", _endpoint(web.api_state), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.router.redirect_slashes = False  # Starlette builds them from the request's Host header: an open redirect
    return app


class _Web:
    """The handlers, and the baseline they build once."""

    def __init__(self, state: WebState) -> None:
        self.state = state
        self._baseline: KnownState | None = None
        self._state_view: tuple[tuple[int, str, str], str] | None = None
        self._lock = threading.Lock()

    def healthz(self, request: Request) -> Response:
        """200 when the scheduler runs and the database takes a write lock; else 503 with the reason."""
        ok, why = self.state.health()
        if not ok:
            raise Unavailable(why or "scheduler not running")
        if self.state.store is not None:
            try:
                self.state.store.probe_writable(timeout_s=self.state.write_timeout_s)
            except StorageError as exc:
                raise Unavailable(f"database not writable: {one_line(exc.__cause__ or exc)}") from exc
        else:
            probe_writable(Path(self.state.database), timeout_s=self.state.write_timeout_s)
        body = {"status": "ok"} | ({"daemon": self.state.daemon_id} if self.state.daemon_id else {})
        return JSONResponse(body, headers=_NO_STORE)

    def metrics(self, request: Request) -> Response:
        alive_since = None
        if self.state.daemon_id is not None:
            alive_since = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.state.lease_s)).isoformat()
        with self._store() as store:
            self.state.metrics.refresh(store, alive_since=alive_since)
        return Response(self.state.metrics.render(), media_type=Metrics.CONTENT_TYPE, headers=_NO_STORE)

    def digest(self, request: Request) -> Response:
        """The digest with validators; 304 when the client's copy is current, 404 before the first one."""
        try:
            # One read gives the body and the stamp together: the daemon may replace the file meanwhile
            with self.state.digest.open("rb") as handle:
                body = handle.read()
                mtime = int(os.fstat(handle.fileno()).st_mtime)  # HTTP dates have whole seconds
        except FileNotFoundError:
            return PlainTextResponse("No digest yet: it is written after the first cycle.\n", status_code=404)
        except OSError as exc:
            raise Unavailable(f"digest: {one_line(exc)}") from exc
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Last-Modified": formatdate(mtime, usegmt=True), "Cache-Control": "no-cache"}
        if not_modified(request.headers, etag=etag, mtime=mtime):
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=RSS_TYPE, headers=headers)

    def page(self, request: Request) -> Response:
        """Where the relationship stands, the timeline, then the changes PAGE_SIZE at a time, newest first,
        narrowed by the query's filters (`?facet=…&kind=…&severity=…&reviewed=yes|no&source=…&page=2`)."""
        query = request.query_params
        only = change_filter(query)
        page = _number(query.get("page", "1"))
        baseline, engine = self.baseline(), self.state.engine
        with self._store() as store:
            total = store.change_count(only=only)
            changes = store.changes(newest_first=True, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, only=only)
            charted = store.changes(newest_first=True, limit=CHART_SIZE, only=only)
            delivery = store.outbox.states([change.id for change in changes])
            feeds = store.feeds()
            signals = store.signals.newest(limit=PAGE_SIZE)
            state_view = self.state_view(store, baseline) if engine is not None else ""
        html = render_page(changes=changes, delivery=delivery, baseline=baseline, feeds=feeds, charted=charted,
                           review=self.state.review,
                           paging=Paging(page=page, size=PAGE_SIZE, total=total, only=only),
                           state_view=state_view, signals=signals)  # fmt: skip
        return HTMLResponse(html, headers=_PAGE_HEADERS)

    async def review(self, request: Request) -> Response:
        """Accept or reject a change from the page (see monitor.serving.review); back to it, or 403/404."""
        gate, change_id = self.state.review, request.path_params["change_id"]
        if gate is None:
            return PlainTextResponse("Reviews are not allowed here (the daemon is not on loopback and has no "
                                     "review token).\n", status_code=403)  # fmt: skip
        body = (await request.body())[:10_000].decode("utf-8", "replace")
        form = {name: values[0] for name, values in parse_qs(body).items()}
        refusal = gate.refusal(change_id, form)
        if refusal:
            return PlainTextResponse(f"Review refused: {refusal}.\n", status_code=403)
        verdict, note = VERDICTS[form["verdict"]], form.get("why", "").strip()[:500] or None

        def record() -> bool:
            with self._store() as store:
                return store.review_change(change_id, verdict, note=note) is not None

        try:
            found = await run_in_threadpool(record)
        except Unavailable as exc:
            return PlainTextResponse(f"{exc}\n", status_code=503)
        except EXPECTED as exc:
            return PlainTextResponse(f"Review failed: {exc}\n", status_code=503)
        if not found:
            return PlainTextResponse("No such change.\n", status_code=404)
        # a relative Location: never one built from the request's Host header
        return Response(status_code=303, headers={"Location": f"/#change-{quote(change_id)}"})

    def api_changes(self, request: Request) -> Response:
        """The changes as JSON, a page at a time, with the page's filters (monitor.serving.api)."""
        page = _number(request.query_params.get("page", "1"))
        with self._store() as store:
            payload = api.changes_payload(store, change_filter(request.query_params), page=page, size=PAGE_SIZE)
        return JSONResponse(payload, headers=_NO_STORE)

    def api_signals(self, request: Request) -> Response:
        with self._store() as store:
            return JSONResponse(api.signals_payload(store, request.query_params, limit=CHART_SIZE), headers=_NO_STORE)

    def api_state(self, request: Request) -> Response:
        """Where the relationship stands, as `monitor state --json` says it."""
        if self.state.engine is None:
            raise Unavailable("no rules loaded")
        with self._store() as store:
            changes = store.changes()
            rows = standing(known_state(self.state.engine, store, baseline=self.baseline(), changes=changes), changes)
        return JSONResponse(api.state_payload(rows), headers=_NO_STORE)

    def baseline_page(self, request: Request) -> Response:
        """What the seeds establish, each claim with the seed sentences it was read from."""
        return HTMLResponse(render_baseline(self.baseline()), headers=_PAGE_HEADERS)

    def state_view(self, store: Store, baseline: KnownState) -> str:
        """The state view's HTML, replayed from every change only when one was flagged or reviewed."""
        assert self.state.engine is not None
        mark = store.changes_mark()
        with self._lock:
            if self._state_view is None or self._state_view[0] != mark:
                changes = store.changes()
                state = known_state(self.state.engine, store, baseline=baseline, changes=changes)
                rows = standing(state, changes)
                self._state_view = (mark, render_state(rows))
            return self._state_view[1]

    def baseline(self) -> KnownState:
        """The seeds' known state, built on first use and kept (the seeds do not change while running)."""
        if self.state.engine is None:
            return KnownState.empty()
        with self._lock:
            if self._baseline is None:
                self._baseline = build_baseline(self.state.engine)
            return self._baseline

    @contextlib.contextmanager
    def _store(self) -> Iterator[Store]:
        """A connection for this request, closed after it; never creates the database. (On PostgreSQL, the
        daemon's store: its pool lends each request a connection.)"""
        if self.state.store is not None:
            yield self.state.store
            return
        if not Path(self.state.database).is_file():
            raise Unavailable("database not found")
        with Store.open(self.state.database) as store:
            yield store


def change_filter(query: Mapping[str, str]) -> ChangeFilter:
    """The page's filters from its query string; an unknown value selects nothing, never fails."""

    def text(name: str) -> str | None:
        return (query.get(name) or "").strip()[:200] or None

    reviewed = {"yes": True, "no": False}.get(query.get("reviewed") or "")
    return ChangeFilter(facet=text("facet"), kind=text("kind"), severity=text("severity"), reviewed=reviewed,
                        source=text("source"))  # fmt: skip


def _number(text: str) -> int:
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 1_000_000 else 1


def _endpoint(handler: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    """Run `handler` in a worker thread; the request's one boundary: any failure is a 503 with a reason."""

    async def endpoint(request: Request) -> Response:
        path = request.url.path
        try:
            return await run_in_threadpool(handler, request)
        except Unavailable as exc:
            why = str(exc)
        except (StorageError, sqlite3.Error) as exc:
            why = _database_reason(exc)
        except EXPECTED as exc:  # the baseline's seeds or rules: the message names the file
            why = str(exc)
        except Exception:  # noqa: BLE001 - the request boundary: logged with its traceback, never sent
            logger.exception("web request failed path=%s", path)
            return _unavailable("internal error")
        logger.warning("web request unavailable path=%s reason=%s", path, why)
        return _unavailable(why)

    return endpoint


def _unavailable(why: str) -> Response:
    return JSONResponse({"status": "unavailable", "reason": why}, status_code=503, headers=_NO_STORE)


def _database_reason(exc: Exception) -> str:
    """The reason "database: <SQLite's words>", without the file's path (the response is public, the log is not)."""
    cause = exc if isinstance(exc, sqlite3.Error) else exc.__cause__
    return f"database: {one_line(cause)}" if isinstance(cause, sqlite3.Error | OSError) else "database error"


def probe_writable(database: Path, *, timeout_s: float) -> None:
    """Take the database's write lock and give it back at once; Unavailable if that fails within `timeout_s`.

    Opened with mode=rw so a missing file is reported, not created. (The one
    piece of SQL outside `storage`: a lock probe, not a query.)
    """
    uri = database.resolve().as_uri() + "?mode=rw"
    try:
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)) as conn:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
    except sqlite3.Error as exc:
        raise Unavailable(f"database not writable: {one_line(exc)}") from exc


def not_modified(headers: Headers, *, etag: str, mtime: int) -> bool:
    """Whether a GET's validators match: If-None-Match first; If-Modified-Since only without it (RFC 9110 13.2.2)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags  # weak comparison, as GET allows
    since = headers.get("if-modified-since")
    if not since:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError):  # not an HTTP date: ignored, as RFC 9110 says
        return False
    return when.tzinfo is not None and mtime <= when.timestamp()


# serving


class _Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's headers.

    uvicorn times out an idle keep-alive connection only after a response: a client
    that connects and sends nothing, or sends its headers a byte at a time, would hold
    its connection open for ever. Here every connection must have sent a whole request
    head within HEADER_TIMEOUT_S of connecting, or of its previous response.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._drop_if_no_request)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._header_deadline.cancel()
        self._header_deadline = self.loop.call_later(HEADER_TIMEOUT_S, self._drop_if_no_request)

    def connection_lost(self, exc: Exception | None) -> None:
        self._header_deadline.cancel()
        super().connection_lost(exc)

    def _drop_if_no_request(self) -> None:
        waiting = self.cycle is None or self.cycle.response_complete
        if waiting and not self.transport.is_closing():
            self.transport.close()


class _Server(uvicorn.Server):
    """uvicorn's server without its signal handlers: the daemon owns SIGTERM and SIGINT."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve(app: ASGIApp, listen: str | socket.socket) -> None:
    """Serve `app` on `listen` ("host:port", "[::1]:8080", or a socket from `bind`) until cancelled,
    then close cleanly.

    Bind first (`bind`) to learn at start-up that the port is taken: uvicorn itself
    would call sys.exit inside the event loop. Cancelling asks uvicorn to stop, waits
    for it (open connections get GRACEFUL_SHUTDOWN_S), and re-raises the cancellation.
    """
    sock = bind(listen) if isinstance(listen, str) else listen
    config = uvicorn.Config(
        app,
        log_level="warning",
        log_config=None,  # the daemon's logging stays as the daemon set it
        access_log=False,
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=int(GRACEFUL_SHUTDOWN_S),
        http=_Protocol,
        timeout_keep_alive=KEEP_ALIVE_S,
    )
    server = _Server(config)
    logger.info("http listening listen=%s", _address(sock))
    task = asyncio.create_task(server.serve(sockets=[sock]), name="uvicorn")
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        server.should_exit = True
        await task
        raise
    finally:
        sock.close()


def bind(listen: str) -> socket.socket:
    """A socket bound to `listen`; OSError "cannot listen on host:port: reason" when it cannot be."""
    host, port = parse_listen(listen)
    return _bind(host, port)


def _address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart without waiting out TIME_WAIT
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise OSError(exc.errno, f"cannot listen on {host}:{port}: {one_line(exc)}") from exc
    return sock
