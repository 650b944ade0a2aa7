# SPDX-License-Identifier: MIT
"""What an alert says, independent of the channel: a view, then text or HTML.

`view_of(alert)` reads the payload through a registry keyed by event type
(`VIEWS`) and returns an `AlertView`; e-mail renders views as text and HTML,
Apprise as a title and a text body. Every value in the HTML comes from an
article or a feed and is escaped: `fill_html` escapes whatever is not already
`Safe` (a fragment this module rendered itself), and only http(s) links become
anchors. Payloads are read defensively: a missing or odd field renders as
blank, never as an exception.

    view = view_of(alert)
    print(view.title, view.transition)
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from dataclasses import dataclass
from string import Template
from typing import Any

from monitor.delivering.channels.base import Alert, one_line
from monitor.judging.summary import describe_values
from monitor.urls import redact_url


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    note: str = ""  # e.g. the publication date


@dataclass(frozen=True)
class AlertView:
    """An alert as people read it."""

    group: str  # "change" or "feed": how e-mail sections and counts the alert
    title: str  # one line: the change's summary, or "Feed failing: <url>"
    transition: str = ""  # "new (high): unknown → provider (AWS)"
    evidence: str = ""  # the sentence the change was read from
    links: tuple[Link, ...] = ()
    details: tuple[str, ...] = ()  # further "name: value" lines
    level: str = "info"  # Apprise's notify type: info, success, warning, failure


def view_of(alert: Alert) -> AlertView:
    """The view of `alert`, by its payload's type (falling back to the alert's event)."""
    kind = str(alert.payload.get("type") or alert.event)
    return VIEWS.get(kind, _other_view)(alert.payload)


def _change_view(payload: dict[str, Any]) -> AlertView:
    change = _mapping(payload.get("change"))
    before, after = _mapping(change.get("before")) or None, _mapping(change.get("after"))
    kind, severity = _text(change.get("kind")), _text(change.get("severity"))
    fallback = f"{_text(change.get('facet'))} {_text(change.get('key'))}"
    title = one_line(_text(change.get("summary"))) or one_line(fallback)
    return AlertView(
        group="change",
        title=title or "Change flagged",
        transition=f"{kind} ({severity}): {describe_claim(before)} → {describe_claim(after)}",
        evidence=one_line(_text(after.get("evidence")), limit=2000),
        links=tuple(_source_link(source) for source in _sequence(change.get("sources"))),
        details=tuple(f"{name}: {_text(change.get(name))}" for name in ("facet", "key", "id") if change.get(name)),
        level="warning" if severity == "high" else "info",
    )


def _feed_view(status: str, level: str) -> Callable[[dict[str, Any]], AlertView]:
    def view(payload: dict[str, Any]) -> AlertView:
        feed = _mapping(payload.get("feed"))
        url = redact_url(_text(feed.get("url")))  # payloads queued before redaction existed, too
        # The feed's other fields (error, failures, since…) are shown as they come.
        details = tuple(
            one_line(f"{name}: {_text(value)}")
            for name, value in sorted(feed.items())
            if name != "url" and isinstance(value, str | int | float) and not isinstance(value, bool)
        )
        links = (Link(url, url),) if url else ()
        return AlertView(group="feed", title=one_line(f"{status}: {url}"), links=links, details=details, level=level)

    return view


def _other_view(payload: dict[str, Any]) -> AlertView:
    # An event this version does not know: still deliver what it says.
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return AlertView(group="other", title=one_line(f"Alert: {_text(payload.get('type'))}"), details=(body,))


VIEWS: dict[str, Callable[[dict[str, Any]], AlertView]] = {
    "change.flagged": _change_view,
    "feed.failing": _feed_view("Feed failing", "warning"),
    "feed.recovered": _feed_view("Feed recovered", "success"),
}


def describe_claim(claim: dict[str, Any] | None) -> str:
    """A claim as "status (values)", or "unknown"."""
    if not claim:
        return "unknown"
    status = _text(claim.get("status")) or "unknown"
    try:
        values = describe_values(_mapping(claim.get("values")))
    except (TypeError, ValueError):  # a value of an unexpected type: show it raw rather than fail
        values = ", ".join(f"{k}={v}" for k, v in _mapping(claim.get("values")).items())
    return f"{status} ({values})" if values else status


def _source_link(source: Any) -> Link:
    source = _mapping(source)
    url = redact_url(_text(source.get("url")))
    return Link(one_line(_text(source.get("title"))) or url, url, _text(source.get("published")))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _sequence(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return "" if value is None else str(value)


# -- text ---------------------------------------------------------------------------------------------------------

TEXT_ALERT = Template("""\
* $title
$lines
""")


def text_body(view: AlertView, *, indent: str = "  ") -> str:
    """The view's body as plain text lines (without the title)."""
    lines = [view.transition] if view.transition else []
    if view.evidence:
        lines.append(f"“{view.evidence}”")
    if view.links:
        lines.append("Sources:" if view.group == "change" else "Link:")
        lines += [f"- {_link_text(link)}" for link in view.links]
    lines += list(view.details)
    return "\n".join(indent + line for line in lines)


