# SPDX-License-Identifier: MIT
"""The claim engine: article text in, claims out, each with its evidence sentence.

Evaluation order (each step only sees what the previous one let through):

1. **Split.** The text (title first, as its own paragraph) is folded once
   (lowercase, no accents: `rules.text.fold`, offsets preserved) and cut into
   paragraphs and sentences.
2. **Language.** A function-word vote over the document: `en`, `fr` or `und`.
   Value parsing uses it for decimal commas; the rules themselves are
   bilingual and always all apply.
3. **Gate.** A document naming no party any rule requires (one regex search
   over the folded text) has no claim.
4. **Lexicon pass (the prefilter), in two phases** (`rules.scan`). Per
   sentence, the folded words select the phrases anchored on them
   (`rules.phrases.Lexicon`); only those run, so the cost follows the text,
   not the number of rules. Phase one finds entities and triggers; only a
   sentence some trigger hits goes on to phase two (cues, `also`, `exclude`),
   its clauses and its values. A question asserts nothing and is skipped;
   an answer that names no facet but says a status ("A: No, it ended")
   takes its question's triggers, and the providers or makers it names
   (`ScannedSentence.answering`); a list item ("• AWS: $38bn") takes the
   words and parties of the heading line that introduces its list, and an
   item that names no facet but gives a figure takes the heading's facets
   (`ScannedSentence.listing`); a right
   named after a demonstrative ("That exclusivity stays") is the right the
   sentence before named, when that one named another
   (`ScannedSentence.pointing_back`).
5. **Requirements.** A facet whose triggers hit is evaluated only when its
   required parties are in the sentence (or, where the rule allows, in the
   last few sentences or the title), and a two-party facet only when the
   sentence names at least one of them, or its question does, or a possessive,
   a demonstrative or (before a right named in several words) a definite
   article points back to them. A subject carried over ("Its stake",
   « Son chiffre d'affaires », a Q&A's answer) is the party of the nearest
   sentence naming the subject or a rival: a rival there makes it its news.
6. **Per clause and trigger** (`rules.clause`, `rules.binding`; a main clause a relative
   interrupts, "CoreWeave, which listed in March, will supply OpenAI", is read as one clause
   without the relative, which is read apart): the `also` groups must hit, no
   `exclude` phrase may, and the clause's first party must not be a rival;
   nor the trigger's object ("an investment in Anthropic"), nor, for a rule
   binding its `subject` to the nearest party, the party named last before
   it; a carried subject leaves the clause no other subject. The key is fixed
   or read from the clause's entities, plus organisations no list names in a
   party slot (`rules.parties`); a chip maker named as the brand of chips
   that run in a cloud's data centres gives way to the cloud. Cues are resolved:
   the longest overlapping cue wins; a status cue belongs to the nearest
   trigger of a facet that could read the clause, within reach, but for a
   trigger that only says where (« déployée dans ses centres de données »)
   and so leaves the cue before it to the thing that is there; negation,
   denial, supposition and carve-outs qualify the whole clause. Then, in this
   order: a supposition (in the clause, opening the sentence, or carried on
   by a conditional) → no claim; a denial of bad news or a negated ending →
   the facet's default; another negation → no claim; a cancellation is a
   denial of a plan, the end of a right in force; status: denied > ended >
   continuing (the facet's in-force status) > planned > active > the facet's
   default (planned when the clause starts in the future); hedging anywhere
   in the sentence. The cues of a trailing circumstance ("…again after the
   cancellation of the Oracle contract") are not the proposition's before it.
   Of a clause's trigger occurrences, the reading that says most wins, and
   each other party the clause lists by name ("deals with Oracle, AWS and
   CoreWeave") keeps its claim, without the figures; a sentence's clauses that
   agree merge their values.
7. **Values** (`rules.values`) are read once per candidate sentence, kept when
   in the clause and of a kind the facet takes; an amount after "up from" is
   the old value and dropped, one after "total" preferred.
8. **Time reference:** a history cue makes the claim history; else a marker of
   the present ("today", « mardi », « désormais ») dates it at publication;
   else the latest past date in the clause, then in the sentence; else the
   date the paragraph's earlier sentences gave; else the publication date.

The engine knows nothing about outcomes: the diff against the known state
(`monitor.judging.diff`) decides what is new, changed, reversed or history.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

from rules.clause import (
    NEGATION_REACH,
    ClauseJob,
    ClauseResult,
    opens_on_start_up,
    past_dates,
    read_clause,
    venture_asides,
)
from rules.explain import Trace
from rules.interview import interviewee, speaks_for
from rules.job import CONTEXT_WINDOW
from rules.loader import RULES_DIR, FacetRule, Label, RuleSet, load_rules
from rules.model import NOT_IN_FORCE, Claim
from rules.phrases import Hit
from rules.scan import ScannedSentence
from rules.text import REPORTING_VERBS, detect_language, fold, split_sentences
from rules.values import Value

_DATE_WORDS = (
    "janv",
    "fevr",
    "mars",
    "avril",
    "mai",
    "juin",
    "juil",
    "aout",
    "sept",
    "octo",
    "nove",
    "dece",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "october",
    "november",
    "december",
    "year",
    "annee",
    " an ",
    "ago",
    "depuis",
    "since",
)


@dataclass
class Extraction:
    """What the engine read from one document."""

    lang: str
    claims: list[Claim]
    trace: list[Trace] = field(default_factory=list)


class Engine:
    """Apply a rule set to documents. `Engine.load()` reads the default rules."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._parties = _party_patterns(_party_words(rules))

    @classmethod
    def load(cls, rules_dir: Path = RULES_DIR) -> Engine:
        return cls(load_rules(rules_dir))

    def extract(
        self,
        text: str,
        *,
        published: str | dt.date | None = None,
        title: str = "",
        lang: str | None = None,
        source: str = "",
        explain: bool = False,
    ) -> Extraction:
        """Claims of `text` (and its `title`), dated relative to `published`.

        >>> Engine.load().extract("Microsoft perd son droit de préemption sur OpenAI.").claims[0].status
        'ended'
        """
        date = _as_date(published)
        title = " ".join(title.split())
        body = f"{title}\n{text}" if title else text
        folded_doc = fold(body)
        language = lang or detect_language(folded_doc)
        if not _names_a_party(folded_doc, self._parties):  # no party any rule requires: nothing to read
            out = Extraction(language, [])
            if explain:
                gate = "skipped (step 3, gate): the page names no party any rule requires"
                out.trace.append(Trace(title or body[:80], "every facet", "", "", gate))
            return out
        sentences = [
            ScannedSentence.scan(s, folded_doc[s.start : s.end], self.rules, language, date)
            for s in split_sentences(body)
        ]
        out = Extraction(language, [])
        reader = _DocumentReader(self.rules, sentences, source, out.trace if explain else None)
        out.claims = reader.read(title_paragraph=0 if title else None)
        return out


