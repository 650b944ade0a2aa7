# SPDX-License-Identifier: MIT
"""kill -9 at random moments of a cycle loses nothing and repeats nothing but under the same id.

`monitor run --once` (with a webhook) runs as a real process against feeds,
pages and a receiver on loopback, and is killed with SIGKILL at random
moments, several times; then it is let finish. The outcome must be the one
of a clean run: the same changes, every alert delivered, a repeat only ever
with the id it had, and an intact database.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from standardwebhooks.webhooks import Webhook

from tests.support.httpserver import LocalServer, RecordedRequest
from tests.test_pipeline import serve_corpus

SECRET = "whsec_" + "Y3Jhc2gtdGVzdC1zZWNyZXQta2V5LTAxMjM0NTY3ODk="
KILLS = 5
SLOW_RECEIVER_S = 0.15


class Receiver:
    def __init__(self, server: LocalServer) -> None:
        self.seen: list[tuple[str, str]] = []  # (webhook-id, change id)
        self.lock = threading.Lock()
        server.route_handler("/hook", self.handle)

    def handle(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        Webhook(SECRET).verify(request.body, dict(request.headers))
        with self.lock:  # one request at a time, slowly: delivery spans seconds, and kills land inside it
            time.sleep(SLOW_RECEIVER_S)
            self.seen.append((request.headers["webhook-id"], json.loads(request.body)["change"]["id"]))
        return 200, {}, b""


def write_config(folder: Path, server: LocalServer) -> Path:
    folder.mkdir()
    config = folder / "monitor.toml"
    config.write_text(
        f'database = "monitor.db"\n[[feed]]\nurl = "{server.url("/feed.xml")}"\n[digest]\npath = "digest.xml"\n'
        f'[delivery]\nretry_initial = "0s"\n[[webhook]]\nurl = "{server.url("/hook")}"\nsecret = "{SECRET}"\n',
        encoding="utf-8",
    )
    return config


def run_once(config: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MONITOR_DB": ""}
    return subprocess.Popen([sys.executable, "-m", "monitor", "run", "--once", "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)  # fmt: skip


def progress_of(database: Path) -> tuple[int, int]:
    """(articles recorded, alerts pending) — where a killed cycle stopped."""
    if not database.exists():
        return 0, 0
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "alerts" not in tables:
            return 0, 0
        articles = db.execute("SELECT count(*) FROM articles").fetchone()[0]
        pending = db.execute("SELECT count(*) FROM alerts WHERE status = 'pending'").fetchone()[0]
    return articles, pending


def wait_until_mid_cycle(process: subprocess.Popen[bytes], database: Path, *, timeout: float) -> None:
    """Return once the cycle has recorded articles or queued alerts it has not delivered (or ended, or timed out).

    A fixed delay cannot aim there: start-up, and the first run's baseline, take most of a short cycle.
    """
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        try:
            articles, pending = progress_of(database)
        except sqlite3.OperationalError:  # the schema is being created: not there yet
            articles, pending = 0, 0
        if 0 < articles < 18 or pending:
            return
        time.sleep(0.01)


def changes_of(database: Path) -> set[tuple[str, str, str, str]]:
    with sqlite3.connect(database) as db:
        return set(db.execute("SELECT id, facet, key, kind FROM changes"))


def test_kill_9_at_random_moments_loses_and_repeats_nothing(local_server: LocalServer, tmp_path: Path) -> None:
    serve_corpus(local_server)
    receiver = Receiver(local_server)

    clean = write_config(tmp_path / "clean", local_server)
    started = time.monotonic()
    assert run_once(clean).wait(timeout=180) == 0
    duration = time.monotonic() - started  # the kills land inside a cycle, however fast this machine is
    expected = changes_of(clean.parent / "monitor.db")
    receiver.seen.clear()

    crashed = write_config(tmp_path / "crashed", local_server)
    chance = random.Random(20251122)  # fixed: the same moments on every run of the test
    interrupted = []
    for kill in range(KILLS):
        process = run_once(crashed)
        if kill % 2 == 0:  # once the cycle has recorded something and not delivered it all: inside the outbox
            wait_until_mid_cycle(process, crashed.parent / "monitor.db", timeout=3 * duration)
            time.sleep(SLOW_RECEIVER_S * chance.uniform(0, 2))
        else:  # at any moment: start-up, polling, reading, recording or delivery
            time.sleep(duration * chance.uniform(0.3, 0.9))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        interrupted.append(progress_of(crashed.parent / "monitor.db"))
    assert any(0 < articles < 18 or pending for articles, pending in interrupted), f"no kill mid-cycle: {interrupted}"
    assert run_once(crashed).wait(timeout=180) == 0
    assert run_once(crashed).wait(timeout=180) == 0

    database = crashed.parent / "monitor.db"
    assert changes_of(database) == expected, "the same changes as a clean run"
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        statuses = dict(db.execute("SELECT status, count(*) FROM alerts GROUP BY status"))
    assert statuses == {"delivered": len(expected)}, "every alert delivered"
    ids_per_change: dict[str, set[str]] = {}
    for webhook_id, change_id in receiver.seen:
        ids_per_change.setdefault(change_id, set()).add(webhook_id)
    assert set(ids_per_change) == {change_id for change_id, *_ in expected}
    assert all(len(ids) == 1 for ids in ids_per_change.values()), "a repeat carries the same id"


def delivered_count(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return int(db.execute("SELECT count(*) FROM alerts WHERE status = 'delivered'").fetchone()[0])


def test_kill_9_during_delivery_every_restart_moves_on(local_server: LocalServer, tmp_path: Path) -> None:
    """Killed while it delivers, each restart delivers at least one more alert: outcomes are recorded one by one."""
    serve_corpus(local_server)
    receiver = Receiver(local_server)
    config = write_config(tmp_path / "delivery", local_server)
    database = config.parent / "monitor.db"
    delivered = []
    for _ in range(KILLS):
        answered = len(receiver.seen)
        process = run_once(config)
        deadline = time.monotonic() + 120
        # Two alerts answered in this run: the first one's outcome was recorded before the second was sent
        while process.poll() is None and len(receiver.seen) < answered + 2 and time.monotonic() < deadline:
            time.sleep(0.005)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        delivered.append(delivered_count(database))
        if process.returncode == 0:
            break  # everything was delivered before the kill could land
    assert all(later > earlier for earlier, later in zip([0, *delivered], delivered, strict=False)), delivered
    assert run_once(config).wait(timeout=180) == 0
    with sqlite3.connect(database) as db:
        statuses = dict(db.execute("SELECT status, count(*) FROM alerts GROUP BY status"))
    assert set(statuses) == {"delivered"}, statuses
    ids_per_change: dict[str, set[str]] = {}
    for webhook_id, change_id in receiver.seen:
        ids_per_change.setdefault(change_id, set()).add(webhook_id)
    assert all(len(ids) == 1 for ids in ids_per_change.values()), "a repeat carries the same id"
