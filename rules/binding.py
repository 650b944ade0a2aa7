# SPDX-License-Identifier: MIT
"""Who does what to whom: a claim bound to its agent and patient, not to any party in the sentence.

Step 6 of the engine (see `rules.engine`) asks, for one trigger's clause:

- is the trigger about another party? a rival as its object ("an investment in Anthropic"),
  the rival named last before it for a rule whose `subject` is the nearest party ("the pledge
  gives Microsoft visibility on future revenue"), or, when the rule's subject is only named in
  an earlier sentence, a subject of the clause's own ("OpenAI said its foundation would hold…");
- which keys are not what they seem: a chip maker named as the brand of chips that run in a
  cloud's data centres gives way to the cloud ("Nvidia GB200 chips in AWS servers");
- which organisations no list names fill a party slot (`rules.parties`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable

from rules.job import ClauseJob
from rules.loader import FacetRule, Label
from rules.parties import is_place, unlisted_names
from rules.phrases import Hit
from rules.scan import ScannedSentence
from rules.text import REPORTS_AFTER

# (not "part of": "making its silicon part of OpenAI's serving" keeps the silicon Microsoft's)
_OBJECT = re.compile(r"(?:in|into|(?<!\bpart )of|dans|(?<!\bpartie )(?:de|d'|du|des)|chez|au capital de)\s*$")
_OBJECT_REACH = 60  # characters after the trigger, and never past a comma
# "invest $30bn in the UK", « investir 30 milliards au Royaume-Uni »: a place as the object
_PLACE_OBJECT = re.compile(r"\b(?:in|into|across|au|aux|en|dans)\s+(?:the\s+|le\s+|la\s+|les\s+|l')?([A-ZÉ][\w-]*)")
_AGENT = re.compile(r"(?:^|\s)(?:by|de|d'|du|par)\s*$")  # "the investment by Microsoft", « de Microsoft »


# What may stand between a verb and the noun it governs: articles, possessives, negation ("no longer
# holds a right of first refusal", « ne détient plus de droit de préemption »)
_DETERMINERS = frozenset({
    "a", "an", "the", "its", "their", "his", "her", "any", "no", "longer", "still",
    "un", "une", "le", "la", "les", "l", "son", "sa", "ses", "leur", "leurs", "de", "d", "du", "des",
    "plus", "pas", "aucun", "aucune", "toujours", "encore", "desormais",
})  # fmt: skip
_ARTICLES = _DETERMINERS - {"no", "longer", "still", "plus", "pas", "toujours", "encore", "desormais"}
# and, for bad news, a French head noun before the adjective that triggers: « abandonner le droit exclusif »
_HEADS = frozenset({"droit", "droits", "statut", "position", "role", "au", "aux"})


def governed_facet(sentence: ScannedSentence, trigger: Hit[Label]) -> str:
    """The other facet whose trigger is the very object of `trigger`, or '': "Microsoft no longer holds a
    right of first refusal" speaks of the right, not of a holding (a stake)."""
    hit = governed_trigger(sentence, trigger)
    return hit.label[1] if hit else ""


def governed_trigger(sentence: ScannedSentence, word: Hit[Label], *, heads: bool = False) -> Hit[Label] | None:
    """The trigger of another facet than `word`'s that is the very object of `word` (a trigger, or a
    cue with `heads`), or None."""
    allowed = _DETERMINERS | _HEADS if heads else _DETERMINERS
    for hit in sentence.hits_in(word.end, word.end + 60):
        if hit.start < word.end:
            continue
        between = sentence.folded[word.end : hit.start].replace("'", " ").split()
        if any(w not in allowed for w in between):
            return None
        if hit.label[0] == "trigger":
            # no article between: an adjective before its noun ("exclusive cloud provider"), not a verb's object
            governs = hit.label[1] != word.label[1] and set(between) & (_ARTICLES | _HEADS if heads else _ARTICLES)
            return hit if governs else None
        if hit.label[0] == "entity":
            return None
    return None


