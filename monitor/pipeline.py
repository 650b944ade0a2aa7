# SPDX-License-Identifier: MIT
"""One cycle of the service, read top to bottom as the pipeline it is:

    poll → select new entries → fetch and extract → claims → diff → record (with alerts) → save validators
         → feed health → digest

Alerts are queued in the outbox with what raised them; delivering them is a
stage of its own (`monitor.delivering.outbox`), run after the cycle or on its own job.

Each stage is its own module; a failing feed or page is recorded on it and
never stops the cycle. Articles are recorded oldest first, so that the known
state grows in the order things happened.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from monitor.collecting.defaults import DEFAULT_FEEDS
from monitor.collecting.fetch import Fetcher, FetchOptions
from monitor.collecting.poll import poll_feeds, save_poll
from monitor.config import Config
from monitor.delivering.channels import Channel
from monitor.delivering.digest import write_digest
from monitor.judging.feed_health import check_health
from monitor.judging.record import record_article
from monitor.judging.signals import SignalBook
from monitor.judging.state import known_state
from monitor.judging.summary import plural
from monitor.reading.articles import load_articles, select_new
from monitor.reading.workers import Reader
from rules.engine import Engine
from storage import Feed, Store

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]  # told each stage as it starts


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


async def run_cycle(
    config: Config,
    store: Store,
    engine: Engine,
    *,
    channels: Sequence[Channel] = (),
    feeds: Sequence[Feed] | None = None,
    progress: Progress | None = None,
) -> CycleReport:
    """Poll `feeds` (default: every watched feed) once, record what changed and queue its alerts
    for `channels`; write the digest."""
    tell = progress or (lambda stage: None)
    report = CycleReport()
    run_id = store.start_run()
    try:
        feeds = list(feeds) if feeds is not None else watched_feeds(config, store)
        async with Fetcher(fetch_options(config)) as fetcher:
            tell(f"polling {len(feeds)} feeds")
            polls = await poll_feeds(fetcher, feeds)
            _count_polls(report, polls)
            for poll in polls:
                if poll.outcome == "failed":
                    save_poll(store, poll, interval_s=config.interval, settings=config.schedule)
            candidates = select_new(store, polls)
            tell(f"reading {len(candidates)} new entries")
            async with Reader(
                engine, pages=len(candidates), workers=config.reading.workers, pool_from=config.reading.pool_from
            ) as reader:
                articles, page_errors = await load_articles(fetcher, candidates, reader)
        report.pages_failed, report.errors = len(page_errors), report.errors + [e for _, e in page_errors]
        for url, error in page_errors:
            logger.warning("page failed article_url=%s error=%s", url, error)
        tell(f"checking {len(articles)} articles")
        state = known_state(engine, store)
        book = signal_book(config, engine, channels)
        for article in sorted(articles, key=lambda a: (a.published or "9999", a.title)):
            report.changes_flagged += record_article(
                store, engine, state, article, channels=channels, run_id=run_id, signals=book
            )
            report.articles_new += 1
        report.signals = list(book.flagged) if book else []
        with store.transaction():  # one commit for all the feeds, not one each
            for poll in polls:
                if poll.outcome != "failed":
                    save_poll(store, poll, interval_s=config.interval, settings=config.schedule)
        polled = {feed.id for feed in feeds}
        report.health_events = check_health(
            store, [f for f in store.feeds() if f.id in polled], channels,
            threshold=config.delivery.feed_failing_after, run_id=run_id,
        )  # fmt: skip
        tell("writing the digest")
        newest = store.changes(newest_first=True, limit=config.digest.max_items)
        signals = store.signals.newest(limit=config.digest.max_items)
        write_digest(newest, config.digest_path, title=config.digest.title, link=config.digest_link,
                     max_items=config.digest.max_items, signals=signals)  # fmt: skip
    except BaseException as exc:
        _finish(store, run_id, report, error=f"{type(exc).__name__}: {exc}")
        raise
    _finish(store, run_id, report, error=None)
    return report


def signal_book(config: Config, engine: Engine, channels: Sequence[Channel]) -> SignalBook | None:
    """The cycle's signal book (`[signals]`), None when signals are off; alerts only with `alert = true`."""
    settings = config.signals
    if not settings.enabled:
        return None
    return SignalBook(engine.rules, channels=channels if settings.alert else (), similar=settings.similar)


def watched_feeds(config: Config, store: Store) -> list[Feed]:
    """The feeds to poll: the stored ones, after adding the configured ones (or, for a
    database that never had a feed and no configured feed, the default list)."""
    with store.transaction():  # one commit, not one per configured feed
        for feed in config.feed:
            store.add_feed(feed.url, interval_s=int(feed.interval) if feed.interval else None)
    seed_default_feeds(config, store)
    return store.feeds()


def seed_default_feeds(config: Config, store: Store) -> None:
    """The default feeds, into a database that never had one, unless the configuration names feeds.
    Once only: removing a default feed (or all of them) is remembered."""
    if not config.feed:
        store.add_default_feeds(list(DEFAULT_FEEDS))


def fetch_options(config: Config) -> FetchOptions:
    options = FetchOptions(
        timeout_s=config.fetch.timeout,
        max_bytes=config.fetch.max_bytes,
        max_connections=config.fetch.max_connections,
        per_host=config.fetch.per_host,
    )
    if config.fetch.user_agent:
        options = FetchOptions(**{**options.__dict__, "user_agent": config.fetch.user_agent})
    return options


def _count_polls(report: CycleReport, polls: list) -> None:  # type: ignore[type-arg]
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
