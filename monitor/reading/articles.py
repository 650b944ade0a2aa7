# SPDX-License-Identifier: MIT
"""Stage 2: from feed entries to fetched articles, each once.

Dedup at every level: an entry already stored (by GUID, then canonical URL)
only gains the feed that carried it; two feeds carrying one article in the
same cycle yield one article with both feeds; the content hash catches the
same text under another URL when it is recorded. An entry that carries the
whole article is read from the feed; the others are fetched, then read by
`monitor.reading.workers` (text and claims). Every error is one line naming the page.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field

from monitor.collecting.feeds import FeedEntry
from monitor.collecting.fetch import Fetcher
from monitor.collecting.poll import Poll
from monitor.errors import error_line
from monitor.reading.article import ArticleInput
from monitor.reading.workers import PageJob, Reader
from monitor.urls import canonical_url
from storage import Store

logger = logging.getLogger(__name__)
SHORT_GUID = 12  # a GUID this short ("42") is only unique within its feed


@dataclass(slots=True)  # slots, and no summary kept: a first cycle over many feeds holds tens of thousands
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
                candidate = Candidate(_kept(entry), guid, _same(url, entry.link))
                out.append(candidate)
            if poll.feed.id not in candidate.feed_ids:
                candidate.feed_ids.append(poll.feed.id)
                candidate.public_only &= poll.result is not None and not poll.result.private_peer
            if guid:
                by_guid[guid] = candidate
            if url:
                by_url[url] = candidate
    return out


def _kept(entry: FeedEntry) -> FeedEntry:
    """What a candidate keeps of its entry: no summary (nothing reads it), one string for a GUID
    that is the link (most are): a first cycle over many feeds holds tens of thousands of them."""
    return dataclasses.replace(entry, summary="", guid=_same(entry.guid, entry.link))


def _same(text: str | None, other: str | None) -> str | None:
    """`other` itself when equal to `text`: one string in memory, not two."""
    return other if text is not None and text == other else text


def by_date(candidates: list[Candidate]) -> list[Candidate]:
    """`candidates` oldest first by what their feeds say (undated last): how a cycle cuts them into
    batches, so that articles are recorded in the order things happened across the batches too."""
    return sorted(candidates, key=lambda c: ((c.entry.published or "9999")[:10], c.entry.title))


def _scoped_guid(guid: str | None, feed_url: str) -> str | None:
    if guid and len(guid) < SHORT_GUID and "://" not in guid:
        return f"{feed_url}#{guid}"
    return guid


async def load_articles(
    fetcher: Fetcher, candidates: list[Candidate], reader: Reader
) -> tuple[list[ArticleInput], list[tuple[str, str]]]:
    """Fetch and read every candidate (concurrently); return the articles and, for each failed
    page, its URL and a one-line error."""
    # Pages fetched but not yet read wait in memory: keep enough in flight to feed every worker
    # and every connection, and no more.
    in_flight = asyncio.Semaphore(fetcher.options.max_connections + 2 * reader.workers)
    results = await asyncio.gather(*(load_article(fetcher, reader, c, in_flight) for c in candidates))
    articles = [r for r in results if isinstance(r, ArticleInput)]
    errors = [(c.entry.link or "", r) for c, r in zip(candidates, results, strict=True) if isinstance(r, str)]
    return articles, errors


async def load_article(
    fetcher: Fetcher, reader: Reader, candidate: Candidate, in_flight: asyncio.Semaphore
) -> ArticleInput | str:
    """The article, or a one-line error naming the page."""
    entry = candidate.entry
    job = PageJob(
        link=entry.link or "", feed_ids=tuple(candidate.feed_ids), guid=candidate.guid, url=candidate.url,
        entry_title=entry.title, entry_published=entry.published, full_text=entry.full_text,
    )  # fmt: skip
    try:
        async with in_flight:
            if entry.full_text is None:
                result = await fetcher.get(entry.link or "", public_only=candidate.public_only)
                if result.error:
                    return result.error
                job = dataclasses.replace(
                    job, content=result.content, final_url=result.final_url, content_type=result.content_type
                )
            return await reader.read(job)
    except Exception as exc:  # noqa: BLE001 - the one boundary per page: a bug must not stop the cycle
        logger.exception("page load crashed article_url=%s", entry.link)
        return error_line(f"{entry.link}: internal error ({type(exc).__name__}: {exc})")
