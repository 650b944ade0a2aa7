# SPDX-License-Identifier: MIT
"""The engine's speed-ups for 200 KB without full stops (issue 13, French) change nothing it finds.

Each faster piece is held to the code it replaced, kept here as the reference: the same results on
texts Hypothesis draws (deterministic by default, see tests/test_properties.py's `PROPERTIES_SCALE`)
and on the rule cases.
"""

from __future__ import annotations

import os
import random
import re
import tomllib
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules import clause, values
from rules import engine as engine_module
from rules import phrases as phrases_module
from rules import scan as scan_module
from rules import text as text_module
from rules.engine import _DATE_WORDS, Engine, _mentions_time
from rules.loader import FacetRule, Label
from rules.phrases import Hit, Lexicon, Tokens, in_text_order
from rules.scan import ScannedSentence
from rules.text import Sentence, detect_language, fold

T = TypeVar("T")
ENGINE = Engine.load()
TESTS = Path(__file__).parent
SCALE = int(os.environ.get("PROPERTIES_SCALE", "1"))
_BASE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=SCALE == 1, database=None)


def _examples(count: int) -> settings:
    return settings(_BASE, max_examples=count * SCALE)


# --- hits: plain slots, not a frozen dataclass ---------------------------------------------------------


@dataclass(frozen=True)
class _FrozenHit(Generic[T]):
    """`rules.phrases.Hit` as it was."""

    label: T
    start: int
    end: int
    phrase: str


_labels = st.tuples(st.sampled_from(["cue", "trigger", "entity"]), st.sampled_from(["a", "b", ""]), st.just(""))
_hit_fields = st.tuples(_labels, st.integers(0, 5), st.integers(0, 5), st.sampled_from(["x", "y", "~"]))


@_examples(300)
@given(st.lists(_hit_fields, max_size=12))
def test_hits_compare_hash_and_print_as_frozen_ones(fields: list[tuple[tuple[str, str, str], int, int, str]]) -> None:
    new = [Hit(*f) for f in fields]
    old = [_FrozenHit(*f) for f in fields]
    for a, old_a in zip(new, old, strict=True):
        assert hash(a) == hash(old_a)
        assert repr(a) == repr(old_a).replace("_FrozenHit", "Hit")
        assert [a == b for b in new] == [old_a == old_b for old_b in old]
    assert sorted(map(new.index, set(new))) == sorted(map(old.index, set(old)))


# --- folding: a table with every character below U+0250 -------------------------------------------


def _fold_table_before() -> dict[int, str]:
    """`rules.text._fold_table` as it was: only the characters that change."""
    table: dict[int, str] = {}
    for code in range(0x250):
        char = chr(code)
        low = char.lower()
        base = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
        if len(low) == 1 and len(base) == 1 and base != char:
            table[code] = base
        elif len(low) == 1 and low != char:
            table[code] = low
    for char in text_module._SPACES:
        table[ord(char)] = " "
    for char, repl in text_module._QUOTES.items():
        table[ord(char)] = repl
    return table


_FOLD_BEFORE = _fold_table_before()


@_examples(300)
@given(st.one_of(st.text(max_size=200), st.text(alphabet=st.characters(max_codepoint=0x300), max_size=200)))
def test_fold_folds_as_before(text: str) -> None:
    assert fold(text) == text.translate(_FOLD_BEFORE)


def test_fold_folds_every_character_as_before() -> None:
    everything = "".join(map(chr, range(0x3000)))
    assert fold(everything) == everything.translate(_FOLD_BEFORE)


# Latin-1 (folded as bytes), the wide marks replaced first, and what sends a text back to the dict.
_FOLD_ALPHABET = [*map(chr, range(0x100)), "’", "‘", "“", "”", "–", "—", "\u202f", "\u2009", "ʼ", "€", "œ", "…", "Ā"]


@_examples(400)
@given(st.lists(st.sampled_from(_FOLD_ALPHABET), max_size=40).map("".join))
def test_fold_of_latin1_and_marks_as_before(text: str) -> None:
    assert fold(text) == text.translate(_FOLD_BEFORE)
    assert fold(text.replace("µ", "")) == text.replace("µ", "").translate(_FOLD_BEFORE)


# --- a sentence mentions time: its digits looked for in C ---------------------------------------------


