# SPDX-License-Identifier: MIT
"""What an alert says, independent of the channel: a view, then text or HTML.

`view_of(alert)` reads the payload through a registry keyed by event type
(`VIEWS`) and returns an `AlertView`; e-mail renders views as text and HTML,
Apprise as a title and a text body. Every value in the HTML comes from an
article or a feed and is escaped: the HTML is the template
`monitor/templates/email.html`, autoescaped, and only http(s) links become
anchors. Payloads are read defensively: a missing or odd field renders as
blank, never as an exception.

    view = view_of(alert)
    print(view.title, view.transition)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from string import Template
from typing import Any

from monitor.delivering.channels.base import Alert, one_line
from monitor.delivering.channels.chart import COLOURS, Point, point_of, table_chart
from monitor.judging.summary import describe_values
from monitor.templating import render
from monitor.urls import redact_url


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    note: str = ""  # e.g. the publication date


@dataclass(frozen=True)
class AlertView:
    """An alert as people read it."""

    group: str  # "change", "signal", "feed" or "other": how e-mail sections and counts the alert
    title: str  # one line: the change's summary, or "Feed failing: <url>"
    transition: str = ""  # "new (high): unknown → provider (AWS)"
    evidence: str = ""  # the sentence the change was read from
    links: tuple[Link, ...] = ()
    details: tuple[str, ...] = ()  # further "name: value" lines
    level: str = "info"  # Apprise's notify type: info, success, warning, failure
    point: Point | None = None  # where a change sits on the e-mail's timeline chart


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
        point=point_of(change),
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


def _signal_view(payload: dict[str, Any]) -> AlertView:
    signal = _mapping(payload.get("signal"))
    sentence = one_line(_text(signal.get("sentence")), limit=2000)
    return AlertView(
        group="signal",
        title=one_line(f"Signal: {sentence}", limit=160),
        transition="low: a sentence of change no rule read, for triage",
        evidence=sentence,
        links=tuple(_source_link(source) for source in _sequence(signal.get("sources"))),
        details=tuple(f"{name}: {_text(signal.get(name))}" for name in ("id",) if signal.get(name)),
    )


def _other_view(payload: dict[str, Any]) -> AlertView:
    # An event this version does not know: still deliver what it says.
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    return AlertView(group="other", title=one_line(f"Alert: {_text(payload.get('type'))}"), details=(body,))


VIEWS: dict[str, Callable[[dict[str, Any]], AlertView]] = {
    "change.flagged": _change_view,
    "signal.flagged": _signal_view,
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
        lines.append("Sources:" if view.group in ("change", "signal") else "Link:")
        lines += [f"- {_link_text(link)}" for link in view.links]
    lines += list(view.details)
    return "\n".join(indent + line for line in lines)


def text_alert(view: AlertView) -> str:
    return TEXT_ALERT.substitute(title=view.title, lines=text_body(view))


def _link_text(link: Link) -> str:
    note = f" ({link.note})" if link.note else ""
    return f"{link.label}{note}" if link.label == link.url else f"{link.label}{note}: {link.url}"


# -- HTML ---------------------------------------------------------------------------------------------------------


def html_alert(view: AlertView) -> str:
    """One alert as an HTML list item (monitor/templates/email.html), every value escaped."""
    return render("email.html", single=view)


# -- one e-mail for a cycle ---------------------------------------------------------------------------------------

SECTIONS = (("change", "Changes flagged"), ("signal", "Signals (no rule read these)"), ("feed", "Feed health"),
            ("other", "Other alerts"))  # fmt: skip

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


def counts(views: list[AlertView]) -> str:
    """ "3 changes, 1 feed alert" """
    words = {"change": ("change", "changes"), "signal": ("signal", "signals"), "feed": ("feed alert", "feed alerts"),
             "other": ("alert", "alerts")}  # fmt: skip
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
    sections = [(name, [v for v in views if v.group == group]) for group, name in SECTIONS]
    chart = table_chart([v.point for v in views if v.point is not None])
    return render("email.html", heading=counts(views), sections=[s for s in sections if s[1]], run=_run(run_id),
                  chart=chart, colours=COLOURS)  # fmt: skip


def _run(run_id: int | None) -> str:
    return f", run {run_id}" if run_id is not None else ""
