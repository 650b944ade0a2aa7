# SPDX-License-Identifier: MIT
"""Values in one English or French sentence: money, shares, capacities, counts, ranks, terms, dates.

Claim rules need the numbers a sentence carries in one normalised form, so that
"$38 billion", "US$ 38bn" and "38 milliards de dollars" compare equal, and the
dates it places the claim at ("through 2032", "depuis mai", "four years ago"):

    >>> [(v.kind, v.value) for v in find_values("OpenAI will buy $250 billion of Azure through 2032.")]
    [('amount_usd', 250000000000.0), ('until', '2032')]

Every candidate sentence of every page comes through here, so the text is scanned
once by one compiled alternation. Its branches are ordered so that, where two
readings start at the same place, the longer, more specific one wins ("four years
ago" is a date before "four years" is anything else; "2019 GPUs" is a count before
"2019" is a year); leftmost-first scanning settles the rest. A number is matched
once and what follows it picks the reading (money, %, GW, count...). Each branch
is a named group and a small handler turns its match into `Value`s. Every
repetition is bounded, so no input (100 KB of "1,1." or "1 ") can make the engine
backtrack quadratically.

Numbers may be written in words ("two hundred fifty", « vingt et un ») or as fractions ("a third of
a trillion dollars" is an amount, « un quart du capital » a share). Words are read here rather than
by text2num's `alpha2digit` (about 10 µs a sentence, but it rewrites the text, and every value must
point back into it).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Value:
    """One value found in a text; `start`/`end` index the text given to `find_values`."""

    # amount_usd amount_other share_pct capacity_gw units rank duration_years until since date now,
    # previous: the date of an old figure (« contre 12 l'an dernier »), which dates no claim, and
    # amount_bare: a scaled figure that names no currency (« 250 milliards »), see `_bare_amounts`
    kind: str
    value: float | int | str
    start: int
    end: int
    text: str


# --- lexicon -------------------------------------------------------------------------------------
def _list(words: str) -> list[str]:
    """Word lists written as one string: easier to read and edit than a literal of quoted words."""
    return words.split()


_EN = _list(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty"
)
_FR = _list("un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize")
_WORD_VALUE = (
    {w: i for i, w in enumerate(_EN, 1)}
    | {w: i for i, w in enumerate(_FR, 1)}
    | {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "hundred": 100,
        "une": 1,
        "vingt": 20,
        "vingts": 20,
        "trente": 30,
        "quarante": 40,
        "cinquante": 50,
        "soixante": 60,
        "cent": 100,
        "cents": 100,  # « trois cents »
        "mille": 1000,  # « deux mille », « mille milliards »
        "a": 1,
        "an": 1,
        "80": 80,  # "80": see _words
    }
)
_NUMBER_WORDS = [w for w in _WORD_VALUE if w.isalpha() and w not in ("a", "an")]
_WEEKDAYS_EN = _list("monday tuesday wednesday thursday friday saturday sunday")
_WEEKDAYS_FR = _list("lundi mardi mercredi jeudi vendredi samedi dimanche")
_ORDINALS = {
    word: rank
    for rank, words in enumerate(
        [
            "first premier premiere",
            "second deuxieme seconde",
            "third troisieme",
            "fourth quatrieme",
            "fifth cinquieme",
            "sixth sixieme",
            "seventh septieme",
            "eighth huitieme",
            "ninth neuvieme",
            "tenth dixieme",
            "eleventh onzieme",
            "twelfth douzieme",
            "thirteenth treizieme",
            "fourteenth quatorzieme",
            "fifteenth quinzieme",
            "sixteenth seizieme",
            "seventeenth dix-septieme",
            "eighteenth dix-huitieme",
            "nineteenth dix-neuvieme",
            "twentieth vingtieme",
        ],
        start=1,
    )
    for word in words.split()
}
# as written: « cinquième », « première »
_ORDINAL_WORDS = sorted({*_ORDINALS, *(w.replace("ieme", "ième").replace("premiere", "première") for w in _ORDINALS)})
_MONTHS = _list(
    "january february march april june july august september october november december "
    "janvier février fevrier mars avril mai juin juillet août aout septembre octobre novembre "
    "décembre decembre"
)  # English "May" is apart: see _MONTH
_MONTH_ABBR = _list("jan feb fév fev mar apr avr jun jul juil aug sep sept oct nov dec déc")
_MONTH_NO = {
    "jan": 1,
    "feb": 2,
    "fev": 2,
    "mar": 3,
    "apr": 4,
    "avr": 4,
    "may": 5,
    "mai": 5,
    "jun": 6,
    "juin": 6,
    "jul": 7,
    "juil": 7,
    "aug": 8,
    "aou": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_ASCII = str.maketrans("éèêëàâäôöûüùîïç", "eeeeaaaoouuuiic")
# The letters that re.IGNORECASE matches with an ASCII letter they do not lowercase to: "ſix" and
# "fİve" match the number words, and must then read as "six" and "five" (see `_lower`).
_RE_CASE = str.maketrans({"ſ": "s", "K": "k", "İ": "i", "ı": "i"})
# Every word a branch of _SCAN can start with (numbers, prepositions, date words, currency codes).
# Checked first at each word start, so the whole alternation runs only where something can match;
# see _PREFILTER for the signs, elisions and articles that also can.
_TRIGGERS = (
    _NUMBER_WORDS
    + _WEEKDAYS_EN
    + _WEEKDAYS_FR
    + _MONTHS
    + _MONTH_ABBR
    + _list("""
    as au aud by cad ce cette chf cny de depuis des du dans durant during dès earlier early effective en
    end entre eur fin first for fourth from gbp h1 h2 h3 h4 il in inr jpy la last late later lasting le
    mi mid middle next no on over pendant plus pour premier q1 q2 q3 q4 rang second seconde since spanning
    starting start sur the third this thru through till today tonight top until usd across beginning yesterday hier
    between courant fiscal year dernier début debut numéro numero à may at half les horizon valid
    covering running stretching couvrant spring summer fall autumn winter printemps été ete automne hiver
    """)
)
_TRIGGER_STEMS = _list("jusqu aujourd class rank deuxi troisi quatri fy extend prolong run")  # "FY2025"


# --- pattern pieces (all repetitions bounded: see the module docstring) ----------------------------
def _words_re(words: list[str], *, whole: bool = True) -> str:
    """An alternation of words grouped by first letter: the engine tries one group, not every word."""
    groups: dict[str, list[str]] = {}
    for w in sorted(set(words), key=len, reverse=True):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    body = "|".join(f"{re.escape(k)}(?:{'|'.join(v)})" for k, v in groups.items())
    return f"(?:{body})" + (r"(?!\w)" if whole else "")


def _trie_words_re(words: list[str], *, whole: bool = True) -> str:
    """The same words as `_words_re`, as a trie the regex engine walks letter by letter: for the
    prefilter, which runs at every word start.

    Under re.IGNORECASE `re` enters every alternative to compare its first letter, so grouping the
    words by first letter saves little: each of some 30 groups is entered at every word. A branch
    whose first item is a case-sensitive class is skipped in C without being entered; so each
    letter of a choice is first matched by a case-sensitive class (for "d": `[^\\x00-\\x43\\x45-
    \\x63\\x65-\\x7f]`, "d", "D" or non-ASCII, for IGNORECASE matches no other ASCII character to
    an ASCII letter), then read again by a look-behind as IGNORECASE reads it. So the trie matches
    exactly what `_words_re` does (tests/test_values.py compares them), longer words first.
    It costs 9 ms more to compile, which is why the body's lists stay plain alternations.
    """
    trie: dict[str, Any] = {}
    for word in sorted(set(words)):
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here
    return f"(?:{_trie_node_re(trie)})" + (r"(?!\w)" if whole else "")


def _trie_node_re(node: dict[str, Any]) -> str:
    """One node of the trie: each next letter with what follows it, then the end of a word."""
    choice = len(node) > 1
    branches = [_letter_re(char, choice=choice) + _trie_node_re(child) for char, child in node.items() if char]
    if "" in node:
        branches.append("")  # a word ends here: tried after the longer ones
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


def _letter_re(char: str, *, choice: bool) -> str:
    """One letter of a word; `choice`: a branch of an alternation, which `re` should skip in C."""
    if choice and char.isascii() and char.isalpha():
        # "not another ASCII character", not "d, D or \\x80-\\U0010ffff": that range takes seconds to compile
        low, high = sorted((ord(char.lower()), ord(char.upper())))
        others = rf"\x00-\x{low - 1:02x}\x{low + 1:02x}-\x{high - 1:02x}\x{high + 1:02x}-\x7f"
        return f"(?-i:[^{others}])(?<={re.escape(char)})"
    return re.escape(char)


_S, _S0 = r"\s{1,2}", r"\s{0,2}"  # a gap between words; \s covers U+00A0, U+202F, U+2009
_GAP = r"(?:\s{1,2}|(?<=['’]))"  # or none after an elision: "à partir d'avril"
_S0H = r"(?:\s{0,2}|[-‑])"  # or a hyphen: "a 10-gigawatt deal", "a $300-billion contract", "a 27-percent stake"
_NB = r"(?<!\d)(?<!\d[.,])"  # never start inside "1,5" or "2019"
_DIGITS = (
    _NB + r"(?:\d{1,3}(?:[.,\u0020\u00a0\u202f\u2009]\d{3}(?!\d)){1,5}(?:[.,]\d{1,6}(?!\d))?"
    r"|\d{1,15}(?:[.,]\d{1,6}(?!\d))?)(?![.,]?\d)"
)
_W = _words_re(_NUMBER_WORDS)
# Between two number words: a hyphen ("twenty-five", "vingt-et-un", "quatre-vingt-dix"), a space
# ("two hundred fifty", « deux cent cinquante »), "and" after "hundred" ("two hundred and fifty"),
# « et » before un/onze (« vingt et un », « soixante et onze »). `_words` refuses a sequence that
# is no number ("five twenty"). "a hundred" is one too.
_WSEP = (
    r"(?:-(?:et-)?|(?<=hundred)\s{1,2}and\s{1,2}|\s{1,2}et\s{1,2}(?=(?:un|une|onze)(?!\w))"
    # a space only after a hundred or a ten, or before a hundred: "one two" is two numbers
    r"|(?:(?<=hundred)|(?<=cent)|(?<=cents)|(?<=mille)|(?<=ty)|(?<=vingt)|(?<=ente)|(?<=ante))\s{1,2}"
    r"|\s{1,2}(?=hundred|(?:cents?|mille)(?!\w)))"
)
# Atomic: the longest run of number words is the number, never a shorter one tried again.
_WORDNUM = rf"(?>(?:an?\s{{1,2}}(?=hundred))?{_W}(?:{_WSEP}{_W}){{0,5}}(?:\s{{1,2}}and\s{{1,2}}a\s{{1,2}}half(?!\w))?)"
# Fractions: "a third", "two-thirds", "three quarters", "half"; « un tiers », « les deux tiers »,
# « un quart », « la moitié », « un cinquième ». A bare "third"/"quart" is an ordinal or a
# quarter of a year, never a fraction here.
_FRAC = (
    r"(?:(?:(?:an?|one|two|three|four)[-\s]{1,2})(?:(?:additional|extra|incremental|further|another)\s{1,2})?"
    r"(?:thirds?|quarters?|fifths?|tenths?)"
    r"|(?:(?:an?|one)[-\s]{1,2})?half"
    r"|(?:les\s{1,2})?(?:deux|trois|quatre)\s{1,2}(?:tiers|quarts|cinqui[èe]mes|dixi[èe]mes)"
    r"|(?:un|le|du)\s{1,2}(?:tiers|quart|cinqui[èe]me|dixi[èe]me)|(?:la|une)\s{1,2}moiti[ée]"
    r"|(?:un\s{1,2})?demi)(?!\w)"
)
_SMALLNUM = rf"(?:{_NB}\d{{1,3}}(?:[.,]\d{{1,2}})?(?![.,]?\d)|{_WORDNUM})"  # a term is never "2025 years"
_SCALE = (
    r"(?:trillions?|tn|tr|billions?|blns?|bns?|b|milliards?|mrds?|mds?|millions?|mlns?|mns?|m"
    r"|thousands?|k|mille|G(?=\$))(?!\w)"  # Canadian "135 G$ US": milliards
)
# a word between a number and its scale: "un premier milliard de dollars"; never "five twenty", "multibillion"
_BETWEEN = rf"(?!(?:de|d|of)(?!\w))(?!{_W})[^\W\d_]{{2,15}}(?!\w)"
_DE = rf"(?:(?:de|of){_S}|d['’]{_S0})?"
# "a"/"an"/"half a" are numbers only in "a billion dollars", "half a trillion", "a year ago".
_ARTICLE_NUM = (
    r"(?:half\s{1,2})?an?(?!\w)"
    r"(?=\s{1,2}(?:years?\s{1,2}ago|trillion|billion|million|thousand|dollar|euro|pound|gigawatt))"
)
# Other dollars: "Canadian dollars", « dollars canadiens », "$ CA"; a bare Canadian "G$" too.
_FOREIGN_DOLLAR = r"(?:canadiens?|australiens?|n[ée]o-z[ée]landais|de\s{1,2}(?:Hong\s{1,2}Kong|Singapour|Ta[iï]wan))"
_USD = (
    rf"(?:(?:US|U\.S\.|american)\s{{1,2}})?dollars?(?!\s{{1,2}}{_FOREIGN_DOLLAR})(?:\s{{1,2}}(?:am[ée]ricains?|US))?(?!\w)"
    r"|US\$|USD(?!\w)|\$\s{0,2}US(?!\w)"
    # « 135 milliards US »: a bare "US" only right after the scale word
    r"|(?:(?<=milliards\s)|(?<=milliard\s)|(?<=millions\s)|(?<=million\s)|(?<=billions\s)|(?<=billion\s))"
    r"(?-i:US)(?![\w$])|(?<!G)\$(?!\s{0,2}\d)(?!\s{0,2}(?-i:CA|CAN|CAD|AU|AUD)(?!\w))"
)
_OTHER = (
    r"(?:euros?|€|livres?(?:\s{1,2}sterling)?|pounds?(?:\s{1,2}sterling)?|£|yens?|yuans?|renminbi"
    r"|francs?\s{1,2}suisses|EUR|GBP|CHF|JPY|CNY"
    r"|(?:canadian|australian|singapore|hong\s{1,2}kong|new\s{1,2}zealand|taiwan)\s{1,2}dollars?"
    rf"|dollars?\s{{1,2}}{_FOREIGN_DOLLAR}|\$\s{{0,2}}(?-i:CA|CAN|CAD|AU|AUD)|(?<=G)\$)(?!\w)"
)
_OTHER_PREFIX = r"(?:[€£¥₹]|(?:EUR|GBP|CHF|JPY|CNY|INR|CAD|AUD)(?![a-z])|(?:C|A|HK|NZ|S|R)\$)"
_UNIT = (
    r"(?:data[\s-]?cent(?:er|re)s?(?:\s(?:sites?|campus(?:es)?|buildings?))?|datacent(?:er|re)s?"
    r"|centres?\sde\s(?:donn[ée]es|calcul)|cartes?\sgraphiques|graphics\s(?:processing\sunits|processors)"
    r"|(?:super)?chips?|puces?|GPUs?|TPUs?|[ABH]\d{3}s|GB\d{3}s|processors?|processeurs?"
    r"|acc[ée]l[ée]rat(?:or|eur)s?|buildings?|b[âa]timents?|servers?|serveurs?|racks?|baies"
    # not a website: « un site spécialisé », « un site d'information », "a news site" is no site built
    r"|sites?(?!\s{1,2}(?:sp[ée]cialis|web\b|internet|d['’]informations?|d['’]actualit|de\s{1,2}presse|d['’]info\b))"
    r"|campus(?:es)?|facilit(?:y|ies)|installations?|structures?)(?!\w)"
)
# Words that never stand between a count and its noun: "one of the sites" is not a count of sites, nor
# "130 kilowatts a rack" one of racks.
_STOP = _words_re(
    _list("of the de des du les la le than que and et or ou to à in en per par for pour with avec a an each")
)
_ORD = r"(?:st|nd|rd|th|[èe]me|[èe]re|er|re|e|è|ᵉ)"
_WD_EN, _WD_FR = _words_re(_WEEKDAYS_EN), _words_re(_WEEKDAYS_FR)
_MONTH = (
    f"(?:{_words_re(_MONTHS)}|(?-i:May)(?!\\w)"  # not "may": the verb is far commoner
    r"|(?:jan|feb|f[ée]v|mar|apr|avr|jun|jul|juil|aug|sept?|oct|nov|dec|d[ée]c)\.?(?=\s{1,2}\d))"
)
_YEAR = _NB + r"(?:199\d|20\d\d|2100)(?![.,]?\d)"
_DAY = _NB + r"(?:[12]\d|3[01]|0?[1-9])(?:er|st|nd|rd|th)?(?!\d)"
# What a fraction is of when it is no share: time ("half of the year", « un quart d'heure »), a
# figure ("half of 2026"), a trusted party (« un tiers de confiance »).
_NOT_SHARE = (
    r"(?:years?|decades?|century|centuries|months?|weeks?|days?|hours?|time|quarters?|ann[ée]es?|ans?(?!\w)"
    r"|si[èe]cles?|mois|semaines?|journ[ée]es?|heures?|temps|d[ée]cennies?|finale|confiance|trillion|billion"
    r"|million|milliard|[$€£\d])"
)
_NOT_QTY = r"(?!\s{0,2}(?:%|[gm]w(?!\w)|giga|m[ée]ga|percent|pour|billion|million|milliard))"
_DATE_FULL = (
    rf"(?:{_DAY}{_S}(?:of{_S})?{_MONTH}(?:,?{_S}{_YEAR})?"
    rf"|{_MONTH}(?:{_S}{_DAY}(?:,?{_S}{_YEAR}|{_NOT_QTY})|,?{_S}{_YEAR}))"
)
_DATE_ANY = rf"(?:{_DATE_FULL}|{_MONTH}|{_YEAR})"
# a month's year said relative to publication: "in January last year", « en janvier de l'année dernière »
_MONTHS_YEAR = (
    rf"(?:(?:{_S}(?:of{_S})?(?:last|this|next){_S}year"
    rf"|{_S}de{_S}l['’](?:ann[ée]e{_S}(?:derni[èe]re|pass[ée]e|prochaine)|an{_S}(?:dernier|pass[ée]|prochain)))(?![\w-]))"
)
_RELATIVE_YEAR = re.compile(r"(last|derni|pass)|(next|prochain)|(this|cette)", re.I)
_MOD = (
    r"(?:(?:the\s{1,2})?(?:end|start|beginning|middle|(?:first|second|1st|2nd)\s{1,2}half"
    r"|(?:first|second|third|fourth|last|1st|2nd|3rd|4th)\s{1,2}quarter)\s{1,2}of\s{1,2}"
    r"|(?:early|late|mid|end|fin|d[ée]but|mi|year-end|fiscal(?:\s{1,2}year)?)[-\s]{1,2}(?:de\s{1,2})?|FY\s{0,2}"
    r"|(?:(?:le|la)\s{1,2})?(?:premier|second|seconde|deuxi[èe]me|troisi[èe]me|quatri[èe]me|dernier"
    r"|1er|2e|3e|4e)\s{1,2}(?:semestre|trimestre)\s{1,2}(?:de\s{1,2})?|[HQ][1-4]\s{1,2})"
)
_UNTIL = (
    r"(?:through|thru|until|till|by|no\s{1,2}later\s{1,2}than|jusqu['’]\s?(?:en|à|a|au|aux)"
    r"|d['’]ici(?:\s{1,2}(?:à|a|la))?|au\s{1,2}plus\s{1,2}tard(?:\s{1,2}(?:en|le|au))?"
    # a term moved or kept: "extended to 2031", "runs into 2030", "valid to 2030"
    r"|(?:extend|prolong|renew|run)\w{0,4}\s{1,2}(?:(?:out|up|through)\s{1,2})?(?:to|into)|valid\s{1,2}(?:to|into)"
    r"|(?:[àa]\s{1,2}l['’]\s?)?horizon(?:\s{1,2}d(?:e|['’]))?)"  # « à l'horizon 2030 »
)
# "until AGI is declared or 2032", « jusqu'à l'AGI ou 2032 »: the date is the term's end
_UNTIL_AGI_OR = (
    r"(?:until|till|jusqu['’]\s?(?:à|a))\s{1,2}(?:l['’]\s?|the\s{1,2})?(?:AGI|IAG)(?:\s{1,2}[\w'’-]+){0,6}?"
    r",?\s{1,2}(?:or|ou)(?:\s{1,2}(?:en|in|until|jusqu['’]\s?(?:en|à|a)))?"
)
_SINCE = (
    r"(?:since|depuis|from|starting(?:\s{1,2}(?:in|from|on))?|beginning(?:\s{1,2}(?:in|on))?"
    r"|effective|[àa]\s{1,2}partir\s{1,2}(?:de|du|d['’])|dès)"
)
# what follows "until"/"since": "until last January", « jusqu'en mars dernier »
_TERM = rf"{_GAP}(?:(?:the|le|la|last|next){_S})?(?:{_MOD})?{_DATE_ANY}(?:{_S}(?:derni[èe]re?|prochaine?)(?![\w-]))?"

# What may follow a number, most specific first; the number itself is group "n" (see _BRANCHES).
# The lookahead skips them all at once when no letter or sign follows ("1 1 1", "2019, 2020").
_TAILS = (
    r"(?=[-‑\s]{0,2}[^\W\d_]|\s{0,2}[%$€£])(?:"
    rf"(?P<t_ago>{_S}years?{_S}ago(?!\w))"
    rf"|(?P<t_dur>[-‑\s]year(?![-\w]))"
    # no currency starts with "%": « 27 % » skips the costliest tail at once
    rf"|(?!\s{{0,2}}%)(?:(?:{_S}{_BETWEEN})?{_S0H}(?P<t_s>{_SCALE}))?{_S0H}{_DE}(?:(?P<t_usd>{_USD})|(?P<t_oth>{_OTHER}))"
    rf"|(?P<t_pct>{_S0H}(?:%|(?:percent|per[-\s]{{1,2}}cent|pour{_S0}cent|pct|pc)(?!\w)))"
    rf"|(?P<t_cap>{_S0H}(?P<t_cap_u>gigawatts?|GW|m[ée]gawatts?|MW|terawatts?|TW)(?!\w)(?P<t_cap_half>{_S}et{_S}demie?(?!\w))?)"
    rf"|(?P<t_units>(?:{_S}(?P<t_units_s>millions?|milliards?|billions?|thousands?|mille)"
    rf"(?:{_S}(?:de|of)|{_S}d['’])?)?(?:{_S}(?!{_STOP})(?!\d)[\w-]{{1,20}}){{0,2}}(?:{_S}|(?<=['’])){_UNIT}))"
)

# Order matters: at one position the first branch that matches wins (see the module docstring).
_BRANCHES: list[tuple[str, str]] = [
    (
        "rng",
        rf"(?:from|between|de|du|entre){_S}(?:le{_S})?(?P<rng_a>{_DATE_ANY}){_S0}"
        rf"(?:to|until|till|through|thru|and|à|au|et|-|–|—){_S0}(?:le{_S})?(?P<rng_b>{_DATE_ANY})",
    ),
    ("until", rf"(?:{_UNTIL_AGI_OR}|{_UNTIL}){_TERM}"),
    ("since", _SINCE + _TERM),
    ("ago", rf"il{_S}y{_S}a{_S}(?P<ago_m>an?(?!\w)|{_SMALLNUM}){_S}ans?(?!\w)"),
    (
        "rel",
        # a part of the year first: "at the end of last year", "late last year", « fin de l'an dernier »
        rf"(?:(?:(?:at|by|in|toward|towards){_S})?(?:the{_S})?(?P<rel_part>end|start|beginning|middle|close){_S}of{_S}"
        rf"|(?P<rel_part_en>late|early|mid)[-\s]{{1,2}}"
        rf"|(?:(?:[àa]|vers){_S}la{_S}|en{_S}|au{_S})?(?P<rel_part_fr>fin|d[ée]but|milieu){_S}de{_S}(?=l['’]|cette))?"
        rf"(?:(?:(?:earlier|later){_S})?this{_S}year|last{_S}year|next{_S}year|(?:plus{_S}t[ôo]t{_S}"
        rf"|plus{_S}tard{_S})?cette{_S}ann[ée]e|l['’]an(?:n[ée]e)?{_S}(?:derni[èe]re?|pass[ée]e?"
        rf"|prochaine?)|at{_S}the{_S}(?:start|beginning){_S}of{_S}(?:the|this){_S}year"
        rf"|(?:au|en){_S}d[ée]but{_S}(?:d['’]|de{_S}l['’]){_S}?ann[ée]e)(?![\w-])",  # not « cette année-là »
    ),
    (
        "dur",
        rf"(?:(?:over|for|during|across|spanning|lasting|covering|running|stretching){_S}(?:(?:the{_S}(?:next|coming|following)"
        rf"|a{_S}(?:period|term){_S}of){_S})?(?:(?:roughly|about|approximately|around|nearly|some"
        rf"|almost|more{_S}than|at{_S}least|up{_S}to){_S})?(?P<dur_a>{_SMALLNUM}){_S}"
        rf"(?:more{_S}|additional{_S})?years?(?!\w)(?!{_S}ago)"
        rf"|(?:sur|de|pendant|pour|durant|couvrant){_S}(?:environ{_S})?(?P<dur_b>{_SMALLNUM}){_S}ans?(?!\w)"
        rf"|(?:au{_S}cours{_S}des|(?:sur|dans|pendant|durant|pour){_S}les|des){_S}"
        rf"(?P<dur_c>{_SMALLNUM}){_S}(?:prochaines|suivantes){_S}ann[ée]es(?!\w))",
    ),
    # a season: "in the fall of 2025", « à l'automne 2025 », "last spring", « au printemps dernier »
    (
        "season",
        rf"(?:(?P<ssn_since>since|depuis){_S}(?:le{_S})?|(?:in|during|at|à|au|en|durant|pendant|dès|courant){_S})?"
        rf"(?:the{_S})?"  # not « l' »: the scan starts no value at an elision but « l'an »
        rf"(?:(?P<ssn_r0>last|this|next){_S})?(?P<ssn>spring|summer|fall|autumn|winter|printemps|été|ete|automne|hiver)"
        rf"(?:{_S}(?:of{_S}|de{_S})?(?P<ssn_y>{_YEAR})|{_S}(?P<ssn_r1>dernier|pass[ée]|prochain))?(?![\w-])",
    ),
    ("date_full", rf"(?:(?:on|le|the){_S})?(?:(?:{_WD_EN}|{_WD_FR}),?{_S}(?:the{_S})?)?{_DATE_FULL}"),
    (
        "date_in",
        rf"(?:(?:in|en|au|during|durant|pendant|courant|dans|as{_S}of){_S}(?:{_MOD})?|{_MOD}"
        # a month said relative to publication: "last October", "next March"
        rf"|(?:last|next){_S}(?={_MONTH}))"
        rf"{_DATE_ANY}{_MONTHS_YEAR}?",
    ),
    (
        "now",
        rf"(?:today|tonight|this{_S}week|on{_S}{_WD_EN}|aujourd['’]hui|cette{_S}semaine"
        rf"|ce{_S}{_WD_FR}|{_WD_FR}"
        # the days and weeks just gone are news of now: "last week", "yesterday", "two weeks ago", « hier »,
        # « la semaine dernière », « le mois dernier », « il y a dix jours »
        rf"|yesterday|last{_S}(?:week|weekend|month)|this{_S}past{_S}(?:week|weekend)|over{_S}the{_S}weekend"
        rf"|(?:earlier|late|later){_S}this{_S}month|(?:a|{_SMALLNUM}|a{_S}few){_S}(?:days?|weeks?){_S}ago"
        rf"|hier|avant-hier|la{_S}semaine{_S}(?:derni[èe]re|pass[ée]e)|le{_S}mois{_S}(?:dernier|pass[ée])"
        rf"|(?:ce|le){_S}week-end(?:{_S}dernier)?|il{_S}y{_S}a{_S}(?:{_SMALLNUM}|quelques){_S}(?:jours|semaines))(?!\w)",
    ),
    (
        "usd_pre",
        rf"(?:US{_S0}\$|U\.S\.{_S0}\$|USD{_S0}|\$(?:{_S0}US(?!\w))?){_S0}(?P<usd_n>{_DIGITS})"
        # a range shares its scale: "US$85–100 bn" is 85 billion at least
        rf"(?:{_S0}[-–—]{_S0}\$?{_DIGITS}(?={_S0H}{_SCALE}))?"
        rf"(?:{_S0H}(?P<usd_s>{_SCALE}))?",
    ),
    ("oth_pre", rf"{_OTHER_PREFIX}{_S0}{_DIGITS}(?:{_S0}{_SCALE})?"),
    # "a third of a trillion dollars", "a quarter-trillion dollars", « un demi-milliard de dollars »
    (
        "frac_amt",
        rf"(?P<fa>{_FRAC})(?:(?:{_S}of)?{_S}(?:an?|one){_S}|{_S}d['’]un{_S}|{_S}de{_S}|-)"
        rf"(?P<fa_s>trillions?|billions?|millions?|milliards?)(?P<fa_de>{_S0}{_DE})(?:(?P<fa_usd>{_USD})|{_OTHER})",
    ),
    # "a quarter of the company", « un peu plus d'un quart du capital », "a one-third stake"
    (
        "frac_pct",
        rf"{_FRAC}(?={_S}(?:(?:of|de|du|des|stake|share|interest|holding|ownership|equity)(?!\w)|d['’]))"
        rf"(?!{_S}(?:of|de|du|des|d['’]){_S0}(?:(?:the|this|next|last|a|an|l['’]|la|le|les|une?){_S0})?{_NOT_SHARE})",
    ),
    ("num", rf"(?P<n>{_ARTICLE_NUM}|{_DIGITS}|{_WORDNUM})(?:{_TAILS})"),
    (
        "rank",
        rf"(?:(?:rank(?:ed|s)?|class[ée]e?s?|(?:au{_S})?rang){_S}(?:No\.?{_S0}|n[°º]{_S0}|#)?"
        rf"(?P<rank_a>\d{{1,3}}){_ORD}?|(?:No\.|n[°º]|num[ée]ro|#){_S0}(?P<rank_b>\d{{1,3}})"
        rf"|top[\s-](?P<rank_c>\d{{1,3}})|{_NB}(?P<rank_d>\d{{1,3}}){_ORD}"
        # an ordinal in words after the verb: "now ranks thirteenth", « se classe cinquième »
        rf"|(?:rank(?:ed|s)?|class[ée]e?s?){_S}(?:(?:now|currently|still|d[ée]sormais|actuellement|toujours|encore){_S})?"
        rf"(?:(?:the|au){_S})?(?P<rank_e>{_words_re(_ORDINAL_WORDS)}))(?!\w)",
    ),
    ("year", _YEAR),
]
# A branch starts only at a word start (never inside "within", "H100" or "US$") that is a trigger.
# The "num" branch has no group of its own: m.lastgroup, the group closed last, names its tail.
# Of the elisions, only « d'ici » ("until") and « l'an », « l'année » ("rel") start a value: the
# others (« d'OpenAI », « l'exclusivité ») would send the scan into every branch starting with a
# "d" or an "l", to fail in each (3 µs a word). "C$", "US $": a "$" within seven characters is
# looked for first, at once, rather than through the letters before it at every word
# (tests/test_speedups.py).
_PREFILTER = (
    r"(?<!\w)(?=\d|[$€£¥₹#]\s{0,2}\d|\$\s{0,2}US\s{0,2}\d|(?=[^$]{0,6}+\$)(?:[a-z]{1,2}|u\.s\.)\s{0,2}\$"
    r"|d['’]ici|l['’]an|n[°º]"
    r"|a\s{1,2}partir"
    r"|an?[-\s]{1,2}(?:(?:additional|extra|incremental|further|another)\s{1,2})?(?:half|third|quarter|fifth|tenth|hundred)"
    rf"|{_ARTICLE_NUM}|{_trie_words_re(_TRIGGERS)}|{_trie_words_re(_TRIGGER_STEMS, whole=False)})"
)
# The characters each branch can start with (under IGNORECASE, as the scan reads them), looked at
# before the branch is tried: at a word the prefilter lets through ("in", « d' », "end"), the
# branches that cannot start there are skipped for the cost of one look-ahead each, instead of
# failing deep inside their alternations (about 40,000 machine instructions a word). A look-ahead
# that admits every character a branch can start with changes nothing it matches:
# tests/test_values.py reads each branch's first characters off the parsed pattern to check.
_FIRST = {
    "rng": "[bdef]",
    "until": "[abdehjnprtuvà]",
    "since": "[abdefsà]",
    "ago": "i",
    "rel": "[abcdefilmnpstvà]",
    "dur": "[acdfloprs]",
    "season": "[acdefhilnpstwàé]",  # "since", « depuis » included
    "date_full": r"[\dadfjlmnostvw]",
    "date_in": "[1-4abcdefhilmnpqsty]",
    "now": r"[\dacdefhijlmnopqrstuvwy]",
    "usd_pre": "[$u]",
    "oth_pre": "[aceghijnrs£¥€₹]",
    "frac_amt": "[adfhloqtu]",
    "frac_pct": "[adfhloqtu]",
    "num": r"[\dacdefhmnoqstuv]",
    "rank": r"[#\dacnrt]",
    "year": "[12]",
}
_BODY = "(?:" + "|".join(f"(?={_FIRST[n]})" + (p if n == "num" else f"(?P<{n}>{p})") for n, p in _BRANCHES) + ")"
_SCAN = re.compile(_PREFILTER + _BODY, re.I)
_YEAR_RE = re.compile(_YEAR)
# A month alone as a heading or a timeline's entry: "January. Microsoft ceases…", « Octobre : … »
_HEADING = re.compile(rf"\s*(?:{_MOD})?{_MONTH}(?:{_S}{_YEAR})?\s*(?:[.:\u2013\u2014|-](?=\s|$)|$)", re.I)
_MONTH_RE = re.compile(_MONTH, re.I)
_DAY_RE = re.compile(r"(?<![\w.,])(\d{1,2})(?:er|st|nd|rd|th)?(?!\d)", re.I)
_BLANKS = re.compile(r"[\s\u00a0\u202f\u2009]")
_FRENCH_DE = re.compile(r"\s*d(?:e\s|['’])", re.I)  # "billions de dollars": the French 10^12
# "a", "half a", and French « un », « une » (which are as often an article as a number: « une puce
# maison » is no count of one)
_ARTICLE = re.compile(r"(?:half\s{1,2})?an?|une?", re.I)
_WORD_SPLIT = re.compile(r"[-\s]+")
_FRAC_NUMERATOR = {"two": 2, "three": 3, "four": 4, "deux": 2, "trois": 3, "quatre": 4}
_FRAC_STEMS: tuple[tuple[str, int], ...] = (("hal", 2), ("moiti", 2), ("demi", 2), ("third", 3), ("tiers", 3))
_FRAC_STEMS += (("quart", 4), ("fifth", 5), ("cinqui", 5), ("tenth", 10), ("dixi", 10))
# A date right after an old figure is that figure's: « contre 12 l'an dernier », "up from $3.7bn in
# 2024". Searched in the few words before a date only (see `find_values`).
_PREVIOUS_FIGURE = re.compile(
    r"(?<!\w)(?:contre|versus|vs\.?|compared\s{1,2}(?:with|to)|from|par\s{1,2}rapport\s{1,2}(?:à|a|aux?)"
    rf"|au\s{{1,2}}lieu\s{{1,2}}d(?:e|['’]))\s{{1,2}}(?:[^\s,;:()]{{0,4}}\d[^\s;:()]{{0,14}}|{_WORDNUM})"
    r"(?:\s{1,2}[^\W\d_]{1,12}){0,4}\s{0,2},?\s{0,2}$",
    re.I,
)
_LOOKBACK = 80
_NAME_BEFORE = re.compile(r"(?<![\w-])([A-Z][A-Za-z]{1,20})\s{1,2}$")
_NOT_NAMES = frozenset(_WEEKDAYS_EN + _WEEKDAYS_FR + _MONTHS + ["may", "the", "le", "la", "les", "some", "about"])
_EIGHTY = re.compile(r"quatre-vingts?")
_PAST, _NEXT = re.compile(r"last|derni|pass", re.I), re.compile(r"next|prochain", re.I)


# --- turning matched text into values --------------------------------------------------------------
def _lower(word: str) -> str:
    """A matched word in lowercase ASCII letters, as the case-insensitive pattern read it."""
    return word.translate(_RE_CASE).lower()


def _number(s: str, lang: str) -> float | None:
    """ "15 000" → 15000, "9,7" → 9.7; a lone "1,500" is 1500 in English and 1.5 in French."""
    if not s[0].isdigit():
        return _words(s)
    spaced = bool(_BLANKS.search(s))
    s = _BLANKS.sub("", s)
    dot, comma = s.rfind("."), s.rfind(",")
    if dot < 0 and comma < 0:
        return float(s)
    if dot >= 0 and comma >= 0:  # both marks: the last one is the decimal one
        dec: str | None = "." if dot > comma else ","
    else:
        sep = "." if dot >= 0 else ","
        if s.count(sep) > 1:
            dec = None
        elif spaced or len(s) - s.rfind(sep) - 1 != 3:  # "2 000,5", "22.4", "9,7": plainly a decimal
            dec = sep
        else:  # "1,500" / "1.500": the language decides
            dec = sep if sep == ("," if lang == "fr" else ".") else None
    if dec is None:
        return float(s.replace(",", "").replace(".", ""))
    return float(s.replace("." if dec == "," else ",", "").replace(dec, "."))


def _words(s: str) -> float | None:
    """ "twenty-five" → 25, "quatre-vingt-dix-sept" → 97 (80 + 10 + 7), "half a" → 0.5.

    "two hundred fifty" → 250, « deux cent cinquante » → 250, « vingt et un » → 21. Each word must
    fit in the room the previous one left (units after tens, less than 100 after "hundred"): a
    sequence that is no number ("five twenty", "twenty eleven") is None.
    """
    s = _EIGHTY.sub("80", _lower(s))
    if s.startswith("half"):
        return 0.5
    if s.endswith(" a half"):  # "four and a half"
        whole = _words(s[: s.rindex(" and ")])
        return None if whole is None else whole + 0.5
    thousands, group, room = 0, 0, 1000
    for p in _WORD_SPLIT.split(s):
        if p in ("et", "and"):
            continue
        v = _WORD_VALUE[p]
        if v == 1000:
            if thousands:
                return None
            thousands, group, room = (group or 1) * 1000, 0, 1000
        elif v == 100:
            if group >= 10:  # "two hundred", « trois cents »; not "fifty cents"
                return None
            group, room = (group or 1) * 100, 100
        elif v >= room:
            return None
        else:
            group += v
            room = 20 if v in (60, 80) else 10 if v >= 10 and v % 10 == 0 else 0
    return float(thousands + group)


def _fraction(text: str) -> float:
    """ "a third" → 1/3, "two-thirds" → 2/3, « les trois quarts » → 3/4, « la moitié » → 1/2."""
    words = _WORD_SPLIT.split(_lower(text).translate(_ASCII))
    numerator = next((_FRAC_NUMERATOR[w] for w in words if w in _FRAC_NUMERATOR), 1)
    last = words[-1]
    return numerator / next(d for stem, d in _FRAC_STEMS if last.startswith(stem))


def _scale(word: str | None, tail: str) -> float:
    if not word:
        return 1.0
    w = _lower(word)
    if w.startswith("thousand") or w in ("k", "mille"):
        return 1e3
    if w.startswith("t"):
        return 1e12
    if w.startswith("b"):  # in French "billion" is 10^12: "deux billions de dollars"
        return 1e12 if w.startswith("billion") and _FRENCH_DE.match(tail) else 1e9
    return 1e9 if w.startswith(("milliard", "md", "mrd", "g")) else 1e6


def _month(name: str) -> int:
    n = _lower(name).translate(_ASCII).rstrip(".")
    return _MONTH_NO.get(n[:4]) or _MONTH_NO[n[:3]]


# "last" or "next" right before a month: the month before or after publication, whatever the term
_SAID_BEFORE_MONTH = re.compile(r"\b(?:(last)|next)\s{1,2}\Z", re.I)
_SAID_AFTER_MONTH = re.compile(r"\s{1,2}(?:(derni[èe]re?)|prochaine?)(?![\w-])", re.I)


def _iso(text: str, pub: datetime.date | None, *, ahead: bool = False, nearest: bool = False) -> str | None:
    """The ISO date in a matched phrase; a month without a year takes it from `pub`.

    A bare month is the latest such month not after publication ("in March", "since May"), for the
    end of a term (`ahead`) the next one not before it ("by March"), for a start that may lie ahead
    (`nearest`) the one nearer publication ("starting in June" in May). Without `pub` it is unknown: None.
    """
    y, mo = _YEAR_RE.search(text), _MONTH_RE.search(text)
    month = _month(mo.group()) if mo else 0
    said = mo and (_SAID_BEFORE_MONTH.search(text, 0, mo.start()) or _SAID_AFTER_MONTH.match(text, mo.end()))
    if said:  # "until last January", "by next March", « jusqu'en mars dernier »
        ahead, nearest = said.group(1) is None, False
    relative = _RELATIVE_YEAR.search(text, mo.end()) if mo and pub and not said else None
    if y:
        year = int(y.group())
    elif month and pub and relative:  # "in January last year": the year is said, relative to publication
        year = pub.year - 1 if relative.group(1) else pub.year + 1 if relative.group(2) else pub.year
    elif month and pub and nearest:
        year = pub.year + (1 if month - pub.month < -6 else -1 if month - pub.month > 6 else 0)
    elif month and pub:
        year = pub.year + ((month < pub.month) if ahead else -(month > pub.month))
    else:
        return None
    if _year(year) is None:
        return None
    if not month:
        return f"{year:04d}"
    d = _DAY_RE.search(text)
    if d:
        try:
            return datetime.date(year, month, int(d.group(1))).isoformat()
        except ValueError:  # "31 février": keep the month
            pass
    return f"{year:04d}-{month:02d}"


Handler = Callable[[re.Match[str], str, datetime.date | None], list[Value]]


def _year(year: int) -> str | None:
    """A year as an ISO date, or None when it is none (before year 1, after 9999)."""
    return f"{year:04d}" if 1 <= year <= 9999 else None


def _at(m: re.Match[str], kind: str, value: float | int | str | None) -> list[Value]:
    """The whole match as one value, or nothing when the value could not be resolved."""
    return [] if value is None else [Value(kind, value, m.start(), m.end(), m.group())]


def _n(m: re.Match[str], lang: str, *, article: bool = False) -> float | None:
    """The number of a "num" match; "a"/"half a" count only where `article` allows ("a billion dollars")."""
    text = m.group("n")
    return None if not article and _ARTICLE.fullmatch(text) else _number(text, lang)


def _on_range(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    """ "from 2027 to 2030": a `since` and an `until`."""
    since, until = _iso(m.group("rng_a"), pub), _iso(m.group("rng_b"), pub, ahead=True)
    s, mid, e = m.start(), m.end("rng_a"), m.end()
    to = mid + len(m.string[mid:e]) - len(m.string[mid:e].lstrip())  # "to 2030", not " to 2030"
    out = [Value("since", since, s, mid, m.string[s:mid])] if since else []
    return out + ([Value("until", until, to, e, m.string[to:e])] if until else [])


def _on_usd(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    if m.lastgroup == "usd_pre":
        number: float | None = _number(m.group("usd_n"), lang)
        scale, tail = m.group("usd_s"), ""
    else:
        number, scale = _n(m, lang, article=True), m.group("t_s")
        tail = m.string[m.end("t_s") : m.end()] if scale else ""
    return _at(m, "amount_usd", None if number is None else number * _scale(scale, tail))


def _on_frac_amt(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    """ "a third of a trillion dollars" → 333 billion; other currencies are kept as written."""
    if m.group("fa_usd") is None:
        return _at(m, "amount_other", m.group())
    return _at(m, "amount_usd", _fraction(m.group("fa")) * _scale(m.group("fa_s"), m.group("fa_de")))


def _on_ago(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    n = _number(m.group("ago_m"), lang) if m.lastgroup == "ago" else _n(m, lang, article=True)
    return _at(m, "date", _year(pub.year - int(n or 1)) if pub else None)  # not "100,000 years ago"


_PART_MONTH = {"end": 12, "close": 12, "fin": 12, "late": 11, "middle": 6, "mid": 6, "milieu": 6}  # else the start: 1


def _on_rel(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    t = m.group()
    shift = -1 if _PAST.search(t) else 1 if _NEXT.search(t) else 0
    year = _year(pub.year + shift) if pub else None
    part = m.group("rel_part") or m.group("rel_part_en") or m.group("rel_part_fr")
    if year and part:  # "at the end of last year": its month, not the whole year
        return _at(m, "date", f"{year}-{_PART_MONTH.get(part.lower(), 1):02d}")
    return _at(m, "date", year)


_LOOKS_BACK = re.compile(r"since|depuis", re.I)
_SEASON_MONTH = {
    "spring": 4,
    "printemps": 4,
    "summer": 7,
    "été": 7,
    "ete": 7,
    "fall": 10,
    "autumn": 10,
    "automne": 10,
    "winter": 1,
    "hiver": 1,
}


def _on_season(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    """A season as its middle month, in the year said, or relative to publication ("last spring": the
    latest spring before it); a season without either ("in the spring") is no date."""
    month = _SEASON_MONTH[m.group("ssn").lower()]
    relative = m.group("ssn_r0") or m.group("ssn_r1")
    if m.group("ssn_y"):
        year = int(m.group("ssn_y"))
    elif relative and pub:
        year = pub.year
        if _PAST.search(relative):
            year -= month >= pub.month
        elif _NEXT.search(relative):
            year += month <= pub.month
    else:
        return []
    return _at(m, "since" if m.group("ssn_since") else "date", f"{year:04d}-{month:02d}")


def _on_dur(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    if m.lastgroup == "t_dur":
        n = _n(m, lang)
        return _at(m, "duration_years", n if n is not None and n <= 100 else None)  # not "2025 year"
    text = next(g for g in m.group("dur_a", "dur_b", "dur_c") if g is not None)
    return _at(m, "duration_years", _number(text, lang))


def _on_units(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    scale = m.group("t_units_s")
    if not scale and _is_model_number(m):
        return []
    n = _n(m, lang, article=scale is not None)  # "a million GPUs", not "a data centre"
    return _at(m, "units", None if n is None else round(n * _scale(scale, "")))


def _is_model_number(m: re.Match[str]) -> bool:
    """ "Maia 200 chips", « la puce Cobalt 100 »: a small bare number after a name is the model's."""
    n = m.group("n")
    if not (n.isdigit() and len(n) <= 4):
        return False
    name = _NAME_BEFORE.search(m.string, max(0, m.start() - 24), m.start())
    return name is not None and _lower(name.group(1)).translate(_ASCII) not in _NOT_NAMES


