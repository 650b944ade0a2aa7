# SPDX-License-Identifier: MIT
"""A throwaway PostgreSQL cluster for the tests: `initdb` and `pg_ctl` in a temporary directory.

The server listens on a free loopback port (password authentication, so a wrong
password can be tested) and on a unix socket in its own directory. It refuses
to run as root, so as root the cluster belongs to `nobody` (its directory is
handed over, and every server command runs as that user). One cluster per test
session; `Cluster.new_database()` makes a fresh, empty database for one test.

    with Cluster.start() as cluster:
        url = cluster.new_database()     # postgresql://postgres:…@127.0.0.1:PORT/test_1
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

PASSWORD = "test-secret"  # the superuser's, of a cluster that lives for one test session on loopback
REQUIRE_ENV = "MONITOR_REQUIRE_POSTGRES"  # set (CI): a missing server fails the tests instead of skipping them


def find_bin() -> Path | None:
    """The directory of Debian's (or any) PostgreSQL server binaries, newest first; None when absent."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def require_server(*, required: bool) -> None:
    """Skip the test, saying why, where the server is not installed; fail it instead when `required` (CI)."""
    if find_bin() is not None:
        return
    import pytest

    why = "PostgreSQL server not installed (no /usr/lib/postgresql/*/bin/initdb; Debian: apt-get install postgresql)"
    if required:
        pytest.fail(f"{why}, and {REQUIRE_ENV}=1 requires it")
    pytest.skip(why)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(self, bin_dir: Path, root: Path, port: int, user: str | None) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.user = user  # the unprivileged user running the server, when we are root
        self._numbers = itertools.count(1)

    @classmethod
    def start(cls, bin_dir: Path | None = None) -> Cluster:
        bin_dir = bin_dir or find_bin()
        if bin_dir is None:
            raise FileNotFoundError("no PostgreSQL server binaries (initdb) in /usr/lib/postgresql/*/bin or on PATH")
        user = "nobody" if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="monitor-pg-"))
        cluster = cls(bin_dir, root, free_port(), user)
        try:
            cluster._init()
            cluster._run("pg_ctl", "-D", str(cluster.data), "-l", str(root / "server.log"), "-w", "-t", "60", "start")
        except BaseException:
            cluster.log_tail()
            shutil.rmtree(root, ignore_errors=True)
            raise
        return cluster

    def _init(self) -> None:
        (self.root / "socket").mkdir()
        (self.root / "pwfile").write_text(PASSWORD + "\n")
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chmod(self.root, 0o755)
            for path in (self.root, self.root / "socket", self.root / "pwfile"):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--pwfile", str(self.root / "pwfile"),
                  "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                  "--no-sync")  # fmt: skip
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root / 'socket'}'",
            "max_connections": "200",
            "fsync": "off",  # a throwaway cluster: durability is not what these tests measure
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "shared_buffers": "32MB",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _run(self, program: str, *args: str) -> None:
        options: dict[str, Any] = {"check": True, "capture_output": True, "cwd": self.root, "timeout": 120}
        if self.user:
            options |= {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid, "extra_groups": []}
        subprocess.run([str(self.bin_dir / program), *args], **options)

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        return f"postgresql://postgres:{password}@127.0.0.1:{self.port}/{database}"

    def admin(self, statement: str) -> None:
        """Run `statement` (CREATE DATABASE…) outside a transaction, on the maintenance database."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(statement.encode())

    def new_database(self) -> str:
        """The URL of a fresh, empty database of its own."""
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        self.admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def log_tail(self, lines: int = 30) -> str:
        log = self.root / "server.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else ""

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")  # stopped already: fine
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