_DIGITISH = ["a", " ", "1", "9", "\u00b2", "\u0663", "\u00bd", "\u2460", "x", *_DATE_WORDS]


@_examples(300)
@given(st.one_of(st.text(max_size=100), st.lists(st.sampled_from(_DIGITISH), max_size=8).map("".join)))
def test_mentions_time_as_before(text: str) -> None:
    sentence = ScannedSentence.scan(Sentence(text, 0, len(text), 0), fold(text), ENGINE.rules, "en", None)
    before = any(ch.isdigit() for ch in sentence.folded) or any(word in sentence.folded for word in _DATE_WORDS)
    assert _mentions_time(sentence) == before


# --- the value scan: only « d'ici » and « l'an » of the elisions; no currency tail before "%" ---------


def _scan_before() -> re.Pattern[str]:
    """`rules.values._SCAN` as it was: the prefilter admitting every elision (« d' », « l' ») and
    reading letters before looking for a "$", the currency tail tried before "%" too."""
    narrow, guard, dollar = r"|d['’]ici|l['’]an|", r"|(?!\s{0,2}%)(?:(?:", r"|(?=[^$]{0,6}+\$)(?:[a-z]"
    assert values._PREFILTER.count(narrow) == values._PREFILTER.count(dollar) == values._BODY.count(guard) == 1
    body = values._BODY.replace(guard, "|(?:(?:")
    prefilter = values._PREFILTER.replace(narrow, r"|[dl]['’]|").replace(dollar, "|(?:[a-z]")
    return re.compile(prefilter + body, re.I)


SCAN_BEFORE = _scan_before()
_ELISIONS = ["d'", "l'", "D'", "L’", "d’", "l’", "qu'", "jusqu'", "n'", "s'"]
# Every word a value can start with, and what may follow an elision or a number
_VALUE_WORDS = values._TRIGGERS + values._TRIGGER_STEMS + values._NUMBER_WORDS + values._MONTHS
_AFTER = [
    *_VALUE_WORDS, "ici", "ici 2030", "ici la fin de 2026", "an", "an dernier", "année", "annee prochaine", "an 2000",
    "OpenAI", "Azure", "exclusivité", "horizon 2030", "avril", "avril 2026", "un tiers", "US$ 5", "2026", "1er", "1,5",
    "27 %", "27%", "27  %", "27 % of", "27\u00a0%", "27 %$", "27 $", "27 €", "27 % de dollars", "27 percent",
    "27 percent billion dollars", "27-%", "environ 10 milliards", "entre 2025 et 2030", "€5bn", "a partir de mai",
    "of 2026", "%", " %", "$", "dollars", "de dollars", "milliards %", "C$ 5", "HK$", "US $ 3", "u.s. $", "US  $",
    "c   $", "u.s.  $1", "abc$", "ab  $", "$US", "A$1", "u.s.$2", "x$", "₹5",
]  # fmt: skip
_SEPARATORS = [" ", "", ", ", "\u00a0", "  ", "-"]


def _scanned(pattern: re.Pattern[str], text: str) -> list[tuple[object, ...]]:
    return [(m.span(), m.lastgroup, m.groupdict()) for m in pattern.finditer(text)]


@_examples(500)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(_ELISIONS + ["", " ", "x"]), st.sampled_from(_AFTER), st.sampled_from([" ", "", ", "])
        ),
        max_size=12,
    ).map(lambda parts: "".join(a + b + c for a, b, c in parts))
)
def test_value_scan_after_an_elision_or_a_number_as_before(text: str) -> None:
    assert _scanned(values._SCAN, text) == _scanned(SCAN_BEFORE, text)


def test_value_scan_after_each_elision_as_before() -> None:
    """Every word a value starts with, in three cases, after each elision or a number."""
    for word in _AFTER:
        for case in (str.lower, str.upper, str.title):
            for elision in [*_ELISIONS, "5 ", "27", "1,5 "]:
                for text in (
                    f"{elision}{case(word)}",
                    f"x {elision}{case(word)} 2026",
                    f"({elision}{case(word)} de 5 $",
                ):
                    assert _scanned(values._SCAN, text) == _scanned(SCAN_BEFORE, text), text


def test_value_scan_on_the_cases_as_before() -> None:
    cases = [*(TESTS / "claims").glob("*.toml"), TESTS / "values" / "cases.toml"]
    texts = [case["text"] for path in cases for case in _cases(path)]
    assert len(texts) > 500
    for text in texts:
        assert _scanned(values._SCAN, text) == _scanned(SCAN_BEFORE, text), text


