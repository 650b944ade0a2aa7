# SPDX-License-Identifier: MIT
"""The daemon's JSON API: what the page shows, in the shapes the command line prints with `--json`.

    GET /api/changes?facet=…&kind=…&severity=…&reviewed=yes|no&source=…&page=N   {"changes", "total", "page", "pages"}
    GET /api/signals?status=open|dismissed|promoted                               {"signals"}
    GET /api/state                                                                {"as_of": null, "state"}

Changes are listed as `monitor changes --json` lists them, newest first by the date they
happened, PAGE_SIZE a page, with the page's filters; signals as `monitor signals --json`;
the state as `monitor state --json`. Read-only: reviews go through the page's forms.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from monitor.judging.events import listed_change
from monitor.judging.signals import signal_json
from monitor.judging.state import Standing
from storage import ChangeFilter, Store
from storage.signals import STATUSES


def changes_payload(store: Store, only: ChangeFilter, *, page: int, size: int) -> dict[str, Any]:
    total = store.change_count(only=only)
    found = store.changes(newest_first=True, limit=size, offset=(page - 1) * size, only=only)
    delivery = store.outbox.states([c.id for c in found])
    return {"changes": [listed_change(c, delivery.get(c.id, {})) for c in found], "total": total, "page": page,
            "pages": max(1, -(-total // size))}  # fmt: skip


def signals_payload(store: Store, query: Mapping[str, str], *, limit: int) -> dict[str, Any]:
    status = query.get("status")
    if status not in STATUSES:
        status = None  # like the page's filters: an unknown value is no filter, never an error page
    return {"signals": [signal_json(s) for s in store.signals.newest(status=status, limit=limit)]}


def state_payload(rows: list[Standing]) -> dict[str, Any]:
    return {"as_of": None, "state": [row.to_json() for row in rows]}
