# SPDX-License-Identifier: MIT
"""The status page: the changes flagged, the baseline they were measured against, the feeds.

One plain HTML document (`monitor/templates/page.html`), inline CSS, no
JavaScript, readable without styles. Everything shown comes from news
articles, feeds or seed files: the template autoescapes every value,
attributes included, and only http and https URLs become links (a
`javascript:` source stays text); URLs are shown without credentials.

    html = render_page(changes=store.changes(), delivery=store.outbox.states(ids),
                       baseline=build_baseline(engine), feeds=store.feeds())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from monitor.judging.diff import SEVERITIES, Known, KnownState
from monitor.judging.summary import describe_values, facet_label
from monitor.serving.timeline import timeline
from monitor.templating import render
from storage import Feed, StoredChange

_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}h3{font-size:1.1rem;margin:0 0 .3rem}
.meta,.muted{color:#666;font-size:.9rem}
.change{border-left:4px solid #999;padding:.5rem 1rem;margin:1.2rem 0;background:#fafafa}
.sev-critical{border-color:#b00020}.sev-high{border-color:#e65100}.sev-medium{border-color:#f9a825}
.sev-low{border-color:#9e9e9e}
blockquote{margin:.5rem 0;padding-left:.8rem;border-left:2px solid #ddd;font-style:italic}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.3rem .5rem}
tr{border-bottom:1px solid #eee}code{font-size:.85rem}ul{margin:.3rem 0}
.pending{color:#e65100}.delivered{color:#2e7d32}.failed{color:#b00020}
svg.timeline{width:100%;height:auto;font-size:11px;margin:.5rem 0}.timeline text{fill:#444}
.timeline .lane{stroke:#eee}.timeline .tick{stroke:#ddd;stroke-dasharray:2 3}
.mark{stroke:#fff;stroke-width:1}.kind-new{fill:#1565c0}.kind-changed{fill:#ef6c00}.kind-reversed{fill:#b00020}
.mark.rejected{fill:#fff;stroke:#999;stroke-width:1.5}.legend span{margin-right:1rem}
"""


@dataclass(frozen=True)
class Paging:
    """Which page of the changes is shown: `page` from 1, `size` changes a page, `total` in all."""

    page: int = 1
    size: int = 50
    total: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total or 0) // self.size))


def render_page(
    *,
    changes: list[StoredChange],
    delivery: dict[str, dict[str, str]],
    baseline: KnownState,
    feeds: list[Feed],
    paging: Paging | None = None,
    charted: list[StoredChange] | None = None,
) -> str:
    """The whole page: one page of the changes, newest first, then the baseline, then the feeds."""
    newest_first = sorted(changes, key=lambda c: (c.first_seen, c.id), reverse=True)
    paging = paging or Paging(size=max(1, len(changes)), total=len(changes))
    return render(
        "page.html",
        paging=paging,
        chart=timeline(changes if charted is None else charted),
        css=_CSS,
        generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        baseline_date=baseline.date,
        changes=[_change(change, delivery.get(change.id, {})) for change in newest_first],
        baseline=[_known_row(known) for known in sorted(baseline.known.values(), key=_facet_order)],
        feeds=feeds,
    )


def _change(change: StoredChange, channels: Mapping[str, str]) -> dict[str, Any]:
    return {
        "id": change.id, "summary": change.summary, "kind": change.kind, "severity": change.severity,
        "severity_class": change.severity if change.severity in SEVERITIES else "low",
        "first_seen": change.first_seen, "hedged": change.hedged, "sources": change.sources,
        "before": _side(change.before), "after": _side(change.after) or {},
        "delivery": sorted(channels.items()),
        "review": change.review, "review_note": change.review_note,
    }  # fmt: skip


def _side(side: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """One side of a change, with its values described in words."""
    return {**side, "described": describe_values(side.get("values") or {})} if side else None


def _facet_order(known: Known) -> tuple[str, str]:
    return known.claim.facet, known.claim.key


def _known_row(known: Known) -> dict[str, Any]:
    claim = known.claim
    return {
        "label": facet_label(claim.facet, claim.key), "facet": claim.facet, "key": claim.key,
        "status": claim.status, "values": describe_values(claim.values), "citations": known.citations,
    }  # fmt: skip