def _cases(path: Path) -> list[dict[str, Any]]:
    found = tomllib.loads(path.read_text(encoding="utf-8")).get("case", [])
    return [case for case in found if isinstance(case, dict) and isinstance(case.get("text"), str)]


# --- the lexicon's hits made in a list, not a generator -----------------------------------------------


def _find_before(lexicon: Lexicon[Label], tokens: Tokens) -> list[Hit[Label]]:
    """`rules.phrases.Lexicon.find` as it was."""
    hits: list[Hit[Label]] = []
    words = tokens.words
    for index in lexicon.candidates(words):
        phrase, labels = lexicon._phrases[index]  # noqa: SLF001 - the reference reads what `find` reads
        if not phrase.may_match(words):
            continue
        spans = phrase.spans_in(tokens)
        hits.extend(Hit(label, start, end, phrase.source) for start, end in spans for label in labels)
    return in_text_order(hits)


_PHRASE_SOURCES = [
    p.source for lexicon in (ENGINE.rules.lexicon, ENGINE.rules.cue_lexicon) for p, _ in lexicon._phrases
]  # noqa: SLF001
_RULE_WORDS = sorted({word for phrase in _PHRASE_SOURCES for word in re.findall(r"[a-z']+", phrase)})


@_examples(300)
@given(st.lists(st.sampled_from([*_RULE_WORDS, *_AFTER]), max_size=60).map(" ".join))
def test_lexicons_find_as_before(text: str) -> None:
    tokens = Tokens(fold(text))
    for lexicon in (ENGINE.rules.lexicon, ENGINE.rules.cue_lexicon):
        assert lexicon.find(tokens) == _find_before(lexicon, tokens)


# --- a read sentence forgets its clauses' memos ---------------------------------------------------------


def _documents() -> list[tuple[str, str]]:
    """Pages of several rule cases each (so that sentences read their neighbours), and the cases alone."""
    cases = [case for path in sorted((TESTS / "claims").glob("*.toml")) for case in _cases(path)]
    rng = random.Random(13)
    pages = [(case["text"], case.get("published", "2025-06-01")) for case in cases]
    for _ in range(60):
        picked = rng.sample(cases, 8)
        pages.append((" ".join(c["text"] for c in picked), picked[0].get("published", "2025-06-01")))
        pages.append(("\n\n".join(c["text"] for c in picked), picked[-1].get("published", "2025-06-01")))
    return pages


