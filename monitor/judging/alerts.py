# SPDX-License-Identifier: MIT
"""The alerts an event raises: one outbox row per channel, written in the transaction of the event.

Delivering them is the next stage's work (`monitor.delivering.outbox`); here only their
rows are made, each with a delivery id that is the same on every attempt and after a crash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Protocol

from storage import Store


class Receiver(Protocol):
    """What an alert needs of its channel: a name, stable across restarts."""

    @property
    def name(self) -> str: ...


def alert_id(event_key: str, channel: str) -> str:
    """The delivery id of one event on one channel: the same on every attempt and after a crash."""
    return "alr_" + hashlib.sha256(f"{event_key}|{channel}".encode()).hexdigest()[:24]


def queue(store: Store, channels: Sequence[Receiver], *, event: str, event_key: str, payload: dict[str, Any],
          run_id: int | None, change_id: str | None = None, feed_url: str | None = None) -> None:  # fmt: skip
    """One outbox row per channel for one event; call it inside the transaction that raised the event."""
    store.outbox.add([
        {"id": alert_id(event_key, channel.name), "event": event, "channel": channel.name, "payload": payload,
         "run_id": run_id, "change_id": change_id, "feed_url": feed_url}
        for channel in channels
    ])  # fmt: skip
