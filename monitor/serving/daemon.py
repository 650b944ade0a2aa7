# SPDX-License-Identifier: MIT
"""`monitor daemon`: the pipeline on a schedule, for months, without a person watching.

APScheduler drives three jobs, each on its own so that a slow feed never
delays an alert:

- **tick** (every `[daemon] tick`): the feeds whose next check is due and that
  are not being polled already run a cycle; each feed's next check comes from
  `monitor.collecting.schedule` (interval, TTL and cache headers, backoff, Retry-After,
  jitter). A late tick coalesces: due is due.
- **deliver** (every `[daemon] deliver_every`): due alerts go out.
- **digest** (as often): the RSS digest is rewritten when changes were flagged.
- the HTTP server (`[server] listen`): /healthz, /metrics, /digest.xml and /.

SIGTERM/SIGINT stop taking work, cancel what is in flight at its next await —
each article is recorded in one transaction, so nothing is half-written — and
exit 0 within seconds. SIGHUP reloads the configuration and the rules; an
invalid one is refused with a logged error and the old one keeps running.

**Several daemons.** On PostgreSQL any number of daemons share one database:
the tick *leases* its share of the due feeds (`storage.leases`: `FOR UPDATE SKIP
LOCKED`, until `[daemon] lease`; the due feeds over the daemons alive, so that
none takes them all), at most `[daemon] batch` in flight; a **keepalive**
job renews the leases of the feeds being polled and says the daemon is alive
(`monitor daemons`); the cycle gives them back once their polls are saved. A
daemon that dies keeps its feeds until its leases expire, then another takes
them. Alerts are claimed the same way before they are sent. Each daemon has an
id (`[daemon] id`, default host:pid) shown by /healthz and /metrics. On SQLite
a lock beside the database refuses a second daemon on it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import socket
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from monitor.config import Config, load_config
from monitor.delivering.channels import Channel, build_channels
from monitor.delivering.digest import write_digest
from monitor.delivering.outbox import default_owner, deliver_due
from monitor.errors import EXPECTED, ConfigError, error_line
from monitor.pipeline import CycleReport, run_cycle, watched_feeds
from monitor.serving.metrics import Metrics
from monitor.serving.review import ReviewGate
from monitor.serving.systemd import DatabaseLock, notify, watchdog_interval
from monitor.serving.web import WebState, bind, create_app, serve
from rules.engine import Engine
from storage import Feed, Store

logger = logging.getLogger(__name__)
STOP_GRACE_S = 8.0  # in-flight work gets this long after SIGTERM; the exit stays within 10 s


@dataclass
class Settings:
    """What SIGHUP replaces as a whole: the configuration, the rules, the channels built from it."""

    config: Config
    engine: Engine
    channels: list[Channel]

    @classmethod
    def load(cls, path: Path | None) -> Settings:
        config = load_config(path)
        return cls(config, Engine.load(), build_channels(config))


class Daemon:
    def __init__(self, config_path: Path | None, settings: Settings, store: Store) -> None:
        self.config_path = config_path
        self.settings = settings
        self.store = store
        self.id = settings.config.daemon.id or default_owner()
        self.started_at = _iso(dt.datetime.now(dt.UTC))
        self.metrics = Metrics(self.id)
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC)
        self.stopping = asyncio.Event()
        self.in_flight: set[int] = set()  # feed ids being polled: never two polls of one feed at once
        self.tasks: set[asyncio.Task[None]] = set()
        self.last_tick = 0.0
        self.digest_mark: tuple[tuple[int, str, str], tuple[int, str, str]] | None = None
        self.last_cycle_error: str | None = None  # the latest finished cycle's failure, None once one succeeds
        self.delivery = DeliveryProgress()

    async def run(self) -> int:
        http = self._bind_http()  # first: an address it cannot take stops the start, before READY
        self._handle_signals()
        config = self.settings.config
        watched_feeds(config, self.store)  # configured (or default) feeds join the schedule at start
        self.scheduler.add_job(self.tick, "interval", seconds=config.daemon.tick, max_instances=1, coalesce=True,
                               next_run_time=dt.datetime.now(dt.UTC), id="tick")  # fmt: skip
        self.scheduler.add_job(self.deliver, "interval", seconds=config.daemon.deliver_every, max_instances=1,
                               coalesce=True, id="deliver")  # fmt: skip
        self.scheduler.add_job(self.write_digest, "interval", seconds=config.daemon.deliver_every, max_instances=1,
                               coalesce=True, id="digest")  # fmt: skip
        await self.keepalive()
        self.scheduler.add_job(self.keepalive, "interval", seconds=max(0.2, config.daemon.lease / 3), max_instances=1,
                               coalesce=True, id="keepalive")  # fmt: skip
        self.scheduler.start()
        self.metrics.up(True)
        if http is not None:
            self._spawn(self._serve_http(http), name="http")
        self._spawn(self._watchdog(), name="watchdog")
        notify("READY=1")
        logger.info("daemon started daemon_id=%s database=%s feeds=%d", self.id, config.database_label,
                    len(self.store.feeds()))  # fmt: skip
        await self.stopping.wait()
        await self._stop()
        return 0

    # jobs

    async def tick(self) -> None:
        """Start a cycle for the feeds that are due and that no daemon polls: leased to this one."""
        self.last_tick = time.monotonic()
        if self.stopping.is_set():
            return
        daemon = self.settings.config.daemon
        batch = daemon.batch if daemon.batch is not None else (50 if self.store.engine == "postgresql" else 0)
        room = batch - len(self.in_flight) if batch else 100_000
        if room <= 0:
            return
        now = dt.datetime.now(dt.UTC)
        try:
            leased = self.store.leases.take_due(self.id, now=_iso(now), until=_iso(now + _seconds(daemon.lease)),
                                                limit=room)  # fmt: skip
        except EXPECTED as exc:
            logger.error("tick failed error=%s", exc)
            return
        due = [f for f in leased if f.id not in self.in_flight]
        if due:
            self.in_flight |= {f.id for f in due}
            self._spawn(self._cycle(due), name="cycle")

    async def keepalive(self) -> None:
        """Say this daemon is alive, and renew the leases of the feeds it is polling."""
        now = dt.datetime.now(dt.UTC)
        listen = self.settings.config.server.listen if self.settings.config.server else None
        try:
            self.store.leases.heartbeat(self.id, host=socket.gethostname(), pid=os.getpid(),
                                        started_at=self.started_at, now=_iso(now), listen=listen)  # fmt: skip
            until = _iso(now + _seconds(self.settings.config.daemon.lease))
            self.store.leases.renew(self.id, sorted(self.in_flight), until=until)
        except EXPECTED as exc:
            logger.error("keepalive failed error=%s", exc)

    async def deliver(self) -> None:
        settings = self.settings
        try:
            report = await deliver_due(self.store, settings.channels, settings.config.delivery, owner=self.id,
                                       claim_s=settings.config.daemon.lease)  # fmt: skip
            pending = self.store.outbox.counts().get("pending", 0)
        except EXPECTED as exc:
            logger.error("delivery failed error=%s", exc)
            self.delivery.failed(str(exc))
            return
        self.delivery.ran(moved=report.delivered + report.failed, pending=pending)
        if report.delivered or report.retried or report.failed:
            logger.info("delivery %s", report.summary())

    async def write_digest(self) -> None:
        """Rewrite the digest when changes or signals moved since it was last written (cycles write it too)."""
        # two index reads, every few seconds: not every change; a signal dismissed from the command line counts too
        mark = self.store.changes_mark(), self.store.signals.mark()
        if mark == self.digest_mark:
            return
        config = self.settings.config
        try:
            changes = self.store.changes(newest_first=True, limit=config.digest.max_items)
            signals = self.store.signals.newest(limit=config.digest.max_items)
            write_digest(changes, config.digest_path, title=config.digest.title, link=config.digest_link,
                         max_items=config.digest.max_items, signals=signals)  # fmt: skip
            self.digest_mark = mark
        except EXPECTED as exc:
            logger.error("digest failed error=%s", exc)

    async def _cycle(self, feeds: list[Feed]) -> None:
        started = time.monotonic()
        settings = self.settings
        try:
            report = await run_cycle(settings.config, self.store, settings.engine, channels=settings.channels,
                                     feeds=feeds)  # fmt: skip
            self._count(report)
            self._cycle_ended(error=None)
            logger.info("cycle %s", report.summary())
        except EXPECTED as exc:
            self._cycle_ended(error=str(exc))
            logger.error("cycle failed error=%s", exc)
        except Exception as exc:  # noqa: BLE001 - the daemon's boundary: log, and the next tick goes on
            self._cycle_ended(error=f"{type(exc).__name__}: {exc}")
            logger.exception("cycle crashed")
        finally:
            self._release(feeds)
            self.metrics.cycle(time.monotonic() - started)

    def _release(self, feeds: list[Feed]) -> None:
        """The cycle's feeds are polled and saved (or it failed): their leases go back."""
        ids = [f.id for f in feeds]
        try:
            self.store.leases.release(self.id, ids)
        except EXPECTED as exc:  # the database is gone: the leases expire on their own
            logger.error("releasing leases failed feeds=%d error=%s", len(ids), exc)
        self.in_flight -= set(ids)

    def _count(self, report: CycleReport) -> None:
        fetched = report.feeds_polled - report.feeds_unchanged - report.feeds_failed
        for outcome, count in (("200", fetched), ("304", report.feeds_unchanged), ("error", report.feeds_failed)):
            for _ in range(count):
                self.metrics.poll(outcome)
        self.metrics.articles(report.articles_new)
        for change_id in report.changes_flagged:
            change = self.store.change(change_id)
            if change is not None:
                self.metrics.change(change.kind)

    # signals, health, shutdown

    def _handle_signals(self) -> None:
        loop = asyncio.get_running_loop()
        for stop in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(stop, self._request_stop, stop.name)
        loop.add_signal_handler(signal.SIGHUP, self.reload)

    def _request_stop(self, name: str) -> None:
        logger.info("stopping signal=%s", name)
        self.stopping.set()

    def reload(self) -> None:
        """SIGHUP: new configuration and rules, or, if either is invalid, the old ones and a logged error."""
        try:
            fresh = Settings.load(self.config_path)
        except EXPECTED as exc:
            logger.error("reload refused, keeping the running configuration error=%s", exc)
            return
        if fresh.config.database_label != self.settings.config.database_label:
            logger.error("reload refused: the database cannot change while running (restart instead)")
            return
        self.settings = fresh
        watched_feeds(fresh.config, self.store)
        logger.info("reloaded config=%s feeds=%d", self.config_path or "defaults", len(self.store.feeds()))

    def _cycle_ended(self, *, error: str | None) -> None:
        self.last_cycle_error = error
        if error is None:
            self.metrics.cycle_succeeded()
        else:
            self.metrics.cycle_failed()

    def health(self) -> tuple[bool, str]:
        """Whether the daemon can do its work now, and if not the reason (/healthz, the systemd watchdog)."""
        if not self.scheduler.running:
            return False, "scheduler not running"
        late = time.monotonic() - self.last_tick
        if self.last_tick and late > max(30.0, 10 * self.settings.config.daemon.tick):
            return False, f"no scheduler tick for {late:.0f}s"
        if self.last_cycle_error is not None:
            return False, error_line(f"last cycle failed: {self.last_cycle_error}", limit=300)
        stuck = self.delivery.stuck(after_s=self.settings.config.daemon.stuck_after)
        if stuck:
            return False, stuck
        return True, "ok"

    def _bind_http(self) -> socket.socket | None:
        server = self.settings.config.server
        if server is None:
            return None
        try:
            sock = bind(server.listen)
        except OSError as exc:
            raise ConfigError(f"{self.config_path or 'configuration'}: key 'server.listen': {exc.strerror}") from None
        if sock.getsockname()[0] in ("0.0.0.0", "::"):
            logger.warning("listening on every interface listen=%s: the page is reachable from the network, "
                           "without authentication", server.listen)  # fmt: skip
        return sock

    async def _serve_http(self, sock: socket.socket) -> None:
        server = self.settings.config.server
        token = os.environ.get(server.review_token_env) if server and server.review_token_env else None
        review = ReviewGate.for_listen(server.listen, token=token) if server else None
        config = self.settings.config
        shared = self.store if self.store.engine == "postgresql" else None  # SQLite: a connection per request
        state = WebState(database=config.database_url or config.database_path, digest=config.digest_path,
                         metrics=self.metrics, health=self.health, engine=self.settings.engine, review=review,
                         daemon_id=self.id, store=shared, lease_s=config.daemon.lease)  # fmt: skip
        await serve(create_app(state), sock)

    async def _watchdog(self) -> None:
        interval = watchdog_interval()
        while interval and not self.stopping.is_set():
            if self.health()[0]:
                notify("WATCHDOG=1")
            await asyncio.sleep(interval)

    def _spawn(self, work: object, *, name: str) -> None:
        task = asyncio.ensure_future(work)  # type: ignore[call-overload]
        task.set_name(name)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _stop(self) -> None:
        notify("STOPPING=1")
        self.metrics.up(False)
        self.scheduler.shutdown(wait=False)
        for task in list(self.tasks):
            task.cancel()
        with suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*self.tasks, return_exceptions=True), STOP_GRACE_S)
        try:
            self.store.leases.retire(self.id)  # its leases go back now, not at their expiry
        except EXPECTED as exc:
            logger.error("retiring failed error=%s", exc)
        logger.info("stopped daemon_id=%s", self.id)


