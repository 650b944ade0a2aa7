# SPDX-License-Identifier: MIT
"""One cycle end to end: feeds and pages on a real loopback server, a real SQLite file."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import time
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest

import monitor.collecting.fetch
import monitor.pipeline
from monitor.config import Config, DigestConfig, FeedConfig
from monitor.pipeline import CycleReport, run_cycle
from rules.engine import Engine
from storage import Store
from tests.support.httpserver import LocalServer, RecordedRequest

DEV = Path(__file__).parent / "corpus" / "dev"
LONG_ARTICLE = (
    "Microsoft is bringing Anthropic's Claude models into Microsoft 365 Copilot, the company said on Wednesday. "
    + "Business customers will be able to choose between models for research and agent building tasks. " * 20
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


def serve_with_validators(server: LocalServer, path: str, body: bytes, content_type: str) -> None:
    """Serve `body` with an ETag and Last-Modified, answering 304 to a matching conditional GET."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
    last_modified = "Mon, 10 Nov 2025 08:00:00 GMT"

    def handler(request: RecordedRequest) -> tuple[int, dict[str, str], bytes]:
        if request.headers.get("if-none-match") == etag or request.headers.get("if-modified-since") == last_modified:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified}, body

    server.route_handler(path, handler)


def serve_corpus(server: LocalServer, corpus: Path = DEV, *, feed_path: str = "/feed.xml") -> None:
    feed = (corpus / "feed.xml").read_text(encoding="utf-8").replace("{BASE}", server.base_url)
    serve_with_validators(server, feed_path, feed.encode(), "application/rss+xml")
    for page in corpus.glob("*.html"):
        server.route(f"/{page.name}", page.read_bytes(), headers={"Content-Type": "text/html; charset=utf-8"})


def config_for(tmp_path: Path, *urls: str) -> Config:
    return Config(feed=[FeedConfig(url=u) for u in urls], digest=DigestConfig(path=tmp_path / "digest.xml"))


def cycle(config: Config, store: Store, engine: Engine) -> CycleReport:
    return asyncio.run(run_cycle(config, store, engine))


def test_a_cycle_over_the_dev_feed(local_server: LocalServer, tmp_path: Path, engine: Engine) -> None:
    serve_corpus(local_server)
    config = config_for(tmp_path, local_server.url("/feed.xml"))
    store = Store.open(tmp_path / "monitor.db")

    report = cycle(config, store, engine)

    pages = {p.name for p in DEV.glob("*.html")}
    fetched = {r.path.lstrip("/") for r in local_server.requests if r.path.endswith(".html")}
    assert fetched == pages, "every page fetched"
    assert report.feeds_polled == 1 and report.feeds_failed == 0 and report.articles_new == len(pages)
    changes = store.changes()
    assert len({(c.facet, c.key, c.kind, c.summary) for c in changes}) == len(changes), "no duplicate change"
    oracle = [c for c in changes if (c.facet, c.key) == ("openai.compute_provider", "oracle")]
    assert len(oracle) == 1 and len(oracle[0].sources) == 2, "the two Oracle reports attach to one change"
    assert {s["url"].rsplit("/", 1)[-1] for s in oracle[0].sources} == {"dev-02.html", "dev-16.html"}

    parsed = feedparser.parse((tmp_path / "digest.xml").read_bytes())
    assert not parsed.bozo
    sections = [entry.tags[0].term for entry in parsed.entries]
    assert sections == sorted(sections), "the changes, then the signals: a section each"
    signals = store.signals.newest()
    assert [e.id for e in parsed.entries if e.tags[0].term == "signal"] == [s.id for s in signals]
    digest = feedparser.FeedParserDict(entries=[e for e in parsed.entries if e.tags[0].term == "change"])
    assert len(digest.entries) == len(changes)
    assert len({e.id for e in digest.entries}) == len(changes) == len({c.id for c in changes})
    newest = max(changes, key=lambda c: c.listing_key())  # by when it happened, as the page and CLI list them
    assert digest.entries[0].id == newest.id and digest.entries[0].title == newest.summary
    channel_link = ElementTree.parse(tmp_path / "digest.xml").findtext("channel/link")  # feedparser mangles file:///
    assert channel_link == (tmp_path / "digest.xml").as_uri(), "no placeholder: the digest file itself"
    by_id = {c.id: c for c in changes}
    for entry in digest.entries:  # each item dated when its change happened, not when the cycle ran
        when = by_id[entry.id].after["when"]
        assert time.strftime("%Y-%m-%d", entry.published_parsed).startswith(when[:10]), (entry.id, when)
    assert len({e.published for e in digest.entries}) > 1
    happened = [by_id[e.id].happened_at for e in digest.entries]
    assert happened == sorted(happened, reverse=True), "newest first by the date each change happened"

    requests_before = len(local_server.requests)
    second = cycle(config, store, engine)
    assert second.feeds_unchanged == 1 and second.articles_new == 0 and not second.changes_flagged
    conditional = local_server.requests[requests_before:]
    assert [r.path for r in conditional] == ["/feed.xml"], "a 304 fetches no page"
    assert "if-none-match" in conditional[0].headers and "if-modified-since" in conditional[0].headers
    assert len(store.changes()) == len(changes)
    store.close()


