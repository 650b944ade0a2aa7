# SPDX-License-Identifier: MIT
"""monitor.delivering.digest: a digest already made from the same inputs is neither rendered nor rewritten
(its stamp says what it was made from); any other input renders it again; the stamp is an XML comment
that feed readers skip."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import feedparser
import pytest

from monitor.delivering import digest as digest_module
from monitor.delivering.digest import render_digest, write_digest
from storage import Store, StoredChange, StoredSignal

STAMP = b"<!-- monitor: made from "
OPTIONS = {"title": "Flagged changes", "link": "https://monitor.example/", "max_items": 200}


def stored_changes(store: Store, count: int = 2) -> list[StoredChange]:
    article, _ = store.add_article(guid="g", url="https://news.example/a", content_hash="h", title="A", lang="en",
                                   published="2025-01-15", text="Text.", feed_id=None)  # fmt: skip
    for n in range(count):
        after = {"facet": "stargate", "key": f"k{n}", "status": "active", "values": {}, "hedged": False,
                 "when": f"2025-0{n + 1}-01", "evidence": f"Evidence {n}."}  # fmt: skip
        store.add_change({"id": f"chg_{n}", "facet": "stargate", "key": f"k{n}", "kind": "new", "before": None,
                          "after": after, "severity": "high", "summary": f"Stargate {n}: new",
                          "first_seen": f"2025-0{n + 1}-02T12:00:00+00:00"}, article_id=article.id)  # fmt: skip
    return store.changes(newest_first=True)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "monitor.db")


def age(path: Path) -> int:
    """Set the file's modification time a second back, and return it: a rewrite would move it."""
    mtime = path.stat().st_mtime_ns - 10**9
    os.utime(path, ns=(mtime, mtime))
    return mtime


def test_the_same_inputs_are_not_rendered_again(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    changes, path = stored_changes(store), tmp_path / "digest.xml"
    write_digest(changes, path, **OPTIONS)
    written, mtime = path.read_bytes(), age(path)
    body = render_digest(changes, **OPTIONS)
    assert written.startswith(body) and written[len(body) :].startswith(STAMP) and written.endswith(b" -->\n")

    def render(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered again")

    monkeypatch.setattr(digest_module, "render_digest", render)
    write_digest(store.changes(newest_first=True), path, **OPTIONS)  # read again: equal records, not the same objects
    assert path.read_bytes() == written and path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize("what", ["a review", "a new change", "the title", "the link", "max_items", "a signal"])
def test_another_input_renders_the_digest_again(store: Store, tmp_path: Path, what: str) -> None:
    path = tmp_path / "digest.xml"
    write_digest(stored_changes(store), path, **OPTIONS)
    before = path.read_bytes()
    options: dict[str, Any] = dict(OPTIONS)
    signals: list[StoredSignal] = []
    if what == "a review":
        store.review_change("chg_1", "rejected", note="misread")
    elif what == "a new change":
        stored_changes(store, 3)
    elif what == "a signal":
        signals = [StoredSignal(id="sig_1", sentence="Microsoft may build more.", lang="en", parties=[], terms=[],
                                verbs=[], happened_at="2025-03-01", first_seen="2025-03-02T12:00:00+00:00",
                                status="open", label=None, reviewed_at=None)]  # fmt: skip
    else:
        key = {"the title": "title", "the link": "link", "max_items": "max_items"}[what]
        options[key] = 1 if key == "max_items" else f"{options[key]}x"
    changes = store.changes(newest_first=True)
    write_digest(changes, path, **options, signals=signals)
    after = path.read_bytes()
    assert after != before and after.startswith(render_digest(changes, **options, signals=signals))


def test_the_same_items_under_another_stamp_are_stamped_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file holding the same items under another stamp (or none: from before stamps) gets this one, once;
    then nothing is rendered again."""
    changes, path = stored_changes(store), tmp_path / "digest.xml"
    body = render_digest(changes, **OPTIONS)
    write_digest(changes, path, **OPTIONS)
    stamped = path.read_bytes()
    for held in (body, body + STAMP + b"0" * 64 + b" " + b"0" * 32 + b" -->\n"):
        path.write_bytes(held)
        write_digest(changes, path, **OPTIONS)
        assert path.read_bytes() == stamped
    mtime = age(path)
    monkeypatch.setattr(digest_module, "render_digest", lambda *args, **kwargs: b"rendered again")
    write_digest(changes, path, **OPTIONS)
    assert path.read_bytes() == stamped and path.stat().st_mtime_ns == mtime


def test_a_digest_edited_by_hand_is_written_again(store: Store, tmp_path: Path) -> None:
    changes, path = stored_changes(store), tmp_path / "digest.xml"
    write_digest(changes, path, **OPTIONS)
    written = path.read_bytes()
    path.write_bytes(written.replace(b"Stargate 1", b"Stargate 9"))
    write_digest(changes, path, **OPTIONS)
    assert path.read_bytes() == written
    path.write_bytes(written[:-100])  # cut short
    write_digest(changes, path, **OPTIONS)
    assert path.read_bytes() == written
    path.unlink()
    write_digest(changes, path, **OPTIONS)
    assert path.read_bytes() == written


def test_readers_skip_the_stamp(store: Store, tmp_path: Path) -> None:
    changes, path = stored_changes(store), tmp_path / "digest.xml"
    write_digest(changes, path, **OPTIONS)
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo and [e.id for e in parsed.entries] == ["chg_1", "chg_0"]
    assert parsed.feed.title == OPTIONS["title"]