# What a unit is, not how much of it: "a gigawatt is a unit of power", "one gigawatt costs about $50
# billion", « un gigawatt, c'est la consommation d'une ville », « un gigawatt équivaut à… »
_DEFINED_AFTER = re.compile(
    r"\s*(?:is|means|equals|costs|powers|can power|would power|c'est|c’est|est|equivaut|équivaut|coute|coûte"
    r"|correspond|represente|représente|alimente|permet)\b"
    # after a comma, only a definition's own words: not an apposition's end (« un campus, d'environ un
    # gigawatt, est à l'étude »)
    r"|\s*,\s*(?:c'est|c’est|that is|that's)\b",
    re.I,
)
_ONE = re.compile(r"an?|one|un", re.I)


# A rate, not a capacity: "about a gigawatt of new capacity a week", « un gigawatt par semaine »
_RATE_AFTER = re.compile(
    r"(?:\s+(?:of|de|d['’])\s*(?:[\w'’-]+\s+){0,3}?)?\s*(?:a|an|per|each|every|par|chaque)\s+"
    r"(?:day|week|month|year|jour|semaine|mois|an|ann[ée]e)\b",
    re.I,
)


def _on_cap(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    if _ONE.fullmatch(m.group("n")) and _DEFINED_AFTER.match(m.string, m.end()):
        return []  # a unit defined, no capacity
    if _RATE_AFTER.match(m.string, m.end()):
        return []
    unit, n = _lower(m.group("t_cap_u")), _n(m, lang, article=True)  # "a gigawatt"
    factor = 1e-3 if unit.startswith("m") else 1e3 if unit.startswith("t") else 1.0
    if n is not None and m.group("t_cap_half"):  # « quatre gigawatts et demi »
        n += 0.5
    return _at(m, "capacity_gw", None if n is None else n * factor)


def _on_rank(m: re.Match[str], lang: str, pub: datetime.date | None) -> list[Value]:
    if word := m.group("rank_e"):
        return _at(m, "rank", _ORDINALS[_lower(word).translate(_ASCII)])
    return _at(m, "rank", int(next(g for g in m.group("rank_a", "rank_b", "rank_c", "rank_d") if g)))


Convert = Callable[[re.Match[str], str, datetime.date | None], float | int | str | None]


# A rate of change, not a share: "Oracle fell 4%", « a limité ses pertes à 0,8 % », « en hausse de plus de 30 % ».
# Read on the last words before the figure (a regex searched over the stretch costs 20 times more).
_MOVE_WORD = re.compile(
    r"fell|rose|gained|lost|dropped|slipped|slid|climbed|jumped|soared|plunged|tumbled|sank|rallied|shed|up|down"
    r"|higher|lower|recul[ée]\w*|progress[ée]\w*|gagn[ée]\w*|perdu|bondi|chut[ée]\w*|grimp[ée]\w*|hausse|baisse"
    r"|plong[ée]\w*|l[âa]ch[ée]\w*|d[ée]viss[ée]\w*"
)
_BEFORE_A_RATE = frozenset(_list("de by à a of plus more than about nearly almost some environ près pres"))


def _moved_by(m: re.Match[str]) -> bool:
    words = m.string[max(0, m.start() - 40) : m.start()].lower().split()
    while words and words[-1] in _BEFORE_A_RATE:
        words.pop()
    if len(words) >= 3 and words[-1] == "pertes" and words[-3].startswith("limit"):
        return True  # « a limité ses pertes à 0,8 % »
    return bool(words) and _MOVE_WORD.fullmatch(words[-1]) is not None


def _simple(kind: str, convert: Convert) -> Handler:
    """A handler giving the whole match one value of `kind`."""
    return lambda m, lang, pub: _at(m, kind, convert(m, lang, pub))


_HANDLERS: dict[str, Handler] = {
    "rng": _on_range,
    "until": _simple("until", lambda m, lang, pub: _iso(m.group(), pub, ahead=True)),
    # "since May" looks back; "starting in June", « dès juin » may look ahead: their bare month is
    # the nearest such month, before or after publication
    "since": _simple("since", lambda m, lang, pub: _iso(m.group(), pub, nearest=not _LOOKS_BACK.match(m.group()))),
    "ago": _on_ago,
    "t_ago": _on_ago,
    "rel": _on_rel,
    "dur": _on_dur,
    "t_dur": _on_dur,
    "date_full": _simple("date", lambda m, lang, pub: _iso(m.group(), pub)),
    "date_in": _simple("date", lambda m, lang, pub: _iso(m.group(), pub)),  # "next March": `_iso` reads "next"
    "season": _on_season,
    "now": _simple("now", lambda m, lang, pub: pub.isoformat() if pub else ""),
    "usd_pre": _on_usd,
    "t_usd": _on_usd,
    "oth_pre": _simple("amount_other", lambda m, lang, pub: m.group()),
    "t_oth": _simple("amount_other", lambda m, lang, pub: m.group()),
    "t_pct": lambda m, lang, pub: [] if _moved_by(m) else _at(m, "share_pct", _n(m, lang)),
    "frac_amt": _on_frac_amt,
    "frac_pct": _simple("share_pct", lambda m, lang, pub: _fraction(m.group()) * 100),
    "t_cap": _on_cap,
    "t_units": _on_units,
    "rank": _on_rank,
    "year": _simple("date", lambda m, lang, pub: _year(int(m.group()))),  # "２０２４" (any digits) is "2024"
}


# A size, not a figure: "dozens of multi-hundred-megawatt sites", "a multi-hundred-million-dollar deal"
_AFTER_MULTI = re.compile(r"multi-?\Z", re.I)


def find_values(text: str, *, lang: str = "en", published: datetime.date | None = None) -> list[Value]:
    """All values in `text`, sorted by start, non-overlapping (longest match wins).

    Where readings overlap, the one starting first wins; at the same start the most specific (in
    practice the longest) reading wins: "four years ago" is a date, not a duration.
    `lang` ("en" or "fr") only settles a lone separator ("1,500"); `published` resolves relative
    dates ("last year", "in March") and is the value of `now` markers ("" when unknown).
    """
    found: list[Value] = []
    if heading := _HEADING.match(text):
        found.extend(_at(heading, "date", _iso(heading.group().strip(" .:|-\u2013\u2014"), published)))
    for m in _SCAN.finditer(text, heading.end() if heading else 0):
        if not _AFTER_MULTI.search(text, max(0, m.start() - 6), m.start()):
            found.extend(_HANDLERS[m.lastgroup or ""](m, lang, published))
    if any(word in text for word in _BARE_HINTS):
        found = sorted(found + _bare_amounts(text, found, lang), key=lambda v: v.start)
    today = published.isoformat() if published else "9999"
    if published:  # a term that ended before this year is no "by 2030"
        found = [_by_then(v) if v.kind == "until" and str(v.value) < today[: len(str(v.value))] else v for v in found]
    return [_previous(v, text) if v.kind == "date" and str(v.value) <= today[: len(str(v.value))] else v for v in found]


# A figure with a scale word but no currency (« atteint désormais 250 milliards », "13 billion more"),
# unless a noun follows it (« 800 millions d'utilisateurs », "20 billion of parameters"): the money
# facets read it as dollars when their clause has no other amount (rules.clause).
_BARE = re.compile(
    r"(?<![\w$€£¥.,])(?P<n>\d{1,3}(?:[.,]\d{1,3})?)\s{1,2}(?P<s>milliards?|billions?|bn|mds?|millions?)(?!\w)"
    r"(?!\s{0,2}(?:de|d['’]|of|des|du)\s{0,2}(?!plus\b|more\b)[^\W\d_])"
    r"(?!\s{1,2}(?:weekly|daily|monthly|active|users?|people|parameters?|param[èe]tres|tokens?|subscribers?"
    r"|abonn[ée]s|utilisateurs|personnes|visits?|visites|requests?|requ[êe]tes|queries|devices?|downloads?"
    r"|views?|vues|messages?|images?|videos?|vid[ée]os|hours?|heures|customers?|clients?|chips?|puces|gpus?)\b)",
    re.I,
)
_BARE_HINTS = ("illiard", "illion", "bn", "md")


def _bare_amounts(text: str, found: list[Value], lang: str) -> list[Value]:
    """Scaled figures naming no currency, where no other value stands (see `_BARE`)."""
    taken = [(v.start, v.end) for v in found]
    out = []
    for m in _BARE.finditer(text):
        if any(a < m.end() and m.start() < b for a, b in taken):
            continue
        number = _number(m.group("n"), lang)
        if number is not None:
            out.append(Value("amount_bare", number * _scale(m.group("s"), ""), m.start(), m.end(), m.group()))
    return out


_BY = re.compile(r"by\b|d['’]ici\b", re.I)


def _by_then(v: Value) -> Value:
    """ "By 2024 it was renting capacity from Oracle": a past "by" tells where a story stood, not
    when a term ends (as "by 2030" does): a date. "valid until 2024" stays an end."""
    return Value("date", v.value, v.start, v.end, v.text) if _BY.match(v.text) else v


def _previous(v: Value, text: str) -> Value:
    """A past date right after an old figure dates that figure, not the claim: kind `previous`.

    « 25 milliards cette année, contre 12 l'an dernier », "up from $3.7 billion in 2024"; not a
    future date ("from 4.5 GW of capacity in 2027"). Only the few words before the date are read,
    so this stays linear.
    """
    if _PREVIOUS_FIGURE.search(text, max(0, v.start - _LOOKBACK), v.start):
        return Value("previous", v.value, v.start, v.end, v.text)
    return v
