# SPDX-License-Identifier: MIT
"""Fuzz target: bytes → feed parsing and page extraction → claim engine (see fuzz/README.md).

    .venv/bin/python fuzz/fuzz_pipeline.py fuzz/work fuzz/corpus -dict=fuzz/pipeline.dict \\
        -max_len=20000 -timeout=60 -max_total_time=240

One input goes three ways, as the service reads what it fetches:

1. as a feed: `monitor.collecting.feeds.parse_feed`, then the engine on the first entries (their full
   text, else their summary, with their title and date), as `monitor.reading.articles` does;
2. as a page: `monitor.reading.source.document_from_bytes` (trafilatura for HTML, plain text as is),
   then the engine on the document;
3. as text: the bytes decoded as UTF-8, straight to the engine, with a date taken from the input.

Expected: `monitor.errors.MonitorError` (not a feed, no article text, binary input…). A finding
is any other exception, a claim that breaks the engine's contract (unknown facet or status,
evidence not cut from the input), or a call over its time budget (TIME_BUDGET).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports(include=["rules", "monitor", "feedparser"]):
    from monitor.collecting.feeds import parse_feed
    from monitor.errors import MonitorError
    from monitor.reading.source import document_from_bytes
    from rules.engine import Engine
    from rules.model import STATUSES

T = TypeVar("T")

ENTRIES = 3  # entries of a feed sent to the engine
# Seconds a call may take: a fixed allowance (trafilatura, feedparser and the engine have start-up
# costs of their own) plus a rate per byte. Generous: it catches backtracking and quadratic steps,
# not a slow machine. FUZZ_TIME_BUDGET overrides the fixed part.
TIME_BUDGET = float(os.environ.get("FUZZ_TIME_BUDGET", "2.0"))
PER_BYTE = 100e-6

ENGINE = Engine.load()
FACETS = frozenset(ENGINE.rules.facets)
logging.disable(logging.CRITICAL)  # trafilatura logs what it cannot read; that is not a finding


class OverBudget(Exception):
    """A call took longer than its time budget."""


class BrokenClaim(Exception):
    """A claim that breaks the engine's contract."""


def _timed(what: str, size: int, call: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    budget = TIME_BUDGET + PER_BYTE * size
    if elapsed > budget:
        raise OverBudget(f"{what}: {elapsed:.2f} s for {size} characters (budget {budget:.2f} s)")
    return result


def _extract(what: str, text: str, *, title: str = "", published: str | dt.date | None = None) -> None:
    extraction = _timed(
        f"Engine.extract ({what})",
        len(text) + len(title),
        lambda: ENGINE.extract(text, title=title, published=published),
    )
    flat_title = " ".join(title.split())
    for claim in extraction.claims:
        problem = (
            "unknown facet"
            if claim.facet not in FACETS
            else "unknown status"
            if claim.status not in STATUSES
            else "evidence not in the input"
            if not claim.evidence or (claim.evidence not in text and claim.evidence not in flat_title)
            else ""
        )
        if problem:
            raise BrokenClaim(f"{what}: {problem}: {claim!r}")


def _published(data: bytes) -> dt.date | None:
    """A publication date drawn from the input's first bytes (or none), for the text path."""
    if len(data) < 2 or data[0] % 4 == 0:
        return None
    return dt.date(1990, 1, 1) + dt.timedelta(days=int.from_bytes(data[:2], "big") % 20_000)


def _as_feed(data: bytes) -> None:
    try:
        feed = _timed("parse_feed", len(data), lambda: parse_feed(data, url="https://news.example/feed.xml"))
    except MonitorError:
        return
    for entry in feed.entries[:ENTRIES]:
        text = entry.full_text or entry.summary
        published = entry.published[:10] if entry.published else None
        _extract("feed entry", text, title=entry.title, published=published)


def _as_page(data: bytes) -> None:
    try:
        document = _timed(
            "document_from_bytes",
            len(data),
            lambda: document_from_bytes(data, source="fuzz", url="https://news.example/article.html"),
        )
    except MonitorError:
        return
    _extract("page", document.text, title=document.title, published=document.published)


def test_one_input(data: bytes) -> None:
    _as_feed(data)
    _as_page(data)
    _extract("text", data.decode("utf-8", errors="replace"), published=_published(data))


def main(argv: list[str]) -> Any:
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