def other_party(job: ClauseJob, inside: list[Hit[Label]], start: int, end: int) -> str:
    """Why the trigger's agent or patient is another party than the rule's, or ''.

    The patient: a rival right after the trigger and a preposition is what the trigger is about
    ("Microsoft's investment in Anthropic" is no stake in OpenAI), unless the rule's own parties
    come first. The agent, for a rule whose `subject` is the nearest party: the rival named last
    before the trigger owns it ("the pledge gives Microsoft visibility on future revenue").
    """
    rule, trigger, s = job.rule, job.trigger, job.sentence
    governed = s.memo(("governs", trigger.start, trigger.end), lambda: governed_facet(s, trigger))
    # (a facet whose parties are out of reach governs nothing: « la capacité de son campus » with no Stargate)
    if governed and (job.in_reach is None or governed in job.in_reach):
        return f"skipped: what {trigger.phrase!r} governs is {governed}'s, not {rule.facet}'s"
    # A rule that names rivals, or keys on a class, says others compete with its subject for the slot.
    # a list item's heading or an answer's question that names the subject names it here too
    named = s.entities | job.asked.entities if job.asked else s.entities
    if (
        (rule.rivals or rule.key_class)
        and not rule.requires[0] & named
        and (other := _other_subject(job, inside, trigger))
    ):
        ours = " or ".join(sorted(rule.requires[0]))
        return f"skipped: {other} is the clause's subject, and {ours} only named in an earlier sentence"
    # any trigger of the clause: the clause's figures are that other party's
    if rule.rivals and (why := s.memo(("patient", rule.facet, start, end), lambda: _patient_rivals(job, start, end))):
        return why
    if rule.subject == "nearest":
        parties = s.memo(("parties", rule.facet, start, end), lambda: _parties(rule, inside))
        index = bisect_left([h.start for h in parties], trigger.start)
        before = [h for h in parties[max(0, index - 3) : index] if h.end <= trigger.start]
        if before and before[-1].label[1] in rule.rivals:
            ours = " or ".join(sorted(rule.requires[0]))
            return f"skipped: the party nearest before {trigger.phrase!r} is {before[-1].label[1]}, not {ours}"
    return ""


# A personal pronoun that stands as a subject: a French one anywhere (not « il y a », "there is" or "ago"),
# an English one where a subject stands ("Ten days ago it announced", not "sold it to")
_PRONOUN_SUBJECT_BEFORE = re.compile(
    r"\b(?:il|elle|ils|elles)\s+(?!y\s+a\b)(?=[a-z])"
    r"|(?:^|[,;:]\s*|\b(?:ago|then|now|later|since|also|and|but)\s+)(?:it|they)\s+(?=[a-z])"
)


# What opens a sentence on its topic: « Sur OpenAI, … », "As for Oracle, …", « Côté Nvidia, … »
_TOPIC_BEFORE = re.compile(
    r"\s*(?:sur|concernant|quant (?:a|au|aux)|cote|s'agissant (?:de|d')|as for|on|about|regarding|as to)"
    r"\s*(?:le\s+|la\s+|les\s+|l')?"
)


def _other_subject(job: ClauseJob, inside: list[Hit[Label]], trigger: Hit[Label]) -> str:
    """A party named before the trigger when the rule's subject is carried from an earlier sentence:
    "Its stake in OpenAI" leaves the subject to the context, "OpenAI said its parent would hold a
    stake" does not. Where other buyers are the rule's rivals, a party of the key class may be the
    subject ("Oracle will supply the company"); where there are none, the key is what the subject
    uses, and a key named first is its own news ("Google launched its new model")."""
    key_class = job.rule.key_class if job.rule.rivals else None
    # Where the key is what the subject uses, another user anywhere in the clause owns the use: « les
    # modèles de fondation d'Apple … reposeront sur Gemini » is Apple's.
    whole_clause = bool(job.rule.key_class) and not job.rule.rivals
    folded = job.sentence.folded
    for hit in inside:
        if hit.start >= trigger.start and not whole_clause:
            break
        if _PRONOUN_SUBJECT_BEFORE.search(folded, max(0, hit.start - 40), hit.start):
            break  # "Ten days ago it announced with Broadcom…": the pronoun is the subject, Broadcom a partner
        if _TOPIC_BEFORE.fullmatch(folded, 0, hit.start) and folded.startswith(",", hit.end):
            continue  # « Sur OpenAI, la dirigeante a rappelé que le groupe détenait 27 % »: a topic, no subject
        entity = job.entities.get(hit.label[1]) if hit.label[0] == "entity" else None
        # after the trigger only a party that is no key: a key is what is used
        after_as_key = hit.start >= trigger.start and entity is not None and job.rule.key_class in entity.classes
        if entity and entity.id not in job.rule.requires[0] and key_class not in entity.classes and not after_as_key:
            return entity.id
    return ""


