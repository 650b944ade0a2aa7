# SPDX-License-Identifier: MIT
"""The lock that refuses a second daemon, sd_notify, and JSON log lines."""

from __future__ import annotations

import json
import logging
import socket
from pathlib import Path

import pytest

from monitor.errors import MonitorError
from monitor.serving.logs import JsonFormatter
from monitor.serving.systemd import DatabaseLock, notify, watchdog_interval


def test_a_second_lock_on_the_same_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db.lock"
    with DatabaseLock(path), pytest.raises(MonitorError, match=r"another daemon runs on this database \(pid \d+\)"):
        DatabaseLock(path).acquire()
    with DatabaseLock(path):  # released: free again
        pass


def test_notify_sends_a_datagram_only_when_systemd_listens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert notify("READY=1") is False
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(tmp_path / "n.sock"))
        monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "n.sock"))
        assert notify("WATCHDOG=1") is True
        assert listener.recv(64) == b"WATCHDOG=1"


def test_watchdog_interval_is_half_of_watchdog_usec(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHDOG_USEC", "60000000")
    assert watchdog_interval() == 30
    monkeypatch.delenv("WATCHDOG_USEC")
    assert watchdog_interval() is None


def test_json_log_lines_lift_the_stable_keys() -> None:
    record = logging.LogRecord("monitor.collecting.poll", logging.WARNING, __file__, 1,
                               "feed failed feed_url=%s error=%s", ("https://x.org/rss", "HTTP 500"), None)  # fmt: skip
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING" and line["logger"] == "monitor.collecting.poll"
    assert line["feed_url"] == "https://x.org/rss" and line["message"].startswith("feed failed")


def test_apprise_stays_at_warning_when_the_service_logs_at_debug() -> None:
    """At DEBUG, Apprise's own loggers print the tokens of its URLs."""
    import logging

    from monitor.serving.logs import setup_logging

    setup_logging(level="DEBUG")
    try:
        assert logging.getLogger("apprise").getEffectiveLevel() >= logging.WARNING
        assert logging.getLogger("apprise.plugins.custom_json").getEffectiveLevel() >= logging.WARNING
    finally:
        setup_logging(level="WARNING")


def test_a_change_is_logged_as_flagged_only_once_committed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from monitor.judging import record
    from monitor.judging.baseline import build_baseline
    from rules.engine import Engine
    from storage import Store

    engine = Engine.load()
    store = Store.open(tmp_path / "m.db")
    feed, _ = store.add_feed("https://news.example/feed.xml")
    article = record.ArticleInput(
        feed_ids=(feed.id,), guid="g", url="https://news.example/a", title="Microsoft loses its right of first refusal",
        published="2025-10-29", text="Microsoft no longer has a right of first refusal on OpenAI's new compute.",
        content_hash="h",
    )  # fmt: skip

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the transaction fails after the change was written")

    monkeypatch.setattr(record, "_attach_confirmations", crash)
    with caplog.at_level(logging.INFO), pytest.raises(RuntimeError):
        record.record_article(store, engine, build_baseline(engine), article)
    assert store.changes() == [], "rolled back"
    assert not [r for r in caplog.records if "change flagged" in r.getMessage()], "nothing flagged, nothing said"
    monkeypatch.undo()
    with caplog.at_level(logging.INFO):
        flagged = record.record_article(store, engine, build_baseline(engine), article)
    assert flagged and any("change flagged" in r.getMessage() for r in caplog.records)
    store.close()
