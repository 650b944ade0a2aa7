# SPDX-License-Identifier: MIT
"""Signals: sentences about the relationship that speak of a change no rule foresaw.

The rules read what someone wrote a rule for; a shift nobody anticipated (an
AGI expert panel, a carve-out for government customers, a revenue-share
change) passes them by. A **signal** is a sentence that

1. speaks about the relationship: it names both parties (Microsoft or Azure,
   and OpenAI), or one of them and a compute or contract term (a facet's
   trigger, or a word of `TERMS`: contract, exclusivity, capacity, revenue
   share, « droit », « centre de données »…);
2. with a verb of change, in every inflection: a strong one (`STRONG_VERBS`,
   `STRONG_NOUNS`: amend, renegotiate, waive, carve out, « renégocier »,
   « assouplir », "an amendment"), or a weak one (`WEAK_VERBS`: allow, extend,
   remove, « autoriser », « élargir ») with a marker of change ("now", "no
   longer", « désormais », the rules' `ended` and `exception` cues);
3. that no rule turned into a claim (it is no claim's evidence in its article);
4. is not a question, not negated, supposed or told as history (the rules'
   cues), not market talk ("shares gained"), and is new against everything
   known: no sentence of the seeds, no earlier claim's evidence and no earlier
   signal is close to it (rapidfuzz's token-set similarity on content words,
   `Novelty`). Close to an earlier signal, it is another source of that
   signal, as a second report of a change is.

Parties come from the rules' own entity lexicon (`RuleSet.lexicon`: every
alias and epithet, English and French), facet triggers and cues likewise
(`RuleSet.cue_lexicon`, `rules.scan.resolve_overlaps`); our words and their
inflections are in `signal_words.py`. Tuned on corpus/dev2 (ids not a
multiple of 3), measured by tools/signal_figures.py: see docs/SIGNALS.md.

    detector = SignalDetector(engine.rules)
    found = detector.candidates(text, title=title, claims=extraction.claims)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from monitor.errors import InputError
from monitor.judging.alerts import Receiver, queue
from monitor.judging.baseline import load_manifest
from monitor.judging.signal_words import (
    MARKER_CUES,
    MARKERS,
    MARKET_WORDS,
    NEGATIONS,
    SILENCING_CUES,
    STOPWORDS,
    STRONG_NOUNS,
    STRONG_VERBS,
    TERMS,
    WEAK_VERBS,
    Words,
)
from monitor.urls import shown_source
from rules.loader import RuleSet
from rules.model import Claim
from rules.phrases import Tokens
from rules.scan import resolve_overlaps
from rules.text import fold, split_sentences
from seeds import SEEDS_DIR
from storage import Article, Store, StoredSignal
from storage.records import happened_on

MICROSOFT = frozenset({"microsoft", "azure"})
OPENAI = frozenset({"openai"})
# How close (0-100, rapidfuzz token-set ratio over content words) a sentence must be to a known one
# to say nothing new; tuned on corpus/dev2 (ids not a multiple of 3): see tools/signal_figures.py.
SIMILAR = 72
MIN_WORDS, MAX_WORDS = 6, 80  # a headline fragment says too little to triage; a run-on page is no sentence


@dataclass(frozen=True)
class Candidate:
    """A sentence that may be a signal: what it names, and why it was kept."""

    sentence: str
    folded: str
    parties: tuple[str, ...]  # entity ids named (rules' vocabulary)
    terms: tuple[str, ...]  # compute or contract terms, and facets whose triggers hit (facet ids)
    verbs: tuple[str, ...]  # the words of change found

    @property
    def id(self) -> str:
        """Stable: the same sentence (folded, words only) from any source gives the same id."""
        return "sig_" + hashlib.sha256(" ".join(content_words(self.folded)).encode()).hexdigest()[:20]


@dataclass
class Novelty:
    """What is known, as sentences: is a new one close to any of them, and to which?

    `known` are sentences that say nothing new (the seeds', earlier evidence); `signals`
    earlier signals by id: a sentence close to one is a further source of it.
    """

    known: list[str] = field(default_factory=list)
    signals: dict[str, str] = field(default_factory=dict)  # id -> words
    threshold: int = SIMILAR

    def add_known(self, sentences: Iterable[str]) -> None:
        self.known.extend(w for w in (_words(s) for s in sentences) if w)

    def add_signal(self, signal_id: str, sentence: str) -> None:
        self.signals[signal_id] = _words(sentence)

    def is_known(self, sentence: str) -> bool:
        words = _words(sentence)
        return bool(self.known) and _best(words, self.known, self.threshold) is not None

    def signal_like(self, sentence: str) -> str | None:
        """The id of an earlier signal this sentence repeats, if any."""
        words = _words(sentence)
        ids = list(self.signals)
        found = _best(words, [self.signals[i] for i in ids], self.threshold)
        return ids[found] if found is not None else None


def _best(words: str, choices: list[str], threshold: int) -> int | None:
    if not words or not choices:
        return None
    match = process.extractOne(words, choices, scorer=fuzz.token_set_ratio, score_cutoff=threshold)
    return None if match is None else int(match[2])


def _words(sentence: str) -> str:
    return " ".join(content_words(fold(sentence)))


_WORD = re.compile(r"[a-z0-9]+")


def content_words(folded: str) -> list[str]:
    """The words that carry a sentence's meaning, in order: folded, no function words."""
    return [w for w in _WORD.findall(folded) if w not in STOPWORDS and len(w) > 1]


@cache
def seed_sentences(seeds_dir: Path = SEEDS_DIR) -> tuple[str, ...]:
    """Every sentence of the seeds: what the baseline was read from, so known by definition."""
    found: list[str] = []
    for seed in load_manifest(seeds_dir / "manifest.toml"):
        text = (seeds_dir / seed.file).read_text(encoding="utf-8")
        found.extend(s.text for s in split_sentences(text))
    return tuple(found)


def baseline_novelty(*, threshold: int = SIMILAR) -> Novelty:
    """A Novelty that knows the seeds' sentences (what `monitor check` measures against)."""
    novelty = Novelty(threshold=threshold)
    novelty.add_known(seed_sentences())
    return novelty


def new_signals(
    detector: SignalDetector,
    text: str,
    *,
    title: str = "",
    claims: Iterable[Claim] = (),
    novelty: Novelty | None = None,
) -> list[Candidate]:
    """The signals of one document against what `novelty` knows (default: the seeds' sentences), as
    `monitor check` and tools/signal_figures.py find them: a repeat within the document counts once."""
    novelty = novelty or baseline_novelty()
    found = []
    for candidate in detector.candidates(text, title=title, claims=claims):
        if novelty.is_known(candidate.sentence) or novelty.signal_like(candidate.sentence):
            continue
        novelty.add_signal(candidate.id, candidate.sentence)
        found.append(candidate)
    return found


class SignalDetector:
    """Find the candidate signals of a document: steps 1 to 3 and the question test of the module docstring."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._strong = Words(STRONG_VERBS, inflect=True) | Words(STRONG_NOUNS, inflect=False)
        self._weak = Words(WEAK_VERBS, inflect=True)
        self._markers = Words(MARKERS, inflect=False)
        self._terms = Words(TERMS, inflect=False)

    def candidates(self, text: str, *, title: str = "", claims: Iterable[Claim] = ()) -> list[Candidate]:
        """The sentences of `text` (and its title) that may be signals, in text order."""
        evidence = {_words(c.evidence) for c in claims if c.evidence}
        body = f"{' '.join(title.split())}\n{text}" if title else text
        found: list[Candidate] = []
        for sentence in split_sentences(body):
            candidate = self.read(sentence.text)
            if candidate is not None and _words(candidate.sentence) not in evidence:
                found.append(candidate)
        return found

    def read(self, sentence: str) -> Candidate | None:
        """`sentence` as a candidate, or None when it does not speak of a change in the relationship."""
        sentence = " ".join(sentence.split())
        if sentence.endswith("?") or not MIN_WORDS <= len(sentence.split()) <= MAX_WORDS:
            return None
        folded = fold(sentence)  # lowercase, no accents, straight quotes
        tokens = Tokens(folded)
        # cheapest first: most sentences hold no word of change, and need no lexicon pass
        strong, weak = self._strong.found(tokens), self._weak.found(tokens)
        if not (strong or weak) or MARKET_WORDS.intersection(tokens.words):
            return None
        hits = self.rules.lexicon.find(tokens)
        parties = {h.label[1] for h in hits if h.label[0] == "entity"}
        facets = {h.label[1] for h in hits if h.label[0] == "trigger"}
        ours = parties & MICROSOFT, parties & OPENAI
        if not any(ours):
            return None
        terms = sorted(facets | self._terms.found(tokens))
        if not (all(ours) or terms):
            return None
        # the shared cues only: a facet's own ("other providers" ends Azure's exclusivity) speaks for it alone
        cue_hits = resolve_overlaps(self.rules.cue_lexicon.find(tokens))
        cues = {h.label[1] for h in cue_hits if h.label[0] == "cue" and h.label[2] == ""}
        if cues & SILENCING_CUES or NEGATIONS.intersection(tokens.words):
            return None
        verbs = strong or (weak if cues & MARKER_CUES or self._markers.found(tokens) else set())
        if not verbs:
            return None
        return Candidate(sentence, folded, tuple(sorted(parties)), tuple(terms), tuple(sorted(verbs)))


SIGNAL_FLAGGED = "signal.flagged"
KINDS = ("new", "changed", "reversed")


def signal_label(*, facet: str, kind: str, key: str | None = None, note: str | None = None) -> dict[str, str]:
    """An analyst's label for a promoted signal, checked against the rules' facets; a facet with a key
    of its own (`azure.rofr`: microsoft) needs none given. Raises InputError naming the bad value."""
    from rules.loader import load_rules

    rules = load_rules()
    rule = rules.facets.get(facet)
    if rule is None:
        raise InputError(f"--facet {facet}: no such facet (one of {', '.join(sorted(rules.facets))})")
    if kind not in KINDS:
        raise InputError(f"--kind {kind}: expected one of {', '.join(KINDS)}")
    key = (key or rule.key or "").strip().lower()
    if not key:
        raise InputError(f"--key: {facet} takes a key (the provider or partner, e.g. aws)")
    if rule.key and key != rule.key:
        raise InputError(f"--key {key}: {facet} has the one key {rule.key}")
    label = {"facet": facet, "key": key, "kind": kind}
    return {**label, "note": note} if note else label


class SignalBook:
    """The signals of one cycle (or one daemon's life): finds them in each recorded article, stores
    new ones, attaches repeats, and queues their alerts when configured (`[signals] alert`).

    What is known — the seeds' sentences, every stored claim's evidence, the stored signals — is
    loaded when the first candidate needs it, then kept up to date as articles are recorded.

        book = SignalBook(engine.rules, channels=channels if config.signals.alert else ())
        record_article(store, engine, state, article, signals=book)
    """

    def __init__(self, rules: RuleSet, *, channels: Sequence[Receiver] = (), similar: int = SIMILAR) -> None:
        self.detector = SignalDetector(rules)
        self.channels = tuple(channels)
        self.similar = similar
        self.flagged: list[str] = []  # ids of the signals this book stored
        self._novelty: Novelty | None = None

    def record(self, store: Store, article: Article, claims: Iterable[Claim], *, run_id: int | None) -> list[str]:
        """Find `article`'s signals (inside its transaction); the ids of the new ones."""
        claims = list(claims)
        found = self.detector.candidates(article.text, title=article.title, claims=claims)
        novelty = self._known(store) if found else self._novelty
        new: list[str] = []
        for candidate in found:
            assert novelty is not None
            repeated = novelty.signal_like(candidate.sentence)
            if repeated is not None:
                store.signals.attach(repeated, article.id)
                continue
            if novelty.is_known(candidate.sentence):
                continue
            if store.signals.add(_row(candidate, article), article_id=article.id):
                new.append(candidate.id)
                self._queue(store, candidate.id, run_id)
            novelty.add_signal(candidate.id, candidate.sentence)
        if novelty is not None:
            novelty.add_known(c.evidence for c in claims if c.evidence)
        self.flagged += new
        return new

    def _known(self, store: Store) -> Novelty:
        if self._novelty is None:
            novelty = baseline_novelty(threshold=self.similar)
            novelty.add_known(store.evidence_sentences())
            for signal_id, sentence in store.signals.sentences():
                novelty.add_signal(signal_id, sentence)
            self._novelty = novelty
        return self._novelty

    def _queue(self, store: Store, signal_id: str, run_id: int | None) -> None:
        stored = store.signals.get(signal_id)
        if stored is not None and self.channels:
            queue(store, self.channels, event=SIGNAL_FLAGGED, event_key=signal_id,
                  payload={"type": SIGNAL_FLAGGED, "signal": signal_json(stored)}, run_id=run_id)  # fmt: skip


def signal_json(signal: StoredSignal) -> dict[str, Any]:
    """A signal as `monitor signals --json` and its alerts show it (source URLs without credentials)."""
    return {**signal.to_json(), "sources": [shown_source(s) for s in signal.sources]}


def _row(candidate: Candidate, article: Article) -> dict[str, Any]:
    return {
        "id": candidate.id, "sentence": candidate.sentence, "lang": article.lang, "parties": candidate.parties,
        "terms": candidate.terms, "verbs": candidate.verbs,
        "happened_at": happened_on(None, article.published, article.fetched_at),
    }  # fmt: skip