def _named_to_deny(s: ScannedSentence) -> set[str]:
    """The parties a headline names only in a clause that denies: « le conseil municipal dit oui au
    campus, la rumeur « Stargate » balayée » makes Stargate no referent of "the campus" below."""
    anchors = tuple(s.rules.anchor_words(("cue", "denied")))  # (stems among them: a prefix test, in C)
    if not any(word.startswith(anchors) for word in s.tokens.words):
        return set()
    denials = {s.clause_of(h.start) for h in s.hits if h.label[0] == "cue" and h.label[1] == "denied"}
    if not denials:
        return set()
    clauses: dict[str, set[bool]] = {}
    for hit in s.primary:
        if hit.label[0] == "entity":
            clauses.setdefault(hit.label[1], set()).add(s.clause_of(hit.start) in denials)
    return {entity for entity, denied in clauses.items() if denied == {True}}


def _party_words(rules: RuleSet) -> tuple[str, ...]:
    """The anchor words of every entity some rule requires: a page with none of them has no claim.
    Longest first: a company's name ("microsoft") before a short alias, and most pages name it."""
    required = {entity for rule in rules.facets.values() for group in rule.requires for entity in group}
    return tuple(sorted(rules.lexicon.anchors_of(("entity", e) for e in required), key=len, reverse=True))


def _party_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """`words` (runs of letters and digits) at the start of a text, and after a character that is
    no letter or digit: where they start a run of letters and digits (see `_names_a_party`)."""
    choice = "(?:" + "|".join(map(re.escape, words)) + ")"
    return re.compile(choice), re.compile("[^a-z0-9]" + choice)


def _names_a_party(folded: str, patterns: tuple[re.Pattern[str], re.Pattern[str]]) -> bool:
    """Does one of the words of `patterns` (`_party_patterns`) start a run of letters and digits in `folded`?

    The regex this replaces, `(?<![a-z0-9])(?:microsoft|…)`, started with a look-behind, which
    `re` tries at every character of every page (7 % of the engine's instructions on the
    benchmark's pages); one that starts with a character class is looked for in C, class first.
    A third less time, 44 % fewer instructions; `str.find` for each word took more time still.
    """
    at_start, after = patterns
    return at_start.match(folded) is not None or after.search(folded) is not None


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value[:10])


