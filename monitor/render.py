# SPDX-License-Identifier: MIT
"""Readable terminal output (rich) for `check`, `check --explain` and `baseline`.

Every value that comes from a document is printed as text, never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.errors import error_line
from monitor.judging.summary import describe_values, facet_label, plural
from monitor.urls import redact_url

if TYPE_CHECKING:  # types only: `monitor changes` need not import the reading stack
    from monitor.judging.check import CheckResult
    from monitor.judging.diff import Known, KnownState
    from monitor.judging.state import Standing
    from storage import Feed, StoredSignal
    from storage.leases import DaemonRow
    from storage.outbox import OutboxRow

T = TypeVar("T")


def check_result(console: Console, result: CheckResult) -> None:
    console.print(f"{escape(redact_url(result.source))} — published {result.published}, language {result.lang}")
    for signal in result.signals:
        console.print(f"Signal (no rule read it): “{escape(signal.sentence)}”")
    if not result.readings:
        console.print("No claim about the Microsoft-OpenAI compute relationship.")
        return
    changes = Table(title="Changes against the seed baseline", show_lines=False)
    for column in ("kind", "severity", "summary"):
        changes.add_column(column)
    for change in result.changes:
        changes.add_row(change.kind, change.severity, escape(change.summary))
    if result.changes:
        console.print(changes)
    else:
        console.print("No change against the seed baseline.")
    claims = Table(title="Claims", show_lines=True)
    for column in ("facet", "key", "status", "values", "verdict", "evidence"):
        claims.add_column(column, overflow="fold")
    for reading in result.readings:
        claim = reading.claim
        status = claim.status + (" (hedged)" if claim.hedged else "")
        claims.add_row(
            claim.facet,
            claim.key,
            status,
            escape(describe_values(claim.values)),
            reading.verdict.kind,
            escape(claim.evidence),
        )
    console.print(claims)


def explain(console: Console, result: CheckResult) -> None:
    """Per sentence that touched a rule: the rule, the trigger, cues, values and the verdict."""
    last_sentence = None
    for trace in result.trace:
        if trace.sentence != last_sentence:
            console.print(f"\n[bold]»[/bold] {escape(trace.sentence)}")
            last_sentence = trace.sentence
        details = ", ".join(f"{k}={v}" for k, v in trace.details.items() if v not in (None, [], {}, ""))
        where = f"{trace.facet} ({trace.file}) trigger {escape(repr(trace.trigger))}" if trace.trigger else trace.facet
        console.print(f"   {where}: {escape(trace.verdict)}" + (f" — {escape(details)}" if details else ""))
    console.print("\n[bold]Verdicts[/bold] (one reading per facet and key):")
    kept = {(r.claim.facet, r.claim.key): r for r in result.readings}
    for reading in result.readings:
        why = "; ".join(reading.verdict.reasons)
        console.print(
            f"   {reading.claim.facet}/{reading.claim.key}: {reading.verdict.kind}"
            + (f" — {escape(why)}" if why else "")
        )
    for reading in result.passed_over:
        claim, winner = reading.claim, kept[(reading.claim.facet, reading.claim.key)]
        console.print(
            f"   {claim.facet}/{claim.key}: dropped at the diff ({claim.status}, {reading.verdict.kind}, "
            f"from {escape(repr(_clip(claim.evidence)))}) — one reading per facet and key, and the one kept "
            f"({winner.verdict.kind}, from {escape(repr(_clip(winner.claim.evidence)))}) says more"
        )
    console.print()


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def baseline(console: Console, state: KnownState) -> None:
    table = Table(title=f"Baseline (seeds up to {state.date})", show_lines=True)
    for column in ("facet", "key", "status", "values", "seed", "sentence"):
        table.add_column(column, overflow="fold")
    for known in sorted(state.known.values(), key=lambda k: (k.claim.facet, k.claim.key)):
        claim, cited = known.claim, known.citations[-1]
        table.add_row(
            claim.facet,
            claim.key,
            claim.status,
            escape(describe_values(claim.values)),
            cited.source,
            escape(cited.evidence),
        )
    console.print(table)


def known_json(known: Known) -> dict[str, Any]:
    """A baseline claim with its label and every seed sentence it was read from."""
    claim = known.claim
    return {
        **claim.to_json(),
        "label": facet_label(claim.facet, claim.key),
        "citations": [{"seed": c.source, "sentence": c.evidence, "when": c.when} for c in known.citations],
    }


def with_progress(console: Console, work: Callable[[Callable[[str], None]], T]) -> T:
    """Run `work(progress)`, showing each stage on a live status line when the console is a terminal."""
    if not console.is_terminal:
        return work(lambda stage: None)
    with console.status("starting") as status:
        return work(lambda stage: status.update(escape(stage)))


def signals_text(signals: list[StoredSignal]) -> str:
    """Signals as plain lines, a block each: when, status and the sentence, then sources and id."""
    if not signals:
        return "No signal found.\n"
    blocks = []
    for signal in signals:
        label = signal.label or {}
        labelled = "/".join(label[k] for k in ("facet", "key", "kind") if label.get(k))
        triage = f" · {signal.status}" + (f" as {labelled}" if labelled else "") if signal.status != "open" else ""
        note = f": {label['note']}" if label.get("note") else ""
        lines = [f"{signal.happened_at}  signal   low      “{' '.join(signal.sentence.split())}”"]
        lines += [f"    {redact_url(source.get('url') or '')}" for source in signal.sources if source.get("url")]
        lines.append(f"    id {signal.id} · first seen {signal.first_seen}{triage}{note}")
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


def standing_text(rows: list[Standing], *, as_of: str | None) -> str:
    """Where the relationship stands, a block per facet and key."""
    head = f"As of {as_of}" if as_of else "Now"
    blocks = [f"{head}: {len(rows)} facets and keys known"]
    for row in rows:
        values = f" ({row.described})" if row.described else ""
        reported = " (reported)" if row.hedged else ""
        origin = f"{row.last_change['kind']} change {row.last_change['id']}" if row.last_change else "baseline"
        blocks.append(
            f"{row.label}: {row.status}{values}{reported}\n"
            f"    since {row.since or '?'} · {plural(row.sources, 'source')} · {origin}\n"
            f"    “{' '.join(row.evidence.split())}” — {redact_url(row.source)}"
        )
    return "\n".join(blocks) + "\n"


def outbox_json(row: OutboxRow) -> dict[str, Any]:
    shown = {"feed_url": redact_url(row.feed_url) if row.feed_url else None,
             "last_error": error_line(row.last_error) if row.last_error else None}  # fmt: skip
    return {k: v for k, v in row.__dict__.items() if k != "payload"} | shown | {"payload": row.payload}


def feed_json(feed: Feed) -> dict[str, Any]:
    """A watched feed as `feeds list --json` shows it: its URL and last error without credentials."""
    return feed.__dict__ | {"url": redact_url(feed.url),
                            "last_error": error_line(feed.last_error) if feed.last_error else None}  # fmt: skip


def daemon_json(row: DaemonRow, leased: list[Feed]) -> dict[str, Any]:
    """A daemon as `daemons --json` shows it, with the URLs of the feeds it holds a lease on."""
    return row.__dict__ | {"feeds": [redact_url(feed.url) for feed in leased]}


def daemons(console: Console, rows: list[DaemonRow], holders: dict[str, list[Feed]], *, lease_s: float) -> None:
    """The daemons and their leases; one that has not said it is alive for a lease period is marked silent."""
    if not rows and not holders:
        console.print("No daemon has run on this database.")
        return
    silent_before = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=lease_s)).isoformat()
    table = Table(title="Daemons")
    for column in ("id", "started", "last seen", "listen", "leases", "feeds leased"):
        table.add_column(column, overflow="fold")
    known = {row.id for row in rows}
    for row in rows:
        leased = holders.get(row.id, [])
        seen = row.last_seen + (" (silent)" if row.last_seen < silent_before else "")
        table.add_row(escape(row.id), row.started_at, seen, escape(row.listen or ""), str(len(leased)),
                      escape(_some(leased)))  # fmt: skip
    for owner, leased in holders.items():
        if owner not in known:  # a `run --once`, or a daemon stopped without retiring
            table.add_row(escape(owner), "", "", "", str(len(leased)), escape(_some(leased)))
    console.print(table)


def _some(feeds: list[Feed], shown: int = 3) -> str:
    urls = [redact_url(feed.url) for feed in feeds[:shown]]
    return ", ".join(urls) + (f" and {len(feeds) - shown} more" if len(feeds) > shown else "")


def outbox(console: Console, rows: list[OutboxRow], counts: dict[str, int]) -> None:
    console.print(", ".join(f"{n} {status}" for status, n in counts.items()))
    if not rows:
        return
    table = Table(title="Alerts", show_lines=True)
    for column in ("created", "event", "channel", "status", "attempts", "next attempt", "last error", "about"):
        table.add_column(column, overflow="fold")
    for row in rows:
        about = row.payload.get("change", {}).get("summary") or redact_url(row.feed_url or "")
        table.add_row(row.created_at, row.event, escape(row.channel), row.status, str(row.attempts),
                      row.next_attempt_at if row.status == "pending" else "", escape(error_line(row.last_error or "")),
                      escape(about))  # fmt: skip
    console.print(table)


def feeds(console: Console, watched: list[Feed]) -> None:
    if not watched:
        console.print("No feed watched: `monitor feeds add URL`.")
        return
    table = Table(title="Watched feeds")
    for column in ("url", "title", "last poll", "status", "errors", "last error"):
        table.add_column(column, overflow="fold")
    for feed in watched:
        table.add_row(
            escape(redact_url(feed.url)), escape(feed.title or ""), feed.last_polled or "never",
            str(feed.last_status or ""), str(feed.consecutive_errors or ""), escape(error_line(feed.last_error or "")),
        )  # fmt: skip
    console.print(table)
