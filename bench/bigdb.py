# SPDX-License-Identifier: MIT
"""A database as the service leaves it after months of polling: many stored articles of 3–8 KB each.

Built through the storage layer's own API (`Store.add_feed`, `Store.add_article`,
grouped in transactions of BATCH articles), so that the rows, indexes and
page layout are the ones the service writes, whatever the schema becomes.
The first articles are the current items of the given feeds (so a daemon
polling them finds them stored and fetches no page); the rest is archive,
spread over the same feeds. Texts are drawn from a pool of generated
paragraphs (`texts`), each article opening with a line of its own so that
no two texts, and no two content hashes, are the same.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import texts
from corpus import Page

from monitor.urls import canonical_url
from storage import Store

BATCH = 2_000
POOL = 3_000  # paragraphs per language
TOPICS = ("topical", *texts.GENERIC_TOPICS)


@dataclass(frozen=True)
class Item:
    """A feed's current item: the article a poll of `feed_url` finds at `url`."""

    feed_url: str
    url: str
    page: Page


def build_database(path: Path, items: Sequence[Item], *, total: int, seed: int = 7) -> None:
    """`total` articles in a fresh database at `path`: `items` first, then archive articles."""
    rng = random.Random(seed)
    pool = {lang: [texts.paragraph(rng, lang, rng.choice(TOPICS)) for _ in range(POOL)] for lang in texts.LANGS}
    with Store.open(path) as store:
        feed_ids = {item.feed_url: store.add_feed(item.feed_url)[0].id for item in items}
        ids = list(feed_ids.values())
        with store.transaction():
            for item in items:
                page = item.page
                _add(store, guid=item.url, url=item.url, title=page.title, lang=page.lang, text=page.text,
                     published=page.published.date().isoformat(), feed_id=feed_ids[item.feed_url])  # fmt: skip
        for start in range(len(items), total, BATCH):
            with store.transaction():
                for number in range(start, min(start + BATCH, total)):
                    _add_archived(store, rng, pool, number, feed_id=ids[number % len(ids)])


def _add_archived(store: Store, rng: random.Random, pool: dict[str, list[str]], number: int, *, feed_id: int) -> None:
    lang = texts.LANGS[number % 2]
    size = rng.randint(3_000, 8_000)
    paragraphs = [f"Archive {number}: {texts.title(rng, lang, rng.choice(TOPICS))}"]
    while sum(map(len, paragraphs)) < size:
        paragraphs.append(rng.choice(pool[lang]))
    url = f"https://archive.example/{number % 997}/{number}.html"
    day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    _add(store, guid=url, url=url, title=paragraphs[0], lang=lang, text="\n".join(paragraphs), published=day,
         feed_id=feed_id)  # fmt: skip


def _add(store: Store, *, guid: str, url: str, title: str, lang: str, text: str, published: str, feed_id: int) -> None:
    """One article as the pipeline stores it: canonical URL, hash of the whitespace-normalized text."""
    content_hash = hashlib.sha256(" ".join(text.split()).encode()).hexdigest()
    store.add_article(guid=guid, url=canonical_url(url), content_hash=content_hash, title=title, published=published,
                      lang=lang, text=text, feed_id=feed_id)  # fmt: skip