def _parties(rule: FacetRule, inside: list[Hit[Label]]) -> list[Hit[Label]]:
    """The clause's hits of the rule's subject or rivals, in text order."""
    subject = rule.requires[0] | rule.rivals
    return [h for h in inside if h.label[0] == "entity" and h.label[1] in subject]


def _patient_rivals(job: ClauseJob, start: int, end: int) -> str:
    """The first of the clause's triggers whose object is a rival, said as a reason, or ''."""
    for trigger in job.triggers:
        if start <= trigger.start < end and (why := _patient_rival(job, trigger, end)):
            return why
    return ""


def _patient_rival(job: ClauseJob, trigger: Hit[Label], end: int) -> str:
    rule, s = job.rule, job.sentence
    limit = s.folded.find(",", trigger.end, min(end, trigger.end + _OBJECT_REACH))
    limit = min(end, trigger.end + _OBJECT_REACH) if limit == -1 else limit
    # a purpose ends the object: « renonce à sa puce Maia pour se concentrer sur le matériel de Nvidia »
    if purpose := _PURPOSE.search(s.folded, trigger.end, limit):
        limit = purpose.start()
    own = set().union(*rule.requires)
    place = _place_object(s.sentence.text, trigger.end, limit) if rule.places_are_rivals else None
    for hit in s.hits_in(trigger.end, limit):
        if hit.label[0] != "entity":
            continue
        if place and hit.start > place[0]:
            break
        if hit.label[1] in rule.requires[0] and _AGENT.search(s.folded, max(trigger.end, hit.start - 8), hit.start):
            continue  # « la participation de Microsoft dans Anthropic »: the holder, the object comes next
        if hit.label[1] in own:
            return ""
        entity = job.entities.get(hit.label[1])
        if hit.label[1] not in rule.rivals and entity is not None and rule.key_class in entity.classes:
            return ""  # « les TPU de Google … chez Azure »: the object is Google, a key, not what follows
        if hit.label[1] in rule.rivals and _OBJECT.search(s.folded, max(trigger.end, hit.start - 16), hit.start):
            words = s.sentence.text[trigger.start : hit.end]
            return f"skipped: the clause's {trigger.phrase!r} is {hit.label[1]}'s ({words!r})"
    if place:
        return f"skipped: the clause's {trigger.phrase!r} is in a place ({place[1]!r}), not in a party"
    return ""


_PURPOSE = re.compile(
    r"\b(?:pour|afin d['e])\s*(?:se\s+|s')?[a-z]+(?:er|ir|re)\b"
    r"|\b(?:in order )?to (?:focus|concentrate|rely|shift|pivot|prioriti[sz]e|switch|lean)\b"
    # a turn to something else, coordinated: « … et se concentre sur Nvidia », "and focuses on Nvidia instead"
    r"|\bet (?:se |s')?(?:concentre|recentre|tourne|replie|reporte|appuie)\w*"
    r"|\band (?:is |will )?(?:focus|concentrat|rel[yi]|shift|pivot|turn|switch|lean)\w*"
)


def _place_object(text: str, start: int, end: int) -> tuple[int, str] | None:
    """Where a place is named as the object right after a trigger ("invest $30bn in the UK"), and its word."""
    match = _PLACE_OBJECT.search(text, start, end)
    if match and is_place(match.group(1).split("-")[0]):
        return match.start(), match.group(1)
    return None


