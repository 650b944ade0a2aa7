# SPDX-License-Identifier: MIT
"""The alert outbox: alerts are rows, written in the same transaction as what raised them.

A row is `pending` until a channel delivers it (`delivered`) or refuses it for
good (`failed`: shown, never retried). A failed attempt keeps it pending with
the error and the time of the next attempt. Nothing is ever deleted: a row
that keeps failing stays visible. Its id is the delivery id receivers see on
every attempt, so a repeat after a crash can be dropped on their side.

    with store.transaction():
        store.add_change(change, article_id=…)
        store.outbox.add([{"id": …, "event": "change.flagged", "channel": "email", …}])
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import utc_iso, utc_now
from storage.leases import Transactional, exclusive

STATUSES = ("pending", "delivered", "failed", "withdrawn")  # withdrawn: its change was rejected before delivery


@dataclass(frozen=True)
class OutboxRow:
    id: str
    event: str
    channel: str
    change_id: str | None
    feed_url: str | None
    payload: dict[str, Any]
    run_id: int | None
    status: str
    attempts: int
    next_attempt_at: str
    last_error: str | None
    created_at: str
    delivered_at: str | None
    claimed_by: str | None = None  # the daemon delivering it now (several daemons on one database)
    claimed_until: str | None = None


class Outbox:
    """Queries on the `alerts` table; reached as `store.outbox`."""

    def __init__(self, store: Transactional) -> None:
        self.store = store
        self.db = store.sql

    def add(self, alerts: list[dict[str, Any]]) -> int:
        """Queue alerts (id, event, channel, payload, and change_id, feed_url, run_id when known).

        An id already queued is left as it is: re-raising an alert after a crash
        neither duplicates nor resets it. Returns how many rows were added.
        """
        now = utc_now()
        added = 0
        with self.store.transaction():
            for alert in alerts:
                cursor = self.db.execute(_INSERT, {
                    "id": alert["id"], "event": alert["event"], "channel": alert["channel"],
                    "change_id": alert.get("change_id"), "feed_url": alert.get("feed_url"),
                    "payload": json.dumps(alert["payload"], ensure_ascii=False, sort_keys=True),
                    "run_id": alert.get("run_id"), "created_at": now, "next_attempt_at": now,
                })  # fmt: skip
                added += cursor.rowcount
        return added

    def due(self, *, now: str | None = None, limit: int = 100) -> list[OutboxRow]:
        """Pending rows whose next attempt is due, oldest first."""
        rows = self.db.query(
            "SELECT * FROM alerts WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, rowid LIMIT ?",
            [utc_iso(now) if now else utc_now(), limit],
        )
        return [_row(r) for r in rows]

    def claim(self, owner: str, *, until: str, now: str | None = None, limit: int = 100) -> list[OutboxRow]:
        """Due rows that no other daemon is delivering, claimed by `owner` until `until`, oldest first.

        On PostgreSQL the rows are chosen `FOR UPDATE SKIP LOCKED`: two daemons claiming at
        once get disjoint rows. A daemon that dies holding a claim leaves it to expire; the
        next one sends the alert again with the same id (receivers drop the repeat).
        """
        params = {"owner": owner, "until": utc_iso(until), "now": utc_iso(now) if now else utc_now(), "limit": limit}
        with self.store.transaction():
            rows = list(self.db.query(_CLAIM.format(**exclusive(self.store.engine, "claimed")), params))
        return sorted((_row(r) for r in rows), key=lambda r: (r.created_at, r.id))

    def delivered(self, alert_id: str) -> None:
        self.db.execute(
            "UPDATE alerts SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = ?, "
            "claimed_by = NULL, claimed_until = NULL WHERE id = ? AND status = 'pending'",
            [utc_now(), alert_id],
        )

    def retry(self, alert_id: str, *, error: str, next_attempt_at: str) -> None:
        """A failed attempt: keep it pending, record the error, try again at `next_attempt_at`."""
        self.db.execute(
            "UPDATE alerts SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, "
            "claimed_by = NULL, claimed_until = NULL WHERE id = ? AND status = 'pending'",
            [error, utc_iso(next_attempt_at), alert_id],
        )

    def failed(self, alert_id: str, *, error: str) -> None:
        """Refused for good (e.g. a webhook answering 400): shown, never retried."""
        self.db.execute(
            "UPDATE alerts SET status = 'failed', attempts = attempts + 1, last_error = ?, "
            "claimed_by = NULL, claimed_until = NULL WHERE id = ? AND status = 'pending'",
            [error, alert_id],
        )

    def rows(self, *, statuses: tuple[str, ...] = STATUSES, limit: int = 500) -> list[OutboxRow]:
        """Rows in the given statuses, oldest first."""
        marks = ",".join("?" * len(statuses))
        query = f"SELECT * FROM alerts WHERE status IN ({marks}) ORDER BY created_at, rowid LIMIT ?"
        return [_row(r) for r in self.db.query(query, [*statuses, limit])]

    def withdraw(self, change_id: str, *, reason: str) -> int:
        """Withdraw the change's alerts not delivered yet (they are never sent); how many."""
        cursor = self.db.execute(
            "UPDATE alerts SET status = 'withdrawn', last_error = ? WHERE change_id = ? AND status = 'pending'",
            [reason, change_id],
        )
        return cursor.rowcount

    def states(self, change_ids: list[str]) -> dict[str, dict[str, str]]:
        """Per change, each channel's delivery state: {change_id: {channel: status}}, the channels in the
        order their first alert was queued, a channel's latest alert its state (`storage.history` too)."""
        out: dict[str, dict[str, str]] = {}
        for start in range(0, len(change_ids), 500):
            chunk = change_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self.db.query(
                f"SELECT change_id, channel, status FROM alerts WHERE change_id IN ({marks}) ORDER BY change_id, rowid",
                chunk,
            ):
                out.setdefault(row["change_id"], {})[row["channel"]] = row["status"]
        return out

    def counts(self) -> dict[str, int]:
        """How many rows are in each status (pending, delivered, failed, withdrawn)."""
        found = {
            row["status"]: row["n"] for row in self.db.query("SELECT status, count(*) AS n FROM alerts GROUP BY status")
        }
        return {status: found.get(status, 0) for status in STATUSES}


_INSERT = (
    "INSERT INTO alerts (id, event, channel, change_id, feed_url, payload, run_id, created_at, next_attempt_at) "
    "VALUES (:id, :event, :channel, :change_id, :feed_url, :payload, :run_id, :created_at, :next_attempt_at) "
    "ON CONFLICT (id) DO NOTHING"
)


_CLAIM = """
UPDATE alerts SET claimed_by = :owner, claimed_until = :until
WHERE id IN (
    SELECT id FROM alerts
    WHERE status = 'pending' AND next_attempt_at <= :now AND {free}
    ORDER BY created_at, rowid
    LIMIT :limit{skip_locked}
)
RETURNING *
"""

_FIELDS = frozenset(OutboxRow.__dataclass_fields__)


def _row(row: dict[str, Any]) -> OutboxRow:
    # PostgreSQL's alerts carry a `rowid` column of their own (SQLite's is implicit): not a field
    values = {name: value for name, value in row.items() if name in _FIELDS}
    return OutboxRow(**{**values, "payload": json.loads(row["payload"])})
