# SPDX-License-Identifier: MIT
"""One cycle of the service, read top to bottom as the pipeline it is:

    poll → select new entries → (fetch and extract → claims → diff → record, with alerts) in batches
         → save validators → feed health → digest

Alerts are queued in the outbox with what raised them; delivering them is a
stage of its own (`monitor.delivering.outbox`), run after the cycle or on its own job.

Each stage is its own module; a failing feed or page is recorded on it and
never stops the cycle. Articles are recorded oldest first, so that the known
state grows in the order things happened.

New articles stream through reading and recording in batches of BATCH: a cycle
holds at most two batches of articles in memory (one being recorded, the next
being read), whatever its size, so a first cycle over a thousand feeds costs
no more memory than a small one. Entries are put in date order before they are
cut into batches, so the order of recording is the order of the feeds' dates.

A cycle only imports and loads what its work needs: when every feed answers
304 (the commonest cycle) it neither imports the reading stage (trafilatura)
nor loads the rules, so a one-shot `monitor run --once` stays cheap.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from monitor.collecting.defaults import DEFAULT_FEEDS
from monitor.collecting.fetch import Fetcher, FetchOptions
from monitor.collecting.poll import Poll, poll_feeds, save_polls
from monitor.judging.summary import plural
from storage import Feed, Store

if TYPE_CHECKING:
    from monitor.config import Settings
    from monitor.delivering.channels import Channel
    from monitor.judging.diff import KnownState
    from monitor.judging.signals import SignalBook
    from monitor.reading.article import ArticleInput
    from monitor.reading.articles import Candidate
    from monitor.reading.workers import Reader
    from rules.engine import Engine

    Read = tuple[list[ArticleInput], list[tuple[str, str]]]  # a batch's articles, and (URL, error) per failed page

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]  # told each stage as it starts
BATCH = 100  # new articles read ahead of recording: bounds the memory of a cycle, whatever its size


@dataclass
class CycleReport:
    feeds_polled: int = 0
    feeds_unchanged: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    pages_failed: int = 0
    changes_flagged: list[str] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)  # ids of the signals found (monitor.judging.signals)
    health_events: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{plural(self.feeds_polled, 'feed')} polled "
            f"({self.feeds_unchanged} unchanged, {self.feeds_failed} failed), "
            f"{plural(self.articles_new, 'new article')} ({plural(self.pages_failed, 'page')} failed), "
            f"{plural(len(self.changes_flagged), 'change')} flagged"
            + (f", {plural(len(self.signals), 'signal')}" if self.signals else "")
        )

    @property
    def all_failed(self) -> bool:
        return self.feeds_polled > 0 and self.feeds_failed == self.feeds_polled

    def all_failed_hint(self) -> str:
        """One line for a cycle where no feed answered: the commonest reason, and what to try."""
        reasons = Counter(self.errors).most_common()
        why = reasons[0][0] if reasons else "no reason recorded"
        others = f", and {plural(len(reasons) - 1, 'other reason')}" if len(reasons) > 1 else ""
        every = "the only feed" if self.feeds_polled == 1 else f"all {self.feeds_polled} feeds"
        line = f"{every} failed ({why}{others}; see `monitor feeds list`)"
        if all(reason.startswith(_NO_NETWORK) for reason, _ in reasons):
            line += ". No internet here? `monitor demo` runs the service on a bundled sample feed."
        return line


_NO_NETWORK = ("unreachable", "timed out")  # how monitor.collecting.fetch words a host it could not talk to


@dataclass
class Cycle:
    """What the stages of one cycle share: where they record, what they tell, and the report they fill."""

    config: Settings
    store: Store
    engine: Engine | None
    channels: Sequence[Channel]
    run_id: int
    tell: Progress
    report: CycleReport = field(default_factory=CycleReport)

    def rules(self) -> Engine:
        """The engine, loaded now if the caller left it to the cycle (only a cycle with new articles needs it)."""
        if self.engine is None:
            from rules.engine import Engine

            self.engine = Engine.load()
        return self.engine


async def run_cycle(
    config: Settings,
    store: Store,
    engine: Engine | None,
    *,
    channels: Sequence[Channel] = (),
    feeds: Sequence[Feed] | None = None,
    progress: Progress | None = None,
) -> CycleReport:
    """Poll `feeds` (default: every watched feed) once, record what changed and queue its alerts
    for `channels`; write the digest. `engine` None: the rules are loaded if there is anything to read."""
    cycle = Cycle(config, store, engine, channels, store.start_run(), progress or (lambda stage: None))
    report, tell = cycle.report, cycle.tell
    try:
        feeds = list(feeds) if feeds is not None else watched_feeds(config, store)
        async with Fetcher(fetch_options(config)) as fetcher:
            tell(f"polling {len(feeds)} feeds")
            polls = await poll_feeds(fetcher, feeds)
            _count_polls(report, polls)
            save_polls(store, [p for p in polls if p.outcome == "failed"], interval_s=config.interval,
                       settings=config.schedule)  # fmt: skip
            if any(poll.parsed is not None for poll in polls):
                candidates = _select_new(store, polls)
                polls = [_without_entries(poll) for poll in polls]  # the candidates hold what is read of them
                await read_and_record(cycle, fetcher, candidates)
        # one transaction for all the feeds, after their entries are recorded (see monitor.collecting.poll)
        save_polls(store, [p for p in polls if p.outcome != "failed"], interval_s=config.interval,
                   settings=config.schedule)  # fmt: skip
        _check_health(cycle, feeds, failed=report.feeds_failed > 0)
        tell("writing the digest")
        _write_digest(config, store)
    except BaseException as exc:
        _finish(store, cycle.run_id, report, error=f"{type(exc).__name__}: {exc}")
        raise
    _finish(store, cycle.run_id, report, error=None)
    return report


def _select_new(store: Store, polls: list[Poll]) -> list[Candidate]:
    from monitor.reading.articles import select_new  # the reading stage, imported when a feed has entries

    return select_new(store, polls)


def _without_entries(poll: Poll) -> Poll:
    """The poll as saving it needs it (title, ttl, validators): a cycle over many feeds would hold every
    entry of every feed until its end."""
    if poll.parsed is None:
        return poll
    return dataclasses.replace(poll, parsed=dataclasses.replace(poll.parsed, entries=[]))


async def read_and_record(cycle: Cycle, fetcher: Fetcher, candidates: list[Candidate]) -> None:
    """Fetch, read and record `candidates` (emptying the list), BATCH at a time, oldest first: the next
    batch is read (fetched, its text and claims extracted in the workers) while this one is recorded."""
    from monitor.reading.articles import by_date
    from monitor.reading.workers import Reader

    cycle.tell(f"reading and checking {len(candidates)} new entries")
    if not candidates:
        return
    pages = len(candidates)
    # the oldest batch last, to be popped first; this list alone holds the candidates, so each batch
    # is released once read
    ordered = by_date(candidates)
    candidates.clear()
    batches = [ordered[i : i + BATCH] for i in range(0, pages, BATCH)][::-1]
    del ordered
    reading = cycle.config.reading
    async with Reader(cycle.rules(), pages=pages, workers=reading.workers, pool_from=reading.pool_from) as reader:
        state = _known_state(cycle)
        book = signal_book(cycle.config, cycle.rules(), cycle.channels)
        ahead: asyncio.Task[Read] | None = _read(fetcher, batches.pop(), reader)
        try:
            while ahead is not None:
                articles = await ahead
                ahead = _read(fetcher, batches.pop(), reader) if batches else None
                await _record(cycle, state, articles, book)
                cycle.report.signals = list(book.flagged) if book else []
        finally:
            if ahead is not None and not ahead.done():  # recording failed: the batch read ahead is not wanted
                ahead.cancel()
                await asyncio.gather(ahead, return_exceptions=True)


def _read(fetcher: Fetcher, candidates: list[Candidate], reader: Reader) -> asyncio.Task[Read]:
    """A task reading `candidates` (it starts at once, and runs while the caller records)."""
    from monitor.reading.articles import load_articles

    return asyncio.ensure_future(load_articles(fetcher, candidates, reader))


async def _record(cycle: Cycle, state: KnownState, articles: Read, signals: SignalBook | None) -> None:
    """Record a batch's articles oldest first, yielding between them so that the next batch's
    fetches and reads go on meanwhile."""
    from monitor.judging.record import record_article

    found, page_errors = articles
    report = cycle.report
    report.pages_failed += len(page_errors)
    report.errors += [error for _, error in page_errors]
    for url, error in page_errors:
        logger.warning("page failed article_url=%s error=%s", url, error)
    for article in sorted(found, key=lambda a: (a.published or "9999", a.title)):
        report.changes_flagged += record_article(
            cycle.store, cycle.rules(), state, article, channels=cycle.channels, run_id=cycle.run_id, signals=signals
        )
        report.articles_new += 1
        await asyncio.sleep(0)


def _known_state(cycle: Cycle) -> KnownState:
    from monitor.judging.state import known_state

    return known_state(cycle.rules(), cycle.store)


def _check_health(cycle: Cycle, feeds: list[Feed], *, failed: bool) -> None:
    """Feed health, on the feeds as stored after this cycle's polls were saved.

    A cycle where no poll failed and no polled feed was failing cannot change any feed's health: every
    poll succeeded, so every count of failures is 0 and no feed is marked failing. The feeds are then
    not read again (a thousand rows decoded for nothing in a cycle of 304s)."""
    if not failed and all(feed.failing_since is None for feed in feeds):
        return
    from monitor.judging.feed_health import check_health

    polled = {feed.id for feed in feeds}
    cycle.report.health_events = check_health(
        cycle.store, [f for f in cycle.store.feeds() if f.id in polled], cycle.channels,
        threshold=cycle.config.delivery.feed_failing_after, run_id=cycle.run_id,
    )  # fmt: skip


def _write_digest(config: Settings, store: Store) -> None:
    from monitor.delivering.digest import write_digest

    newest = store.changes(newest_first=True, limit=config.digest.max_items)
    signals = store.signals.newest(limit=config.digest.max_items)
    write_digest(newest, config.digest_path, title=config.digest.title, link=config.digest_link,
                 max_items=config.digest.max_items, signals=signals)  # fmt: skip


def signal_book(config: Settings, engine: Engine, channels: Sequence[Channel]) -> SignalBook | None:
    """The cycle's signal book (`[signals]`), None when signals are off; alerts only with `alert = true`."""
    from monitor.judging.signals import SignalBook

    settings = config.signals
    if not settings.enabled:
        return None
    return SignalBook(engine.rules, channels=channels if settings.alert else (), similar=settings.similar)


