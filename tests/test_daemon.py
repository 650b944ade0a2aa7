# SPDX-License-Identifier: MIT
"""The real daemon, as a subprocess, against feeds on loopback with short intervals."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.httpserver import LocalServer, RecordedRequest
from tests.test_pipeline import DEV, serve_corpus

EMPTY_FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(path: Path, feeds: list[str], *, port: int, interval: str = "2s", extra: str = "") -> None:
    feed_tables = "".join(f'[[feed]]\nurl = "{url}"\n' for url in feeds)
    path.write_text(
        f'database = "monitor.db"\ninterval = "{interval}"\n{feed_tables}[digest]\npath = "digest.xml"\n'
        f'[server]\nlisten = "127.0.0.1:{port}"\n[daemon]\ntick = "0.2"\nlog_level = "INFO"\n'
        f"[schedule]\njitter = 0\n{extra}",
        encoding="utf-8",
    )


class Running:
    """A daemon subprocess with its stderr collected."""

    def __init__(self, config: Path, port: int, *, env: dict[str, str] | None = None) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = config.parent / "daemon.log"
        self.log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "daemon", "--config", str(config)],
            stdout=subprocess.DEVNULL, stderr=self.log_file, env={**os.environ, "MONITOR_DB": "", **(env or {})},
        )  # fmt: skip

    def get(self, path: str, **headers: str) -> httpx.Response:
        return httpx.get(self.base + path, headers=headers, timeout=5)

    def wait_until(self, condition: Callable[[], bool], *, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"the daemon died: {self.log.read_text()[-2000:]}"
            try:
                if condition():
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"timed out; daemon log:\n{self.log.read_text()[-3000:]}")

    def healthy(self) -> bool:
        return self.get("/healthz").status_code == 200

    def stop(self) -> float:
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=10) == 0
        return time.monotonic() - started


@pytest.fixture
def daemons() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for daemon in started:
        if daemon.process.poll() is None:
            daemon.process.kill()
            daemon.process.wait()
        daemon.log_file.close()


def feed_requests(server: LocalServer, path: str = "/feed.xml") -> list[RecordedRequest]:
    return [r for r in server.requests if r.path == path]


def test_the_daemon_polls_serves_reloads_and_stops(local_server: LocalServer, tmp_path: Path,
                                                   daemons: list[Running]) -> None:  # fmt: skip
    serve_corpus(local_server)
    local_server.route("/second.xml", EMPTY_FEED, headers={"Content-Type": "application/rss+xml"})
    config, port = tmp_path / "monitor.toml", free_port()
    write_config(config, [local_server.url("/feed.xml")], port=port)
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # stands in for systemd's notify socket
    systemd.bind(str(tmp_path / "notify.sock"))
    systemd.settimeout(10)
    daemon = Running(config, port, env={"NOTIFY_SOCKET": str(tmp_path / "notify.sock")})
    daemons.append(daemon)

    daemon.wait_until(daemon.healthy)
    assert systemd.recv(256) == b"READY=1"
    assert daemon.get("/healthz").json() == {"status": "ok", "daemon": f"{socket.gethostname()}:{daemon.process.pid}"}
    daemon.wait_until(lambda: len(feed_requests(local_server)) >= 3)
    later = feed_requests(local_server)[1:]
    assert all("if-none-match" in r.headers for r in later), "polls repeatedly with conditional GET"

    metrics = daemon.get("/metrics").text
    for name in ("monitor_feeds", "monitor_polls_total", "monitor_changes_flagged_total", "monitor_alerts",
                 "monitor_cycle_duration_seconds"):  # fmt: skip
        assert name in metrics
    assert 'monitor_polls_total{outcome="304"}' in metrics
    assert f'monitor_daemon_info{{daemon="{socket.gethostname()}:{daemon.process.pid}"}} 1.0' in metrics
    digest = daemon.get("/digest.xml")
    assert digest.status_code == 200 and digest.headers["etag"] and digest.headers["last-modified"]
    assert daemon.get("/digest.xml", **{"If-None-Match": digest.headers["etag"]}).status_code == 304
    page = daemon.get("/")
    assert page.status_code == 200 and "OpenAI compute from Oracle" in page.text

    write_config(config, [local_server.url("/feed.xml"), local_server.url("/second.xml")], port=port)
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_until(lambda: len(feed_requests(local_server, "/second.xml")) >= 1)

    config.write_text("interval = 'whenever'\n", encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    daemon.wait_until(lambda: "reload refused" in daemon.log.read_text())
    polls = len(feed_requests(local_server, "/second.xml"))
    daemon.wait_until(lambda: len(feed_requests(local_server, "/second.xml")) > polls)
    assert daemon.healthy(), "a broken config on SIGHUP does not stop the daemon"

    write_config(config, [local_server.url("/feed.xml")], port=free_port())
    second = subprocess.run(
        [sys.executable, "-m", "monitor", "daemon", "--config", str(config)],
        capture_output=True, text=True, timeout=30, env={**os.environ, "MONITOR_DB": ""},
    )  # fmt: skip
    assert second.returncode == 1 and "another daemon runs on this database" in second.stderr

    assert daemon.stop() < 10
    assert systemd.recv(256) == b"STOPPING=1"
    systemd.close()
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_the_daemon_reads_a_big_cycle_in_worker_processes_and_stops(
    local_server: LocalServer, tmp_path: Path, daemons: list[Running]
) -> None:
    serve_corpus(local_server)
    config, port = tmp_path / "monitor.toml", free_port()
    write_config(config, [local_server.url("/feed.xml")], port=port, interval="1h",
                 extra="[reading]\nworkers = 2\npool_from = 1\n")  # fmt: skip
    daemon = Running(config, port)
    daemons.append(daemon)
    daemon.wait_until(lambda: "cycle " in daemon.log.read_text(), timeout=60)
    log = daemon.log.read_text()
    assert "reading in 2 worker processes" in log
    assert "reading worker" not in log, "no worker died or failed to start"
    assert daemon.stop() < 10
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone() == (len(list(DEV.glob("*.html"))),)


def test_backoff_retry_after_and_recovery(local_server: LocalServer, tmp_path: Path, daemons: list[Running]) -> None:
    times: dict[str, list[float]] = {"/down.xml": [], "/busy.xml": []}
    lock = threading.Lock()

    def down(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        with lock:
            times["/down.xml"].append(time.monotonic())
            failing = len(times["/down.xml"]) <= 4  # down for four polls, then back
        return (500, {}, b"down") if failing else (200, {"Content-Type": "application/rss+xml"}, EMPTY_FEED)

    def busy(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        with lock:
            times["/busy.xml"].append(time.monotonic())
        return 503, {"Retry-After": "3"}, b"busy"

    local_server.route_handler("/down.xml", down)
    local_server.route_handler("/busy.xml", busy)
    config, port = tmp_path / "monitor.toml", free_port()
    write_config(config, [local_server.url("/down.xml"), local_server.url("/busy.xml")], port=port, interval="0.5s")
    daemon = Running(config, port)
    daemons.append(daemon)
    daemon.wait_until(lambda: len(times["/down.xml"]) >= 6 and len(times["/busy.xml"]) >= 3, timeout=40)
    daemon.stop()

    gaps = [b - a for a, b in zip(times["/down.xml"], times["/down.xml"][1:], strict=False)]
    assert gaps[0] >= 0.45 and gaps[1] >= 0.95 and gaps[2] >= 1.95, f"backoff doubles: {gaps}"
    assert gaps[4] < gaps[3], "the first success resets the backoff"
    busy_gaps = [b - a for a, b in zip(times["/busy.xml"], times["/busy.xml"][1:], strict=False)]
    assert all(gap >= 2.9 for gap in busy_gaps), f"Retry-After honoured: {busy_gaps}"
    with sqlite3.connect(tmp_path / "monitor.db") as db:
        errors = dict(db.execute("SELECT url, consecutive_errors FROM feeds"))
    assert errors[local_server.url("/down.xml")] == 0, "a feed down for a while and back is healthy again"
    assert errors[local_server.url("/busy.xml")] >= 3, "never dropped from the schedule"


@pytest.mark.parametrize("taken", [True, False], ids=["port-in-use", "unknown-host"])
def test_an_address_the_daemon_cannot_take_stops_it_at_start_with_one_line(tmp_path: Path, taken: bool) -> None:
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # as systemd listens for READY=1
    notify.bind(str(tmp_path / "notify.sock"))
    notify.setblocking(False)
    with socket.socket() as holder, notify:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        listen = f"127.0.0.1:{holder.getsockname()[1]}" if taken else "no-such-host.invalid:8080"
        config = tmp_path / "monitor.toml"
        config.write_text(f'database = "m.db"\n[server]\nlisten = "{listen}"\n', encoding="utf-8")
        run = subprocess.run(
            [sys.executable, "-m", "monitor", "daemon", "--config", str(config), "--log-level", "WARNING"],
            capture_output=True, text=True, timeout=60,
            env={**os.environ, "MONITOR_DB": "", "NOTIFY_SOCKET": str(tmp_path / "notify.sock")},
        )  # fmt: skip
        with pytest.raises(BlockingIOError):
            notify.recv(64)  # no READY=1: systemd sees a start that failed
    assert run.returncode == 1
    [line] = run.stderr.splitlines()  # one line, no traceback, no daemon left running without its endpoints
    assert line.startswith(f"monitor: error: {config}: key 'server.listen': cannot listen on {listen}: "), line


def test_health_tells_what_the_daemon_can_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed cycle (a full disk, say), a stuck delivery backlog: /healthz says 503 with the reason."""
    import asyncio
    import types

    from monitor.config import Config
    from monitor.errors import StorageError
    from monitor.pipeline import CycleReport
    from monitor.serving import daemon as daemon_module
    from rules.engine import Engine
    from storage import Store
    from tests.test_web import get

    store = Store.open(tmp_path / "m.db")
    settings = daemon_module.Settings(Config(database=tmp_path / "m.db"), Engine.load(), [])
    daemon = daemon_module.Daemon(None, settings, store)
    daemon.scheduler = types.SimpleNamespace(running=True)  # type: ignore[assignment]
    state = daemon_module.WebState(database=tmp_path / "m.db", digest=tmp_path / "d.xml", metrics=daemon.metrics,
                                   health=daemon.health)  # fmt: skip
    assert daemon.health() == (True, "ok")

    async def disk_full(*args: object, **kwargs: object) -> CycleReport:
        raise StorageError(f"{tmp_path / 'm.db'}: database or disk is full")

    monkeypatch.setattr(daemon_module, "run_cycle", disk_full)
    asyncio.run(daemon._cycle([]))
    answer = get(state, "/healthz")
    assert answer.status_code == 503 and "last cycle failed" in answer.text and "disk is full" in answer.text
    assert "monitor_cycles_failed_total 1.0" in daemon.metrics.render().decode()

    async def fine(*args: object, **kwargs: object) -> CycleReport:
        return CycleReport()

    monkeypatch.setattr(daemon_module, "run_cycle", fine)
    asyncio.run(daemon._cycle([]))
    assert get(state, "/healthz").status_code == 200
    assert "monitor_last_successful_cycle_timestamp_seconds 0.0" not in daemon.metrics.render().decode()

    daemon.delivery.ran(moved=0, pending=3)
    daemon.delivery.last_moved -= settings.config.daemon.stuck_after + 1
    stuck = get(state, "/healthz")
    assert stuck.status_code == 503 and "delivery stuck: 3 alerts pending" in stuck.text
    daemon.delivery.ran(moved=1, pending=2)
    assert daemon.health() == (True, "ok"), "a delivery that moves is not stuck"
    store.close()


def test_listening_on_every_interface_is_said_at_start(tmp_path: Path, daemons: list[Running]) -> None:
    port = free_port()
    config = tmp_path / "monitor.toml"
    config.write_text(f'database = "m.db"\n[server]\nlisten = ":{port}"\n[daemon]\ntick = "0.2"\n', encoding="utf-8")
    daemon = Running(config, port)
    daemons.append(daemon)
    daemon.wait_until(daemon.healthy)
    daemon.stop()
    assert f"listening on every interface listen=:{port}" in daemon.log.read_text()
