# SPDX-License-Identifier: MIT
"""Fixtures shared by every test module, and the suite's isolation from the developer's own files.

The suite must write nothing outside its temporary folders. The service keeps its database and digest
under platformdirs' user data directory (from HOME / XDG_DATA_HOME) and reads ./monitor.toml and MONITOR_DB,
so `pytest_configure` gives the whole run (subprocesses included: they inherit os.environ) a private HOME
and XDG directories and drops MONITOR_*; every test then gets its own HOME and working directory on top.
A guard compares the developer's real directories before and after and fails the session if they changed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import pytest

ROOT = Path(__file__).resolve().parent.parent
# The package is normally installed editable; this keeps a bare checkout (and tests.support) importable.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.httpserver import LocalServer  # noqa: E402 - needs the path above
from tests.support.postgres import REQUIRE_ENV, Cluster, require_server  # noqa: E402
from tests.support.smtp import Inbox, serve_smtp  # noqa: E402

# monitor.config.APP_NAME, not imported: a half-edited monitor/ must not stop the suite before it starts.
APP_NAME = "msft-openai-monitor"
HOME_DIRS = {"HOME": ".", "XDG_DATA_HOME": ".local/share", "XDG_CONFIG_HOME": ".config"}
HOME_DIRS |= {"XDG_CACHE_HOME": ".cache", "XDG_STATE_HOME": ".local/state"}
# Read by the service from the developer's shell: the database, log settings, systemd's notify socket/watchdog.
LEAKY = re.compile(r"MONITOR_\w*|NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID")


@dataclass(frozen=True)
class Isolation:
    root: Path  # the session's temporary directory: every HOME of the run is under it
    real_home: Path  # the developer's HOME, as it was before the run
    real_dirs: tuple[Path, ...]  # the developer's data/config/cache/state directories of the service
    before: dict[str, tuple[int, int]]  # path -> (size, mtime_ns) of everything under real_dirs
    saved_env: dict[str, str]  # os.environ before the run, restored at the end


ISOLATION = pytest.StashKey[Isolation]()


def _app_dirs() -> tuple[Path, ...]:
    """Where the service (platformdirs, with the current HOME/XDG_*) keeps its files; only data is used today."""
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    paths = (dirs.user_data_dir, dirs.user_config_dir, dirs.user_cache_dir, dirs.user_state_dir)
    return tuple(dict.fromkeys(Path(path) for path in paths))


def _snapshot(roots: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of each root that exists and of everything under it: a created, changed or removed
    file, or a created directory, shows as a difference."""
    state = {}
    for root in roots:
        for path in [root, *(sorted(root.rglob("*")) if root.is_dir() else [])]:
            try:
                stat = path.lstat()
            except FileNotFoundError:
                continue
            state[str(path)] = (stat.st_size, stat.st_mtime_ns)
    return state


def _set_home(home: Path, setenv: Callable[[str, str], object]) -> None:
    for name, relative in HOME_DIRS.items():
        (home / relative).mkdir(parents=True, exist_ok=True)
        setenv(name, str(home / relative))


def pytest_configure(config: pytest.Config) -> None:
    # Runs before any test module is imported (so before the service reads anything from the environment).
    real_dirs = _app_dirs()
    root = Path(tempfile.mkdtemp(prefix="monitor-tests-"))
    isolation = Isolation(root, Path.home(), real_dirs, _snapshot(real_dirs), dict(os.environ))
    config.stash[ISOLATION] = isolation
    for name in [name for name in os.environ if LEAKY.fullmatch(name)]:
        del os.environ[name]
    _set_home(root / "session-home", os.environ.__setitem__)
    # Hypothesis caches constants under ./.hypothesis (the checkout) unless told otherwise.
    os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(root / "hypothesis")


def pytest_sessionfinish(session: pytest.Session) -> None:
    isolation = session.config.stash.get(ISOLATION, None)
    if isolation is None:
        return
    after = _snapshot(isolation.real_dirs)
    touched = sorted(path for path in {*isolation.before, *after} if isolation.before.get(path) != after.get(path))
    if touched:
        lines = [f"  {path}: {'created' if path not in isolation.before else 'changed or removed'}" for path in touched]
        message = "the test suite touched the developer's real directories (tests must write only to tmp dirs):"
        hint = "  (or a monitor of yours running meanwhile wrote there)"
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for line in ["", message, *lines, hint]:
            if reporter:
                reporter.write_line(line, red=True, bold=True)
            else:
                print(line, file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_unconfigure(config: pytest.Config) -> None:
    isolation = config.stash.get(ISOLATION, None)
    if isolation is None:
        return
    os.environ.clear()
    os.environ.update(isolation.saved_env)
    shutil.rmtree(isolation.root, ignore_errors=True)


@pytest.fixture(scope="session")
def isolation(pytestconfig: pytest.Config) -> Isolation:
    """The session's temporary root and the developer's real directories, for tests/test_isolation.py."""
    return pytestconfig.stash[ISOLATION]


@pytest.fixture(autouse=True)
def private_home(isolation: Isolation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test: its own HOME and XDG dirs (so one test's default digest or database is not another's), and
    tmp_path as the working directory (so no ./monitor.toml of the checkout is read and nothing lands there).
    Module- and session-scoped fixtures are set up before this and see the session-wide HOME instead."""
    home = Path(tempfile.mkdtemp(prefix="home-", dir=isolation.root))
    _set_home(home, monkeypatch.setenv)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A started HTTP server on 127.0.0.1, closed after the test."""
    with LocalServer() as server:
        yield server


@pytest.fixture
def smtp_server() -> Iterator[Callable[..., tuple[Inbox, int]]]:
    """`start(inbox=None, **smtp_options)` starts a real SMTP server on 127.0.0.1 -> (inbox, port)."""
    yield from serve_smtp()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made with the openssl command (`cryptography` is not installed)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a self-signed certificate (and `cryptography` is not installed)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    command = [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    command += ["-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(command, check=True, capture_output=True)
    return cert, key


@pytest.fixture(scope="session")
def postgres_cluster(isolation: Isolation) -> Iterator[Cluster]:
    """One throwaway PostgreSQL cluster for the session (tests/support/postgres.py). Skipped, saying why,
    where the server is not installed; with MONITOR_REQUIRE_POSTGRES=1 (CI) that is a failure instead."""
    require_server(required=isolation.saved_env.get(REQUIRE_ENV) == "1")
    with Cluster.start() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster: Cluster) -> str:
    """The URL of a fresh, empty PostgreSQL database for this test."""
    return postgres_cluster.new_database()
