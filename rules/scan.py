# SPDX-License-Identifier: MIT
"""Step 4 of the engine (see `rules.engine`): what the lexicons find in one sentence.

Entities and triggers are found for every sentence; cues, values and clauses
only when some rule asks, which is rarely: a page is mostly sentences that no
rule triggers on, and they cost one tokenisation and a few dictionary look-ups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from rules.loader import Label, RuleSet
from rules.phrases import Hit, Tokens
from rules.text import Sentence, clause_spans
from rules.values import Value, find_values

T = TypeVar("T")


@dataclass
class ScannedSentence:
    """A sentence, its entities and triggers; cues, values and clauses are read on demand."""

    sentence: Sentence
    folded: str
    tokens: Tokens
    primary: list[Hit[Label]]  # entities and triggers
    rules: RuleSet
    lang: str
    published: dt.date | None
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per sentence and `key`: what several rules or triggers ask of one clause."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    @classmethod
    def scan(
        cls, sentence: Sentence, folded: str, rules: RuleSet, lang: str, published: dt.date | None
    ) -> ScannedSentence:
        tokens = Tokens(folded)
        return cls(sentence, folded, tokens, rules.lexicon.find(tokens), rules, lang, published)

    @cached_property
    def hits(self) -> list[Hit[Label]]:
        """Every hit: entities, triggers, and the cues, `also` and `exclude` phrases (overlaps resolved)."""
        secondary = resolve_overlaps(self.rules.cue_lexicon.find(self.tokens))
        return sorted(self.primary + secondary, key=lambda h: (h.start, -h.end))

    @cached_property
    def triggered(self) -> dict[str, list[Hit[Label]]]:
        """The facets whose triggers hit, with their hits in text order."""
        out: dict[str, list[Hit[Label]]] = {}
        for hit in self.primary:
            if hit.label[0] == "trigger":
                out.setdefault(hit.label[1], []).append(hit)
        return out

    @cached_property
    def entities(self) -> set[str]:
        return {hit.label[1] for hit in self.primary if hit.label[0] == "entity"}

    @cached_property
    def clauses(self) -> list[tuple[int, int]]:
        return clause_spans(self.folded)

    @cached_property
    def values(self) -> list[Value]:
        return find_values(self.sentence.text, lang=self.lang, published=self.published)

    def clause_of(self, position: int) -> tuple[int, int]:
        for start, end in self.clauses:
            if start <= position < end:
                return start, end
        return 0, len(self.folded)

    def cues(self, facet: str) -> list[Hit[Label]]:
        """Cue hits that apply to `facet`: the shared ones and the facet's own."""
        return self.memo(
            ("cues", facet), lambda: [h for h in self.hits if h.label[0] == "cue" and h.label[2] in ("", facet)]
        )

    def has_cue(self, cue_class: str) -> bool:
        return any(h.label[0] == "cue" and h.label[1] == cue_class for h in self.hits)

    def speaks_of_now(self, start: int = 0, end: int | None = None) -> bool:
        """Does the span report the present ("today", "on Tuesday", « désormais »)?

        A marker right after a past date belongs to it: "seven years ago this week" is an
        anniversary, not today's news.
        """
        end = len(self.folded) if end is None else end
        markers = [(h.start, h.end) for h in self.hits if h.label[:2] == ("cue", "now") and start <= h.start < end]
        markers += [(v.start, v.end) for v in self.values if v.kind == "now" and start <= v.start < end]
        dates = [v.end for v in self.values if v.kind in ("date", "since") and v.end <= end]
        return any(not any(0 <= m_start - d_end <= 2 for d_end in dates) for m_start, _ in markers)


def resolve_overlaps(hits: list[Hit[Label]]) -> list[Hit[Label]]:
    """Among overlapping cues the longest wins ("no longer" is not a bare "no"), a facet's own
    cue before a shared one of the same length; the same span may carry two meanings ("in talks":
    planned and hedged). Other hits stay."""
    cues = sorted((h for h in hits if h.label[0] == "cue"), key=lambda h: (h.start - h.end, h.label[2] == "", h.start))
    kept: list[Hit[Label]] = []
    for hit in cues:
        if all(hit.end <= k.start or hit.start >= k.end or (hit.start, hit.end) == (k.start, k.end) for k in kept):
            kept.append(hit)
    return [h for h in hits if h.label[0] != "cue"] + kept
