# SPDX-License-Identifier: MIT
"""Feed health: one `feed.failing` alert when a feed has failed N polls in a row, one
`feed.recovered` when it works again — never one per failed poll.

The threshold is `[delivery] feed_failing_after` (default 5). The state lives on
the feed (`failing_since`), so a restart neither repeats nor forgets an alert.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from monitor.judging.alerts import Receiver, queue
from monitor.judging.events import FEED_FAILING, FEED_RECOVERED, feed_health
from storage import Feed, Store
from storage.db import utc_now

logger = logging.getLogger(__name__)


def check_health(store: Store, feeds: Sequence[Feed], channels: Sequence[Receiver], *, threshold: int,
                 run_id: int | None) -> list[str]:  # fmt: skip
    """Raise the alerts of feeds whose state changed; return their events, e.g. "feed.failing <url>"."""
    raised = []
    for feed in feeds:
        if feed.failing_since is None and feed.consecutive_errors >= threshold:
            event, since = FEED_FAILING, utc_now()
        elif feed.failing_since is not None and feed.consecutive_errors == 0:
            event, since = FEED_RECOVERED, feed.failing_since
        else:
            continue
        with store.transaction():
            store.set_failing(feed.id, since if event == FEED_FAILING else None)
            queue(store, list(channels), event=event, event_key=f"{event}|{feed.url}|{since}",
                  payload=feed_health(event, feed, since=since), run_id=run_id, feed_url=feed.url)  # fmt: skip
        logger.warning("%s feed_url=%s consecutive_errors=%d", event, feed.url, feed.consecutive_errors)
        raised.append(f"{event} {feed.url}")
    return raised
