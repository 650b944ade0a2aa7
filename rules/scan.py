# SPDX-License-Identifier: MIT
"""Step 4 of the engine (see `rules.engine`): what the lexicons find in one sentence.

Entities and triggers are found for every sentence; cues, values and clauses
only when some rule asks, which is rarely: a page is mostly sentences that no
rule triggers on, and they cost one tokenisation and a few dictionary look-ups.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

from rules.loader import Label, RuleSet
from rules.phrases import Hit, Tokens, in_text_order
from rules.text import CONTRASTS, RELATIVE_START, SUPPOSITIONS, Sentence, attributions, clause_spans
from rules.values import Value, find_values

T = TypeVar("T")


class _cached(Generic[T]):  # noqa: N801 - a decorator, named as `functools.cached_property` is
    """`functools.cached_property` without its lock: computed on first read and kept in the instance's
    `__dict__`, where later reads find it first (a descriptor without `__set__`). Python 3.11's takes
    an RLock at every first read, and every sentence of a page is asked for its triggers and entities
    once: the lock cost more than building them (Python 3.12 dropped it for that reason)."""

    def __init__(self, compute: Callable[[Any], T]) -> None:
        self._compute = compute
        self._name = compute.__name__
        self.__doc__ = compute.__doc__

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _cached[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | _cached[T]:
        if instance is None:
            return self
        value = instance.__dict__[self._name] = self._compute(instance)
        return value


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
    answer_cues: tuple[Hit[Label], ...] = ()  # an answer's opening "No" and what it says, see `answering`
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """`compute()` once per sentence and `key`: what several rules or triggers ask of one clause."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def forget_clauses(self) -> None:
        """Drop what `memo` kept, once the sentence is read: later sentences ask it for its entities,
        triggers, cues and values, never again of its clauses. Kept to the end of a long page, the
        memos of all its sentences (tens of thousands of objects at 200 KB) were walked by every
        run of the garbage collector's oldest generation."""
        self._memo.clear()

    @classmethod
    def scan(
        cls, sentence: Sentence, folded: str, rules: RuleSet, lang: str, published: dt.date | None
    ) -> ScannedSentence:
        tokens = Tokens(folded)
        hits = _appositions_resolved(_without_metaphors(rules.lexicon.find(tokens)), folded)
        scanned = cls(sentence, folded, tokens, hits, rules, lang, published)
        # before anything reads `primary`; the role words scanned here are the ones clauses ask for later
        scanned.primary = _without_employers(hits, folded, lambda: scanned.roles("staff"))
        if '"' in folded:  # the entities the clauses are cut by are kept: only triggers go
            scanned.primary = _without_attributed(scanned.primary, attributions(folded, scanned.clauses))
        return scanned

    def answering(self, question: ScannedSentence, *, asks_still: bool = False) -> ScannedSentence | None:
        """This sentence, which names no facet, read as the answer to `question`; None when it
        says nothing of a status.

        The question's triggers (its first of each facet) are placed on the answer's first word,
        so that the answer's cues find them nearest. A bare "No" / « Non » to a question of
        whether something still holds ("still", « toujours », « conserve-t-il ») is an ending; an
        answer that only gives a figure the question's facets take ("Roughly 27%") says it.
        `asks_still`: the question that follows its prompt asks it ("Is that still going on?").
        """
        says_status = not _STATUS_CUES.isdisjoint(self._cue_classes)
        answer = _ANSWER.match(self.folded)
        if answer is None:  # the pattern matches any text (every part is optional): never so
            return None
        denies_still = bool(answer.group(1)) and (asks_still or question.has_cue("continuing"))
        start, end = answer.span(1) if answer.group(1) else (answer.end(), answer.end() + 1)
        if end > len(self.folded) or not (says_status or denies_still or self._gives_value(question)):
            return None
        # The reply's "No" answers the question; it negates nothing in the answer's clause.
        said = ("ended" if denies_still and not says_status else "answer") if answer.group(1) else ""
        cues: tuple[Hit[Label], ...] = (Hit(("cue", said, ""), start, end, answer.group(1)),) if said else ()
        return self._carrying(list(question.triggered), question, start, end, "the question", cues, keys=True)

    def listing(self, heading: ScannedSentence, start: int) -> ScannedSentence | None:
        """This list item, which names no facet, read under its heading ("Les engagements
        d'OpenAI :" above "- Microsoft — 250 milliards de services Azure"): the heading's triggers
        placed on the item's first word (at `start`, after its bullet), when the item gives a figure
        of a kind they take."""
        if not self._gives_value(heading) or start >= len(self.folded):
            return None
        return self._carrying(list(heading.triggered), heading, start, start + 1, "the list's heading")

    def _gives_value(self, question: ScannedSentence) -> bool:
        """Does this answer give a figure of a kind the question's facets take ("Q: How big is your
        stake now? A: Roughly 27%.")?"""
        kinds = {kind for facet in question.triggered for kind in self.rules.facets[facet].values}
        return any(v.kind in kinds for v in self.values)

    def referring(self, earlier: ScannedSentence, facets: list[str]) -> ScannedSentence | None:
        """This sentence with `facets` of `earlier` carried onto its demonstrative ("this right",
        « ce droit », "that clause"), or None when it has none.

        « En janvier, l'exclusivité a cédé la place à un droit de préemption. Mardi, ce droit a
        lui aussi disparu. »: the right that disappeared is the right of first refusal.
        """
        found = _DEMONSTRATIVE.search(self.folded)
        if found is None:
            return None
        noun = 1 if found.group(1) else 2
        return self._carrying(facets, earlier, found.start(noun), found.end(noun), "an earlier sentence")

    def pointing_back(self, earlier: ScannedSentence, rights: list[str]) -> ScannedSentence | None:
        """This sentence with a right it names after a demonstrative ("That exclusivity stays", « cette
        exclusivité demeure ») taken for the right `earlier` names last, when `earlier` does not name it.

        "Q: Is Azure still the only cloud running OpenAI's API? A: Yes. That exclusivity stays in
        place.": the exclusivity is the API's, not the cloud's. None when nothing points back.
        """
        for facet, hits in self.triggered.items():
            if facet in earlier.triggered or facet not in rights:
                continue
            hit = hits[0]
            if len(hits) == 1 and _POINTING.search(self.folded, max(0, hit.start - 8), hit.start):
                others = [(h[-1].start, f) for f, h in earlier.triggered.items() if f in rights]
                if others:
                    dropping = frozenset({facet})
                    return self._carrying(
                        [max(others)[1]], earlier, hit.start, hit.end, "an earlier sentence", dropping=dropping
                    )
        return None

    def _carrying(
        self,
        facets: list[str],
        source: ScannedSentence,
        start: int,
        end: int,
        where: str,
        cues: tuple[Hit[Label], ...] = (),
        *,
        keys: bool = False,
        dropping: frozenset[str] = frozenset(),
    ) -> ScannedSentence:
        """A copy with the first trigger of each of `source`'s `facets` placed on [start, end), and
        with `keys`, the parties `source` names that could key them ("Q: Are you still using
        Google's TPUs? A: We wound that down": Google's deal)."""
        carried = [
            Hit(hits[0].label, start, end, f"{hits[0].phrase} (from {where})")
            for facet, hits in source.triggered.items()
            if facet in facets
        ]
        if keys:
            classes = {self.rules.facets[f].key_class for f in facets if f in source.triggered} - {""}
            named = {h.label[1] for h in self.primary if h.label[0] == "entity"}
            carried += [
                Hit(h.label, start, end, f"{h.phrase} (from {where})")
                for h in source.primary
                if h.label[0] == "entity"
                and h.label[1] not in named
                and classes & self.rules.entities[h.label[1]].classes
            ]
        own = [h for h in self.primary if not (h.label[0] == "trigger" and h.label[1] in dropping)]
        primary = in_text_order(own + carried)
        return ScannedSentence(
            self.sentence, self.folded, self.tokens, primary, self.rules, self.lang, self.published, cues
        )

    @_cached
    def hits(self) -> list[Hit[Label]]:
        """Every hit: entities, triggers, and the cues, `also` and `exclude` phrases (overlaps resolved)."""
        secondary = resolve_overlaps(self.rules.cue_lexicon.find(self.tokens) + self._conditionals())
        for said in self.answer_cues:  # "No" answering "still?" is an ending, not a negation
            secondary = [h for h in secondary if h.end <= said.start or h.start >= said.end]
            secondary += [said] if said.label[1] != "answer" else []
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

    @_cached
    def triggered(self) -> dict[str, list[Hit[Label]]]:
        """The facets whose triggers hit, with their hits in text order."""
        out: dict[str, list[Hit[Label]]] = {}
        for hit in self.primary:
            if hit.label[0] == "trigger":
                out.setdefault(hit.label[1], []).append(hit)
        return out

    @_cached
    def entities(self) -> set[str]:
        return {hit.label[1] for hit in self.primary if hit.label[0] == "entity"}

    @_cached
    def clauses(self) -> list[tuple[int, int]]:
        return clause_spans(self.folded, [(h.start, h.end) for h in self.primary if h.label[0] == "entity"])

    @_cached
    def values(self) -> list[Value]:
        return find_values(self.sentence.text, lang=self.lang, published=self.published)

    @_cached
    def _clause_starts(self) -> list[int]:
        return [start for start, _ in self.clauses]

    @_cached
    def _hit_starts(self) -> list[int]:
        return [h.start for h in self.hits]

    @_cached
    def _value_starts(self) -> list[int]:
        return [v.start for v in self.values]

    def clause_of(self, position: int) -> tuple[int, int]:
        # Clauses are in order and never overlap: the last one starting at or before `position`.
        index = bisect_right(self._clause_starts, position) - 1
        if index >= 0 and position < self.clauses[index][1]:
            return self._asides[0].get(index, self.clauses[index])
        return 0, len(self.folded)

    @_cached
    def _asides(self) -> tuple[dict[int, tuple[int, int]], dict[tuple[int, int], tuple[int, int]]]:
        """Main clauses a relative or a parenthesis interrupts, read as one.

        "CoreWeave, which listed in March, will supply OpenAI": the head ("CoreWeave") and what
        follows the relative (or a parenthesis: "CoreWeave (CRWV) expanded…") are one proposition;
        the relative is read on its own, and its hits and values are left out of the joined clause.
        Returns clause index -> joined span, and joined span -> the aside it leaves out.
        """
        joined: dict[int, tuple[int, int]] = {}
        left_out: dict[tuple[int, int], tuple[int, int]] = {}
        spans = self.clauses
        for i in range(1, len(spans) - 1):
            if i - 1 in joined:
                continue
            last = self._aside_end(i)
            if last is not None:
                span = (spans[i - 1][0], spans[last + 1][1])
                joined[i - 1] = joined[last + 1] = span
                left_out[span] = (spans[i][0], spans[last][1])
        return joined, left_out

    def _aside_end(self, i: int) -> int | None:
        """The last clause of the relative or parenthesis that clause `i` opens inside a main clause."""
        spans, text = self.clauses, self.folded
        head_end, (start, end) = spans[i - 1][1], spans[i]
        if (
            text.startswith(",", head_end)
            and RELATIVE_START.match(text, start)
            and spans[i + 1][0] == end + 2
            and text.startswith(",", end)
            and not _SUBORDINATE.match(text, spans[i + 1][0])
        ):
            return i
        if not _OPENS.fullmatch(text, head_end, start):
            return None
        # "CoreWeave (Nasdaq: CRWV) expanded…": the parenthesis may hold clauses of its own
        for j in range(i, len(spans) - 1):
            between = text[spans[j][1] : spans[j + 1][0]]
            if "(" in between:
                return None
            if _CLOSES.fullmatch(between):
                return j
        return None

    def left_out(self, start: int, end: int) -> tuple[int, int] | None:
        """The relative a joined clause [start, end) leaves out, if it is one."""
        return self._asides[1].get((start, end))

    def _outside_hole(self, start: int, end: int, positions: list[int]) -> tuple[int, int, int, int]:
        """Slice bounds of [start, end) in `positions`, without a joined clause's relative."""
        first, last = bisect_left(positions, start), bisect_left(positions, end)
        hole = self.left_out(start, end)
        if hole is None:
            return first, last, last, last
        return first, bisect_left(positions, hole[0]), bisect_left(positions, hole[1]), last

    def hits_in(self, start: int, end: int) -> list[Hit[Label]]:
        """The hits starting in [start, end), in text order (a slice: a sentence has many clauses)."""
        a, b, c, d = self._outside_hole(start, end, self._hit_starts)
        return self.hits[a:b] + self.hits[c:d] if c < d else self.hits[a:b]

    def values_in(self, start: int, end: int) -> list[Value]:
        """The values starting in [start, end), in text order."""
        a, b, c, d = self._outside_hole(start, end, self._value_starts)
        return self.values[a:b] + self.values[c:d] if c < d else self.values[a:b]

    def cues(self, facet: str) -> list[Hit[Label]]:
        """Cue hits that apply to `facet`: the shared ones and the facet's own."""
        return self.memo(
            ("cues", facet), lambda: [h for h in self.hits if h.label[0] == "cue" and h.label[2] in ("", facet)]
        )

    def roles(self, role: str) -> list[Hit[Label]]:
        """The words of `role` (vocab/roles.toml) the sentence holds, in text order."""
        return self._roles.get(role, [])

    @_cached
    def _roles(self) -> dict[str, list[Hit[Label]]]:
        """Scanned when a clause first asks (most sentences never do), grouped by role once."""
        by_role: dict[str, list[Hit[Label]]] = {}
        for hit in self.rules.role_lexicon.find(self.tokens):
            by_role.setdefault(hit.label[1], []).append(hit)
        return by_role

    def has_cue(self, cue_class: str) -> bool:
        return cue_class in self._cue_classes

    @_cached
    def _cue_classes(self) -> frozenset[str]:
        """The cue classes the sentence holds: asked for each trigger of the next sentence."""
        return frozenset({h.label[1] for h in self.hits if h.label[0] == "cue"})

    def speaks_of_now(self, start: int = 0, end: int | None = None) -> bool:
        """Does the span report the present ("today", "on Tuesday", « désormais »)?

        A marker right after a past date belongs to it: "seven years ago this week" is an
        anniversary, not today's news.
        """
        end = len(self.folded) if end is None else end
        markers = self._present_markers
        return bisect_left(markers, start) < bisect_left(markers, end)

    @_cached
    def _present_markers(self) -> list[int]:
        """Where the sentence's markers of the present start, but for those right after a date, sorted."""
        markers = [h.start for h in self.hits if h.label[0] == "cue" and h.label[1] == "now"]
        markers += [v.start for v in self.values if v.kind == "now"]
        # a date ends before the marker it owns, so it is always inside the span that holds the marker
        date_ends = {v.end for v in self.values if v.kind in ("date", "since")}
        return sorted(m for m in markers if not any(m - gap in date_ends for gap in range(3)))