def watched_feeds(config: Settings, store: Store) -> list[Feed]:
    """The feeds to poll: the stored ones, after adding the configured ones (or, for a
    database that never had a feed and no configured feed, the default list).

    The stored feeds are read first and only the configured ones missing are added (as `add_feeds`
    would: a URL already stored is left as it is), then read again if any was: a cycle over feeds all
    stored already reads them once and writes nothing."""
    feeds = store.feeds()
    stored = {feed.url for feed in feeds}
    missing = [(feed.url, int(feed.interval) if feed.interval else None) for feed in config.feed
               if feed.url not in stored]  # fmt: skip
    if missing:
        store.add_feeds(missing)
    seeded = seed_default_feeds(config, store)
    return store.feeds() if missing or seeded else feeds


def seed_default_feeds(config: Settings, store: Store) -> list[Feed]:
    """The default feeds, into a database that never had one, unless the configuration names feeds.
    Once only: removing a default feed (or all of them) is remembered. The feeds added now."""
    if not config.feed:
        return store.add_default_feeds(list(DEFAULT_FEEDS))
    return []


def fetch_options(config: Settings) -> FetchOptions:
    options = FetchOptions(
        timeout_s=config.fetch.timeout,
        max_bytes=config.fetch.max_bytes,
        max_connections=config.fetch.max_connections,
        per_host=config.fetch.per_host,
    )
    if config.fetch.user_agent:
        options = FetchOptions(**{**options.__dict__, "user_agent": config.fetch.user_agent})
    return options


def _count_polls(report: CycleReport, polls: list[Poll]) -> None:
    report.feeds_polled = len(polls)
    report.feeds_unchanged = sum(p.outcome == "unchanged" for p in polls)
    report.feeds_failed = sum(p.outcome == "failed" for p in polls)
    report.errors += [p.error for p in polls if p.error]


def _finish(store: Store, run_id: int, report: CycleReport, *, error: str | None) -> None:
    store.finish_run(
        run_id, feeds_polled=report.feeds_polled, feeds_unchanged=report.feeds_unchanged,
        feeds_failed=report.feeds_failed, articles_new=report.articles_new,
        changes_flagged=len(report.changes_flagged), error=error,
    )  # fmt: skip
