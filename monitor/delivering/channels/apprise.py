# SPDX-License-Identifier: MIT
"""Apprise: Slack, Discord, Teams, Telegram, ntfy, Matrix… through one list of URLs.

`apprise` is imported on first use: it loads its plugins lazily and costs
about half a second, which commands that never notify should not pay.
Apprise URLs carry their credentials (tokens, passwords), so nothing here puts
a URL in a name, a log line or an error.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from monitor.config import Config
from monitor.delivering.channels.base import Alert, Channel, Outcome, delivered, failed, retry
from monitor.delivering.channels.templates import AlertView, text_body, view_of
from monitor.errors import ConfigError

if TYPE_CHECKING:
    import apprise

logger = logging.getLogger(__name__)


class AppriseChannel(Channel):
    """`[apprise]`: one notification per alert to every URL in `urls`.

    Reads `urls`, a list of Apprise URLs (`slack://…`, `discord://…`,
    `msteams://…`, `tgram://…`, `ntfy://…`, `json://…`; see
    https://github.com/caronc/apprise/wiki). A URL Apprise does not recognise is
    a configuration error naming its position (`apprise.urls[2]`).

    Sends, for each alert, a notification whose title is the change's summary
    (or "Feed failing: <feed url>" / "Feed recovered: <feed url>") and whose text
    body gives before → after, the evidence sentence and the sources with their
    links. High-severity changes and failing feeds go as warnings, recovered
    feeds as successes, the rest as information.

    Delivered: every URL accepted the notification. Retried: any URL failed, or
    Apprise raised — the whole alert is sent again, so a service that had
    accepted it may show it twice. Apprise never says a failure is final, so
    nothing fails for good here. Errors name the channel and the services
    (e.g. "slack, json"), never a URL.
    """

    kind = "apprise"

    def __init__(self, urls: list[str]) -> None:
        self._urls = list(urls)  # secrets inside: kept out of repr, logs and errors
        self.name = "apprise"

    @classmethod
    def from_config(cls, config: Config, *, environ: Mapping[str, str] = os.environ) -> list[Channel]:
        urls = config.apprise.urls
        if not urls:
            return []
        for number, url in enumerate(urls, start=1):
            if _instantiate(url) is None:
                scheme = url.partition("://")[0] if "://" in url else "?"
                raise ConfigError(f"apprise.urls[{number}]: not an Apprise URL Apprise knows ({scheme}://…)")
        return [cls(urls)]

    async def send(self, alerts: list[Alert]) -> list[Outcome]:
        if not alerts:
            return []
        return await asyncio.to_thread(self._notify_all, alerts)

    def _notify_all(self, alerts: list[Alert]) -> list[Outcome]:
        import apprise

        notifier = apprise.Apprise()
        for url in self._urls:
            notifier.add(url)
        if not len(notifier):  # nothing Apprise can send to: retrying would not change that
            return [failed(alert, f"{self.name}: no usable Apprise URL") for alert in alerts]
        services = ", ".join(sorted({str(service.service_name or "").lower() for service in notifier}))
        return [self._notify(notifier, alert, services) for alert in alerts]

    def _notify(self, notifier: apprise.Apprise, alert: Alert, services: str) -> Outcome:
        view = view_of(alert)
        try:
            result = notifier.notify(title=view.title, body=body(view), notify_type=view.level, body_format="text")
        except Exception as exc:  # the boundary: a plugin can raise anything; the alert is retried
            logger.warning("apprise raised channel=%s alert_id=%s %s", self.name, alert.id, type(exc).__name__)
            return retry(alert, f"{self.name}: {type(exc).__name__} while notifying ({services})")
        if bool(result):
            return delivered(alert)
        return retry(alert, f"{self.name}: notification failed ({services})")


def body(view: AlertView) -> str:
    """The notification's text: everything in the view but its title."""
    return text_body(view, indent="")


def _instantiate(url: str) -> object | None:
    import apprise

    return apprise.Apprise.instantiate(url)
