# SPDX-License-Identifier: MIT
"""`monitor changes`: the changes flagged so far, as plain lines or as JSON.

The one implementation of the listing: the typer command (`monitor.cli.changes`) runs it, and so does
the console script's fast path (`monitor.entry`), which reaches it without importing typer, pydantic,
rich or sqlite-utils (a read-only listing needs none of them: 0.3 s of start-up). Keep its imports light.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage import StoredChange


def print_changes(config: Path | None, *, json_output: bool, since: str | None, limit: int | None) -> None:
    """Print the changes, newest first (`limit`: the N newest; `since`: first seen on or after that date),
    each with its sources, delivery and review. Raises the service's one-line errors (`EXPECTED`)."""
    from monitor.dates import parse_date
    from monitor.locations import database_location, needs_validation
    from storage import Store

    if needs_validation(config):
        from monitor.config import load_config

        database = load_config(config).prepare_database()
    else:
        database = database_location(None, None)  # the defaults: what `Config()` says, without pydantic
    with Store.open_for_reading(database) as store:
        found = store.changes(
            since=parse_date(since, source="--since") if since else None, newest_first=True, limit=limit
        )
        delivery = store.outbox.states([c.id for c in found])
    if json_output:
        from monitor.judging.events import listed_change

        print_json({"changes": [listed_change(c, delivery.get(c.id, {})) for c in found]})
        return
    sys.stdout.write(changes_text(found, delivery))


def changes_text(changes: list[StoredChange], delivery: dict[str, dict[str, str]]) -> str:
    """Changes as plain lines, a block each: when, kind, severity and summary, then sources and delivery.
    Plain text, not a table: thousands of changes print at once, and grep and less read them."""
    from monitor.urls import redact_url

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
    sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=indent) + "\n")