def _without_metaphors(hits: list[Hit[Label]]) -> list[Hit[Label]]:
    """The hits without a party's name used for something else (its entity's `metaphors`: « un
    Stargate alsacien », "Mistral's anti-Stargate", « Ce n'est pas Stargate ») nor those phrases."""
    metaphors = [h for h in hits if h.label[0] == "metaphor"]
    if not metaphors:
        return hits
    return [
        h
        for h in hits
        if h.label[0] != "metaphor"
        and not (
            h.label[0] == "entity"
            and any(m.label[1] == h.label[1] and m.start <= h.start and h.end <= m.end for m in metaphors)
        )
    ]


# Between a company and its person's role: "Crusoe's head", « le porte-parole d'Oracle », « chez »
_EMPLOYER_AFTER = re.compile(r"'s?\s+")
_EMPLOYER_BEFORE = re.compile(r"\s+(?:de\s+|d'\s*|du\s+|chez\s+|at\s+|of\s+)")


def _without_employers(
    hits: list[Hit[Label]], folded: str, staff_words: Callable[[], list[Hit[Label]]]
) -> list[Hit[Label]]:
    """Drop the triggers that are a company's name (a facet's `entity_triggers`) where the company is
    named as a person's employer: "Crusoe's head of construction told DC Digest" is a quote's
    source, no business of Crusoe's with anyone. The name stays a mention of the company."""
    names = {(h.start, h.end) for h in hits if h.label[0] == "entity"}
    named = [h for h in hits if h.label[0] == "trigger" and (h.start, h.end) in names]
    if not named:  # most sentences name no company a facet takes as its trigger
        return hits
    staff = staff_words()
    employers = {
        id(h)
        for h in named
        for person in staff
        if _EMPLOYER_AFTER.fullmatch(folded, h.end, person.start)
        or _EMPLOYER_BEFORE.fullmatch(folded, person.end, h.start)
    }
    return [h for h in hits if id(h) not in employers] if employers else hits