class _DocumentReader:
    """Reads one document's sentences in order, with the context and dates they share."""

    def __init__(
        self, rules: RuleSet, sentences: list[ScannedSentence], source: str, trace: list[Trace] | None
    ) -> None:
        self.rules = rules
        self.sentences = sentences
        self.source = source
        self.trace = trace
        # asked of each sentence by itself and the two after it (`_question_index`): answered once
        self._questions = [_is_question(s) for s in sentences]
        # an interview's "we" and "you": the company its lead gives the interviewee a role in
        self._interviewee = interviewee(sentences, self._questions)
        self._dates: dict[int, str | None] = {}
        self._lead_of: dict[int, str] = {}  # each sentence's lead: asked by the sentences after it
        self._rights = [f for f, rule in rules.facets.items() if rule.in_force == "held"]
        self._denied_in_title: set[str] = set()  # parties the headline names only to deny (`_named_to_deny`)
        self._title_texts: set[str] = set()
        self._referables: list[set[str]] = []  # `_referable` of each sentence, once the headline is read

    def read(self, *, title_paragraph: int | None) -> list[Claim]:
        title_entities: set[str] = set()
        for s in self.sentences:
            if s.sentence.paragraph == title_paragraph:
                self._denied_in_title |= _named_to_deny(s)
                title_entities |= s.entities - self._denied_in_title
                self._title_texts.add(s.folded)
        self._referables = [self._referable(s) for s in self.sentences]  # asked of each by the ten after it
        claims: list[Claim] = []
        teasers = self._teasers()
        for index, scanned in enumerate(self.sentences):
            if scanned.sentence.paragraph in teasers:  # "Read more: OpenAI signs…" is another article's news
                for facet, triggers in scanned.triggered.items():
                    why = "skipped: a link to another article"
                    self._trace(scanned, self.rules.facets[facet], triggers[0], why)
                continue
            scanned = self._pointing_back(index) or scanned
            if scanned.triggered and not any(f in self._rights for f in scanned.triggered):
                # "That lock was blown on 28 October, when the deal that sets Microsoft's stake was
                # signed": the demonstrative names the right, beside the sentence's own facets
                scanned = self._referent(index) or scanned
            if not scanned.triggered:
                answer = self._answer(index) or self._referent(index) or self._listed(index)
                if answer is not None:
                    claims.extend(self._read_sentence(index, answer, title_entities))
                continue
            if self._questions[index] and _asks(scanned):  # a question asserts nothing (a prompt's statement does)
                for facet, triggers in scanned.triggered.items():
                    rule = self.rules.facets[facet]
                    self._trace(scanned, rule, triggers[0], "skipped: a question asserts nothing")
                continue
            read = self._read_sentence(index, scanned, title_entities)
            if any(c.hedged for c in read) and self._denied_next(index):
                read = self._without(read, lambda c: c.hedged, "dropped (document): a report the next sentence denies")
            claims.extend(read)
            scanned.forget_clauses()
        return self._drop_denied_reports(self._drop_carve_outs(claims))

    def _denied_next(self, index: int) -> bool:
        """Does the next sentence deny what sentence `index` reports? « Une publication affirmait
        qu'OpenAI aurait mis de côté sa puce. « Faux », a répondu un porte-parole », "The company denied
        the report": the report is a rumour denied, whatever facet the denial names. So does a bare
        verdict that opens the next paragraph, one of the next two sentences: "…would have sold its
        stake. Several sites relayed it. ¶ The report is false." """
        return any(self._denies(index, after) for after in range(index + 1, min(index + 3, len(self.sentences))))

    def _denies(self, index: int, after: int) -> bool:
        following = self.sentences[after]
        if not following.has_cue("denied"):
            return False
        same_paragraph = following.sentence.paragraph == self.sentences[index].sentence.paragraph
        if not (same_paragraph and after == index + 1) and (same_paragraph or following.triggered):
            return False  # further on, only a verdict of its own: « L'information est fausse. »
        cues = [h for h in following.hits if h.label[0] == "cue"]
        negations = [h.end for h in cues if h.label[1] == "negation"]
        # not a denial negated: « n'a « ni confirmé ni démenti » », "neither confirmed nor denied"
        return any(
            h.label[1] == "denied" and not any(h.start - NEGATION_REACH <= end <= h.start for end in negations)
            for h in cues
        )

    def _drop_denied_reports(self, claims: list[Claim]) -> list[Claim]:
        """A reported ending the same text says the parties deny is a rumour denied, not news.

        « Droit de préemption : Microsoft et OpenAI démentent toute renonciation » answers « un site
        affirmait, selon deux personnes au fait des discussions, que Microsoft s'apprêtait à y
        renoncer »: the hedged report is dropped, the right stays as it was.
        """
        denied = {(c.facet, c.key) for c in claims if c.basis == "denied" and not c.hedged}
        return self._without(
            claims,
            lambda c: c.hedged and c.status in NOT_IN_FORCE and (c.facet, c.key) in denied,
            "dropped (document): a report the text says the parties deny",
        )

    def _drop_carve_outs(self, claims: list[Claim]) -> list[Claim]:
        """An ending the same text says remains in force is a carve-out, not an ending.

        "OpenAI may serve national-security customers on any cloud" ends nothing when the text also
        says "OpenAI's API products remain exclusive to Azure"; nor does "the exclusivity gave way
        to a right of first refusal" end a right the text says remains.
        """
        remains: dict[tuple[str, str], str] = {}  # the latest date the text says it remains
        for c in claims:
            if c.basis == "continuing" and c.status not in NOT_IN_FORCE and not c.past and not c.hedged:
                remains[(c.facet, c.key)] = max(c.when, remains.get((c.facet, c.key), ""))

        def carved_out(claim: Claim) -> bool:
            since = remains.get((claim.facet, claim.key))
            if claim.status != "ended" or claim.past or since is None:
                return False
            return claim.when[: len(since)] <= since  # "kept it in January; gave it up in October": the ending stands

        why = "dropped (document): the text says this remains in force; the ending is a carve-out"
        return self._without(claims, carved_out, why)

    def _without(self, claims: list[Claim], dropped: Callable[[Claim], bool], why: str) -> list[Claim]:
        """`claims` but those `dropped` picks, each traced with `why`."""
        kept = []
        for claim in claims:
            if not dropped(claim):
                kept.append(claim)
            elif self.trace is not None:
                self.trace.append(Trace(claim.evidence, claim.facet, claim.rule, "", why, {"key": claim.key}))
        return kept

    def _window(self, index: int) -> list[ScannedSentence]:
        """The sentences before `index` a rule may look back to, nearest first."""
        return self.sentences[max(0, index - CONTEXT_WINDOW) : index][::-1]

    def _paragraph_reach(self, index: int) -> int:
        """How many sentences before `index` a party it leaves unnamed may be sought in: those of its
        paragraph, and further back up to the last sentence that names a party while its own paragraph
        has named none ("Oracle's shares jumped. ¶ The ChatGPT maker is said to have signed…"). Past a
        paragraph that names one, the paragraph before is another topic: « OpenAI, encore et toujours.
        Le groupe comptabilise sa participation… » is Microsoft's, the write-up's subject, not Nvidia's,
        named before."""
        here = self.sentences[index].sentence.paragraph
        count, named = 0, False
        for earlier in self._window(index):
            # a paragraph that has named no party yet ("The quarter itself was solid. Revenue rose 22%")
            # still speaks of the last one named before it
            if earlier.sentence.paragraph != here and named:
                return count
            count += 1
            named = named or bool(earlier.entities)
        return count

    def _context(self, index: int, title_entities: set[str]) -> list[set[str]]:
        """Entities of the previous sentences, nearest first; the title's last."""
        referables = self._referables
        previous = [referables[i] for i in range(index - 1, max(-1, index - 1 - CONTEXT_WINDOW), -1)]
        if self._speaks_for_interviewee(index):
            previous = [set(self._interviewee), *previous]
        return previous + [title_entities]

    def _referable(self, s: ScannedSentence) -> set[str]:
        """The parties a sentence offers the ones after it: the headline's but those it denies; and the
        page's lab for one that opens on a start-up's role (« La start-up disposait de 1,9 gigawatt »)."""
        if self._denied_in_title and s.folded in self._title_texts:  # the headline, or the page's copy of it
            return s.entities - self._denied_in_title
        if not s.entities and opens_on_start_up(s) and self._main_lab:
            return {self._main_lab}
        return s.entities

    @cached_property
    def _main_lab(self) -> str:
        """The lab the page names first, its headline included: whom "the start-up" means (asked only
        of a page that has a sentence opening on that role)."""
        named = (h.label[1] for s in self.sentences for h in s.primary if h.label[0] == "entity")
        return next((e for e in named if _is_lab(self.rules, e)), "")

    def _excluded_before(self, index: int, facet: str) -> bool:
        """Whether the sentence before names what `facet` excludes ("And the API? It stays exclusive
        to Azure": "it" is the API, which the cloud exclusivity excludes)."""
        return any(h.label == ("exclude", facet) for h in self.sentences[index - 1].hits)

    def _leads(self, index: int) -> list[str]:
        """The party each sentence of `_context` names first ("" for the interviewee and the title)."""
        previous = [self._lead(i) for i in range(index - 1, max(-1, index - 1 - CONTEXT_WINDOW), -1)]
        return ([""] if self._speaks_for_interviewee(index) else []) + previous + [""]

    def _lead(self, index: int) -> str:
        """The party sentence `index` names first; for one whose subject is a pronoun ("Early this
        month it added a supply deal with AMD"), the party the sentence before leads: "it" is not AMD."""
        if index not in self._lead_of:
            self._lead_of[index] = self._find_lead(index)
        return self._lead_of[index]

    def _find_lead(self, index: int) -> str:
        for i in range(index, max(-1, index - CONTEXT_WINDOW), -1):
            s = self.sentences[i]
            opening = _OPENS_ON_PRONOUN.match(s.folded)
            if opening and not any(h.label[0] == "entity" and h.start < opening.end() for h in s.primary):
                continue  # "it", named nowhere before it: the sentence before leads
            if opens_on_start_up(s):
                return START_UP_LEAD
            # "Unlike OpenAI, long tied to Microsoft, Anthropic spreads its bets": Anthropic leads (as does
            # the party after a leading contrast's comma: "While Anthropic spreads its bets, OpenAI…")
            if compared := _OPENS_ON_COMPARISON.match(s.folded):
                after = next(
                    (h.label[1] for h in s.primary if h.label[0] == "entity" and h.start >= compared.end()), ""
                )
                return after or _first_named(s)
            return _first_named(s)
        return ""

    def _speaks_for_interviewee(self, index: int) -> bool:
        return bool(self._interviewee) and _speaks(self.sentences[index])

    def _read_sentence(self, index: int, s: ScannedSentence, title_entities: set[str]) -> list[Claim]:
        context = self._context(index, title_entities)
        out: list[Claim] = []
        # a Q&A answer's question, or a list item's heading: its parties and its verb count here
        question = self._question(index) or self._list_heading(index)
        asked = question.entities if question else set()
        # "Q: How big is your stake now?": the question's possessive points back to the interview's parties
        pointed = question is not None and any(
            _refers_back(question.folded, t) for triggers in question.triggered.values() for t in triggers
        )
        leads = ["", *self._leads(index)] if question else self._leads(index)
        # a party a sentence leaves to the ones before is found in its paragraph (the interviewee and an
        # answer's question aside), or in the one before it for a paragraph's first sentence
        reach = self._paragraph_reach(index) + (1 if self._speaks_for_interviewee(index) else 0)
        nearby, nearby_leads = context[:reach] + context[-1:], leads[: reach + bool(question)] + leads[-1:]
        missing_of = {
            f: _missing_parties(self.rules.facets[f], s, context, asked, t, pointed=pointed)
            for f, t in s.triggered.items()
        }
        # A facet whose parties are out of reach reads nothing here, so it takes no cue from another's trigger.
        in_reach = frozenset(f for f, missing in missing_of.items() if not missing)
        earlier = tuple(frozenset(c) for c in context[:-1])  # the same for each trigger of the sentence
        for facet, triggers in s.triggered.items():
            rule = self.rules.facets[facet]
            missing = missing_of[facet]
            if missing:
                self._trace(s, rule, triggers[0], f"skipped: no {' or '.join(sorted(missing))} in reach")
                continue
            if _SUBJECT_PRONOUN.match(s.folded) and index > 0 and self._excluded_before(index, facet):
                why = "skipped: the pronoun that opens it stands for what the sentence before named, excluded here"
                self._trace(s, rule, triggers[0], why)
                continue
            # "The rest of the fiscal second quarter was solid. Revenue rose 17%": a figure that names no
            # party belongs to the nearest topic, here one the facet excludes (a listed company's quarter)
            if rule.subject == "nearest" and not s.entities and index > 0 and self._excluded_before(index, facet):
                why = "skipped: it names no party, and the sentence before speaks of what this facet excludes"
                self._trace(s, rule, triggers[0], why)
                continue
            if not rule.requires[0] & s.entities and s.has_cue("gloss"):
                why = "skipped: the sentence glosses a figure ('roughly the output of ten reactors'), names no party"
                self._trace(s, rule, triggers[0], why)
                continue
            # a list item's heading, or an answer's question, speaks before its siblings do
            if other := _carried_rival(rule, s, [asked, *nearby] if question else nearby, nearby_leads):
                ours = " or ".join(sorted(rule.requires[0]))
                why = f"skipped: the party carried over from an earlier sentence is {other}, not {ours}"
                self._trace(s, rule, triggers[0], why)
                continue
            found: list[Claim] = []
            for clause_triggers in _by_clause(triggers, s):
                results = []
                for trigger in clause_triggers:
                    job = ClauseJob(
                        rule, self.rules.facets, self.rules.entities, trigger, triggers, s,
                        lambda: self._paragraph_date(index), self.source, self._supposing(index),
                        earlier, in_reach, question, frozenset(context[-1]), reach,
                        self.sentences[index - 1] if index else None,
                    )  # fmt: skip
                    results.append(read_clause(job))
                best = ClauseResult.best(results)
                listed = _listed_parties(rule, s, clause_triggers, results, best)
                for trigger, result in zip(clause_triggers, results, strict=True) if self.trace is not None else ():
                    verdict = _clause_verdict(result, results[best], clause_triggers[best], listed)
                    self._trace(s, rule, trigger, verdict, **result.details)
                found.extend(_shared_figures(results[best].claims, s, listed))
                found.extend(listed)
            out.extend(_merge_clauses(found))
        return out

    def _answer(self, index: int) -> ScannedSentence | None:
        """Sentence `index` read as the answer to its question, when it names no facet itself.

        "Q: Does Microsoft still have a right of first refusal? A: No, it ended in January.": the
        answer's ending is about the question's right. It takes the question's triggers, placed on
        its first word, and only when it says something of their status: a status cue, or a bare
        "No" / « Non » to a question of whether something still holds (an ending).
        """
        s = self.sentences[index]
        asked = self._question_index(index)
        if asked is None or self._questions[index]:
            return None
        question = self.sentences[self._prompt_index(asked)]
        if not question.triggered:
            return None
        if any(self.sentences[i].triggered for i in range(asked + 1, index)):
            return None  # an earlier sentence of the answer named the facet: this one is its sequel
        return s.answering(question, asks_still=self.sentences[asked].has_cue("continuing"))

    def _referent(self, index: int) -> ScannedSentence | None:
        """Sentence `index` with the right its demonstrative refers to ("this right", « ce droit »):
        the rights (facets in force as `held`) the nearest of the two sentences before it names."""
        for before in range(index - 1, max(-1, index - 3), -1):
            earlier = self.sentences[before]
            if not earlier.triggered:  # most sentences name no facet: no right to look for
                continue
            rights = [
                (hits[-1].start, f) for f, hits in earlier.triggered.items() if self.rules.facets[f].in_force == "held"
            ]
            if rights:  # the right named last is the one "this right" means
                return self.sentences[index].referring(earlier, [max(rights)[1]])
        return None

    def _teasers(self) -> set[int]:
        """The paragraphs that open on a link to another article ("Read more:", « À lire aussi : »):
        the headline that follows is that article's news, told on its own page. (A correction of
        the page is read: what it quotes of an earlier version is taken back by its cues, "an
        earlier version said…", « nous écrivions que… », and what it says now is news.)"""
        out: set[int] = set()
        previous = None
        for s in self.sentences:
            paragraph = s.sentence.paragraph
            if paragraph != previous and _TEASER.match(s.folded):
                out.add(paragraph)
            previous = paragraph
        return out

    def _pointing_back(self, index: int) -> ScannedSentence | None:
        """Sentence `index` with the right "that exclusivity" / « cette exclusivité » points back to,
        when one of the two sentences before it names another right (see `ScannedSentence.pointing_back`)."""
        s = self.sentences[index]
        if not s.triggered or self._questions[index]:
            return None
        for before in range(index - 1, max(-1, index - 3), -1):
            earlier = self.sentences[before]
            if any(f in self._rights for f in earlier.triggered):
                return s.pointing_back(earlier, self._rights)
        return None

    def _listed(self, index: int) -> ScannedSentence | None:
        """List item `index`, which names no facet, read with its heading's facets ("Les engagements
        d'OpenAI :" above "- Microsoft — 250 milliards de services Azure")."""
        heading = self._list_heading(index)
        if heading is None or not heading.triggered:
            return None
        item = self.sentences[index]
        bullet = _LIST_ITEM.match(item.sentence.text)  # a match: `_list_heading` found the item's list
        return item.listing(heading, bullet.end()) if bullet else None

    def _list_heading(self, index: int) -> ScannedSentence | None:
        """The line that introduces the list item `index` ("OpenAI's compute deals so far:" above
        "• AWS: $38bn over 7 years"), if it is one: the nearest line before the list that ends in a colon."""
        if not _LIST_ITEM.match(self.sentences[index].sentence.text):
            return None
        for before in range(index - 1, max(-1, index - _LIST_REACH), -1):
            text = self.sentences[before].sentence.text
            if not _LIST_ITEM.match(text):
                return self.sentences[before] if text.rstrip().endswith(":") else None
        return None

    def _question(self, index: int) -> ScannedSentence | None:
        """The question sentence `index` answers (one of the two before it), if any."""
        asked = self._question_index(index)
        return None if asked is None else self.sentences[self._prompt_index(asked)]

    def _prompt_index(self, asked: int) -> int:
        """The question `asked`, or the prompt it asks of when it names nothing itself: "Q: Last spring
        OpenAI began renting TPUs from Google. Is that still going on?" asks of Google's TPUs."""
        before = asked - 1
        if self.sentences[asked].entities or before < 0 or not self._questions[before]:
            return asked
        if self.sentences[before].sentence.paragraph != self.sentences[asked].sentence.paragraph:
            return asked
        return before if self.sentences[before].triggered else asked

    def _question_index(self, index: int) -> int | None:
        for before in range(index - 1, max(-1, index - 3), -1):
            if self._questions[before]:
                return before
        return None

    def _supposing(self, index: int) -> bool:
        """Does the previous sentence of the paragraph suppose something ("Et si… ?", "If…")?

        Then a conditional in this one carries the supposition on: « Dans une telle
        hypothèse, Microsoft ne pourrait plus… ».
        """
        if index == 0:
            return False
        previous = self.sentences[index - 1]
        return previous.sentence.paragraph == self.sentences[index].sentence.paragraph and previous.has_cue(
            "hypothetical"
        )

    def _paragraph_date(self, index: int) -> str | None:
        """The date the paragraph's sentences before `index` give: the nearest explicit one.

        « En juillet 2019, Microsoft a investi… Azure est devenu son fournisseur exclusif. »:
        the second sentence is dated July 2019 too. A sentence that speaks of the present
        ("today", « désormais ») stops the inheritance.
        """
        if index not in self._dates:
            self._dates[index] = self._find_paragraph_date(index)
        return self._dates[index]

    def _find_paragraph_date(self, index: int) -> str | None:
        paragraph = self.sentences[index].sentence.paragraph
        for before in range(index - 1, -1, -1):
            previous = self.sentences[before]
            if previous.sentence.paragraph != paragraph:
                return None
            if not _mentions_time(previous):
                if previous.has_cue("now"):
                    return None
            elif previous.speaks_of_now():
                return None
            elif past := past_dates(self._dating_values(previous), previous.published):
                return max(past)
            if before in self._dates:  # the search from `before` goes on from here: its answer is ours
                return self._dates[before]
        return None

    def _dating_values(self, s: ScannedSentence) -> list[Value]:
        """The values of `s` that may date the sentences after it: not a venture's date in its
        apposition ("…as part of Stargate, the venture the ChatGPT maker unveiled in January. The
        first phase would draw about one gigawatt" is no news of January)."""
        asides = venture_asides(s, self.rules.entities)
        return [v for v in s.values if not any(a <= v.start < b for a, b in asides)]

    def _trace(self, s: ScannedSentence, rule: FacetRule, hit: Hit[Label], verdict: str, **details: object) -> None:
        if self.trace is not None:
            self.trace.append(Trace(s.sentence.text, rule.facet, rule.file, hit.phrase, verdict, dict(details)))