def text_alert(view: AlertView) -> str:
    return TEXT_ALERT.substitute(title=view.title, lines=text_body(view))


def _link_text(link: Link) -> str:
    note = f" ({link.note})" if link.note else ""
    return f"{link.label}{note}" if link.label == link.url else f"{link.label}{note}: {link.url}"


# -- HTML ---------------------------------------------------------------------------------------------------------


class Safe(str):
    """HTML this module rendered itself: `fill_html` inserts it as it is."""


def fill_html(template: Template, **values: object) -> Safe:
    """`template` with every value escaped, except `Safe` fragments."""
    escaped = {name: v if isinstance(v, Safe) else html.escape(str(v), quote=True) for name, v in values.items()}
    return Safe(template.substitute(escaped))


def join_html(fragments: list[Safe], separator: str = "\n") -> Safe:
    return Safe(separator.join(fragments))


HTML_ALERT = Template("""\
<li style="margin-bottom:1em">
<strong>$title</strong>
$transition$evidence$links$details</li>""")
HTML_TRANSITION = Template("<div>$transition</div>\n")
HTML_EVIDENCE = Template('<blockquote style="margin:0.3em 0 0.3em 1em;color:#444">$evidence</blockquote>\n')
HTML_LINKS = Template("<div>$heading</div>\n<ul>\n$items\n</ul>\n")
HTML_ANCHOR = Template('<li><a href="$url">$label</a>$note</li>')
HTML_PLAIN_LINK = Template("<li>$label$note</li>")
HTML_DETAIL = Template('<div style="color:#666;font-size:90%">$detail</div>\n')


def html_alert(view: AlertView) -> Safe:
    links = [_link_html(link) for link in view.links]
    heading = "Sources:" if view.group == "change" else "Link:"
    return fill_html(
        HTML_ALERT,
        title=view.title,
        transition=fill_html(HTML_TRANSITION, transition=view.transition) if view.transition else Safe(),
        evidence=fill_html(HTML_EVIDENCE, evidence=view.evidence) if view.evidence else Safe(),
        links=fill_html(HTML_LINKS, heading=heading, items=join_html(links)) if links else Safe(),
        details=join_html([fill_html(HTML_DETAIL, detail=line) for line in view.details], ""),
    )


def _link_html(link: Link) -> Safe:
    note = f" — {link.note}" if link.note else ""
    # Only web links become anchors: a javascript: or data: URL from a feed stays inert text.
    if link.url.lower().startswith(("https://", "http://")):
        return fill_html(HTML_ANCHOR, url=link.url, label=link.label, note=note)
    label = link.label if link.label == link.url or not link.url else f"{link.label} ({link.url})"
    return fill_html(HTML_PLAIN_LINK, label=label, note=note)


# -- one e-mail for a cycle ---------------------------------------------------------------------------------------

SECTIONS = (("change", "Changes flagged"), ("feed", "Feed health"), ("other", "Other alerts"))

TEXT_MESSAGE = Template("""\
$heading

$sections
--
Sent by msft-openai-monitor$run.
""")
TEXT_SECTION = Template("""\
$name
$underline
$alerts
""")

HTML_MESSAGE = Template("""\
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>$heading</title></head>
<body style="font-family:sans-serif">
<h1 style="font-size:120%">$heading</h1>
$sections
<p style="color:#666;font-size:90%">Sent by msft-openai-monitor$run.</p>
</body></html>
""")
HTML_SECTION = Template("""\
<h2 style="font-size:110%">$name</h2>
<ul>
$alerts
</ul>
""")


def counts(views: list[AlertView]) -> str:
    """ "3 changes, 1 feed alert" """
    words = {"change": ("change", "changes"), "feed": ("feed alert", "feed alerts"), "other": ("alert", "alerts")}
    parts = []
    for group, (one, many) in words.items():
        number = sum(view.group == group for view in views)
        if number:
            parts.append(f"{number} {one if number == 1 else many}")
    return ", ".join(parts) or "no alerts"


def text_message(views: list[AlertView], *, run_id: int | None) -> str:
    sections = []
    for group, name in SECTIONS:
        alerts = [text_alert(view) for view in views if view.group == group]
        if alerts:
            sections.append(TEXT_SECTION.substitute(name=name, underline="-" * len(name), alerts="\n".join(alerts)))
    return TEXT_MESSAGE.substitute(heading=counts(views), sections="\n".join(sections), run=_run(run_id))


def html_message(views: list[AlertView], *, run_id: int | None) -> str:
    sections = []
    for group, name in SECTIONS:
        alerts = [html_alert(view) for view in views if view.group == group]
        if alerts:
            sections.append(fill_html(HTML_SECTION, name=name, alerts=join_html(alerts)))
    return fill_html(HTML_MESSAGE, heading=counts(views), sections=join_html(sections), run=_run(run_id))


def _run(run_id: int | None) -> str:
    return f", run {run_id}" if run_id is not None else ""
