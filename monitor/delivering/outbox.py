# SPDX-License-Identifier: MIT
"""Deliver what the outbox holds: due alerts to their channels, with backoff.

Alert rows are written with the change that raised them (`monitor.judging.alerts`);
this stage only reads due rows, sends them, and marks each delivered, failed
for good (a receiver's definite no, e.g. HTTP 400), or due again later: the
wait starts at `[delivery] retry_initial` and doubles up to `retry_max`, or is
longer when the receiver asks (Retry-After). A crash between sending and
marking sends again with the same id, never loses an alert.

Alerts of one cycle reach a batched channel together, so e-mail sends one
message per cycle; webhooks and Apprise send one request per alert, and each
alert's outcome is recorded as soon as it is known: a process killed during
delivery resends at most the alert in flight, and every restart moves on.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from dataclasses import dataclass, field
from itertools import groupby

from monitor.backoff import doubling
from monitor.config import DeliveryConfig
from monitor.delivering.channels import Alert, Channel, Outcome
from storage import Store
from storage.outbox import OutboxRow

logger = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    unroutable: list[str] = field(default_factory=list)  # channels with due rows but no longer configured

    def summary(self) -> str:
        return f"{self.delivered} alerts delivered, {self.retried} to retry, {self.failed} failed"


async def deliver_due(
    store: Store, channels: list[Channel], settings: DeliveryConfig, *, owner: str | None = None, claim_s: float = 300.0
) -> DeliveryReport:
    """Send every due alert to its channel; record each outcome.

    The due alerts are first claimed by `owner` (this daemon; default host:pid) for `claim_s`: several
    daemons on one database never send one alert at the same time, and one that dies mid-delivery
    leaves its claims to expire, after which another sends them again, with the same ids."""
    report = DeliveryReport()
    by_name = {channel.name: channel for channel in channels}
    until = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=claim_s)
    claimed = store.outbox.claim(owner or default_owner(), until=until.isoformat(), limit=1000)
    due = sorted(claimed, key=lambda r: (r.channel, r.run_id or 0, r.created_at))
    for (name, _run), group in groupby(due, key=lambda r: (r.channel, r.run_id)):
        rows = list(group)
        channel = by_name.get(name)
        if channel is None:
            report.unroutable.append(name)
            continue
        for batch in [rows] if channel.batched else [[row] for row in rows]:
            outcomes = await channel.send([_alert(row) for row in batch])
            for row, outcome in zip(batch, _in_order(batch, outcomes), strict=True):
                _record(store, row, outcome, settings, report)
    return report


def default_owner() -> str:
    """host:pid: who holds a claim or a lease when no `[daemon] id` names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alert(row: OutboxRow) -> Alert:
    return Alert(id=row.id, event=row.event, channel=row.channel, payload=row.payload, run_id=row.run_id,
                 attempts=row.attempts, created_at=row.created_at)  # fmt: skip


def _in_order(rows: list[OutboxRow], outcomes: list[Outcome]) -> list[Outcome]:
    """One outcome per row, in the rows' order; a channel that forgot one is retried for it."""
    by_id = {outcome.alert_id: outcome for outcome in outcomes}
    return [by_id.get(r.id) or Outcome(r.id, delivered=False, error=f"{r.channel}: no outcome") for r in rows]


def _record(store: Store, row: OutboxRow, outcome: Outcome, settings: DeliveryConfig, report: DeliveryReport) -> None:
    if outcome.delivered:
        store.outbox.delivered(row.id)
        report.delivered += 1
        logger.info("alert delivered alert_id=%s channel=%s change_id=%s", row.id, row.channel, row.change_id)
    elif outcome.permanent:
        store.outbox.failed(row.id, error=outcome.error or "refused")
        report.failed += 1
        logger.error("alert failed alert_id=%s channel=%s error=%s", row.id, row.channel, outcome.error)
    else:
        wait = backoff(row.attempts, settings, asked=outcome.retry_after_s)
        when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=wait)
        store.outbox.retry(row.id, error=outcome.error or "not delivered", next_attempt_at=when.isoformat())
        report.retried += 1
        logger.warning(
            "alert retry alert_id=%s channel=%s in_s=%.0f error=%s", row.id, row.channel, wait, outcome.error
        )


def backoff(attempts: int, settings: DeliveryConfig, *, asked: float | None = None) -> float:
    """Seconds before the next attempt: retry_initial doubling per attempt, capped at retry_max;
    not sooner than the receiver asked (Retry-After), but never later than retry_max either, so
    that a receiver asking for a year cannot park an alert."""
    wait = doubling(attempts, initial=settings.retry_initial, cap=settings.retry_max)
    return min(max(wait, asked or 0.0), settings.retry_max)
