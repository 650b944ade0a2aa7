# SPDX-License-Identifier: MIT
"""When to poll a feed next: politely, and never give up on it.

- A feed that answered is polled again after its interval (the feed's own, or
  the global `interval`), lengthened — never shortened — by what the server
  asks for: RSS `<ttl>`, `Cache-Control: max-age`, `Expires`; a server cannot
  push it beyond `[schedule] max_interval` (default 24 h).
- A failing feed backs off: interval × 2^(failures − 1), capped at
  `[schedule] backoff_max` (default 6 h), and at least what Retry-After asks
  on 429/503. It is never dropped; the first success resets it.
- Jitter (± `[schedule] jitter`, default 10 %) keeps feeds of one host from
  falling due together.

    next_check(feed, outcome, interval_s=900, settings=ScheduleConfig(), now=now)
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random
import re
from collections.abc import Mapping

from monitor.config import ScheduleConfig

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.IGNORECASE)


def next_check(
    *,
    interval_s: float,
    failures: int,
    headers: Mapping[str, str],
    ttl_minutes: int | None,
    settings: ScheduleConfig,
    now: dt.datetime,
    rng: random.Random | None = None,
) -> dt.datetime:
    """The moment of the next poll. `failures` counts this poll if it failed (0 after a success)."""
    if failures:
        wait = min(settings.backoff_max, interval_s * 2 ** min(failures - 1, 30))
        wait = max(wait, min(retry_after(headers, now=now) or 0.0, settings.backoff_max))
    else:
        asked = max(ttl_minutes * 60 if ttl_minutes else 0.0, cache_lifetime(headers, now=now) or 0.0)
        wait = max(interval_s, min(asked, settings.max_interval))
    spread = (rng or random).uniform(-settings.jitter, settings.jitter)
    return now + dt.timedelta(seconds=max(1.0, wait * (1 + spread)))


def retry_after(headers: Mapping[str, str], *, now: dt.datetime) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date), if any."""
    value = _header(headers, "retry-after")
    if value is None:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    return _seconds_until(value, now)


def cache_lifetime(headers: Mapping[str, str], *, now: dt.datetime) -> float | None:
    """How long the response says it stays fresh: Cache-Control max-age, else Expires."""
    control = _header(headers, "cache-control")
    if control:
        if "no-store" in control.lower() or "no-cache" in control.lower():
            return None
        match = _MAX_AGE.search(control)
        if match:
            return float(match.group(1))
    expires = _header(headers, "expires")
    return _seconds_until(expires, now) if expires else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _seconds_until(http_date: str, now: dt.datetime) -> float | None:
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - now).total_seconds())
