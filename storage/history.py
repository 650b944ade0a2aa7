# SPDX-License-Identifier: MIT
"""The history as `monitor changes` lists it: every change with its sources and delivery, as plain rows.

A listing prints thousands of changes at once and nothing else, so it reads them in three queries
(the changes, all their sources, all their alerts' states) into `ListedChange` tuples: no
`StoredChange`, nothing decoded, no row made a dict first. A SQLite file at the current schema is
read through `SqliteReader` (`open_reader`), without the Store and what it imports; the Store reads
the same rows from any database (`Store.listed_changes`).

    reader = open_reader("data/monitor.db")            # None: not a current SQLite file, ask the Store
    with reader:
        listed = read_listed(reader, since="2025-10-01", limit=50)
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any, NamedTuple

from storage.db import Sql, SqliteReader, reason, utc_iso
from storage.errors import StorageError
from storage.migrations import SCHEMA_VERSION, applied_version
from storage.postgres_url import is_postgres_url


class ListedChange(NamedTuple):
    """A change as listed: its columns as stored (`before_json` and `after_json` undecoded, as in
    `StoredChange`; None where the text listing does not read them), its sources oldest first, and
    its delivery state per channel."""

    id: str
    facet: str | None
    key: str | None
    kind: str
    before_json: str | None
    after_json: str | None
    severity: str
    summary: str
    first_seen: str
    happened_at: str | None
    review: str | None
    review_note: str | None
    reviewed_at: str | None
    sources: list[dict[str, Any]]  # [{"url", "title", "published"}], as `StoredChange.sources`
    delivery: dict[str, str]  # {channel: status}, as `Outbox.states`


def open_reader(path: str | os.PathLike[str]) -> SqliteReader | None:
    """The SQLite file at `path` opened for reading with the standard library alone, if it is one at the
    current schema; else None (a missing file, an older schema, PostgreSQL, not a database): the
    Store opens those (`Store.open`), creating, migrating or saying what is wrong."""
    if is_postgres_url(path) or not os.path.isfile(path):
        return None
    try:
        reader = SqliteReader(path)
    except sqlite3.DatabaseError:
        return None
    try:
        current = applied_version(reader) == SCHEMA_VERSION
    except sqlite3.DatabaseError:
        current = False
    if not current:
        reader.close()
        return None
    return reader


def read_listed(
    reader: SqliteReader, *, since: str | None = None, limit: int | None = None, claims: bool = True
) -> list[ListedChange]:
    """`listed_changes` from a reader `open_reader` gave; a failure is a StorageError naming the file,
    as the Store names it."""
    try:
        return listed_changes(reader, since=since, limit=limit, claims=claims)
    except reader.errors as exc:
        raise StorageError(f"{reader.name}: {reason(exc)}") from exc


def listed_changes(
    sql: Sql, *, since: str | None = None, limit: int | None = None, claims: bool = True
) -> list[ListedChange]:
    """The changes newest first, as lists show them (by when each happened, then first seen, then id):
    `since` (ISO date or datetime) keeps those first seen on or after it, `limit` the newest N.
    Without `claims`, the columns only the JSON listing shows are not read (facet, key, before, after
    and reviewed_at are None): the text listing reads 8 columns a change, not 13 (4 % of its time).
    Three queries whatever the count; raises what the engine raises (`sql.errors`)."""
    where, params = ("WHERE first_seen >= ?", [utc_iso(since)]) if since else ("", [])
    page = f"LIMIT {int(limit)}" if limit is not None else ""
    selected = f"FROM changes {where} ORDER BY happened_at DESC, first_seen DESC, id DESC {page}"
    rows = sql.execute(f"SELECT {_COLUMNS if claims else _TEXT_COLUMNS} {selected}", params).fetchall()
    if not claims:
        rows = [_without_claims(row) for row in rows]
    sources: dict[str, list[dict[str, Any]]] = {}
    for change_id, url, title, published in sql.execute(
        _SOURCES.format(articles=_ARTICLES[sql.engine], selected=selected), params
    ):
        sources.setdefault(change_id, []).append({"url": url, "title": title, "published": published})
    delivery: dict[str, dict[str, str]] = {}
    for change_id, channel, status in sql.execute(_DELIVERY.format(selected=selected), params):
        delivery.setdefault(change_id, {})[channel] = status
    return [ListedChange._make((*row, sources.get(row[0], []), delivery.get(row[0], {}))) for row in rows]


# `ListedChange`'s fields up to its sources, in order
_COLUMNS = ("id, facet, key, kind, before, after, severity, summary, first_seen, happened_at, "
            "review, review_note, reviewed_at")  # fmt: skip
_TEXT_COLUMNS = "id, kind, severity, summary, first_seen, happened_at, review, review_note"


def _without_claims(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row of `_TEXT_COLUMNS` in the places of `_COLUMNS`, None in the others."""
    change_id, kind, severity, summary, first_seen, happened_at, review, review_note = row
    return (change_id, None, None, kind, None, None, severity, summary, first_seen, happened_at,
            review, review_note, None)  # fmt: skip


# Oldest source first: attachment order (rowid breaks ties within the same second), as `Store.changes`
_SOURCES = """
SELECT change_sources.change_id, articles.url, articles.title, articles.published
FROM change_sources JOIN {articles} ON articles.id = change_sources.article_id
WHERE change_sources.change_id IN (SELECT id {selected})
ORDER BY change_sources.change_id, change_sources.attached_at, change_sources.rowid
"""
# SQLite finds an article by its rowid unless told to read the index holding the columns (migration 9)
_ARTICLES = {"sqlite": "articles INDEXED BY idx_articles_listed", "postgresql": "articles"}

# As `Outbox.states`: the channels in the order they were first queued, each one's latest alert its state
_DELIVERY = """
SELECT change_id, channel, status FROM alerts
WHERE change_id IN (SELECT id {selected})
ORDER BY change_id, rowid
"""
