# SPDX-License-Identifier: MIT
"""Pages per second with 1, 2 and 3 `monitor daemon` processes sharing one PostgreSQL database, cold.

Each count starts from a fresh database on a throwaway cluster (`tests/support/postgres.py`: `initdb` and
`pg_ctl` in a temporary directory; Debian's `postgresql` package provides the binaries) and runs the real
daemons, as the user runs them, over the benchmark's news corpus: every feed due at once, every page new.
Each daemon reads with one worker (`[reading] workers = 1`) and takes `batch` feeds at a time, so that the
daemon is the unit that scales. Timed from the first cycle's start (the `runs` table) to the moment every
page is recorded (polled every 0.2 s), so the daemons' start-up (loading the rules) is not in it. One daemon
on SQLite, the same way, is the reference.

Also measured, through the Store API from this process on a fresh PostgreSQL database: what the database
costs per page (storing an article, its claims, its feed link: `pg_page_store_ms`) and per feed poll
(lease, record the poll, release: `pg_feed_poll_store_ms`), and the database's size per 100k articles: the
figures docs/SCALING.md extrapolates from.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import psycopg
from corpus import Corpus
from progress import say
from throughput import BenchError
from tomlconfig import write_monitor_toml

from storage import Store
from tests.support.postgres import Cluster, find_bin

TIMEOUT_S = 600.0


def scaling(
    corpus: Corpus, base: str, work: Path, *, fetch: dict[str, int], counts: tuple[int, ...] = (1, 2, 3)
) -> dict:
    if find_bin() is None:
        say("scaling: no PostgreSQL server binaries (Debian: apt-get install postgresql): section skipped")
        return {"scaling_unavailable": "no PostgreSQL server binaries"}
    urls = corpus.feed_urls(base)
    pages = len(corpus.pages)
    batch = max(1, len(urls) // 8)  # eight leases' worth of feeds: enough rounds for three daemons to share
    results: dict[str, object] = {}
    sqlite_db = work / "scaling-sqlite.db"
    say(f"scaling: one daemon on SQLite, {len(urls)} feeds, {pages} pages")
    for key, value in _run(urls, pages, work, "sqlite-1", 1, str(sqlite_db), fetch, batch).items():
        results[f"scaling_sqlite_1_{key}"] = value
    with Cluster.start() as cluster:
        empty = cluster.new_database()
        Store.open(empty).close()  # migrated, nothing in it: what a database weighs before its first page
        baseline = _size(empty)
        for n in counts:
            url = cluster.new_database()
            say(f"scaling: {n} daemon(s) on PostgreSQL")
            for key, value in _run(urls, pages, work, f"pg-{n}", n, url, fetch, batch).items():
                results[f"scaling_pg_{n}_{key}"] = value
        results |= _db_costs(url, pages=pages, baseline=baseline)
        results |= _store_costs(cluster.new_database())
        say("scaling: whole-table reads over 100,000 feeds and 20,000 changes")
        results |= _whole_table_reads(cluster.new_database())
    results["scaling_batch"] = batch
    return results


def _run(urls: list[str], pages: int, work: Path, name: str, n: int, database: str, fetch: dict[str, int],
         batch: int) -> dict[str, float]:  # fmt: skip
    daemons = []
    try:
        for i in range(n):
            config = write_monitor_toml(work / f"{name}-{i}.toml", urls, digest=work / f"{name}-{i}.xml", fetch=fetch,
                                        interval="1h", daemon={"id": f'"{name}-{i}"', "batch": str(batch)},
                                        reading={"workers": "1"})  # fmt: skip
            log = (work / f"{name}-{i}.log").open("w")
            command = [str(Path(sys.executable).parent / "monitor"), "daemon", "--config", str(config)]
            daemons.append((subprocess.Popen(command, env={**os.environ, "MONITOR_DB": database}, stderr=log,
                                             stdout=subprocess.DEVNULL), log))  # fmt: skip
        seconds = _wait(database, pages, daemons)
        cpu_s = sum(_cpu_seconds(process.pid) for process, _ in daemons)
    finally:
        for process, log in daemons:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
    rate = round(pages / seconds, 1)
    cpu_ms = round(cpu_s / pages * 1000, 1)
    say(f"scaling: {name}: {pages} pages in {seconds:.1f}s, {rate} pages/s, {cpu_ms} ms of daemon CPU a page")
    return {"pages_per_s": rate, "daemon_cpu_ms_per_page": cpu_ms}


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its waited-for children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _wait(database: str, pages: int, daemons: list) -> float:  # type: ignore[type-arg]
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        for process, _ in daemons:
            if process.poll() is not None:
                raise BenchError(f"scaling: a daemon exited {process.returncode} (see its log in the work directory)")
        progress = _progress(database)
        if progress is not None and progress[0] >= pages:
            return progress[1]
        time.sleep(0.2)
    raise BenchError(f"scaling: not every page recorded within {TIMEOUT_S:.0f}s")


def _progress(database: str) -> tuple[int, float] | None:
    """(articles recorded, seconds since the first cycle started), or None before the schema exists."""
    sql = "SELECT (SELECT count(*) FROM articles), (SELECT min(started_at) FROM runs)"
    try:
        if database.startswith("postgresql://"):
            with psycopg.connect(database, autocommit=True) as conn:
                row = conn.execute(sql).fetchone()
        else:
            with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)) as db:
                row = db.execute(sql).fetchone()
    except (psycopg.Error, sqlite3.Error):
        return None
    if not row or row[1] is None:
        return None
    import datetime as dt

    first = dt.datetime.fromisoformat(row[1])
    return int(row[0]), (dt.datetime.now(dt.UTC) - first).total_seconds()


def _size(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])  # type: ignore[index]


def _db_costs(url: str, *, pages: int, baseline: int) -> dict:
    """The last run's database: its growth per 100k pages, and the transactions each page took (the server's
    own counters: no extension needed)."""
    with psycopg.connect(url, autocommit=True) as conn:
        (commits,) = conn.execute(
            "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()  # type: ignore[misc]
    return {
        "pg_db_mb_per_100k_articles": round((_size(url) - baseline) / pages * 100_000 / 1e6, 1),
        "pg_transactions_per_page": round(commits / pages, 1),
    }


def _store_costs(url: str, *, n: int = 1000) -> dict:
    """Milliseconds of database work per page stored and per feed polled, on PostgreSQL over loopback."""
    import datetime as dt

    claims = [{"facet": "openai.compute_provider", "key": f"k{i}", "status": "active", "values": {"amount_usd": 1e9},
               "hedged": False, "when": "2025-10-01", "evidence": "A sentence of evidence.", "verdict": "new"}
              for i in range(3)]  # fmt: skip
    with Store.open(url) as store:
        feeds = [store.add_feed(f"https://feeds.example/{i}.xml")[0] for i in range(n)]
        start = time.perf_counter()
        for i in range(n):
            with store.transaction():
                article, _ = store.add_article(guid=f"g{i}", url=f"https://news.example/{i}", content_hash=f"h{i}",
                                               title="Title", published="2025-10-01", lang="en", text="Text. " * 800,
                                               feed_id=feeds[i % len(feeds)].id)  # fmt: skip
                store.add_claims(article.id, claims)
                store.lock_keys([("openai.compute_provider", f"k{j}") for j in range(3)])
                store.changes_on([("openai.compute_provider", f"k{j}") for j in range(3)])
        page_ms = (time.perf_counter() - start) / n * 1000
        now = dt.datetime.now(dt.UTC)
        iso = now.isoformat(timespec="milliseconds")
        until = (now + dt.timedelta(minutes=5)).isoformat(timespec="milliseconds")
        start = time.perf_counter()
        for _ in range(0, n, 50):
            leased = store.leases.take_due("bench", now=iso, until=until, limit=50)
            with store.transaction():
                for feed in leased:
                    store.record_poll(feed.id, status=304, error=None, next_check=until)
            store.leases.release("bench", [feed.id for feed in leased])
        feed_ms = (time.perf_counter() - start) / n * 1000
    return {"pg_page_store_ms": round(page_ms, 2), "pg_feed_poll_store_ms": round(feed_ms, 3)}


def _whole_table_reads(url: str, *, feeds: int = 100_000, changes: int = 20_000) -> dict:
    """What the reads that take a whole table cost once it is big: every feed (a cycle's feed health, /metrics)
    and every change replayed into the known state (a cycle's start)."""
    import datetime as dt

    from monitor.judging.state import known_state
    from rules.engine import Engine

    engine = Engine.load()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with Store.open(url) as store:
        store.sql.executemany("INSERT INTO feeds (url, added_at, next_check) VALUES (?, ?, ?)",
                              [(f"https://feeds.example/big/{i}.xml", now, now) for i in range(feeds)])  # fmt: skip
        article, _ = store.add_article(guid="g", url="https://news.example/big", content_hash="h", title="T",
                                       published=None, lang="en", text="Text.", feed_id=None)  # fmt: skip
        rows = []
        for i in range(changes):
            after = {
                "facet": "openai.compute_provider",
                "key": f"k{i % 500}",
                "status": "active",
                "values": {"amount_usd": float(i)},
                "hedged": False,
                "when": "2025-10-01",
                "evidence": "E.",
            }
            rows.append((f"chg_big_{i}", after["facet"], after["key"], "changed", json.dumps(after), "medium", "s",
                         now))  # fmt: skip
        store.sql.executemany("INSERT INTO changes (id, facet, key, kind, after, severity, summary, first_seen) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)  # fmt: skip
        store.sql.executemany("INSERT INTO change_sources (change_id, article_id, attached_at) VALUES (?, ?, ?)",
                              [(row[0], article.id, now) for row in rows])  # fmt: skip
        start = time.perf_counter()
        listed = len(store.feeds())
        feeds_s = time.perf_counter() - start
        start = time.perf_counter()
        stored = store.changes()
        changes_s = time.perf_counter() - start
        start = time.perf_counter()
        known_state(engine, store, changes=stored)
        replay_s = time.perf_counter() - start
        start = time.perf_counter()
        until = (dt.datetime.fromisoformat(now) + dt.timedelta(minutes=5)).isoformat(timespec="seconds")
        due = store.leases.take_due("bench", now=now, until=until, limit=50)
        lease_s = time.perf_counter() - start
    return {"pg_feeds_listed": listed, "pg_all_feeds_read_s": round(feeds_s, 3),
            "pg_changes_listed": len(stored), "pg_all_changes_read_s": round(changes_s, 3),
            "known_state_replay_s": round(replay_s, 3), "pg_lease_50_of_100k_due_s": round(lease_s, 4),
            "pg_leased": len(due)}  # fmt: skip