def _listed_parties(
    rule: FacetRule, s: ScannedSentence, triggers: list[Hit[Label]], results: list[ClauseResult], best: int
) -> list[Claim]:
    """Claims of the parties a clause lists beside the kept reading's: "deals with Oracle, AWS and
    CoreWeave" names three providers, each a trigger that keys itself alone.

    Only such name triggers: a generic one ("a 1-gigawatt cluster") keys every company of the clause,
    co-announcers of a venture too. One figure for a list is not each party's: their claims keep
    no quantity.
    """
    if rule.key:
        return []
    seen = {c.key for c in results[best].claims}
    out: list[Claim] = []
    for trigger, result in zip(triggers, results, strict=True):
        for claim in result.claims:
            if claim.key not in seen and _names_at(s, trigger.start, claim.key):
                seen.add(claim.key)
                kept = {k: v for k, v in claim.values.items() if k not in _QUANTITIES}
                out.append(replace(claim, values=kept))
    return out


def _names_at(s: ScannedSentence, start: int, entity: str) -> bool:
    """Whether `entity` is named at `start` (a trigger that is a company's name)."""
    return any(h.label == ("entity", entity) for h in s.hits_in(start, start + 1))


_QUANTITIES = frozenset({"amount_usd", "capacity_gw", "units", "share_pct", "duration_years"})

