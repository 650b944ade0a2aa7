# SPDX-License-Identifier: MIT
"""Steps 6–8 of the engine (see `rules.engine`): one facet rule on one trigger's clause.

A cue speaks about the trigger it is nearest to, inside the trigger's clause
and within `CUE_REACH` characters: in « Microsoft, auparavant partenaire
exclusif, a perdu sa position de fournisseur exclusif », « auparavant » dates
the first mention and « a perdu » ends the second.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from itertools import accumulate
from typing import Any

from rules.binding import (
    BEFORE_EPITHET,
    OPENING_EPITHET,
    as_builders,
    as_customers,
    as_examples,
    as_holdings,
    as_investors,
    as_makers,
    as_platforms,
    as_speakers,
    employer_of_staff,
    governed_facet,
    governed_trigger,
    hosted,
    named_after,
    other_party,
    unlisted_keys,
)
from rules.job import ClauseJob
from rules.loader import Entity, FacetRule, Label
from rules.model import Claim
from rules.phrases import Hit
from rules.scan import ScannedSentence
from rules.text import RELATIVE_PRONOUNS, RELATIVE_START, REPORTING_VERBS, WITHOUT_DOING
from rules.values import Value

CUE_REACH = 90  # characters between a cue and its trigger, at most
NEGATION_REACH = 25  # characters between a negation and the ending or denial it negates: "has not lost"
TIME_KINDS = ("date", "since", "until")
STATUS_ORDER = ("denied", "ended", "continuing", "planned", "active")
_CLAUSE_WIDE = frozenset({"negation", "denied", "cancelled", "hypothetical", "exception"})
SENTENCE_START = 20  # characters: a supposition this close to the start frames the whole sentence
_BAD_NEWS = frozenset({"ended", "setback", "denied", "cancelled"})
_SENTENCE_WIDE = frozenset({"hedge", "conditional"})


@dataclass(frozen=True)
class ClauseResult:
    claims: list[Claim]
    verdict: str
    details: dict[str, Any]
    strength: int = 0  # how much the clause said: a status cue beats the default, the present beats history

    @staticmethod
    def best(results: list[ClauseResult]) -> int:
        """Which of one clause's readings (one per trigger occurrence) says most: its index."""
        return max(range(len(results)), key=lambda i: (bool(results[i].claims), results[i].strength))


# Parties named only in a role that is no deal of theirs: a platform, an example, a maker, a builder for
# another, an investor, a customer, a speaker, a holding
_NAMED_ONLY_AS = (
    as_platforms, as_examples, as_makers, as_builders, as_investors, as_customers, as_speakers, as_holdings,
)  # fmt: skip


def read_clause(job: ClauseJob) -> ClauseResult:
    """Claims of `job.rule` from the clause of `job.trigger`, or none and the reason why."""
    s, rule = job.sentence, job.rule
    start, end = s.clause_of(job.trigger.start)
    inside = s.memo(("inside", start, end), lambda: s.hits_in(start, end))
    if reason := s.memo(("gate", rule.facet, start, end), lambda: _gate(rule, inside, s, job.asked, start, end)):
        return ClauseResult([], reason, {})
    if reason := other_party(job, inside, start, end):
        return ClauseResult([], reason, {})
    keys = _keys(job, inside, start, end)
    unlisted = s.memo(("unlisted", rule.facet, start, end), lambda: unlisted_keys(job, inside, start, end))
    keys = (
        keys + [k for k in unlisted if k not in keys]
        or _antecedent_key(job, start)
        or _epithet_key(job, inside, start)
        or _context_key(job, start, end)
    )
    among = s.memo(("among suppliers", rule.facet, start, end), lambda: _among_suppliers(job, inside, unlisted))
    if keys and among:
        return ClauseResult([], among, {})
    dropped = _dropped_keys(job, inside, start, end)
    keys, in_clouds = hosted(job, keys, inside)
    dropped.update(in_clouds)
    for named_only_as in _NAMED_ONLY_AS:
        keys, why_not = named_only_as(job, keys, start, end)
        dropped.update(why_not)
    if not keys:
        why = f"no {rule.key_class} left in the clause" if dropped else f"no {rule.key_class} named in the clause"
        return ClauseResult([], f"skipped: {why}", _dropped_details(dropped))
    own = _own_cues(job, start, end)
    # Negation, denial and supposition qualify the whole clause, not only the nearest trigger.
    clause_cues = _clause_cues(s, rule.facet, start, end).wide
    # Two triggers of one clause that own the same cues read it the same way: read it once. The
    # clause-wide cues are the clause's, the same for every trigger: the cues a trigger adds to
    # them tell one reading from another (and keep the key short in a clause of many cues).
    wide = s.memo(("wide set", rule.facet, start, end), lambda: set(clause_cues))
    # "…exclusive again after the cancellation of …": the circumstance's cancellation is not the trigger's
    circumstances = _circumstances(s)
    beyond = {c for c in wide if _past_circumstance(circumstances, job.trigger, c)} if circumstances else set()
    if beyond:
        wide = wide - beyond  # a new set: the memo's is the clause's, shared by its triggers
    extra = sorted({(h.start, h.end, h.label) for h in own if h not in wide})
    reading = (rule.facet, start, end, tuple(keys), tuple(extra), tuple(sorted((c.start, c.end) for c in beyond)))
    result = s.memo(reading, lambda: _read(job, start, end, keys, sorted(wide.union(own), key=lambda h: h.start)))
    if dropped and result.claims:
        return replace(result, details={**result.details, **_dropped_details(dropped)})
    return result


_CONTEXT_KEY_REACH = 2  # sentences back to the one that names the deal's other party


def _context_key(job: ClauseJob, start: int, end: int) -> list[str]:
    """A deal whose other party the clause leaves to the sentences before ("Oracle's shares jumped…
    Le créateur de ChatGPT aurait signé un contrat de 300 milliards"): the one party of the key's
    class the nearest of the two sentences before names, or else the headline, when it names no
    other party of the class nor a rival."""
    rule, s = job.rule, job.sentence
    # the clause names the deal and the rule's subject, by name or epithet ("DRAM contract prices rose
    # as AI servers soak up supply" names neither side: no deal of OpenAI's)
    if not rule.key_class or not _names_a_deal(s, start, end):
        return []
    # "the contract between the two companies", when the sentence names the subject: it is one of the two
    both = _BOTH_PARTIES.search(s.folded, start, end) is not None and bool(rule.requires[0] & s.entities)
    if not (both or _names_subject(job, start, end)):
        return []
    if _names_another_party(job, start, end):
        return []  # "Microsoft's rights to use OpenAI's models under the deal": the deal is with OpenAI
    # the relative the clause reads apart names it first: "OpenAI, which began renting Google's TPUs last
    # spring, has since wound down that arrangement"
    if hole := s.left_out(start, end):
        in_relative = {h.label[1] for h in s.hits_in(*hole) if h.label[0] == "entity"}
        if any(_of_key_class(job, e) for e in in_relative):
            return _the_one_key(job, in_relative)
    # the nearest of the two sentences before, then the headline ("CoreWeave: a record backlog" above
    # « les accords passés avec le créateur de ChatGPT représentent désormais 22,4 milliards »)
    # (a sentence that names only a rival, « Le premier lie la société à Meta », names no supplier: the
    # search goes on; one that names a supplier beside a rival is that rival's business: it stops)
    for named in job.context[: min(_CONTEXT_KEY_REACH, job.reach)]:
        if named == job.headline:  # the title, read as the sentence before the body's first ones
            break
        if any(_of_key_class(job, e) for e in named):
            return _the_one_key(job, named)
    # a headline names the page's topic beside its customers: « Ce que révèle le rapport annuel de
    # CoreWeave sur sa dépendance à Microsoft et OpenAI »
    ours = [e for e in job.headline if _of_key_class(job, e)]
    return ours if len(ours) == 1 else []


# A deal's two sides named together: « entre les deux entreprises », "between the two companies"
_BOTH_PARTIES = re.compile(
    r"\b(?:entre|between)\s+(?:les|the|ces|these)\s+(?:deux|two)\s+"
    r"(?:entreprises|groupes|societes|partenaires|companies|firms|groups|partners)\b"
)


def _names_subject(job: ClauseJob, start: int, end: int) -> bool:
    subject = job.rule.requires[0]
    return any(h.label[0] == "entity" and h.label[1] in subject for h in job.sentence.hits_in(start, end))


def _names_another_party(job: ClauseJob, start: int, end: int) -> bool:
    """Does the clause name a party besides its subject (a venture aside)? Then that is the deal's."""
    subject = job.rule.requires[0]
    return any(
        h.label[0] == "entity" and h.label[1] not in subject and not _is_venture(job, h.label[1])
        for h in job.sentence.hits_in(start, end)
    )


def _names_a_deal(s: ScannedSentence, start: int, end: int) -> bool:
    return any(start <= h.start and h.end <= end for h in s.roles("deal"))


def _antecedent_key(job: ClauseJob, start: int) -> list[str]:
    """A relative that names no key takes the one it describes: "…with CoreWeave, which will now
    supply up to $22.4 billion of capacity" keys CoreWeave."""
    rule = job.rule
    hit = _antecedent_hit(job.sentence, start) if rule.key_class else None
    # "…, said Nvidia's chief executive, who expects spending to reach $4 trillion": the relative
    # describes the person, not the company that employs them
    if hit and employer_of_staff(job.sentence, hit):
        return []
    entity = job.entities.get(hit.label[1]) if hit else None
    if entity and rule.key_class in entity.classes:
        return [entity.id]
    if entity and entity.id in rule.requires[0]:
        # "Oracle has built data centres for OpenAI, whose contract is worth $300 billion": the
        # relative describes the rule's subject, and its deal is with the one key named before
        return _one_key_before(job, start)
    return []


def _one_key_before(job: ClauseJob, start: int) -> list[str]:
    """The one party of the key's class the sentence names before `start`, when it names no rival."""
    return _the_one_key(job, {h.label[1] for h in job.sentence.hits_in(0, start) if h.label[0] == "entity"})


def _the_one_key(job: ClauseJob, named: set[str] | frozenset[str]) -> list[str]:
    """The one party of the key's class among `named`, when they hold no other nor a rival."""
    ours = [e for e in named if _of_key_class(job, e)]
    return ours if len(ours) == 1 and not named & job.rule.rivals else []


