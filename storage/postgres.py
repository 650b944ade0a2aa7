# SPDX-License-Identifier: MIT
"""PostgreSQL behind the same small surface the Store uses of sqlite-utils: `execute`, `query`, `transaction`.

The Store's SQL is written once, in SQLite's dialect with `?` and `:name`
parameters (store.py, outbox.py, leases.py); `pg_sql` rewrites the parameters
into psycopg's `%s` / `%(name)s` and escapes a literal `%`. Nothing else is
translated: where the engines really differ, the caller says so in one line
(`engine == "postgresql"`).

Connections come from a psycopg_pool `ConnectionPool`, in autocommit mode:
a statement outside `transaction()` takes a connection for itself and gives it
back; `transaction()` pins one connection to the calling thread for the whole
block (BEGIN … COMMIT, a SAVEPOINT when nested), so the Store is safe to share
between threads (the daemon's loop and its web handlers).

    db = PgDatabase.connect("postgresql://monitor@db.example/monitor")
    with db.transaction():
        db.execute("UPDATE feeds SET title = ? WHERE id = ?", ["T", 1])
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from storage.postgres_url import redact

ENGINE = "postgresql"
CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT_MS = 10_000  # see _session_options
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
# TCP keepalives, both ends: a first probe after 10 s of silence, then every 5 s, dead after 3 unanswered
KEEPALIVE = {"idle": 10, "interval": 5, "count": 3}
ERRORS: tuple[type[BaseException], ...] = (psycopg.Error, PoolTimeout)

# A string literal, a `::` cast, a named parameter, a positional one, or a literal percent sign
_TOKENS = re.compile(r"'(?:[^']|'')*'|::|:(?P<name>[A-Za-z_]\w*)|(?P<mark>\?)|(?P<percent>%)")


@functools.lru_cache(maxsize=512)
def pg_sql(sql: str) -> str:
    """`sql` with SQLite's `?` and `:name` parameters as psycopg's `%s` and `%(name)s`."""

    def rewrite(match: re.Match[str]) -> str:
        if match.group("name"):
            return f"%({match.group('name')})s"
        if match.group("mark"):
            return "%s"
        if match.group("percent"):
            return "%%"
        return match.group(0).replace("%", "%%")  # a literal or a cast: psycopg still reads % in it

    return _TOKENS.sub(rewrite, sql)


class Result:
    """A statement's rows, read before its connection went back to the pool; `rowcount` as DB-API.

    Rows are kept as tuples (`fetchone`, like sqlite3's cursor: `SELECT count(*), max(a), max(b)` has two
    columns named max) and made dicts by `query`."""

    def __init__(self, cursor: psycopg.Cursor[tuple[Any, ...]]) -> None:
        self.rowcount = cursor.rowcount
        self.names = [column.name for column in cursor.description or ()]
        self.tuples: list[tuple[Any, ...]] = cursor.fetchall() if cursor.description else []
        self.lastrowid = None

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [dict(zip(self.names, row, strict=True)) for row in self.tuples]

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.tuples[0] if self.tuples else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.tuples

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.tuples)


class PgDatabase:
    """A pool of connections to one PostgreSQL database; `name` is its URL without the password."""

    engine = ENGINE
    errors = ERRORS

    def __init__(self, pool: ConnectionPool, *, name: str) -> None:
        self.pool = pool
        self.name = name
        self._pinned = threading.local()

    @classmethod
    def connect(cls, url: str, *, max_size: int = 4) -> PgDatabase:
        """A pool on `url`, after one direct connection that gives a clear reason when it fails
        (a pool only times out). Raises psycopg.Error."""
        psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
        pool = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            # Client-side binding, as sqlite3 does: the shared SQL has `:error IS NULL`, which a server-side
            # parameter cannot type ("could not determine data type of parameter $1")
            kwargs={
                "autocommit": True,
                "connect_timeout": CONNECT_TIMEOUT_S,
                "cursor_factory": psycopg.ClientCursor,
                "options": _session_options(),
                **{f"keepalives_{name}": seconds for name, seconds in KEEPALIVE.items()},
                "keepalives": 1,
            },
            check=ConnectionPool.check_connection,  # a connection the server dropped is replaced, not handed out
            timeout=30,
            name="monitor",
            open=False,
        )
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        return cls(pool, name=redact(url))

    def close(self) -> None:
        self.pool.close()

    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
        pinned = getattr(self._pinned, "conn", None)
        if pinned is not None:
            yield pinned
        else:
            with self.pool.connection() as conn:
                yield conn

    @property
    def in_transaction(self) -> bool:
        return getattr(self._pinned, "conn", None) is not None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction on one connection for the block; nested, a savepoint that joins it."""
        pinned = getattr(self._pinned, "conn", None)
        if pinned is not None:
            with pinned.transaction():
                yield
            return
        with self.pool.connection() as conn:
            self._pinned.conn = conn
            try:
                with conn.transaction():
                    yield
            finally:
                self._pinned.conn = None

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Result:
        with self._connection() as conn:
            return Result(conn.execute(pg_sql(sql), params or None))  # type: ignore[arg-type]

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Iterator[dict[str, Any]]:
        return iter(self.execute(sql, params).rows)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> None:
        with self._connection() as conn, conn.cursor() as cursor:
            cursor.executemany(pg_sql(sql), rows)  # type: ignore[arg-type]

    def executescript(self, sql: str) -> None:
        """Several statements without parameters (a migration's DDL), as written: no rewriting."""
        with self._connection() as conn:
            conn.execute(sql.encode())  # bytes: no parameter parsing of a `%` in a comment

    def table_exists(self, name: str) -> bool:
        return bool(self.execute("SELECT to_regclass(?) IS NOT NULL", [name]).tuples[0][0])

    def advisory_lock(self, *keys: str) -> None:
        """Transaction-scoped locks on `keys` (sorted, so two holders never wait for each other)."""
        for key in sorted(set(keys)):
            self.execute("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", [key])


def _session_options() -> str:
    """The settings of each pooled session, as libpq `options`.

    A daemon runs its statements on one event loop: a wait for a lock that one of its own transactions
    holds would stop the loop for good. A wait of `lock_timeout` fails instead (the tick or the article is
    tried again), and so does one behind a stuck peer. A peer stuck *inside* a transaction (SIGSTOP, a hung
    host) would hold its row and advisory locks until it wakes: the server ends its session after
    `idle_in_transaction_session_timeout`, and a peer whose host is gone after its TCP keepalives go
    unanswered (the server's probes; the client's are libpq's `keepalives_*`, for a server that is gone)."""
    settings = {
        "lock_timeout": LOCK_TIMEOUT_MS,
        "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION_TIMEOUT_MS,
        **{f"tcp_keepalives_{name}": seconds for name, seconds in KEEPALIVE.items()},
    }
    return " ".join(f"-c {name}={value}" for name, value in settings.items())