# Two parties may share a figure (co-announcers: "Oracle and SoftBank will build 4.5 GW"); a list of
# three or more is a list of suppliers, and its one figure their total, not each one's. So is the
# figure of two that the sentence calls a total ("deals with Oracle and CoreWeave worth $30bn
# combined", « pour un montant cumulé de… »).
_A_LIST = 3


def _shared_figures(claims: list[Claim], s: ScannedSentence, listed: list[Claim]) -> list[Claim]:
    """One reading's claims, without quantities when they key a list of parties (with those the clause
    lists beside them): "committed $1.4 trillion with Oracle, AWS, CoreWeave and Broadcom" is no $1.4
    trillion deal with Oracle."""
    keys = len({c.key for c in claims + listed})
    if keys < _A_LIST and not (keys > 1 and s.has_cue("total")):
        return claims
    return [replace(c, values={k: v for k, v in c.values.items() if k not in _QUANTITIES}) for c in claims]


def _clause_verdict(result: ClauseResult, best: ClauseResult, best_trigger: Hit[Label], listed: list[Claim]) -> str:
    """The trace verdict of one trigger's reading: kept, the same as the kept one, or dropped and why."""
    if not result.claims or result is best:
        return result.verdict
    if {c.key for c in result.claims} & {c.key for c in listed}:
        return "claim: another party the clause lists (its figures stay with the kept reading)"
    theirs = {(c.key, c.status) for c in best.claims}
    if {(c.key, c.status) for c in result.claims} <= theirs:
        return f"claim, as read from trigger {best_trigger.phrase!r}"
    lost = ", ".join(f"{c.key} ({c.status})" for c in result.claims if (c.key, c.status) not in theirs)
    return (
        f"dropped: {lost} — one reading per clause, and trigger {best_trigger.phrase!r} says more "
        f"({', '.join(f'{c.key} ({c.status})' for c in best.claims)})"
    )


