# SPDX-License-Identifier: MIT
"""The real daemon's peak memory while it polls many feeds, over a given database.

`monitor daemon` runs as the user runs it (its own process, a monitor.toml,
MONITOR_DB), with a short feed interval so that every feed is polled more
than once within a minute. Progress is read from the database the daemon
writes (WAL lets another connection read meanwhile): it is done when every
feed has been polled and the finished cycles add up to ROUNDS polls per feed.
Then its peak resident set (VmHWM in /proc/PID/status) is read, and it is
stopped with SIGTERM, as systemd would, and must exit 0.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

from throughput import BenchError

ROUNDS = 2  # polls per feed before reading the peak: the first (200s, parsed) and at least one of 304s
TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 15.0


def daemon_peak_rss(config: Path, database: Path, *, feeds: int, log: Path) -> dict:
    """Run the daemon on `database` until each of its `feeds` was polled ROUNDS times; its peak RSS and more."""
    command = [str(Path(sys.executable).parent / "monitor"), "daemon", "--config", str(config)]
    with log.open("w") as stderr:
        child = subprocess.Popen(command, env={**os.environ, "MONITOR_DB": str(database)}, stderr=stderr,
                                 stdout=subprocess.DEVNULL)  # fmt: skip
        try:
            started = time.monotonic()
            polls = _wait_for_polls(child, database, feeds=feeds, log=log)
            ran = time.monotonic() - started
            peak_kb, now_kb = _status_kb(child.pid, "VmHWM"), _status_kb(child.pid, "VmRSS")
            child.send_signal(signal.SIGTERM)
            code = child.wait(timeout=STOP_TIMEOUT_S)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    if code != 0:
        raise BenchError(f"daemon: exited {code} after SIGTERM (log: {log})")
    return {"peak_rss_mb": round(peak_kb / 1024, 1), "rss_at_stop_mb": round(now_kb / 1024, 1),
            "polls": polls, "seconds": round(ran, 1)}  # fmt: skip


def _wait_for_polls(child: subprocess.Popen[bytes], database: Path, *, feeds: int, log: Path) -> int:
    deadline = time.monotonic() + TIMEOUT_S
    polls = 0
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise BenchError(f"daemon: exited {child.returncode} while running (log: {log})")
        time.sleep(1.0)
        polled, polls = _progress(database)
        if polled >= feeds and polls >= ROUNDS * feeds:
            return polls
    raise BenchError(f"daemon: {polls} polls after {TIMEOUT_S:.0f}s, expected {ROUNDS * feeds} (log: {log})")


def _progress(database: Path) -> tuple[int, int]:
    """Feeds polled at least once, and polls counted by the finished cycles."""
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
            polled = db.execute("SELECT count(*) FROM feeds WHERE last_polled IS NOT NULL").fetchone()[0]
            polls = db.execute("SELECT coalesce(sum(feeds_polled), 0) FROM runs WHERE finished_at IS NOT NULL")
            return int(polled), int(polls.fetchone()[0])
    except sqlite3.OperationalError:  # busy at that instant: ask again at the next check
        return 0, 0


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise BenchError(f"daemon: no {field} in /proc/{pid}/status")