def _of_key_class(job: ClauseJob, entity_id: str) -> bool:
    entity = job.entities.get(entity_id)
    return entity is not None and job.rule.key_class in entity.classes


# A party of the key's class that buys ("Nvidia … also has an agreement to buy any unused capacity",
# « Nvidia s'est engagé à racheter les capacités invendues »): what stands between it and its verb of
# buying (vocab/roles.toml), a few words after it, an aside in commas included.
_TO_THE_BUYING = re.compile(r"(?:\s*,[^,]{0,80},)?(?:\s+[\w'-]+){0,6}?\s+(?:to\s+)?")


_OBJECT_OF_A_PRONOUN = re.compile(
    r"\b(?:it|they|we|il|elle|ils|elles|nous)\s+(?:has\s+|have\s+|a\s+|ont\s+)?[a-z]+\s+\Z"
)


# What may stand between two parties listed together: "Oracle and CoreWeave", « Oracle, CoreWeave et Nebius »,
# a model's version and tier after its name ("Google's Gemini 3 Pro and Anthropic's Claude")
_LISTED_BETWEEN = re.compile(
    r"(?:'s?)?(?:\s+(?:\d[\w.]*|pro|ultra|flash|opus|sonnet|haiku|mini|nano|max|turbo|preview))*"
    r"\s*(?:,|,?\s(?:and|et|or|ou|as well as|ainsi que|&))?\s*"
    r"(?:(?:de|d'|du|des|la|le|les|l'|the|with|from|a|au|aux|chez)\s?)?\Z"
)


def _among_suppliers(job: ClauseJob, inside: list[Hit[Label]], unlisted: list[str]) -> str:
    """Why a clause that leaves OpenAI to other clauses or sentences and names two parties of the
    key's class, not listed together, tells of their business with each other, or ''.

    "…where Crusoe is building the halls that Oracle leases", "Nvidia, which supplies its chips, has
    an agreement to buy CoreWeave's unused capacity": a supplier's own supplier or customer.
    """
    rule, s = job.rule, job.sentence
    parties = [h for h in inside if h.label[0] == "entity" and h.label[1] in job.entities]
    # OpenAI named outside the clause only ("Crusoe built the campus and leases the halls to Oracle,
    # which operates the equipment for OpenAI"): Crusoe's business is with Oracle
    if not rule.key_class or any(h.label[1] in rule.requires[0] for h in parties):
        return ""
    if job.asked and rule.requires[0] & job.asked.entities:
        return ""
    ours = [i for i, h in enumerate(parties) if rule.key_class in job.entities[h.label[1]].classes]
    named = {parties[i].label[1] for i in ours} | set(unlisted)
    buyer = parties[ours[0]] if len(named) == 1 and ours else None
    # a party after a pronoun and its verb is the object: "Last week it added Cerebras, the wafer-scale
    # chip company, agreeing to buy up to 750 MW" (it, OpenAI, buys)
    if buyer and _OBJECT_OF_A_PRONOUN.search(s.folded, max(0, buyer.start - 40), buyer.start):
        buyer = None
    if buyer and (buying := _role_at(s, "buying", buyer.end, _TO_THE_BUYING)):
        return (
            f"skipped: {buyer.label[1]} buys here ({s.folded[buyer.end : buying.end].strip()!r}), it supplies nothing"
        )
    if len(named) < 2:
        return ""
    # one list of parties ("with Oracle, Microsoft, Amazon and Cerebras"): each a supplier of the same deal
    chain = parties[ours[0] : ours[-1] + 1] if ours else []
    pairs = zip(chain, chain[1:], strict=False)
    listed = all(_LISTED_BETWEEN.match(s.folded[a.end : b.start]) for a, b in pairs if a.label != b.label)
    if listed and not unlisted:
        return ""
    ours_named = " or ".join(sorted(rule.requires[0]))
    return f"skipped: the clause names {' and '.join(sorted(named))}, not {ours_named}: their business with each other"


def _epithet_key(job: ClauseJob, inside: list[Hit[Label]], start: int) -> list[str]:
    """A clause that names no key and opens on an epithet takes the one key named before it, when
    no other party of the class nor a rival is: the sentence's, for a clause inside it (« la lettre
    d'intention signée par Nvidia avec OpenAI : le leader du secteur doit fournir 10 gigawatts » keys
    Nvidia), the sentence before's for a sentence that opens on it ("CoreWeave doubled down.
    The GPU lessor announced a $6.5bn amendment" keys CoreWeave)."""
    rule, s = job.rule, job.sentence
    if not rule.key_class:
        return []
    opening = _role_at(s, "epithet", start, BEFORE_EPITHET if start > 0 else OPENING_EPITHET)
    if opening is None or any(h.label[0] == "entity" and h.start < opening.end for h in inside):
        return []  # "the Oracle group": the epithet names its company
    if _role_at(s, "buying", opening.end, _TO_THE_BUYING):
        return []  # "The chipmaker, which owns a stake in CoreWeave, agreed to buy its unsold capacity": a buyer
    if start > 0:
        return _one_key_before(job, start)
    return _the_one_key(job, job.context[0]) if job.context else []


def _role_at(s: ScannedSentence, role: str, at: int, before: re.Pattern[str]) -> Hit[Label] | None:
    """The first word of `role` (vocab/roles.toml) after `at` with only `before` between: the
    words are data, where they stand in a clause is grammar."""
    return next((h for h in s.roles(role) if h.start >= at and before.fullmatch(s.folded, at, h.start)), None)


def _dropped_details(dropped: dict[str, str]) -> dict[str, Any]:
    return {"dropped keys": [f"{key}: {why}" for key, why in dropped.items()]} if dropped else {}


def _read(job: ClauseJob, start: int, end: int, keys: list[str], cues: list[Hit[Label]]) -> ClauseResult:
    """Steps 5–7 once the clause, its keys and the trigger's cues are known."""
    s, rule = job.sentence, job.rule
    classes = {h.label[1] for h in cues}
    if "hypothetical" in classes or s.memo(("supposes", rule.facet), lambda: _supposes(job)):
        return ClauseResult([], "skipped: hypothetical", {"cues": _phrases(cues)})
    # (unless not doing it is the ending: « sans consulter Microsoft au préalable » ends its right)
    if start > 0 and "ended" not in classes and _NOT_DONE.match(s.folded, start):
        return ClauseResult([], "skipped: a deed not done (without …)", {})
    values = s.memo(("values", rule.facet, start, end, tuple(keys)), lambda: _values(job, start, end, keys))
    if values.keys() & _QUANTITIES and (
        _listed_among_many(job, keys, start, end)
        or _the_ventures(job, start, end)
        or (rule.name_entities and _names_the_industry(job, start, end))  # "Those partners are Microsoft, Oracle, …"
    ):
        values = {k: v for k, v in values.items() if k not in _QUANTITIES}
    if rule.context_values and not rule.requires[0] & s.entities and not _ANAPHOR.match(job.trigger.phrase):
        values = {k: v for k, v in values.items() if k in rule.context_values}
    later_bad_news = _clause_cues(s, rule.facet, start, end).bad_news
    future = s.memo(("future", start, end), lambda: _has_future_start(job, start, end))
    status, cue_rank = _status(rule, job.trigger, cues, bad_news=later_bad_news, future=future)
    if status is None:
        return ClauseResult([], "skipped: negated", {"cues": _phrases(cues)})
    if status == rule.in_force and s.published and str(values.get("until", "9999")) < s.published.isoformat()[:7]:
        # "until last January, Microsoft was the only cloud": a term gone by has ended, its end the ending's date
        status, values = "ended", {k: v for k, v in values.items() if k != "until"}
    if status == "ended" and (owner := _ending_of_another(job, cues, keys)):
        return ClauseResult([], f"skipped: the ending is {owner}'s, its subject", {"cues": _phrases(cues)})
    if status == "planned" and rule.default == "planned" and "since" in rule.values and "since" not in values:
        since = _future_date(job, start, end) if future else _relative_future_date(job, start, end)
        values = {**values, "since": since} if since or future else values
    if rule.require_value and not rule.require_value & values.keys():
        return ClauseResult([], f"skipped: no {' or '.join(sorted(rule.require_value))} in the clause", {})
    present = "now" in classes and s.speaks_of_now(start, end)
    present = present or (status == "ended" and _ends_from_now(cues, s.folded))
    if status == "ended" and not present and _ends_now(cues, s.folded):
        present = not past_dates(s.values_in(start, end), s.published)  # « Depuis janvier, … n'est plus » keeps January
    when, dated = s.memo(("when", start, end, present), lambda: _when(job, start, end, present=present))
    if dated and status not in _BAD_NEWS and _holds_since(job, start, end, when):
        when, dated = s.published.isoformat() if s.published else when, False
    hedged = s.memo(("hedged", rule.facet), lambda: any(h.label[1] == "hedge" for h in s.cues(rule.facet)))
    claims = [
        Claim(
            facet=rule.facet,
            key=key,
            status=status,
            values=values,
            hedged=hedged,
            when=when,
            evidence=s.sentence.text,
            dated=dated,
            past="history" in classes,
            source=job.source,
            rule=rule.file,
            basis=_basis(status, cue_rank, classes),
        )
        for key in keys
    ]
    details = {
        "keys": keys,
        "status": status,
        "cues": _phrases(cues),
        "values": values,
        "when": when,
        "hedged": hedged,
        "history cue": "history" in classes,
    }
    strength = (0 if "history" in classes else 100) + cue_rank * 10 + len(values)
    return ClauseResult(claims, "claim", details, strength)


def _supposes(job: ClauseJob) -> bool:
    """A sentence opening on a supposition ("If…", « Dans une telle hypothèse, … »), or a
    conditional right after one, supposes in all its clauses."""
    for hit in job.sentence.cues(job.rule.facet):
        if hit.label[1] == "hypothetical" and hit.start < SENTENCE_START:
            return not _concessive(job.sentence.sentence.text, hit)
        if hit.label[1] == "conditional" and job.supposing:
            return True
    return False


# A proposition cut at ", without doing…" (`rules.text`) asserts nothing: "…, without putting a figure on
# what the project would spend with Nvidia", « , sans préciser ce qu'elle achèterait à Google »
_NOT_DONE = re.compile(WITHOUT_DOING)