def test_forgetting_clauses_changes_no_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same claims and trace as when every memo was kept to the end of the page."""
    pages = _documents()
    found = [ENGINE.extract(text, published=published, explain=True) for text, published in pages]
    monkeypatch.setattr(ScannedSentence, "forget_clauses", lambda self: None)
    kept = [ENGINE.extract(text, published=published, explain=True) for text, published in pages]
    assert [(x.claims, x.trace) for x in found] == [(x.claims, x.trace) for x in kept]
    assert sum(len(x.claims) for x in found) > 500


# --- the clause gate and the clause's cues, on sets and inline tests --------------------------------------


def _gate_before(rule: FacetRule, inside: list[Hit[Label]], s: ScannedSentence, asked: ScannedSentence | None) -> str:
    """`rules.clause._gate` as it was."""
    for group in range(rule.also_groups):
        label = ("also", rule.facet, str(group))
        if not any(h.label == label for h in inside) and not (asked and any(h.label == label for h in asked.hits)):
            return f"skipped: nothing of 'also' group {group + 1} in the clause"
    for hit in inside:
        if hit.label == ("exclude", rule.facet):
            return f"skipped: excluded by {hit.phrase!r}"
    first = clause._first_party(rule, inside) or clause._first_party(rule, s.hits)
    if first in rule.rivals:
        return f"skipped: the clause is about {first}, not {' or '.join(sorted(rule.requires[0]))}"
    return ""


def _clause_cues_before(s: ScannedSentence, facet: str, start: int, end: int) -> tuple[list[Hit[Label]], ...]:
    """`rules.clause._clause_cues` as it was: its cues, those qualifying the clause, its bad news."""
    inside = s.hits_in(start, end)
    cues = [
        h
        for h in inside
        if h.label[0] == "cue" and h.label[2] in ("", facet) and h.label[1] not in {"hedge", "conditional"}
    ]
    return (
        cues,
        [h for h in cues if h.label[1] in clause._CLAUSE_WIDE],
        [h for h in cues if h.label[1] in clause._BAD_NEWS],
    )


def _scanned_sentence(text: str) -> ScannedSentence:
    return ScannedSentence.scan(Sentence(text, 0, len(text), 0), fold(text), ENGINE.rules, "en", None)


_RULE_TEXTS = st.lists(st.sampled_from([*_RULE_WORDS, *_AFTER, ",", ";", "but", "which"]), max_size=50).map(" ".join)


@_examples(300)
@given(_RULE_TEXTS, _RULE_TEXTS)
def test_gate_and_clause_cues_as_before(text: str, question: str) -> None:
    s, asked = _scanned_sentence(text), _scanned_sentence(question)
    for rule in ENGINE.rules.facets.values():
        for start, end in [*s.clauses, (0, len(s.folded))]:
            inside = s.hits_in(start, end)
            for other in (None, asked):
                assert clause._gate(rule, inside, s, other) == _gate_before(rule, inside, s, other)
            found = clause._clause_cues(s, rule.facet, start, end)
            assert (
                [h for _, h in sorted(found.all.short + found.all.long, key=lambda pair: pair[0])],
                found.wide,
                found.bad_news,
            ) == _clause_cues_before(s, rule.facet, start, end)
    assert s.has_cue("x") is False
    assert s._cue_classes == frozenset(h.label[1] for h in s.hits if h.label[0] == "cue")  # noqa: SLF001


# --- a word's whole runs found by a regex -------------------------------------------------------------

_RUN_WORDS = ["detiendrait", "a", "aa", "ab", "pourrait", "x1"]


@_examples(400)
@given(
    st.sampled_from(_RUN_WORDS),
    st.lists(st.sampled_from([*_RUN_WORDS, " ", "-", "'", "é", "_", "9", "z", "\n", "detiendraitx"]), max_size=20),
)
def test_occurrences_as_before(word: str, parts: list[str]) -> None:
    tokens = Tokens("".join(parts))
    assert tokens.occurrences(word) == tokens.match_literal((word,), ())


def test_occurrences_of_a_word_not_a_run_as_before() -> None:
    tokens = Tokens("contre-passerait, contre-passerait-il entr'aimeraient")
    for word in ("contre-passerait", "entr'aimeraient", "passerait"):
        assert tokens.occurrences(word) == tokens.match_literal((word,), ())


# --- a label's first two items compared one by one, not sliced ------------------------------------------

_ANY_LABELS = st.one_of(
    st.tuples(
        st.sampled_from(["cue", "trigger", "also"]),
        st.sampled_from(["now", "contrast", "a"]),
        st.sampled_from(["", "f"]),
    ),
    st.tuples(st.sampled_from(["entity", "exclude", "trigger"]), st.sampled_from(["now", "contrast", "x"])),
)


@_examples(300)
@given(st.lists(_ANY_LABELS, max_size=20), st.sampled_from(["now", "contrast", "a"]))
def test_label_tests_as_before(labels: list[tuple[str, ...]], cue: str) -> None:
    assert [label[0] == "cue" and label[1] == cue for label in labels] == [
        label[:2] == ("cue", cue) for label in labels
    ]


# --- the language vote: an ASCII text's words split in C, counted without a Counter ---------------------


def _language_before(folded_text: str, *, sample: int = 4000) -> str:
    """`rules.text.detect_language` as it was."""
    counts = Counter(re.findall(r"[a-z]+", folded_text[:sample]))
    en = sum(counts[word] for word in text_module._EN_WORDS.intersection(counts))  # noqa: SLF001
    fr = sum(counts[word] for word in text_module._FR_WORDS.intersection(counts))  # noqa: SLF001
    if en + fr < 3:
        return "und"
    return "fr" if fr > en else "en"


_VOTERS = [
    *sorted(text_module._EN_WORDS | text_module._FR_WORDS),  # noqa: SLF001
    *["thee", "les2", "x", " ", "  ", "-", "'", "é", "É", "9", "_", "\x1f", "\x85", "\u00a0", "\u2028", "\n"],
]


@_examples(400)
@given(st.one_of(st.text(max_size=100), st.lists(st.sampled_from(_VOTERS), max_size=40).map("".join)))
def test_language_vote_as_before(text: str) -> None:
    for folded in (text, fold(text)):
        assert text_module._words(folded) == re.findall(r"[a-z]+", folded)  # noqa: SLF001
        assert detect_language(folded) == _language_before(folded)
        assert detect_language(folded, sample=9) == _language_before(folded, sample=9)


# --- a sentence's lazy attributes kept without a lock ---------------------------------------------------


def test_lazy_attributes_are_computed_once_and_kept() -> None:
    text = "Microsoft keeps its right of first refusal, OpenAI said on Tuesday."
    s = ScannedSentence.scan(Sentence(text, 0, len(text), 0), fold(text), ENGINE.rules, "en", None)
    names = ["hits", "triggered", "entities", "clauses", "values", "_cue_classes", "_present_markers", "_asides"]
    first = {name: getattr(s, name) for name in names}
    assert all(getattr(s, name) is first[name] for name in names)  # kept, not computed again
    assert set(names) <= vars(s).keys()
    assert first["triggered"] and first["entities"] == {"microsoft", "openai"}
    assert ScannedSentence.hits.__doc__ and isinstance(ScannedSentence.__dict__["hits"], type(ScannedSentence.hits))


# --- a sentence boundary after an abbreviation: the last word read by string methods ---------------------


def _ends_with_abbreviation_before(line: str, start: int, end: int) -> bool:
    """`rules.text._ends_with_abbreviation` as it was: every character read back in a Python loop."""
    while end > start and line[end - 1] in ".!?…\"')]»” ":
        end -= 1
    while end > start and line[end - 1].isspace():
        end -= 1
    if end == start:
        return False
    word_start = end
    while word_start > start and not line[word_start - 1].isspace():
        word_start -= 1
    last = fold(line[word_start:end]).strip("(\"'")
    return last in text_module._ABBREVIATIONS or (len(last) == 1 and last.isalpha())  # noqa: SLF001


_LINE_PARTS = [
    *["Mr", "U.S", "e.g", "Inc", "A", "é", "Mme", "(Dr", '"No', "'etc", "x" * 40, "y" * 31, "word", "OpenAI"],
    *[
        ".",
        ". ",
        "?",
        "!",
        "…",
        ")",
        "]",
        "»",
        "”",
        '"',
        "'",
        " ",
        "  ",
        "\t",
        "\n",
        "\u00a0",
        "\u2028",
        "\x1f",
        "\x85",
    ],
]


@_examples(400)
@given(st.lists(st.sampled_from(_LINE_PARTS), max_size=30).map("".join), st.data())
def test_abbreviations_read_as_before(line: str, data: st.DataObject) -> None:
    ends = range(len(line) + 1)
    for end in [*data.draw(st.lists(st.sampled_from(ends), max_size=5)), len(line)]:
        for start in {0, end // 2, max(0, end - 33), max(0, end - 32), max(0, end - 31), end}:
            assert text_module._ends_with_abbreviation(line, start, end) == _ends_with_abbreviation_before(  # noqa: SLF001
                line, start, end
            ), (line, start, end)


def test_abbreviations_at_the_end_of_a_long_word_read_as_before() -> None:
    for word in ("a" + "(" * 40 + "Mr", "(" * 40 + "Mr", "x" * 40, "x" * 40 + "\u00a0Mr"):
        for cut in range(len(word) + 1):
            line = word[cut:] + ". Smith"
            end = line.index(". Smith") + 1
            for start in (0, 1, 5):
                assert text_module._ends_with_abbreviation(line, start, end) == _ends_with_abbreviation_before(  # noqa: SLF001
                    line, start, end
                ), (line, start, end)


# --- appositions: a sentence naming one party at most has none -----------------------------------------


_NAMES = ["OpenAI", "Microsoft", "Anthropic", "AWS", "the Santa Clara chipmaker", "Nvidia", "Google", "Oracle"]
_GLUE = ["'s rival ", "'s main competitor ", " ", ", ", " rival d'", " le rival d'", " and ", " signed with "]


@_examples(300)
@given(st.lists(st.one_of(st.sampled_from(_NAMES), st.sampled_from(_GLUE)), max_size=10).map("".join))
def test_appositions_resolved_as_before(text: str) -> None:
    folded = fold(text)
    hits = ENGINE.rules.lexicon.find(Tokens(folded))
    assert scan_module._appositions_resolved(hits, folded) == _appositions_resolved_before(hits, folded)  # noqa: SLF001


def _appositions_resolved_before(hits: list[Hit[Label]], folded: str) -> list[Hit[Label]]:
    """`rules.scan._appositions_resolved` as it was, without the shortcut for one party."""
    entities = [h for h in hits if h.label[0] == "entity"]
    starts = {h.start: h.label[1] for h in entities}
    dropped = {
        id(h)
        for h in entities
        if " " in h.phrase.strip()
        and (other := starts.get(h.end + 1)) is not None
        and other != h.label[1]
        and folded[h.end] == " "
    }
    dropped |= {id(h) for h in entities if scan_module._qualifies_a_rival(folded, h, starts)}  # noqa: SLF001
    return [h for h in hits if id(h) not in dropped] if dropped else hits


# --- the gate: the party words after a character class, not behind a look-behind ------------------------


def _names_a_party_before(folded: str, words: tuple[str, ...]) -> bool:
    """`rules.engine`'s gate as it was: one regex."""
    return re.search(r"(?<![a-z0-9])(?:" + "|".join(map(re.escape, words)) + ")", folded) is not None


