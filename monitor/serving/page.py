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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from markupsafe import Markup

from monitor.judging.baseline import seed_titles
from monitor.judging.diff import SEVERITIES, Known, KnownState
from monitor.judging.summary import describe_values, facet_ids, facet_label, facet_name
from monitor.serving.review import ReviewGate
from monitor.serving.timeline import timeline
from monitor.templating import render
from storage import ChangeFilter, Feed, StoredChange, StoredSignal

if TYPE_CHECKING:
    from monitor.judging.state import Standing

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
.mark{stroke:#fff;stroke-width:1}.kind-new{fill:#1565c0}.kind-changed{fill:#ef6c00}.kind-reversed{fill:#c2185b}
.mark.rejected{fill:#fff;stroke:#999;stroke-width:1.5}.legend span{margin-right:1rem}
.filters{margin:.8rem 0;font-size:.9rem}.filters label{margin-right:.6rem}table.state td{font-size:.92rem}
"""


@dataclass(frozen=True)
class Paging:
    """Which page of the changes is shown: `page` from 1, `size` changes a page, `total` in all, `only` the filters."""

    page: int = 1
    size: int = 50
    total: int | None = None
    only: ChangeFilter = field(default_factory=ChangeFilter)

    @property
    def pages(self) -> int:
        return max(1, -(-(self.total or 0) // self.size))

    def query(self, page: int) -> str:
        """The query string of page `page` with the same filters."""
        reviewed = None if self.only.reviewed is None else ("yes" if self.only.reviewed else "no")
        pairs = {"facet": self.only.facet, "kind": self.only.kind, "severity": self.only.severity,
                 "reviewed": reviewed, "source": self.only.source, "page": str(page) if page > 1 else None}  # fmt: skip
        return "?" + urlencode({name: value for name, value in pairs.items() if value})


def render_page(
    *,
    changes: list[StoredChange],
    delivery: dict[str, dict[str, str]],
    baseline: KnownState,
    feeds: list[Feed],
    paging: Paging | None = None,
    charted: list[StoredChange] | None = None,
    standing: list[Standing] | None = None,
    state_view: str | None = None,
    review: ReviewGate | None = None,
    signals: list[StoredSignal] | None = None,
) -> str:
    """The page: where the relationship stands, the timeline, one page of the changes newest first, the feeds."""
    newest_first = sorted(changes, key=lambda c: c.listing_key(), reverse=True)
    paging = paging or Paging(size=max(1, len(changes)), total=len(changes))
    return render(
        "page.html",
        paging=paging,
        empty_filter=ChangeFilter(),
        chart=timeline(changes if charted is None else charted),
        css=_CSS,
        generated=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        baseline_date=baseline.date,
        state_view=Markup(state_view) if state_view is not None else render_state(standing or []),
        changes=[_change(change, delivery.get(change.id, {}), review) for change in newest_first],
        review=review,
        facets=[(facet, facet_name(facet)) for facet in facet_ids()],
        kinds=["new", "changed", "reversed"],
        severities=list(SEVERITIES),
        feeds=feeds,
        signals=[s for s in signals or [] if s.status != "dismissed"],
    )


def render_state(standing: list[Standing]) -> Markup:
    """The state view, an HTML fragment of the page (escaped as the page is)."""
    seeds = seed_titles()
    rows = [{**row.to_json(), "cited": seeds.get(row.source, row.source)} for row in standing]
    return Markup(render("state.html", standing=rows))


def render_baseline(baseline: KnownState) -> str:
    """The baseline's own page: each claim the seeds establish, with the seed sentences, seeds by title and date."""
    seeds = seed_titles()
    rows = [_known_row(known, seeds) for known in sorted(baseline.known.values(), key=_facet_order)]
    return render("baseline.html", css=_CSS, baseline_date=baseline.date, baseline=rows)


def _change(change: StoredChange, channels: Mapping[str, str], review: ReviewGate | None = None) -> dict[str, Any]:
    return {
        "form_token": review.form_token(change.id) if review else "",
        "id": change.id, "summary": change.summary, "kind": change.kind, "severity": change.severity,
        "severity_class": change.severity if change.severity in SEVERITIES else "low",
        "first_seen": change.first_seen, "happened_at": change.happened_at or change.first_seen[:10],
        "hedged": change.hedged, "sources": change.sources,
        "before": _side(change.before), "after": _side(change.after) or {},
        "delivery": sorted(channels.items()),
        "review": change.review, "review_note": change.review_note,
    }  # fmt: skip


def _side(side: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """One side of a change, with its values described in words."""
    return {**side, "described": describe_values(side.get("values") or {})} if side else None


def _facet_order(known: Known) -> tuple[str, str]:
    return known.claim.facet, known.claim.key


def _known_row(known: Known, seeds: dict[str, str]) -> dict[str, Any]:
    claim = known.claim
    citations = [{"source": seeds.get(c.source, c.source), "when": c.when, "evidence": c.evidence}
                 for c in known.citations]  # fmt: skip
    return {
        "label": facet_label(claim.facet, claim.key), "facet": claim.facet, "key": claim.key,
        "status": claim.status, "values": describe_values(claim.values), "citations": citations,
    }  # fmt: skip
