# SPDX-License-Identifier: MIT
"""The Store: its logic on both engines (an in-memory SQLite database, a fresh PostgreSQL database),
durability and migrations on SQLite files under tmp_path (PostgreSQL's own in test_storage_postgres.py)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlite_utils
from click.testing import CliRunner
from sqlite_utils.cli import cli as sqlite_utils_cli

from monitor.errors import StorageError
from storage import SCHEMA_VERSION, Article, Store
from storage.db import open_database, utc_now
from storage.migrations import MIGRATIONS, Registry, migrate

FEED_A = "https://a.example/feed.xml"
FEED_B = "https://b.example/rss"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """The same tests on both engines: SQLite in memory, and a fresh database on the session's PostgreSQL."""
    if request.param == "sqlite":
        with Store.memory() as memory_store:
            yield memory_store
    else:
        with Store.open(request.getfixturevalue("postgres_url")) as pg_store:
            yield pg_store


def count(store: Store, table: str) -> int:
    return int(next(store.sql.query(f"SELECT count(*) AS n FROM {table}"))["n"])


def add_article(store: Store, n: int = 1, *, feed_id: int | None = None, **fields: Any) -> tuple[Article, bool]:
    """Article number `n`, with distinct guid, URL and content unless `fields` says otherwise."""
    values: dict[str, Any] = {
        "guid": f"guid-{n}",
        "url": f"https://news.example/{n}",
        "content_hash": f"hash-{n}",
        "title": f"Title {n}",
        "published": f"2025-10-0{n}",
        "lang": "en",
        "text": f"Text {n}.",
        "feed_id": feed_id,
    }
    return store.add_article(**{**values, **fields})


def change(change_id: str = "chg_1", **fields: Any) -> dict[str, Any]:
    after = {"facet": "azure.rofr", "key": "microsoft", "status": "ended", "values": {}, "hedged": False}
    return {
        "id": change_id,
        "facet": "azure.rofr",
        "key": "microsoft",
        "kind": "reversed",
        "before": {**after, "status": "held"},
        "after": after,
        "severity": "major",
        "summary": "Microsoft no longer holds a right of first refusal",
        "hedged": False,
        **fields,
    }


# feeds


def test_add_feed_is_idempotent(store: Store) -> None:
    feed, created = store.add_feed(FEED_A, title="A", interval_s=600)
    again, created_again = store.add_feed(FEED_A, title="Other", interval_s=60)
    assert created and not created_again
    assert again == feed
    assert (feed.url, feed.title, feed.interval_s, feed.consecutive_errors) == (FEED_A, "A", 600, 0)
    assert store.feed(FEED_A) == feed


def test_feeds_are_ordered_by_id_and_removed_by_url(store: Store) -> None:
    b, _ = store.add_feed(FEED_B)
    a, _ = store.add_feed(FEED_A)
    assert [f.url for f in store.feeds()] == [FEED_B, FEED_A]
    assert store.remove_feed(FEED_B) is True
    assert store.remove_feed(FEED_B) is False
    assert store.feeds() == [a]
    assert store.feed(FEED_B) is None
    assert b.id != a.id


def test_removing_a_feed_keeps_its_articles_and_drops_the_links(store: Store) -> None:
    a, _ = store.add_feed(FEED_A)
    b, _ = store.add_feed(FEED_B)
    article, _ = add_article(store, feed_id=a.id)
    store.link_feed(article.id, b.id)
    store.remove_feed(FEED_A)
    assert store.find_article(guid="guid-1") == article
    assert store.article_feed_urls(article.id) == [FEED_B]


