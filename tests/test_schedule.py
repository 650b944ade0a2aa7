# SPDX-License-Identifier: MIT
"""The polling policy: intervals lengthened by what servers ask, backoff for failing feeds, jitter."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from monitor.collecting.schedule import cache_lifetime, next_check, retry_after
from monitor.config import ScheduleConfig

NOW = dt.datetime(2025, 11, 10, 12, 0, tzinfo=dt.UTC)
EXACT = ScheduleConfig(jitter=0)

CASES = [
    # (name, interval, failures, headers, ttl minutes, expected seconds)
    ("plain interval", 900, 0, {}, None, 900),
    ("ttl lengthens", 900, 0, {}, 60, 3600),
    ("ttl never shortens", 900, 0, {}, 5, 900),
    ("max-age lengthens", 900, 0, {"Cache-Control": "public, max-age=7200"}, None, 7200),
    ("no-cache asks nothing", 900, 0, {"Cache-Control": "no-cache, max-age=7200"}, None, 900),
    ("expires lengthens", 900, 0, {"Expires": "Mon, 10 Nov 2025 14:00:00 GMT"}, None, 7200),
    ("a server cannot stretch past max_interval", 900, 0, {"Cache-Control": "max-age=9999999"}, None, 86400),
    ("first failure waits the interval", 900, 1, {}, None, 900),
    ("backoff doubles", 900, 3, {}, None, 3600),
    ("backoff is capped at 6h", 900, 30, {}, None, 21600),
    ("retry-after seconds honoured", 60, 1, {"Retry-After": "600"}, None, 600),
    ("retry-after date honoured", 60, 1, {"Retry-After": "Mon, 10 Nov 2025 13:00:00 GMT"}, None, 3600),
    ("retry-after capped at backoff_max", 60, 1, {"Retry-After": "999999"}, None, 21600),
]


@pytest.mark.parametrize(("interval", "failures", "headers", "ttl", "seconds"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_next_check(interval: float, failures: int, headers: dict[str, str], ttl: int | None, seconds: float) -> None:
    moment = next_check(interval_s=interval, failures=failures, headers=headers, ttl_minutes=ttl,
                        settings=EXACT, now=NOW)  # fmt: skip
    assert (moment - NOW).total_seconds() == pytest.approx(seconds)


def test_jitter_spreads_within_bounds() -> None:
    rng = random.Random(7)
    waits = [
        (
            next_check(
                interval_s=1000, failures=0, headers={}, ttl_minutes=None, settings=ScheduleConfig(), now=NOW, rng=rng
            )
            - NOW
        ).total_seconds()  # fmt: skip
        for _ in range(200)
    ]
    assert 900 <= min(waits) < 950 and 1050 < max(waits) <= 1100


def test_header_parsing_is_forgiving() -> None:
    assert retry_after({"retry-after": "soon"}, now=NOW) is None
    assert retry_after({}, now=NOW) is None
    assert cache_lifetime({"Expires": "0"}, now=NOW) is None
    assert cache_lifetime({"Expires": "Mon, 10 Nov 2025 11:00:00 GMT"}, now=NOW) == 0
