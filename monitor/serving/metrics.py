# SPDX-License-Identifier: MIT
"""Prometheus metrics of the daemon, on a registry of their own.

The daemon counts as it works (`poll`, `articles`, `change`, `cycle`, `up`);
the gauges that describe the database (feeds, alerts by state) are read from
it when scraped (`refresh`), so they are right even after a restart. Each
`Metrics` owns its `CollectorRegistry`, never the process-wide one, so tests
and several instances in one process do not collide.

    metrics = Metrics()
    metrics.poll("304")
    metrics.refresh(store)
    body, content_type = metrics.render(), Metrics.CONTENT_TYPE

Label values are a closed set, checked: an unknown one is a caller's bug
(ValueError), not a new time series.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from storage import Store
from storage.db import utc_now
from storage.outbox import STATUSES

POLL_OUTCOMES = ("200", "304", "error")  # "200" stands for any successful fetch
CHANGE_KINDS = ("new", "changed", "reversed")
# A cycle polls up to a thousand feeds: from under a second to several minutes
CYCLE_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


class Metrics:
    """The daemon's metrics: counters it feeds, gauges read from the database, one registry."""

    # generate_latest writes the 0.0.4 text format; prometheus_client's CONTENT_TYPE_LATEST
    # announces 1.0.0, which is not what it writes by default
    CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4

    def __init__(self, daemon_id: str | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.daemon_id = daemon_id
        if daemon_id is not None:  # several daemons on one database: which one answered this scrape
            Gauge("monitor_daemon_info", "This daemon's id (host:pid or [daemon] id).", ["daemon"], registry=r).labels(
                daemon=daemon_id
            ).set(1)
        self.leases = Gauge("monitor_feed_leases", "Feeds this daemon holds a lease on (polling them).", registry=r)
        self.daemons = Gauge("monitor_daemons", "Daemons seen alive on the database in the last lease period.",
                             registry=r)  # fmt: skip
        self.feeds = Gauge("monitor_feeds", "Feeds watched.", registry=r)
        self.feeds_failing = Gauge("monitor_feeds_failing", "Feeds whose last poll failed.", registry=r)
        self.polls = Counter("monitor_polls_total", "Feed polls by outcome.", ["outcome"], registry=r)
        self.articles_processed = Counter("monitor_articles_processed_total", "Articles read.", registry=r)
        self.changes = Counter("monitor_changes_flagged_total", "Changes flagged by kind.", ["kind"], registry=r)
        self.alerts = Gauge("monitor_alerts", "Alerts in the outbox by state.", ["state"], registry=r)
        self.cycle_duration = Histogram(
            "monitor_cycle_duration_seconds", "Duration of a polling cycle.", buckets=CYCLE_BUCKETS, registry=r
        )
        self.running = Gauge("monitor_up", "1 while the scheduler runs.", registry=r)
        self.cycles_failed = Counter("monitor_cycles_failed_total", "Polling cycles that failed.", registry=r)
        self.last_success = Gauge(
            "monitor_last_successful_cycle_timestamp_seconds", "When the latest successful cycle ended.", registry=r
        )
        # Every label value exists from the start: a rate() over a series born mid-way misses its first step
        for outcome in POLL_OUTCOMES:
            self.polls.labels(outcome=outcome)
        for kind in CHANGE_KINDS:
            self.changes.labels(kind=kind)
        for state in STATUSES:
            self.alerts.labels(state=state)

    def poll(self, outcome: str) -> None:
        """Count one poll: "200" (any successful fetch), "304" or "error"."""
        self.polls.labels(outcome=_checked(outcome, POLL_OUTCOMES, "poll outcome")).inc()

    def articles(self, n: int) -> None:
        """Count `n` articles read."""
        if n < 0:
            raise ValueError(f"articles: a count cannot be negative ({n})")
        self.articles_processed.inc(n)

    def change(self, kind: str) -> None:
        """Count one flagged change: new, changed or reversed."""
        self.changes.labels(kind=_checked(kind, CHANGE_KINDS, "change kind")).inc()

    def cycle(self, seconds: float) -> None:
        """Record how long one polling cycle took."""
        self.cycle_duration.observe(seconds)

    def cycle_succeeded(self) -> None:
        self.last_success.set_to_current_time()

    def cycle_failed(self) -> None:
        self.cycles_failed.inc()

    def up(self, running: bool) -> None:
        """Say whether the scheduler runs (monitor_up 1 or 0)."""
        self.running.set(1 if running else 0)

    def refresh(self, store: Store, *, alive_since: str | None = None) -> None:
        """Set the feed and alert gauges from the database (raises StorageError); with `alive_since`,
        the daemons seen since then and this daemon's leases."""
        feeds = store.feeds()
        counts = store.outbox.counts()
        self.feeds.set(len(feeds))
        if alive_since is not None:
            daemons = store.leases.daemons(now=utc_now())
            self.daemons.set(sum(1 for d in daemons if d.last_seen >= alive_since))
            self.leases.set(sum(1 for feed in feeds if self.daemon_id and feed.lease_owner == self.daemon_id))
        self.feeds_failing.set(sum(1 for feed in feeds if feed.consecutive_errors > 0))
        for state in STATUSES:
            self.alerts.labels(state=state).set(counts.get(state, 0))

    def render(self) -> bytes:
        """The exposition text, served with `CONTENT_TYPE`."""
        return generate_latest(self.registry)


def _checked(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {what} {value!r}: expected one of {', '.join(allowed)}")
    return value
