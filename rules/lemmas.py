# SPDX-License-Identifier: MIT
"""Word forms by lemma: what a phrase's `=lemma` token matches.

A rule names a verb or a noun once, by its lemma (`=detenir`, `=own`, `=contrat`), and matches
every inflection of it: « détiendrait », « détiendra », « détient », « détenu »; "owns",
"owned", "owning"; « contrats ». The forms come from simplemma's English and French
dictionaries (shipped inside its wheel: no download), read backwards: every word form whose
lemma is the one named, in either language, folded as the text is (`rules.text.fold`).

The dictionaries have gaps a rule must not fall into: a participle used as an adjective or a
noun is its own lemma (« engagé », « détenu », « acquis »; "buying", "holding"), and a few
common forms are missing (« renonce »). So the regular forms are added to the dictionary's: in
French the participles and the present of an `-er` verb (« engagé », « renonce », « contrôle »),
the participles of `-enir`, `-endre`, `-ettre`, `-querir`, `-ire` (« produit ») and `-ir` verbs
(a form that is no word costs nothing: no text holds it); in English -s, -ed and -ing, when the
dictionary knows the word as its own lemma or ours ("taped" is tape's, not tap's).

Decoding both dictionaries takes about 0.4 s, more than loading every rule; so the forms of the
lemmas the rules use are kept in `vocab/lemmas.json`, read at load, and simplemma is only
asked for a lemma that file lacks (tests/test_lemmas.py checks the file against simplemma;
`python -m rules.lemmas` rewrites it).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from rules.text import fold

CACHE = Path(__file__).parent / "vocab" / "lemmas.json"
LANGUAGES = ("en", "fr")
_FORM = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")

# The regular forms a French dictionary may lack, by the lemma's ending: (ending, [its replacements]).
_FRENCH_PARADIGMS = (
    ("querir", ["quis", "quise", "quises"]),
    ("enir", ["enu", "enue", "enus", "enues"]),
    ("endre", ["endu", "endue", "endus", "endues"]),
    ("ettre", ["is", "ise", "ises"]),
    ("ire", ["it", "its", "ite", "ites"]),
    ("er", ["e", "es", "ent", "ons", "ez", "ee", "ees", "ant", "era", "eront", "erait", "eraient", "ait", "aient"]),
    ("ir", ["i", "ie", "is", "ies", "it", "issent", "ira", "iront", "irait", "iraient", "issait", "issaient"]),
)


def forms(lemma: str) -> tuple[str, ...]:
    """The folded word forms of `lemma` (itself folded), longest first, the lemma among them."""
    cached = _cached().get(lemma)
    return tuple(cached) if cached is not None else compute(lemma)


_FUTURE_ENDINGS = ("ai", "as", "a", "ons", "ez", "ont")


def french_futures(lemma: str) -> tuple[str, ...]:
    """The French simple future of a verb named by its lemma: « louera », « détiendra », « produira ».

    Read off its forms: an `-er` or `-ir` verb's future is its infinitive and an ending (« utilisera »);
    any other verb's ends in r and an ending (« prendra », « détiendra », « pourra »). An `-er` verb's
    simple past can look the same (« déclara ») and is left out by the first rule. English forms never
    end so: "offer" has no "offera".
    """
    return _futures(lemma, forms(lemma))


def _futures(lemma: str, words: Iterable[str]) -> tuple[str, ...]:
    if not lemma.endswith(("er", "ir", "re", "oir")):
        return ()
    base = lemma if lemma.endswith(("er", "ir")) else lemma[:-1]
    found = []
    for form in words:
        for ending in _FUTURE_ENDINGS:
            if form.endswith(ending):
                stem = form[: -len(ending)]
                if stem == base or (not lemma.endswith("er") and stem.endswith("r") and len(stem) > 2):
                    found.append(form)
                    break
    return tuple(found)


def french_conditionals(lemma: str) -> tuple[str, ...]:
    """The French present conditional (third person) of a verb named by its lemma: « détiendrait »,
    « produiraient », « investirait »: its future's stem and -ait, -aient.

    Read off the futures, so that the imperfect stays out: « déclarait » (the stem of the simple past
    « déclara », not of a future), « ouvrait » (no « ouvra »).
    """
    return _conditionals(lemma, forms(lemma))


def _conditionals(lemma: str, words: Iterable[str]) -> tuple[str, ...]:
    words = tuple(words)
    stems = {form[:-1] for form in _futures(lemma, words) if form.endswith("a")}
    return tuple(f for f in words if f.endswith(("ait", "aient")) and f[: f.rindex("a")] in stems)


def conditional_forms() -> frozenset[str]:
    """The third-person conditional of every French verb simplemma knows (« dépasserait »,
    « louerait », « proviendraient »): a reported claim, whichever verb carries it. Kept in
    `vocab/lemmas.json` like the forms (reading them off the dictionary takes 0.4 s)."""
    cached = _cached_conditionals()
    return cached if cached is not None else all_french_conditionals()


def all_french_conditionals() -> frozenset[str]:
    """`conditional_forms` read off simplemma's French dictionary."""
    found: set[str] = set()
    for lemma, words in _inverse("fr").items():
        found.update(_conditionals(lemma, words))
    return frozenset(found)


