# SPDX-License-Identifier: MIT
"""`storage.db.SqliteConnection` (the standard library's sqlite3, what the Store writes through) keeps
sqlite-utils' transaction rules: each case runs the same statements through both, on files under
tmp_path, and compares what was raised, what another connection sees, and whether a transaction is left
open. The Store's own tests (test_storage, test_crash, test_state…) run on it too."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from storage.db import Sql, SqliteDatabase, connect, open_database


def _sqlite_utils(path: Path) -> Sql:
    return SqliteDatabase(open_database(path))


OPENERS: dict[str, Callable[[Path], Sql]] = {"sqlite3": connect, "sqlite-utils": _sqlite_utils}
SCHEMA = "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)"


def _insert(db: Sql, name: str) -> None:
    db.execute("INSERT INTO t (name) VALUES (?)", [name])


def write_outside_a_transaction(db: Sql) -> Any:
    _insert(db, "a")


def failed_write_outside_a_transaction(db: Sql) -> Any:
    _insert(db, "a")
    _insert(db, "a")  # UNIQUE: IntegrityError


def nested_block_fails(db: Sql) -> Any:
    with db.transaction():
        _insert(db, "kept")
        try:
            with db.transaction():
                _insert(db, "undone")
                raise RuntimeError("inner")
        except RuntimeError:
            pass
        _insert(db, "kept too")


def outer_block_fails(db: Sql) -> Any:
    with db.transaction():
        _insert(db, "undone")
        with db.transaction():
            _insert(db, "undone too")
        raise RuntimeError("outer")


def query_of_a_write_without_rows(db: Sql) -> Any:
    return db.query("INSERT INTO t (name) VALUES ('undone')")


def query_returning_unfetched(db: Sql) -> Any:
    db.query("INSERT INTO t (name) VALUES ('r') RETURNING id")  # never iterated: committed all the same
    return list(db.query("SELECT name FROM t"))


def query_with_repeated_columns(db: Sql) -> Any:
    _insert(db, "x")
    return list(db.query("SELECT id, name, id, name AS id_2, id FROM t"))


def query_in_a_transaction(db: Sql) -> Any:
    with db.transaction():
        _insert(db, "in")
        return list(db.query("SELECT name FROM t")), db.in_transaction


def pragma_query(db: Sql) -> Any:
    return list(db.query("PRAGMA table_info(t)")), db.in_transaction


def transaction_control_refused(db: Sql) -> Any:
    return db.query("BEGIN")


def script_inside_a_transaction(db: Sql) -> Any:
    with db.transaction():
        db.executescript("INSERT INTO t (name) VALUES ('s;1'); INSERT INTO t (name) VALUES ('s2')")
        raise RuntimeError("undo the script")


def script_outside(db: Sql) -> Any:
    db.executescript("INSERT INTO t (name) VALUES ('s1'); -- a comment\nINSERT INTO t (name) VALUES ('s2');")


def many_in_a_transaction(db: Sql) -> Any:
    with db.transaction():
        db.executemany("INSERT INTO t (name) VALUES (?)", [("m1",), ("m2",)])


def table_exists(db: Sql) -> Any:
    return db.table_exists("t"), db.table_exists("nope")


CASES = [write_outside_a_transaction, failed_write_outside_a_transaction, nested_block_fails, outer_block_fails,
         query_of_a_write_without_rows, query_returning_unfetched, query_with_repeated_columns,
         query_in_a_transaction, pragma_query, transaction_control_refused, script_inside_a_transaction,
         script_outside, many_in_a_transaction, table_exists]  # fmt: skip


def _outcome(case: Callable[[Sql], Any], path: Path, opener: Callable[[Path], Sql]) -> dict[str, Any]:
    db = opener(path)
    db.execute(SCHEMA)
    try:
        result: Any = case(db)
    except (sqlite3.Error, ValueError, RuntimeError) as exc:
        result = (type(exc).__name__, str(exc))
    left_open = db.in_transaction
    other = sqlite3.connect(path)  # what another process sees
    seen = other.execute("SELECT name FROM t ORDER BY id").fetchall()
    other.close()
    db.close()
    return {"result": result, "left_open": left_open, "seen": seen}


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_the_standard_library_connection_keeps_sqlite_utils_rules(case: Callable[[Sql], Any], tmp_path: Path) -> None:
    ours, theirs = (_outcome(case, tmp_path / f"{name}.db", opener) for name, opener in OPENERS.items())
    assert ours == theirs


def test_the_connection_sets_the_pragmas_sqlite_utils_set(tmp_path: Path) -> None:
    pragmas = ["journal_mode", "foreign_keys", "busy_timeout", "synchronous", "recursive_triggers"]
    seen = []
    for name, opener in OPENERS.items():
        db = opener(tmp_path / f"{name}.db")
        seen.append([db.execute(f"PRAGMA {pragma}").fetchone()[0] for pragma in pragmas])
        db.close()
    assert seen[0] == seen[1] == ["wal", 1, 5000, 1, 1]
