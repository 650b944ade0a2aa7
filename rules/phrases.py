# SPDX-License-Identifier: MIT
"""Phrases: the small pattern language of rule files, and the lexicon that finds them.

Rule authors write phrases, not regular expressions. A phrase is matched on
folded text (lowercase, no accents, straight quotes: see `rules.text.fold`),
so `droit de préemption` also matches « Droit de Preemption ».

| token        | matches                                         |
|--------------|-------------------------------------------------|
| `word`       | the word                                        |
| `=lemma`     | any inflection of the verb or noun (see `rules.lemmas`) |
| `word*`      | any word starting with `word` (at least 3 letters before `*`) |
| `(a|b*|c)`   | one of the alternatives                         |
| `word?`      | the word, or nothing                            |
| `~` / `~N`   | a gap of up to 3 / N words (N ≤ 6), between two required words |

    >>> Phrase.compile("perd* ~2 droit de preemption").regex.search("il perd son droit de preemption") is not None
    True

A phrase always starts and ends on a word boundary (or ends on an elision the next
word is glued to: "qu'" in « qu'OpenAI »), and the gap is bounded,
so no phrase can backtrack badly on hostile text. Bounded is not enough on its
own: a gap of words that may hold hyphens, between separators that may be
hyphens too, splits "a-a-a-…" or a row of dashes in combinatorially many ways.
So a gap word is a whole hyphenated compound taken at once (an atomic group:
"state-of-the-art" is one word; only the gap's last word may give back a few
runs, for a next word glued to it by a hyphen), and a stem's tail takes at
most five more hyphenated runs, each whole: the text between two words splits
a bounded number of ways, and a phrase runs in time linear in the text. Those ways multiply along
a phrase (a gap, a stem more words follow, an optional word), and the regex
tries them all from each start before it fails: a phrase with more than
MAX_READINGS of them ("a ~3 b ~3 c", "a* b* ~6 c") is refused.

The `Lexicon` finds every phrase of a rule set in a sentence without trying
them all: each phrase is indexed by one word it cannot match without (its
anchor: the longest required word, as a proxy for the rarest); a sentence's
words select the few phrases worth running. The cost
follows the sentence's length, not the number of phrases.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import attrgetter
from typing import Generic, TypeVar

from rules import lemmas
from rules.errors import RuleError
from rules.text import fold

T = TypeVar("T")

_TOKEN = re.compile(r"\([^()]+\)\??|~\d?|[^\s()~]+")
_WORD_CHARS = re.compile(r"[a-z0-9]+")
_ALLOWED = re.compile(r"=[a-z0-9'-]+|[a-z0-9'&.$%+-]+\*?\??")
# Between two words of a phrase: spaces and hyphens, and the quotes that set a word apart
# (« un « Stargate » européen » is "un stargate europeen"; folding made every quote mark '"').
_SEP = r'[\s"-]+'
_SEP_ATTACHED = r'[\s"-]*'  # after an elision: « d'« exclusivité » », "l'exclusivite"
# A French article or pronoun elided before a word: the gap before "exclusivite" in "fin ~3 exclusivite"
# ends on « de », and « l' » is glued to the word (« la fin de l'exclusivité »)
_ELIDED = r"(?:l|d|qu|n|s|c|jusqu|lorsqu|puisqu)'"
_WORD_START = r"(?<![\w])"  # what `\w` matches: `str.isalnum()` characters and "_" (see `Phrase.spans_in`)
# A word in a gap: a run of anything but spaces and hyphens, or a compound of up to six such runs
# joined by hyphens, taken whole (atomic): never split, so a gap reads its text one way only. The
# gap's last word alone may give back its last runs, so the next word may be glued to it by a
# hyphen ("bringing the total-to"): at most five ways, whatever the text.
_GAP_WORD = r"(?>[^\s-]++(?:-++[^\s-]++){0,5})"
_GAP_LAST = r"[^\s-]++(?:-++[^\s-]++){0,5}"
_GAP_SEP = r"[\s-]++"  # possessive: a gap word never starts with a space or a hyphen
# What may follow a stem ("exclusivi*" → "exclusivity", "exclusivity-based"): letters, then up to
# five more runs after hyphens, each taken whole: the stem gives back at most five ways to the
# next word, however long the hyphenated chain it starts ("modele-4-en-interne-maison-…").
_STEM_TAIL = r"[\w']*+(?:-++[\w']++){0,5}"
MIN_STEM = 3
_SELECTS_CACHE = 200_000  # words whose phrases a lexicon remembers, at most
MAX_GAP = 6
# How many ways one start of a phrase may split a text, at most (see `_readings`): each gap, stem
# followed by more words, and optional word multiplies them. The rule files need 186 at most.
MAX_READINGS = 256


@dataclass(frozen=True)
class Phrase:
    """A compiled phrase: its source, its regex and the anchors that index it."""

    source: str
    pattern: str  # the regex's source: compiled on first use (a plain phrase is matched on tokens)
    anchors: tuple[tuple[str, bool], ...]  # (literal, is_prefix)
    # A plain phrase (words only, no stem, choice or gap) is matched on tokens, without its regex:
    # its words, and what must stand between each two (" " for spaces or hyphens, else the exact text).
    literal: tuple[tuple[str, ...], tuple[str, ...]] | None = None
    # Words a sentence must hold besides the anchor, checked before the phrase is matched ("openai
    # group" is indexed on "openai", which many sentences hold, and "group" rules out most of them):
    # every required word spelt one way, and the choices of a required word spelt several ways.
    needs: frozenset[str] = frozenset()
    needs_one_of: tuple[frozenset[str], ...] = ()

    def may_match(self, words: set[str]) -> bool:
        """False when `words` lack a word the phrase requires: then it cannot match."""
        # a map of a C method, not a generator (40 to 60 % less time): this runs for each phrase a sentence selects
        return self.needs <= words and not any(map(words.isdisjoint, self.needs_one_of))

    @classmethod
    def compile(cls, source: str) -> Phrase:
        """Compile `source`; raise ValueError naming the bad token when it is not a phrase."""
        text = fold(source.strip())
        tokens = _TOKEN.findall(text)
        if not tokens or "".join(tokens).replace(" ", "") != text.replace(" ", ""):
            raise ValueError(f"not a phrase: {source!r}")
        parts: list[str] = []
        anchors: tuple[tuple[str, bool], ...] | None = None
        required: list[frozenset[str]] = []  # each required token's exact anchors (none if a stem)
        attached = False  # the previous word ends in an elision (n', l', d'): the next one may follow at once
        gap_open = False  # a gap and no required word since: another gap would make two ways to read a word
        readings = 1
        for position, token in enumerate(tokens):
            readings *= _readings(token, last=position == len(tokens) - 1)
            if readings > MAX_READINGS:
                raise ValueError(
                    f"phrase {source!r} reads a text in over {MAX_READINGS} ways: fewer gaps, stems or optional words"
                )
            sep = "" if position == 0 else (_SEP_ATTACHED if attached else _SEP)
            if token.startswith("~"):
                gap = int(token[1:] or 3)
                if position == 0 or not 0 < gap <= MAX_GAP:
                    raise ValueError(f"gap {token!r} at the start or not 1 to {MAX_GAP} words in {source!r}")
                if gap_open or position == len(tokens) - 1:
                    # "a ~2 ~2 b", "a ~2 b? ~2 c": the gaps share the words between them in many ways,
                    # and the regex tries them all at every start; "a ~2" at the end means "a".
                    raise ValueError(f"gap {token!r} not between two required words in {source!r}")
                gap_open = True
                # a comma may close the word before a gap: "gone ~1 is" reads "Gone, too, is…"
                gap_sep = r"[\s-]*+" if attached else ",?" + _GAP_SEP
                parts.append(f"(?:{gap_sep}(?:{_GAP_WORD}{_GAP_SEP}){{0,{gap - 1}}}{_GAP_LAST})?")
                attached = False
                continue
            pattern, token_anchors, optional = _compile_token(token, source)
            if optional and position == 0:
                raise ValueError(f"phrase {source!r} starts with an optional word")
            if gap_open and not optional:  # the word after a gap may carry its article: « la fin de l'exclusivité »
                pattern = f"(?:{_ELIDED})?{pattern}"
            parts.append(f"(?:{sep}{pattern})?" if optional else sep + pattern)
            attached = _ends_in_elision(token)
            gap_open = gap_open and optional
            if not optional and (anchors is None or _rarer(token_anchors, anchors)):
                anchors = token_anchors
            if not optional and not any(is_prefix for _, is_prefix in token_anchors):
                required.append(frozenset(word for word, _ in token_anchors))
        assert anchors is not None  # the first token is required
        needs = frozenset(next(iter(group)) for group in required if len(group) == 1)
        needs_one_of = tuple(group for group in required if len(group) > 1)
        # a phrase ends on a word boundary, or on an elision the next word is glued to ("nous
        # indiquions qu'" in « nous indiquions qu'OpenAI avait signé »)
        pattern = rf"{_WORD_START}{''.join(parts)}(?:(?<=')|(?![\w]))"
        return cls(source, pattern, anchors, _literal(text), needs, needs_one_of)

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The phrase as a regex, compiled once, when first asked: most phrases are plain words
        matched on tokens, and a lemma's many forms make a long pattern to compile."""
        return re.compile(self.pattern)

    @cached_property
    def _finder(self) -> re.Pattern[str]:
        """The regex without its leading look-behind: a pattern that starts with a look-behind makes
        the regex engine try it at every character, one that starts with letters lets it jump
        from one candidate to the next (ten times faster over the rules' phrases)."""
        return re.compile(self.pattern.removeprefix(_WORD_START))

    @cached_property
    def _literal_finder(self) -> re.Pattern[str]:
        """A plain phrase as a regex that starts with its first word, which `re` finds in C, the
        boundary before it checked by a look-behind after it and the rest by a look-ahead: the
        places `Tokens.match_literal` gives, overlaps included ("a a" twice in "a a a"; a match only
        consumes its first word, and no other can start inside it), without a Python call for each
        occurrence of the first word (a cue such as "not" stands 13 times in a long sentence)."""
        assert self.literal is not None
        words, separators = self.literal
        first = re.escape(words[0])
        rest = "".join(
            (_SEP if sep == " " else re.escape(sep)) + re.escape(word)
            for word, sep in zip(words[1:], separators, strict=True)
        )
        return re.compile(rf"{first}(?<![a-z0-9]{first})(?=({rest})(?![a-z0-9]))")

    def spans_in(self, tokens: Tokens) -> list[tuple[int, int]]:
        """Where the phrase matches in a text: the places `regex.finditer` gives, found faster."""
        if self.literal is not None:
            return [(m.start(), m.end(1)) for m in self._literal_finder.finditer(tokens.text)]
        text, found = tokens.text, []
        position = 0
        while (match := self._finder.search(text, position)) is not None:
            start, end = match.span()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):  # inside a word: not here
                position = start + 1
                continue
            found.append((start, end))
            position = end if end > start else start + 1
        return found