def test_record_poll_counts_failures_and_a_success_resets_them(store: Store) -> None:
    feed, _ = store.add_feed(FEED_A)
    ok = store.record_poll(feed.id, status=200, error=None, etag='"v1"', last_modified="Mon, 06 Oct 2025 10:00:00 GMT")
    before = utc_now()
    failed = store.record_poll(feed.id, status=503, error="https://a.example/feed.xml: HTTP 503")
    failed = store.record_poll(
        feed.id, status=None, error="timeout", etag='"ignored"', next_check="2025-10-06T11:00:00+00:00"
    )
    assert failed.consecutive_errors == 2
    assert (failed.last_error, failed.last_status) == ("timeout", None)
    assert (
        (failed.etag, failed.last_modified) == (ok.etag, ok.last_modified) == ('"v1"', "Mon, 06 Oct 2025 10:00:00 GMT")
    )
    assert failed.next_check == "2025-10-06T11:00:00+00:00"
    assert failed.last_polled is not None and before <= failed.last_polled <= utc_now()
    recovered = store.record_poll(feed.id, status=200, error=None, etag='"v2"', title="Feed A")
    assert (recovered.consecutive_errors, recovered.last_error, recovered.last_status) == (0, None, 200)
    assert (recovered.etag, recovered.last_modified, recovered.title) == ('"v2"', ok.last_modified, "Feed A")
    assert store.feed(FEED_A) == recovered


def test_record_poll_304_keeps_the_stored_validators(store: Store) -> None:
    feed, _ = store.add_feed(FEED_A)
    store.record_poll(feed.id, status=200, error=None, etag='"v1"', last_modified="Mon, 06 Oct 2025 10:00:00 GMT")
    unchanged = store.record_poll(feed.id, status=304, error=None)
    assert (unchanged.etag, unchanged.last_modified, unchanged.last_status) == (
        '"v1"',
        "Mon, 06 Oct 2025 10:00:00 GMT",
        304,
    )


def test_record_poll_of_an_unknown_feed_is_a_lookup_error(store: Store) -> None:
    with pytest.raises(LookupError):
        store.record_poll(42, status=200, error=None)