def _asks(s: ScannedSentence) -> bool:
    """A question proper, not an interviewer's statement ("Q: Until last week you had first call on
    our new capacity."): the statement asserts what it says, as the answers do."""
    return s.sentence.text.rstrip(" \"'»”)").endswith("?")


def _is_question(s: ScannedSentence) -> bool:
    """A question, or an interviewer's prompt in a Q&A ("Q: Amazon joined the list last month.")."""
    return _asks(s) or bool(_PROMPT.match(s.sentence.text))


# A link to another article, on folded text: "Read more:", "Related:", « À lire aussi : », « Lire aussi ».
_TEASER = re.compile(
    r"\s*(?:read (?:more|also|next)|also read|related(?: articles?| stories| coverage)?|see also|more on this"
    r"|recommended|a lire (?:aussi|egalement|ensuite)|lire (?:aussi|egalement)|voir aussi|a voir aussi"
    r"|sur le meme sujet)\s*[:>\u2013\u2014|-]"
)

# A sentence whose subject is a pronoun, after a short time or a conjunction: "Early this month it
# added…", "On 13 October it said…", « Puis elle a signé… » (folded text)
_OPENS_ON_PRONOUN = re.compile(
    r"\s*(?:[^,]{1,30},\s*)?(?:(?:early|late|earlier|later|last|this|next|then|also|and|but|so|yet|in|on|at|by"
    r"|en|puis|ensuite|et|mais|debut|fin|le|la)\b[^,]{0,25}?\s)?(?:it|they|il|elle|ils|elles)\s"
)
# A subject pronoun opening a sentence: "It stays exclusive", « Elle reste exclusive »
# (not one who speaks: « Elle a aussi précisé que la participation… » is the finance chief saying it)
_SUBJECT_PRONOUN = re.compile(
    r"\s*(?:it|they|elle|il|elles|ils)\s(?!(?:(?:a|ont|avait|avaient|has|have|had)\s+)?"
    rf"(?:(?:aussi|egalement|encore|ensuite|also|further|then)\s+)?(?:{REPORTING_VERBS})\b)"
)

