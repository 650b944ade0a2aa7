# SPDX-License-Identifier: MIT
"""Stage 2: from feed entries to article texts, each once.

Dedup at every level: an entry already stored (by GUID, then canonical URL)
only gains the feed that carried it; two feeds carrying one article in the
same cycle yield one article with both feeds; the content hash catches the
same text under another URL when it is recorded. An entry that carries the
whole article is read from the feed; the others are fetched and extracted.

What is stored is plain: the title one line without markup (the page's own
title when the feed's is empty), the text without control characters and cut
at MAX_TEXT_CHARS (on a line break), the date only when plausible. Every
error is one line naming the page.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass, field

from monitor.errors import MonitorError
from monitor.feeds import FeedEntry, plain_title, plausible_date
from monitor.fetch import Fetcher
from monitor.poll import Poll
from monitor.record import ArticleInput
from monitor.source import document_from_bytes
from monitor.urls import canonical_url
from storage import Store

logger = logging.getLogger(__name__)
SHORT_GUID = 12  # a GUID this short ("42") is only unique within its feed
MAX_TEXT_CHARS = 200_000  # ~35,000 words: more is not an article, and the rules read every sentence
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Candidate:
    """A new entry to read, with every feed that carried it this cycle."""

    entry: FeedEntry
    guid: str | None
    url: str | None
    feed_ids: list[int] = field(default_factory=list)
    # Read only from a public address unless a feed on a private one carried it too: a feed on
    # the internet must not make the service fetch an intranet page or a cloud metadata endpoint
    # and quote it in alerts; a feed the operator runs on their own network may link to it.
    public_only: bool = True


def select_new(store: Store, polls: list[Poll]) -> list[Candidate]:
    """The entries of fetched feeds not seen before, each once."""
    by_guid: dict[str, Candidate] = {}
    by_url: dict[str, Candidate] = {}
    out: list[Candidate] = []
    for poll in polls:
        if poll.parsed is None:
            continue
        for entry in poll.parsed.entries:
            url = canonical_url(entry.link) if entry.link else None
            if url is None and entry.full_text is None:
                continue  # nothing to read
            guid = _scoped_guid(entry.guid, poll.feed.url)
            known = store.find_article(guid=guid, url=url)
            if known is not None:
                store.link_feed(known.id, poll.feed.id)
                continue
            candidate = (guid and by_guid.get(guid)) or (url and by_url.get(url)) or None
            if candidate is None:
                candidate = Candidate(entry, guid, url)
                out.append(candidate)
            if poll.feed.id not in candidate.feed_ids:
                candidate.feed_ids.append(poll.feed.id)
                candidate.public_only &= poll.result is not None and not poll.result.private_peer
            if guid:
                by_guid[guid] = candidate
            if url:
                by_url[url] = candidate
    return out


def _scoped_guid(guid: str | None, feed_url: str) -> str | None:
    if guid and len(guid) < SHORT_GUID and "://" not in guid:
        return f"{feed_url}#{guid}"
    return guid


async def load_articles(
    fetcher: Fetcher, candidates: list[Candidate]
) -> tuple[list[ArticleInput], list[tuple[str, str]]]:
    """Read every candidate (concurrently); return the articles and, for each failed page, its
    URL and a one-line error."""
    results = await asyncio.gather(*(load_article(fetcher, c) for c in candidates))
    articles = [r for r in results if isinstance(r, ArticleInput)]
    errors = [(c.entry.link or "", r) for c, r in zip(candidates, results, strict=True) if isinstance(r, str)]
    return articles, errors


async def load_article(fetcher: Fetcher, candidate: Candidate) -> ArticleInput | str:
    """The article, or a one-line error naming the page."""
    entry = candidate.entry
    try:
        if entry.full_text is not None:
            return _article(candidate, entry.full_text, entry.title, entry.published)
        result = await fetcher.get(entry.link or "", public_only=candidate.public_only)
        if result.error:
            return result.error
        document = await asyncio.to_thread(
            document_from_bytes, result.content or b"", source=entry.link or "", url=result.final_url,
            content_type=result.content_type,
        )  # fmt: skip
        title = plain_title(entry.title) or plain_title(document.title)
        return _article(candidate, document.text, title, plausible_date(entry.published) or document.published)
    except MonitorError as exc:
        return _one_line(str(exc))
    except Exception as exc:  # noqa: BLE001 - the one boundary per page: a bug must not stop the cycle
        logger.exception("page load crashed article_url=%s", entry.link)
        return _one_line(f"{entry.link}: internal error ({type(exc).__name__}: {exc})")


def _article(candidate: Candidate, text: str, title: str, published: str | None) -> ArticleInput:
    text = _bounded_text(_CONTROL.sub(" ", text).replace("\r\n", "\n").replace("\r", "\n"))
    normalized = " ".join(text.split())
    published = plausible_date(published)
    return ArticleInput(
        feed_ids=tuple(candidate.feed_ids),
        guid=candidate.guid,
        url=candidate.url,
        title=plain_title(title),
        published=published[:10] if published else None,
        text=text,
        content_hash=hashlib.sha256(normalized.encode("utf-8", "replace")).hexdigest(),
    )


def _bounded_text(text: str) -> str:
    """At most MAX_TEXT_CHARS, cut after the last whole line that fits (or mid-line if none does)."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_TEXT_CHARS)
    return text[: cut if cut > 0 else MAX_TEXT_CHARS]


def _one_line(text: str, limit: int = 1000) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
