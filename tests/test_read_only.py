# SPDX-License-Identifier: MIT
"""A database on a read-only file system: commands that only read work; the others say why they cannot.

The directory is made read-only for real: a read-only tmpfs mount when the
tests run as root (who ignores file modes), file modes otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def monitor(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MONITOR_DB": str(database)})  # fmt: skip


@pytest.fixture
def read_only_database(tmp_path: Path) -> Iterator[Path]:
    """A database with the default feeds, in a directory then made read-only."""
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = os.geteuid() == 0 and shutil.which("mount") is not None
    if mounted and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)]).returncode:
        pytest.skip("running as root, and cannot mount a tmpfs to make a read-only file system")
    database = folder / "monitor.db"
    try:
        assert monitor("feeds", "list", database=database).returncode == 0
        if mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        else:
            database.chmod(0o444)
            folder.chmod(0o555)
        yield database
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        else:
            folder.chmod(0o755)


def test_reading_commands_work_on_a_read_only_database(read_only_database: Path, tmp_path: Path) -> None:
    listed = monitor("feeds", "list", "--json", database=read_only_database)
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)["feeds"]) == 14
    for command in (["changes", "--json"], ["alerts", "--json"], ["digest", "--out", str(tmp_path / "d.xml")],
                    ["signals", "--json"], ["state", "--json"], ["changes", "export-cases"]):  # fmt: skip
        run = monitor(*command, database=read_only_database)
        assert run.returncode == 0, (command, run.stderr)
    assert (tmp_path / "d.xml").is_file()


def test_writing_commands_say_the_database_is_read_only(read_only_database: Path) -> None:
    for command in (["run", "--once"], ["feeds", "add", "https://example.org/rss.xml"],
                    ["signals", "dismiss", "sig_x"]):  # fmt: skip
        run = monitor(*command, database=read_only_database)
        [line] = run.stderr.splitlines()
        assert run.returncode == 1 and run.stdout == ""
        assert line.startswith(f"monitor: error: {read_only_database}: the database is read-only ("), line
    daemon = monitor("daemon", database=read_only_database)
    [line] = daemon.stderr.splitlines()  # one line, no traceback: the lock file cannot be written
    assert daemon.returncode == 1 and "cannot take the daemon lock" in line, daemon.stderr
