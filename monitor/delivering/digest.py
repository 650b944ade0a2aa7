# SPDX-License-Identifier: MIT
"""The RSS digest: one item per flagged change, newest first; then the signals, in their own section.

Title = the change's summary; description = before → after, the evidence
sentence and a link to every source; guid = the change's stable id. Every
value that comes from an article is escaped: the digest carries no live HTML
from sources. The file is replaced atomically, so a reader never sees half of it.

The same inputs make the same bytes, and a file already holding them is left as
it is (its ETag and modification time, which readers compare, stay). The file
ends with a comment naming a SHA-256 of what it was made from (the changes
and signals as stored, the title, link and limit, the package version and
DIGEST_FORMAT) and one of the bytes before it: when both match, nothing is
rendered, so most cycles, which change nothing, do not import feedgen, lxml
and jinja2 (0.025 s) nor render; a file edited or cut is written again. A
digest written before stamps, or made from inputs that moved without moving
its items, gets the stamp once (its ETag changes that once).

    write_digest(store.changes(), Path("digest.xml"), title="…", link="https://…")
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING

from monitor import __version__
from monitor.errors import StorageError
from monitor.judging.summary import describe_values
from monitor.urls import redact_url

if TYPE_CHECKING:
    from storage import StoredChange, StoredSignal

# Raise it when what a digest holds or how it is written changes without a new version: every digest
# stamped with another is rendered again
DIGEST_FORMAT = 1
_STAMP = b"<!-- monitor: made from "  # the comment's start; then the inputs' SHA-256, the body's, " -->"


def render_digest(
    changes: list[StoredChange],
    *,
    title: str,
    link: str,
    max_items: int = 200,
    signals: Sequence[StoredSignal] = (),
) -> bytes:
    """The digest as RSS 2.0 bytes: the changes, then the signals not dismissed (their own section:
    category `signal`, title "Signal: …"; changes carry the category `change`)."""
    from feedgen.feed import FeedGenerator  # type: ignore[import-untyped]

    from monitor.templating import render

    feed = FeedGenerator()
    feed.title(title)
    feed.link(href=link, rel="alternate")
    feed.description("Changes flagged in the Microsoft-OpenAI compute relationship, newest first.")
    feed.language("en")
    newest_first = sorted(changes, key=lambda c: c.listing_key(), reverse=True)[:max_items]
    for change in newest_first:
        item = feed.add_entry(order="append")
        item.guid(change.id, permalink=False)
        rejected = "[rejected] " if change.review == "rejected" else ""  # an analyst's verdict travels with it
        item.title(rejected + _one_line(change.summary))
        item.category(term="change")
        item.description(describe_change(change))
        item.pubDate(change_date(change))
        if change.sources and change.sources[0].get("url"):
            item.link(href=redact_url(change.sources[0]["url"]))
    for signal in [s for s in signals if s.status != "dismissed"][:max_items]:
        item = feed.add_entry(order="append")
        item.guid(signal.id, permalink=False)
        promoted = "[promoted] " if signal.status == "promoted" else ""
        item.title(f"{promoted}Signal: {_one_line(signal.sentence)[:150]}")
        item.category(term="signal")
        item.description(render("digest_signal.html", signal=signal).strip())
        item.pubDate(_day(signal.happened_at) or _day(signal.first_seen) or dt.datetime.now(dt.UTC))
        if signal.sources and signal.sources[0].get("url"):
            item.link(href=redact_url(signal.sources[0]["url"]))
    # The same changes make the same bytes: feedgen would stamp lastBuildDate with now, and the digest's
    # ETag (and every reader's conditional GET) would change at each cycle
    feed.lastBuildDate(_last_flagged(changes, signals))
    return bytes(feed.rss_str(pretty=True))


def _last_flagged(changes: Sequence[StoredChange], signals: Sequence[StoredSignal]) -> dt.datetime:
    """When the digest's content last moved: the latest first-seen or review time among its items."""
    stamps = [c.first_seen for c in changes] + [c.reviewed_at or "" for c in changes]
    stamps += [s.first_seen for s in signals]
    latest = max((_day(stamp) for stamp in stamps if stamp), default=None, key=lambda d: d or _EPOCH)
    return latest or _EPOCH


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def describe_change(change: StoredChange) -> str:
    """HTML for a digest item (monitor/templates/digest_item.html); every value from an article is escaped."""
    from monitor.templating import render

    return render("digest_item.html", change=change, before=_state(change.before), after=_state(change.after)).strip()


