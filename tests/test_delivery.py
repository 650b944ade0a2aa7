# SPDX-License-Identifier: MIT
"""The outbox and its delivery: nothing dropped, each alert once after recovery, refusals shown."""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import logging
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook

from monitor.config import Config, DeliveryConfig, DigestConfig, EmailConfig, FeedConfig, WebhookConfig
from monitor.delivering.channels import build_channels
from monitor.delivering.outbox import backoff, deliver_due
from monitor.pipeline import run_cycle
from rules.engine import Engine
from storage import Store
from tests.support.httpserver import LocalServer, RecordedRequest
from tests.support.smtp import Inbox
from tests.test_pipeline import serve_corpus

SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA=="
NO_WAIT = DeliveryConfig(retry_initial=0, retry_max=0)


class Receiver:
    """A webhook receiver that verifies every request with the standardwebhooks library."""

    def __init__(self, server: LocalServer, path: str, statuses: list[int]) -> None:
        self.statuses = statuses  # answered in turn; the last one repeats
        self.deliveries: list[tuple[str, str]] = []  # (webhook-id, change id) of each verified 2xx
        self.calls = 0
        self.lock = threading.Lock()
        server.route_handler(path, self.handle)

    def handle(self, request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        Webhook(SECRET).verify(request.body, dict(request.headers))  # raises → 500: a bad signature fails the test
        with self.lock:
            status = self.statuses[min(self.calls, len(self.statuses) - 1)]
            self.calls += 1
            if 200 <= status < 300:
                body = json.loads(request.body)
                self.deliveries.append((request.headers["webhook-id"], body["change"]["id"]))
        return status, {"Retry-After": "0"} if status == 503 else {}, b""


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def config_with_webhook(tmp_path: Path, server: LocalServer, hook: str) -> Config:
    return Config(
        feed=[FeedConfig(url=server.url("/feed.xml"))],
        digest=DigestConfig(path=tmp_path / "digest.xml"),
        webhook=[WebhookConfig(url=server.url(hook), secret=SECRET)],
        delivery=NO_WAIT,
    )


def test_a_receiver_down_for_a_while_gets_every_alert_once(local_server: LocalServer, tmp_path: Path,
                                                           engine: Engine) -> None:  # fmt: skip
    serve_corpus(local_server)
    receiver = Receiver(local_server, "/hook", [503] * 5 + [200])
    config = config_with_webhook(tmp_path, local_server, "/hook")
    channels = build_channels(config)
    store = Store.open(tmp_path / "monitor.db")
    report = asyncio.run(run_cycle(config, store, engine, channels=channels))
    flagged = set(report.changes_flagged)
    assert flagged and store.outbox.counts()["pending"] == len(flagged)

    for _ in range(10):  # every alert is retried until the receiver recovers
        asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert store.outbox.counts() == {"pending": 0, "delivered": len(flagged), "failed": 0, "withdrawn": 0}
    ids = Counter(webhook_id for webhook_id, _ in receiver.deliveries)
    assert set(ids.values()) == {1}, "each id exactly once after recovery"
    assert {change for _, change in receiver.deliveries} == flagged
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert len(receiver.deliveries) == len(flagged), "never sent again once delivered"
    store.close()


def test_a_refusing_receiver_is_marked_failed_and_shown(local_server: LocalServer, tmp_path: Path,
                                                        engine: Engine) -> None:  # fmt: skip
    serve_corpus(local_server)
    receiver = Receiver(local_server, "/hook", [400])
    config = config_with_webhook(tmp_path, local_server, "/hook")
    channels = build_channels(config)
    store = Store.open(tmp_path / "monitor.db")
    report = asyncio.run(run_cycle(config, store, engine, channels=channels))
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert receiver.calls == len(report.changes_flagged), "a 400 is not retried"
    failed = store.outbox.rows(statuses=("failed",))
    assert len(failed) == len(report.changes_flagged) and all("400" in (r.last_error or "") for r in failed)
    states = store.outbox.states(report.changes_flagged)
    assert all(state == {channels[0].name: "failed"} for state in states.values())
    store.close()


def test_alerts_are_written_with_their_change(tmp_path: Path, local_server: LocalServer, engine: Engine) -> None:
    serve_corpus(local_server)
    config = config_with_webhook(tmp_path, local_server, "/never-called")
    store = Store.open(tmp_path / "monitor.db")
    report = asyncio.run(run_cycle(config, store, engine, channels=build_channels(config)))
    rows = store.outbox.rows()
    assert sorted(r.change_id for r in rows) == sorted(report.changes_flagged)
    assert all(r.payload["type"] == "change.flagged" and r.payload["change"]["sources"] for r in rows)
    store.close()


@pytest.mark.parametrize(
    ("attempts", "asked", "expected"),
    [
        (0, None, 30),
        (1, None, 60),
        (3, None, 240),
        (20, None, 21600),
        (0, 120.0, 120),
        (5, 10.0, 960),
        (0, 10**9, 21600),
    ],
)
def test_backoff_doubles_from_retry_initial_up_to_retry_max(
    attempts: int, asked: float | None, expected: float
) -> None:
    assert backoff(attempts, DeliveryConfig(), asked=asked) == expected


def test_queueing_the_same_alert_twice_keeps_one_row() -> None:
    store = Store.memory()
    alert = {"id": "alr_1", "event": "feed.failing", "channel": "email", "payload": {"type": "feed.failing"}}
    assert store.outbox.add([alert]) == 1
    store.outbox.retry("alr_1", error="boom", next_attempt_at="2999-01-01T00:00:00+00:00")
    assert store.outbox.add([alert]) == 0, "re-raised after a crash: neither duplicated nor reset"
    (row,) = store.outbox.rows()
    assert row.attempts == 1 and row.last_error == "boom" and store.outbox.due() == []


SmtpServer = Callable[..., tuple[Inbox, int]]


def test_one_email_per_cycle_lists_that_cycles_changes(
    local_server: LocalServer, tmp_path: Path, engine: Engine, smtp_server: SmtpServer
) -> None:
    serve_corpus(local_server)
    inbox, port = smtp_server()
    config = Config(
        feed=[FeedConfig(url=local_server.url("/feed.xml"))], digest=DigestConfig(path=tmp_path / "digest.xml"),
        email=EmailConfig(host="127.0.0.1", port=port, security="none", sender="monitor@example.org",
                          recipients=["analyst@example.org"]),
        delivery=NO_WAIT,
    )  # fmt: skip
    channels = build_channels(config)
    store = Store.open(tmp_path / "monitor.db")
    report = asyncio.run(run_cycle(config, store, engine, channels=channels))
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert len(inbox.envelopes) == 1, "one message for the whole cycle"
    message = email.message_from_bytes(inbox.envelopes[0].original_content or b"", policy=email.policy.default)
    text = message.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    for change_id in report.changes_flagged:
        stored = store.change(change_id)
        assert stored is not None and stored.summary in " ".join(text.split())
    assert store.outbox.counts()["delivered"] == len(report.changes_flagged)
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert len(inbox.envelopes) == 1, "nothing sent twice"
    store.close()


def test_feed_health_alerts_fire_on_state_changes_only(local_server: LocalServer, tmp_path: Path,
                                                       engine: Engine) -> None:  # fmt: skip
    statuses = iter([500, 500, 500, 200, 200])

    def flaky(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        status = next(statuses)
        feed = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
        return status, {"Content-Type": "application/rss+xml"}, feed if status == 200 else b"down"

    local_server.route_handler("/flaky.xml", flaky)
    config = Config(
        feed=[FeedConfig(url=local_server.url("/flaky.xml"))],
        digest=DigestConfig(path=tmp_path / "digest.xml"),
        webhook=[WebhookConfig(url=local_server.url("/hook"), secret=SECRET)],
        delivery=DeliveryConfig(retry_initial=0, retry_max=0, feed_failing_after=2),
    )
    channels = build_channels(config)
    store = Store.open(tmp_path / "monitor.db")
    events = [asyncio.run(run_cycle(config, store, engine, channels=channels)).health_events for _ in range(5)]
    url = local_server.url("/flaky.xml")
    assert events == [[], [f"feed.failing {url}"], [], [f"feed.recovered {url}"], []]
    assert [r.event for r in store.outbox.rows()] == ["feed.failing", "feed.recovered"]
    failing = store.outbox.rows()[0].payload["feed"]
    assert failing["url"] == url and failing["consecutive_errors"] == 2 and "500" in failing["last_error"]
    store.close()


def test_no_secret_in_logs_errors_or_digest(local_server: LocalServer, tmp_path: Path, engine: Engine,
                                            caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    serve_corpus(local_server)
    Receiver(local_server, "/hook", [503])
    config = config_with_webhook(tmp_path, local_server, "/hook")
    channels = build_channels(config)
    store = Store.open(tmp_path / "monitor.db")
    with caplog.at_level(logging.DEBUG):
        asyncio.run(run_cycle(config, store, engine, channels=channels))
        asyncio.run(deliver_due(store, channels, NO_WAIT))
    secret_part = SECRET.removeprefix("whsec_")
    seen = caplog.text + (tmp_path / "digest.xml").read_text(encoding="utf-8")
    seen += "".join(r.last_error or "" for r in store.outbox.rows()) + "".join(c.name for c in channels)
    assert "503" in seen and secret_part not in seen and SECRET not in seen
    store.close()


def test_a_rejected_change_is_withdrawn_and_a_later_report_flagged_again(
    local_server: LocalServer, tmp_path: Path, engine: Engine, smtp_server: Callable[..., tuple[Inbox, int]]
) -> None:
    """End to end on loopback: a webhook receiver and an SMTP server; the change is rejected before delivery,
    its alerts never go out; the same change reported later by another article is flagged and alerted once."""
    receiver = Receiver(local_server, "/hook", [200])
    inbox, smtp_port = smtp_server()
    page = (
        "<html><head><title>{0}</title></head><body><article><h1>{0}</h1><p>{1}</p><p>{2}</p></article></body></html>"
    )
    first = page.format("Microsoft loses its right of first refusal", "Microsoft's right of first refusal on "
                        "OpenAI's new compute capacity has ended, the two companies said on Tuesday.",
                        "The rest of the agreement between the two companies stays as it was.")  # fmt: skip
    again = page.format("OpenAI free to buy compute elsewhere", "Microsoft has lost its right of first refusal "
                        "on OpenAI's compute, according to a filing published on Thursday.",
                        "Analysts expect OpenAI to sign more capacity deals in the coming months.")  # fmt: skip
    items = [("/a.html", "Tue, 28 Oct 2025 08:00:00 +0000", first)]

    def publish() -> None:
        entries = "".join(f"<item><title>t{path}</title><link>{local_server.url(path)}</link><guid>{path}</guid>"
                          f"<pubDate>{day}</pubDate></item>" for path, day, _ in items)  # fmt: skip
        local_server.route(
            "/feed.xml",
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>{entries}</channel></rss>'.encode(),
        )
        for path, _, html in items:
            local_server.route(path, html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})

    publish()
    config = Config(
        feed=[FeedConfig(url=local_server.url("/feed.xml"))], digest=DigestConfig(path=tmp_path / "digest.xml"),
        webhook=[WebhookConfig(url=local_server.url("/hook"), secret=SECRET)], delivery=NO_WAIT,
        email=EmailConfig(host="127.0.0.1", port=smtp_port, security="none", sender="m@example.org",
                          recipients=["a@example.org"]),
    )  # fmt: skip
    channels = build_channels(config)
    store = Store.open(tmp_path / "monitor.db")
    report = asyncio.run(run_cycle(config, store, engine, channels=channels))
    assert report.changes_flagged, report
    [rejected] = [c for c in report.changes_flagged if store.change(c).facet == "azure.rofr"]  # type: ignore[union-attr]
    assert store.review_change(rejected, "rejected", note="misread") is not None
    assert all(row.status == "withdrawn" for row in store.outbox.rows(statuses=("withdrawn",)))
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert rejected not in {change for _, change in receiver.deliveries}, "a withdrawn alert is never sent"
    assert all(rejected not in (e.original_content or b"").decode() for e in inbox.envelopes)

    items.append(("/b.html", "Thu, 30 Oct 2025 08:00:00 +0000", again))
    publish()
    second = asyncio.run(run_cycle(config, store, engine, channels=channels))
    [again_id] = [c for c in second.changes_flagged if store.change(c).facet == "azure.rofr"]  # type: ignore[union-attr]
    assert again_id == f"{rejected}.2" and store.change(again_id).review is None  # type: ignore[union-attr]
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    asyncio.run(deliver_due(store, channels, NO_WAIT))
    assert [change for _, change in receiver.deliveries].count(again_id) == 1, "alerted once"
    assert sum(again_id in (e.original_content or b"").decode() for e in inbox.envelopes) == 1
    store.close()
