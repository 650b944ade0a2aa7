# SPDX-License-Identifier: MIT
"""Record one article: its claims, the changes it flags and the changes it confirms.

Everything about one article is written in one transaction, so a crash leaves
either all of it or none of it. A change's id is stable — the same facet, key,
kind and resulting claim always give the same id — so a repeat, after a crash
or from another feed, is recognised instead of flagged twice.

Several daemons on one database each hold a known state of their own. Before
an article's claims are read against it, the transaction locks the facets and
keys they speak of (`Store.lock_keys`: an advisory lock per facet and key on
PostgreSQL, SQLite's write lock) and brings in the changes another daemon
flagged on them meanwhile: two daemons reading two reports of one change at the
same moment take turns, and the second confirms what the first flagged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import replace

from monitor.judging.alerts import Receiver, queue
from monitor.judging.diff import Change, Known, KnownState, Reading, changes_of, read_against
from monitor.judging.events import CHANGE_FLAGGED, change_flagged
from monitor.judging.signals import SignalBook
from monitor.judging.state import claim_from_json
from monitor.reading.article import ArticleInput
from rules.engine import Engine
from storage import Store

logger = logging.getLogger(__name__)


def change_id(change: Change) -> str:
    """A stable id: the same change reported twice gets the same id (receivers drop repeats)."""
    after = change.after
    identity = [change.facet, change.key, change.kind, after.status, json.dumps(after.values, sort_keys=True)]
    return "chg_" + hashlib.sha256("|".join(identity).encode()).hexdigest()[:20]


def record_article(
    store: Store,
    engine: Engine,
    state: KnownState,
    article: ArticleInput,
    *,
    channels: Sequence[Receiver] = (),
    run_id: int | None = None,
    signals: SignalBook | None = None,
) -> list[str]:
    """Store `article`, its claims, what they change and one alert per channel for each change
    (and, given a `signals` book, its signals); return the ids of the changes it flagged.

    An article already stored (same guid, URL or content) only gains the feeds that carried it.
    """
    existing = store.find_article(guid=article.guid, url=article.url, content_hash=article.content_hash)
    if existing is not None:
        _link_feeds(store, existing.id, article.feed_ids)
        return []
    extraction = article.extraction or engine.extract(
        article.text, title=article.title, published=article.published, source=article.url or ""
    )
    with store.transaction():
        stored, created = store.add_article(
            guid=article.guid, url=article.url, content_hash=article.content_hash, title=article.title,
            published=article.published, lang=extraction.lang, text=article.text, feed_id=article.feed_ids[0],
        )  # fmt: skip
        _link_feeds(store, stored.id, article.feed_ids[1:])
        if not created:
            return []
        catch_up(store, state, sorted({(claim.facet, claim.key) for claim in extraction.claims}))
        readings = read_against(extraction.claims, state)
        store.add_claims(stored.id, [{**r.claim.to_json(), "verdict": r.verdict.kind} for r in readings])
        flagged = _record_changes(store, state, readings, stored.id, channels=channels, run_id=run_id)
        _attach_confirmations(store, readings, stored.id)
        if signals is not None:
            signals.record(store, stored, extraction.claims, run_id=run_id)
    # logged once committed: a change whose transaction rolled back was never flagged
    for identifier, summary in flagged:
        logger.info("change flagged change_id=%s %s", identifier, summary)
    logger.debug("article recorded article_url=%s changes=%d", article.url, len(flagged))
    return [identifier for identifier, _ in flagged]


def catch_up(store: Store, state: KnownState, keys: list[tuple[str, str]]) -> None:
    """Inside the article's transaction: lock `keys`, and apply to `state` the changes on them that it
    lacks (flagged by another daemon since the state was read), oldest first; rejected ones do not count."""
    if not keys:
        return
    store.lock_keys(keys)
    for stored in store.changes_on(keys):
        if stored.id in state.change_ids or stored.review == "rejected":
            continue
        claim = claim_from_json(stored.after)
        source = stored.sources[0].get("url") or "" if stored.sources else ""
        state.apply(replace(claim, source=source), date=claim.when or stored.first_seen[:10], change_id=stored.id,
                    change_kind=stored.kind)  # fmt: skip


def _record_changes(
    store: Store,
    state: KnownState,
    readings: list[Reading],
    article_id: int,
    *,
    channels: Sequence[Receiver],
    run_id: int | None,
) -> list[tuple[str, str]]:
    """Each change: stored with its first source and its alerts, and made part of the known state;
    the (id, summary) of those flagged now."""
    flagged = []
    for change in changes_of(readings):
        identifier = store.flaggable_id(change_id(change))  # a rejected change reported again: a new id
        row = {**change.to_json(), "id": identifier, "hedged": change.after.hedged}
        if store.add_change(row, article_id=article_id):
            flagged.append((identifier, change.summary))
            _queue_alerts(store, identifier, channels, run_id)
        state.apply(change.after, date=change.after.when, change_id=identifier, change_kind=change.kind)
    return flagged


def _attach_confirmations(store: Store, readings: list[Reading], article_id: int) -> None:
    """A claim that confirms a flagged change and reports it makes the article a further source."""
    for reading in readings:
        known = reading.verdict.before
        if reading.verdict.kind == "confirmed" and known is not None and known.change_id and _reports(reading, known):
            store.attach_source(known.change_id, article_id)


def _reports(reading: Reading, known: Known) -> bool:
    """Does a confirming claim report the change itself, or only mention the party?

    A change of values is reported by a claim that states one of those values;
    a new key or a reversal, by the status itself.
    """
    if known.change_kind == "changed":
        return bool(reading.claim.values.keys() - {"since", "names"} or reading.claim.values.get("names"))
    return True


def _queue_alerts(store: Store, change_id: str, channels: Sequence[Receiver], run_id: int | None) -> None:
    """The change's alerts, in the change's own transaction: both are stored, or neither."""
    stored = store.change(change_id)
    if stored is not None and channels:
        queue(store, list(channels), event=CHANGE_FLAGGED, event_key=change_id, payload=change_flagged(stored),
              run_id=run_id, change_id=change_id)  # fmt: skip


def _link_feeds(store: Store, article_id: int, feed_ids: tuple[int, ...]) -> None:
    for feed_id in feed_ids:
        store.link_feed(article_id, feed_id)
