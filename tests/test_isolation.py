# SPDX-License-Identifier: MIT
"""The suite writes nothing outside its temporary folders (issue 12): tests/conftest.py gives the run, and each
test, a private HOME, XDG directories and working directory; these tests check that the service sees them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from monitor.config import APP_NAME, Config, data_dir, load_config

if TYPE_CHECKING:  # only the type: importing conftest again would run it a second time
    from tests.conftest import Isolation

PRINT_PATHS = (
    "import json, os; from monitor.config import Config, data_dir; config = Config(); print(json.dumps({"
    "'home': os.environ['HOME'], 'data_dir': str(data_dir()), 'database': str(config.database_path),"
    "'digest': str(config.digest_path), 'cwd': os.getcwd()}))"
)


def inside(path: Path | str, folder: Path) -> bool:
    return Path(path).resolve().is_relative_to(folder.resolve())


def test_the_default_files_are_in_the_tests_private_home(isolation: Isolation, private_home: Path) -> None:
    config = Config()
    for path in (data_dir(), config.database_path, config.digest_path):
        assert inside(path, private_home) and inside(path, isolation.root), path
        assert not any(inside(path, real) for real in isolation.real_dirs), path
    assert os.environ["HOME"] == str(private_home) and not inside(private_home, isolation.real_home)
    assert data_dir().name == APP_NAME and APP_NAME in {real.name for real in isolation.real_dirs}


def test_no_monitor_variable_leaks_from_the_shell() -> None:
    assert not [name for name in os.environ if name.startswith("MONITOR_")]
    assert "NOTIFY_SOCKET" not in os.environ and "WATCHDOG_USEC" not in os.environ


def test_the_working_directory_is_the_tests_tmp_path(tmp_path: Path) -> None:
    assert Path.cwd() == tmp_path
    assert load_config(None).source is None, "no ./monitor.toml of the checkout is read"


def test_a_monitor_subprocess_sees_the_private_home(isolation: Isolation, private_home: Path) -> None:
    run = subprocess.run([sys.executable, "-c", PRINT_PATHS], capture_output=True, text=True, timeout=60, check=True)
    seen = json.loads(run.stdout)
    assert seen["home"] == str(private_home) and seen["cwd"] == os.getcwd()
    assert all(inside(seen[key], private_home) for key in ("data_dir", "database", "digest")), seen
    # The real command, with no configuration: its default database is made in the private data directory.
    feeds = subprocess.run([sys.executable, "-m", "monitor", "feeds", "list", "--json"], capture_output=True, text=True)
    assert feeds.returncode == 0, feeds.stderr
    assert (data_dir() / "monitor.db").is_file() and inside(data_dir(), private_home)