_PARTY_WORDS = engine_module._party_words(ENGINE.rules)  # noqa: SLF001
_GATE_PARTS = [*_PARTY_WORDS, "re", "x", "9", "_", " ", "-", "é", "\n", "'", "mais", "opened", "s"]


def _names_a_party(folded: str, words: tuple[str, ...]) -> bool:
    return engine_module._names_a_party(folded, engine_module._party_patterns(words))  # noqa: SLF001


@_examples(400)
@given(
    st.one_of(st.text(max_size=60), st.lists(st.sampled_from(_GATE_PARTS), max_size=12).map("".join)),
    st.lists(st.sampled_from(["mai", "open", "openai", "ai", "x9", "a"]), max_size=3).map(tuple),
)
def test_gate_as_before(text: str, words: tuple[str, ...]) -> None:
    for folded in (text, fold(text)):
        assert _names_a_party(folded, _PARTY_WORDS) == _names_a_party_before(folded, _PARTY_WORDS)
        assert _names_a_party(folded, words) == _names_a_party_before(folded, words)


def test_gate_on_the_pages_as_before() -> None:
    pages = sorted((TESTS / "corpus").glob("*/*.html")) + sorted((TESTS / "pages").glob("*.html"))
    texts = [fold(path.read_text(encoding="utf-8", errors="replace")) for path in pages]
    assert [_names_a_party(t, _PARTY_WORDS) for t in texts] == [_names_a_party_before(t, _PARTY_WORDS) for t in texts]