# « Si Microsoft reste le premier actionnaire, la start-up a signé… »: a « si » whose main clause tells
# what happened (a passé composé) concedes, it supposes nothing (a supposition's main clause is in the
# future or the conditional). Read on the text itself: « à Paris » is no auxiliary, « a signé » is.
_CONCESSIVE_SI = re.compile(r"\s*(?:[Ss]i|[Ss]'ils?)\b")
_PASSE_COMPOSE = re.compile(
    r"\b(?:a|ont|avait|avaient|est|sont|s'est|se sont|s’est)\s+(?:(?:d[ée]j[àa]|bien|aussi|pourtant|finalement|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|hier)\s+)?[a-zéèêàùûîôç]+(?:é|ée|és|ées|i|is|ie|u|ue|us|it|ert)\b"
)


def _concessive(text: str, hit: Hit[Label]) -> bool:
    """Whether the sentence's opening « si » concedes (see `_PASSE_COMPOSE`)."""
    if not _CONCESSIVE_SI.match(text, hit.start):
        return False
    comma = text.find(",", hit.end)
    return comma != -1 and _PASSE_COMPOSE.search(text, comma) is not None


def _gate(
    rule: FacetRule,
    inside: list[Hit[Label]],
    s: ScannedSentence,
    asked: ScannedSentence | None = None,
    start: int = 0,
    end: int = 0,
) -> str:
    """Why the clause is not about this facet after all, or '' when it is.

    An answer takes the words it leaves out from its question: "Q: Amazon joined the list last
    month. A: Yes, $38 billion over seven years with AWS." is a deal. So does a clause from the
    relative that follows it and says what its party did: "Including Cerebras, which we signed in
    January", « y compris Cerebras, que nous avons signé en janvier ».
    """
    labels = {h.label for h in inside}  # one pass over a clause that may hold hundreds of hits
    for group in range(rule.also_groups):
        label = ("also", rule.facet, str(group))
        if label in labels or (asked and any(h.label == label for h in asked.hits)):
            continue
        if not any(h.label == label for a, b in _party_relatives(s, start, end) for h in s.hits_in(a, b)):
            return f"skipped: nothing of 'also' group {group + 1} in the clause"
    if ("exclude", rule.facet) in labels:
        excluded = next(h for h in inside if h.label == ("exclude", rule.facet))
        return f"skipped: excluded by {excluded.phrase!r}"
    first = (
        _role_subject(rule, s, start)  # the clause opens on it: nothing is named before
        or _first_party(rule, inside, s)
        or _antecedent(rule, s, start)
        or s.memo(("first party", rule.facet), lambda: _first_party(rule, s.hits, s))
    )
    if first in rule.rivals:
        return f"skipped: the clause is about {first}, not {' or '.join(sorted(rule.requires[0]))}"
    return ""


# A clause whose subject is a start-up named by its role (vocab/roles.toml): "While Microsoft remains
# its largest shareholder, the start-up signed…", « la jeune pousse a signé… »; what may stand before it.
_BEFORE_START_UP = re.compile(
    # a short time or place that opens the sentence: « En novembre, la jeune pousse a signé »
    r"\s*(?:(?:in|on|last|this|since|en|le|depuis|au|a|des)\s[\w' -]{1,25}?,\s*)?"
    r"(?:(?:but|and|yet|so|mais|et|or)\s+)?(?:the|la|le|l')\s*"
)


def opens_on_start_up(s: ScannedSentence) -> bool:
    """Does the sentence open on a start-up's role ("The start-up had about 1.9 gigawatts", « La jeune
    pousse disposait… »)? Its subject is the lab the text speaks of, though it names none."""
    if s.rules.anchor_words(("role", "start_up")).isdisjoint(s.tokens.words):  # most sentences: no role scan
        return False
    return _role_at(s, "start_up", 0, _BEFORE_START_UP) is not None


def _role_subject(rule: FacetRule, s: ScannedSentence, start: int) -> str:
    """The rule's subject, when the clause opens on a start-up's role and the sentence names the
    subject and no other start-up (a model maker) among the rule's rivals: Microsoft is no start-up."""
    if not _role_at(s, "start_up", start, _BEFORE_START_UP):
        return ""
    entities = s.rules.entities
    # named in the sentence, or, when it names none, left to the text before: a lab is a start-up
    subjects = sorted(rule.requires[0] & s.entities) or sorted(
        e for e in rule.requires[0] if e in entities and "lab" in entities[e].classes
    )
    startups = [e for e in s.entities & rule.rivals if e in entities and "model_maker" in entities[e].classes]
    return subjects[0] if len(subjects) == 1 and not startups else ""


def _antecedent(rule: FacetRule, s: ScannedSentence, start: int) -> str:
    """The party a relative clause that names none is about, if it is the rule's subject or a
    rival: the one named right before it ("…ses calculs à Azure, qui redevient son fournisseur
    exclusif": Azure)."""
    hit = _antecedent_hit(s, start)
    return _first_party(rule, [hit]) if hit else ""


def _antecedent_hit(s: ScannedSentence, start: int) -> Hit[Label] | None:
    """The entity named right before the relative clause that starts at `start`, if any."""
    if not _RELATIVE_PRONOUN.match(s.folded, start):
        return None
    before = [h for h in s.hits_in(max(0, start - _ANTECEDENT_REACH), start) if h.label[0] == "entity"]
    return before[-1] if before and start - before[-1].end <= 3 else None


_RELATIVE_PRONOUN = re.compile(rf"(?:{RELATIVE_PRONOUNS})\b")


# After a trigger, a preposition that opens its object: "a stake in Anthropic", « concurrent de Google ».
def _first_party(rule: FacetRule, hits: list[Hit[Label]], s: ScannedSentence | None = None) -> str:
    """The first of the rule's subject or rivals named in `hits`: taken as the clause's subject.

    With the sentence `s`, a rival listed after one of the rule's keys ("…auprès d'Oracle, de
    Microsoft, d'Amazon") is one more item of the list, not the subject; so is a rival that heads a
    list whose next item is of the key's class ("Those partners are Microsoft, Oracle, CoreWeave and AWS")."""
    before: Hit[Label] | None = None
    entities = [h for h in hits if h.label[0] == "entity"]
    for i, hit in enumerate(entities):
        party = hit.label[1]
        listed = s is not None and before is not None and _in_one_list(rule, s, before, hit, typed=before)
        after = entities[i + 1] if i + 1 < len(entities) else None
        heads = s is not None and after is not None and _in_one_list(rule, s, hit, after, typed=after)
        if party in rule.requires[0] or (party in rule.rivals and not listed and not heads):
            return party
        before = hit
    return ""