def write_digest(
    changes: list[StoredChange],
    path: Path,
    *,
    title: str,
    link: str,
    max_items: int = 200,
    signals: Sequence[StoredSignal] = (),
) -> None:
    """Write the digest to `path` atomically (a temporary file renamed over it), unless the file holds it
    already: its stamp names the same inputs and the bytes before it are as written (nothing is rendered)."""
    inputs = inputs_digest(changes, title=title, link=link, max_items=max_items, signals=signals)
    held = None
    with suppress(OSError):
        held = path.read_bytes()
    if held is not None and held[-_STAMP_LENGTH:] == _stamp(inputs, held[:-_STAMP_LENGTH]):
        return  # made from these inputs, and as written: keep its modification time and ETag, which readers compare
    body = render_digest(changes, title=title, link=link, max_items=max_items, signals=signals)
    try:
        # Stamped even when the items are those already held (a file from before stamps, an input that
        # shows nothing new): once, so that the next cycles find the stamp and render nothing
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".digest-", delete=False) as handle:
            handle.write(body + _stamp(inputs, body))
        os.chmod(handle.name, 0o644)  # a feed for readers (a web server, a feed reader), not a private file
        os.replace(handle.name, path)
    except OSError as exc:
        raise StorageError(f"{path}: cannot write the digest ({exc.strerror})") from None


def inputs_digest(
    changes: Sequence[StoredChange], *, title: str, link: str, max_items: int, signals: Sequence[StoredSignal] = ()
) -> str:
    """A SHA-256 of everything a digest is made from, the records as stored included."""
    digest = hashlib.sha256()
    for part in (__version__, DIGEST_FORMAT, title, link, max_items, len(changes), *changes, *signals):
        digest.update(repr(part).encode("utf-8", "backslashreplace") + b"\0")
    return digest.hexdigest()


def _stamp(inputs: str, body: bytes) -> bytes:
    """The comment a digest ends with: what it was made from, and a check of the bytes before it."""
    return _STAMP + f"{inputs} {hashlib.sha256(body).hexdigest()[:32]} -->\n".encode("ascii")


_STAMP_LENGTH = len(_stamp("0" * 64, b""))


def _state(claim: dict[str, object] | None) -> str:
    if not claim:
        return "unknown"
    values = describe_values(claim.get("values") or {})  # type: ignore[arg-type]
    return f"{claim.get('status')} ({values})" if values else str(claim.get("status"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _day(value: str) -> dt.datetime | None:
    with suppress(ValueError):
        parsed = dt.datetime.fromisoformat(value if len(value) > 10 else value + "T12:00")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def change_date(change: StoredChange) -> dt.datetime:
    """When the change happened, as well as it is known: the date its claim is placed at (the
    article's, unless the sentence dates it), else its first source's, else when it was flagged —
    as stored (`happened_at`, what lists are ordered by), else worked out the same way."""
    when = str(change.after.get("when") or "")
    published = str(change.sources[0].get("published") or "") if change.sources else ""
    for value in (change.happened_at, when, published, change.first_seen):
        with suppress(ValueError):  # a bare date is read as its noon, UTC: the same day in every time zone
            parsed = dt.datetime.fromisoformat(value if len(value) > 10 else value + "T12:00")
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return dt.datetime.now(dt.UTC)
