# SPDX-License-Identifier: MIT
"""Step 4 of the engine (see `rules.engine`): what the lexicons find in one sentence.

Entities and triggers are found for every sentence; cues, values and clauses
only when some rule asks, which is rarely: a page is mostly sentences that no
rule triggers on, and they cost one tokenisation and a few dictionary look-ups.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from rules.loader import Label, RuleSet
from rules.phrases import Hit, Tokens, in_text_order
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
        secondary = resolve_overlaps(self.rules.cue_lexicon.find(self.tokens) + self._conditionals())
        return in_text_order(self.primary + secondary)

    def _conditionals(self) -> list[Hit[Label]]:
        """A French conditional reports what is said (« OpenAI dépasserait 20 milliards »): a hedge."""
        words = self.rules.conditionals.intersection(self.tokens.words)
        return [
            Hit(label, start, end, word)
            for word in words
            for start, end in self.tokens.occurrences(word)
            for label in _CONDITIONAL
        ]

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
        return clause_spans(self.folded, [(h.start, h.end) for h in self.primary if h.label[0] == "entity"])

    @cached_property
    def values(self) -> list[Value]:
        return find_values(self.sentence.text, lang=self.lang, published=self.published)

    @cached_property
    def _clause_starts(self) -> list[int]:
        return [start for start, _ in self.clauses]

    @cached_property
    def _hit_starts(self) -> list[int]:
        return [h.start for h in self.hits]

    @cached_property
    def _value_starts(self) -> list[int]:
        return [v.start for v in self.values]

    def clause_of(self, position: int) -> tuple[int, int]:
        # Clauses are in order and never overlap: the last one starting at or before `position`.
        index = bisect_right(self._clause_starts, position) - 1
        if index >= 0 and position < self.clauses[index][1]:
            return self.clauses[index]
        return 0, len(self.folded)

    def hits_in(self, start: int, end: int) -> list[Hit[Label]]:
        """The hits starting in [start, end), in text order (a slice: a sentence has many clauses)."""
        starts = self._hit_starts
        return self.hits[bisect_left(starts, start) : bisect_left(starts, end)]

    def values_in(self, start: int, end: int) -> list[Value]:
        """The values starting in [start, end), in text order."""
        starts = self._value_starts
        return self.values[bisect_left(starts, start) : bisect_left(starts, end)]

    def cues(self, facet: str) -> list[Hit[Label]]:
        """Cue hits that apply to `facet`: the shared ones and the facet's own."""
        return self.memo(
            ("cues", facet), lambda: [h for h in self.hits if h.label[0] == "cue" and h.label[2] in ("", facet)]
        )

    def has_cue(self, cue_class: str) -> bool:
        return cue_class in self._cue_classes

    @cached_property
    def _cue_classes(self) -> frozenset[str]:
        """The cue classes the sentence holds: asked for each trigger of the next sentence."""
        return frozenset(h.label[1] for h in self.hits if h.label[0] == "cue")

    def speaks_of_now(self, start: int = 0, end: int | None = None) -> bool:
        """Does the span report the present ("today", "on Tuesday", « désormais »)?

        A marker right after a past date belongs to it: "seven years ago this week" is an
        anniversary, not today's news.
        """
        end = len(self.folded) if end is None else end
        markers = self._present_markers
        return bisect_left(markers, start) < bisect_left(markers, end)

    @cached_property
    def _present_markers(self) -> list[int]:
        """Where the sentence's markers of the present start, but for those right after a date, sorted."""
        markers = [h.start for h in self.hits if h.label[:2] == ("cue", "now")]
        markers += [v.start for v in self.values if v.kind == "now"]
        # a date ends before the marker it owns, so it is always inside the span that holds the marker
        date_ends = {v.end for v in self.values if v.kind in ("date", "since")}
        return sorted(m for m in markers if not any(m - gap in date_ends for gap in range(3)))


_CONDITIONAL: tuple[Label, ...] = (("cue", "hedge", ""), ("cue", "conditional", ""))


def resolve_overlaps(hits: list[Hit[Label]]) -> list[Hit[Label]]:
    """Among overlapping cues the longest wins ("no longer" is not a bare "no"), a facet's own
    cue before a shared one of the same length; the same span may carry two meanings ("in talks":
    planned and hedged). Other hits stay."""
    cues = sorted((h for h in hits if h.label[0] == "cue"), key=lambda h: (h.start - h.end, h.label[2] == "", h.start))
    kept: list[Hit[Label]] = []
    # The kept spans never overlap (a span kept twice is one span), so the one starting last before
    # a hit ends is the only one that may overlap it: a bisection, not a pass over every kept cue.
    spans: list[tuple[int, int]] = []
    for hit in cues:
        span = (hit.start, hit.end)
        at = bisect_left(spans, span)
        if at < len(spans) and spans[at] == span:
            kept.append(hit)
            continue
        before = bisect_left(spans, (hit.end,)) - 1  # the last kept span starting before hit.end
        if before >= 0 and spans[before][1] > hit.start:
            continue
        insort(spans, span)
        kept.append(hit)
    return [h for h in hits if h.label[0] != "cue"] + kept
