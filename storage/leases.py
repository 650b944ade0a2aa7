# SPDX-License-Identifier: MIT
"""Several daemons on one database: feeds leased for a while, and the daemons that are alive.

A daemon takes the feeds that are due and not leased (or whose lease expired)
in one statement; on PostgreSQL the rows are chosen `FOR UPDATE SKIP LOCKED`,
so two daemons asking at the same moment get disjoint sets without waiting for
each other (on SQLite the write lock lets one in at a time), and each takes only
its share of them (the due feeds over the daemons alive), so that the daemon
whose tick comes first does not take them all. It renews its
leases while it polls and releases them when the poll is saved; a daemon that
dies keeps its feeds only until `lease_until`, then any other takes them.

    feeds = store.leases.take_due("host:1234", now=now, until=now + 5 min)
    ...poll, save...
    store.leases.release("host:1234", [feed.id for feed in feeds])

Times are compared as stored text (UTC ISO 8601), like `next_check`.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from storage.db import Sql
from storage.records import Feed, feed_of


class Transactional(Protocol):
    """What leases and the outbox need of their Store (named here, so that the modules do not import each other)."""

    sql: Sql
    engine: str

    def transaction(self) -> AbstractContextManager[None]: ...


@dataclass(frozen=True)
class DaemonRow:
    """A daemon that said it was alive (`last_seen`), with the feeds it holds leases on now."""

    id: str
    host: str
    pid: int
    started_at: str
    last_seen: str
    listen: str | None
    leases: int


class Leases:
    """Queries on feed leases and the `daemons` table; reached as `store.leases`."""

    def __init__(self, store: Transactional) -> None:
        self.store = store

    def take_due(
        self, owner: str, *, now: str, until: str, limit: int = 1000, alive_since: str | None = None
    ) -> list[Feed]:
        """Lease to `owner`, until `until`, its share of the feeds due at `now` that nobody holds (at most
        `limit`); them, by next check. Its share is the due feeds over the daemons alive, those that said so
        since `alive_since` (default: one lease, `until` - `now`, before now) and itself, rounded up."""
        params = {"owner": owner, "now": now, "until": until, "limit": limit,
                  "alive_since": alive_since or _lease_before(now, until)}  # fmt: skip
        if next(self.store.sql.query(_ANY_DUE, params), None) is None:
            return []  # the common tick: nothing due, and no write transaction for it
        engine = self.store.engine
        with self.store.transaction():
            rows = list(self.store.sql.query(_TAKE_DUE.format(**exclusive(engine, "lease"), share=share(engine)),
                                             params))  # fmt: skip
        return sorted((feed_of(row) for row in rows), key=lambda f: (f.next_check or "", f.id))

    def renew(self, owner: str, feed_ids: list[int], *, until: str) -> int:
        """Extend `owner`'s leases on `feed_ids` (those it still holds) to `until`; how many."""
        if not feed_ids:
            return 0
        marks = ",".join("?" * len(feed_ids))
        cursor = self.store.sql.execute(
            f"UPDATE feeds SET lease_until = ? WHERE lease_owner = ? AND id IN ({marks})", [until, owner, *feed_ids]
        )
        return int(cursor.rowcount)

    def release(self, owner: str, feed_ids: list[int]) -> None:
        """Give back `owner`'s leases on `feed_ids` (a lease another daemon took meanwhile stays its own)."""
        for start in range(0, len(feed_ids), 500):
            chunk = feed_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            self.store.sql.execute(
                f"UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND id IN ({marks})",
                [owner, *chunk],
            )

    def heartbeat(self, daemon_id: str, *, host: str, pid: int, started_at: str, now: str, listen: str | None) -> None:
        """Record that the daemon is alive now (`monitor daemons` lists it)."""
        self.store.sql.execute(_HEARTBEAT, {"id": daemon_id, "host": host, "pid": pid, "started_at": started_at,
                                            "now": now, "listen": listen})  # fmt: skip

    def retire(self, daemon_id: str) -> None:
        """A daemon stopping cleanly: its row goes, and its leases with it."""
        with self.store.transaction():
            self.store.sql.execute("DELETE FROM daemons WHERE id = ?", [daemon_id])
            self.store.sql.execute(
                "UPDATE feeds SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?", [daemon_id]
            )

    def daemons(self, *, now: str) -> list[DaemonRow]:
        """The daemons that said they were alive, most recent first, each with its unexpired leases."""
        rows: list[dict[str, Any]] = list(self.store.sql.query(_DAEMONS, {"now": now}))
        return [DaemonRow(**row) for row in rows]

    def holders(self, *, now: str) -> dict[str, list[Feed]]:
        """{daemon id: the feeds it holds an unexpired lease on}."""
        out: dict[str, list[Feed]] = {}
        rows = self.store.sql.query(
            "SELECT * FROM feeds WHERE lease_owner IS NOT NULL AND lease_until > ? ORDER BY id", [now]
        )
        for row in rows:
            out.setdefault(row["lease_owner"], []).append(feed_of(row))
        return out


