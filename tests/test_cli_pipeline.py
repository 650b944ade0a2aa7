# SPDX-License-Identifier: MIT
"""`run --once`, `changes`, `digest`, `feeds` and `demo` as a user runs them (real processes)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from monitor.collecting.defaults import DEFAULT_FEEDS
from tests.support.httpserver import LocalServer
from tests.test_pipeline import serve_corpus


def monitor(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args], capture_output=True, text=True, timeout=180,
        env={**os.environ, **(env or {})}, cwd=cwd,
    )  # fmt: skip


@pytest.fixture
def configured(local_server: LocalServer, tmp_path: Path) -> Path:
    serve_corpus(local_server)
    config = tmp_path / "monitor.toml"
    config.write_text(
        f'database = "monitor.db"\n[[feed]]\nurl = "{local_server.url("/feed.xml")}"\n[digest]\npath = "digest.xml"\n',
        encoding="utf-8",
    )
    return config


def test_run_once_then_changes_and_digest(configured: Path, tmp_path: Path) -> None:
    run = monitor("run", "--once", "--config", str(configured), env={"MONITOR_DB": ""})
    assert run.returncode == 0, run.stderr
    summary = run.stdout.strip().splitlines()[-1]
    assert summary.startswith("1 feed polled (0 unchanged, 0 failed), 18 new articles")
    assert (tmp_path / "monitor.db").is_file() and (tmp_path / "digest.xml").is_file()

    listed = monitor("changes", "--json", "--config", str(configured))
    assert listed.returncode == 0, listed.stderr
    changes = json.loads(listed.stdout)["changes"]
    assert changes and all({"id", "first_seen", "sources", "summary", "after"} <= set(c) for c in changes)
    assert all(c["sources"] and c["sources"][0]["url"].startswith("http://127.0.0.1") for c in changes)

    out = tmp_path / "elsewhere.xml"
    written = monitor("digest", "--out", str(out), "--config", str(configured))
    assert written.returncode == 0, written.stderr
    signals = json.loads(monitor("signals", "--json", "--config", str(configured)).stdout)["signals"]
    entries = feedparser.parse(out.read_bytes()).entries
    assert [e.id for e in entries] == [c["id"] for c in changes] + [s["id"] for s in signals]
    assert all(e.title.startswith("Signal: ") for e in entries[len(changes) :])

    newest = json.loads(monitor("changes", "--json", "--limit", "2", "--config", str(configured)).stdout)["changes"]
    # newest first by the date each change happened (its claim's), then when it was first seen
    order = sorted(changes, key=lambda c: (c["happened_at"], c["first_seen"], c["id"]), reverse=True)
    assert len({c["happened_at"] for c in changes}) > 1, "one poll, several dates: the order is not the poll's"
    assert [c["id"] for c in newest] == [c["id"] for c in order[:2]] == [c["id"] for c in changes[:2]]
    text = monitor("changes", "--limit", "1", "--config", str(configured)).stdout
    assert text.startswith(order[0]["happened_at"]) and order[0]["summary"] in " ".join(text.split())
    target = changes[0]["id"]
    rejected = monitor("changes", "reject", target, "--why", "misread", "--config", str(configured))
    assert rejected.returncode == 0 and rejected.stdout.strip() == f"{target}: rejected; 0 pending alerts withdrawn"
    accepted = monitor("changes", "accept", changes[1]["id"], "--config", str(configured))
    assert accepted.stdout.strip() == f"{changes[1]['id']}: accepted"
    reviewed = {
        c["id"]: c["review"]
        for c in json.loads(monitor("changes", "--json", "--config", str(configured)).stdout)["changes"]
    }
    assert reviewed[target]["verdict"] == "rejected" and reviewed[target]["note"] == "misread"
    assert reviewed[changes[1]["id"]]["verdict"] == "accepted" and reviewed[changes[2]["id"]] is None
    unknown = monitor("changes", "accept", "chg_nope", "--config", str(configured))
    assert (
        unknown.returncode == 1
        and unknown.stderr.strip() == "monitor: error: chg_nope: no such change (see `monitor changes`)"
    )
    later = monitor("changes", "--json", "--since", "2999-01-01", "--config", str(configured))
    assert json.loads(later.stdout)["changes"] == []

    again = monitor("run", "--once", "--config", str(configured))
    assert again.returncode == 0 and "1 unchanged" in again.stdout and "0 changes flagged" in again.stdout


def test_feeds_add_list_remove(tmp_path: Path) -> None:
    env = {"MONITOR_DB": str(tmp_path / "feeds.db")}
    listed = monitor("feeds", "list", "--json", env=env, cwd=tmp_path)
    defaults = [f["url"] for f in json.loads(listed.stdout)["feeds"]]
    assert defaults == [url for url, _ in DEFAULT_FEEDS], "a fresh database lists the feeds a cycle will poll"
    assert monitor("feeds", "remove", defaults[0], env=env, cwd=tmp_path).returncode == 0
    assert "added" in monitor("feeds", "add", "https://example.org/rss.xml", env=env, cwd=tmp_path).stdout
    assert "already watched" in monitor("feeds", "add", "https://example.org/rss.xml", env=env, cwd=tmp_path).stdout
    listed = monitor("feeds", "list", "--json", env=env, cwd=tmp_path)
    assert [f["url"] for f in json.loads(listed.stdout)["feeds"]] == [*defaults[1:], "https://example.org/rss.xml"]
    assert monitor("feeds", "remove", "https://example.org/rss.xml", env=env, cwd=tmp_path).returncode == 0
    gone = monitor("feeds", "remove", "https://example.org/rss.xml", env=env, cwd=tmp_path)
    assert gone.returncode == 1 and "not a watched feed" in gone.stderr
    bad = monitor("feeds", "add", "ftp://example.org/x", env=env, cwd=tmp_path)
    assert bad.returncode == 1 and bad.stderr.strip() == "monitor: error: ftp://example.org/x: not an http(s) URL"


def test_removed_default_feeds_stay_removed(tmp_path: Path) -> None:
    env = {"MONITOR_DB": str(tmp_path / "feeds.db")}
    for url, _ in DEFAULT_FEEDS:
        assert monitor("feeds", "remove", url, env=env, cwd=tmp_path).returncode == 0
    listed = monitor("feeds", "list", env=env, cwd=tmp_path)
    assert listed.returncode == 0 and "No feed watched" in listed.stdout, "the defaults do not come back"


def test_run_without_once_and_a_bad_config_are_one_line_errors(tmp_path: Path) -> None:
    no_once = monitor("run", cwd=tmp_path, env={"MONITOR_DB": str(tmp_path / "x.db")})
    assert no_once.returncode == 1 and "--once" in no_once.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('interval = "soon"\n', encoding="utf-8")
    run = monitor("run", "--once", "--config", str(bad))
    assert run.returncode == 1 and len(run.stderr.strip().splitlines()) == 1 and "key 'interval'" in run.stderr


def test_demo_shows_the_product_without_internet(tmp_path: Path) -> None:
    run = monitor("demo", env={"MONITOR_DB": str(tmp_path / "must-not-be-touched.db")}, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "1 feed polled" in run.stdout and "changes flagged" in run.stdout
    assert "OpenAI compute from Oracle" in " ".join(run.stdout.split())
    assert not (tmp_path / "must-not-be-touched.db").exists()


def test_run_once_fails_when_every_feed_fails(local_server: LocalServer, tmp_path: Path) -> None:
    local_server.route("/down.xml", b"", status=503)
    config = tmp_path / "monitor.toml"
    config.write_text(f'database = "m.db"\n[[feed]]\nurl = "{local_server.url("/down.xml")}"\n', encoding="utf-8")
    run = monitor("run", "--once", "--config", str(config))
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.splitlines() == [
        "monitor: error: the only feed failed (HTTP 503 Service Unavailable; see `monitor feeds list`)"
    ], "one line, with the reason once; no hint about the internet when a server answered"


def test_run_once_with_no_reachable_feed_ends_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago, with nothing listening now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    feeds = "".join(f'[[feed]]\nurl = "http://127.0.0.1:{port}/{n}.xml"\n' for n in range(5))
    (tmp_path / "monitor.toml").write_text(f'database = "m.db"\n{feeds}', encoding="utf-8")
    run = monitor("run", "--once", cwd=tmp_path)
    assert run.returncode == 1 and run.stdout == ""
    [line] = run.stderr.splitlines()
    assert (
        line.startswith("monitor: error: all 5 feeds failed (unreachable (connection refused); ")
        and "monitor demo" in line
    )