# A comparison or a contrast that opens a sentence, up to its comma, a dashed aside in it skipped: the
# subject follows it (folded text). « Là où Anthropic répartit ses paris — TPU, Trainium et GPU —, le
# créateur de ChatGPT mise sur son propre silicium », "Whereas Anthropic…, OpenAI…"
_OPENS_ON_COMPARISON = re.compile(
    r"\s*(?:contrairement (?:a|au|aux)|a la difference (?:de|du|des|d')|a l'inverse (?:de|du|des|d')|unlike"
    r"|in contrast to|as with|la ou|alors que|tandis que|whereas|while)\b"
    r"(?:\s-\s[^;:]{0,80}?\s-(?=[\s,])|[^,;:]){0,100},\s*"  # (folding made every dash "-")
)

# A sentence whose subject is a demonstrative and a buyer's role: "This customer alone…", « À lui seul,
# ce client pèsera… » — the party the sentence before leads, as "it" is
_OPENS_ON_DEMONSTRATIVE = re.compile(
    r"\s*(?:[^,]{1,30},\s*)?(?:ce|cet|cette|this|that)\s+(?:client|customer|buyer|acheteur|locataire|tenant)\b"
)

# A list item: a line opening on a bullet or a dash ("• AWS: $38bn", "– Oracle : 300 milliards").
_LIST_ITEM = re.compile(r"\s*(?:[•·▪◦*\u2013\u2014-]|\d{1,2}[.)])\s")
_LIST_REACH = 12  # lines back from an item to its list's heading, at most

_PROMPT = re.compile(r"\s*(?:Q|Question)\s*[:.\u2013\u2014-]\s")


def _mentions_time(s: ScannedSentence) -> bool:
    """A cheap test before the value parser runs: digits or a month or year word.

    `str.isdigit` mapped in C: a generator calling it for each character took a sentence of 1,200
    characters without a digit 40 µs."""
    return any(map(str.isdigit, s.folded)) or any(word in s.folded for word in _DATE_WORDS)


def _missing_parties(
    rule: FacetRule,
    s: ScannedSentence,
    context: list[set[str]],
    asked: set[str],
    triggers: list[Hit[Label]],
    *,
    pointed: bool = False,
) -> set[str]:
    """The first required group no entity of the sentence (or of its allowed context) meets.

    A sentence naming none of a two-party facet's parties is not about them, unless it answers a
    question that names one of them ("Q: Is Microsoft still OpenAI's only cloud? A: No, that
    ended"; "Q: What does Microsoft end up with? A: A stake of 27%", OpenAI named earlier or in
    the title, as any party must be within the rule's reach; not when the question names a
    rival: "Q: What does Microsoft get from its Anthropic deal?"), or
    a possessive or a demonstrative points back to them ("Its stake amounts to 27%", « Sa
    participation vaut… », « ce droit a disparu »).
    """
    if (
        len(rule.requires) > 1
        and not any(group & s.entities for group in rule.requires)
        and not (any(group & asked for group in rule.requires) and not asked & rule.rivals)
        and not pointed
        and not any(_refers_back(s.folded, t) for t in triggers)
    ):
        return set(rule.requires[0])
    for group in rule.requires:
        if group & s.entities:
            continue
        window = max((rule.context.get(e, 0) for e in group), default=0)
        nearby = context[:window] + context[-1:] if window else []
        if not any(group & entities for entities in nearby):
            return set(group)
    return set()


def _refers_back(folded: str, trigger: Hit[Label]) -> bool:
    """Is the trigger tied to parties named before: by a possessive or a demonstrative ("its stake",
    « ce droit »), or by a definite article before a name of several words, specific enough to be
    the one the text spoke of ("the right of first refusal", « le droit de préemption »)?"""
    before = folded[max(0, trigger.start - 8) : trigger.start]
    return bool(_POSSESSIVE_BEFORE.search(before) or (" " in trigger.phrase and _DEFINITE_BEFORE.search(before)))


# "its stake", « sa participation », "that right", « ce droit »: a trigger that a possessive or a
# demonstrative ties to parties named before.
_POSSESSIVE_BEFORE = re.compile(
    r"(?:^|\W)(?:its|their|his|her|our|your|sa|son|ses|leur|leurs|notre|nos|votre|vos|this|that|these|those|ce|cet"
    r"|cette|ces)\s+$"
)
_DEFINITE_BEFORE = re.compile(r"(?:(?:^|\W)(?:the|le|la|les)\s+|(?:^|\W)l')$")