# "Nvidia GB200 GPUs", "Nvidia's chips", "Nvidia-powered servers", "AMD-based systems"
_CHIPS_AFTER = re.compile(
    r"(?:'s?|-[a-z]+)?(?: [a-z0-9][\w.-]*){0,3}? (?:gpus?|chips?|superchips?|accelerators?|processors?|systems|servers|"
    r"hardware|racks|instinct|parts|silicon|cards|boards)\b"
    # models of chips, then what they are: "Nvidia GB200 and GB300 graphics processors", "AMD MI355X or MI450 GPUs"
    r"|(?: [a-z]*\d[\w.-]*| and| et| or| ou){1,5}(?: [a-z]+)? "
    r"(?:gpus?|chips?|superchips?|accelerators?|processors?|systems)\b"
    # its chips in a relative: "Nvidia, whose GPUs still account for…", « Nvidia, dont les puces… »
    r"|,\s+(?:whose|dont les|dont la|dont le)\s+(?:[a-z0-9][\w.-]*\s+)?(?:gpus?|chips?|puces|processeurs|accelerators?"
    r"|accelerateurs)\b"
    # shipping its own line to no one named: "Nvidia is beginning to ship its first Vera Rubin systems",
    # « Nvidia commence à livrer ses premiers systèmes Vera Rubin »
    r"|(?: [\w']+){0,3}? (?:ships?|shipping|shipped|delivers?|delivering|delivered|livre|livrer|livrera|livrait)"
    r" (?:its|their|ses|leurs) (?:[a-z0-9][\w.-]* ){0,3}?(?:gpus?|chips?|systems|servers|puces|systemes|serveurs"
    r"|processeurs|accelerateurs)\b"
    # the brand's capacity: "more than 1 GW of Nvidia capacity", "Nvidia GPU capacity"
    r"|(?:'s)?(?: gpu)? (?:capacity|compute)\b"
    # a model of chips, then "capacity": "Nvidia GB200 and GB300 capacity on AWS"
    r"|(?: [a-z]*\d[\w.-]*| and| et){1,4} (?:capacity|capacite|compute|calcul)\b"
)
_CHIPS_BEFORE = re.compile(
    r"\b(?:puces?|gpus?|processeurs?|accelerateurs?|systemes|serveurs|cartes|chips?|accelerators?|processors?|racks|baies"
    r"|capacite de calcul|capacites de calcul)"
    r"(?: [a-z0-9][\w.-]*){0,3}? (?:de |d'|du |from |by |made by )?$"
    # the chips, then a pronoun that stands for them: « les mêmes puces, celles de Nvidia », "the same chips, those of"
    r"|\b(?:puces?|gpus?|processeurs?|accelerateurs?|chips?|accelerators?|processors?),? (?:celles|ceux|those|the ones)"
    r" (?:de |d'|of |from |made by )$"
)


# A clause that opens on a company named by what it is ("…signed by Nvidia with OpenAI: the sector's
# leader is to supply 10 GW", « : le leader du secteur doit fournir »): what may stand before the
# epithet (vocab/roles.toml), on folded text. A sentence may open on one after a short time ("On
# Thursday, the GPU lessor announced…", « Jeudi, le loueur de GPU a annoncé… »).
BEFORE_EPITHET = re.compile(r"[\s:;,\u2013\u2014-]*(?:the\s|le\s|la\s|l'\s?|ce\s|cette\s)(?:[\w'-]+\s){0,2}?")
OPENING_EPITHET = re.compile(r"\s*(?:[\w' -]{1,25}?,\s*)?" + BEFORE_EPITHET.pattern)
# Epithets of a chip maker: a sentence that opens on one may speak of the maker's own chips
_MAKERS_EPITHETS = frozenset({"chipmaker", "maker", "fabricant", "concepteur", "fondeur"})


def _opens_on_a_host(s: ScannedSentence) -> bool:
    """Does the sentence open on a company named by its trade, not a chip maker's ("The San Jose-based
    firm will dedicate the site to OpenAI, deploying Nvidia GB300 racks")? That company hosts the
    chips the sentence names as a brand."""
    return any(
        h.phrase not in _MAKERS_EPITHETS and OPENING_EPITHET.fullmatch(s.folded, 0, h.start)
        for h in s.roles("epithet")
        if h.start < 60
    )


# Clouds named by their role, not by name: "through its cloud partners", « chez ses partenaires cloud »
_GENERIC_HOSTS = re.compile(
    r"\bcloud\s+(?:partners|providers|suppliers|hosts)\b"
    r"|\b(?:partenaires|fournisseurs|hebergeurs)\s+(?:cloud|de cloud|infonuagiques)\b"
)


