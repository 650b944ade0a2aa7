# SPDX-License-Identifier: MIT
"""PostgreSQL: what only it has (its URL and its errors, migrations racing, several daemons at once).

The Store's behaviour on both engines is tests/test_storage.py, parametrised; here, on a fresh database
of the session's throwaway cluster (tests/support/postgres.py): leases and claims taken by two daemons at
the same moment are disjoint, an expired lease is taken over, two reports of one change read by two
daemons at once flag it once, and a bad URL or password is one line naming the URL without its password.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import psycopg
import pytest

from monitor.errors import StorageError
from monitor.judging.record import record_article
from monitor.judging.state import known_state
from monitor.reading.article import ArticleInput
from rules.engine import Engine
from storage import SCHEMA_VERSION, Store
from storage.migrations import applied_version, migrate
from storage.postgres import PgDatabase, pg_sql
from storage.postgres_url import redact
from tests.support.httpserver import LocalServer
from tests.support.postgres import PASSWORD, Cluster
from tests.test_pipeline import serve_corpus

T = TypeVar("T")


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    with Store.open(postgres_url) as opened:
        yield opened


def at_once(*work: Callable[[], T]) -> list[T]:
    """Run each callable in a thread of its own, released together; their results in order."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(i: int, fn: Callable[[], T]) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return results


def iso(seconds_from_now: float = 0.0) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_from_now)).isoformat(timespec="milliseconds")


# the URL, its errors, the SQL


def test_parameters_are_rewritten_outside_literals_and_casts() -> None:
    assert pg_sql("SELECT ? , :name, 'a ? :b', x::text, '100%'") == "SELECT %s , %(name)s, 'a ? :b', x::text, '100%%'"


def test_a_url_is_shown_without_its_password() -> None:
    assert (
        redact("postgresql://bob:hunter2@db:5432/m?sslmode=require") == "postgresql://bob:***@db:5432/m?sslmode=require"
    )
    assert redact("postgresql://db/m?password=hunter2") == "postgresql://db/m?password=***"
    assert redact("postgresql://bob@db/m") == "postgresql://bob@db/m"


@pytest.mark.parametrize(
    ("make_url", "reason"),
    [
        pytest.param(
            lambda c: c.url("postgres", password="wrong-password"),
            "password authentication failed",
            id="wrong-password",
        ),  # fmt: skip
        pytest.param(lambda c: c.url("no_such_database"), 'database "no_such_database" does not exist', id="no-db"),
        pytest.param(lambda c: f"postgresql://postgres:{PASSWORD}@127.0.0.1:1/x", "refused", id="unreachable"),
        pytest.param(lambda c: f"postgresql://postgres:{PASSWORD}@127.0.0.1:99999/x", "", id="bad-port"),
    ],
)
def test_a_database_that_cannot_be_opened_is_one_line_naming_the_url_without_its_password(
    postgres_cluster: Cluster, make_url: Callable[[Cluster], str], reason: str
) -> None:
    url = make_url(postgres_cluster)
    with pytest.raises(StorageError) as caught:
        Store.open(url)
    message = str(caught.value)
    assert message.startswith(redact(url) + ": cannot open the database (")
    assert reason in message and "\n" not in message
    assert "wrong-password" not in message and PASSWORD not in message


def test_the_cli_says_so_in_one_line_and_exits_1(postgres_cluster: Cluster) -> None:
    url = postgres_cluster.url("postgres", password="wrong-password")
    run = subprocess.run([sys.executable, "-m", "monitor", "changes"], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "MONITOR_DB": url})  # fmt: skip
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "wrong-password" not in run.stderr
    assert run.stderr.startswith("monitor: error: postgresql://postgres:***@127.0.0.1:")
    assert "password authentication failed" in run.stderr


def test_a_missing_server_is_a_skip_saying_why_and_a_failure_where_required(monkeypatch: pytest.MonkeyPatch) -> None:
    import tests.support.postgres as support

    monkeypatch.setattr(support, "find_bin", lambda: None)
    with pytest.raises(pytest.skip.Exception, match="PostgreSQL server not installed .*apt-get install postgresql"):
        support.require_server(required=False)
    with pytest.raises(pytest.fail.Exception, match="MONITOR_REQUIRE_POSTGRES=1 requires it"):
        support.require_server(required=True)


