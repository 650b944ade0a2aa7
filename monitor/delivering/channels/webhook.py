# SPDX-License-Identifier: MIT
"""Webhooks signed per Standard Webhooks (https://www.standardwebhooks.com/).

The signature is a few lines of stdlib on purpose: the tests verify it with
the independent `standardwebhooks` library, so a receiver using any
implementation of the scheme accepts it.

    sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1700000000, b'{"a":1}')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx

from monitor import __version__
from monitor.backoff import retry_after_seconds
from monitor.config import Config, WebhookConfig
from monitor.delivering.channels.base import (
    Alert,
    Channel,
    Outcome,
    delivered,
    failed,
    mask_url,
    retry,
    scrub,
    token_free_path,
)
from monitor.errors import ConfigError

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"
TIMEOUT_S = 10.0
USER_AGENT = f"msft-openai-monitor/{__version__} (webhook)"
# Statuses worth another try: the receiver is busy, slow or down. Any other 4xx is a refusal.
RETRY_STATUSES = frozenset({408, 429})


class WebhookChannel(Channel):
    """`[[webhook]]`: an HTTP POST per alert, signed per Standard Webhooks.

    Reads `url` and the signing secret: `secret = "whsec_…"` in the file, or
    `secret_env = "NAME"` to take it from that environment variable (the
    variable wins when both are given). A secret is `whsec_` followed by base64,
    as Standard Webhooks receivers generate them.

    Sends one request per alert: `POST url` with the alert's JSON payload
    (compact UTF-8, `Content-Type: application/json`), e.g.
    `{"type": "change.flagged", "change": {"id": …, "summary": …, "before": …,
    "after": …, "sources": [{"url", "title", "published"}]}}` or
    `{"type": "feed.failing", "feed": {"url": …}}`, and the headers
    `webhook-id` (the alert's delivery id, the same on every retry, so a
    receiver can drop repeats), `webhook-timestamp` (Unix seconds) and
    `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`).
    Redirects are not followed; the timeout is 10 s.

    Delivered: any 2xx reply. Retried (with backoff): 408, 429, 5xx, an
    unexpected 1xx/3xx, a timeout or a network error; a `Retry-After` header
    (seconds or an HTTP date) sets the delay. Failed for good: any other 4xx
    (the receiver refuses this request; sending it again would not help).

    The channel's name is `webhook:` + host + path, with token-like path
    segments and any query masked as `***` and a short hash added to keep it
    unique; errors show only the URL's scheme and host.
    """

    kind = "webhook"

    def __init__(self, url: str, secret: str, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.url = url
        self._key = secret_key(secret)
        self._transport = transport  # tests may inject httpx.MockTransport
        self.name = channel_name(url)

    @classmethod
    def from_config(cls, config: Config, *, environ: Mapping[str, str] = os.environ) -> list[Channel]:
        channels: list[Channel] = []
        seen: dict[str, str] = {}
        for number, hook in enumerate(config.webhook, start=1):
            where = f"webhook[{number}]"
            secret = _secret(hook, where, environ)
            try:
                secret_key(secret)
            except ValueError:
                source = f"secret_env {hook.secret_env}" if hook.secret_env else "secret"
                raise ConfigError(f"{where}: {source} is not a Standard Webhooks secret (whsec_ + base64)") from None
            channel = cls(hook.url, secret)
            if channel.name in seen:  # the name keys the outbox: one receiver, one channel
                raise ConfigError(f"{where}: url repeats {seen[channel.name]}")
            seen[channel.name] = where
            channels.append(channel)
        return channels

    async def send(self, alerts: list[Alert]) -> list[Outcome]:
        async with httpx.AsyncClient(
            timeout=TIMEOUT_S, follow_redirects=False, transport=self._transport, headers={"User-Agent": USER_AGENT}
        ) as client:
            return [await self._post(client, alert) for alert in alerts]

    async def _post(self, client: httpx.AsyncClient, alert: Alert) -> Outcome:
        try:
            body = json.dumps(alert.payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as exc:  # not JSON: no retry can fix that
            return failed(alert, f"{self.name}: payload is not JSON ({exc})")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "webhook-id": alert.id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign_with_key(self._key, alert.id, timestamp, body),
        }
        try:
            response = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            detail = scrub(str(exc), *_url_parts(self.url))
            logger.info("webhook failed channel=%s alert_id=%s %s", self.name, alert.id, type(exc).__name__)
            error = f"{type(exc).__name__} posting to {mask_url(self.url)}" + (f": {detail}" if detail else "")
            return retry(alert, error)
        return self._outcome(alert, response)

    def _outcome(self, alert: Alert, response: httpx.Response) -> Outcome:
        status = response.status_code
        if 200 <= status < 300:
            return delivered(alert)
        error = f"HTTP {status} {response.reason_phrase} from {mask_url(self.url)}"
        logger.info("webhook refused channel=%s alert_id=%s status=%d", self.name, alert.id, status)
        if 400 <= status < 500 and status not in RETRY_STATUSES:
            return failed(alert, error)
        return retry(alert, error, after=retry_after_seconds(response.headers.get("Retry-After")))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 of "id.timestamp.body"."""
    return sign_with_key(secret_key(secret), msg_id, timestamp, body)


def sign_with_key(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The HMAC key: the base64 after `whsec_` (padding optional); ValueError if it is not."""
    encoded = secret.strip().removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if not key:
        raise ValueError("empty secret")
    return key


def channel_name(url: str) -> str:
    """`webhook:host/path`, stable and without the URL's tokens.

    >>> channel_name("https://hooks.example.org/monitor")
    'webhook:hooks.example.org/monitor'
    """
    parts = urlsplit(url)
    path, masked = token_free_path(parts.path.rstrip("/"))
    host = parts.netloc.rpartition("@")[2]  # never the userinfo
    name = f"webhook:{host}{path}" + ("?***" if parts.query else "")
    if masked or parts.query or "@" in parts.netloc:
        # Two URLs that differ only in their tokens must still get two names.
        name += "#" + hashlib.sha256(url.encode()).hexdigest()[:8]
    return name


def _secret(hook: WebhookConfig, where: str, environ: Mapping[str, str]) -> str:
    if hook.secret_env:
        value = environ.get(hook.secret_env)
        if not value:
            raise ConfigError(f"{where}: secret_env {hook.secret_env} is not set")
        return value
    if not hook.secret:
        raise ConfigError(f"{where}: no secret (set secret or secret_env)")
    return hook.secret


def _url_parts(url: str) -> list[str]:
    """The URL and its parts that may carry a token, to scrub from error text."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    return [url, parts.query, userinfo] + ([parts.path] if len(parts.path) > 1 else [])
