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
   cues), not market talk ("shares gained"), and is new against everything known: no sentence of the
   seeds, no earlier claim's evidence and no earlier signal is close to it
   (rapidfuzz's token-set similarity on folded words, `Novelty`). Close to
   an earlier signal, it is another source of that signal, as a second report
   of a change is.

Parties come from the rules' own entity lexicon (`RuleSet.lexicon`: every alias and
epithet, English and French), facet triggers likewise, and the inflections of
our verbs from the rules' lemma data (`rules.lemmas.forms`), cached in
`signal_words.json` (`python -m monitor.judging.signals` rewrites it).

    detector = SignalDetector(engine.rules)
    found = detector.candidates(text, title=title, claims=extraction.claims)
"""

from __future__ import annotations

import hashlib
import json
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
from monitor.judging.events import shown_source
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
# to say nothing new; tuned on corpus/dev2 (ids not a multiple of 3): see bench/signals.py.
SIMILAR = 72
MIN_WORDS, MAX_WORDS = 6, 80  # a headline fragment says too little to triage; a run-on page is no sentence

# Lemmas, English and French; a phrase's first word is inflected, the rest is literal ("carve out").
# A strong verb of change speaks of a change by itself; a weak one ("allow", « créer », "extend") is as
# often a description ("a platform that lets firms build agents"), so it needs a marker of change too.
STRONG_VERBS = (
    "amend", "revise", "renegotiate", "rework", "overhaul", "rewrite", "redraw", "redefine", "waive", "rescind",
    "revoke", "relinquish", "terminate", "scrap", "exempt", "carve out", "loosen", "tighten", "sever", "part ways",
    "unwind", "amender", "reviser", "renegocier", "remanier", "refondre", "redefinir", "revoquer", "resilier",
    "renoncer", "assouplir", "durcir", "exempter", "plafonner", "rompre",
)  # fmt: skip
WEAK_VERBS = (
    "alter", "modify", "change", "restructure", "replace", "remove", "drop", "end", "cancel", "add", "introduce",
    "create", "establish", "grant", "allow", "permit", "let", "require", "oblige", "force", "verify", "extend",
    "expand", "broaden", "widen", "narrow", "limit", "restrict", "reduce", "lower", "raise", "increase",
    "double", "halve", "cap", "lift", "shift", "switch", "transfer", "split", "renew", "expire", "lose",
    "reset", "reshape", "pursue", "changer", "modifier", "restructurer", "remplacer", "supprimer", "retirer",
    "abandonner", "annuler", "lever", "ajouter", "introduire", "creer", "instaurer", "etablir", "accorder",
    "octroyer", "autoriser", "permettre", "exiger", "obliger", "imposer", "verifier", "etendre", "elargir",
    "prolonger", "restreindre", "limiter", "reduire", "diminuer", "baisser", "augmenter", "relever", "doubler",
    "exclure", "transferer", "basculer", "separer", "renouveler", "expirer", "perdre", "liberer", "revoir",
    "poursuivre", "mettre fin", "prendre fin",
)  # fmt: skip
STRONG_NOUNS = (
    "amendment", "amendments", "revision", "revisions", "overhaul", "carve-out", "carveout", "exemption", "waiver",
    "renegotiation", "amendement", "amendements", "renegociation", "refonte", "derogation", "assouplissement",
    "exception", "exceptions",
)  # fmt: skip
# Markers of change, with a weak verb: "will now", « désormais », "no longer"; the rules' `ended` and
# `exception` cues count as well.
MARKERS = ("now", "no longer", "henceforth", "from now on", "going forward", "any more", "anymore", "desormais",
           "dorenavant", "a l'avenir", "new terms", "revised", "nouvelles conditions")  # fmt: skip
# A sentence the rules' cues mark so says no change: it denies one, supposes one, or tells the past.
SILENCING_CUES = frozenset({"negation", "hypothetical", "history"})
# English contractions the cue lexicon's words do not reach ("didn't" is the words "didn" and "t")
NEGATIONS = frozenset({"didn", "doesn", "don", "won", "isn", "wasn", "aren", "weren", "hasn", "haven", "hadn",
                       "cannot", "wouldn", "shouldn", "couldn"})  # fmt: skip
MARKER_CUES = frozenset({"ended", "exception"})
# Markets talk: a share price "gains", a stock "drops"; never the relationship's terms
MARKET_WORDS = frozenset({"shares", "stock", "stocks", "nasdaq", "investors", "analysts", "action", "actions",
                          "bourse", "boursier", "boursiere", "cours", "actionnaires", "wall"})  # fmt: skip
TERMS = (
    # English
    "contract", "agreement", "deal", "partnership", "terms", "clause", "provision", "compute", "cloud",
    "capacity", "exclusivity", "exclusive", "exclusively", "right", "rights", "license", "licence", "licensing",
    "revenue", "revenue share", "revenue-sharing", "stake", "equity", "agi", "data center", "data centre",
    "gpu", "gpus", "chip", "chips", "infrastructure", "servers", "api", "ip", "intellectual property",
    "governance", "board", "panel", "customers", "models",
    # French
    "contrat", "accord", "partenariat", "conditions", "clause", "calcul", "capacite", "capacites",
    "exclusivite", "exclusif", "exclusive", "droit", "droits", "licence", "revenus", "chiffre d'affaires",
    "participation", "capital", "centre de donnees", "centres de donnees", "puces", "infrastructure",
    "serveurs", "propriete intellectuelle", "gouvernance", "conseil", "comite", "clients", "modeles",
    "informatique en nuage", "nuage",
)  # fmt: skip
# Words too common to tell two sentences apart: left out of the similarity
STOPWORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "with",
        "by",
        "at",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "that",
        "this",
        "it",
        "its",
        "their",
        "his",
        "her",
        "will",
        "would",
        "has",
        "have",
        "had",
        "not",
        "but",
        "also",
        "which",
        "who",
        "than",
        "more",
        "most",
        "into",
        "over",
        "about",
        "after",
        "before",
        "new",
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "des",
        "de",
        "du",
        "d",
        "et",
        "ou",
        "en",
        "dans",
        "sur",
        "pour",
        "par",
        "avec",
        "au",
        "aux",
        "a",
        "est",
        "sont",
        "ete",
        "etre",
        "que",
        "qui",
        "qu",
        "ce",
        "cette",
        "ces",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "se",
        "s",
        "ne",
        "pas",
        "plus",
        "il",
        "elle",
        "ils",
        "elles",
        "y",
    ]
)
WORDS_CACHE = Path(__file__).with_name("signal_words.json")


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

    @property
    def facets(self) -> tuple[str, ...]:
        return tuple(t for t in self.terms if "." in t or t == "stargate")


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


class SignalDetector:
    """Find the candidate signals of a document: steps 1 to 3 and the question test of the module docstring."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._strong = _Words(STRONG_VERBS, inflect=True) | _Words(STRONG_NOUNS, inflect=False)
        self._weak = _Words(WEAK_VERBS, inflect=True)
        self._markers = _Words(MARKERS, inflect=False)
        self._terms = _Words(TERMS, inflect=False)

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
        folded = fold(sentence).lower()
        tokens = Tokens(folded)
        hits = self.rules.lexicon.find(tokens)
        parties = {h.label[1] for h in hits if h.label[0] == "entity"}
        facets = {h.label[1] for h in hits if h.label[0] == "trigger"}
        ours = parties & MICROSOFT, parties & OPENAI
        if not any(ours):
            return None
        terms = sorted(facets | self._terms.found(tokens))
        if not (all(ours) or terms):
            return None
        if MARKET_WORDS.intersection(tokens.words):
            return None
        # the shared cues only: a facet's own ("other providers" ends Azure's exclusivity) speaks for it alone
        hits = resolve_overlaps(self.rules.cue_lexicon.find(tokens))
        cues = {h.label[1] for h in hits if h.label[0] == "cue" and h.label[2] == ""}
        if cues & SILENCING_CUES or NEGATIONS.intersection(tokens.words):
            return None
        verbs = self._strong.found(tokens)
        if not verbs and (cues & MARKER_CUES or self._markers.found(tokens)):
            verbs = self._weak.found(tokens)
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


