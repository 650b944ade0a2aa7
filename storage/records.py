# SPDX-License-Identifier: MIT
"""What the store hands back: frozen rows, so callers never hold a live cursor or a dict to mutate.

JSON columns (`before`, `after`, `claim_values`) are decoded here and SQLite's
0/1 integers become booleans, so nothing outside `storage` sees a column type.
A change's `before` and `after` are decoded when first read: `monitor changes`
lists thousands of changes without showing either.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, fields
from typing import Any, Generic, TypeVar, overload


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str | None
    etag: str | None
    last_modified: str | None
    next_check: str | None
    interval_s: int | None
    consecutive_errors: int
    last_error: str | None
    last_status: int | None
    last_polled: str | None
    failing_since: str | None = None  # set when the feed crossed the failing threshold (health alerts)
    lease_owner: str | None = None  # the daemon polling it now (several daemons on one database)
    lease_until: str | None = None  # when that lease runs out unless renewed


@dataclass(frozen=True)
class Article:
    id: int
    guid: str | None
    url: str | None
    content_hash: str
    title: str
    published: str | None
    lang: str
    text: str
    fetched_at: str


T = TypeVar("T")


class _Decoded(Generic[T]):
    """A JSON text column's value, decoded when first read and then kept on the instance: a descriptor
    without `__set__`, so the value it stores in the instance's `__dict__` is found first from then on
    (`functools.cached_property` does the same behind a lock, a few microseconds more per read)."""

    def __init__(self, column: str, *, or_empty: bool = False) -> None:
        self._column = column
        self._or_empty = or_empty  # None or an empty value reads as a new {} (what `after` has always been)
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _Decoded[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | _Decoded[T]:
        if instance is None:
            return self
        value = from_json(instance.__dict__[self._column])
        if self._or_empty and not value:
            value = {}
        instance.__dict__[self._name] = value  # a frozen dataclass's __setattr__ refuses; its __dict__ does not
        return value


@dataclass(frozen=True)
class StoredChange:
    """A flagged change; `sources` are the articles reporting it, in the order they were attached."""

    id: str
    facet: str
    key: str
    kind: str
    before_json: str | None  # as stored; `before` is its value
    after_json: str  # as stored; `after` is its value
    severity: str
    summary: str
    first_seen: str
    hedged: bool
    sources: list[dict[str, Any]]  # [{"url", "title", "published"}], oldest first
    review: str | None = None  # None (not reviewed), "accepted" or "rejected"
    review_note: str | None = None  # why, as the analyst said it
    reviewed_at: str | None = None
    happened_at: str = ""  # YYYY-MM-DD: when the change happened (`happened_on`), what lists are ordered by

    # not fields: decoded from the two above when first read (`_Decoded`)
    before = _Decoded[dict[str, Any] | None]("before_json")  # the claim before (None for a new one)
    after = _Decoded[dict[str, Any]]("after_json", or_empty=True)  # the claim now

    def listing_key(self) -> tuple[str, str, str]:
        """The order lists show changes in, newest last: when it happened, then when first seen."""
        return self.happened_at or self.first_seen[:10], self.first_seen, self.id


def feed_of(row: dict[str, Any]) -> Feed:
    return Feed(**{name: row[name] for name in _FEED_FIELDS if name in row})


_FEED_FIELDS = tuple(f.name for f in fields(Feed))  # read once: a cycle makes a Feed of every watched feed, twice


def article_of(row: dict[str, Any]) -> Article:
    return Article(**{f.name: row[f.name] for f in fields(Article)})


def change_of(row: dict[str, Any], sources: list[dict[str, Any]]) -> StoredChange:
    return StoredChange(
        id=row["id"],
        facet=row["facet"],
        key=row["key"],
        kind=row["kind"],
        before_json=row["before"],
        after_json=row["after"],
        severity=row["severity"],
        summary=row["summary"],
        first_seen=row["first_seen"],
        hedged=bool(row["hedged"]),
        sources=sources,
        review=row.get("review"),
        review_note=row.get("review_note"),
        reviewed_at=row.get("reviewed_at"),
        happened_at=row.get("happened_at") or "",
    )


def happened_on(when: str | None, published: str | None, first_seen: str) -> str:
    """The day a change happened, as well as it is known (YYYY-MM-DD): the date its claim is placed at
    (the article's, unless the sentence dates it), else its first source's publication, else when it
    was first seen. A value that is no date is passed over; a year alone is not a day.

    >>> happened_on("2025-10-28", "2025-11-04T08:30:00+00:00", "2025-11-05T10:00:00+00:00")
    '2025-10-28'
    """
    for value in (when, published, first_seen):
        text = (value or "").strip()
        if len(text) >= 10:
            try:
                return dt.date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                continue
    return first_seen[:10]


def claim_row(article_id: int, claim: dict[str, Any]) -> dict[str, Any]:
    """A claim dict (facet, key, status, values, hedged, when, evidence, verdict) as a `claims` row."""
    return {
        "article_id": article_id,
        "facet": claim["facet"],
        "key": claim["key"],
        "status": claim["status"],
        "claim_values": to_json(claim.get("values") or {}),
        "hedged": int(bool(claim.get("hedged"))),
        "claim_when": claim.get("when") or None,
        "evidence": claim.get("evidence"),
        "verdict": claim.get("verdict"),
    }


def claim_of(row: dict[str, Any]) -> dict[str, Any]:
    """A `claims` row back in the shape `add_claims` takes."""
    return {
        "facet": row["facet"],
        "key": row["key"],
        "status": row["status"],
        "values": from_json(row["claim_values"]) or {},
        "hedged": bool(row["hedged"]),
        "when": row["claim_when"] or "",
        "evidence": row["evidence"] or "",
        "verdict": row["verdict"],
    }


def to_json(value: Any) -> str | None:
    """JSON text for a TEXT column; sorted keys so equal values store equal text; None stays NULL."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def from_json(text: str | None) -> Any:
    return None if text is None else json.loads(text)
