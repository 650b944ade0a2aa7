# SPDX-License-Identifier: MIT
"""The status page: the changes flagged, the baseline they were measured against, the feeds.

One plain HTML document, inline CSS, no JavaScript, readable without styles.
Everything shown comes from news articles, feeds or seed files, so every
value goes through `html.escape` (`_e`), attributes included, and only http
and https URLs become links: a `javascript:` source stays text.

    html = render_page(changes=store.changes(), delivery=store.outbox.states(ids),
                       baseline=build_baseline(engine), feeds=store.feeds())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any
from urllib.parse import urlsplit

from monitor.errors import error_line
from monitor.judging.diff import SEVERITIES, Known, KnownState
from monitor.judging.summary import describe_values, facet_label
from monitor.urls import redact_url, redact_urls_in
from storage import Feed, StoredChange

LINK_SCHEMES = frozenset({"http", "https"})

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
"""


def render_page(
    *,
    changes: list[StoredChange],
    delivery: dict[str, dict[str, str]],
    baseline: KnownState,
    feeds: list[Feed],
) -> str:
    """The whole page: the change timeline newest first, then the baseline, then the feeds."""
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    newest_first = sorted(changes, key=lambda c: (c.first_seen, c.id), reverse=True)
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Microsoft–OpenAI compute monitor</title><style>{_CSS}</style></head><body>",
            "<h1>Microsoft–OpenAI compute monitor</h1>",
            f'<p class="meta">{len(changes)} change(s) flagged · {len(feeds)} feed(s) watched · '
            f"baseline as of {_e(baseline.date or 'unknown')} · generated {_e(generated)}</p>",
            _timeline(newest_first, delivery),
            _baseline(baseline),
            _feeds(feeds),
            "</body></html>",
        ]
    )


# timeline


def _timeline(changes: list[StoredChange], delivery: Mapping[str, Mapping[str, str]]) -> str:
    if not changes:
        return '<h2>Changes</h2>\n<p class="muted">No change flagged yet.</p>'
    return "<h2>Changes</h2>\n" + "\n".join(_change(c, delivery.get(c.id, {})) for c in changes)


def _change(change: StoredChange, channels: Mapping[str, str]) -> str:
    severity = change.severity if change.severity in SEVERITIES else "low"
    hedged = " · reported (hedged)" if change.hedged else ""
    evidence = change.after.get("evidence") or ""
    return (
        f'<article class="change sev-{severity}" id="change-{_e(change.id)}">'
        f"<h3>{_e(change.summary)}</h3>"
        f'<p class="meta">{_e(change.kind)} · severity {_e(change.severity)} · first seen '
        f"{_e(change.first_seen)}{hedged}</p>"
        f"<p>{_state(change.before)} → {_state(change.after)}</p>"
        + (f"<blockquote>{_e(evidence)}</blockquote>" if evidence else "")
        + f"<p>Sources:</p>{_sources(change.sources)}"
        + f"<p>Delivery: {_delivery(channels)}</p></article>"
    )


def _state(side: Mapping[str, Any] | None) -> str:
    """One side of a change as "<b>status</b> (values)", or "unknown"."""
    if not side:
        return '<span class="muted">unknown</span>'
    values = describe_values(side.get("values") or {})
    when = side.get("when")
    return (
        f"<b>{_e(side.get('status') or '?')}</b>"
        + (f" ({_e(values)})" if values else "")
        + (f' <span class="muted">as of {_e(when)}</span>' if when else "")
    )


def _sources(sources: Iterable[Mapping[str, Any]]) -> str:
    items = []
    for source in sources:
        url, title = source.get("url") or "", source.get("title") or ""
        published = source.get("published")
        date = f' <span class="muted">{_e(published)}</span>' if published else ""
        items.append(f"<li>{_link(url, title or url or 'untitled')}{date}</li>")
    return "<ul>" + "".join(items) + "</ul>" if items else '<p class="muted">none recorded</p>'


def _delivery(channels: Mapping[str, str]) -> str:
    if not channels:
        return '<span class="muted">no alert queued</span>'
    return ", ".join(
        f'{_e(channel)}: <span class="{_e(status)}">{_e(status)}</span>' for channel, status in sorted(channels.items())
    )


# baseline


def _baseline(state: KnownState) -> str:
    known = sorted(state.known.values(), key=lambda k: (k.claim.facet, k.claim.key))
    if not known:
        return '<h2>Baseline</h2>\n<p class="muted">No baseline loaded.</p>'
    rows = "\n".join(_known_row(k) for k in known)
    return (
        "<h2>Baseline</h2>\n"
        '<p class="meta">What the seed documents establish; news is compared with this.</p>\n'
        "<table><thead><tr><th>Facet</th><th>Status</th><th>Values</th><th>Read in</th></tr></thead>"
        f"<tbody>\n{rows}\n</tbody></table>"
    )


def _known_row(known: Known) -> str:
    claim = known.claim
    citations = "".join(
        f"<li><code>{_e(c.source)}</code> ({_e(c.when)}): {_e(c.evidence)}</li>" for c in known.citations
    )
    return (
        f"<tr><td>{_e(facet_label(claim.facet, claim.key))}<br>"
        f'<code class="muted">{_e(claim.facet)} / {_e(claim.key)}</code></td>'
        f"<td>{_e(claim.status)}</td><td>{_e(describe_values(claim.values))}</td>"
        f"<td><ul>{citations}</ul></td></tr>"
    )


# feeds


def _feeds(feeds: list[Feed]) -> str:
    if not feeds:
        return '<h2>Feeds</h2>\n<p class="muted">No feed watched.</p>'
    rows = "\n".join(_feed_row(f) for f in feeds)
    return (
        "<h2>Feeds</h2>\n<table><thead><tr><th>Feed</th><th>Last poll</th><th>Status</th>"
        f"<th>Errors in a row</th><th>Last error</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
    )


def _feed_row(feed: Feed) -> str:
    return (
        f"<tr><td>{_link(feed.url, feed.title or feed.url)}</td>"
        f"<td>{_e(feed.last_polled or 'never')}</td><td>{_e(feed.last_status or '')}</td>"
        f"<td>{feed.consecutive_errors:d}</td><td>{_e(error_line(feed.last_error or ''))}</td></tr>"
    )


# helpers


def _e(value: object) -> str:
    """Any value as HTML text, quotes included (it may land in an attribute)."""
    return escape(str(value), quote=True)


def _link(url: str, text: str) -> str:
    """A link when `url` is http(s); otherwise the text (and the URL) shown as plain text. Any credential
    in the URL is redacted: the page is not authenticated."""
    url, text = redact_url(url), redact_urls_in(text)
    if _scheme(url) in LINK_SCHEMES:
        return f'<a href="{_e(url.strip())}" rel="nofollow noopener noreferrer">{_e(text)}</a>'
    if url and url != text:
        return f'{_e(text)} <span class="muted">({_e(url)})</span>'
    return _e(text)


def _scheme(url: str) -> str:
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:  # e.g. an unclosed "[" in the host: not a URL to link to
        return ""