class _Words:
    """Words and phrases to find in a folded sentence: one word by set look-up, a phrase by regex."""

    def __init__(self, lemmas: Iterable[str], *, inflect: bool) -> None:
        self.single: dict[str, str] = {}  # form -> lemma
        self.phrases: list[tuple[re.Pattern[str], str]] = []
        for lemma in lemmas:
            head, _, rest = lemma.partition(" ")
            heads = inflected(head) if inflect else (head,)
            if rest:
                alternatives = "|".join(re.escape(h) for h in heads)
                self.phrases.append((re.compile(rf"\b(?:{alternatives})\s+{re.escape(rest)}\b"), lemma))
            else:
                self.single.update((form, lemma) for form in heads)

    def __or__(self, other: _Words) -> _Words:
        merged = _Words((), inflect=False)
        merged.single = {**other.single, **self.single}
        merged.phrases = self.phrases + other.phrases
        return merged

    def found(self, tokens: Tokens) -> set[str]:
        hits = {self.single[w] for w in tokens.words if w in self.single}
        hits |= {lemma for pattern, lemma in self.phrases if pattern.search(tokens.text)}
        return hits


def inflected(lemma: str) -> tuple[str, ...]:
    """The forms of `lemma`, from the cache file, else from the rules' lemma data (slower: it decodes
    simplemma's dictionaries)."""
    cached = _cached_forms().get(lemma)
    if cached is not None:
        return tuple(cached)
    from rules.lemmas import forms

    return forms(lemma)


@cache
def _cached_forms() -> dict[str, list[str]]:
    try:
        data: dict[str, list[str]] = json.loads(WORDS_CACHE.read_text(encoding="utf-8"))["forms"]
    except FileNotFoundError:
        return {}
    return data


def verb_lemmas() -> list[str]:
    """The lemmas whose forms the cache holds: the first word of each change verb."""
    return sorted({verb.partition(" ")[0] for verb in STRONG_VERBS + WEAK_VERBS})


def write_words_cache(path: Path = WORDS_CACHE) -> None:
    """Write the forms of every change verb to `path` (read by `inflected`)."""
    from rules.lemmas import forms

    lines = [f"  {json.dumps(lemma)}: {json.dumps(list(forms(lemma)))}" for lemma in verb_lemmas()]
    about = json.dumps("Forms of the change verbs of monitor/judging/signals.py; `python -m monitor.judging.signals`.")
    text = '{\n"about": ' + about + ',\n"forms": {\n' + ",\n".join(lines) + "\n}\n}\n"
    json.loads(text)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_words_cache()
