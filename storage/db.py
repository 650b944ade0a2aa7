# SPDX-License-Identifier: MIT
"""Opening the database: one SQLite file in WAL mode, with the pragmas every connection needs.

WAL lets the digest, Datasette or the sqlite-utils CLI read while a cycle
writes. Foreign keys are off by default in SQLite and are a per-connection
setting, so every opening turns them on; the busy timeout makes a second
writer wait for the lock instead of failing at once.

    sql = connect("data/monitor.db")      # what the Store writes through: the standard library's sqlite3
    db = open_database("data/monitor.db")  # the same file as a sqlite-utils Database (tests, tools)

Times live in the database as UTC ISO 8601 text with seconds
(`2025-10-01T12:00:00+00:00`): they sort as text, read as text in Datasette,
and `utc_now()` is the one place that makes them.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import sqlite_utils

BUSY_TIMEOUT_MS = 5_000
READER_MMAP_BYTES = 1 << 31  # how much of a file `SqliteReader` maps (SQLite caps it at its build's maximum)


def open_database(path: str | os.PathLike[str], *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite_utils.Database:
    """The database at `path`, created if missing, in WAL mode. Its directory must exist: a
    mistyped path is an error, never a tree of new directories.

    Raises `OSError` (no such directory) or `sqlite3.DatabaseError` (not a database,
    unreadable, locked); `Store.open` turns both into a `StorageError`.
    """
    import sqlite_utils  # here, not at the top: a listing reads through `SqliteReader` without it (0.1 s)

    if not Path(path).parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"directory {Path(path).parent} does not exist")
    db = sqlite_utils.Database(Path(path))
    try:
        _configure(db, busy_timeout_ms=busy_timeout_ms)
        # The first statement that reads the file: garbage fails here, not at connect
        db.enable_wal()
    except (sqlite3.DatabaseError, OSError):
        db.close()
        raise
    return db


def open_read_only(path: str | os.PathLike[str]) -> sqlite_utils.Database:
    """The database at `path` for reading only, on a read-only file or file system.

    A WAL database normally needs its -shm file written even to be read; where
    that cannot be (a read-only mount), it is opened as immutable: no lock is
    taken, which is right for a file nothing can write. Raises like `open_database`.
    """
    import sqlite_utils

    uri = Path(path).absolute().as_uri()
    last: sqlite3.Error | None = None
    for mode in ("mode=ro", "immutable=1"):
        conn = sqlite3.connect(f"{uri}?{mode}", uri=True)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            conn.close()
            last = exc
            continue
        db = sqlite_utils.Database(conn)
        db.execute("PRAGMA foreign_keys = ON")
        return db
    assert last is not None
    raise last


def is_read_only_error(exc: BaseException, path: str | os.PathLike[str]) -> bool:
    """Whether opening `path` for writing failed because the file or its file system is read-only."""
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return True
    message = str(exc).lower()
    if "readonly" in message or "read-only" in message:
        return True
    # SQLite only says "unable to open database file" when it cannot create the WAL's files beside it
    file = Path(path)
    return "unable to open" in message and file.is_file() and not os.access(file.parent, os.W_OK)


def _configure(db: sqlite_utils.Database, *, busy_timeout_ms: int) -> None:
    _configure_connection(db.conn, busy_timeout_ms=busy_timeout_ms)


def _configure_connection(conn: sqlite3.Connection, *, busy_timeout_ms: int) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    # In WAL mode NORMAL cannot corrupt the file; a power cut may only lose the last commits
    conn.execute("PRAGMA synchronous = NORMAL")


def database_file(conn: sqlite3.Connection) -> str:
    """The file behind `conn`, or ':memory:': the name error messages give."""
    for row in conn.execute("PRAGMA database_list").fetchall():
        if row[1] == "main":
            return str(row[2]) or ":memory:"
    return ":memory:"


@contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, taking the write lock at BEGIN.

    A deferred transaction that reads, then writes, fails with SQLITE_BUSY in
    WAL mode when another connection wrote in between, and the busy timeout
    cannot help it; taking the lock first makes it wait its turn instead.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.DatabaseError:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class Sql(Protocol):
    """What the Store, the outbox and the migrations use of a database, on either engine
    (`SqliteDatabase` here, `storage.postgres.PgDatabase`)."""

    engine: str  # "sqlite" or "postgresql"
    name: str  # what error messages name: the file, or the URL without its password
    errors: tuple[type[BaseException], ...]  # what the engine raises

    @property
    def in_transaction(self) -> bool: ...
    def transaction(self) -> AbstractContextManager[None]: ...
    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ...) -> Any: ...
    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ...) -> Iterator[dict[str, Any]]: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> None: ...
    def executescript(self, sql: str) -> None: ...
    def table_exists(self, name: str) -> bool: ...
    def advisory_lock(self, *keys: str) -> None: ...
    def close(self) -> None: ...


class SqliteDatabase:
    """A sqlite-utils Database behind the surface `storage.postgres.PgDatabase` also offers, so that the
    Store, the outbox and the migrations speak to either engine the same way. `db` is the sqlite-utils
    Database itself (tests and tools read it directly)."""

    engine = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.name = database_file(db.conn)

    def close(self) -> None:
        self.db.close()

    @property
    def in_transaction(self) -> bool:
        return self.db.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (the lock taken at BEGIN); inside another, a savepoint that joins it."""
        if self.db.conn.in_transaction:
            with self.db.atomic():  # the savepoint undoes only this block on error; the outer one commits
                yield
        else:
            with immediate(self.db.conn):
                yield

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[dict[str, Any]]:
        return self.db.query(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> None:
        self.db.conn.executemany(sql, rows)

    def executescript(self, sql: str) -> None:
        # executescript inside a transaction runs statement by statement, without sqlite3's implicit COMMIT
        self.db.executescript(sql)

    def table_exists(self, name: str) -> bool:
        return self.db.table(name).exists()

    def advisory_lock(self, *keys: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already lets one writer at a time in."""


class SqliteConnection:
    """The `Sql` surface on the standard library's sqlite3 alone, keeping sqlite-utils' transaction rules,
    on which the Store's crash safety rests: the Store writes through it, without importing sqlite-utils
    (0.05 s of every command; `store.db` still gives the sqlite-utils Database, made when first asked).

    - `execute` of a write outside a transaction commits it at once; a failed one leaves no transaction open;
    - `query` runs inside a savepoint, so a statement that returns no rows is undone before the ValueError
      (a row-returning write, `INSERT … RETURNING`, takes effect at once unless a transaction is open);
    - `transaction()` takes the write lock at BEGIN (`BEGIN IMMEDIATE`); nested, it is a savepoint that
      undoes only its block on error.

    tests/test_storage.py runs the same statements through this and through sqlite-utils and compares.
    """

    engine = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        # sqlite-utils' Database sets it on every connection it opens; the schema's triggers were written under it
        self.execute("PRAGMA recursive_triggers=on;")
        self.name = database_file(conn)

    def close(self) -> None:
        self.conn.close()

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (the lock taken at BEGIN); inside another, a savepoint that joins it."""
        if not self.conn.in_transaction:
            with immediate(self.conn):
                yield
            return
        savepoint = f"monitor_{os.urandom(8).hex()}"  # secrets.token_hex without importing secrets (5 ms)
        self.conn.execute(f"SAVEPOINT {savepoint}")
        try:
            yield
        except BaseException:
            if self.conn.in_transaction:  # an error may have ended the whole transaction, savepoints and all
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {savepoint}")
                self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")
            raise
        self.conn.execute(f"RELEASE SAVEPOINT {savepoint}")

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        was_in_transaction = self.conn.in_transaction
        try:
            cursor = self.conn.execute(sql, params)
        except Exception:
            if not was_in_transaction and self.conn.in_transaction:  # the implicit BEGIN of a failed write
                self.conn.execute("ROLLBACK")
            raise
        if (not was_in_transaction and self.conn.in_transaction and cursor.description is None
                and _first_keyword(sql) not in _TRANSACTION_CONTROL):  # fmt: skip
            self.conn.execute("COMMIT")  # the write sqlite3 opened a transaction for, committed as it stands
        return cursor

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[dict[str, Any]]:
        keyword = _first_keyword(sql)
        if keyword in _NOT_A_QUERY:
            raise ValueError(_QUERY_ONLY)
        if keyword == "PRAGMA":  # some refuse to run in a transaction: no savepoint, and no implicit BEGIN
            cursor = self._pragma(sql, params)
            if cursor.description is None:
                raise ValueError(_QUERY_ONLY)
            return _rows(cursor)
        self.conn.execute('SAVEPOINT "monitor_query"')
        released = False
        try:
            cursor = self.conn.execute(sql, params)
            if cursor.description is None:
                raise ValueError(_QUERY_ONLY)
            try:
                self.conn.execute('RELEASE "monitor_query"')
                released = True
            except sqlite3.OperationalError:  # a write still running (INSERT … RETURNING): finish it, then release
                fetched = cursor.fetchall()
                self.conn.execute('RELEASE "monitor_query"')
                released = True
                keys = _keys(cursor)
                return (dict(zip(keys, row, strict=True)) for row in fetched)
            return _rows(cursor)
        finally:
            if not released and self.conn.in_transaction:
                self.conn.execute('ROLLBACK TO "monitor_query"')
                self.conn.execute('RELEASE "monitor_query"')

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> None:
        self.conn.executemany(sql, rows)

    def executescript(self, sql: str) -> None:
        if not self.conn.in_transaction:
            self.conn.executescript(sql)
            return
        for statement in _statements(sql):  # sqlite3's executescript would COMMIT the transaction first
            self.conn.execute(statement)

    def table_exists(self, name: str) -> bool:
        found = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
        return found.fetchone() is not None

    def advisory_lock(self, *keys: str) -> None:
        """Nothing to do: BEGIN IMMEDIATE already lets one writer at a time in."""

    def enable_wal(self) -> None:
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._pragma("PRAGMA journal_mode=wal", ())

    def _pragma(self, sql: str, params: Sequence[Any] | dict[str, Any]) -> sqlite3.Cursor:
        if self.conn.in_transaction:
            return self.conn.execute(sql, params)
        level = self.conn.isolation_level
        self.conn.isolation_level = None  # no implicit BEGIN before it
        try:
            return self.conn.execute(sql, params)
        finally:
            self.conn.isolation_level = level


_TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE"})
_NOT_A_QUERY = _TRANSACTION_CONTROL | {"VACUUM", "ATTACH", "DETACH"}
_QUERY_ONLY = "query() can only be used with SQL that returns rows - use execute() for other statements"


def _first_keyword(sql: str) -> str:
    """The statement's first keyword, upper-cased, past blanks, `;`, a byte order mark and comments."""
    i, n = 0, len(sql)
    while i < n:
        if sql[i].isspace() or sql[i] in (";", "\ufeff"):
            i += 1
        elif sql.startswith("--", i):
            newline = sql.find("\n", i)
            if newline == -1:
                return ""
            i = newline + 1
        elif sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end == -1:
                return ""
            i = end + 2
        else:
            break
    j = i
    while j < n and (sql[j].isalpha() or sql[j] == "_"):
        j += 1
    return sql[i:j].upper()


def _statements(script: str) -> Iterator[str]:
    """The complete statements of a script, one at a time (a `;` inside a string or trigger does not end one)."""
    start = 0
    for end, char in enumerate(script):
        if char == ";" and sqlite3.complete_statement(script[start : end + 1]):
            if statement := script[start : end + 1].strip():
                yield statement
            start = end + 1
    if rest := script[start:].strip():
        yield rest


def _keys(cursor: sqlite3.Cursor) -> list[str]:
    """The columns' names, a repeated one renamed `name_2`, `name_3`… as sqlite-utils names them."""
    keys = [column[0] for column in cursor.description]
    taken = set(keys)
    if len(taken) == len(keys):
        return keys
    seen: set[str] = set()
    renamed = []
    for key in keys:
        if key in seen:
            name, suffix = key, 2
            while name in seen or name in taken:
                name, suffix = f"{key}_{suffix}", suffix + 1
            key = name
        seen.add(key)
        renamed.append(key)
    return renamed


def _rows(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    keys = _keys(cursor)
    return (dict(zip(keys, row, strict=True)) for row in cursor)


def connect(path: str | os.PathLike[str], *, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> SqliteConnection:
    """`open_database` through the standard library alone: the same file, pragmas and WAL, as the Store
    writes it. Raises like `open_database`."""
    if not Path(path).parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, f"directory {Path(path).parent} does not exist")
    sql = SqliteConnection(sqlite3.connect(str(path)))
    try:
        _configure_connection(sql.conn, busy_timeout_ms=busy_timeout_ms)
        sql.enable_wal()  # the first statement that reads the file: garbage fails here, not at connect
    except (sqlite3.DatabaseError, OSError):
        sql.close()
        raise
    return sql


def connect_memory() -> SqliteConnection:
    """An in-memory database with the same pragmas (no WAL: memory has no journal file)."""
    sql = SqliteConnection(sqlite3.connect(":memory:"))
    _configure_connection(sql.conn, busy_timeout_ms=0)
    return sql


class SqliteReader:
    """A SQLite file opened for reading with the standard library's sqlite3 alone (`mode=ro`): the
    `Sql` surface a listing needs, without sqlite-utils' import (0.1 s of a `monitor changes`).
    Writing through it is an error (`sqlite3.OperationalError`: attempt to write a readonly database)."""

    engine = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.DatabaseError,)
    in_transaction = False

    def __init__(self, path: str | os.PathLike[str]) -> None:
        """Raises `sqlite3.DatabaseError` when the file is not a database or cannot be read."""
        self.name = os.fspath(path)
        self.conn = sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=ro", uri=True)
        try:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # Pages read where they lie in the OS's cache rather than copied by one read() each: a listing
            # reads thousands of scattered pages once (10,000 reads, 0.02 s of system time)
            self.conn.execute(f"PRAGMA mmap_size = {READER_MMAP_BYTES}")
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # garbage fails here
        except sqlite3.DatabaseError:
            self.conn.close()
            raise

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> SqliteReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        yield  # nothing to group: every statement only reads

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[dict[str, Any]]:
        return _rows(self.conn.execute(sql, params))

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> None:
        self.conn.executemany(sql, rows)

    def executescript(self, sql: str) -> None:
        self.conn.executescript(sql)

    def table_exists(self, name: str) -> bool:
        found = self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name])
        return found.fetchone() is not None

    def advisory_lock(self, *keys: str) -> None:
        """Nothing to lock: nothing is written."""


def as_sql(db: Sql | sqlite_utils.Database) -> Sql:
    """`db` as a `Sql`: a sqlite-utils Database wrapped in `SqliteDatabase`, a `Sql` (which has an
    `engine`) as it is. No isinstance check against sqlite-utils, whose import a listing does without."""
    return db if hasattr(db, "engine") else SqliteDatabase(db)  # type: ignore[arg-type, return-value]


def reason(exc: BaseException) -> str:
    """The error in one line: OSError's words without its repeated path, or SQLite's message."""
    text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return " ".join(text.split())


def utc_now() -> str:
    """Now, as stored: UTC ISO 8601 with seconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def utc_iso(value: str) -> str:
    """`value` (an ISO date or datetime) as stored: UTC with seconds; a date is its midnight UTC.

    A datetime without an offset is taken as UTC. Raises ValueError on anything else.
    """
    parsed = dt.datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC).isoformat(timespec="seconds")