def _carried_rival(rule: FacetRule, s: ScannedSentence, context: list[set[str]], leads: list[str]) -> str:
    """The rival an earlier sentence makes the subject of a sentence that names neither it nor the
    rule's subject ("Microsoft's numbers are out. Revenue came in at $77.7bn": Microsoft's revenue).

    The nearest sentence (then the title) that names the subject or a rival decides, as a reader
    resolves "it", « la société », or the subject a Q&A's question implies. A sentence that speaks
    in the first person speaks for whom the one before it names first, its speaker ("A Microsoft
    executive said the capacity serves the OpenAI models it offers. 'Partners like Nscale let us add
    capacity'": Microsoft's supplier); so does one that opens on a buyer's role with a demonstrative
    (« À lui seul, ce client pèsera… »). `leads` holds the party each context sentence names first.
    """
    subject = rule.requires[0]
    if not rule.rivals:
        return ""
    if not (subject & s.entities or rule.rivals & s.entities):
        for entities, lead in zip(context, leads, strict=False):
            rivals = sorted(rule.rivals & entities)
            # A rival named first leads the sentence: it speaks ("'Partners like Nscale let us…'"), or,
            # for a figure anyone reports, it is the topic ("Broadcom said OpenAI had ordered its chips.
            # The quarter was solid. Revenue rose 22%": Broadcom's revenue).
            # (or a possessive points back to it: "Amazon remains its main cloud", « son premier fournisseur »)
            points = _speaks(s) or _points_back(s) or _POSSESSIVE.search(s.folded) is not None
            leading = rivals and lead in rule.rivals and (points or rule.subject == "nearest")
            # (a sentence led by the subject through a pronoun, "Early this month it added… AMD", names it;
            # so does one that opens on a start-up's role, when the subject is a lab: « La start-up disposait… »)
            led = lead in subject or (lead == START_UP_LEAD and any(_is_lab(s.rules, e) for e in subject))
            if (subject & entities or led) and not leading:
                break
            if rivals:
                return lead if lead in rule.rivals else rivals[0]
    return _carried_other_lab(rule, s, context, leads)


_POSSESSIVE = re.compile(r"\b(?:son|sa|ses|leur|leurs|its|their)\s")


def _points_back(s: ScannedSentence) -> bool:
    return _OPENS_ON_DEMONSTRATIVE.match(s.folded) is not None


def _speaks(s: ScannedSentence) -> bool:
    return s.memo(("speaks",), lambda: speaks_for(s))


# The lead of a sentence that opens on a start-up's role, naming no party: the lab the text speaks of
START_UP_LEAD = "(the start-up)"


def _is_lab(rules: RuleSet, entity_id: str) -> bool:
    entity = rules.entities.get(entity_id)
    return entity is not None and "lab" in entity.classes


def _first_named(s: ScannedSentence) -> str:
    """The party a sentence names first."""
    return next((h.label[1] for h in s.primary if h.label[0] == "entity"), "")


def _carried_other_lab(rule: FacetRule, s: ScannedSentence, context: list[set[str]], leads: list[str]) -> str:
    """Another lab than the one a later party group names (OpenAI, of a stake), when the sentence
    leaves that group to the context: the sentence, then the nearest sentence naming one of them,
    decides; one that names both speaks of the one it names first. « Anthropic s'engage…, tandis que
    Microsoft investira 5 milliards dans la jeune pousse » is no stake in OpenAI, named three
    sentences before; nor is it after « Anthropic, le principal concurrent du créateur de ChatGPT,
    s'engage… »."""
    entities = s.rules.entities
    for group in rule.requires[1:]:
        if group & s.entities or not any("lab" in entities[e].classes for e in group if e in entities):
            continue
        labs = {e for e in rule.rivals if e in entities and "lab" in entities[e].classes}
        for named, lead in zip([s.entities, *context], ["", *leads], strict=False):
            other = sorted(labs & named)
            if group & named and not (other and lead in other):
                break
            if other:
                return lead if lead in other else other[0]
    return ""


def _merge_clauses(claims: list[Claim]) -> list[Claim]:
    """One sentence's claims that agree on key, status and time become one, with all their values.

    « Le chantier de Stargate à Lordstown avance ; le projet vise 10 gigawatts »: one claim.
    """
    merged: dict[tuple[object, ...], Claim] = {}
    for claim in claims:
        identity = (claim.key, claim.status, claim.hedged, claim.past, claim.when)
        if identity in merged:
            first = merged[identity]
            names = first.values.get("names", []) + [
                n for n in claim.values.get("names", []) if n not in first.values.get("names", [])
            ]
            values = {**claim.values, **first.values, **({"names": names} if names else {})}
            merged[identity] = replace(first, values=values)
        else:
            merged[identity] = claim
    return list(merged.values())


def _by_clause(triggers: list[Hit[Label]], s: ScannedSentence) -> list[list[Hit[Label]]]:
    """A facet's triggers grouped by clause: each clause yields one reading per facet.

    A clause reads at most `MAX_TRIGGERS_PER_CLAUSE` of them, the first of each phrase first: a
    written clause has one to three, and a page run together without punctuation must not make
    every repeated trigger re-read the same clause (time would grow with the square of its length).
    """
    groups: dict[tuple[int, int], list[Hit[Label]]] = {}
    for hit in triggers:
        groups.setdefault(s.clause_of(hit.start), []).append(hit)
    return [_sample(group) if len(group) > MAX_TRIGGERS_PER_CLAUSE else group for group in groups.values()]


MAX_TRIGGERS_PER_CLAUSE = 3


def _sample(triggers: list[Hit[Label]]) -> list[Hit[Label]]:
    """Up to `MAX_TRIGGERS_PER_CLAUSE` triggers, each phrase's first occurrence first, in text order."""
    firsts: dict[str, Hit[Label]] = {}
    for hit in triggers:
        firsts.setdefault(hit.phrase, hit)
    rest = [h for h in triggers if firsts[h.phrase] is not h]
    chosen = {id(h) for h in [*firsts.values(), *rest][:MAX_TRIGGERS_PER_CLAUSE]}
    return [h for h in triggers if id(h) in chosen]
