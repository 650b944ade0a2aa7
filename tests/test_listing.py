# SPDX-License-Identifier: MIT
"""`monitor changes` read as plain rows (`storage.history`) prints the bytes the listing printed when it
read `StoredChange`s: the text `changes_text` makes of `Store.changes`, and the JSON
`monitor.judging.events.listed_change` makes of them (the daemon's /api/changes, the shape of
../shared/spec/CONTRACT.md), byte for byte, on both engines, with `--since` and `--limit`, on a history
with every kind of row: reviews, several channels, sources without a URL or with credentials, no
source, odd stored JSON (unsorted, escaped, spaced, null), no `happened_at`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.judging.events import listed_change
from monitor.listing import _decoded, changes_text, listed_json, print_changes
from storage import Store
from storage.history import listed_changes, open_reader

# `after` and `before` as another writer (an older version, a hand edit) may have left them: what the
# Store writes is sorted, unescaped JSON; the listing decodes and re-encodes, so the bytes follow
ODD_AFTER = ['{"b": 1, "a": [2.50, 1e16, -0.0]}', '{"evidence": "\\u00e9t\\u00e9 \\"cit\\u00e9\\""}', ' {"a" : 1} ',
             "null", "[]", "{}", "0", '{"n": NaN, "big": 123456789012345678901234567890}']  # fmt: skip
SINCE_LIMIT = [(None, None), (None, 1), (None, 4), ("2025-03-01", None), ("2025-03-01T00:00:00+00:00", 2),
               ("2099-01-01", None)]  # fmt: skip


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    where = tmp_path / "monitor.db" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    with Store.open(where) as opened:
        fill(opened)
        yield opened


def fill(store: Store) -> None:
    """Changes of every kind the listing shows, through the Store, then the rows no Store call makes."""
    articles = []
    for n, url in enumerate(["https://bob:hunter2@news.example/1?apikey=abc&lang=fr", None,
                             "https://news.example/été", "https://news.example/4"]):  # fmt: skip
        article, _ = store.add_article(guid=f"g{n}", url=url, content_hash=f"h{n}", title=f"Titre {n} « é »",
                                       published=None if n == 2 else f"2025-0{n + 1}-15", lang="fr", text="Texte.",
                                       feed_id=None)  # fmt: skip
        articles.append(article.id)
    for n in range(12):
        after = {"facet": "stargate", "key": f"k{n}", "status": "active", "values": {"amount_usd": n * 1.5e9},
                 "hedged": n % 2 == 0, "when": f"2025-{n % 9 + 1:02d}-01" if n % 3 else "",
                 "evidence": f"É {n}."}  # fmt: skip
        store.add_change({"id": f"chg_{n:02d}", "facet": "stargate", "key": f"k{n}", "kind": ("new", "changed")[n % 2],
                          "before": None if n % 2 == 0 else {**after, "status": "planned"}, "after": after,
                          "severity": ("high", "medium", "low")[n % 3], "summary": f"Stargate\n {n}:  new ",
                          "first_seen": f"2025-{n % 9 + 1:02d}-{n + 1:02d}T12:00:00+00:00", "hedged": False},
                         article_id=articles[n % 4])  # fmt: skip
        for extra in articles[(n + 1) % 4 : (n + 1) % 4 + n % 3]:
            store.attach_source(f"chg_{n:02d}", extra)
    alerts = [("a1", "webhook", "chg_02"), ("a2", "email", "chg_02"), ("a3", "apprise", "chg_05")]
    if (
        store.engine == "sqlite"
    ):  # a second alert on one channel: the latest is its state (PostgreSQL: unordered before)
        alerts.append(("a4", "apprise", "chg_05"))
    store.outbox.add([{"id": i, "event": "change.flagged", "channel": c, "payload": {}, "change_id": ch}
                      for i, c, ch in alerts])  # fmt: skip
    store.outbox.delivered("a1")
    store.outbox.delivered("a4")
    store.review_change("chg_03", "rejected", note="une fausse alerte")
    store.review_change("chg_04", "accepted")
    for n, text in enumerate(ODD_AFTER):
        store.sql.execute("UPDATE changes SET after = ?, before = ? WHERE id = ?",
                          [text, text if n % 2 else None, f"chg_{n + 4:02d}"])  # fmt: skip
    store.sql.execute("UPDATE changes SET happened_at = NULL WHERE id = 'chg_01'")
    store.sql.execute("UPDATE changes SET happened_at = '' WHERE id = 'chg_07'")
    store.sql.execute("DELETE FROM change_sources WHERE change_id = 'chg_00'")


def before_json(store: Store, since: str | None, limit: int | None) -> str:
    """What `monitor changes --json` printed before: `listed_change` of each `StoredChange`."""
    found = store.changes(since=since, newest_first=True, limit=limit)
    delivery = store.outbox.states([c.id for c in found])
    return json.dumps({"changes": [listed_change(c, delivery.get(c.id, {})) for c in found]}, ensure_ascii=False)


def before_text(store: Store, since: str | None, limit: int | None) -> str:
    found = store.changes(since=since, newest_first=True, limit=limit)
    return changes_text(found, store.outbox.states([c.id for c in found]))


@pytest.mark.parametrize(("since", "limit"), SINCE_LIMIT)
def test_the_rows_list_what_the_stored_changes_listed(store: Store, since: str | None, limit: int | None) -> None:
    listed = store.listed_changes(since=since, limit=limit)
    assert [c.id for c in listed] == [c.id for c in store.changes(since=since, newest_first=True, limit=limit)]
    as_json = json.dumps({"changes": [listed_json(c) for c in listed]}, ensure_ascii=False)
    assert as_json == before_json(store, since, limit)
    text_only = store.listed_changes(since=since, limit=limit, claims=False)
    assert changes_text(text_only, {c.id: c.delivery for c in text_only}) == before_text(store, since, limit)


JSON_TEXTS = ['{"a": 1}', ' {"a": 1}', '{"a": 1}\n', '{"a": 1} x', '\ufeff{}', '{}{}', "nul", "", '"x', "NaN",
              "-Infinity", "1e400", "[1, 2", '{"a": 1, "a": 2}', '"\\ud800"']  # fmt: skip


@pytest.mark.parametrize("text", JSON_TEXTS)
def test_stored_json_is_decoded_as_json_loads_decodes_it(text: str) -> None:
    try:
        expected: Any = ("value", json.loads(text))
    except json.JSONDecodeError as exc:
        expected = ("error", str(exc))
    try:
        decoded: Any = ("value", _decoded(text))
    except json.JSONDecodeError as exc:
        decoded = ("error", str(exc))
    assert repr(decoded) == repr(expected)  # repr: nan is not equal to itself


@pytest.mark.parametrize(("since", "limit"), SINCE_LIMIT)
@pytest.mark.parametrize("json_output", [False, True])
def test_the_command_prints_the_same_bytes_as_before(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    json_output: bool,
    since: str | None,
    limit: int | None,
) -> None:
    path = tmp_path / "monitor.db"
    with Store.open(path) as store:
        fill(store)
        expected = before_json(store, since, limit) + "\n" if json_output else before_text(store, since, limit)
    monkeypatch.setenv("MONITOR_DB", str(path))
    monkeypatch.chdir(tmp_path)
    reader = open_reader(path)
    assert reader is not None, "a current SQLite file is read without the Store"
    reader.close()
    print_changes(None, json_output=json_output, since=since, limit=limit)
    assert capsys.readouterr().out == expected


def test_a_listing_reads_the_sources_from_their_index_not_the_article_rows(tmp_path: Path) -> None:
    with Store.open(tmp_path / "monitor.db") as store:
        fill(store)
    reader = open_reader(tmp_path / "monitor.db")
    assert reader is not None
    with pytest.MonkeyPatch.context() as patch:
        plans: list[str] = []
        execute = reader.execute

        def explained(sql: str, params: Any = ()) -> Any:
            plans.extend(row[3] for row in execute(f"EXPLAIN QUERY PLAN {sql}", params))
            return execute(sql, params)

        patch.setattr(reader, "execute", explained)
        listed_changes(reader)
    reader.close()
    assert any("COVERING INDEX idx_articles_listed" in plan for plan in plans), plans


def test_a_listing_of_a_current_sqlite_file_imports_neither_the_store_nor_logging(tmp_path: Path) -> None:
    with Store.open(tmp_path / "monitor.db") as store:
        fill(store)
    heavy = ("storage.store", "storage.records", "logging", "dataclasses", "secrets", "platformdirs")
    code = (f"import sys; from monitor.entry import main\ntry: main()\nfinally: sys.stderr.write(repr(sorted("
            f"m for m in {heavy!r} if m in sys.modules)))")  # fmt: skip
    for args in (["changes"], ["changes", "--json", "--since", "2025-03-01", "--limit", "3"]):
        env = {**os.environ, "MONITOR_DB": str(tmp_path / "monitor.db")}
        done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path,
                              env=env, timeout=60)  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert done.stderr == "[]", f"`monitor {' '.join(args)}` imported {done.stderr}"
