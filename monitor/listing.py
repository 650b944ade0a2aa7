# SPDX-License-Identifier: MIT
"""`monitor changes`: the changes flagged so far, as plain lines or as JSON.

The one implementation of the listing: the typer command (`monitor.cli.changes`) runs it, and so does
the console script's fast path (`monitor.entry`), which reaches it without importing typer, pydantic,
rich or sqlite-utils (a read-only listing needs none of them: 0.3 s of start-up). Keep its imports light:
a SQLite file at the current schema is read through `storage.history` alone — no Store, no records, no
logging (nothing on that path logs) — and the rows go straight to lines or JSON, `listed_json` keeping
the shape `monitor.judging.events.listed_change` gives the daemon's /api/changes.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.urls import redact_url, shown_source

if TYPE_CHECKING:
    from storage import StoredChange
    from storage.history import ListedChange


def print_changes(config: Path | None, *, json_output: bool, since: str | None, limit: int | None) -> None:
    """Print the changes, newest first (`limit`: the N newest; `since`: first seen on or after that date),
    each with its sources, delivery and review. Raises the service's one-line errors (`EXPECTED`)."""
    # Every row, dict and line made here lives until it is printed, and none is in a cycle: the collector's
    # passes over them (3 % of a 5,000-change listing) would free nothing
    gc.disable()
    try:
        listed = read_changes(config, since=since, limit=limit, claims=json_output)
        if json_output:
            print_json({"changes": [listed_json(change) for change in listed]})
        else:
            sys.stdout.write(changes_text(listed, {change.id: change.delivery for change in listed}))
    finally:
        gc.enable()


def read_changes(config: Path | None, *, since: str | None, limit: int | None, claims: bool) -> list[ListedChange]:
    """The changes to list, from the configured database (`claims`: with what only the JSON shows,
    `storage.history.listed_changes`). A SQLite file at the current schema is read with sqlite3 alone;
    anything else (a configuration file to validate, a database to create or migrate, PostgreSQL)
    through pydantic and the Store, with the command's logging set up first."""
    from monitor.locations import database_location, needs_validation
    from storage.history import open_reader, read_listed

    if needs_validation(config):
        _setup_logging()
        from monitor.config import load_config

        database = load_config(config).prepare_database()
    else:
        database = database_location(None, None)  # the defaults: what `Config()` says, without pydantic
    reader = open_reader(database)
    if reader is not None:
        with reader:
            return read_listed(reader, since=_since(since), limit=limit, claims=claims)
    _setup_logging()
    from storage import Store

    with Store.open_for_reading(database) as store:
        return store.listed_changes(since=_since(since), limit=limit, claims=claims)


def _since(since: str | None) -> str | None:
    """`--since` as an ISO date; parsed once the database is open, whose errors come first."""
    from monitor.dates import parse_date

    return parse_date(since, source="--since") if since else None


def _setup_logging() -> None:
    """The command's logging (`MONITOR_LOG_LEVEL`, `MONITOR_LOG_FORMAT`), for the paths that may log:
    migrations, PostgreSQL's driver. Setting it up again (the typer CLI did) changes nothing."""
    from monitor.serving.logs import setup_from_environment

    setup_from_environment()


def listed_json(change: ListedChange) -> dict[str, Any]:
    """A change as `monitor changes --json` lists it: the same dict, key for key and in the same order, as
    `monitor.judging.events.listed_change` makes of its `StoredChange` (tests/test_listing.py compares)."""
    after = _decoded(change.after_json)
    return {
        "id": change.id,
        "facet": change.facet,
        "key": change.key,
        "kind": change.kind,
        "before": _decoded(change.before_json),
        "after": after or {},  # as `StoredChange.after`: an empty or null claim reads as {}
        "severity": change.severity,
        "summary": change.summary,
        "first_seen": change.first_seen,
        "happened_at": change.happened_at or None,
        "sources": [shown_source(source) for source in change.sources],
        "delivery": change.delivery,
        "review": {"verdict": change.review, "note": change.review_note, "at": change.reviewed_at}
        if change.review
        else None,
    }


def _decoded(text: str | None) -> Any:
    """`json.loads(text)` (None stays None, as `storage.records.from_json`), for 5,000 short texts: json's
    C scanner called directly, without `loads`' three Python calls and two regex matches a text (3 % of
    `--json`). What it does not take whole from its first character, `loads` reads: the same value, or the
    same error (leading or trailing space, a byte-order mark, anything after the value, bad JSON)."""
    if text is None:
        return None
    try:
        value, end = _scan_once(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


_scan_once = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # made in its __init__, not in the stubs


def changes_text(
    changes: Sequence[StoredChange] | Sequence[ListedChange], delivery: Mapping[str, Mapping[str, str]]
) -> str:
    """Changes as plain lines, a block each: when, kind, severity and summary, then sources and delivery.
    Plain text, not a table: thousands of changes print at once, and grep and less read them."""
    if not changes:
        return "No change flagged.\n"
    blocks = []
    for change in changes:
        happened = change.happened_at or change.first_seen[:10]
        lines = [f"{happened}  {change.kind:8} {change.severity:8} {' '.join(change.summary.split())}"]
        lines += [f"    {redact_url(source.get('url') or '')}" for source in change.sources if source.get("url")]
        states = ", ".join(f"{name} {state}" for name, state in sorted(delivery.get(change.id, {}).items()))
        if states:
            lines.append(f"    delivery: {states}")
        review = (
            f" · {change.review}" + (f": {change.review_note}" if change.review_note else "") if change.review else ""
        )
        lines.append(f"    id {change.id} · first seen {change.first_seen}{review}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def print_json(payload: dict[str, Any]) -> None:
    """Indented for a person at a terminal; one line for a pipe, where json's C encoder is ten times faster."""
    indent = 2 if sys.stdout.isatty() else None
    # a tree made to be printed holds no cycle to look for (2 % of a 5,000-change listing's time)
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=indent, check_circular=False) + "\n")
