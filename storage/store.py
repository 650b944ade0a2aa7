# SPDX-License-Identifier: MIT
"""The Store: every query the service makes, one method each, and the only SQL in the project.

    store = Store.open("data/monitor.db")      # created, WAL, migrated
    store = Store.open("postgresql://monitor@db.example/monitor")   # the same, on PostgreSQL
    with store.transaction():
        article, created = store.add_article(...)
        store.add_claims(article.id, claims)

Writes that take several statements run in one transaction; callers group
more with `transaction()` (a nested one joins the outer). Any database failure
surfaces as a StorageError whose one line names the database (the file, or
the URL without its password). A lookup of a feed or run id that does not
exist is a caller's bug: LookupError.

The SQL here (and in outbox.py, leases.py, history.py) is the one text both engines run:
SQLite through sqlite-utils, PostgreSQL through psycopg (`storage.postgres`
rewrites the parameters, nothing else).
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Concatenate, ParamSpec, TypeVar

from storage.db import (
    Sql,
    SqliteConnection,
    as_sql,
    connect,
    connect_memory,
    is_read_only_error,
    open_read_only,
    reason,
    utc_iso,
    utc_now,
)
from storage.errors import StorageError
from storage.history import ListedChange, listed_changes, open_reader
from storage.leases import Leases
from storage.migrations import SCHEMA_VERSION, applied_version, migrate
from storage.outbox import Outbox
from storage.postgres_url import is_postgres_url
from storage.records import (
    Article,
    Feed,
    StoredChange,
    article_of,
    change_of,
    claim_of,
    claim_row,
    feed_of,
    happened_on,
    to_json,
)
from storage.signals import Signals

P = ParamSpec("P")
R = TypeVar("R")


def _guarded(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Turn a database failure (locked, disk full, constraint, connection lost) into a StorageError naming it."""

    @functools.wraps(method)
    def wrapper(self: Store, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except self.sql.errors as exc:
            raise self.error(exc) from exc

    return wrapper


class Store:
    """One database, SQLite or PostgreSQL: feeds, articles, claims, changes and runs."""

    def __init__(self, db: Any, *, path: str | None, read_only: bool = False) -> None:
        """Wrap an opened, migrated database (a `Sql`, or a sqlite-utils Database); use `Store.open`,
        `open_for_reading` or `Store.memory`."""
        self.sql: Sql = as_sql(db)
        self._db = db
        self.path = path
        self.engine = self.sql.engine
        self.read_only = read_only
        self.schema_version = applied_version(self.sql)
        self.outbox = Outbox(self)
        self.leases = Leases(self)
        self.signals = Signals(self)

    @property
    def db(self) -> Any:
        """The engine's own object, for tests and tools: sqlite-utils' Database on SQLite (made on first use,
        over the Store's own connection), a `SqliteReader` when opened for reading, `PgDatabase` on PostgreSQL."""
        if isinstance(self._db, SqliteConnection):
            import sqlite_utils

            self._db = sqlite_utils.Database(self._db.conn)
        return self._db

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, or_read_only: bool = False) -> Store:
        """The database at `path` (a SQLite file, or a `postgresql://` URL): created if missing
        (SQLite; WAL on), pending migrations run.

        A read-only database is a StorageError saying so; with `or_read_only` (commands
        that only read) it is opened for reading instead, if its schema is current.
        """
        if is_postgres_url(path):
            return cls._open_postgres(str(path))
        name = os.fspath(path)
        try:
            db = connect(path)
        except (sqlite3.DatabaseError, OSError) as exc:
            if not is_read_only_error(exc, path):
                raise StorageError(f"{name}: cannot open the database ({reason(exc)})") from exc
            if not or_read_only:
                raise StorageError(f"{name}: the database is read-only ({reason(exc)})") from exc
            return cls._open_read_only(name)
        try:
            migrate(db)
        except sqlite3.DatabaseError as exc:
            db.close()
            raise StorageError(f"{name}: cannot migrate the database ({reason(exc)})") from exc
        except StorageError:
            db.close()
            raise
        return cls(db, path=name)

    @classmethod
    def open_for_reading(cls, path: str | os.PathLike[str]) -> Store:
        """The database at `path` for a command that only reads: a SQLite file at the current schema is
        opened read-only with the standard library alone (no sqlite-utils, no write lock, no migration
        check beyond the version); anything else — a missing file, an older schema, PostgreSQL, a
        read-only mount — is `open(path, or_read_only=True)`, which creates, migrates or explains."""
        reader = open_reader(path)
        if reader is not None:
            return cls(reader, path=reader.name, read_only=True)
        return cls.open(path, or_read_only=True)  # it creates, migrates or names what is wrong

    @classmethod
    def _open_postgres(cls, url: str) -> Store:
        from storage.postgres import ERRORS, PgDatabase, redact

        try:
            db = PgDatabase.connect(url)
        except ERRORS as exc:
            raise StorageError(f"{redact(url)}: cannot open the database ({reason(exc)})") from exc
        try:
            migrate(db)
        except ERRORS as exc:
            db.close()
            raise StorageError(f"{db.name}: cannot migrate the database ({reason(exc)})") from exc
        except StorageError:
            db.close()
            raise
        return cls(db, path=db.name)

    @classmethod
    def _open_read_only(cls, name: str) -> Store:
        try:
            db = open_read_only(name)
            version = applied_version(db)
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{name}: cannot open the read-only database ({reason(exc)})") from exc
        if version != SCHEMA_VERSION:
            db.close()
            raise StorageError(f"{name}: the database is read-only and at schema {version}, not {SCHEMA_VERSION}: "
                               "open it once where it can be written, to upgrade it")  # fmt: skip
        return cls(db, path=name, read_only=True)

    @classmethod
    def memory(cls) -> Store:
        """A migrated in-memory database, for tests and dry runs."""
        db = connect_memory()
        migrate(db)
        return cls(db, path=None)

    def close(self) -> None:
        self.sql.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def error(self, exc: BaseException) -> StorageError:
        """A StorageError for `exc`, one line naming this database."""
        return StorageError(f"{self.path or ':memory:'}: {reason(exc)}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction around the block; inside another, a savepoint that joins it."""
        try:
            with self.sql.transaction():
                yield
        except self.sql.errors as exc:
            raise self.error(exc) from exc

    def lock_keys(self, keys: list[tuple[str, str]]) -> None:
        """Inside a transaction: hold each (facet, key) until it ends, so that two daemons recording
        reports of one facet and key take turns (SQLite's write lock already does it)."""
        self.sql.advisory_lock(*(f"state:{facet}:{key}" for facet, key in keys))

    @_guarded
    def probe_writable(self, *, timeout_s: float) -> None:
        """StorageError unless the database takes a write now, within `timeout_s` (/healthz): the write
        lock on SQLite; on PostgreSQL, a server that answers and is neither a standby nor read-only."""
        with self.transaction():
            if self.engine != "postgresql":
                return  # BEGIN IMMEDIATE took the lock
            self.sql.execute(f"SET LOCAL statement_timeout = {max(1, int(timeout_s * 1000))}")
            row = next(self.sql.query("SELECT pg_is_in_recovery() AS standby, current_setting('transaction_read_only')"
                                      " AS read_only"))  # fmt: skip
            if row["standby"] or row["read_only"] == "on":
                raise StorageError(f"{self.path}: the database is read-only (a standby, or read-only transactions)")

    # feeds

    @_guarded
    def add_feed(self, url: str, *, title: str | None = None, interval_s: int | None = None) -> tuple[Feed, bool]:
        """The feed at `url` and whether it was added now; an existing feed is returned unchanged."""
        with self.transaction():
            cursor = self.sql.execute(
                "INSERT INTO feeds (url, title, interval_s, added_at) VALUES (?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
                [url, title, interval_s, utc_now()],
            )
            feed = self._feed_where("url = ?", url)
        return feed, cursor.rowcount == 1

    @_guarded
    def add_feeds(self, feeds: list[tuple[str, int | None]]) -> None:
        """Add each (url, interval_s) not watched yet, in one statement; existing feeds stay unchanged."""
        now = utc_now()
        with self.transaction():
            self.sql.executemany(
                "INSERT INTO feeds (url, interval_s, added_at) VALUES (?, ?, ?) ON CONFLICT (url) DO NOTHING",
                [(url, interval_s, now) for url, interval_s in feeds],
            )

    @_guarded
    def remove_feed(self, url: str) -> bool:
        """Remove the feed and its links to articles (the articles stay); False if it was unknown."""
        return self.sql.execute("DELETE FROM feeds WHERE url = ?", [url]).rowcount > 0

    @_guarded
    def add_default_feeds(self, feeds: list[tuple[str, str]]) -> list[Feed]:
        """Add `feeds` (url, title) to a database that has never had a feed, once in its life: a default
        feed the user removed stays removed. The feeds added now."""
        with self.transaction():
            self.sql.advisory_lock("settings:default_feeds_seeded")  # two daemons starting at once seed once
            if self._setting("default_feeds_seeded") is not None or _first(self.sql.query("SELECT 1 FROM feeds")):
                return []
            self.sql.execute("INSERT INTO settings (name, value) VALUES ('default_feeds_seeded', ?)", [utc_now()])
            return [feed for url, title in feeds for feed, created in [self.add_feed(url, title=title)] if created]

    def _setting(self, name: str) -> str | None:
        row = _first(self.sql.query("SELECT value FROM settings WHERE name = ?", [name]))
        return row["value"] if row else None

    @_guarded
    def feeds(self) -> list[Feed]:
        return [feed_of(row) for row in self.sql.query("SELECT * FROM feeds ORDER BY id")]

    @_guarded
    def feed(self, url: str) -> Feed | None:
        row = _first(self.sql.query("SELECT * FROM feeds WHERE url = ?", [url]))
        return feed_of(row) if row else None

    @_guarded
    def record_poll(
        self,
        feed_id: int,
        *,
        status: int | None,
        error: str | None,
        etag: str | None = None,
        last_modified: str | None = None,
        next_check: str | None = None,
        title: str | None = None,
    ) -> Feed:
        """Record one poll of a feed and return it updated.

        Success (`error` None) resets the error count and stores the validators
        given, keeping the stored ones for None (a 304 sends none). Failure
        counts one more error and keeps the validators, so the next poll is
        still conditional.
        """
        params = {
            "id": feed_id,
            "status": status,
            "error": error,
            "etag": etag,
            "last_modified": last_modified,
            "next_check": next_check,
            "title": title,
            "now": utc_now(),
        }
        with self.transaction():
            if self.sql.execute(_RECORD_POLL, params).rowcount == 0:
                raise LookupError(f"no feed with id {feed_id}")
            return self._feed_where("id = ?", feed_id)

    @_guarded
    def record_polls(self, polls: list[dict[str, Any]]) -> None:
        """`record_poll` for many feeds in one transaction and one statement (a cycle's thousand
        304s cost one write, not a thousand); each dict has `record_poll`'s arguments and `id`."""
        now = utc_now()
        params = [{"etag": None, "last_modified": None, "next_check": None, "title": None, **poll, "now": now}
                  for poll in polls]  # fmt: skip
        with self.transaction():
            self.sql.executemany(_RECORD_POLL, params)

    # articles

    @_guarded
    def set_failing(self, feed_id: int, since: str | None) -> None:
        """Mark the feed failing since `since`, or recovered (None)."""
        self.sql.execute("UPDATE feeds SET failing_since = ? WHERE id = ?", [since, feed_id])

    @_guarded
    def find_article(
        self, *, guid: str | None = None, url: str | None = None, content_hash: str | None = None
    ) -> Article | None:
        """The stored article with this guid, else this URL, else this content hash."""
        for column, value in (("guid", guid), ("url", url), ("content_hash", content_hash)):
            if value:
                row = _first(self.sql.query(f"SELECT * FROM articles WHERE {column} = ? ORDER BY id LIMIT 1", [value]))
                if row:
                    return article_of(row)
        return None

    @_guarded
    def add_article(
        self,
        *,
        guid: str | None,
        url: str | None,
        content_hash: str,
        title: str,
        published: str | None,
        lang: str,
        text: str,
        feed_id: int | None,
    ) -> tuple[Article, bool]:
        """The article and whether it is new: one already stored (same guid, URL or content) gains the feed."""
        with self.transaction():
            # Two daemons storing one article (two feeds carry it) take turns: the second finds it
            self.sql.advisory_lock(*(f"article:{name}:{value}" for name, value in
                                     (("guid", guid), ("url", url), ("hash", content_hash)) if value))  # fmt: skip
            article = self.find_article(guid=guid, url=url, content_hash=content_hash)
            created = article is None
            if article is None:
                params = [guid, url, content_hash, title, published, lang, text, utc_now()]
                article = article_of(next(self.sql.query(_INSERT_ARTICLE, params)))
            if feed_id is not None:
                self.link_feed(article.id, feed_id)
        return article, created

    @_guarded
    def link_feed(self, article_id: int, feed_id: int) -> None:
        """Record that `feed_id` carried the article (again is fine)."""
        self.sql.execute(
            "INSERT INTO article_feeds (article_id, feed_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [article_id, feed_id],
        )

    @_guarded
    def article_feed_urls(self, article_id: int) -> list[str]:
        """The URLs of the feeds that carried the article, in the order the feeds were added."""
        rows = self.sql.execute(
            "SELECT feeds.url FROM article_feeds JOIN feeds ON feeds.id = article_feeds.feed_id"
            " WHERE article_feeds.article_id = ? ORDER BY feeds.id",
            [article_id],
        )
        return [url for (url,) in rows]

    @_guarded
    def add_claims(self, article_id: int, claims: list[dict[str, Any]]) -> None:
        """Store the claims read in an article: facet, key, status, values, hedged, when, evidence, verdict."""
        if claims:
            rows = [claim_row(article_id, claim) for claim in claims]
            columns = list(rows[0])
            self.sql.executemany(
                f"INSERT INTO claims ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})", rows
            )

    @_guarded
    def claims_of(self, article_id: int) -> list[dict[str, Any]]:
        """The article's claims in the order stored, in the shape `add_claims` took them."""
        rows = self.sql.query("SELECT * FROM claims WHERE article_id = ? ORDER BY id", [article_id])
        return [claim_of(row) for row in rows]

    @_guarded
    def evidence_sentences(self) -> list[str]:
        """Every claim's evidence sentence ever stored, once each: what a signal must be new against."""
        return [
            r["evidence"] for r in self.sql.query("SELECT DISTINCT evidence FROM claims WHERE evidence IS NOT NULL")
        ]

    # changes

    @_guarded
    def add_change(self, change: dict[str, Any], *, article_id: int) -> bool:
        """Store a flagged change with its first source; False (the source only attached) if the id exists.

        `change`: id, facet, key, kind, before (dict or None), after (dict),
        severity, summary, hedged, and optionally first_seen (default: now) and happened_at (default:
        `happened_on` the claim's date, the article's publication, first_seen).
        """
        first_seen = utc_iso(change["first_seen"]) if change.get("first_seen") else utc_now()
        row = {
            "id": change["id"],
            "facet": change["facet"],
            "key": change["key"],
            "kind": change["kind"],
            "before": to_json(change.get("before")),
            "after": to_json(change["after"]),
            "severity": change["severity"],
            "summary": change["summary"],
            "first_seen": first_seen,
            "hedged": int(bool(change.get("hedged"))),
        }
        with self.transaction():
            published = _first(self.sql.query("SELECT published FROM articles WHERE id = ?", [article_id]))
            row["happened_at"] = change.get("happened_at") or happened_on(
                str(change["after"].get("when") or ""), published["published"] if published else None, first_seen
            )
            cursor = self.sql.execute(_INSERT_CHANGE, row)
            self.attach_source(row["id"], article_id)
        return cursor.rowcount == 1

    @_guarded
    def attach_source(self, change_id: str, article_id: int) -> bool:
        """Add an article reporting the change; False when it already was a source."""
        cursor = self.sql.execute(
            "INSERT INTO change_sources (change_id, article_id, attached_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [change_id, article_id, utc_now()],
        )
        return cursor.rowcount == 1

    @_guarded
    def changes(
        self,
        *,
        since: str | None = None,
        newest_first: bool = False,
        limit: int | None = None,
        offset: int = 0,
        only: ChangeFilter | None = None,
    ) -> list[StoredChange]:
        """The changes oldest first in the order they were first seen (then by id): the order the known
        state grew in; or, `newest_first`, the order lists show, by when each happened (then first seen,
        then id), newest first. `since` (ISO date or datetime) keeps first_seen >= it, `only` those it
        selects; `limit` and `offset` take one page."""
        where, params = _change_where(since, only)
        order = "happened_at DESC, first_seen DESC, id DESC" if newest_first else "first_seen, id"
        page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
        selected = f"FROM changes {where} ORDER BY {order} {page}"
        rows = list(self.sql.query(f"SELECT * {selected}", params))
        sources = self._sources(f"SELECT id {selected}", params)
        return [change_of(row, sources.get(row["id"], [])) for row in rows]

    @_guarded
    def listed_changes(
        self, *, since: str | None = None, limit: int | None = None, claims: bool = True
    ) -> list[ListedChange]:
        """The changes as `monitor changes` lists them, newest first, with their sources and delivery
        (`storage.history.listed_changes`: plain rows, nothing decoded)."""
        return listed_changes(self.sql, since=since, limit=limit, claims=claims)

    @_guarded
    def changes_on(self, keys: list[tuple[str, str]]) -> list[StoredChange]:
        """The changes on these (facet, key) pairs, oldest first (as `changes`)."""
        if not keys:
            return []
        where = " OR ".join(["(facet = ? AND key = ?)"] * len(keys))
        params = [value for pair in keys for value in pair]
        selected = f"SELECT id FROM changes WHERE {where}"
        rows = list(self.sql.query(f"SELECT * FROM changes WHERE {where} ORDER BY first_seen, id", params))
        sources = self._sources(selected, params)
        return [change_of(row, sources.get(row["id"], [])) for row in rows]

    @_guarded
    def change_count(self, *, since: str | None = None, only: ChangeFilter | None = None) -> int:
        where, params = _change_where(since, only)
        return int(self.sql.execute(f"SELECT count(*) FROM changes {where}", params).fetchone()[0])

    @_guarded
    def changes_mark(self) -> tuple[int, str, str]:
        """(how many changes, the latest, the latest review): it moves when a change is flagged or reviewed."""
        row = self.sql.execute("SELECT count(*), max(first_seen || id), max(reviewed_at) FROM changes").fetchone()
        return int(row[0]), str(row[1] or ""), str(row[2] or "")

    @_guarded
    def review_change(self, change_id: str, verdict: str, *, note: str | None = None) -> StoredChange | None:
        """Record an analyst's verdict ("accepted" or "rejected") on a change; a rejected one's pending
        alerts are withdrawn in the same transaction. None if there is no such change."""
        if verdict not in ("accepted", "rejected"):
            raise ValueError(f"review: {verdict!r} is not accepted or rejected")
        with self.transaction():
            cursor = self.sql.execute(
                "UPDATE changes SET review = ?, review_note = ?, reviewed_at = ? WHERE id = ?",
                [verdict, note, utc_now(), change_id],
            )
            if cursor.rowcount == 0:
                return None
            if verdict == "rejected":
                self.outbox.withdraw(change_id, reason=f"change rejected: {note}" if note else "change rejected")
        return self.change(change_id)

    @_guarded
    def flaggable_id(self, change_id: str) -> str:
        """`change_id`, or, when a change of that id was rejected, the next id for a new report of it
        (`<id>.2`, `<id>.3`…): a rejected change may be flagged again, under an id of its own."""
        candidate, n = change_id, 1
        while True:
            row = _first(self.sql.query("SELECT review FROM changes WHERE id = ?", [candidate]))
            if row is None or row["review"] != "rejected":
                return candidate
            n += 1
            candidate = f"{change_id}.{n}"

    @_guarded
    def change(self, change_id: str) -> StoredChange | None:
        row = _first(self.sql.query("SELECT * FROM changes WHERE id = ?", [change_id]))
        if row is None:
            return None
        return change_of(row, self._sources("SELECT ?", [change_id]).get(change_id, []))

    # runs

    @_guarded
    def start_run(self) -> int:
        """Open a run row (its counts stay NULL until `finish_run`, so a crashed run shows as such)."""
        return int(next(self.sql.query("INSERT INTO runs (started_at) VALUES (?) RETURNING id", [utc_now()]))["id"])

    @_guarded
    def finish_run(
        self,
        run_id: int,
        *,
        feeds_polled: int,
        feeds_unchanged: int,
        feeds_failed: int,
        articles_new: int,
        changes_flagged: int,
        error: str | None = None,
    ) -> None:
        params = {
            "id": run_id,
            "finished_at": utc_now(),
            "feeds_polled": feeds_polled,
            "feeds_unchanged": feeds_unchanged,
            "feeds_failed": feeds_failed,
            "articles_new": articles_new,
            "changes_flagged": changes_flagged,
            "error": error,
        }
        if self.sql.execute(_FINISH_RUN, params).rowcount == 0:
            raise LookupError(f"no run with id {run_id}")

    @_guarded
    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The latest runs, newest first, as plain rows."""
        return list(self.sql.query("SELECT * FROM runs ORDER BY id DESC LIMIT ?", [limit]))

    # helpers

    def _feed_where(self, condition: str, value: object) -> Feed:
        row = _first(self.sql.query(f"SELECT * FROM feeds WHERE {condition}", [value]))
        if row is None:
            raise LookupError(f"no feed where {condition} ({value!r})")
        return feed_of(row)

    def _sources(self, change_ids_sql: str, params: list[Any]) -> dict[str, list[dict[str, Any]]]:
        """Sources of the changes `change_ids_sql` selects, in one query: {change id: [source, …]}."""
        rows = self.sql.query(_SOURCES.format(change_ids=change_ids_sql), params)
        out: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            out.setdefault(row.pop("change_id"), []).append(row)
        return out


@dataclass(frozen=True)
class ChangeFilter:
    """Which changes to list: each field set narrows the list; `source` is part of a source's URL."""

    facet: str | None = None
    kind: str | None = None
    severity: str | None = None
    reviewed: bool | None = None
    source: str | None = None


def _change_where(since: str | None, only: ChangeFilter | None) -> tuple[str, list[Any]]:
    clauses, params = [], []
    if since:
        clauses.append("first_seen >= ?")
        params.append(utc_iso(since))
    only = only or ChangeFilter()
    for column in ("facet", "kind", "severity"):
        if getattr(only, column):
            clauses.append(f"{column} = ?")
            params.append(getattr(only, column))
    if only.reviewed is not None:
        clauses.append("review IS NOT NULL" if only.reviewed else "review IS NULL")
    if only.source:
        clauses.append("id IN (SELECT change_id FROM change_sources JOIN articles ON articles.id = article_id "
                       "WHERE instr(lower(articles.url), lower(?)) > 0)")  # fmt: skip
        params.append(only.source)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _first(rows: Iterator[dict[str, Any]]) -> dict[str, Any] | None:
    return next(iter(rows), None)


_RECORD_POLL = """
UPDATE feeds SET
    consecutive_errors = CASE WHEN :error IS NULL THEN 0 ELSE consecutive_errors + 1 END,
    last_error = :error,
    etag = CASE WHEN :error IS NULL THEN coalesce(:etag, etag) ELSE etag END,
    last_modified = CASE WHEN :error IS NULL THEN coalesce(:last_modified, last_modified) ELSE last_modified END,
    next_check = coalesce(:next_check, next_check),
    title = coalesce(:title, title),
    last_status = :status,
    last_polled = :now
WHERE id = :id
"""

# RETURNING hands back the row as stored (id, fetched_at) without a second query
_INSERT_ARTICLE = """
INSERT INTO articles (guid, url, content_hash, title, published, lang, text, fetched_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
RETURNING *
"""

_INSERT_CHANGE = """
INSERT INTO changes (id, facet, key, kind, before, after, severity, summary, first_seen, hedged, happened_at)
VALUES (:id, :facet, :key, :kind, :before, :after, :severity, :summary, :first_seen, :hedged, :happened_at)
ON CONFLICT (id) DO NOTHING
"""

_FINISH_RUN = """
UPDATE runs SET
    finished_at = :finished_at,
    feeds_polled = :feeds_polled,
    feeds_unchanged = :feeds_unchanged,
    feeds_failed = :feeds_failed,
    articles_new = :articles_new,
    changes_flagged = :changes_flagged,
    error = :error
WHERE id = :id
"""

# Oldest source first: attachment order (rowid breaks ties within the same second)
_SOURCES = """
SELECT change_sources.change_id, articles.url, articles.title, articles.published
FROM change_sources JOIN articles ON articles.id = change_sources.article_id
WHERE change_sources.change_id IN ({change_ids})
ORDER BY change_sources.change_id, change_sources.attached_at, change_sources.rowid
"""
