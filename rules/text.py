# SPDX-License-Identifier: MIT
"""Text plumbing for the engine: folding, sentences, clauses, language.

`fold` lowercases and strips accents **one character for one character**, so
an offset in the folded text is the same offset in the original: rules match
folded text and the evidence is cut from the original.

    >>> fold("Préemption d’OpenAI")
    "preemption d'openai"
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat

_SPACES = "\u00a0\u2007\u2009\u202f\u200a\u2002\u2003\u2004\u2005\u2006\u2008\t\r\n"
_QUOTES = {
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "`": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2011": "-",
    "\u2010": "-",
    "\u2212": "-",
}


def _fold_table() -> dict[int, str]:
    """What `fold` maps each character to. Every character below U+0250 is in it, those it leaves
    alone mapped to themselves: `str.translate` raises and clears a KeyError for each character
    its table lacks, which made folding 200 KB of French (not pure ASCII, so off the fast path
    for ASCII) take 16 ms instead of 4 ms."""
    table: dict[int, str] = {}
    for code in range(0x250):
        char = chr(code)
        low = char.lower()
        base = "".join(c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c))
        if len(low) == 1 and len(base) == 1 and base != char:
            table[code] = base
        elif len(low) == 1 and low != char:
            table[code] = low
        else:
            table[code] = char
    for char in _SPACES:
        table[ord(char)] = " "
    for char, repl in _QUOTES.items():
        table[ord(char)] = repl
    return table


_FOLD = _fold_table()
# `_FOLD` as a byte table: every character below U+0100 folds to one such character, but "µ" (to "μ").
_LATIN1_FOLD = bytes(ord(_FOLD[code]) if ord(_FOLD[code]) < 0x100 else code for code in range(0x100))
_MICRO = "µ".encode("latin-1")
# The marks beyond Latin-1 that a text in Latin-1 may hold (’ “ ” – — and narrow spaces), and what they fold to.
_WIDE_MARKS = [(char, _FOLD[ord(char)]) for char in (*_SPACES, *_QUOTES) if ord(char) > 0xFF]


def fold(text: str) -> str:
    """Lowercase, strip accents, unify quotes, dashes and spaces; same length as `text`.

    A text beyond ASCII is folded as Latin-1 bytes where it can be: `str.translate` looks every
    character of such a text up in a dict (9 % of the engine's instructions on the benchmark's
    pages, nearly all on the French ones), `bytes.translate` in an array. Its marks beyond
    Latin-1 are first replaced by what they fold to, which folds to itself; a text with other
    characters beyond it ("€", "œ", "…") takes the dict.
    """
    if text.isascii():
        return text.translate(_FOLD)  # str.translate's own fast path, for ASCII
    latin: bytes | None
    try:
        latin = text.encode("latin-1")
    except UnicodeEncodeError:
        latin = _latin1_with_marks(text)
    if latin is None or _MICRO in latin:
        return text.translate(_FOLD)
    return latin.translate(_LATIN1_FOLD).decode("latin-1")


def _latin1_with_marks(text: str) -> bytes | None:
    """`text` in Latin-1 once its wide marks are replaced by what they fold to; None if it holds others."""
    for wide, narrow in _WIDE_MARKS:
        text = text.replace(wide, narrow)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


# --- sentences ---------------------------------------------------------------

# Abbreviations after which a period does not end a sentence (folded).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "inc",
        "corp",
        "co",
        "ltd",
        "no",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "approx",
        "est",
        "fig",
        "p",
        "pp",
        "m",
        "mm",
        "mme",
        "mlle",
        "cie",
        "av",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# A sentence ends after its punctuation, where a capital follows a space (or a name in camel case:
# "… the headlines. xAI built…"), or follows at once after a word of two letters or more: "said.The".
# The match starts at the punctuation mark, one character,
# so that the regex engine skips ahead to the next mark instead of testing a look-behind at every
# character (8× faster on a page); the boundary itself starts just after it.
_BOUNDARY = re.compile(
    r"""[.!?…](?:["')\]»”]*\s+(?=(?:["'(“]|«\s?)?(?:[A-ZÀ-ÖØ-Þ0-9]|[a-z][A-Z]))|(?<=[a-zà-ÿ]{2}[.!?])(?=[A-ZÀ-ÖØ-Þ][a-zà-ÿ]))"""
)


@dataclass(frozen=True)
class Sentence:
    """A sentence with its place in the document: offsets into the text, its paragraph."""

    text: str
    start: int
    end: int
    paragraph: int


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; a line break always ends one (paragraphs, headlines)."""
    sentences: list[Sentence] = []
    offset = 0
    for paragraph, line in enumerate(text.split("\n")):
        _split_line(line, offset, paragraph, sentences)
        offset += len(line) + 1
    return sentences


def _split_line(line: str, offset: int, paragraph: int, out: list[Sentence]) -> None:
    start = 0
    for match in _BOUNDARY.finditer(line):
        end = match.start() + 1  # after the punctuation mark
        if _ends_with_abbreviation(line, start, end) or (start == 0 and _ENUMERATION.fullmatch(line, 0, end)):
            continue
        _emit(line, start, end, offset, paragraph, out)
        start = match.end()
    _emit(line, start, len(line), offset, paragraph, out)


# A numbered list item's number ("1. Oracle: $300bn"): it opens the item, it ends no sentence.
_ENUMERATION = re.compile(r"\s*\d{1,2}\.")
_TRAILING_MARKS = ".!?…\"')]»” "
_TRAILING = frozenset(_TRAILING_MARKS)
_LAST_WORD_WINDOW = 32  # characters: an abbreviation and what may follow it are far shorter


def _ends_with_abbreviation(line: str, start: int, end: int) -> bool:
    """Does line[start:end] end with an abbreviation ("Mr.", "U.S.", an initial)?

    Its last word is read from the end, never by copying the chunk: "Mr. A. Mr. A. …" skips every
    boundary, and the chunk grows with each of them. String methods read it from a short window at
    the end (a Python loop over its characters cost more than the rest of the split); when the
    window holds no space before the word, which may then go on before it, the loop reads it.
    """
    low = max(start, end - _LAST_WORD_WINDOW)
    # what `_read_back_last_word` skips: the closing marks, then spaces (`rsplit` drops those)
    words = line[low:end].rstrip(_TRAILING_MARKS).rsplit(None, 1)
    if low > start and len(words) < 2:
        return _read_back_last_word(line, start, end)
    return bool(words) and _is_abbreviation(words[-1])


def _read_back_last_word(line: str, start: int, end: int) -> bool:
    """`_ends_with_abbreviation`, its last word read back character by character."""
    end = _skip_back(line, start, end, _TRAILING.__contains__)
    end = _skip_back(line, start, end, str.isspace)
    if end == start:
        return False
    return _is_abbreviation(line[_skip_back(line, start, end, lambda c: not c.isspace()) : end])


def _is_abbreviation(word: str) -> bool:
    last = fold(word).strip("(\"'")
    return last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())


def _skip_back(line: str, start: int, end: int, skip: Callable[[str], bool]) -> int:
    """The position before the run of characters `skip` accepts that ends at `end` (not before `start`)."""
    while end > start and skip(line[end - 1]):
        end -= 1
    return end


# A sentence longer than this is cut into pieces: no real sentence comes near it (the corpora's
# longest are under 600 characters), and reading a sentence costs more than its length (each
# trigger of a clause looks at the clause's cues), so an unbounded one — a page without full
# stops, a list run together — would make the engine's time grow with the square of the text.
MAX_SENTENCE = 1200
# Where an overlong sentence is cut, best first: after strong punctuation, a comma, a space; else anywhere.
_CUT_AFTER = ("; ", ": ", ", ", " ")


def _emit(line: str, start: int, end: int, offset: int, paragraph: int, out: list[Sentence]) -> None:
    while end - start > MAX_SENTENCE:
        cut = _cut(line, start, start + MAX_SENTENCE)
        _emit_piece(line, start, cut, offset, paragraph, out)
        start = cut
    _emit_piece(line, start, end, offset, paragraph, out)


def _cut(line: str, start: int, limit: int) -> int:
    """Where to end a piece of line[start:limit]: at the last good boundary in its second half."""
    low = start + MAX_SENTENCE // 2
    for mark in _CUT_AFTER:
        at = line.rfind(mark, low, limit)
        if at != -1:
            return at + len(mark)
    return limit


def _emit_piece(line: str, start: int, end: int, offset: int, paragraph: int, out: list[Sentence]) -> None:
    piece = line[start:end]
    stripped = piece.strip()
    if len(stripped) < 3:
        return
    lead = len(piece) - len(piece.lstrip())
    begin = offset + start + lead
    out.append(Sentence(stripped, begin, begin + len(stripped), paragraph))


# --- clauses -----------------------------------------------------------------

# A clause ends at strong punctuation or where a conjunction starts a new
# proposition: a status cue ("lost", "keeps") belongs to the proposition it is
# in. Relative clauses (", which … ,") are set apart: what they say is about
# their antecedent, not about the sentence's subject.
# What opens a relative clause, and an aside on the past read apart like one (folded text).
RELATIVE_PRONOUNS = r"which|who|whose|where|qui|dont|lequel|laquelle|lesquels"
FORMERLY = (
    r"until now|so far|jusqu'ici|jusqu'a present|jusque-la|previously|formerly|auparavant|naguere"
    r"|longtemps|for years|pendant des annees"  # « OpenAI, longtemps client exclusif d'Azure, a signé… »
)
# « dont » before a figure is a part of the figure before it, not a relative: « 1 400 milliards de
# services cloud, dont 250 milliards sur Azure » ("including $250 billion on Azure")
_PARTITIVE = r"(?!dont\s+(?:\d|[$€£]|un\s|une\s|la moitie|le tiers|le quart|pres de|environ|plus de|quelque|jusqu'a))"
# The conjunctions that open a proposition of their own after a comma: a contrast or a time, a supposition
CONTRASTS = (
    r"but|whereas|while|although|though|even as|yet|mais|tandis que|alors que|bien que|tout en|when|lorsque|quand"
)
SUPPOSITIONS = r"even if|even though|if|meme si|si"
# "without" or « sans » before a verb: a deed not done ("without naming", « sans préciser », « sans
# l'avoir signé »), not a party set apart ("without Nvidia", a contrast cue). Not what adds to a list
# ("without counting", « sans compter », « sans oublier », « sans parler de »), nor a noun (« sans autre »).
WITHOUT_DOING = (
    r"(?:without\s+(?:ever\s+|yet\s+)?(?!counting\b|forgetting\b)[a-z]{2,}ing"
    r"|sans\s+(?:jamais\s+|encore\s+)?(?:l'|le\s|la\s|les\s|en\s|y\s|s'|se\s)?"
    r"(?!compter\b|oublier\b|parler\b|autre\b|frontieres?\b|partenaire\b)(?:[a-z]{2,}(?:er|ir|re)|avoir|etre))\b"
)
# Verbs that report what someone says, folded, in the forms a report takes (English past and present,
# French present and participle, which verbs in -er share). One list for the four places that ask
# whether words are reported: a party that reports what follows (`REPORTS_AFTER`), a quote's
# attribution (`attributions`), a pluperfect set back by a report (`rules.clause`) and a pronoun
# that speaks (`rules.engine`).
REPORTING_VERBS = (
    r"says|said|tells|told|adds|added|notes|noted|writes|wrote|argues|argued|warns|warned|insists|insisted"
    r"|acknowledges|acknowledged|concedes|conceded|explains|explained|announces|announced|confirms|confirmed"
    r"|admits|admitted|stated|discloses|disclosed|reveals|revealed|replies|replied|recalled"
    r"|dit|affirme|annonce|indique|precise|assure|explique|reconnait|reconnu|confirme|declare|ajoute|souligne"
    r"|revele|estime|rappelle|rappele|avertit|averti|repond|repondu|previent|fait valoir"
)
# Verbs that report only after a quote ('"…," quipped one banker', « … », glisse-t-il): elsewhere most
# of them mean something else (« Microsoft lance », « la note », « il poursuit »).
_AFTER_A_QUOTE_ONLY = (
    r"quipped|observed|remarked|countered|cautioned|confie|resume|lance|tranche|commente|observe|note|releve"
    r"|glisse|raconte|poursuit|insiste|martele|nuance|tenu a preciser"
)
# What a speaker's attribution opens on, after the quote ('"…," said X', '"…," X said', « », a déclaré X,
# « », a-t-il ajouté): a reporting verb, or up to eight words and one
_REPORTING_VERB = rf"(?:(?:a|ont)(?:-t-(?:il|elle)|-(?:ils|elles))?\s+)?(?:{REPORTING_VERBS}|{_AFTER_A_QUOTE_ONLY})"
_REPORTING = rf"(?:{_REPORTING_VERB})|(?:[\w'-]+\s+){{1,8}}?(?:said|says|told|added|noted|wrote)(?=[,.])"
_CLAUSE_BREAKS = (
    # not a colon that gives a figure: "Microsoft's stake: about 27%", « sa participation : environ 27 % »
    r"\s*;\s*|\s*:(?!\d)(?!\s*(?:about|around|roughly|nearly|almost|some|more than|up to|environ|pres de|quelque"
    r"|plus de|jusqu'a|[$€£]|\d))\s*"
    # nor a dash that gives a figure, as list items do: "• Oracle — $300bn over five years"
    r"|\s+[-–—]\s+(?!(?:about|around|roughly|nearly|up to|more than|some|environ|pres de|quelque|plus de|jusqu'a"
    r"|incremental|additional|another|[$€£]|\d))"
    r"|\s*[()]\s*"
    rf"|,?\s+(?=(?:{CONTRASTS})\b)"
    # a sentence adverb inside a proposition ("will however remain", « resteront en revanche ») starts none,
    # nor one set between commas (« Ses droits, en revanche, sont prolongés »)
    r"|,\s+(?=(?:however|cependant|toutefois|pourtant|en revanche)\b(?!\s*,))"
    rf"|,\s+{_PARTITIVE}(?=(?:{RELATIVE_PRONOUNS})\b)"
    # an aside on what was before: "Anthropic's models, until now reserved for Amazon and Google, will…"
    # (not a bare adverb between commas: « était, jusque-là, son fournisseur exclusif » keeps its history)
    rf"|,\s+(?=(?:{FORMERLY})\s+[^\s,])"
    rf"|,\s+(?=(?:{SUPPOSITIONS})\b)"
    # a comparison after a comma is a proposition of its own, its figures and nouns its own: "commitments now
    # run to over a trillion dollars, against revenue that remains a fraction of that", « , contre 12 milliards »
    r"|,\s+(?=(?:against|compared (?:with|to)|versus|contre|par rapport a|face a)\s)"
    # and so is what adds to it: ", not counting the 10 GW Nvidia is to supply", « , sans compter »
    r"|,\s+(?=(?:not counting|without counting|not including|sans compter|sans oublier)\s)"
    # so is a cause after a comma: « …a amputé le résultat net, au titre de la quote-part des pertes », ", due to"
    r"|,\s+(?=(?:au titre d|en raison d|du fait d|due to\s|owing to\s|because of\s))"
    # a participle that reports or adds starts what it reports: "…, saying the exclusivity remains"; so
    # does one that keeps: "Microsoft stopped being its only cloud, keeping a right of first refusal"
    r"|,\s+(?=(?:saying|adding|noting|arguing|insisting|affirmant|ajoutant|precisant|soulignant|expliquant"
    r"|indiquant|assurant|estimant|keeping|retaining|conservant|gardant)\b)"
    # a gerund is a means with a verb of its own: « s'émanciper en développant ses propres modèles », "ended
    # its reliance by building its own models" (what ends is not what the means builds)
    r"|\s+(?=en\s+(?:s'|se\s|y\s|l'|les?\s)?(?!tant\b|avant\b|cours\b)[a-z]{3,}ant\b)"
    r"|\s+(?=by\s+[a-z]{3,}ing\b)"
    # so does a means not taken, after a comma: "…, without putting a figure on what it would spend with
    # Nvidia", « , sans dire ce qu'il dépenserait chez Nvidia » (what it holds is not asserted: `rules.clause`)
    rf"|,\s+(?={WITHOUT_DOING})"
    # « et » before a verb in the imperfect, the conditional or the future starts one, comma or not: « le groupe
    # détenait 27 % du capital et comptabilisait sa quote-part des pertes » (not a noun: « et retrait »)
    r"|\s+(?=et\s+(?!(?:portrait|attrait|extrait|retrait|souhait|trait|lait|bienfait|forfait|parfait)\b)"
    r"[a-z]{3,}(?:ait|aient|erait|eraient|era|eront)\b)"
    # a consequence starts one: "…under the equity method, so a share of its losses lands…", « , si bien que »
    r"|,\s+(?=(?:so(?!\s+far\b)|hence|thus|therefore|si bien que|de sorte que|de telle sorte que)\b)"
    # a personal subject after a comma starts a proposition: « Le jour où…, comme OpenAI le fait avec
    # CoreWeave, nous aurons cessé de… », "…, we will have stopped…" (not « il », as in « il y a »,
    # nor « on », an English word too)
    r"|,\s+(?=(?:nous|je|ils|elles|we|they)\s+[a-z])"
    # a quote's attribution after it ('"…," said one banker', « … », a déclaré le patron d'AMD)
    rf"|(?<=\")\s*,?\s+(?=(?:{_REPORTING})\b)"
    # ", and is…", ", et va…": a new proposition about the same or another subject
    r"|,\s+(?=(?:and|et)\s+(?:is|are|was|were|has|have|had|will|would|could|plans|its|their|the two|they|it|"
    r"said|says|added|told|announced|noted|"
    r"est|sont|a|ont|va|vont|sera|seront|doit|devrait|prevoit|pourrait|ses|leurs|les deux|ils|elle|il)\b)"
)
# Every break starts with a space, ";", ":", a parenthesis or a comma: looked at first, that lets the
# other characters (four in five) fail at once instead of in each alternative (callgrind: 298M
# instructions over 200 KB, 123M with it). It changes no match (tests/test_properties.py).
_CLAUSE_BREAK = re.compile(rf"(?=[\s;:(),])(?:{_CLAUSE_BREAKS})")


_ATTRIBUTION = re.compile(rf"(?:{_REPORTING})\b")
_AFTER_QUOTE = re.compile(r'"\s*,?\s+\Z')


def attributions(folded_sentence: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The clauses among `spans` that attribute the quote before them to its speaker ('"…," said one
    banker who works with Oracle's developers', « … », a déclaré le patron d'AMD): they say who spoke,
    and none of the names or figures in them is news. What the speaker adds after them (", who added
    that…", ", adding…") is a clause of its own."""
    return [
        (start, end)
        for start, end in spans
        if _AFTER_QUOTE.search(folded_sentence, max(0, start - 4), start) and _ATTRIBUTION.match(folded_sentence, start)
    ]


def clause_spans(folded_sentence: str, parties: Sequence[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Clause boundaries in a folded sentence, as (start, end) offsets covering it all.

    `parties` (start, end of each party named) lets ", and Broadcom partners with OpenAI" start a
    proposition of its own; a list ("Oracle, CoreWeave, and Google") does not, its comma following
    a party too.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _breaks(folded_sentence, parties):
        if match[0] > start:
            spans.append((start, match[0]))
        start = match[1]
    if start < len(folded_sentence):
        spans.append((start, len(folded_sentence)))
    return _close_relatives(folded_sentence, spans, parties)


# ", and Broadcom…", ", and chief executive Satya Nadella…", « , et son patron, Sam Altman, … »: a
# party, or a person named by a title, opens a proposition after ", and"
_AND_PARTY = re.compile(
    r",\s+(?:and|et)\s+(?:(?:its|their|the|his|her|son|sa|leur|le|la)\s+)?"
    r"(?:(?:chief executive|chief financial officer|chief technology officer|chief executive officer|ceo|cfo|cto"
    r"|president|chairman|chairwoman|founder|co-founder|directeur general|directrice generale|directeur financier"
    r"|directrice financiere|pdg|patron|patronne|presidente|fondateur|fondatrice|cofondateur|dirigeant|dirigeante)"
    r",?\s+)?"
)


# ", and the company insists…", « , et le groupe assure… »: a subject named by what it is opens a proposition
_AND_THE_COMPANY = re.compile(
    r",\s+(?:and|et)\s+(?=(?:the|le|la|l')\s*(?:company|group|firm|start-?up|groupe|societe|entreprise|jeune pousse)\s)"
)


# A sentence opening on a contrast or a circumstance ("While Microsoft kept…, OpenAI signed…", « Alors
# que Microsoft a longtemps été…, OpenAI a signé… », "With the Oracle contract unwound, Azure is…") has a
# subordinate clause that ends at its first comma. Not "since": "Since 2019, Microsoft has…" dates it.
_LEADING_CONTRAST = re.compile(
    r"\s*(?:while|whereas|although|though|even though|even as|with|avec|after|now that|"
    r"alors que|tandis que|bien que|quoique|maintenant que|apres|au terme d[e']|a l'issue d[e']|following"
    # a supposition or a concession ends at its comma too: « Si Microsoft reste son premier actionnaire, la
    # start-up a signé… » (what a supposition supposes, `rules.clause._supposes` reads sentence-wide)
    r"|si|s'il|s'ils|if"
    # a participle and its complement describe the subject after the comma: « Déjà lié à Microsoft et à
    # Meta par des contrats, le groupe aurait signé avec OpenAI… », "Backed by Microsoft, the start-up…"
    r"|(?:(?:deja|already|long|longtemps|recemment|recently)\s+)?(?:(?:lie|allie|adosse|soutenu|finance|fonde|cree|base"
    r"|installe|implante|connu|engage|associe|interroge|valorise|cote)(?:e|s|es)?|backed|founded|based|tied|linked"
    r"|funded|known|headquartered|asked|created|valued|listed)"
    r"(?=\s+(?:a|au|aux|par|de|du|des|avec|pour|dans|en|to|by|with|in|for|on|at)\s))\b"
    r"[^,;:]{3,200}?,\s+"
)


# A short label before a colon that opens a sentence ("Our take:", « Notre analyse : »); a topic, up
# to a few words more ("OpenAI's right of first refusal: Microsoft gives it up").
_LABEL = re.compile(r"[^:;,.]{1,30}:\s+")
# (not a clause of its own, which a copula tells: « Ce n'est plus le cas : depuis l'hiver, OpenAI… »)
_TOPIC = re.compile(r"(?![^:;,.]{0,45}\b(?:est|sont|etait|etaient|is|was|are|were|isn't|wasn't)\b)[^:;,.]{1,45}:\s+")


# ", et lance Stargate avec SoftBank", ", and launched Stargate with SoftBank": after a list ("signe avec
# Oracle, CoreWeave et Google"), a second verb of the same subject starts a proposition of its own.
# In French a list's item after « , et » opens on a determiner, a preposition or a name, so any
# other word is read as the verb; in English, where lists end in ", and" with bare nouns, only the
# verbs news uses for deals.
_AND_VERB = re.compile(
    r",\s+(?:et\s+(?!(?:le|la|les|l|un|une|des|du|de|d|a|au|aux|en|dans|sur|pour|par|avec|chez|entre|son|sa|ses"
    r"|leur|leurs|ce|cet|cette|ces|plus|moins|pres|environ|jusqu|notamment|surtout|non|pas|aussi|meme|tous|toutes"
    r"|tout|deux|trois|quatre|cinq|dix|cent|mille|al)\b)(?=[a-z]{3})"
    r"|and\s+(?=(?:then\s+)?(?:launch|sign|agree|announc|add|strik|struck|unveil|expand|commit|began|begin|start|took"
    r"|tak|won|win|bought|buy|invest|pledg|secur)(?:ed|es|s|d|ing)?\b))"
)


# "contract with CoreWeave and Oracle has expanded its own", « avec CoreWeave et Oracle a étendu le
# sien »: a party after a bare "and" whose verb is singular is a subject of its own (two parties
# joined as one subject take a plural: "CoreWeave and Oracle have", « CoreWeave et Oracle ont »).
_AND_BEFORE = re.compile(r"\s(?:and|et)\s+\Z")
_SINGULAR_AFTER = re.compile(
    r"\s+(?:has|is|was|est|avait|etait|va|sera|aura|doit|vient)\b"
    # « a » folds as « à » does (« et SoftBank à Abilene »): the auxiliary only before a participle news uses
    r"|\s+a\s+(?:deja\s+|aussi\s+|egalement\s+|pour sa part\s+|de son cote\s+)?(?:signe|conclu|etendu|elargi|annonce"
    r"|obtenu|rompu|resilie|mis|pris|decide|accepte|accorde|investi|renonce|perdu|gagne|decroche|remporte|double"
    r"|triple|augmente|porte|reduit|cede|vendu|achete|lance|confirme|dementi|indique|declare|precise|ajoute|fait|ete"
    r"|abandonne|quitte|rejoint|retire|noue|scelle|prolonge|renouvele|revu|leve|injecte|engage|promis|choisi|opte|recu)\b"
)


# "between Google and OpenAI", « entre Google et OpenAI »: the party after "and" is the pair's second
_BETWEEN_BEFORE = re.compile(r"\b(?:between|entre)\s+(?:[\w'-]+\s+){0,3}?(?:and|et)\s+\Z")


def _singular_subjects(text: str, parties: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Breaks before a party that starts a proposition of its own after "and" / « et » (not the
    second of a pair after "between": « le contrat entre Google et OpenAI a pris fin »)."""
    return [
        (text.rindex(" ", 0, start - 1) if " " in text[: start - 1] else start - 1, start)
        for start, end in parties
        if _AND_BEFORE.search(text, max(0, start - 8), start)
        and (_SINGULAR_AFTER.match(text, end) or _COMMA_ET.search(text, max(0, start - 8), start))
        and not _BETWEEN_BEFORE.search(text, max(0, start - 60), start)
    ]


# French puts no comma before a list's last « et »: « …fournisseurs d'OpenAI, et Microsoft investit dans ses
# propres puces » opens a proposition, whatever its verb
_COMMA_ET = re.compile(r",\s+et\s+\Z")


# "…a plan led by OpenAI, SoftBank and Oracle, Microsoft says it is no longer…", « …, Microsoft affirme
# que… »: a party after a comma that reports what follows opens a proposition of its own (what it
# says is its, not the list's before it). Not at the sentence's end ("…, Microsoft said.").
_COMMA_BEFORE = re.compile(r",\s+\Z")
REPORTS_AFTER = re.compile(
    rf"\s+(?:(?:a|ont|has|have|had)\s+)?(?:{REPORTING_VERBS}|(?:has been|have been|had been|keeps|kept)"
    r" (?:telling|saying|arguing|insisting))\s+(?:that\s+|que\s+|qu'\s*)?(?=[a-z])"
)


def _reporting_subjects(text: str, parties: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Breaks at the comma before a party that reports what follows (see `REPORTS_AFTER`)."""
    return [
        (start - len(comma.group()), start)
        for start, end in parties
        if (comma := _COMMA_BEFORE.search(text, max(0, start - 4), start)) and REPORTS_AFTER.match(text, end)
    ]


def _breaks(text: str, parties: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Where clauses break: `_CLAUSE_BREAK`, ", and <party>" after anything but a party, ", et <verb>",
    and the comma that ends a leading contrast."""
    breaks = [(m.start(), m.end()) for m in _CLAUSE_BREAK.finditer(text)]
    label = _LABEL.match(text)  # "Our take: with the contract unwound, Azure is…"
    # a headline's topic is what the clause after it speaks of: « Droit de préemption : Microsoft dément… »
    # (not before an aside on the past: « Microsoft renonce à son droit : jusqu'ici, OpenAI devait… »)
    if (topic := _TOPIC.match(text)) and not RELATIVE_START.match(text, topic.end()):
        breaks = [b for b in breaks if not b[0] < topic.end() <= b[1]]
    if lead := _LEADING_CONTRAST.match(text) or (label and _LEADING_CONTRAST.match(text, label.end())):
        comma = text.rindex(",", 0, lead.end())
        if not any(a <= comma < b for a, b in breaks):
            breaks = sorted([*breaks, (comma, lead.end())])
    starts, ends = {p[0] for p in parties}, {p[1] for p in parties}
    if parties:
        new_subjects = _AND_PARTY.finditer(text)
        breaks += [(m.start(), m.end()) for m in new_subjects if m.end() in starts and m.start() not in ends]
        breaks += [b for b in _singular_subjects(text, parties) if not any(a <= b[0] < z for a, z in breaks)]
        breaks += [b for b in _reporting_subjects(text, parties) if not any(a <= b[0] < z for a, z in breaks)]
    breaks += [(m.start(), m.end()) for m in _AND_THE_COMPANY.finditer(text)]
    taken = {b[0] for b in breaks}
    verbs = _AND_VERB.finditer(text)  # ", et Google" is a list's last item, not a verb
    breaks += [(m.start(), m.end()) for m in verbs if m.end() not in starts and m.start() not in taken]
    if "(" in text:  # « les interfaces (API) d'OpenAI », "the chatbot (ChatGPT)": a gloss, no aside
        glosses = [(m.start(), m.end()) for m in _GLOSS.finditer(text)]
        breaks = [b for b in breaks if not any(a - 2 <= b[0] < z for a, z in glosses)]
    breaks.sort()
    return breaks


# A parenthesis of one to three words without punctuation: an acronym or a gloss of the word before.
_GLOSS = re.compile(r"\((?:[\w'’.-]+ ?){1,3}\)")


# A relative clause or an aside on the past, at a clause's start (`rules.scan` joins what it interrupts).
RELATIVE_START = re.compile(rf"{_PARTITIVE}(?:{RELATIVE_PRONOUNS}|{FORMERLY})\b")


# A relative's own time clause after a comma: « Ce droit, qui permettait à Microsoft de répondre en
# premier, avant que la start-up ne se tourne vers d'autres, a été supprimé » ends its relative after it.
_RELATIVE_GOES_ON = re.compile(
    r"(?:avant que|avant qu'|apres que|apres qu'|jusqu'a ce que|jusqu'a ce qu'|des que|des qu'|sans que|sans qu'"
    r"|before|after|until|unless|without)\s"
)


def _close_relatives(
    text: str, spans: list[tuple[int, int]], parties: Sequence[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """End a relative clause at its next comma; what follows rejoins the main proposition.

    Not at a comma between two parties: "OpenAI, qui a conclu des accords avec Oracle, AWS et
    CoreWeave, s'engage…" ends its relative after the list; nor before the relative's own time
    clause (`_RELATIVE_GOES_ON`).
    """
    out: list[tuple[int, int]] = []
    ends, starts = {p[1] for p in parties}, {p[0] for p in parties}
    for start, end in spans:
        if RELATIVE_START.match(text, start):
            comma = text.find(", ", start, end)
            while comma != -1 and (comma in ends and comma + 2 in starts or _RELATIVE_GOES_ON.match(text, comma + 2)):
                comma = text.find(", ", comma + 2, end)
            if comma != -1:
                out.append((start, comma))
                out.append((comma + 2, end))
                continue
        out.append((start, end))
    return out


# --- language ----------------------------------------------------------------

_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "that",
        "for",
        "with",
        "has",
        "its",
        "on",
        "was",
        "said",
        "will",
        "it",
        "are",
        "by",
        "from",
        "this",
        "as",
        "have",
    ]
)
_FR_WORDS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "et",
        "du",
        "de",
        "un",
        "une",
        "est",
        "dans",
        "pour",
        "sur",
        "qui",
        "que",
        "avec",
        "au",
        "aux",
        "ce",
        "il",
        "sont",
        "par",
        "ses",
        "son",
    ]
)
_WORD = re.compile(r"[a-z]+")
# An English word counts 1, a French one 2**32: one sum counts both, for a text holds fewer than 2**32 words.
_FR_VOTE = 1 << 32
_VOTES = {**dict.fromkeys(_EN_WORDS, 1), **dict.fromkeys(_FR_WORDS, _FR_VOTE)}
# Every ASCII character but a-z to a space: the words of an ASCII text are then what `str.split` gives.
_LETTERS_ONLY = {code: chr(code) if "a" <= chr(code) <= "z" else " " for code in range(128)}


def _words(text: str) -> list[str]:
    """The runs of `_WORD` in `text`. Folded text is nearly always ASCII, where `str.translate` and
    `str.split` find them twice as fast as the regex; any other text is left to the regex."""
    return text.translate(_LETTERS_ONLY).split() if text.isascii() else _WORD.findall(text)


def detect_language(folded_text: str, *, sample: int = 4000) -> str:
    """'en', 'fr' or 'und', by a vote of function words over the first `sample` characters.

    Two languages only, so a stop-word vote is as accurate as a language-id
    model here and a hundred times cheaper (it runs on every page).
    """
    words = _words(folded_text[:sample])
    # both counted in C, in one pass and one sum: the vote runs on every page
    votes = sum(map(_VOTES.get, words, repeat(0, len(words))))
    en, fr = votes % _FR_VOTE, votes // _FR_VOTE
    if en + fr < 3:
        return "und"
    return "fr" if fr > en else "en"
