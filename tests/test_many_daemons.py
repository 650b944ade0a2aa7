# SPDX-License-Identifier: MIT
"""Three `monitor daemon` processes on one PostgreSQL database, one of them killed with SIGKILL five times.

200 loopback feeds each carry the development corpus (18 pages); the daemons lease the feeds between
them, record what the pages say, and deliver every alert to a webhook receiver that verifies each
signature. One daemon is killed mid-cycle (while it holds leases) five times and started again under a
new id. The outcome must be the one of a single daemon on SQLite over the same feeds: the same changes,
none flagged twice, every alert delivered (a repeat only ever with the id it had), every feed polled and
its articles linked; and the feeds the killed daemon held are polled again by another within the lease's
expiry.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from standardwebhooks.webhooks import Webhook

from tests.support.httpserver import LocalServer, RecordedRequest
from tests.support.postgres import free_port
from tests.test_pipeline import DEV, serve_corpus

FEEDS = 200
PAGES = len(list(DEV.glob("*.html")))
KILLS = 5
LEASE_S = 3.0
POLL_DELAY_S = 0.03
SECRET = "whsec_" + "bWFueS1kYWVtb25zLXRlc3Qtc2VjcmV0LWtleS0wMTIzNDU="

pytestmark = pytest.mark.slow


class Receiver:
    """A webhook receiver on loopback: verifies each signature, remembers (webhook-id, change id), answers slowly
    enough that delivery spans a moment a kill can land in."""

    def __init__(self, server: LocalServer) -> None:
        self.seen: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        server.route_handler("/hook", self.handle)

    def handle(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        Webhook(SECRET).verify(request.body, dict(request.headers))
        time.sleep(0.05)
        with self.lock:
            self.seen.append((request.headers["webhook-id"], json.loads(request.body)["change"]["id"]))
        return 200, {}, b""


def serve_feeds(server: LocalServer) -> list[str]:
    """FEEDS feed URLs, each serving the development corpus's feed (with validators: later polls are 304s)."""
    serve_corpus(server)
    feed = (DEV / "feed.xml").read_text(encoding="utf-8").replace("{BASE}", server.base_url).encode()
    etag = '"' + hashlib.sha256(feed).hexdigest()[:16] + '"'

    def handler(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        # Slowly: a daemon then holds its leases for a while in every cycle (a poll of 304s alone lasts
        # milliseconds, and the test could miss the moment to kill it)
        time.sleep(POLL_DELAY_S)
        if request.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, feed

    for n in range(FEEDS):
        server.route_handler(f"/feeds/{n}.xml", handler)
    return [server.url(f"/feeds/{n}.xml") for n in range(FEEDS)]


def write_config(
    folder: Path, name: str, feeds: list[str], *, database: str, hook: str | None, port: int | None = None
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / f"{name}.toml"
    lines = [f'database = "{database}"', 'interval = "3s"']
    lines += [f'[[feed]]\nurl = "{url}"' for url in feeds]
    lines += [f'[digest]\npath = "{folder / (name + ".digest.xml")}"', "[schedule]\njitter = 0"]
    lines += [f'[daemon]\nid = "{name}"\ntick = "0.2"\ndeliver_every = "0.3"\nlease = "{LEASE_S}s"']
    if database.startswith("postgresql://"):
        lines += ["batch = 40"]  # so that each daemon takes a share (SQLite's one daemon takes every due feed)
    lines += ['[delivery]\nretry_initial = "0s"']
    if hook:
        lines += [f'[[webhook]]\nurl = "{hook}"\nsecret = "{SECRET}"']
    if port:
        lines += [f'[server]\nlisten = "127.0.0.1:{port}"']
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


class Daemon:
    def __init__(self, config: Path) -> None:
        self.id = config.stem  # the [daemon] id write_config gives it
        self.log_path = config.with_suffix(".log")
        self.log = self.log_path.open("ab")
        self.process = subprocess.Popen([sys.executable, "-m", "monitor", "daemon", "--config", str(config)],
                                        stdout=subprocess.DEVNULL, stderr=self.log,
                                        env={**os.environ, "MONITOR_DB": ""})  # fmt: skip

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            assert self.process.wait(timeout=15) == 0
        self.log.close()


@pytest.fixture
def running() -> Iterator[list[Daemon]]:
    started: list[Daemon] = []
    yield started
    for daemon in started:
        if daemon.process.poll() is None:
            daemon.kill()


def wait_until(condition: Callable[[], Any], *, timeout: float, what: str, daemons: list[Daemon]) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for daemon in daemons:
            exited = daemon.process.poll()
            if exited not in (None, -signal.SIGKILL):
                raise AssertionError(f"{daemon.id} exited ({exited}); its log ends:\n{_tail(daemon.log_path)}")
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    tails = "\n".join(f"--- {d.log_path.name}\n" + _tail(d.log_path) for d in daemons)
    raise AssertionError(f"timed out waiting for {what}; the daemons' logs end:\n{tails}")


def _tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    return "(no log)"


def query(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of `sql`; none while the daemons have not created the schema yet."""
    with (
        psycopg.connect(url, autocommit=True) as conn,
        contextlib.suppress(psycopg.errors.UndefinedTable, psycopg.errors.UndefinedColumn),
    ):
        return conn.execute(sql.encode() if not params else sql, params).fetchall()  # type: ignore[arg-type]
    return []


def settled(url: str, polled_after: str) -> bool:
    """Every feed polled since `polled_after`, every article linked to every feed, no alert pending."""
    stale_sql = "SELECT count(*) FROM feeds WHERE last_polled IS NULL OR last_polled < %s"
    (stale,) = query(url, stale_sql, (polled_after,))[0]
    (links,) = query(url, "SELECT count(*) FROM article_feeds")[0]
    (pending,) = query(url, "SELECT count(*) FROM alerts WHERE status <> 'delivered'")[0]
    (alerts,) = query(url, "SELECT count(*) FROM alerts")[0]
    return stale == 0 and links == FEEDS * PAGES and pending == 0 and alerts > 0


def utc_now() -> str:
    from storage.db import utc_now as now

    return now()


def test_three_daemons_on_postgresql_flag_what_one_on_sqlite_does_through_five_kills(
    local_server: LocalServer, tmp_path: Path, postgres_url: str, running: list[Daemon]
) -> None:
    feeds = serve_feeds(local_server)
    receiver = Receiver(local_server)

    # One daemon on SQLite: what the three must find
    alone = Daemon(write_config(tmp_path / "sqlite", "alone", feeds, database="monitor.db", hook=None))
    running.append(alone)
    sqlite_db = tmp_path / "sqlite" / "monitor.db"

    def sqlite_done() -> bool:
        import sqlite3

        if not sqlite_db.exists():
            return False
        with sqlite3.connect(sqlite_db) as db:
            try:
                (links,) = db.execute("SELECT count(*) FROM article_feeds").fetchone()
            except sqlite3.OperationalError:
                return False
        return bool(links == FEEDS * PAGES)

    wait_until(sqlite_done, timeout=120, what="the SQLite daemon's first cycle", daemons=[alone])
    alone.stop()
    running.remove(alone)
    import sqlite3

    with sqlite3.connect(sqlite_db) as db:
        expected = set(db.execute("SELECT id, facet, key, kind FROM changes"))
    assert expected, "the corpus flags changes"

    # Three daemons on PostgreSQL
    folder = tmp_path / "postgres"
    hook = local_server.url("/hook")
    port = free_port()  # d2 serves its page and endpoints: the web side on PostgreSQL too
    for name in ("d1", "d2", "d3"):
        config = write_config(
            folder, name, feeds, database=postgres_url, hook=hook, port=port if name == "d2" else None
        )
        running.append(Daemon(config))
    taken_over = []
    for kill in range(KILLS):
        # The victim: whichever daemon holds the most leases now, but d2 (it serves the endpoints checked below)
        victims = {d.id: d for d in running if d.process.poll() is None and d.id != "d2"}

        def holder(victims: dict[str, Daemon] = victims) -> tuple[str, list[int]] | None:
            held: dict[str, list[int]] = {}
            for owner, feed_id in query(
                postgres_url, "SELECT lease_owner, id FROM feeds WHERE lease_owner IS NOT NULL"
            ):
                if owner in victims:
                    held.setdefault(owner, []).append(feed_id)
            return max(held.items(), key=lambda item: len(item[1])) if held else None

        victim_id, feeds_held = wait_until(holder, timeout=120, what="a daemon to hold leases", daemons=running)
        victims[victim_id].kill()
        killed_at = utc_now()
        running.append(Daemon(write_config(folder, f"d1.{kill + 1}", feeds, database=postgres_url, hook=hook)))

        def polled_again(feeds_held: list[int] = feeds_held, killed_at: str = killed_at) -> bool:
            marks = ",".join(["%s"] * len(feeds_held))
            rows = query(postgres_url, f"SELECT count(*) FROM feeds WHERE id IN ({marks}) AND last_polled > %s",
                         (*feeds_held, killed_at))  # fmt: skip
            return bool(rows[0][0] == len(feeds_held))

        started = time.monotonic()
        wait_until(polled_again, timeout=LEASE_S + 30, what=f"{victim_id}'s feeds to be polled again", daemons=running)
        taken_over.append((len(feeds_held), round(time.monotonic() - started, 1)))

    after_kills = utc_now()
    wait_until(lambda: settled(postgres_url, after_kills), timeout=90, what="every feed polled, every alert delivered",
               daemons=running)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    assert httpx.get(base + "/healthz", timeout=10).json() == {"status": "ok", "daemon": "d2"}
    metrics = httpx.get(base + "/metrics", timeout=10).text
    alive_now = re.search(r"^monitor_daemons (\S+)$", metrics, re.MULTILINE)
    assert 'monitor_daemon_info{daemon="d2"} 1.0' in metrics and alive_now and float(alive_now.group(1)) >= 3
    assert 'monitor_alerts{state="delivered"}' in metrics
    page = httpx.get(base + "/", timeout=30)
    assert page.status_code == 200 and "OpenAI compute from Oracle" in page.text
    listed = subprocess.run([sys.executable, "-m", "monitor", "daemons", "--json"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "MONITOR_DB": postgres_url})  # fmt: skip
    alive = {row["id"] for row in json.loads(listed.stdout)["daemons"]}
    assert {d.id for d in running if d.process.poll() is None} <= alive, alive
    stopped = {d.id for d in running if d.process.poll() is None}
    for daemon in running:
        if daemon.process.poll() is None:
            daemon.stop()
    listed = subprocess.run([sys.executable, "-m", "monitor", "daemons", "--json"], capture_output=True, text=True,
                            timeout=60, env={**os.environ, "MONITOR_DB": postgres_url})  # fmt: skip
    assert stopped.isdisjoint(row["id"] for row in json.loads(listed.stdout)["daemons"]), "stopped: retired"

    changes = set(query(postgres_url, "SELECT id, facet, key, kind FROM changes"))
    assert changes == expected, "the same changes as one daemon on SQLite"
    flagged = query(postgres_url, "SELECT facet, key, kind, after FROM changes")
    assert len(flagged) == len(set(flagged)), "nothing flagged twice"
    statuses = dict(query(postgres_url, "SELECT status, count(*) FROM alerts GROUP BY status"))
    assert statuses == {"delivered": len(expected)}, "every alert delivered"
    ids_per_change: dict[str, set[str]] = {}
    for webhook_id, change_id in receiver.seen:
        ids_per_change.setdefault(change_id, set()).add(webhook_id)
    assert set(ids_per_change) == {change_id for change_id, *_ in expected}, "every alert reached the receiver"
    assert all(len(ids) == 1 for ids in ids_per_change.values()), "a repeat carries the same id"
    pollers = {row[0] for row in query(postgres_url, "SELECT DISTINCT lease_owner FROM feeds")}
    assert pollers == {None}, f"every lease given back at the end: {pollers}"
    assert all(seconds <= LEASE_S + 30 for _, seconds in taken_over), taken_over