def test_a_cycle_read_in_small_batches_records_the_same(
    local_server: LocalServer, tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streaming the new articles in batches bounds what a cycle holds in memory, and changes nothing recorded:
    the same changes with the same sources, articles stored oldest first across batches too."""
    serve_corpus(local_server)
    config = config_for(tmp_path, local_server.url("/feed.xml"))
    with Store.open(tmp_path / "whole.db") as whole:
        cycle(config, whole, engine)
        # Sorted: changes() orders by first_seen, whose whole seconds fall differently in two runs
        expected = sorted((c.id, c.kind, [s["url"] for s in c.sources]) for c in whole.changes())
    monkeypatch.setattr(monitor.pipeline, "BATCH", 4)
    with Store.open(tmp_path / "batched.db") as batched:
        report = cycle(config, batched, engine)
        assert report.articles_new == 18 and not report.pages_failed
        assert sorted((c.id, c.kind, [s["url"] for s in c.sources]) for c in batched.changes()) == expected
        published = [
            row["published"] or "9999" for row in batched.db.query("SELECT published FROM articles ORDER BY id")
        ]
        assert published == sorted(published)


def test_a_failing_feed_does_not_stop_the_other(local_server: LocalServer, tmp_path: Path, engine: Engine) -> None:
    serve_corpus(local_server)
    local_server.route("/broken.xml", b"oops", status=500)
    config = config_for(tmp_path, local_server.url("/broken.xml"), local_server.url("/feed.xml"))
    store = Store.open(tmp_path / "monitor.db")
    report = cycle(config, store, engine)
    assert report.feeds_failed == 1 and report.articles_new == 18
    broken = store.feed(local_server.url("/broken.xml"))
    assert broken is not None and broken.consecutive_errors == 1 and "500" in (broken.last_error or "")
    healthy = store.feed(local_server.url("/feed.xml"))
    assert healthy is not None and healthy.consecutive_errors == 0 and healthy.etag
    store.close()


def test_the_same_article_in_two_feeds_is_read_once(local_server: LocalServer, tmp_path: Path, engine: Engine) -> None:
    serve_corpus(local_server, feed_path="/a.xml")
    serve_corpus(local_server, feed_path="/b.xml")
    config = config_for(tmp_path, local_server.url("/a.xml"), local_server.url("/b.xml"))
    store = Store.open(tmp_path / "monitor.db")
    report = cycle(config, store, engine)
    assert report.articles_new == 18
    pages = Counter(r.path for r in local_server.requests if r.path.endswith(".html"))
    assert set(pages.values()) == {1}, "each page fetched once"
    article = store.find_article(url=local_server.url("/dev-07.html"))
    assert article is not None and len(store.article_feed_urls(article.id)) == 2
    store.close()


def test_full_content_entries_are_read_without_fetching(
    local_server: LocalServer, tmp_path: Path, engine: Engine
) -> None:
    page = local_server.url("/claude.html")
    feed = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"<channel><title>t</title><link>{local_server.base_url}</link><description>d</description>"
        f"<item><title>Copilot adds Claude</title><link>{page}</link><guid>{page}</guid>"
        "<pubDate>Wed, 24 Sep 2025 08:00:00 +0000</pubDate>"
        f"<content:encoded><![CDATA[<p>{LONG_ARTICLE}</p>]]></content:encoded></item></channel></rss>"
    )
    local_server.route("/full.xml", feed, headers={"Content-Type": "application/rss+xml"})
    store = Store.open(tmp_path / "monitor.db")
    report = cycle(config_for(tmp_path, local_server.url("/full.xml")), store, engine)
    assert report.articles_new == 1 and report.pages_failed == 0
    assert not any(r.path == "/claude.html" for r in local_server.requests), "the feed carried the article"
    assert [(c.facet, c.key, c.kind) for c in store.changes()] == [("microsoft.model_partner", "anthropic", "new")]
    store.close()


def test_a_bad_page_is_recorded_and_the_cycle_goes_on(
    local_server: LocalServer, tmp_path: Path, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="monitor")
    serve_corpus(local_server)
    local_server.route("/dev-07.html", b"\x89PNG\r\n\x1a\n" + bytes(300), headers={"Content-Type": "image/png"})
    store = Store.open(tmp_path / "monitor.db")
    report = cycle(config_for(tmp_path, local_server.url("/feed.xml")), store, engine)
    assert report.pages_failed == 1 and report.articles_new == 17
    assert any("dev-07.html" in e and "binary" in e for e in report.errors)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("page failed")]
    assert line.startswith(f"page failed article_url={local_server.url('/dev-07.html')} error=")
    store.close()


def test_a_bug_reading_one_page_does_not_stop_the_cycle(
    local_server: LocalServer, tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_corpus(local_server)
    get = monitor.collecting.fetch.Fetcher.get

    async def broken_for_one_page(
        self: monitor.collecting.fetch.Fetcher, url: str, **kwargs: object
    ) -> monitor.collecting.fetch.FetchResult:
        if url.endswith("/dev-03.html"):
            raise KeyError("a bug")
        return await get(self, url, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(monitor.collecting.fetch.Fetcher, "get", broken_for_one_page)
    store = Store.open(tmp_path / "monitor.db")
    report = cycle(config_for(tmp_path, local_server.url("/feed.xml")), store, engine)
    assert report.pages_failed == 1 and report.articles_new == len(list(DEV.glob("*.html"))) - 1
    assert report.errors == [f"{local_server.url('/dev-03.html')}: internal error (KeyError: 'a bug')"]
    store.close()


def test_a_public_feed_cannot_make_the_service_read_an_intranet_page(
    local_server: LocalServer, tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 127.0.0.1 plays the public internet, 127.0.0.2 the intranet (a metadata endpoint, an admin page).
    monkeypatch.setattr(monitor.collecting.fetch, "is_public_address", lambda address: address == "127.0.0.1")
    with LocalServer("127.0.0.2") as internal:
        internal.route("/admin.html", f"<html><body><p>{LONG_ARTICLE}</p></body></html>")
        internal_feed = _rss(internal.url("/admin.html")).encode()
        internal.route("/feed.xml", internal_feed, headers={"Content-Type": "application/rss+xml"})
        local_server.route(
            "/feed.xml", _rss(internal.url("/admin.html")), headers={"Content-Type": "application/rss+xml"}
        )
        store = Store.open(tmp_path / "monitor.db")
        report = cycle(config_for(tmp_path, local_server.url("/feed.xml")), store, engine)
        assert report.pages_failed == 1 and "non-public address (127.0.0.2)" in report.errors[0]
        assert not any(r.path == "/admin.html" for r in internal.requests[1:])  # refused before connecting
        assert store.changes() == []
        # The operator's own feed, on their network, may link to their network.
        report = cycle(config_for(tmp_path, internal.url("/feed.xml")), store, engine)
        assert report.pages_failed == 0 and report.articles_new == 1
        store.close()


def _rss(link: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://example.org/</link>'
        f"<description>d</description><item><title>Claude in Copilot</title><link>{link}</link>"
        "<pubDate>Wed, 24 Sep 2025 08:00:00 +0000</pubDate></item></channel></rss>"
    )


def test_a_bozo_feed_still_yields_its_good_entries(local_server: LocalServer, tmp_path: Path, engine: Engine) -> None:
    serve_corpus(local_server)
    feed = (DEV / "feed.xml").read_text(encoding="utf-8").replace("{BASE}", local_server.base_url)
    broken = feed.replace("</channel></rss>", "<item><title>Bad & unescaped</title></item>")  # truncated, bad &
    local_server.route("/bozo.xml", broken, headers={"Content-Type": "application/rss+xml"})
    store = Store.open(tmp_path / "monitor.db")
    report = cycle(config_for(tmp_path, local_server.url("/bozo.xml")), store, engine)
    assert report.feeds_failed == 0 and report.articles_new == 18
    store.close()


def test_a_cycle_that_changes_nothing_leaves_the_digest_as_it_was(
    local_server: LocalServer, tmp_path: Path, engine: Engine
) -> None:
    serve_corpus(local_server)
    config = config_for(tmp_path, local_server.url("/feed.xml"))
    store = Store.open(tmp_path / "monitor.db")
    cycle(config, store, engine)
    digest = tmp_path / "digest.xml"
    written, mtime = digest.read_bytes(), digest.stat().st_mtime_ns
    os.utime(digest, ns=(mtime - 10**9, mtime - 10**9))  # a second ago: a rewrite would move it

    report = cycle(config, store, engine)

    assert report.articles_new == 0 and not report.changes_flagged
    assert digest.read_bytes() == written, "the same bytes (no new lastBuildDate): readers' ETags still match"
    assert digest.stat().st_mtime_ns == mtime - 10**9, "not rewritten: readers' If-Modified-Since still match"
