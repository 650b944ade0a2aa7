# SPDX-License-Identifier: MIT
"""Alert channels: where flagged changes and feed-health alerts go.

Each channel is a small class registered by its `kind` in `CHANNELS`; its
docstring is its user documentation (what it reads from the configuration,
what it sends, what counts as delivered, retried or failed for good).
`build_channels` asks every registered class for the instances the
configuration wants, so adding a channel is adding a class here.

    channels = build_channels(load_config())
    outcomes = await channels[0].send(alerts)
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from monitor.config import Config
from monitor.delivering.channels.apprise import AppriseChannel
from monitor.delivering.channels.base import Alert, Channel, Outcome
from monitor.delivering.channels.email import EmailChannel
from monitor.delivering.channels.webhook import WebhookChannel
from monitor.errors import ConfigError

__all__ = ["CHANNELS", "Alert", "AppriseChannel", "Channel", "EmailChannel", "Outcome", "WebhookChannel"]
__all__ += ["build_channels"]

CHANNELS: dict[str, type[Channel]] = {cls.kind: cls for cls in (WebhookChannel, EmailChannel, AppriseChannel)}


def build_channels(config: Config, *, environ: Mapping[str, str] = os.environ) -> list[Channel]:
    """Every channel the configuration asks for, in registry order; ConfigError (one line, naming the key) if one
    cannot be built, e.g. "webhook[1]: secret_env MONITOR_WEBHOOK_SECRET is not set"."""
    channels = [channel for cls in CHANNELS.values() for channel in cls.from_config(config, environ=environ)]
    seen: set[str] = set()
    for channel in channels:
        if channel.name in seen:  # the name keys the outbox: two receivers must not share one
            raise ConfigError(f"{channel.kind}: {channel.name} is configured twice")  # a safety net: kinds check first
        seen.add(channel.name)
    return channels