class DeliveryProgress:
    """Whether delivery moves: alerts pending with none delivered or refused for a while is a stuck backlog."""

    def __init__(self) -> None:
        self.last_moved = time.monotonic()  # when the outbox last moved, or was seen empty
        self.pending = 0
        self.error: str | None = None

    def ran(self, *, moved: int, pending: int) -> None:
        self.pending, self.error = pending, None
        if moved or not pending:
            self.last_moved = time.monotonic()

    def failed(self, error: str) -> None:
        self.error = error

    def stuck(self, *, after_s: float) -> str | None:
        """The reason delivery is stuck, or None."""
        if self.error is not None:
            return error_line(f"delivery failed: {self.error}", limit=300)
        idle = time.monotonic() - self.last_moved
        if self.pending and idle > after_s:
            return f"delivery stuck: {self.pending} alerts pending, none delivered for {idle:.0f}s"
        return None


def run_daemon(config_path: Path | None) -> int:
    """Load, lock (SQLite), run until SIGTERM/SIGINT; the exit status."""
    settings = Settings.load(config_path)
    config = settings.config
    database = config.prepare_database()
    if isinstance(database, str):  # PostgreSQL: daemons share it, through leases
        with Store.open(database) as store:
            return asyncio.run(Daemon(config_path, settings, store).run())
    lock = DatabaseLock(config.daemon.lock or database.with_name(database.name + ".lock"))
    with lock, Store.open(database) as store:
        return asyncio.run(Daemon(config_path, settings, store).run())


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds")  # as next_check is stored


def _seconds(value: float) -> dt.timedelta:
    return dt.timedelta(seconds=value)
