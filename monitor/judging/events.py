# SPDX-License-Identifier: MIT
"""The events the service raises, as alerts carry them (../shared/spec/CONTRACT.md, "Alerts").

URLs in them are redacted (`monitor.urls.redact_url`): alerts, pages and the CLI show no credential.

{"type": "change.flagged", "change": {...the check shape, plus id, first_seen, sources}}
{"type": "feed.failing" | "feed.recovered", "feed": {url, title, consecutive_errors, last_error, since}}
"""

from __future__ import annotations

from typing import Any

from monitor.errors import error_line
from monitor.urls import redact_url, shown_source
from storage import Feed, StoredChange

CHANGE_FLAGGED = "change.flagged"
FEED_FAILING = "feed.failing"
FEED_RECOVERED = "feed.recovered"


def change_json(change: StoredChange) -> dict[str, Any]:
    """A flagged change: the `check --json` change plus id, first_seen and its sources."""
    return {
        "id": change.id,
        "facet": change.facet,
        "key": change.key,
        "kind": change.kind,
        "before": change.before,
        "after": change.after,
        "severity": change.severity,
        "summary": change.summary,
        "first_seen": change.first_seen,
        "happened_at": change.happened_at or None,
        "sources": [shown_source(s) for s in change.sources],
    }


def listed_change(change: StoredChange, delivery: dict[str, str]) -> dict[str, Any]:
    """A change as `monitor changes --json` and the daemon's /api/changes list it: its alert shape, its
    delivery per channel, and the analyst's review (`{verdict, note, at}` or null)."""
    review = {"verdict": change.review, "note": change.review_note, "at": change.reviewed_at} if change.review else None
    listed = change_json(change)  # a new dict: completed in place, not copied (thousands are listed at once)
    listed["delivery"] = delivery
    listed["review"] = review
    return listed


def change_flagged(change: StoredChange) -> dict[str, Any]:
    return {"type": CHANGE_FLAGGED, "change": change_json(change)}


def feed_health(event: str, feed: Feed, *, since: str) -> dict[str, Any]:
    return {
        "type": event,
        "feed": {
            "url": redact_url(feed.url),
            "title": feed.title,
            "consecutive_errors": feed.consecutive_errors,
            "last_error": error_line(feed.last_error) if feed.last_error else None,
            "since": since,
        },
    }
