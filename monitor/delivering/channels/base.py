# SPDX-License-Identifier: MIT
"""What every alert channel shares: the alert, the outcome of one delivery, the channel interface.

A channel turns alerts into deliveries and reports one `Outcome` per alert. It
never raises for a delivery failure: the outbox reads the outcome and decides
when to try again (`retry_after_s` when the receiver asked for a delay), or to
stop (`permanent`). Errors are one line and carry no secret, so they can be
stored and shown as they are.

    outcomes = await channel.send(alerts)
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from monitor.config import Config


@dataclass(frozen=True)
class Alert:
    """One alert to deliver on one channel."""

    id: str  # the delivery id: the same on every retry (webhook-id); unique per (event, channel)
    event: str  # "change.flagged" | "feed.failing" | "feed.recovered"
    channel: str  # the channel instance's name (see Channel.name)
    payload: dict[str, Any]  # the JSON body: {"type": ..., "change": {...}} or {"type": ..., "feed": {...}}
    run_id: int | None  # the cycle that raised it (e-mail groups one message per cycle)
    attempts: int = 0
    created_at: str = ""


@dataclass(frozen=True)
class Outcome:
    """How one delivery attempt of one alert ended."""

    alert_id: str
    delivered: bool
    permanent: bool = False  # failed for good: stop retrying
    error: str | None = None  # one line, no secret
    retry_after_s: float | None = None  # the receiver asked for this delay


class Channel(ABC):
    """An alert channel: registered by `kind`, built from the configuration, one instance per receiver."""

    kind: ClassVar[str]
    # True: one delivery carries a cycle's alerts together (one e-mail); False: each alert goes alone, and
    # its outcome is recorded before the next is sent, so a restart after a crash moves on from there
    batched: ClassVar[bool] = False
    name: str  # unique per instance, stable across restarts, no secret in it

    @classmethod
    @abstractmethod
    def from_config(cls, config: Config, *, environ: Mapping[str, str] = os.environ) -> list[Channel]:
        """The instances the configuration asks for (none if the section is absent); ConfigError if invalid."""

    @abstractmethod
    async def send(self, alerts: list[Alert]) -> list[Outcome]:
        """Deliver `alerts`; one Outcome per alert, in order. Never raises for delivery failures."""

    def __repr__(self) -> str:
        # The default repr of a subclass could show a secret held in an attribute.
        return f"<{type(self).__name__} {self.name}>"


def delivered(alert: Alert) -> Outcome:
    return Outcome(alert.id, delivered=True)


def retry(alert: Alert, error: str, *, after: float | None = None) -> Outcome:
    return Outcome(alert.id, delivered=False, error=one_line(error), retry_after_s=after)


def failed(alert: Alert, error: str) -> Outcome:
    return Outcome(alert.id, delivered=False, permanent=True, error=one_line(error))


def one_line(text: str, *, limit: int = 500) -> str:
    """`text` on one line (all whitespace runs collapsed), cut to `limit` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def mask_url(url: str) -> str:
    """Scheme and host only, the rest masked: URLs of receivers often carry tokens in the path or query.

    >>> mask_url("https://user:pw@hooks.example.org/services/T0/B0/XyZ?token=1")
    'https://hooks.example.org/***'
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = _port(url)
    port_part = f":{port}" if port else ""
    rest = "/***" if parts.path.strip("/") or parts.query else ""
    return f"{parts.scheme}://{host}{port_part}{rest}"


def scrub(text: str, *secrets: str | None) -> str:
    """`text` with every non-empty secret replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


# A path segment shown in a channel's name: a short lowercase word ("monitor", "hooks", "v1"). Anything else
# (ids, tokens, mixed case, long runs of digits) may be a credential, so it is masked.
_WORD = re.compile(r"[a-z][a-z0-9._-]{0,15}")


def token_free_path(path: str) -> tuple[str, bool]:
    """`path` with every segment that is not a short lowercase word replaced by ***, and whether any was.

    >>> token_free_path("/services/T0ABC/B0DEF/XXXXXXXX")
    ('/services/***/***/***', True)
    """
    segments = path.split("/")
    masked = [s if not s or (_WORD.fullmatch(s) and sum(c.isdigit() for c in s) <= 2) else "***" for s in segments]
    return "/".join(masked), masked != segments


def _port(url: str) -> int | None:
    try:
        return urlsplit(url).port
    except ValueError:  # a port out of range: leave it out rather than fail
        return None
