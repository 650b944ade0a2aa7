# SPDX-License-Identifier: MIT
"""An article as reading hands it to judging: its text, and what its feed and page said about it."""

from __future__ import annotations

from dataclasses import dataclass

from rules.engine import Extraction


@dataclass(frozen=True)
class ArticleInput:
    """An article ready to record: text and what the feed and page said about it."""

    feed_ids: tuple[int, ...]
    guid: str | None
    url: str | None
    title: str
    published: str | None  # ISO date
    text: str
    content_hash: str
    extraction: Extraction | None = None  # its claims, when read already (by `monitor.reading.workers`)
