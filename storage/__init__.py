# SPDX-License-Identifier: MIT
"""SQLite storage through sqlite-utils: the only package that speaks SQL.

One file in WAL mode (`db.py`), a schema grown by numbered migrations
(`migrations.py`), and the `Store` with one method per query the service
needs (`store.py`). The file opens as-is in the sqlite-utils CLI or
Datasette: plain tables, JSON kept as TEXT, times as UTC ISO 8601 text.

    store = Store.open("data/monitor.db")
    feed, created = store.add_feed("https://example.com/feed.xml")
"""

from __future__ import annotations

from storage.errors import StorageError
from storage.migrations import SCHEMA_VERSION
from storage.records import Article, Feed, StoredChange
from storage.store import Store

__all__ = ["SCHEMA_VERSION", "Article", "Feed", "Store", "StorageError", "StoredChange"]
