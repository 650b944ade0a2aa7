# SPDX-License-Identifier: MIT
"""The words signals look for (monitor/judging/signals.py), English and French, and how they are found.

Verbs are named by lemma and matched in every inflection: their forms come from
the rules' lemma data (`rules.lemmas.forms`, simplemma's dictionaries plus the
regular French forms), kept in `signal_words.json` because decoding the
dictionaries takes a second; `python -m monitor.judging.signal_words` rewrites
the file after a verb is added (tests/test_signals.py says when it is stale).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from rules.phrases import Tokens

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
# Words too common to tell two sentences apart: left out of the similarity
STOPWORDS = frozenset({
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "with", "by", "at", "from", "as", "is", "are",
    "was", "were", "be", "been", "that", "this", "it", "its", "their", "his", "her", "will", "would", "has",
    "have", "had", "not", "but", "also", "which", "who", "than", "more", "most", "into", "over", "about", "after",
    "before", "new", "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "et", "ou", "en", "dans", "sur",
    "pour", "par", "avec", "au", "aux", "est", "sont", "ete", "etre", "que", "qui", "qu", "ce", "cette",
    "ces", "son", "sa", "ses", "leur", "leurs", "se", "s", "ne", "pas", "plus", "il", "elle", "ils", "elles", "y",
})  # fmt: skip
WORDS_CACHE = Path(__file__).with_name("signal_words.json")


class Words:
    """Words and phrases to find in a folded sentence: one word by set look-up, a phrase by regex."""

    def __init__(self, lemmas: Iterable[str], *, inflect: bool) -> None:
        self.single: dict[str, str] = {}  # form -> lemma
        self.phrases: list[tuple[frozenset[str], re.Pattern[str], str]] = []  # (its first words, regex, lemma)
        for lemma in lemmas:
            head, _, rest = lemma.partition(" ")
            heads = inflected(head) if inflect else (head,)
            if rest:
                alternatives = "|".join(re.escape(h) for h in heads)
                pattern = re.compile(rf"\b(?:{alternatives})\s+{re.escape(rest)}\b")
                self.phrases.append((frozenset(heads), pattern, lemma))
            else:
                self.single.update((form, lemma) for form in heads)

    def __or__(self, other: Words) -> Words:
        merged = Words((), inflect=False)
        merged.single = {**other.single, **self.single}
        merged.phrases = self.phrases + other.phrases
        return merged

    def found(self, tokens: Tokens) -> set[str]:
        hits = {self.single[w] for w in tokens.words if w in self.single}
        words = tokens.words
        hits |= {lemma for heads, pattern, lemma in self.phrases
                 if not heads.isdisjoint(words) and pattern.search(tokens.text)}  # fmt: skip
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