def _without_attributed(hits: list[Hit[Label]], spans: list[tuple[int, int]]) -> list[Hit[Label]]:
    """Drop the triggers in a quote's attribution (`rules.text.attributions`): "one data-centre
    financing banker who works with Oracle's developers" is who spoke, not a data centre of
    Oracle's."""
    if not spans:
        return hits
    return [h for h in hits if h.label[0] != "trigger" or not any(a <= h.start < b for a, b in spans)]


def _appositions_resolved(hits: list[Hit[Label]], folded: str) -> list[Hit[Label]]:
    """Drop the names of parties that only qualify another party's name.

    An epithet set right before a name: "the Santa Clara chipmaker AMD" is AMD. An epithet is an
    alias of several words ("santa clara chipmaker" is Nvidia's), so a name of one word beside
    another ("Microsoft OpenAI partnership") is never taken for one. And the party a rival is
    named of: in "OpenAI's rival Anthropic signed with Google" the deal is Anthropic's.
    """
    entities = [h for h in hits if h.label[0] == "entity"]
    if len(entities) < 2:  # a name qualifies another one, named after it: most sentences name one at most
        return hits
    starts = {h.start: h.label[1] for h in entities}
    dropped = {
        id(h)
        for h in entities
        if " " in h.phrase.strip()
        and (other := starts.get(h.end + 1)) is not None
        and other != h.label[1]
        and folded[h.end] == " "
    }
    dropped |= {id(h) for h in entities if _qualifies_a_rival(folded, h, starts)}
    return [h for h in hits if id(h) not in dropped] if dropped else hits