def hosted(job: ClauseJob, keys: list[str], inside: list[Hit[Label]]) -> tuple[list[str], dict[str, str]]:
    """Keys left when a chip maker's chips run in a cloud's data centres: the cloud is the provider.

    "OpenAI gets Nvidia GB200 chips in AWS servers": AWS, not Nvidia. The chip maker must be named
    as the chips' brand ("Nvidia GPUs", « puces Nvidia »), and the cloud in the sentence or, failing
    that, in the previous one (« Aux termes de ce contrat, … des puces Nvidia »).
    """
    entities, s = job.entities, job.sentence
    makers = [k for k in keys if k in entities and "chip_maker" in entities[k].classes]
    if not makers:
        return keys, {}

    def clouds(named: frozenset[str] | set[str]) -> list[str]:
        return sorted(
            e
            for e in named
            if e in entities
            and "cloud" in entities[e].classes
            and "venture" not in entities[e].classes
            and e not in makers
        )

    # a venture's site hosts the chips a sentence names as a brand alone ("the first Nvidia GB200 racks were
    # delivered to Stargate's Abilene campus"); a sentence that names the maker as a party too ("Nvidia and
    # OpenAI signed a letter of intent for Nvidia systems at Stargate sites") is the maker's own deal
    ventures = sorted(e for e in s.entities if e in entities and "venture" in entities[e].classes)

    def brand_alone(maker: str) -> bool:
        return s.memo(("brand only", maker), lambda: _only_as_brand(s, maker))

    unlisted = [k for k in keys if k not in entities]  # a new neocloud hosts the chips it rents out
    # "the GPUs OpenAI uses through its cloud partners": hosts, unnamed
    unnamed = ["its cloud partners"] if _GENERIC_HOSTS.search(s.folded) else []

    dropped: dict[str, str] = {}
    host_keys: set[str] = set()
    for maker in makers:
        if "cloud" in entities[maker].classes:
            continue  # a maker that runs its own cloud ("Cerebras capacity") is no mere brand
        # (the question an answer answers names its subject: "Q: What did OpenAI buy? A: 6 GW of AMD GPUs")
        subject_named = job.rule.requires[0] & (s.entities | (job.asked.entities if job.asked else set()))
        if not subject_named and s.memo(("brand", maker), lambda: _named_as_brand(s, maker)):  # noqa: B023
            dropped[maker] = f"named only as the chips' brand, in a sentence that does not name {job.rule.requires[0]}"
            continue
        if ventures and brand_alone(maker):
            dropped[maker] = f"a chip maker whose chips run at {' or '.join(ventures)}'s sites: the venture hosts them"
            continue
        if brand_alone(maker) and s.memo(("opens on a host",), lambda: _opens_on_a_host(s)):
            dropped[maker] = (
                "a chip maker whose chips the company the sentence opens on deploys: that company hosts them"
            )
            continue
        # the sentence before hosts the chips only when this one names the maker as a brand alone: "Nvidia
        # and OpenAI have signed a letter of intent for 10 GW of Nvidia systems" is Nvidia's own deal
        hosts = unlisted + unnamed + clouds(s.entities) or (
            clouds(job.context[0]) if job.context and maker not in job.context[0] and brand_alone(maker) else []
        )
        brand: bool = bool(hosts) and s.memo(("brand", maker), lambda: _named_as_brand(s, maker))  # noqa: B023
        if brand:
            dropped[maker] = (
                f"a chip maker whose chips run in {' or '.join(hosts)}'s data centres: the host is the provider"
            )
            host_keys.update(h for h in hosts if h in entities and _may_key(job.rule, entities[h].classes, h))
    left = [k for k in keys if k not in dropped]
    # The host the sentence before names is the clause's provider: "Amazon and OpenAI announced a
    # partnership. Under the agreement, OpenAI gets Nvidia GPUs" keys AWS.
    if not left and len(host_keys) == 1:
        left = sorted(host_keys)
    return left, dropped


# A model maker named as a cloud, a platform or chips ("Google's TPUs", "through Google Cloud", « les TPU
# de Google »): what it sells there is no model of its own.
_PLATFORM_AFTER = re.compile(
    r"(?:'s?|’s?)?\s+(?:cloud|tpus?|chips?|accelerators?|data cent(?:er|re)s|servers|vertex(?: ai)?|platform|"
    r"marketplace|infrastructure|bedrock)\b"
)
_PLATFORM_BEFORE = re.compile(r"\b(?:tpus?|puces|cloud|plateforme|centres de donnees|serveurs)\s+(?:de\s+|d'\s*)?\Z")
_PLATFORM_NAMES = frozenset({"google cloud", "tpu", "tpus"})


