# SPDX-License-Identifier: MIT
"""Logging: one line per event on stderr, with stable keys (feed_url=, article_url=, change_id=…).

Text (default) or JSON lines; in JSON the message's `key=value` pairs are
lifted into fields, so `jq 'select(.feed_url == "…")'` finds a feed's events.
Not python-json-logger: it does not lift those pairs, and both formats here also redact URLs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys

from monitor.urls import redact_urls_in

_PAIR = re.compile(r"\b([a-z_]+)=(\S+)")


class TextFormatter(logging.Formatter):
    """One line of text; URLs in it redacted, whoever logged them (a library's message too)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_urls_in(super().format(record))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_urls_in(self._event(record))

    def _event(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        event = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            **dict(_PAIR.findall(message)),
        }
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


def setup_from_environment() -> None:
    """The `monitor` command's logging: `MONITOR_LOG_LEVEL` (default WARNING), `MONITOR_LOG_FORMAT=json`."""
    import os

    setup_logging(level=os.environ.get("MONITOR_LOG_LEVEL", "WARNING"),
                  json_lines=os.environ.get("MONITOR_LOG_FORMAT") == "json")  # fmt: skip


def setup_logging(*, level: str = "WARNING", json_lines: bool = False) -> None:
    """Route every logger to stderr at `level`, as text or JSON lines (replacing earlier setup)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))  # fmt: skip
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper() if level.upper() in logging.getLevelNamesMapping() else "WARNING")
    # apprise at DEBUG prints its URLs' tokens in forms no URL redaction recognises
    for noisy in ("httpx", "httpcore", "apscheduler.executors.default", "trafilatura", "htmldate", "apprise"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