def _qualifies_a_rival(folded: str, hit: Hit[Label], starts: dict[int, str]) -> bool:
    """Is the party `hit` names only the one whose rival is named next ("OpenAI's rival Anthropic",
    « le rival d'OpenAI, Anthropic »)? Then the rival is the subject, and `hit` no party of the clause."""
    after = _RIVAL_OF_AFTER.match(folded, hit.end)
    if after is None:
        if not _RIVAL_OF_BEFORE.search(folded, max(0, hit.start - 20), hit.start):
            return False
        after = _APPOSITION.match(folded, hit.end)
    other = starts.get(after.end()) if after else None
    return other is not None and other != hit.label[1]


# After a party: "'s rival ", "'s main competitor " (the rival's name follows).
_RIVAL_OF_AFTER = re.compile(r"'s (?:main |chief |closest |biggest )?(?:rival|competitor|archrival|arch-rival) ")
# Before a party: « le rival d' », "competitor of " (the rival's name follows, after a comma).
_RIVAL_OF_BEFORE = re.compile(r"(?:rival|concurrent|competitor)\s+(?:d'|de |of )$")
_APPOSITION = re.compile(r",?\s+")


_CONDITIONAL: tuple[Label, ...] = (("cue", "hedge", ""), ("cue", "conditional", ""))
# A demonstrative right before a trigger ("that exclusivity", « cette exclusivité »), on folded text.
_POINTING = re.compile(r"(?:^|\W)(?:this|that|ce|cet|cette)\s+$")
# A demonstrative and a noun any right may be called by: "this right", « ce droit », "that clause".
_DEMONSTRATIVE = re.compile(
    r"\b(?:this|that|the same|ce|cet|cette|ledit|ladite)\s+"
    r"(right|clause|provision|privilege|priority|lock|droit|disposition|privilege|priorite|verrou)\b"
    # in the plural: "these rights", « ces droits sont prolongés jusqu'en 2032 »
    r"|\b(?:these|those|ces|lesdits|lesdites)\s+(rights|clauses|provisions|privileges|droits|dispositions)\b"
)
# A clause after a relative that opens on a conjunction is no sequel of the main clause the relative
# interrupts: "The denial did little to quiet investors, who have watched…since January, when Microsoft
# gave up its status" — the "when" clause is not the denial's.
_SUBORDINATE = re.compile(rf"(?:{CONTRASTS}|{SUPPOSITIONS}|lorsqu')\b")
# A parenthesis, or an aside between two dashes ("IP rights to its research — the methods used — will remain")
_OPENS, _CLOSES = re.compile(r"\s*\(\s*|\s+[-–—]\s+"), re.compile(r"\s*\)\s*|\s+[-–—]\s+")
_STATUS_CUES = frozenset({"ended", "denied", "cancelled", "continuing"})
# On folded text: an optional answer marker ("A:", « R : », "Réponse :", the speaker's name and a colon:
# "Brad Smith: No."), then a bare "no" / « non »
# (group 1, empty when the answer opens otherwise).
_ANSWER = re.compile(
    r"\s*(?:(?:a|r|answer|reponse)\s*[:.\u2013\u2014-]\s*|[\w.'-]+(?:\s+[\w.'-]+){0,2}\s*:\s*)?"
    r"(no\b|nope\b|not since\b|non\b|plus depuis\b|)\W*"
)


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
