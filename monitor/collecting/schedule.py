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

    next_check(interval_s=900, failures=0, headers={}, ttl_minutes=None, settings=ScheduleConfig(), now=now)
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeAlias

from monitor.backoff import doubling, jittered, retry_after_seconds, seconds_until

if TYPE_CHECKING:  # the settings of a plain file come without pydantic (monitor.plain_config)
    from monitor.config import ScheduleConfig
    from monitor.plain_config import PlainSchedule

    ScheduleSettings: TypeAlias = ScheduleConfig | PlainSchedule

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*(\d+)", re.IGNORECASE)


def next_check(
    *,
    interval_s: float,
    failures: int,
    headers: Mapping[str, str],
    ttl_minutes: int | None,
    settings: ScheduleSettings,
    now: dt.datetime,
    rng: random.Random | None = None,
) -> dt.datetime:
    """The moment of the next poll. `failures` counts this poll if it failed (0 after a success)."""
    if failures:
        wait = doubling(failures - 1, initial=interval_s, cap=settings.backoff_max)
        wait = max(wait, min(retry_after(headers, now=now) or 0.0, settings.backoff_max))
    else:
        asked = max(ttl_minutes * 60 if ttl_minutes else 0.0, cache_lifetime(headers, now=now) or 0.0)
        wait = max(interval_s, min(asked, settings.max_interval))
    return now + dt.timedelta(seconds=max(1.0, jittered(wait, share=settings.jitter, rng=rng)))


def retry_after(headers: Mapping[str, str], *, now: dt.datetime) -> float | None:
    """Seconds a Retry-After header asks for (a number, or an HTTP date), if any."""
    return retry_after_seconds(_header(headers, "retry-after"), now=now)


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
    return seconds_until(expires, now=now) if expires else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
