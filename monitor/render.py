# SPDX-License-Identifier: MIT
"""Readable terminal output (rich) for `check`, `check --explain` and `baseline`.

Every value that comes from a document is printed as text, never as markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from monitor.check import CheckResult
from monitor.diff import Known, KnownState
from monitor.summary import describe_values, facet_label


def check_result(console: Console, result: CheckResult) -> None:
    console.print(f"{escape(result.source)} — published {result.published}, language {result.lang}")
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
        console.print(
            f"   {trace.facet} ({trace.file}) trigger {escape(repr(trace.trigger))}: "
            f"{escape(trace.verdict)}" + (f" — {escape(details)}" if details else "")
        )
    console.print("\n[bold]Verdicts[/bold] (one reading per facet and key):")
    for reading in result.readings:
        why = "; ".join(reading.verdict.reasons)
        console.print(
            f"   {reading.claim.facet}/{reading.claim.key}: {reading.verdict.kind}"
            + (f" — {escape(why)}" if why else "")
        )
    console.print()


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