# --- a sentence's runs of letters and digits: split in C in an ASCII text -----------------------------------


@_examples(400)
@given(
    st.one_of(
        st.text(max_size=80), st.lists(st.sampled_from([*_VOTERS, "a1", "9", "x_y", "é2"]), max_size=30).map("".join)
    )
)
def test_runs_as_before(text: str) -> None:
    for folded in (text, fold(text)):
        assert phrases_module._runs(folded) == re.findall(r"[a-z0-9]+", folded)  # noqa: SLF001
        assert Tokens(folded).words == set(re.findall(r"[a-z0-9]+", folded))


# --- a phrase's required words checked by a map of a C method, not a generator --------------------------------


_CHOOSING = [p for lexicon in (ENGINE.rules.lexicon, ENGINE.rules.cue_lexicon) for p, _ in lexicon._phrases]  # noqa: SLF001
_CHOOSING = [p for p in _CHOOSING if p.needs_one_of][:40] + [p for p in _CHOOSING if not p.needs_one_of][:10]
_CHOICE_WORDS = sorted({w for p in _CHOOSING for group in (p.needs, *p.needs_one_of) for w in group} | {"x"})


@_examples(300)
@given(st.sets(st.sampled_from(_CHOICE_WORDS), max_size=30))
def test_may_match_as_before(words: set[str]) -> None:
    for phrase in _CHOOSING:
        for some in (words, words | phrase.needs):  # with its words needed alone, for the choices to decide
            before = phrase.needs <= some and all(not some.isdisjoint(group) for group in phrase.needs_one_of)
            assert phrase.may_match(some) == before