# migrations


def test_a_new_database_is_migrated_once_and_reopening_applies_nothing(postgres_url: str) -> None:
    with Store.open(postgres_url) as store:
        assert store.engine == "postgresql" and store.schema_version == SCHEMA_VERSION
        versions = [row["version"] for row in store.sql.query("SELECT version FROM migrations ORDER BY version")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        assert migrate(store.sql) == []
        assert applied_version(store.sql) == SCHEMA_VERSION


def test_a_wait_for_a_lock_fails_after_the_lock_timeout_instead_of_hanging(postgres_url: str) -> None:
    """A daemon's statements run on one event loop: waiting on a lock must end, not stop the loop for good."""
    with Store.open(postgres_url) as store:
        assert next(store.sql.query("SHOW lock_timeout"))["lock_timeout"] == "10s"
        with psycopg.connect(postgres_url, autocommit=True) as holder:
            holder.execute("SELECT pg_advisory_lock(4242)")
            with (
                psycopg.connect(postgres_url, autocommit=True, options="-c lock_timeout=200") as waiter,
                pytest.raises(psycopg.errors.LockNotAvailable),
            ):
                waiter.execute("SELECT pg_advisory_lock(4242)")  # the same setting, shortened: it gives up


def test_a_peer_frozen_inside_a_transaction_loses_its_session_and_its_row_locks(postgres_url: str) -> None:
    """A daemon stopped mid-transaction (SIGSTOP, a hung host) must not keep its feeds locked for good."""
    with Store.open(postgres_url) as store:
        setting = next(store.sql.query("SHOW idle_in_transaction_session_timeout"))
        assert setting["idle_in_transaction_session_timeout"] == "1min"
        (feed_id,) = add_feeds(store, 1)
        # the same setting, shortened
        with psycopg.connect(postgres_url, options="-c idle_in_transaction_session_timeout=200") as frozen:
            frozen.execute("SELECT id FROM feeds WHERE id = %s FOR UPDATE", [feed_id])  # and then nothing
            assert store.leases.take_due("a", now=iso(), until=iso(300)) == [], "locked: skipped"
            time.sleep(0.6)
            assert [f.id for f in store.leases.take_due("a", now=iso(), until=iso(300))] == [feed_id]
            with pytest.raises(psycopg.errors.IdleInTransactionSessionTimeout):
                frozen.execute("SELECT 1")


def test_pooled_sessions_probe_a_silent_peer_at_both_ends(store: Store) -> None:
    """A daemon's host that vanishes (power, network) sends no FIN: the server's keepalive probes end its
    session, and its locks, within about 25 s rather than the system's two hours; the client's probes
    do the same for a server that vanishes."""
    names = ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
    assert [next(store.sql.query(f"SHOW {name}"))[name] for name in names] == ["10", "5", "3"]
    assert isinstance(store.sql, PgDatabase)
    with store.sql.pool.connection() as conn, socket.fromfd(conn.fileno(), socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
        options = (socket.TCP_KEEPIDLE, socket.TCP_KEEPINTVL, socket.TCP_KEEPCNT)
        assert [sock.getsockopt(socket.IPPROTO_TCP, option) for option in options] == [10, 5, 3]


def test_two_openers_racing_apply_each_migration_once(postgres_url: str) -> None:
    stores = at_once(
        lambda: Store.open(postgres_url), lambda: Store.open(postgres_url), lambda: Store.open(postgres_url)
    )
    try:
        rows = list(stores[0].sql.query("SELECT version, count(*) AS n FROM migrations GROUP BY version"))
        assert len(rows) == SCHEMA_VERSION and all(row["n"] == 1 for row in rows)
    finally:
        for store in stores:
            store.close()


def test_a_database_of_an_older_version_upgrades_without_losing_a_row(postgres_url: str) -> None:
    db = PgDatabase.connect(postgres_url)
    try:
        assert migrate(db, target=5) == [1, 2, 3, 4, 5]
        db.execute("INSERT INTO feeds (url, added_at) VALUES (?, ?)", ["https://feeds.example/old.xml", "2025-01-01"])
        db.execute("INSERT INTO alerts (id, event, channel, payload, next_attempt_at, created_at) "
                   "VALUES ('a1', 'change.flagged', 'webhook', '{}', '2025-01-01', '2025-01-01')")  # fmt: skip
        assert migrate(db) == list(range(6, SCHEMA_VERSION + 1))
    finally:
        db.close()
    with Store.open(postgres_url) as store:
        (feed,) = store.feeds()
        assert (feed.url, feed.lease_owner, feed.lease_until) == ("https://feeds.example/old.xml", None, None)
        (alert,) = store.outbox.claim("d", until=iso(60), now="2025-01-02")
        assert (alert.id, alert.claimed_by) == ("a1", "d")


# leases and claims


def add_feeds(store: Store, n: int) -> list[int]:
    with store.transaction():
        return [store.add_feed(f"https://feeds.example/{i}.xml")[0].id for i in range(n)]


def test_two_daemons_leasing_at_once_get_disjoint_feeds_and_all_of_them(postgres_url: str) -> None:
    with Store.open(postgres_url) as one, Store.open(postgres_url) as two:
        ids = add_feeds(one, 60)
        until = iso(300)
        first, second = at_once(lambda: one.leases.take_due("a", now=iso(), until=until, limit=40),
                                lambda: two.leases.take_due("b", now=iso(), until=until, limit=40))  # fmt: skip
        got_a, got_b = {f.id for f in first}, {f.id for f in second}
        assert got_a and got_b and not got_a & got_b
        assert got_a | got_b == set(ids)
        assert one.leases.take_due("c", now=iso(), until=until) == [], "every feed is leased"
        assert {owner: len(feeds) for owner, feeds in one.leases.holders(now=iso()).items()} == {
            "a": len(got_a),
            "b": len(got_b),
        }


def test_a_dead_daemons_feeds_are_taken_over_after_the_expiry_only(store: Store) -> None:
    ids = add_feeds(store, 3)
    assert {f.id for f in store.leases.take_due("dead", now=iso(), until=iso(0.5))} == set(ids)
    assert store.leases.take_due("alive", now=iso(), until=iso(300)) == []
    assert store.leases.renew("dead", ids[:1], until=iso(300)) == 1  # a daemon still polling one keeps it
    taken = store.leases.take_due("alive", now=iso(1), until=iso(300))
    assert {f.id for f in taken} == set(ids[1:]) and all(f.lease_owner == "alive" for f in taken)
    store.leases.release("dead", ids)  # a late release gives back only what it still holds: not alive's
    assert {owner: len(feeds) for owner, feeds in store.leases.holders(now=iso()).items()} == {"alive": 2}


def test_a_daemon_restarted_under_its_id_takes_its_own_leases_back_at_once(store: Store) -> None:
    ids = add_feeds(store, 2)
    store.leases.take_due("host:monitor@1", now=iso(), until=iso(300))
    assert {f.id for f in store.leases.take_due("host:monitor@1", now=iso(), until=iso(300))} == set(ids)


def alive(store: Store, *daemon_ids: str, seen: float = 0.0) -> None:
    for daemon_id in daemon_ids:
        store.leases.heartbeat(daemon_id, host="h", pid=1, started_at=iso(-60), now=iso(seen), listen=None)


def test_a_daemon_takes_its_share_of_the_due_feeds_and_a_lone_one_takes_all(store: Store) -> None:
    """Ticks in step must not let the first daemon take every feed that fell due at once: each takes
    ceil(due / daemons alive); alone (itself counted, though it has not said so yet), it takes them all."""
    add_feeds(store, 40)
    alive(store, "a", "b", "c")
    taken = [store.leases.take_due(owner, now=iso(), until=iso(300)) for owner in ("a", "b", "c")]
    assert [len(feeds) for feeds in taken] == [14, 14, 12], "ceil(40 / 3), the due feeds held or not"
    assert len({f.id for feeds in taken for f in feeds}) == 40
    store.leases.retire("a")
    store.leases.retire("b")
    store.leases.retire("c")
    assert len(store.leases.take_due("alone", now=iso(), until=iso(300))) == 40
    assert len(store.leases.take_due("alone", now=iso(), until=iso(300), limit=25)) == 25, "limit still bounds it"


def test_a_dead_daemon_is_not_counted_in_the_shares(store: Store) -> None:
    """A daemon last seen more than a lease ago (SIGKILL: no retire) is dead: the live ones share its part."""
    add_feeds(store, 40)
    alive(store, "dead", seen=-301)
    alive(store, "a", "b")
    assert len(store.leases.take_due("a", now=iso(), until=iso(300))) == 20, "a and b alive: half each"
    assert len(store.leases.take_due("b", now=iso(), until=iso(300), alive_since=iso(-400))) == 14, (
        "counted when seen since alive_since"
    )


def test_alerts_claimed_at_once_go_to_one_daemon_each_and_an_expired_claim_to_another(postgres_url: str) -> None:
    with Store.open(postgres_url) as one, Store.open(postgres_url) as two:
        alerts = [{"id": f"alert-{i}", "event": "change.flagged", "channel": "webhook", "payload": {"n": i}}
                  for i in range(30)]  # fmt: skip
        one.outbox.add(alerts)
        # Claims are stored to the second: a's lasts 2 s, so that it cannot end within this second
        first, second = at_once(lambda: one.outbox.claim("a", until=iso(2), limit=20),
                                lambda: two.outbox.claim("b", until=iso(300), limit=20))  # fmt: skip
        ids_a, ids_b = {r.id for r in first}, {r.id for r in second}
        assert not ids_a & ids_b and ids_a | ids_b == {a["id"] for a in alerts}
        one.outbox.delivered(sorted(ids_a)[0])
        later = two.outbox.claim("b", until=iso(300), now=iso(3))
        assert {r.id for r in later} == ids_b | ids_a - {sorted(ids_a)[0]}, "a's expired claims, and b's own"


def test_daemons_say_they_are_alive_and_retire(store: Store) -> None:
    add_feeds(store, 2)
    store.leases.take_due("h:1", now=iso(), until=iso(300))
    store.leases.heartbeat("h:1", host="h", pid=1, started_at=iso(), now=iso(), listen="127.0.0.1:8080")
    store.leases.heartbeat("h:2", host="h", pid=2, started_at=iso(), now=iso(), listen=None)
    assert {(d.id, d.leases) for d in store.leases.daemons(now=iso())} == {("h:1", 2), ("h:2", 0)}
    store.leases.retire("h:1")
    assert [d.id for d in store.leases.daemons(now=iso())] == ["h:2"]
    assert store.leases.holders(now=iso()) == {}


# one change, flagged once


AWS = "OpenAI has signed a $38 billion agreement with Amazon Web Services to buy computing capacity."
AWS_AGAIN = (
    "OpenAI has signed a seven-year, $38 billion agreement with Amazon Web Services to buy computing capacity "
    "over the next seven years, the companies said."
)


def article(n: int, text: str, feed_id: int) -> ArticleInput:
    return ArticleInput(feed_ids=(feed_id,), guid=f"g{n}", url=f"https://news.example/{n}", title=f"Report {n}",
                        published="2025-11-03", text=text, content_hash=f"hash-{n}")  # fmt: skip


def test_two_daemons_reading_two_reports_of_one_change_at_once_flag_it_once(postgres_url: str) -> None:
    engine = Engine.load()
    with Store.open(postgres_url) as one, Store.open(postgres_url) as two:
        feed = one.add_feed("https://feeds.example/a.xml")[0]
        # Each daemon's known state was read before either report: neither knows of the other's
        stale_one, stale_two = known_state(engine, one), known_state(engine, two)
        flagged = at_once(lambda: record_article(one, engine, stale_one, article(1, AWS, feed.id)),
                          lambda: record_article(two, engine, stale_two, article(2, AWS_AGAIN, feed.id)))  # fmt: skip
        changes = one.changes()
    new_on_aws = [c for c in changes if (c.facet, c.key, c.kind) == ("openai.compute_provider", "aws", "new")]
    assert len(new_on_aws) == 1, f"flagged twice: {[(c.id, c.after['values']) for c in changes]}"
    assert sum(len(ids) for ids in flagged) == len(changes)
    # The second report, whichever it was, confirms the first (a further source) or changes it (a value added)
    on_aws = [c for c in changes if (c.facet, c.key) == ("openai.compute_provider", "aws")]
    assert {s["url"] for c in on_aws for s in c.sources} == {"https://news.example/1", "https://news.example/2"}


def test_two_daemons_storing_one_article_at_once_store_it_once(postgres_url: str) -> None:
    engine = Engine.load()
    with Store.open(postgres_url) as one, Store.open(postgres_url) as two:
        a = one.add_feed("https://feeds.example/a.xml")[0]
        b = one.add_feed("https://feeds.example/b.xml")[0]
        stale_one, stale_two = known_state(engine, one), known_state(engine, two)
        same = article(1, AWS, a.id)
        also = ArticleInput(**{**same.__dict__, "feed_ids": (b.id,)})
        flagged = at_once(lambda: record_article(one, engine, stale_one, same),
                          lambda: record_article(two, engine, stale_two, also))  # fmt: skip
        assert sorted(len(ids) for ids in flagged) == [0, 1]
        assert next(one.sql.query("SELECT count(*) AS n FROM articles"))["n"] == 1
        stored = one.find_article(guid="g1")
        assert stored is not None and one.article_feed_urls(stored.id) == [a.url, b.url]


def test_a_store_is_shared_by_threads_each_transaction_on_its_own_connection(store: Store) -> None:
    def add(n: int) -> Callable[[], int]:
        def work() -> int:
            with store.transaction():
                feed = store.add_feed(f"https://feeds.example/t{n}.xml")[0]
                store.record_poll(feed.id, status=200, error=None)
                return feed.id

        return work

    ids = at_once(*(add(n) for n in range(4)))
    assert sorted(f.id for f in store.feeds()) == sorted(ids)


def test_the_cli_commands_work_on_postgresql(postgres_url: str, tmp_path: Path, local_server: LocalServer) -> None:
    serve_corpus(local_server)
    env = {**os.environ, "MONITOR_DB": postgres_url}
    config = tmp_path / "monitor.toml"
    config.write_text(f'[[feed]]\nurl = "{local_server.url("/feed.xml")}"\n[digest]\npath = "{tmp_path / "x.xml"}"\n')

    def monitor(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "monitor", *args, "--config", str(config)], capture_output=True,
                              text=True, timeout=180, env=env)  # fmt: skip

    ran = monitor("run", "--once")
    assert ran.returncode == 0, ran.stderr
    assert re.search(
        r"1 feed polled \(0 unchanged, 0 failed\), 18 new articles .*, [1-9]\d* changes flagged", ran.stdout
    )
    again = monitor("run", "--once")
    assert again.returncode == 0 and "1 unchanged" in again.stdout and "0 changes flagged" in again.stdout
    changes = json.loads(monitor("changes", "--json").stdout)["changes"]
    oracle = [c for c in changes if (c["facet"], c["key"]) == ("openai.compute_provider", "oracle")]
    assert len(oracle) == 1 and len(oracle[0]["sources"]) == 2, "the two Oracle reports attach to one change"
    state = json.loads(monitor("state", "--json").stdout)["state"]
    assert any(row["last_change"] and row["last_change"]["id"] == oracle[0]["id"] for row in state)
    assert monitor("feeds", "add", "https://feeds.example/cli.xml").returncode == 0
    listed = monitor("feeds", "list", "--json")
    assert listed.returncode == 0 and "https://feeds.example/cli.xml" in listed.stdout
    for command in (["alerts", "--json"], ["daemons", "--json"], ["digest", "--out", str(tmp_path / "d.xml")]):
        done = monitor(*command)
        assert done.returncode == 0, f"{command}: {done.stderr}"
    digest = (tmp_path / "d.xml").read_text()
    assert all(change["id"] in digest for change in changes), "every change is an item (signals may be more)"