def as_platforms(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Model makers the clause names only as a cloud, a platform or chips: not makers of the models
    ("sell its models through Google's Vertex AI", "its use of Google's TPUs")."""
    if job.rule.key_class != "model_maker":
        return keys, {}
    folded = job.sentence.folded
    why = "named as a cloud, a platform or chips, not as the maker of models"
    return _named_only_as(job, keys, start, end, lambda h: _as_platform(folded, h), why)


def _named_only_as(
    job: ClauseJob, keys: list[str], start: int, end: int, role: Callable[[Hit[Label]], bool], why: str
) -> tuple[list[str], dict[str, str]]:
    """The keys whose every naming in the clause is in `role` dropped, with `why`: the rest."""
    hits = job.sentence.hits_in(start, end)
    dropped = {}
    for key in keys:
        named = [h for h in hits if h.label == ("entity", key)]
        if named and all(role(h) for h in named):
            dropped[key] = why
    return [k for k in keys if k not in dropped], dropped


def as_makers(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Providers the clause names only as the designer or maker of a chip (vocab/roles.toml, role
    `making`): "OpenAI's accelerator, co-designed with Broadcom and manufactured by TSMC, began
    serving traffic" has no compute from Broadcom; nor does a site "built by Crusoe". Nor a chip maker
    named as the chips a capacity runs on (role `built_on`): "based on Nvidia's Vera Rubin platform"."""
    if job.rule.key_class != "provider":
        return keys, {}
    s = job.sentence
    making = [h.end for h in s.roles("making")]
    # the chips a capacity runs on, by their maker: "based on Nvidia's Vera Rubin platform" (not a cloud:
    # "runs on Oracle's cloud" is Oracle's supply)
    chips = [h.end for h in s.roles("built_on")]
    if not making and not chips:
        return keys, {}
    named = [h.start for h in s.hits_in(start, end) if h.label[0] == "entity"]

    def right_after(ends: list[int], hit: Hit[Label]) -> bool:  # or after an epithet: « par le groupe émirien G42 »
        return any(
            made <= hit.start
            and _EPITHET_BETWEEN.fullmatch(s.folded, made, hit.start)
            and not any(made <= other < hit.start for other in named)
            for made in ends
        )

    def made_by(hit: Hit[Label]) -> bool:
        entity = job.entities.get(hit.label[1])
        chip_maker = entity is not None and "chip_maker" in entity.classes
        return right_after(making, hit) or (chip_maker and right_after(chips, hit))

    why = "named as the designer or maker of a chip, not as a supplier of compute"
    return _named_only_as(job, keys, start, end, made_by, why)


# What may stand between a role and its party: nothing, or an epithet ("by the Emirati group G42")
_EPITHET_BETWEEN = re.compile(r"\s{0,2}(?:(?:the|le|la|les|l')\s?(?:[\w-]+\s){0,2})?")


def named_after(s: ScannedSentence, role: str, hit: Hit[Label]) -> bool:
    """Is `hit` right after a word of `role` (vocab/roles.toml), a space or an elision between?"""
    return any(0 <= hit.start - word.end <= 2 for word in s.roles(role))


# Between a person's role and the company that employs them: « le patron de Nvidia », "head of AI at Microsoft"
_ROLE_TO_EMPLOYER = re.compile(r"\s{0,2}|\s+(?:de|du|of|at|chez)\s+|\s+d'\s*")
# Between a company and its person's role: "Nvidia's chief executive", "Oracle's head of construction"
_EMPLOYER_TO_ROLE = re.compile(r"'s?\s+")


def employer_of_staff(s: ScannedSentence, hit: Hit[Label]) -> bool:
    """Is `hit` named as the employer of a person by their role (vocab/roles.toml `staff`): "Chief
    executive Jensen Huang", « le patron de Nvidia », "Oracle's chief executive"?"""
    return any(
        _ROLE_TO_EMPLOYER.fullmatch(s.folded, role.end, hit.start)
        or _EMPLOYER_TO_ROLE.fullmatch(s.folded, hit.end, role.start)
        for role in s.roles("staff")
        if role.end <= hit.start or hit.end <= role.start
    )


def as_speakers(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Keys the clause names only by a person with a title (vocab/roles.toml, role `staff`), or by
    one of its people (entities' `people`) who reports: "Chief executive Jensen Huang told analysts
    that spending on AI infrastructure could reach $4 trillion", « Jensen Huang a assuré que la
    plateforme était en pleine production » are a speaker's view, no deal of Nvidia's (the company
    by its name stays a key: "Nvidia's chief executive said the company would invest…")."""
    if not job.rule.key_class:
        return keys, {}
    s, entities = job.sentence, job.entities

    def speaks(hit: Hit[Label]) -> bool:
        if employer_of_staff(s, hit):
            return True
        entity = entities.get(hit.label[1])
        return entity is not None and hit.phrase in entity.people and REPORTS_AFTER.match(s.folded, hit.end) is not None

    return _named_only_as(job, keys, start, end, speaks, "named only as a person who speaks: not a party to a deal")


def as_holdings(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Keys the clause names only as a company held (vocab/roles.toml, role `holding`): "SoftBank sold
    all of its shares in Nvidia … freeing up cash for OpenAI and the data centres" buys no compute
    from Nvidia; « sa participation dans CoreWeave » is no deal with CoreWeave. Not a model maker:
    « a pris une participation dans Mistral AI et distribue ses modèles » is a partnership."""
    if job.rule.key_class != "provider":
        return keys, {}
    s = job.sentence
    return _named_only_as(
        job, keys, start, end, lambda h: named_after(s, "holding", h), "named only as a company held, no party"
    )


def _provider_roles(job: ClauseJob, role: str) -> list[Hit[Label]]:
    """The words of `role` in the sentence, for a rule keyed on providers (none for another rule)."""
    return job.sentence.roles(role) if job.rule.key_class == "provider" else []


# Between a builder and its role: nothing, an auxiliary ("Crusoe is building for"), or a relative
# (« Crusoe, qui construit pour Oracle »)
_BUILDER_TO_ROLE = re.compile(
    r"\s{1,2}|\s+(?:is|are|was|were|has been|have been|had been)\s+|,?\s+(?:which|that|qui)\s+(?:is\s+|was\s+)?"
)


def as_builders(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Providers the clause names only as building for another (vocab/roles.toml, role
    `building_for`): "Abilene, where Crusoe is building for Oracle" is Oracle's site, and Crusoe
    sells OpenAI nothing there."""
    s, roles = job.sentence, _provider_roles(job, "building_for")
    if not roles:
        return keys, {}

    def builds_for_another(hit: Hit[Label]) -> bool:
        return any(
            role.start >= hit.end and _BUILDER_TO_ROLE.fullmatch(s.folded, hit.end, role.start) for role in roles
        )

    return _named_only_as(job, keys, start, end, builds_for_another, "named as building for another, no supplier")


# What stands between the items of a list of parties: "Amazon, Nvidia and SoftBank", « de SoftBank et de Nvidia »
_LIST_SEPARATOR = re.compile(
    r"\s{0,2}|,?\s+(?:and|et|or|ou)\s+(?:de\s+|d'\s*)?|,\s+(?:de\s+|d'\s*)?|\s+(?:de\s+|d'\s*)"
)


def as_investors(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Providers the clause names only among a lab's investors (vocab/roles.toml, role `investing`):
    "OpenAI raised $110 billion in new funding from Amazon, Nvidia and SoftBank" buys no compute."""
    return _listed_after_role(job, keys, start, end, "investing", "named as an investor, no supplier")


def as_customers(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Providers the clause names only as whose orders fill a supplier (vocab/roles.toml, role
    `ordering`): « la capacité de TSMC, déjà saturée par les commandes de Nvidia, d'AMD et de Google »
    makes none of them OpenAI's supplier."""
    return _listed_after_role(job, keys, start, end, "ordering", "named as a customer, no supplier")


def _listed_after_role(
    job: ClauseJob, keys: list[str], start: int, end: int, role: str, why: str
) -> tuple[list[str], dict[str, str]]:
    """The keys but those the clause names only in the list right after a word of `role`."""
    s, roles = job.sentence, _provider_roles(job, role)
    if not roles:
        return keys, {}
    parties = [h for h in s.hits if h.label[0] == "entity"]

    def listed_after(hit: Hit[Label]) -> bool:
        return any(word.end <= hit.start and _only_parties_between(s.folded, parties, word.end, hit) for word in roles)

    return _named_only_as(job, keys, start, end, listed_after, why)


def _only_parties_between(folded: str, parties: list[Hit[Label]], at: int, hit: Hit[Label]) -> bool:
    """Does `hit` follow `at` with only a list of parties between?"""
    for party in parties:
        if at <= party.start and party.end <= hit.start:
            if not _LIST_SEPARATOR.fullmatch(folded, at, party.start):
                return False
            at = party.end
    return _LIST_SEPARATOR.fullmatch(folded, at, hit.start) is not None


# A kind of models, then examples of it: "open-weight models such as Llama and Mistral", « des modèles
# ouverts comme Llama ou Mistral ». The examples are the kind's, not makers of their own.
_OPEN_KIND = "open-source"
_EXAMPLES_AFTER = re.compile(
    r"^[^.;:()]{0,40}?\b(?:such as|like|including|e\.g\.|notably|among them|notamment|comme|dont|par exemple"
    r"|tel(?:le)?s? que)\b[^.;:()]{0,80}$"
)


def as_examples(job: ClauseJob, keys: list[str], start: int, end: int) -> tuple[list[str], dict[str, str]]:
    """Makers the clause names as examples of open models: the claim is the open models' (the
    `open-source` key), not a partnership with each maker."""
    if job.rule.key_class != "model_maker":
        return keys, {}
    folded = job.sentence.folded
    kinds = [h.end for h in job.sentence.hits_in(start, end) if h.label == ("entity", _OPEN_KIND)]
    if not kinds:
        return keys, {}
    others = [k for k in keys if k != _OPEN_KIND]
    kept, dropped = _named_only_as(
        job, others, start, end, lambda h: _an_example(folded, kinds, h.start), "named as an example of open models"
    )
    return [k for k in keys if k == _OPEN_KIND or k in kept], dropped


def _an_example(folded: str, kinds: list[int], at: int) -> bool:
    return any(kind <= at and _EXAMPLES_AFTER.match(folded[kind:at]) for kind in kinds)


def _as_platform(folded: str, hit: Hit[Label]) -> bool:
    return (
        folded[hit.start : hit.end] in _PLATFORM_NAMES
        or _PLATFORM_AFTER.match(folded, hit.end) is not None
        or _PLATFORM_BEFORE.search(folded, max(0, hit.start - 40), hit.start) is not None
    )


def _may_key(rule: FacetRule, classes: frozenset[str], key: str) -> bool:
    """Whether an entity of `classes` may key a claim of `rule`."""
    return rule.key_class in classes and key not in rule.rivals


def _named_as_brand(s: ScannedSentence, maker: str) -> bool:
    """Is `maker` named as the brand of chips ("Nvidia GB200 GPUs", « puces de Nvidia »)?"""
    return any(h.label == ("entity", maker) and _as_brand(s, h) for h in s.hits)


def _only_as_brand(s: ScannedSentence, maker: str) -> bool:
    """Is every naming of `maker` in the sentence one as the brand of chips?"""
    hits = [h for h in s.hits if h.label == ("entity", maker)]
    return bool(hits) and all(_as_brand(s, h) for h in hits)


def _as_brand(s: ScannedSentence, hit: Hit[Label]) -> bool:
    return bool(
        _CHIPS_AFTER.match(s.folded, hit.end, hit.end + 60)
        or _CHIPS_BEFORE.search(s.folded[max(0, hit.start - 60) : hit.start])
    )


def unlisted_keys(job: ClauseJob, inside: list[Hit[Label]], start: int, end: int) -> list[str]:
    """Keys for organisations the vocabulary does not list, named in the clause in a slot of the rule's
    key class ("a compute deal with Fluidstack"); a name a listed entity covers is that entity's."""
    if not job.rule.key_class:
        return []
    known = [(h.start, h.end) for h in inside if h.label[0] == "entity"]
    left_out = job.sentence.left_out(start, end)  # a relative the clause reads apart
    return [
        key
        for first, last, key in unlisted_names(job.sentence.sentence.text[start:end], job.rule.key_class)
        if not any(a < start + last and start + first < b for a, b in known)
        and not (left_out and left_out[0] <= start + first < left_out[1])
    ]