def test_a_lease_takes_the_daemons_share_of_the_due_feeds_all_of_them_on_sqlite(store: Store) -> None:
    """Two other daemons said they are alive: on PostgreSQL a third of 9 due feeds is this one's share; SQLite
    has one daemon (the lock file), whatever its `daemons` table remembers, and takes all."""
    for n in range(9):
        store.add_feed(f"https://feeds.example/{n}.xml")
    now = utc_now()
    until = (dt.datetime.fromisoformat(now) + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
    for other in ("b", "c"):
        store.leases.heartbeat(other, host="h", pid=1, started_at=now, now=now, listen=None)
    taken = store.leases.take_due("a", now=now, until=until)
    assert len(taken) == (3 if store.engine == "postgresql" else 9)


# articles


@pytest.mark.parametrize(
    "same",
    [
        pytest.param({"guid": "guid-1", "url": "https://other.example/x", "content_hash": "other"}, id="guid"),
        pytest.param({"guid": None, "url": "https://news.example/1", "content_hash": "other"}, id="url"),
        pytest.param({"guid": "other", "url": None, "content_hash": "hash-1"}, id="content-hash"),
    ],
)
def test_add_article_dedups_and_links_both_feeds(store: Store, same: dict[str, Any]) -> None:
    a, _ = store.add_feed(FEED_A)
    b, _ = store.add_feed(FEED_B)
    first, created = add_article(store, feed_id=a.id)
    again, created_again = add_article(store, 2, feed_id=b.id, **same)
    assert created and not created_again
    assert again == first
    assert store.article_feed_urls(first.id) == [FEED_A, FEED_B]
    assert count(store, "articles") == 1


def test_find_article_prefers_guid_then_url_then_hash(store: Store) -> None:
    one, _ = add_article(store, 1)
    two, _ = add_article(store, 2)
    three, _ = add_article(store, 3, guid=None, url=None)
    assert store.find_article(guid="guid-1", url="https://news.example/2", content_hash="hash-3") == one
    assert store.find_article(guid="unknown", url="https://news.example/2", content_hash="hash-3") == two
    assert store.find_article(guid="unknown", url="https://unknown.example/", content_hash="hash-3") == three
    assert store.find_article(guid="", url="", content_hash="nothing") is None
    assert store.find_article() is None


def test_an_article_keeps_what_it_was_stored_with(store: Store) -> None:
    before = utc_now()
    article, created = add_article(store, guid=None, url=None, published=None, lang="fr", text="Texte.")
    assert created
    assert (article.guid, article.url, article.published, article.lang, article.text) == (
        None,
        None,
        None,
        "fr",
        "Texte.",
    )
    assert before <= article.fetched_at <= utc_now()
    assert store.article_feed_urls(article.id) == []


def test_link_feed_is_idempotent(store: Store) -> None:
    feed, _ = store.add_feed(FEED_A)
    article, _ = add_article(store, feed_id=feed.id)
    store.link_feed(article.id, feed.id)
    store.link_feed(article.id, feed.id)
    assert store.article_feed_urls(article.id) == [FEED_A]


def test_linking_an_unknown_feed_is_a_storage_error_naming_the_database(store: Store) -> None:
    article, _ = add_article(store)
    expected = ":memory:: FOREIGN KEY constraint failed$" if store.engine == "sqlite" else "postgresql://.*foreign key"
    with pytest.raises(StorageError, match="^" + expected) as caught:
        store.link_feed(article.id, 999)
    assert "\n" not in str(caught.value) and "test-secret" not in str(caught.value)


def test_claims_round_trip_with_values_as_json_text(store: Store) -> None:
    article, _ = add_article(store)
    claims = [
        {
            "facet": "openai.compute_provider",
            "key": "oracle",
            "status": "active",
            "values": {"amount_usd": 3e11, "names": ["Abilene"]},
            "hedged": True,
            "when": "2025-09",
            "evidence": "OpenAI signed a $300 billion deal with Oracle.",
            "verdict": "changed",
        },
        {
            "facet": "azure.rofr",
            "key": "microsoft",
            "status": "held",
            "values": {},
            "hedged": False,
            "when": "",
            "evidence": "",
            "verdict": "confirmed",
        },
    ]
    store.add_claims(article.id, claims)
    store.add_claims(article.id, [])
    assert store.claims_of(article.id) == claims
    raw = next(store.sql.query("SELECT claim_values FROM claims ORDER BY id"))
    assert raw == {"claim_values": '{"amount_usd": 300000000000.0, "names": ["Abilene"]}'}
    if store.engine == "sqlite":
        assert next(store.db.query("SELECT typeof(claim_values) AS type FROM claims"))["type"] == "text"


# changes


def test_changes_come_a_page_at_a_time_newest_first(store: Store) -> None:
    articles = [add_article(store, n)[0] for n in range(1, 8)]
    for n, article in enumerate(articles):
        store.add_change(change(f"chg_{n}"), article_id=article.id)
        store.sql.execute(
            "UPDATE changes SET first_seen = ? WHERE id = ?", [f"2025-10-0{n + 1}T00:00:00+00:00", f"chg_{n}"]
        )
    assert [c.id for c in store.changes()] == [f"chg_{n}" for n in range(7)]
    assert [c.id for c in store.changes(newest_first=True, limit=3)] == ["chg_6", "chg_5", "chg_4"]
    page_two = store.changes(newest_first=True, limit=3, offset=3)
    assert [c.id for c in page_two] == ["chg_3", "chg_2", "chg_1"] and all(c.sources for c in page_two)
    assert store.change_count() == 7 and store.change_count(since="2025-10-05") == 3
    assert store.changes_mark() == (7, "2025-10-07T00:00:00+00:00chg_6", "")


def test_a_change_is_inserted_once_and_a_repeat_only_attaches_its_source(store: Store) -> None:
    first, _ = add_article(store, 1)
    second, _ = add_article(store, 2)
    assert store.add_change(change(), article_id=first.id) is True
    assert store.add_change(change(summary="reworded"), article_id=second.id) is False
    stored = store.change("chg_1")
    assert stored is not None
    assert stored.summary == "Microsoft no longer holds a right of first refusal"
    assert [s["url"] for s in stored.sources] == ["https://news.example/1", "https://news.example/2"]
    assert count(store, "changes") == 1


def test_a_stored_change_reads_back_as_it_was_given(store: Store) -> None:
    article, _ = add_article(store)
    before = utc_now()
    store.add_change(change(before=None, hedged=True), article_id=article.id)
    stored = store.change("chg_1")
    assert stored is not None
    given = change()
    assert (stored.facet, stored.key, stored.kind, stored.severity) == ("azure.rofr", "microsoft", "reversed", "major")
    assert stored.before is None and stored.after == given["after"]
    assert stored.hedged is True
    assert before <= stored.first_seen <= utc_now()
    assert store.change("chg_unknown") is None
    raw = next(store.sql.query("SELECT before, after, hedged FROM changes"))
    assert raw["before"] is None and isinstance(raw["after"], str) and raw["hedged"] == 1
    if store.engine == "sqlite":
        types = next(store.db.query("SELECT typeof(before) AS b, typeof(after) AS a, typeof(hedged) AS h FROM changes"))
        assert types == {"b": "null", "a": "text", "h": "integer"}


def test_attach_source_is_idempotent(store: Store) -> None:
    first, _ = add_article(store, 1)
    second, _ = add_article(store, 2)
    store.add_change(change(), article_id=first.id)
    assert store.attach_source("chg_1", second.id) is True
    assert store.attach_source("chg_1", second.id) is False
    assert store.attach_source("chg_1", first.id) is False
    stored = store.change("chg_1")
    assert stored is not None and len(stored.sources) == 2


def test_sources_are_oldest_first_with_url_title_and_published(store: Store) -> None:
    articles = [add_article(store, n)[0] for n in (1, 2, 3)]
    store.add_change(change(), article_id=articles[2].id)
    store.attach_source("chg_1", articles[0].id)
    store.attach_source("chg_1", articles[1].id)
    stored = store.change("chg_1")
    assert stored is not None
    assert stored.sources == [
        {"url": "https://news.example/3", "title": "Title 3", "published": "2025-10-03"},
        {"url": "https://news.example/1", "title": "Title 1", "published": "2025-10-01"},
        {"url": "https://news.example/2", "title": "Title 2", "published": "2025-10-02"},
    ]


def test_changes_are_oldest_first_and_filtered_by_since(store: Store) -> None:
    article, _ = add_article(store)
    store.add_change(change("chg_c", first_seen="2025-10-02T09:00:00+00:00"), article_id=article.id)
    store.add_change(change("chg_b", first_seen="2025-10-01T12:00:00Z"), article_id=article.id)
    store.add_change(change("chg_a", first_seen="2025-10-02T09:00:00+00:00"), article_id=article.id)
    store.add_change(change("chg_d", first_seen="2025-10-03"), article_id=article.id)
    assert [c.id for c in store.changes()] == ["chg_b", "chg_a", "chg_c", "chg_d"]
    assert [c.first_seen for c in store.changes()][0] == "2025-10-01T12:00:00+00:00"
    assert [c.id for c in store.changes(since="2025-10-02")] == ["chg_a", "chg_c", "chg_d"]
    # 11:00 in Paris is 09:00 UTC: an offset is honoured, not compared as text
    assert [c.id for c in store.changes(since="2025-10-02T11:00:00+02:00")] == ["chg_a", "chg_c", "chg_d"]
    assert [c.id for c in store.changes(since="2025-10-02T09:00:01+00:00")] == ["chg_d"]
    assert store.changes(since="2025-10-04") == []
    assert all(len(c.sources) == 1 for c in store.changes(since="2025-10-02"))


# runs


def test_runs_are_listed_newest_first(store: Store) -> None:
    first = store.start_run()
    second = store.start_run()
    store.finish_run(
        first, feeds_polled=3, feeds_unchanged=1, feeds_failed=1, articles_new=2, changes_flagged=1, error=None
    )
    runs = store.runs()
    assert [r["id"] for r in runs] == [second, first]
    assert runs[0]["finished_at"] is None and runs[0]["feeds_polled"] is None
    done = runs[1]
    assert (done["feeds_polled"], done["feeds_unchanged"], done["feeds_failed"]) == (3, 1, 1)
    assert (done["articles_new"], done["changes_flagged"], done["error"]) == (2, 1, None)
    assert done["started_at"] <= done["finished_at"]
    assert store.runs(limit=1) == runs[:1]


def test_finishing_an_unknown_run_is_a_lookup_error(store: Store) -> None:
    with pytest.raises(LookupError):
        store.finish_run(7, feeds_polled=0, feeds_unchanged=0, feeds_failed=0, articles_new=0, changes_flagged=0)


# transactions


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.add_feed(FEED_A)
        raise RuntimeError("boom")
    assert store.feeds() == []


def test_a_nested_transaction_joins_the_outer_one(store: Store) -> None:
    with store.transaction():
        store.add_feed(FEED_A)
        with store.transaction():
            store.add_feed(FEED_B)
        assert store.sql.in_transaction  # the inner block did not commit
        with pytest.raises(RuntimeError), store.transaction():
            store.add_feed("https://c.example/feed")
            raise RuntimeError("undo only this block")
    assert [f.url for f in store.feeds()] == [FEED_A, FEED_B]


# files: durability, WAL, errors


def test_a_missing_directory_is_an_error_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "dir" / "monitor.db"
    with pytest.raises(
        StorageError, match=r"monitor\.db: cannot open the database \(directory .*typo/dir does not exist\)"
    ):
        Store.open(path)
    assert not (tmp_path / "typo").exists()


def test_a_file_database_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    with Store.open(path) as store:
        feed, _ = store.add_feed(FEED_A)
        add_article(store, feed_id=feed.id)
        assert store.path == str(path)
    with Store.open(path) as store:
        assert [f.url for f in store.feeds()] == [FEED_A]
        assert store.find_article(guid="guid-1") is not None
        pragma = store.db.execute
        assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert pragma("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        assert pragma("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_the_file_reads_in_the_sqlite_utils_cli(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    with Store.open(path) as store:
        store.add_feed(FEED_A, title="A")
        result = CliRunner().invoke(sqlite_utils_cli, ["query", str(path), "select url, title from feeds"])
    assert result.exit_code == 0, result.output
    assert '"url": "https://a.example/feed.xml"' in result.output


def test_a_reader_is_not_blocked_by_an_open_write(tmp_path: Path) -> None:
    path = tmp_path / "monitor.db"
    with Store.open(path) as writer, Store.open(path) as reader:
        writer.add_feed(FEED_A)
        with writer.transaction():
            writer.add_feed(FEED_B)
            assert [f.url for f in reader.feeds()] == [FEED_A]  # the reader sees the last commit, unblocked
        assert len(reader.feeds()) == 2


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path: Path) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(bytes(range(256)) * 16)
    with pytest.raises(StorageError) as caught:
        Store.open(path)
    message = str(caught.value)
    assert message == f"{path}: cannot open the database (file is not a database)"
    assert "\n" not in message


@pytest.mark.parametrize("where", ["under-a-file", "a-directory"])
def test_a_path_that_cannot_hold_a_database_is_a_storage_error(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    if where == "under-a-file":
        blocker.write_text("not a directory")
        path = blocker / "monitor.db"
    else:
        blocker.mkdir()
        path = blocker
    with pytest.raises(StorageError, match=f"^{path}: cannot open the database") as caught:
        Store.open(path)
    assert "\n" not in str(caught.value)


# migrations


V1_ROWS: dict[str, list[dict[str, Any]]] = {
    "feeds": [
        # Same keys in every row: sqlite-utils' insert_all sends NULL for a key a row lacks, not the column default
        {"id": 1, "url": FEED_A, "etag": '"e"', "consecutive_errors": 2, "last_status": None, "added_at": "2025-09-01"},
        {"id": 2, "url": FEED_B, "etag": None, "consecutive_errors": 0, "last_status": 304, "added_at": "2025-09-02"},
    ],
    "articles": [
        {
            "id": 1,
            "guid": "g",
            "url": "https://news.example/1",
            "content_hash": "h",
            "title": "T",
            "published": "2025-09-03",
            "lang": "en",
            "text": "Text.",
            "fetched_at": "2025-09-03T08:00:00+00:00",
        }
    ],
    "article_feeds": [{"article_id": 1, "feed_id": 1}, {"article_id": 1, "feed_id": 2}],
    "claims": [
        {"id": 1, "article_id": 1, "facet": "azure.rofr", "key": "microsoft", "status": "ended", "claim_values": "{}"}
    ],
    "changes": [
        {
            "id": "chg_1",
            "facet": "azure.rofr",
            "key": "microsoft",
            "kind": "reversed",
            "after": '{"status": "ended"}',
            "severity": "major",
            "summary": "s",
            "first_seen": "2025-09-03T08:00:00+00:00",
        }
    ],
    "change_sources": [{"change_id": "chg_1", "article_id": 1, "attached_at": "2025-09-03T08:00:00+00:00"}],
}


def build_v1(path: Path) -> None:
    db = open_database(path)
    assert migrate(db, target=1) == [1]
    for table, rows in V1_ROWS.items():
        db.table(table).insert_all(rows)
    db.close()


def test_a_v1_database_upgrades_to_the_latest_without_losing_a_row(tmp_path: Path) -> None:
    path = tmp_path / "v1.db"
    build_v1(path)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == MIGRATIONS.latest
        for table, rows in V1_ROWS.items():
            stored = list(store.db.query(f"SELECT * FROM {table} ORDER BY rowid"))
            assert [{k: row[k] for k in given} for row, given in zip(stored, rows, strict=True)] == rows
        feed = store.feed(FEED_A)
        assert feed is not None and (feed.title, feed.interval_s, feed.etag) == (None, None, '"e"')
        assert store.runs() == []
        applied = list(store.db.query("SELECT version, applied_at FROM migrations ORDER BY version"))
    assert [m["version"] for m in applied] == list(range(1, SCHEMA_VERSION + 1))
    with Store.open(path) as store:
        assert migrate(store.db) == []
        assert list(store.db.query("SELECT version, applied_at FROM migrations ORDER BY version")) == applied


def test_a_failing_migration_rolls_back_and_names_the_file_and_version(tmp_path: Path) -> None:
    registry = Registry()

    @registry(1)
    def create_things(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")

    @registry(2)
    def half_done(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE others (id INTEGER PRIMARY KEY)")
        db.execute("INSERT INTO no_such_table VALUES (1)")

    path = tmp_path / "broken.db"
    db = open_database(path)
    with pytest.raises(StorageError, match=f"^{path}: migration 2 \\(half_done\\) failed: no such table"):
        migrate(db, registry=registry)
    assert db.table_names() == ["migrations", "things"]
    assert [r["version"] for r in db.query("SELECT version FROM migrations")] == [1]
    assert not db.conn.in_transaction
    db.close()


def test_two_openers_racing_apply_each_migration_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "race.db"
    first, second = open_database(path), open_database(path)
    assert migrate(first) == list(range(1, SCHEMA_VERSION + 1))
    # The second opener read version 0 before the first one migrated
    monkeypatch.setattr("storage.migrations.applied_version", lambda db: 0)
    assert migrate(second) == []
    assert [r["version"] for r in second.query("SELECT version FROM migrations")] == list(range(1, SCHEMA_VERSION + 1))
    first.close()
    second.close()


def test_a_database_newer_than_the_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    db = open_database(path)
    db.execute("INSERT INTO migrations (version, applied_at) VALUES (99, '2030-01-01T00:00:00+00:00')")
    db.close()
    with pytest.raises(StorageError, match=f"^{path}: schema version 99 is newer than this program knows"):
        Store.open(path)


def test_the_registry_rejects_a_taken_version_and_a_gap() -> None:
    registry = Registry()

    @registry(1)
    def one(db: sqlite_utils.Database) -> None: ...

    with pytest.raises(ValueError, match="already taken"):
        registry(1)(one)

    @registry(3)
    def three(db: sqlite_utils.Database) -> None: ...

    with pytest.raises(ValueError, match=r"version\(s\) \[2\]"):
        registry.upto(3)


def test_memory_store_is_at_the_latest_version() -> None:
    with Store.memory() as store:
        assert store.path is None
        assert store.schema_version == SCHEMA_VERSION
        assert set(store.db.table_names()) >= {"feeds", "articles", "article_feeds", "claims", "changes", "runs"}


def test_integrity_errors_in_storage_keep_sqlite3_out_of_callers(store: Store) -> None:
    # Callers catch StorageError (a MonitorError), never the driver's exceptions
    with pytest.raises(StorageError) as caught:
        store.attach_source("chg_unknown", 1)
    assert not isinstance(caught.value, sqlite3.Error | psycopg.Error)


def test_migration_6_backfills_when_each_change_happened_and_lists_follow_it(tmp_path: Path) -> None:
    """The claim's date where it has one, else its first source's, else when it was first seen."""
    path = tmp_path / "v5.db"
    db = open_database(path)
    migrate(db, target=5)
    db.table("articles").insert_all([
        {"id": 1, "guid": None, "url": "https://news.example/a", "content_hash": "a", "title": "A", "lang": "en",
         "published": "2025-11-04T08:30:00+00:00", "text": "A.", "fetched_at": "2025-12-01T00:00:00+00:00"},
        {"id": 2, "guid": None, "url": "https://news.example/b", "content_hash": "b", "title": "B", "lang": "en",
         "published": None, "text": "B.", "fetched_at": "2025-12-01T00:00:00+00:00"},
    ])  # fmt: skip
    poll = "2025-12-01T09:00:00+00:00"  # one poll: the first_seen of all three
    rows = [("dated", '{"status": "ended", "when": "2025-10-28"}', 1), ("undated", '{"status": "active"}', 1),
            ("unknown", '{"status": "active", "when": "2025"}', 2)]  # fmt: skip
    for change_id, after, article in rows:
        db.execute("INSERT INTO changes (id, facet, key, kind, after, severity, summary, first_seen) "
                   "VALUES (?, 'f', ?, 'new', ?, 'low', 's', ?)", [change_id, change_id, after, poll])  # fmt: skip
        db.execute("INSERT INTO change_sources VALUES (?, ?, ?)", [change_id, article, poll])
    db.close()
    with Store.open(path) as store:
        happened = {c.id: c.happened_at for c in store.changes()}
        assert happened == {"dated": "2025-10-28", "undated": "2025-11-04", "unknown": "2025-12-01"}
        assert [c.id for c in store.changes(newest_first=True)] == ["unknown", "undated", "dated"]
        indexes = {row["name"] for row in store.db.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert "idx_changes_happened_at" in indexes


def test_a_new_change_is_listed_by_when_it_happened_not_when_it_was_seen(store: Store) -> None:
    article, _ = store.add_article(guid=None, url="https://news.example/x", content_hash="x", title="X",
                                   published="2025-06-01", lang="en", text="X.", feed_id=None)  # fmt: skip
    old_news = {"id": "old", "facet": "f", "key": "a", "kind": "new",
                "after": {"status": "active", "when": "2024-03-02"}, "severity": "low", "summary": "s",
                "first_seen": "2025-12-02T00:00:00+00:00"}  # fmt: skip
    fresh = {**old_news, "id": "fresh", "key": "b", "after": {"status": "active"}, "first_seen": "2025-12-01T00:00:00"}
    store.add_change(old_news, article_id=article.id)
    store.add_change(fresh, article_id=article.id)
    listed = store.changes(newest_first=True)
    assert [(c.id, c.happened_at) for c in listed] == [("fresh", "2025-06-01"), ("old", "2024-03-02")]
