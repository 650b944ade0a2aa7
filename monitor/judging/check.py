# SPDX-License-Identifier: MIT
"""`monitor check`: one document against the seed baseline alone; nothing is written.

>>> result = check_document(read_source("article.html"), engine=Engine.load())
>>> [c.kind for c in result.changes]
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from monitor.judging.baseline import build_baseline
from monitor.judging.diff import Change, KnownState, Reading, changes_of, classify, read_against
from monitor.judging.signals import Candidate, SignalDetector, new_signals
from monitor.reading.source import Document
from monitor.urls import redact_url
from rules.engine import Engine
from rules.explain import Trace


@dataclass
class CheckResult:
    source: str
    published: str | None
    lang: str
    readings: list[Reading]
    changes: list[Change]
    trace: list[Trace] = field(default_factory=list)
    passed_over: list[Reading] = field(default_factory=list)  # claims another of their facet and key outranked
    signals: list[Candidate] = field(default_factory=list)  # sentences of change no rule read, new against the seeds

    def to_json(self) -> dict[str, Any]:
        """The shape of CONTRACT.md's `check --json`, and the signals found (a field of ours)."""
        return {
            "source": redact_url(self.source),
            "published": self.published,
            "lang": self.lang,
            "claims": [r.claim.to_json() for r in self.readings],
            "changes": [c.to_json() for c in self.changes],
            "signals": [
                {
                    "id": c.id,
                    "sentence": c.sentence,
                    "parties": list(c.parties),
                    "terms": list(c.terms),
                    "verbs": list(c.verbs),
                }
                for c in self.signals
            ],  # fmt: skip
        }


def check_document(
    document: Document,
    *,
    engine: Engine,
    state: KnownState | None = None,
    published: str | None = None,
    explain: bool = False,
) -> CheckResult:
    """Claims and changes of `document` against `state` (default: the seed baseline).

    The publication date is, in order: `published`, the page's own date, today.
    """
    date = published or document.published or dt.date.today().isoformat()
    state = state if state is not None else build_baseline(engine)
    extraction = engine.extract(
        document.text, title=document.title, published=date, source=document.url or document.source, explain=explain
    )
    readings = read_against(extraction.claims, state)
    chosen = {id(r.claim) for r in readings}
    passed_over = [Reading(c, classify(c, state)) for c in extraction.claims if id(c) not in chosen] if explain else []
    signals = new_signals(SignalDetector(engine.rules), document.text, title=document.title, claims=extraction.claims)
    return CheckResult(
        document.source, date, extraction.lang, readings, changes_of(readings), extraction.trace, passed_over, signals
    )
