# SPDX-License-Identifier: MIT
"""monitor.collecting.feeds (fixture feeds in tests/feeds, each with its expectations beside it) and monitor.urls."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path
from typing import Any

import pytest

from monitor.collecting.feeds import FeedEntry, ParsedFeed, carries_full_text, html_to_text, parse_feed
from monitor.collecting.fetch import Fetcher, FetchOptions
from monitor.errors import ExtractError
from monitor.urls import canonical_url, host_of
from tests.support.httpserver import LocalServer

FEEDS = Path(__file__).parent / "feeds"
CASES = sorted(FEEDS.glob("*.toml"))
FEED_URL = "https://news.example.com/feeds/main.xml"  # relative links in the fixtures resolve against it

FEED_KEYS = {"title", "bozo", "warning", "ttl", "entries", "error"}
ENTRY_KEYS = {"guid", "link", "title", "published", "summary", "full_text"}


def fixture_for(case: Path) -> Path:
    """The feed beside an expectation file: same stem, any other extension."""
    (feed,) = [p for p in FEEDS.glob(f"{case.stem}.*") if p.suffix != ".toml"]
    return feed


def load_expectations(case: Path) -> dict[str, Any]:
    expected = tomllib.loads(case.read_text(encoding="utf-8"))
    assert set(expected) <= FEED_KEYS, f"{case.name}: unknown keys {set(expected) - FEED_KEYS}"
    for index, entry in enumerate(expected.get("entries", [])):
        assert set(entry) <= ENTRY_KEYS, f"{case.name}: entry {index}: unknown keys {set(entry) - ENTRY_KEYS}"
    return expected


def entry_as_expected(entry: FeedEntry, expected: dict[str, Any]) -> dict[str, Any]:
    """The fields an expectation checks; guid, link and published absent from it mean None."""
    actual = {
        "guid": entry.guid,
        "link": entry.link,
        "title": entry.title,
        "published": entry.published,
        "full_text": entry.full_text is not None,
    }
    if "summary" in expected:
        actual["summary"] = entry.summary
    return actual


@pytest.mark.parametrize("case", CASES, ids=[case.stem for case in CASES])
def test_feed_fixture(case: Path) -> None:
    expected = load_expectations(case)
    data = fixture_for(case).read_bytes()
    if "error" in expected:
        with pytest.raises(ExtractError) as caught:
            parse_feed(data, url=FEED_URL)
        assert str(caught.value) == f"{FEED_URL}: {expected['error']}"
        return
    feed = parse_feed(data, url=FEED_URL)
    assert feed.title == expected["title"]
    assert feed.bozo is expected["bozo"]
    assert feed.ttl_minutes == expected.get("ttl")
    if "warning" in expected:
        assert feed.warning is not None and expected["warning"] in feed.warning
        assert "\n" not in feed.warning
    else:
        assert feed.warning is None
    wanted = [{"guid": None, "link": None, "published": None, "full_text": False} | e for e in expected["entries"]]
    assert [entry_as_expected(entry, want) for entry, want in zip(feed.entries, wanted, strict=False)] == wanted
    assert len(feed.entries) == len(wanted)


def test_every_fixture_has_expectations() -> None:
    expected = {case.stem for case in CASES}
    assert {path.stem for path in FEEDS.iterdir() if path.suffix != ".toml"} == expected


def test_full_text_keeps_paragraphs() -> None:
    feed = parse_feed((FEEDS / "rss_full_text.xml").read_bytes(), url=FEED_URL)
    text = feed.entries[0].full_text
    assert text is not None
    paragraphs = text.split("\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Microsoft and OpenAI announced on Tuesday a revised agreement")
    assert paragraphs[2].endswith("for the coming years of growth.")
    assert "<p>" not in text and "  " not in text


def test_parse_feed_refuses_str() -> None:
    # feedparser would fetch a URL or open a path given as str: never hand it one.
    with pytest.raises(TypeError, match="bytes"):
        parse_feed("https://news.example.com/feed.xml", url=FEED_URL)  # type: ignore[arg-type]


def test_feed_fetched_from_local_server_then_unchanged(local_server: LocalServer) -> None:
    data = (FEEDS / "rss_relative_links.xml").read_bytes()
    local_server.route_handler(
        "/feeds/main.xml",
        lambda request: (
            (304, {}, b"")
            if request.headers.get("if-none-match") == '"v1"'
            else (200, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}, data)
        ),
    )

    async def poll() -> tuple[ParsedFeed, bool]:
        async with Fetcher(FetchOptions(timeout_s=5)) as fetcher:
            first = await fetcher.get(local_server.url("/feeds/main.xml"))
            assert first.ok and first.content is not None
            second = await fetcher.get(first.final_url, etag=first.etag)
            return parse_feed(first.content, url=first.final_url), second.not_modified

    feed, unchanged = asyncio.run(poll())
    assert feed.entries[0].link == local_server.url("/2025/06/root-relative")
    assert unchanged


# --- carries_full_text ------------------------------------------------------------------------------

WORDS_150 = " ".join(f"word{n}" for n in range(150))
FULL_TEXT_CASES: dict[str, tuple[list[dict[str, str]], bool]] = {
    "150-words-html": ([{"type": "text/html", "value": f"<p>{WORDS_150}.</p>"}], True),
    "149-words": ([{"type": "text/html", "value": f"<p>{WORDS_150.rsplit(' ', 1)[0]}.</p>"}], False),
    "plain-text": ([{"type": "text/plain", "value": WORDS_150}], True),
    "markup-is-not-words": ([{"type": "text/html", "value": "<p class=a b c d>" * 200 + "short</p>"}], False),
    "ellipsis-char": ([{"type": "text/html", "value": f"<p>{WORDS_150}…</p>"}], False),
    "three-dots": ([{"type": "text/html", "value": f"<p>{WORDS_150} ...</p>"}], False),
    "bracketed-ellipsis": ([{"type": "text/html", "value": f"<p>{WORDS_150} [&#8230;]</p>"}], False),
    "read-more": ([{"type": "text/html", "value": f'<p>{WORDS_150}</p><a href="/x">Read more »</a>'}], False),
    "lire-la-suite": ([{"type": "text/html", "value": f"<p>{WORDS_150} Lire la suite</p>"}], False),
    "continue-reading-line": (
        [{"type": "text/html", "value": f"<p>{WORDS_150}</p><p>Continue reading <em>The Title</em> →</p>"}],
        False,
    ),
    "read-more-mid-text": ([{"type": "text/html", "value": f"<p>Read more about it. {WORDS_150}.</p>"}], True),
    "longest-part-wins": (
        [{"type": "text/html", "value": "<p>Teaser…</p>"}, {"type": "text/html", "value": f"<p>{WORDS_150}</p>"}],
        True,
    ),
    "no-content": ([], False),
}


@pytest.mark.parametrize("content, expected", FULL_TEXT_CASES.values(), ids=FULL_TEXT_CASES.keys())
def test_carries_full_text(content: list[dict[str, str]], expected: bool) -> None:
    assert carries_full_text({"content": content}) is expected


@pytest.mark.parametrize(
    "html, text",
    [
        ("<p>Microsoft &amp; <b>OpenAI</b></p><p>sign</p>", "Microsoft & OpenAI\nsign"),
        ("one<br>two<br/>three", "one\ntwo\nthree"),
        ("<script>var x = '<p>';</script><style>p {}</style>kept", "kept"),
        ("  spaced\t\n out  ", "spaced out"),
        ("<pre>line 1\nline 2</pre>", "line 1\nline 2"),
        ("<ul><li>a</li><li>b</li></ul>", "a\nb"),
        ("AT&T &lt;3", "AT&T <3"),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert html_to_text(html) == text


# --- canonical URLs -----------------------------------------------------------------------------------

CANONICAL = {
    "lower-scheme-and-host": ("HTTPS://News.Example.COM/Path/Case", "https://news.example.com/Path/Case"),
    "default-https-port": ("https://example.com:443/a", "https://example.com/a"),
    "default-http-port": ("http://example.com:80/a", "http://example.com/a"),
    "other-port-kept": ("https://example.com:8443/a", "https://example.com:8443/a"),
    "http-on-443-kept": ("http://example.com:443/a", "http://example.com:443/a"),
    "fragment": ("https://example.com/a#comments", "https://example.com/a"),
    "utm": ("https://example.com/a?utm_source=rss&utm_medium=feed&UTM_Campaign=x", "https://example.com/a"),
    "click-ids": ("https://example.com/a?fbclid=1&gclid=2&dclid=3&msclkid=4&id=7", "https://example.com/a?id=7"),
    "mailchimp-hubspot": (
        "https://example.com/a?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&mkt_tok=5",
        "https://example.com/a",
    ),
    "news-trackers": (
        "https://example.com/a?ref=tw&ref_src=twsrc&cmpid=x&xtor=RSS-1&at_medium=m&at_campaign=c&ocid=o&smid=s"
        "&sr_share=t&igshid=i",
        "https://example.com/a",
    ),
    "sorted": ("https://example.com/a?b=2&a=1&c=3", "https://example.com/a?a=1&b=2&c=3"),
    "repeated-names-keep-order": ("https://example.com/a?t=2&a=1&t=1", "https://example.com/a?a=1&t=2&t=1"),
    "values-not-re-encoded": ("https://example.com/s?q=a+b&p=%2F", "https://example.com/s?p=%2F&q=a+b"),
    "blank-value-kept": ("https://example.com/a?x=&y", "https://example.com/a?x=&y"),
    "empty-query": ("https://example.com/a?", "https://example.com/a"),
    "only-trackers-leave-no-question-mark": ("https://example.com/a/?utm_source=x#top", "https://example.com/a"),
    "trailing-slash": ("https://example.com/news/", "https://example.com/news"),
    "root-slash-kept": ("https://example.com/", "https://example.com/"),
    "root-added": ("https://example.com", "https://example.com/"),
    "root-with-query": ("https://example.com/?utm_source=x&b=1", "https://example.com/?b=1"),
    "dot-segments": ("https://example.com/a/./b/../c/./d.html", "https://example.com/a/c/d.html"),
    "dot-dot-past-root": ("https://example.com/../../a", "https://example.com/a"),
    "dot-dot-at-end": ("https://example.com/a/b/..", "https://example.com/a"),
    "dots-in-names-kept": ("https://example.com/v1.2/file..name", "https://example.com/v1.2/file..name"),
    "escapes-normalised": ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
    "escaped-dot-segments": ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
    "trailing-dot-host": ("https://example.com./a", "https://example.com/a"),
    "ipv6": ("http://[::1]:80/a/", "http://[::1]/a"),
    "userinfo-kept": ("https://user@Example.com/a", "https://user@example.com/a"),
    "whitespace": ("  https://example.com/a \n", "https://example.com/a"),
    "idempotent-already-canonical": ("https://example.com/a?a=1&b=2", "https://example.com/a?a=1&b=2"),
    "unparseable-left-alone": ("http://[::1/a", "http://[::1/a"),
}


@pytest.mark.parametrize("url, canonical", CANONICAL.values(), ids=CANONICAL.keys())
def test_canonical_url(url: str, canonical: str) -> None:
    assert canonical_url(url) == canonical
    assert canonical_url(canonical) == canonical  # idempotent


@pytest.mark.parametrize(
    "url, host",
    [
        ("https://News.Example.com:8443/x", "news.example.com"),
        ("http://127.0.0.1:8080/", "127.0.0.1"),
        ("https://example.com./", "example.com"),
        ("/relative/path", ""),
        ("http://[::1", ""),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host
