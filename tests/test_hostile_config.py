# SPDX-License-Identifier: MIT
"""Hostile configuration: a missing secret and an unreachable SMTP host.

Invalid TOML, unknown keys and bad values are cases of tests/configs/ (test_config.py).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.httpserver import LocalServer
from tests.test_pipeline import serve_corpus


def monitor(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=180,
                          cwd=cwd, env={**os.environ, "MONITOR_DB": "", **(env or {})})  # fmt: skip


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_a_missing_secret_is_one_line_and_nothing_runs(tmp_path: Path) -> None:
    (tmp_path / "monitor.toml").write_text(
        '[[webhook]]\nurl = "https://hooks.example.org/x"\nsecret_env = "MONITOR_TEST_NO_SUCH_SECRET"\n',
        encoding="utf-8",
    )
    run = monitor("run", "--once", cwd=tmp_path, env={"MONITOR_DB": str(tmp_path / "m.db")})
    assert run.returncode == 1
    assert run.stderr.strip().splitlines()[-1] == (
        "monitor: error: webhook[1]: secret_env MONITOR_TEST_NO_SUCH_SECRET is not set"
    )
    assert not (tmp_path / "m.db").exists(), "nothing was opened or written"


def test_an_unreachable_smtp_host_keeps_the_alerts_pending(local_server: LocalServer, tmp_path: Path) -> None:
    serve_corpus(local_server)
    (tmp_path / "monitor.toml").write_text(
        f'database = "m.db"\n[[feed]]\nurl = "{local_server.url("/feed.xml")}"\n[digest]\npath = "d.xml"\n'
        f'[email]\nhost = "127.0.0.1"\nport = {closed_port()}\nsecurity = "none"\n'
        'sender = "monitor@example.org"\nrecipients = ["analyst@example.org"]\n',
        encoding="utf-8",
    )
    run = monitor("run", "--once", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "0 alerts delivered" in run.stdout and "to retry" in run.stdout
    payload = json.loads(monitor("alerts", "--json", cwd=tmp_path).stdout)
    assert payload["counts"]["pending"] > 0 and payload["counts"]["delivered"] == 0
    assert all(a["last_error"] and "\n" not in a["last_error"] for a in payload["alerts"])
