# SPDX-License-Identifier: MIT
"""Stage 1: poll every feed with a conditional GET and parse what changed.

A poll's outcome is `fetched`, `unchanged` (304) or `failed`; a failure is a
one-line error that the caller records on the feed, and it never stops the
other polls. The validators (ETag, Last-Modified) of a fetched feed are saved
by the caller only after its entries are recorded: were they saved first, a
crash in between would turn the unrecorded entries into a 304 next time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from monitor.collecting.fetch import Fetcher, FetchResult
from monitor.collecting.schedule import next_check
from monitor.errors import EXPECTED, error_line
from storage import Feed, Store

if TYPE_CHECKING:  # the parser is imported when a feed has changed: most polls are 304s
    from monitor.collecting.feeds import ParsedFeed
    from monitor.collecting.schedule import ScheduleSettings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Poll:
    feed: Feed
    outcome: str  # fetched | unchanged | failed
    result: FetchResult | None = None
    parsed: ParsedFeed | None = None
    error: str | None = None


async def poll_feeds(fetcher: Fetcher, feeds: list[Feed]) -> list[Poll]:
    """Poll all `feeds` concurrently (the fetcher bounds concurrency overall and per host)."""
    return list(await asyncio.gather(*(poll_feed(fetcher, feed) for feed in feeds)))


async def poll_feed(fetcher: Fetcher, feed: Feed) -> Poll:
    try:
        # A feed longer than max_bytes is cut there and its first entries read (`parse_feed` closes
        # the document after the last whole entry); a page that long is refused (monitor.reading.articles)
        result = await fetcher.get(feed.url, etag=feed.etag, last_modified=feed.last_modified, cut_at_limit=True)
        if result.error:
            return Poll(feed, "failed", result, error=_without_url(result.error, feed.url))
        if result.not_modified:
            return Poll(feed, "unchanged", result)
        from monitor.collecting.feeds import parse_feed

        # parsing is CPU work (a few ms a feed): off the event loop, so other fetches go on
        parsed = await asyncio.to_thread(parse_feed, result.content or b"", url=result.final_url, cut=result.cut)
        if parsed.warning:  # recovered from: many real feeds are slightly broken, so not a warning
            logger.info("feed recovered feed_url=%s warning=%s", feed.url, parsed.warning)
        # the feed's bytes are not kept: a first cycle over a thousand feeds would hold them all to its end
        return Poll(feed, "fetched", dataclasses.replace(result, content=None), parsed=parsed)
    except EXPECTED as exc:
        return Poll(feed, "failed", error=_without_url(error_line(str(exc)), feed.url))
    except Exception as exc:  # noqa: BLE001 - the one boundary per feed: a bug must not stop the cycle
        logger.exception("feed poll crashed feed_url=%s", feed.url)
        return Poll(feed, "failed", error=error_line(f"internal error ({type(exc).__name__}: {exc})"))


def _without_url(error: str, url: str) -> str:
    """The reason alone: the feed's URL is beside it wherever a feed's error is shown or logged."""
    return error.removeprefix(f"{url}: ")


def save_polls(store: Store, polls: list[Poll], *, interval_s: float, settings: ScheduleSettings) -> None:
    """Record each poll on its feed, in one transaction: validators on success, the error and its
    count on failure, and when to poll it next (`monitor.collecting.schedule`)."""
    if polls:
        now = _now()
        store.record_polls([_recorded(poll, interval_s=interval_s, settings=settings, now=now) for poll in polls])


def _recorded(poll: Poll, *, interval_s: float, settings: ScheduleSettings, now: dt.datetime) -> dict[str, Any]:
    """What `Store.record_polls` keeps of a poll."""
    result = poll.result
    failures = poll.feed.consecutive_errors + 1 if poll.outcome == "failed" else 0
    when = next_check(
        interval_s=poll.feed.interval_s or interval_s, failures=failures, headers=result.headers if result else {},
        ttl_minutes=poll.parsed.ttl_minutes if poll.parsed else None, settings=settings, now=now,
    )  # fmt: skip
    if poll.outcome == "failed":
        # INFO: the cycle's summary counts failures and `feeds list` names them; a feed that keeps
        # failing raises a feed.failing alert and a WARNING (monitor.judging.feed_health)
        logger.info("feed failed feed_url=%s error=%s", poll.feed.url, poll.error)
    fetched = result if poll.outcome == "fetched" else None  # only a 200 brings validators to keep
    return {
        "id": poll.feed.id,
        "status": result.status if result else None,
        "error": poll.error,
        "etag": fetched.etag if fetched else None,
        "last_modified": fetched.last_modified if fetched else None,
        "next_check": when.isoformat(timespec="milliseconds"),  # sub-second intervals stay exact
        "title": poll.parsed.title if poll.parsed and poll.parsed.title else None,
    }


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
