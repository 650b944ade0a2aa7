# SPDX-License-Identifier: MIT
"""Signals: sentences of change no rule read, kept for an analyst's triage (reached as `store.signals`).

A signal is `open` until an analyst `dismiss`es it (noise) or `promote`s it
(a change the rules should read: the label — facet, key, kind, note — is kept
and exported as a labelled case). Like a change, one signal has many sources:
a later article saying the same thing is attached to it, not stored again.

    with store.transaction():
        created = store.signals.add(signal, article_id=…)
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from storage.db import Sql, utc_iso, utc_now
from storage.errors import StorageError

P = ParamSpec("P")
R = TypeVar("R")

STATUSES = ("open", "dismissed", "promoted")


class Transactional(Protocol):
    """What the signals need of their Store (named here, so that the two modules do not import each other)."""

    sql: Sql

    def transaction(self) -> AbstractContextManager[None]: ...

    def error(self, exc: BaseException) -> StorageError: ...


def _guarded(method: Callable[Concatenate[Signals, P], R]) -> Callable[Concatenate[Signals, P], R]:
    """A database failure (locked, disk full, read-only, connection lost) as a StorageError naming the database,
    as the Store's."""

    @functools.wraps(method)
    def wrapper(self: Signals, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(self, *args, **kwargs)
        except self.db.errors as exc:
            raise self.store.error(exc) from exc

    return wrapper


@dataclass(frozen=True)
class StoredSignal:
    """A signal; `sources` are the articles that carried it, oldest first."""

    id: str
    sentence: str
    lang: str
    parties: list[str]
    terms: list[str]
    verbs: list[str]
    happened_at: str  # YYYY-MM-DD: the first source's date
    first_seen: str
    status: str  # open | dismissed | promoted
    label: dict[str, str] | None  # the analyst's: facet, key, kind, note (promoted) or note (dismissed)
    reviewed_at: str | None
    sources: list[dict[str, Any]] = field(default_factory=list)  # [{"url", "title", "published"}]
    severity: str = "low"  # always: a signal asks for a look, it asserts nothing

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class Signals:
    """Queries on the `signals` and `signal_sources` tables."""

    def __init__(self, store: Transactional) -> None:
        self.store = store
        self.db = store.sql

    @_guarded
    def add(self, signal: dict[str, Any], *, article_id: int) -> bool:
        """Store a signal with its first source; False (the source only attached) if its id exists.

        `signal`: id, sentence, lang, parties, terms, verbs, happened_at, and optionally first_seen.
        """
        row = {
            "id": signal["id"],
            "sentence": signal["sentence"],
            "lang": signal.get("lang") or "",
            "parties": json.dumps(list(signal.get("parties") or [])),
            "terms": json.dumps(list(signal.get("terms") or [])),
            "verbs": json.dumps(list(signal.get("verbs") or [])),
            "happened_at": signal["happened_at"],
            "first_seen": utc_iso(signal["first_seen"]) if signal.get("first_seen") else utc_now(),
        }
        with self.store.transaction():
            cursor = self.db.execute(_INSERT, row)
            self.attach(row["id"], article_id)
        return cursor.rowcount == 1

    @_guarded
    def attach(self, signal_id: str, article_id: int) -> bool:
        """Add an article carrying the signal; False when it already was a source."""
        cursor = self.db.execute(
            "INSERT INTO signal_sources (signal_id, article_id, attached_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [signal_id, article_id, utc_now()],
        )
        return cursor.rowcount == 1

    @_guarded
    def newest(self, *, status: str | None = None, limit: int | None = None) -> list[StoredSignal]:
        """Signals newest first (by when they happened, then first seen); `status` keeps one status."""
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        page = f"LIMIT {int(limit)}" if limit is not None else ""
        rows = list(self.db.query(f"SELECT * FROM signals {where} ORDER BY {_ORDER} {page}", params))
        sources = self._sources([row["id"] for row in rows])
        return [_signal_of(row, sources.get(row["id"], [])) for row in rows]

    @_guarded
    def get(self, signal_id: str) -> StoredSignal | None:
        row = next(iter(self.db.query("SELECT * FROM signals WHERE id = ?", [signal_id])), None)
        return _signal_of(row, self._sources([signal_id]).get(signal_id, [])) if row else None

    @_guarded
    def sentences(self) -> list[tuple[str, str]]:
        """(id, sentence) of every signal, oldest first: what a new sentence is compared with."""
        # by columns, not rowid: the query means the same on an engine without one (issue 18: PostgreSQL)
        rows = self.db.query("SELECT id, sentence FROM signals ORDER BY first_seen, id")
        return [(r["id"], r["sentence"]) for r in rows]

    @_guarded
    def review(self, signal_id: str, status: str, *, label: dict[str, str] | None = None) -> StoredSignal | None:
        """Dismiss or promote a signal, keeping the analyst's label; None if there is no such signal."""
        if status not in ("dismissed", "promoted"):
            raise ValueError(f"signal review: {status!r} is not dismissed or promoted")
        cursor = self.db.execute(
            "UPDATE signals SET status = ?, label = ?, reviewed_at = ? WHERE id = ?",
            [status, json.dumps(label, sort_keys=True) if label else None, utc_now(), signal_id],
        )
        return self.get(signal_id) if cursor.rowcount else None

    @_guarded
    def mark(self) -> tuple[int, str, str]:
        """(how many signals, the latest, the latest triage): it moves when a signal is found or triaged."""
        row = self.db.execute("SELECT count(*), max(first_seen || id), max(reviewed_at) FROM signals").fetchone()
        return int(row[0]), str(row[1] or ""), str(row[2] or "")

    @_guarded
    def counts(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self.db.query("SELECT status, count(*) AS n FROM signals GROUP BY status")}

    def _sources(self, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        out: dict[str, list[dict[str, Any]]] = {}
        for row in self.db.query(_SOURCES.format(marks=marks), ids):
            out.setdefault(row.pop("signal_id"), []).append(row)
        return out


def _signal_of(row: dict[str, Any], sources: list[dict[str, Any]]) -> StoredSignal:
    return StoredSignal(
        id=row["id"],
        sentence=row["sentence"],
        lang=row["lang"],
        parties=json.loads(row["parties"]),
        terms=json.loads(row["terms"]),
        verbs=json.loads(row["verbs"]),
        happened_at=row["happened_at"],
        first_seen=row["first_seen"],
        status=row["status"],
        label=json.loads(row["label"]) if row["label"] else None,
        reviewed_at=row["reviewed_at"],
        sources=sources,
    )


_ORDER = "happened_at DESC, first_seen DESC, id DESC"

_INSERT = """
INSERT INTO signals (id, sentence, lang, parties, terms, verbs, happened_at, first_seen, status)
VALUES (:id, :sentence, :lang, :parties, :terms, :verbs, :happened_at, :first_seen, 'open')
ON CONFLICT (id) DO NOTHING
"""

_SOURCES = """
SELECT signal_sources.signal_id, articles.url, articles.title, articles.published
FROM signal_sources JOIN articles ON articles.id = signal_sources.article_id
WHERE signal_sources.signal_id IN ({marks})
ORDER BY signal_sources.signal_id, signal_sources.attached_at, signal_sources.article_id
"""
