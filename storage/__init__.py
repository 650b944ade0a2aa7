# SPDX-License-Identifier: MIT
"""Storage, SQLite (through sqlite-utils) or PostgreSQL (through psycopg 3): the only package that speaks SQL.

One SQLite file in WAL mode (`db.py`) or one PostgreSQL database (`postgres.py`,
a connection pool), a schema grown by numbered migrations written once for both
(`migrations.py`), and the `Store` with one method per query the service needs
(`store.py`; the outbox in `outbox.py`, feed leases and daemons in `leases.py`, the rows
`monitor changes` lists in `history.py`, which reads a SQLite file without the Store).
Plain tables, JSON kept as TEXT, times as UTC ISO 8601 text, on either engine:
the SQLite file opens as-is in the sqlite-utils CLI or Datasette.

    store = Store.open("data/monitor.db")                        # or "postgresql://monitor@db/monitor"
    feed, created = store.add_feed("https://example.com/feed.xml")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from storage.errors import StorageError

if TYPE_CHECKING:
    from storage.migrations import SCHEMA_VERSION
    from storage.records import Article, Feed, StoredChange
    from storage.signals import StoredSignal
    from storage.store import ChangeFilter, Store

__all__ = ["SCHEMA_VERSION", "Article", "ChangeFilter", "Feed", "Store", "StorageError", "StoredChange",
           "StoredSignal"]  # fmt: skip
_LAZY = {"SCHEMA_VERSION": "storage.migrations", "Article": "storage.records", "Feed": "storage.records",
         "StoredChange": "storage.records", "Store": "storage.store", "ChangeFilter": "storage.store",
         "StoredSignal": "storage.signals"}  # fmt: skip


def __getattr__(name: str) -> Any:
    """The Store and its records are imported when first used: `storage.errors` alone (which every
    error message of the service needs) does not load sqlite-utils (PEP 562)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'storage' has no attribute {name!r}")