_PLAIN = re.compile(r"[a-z0-9]+(?:(?: |'|\.|-)[a-z0-9]+)*")


def _literal(text: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """The words and separators of a plain phrase ("n'est plus" → (n, est, plus), (', " ")), else None."""
    text = " ".join(text.split())
    if not _PLAIN.fullmatch(text):
        return None
    words = tuple(_WORD_CHARS.findall(text))
    separators = tuple(re.findall(r"[^a-z0-9]+", text))
    return words, separators


def _readings(token: str, *, last: bool) -> int:
    """How many ways, at most, `token` can read the text where it stands.

    A gap takes 0 to N words, its last one giving back up to five hyphenated runs; a stem that more
    words follow gives back up to five runs of its tail; an optional word is there or not. A regex
    tries them all, times those of every other token, at each start before it fails.
    """
    if token.startswith("~"):
        return 6 * int(token[1:] or 3) + 1
    optional = token.endswith("?")
    core = token[:-1] if optional else token
    count = 1
    for alternative in core[1:-1].split("|") if core.startswith("(") else [core]:
        words = alternative.split()
        inner = sum(1 for i, word in enumerate(words) if word.endswith("*") and (i < len(words) - 1 or not last))
        count = max(count, 6**inner)
    return count * (2 if optional else 1)


def _rarer(candidate: tuple[tuple[str, bool], ...], current: tuple[tuple[str, bool], ...]) -> bool:
    """Index a phrase on its rarest required word, by the proxy of length: "in talks" on "talks"."""
    return min(len(word) for word, _ in candidate) > min(len(word) for word, _ in current)


def _ends_in_elision(token: str) -> bool:
    """Does the token, or one of its alternatives, end in an elision ("n'", "(ne|n')")? The next word
    may then be glued to it: « n'est »."""
    return token.endswith("'") or any(alt.endswith("'") for alt in token.rstrip("?").strip("()").split("|"))


def _compile_token(token: str, source: str) -> tuple[str, tuple[tuple[str, bool], ...], bool]:
    """A token's regex, its anchors, and whether it is optional."""
    optional = token.endswith("?")
    core = token[:-1] if optional else token
    alternatives = core[1:-1].split("|") if core.startswith("(") else [core]
    regexes: list[str] = []
    anchors: list[tuple[str, bool]] = []
    for alternative in alternatives:
        words = alternative.split()
        if not words or not all(_ALLOWED.fullmatch(w) for w in words):
            raise ValueError(f"bad token {token!r} in {source!r}")
        regexes.append(_SEP.join(_word_regex(w, source) for w in words))
        anchors.extend(_anchors(words[0], source))
    return "(?:" + "|".join(regexes) + ")", tuple(anchors), optional


def _word_regex(word: str, source: str) -> str:
    if word.startswith("="):
        return "(?:" + "|".join(map(re.escape, _lemma_forms(word, source))) + ")"
    if word.endswith("*"):
        stem = word[:-1]
        if len(_WORD_CHARS.sub("", stem)) == len(stem) or len(stem) < MIN_STEM:
            raise ValueError(f"stem {word!r} shorter than {MIN_STEM} letters in {source!r}")
        return re.escape(stem) + _STEM_TAIL
    return re.escape(word)


# Words a rule may put `=` on by mistake: "=se retirer" inflects the pronoun and leaves the verb
# an infinitive, which no conjugated text matches.
_NO_LEMMA = frozenset({"se", "s'", "me", "te", "nous", "vous", "the", "to", "a"})


def _lemma_forms(word: str, source: str) -> tuple[str, ...]:
    """The forms an `=lemma` word matches (see `rules.lemmas`)."""
    if word[1:] in _NO_LEMMA:
        raise ValueError(f"{word!r} in {source!r}: put '=' on the verb, not on {word[1:]!r} ('se =retirer')")
    found = lemmas.forms(word[1:])
    if len(found) < 2:
        raise ValueError(f"{word!r} in {source!r}: no word has that lemma in English or French")
    return found


def _anchors(word: str, source: str) -> list[tuple[str, bool]]:
    """What a sentence must hold for `word` to match: one of its forms for an `=lemma`."""
    if word.startswith("="):
        return [_anchor(form, source) for form in _lemma_forms(word, source)]
    return [_anchor(word, source)]


def _anchor(word: str, source: str) -> tuple[str, bool]:
    """The longest run of letters/digits in `word`: a token of the text must be or start with it."""
    is_prefix = word.endswith("*")
    runs = _WORD_CHARS.findall(word.rstrip("*"))
    if not runs:
        raise ValueError(f"word {word!r} has no letters in {source!r}")
    longest = max(runs, key=len)
    # Only the last run can be a prefix of a text token ("l'exclusivi*" → "exclusivi" prefix).
    return longest, is_prefix and longest == runs[-1]


@dataclass(slots=True, unsafe_hash=True)
class Hit(Generic[T]):
    """Where a phrase matched: its label (what the rule set says it means) and span.

    Never changed once made, but not a frozen dataclass: a long sentence holds thousands of
    hits, and a frozen one's `__init__` sets each field through `object.__setattr__` (0.5 µs a
    hit; 0.15 µs with plain slots, whose fields are read faster too). `unsafe_hash` gives the
    hash a frozen one has (of its fields), so hits compare, hash and print as before
    (tests/test_properties.py).
    """

    label: T
    start: int
    end: int
    phrase: str


@dataclass
class Lexicon(Generic[T]):
    """Phrases indexed by anchor word; `find` runs only those a sentence's words select.

    A phrase several rules share ("exclusivité", an entity's name) is stored,
    and matched, once with all its labels: the cost of a sentence grows with
    the distinct phrases its words select, not with the rules that use them.
    """

    _phrases: list[tuple[Phrase, list[T]]] = field(default_factory=list)
    _index_of: dict[str, int] = field(default_factory=dict)  # regex pattern -> position in _phrases
    _exact: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    _prefix: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    _selects_cache: dict[str, tuple[int, ...]] = field(default_factory=dict, repr=False, compare=False)
    _seen_words: set[str] = field(default_factory=set, repr=False, compare=False)

    def add(self, source: str, label: T, *, where: str) -> None:
        """Add a phrase; `where` names the file and key for the error message."""
        try:
            phrase = Phrase.compile(source)
        except ValueError as exc:
            raise RuleError(f"{where}: {exc}") from None
        known = self._index_of.get(phrase.pattern)
        if known is not None:
            labels = self._phrases[known][1]
            if label not in labels:
                labels.append(label)
            return
        index = self._index_of[phrase.pattern] = len(self._phrases)
        self._phrases.append((phrase, [label]))
        self._selects_cache.clear()
        self._seen_words.clear()
        for literal, is_prefix in phrase.anchors:
            if is_prefix:
                self._prefix[literal[:MIN_STEM]].append((literal, index))
            else:
                self._exact[literal].add(index)

    def anchors_of(self, labels: Iterable[T]) -> set[str]:
        """The anchor words of the phrases carrying any of `labels` (prefixes for stems)."""
        wanted = set(labels)
        return {
            word for phrase, carried in self._phrases if not wanted.isdisjoint(carried) for word, _ in phrase.anchors
        }

    def __len__(self) -> int:
        """The (phrase, label) pairs held: a phrase counts once for each rule that uses it."""
        return sum(len(labels) for _, labels in self._phrases)

    def candidates(self, words: Iterable[str]) -> set[int]:
        """Indexes of the phrases whose anchor is among `words` (a sentence's folded words).

        Set operations, not a loop over the words: most of a sentence's words select nothing, and
        the lexicon remembers both kinds, so only the words never seen before cost a look-up.
        """
        words = words if isinstance(words, (set, frozenset)) else set(words)
        selecting = self._selects_cache
        for word in words - self._seen_words:
            self._remember(word)
        found: set[int] = set()
        for word in words & selecting.keys():
            found.update(selecting[word])
        return found

    def _remember(self, word: str) -> None:
        """Which phrases one word selects: held only for the words that select some."""
        if len(self._seen_words) >= _SELECTS_CACHE:  # a bound on memory: a daemon reads endless words
            self._seen_words.clear()
            self._selects_cache.clear()
        self._seen_words.add(word)
        found = set(self._exact.get(word, ()))
        found.update(index for literal, index in self._prefix.get(word[:MIN_STEM], ()) if word.startswith(literal))
        if found:
            self._selects_cache[word] = tuple(found)

    def find(self, tokens: Tokens) -> list[Hit[T]]:
        """Every match of every phrase the text's words select, in text order."""
        hits: list[Hit[T]] = []
        words = tokens.words
        for index in self.candidates(words):
            phrase, labels = self._phrases[index]
            if not phrase.may_match(words):
                continue
            source = phrase.source
            # a list, not a generator: a long sentence makes hundreds of hits here
            hits += [Hit(label, start, end, source) for start, end in phrase.spans_in(tokens) for label in labels]
        return in_text_order(hits)


_START, _END = attrgetter("start"), attrgetter("end")


def in_text_order(hits: list[Hit[T]]) -> list[Hit[T]]:
    """`hits` sorted by start, the longer first where two start together, in place.

    Two stable sorts by attribute, not one by a key function building a tuple a hit: a
    sentence run together holds thousands of hits, and the sorts run in C.
    """
    hits.sort(key=_END, reverse=True)  # reverse keeps equal ends in their order: still stable
    hits.sort(key=_START)
    return hits


class Tokens:
    """A folded text and the set of its letter/digit runs: what the lexicon indexes and matches on.

    The set comes from one C-level scan; where a phrase's words stand is then found with
    `str.find`, never by listing the runs with their offsets (a Python object each).
    """

    __slots__ = ("text", "words")

    def __init__(self, folded: str) -> None:
        self.text = folded
        self.words: set[str] = set(_runs(folded))

    def occurrences(self, word: str) -> list[tuple[int, int]]:
        """Where `word` stands as a whole run: for a run of letters and digits, by one regex in C
        (« détiendrait » stands 13 times in a long sentence), else as `match_literal` finds it."""
        if _WORD_CHARS.fullmatch(word) is None:
            return self.match_literal((word,), ())
        return [match.span() for match in _whole_run(word).finditer(self.text)]

    def match_literal(self, words: tuple[str, ...], separators: tuple[str, ...]) -> list[tuple[int, int]]:
        """Spans where `words` stand as whole runs with the given separators between them.

        Searched with `str.find` in the text, not among its runs: the runs cost a Python object
        each, and a phrase's first word stands in a sentence once or twice, found in C.
        """
        text, first, found = self.text, words[0], []
        at = text.find(first)
        while at != -1:
            end = _phrase_end(text, at, words, separators)
            if end != -1:
                found.append((at, end))
            at = text.find(first, at + 1)
        return found


def _phrase_end(text: str, at: int, words: tuple[str, ...], separators: tuple[str, ...]) -> int:
    """Where `words` end if they stand at `at` as whole runs with their separators, else -1.

    A " " separator stands for any run of spaces, hyphens and quotes (`_SEP`); the others for themselves.
    """
    if at and _is_word_char(text[at - 1]):
        return -1
    end = at + len(words[0])
    for word, expected in zip(words[1:], separators, strict=True):
        if expected == " ":
            gap = _GAP.match(text, end)
            start = gap.end() if gap else -1
        else:
            start = end + len(expected) if text.startswith(expected, end) else -1
        if start == -1 or not text.startswith(word, start):
            return -1
        end = start + len(word)
    return -1 if end < len(text) and _is_word_char(text[end]) else end


def _is_word_char(char: str) -> bool:
    """Is `char` part of a run (`_WORD_CHARS`)?"""
    return "a" <= char <= "z" or "0" <= char <= "9"


_GAP = re.compile(_SEP)


@lru_cache(maxsize=4096)
def _whole_run(word: str) -> re.Pattern[str]:
    """`word` (letters and digits) where no letter or digit stands right before or after it. Whole
    runs never overlap, so `finditer` misses none of the places `match_literal` finds."""
    return re.compile(rf"{word}(?<![a-z0-9]{word})(?![a-z0-9])")


def words_of(folded: str) -> set[str]:
    """The set of letter/digit runs of a folded text: what the lexicon indexes on."""
    return set(_runs(folded))


# Every ASCII character but a letter or a digit to a space: an ASCII text's runs are what `str.split` gives.
_RUNS_ONLY = {code: chr(code) if "a" <= chr(code) <= "z" or "0" <= chr(code) <= "9" else " " for code in range(128)}


def _runs(folded: str) -> list[str]:
    """The runs of `_WORD_CHARS` in `folded`, in order. A folded text is nearly always ASCII, where
    `str.translate` and `str.split` find them with 40 % fewer instructions than the regex (every
    sentence of a page is split into its runs); any other text is left to the regex."""
    return folded.translate(_RUNS_ONLY).split() if folded.isascii() else _WORD_CHARS.findall(folded)
