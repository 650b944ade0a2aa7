# SPDX-License-Identifier: MIT
"""The events the service raises, as alerts carry them (../shared/spec/CONTRACT.md, "Alerts").

{"type": "change.flagged", "change": {...the check shape, plus id, first_seen, sources}}
{"type": "feed.failing" | "feed.recovered", "feed": {url, title, consecutive_errors, last_error, since}}
"""

from __future__ import annotations

from typing import Any

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
        "sources": [{k: s.get(k) for k in ("url", "title", "published")} for s in change.sources],
    }


def change_flagged(change: StoredChange) -> dict[str, Any]:
    return {"type": CHANGE_FLAGGED, "change": change_json(change)}


def feed_health(event: str, feed: Feed, *, since: str) -> dict[str, Any]:
    return {
        "type": event,
        "feed": {
            "url": feed.url,
            "title": feed.title,
            "consecutive_errors": feed.consecutive_errors,
            "last_error": feed.last_error,
            "since": since,
        },
    }