# What separates two items of a list of parties: ", ", ", de ", ", d'" (not a bare "and": "Nebius and
# Microsoft signed…" are two subjects).
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:(?:and|et|or|ou)\s+)?(?:(?:de|du|des|from|with)\s+|d'\s*)?")


def _in_one_list(rule: FacetRule, s: ScannedSentence, first: Hit[Label], second: Hit[Label], typed: Hit[Label]) -> bool:
    """Whether `second` follows `first` as the next item of a list, and `typed` (one of the two) is of
    the rule's key class."""
    entity = s.rules.entities.get(typed.label[1])
    return (
        entity is not None
        and rule.key_class in entity.classes
        and _LIST_SEPARATOR.fullmatch(s.folded, first.end, second.start) is not None
    )


def _keys(job: ClauseJob, inside: list[Hit[Label]], start: int, end: int, rule: FacetRule | None = None) -> list[str]:
    """The claim's keys: the rule's fixed key, else the entities of its class named in the clause
    (`inside`: the hits of the clause [start, end))."""
    rule = rule or job.rule
    if rule.key:
        return [rule.key]
    own = rule is job.rule
    if own:  # a trigger that names a company ("a deal with Oracle") keys that company alone
        named = _entity_at(job.sentence, inside, start, end, job.trigger.start)
        if named is not None:
            entity = job.entities[named]
            if _set_against(job.trigger.start, _contrast_ends(job.sentence, inside, start, end)):
                return []  # "built by Crusoe", "beyond Nvidia": set against the deal
            return [entity.id] if rule.key_class in entity.classes else []
    return job.sentence.memo(
        ("keys", rule.facet, own, start, end), lambda: _clause_keys(job, inside, rule, own, start, end)
    )


def _contrast_ends(s: ScannedSentence, inside: list[Hit[Label]], start: int, end: int) -> frozenset[int]:
    """Where the clause's contrast cues end ("beyond", "built by"): the party right after is set apart."""
    return s.memo(
        ("contrast ends", start, end),
        lambda: frozenset(h.end for h in inside if h.label[0] == "cue" and h.label[1] == "contrast"),
    )


def _set_against(position: int, contrasts: frozenset[int]) -> bool:
    """Whether a contrast cue ends right before `position` (a space or an elision between)."""
    return any(position - gap in contrasts for gap in range(4))


def _clause_keys(
    job: ClauseJob, inside: list[Hit[Label]], rule: FacetRule, own: bool, start: int, end: int
) -> list[str]:
    keys: list[str] = []
    contrasts = _contrast_ends(job.sentence, inside, start, end) if own else frozenset()
    for hit in inside:
        entity = job.entities.get(hit.label[1]) if hit.label[0] == "entity" else None
        if entity is None or rule.key_class not in entity.classes or entity.id in keys:
            continue
        if _set_against(hit.start, contrasts):
            continue  # "beyond Nvidia's GPUs": set against the deal, not part of it
        keys.append(entity.id)
    return keys


def _dropped_keys(job: ClauseJob, inside: list[Hit[Label]], start: int, end: int) -> dict[str, str]:
    """The clause's entities of the key class that are not keys, and why (for `--explain`)."""
    rule = job.rule
    if rule.key or not rule.key_class:
        return {}
    keys = tuple(_keys(job, inside, start, end))
    contrasts = _contrast_ends(job.sentence, inside, start, end)
    return job.sentence.memo(
        ("dropped", rule.facet, start, end, keys), lambda: _why_not_keys(job, inside, set(keys), contrasts)
    )


def _why_not_keys(
    job: ClauseJob, inside: list[Hit[Label]], keys: set[str], contrasts: frozenset[int]
) -> dict[str, str]:
    rule = job.rule
    out: dict[str, str] = {}
    for hit in inside:
        entity = job.entities.get(hit.label[1]) if hit.label[0] == "entity" else None
        if entity is None or rule.key_class not in entity.classes or entity.id in keys or entity.id in out:
            continue
        if _set_against(hit.start, contrasts):
            out[entity.id] = "set against the deal by a contrast ('beyond', 'an alternative to')"
        else:
            out[entity.id] = "the trigger names another party"
    return out


def _entity_at(s: ScannedSentence, inside: list[Hit[Label]], start: int, end: int, position: int) -> str | None:
    """The first entity of the clause (in text order) whose span holds `position`, if any."""
    entities, reach = s.memo(("entities at", start, end), lambda: _entity_reach(inside))
    # `reach[i]`: the furthest end among the first i + 1 entities; the first to pass `position`
    # is the first entity that ends after it, and it holds it if it starts at or before it.
    index = bisect_right(reach, position)
    if index < len(entities) and entities[index].start <= position:
        return entities[index].label[1]
    return None


def _entity_reach(inside: list[Hit[Label]]) -> tuple[list[Hit[Label]], list[int]]:
    entities = [h for h in inside if h.label[0] == "entity"]
    return entities, list(accumulate((h.end for h in entities), max))


def _applies_here(job: ClauseJob, facet: str, inside: list[Hit[Label]], start: int, end: int) -> bool:
    rule = job.facets[facet]
    return job.sentence.memo(("applies", facet, start, end), lambda: _applies(job, rule, inside, start, end))


def _applies(job: ClauseJob, rule: FacetRule, inside: list[Hit[Label]], start: int, end: int) -> bool:
    """Could `rule` read this clause at all? Only such a rule's triggers compete for cues."""
    return not _gate(rule, inside, job.sentence, job.asked) and bool(_keys(job, inside, start, end, rule))


def _own_cues(job: ClauseJob, start: int, end: int) -> list[Hit[Label]]:
    """The clause's cues nearer to this trigger than to any other facet's, and within reach.

    « les contraintes de cette exclusivité ont été assouplies avec le lancement de Stargate »:
    « assouplies » ends the exclusivity, not Stargate.
    """
    s, trigger = job.sentence, job.trigger
    inside = s.memo(("inside", start, end), lambda: s.hits_in(start, end))
    # The same for every facet that gets this far (it passed its gate and has keys: it applies itself).
    rivals = s.memo(("rivals", start, end), lambda: _Spans(_plausible_triggers(job, inside, start, end)))
    places = s.memo(("places", start, end), lambda: _places(s, rivals))
    # "terminated its contracts with Oracle and CoreWeave": the parties of one list share its verb
    parties = s.memo(("party spans", start, end), lambda: _party_spans(inside))
    mates = s.memo(
        ("mates", trigger.start, trigger.end, start, end), lambda: _coordinated(inside, s.folded, trigger, parties)
    )
    if mates:
        rivals = _Spans([h for h in rivals.near(start, end) if (h.start, h.end) not in mates])
    own = []
    decided: dict[tuple[int, int, bool], bool] = {}  # a span may carry several cues: decide it once
    circumstances = _circumstances(s)
    hole = s.left_out(start, end)
    reach = CUE_REACH + (hole[1] - hole[0] if hole else 0)
    for cue in _clause_cues(s, job.rule.facet, start, end).all.near(trigger.start - reach, trigger.end + reach):
        if circumstances and _past_circumstance(circumstances, trigger, cue):
            continue
        # "pressing its largest investor to give up the exclusive right": the cue's object is another
        # facet's noun, whose cue it is (not the investor's, a stake)
        if cue.label[1] in _BAD_NEWS and _governs_another(s, rivals, cue, job.rule):
            continue
        # a time set before the proposition frames all of it: "The deal announced that July had Microsoft
        # investing $1 billion and becoming OpenAI's exclusive cloud provider" (history for both)
        if cue.label[1] == "history" and cue.end <= trigger.start and _frames(s, cue, trigger):
            own.append(cue)
            continue
        successor = cue.label[1] == "successor"
        place = (cue.start, cue.end, successor)
        if place not in decided:
            decided[place] = _is_nearest(rivals, cue, trigger, successor=successor, places=places, hole=hole)
        if decided[place]:
            own.append(cue)
    framing = _opening_frame(s, job.rule.facet, trigger) or _leading_frame(s, job.rule.facet, start, trigger)
    return own + [h for h in framing if h not in own]


_LEADING_FRAME = 40  # characters: "For many years", « Pendant des années », "Back in the early days"


def _leading_frame(s: ScannedSentence, facet: str, start: int, trigger: Hit[Label]) -> list[Hit[Label]]:
    """The history cues of a short time that opens the sentence before a comma and the clause of the
    trigger: « Pendant des années, Azure a été le seul fournisseur d'OpenAI » is history, though the
    time is a clause of its own (up to a cue of the present, as `_frames` reads it)."""
    if not 0 < start <= _LEADING_FRAME + 2 or s.clause_of(0) == s.clause_of(start) or "," not in s.folded[:start]:
        return []
    return [
        h
        for h in s.hits_in(0, start)
        if h.label[0] == "cue" and h.label[1] == "history" and h.label[2] in ("", facet) and _frames(s, h, trigger)
    ]


def _opening_frame(s: ScannedSentence, facet: str, trigger: Hit[Label]) -> list[Hit[Label]]:
    """A history cue the sentence opens on frames every clause of it, up to a cue of the present:
    "That was the year Microsoft said it had built a supercomputer exclusively for OpenAI"."""
    return [
        h
        for h in s.cues(facet)
        if h.start < _OPENING
        and h.label[1] == "history"
        and not any(n.label[1] == "now" and h.end <= n.start < trigger.start for n in s.cues(""))
    ]


_OPENING = 4  # characters before a cue that opens the sentence: a quote mark, a dash


# What joins two parties of one list: ", ", " and ", ", et ", " & ", ", as well as ", « ainsi que »
_COORDINATION = re.compile(
    r"\s*(?:,\s*(?:(?:and|et|or|ou)\s+)?|(?:and|et|or|ou|&|as well as|ainsi que)\s+)"
    r"(?:(?:de|du|des|with|avec)\s+|d'\s*)?"
)


_QUANTITIES = frozenset({"amount_usd", "capacity_gw", "units", "share_pct", "duration_years"})
# a trigger that points back to what the text spoke of: "the project", « ce projet », "joint venture"
_ANAPHOR = re.compile(r"(?:the|le|la|ce|cette|l')\s|joint venture|coentreprise")
_MANY = 2  # other parties in the key's list: "OpenAI, SoftBank and Oracle announced $500 billion"


def _listed_among_many(job: ClauseJob, keys: list[str], start: int, end: int) -> bool:
    """Whether a key of the rule's class is named in a list of three parties or more: the list's one
    figure is theirs together (a venture's, a total), not the key's. A fixed key is the rule's own."""
    if job.rule.key:
        return False
    s = job.sentence
    inside = s.memo(("inside", start, end), lambda: s.hits_in(start, end))
    parties = s.memo(("party spans", start, end), lambda: _party_spans(inside))
    return any(
        h.label[0] == "entity" and h.label[1] in keys and len(_coordinated(inside, s.folded, h, parties)) >= _MANY
        for h in inside
    )


# After a venture's name, an apposition that says what it is: an article, or a participle of
# description (vocab/roles.toml)
_BEFORE_APPOSITION = re.compile(r"(?: project| venture| programme| program| projet)?,\s+")
_ARTICLE_APPOSITION = re.compile(_BEFORE_APPOSITION.pattern + r"(?:a|an|the|un|une|le|la)\b")
# After a venture's name, what may stand before the verb of what it has or counts (vocab/roles.toml)
_BEFORE_TOTALS = re.compile(r"(?:'s?\s+\w+)?\s+(?:(?:now|already|still|desormais|deja|maintenant)\s+)?")


def _the_ventures(job: ClauseJob, start: int, end: int) -> bool:
    """Whether the clause's figures follow a venture it names, of which they speak: « a lancé avec
    SoftBank et Oracle le projet Stargate, présenté comme un chantier de 500 milliards » is no $500bn
    deal with Oracle ("Oracle will supply 4.5 GW for Stargate" keeps its figure, said first)."""
    if job.rule.key:
        return False
    s = job.sentence
    ventures = [h.end for h in s.hits_in(start, end) if h.label[0] == "entity" and _is_venture(job, h.label[1])]
    figures = [v.start for v in s.values_in(start, end) if v.kind in _QUANTITIES]
    if not (ventures and figures) or min(figures) < min(ventures):
        return False
    # set beside the venture's name, as what it is: "Stargate, a $500bn venture", « le projet
    # Stargate, présenté comme un chantier de 500 milliards » ("for Stargate worth $22bn" is the deal's,
    # and so is « au sein de Stargate, s'apprête à lui fournir 4,5 GW »: the clause goes on)
    # or the subject of what it has: "the companies say Stargate now has nearly 7 gigawatts", « Stargate
    # compte désormais 7 gigawatts »
    first = min(figures)

    def describes(at: int) -> bool:
        """Does an apposition after the venture hold the first figure? ("For Stargate, announced in
        January, Oracle will supply 4.5 GW": a party named after the aside says the figure is its.)"""
        article = _ARTICLE_APPOSITION.match(s.folded, at)
        description = None if article else _role_at(s, "description", at, _BEFORE_APPOSITION)
        opened = article.end() if article else description.end if description else None
        return opened is not None and not any(h.label[0] == "entity" for h in s.hits_in(opened, first))

    return any(describes(at) or _role_at(s, "totals", at, _BEFORE_TOTALS) for at in ventures if at < first)


def venture_asides(s: ScannedSentence, entities: dict[str, Entity]) -> list[tuple[int, int]]:
    """The appositions that say what a venture is, from the article after its name to the next comma
    or the sentence's end: ", the national build-out the ChatGPT maker launched in January". Their
    dates are the venture's, not a claim's (nor a later sentence's: `rules.engine`)."""
    out = []
    for hit in s.hits:
        entity = entities.get(hit.label[1]) if hit.label[0] == "entity" else None
        if entity is not None and "venture" in entity.classes:
            article = _ARTICLE_APPOSITION.match(s.folded, hit.end)
            if article:
                comma = s.folded.find(",", article.end())
                out.append((article.start(), comma if comma != -1 else len(s.folded)))
    return out


def _is_venture(job: ClauseJob, entity_id: str) -> bool:
    entity = job.entities.get(entity_id)
    return entity is not None and "venture" in entity.classes


def _party_spans(inside: list[Hit[Label]]) -> list[tuple[int, int]]:
    return sorted({(h.start, h.end) for h in inside if h.label[0] == "entity"})


def _coordinated(
    inside: list[Hit[Label]], folded: str, trigger: Hit[Label], parties: list[tuple[int, int]] | None = None
) -> frozenset[tuple[int, int]]:
    """The other parties of the list the trigger (a party's name) stands in: "with Oracle and
    CoreWeave", « d'Oracle, de CoreWeave et de Google »; none when the trigger names no party.
    `parties`: the clause's party spans, sorted, when the caller has them."""
    parties = _party_spans(inside) if parties is None else parties
    here = (trigger.start, trigger.end)
    if here not in parties:
        return frozenset()
    at = parties.index(here)
    mates: set[tuple[int, int]] = set()
    for step in (-1, 1):
        i = at
        while 0 <= i + step < len(parties):
            a, b = sorted((parties[i], parties[i + step]))
            if a[1] >= b[0] or _COORDINATION.fullmatch(folded, a[1], b[0]) is None:
                break
            i += step
            mates.add(parties[i])
    return frozenset(mates)


def _governs_another(s: ScannedSentence, rivals: _Spans, cue: Hit[Label], rule: FacetRule) -> bool:
    """Whether bad news's object is the noun of another facet: one that could read the clause, or a
    right when the rule's is no right ("pressing its largest investor to give up the exclusive right"
    ends the right, not the investor's stake; « met fin à l'exclusivité » may end the API's)."""
    governed = s.memo(("cue governs", cue.start, cue.end), lambda: governed_trigger(s, cue, heads=True))
    if governed is None or governed.label[1] == rule.facet:
        return False
    if any(h.start == governed.start for h in rivals.near(governed.start, governed.end)):
        return True
    return s.rules.facets[governed.label[1]].in_force == "held" and rule.in_force != "held"


def _is_nearest(
    rivals: _Spans,
    cue: Hit[Label],
    trigger: Hit[Label],
    *,
    successor: bool,
    places: frozenset[int] = frozenset(),
    hole: tuple[int, int] | None = None,
) -> bool:
    """Is `trigger` within reach of `cue`, and no other trigger nearer to it?

    Only a trigger nearer to the cue than this one can take it: look no further than that.
    A trigger inside the cue itself ("rival clouds") does not compete for it, nor one that overlaps
    this trigger. "X gave way to Y" speaks of both sides: the nearest trigger before it and the
    nearest after. A trigger that only says where (`places`: « déployée dans ses centres de
    données ») does not take the cue before it from the thing that is there.
    """
    distance = _distance(cue, trigger, hole)
    if distance > CUE_REACH:
        return False
    after = trigger.start >= cue.end
    # (a rival's distance counts the relative: a subject named before it, "Oracle, dont le cours a
    # bondi…, s'est engagé à fournir 4,5 GW", takes no cue from the figure after the verb)
    for other in rivals.near(cue.start - distance + 1, cue.end + distance - 1):
        if (
            _distance(cue, other) < distance
            and _distance(cue, other) > 0
            and _distance(other, trigger) > 0
            and not (successor and (other.start >= cue.end) != after)
            and not (other.start in places and other.start >= cue.end)
        ):
            return False
    return True


def _frames(s: ScannedSentence, cue: Hit[Label], trigger: Hit[Label]) -> bool:
    """Whether a history cue before the trigger is a time that frames it: no cue of the present
    stands between them ("…that July, and is now losing it" keeps "now" for the second)."""
    return not any(h.label[1] in ("now", "history") and cue.end <= h.start < trigger.start for h in s.cues(""))


def _circumstances(s: ScannedSentence) -> list[int]:
    """Where the sentence's trailing circumstances ("after the cancellation of…") start."""
    return s.memo(("circumstances",), lambda: [m.start() for m in _TRAILING_CIRCUMSTANCE.finditer(s.folded)])


def _past_circumstance(circumstances: list[int], trigger: Hit[Label], cue: Hit[Label]) -> bool:
    """Whether a trailing circumstance stands between the trigger and a cue after it: "Microsoft is
    OpenAI's exclusive provider again after the cancellation of the Oracle contract" — the
    cancellation is the contract's, not the exclusivity's."""
    return cue.start >= trigger.end and any(trigger.end <= at < cue.start for at in circumstances)


# A circumstance after the proposition, "after" and a noun phrase: its cues are its own (folded text).
# So is a restatement that compares the figure with an older one: « , soit plusieurs fois le volume initial
# du contrat signé au printemps 2025 », ", several times the volume of the deal signed last spring".
_TRAILING_CIRCUMSTANCE = re.compile(
    r"[\s,]\s*(?:after|following|apres)\s+(?:the|a|an|its|their|l'|la|le|les|un|une|son|sa|ses|leur)\b"
    r"|,\s*soit\s|,\s+(?:or\s+|roughly\s+|about\s+|some\s+)?(?:[a-z]+\s+)?times\s+(?:the|its|what)\b"
)

# "in its data centres", « dans ses centres de données », "inside Oracle's facilities": the trigger after
# it names a place, on folded text, ending where the trigger starts.
_PLACE_BEFORE = re.compile(
    r"\b(?:in|into|inside|within|across|at|dans|au sein de|au sein des)\s+"
    r"(?:(?:its|their|his|her|the|a|an|ses|son|sa|leur|leurs|les|des|le|la|l')\s*)?(?:[\w.-]+'s\s+)?$"
)


def _places(s: ScannedSentence, triggers: _Spans) -> frozenset[int]:
    """Where the triggers that name a place start (see `_is_nearest`)."""
    hits = [h for _, h in triggers.short] + [h for _, h in triggers.long]
    return frozenset(h.start for h in hits if _PLACE_BEFORE.search(s.folded, max(0, h.start - 40), h.start))


def _plausible_triggers(job: ClauseJob, inside: list[Hit[Label]], start: int, end: int) -> list[Hit[Label]]:
    """Where the clause's triggers of the facets that could read it stand, each place once.

    Only the places matter to who is nearest a cue; rules sharing a trigger phrase count once.
    """
    plausible = {
        facet
        for facet in {h.label[1] for h in inside if h.label[0] == "trigger"}
        if (job.in_reach is None or facet in job.in_reach) and _applies_here(job, facet, inside, start, end)
    }
    s = job.sentence
    places = {
        (t.start, t.end): t
        for t in inside
        if t.label[0] == "trigger"
        and t.label[1] in plausible
        # a verb governing another facet's noun ("holds a right of first refusal") leaves its cues to that noun
        and not s.memo(("governs", t.start, t.end), lambda t=t: governed_facet(s, t))  # type: ignore[misc]
    }
    return list(places.values())


class _Spans:
    """Hits in text order, and those of them near a span, found by bisection (a clause may hold many).

    A short hit near the span starts at most SHORT characters before it. Long hits (a gap of long
    words) are few, for the hits of one phrase never overlap: they are looked at one by one.
    """

    SHORT = 128

    def __init__(self, hits: list[Hit[Label]]) -> None:
        self.short = [(i, h) for i, h in enumerate(hits) if h.end - h.start <= self.SHORT]
        self.starts = [h.start for _, h in self.short]
        self.long = [(i, h) for i, h in enumerate(hits) if h.end - h.start > self.SHORT]

    def near(self, low: int, high: int) -> list[Hit[Label]]:
        """The hits that end at or after `low` and start at or before `high`, in text order."""
        first, last = bisect_left(self.starts, low - self.SHORT), bisect_right(self.starts, high)
        found = [(i, h) for i, h in self.short[first:last] if h.end >= low]
        if self.long:
            found = sorted(found + [(i, h) for i, h in self.long if h.start <= high and h.end >= low])
        return [h for _, h in found]


# A pluperfect is the past of a report, not history, after a verb that reports (folded text): "the
# chief financial officer said OpenAI had agreed to…", « la dirigeante a indiqué que le créateur de
# ChatGPT avait signé au cours du trimestre… »
_PLUPERFECT = re.compile(r"(?:had|avait|avaient)\s")
_REPORTED_BEFORE = re.compile(rf"\b(?:{REPORTING_VERBS})\s+(?:that\s|que\s|qu')?[^.;:]{{0,80}}$")


def _without_price_moves(s: ScannedSentence, cues: list[Hit[Label]]) -> list[Hit[Label]]:
    """Leave out an ending right before a percentage: a share price's move, no ending of a deal
    (« CoreWeave … a lâché 7 % jeudi », "Oracle gave up 4% on Tuesday")."""
    if "%" not in s.folded and "cent" not in s.folded:
        return cues
    return [h for h in cues if not (h.label[1] == "ended" and _PERCENT_AFTER.match(s.folded, h.end))]


_PERCENT_AFTER = re.compile(r"\s{1,3}(?:de\s+|by\s+)?\d{1,3}(?:[.,]\d{1,2})?\s?(?:%|percent|per cent|pour cent)")


def _without_backshift(s: ScannedSentence, cues: list[Hit[Label]]) -> list[Hit[Label]]:
    """Leave out a pluperfect history cue set back by the report it stands in (`_REPORTED_BEFORE`)."""
    return [
        h
        for h in cues
        if not (
            h.label[1] == "history"
            and _PLUPERFECT.match(s.folded, h.start)
            and _REPORTED_BEFORE.search(s.folded, max(0, h.start - 160), h.start)
        )
    ]


def _without_old_figures_past(s: ScannedSentence, cues: list[Hit[Label]]) -> list[Hit[Label]]:
    """Leave out a history cue that dates the old figure a comparison gives: in « tombe à 27 %, contre
    32,5 % auparavant », "up from $13 billion previously", the past is the old figure's, not the claim's."""
    history = [h for h in cues if h.label[1] == "history"]
    previous = [h.end for h in cues if h.label[1] == "previous"]
    if not history or not previous:
        return cues
    old = _old_figure_ends(s, previous)
    dating_old = {id(h) for h in history if any(0 <= h.start - end <= 2 for end in old)}
    return [h for h in cues if id(h) not in dating_old]


_OLD_FIGURE_REACH = 20  # characters from a comparison ("contre", "up from") to the old figure
# What may stand between a comparison and the old figure it gives: spaces, an article ("from the 4.5
# GW", « contre les 4,5 gigawatts »)
# Between an old figure and its date: spaces, or the participle that gave it ("the 4.5 gigawatts
# announced last July", « les 4,5 gigawatts annoncés en juillet »)
_OLD_DATE_GAP = re.compile(
    r"\s{0,2}(?:(?:announced|signed|planned|promised|agreed|reported|expected|annonces?|annoncees?|signes?|signees?"
    r"|prevus?|prevues?|promis|promises?|evoques?|evoquees?)\s{1,2})?"
)
_OLD_FIGURE_GAP = re.compile(r"\s{0,3}(?:(?:the|a|an|its|les|le|la|l'|un|une|des|ses|son|sa)\s{1,2})?")


def _old_figure_ends(s: ScannedSentence, previous: list[int]) -> list[int]:
    """Where the old figures end that the comparisons ending at `previous` give ("up from $13bn")."""
    return [v.end for v in s.values if any(0 <= v.start - end <= _OLD_FIGURE_REACH for end in previous)]


@dataclass(frozen=True)
class _ClauseCues:
    all: _Spans  # the cues of the facet in the clause
    wide: list[Hit[Label]]  # those that qualify the whole clause
    bad_news: list[Hit[Label]]  # its endings, setbacks and denials


def _clause_cues(s: ScannedSentence, facet: str, start: int, end: int) -> _ClauseCues:
    """The facet's cues in the clause [start, end), once per clause: every trigger of it asks."""

    def compute() -> _ClauseCues:
        # Hedges and conditionals speak for the whole sentence (`hedged`, `_supposes`): no trigger owns them.
        inside = s.memo(("inside", start, end), lambda: s.hits_in(start, end))
        # a shared cue or the facet's own (as `ScannedSentence.cues`), tested inline: a call a hit cost more
        cues = [
            h for h in inside if h.label[0] == "cue" and h.label[2] in ("", facet) and h.label[1] not in _SENTENCE_WIDE
        ]
        cues = _without_price_moves(s, _without_backshift(s, _without_old_figures_past(s, cues)))
        if start < SENTENCE_START:
            cues = [h for h in cues if not (h.label[1] == "hypothetical" and _concessive(s.sentence.text, h))]
        return _ClauseCues(
            _Spans(cues),
            [h for h in cues if h.label[1] in _CLAUSE_WIDE],
            [h for h in cues if h.label[1] in _BAD_NEWS],
        )

    return s.memo(("clause cues", facet, start, end), compute)


def _distance(a: Hit[Label], b: Hit[Label], hole: tuple[int, int] | None = None) -> int:
    """Characters between two hits, without the relative (`hole`) a joined clause leaves out between
    them: in « Ce droit, qui permettait… (150 characters), a été supprimé », the cue is near."""
    gap = max(0, a.start - b.end, b.start - a.end)
    if hole and min(a.end, b.end) <= hole[0] and hole[1] <= max(a.start, b.start):
        gap -= hole[1] - hole[0]
    return gap


# Between a party and the ending it is the subject of: auxiliaries and adverbs only ("Microsoft has now
# stopped", « Microsoft a cessé », « Microsoft n'est plus »), on folded text.
_SUBJECT_TO_ENDING = re.compile(
    r"(?:\s*(?:a|ont|avait|avaient|aura|has|have|had|is|was|are|were|will|would|now|then|also|desormais|deja"
    r"|alors|finalement|ne|n'|effectively|formally|officially|officiellement))*\s*"
)


def _ending_of_another(job: ClauseJob, cues: list[Hit[Label]], keys: list[str]) -> str:
    """The party every ending of the clause has for subject, when it is neither a key nor the rule's
    subject, or ''. « …présenté avec SoftBank et Oracle, Microsoft a cessé d'être le fournisseur
    exclusif » ends Microsoft's exclusivity, not Oracle's supply; "OpenAI stopped renting from
    Oracle" keeps its ending (OpenAI is the rule's subject)."""
    if not job.rule.key_class:  # a facet of one key: what ends is the right itself ("of OpenAI no longer exists")
        return ""
    s = job.sentence
    entities = [h for h in s.hits if h.label[0] == "entity"]
    owners = set()
    for cue in (c for c in cues if c.label[1] == "ended"):
        subject = [
            h for h in entities if h.end <= cue.start and _SUBJECT_TO_ENDING.fullmatch(s.folded, h.end, cue.start)
        ]
        if not subject:
            return ""
        owners.add(subject[-1].label[1])
    owner = owners.pop() if len(owners) == 1 else ""
    return "" if owner in keys or any(owner in group for group in job.rule.requires) else owner


def _negation_reach(negation: Hit[Label]) -> int:
    """How far after a negation an ending it negates may stand: a few words ("has not lost"), or the
    whole proposition a negated report opens (« nous avons écrit à tort que le géant de Redmond
    « avait renoncé à son droit » »)."""
    report = negation.phrase.rstrip(")?").endswith(("que", "qu'", "that")) or any(
        word in negation.phrase for word in _TAKEN_BACK
    )
    return _REPORT_REACH if report else NEGATION_REACH


# « nous écrivions que les droits de … sur les modèles et les produits d'OpenAI expiraient »: the whole proposition
_REPORT_REACH = 2 * CUE_REACH


# The words of a correction's negation (vocab/cues.toml [negation]): what follows them is taken back whole
_TAKEN_BACK = (
    "wrongly", "incorrectly", "erroneously", "mistakenly", "a tort", "par erreur", "=mis", "earlier", "version",
)  # fmt: skip


def _status(
    rule: FacetRule, trigger: Hit[Label], cues: list[Hit[Label]], *, bad_news: list[Hit[Label]], future: bool
) -> tuple[str | None, int]:
    """The claim's status (None when the clause negates it) and the rank of the cue that set it (0: none).

    `bad_news` are the clause's ending, setback and denial cues, whichever trigger they are nearest to:
    a denial negates the bad news that follows it.
    """
    found: dict[str, Hit[Label]] = {}
    for cue in cues:
        found.setdefault(cue.label[1], cue)
        if cue.label[1] == "successor":  # "replaced by X": X holds, what came before ended
            found.setdefault("continuing" if cue.end <= trigger.start else "ended", cue)
    if (successor := found.get("successor")) and successor.end <= trigger.start:
        # "wind down its use of Azure in favour of Oracle": the ending before the successor is its predecessor's
        endings = [c for c in cues if c.label[1] == "ended"]
        if endings and all(c.end <= successor.start for c in endings):
            found.pop("ended", None)
    negation, denied = found.get("negation"), found.get("denied")
    if "exception" in found and found.keys() & {"ended", "denied", "cancelled"}:
        return rule.default, len(STATUS_ORDER)  # an ending with a carve-out: still in force
    # A denial of bad news, or a negated ending, leaves things as they were:
    # "denied a report that it had lost…", "has not lost", « a démenti vouloir céder ».
    if (denied and any(c.start > denied.start for c in bad_news)) or (
        negation and found.get("ended") and 0 <= found["ended"].start - negation.end <= _negation_reach(negation)
    ):
        return rule.default, len(STATUS_ORDER)
    if negation and not found.get("ended") and not denied:
        return None, 0
    if cancelled := found.get("cancelled"):  # "scrapped": a plan is called off, a right in force ends
        found.setdefault("ended" if rule.in_force == "held" else "denied", cancelled)
    # "still in development": what goes on is the plan; so is a plan that "remains a year behind"
    # so is one that "remains on paper", « reste à l'état d'intention »: a plan said after the verb that keeps it
    remains_a_plan = "planned" in found and "continuing" in found and found["planned"].start >= found["continuing"].end
    if "continuing" in found and (
        _own_plan(rule, cues) or (rule.default == "planned" and ("setback" in found or remains_a_plan))
    ):
        return "planned", len(STATUS_ORDER) - STATUS_ORDER.index("continuing")
    for rank, status in enumerate(STATUS_ORDER):
        if status in found:
            status = {"continuing": rule.in_force}.get(status, status)
            # "signed a deal; deliveries start in 2027": signed for the future is planned
            return ("planned" if future and status == "active" else status), len(STATUS_ORDER) - rank
    if future:  # "starting in 2027", « à partir de 2026 »: not under way yet
        return "planned", 1
    return rule.default, 0


def _basis(status: str, cue_rank: int, classes: set[str]) -> str:
    """The class of the cue that set the status; of a denied status, "denied" for a denial and
    "cancelled" for a cancellation ("scrapped" ends what was, "denied a report" speaks of the report)."""
    if status == "denied" and cue_rank:
        return "denied" if "denied" in classes else "cancelled"
    # a denial of bad news ("denied a report that it had lost…") or a negated ending ("has not given
    # it up", « n'a pas renoncé »): in force, and said so against what was said
    said_against = "denied" in classes or {"negation", "ended"} <= classes
    if cue_rank == len(STATUS_ORDER) and said_against and "exception" not in classes:
        return "denied"
    return STATUS_ORDER[len(STATUS_ORDER) - cue_rank] if 0 < cue_rank < len(STATUS_ORDER) else ""


def _own_plan(rule: FacetRule, cues: list[Hit[Label]]) -> bool:
    """Whether the clause names the state of a plan in the facet's own words ("in development",
    "designing"): of a facet that starts as a plan, "still" or "continues to" then keeps it one."""
    return rule.default == "planned" and any(c.label[1] == "planned" and c.label[2] == rule.facet for c in cues)


# A French future in an ending's words: « ne disposera plus », « ne détiendra plus », « prendra fin »
_FRENCH_FUTURE = re.compile(r"\w{2}(?:ra|ront)\b")


# "no longer" in the present: "is no longer", "no longer exists", « n'existe plus », « n'a plus »
_NO_LONGER_NOW = re.compile(
    r"(?:is|are|has|have)\s+no longer\b|no longer (?:exists?|holds?|has|have|applies|apply)\b"
    r"|n'\s?(?:est|existe|a|ont|sont|dispose|disposent|detient|detiennent|possede|possedent|beneficie)\s+plus\b"
    r"|ne\s+(?:sont|disposent|detiennent|possedent|beneficient|existent)\s+plus\b"
)
_NO_LONGER_REACH = 8  # characters before an ending cue that its auxiliary may take ("is " before "no longer")


def _ends_now(cues: list[Hit[Label]], folded: str) -> bool:
    """An ending said in the present (« Ce droit n'existe plus. ») is news of now, not of the date
    the paragraph gave before it."""
    ends = (h for h in cues if h.label[1] == "ended")
    return any(_NO_LONGER_NOW.search(folded, max(0, h.start - _NO_LONGER_REACH), h.end + 10) for h in ends)


def _ends_from_now(cues: list[Hit[Label]], folded: str) -> bool:
    """An ending said in the future ("will no longer hold a right that since January had…") is news of
    now: a date the clause gives is the old arrangement's, not the ending's."""
    ends = [h for h in cues if h.label[1] == "ended"]
    if any(_FRENCH_FUTURE.search(folded, h.start, h.end) for h in ends):
        return True
    return any(h.label[1] == "planned" and any(0 <= e.start - h.end <= 1 for e in ends) for h in cues)


def _has_future_start(job: ClauseJob, start: int, end: int) -> bool:
    published = job.sentence.published
    if published is None:
        return False
    today = published.isoformat()
    return any(
        v.kind in ("since", "date") and str(v.value) > today[: len(str(v.value))]
        for v in job.sentence.values_in(start, end)
    )


def _future_date(job: ClauseJob, start: int, end: int) -> str:
    """The clause's first date after publication: when a planned thing (a chip) is to start.

    "will enter mass production next year", « produirait sa puce en série dès 2026 »
    """
    today = job.sentence.published.isoformat() if job.sentence.published else "9999"
    dates = [str(v.value) for v in job.sentence.values_in(start, end) if v.kind in ("since", "date") and v.value]
    return next((d for d in dates if d > today[: len(d)]), "")


def _party_relatives(s: ScannedSentence, start: int, end: int) -> list[tuple[int, int]]:
    """The relatives that follow a party's name, after the clause or inside it: what they say the
    party did ("Cerebras, which we signed in January") is said of the clause's party."""
    ends = [h.end for h in s.primary if h.label[0] == "entity"]
    return [(a, b) for a, b in _relatives(s, start, end, objects=True) if any(0 < a - e <= 3 for e in ends)]


def _relatives(s: ScannedSentence, start: int, end: int, *, objects: bool = False) -> list[tuple[int, int]]:
    """The relative the joined clause [start, end) leaves out, if any, then those right after it."""
    hole = s.left_out(start, end)
    return ([hole] if hole else []) + _relatives_after(s, end, objects=objects)


# An object relative after a comma: « Nscale, que nous avons retenu en mars »
_OBJECT_RELATIVE = re.compile(r"(?:que|qu')\s?")


def _relatives_after(s: ScannedSentence, end: int, *, objects: bool = False) -> list[tuple[int, int]]:
    """The relative clauses that start right after a clause ending at `end` ("…, which…", « …, qui… »;
    with `objects`, « …, que… » too)."""
    return [
        (a, b)
        for a, b in s.clauses
        if 0 < a - end <= 3 and (RELATIVE_START.match(s.folded, a) or (objects and _OBJECT_RELATIVE.match(s.folded, a)))
    ]


def _relative_future_date(job: ClauseJob, start: int, end: int) -> str:
    """The first future date of a relative that describes the planned thing: "…custom accelerators,
    which will be deployed from late 2026", « ses propres puces, qui seront déployées dès fin 2026 »,
    read apart from the clause (after it, or inside it)."""
    s = job.sentence
    relatives = _relatives(s, start, end)
    return next((date for a, b in relatives if (date := _future_date(job, a, b))), "")


def _values(job: ClauseJob, start: int, end: int, keys: list[str]) -> dict[str, Any]:
    s, rule = job.sentence, job.rule
    previous_ends, total_ends = s.memo(("amount cues", rule.facet), lambda: _amount_cues(s.cues(rule.facet)))
    ours, theirs = _parts(job, start, end, keys)
    chosen: dict[str, Value] = {}
    bare: dict[str, Value] = {}  # « atteint désormais 250 milliards »: dollars, when no other amount is
    for value in s.values_in(start, end):
        if value.start in theirs:
            continue  # "including $50 billion with Oracle": another party's part
        kind = "amount_usd" if value.kind == "amount_bare" else value.kind
        if value.start in ours:
            chosen[kind] = value  # "including $250 billion on Azure": the key's own part of a whole
            continue
        if kind in chosen and chosen[kind].start in ours:
            continue
        kind, slot = value.kind, chosen
        if kind == "amount_bare":
            kind, slot = "amount_usd", bare
        elif kind == "until" and "until" not in rule.values and _delayed(s.cues(rule.facet), value):
            kind = "since"  # "will not ship until 2026": a plan that starts in 2026
        if kind not in rule.values:
            continue
        if any(_OLD_FIGURE_GAP.fullmatch(s.folded, end, value.start) for end in previous_ends if end <= value.start):
            continue  # "up from $10 billion", « contre les 4,5 gigawatts annoncés »: the old figure
        best = slot.get(kind)
        if best is None or (kind in _ADDITIVE and _better_amount(value, best, total_ends)):
            slot[kind] = value
    for kind, value in bare.items():
        # a total whose dollars the sentence gave once: « étendu de 6,5 milliards de dollars, portant
        # le total à 22,4 milliards »
        if kind not in chosen or (_is_total(value, total_ends) and not _is_total(chosen[kind], total_ends)):
            chosen[kind] = value
    theirs_told: dict[str, Value] = {}  # what the clause after tells of the deal: the total, else the larger
    for value in s.memo(("subject's deal", rule.facet, start, end), lambda: _subjects_deal_values(job, start, end)):
        best = theirs_told.get(value.kind)
        if best is None or (value.kind in _ADDITIVE and _better_amount(value, best, total_ends)):
            theirs_told[value.kind] = value
    for kind, value in theirs_told.items():
        if kind in rule.values and kind not in chosen:
            chosen[kind] = value
    out: dict[str, Any] = {kind: v.value for kind, v in chosen.items()}
    out.update(_from_relative(job, start, end, missing=rule.require_value - out.keys()))
    names = _names(job, start, end)
    if names:
        out["names"] = names
    return out


def _subjects_deal_values(job: ClauseJob, start: int, end: int) -> list[Value]:
    """The values of a relative right after the clause that tells of the rule's subject's deal:
    "Oracle has built data centres for OpenAI, whose contract is worth some $300 billion over five
    years", « pour OpenAI, dont le contrat vaudrait 300 milliards »; or that describes the deal the
    clause names (« une extension de son accord avec OpenAI, qui atteint désormais 22,4 milliards »):
    the key's deal, read apart from the clause but its figures."""
    rule, s = job.rule, job.sentence
    if not rule.key_class:
        return []
    following = [(a, b) for a, b in s.clauses if end <= a <= end + 3]  # ", ", " : "
    if not following:
        return []
    a, b = following[0]
    # "…expanded its contracts with the company three times, and they now total roughly $22.4 billion"
    if _names_a_deal(s, start, end) and (
        _role_at(s, "totals", a, _PRONOUN_BEFORE_TOTALS) or _tells_the_deal_after_a_colon(job, end, a, b)
    ):
        return [v for v in s.values if a <= v.start < b]
    hit = _antecedent_hit(s, a)
    if hit is None or hit.label[1] not in rule.requires[0]:
        return []
    if not (_names_a_deal(s, a, b) or _deal_with_subject_ends(s, start, a)):
        return []
    return [v for v in s.values if a <= v.start < b]


# A proposition whose subject is a pronoun for the deal just named, then a verb of totalling
_PRONOUN_BEFORE_TOTALS = re.compile(
    r"(?:and|et)\s+(?:they|it|ils|elles|il|elle)\s+(?:(?:now|already|desormais|deja)\s+)?"
)


def _tells_the_deal_after_a_colon(job: ClauseJob, end: int, a: int, b: int) -> bool:
    """Does the clause after a colon tell the deal the clause before names, naming only its subject?
    « Le second est une extension de son accord avec OpenAI : le créateur de ChatGPT s'est engagé pour
    6,5 milliards de plus » (its figures are the deal's)."""
    s = job.sentence
    if s.folded[end:a].strip() != ":":
        return False
    named = {h.label[1] for h in s.hits_in(a, b) if h.label[0] == "entity"}
    return bool(named & job.rule.requires[0]) and not any(_of_key_class(job, e) for e in named)


# A deal with the subject the clause ends on: "an extension of its agreement with OpenAI, which…"
_DEAL_WITH = re.compile(r"(?:with|avec)\s+\S+(?:\s+\S+){0,3}?[\s,]*\Z")


def _deal_with_subject_ends(s: ScannedSentence, start: int, relative: int) -> bool:
    """Does the clause [start, relative) end on a deal "with" its subject (« son accord avec OpenAI, »)?"""
    deals = [h.end for h in s.roles("deal") if start <= h.start < relative]
    return any(_DEAL_WITH.match(s.folded, end + 1, relative) for end in deals)


# A part of a whole just given: "$1.4 trillion of compute, including $250 billion on Azure", « dont 250
# milliards sur Azure », "of which $300 billion with Oracle"
_PART_BEFORE = re.compile(
    r"(?:including|of which|among them|dont|y compris|notamment|incluant)"
    r"(?:\s+(?:about|around|roughly|some|nearly|almost|more than|up to|environ|quelque|pres de|plus de|jusqu'a))?\s*\Z"
)
_PART_PARTY = re.compile(r"\s*(?:[a-z]+\s+){0,4}?(?:on|with|from|for|to|in|sur|avec|chez|aupres de|pour|a|de|d')\s*\Z")
_PART_REACH = 40  # characters from the figure to the party whose part it is
_PARTS = frozenset({"amount_usd", "capacity_gw", "amount_bare"})  # the additive quantities, and bare amounts


def _parts(job: ClauseJob, start: int, end: int, keys: list[str]) -> tuple[set[int], set[int]]:
    """Where the clause's parts of a whole start that are the claim's keys' own ("including $250
    billion on Azure"), and where those of another party start."""
    s, rule = job.sentence, job.rule
    # one figure speaks for every key of a reading: a part is one key's only when the reading has one
    ours_ids = set(keys).union(*rule.requires[1:]) if len(keys) == 1 else set()
    ours: set[int] = set()
    theirs: set[int] = set()
    for value in s.values_in(start, end):
        if value.kind not in _PARTS or not _PART_BEFORE.search(s.folded, max(start, value.start - 40), value.start):
            continue
        for hit in s.hits_in(value.end, min(end, value.end + _PART_REACH)):
            if hit.label[0] == "entity" and _PART_PARTY.fullmatch(s.folded, value.end, hit.start):
                (ours if hit.label[1] in ours_ids else theirs).add(value.start)
                break
    return ours, theirs


def _delayed(cues: list[Hit[Label]], value: Value) -> bool:
    """Whether a setback cue ends on the value's "until" / « avant » ("not … until 2026")."""
    return any(c.label[1] == "setback" and c.start <= value.start <= c.end for c in cues)


def _from_relative(job: ClauseJob, start: int, end: int, *, missing: frozenset[str] | set[str]) -> dict[str, Any]:
    """The values a rule requires, from the relative that describes the trigger's noun phrase.

    « Le chiffre d'affaires d'OpenAI, qui devrait atteindre 13 milliards de dollars, reste loin… »:
    the relative left out of the main clause gives the revenue its figure, when the main clause
    has none. Only right after the trigger: "CoreWeave, which signed $11.9 billion in March" is
    about CoreWeave's earlier deal.
    """
    hole = job.sentence.left_out(start, end) if missing else None
    if hole is None or not 0 <= hole[0] - job.trigger.end <= _ANTECEDENT_REACH:
        return {}
    found: dict[str, Any] = {}
    for value in job.sentence.values_in(*hole):
        if value.kind in missing and value.kind not in found:
            found[value.kind] = value.value
    return found


_ANTECEDENT_REACH = 30  # characters from a trigger to the relative that describes it ("d'OpenAI, qui")


# Quantities that add up: a clause may give a part and the whole ("adds 1.5 GW, bringing its total to
# 8 GW", « un premier versement de 10 milliards sur 40 »); the whole is the claim's value.
_ADDITIVE = frozenset({"amount_usd", "capacity_gw"})


def _amount_cues(cues: list[Hit[Label]]) -> tuple[set[int], set[int]]:
    """Where the "previous" and the "total" cues end: what they say of an amount right after them."""
    return {h.end for h in cues if h.label[1] == "previous"}, {h.end for h in cues if h.label[1] == "total"}


def _is_total(v: Value, total_ends: set[int]) -> bool:
    """Whether a "total" cue announces the amount ("bringing the total to $22.4 billion")."""
    return any(v.start - gap in total_ends for gap in range(21))


def _better_amount(value: Value, best: Value, total_ends: set[int]) -> bool:
    """Prefer the amount a "total" cue announces, else the larger one (the deal, not an instalment)."""
    if _is_total(value, total_ends) != _is_total(best, total_ends):
        return _is_total(value, total_ends)
    return float(value.value) > float(best.value)


def _names(job: ClauseJob, start: int, end: int) -> list[str]:
    rule, s = job.rule, job.sentence
    names = _pattern_names(rule, s.sentence.text[start:end])
    if job.before is not None and (
        _TAKES_UP_A_PLACE.match(s.folded, start) or _THE_COUNTY.search(s.folded, start, end)
    ):
        # "…bonds for Project Jupiter, a campus near Santa Teresa. The project was named one of the new
        # sites of Stargate": the project is the one the sentence before names
        names += _pattern_names(rule, job.before.sentence.text)
    if rule.name_entities and not _names_the_industry(job, start, end):
        for hit in s.hits_in(start, end):
            if hit.label[0] != "entity" or hit.label[1] not in job.entities or hit.label[1] == rule.key:
                continue
            if not named_after(s, "elsewhere", hit):  # « hébergées chez Google »: a host, no partner
                names.append(job.entities[hit.label[1]].name)
    # "a site of Stargate" names no site: the venture is not one of its own names
    names = [n for n in names if n.lower() != rule.key]
    return sorted(set(names), key=names.index)


def _pattern_names(rule: FacetRule, text: str) -> list[str]:
    """The names the rule's `names` patterns find in `text`, in order."""
    return [m.group(m.lastindex or 0) for pattern in rule.name_patterns for m in pattern.finditer(text)]


_INDUSTRY = 5  # parties a clause names besides the venture: a list of the industry, not of its partners


def _names_the_industry(job: ClauseJob, start: int, end: int) -> bool:
    """Does the clause list so many companies that they are the industry, not the venture's partners?
    "The companies involved — Microsoft, OpenAI and the partners of Stargate, Google, Amazon, Meta, the
    chip makers from Nvidia to AMD — are not villains" names no partner of Stargate's."""
    named = {h.label[1] for h in job.sentence.hits_in(start, end) if h.label[0] == "entity"}
    return len(named - {job.rule.key}) >= _INDUSTRY


# A clause that opens on a place the sentence before named: "The project, led by…", « Le site », "Both carry
# the Stargate label", « Ces deux campus »
_TAKES_UP_A_PLACE = re.compile(
    r"\s*(?:(?:the|this|that|le|ce|cet|cette)\s+(?:project|campus|site|projet)\b"
    r"|(?:both|the two|these|those|les deux|ces deux|ces)\s+(?:sites|campuses|campus|projects|projets|carry|are|sont)\b"
    r"|both\b)"
)


# A place the sentence before named, anywhere in the clause: « OpenAI a inclus le comté dans la liste des
# nouveaux sites de Stargate », "the township was named one of the venture's sites"
_THE_COUNTY = re.compile(
    r"\b(?:le|the|la|this|ce|cette)\s+(?:comte|county|commune|township|municipalite|municipality)\b"
)


def _when(job: ClauseJob, start: int, end: int, *, present: bool) -> tuple[str, bool]:
    """The claim's date and whether the text gave it (see the engine's step 7)."""
    s = job.sentence
    published = s.published.isoformat() if s.published else ""
    in_clause = s.values_in(start, end)
    if present or (any(v.kind == "now" for v in in_clause) and s.speaks_of_now(start, end)):
        return published, False
    # A clause without a date of its own shares its sentence's ("…, which rents Nvidia GPUs, first
    # signed in March": the relative clause is dated March too), then its paragraph's.
    # Not the date of the relative a joined clause leaves out: « Le chiffre d'affaires, qui ne dépassait
    # pas 5,5 milliards fin 2024, a franchi 20 milliards » is today's figure.
    hole = s.left_out(start, end)
    in_clause = _claim_dates(job, in_clause)
    past = past_dates(in_clause, s.published) or s.memo(
        ("past dates", hole, job.rule.facet, job.trigger.end), lambda: _past_dates_outside(job, hole)
    )
    if past:
        return max(past), True
    # A sentence that speaks of the present ("That arrangement is now history: …") does not take
    # the date of the paragraph before it.
    inherited = None if s.speaks_of_now() else job.inherited_date()
    if inherited:
        return inherited, True
    return published, False


def _holds_since(job: ClauseJob, start: int, end: int, when: str) -> bool:
    """Is the claim's date the start of a state that still holds, for a facet with no `since` value
    to keep it in? « Les modèles de xAI sont proposés dans Azure AI Foundry depuis mai » speaks of
    now (as a facet with the slot keeps "since May" and the diff reads it as ongoing)."""
    if "since" in job.rule.values or not job.rule.key_class:
        return False  # (a fixed key is known: its state since a date is told again, as the diff reads it)
    return any(v.kind == "since" and v.value == when for v in job.sentence.values_in(start, end))


def _own_dates(job: ClauseJob, values: list[Value]) -> list[Value]:
    """`values` without the dates that are not the claim's: an old figure's, which a comparison
    gives (« environ 24 %, contre 27 % il y a un an », "$20bn, up from $13bn last year"), and a
    trailing circumstance's (« s'établit à 22,4 milliards, après un premier accord de 11,9
    milliards en mars »), and a neutral phrase's ("a move that would have been unthinkable two
    years ago")."""
    s = job.sentence
    previous = [h.end for h in s.cues(job.rule.facet) if h.label[1] == "previous"]
    old = _old_figure_ends(s, previous)
    # after the trigger, or after the claim's figure when the trigger stands further on (« …22,4
    # milliards, après l'introduction en Bourse de CoreWeave » is keyed on the company's name)
    figures = [v.end for v in values if v.kind in _QUANTITIES]
    anchor = min([job.trigger.end, *figures])
    after = [at for at in _circumstances(s) if at >= anchor]
    # a date inside a neutral phrase is the phrase's: "a move that would have been unthinkable two years ago";
    # and one in a venture's apposition is the venture's: "…sites in their Stargate programme, the build-out
    # the ChatGPT maker launched in January" (not the new sites')
    asides = [(h.start, h.end) for h in s.cues(job.rule.facet) if h.label[1] == "neutral"]
    asides += s.memo(("venture asides",), lambda: venture_asides(s, job.entities))
    return [
        v
        for v in values
        if v.kind not in TIME_KINDS
        or not (
            any(end <= v.start and _OLD_DATE_GAP.fullmatch(s.folded, end, v.start) for end in old)
            or any(at < v.start for at in after)
            or any(a <= v.start and v.end <= z for a, z in asides)
        )
    ]


def _past_dates_outside(job: ClauseJob, hole: tuple[int, int] | None) -> list[str]:
    s = job.sentence
    values = s.values if hole is None else [v for v in s.values if not hole[0] <= v.start < hole[1]]
    return past_dates(_claim_dates(job, values), s.published)


def _claim_dates(job: ClauseJob, values: list[Value]) -> list[Value]:
    """`values` that may date the claim: its own (`_own_dates`), but a start its rule keeps as a value:
    a state that holds "since March 2025" holds now (« les contrats conclus depuis mars 2025
    représentent 22,4 milliards »)."""
    # (a fixed key's « depuis janvier » dates its ending: only a keyed facet's start is a value)
    keeps_since = "since" in job.rule.values and bool(job.rule.key_class)
    return [v for v in _own_dates(job, values) if not (keeps_since and v.kind == "since")]


def past_dates(values: list[Value], published: dt.date | None) -> list[str]:
    """ISO dates among `values` that are not after `published` (at their own precision)."""
    limit = published.isoformat() if published else "9999-12-31"
    return [
        str(v.value) for v in values if v.kind in TIME_KINDS and v.value and str(v.value) <= limit[: len(str(v.value))]
    ]


def _phrases(cues: list[Hit[Label]]) -> list[str]:
    return [f"{h.label[1]}:{h.phrase}" for h in cues]
