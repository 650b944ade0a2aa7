# SPDX-License-Identifier: MIT
"""Waiting before trying again: doubling backoff, jitter, and what a server's Retry-After asks.

Shared by the feeds' schedule (`monitor.collecting.schedule`) and the alerts'
delivery (`monitor.delivering.outbox`, the webhook channel): one reading of
Retry-After, one doubling rule.

    >>> doubling(3, initial=30, cap=3600)
    240.0
    >>> retry_after_seconds("120")
    120.0
"""

from __future__ import annotations

import datetime as dt
import email.utils
import random


def doubling(attempts: int, *, initial: float, cap: float) -> float:
    """`initial` doubled once per attempt already made, never more than `cap`."""
    return float(min(cap, initial * 2 ** min(max(attempts, 0), 30)))


def jittered(seconds: float, *, share: float, rng: random.Random | None = None) -> float:
    """`seconds` ± `share` of it, at random: things due together fall due apart."""
    return seconds * (1 + (rng or random).uniform(-share, share))


def retry_after_seconds(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Seconds a Retry-After header asks for (delta-seconds or an HTTP date); None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    return seconds_until(value, now=now or dt.datetime.now(dt.UTC))


def seconds_until(http_date: str, *, now: dt.datetime) -> float | None:
    """Seconds from `now` to an HTTP date (0 once past); None if it is not one."""
    try:
        moment = email.utils.parsedate_to_datetime(http_date)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000" means UTC in RFC 5322 dates
        moment = moment.replace(tzinfo=dt.UTC)
    return max(0.0, (moment - now).total_seconds())
