# SPDX-License-Identifier: MIT
"""Talking to systemd and to other daemons: sd_notify, and the one-daemon-per-database lock.

`notify("READY=1")` sends a datagram to `$NOTIFY_SOCKET` when systemd set it
(a unit with `Type=notify`), and does nothing otherwise: the protocol is one
datagram on a Unix socket, so no library is needed. `watchdog_interval()` is
half of `$WATCHDOG_USEC`, the rhythm at which the daemon must say it is alive.

`DatabaseLock` holds an exclusive `flock` on a file beside the database: a
second daemon on the same database is refused instead of double-polling, and
the kernel releases the lock if the holder dies, even by kill -9.
"""

from __future__ import annotations

import fcntl
import os
import socket
from pathlib import Path
from types import TracebackType

from monitor.errors import MonitorError


def notify(message: str) -> bool:
    """Send `message` to systemd if it listens; True when sent."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    target = "\0" + address[1:] if address.startswith("@") else address  # "@name": an abstract socket
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.sendto(message.encode(), target)
    except OSError:
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between WATCHDOG=1 pings (half of WATCHDOG_USEC), or None when no watchdog is set."""
    usec = os.environ.get("WATCHDOG_USEC", "")
    return int(usec) / 2_000_000 if usec.isdigit() and int(usec) > 0 else None


class DatabaseLock:
    """An exclusive lock on `path`; `acquire` raises MonitorError naming the holder when taken.

    Not `filelock`: it takes the same flock, but cannot say who holds it; this lock writes its pid in the file.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: int | None = None

    def acquire(self) -> DatabaseLock:
        try:
            handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise MonitorError(f"{self.path}: cannot take the daemon lock ({exc.strerror})") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(handle, 32).decode(errors="replace").strip() or "unknown"
            os.close(handle)
            raise MonitorError(f"{self.path}: another daemon runs on this database (pid {holder})") from None
        try:
            os.ftruncate(handle, 0)
            os.write(handle, f"{os.getpid()}\n".encode())
        except OSError as exc:  # a full or read-only file system
            os.close(handle)
            raise MonitorError(f"{self.path}: cannot take the daemon lock ({exc.strerror})") from None
        self._handle = handle
        return self

    def release(self) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the flock
            self._handle = None

    def __enter__(self) -> DatabaseLock:
        return self.acquire()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()