@cache
def _cache_file() -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(CACHE.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return data


def _cached() -> dict[str, list[str]]:
    forms_by_lemma: dict[str, list[str]] = _cache_file().get("forms", {})
    return forms_by_lemma


@cache
def _cached_conditionals() -> frozenset[str] | None:
    words = _cache_file().get("french_conditionals")
    return frozenset(words) if words is not None else None


def compute(lemma: str) -> tuple[str, ...]:
    """The forms of `lemma` from simplemma's dictionaries and the regular French paradigms."""
    found = {lemma}
    for language in LANGUAGES:
        found.update(_inverse(language).get(lemma, ()))
    if lemma in _inverse("en"):
        # An English gerund or participle used as a noun or adjective is its own lemma ("buying",
        # "building", "holding"): the regular forms are added when the dictionary knows them as words.
        lemma_of = _lemma_of("en")
        found.update(word for word in _english_regular(lemma) if lemma_of.get(word) in (word, lemma))
    for ending, replacements in _FRENCH_PARADIGMS if lemma in _inverse("fr") else ():
        if lemma.endswith(ending) and len(lemma) > len(ending) + 2:
            stem = lemma[: -len(ending)]
            found.update(stem + r for r in replacements)
            break
    return tuple(sorted((f for f in found if _FORM.fullmatch(f)), key=lambda f: (-len(f), f)))


def _english_regular(lemma: str) -> list[str]:
    """Candidate regular forms of an English verb or noun: -s, -es, -ed, -d, -ing, with a doubled
    last consonant (tapping) or a dropped e (using)."""
    stems = [lemma, lemma + lemma[-1]]
    if lemma.endswith("e"):
        stems.append(lemma[:-1])
    if lemma.endswith("y"):
        stems.append(lemma[:-1] + "i")
    return [lemma + "s", lemma + "es", lemma + "d"] + [stem + end for stem in stems for end in ("ed", "ing", "es")]


@cache
def _lemma_of(language: str) -> dict[str, str]:
    """Word form → lemma of one simplemma dictionary, both folded: a candidate form is kept when it
    is its own lemma ("buying") or ours, not a form of another word ("taped" is tape's, not tap's)."""
    return {form: lemma for lemma, forms in _inverse(language).items() for form in forms}


@cache
def _inverse(language: str) -> dict[str, frozenset[str]]:
    """Lemma → word forms of one simplemma dictionary, both folded."""
    from simplemma.strategies.dictionaries.dictionary_factory import DefaultDictionaryFactory

    inverse: dict[str, set[str]] = {}
    for form, lemma in DefaultDictionaryFactory().get_dictionary(language).items():
        inverse.setdefault(fold(lemma).lower(), set()).add(fold(form).lower())
    return {lemma: frozenset(words) for lemma, words in inverse.items()}


def write_cache(lemmas: set[str], path: Path = CACHE) -> None:
    """Write the forms of `lemmas` to `path` (what `forms` reads first)."""
    from importlib.metadata import version

    head = {
        "about": "Word forms of the lemmas the rules name (=lemma); written by `python -m rules.lemmas`.",
        "simplemma": version("simplemma"),
    }
    # One lemma a line: a rule's new lemma is one line of the diff.
    lines = [f"{json.dumps(k)}: {json.dumps(v)}," for k, v in head.items()]
    forms_lines = [f"  {json.dumps(lemma)}: {json.dumps(list(compute(lemma)))}" for lemma in sorted(lemmas)]
    conditionals = sorted(all_french_conditionals())
    # Twenty words a line, so that a change of simplemma shows as a few lines.
    rows = [json.dumps(conditionals[i : i + 20])[1:-1] for i in range(0, len(conditionals), 20)]
    text = (
        "{\n" + "\n".join(lines) + '\n"forms": {\n' + ",\n".join(forms_lines) + "\n},\n"
        '"french_conditionals": [\n' + ",\n".join(rows) + "\n]\n}\n"
    )
    json.loads(text)  # what `forms` will read
    path.write_text(text, encoding="utf-8")


def used_lemmas(rules_dir: Path | None = None) -> set[str]:
    """Every `=lemma` the rule files under `rules_dir` name."""
    root = rules_dir or Path(__file__).parent
    found: set[str] = set()
    for path in sorted(root.glob("*/*.toml")):
        text = fold(path.read_text(encoding="utf-8"))
        found.update(m.group(1) for m in re.finditer(r"(?<![\w=])=([a-z0-9'-]+)", text))
    return found


if __name__ == "__main__":  # python -m rules.lemmas: rewrite the cache for the lemmas the rules use
    write_cache(used_lemmas())
    print(f"{CACHE}: {len(used_lemmas())} lemmas", file=sys.stderr)