def exclusive(engine: str, column: str) -> dict[str, str]:
    """The clauses that make a lease (`column`: lease, claimed) exclude others, per engine: on PostgreSQL a row
    is free when its lease expired or is the asker's own (a daemon restarted under its `[daemon] id` takes its
    feeds back at once), and rows are chosen FOR UPDATE SKIP LOCKED. SQLite has one daemon (the lock file):
    a lease there only marks, so a killed `run --once` or daemon leaves nothing waiting for an expiry."""
    if engine != "postgresql":
        return {"free": "1 = 1", "skip_locked": ""}
    owner = "lease_owner" if column == "lease" else "claimed_by"
    free = f"({column}_until IS NULL OR {column}_until <= :now OR {owner} = :owner)"
    return {"free": free, "skip_locked": " FOR UPDATE SKIP LOCKED"}


def share(engine: str) -> str:
    """How many due feeds one take leases: on PostgreSQL its share, the due feeds (held or not) over the
    daemons alive, rounded up, so that the daemon whose tick comes first cannot take every feed that fell
    due at once and leave nothing to one that started since (with ticks in step, it would every time); a
    lone daemon's share is all. SQLite has one daemon: all, up to `limit`."""
    if engine != "postgresql":
        return ":limit"
    return _SHARE


def _lease_before(now: str, until: str) -> str:
    """The moment a lease's length (`until` - `now`) before `now`: a daemon seen since is alive, as a lease
    taken since is held."""
    start, end = dt.datetime.fromisoformat(now), dt.datetime.fromisoformat(until)
    return (start - (end - start)).isoformat(timespec="milliseconds")


# ceil(due / alive), in integers; the asker counts itself (its first take may come before its heartbeat)
_SHARE = """least(:limit, (
        SELECT (due.n + alive.n - 1) / alive.n
        FROM (SELECT count(*) AS n FROM feeds WHERE next_check IS NULL OR next_check <= :now) AS due,
            (SELECT 1 + count(*) AS n FROM daemons WHERE last_seen >= :alive_since AND id <> :owner) AS alive
    ))"""

_ANY_DUE = "SELECT 1 AS due FROM feeds WHERE next_check IS NULL OR next_check <= :now LIMIT 1"

_TAKE_DUE = """
UPDATE feeds SET lease_owner = :owner, lease_until = :until
WHERE id IN (
    SELECT id FROM feeds
    WHERE (next_check IS NULL OR next_check <= :now) AND {free}
    ORDER BY coalesce(next_check, ''), id
    LIMIT {share}{skip_locked}
)
RETURNING *
"""

_HEARTBEAT = """
INSERT INTO daemons (id, host, pid, started_at, last_seen, listen)
VALUES (:id, :host, :pid, :started_at, :now, :listen)
ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, listen = excluded.listen
"""

_DAEMONS = """
SELECT daemons.id, host, pid, started_at, last_seen, listen,
    (SELECT count(*) FROM feeds WHERE lease_owner = daemons.id AND lease_until > :now) AS leases
FROM daemons ORDER BY last_seen DESC, id
"""
