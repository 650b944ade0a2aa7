# SPDX-License-Identifier: MIT
"""Parties the vocabulary does not list: a new neocloud or lab named in a provider or partner slot.

The most important alert — a new provider — must not depend on someone having
listed it. A capitalised name in a slot that only a party can fill ("a compute
deal with Fluidstack", « les centres de données de Nscale », "models from
Reka", "Kestrelis will host OpenAI's workloads") becomes a key, normalised
(`fluidstack`). Precision comes from the slot, never from the capital alone: a
name must follow a deal noun or verb and its preposition, or be the subject of
a verb of supplying whose object is OpenAI, so a sentence's first word
qualifies only in that one slot; names that are known entities, places, months,
products (with digits) or function words are refused.

    >>> unlisted_names("OpenAI signs a $5 billion compute deal with Fluidstack.", "provider")
    [(44, 54, 'fluidstack')]
"""

from __future__ import annotations

import re

_ONE = r"([A-Z][A-Za-z]+(?:[-.][A-Za-z]+)?(?: [A-Z][A-Za-z]+){0,2})(?![\w-])"
# "with Fluidstack and Vantara": a second name joined to the first fills the same slot
_NAME = _ONE + r"(?:,? (?:and|et) " + _ONE + r")?"
# Up to three lowercase words before a name: "with little-known Kestrelis", « avec le norvégien Kestrelis »
_LOWER_WORDS = r"(?:[a-zàâçéèêëîïôûù]+(?:-[a-zàâçéèêëîïôûù]+)? ){0,3}"
# "a compute deal with X", "a $5 billion agreement with X", « un contrat de 10 milliards avec X »
_DEAL_WITH = (
    r"\b(?:deals?|contracts?|agreements?|partnerships?|pacts?|tie-up|arrangements?|accords?|contrats?|"
    r"partenariats?|ententes?)\b[^,;:.()]{0,60}? (?:with|avec|aupr[eè]s de) " + _LOWER_WORDS + _NAME
)
# "signed with X", « a signé avec X », « conclu avec X »
_SIGNED_WITH = (
    r"\b(?:signs?|signed|signing|inks?|inked|struck|sign[eé]e?s?|conclu|noue)\b[^,;:.()]{0,60}? "
    r"(?:with|avec|aupr[eè]s de) " + _NAME
)


def _apposition(nouns: str) -> str:
    """A name set beside what it is: "Kestrelis, a Norwegian neocloud", « Lyraflow, un laboratoire français »."""
    return _ONE + r", (?:a|an|the|un|une|le|la|l')\s?(?:[\w-]+ ){0,3}?(?:" + nouns + r")\b"


_SLOTS = {
    "provider": (
        _DEAL_WITH,
        _SIGNED_WITH,
        _apposition(
            r"neo-?clouds?|n[ée]o-?clouds?|GPU clouds?|cloud (?:provider|company|firm)|hyperscaler|"
            r"(?:data ?cent(?:er|re) )?specialists?|sp[ée]cialistes? (?:des|du|de l[a'])? ?(?:centres?|cloud|calcul)|"
            r"(?:data ?cent(?:er|re) )?operator|op[ée]rateur|h[ée]bergeur|fournisseur(?: de cloud)?|provider|supplier"
        ),
        # a name after its trade: "GPU cloud provider Lambda", "neocloud Nscale", « le néocloud Kestrelis »,
        # « l'hébergeur Vantara » (a trade of two words at least in English: "provider X" alone may be a product)
        r"\b(?:neo-?clouds?|GPU clouds?|(?:GPU )?cloud (?:provider|company|firm|operator|specialist)|"
        r"data[- ]?cent(?:er|re) (?:operator|developer|company)|n[ée]o-?clouds?|h[ée]bergeur|"
        r"op[ée]rateur de centres? de donn[ée]es|fournisseur de cloud|loueur de GPU) " + _ONE,
        # "X has signed OpenAI as the anchor tenant", « X a signé OpenAI comme client principal »
        _ONE + r" (?:has |have |had |a )?(?:signed|landed|won|secured|sign[ée]|d[ée]croch[ée]) (?:OpenAI|ChatGPT)"
        r" (?:as|comme) (?:its|the|an?|son|sa|le|la|un|une)?\s?(?:[\w-]+ ){0,2}?"
        r"(?:tenant|customer|client|locataire)s?\b",
        # "rents GPUs from X", « louera des GPU à X », "buys capacity from X"
        r"\b(?:rent(?:s|ed|ing)?|leas(?:e|es|ed|ing)|lou(?:e|er|era|ent|eront|ait)|buy(?:s|ing)?|bought|"
        r"purchas(?:e|es|ed|ing)|ach[eè]t(?:e|er|era|ent)|achat)\b[^,;:.()]{0,40}? (?:from|à|a|aupr[eè]s de|chez) "
        + _NAME,
        # « a jeté son dévolu sur X »: chose X
        r"\bjet[ée]e? son d[ée]volu sur " + _NAME,
        # "signed X as its newest supplier", "adds X to its list of suppliers", « retient X comme fournisseur »
        r"\b(?:signs?|signed|adds?|added|names?|named|ajoute|ajout[ée]|retient|retenu)\s+"
        + _ONE
        + r"\s+(?:as|to|comme|à|a) (?:its|a|an|the|son|sa|ses|un|une|la|le|sa)\b[^,;:.()]{0,40}?"
        r"\b(?:suppliers?|providers?|partners?|fournisseurs?|partenaires?)\b",
        # "capacity from X", « les centres de données de X », « les serveurs de X »
        r"\b(?:capacity|compute|GPUs|servers|data cent(?:er|re)s|clusters|capacit[ée]s?|serveurs|"
        r"centres? de donn[ée]es|puissance de calcul|grappes)\b(?: [a-zé]+){0,2}? "
        r"(?:from|de|d'|d’|chez|aupr[eè]s de|fournie?s? par|provided by|supplied by) " + _NAME,
        # "turned to X", "tapped X", "draws on X", « s'est tourné vers X », « s'appuie sur X », "picked X"
        r"\b(?:turn(?:s|ed|ing)? to|tap(?:s|ped|ping)?|draw(?:s|ing)? on|drew on|rel(?:y|ies|ied|ying) on|"
        r"lined up (?:capacity|compute|GPUs|servers) (?:from|with)|tourn[ée]e?s? vers|appuie(?:ra)? sur|"
        r"appuyer sur|"
        # "picked X", "chose X", « a choisi X », « a sélectionné X »
        r"pick(?:s|ed|ing)?|cho(?:se|sen|oses|osing)|select(?:s|ed|ing)?|choisi[rt]?|choisira|"
        r"s[ée]lectionn[ée]e?s?) " + _NAME,
        # "in Fluidstack's data centres", "on X servers"
        r"\b(?:in|at|on|inside) " + _NAME + r"(?:['’]s)? (?:data cent(?:er|re)s|servers|cloud|facilities)\b",
        # The subject of a verb of supplying OpenAI: "Kestrelis will host OpenAI's workloads", "Vantara,
        # a GPU cloud, signed a contract to supply OpenAI", « Kestrelis fournira OpenAI ». Only these
        # verbs, and OpenAI (or ChatGPT) right after them: an investor "provides OpenAI with funding".
        _ONE + r"(?:, [^,;:.()]{1,50},)? (?:(?:has|have|will|would|is set to|agreed to|a|va|doit|devrait) )?"
        r"(?:signed|inked|struck|won|landed|secured|sealed|sign[ée]|conclu|d[ée]croch[ée]|remport[ée])"
        r" (?:a|an|un|une)\b[^;:.()]{0,50}?\b(?:deal|contract|agreement|pact|accord|contrat)s?\b"
        r"[^;:.()]{0,40}?\b(?:OpenAI|ChatGPT)\b",
        _ONE + r"(?:, [^,;:.()]{1,50},)? (?:(?:has|have|will|would|is set to|agreed to|to|va|doit|devrait) )?"
        r"(?:suppl(?:y|ies|ied|ying)|host(?:s|ed|ing)?|rent(?:s|ed|ing)?|lease[sd]?|leasing|"
        r"fourni(?:r|t|ra|ssent)?|h[ée]berge(?:r|ra)?|loue(?:r|ra)?|approvisionne(?:r|ra)?)"
        r"(?: [a-zé]+){0,3}? (?:d['’]|de |à |a )?(?:OpenAI|ChatGPT)\b",
    ),
    "model_maker": (
        # "models from X", « les modèles de X »
        r"\b(?:models|mod[eè]les)\b(?: [a-zé]+){0,2}? (?:from|by|de|d'|d’|con[çc]us par|d[ée]velopp[ée]s par) " + _NAME,
        _NAME + r"['’]s (?:[A-Z][A-Za-z]+ )?(?:models|AI models|language models)\b",
        # a deal with X in a clause about models: "a deal with Lyraflow to bring its models to Copilot"
        _DEAL_WITH,
        _SIGNED_WITH,
        _apposition(
            r"(?:AI )?labs?|laboratoires?(?: d'IA)?|model makers?|start-?ups?|jeunes? pousses?|"
            r"cr[ée]ateurs? de mod[eè]les|fabricants? de mod[eè]les"
        ),
    ),
}
_PATTERNS = {cls: tuple(re.compile(p) for p in slots) for cls, slots in _SLOTS.items()}

# Capitalised words that are places: never an organisation, and what an investment "in the UK" is in.
_PLACE_WORDS = """
    Texas Ohio Michigan Wisconsin Arizona Georgia Pennsylvania Wyoming Utah Virginia California Californie
    Washington Oregon Nevada Iowa Louisiana Louisiane Tennessee Carolina Caroline Florida Floride Abilene
    America Amérique Europe Asia Asie Africa Afrique India Inde China Chine Japan Japon Korea Corée Taiwan
    Taïwan Norway Norvège Britain Bretagne England Angleterre France Germany Allemagne Spain Espagne Italy
    Italie Canada Mexico Mexique Brazil Brésil Australia Australie Israel Israël Saudi Arabie Emirates
    Émirats Emirats Dubai Dubaï Abu Qatar London Londres Paris Berlin Tokyo Seoul Séoul Singapore Singapour
    Mumbai Delhi Sydney Toronto Montréal Montreal Austin Dallas Houston Seattle York Francisco Jose Clara
    Marseille Lyon Lille Toulouse Bordeaux Nantes Strasbourg Memphis Phoenix Atlanta Chicago Boston Denver
    Amsterdam Frankfurt Francfort Dublin Madrid Milan Stockholm Oslo Helsinki Finland Finlande Ireland Irlande
    Redmond Valley Silicon United Royaume Uni Unis Etats États Nord Sud Est Ouest North South East West New
    San Santa Cupertino Mountain Palo Alto Menlo Armonk Sunnyvale
    Nouveau Nouvelle Stargate UK US USA EU UAE Ukraine Poland Pologne Sweden Suède Denmark Danemark Belgium
    Belgique Netherlands Pays-Bas Switzerland Suisse Portugal Indonesia Indonésie Malaysia Malaisie Vietnam
    Argentina Argentine Patagonia Patagonie Chile Chili Colombia Colombie Peru Pérou Buenos Aires Santiago
    Brasil Turkey Turquie Egypt Égypte Kenya Nigeria Thailand Thaïlande Philippines Osaka Sakai Narvik
"""
# Capitalised words that are not organisations either: months, days, titles, function words.
_NOT_NAME_WORDS = """
    The This That These Those It Its Their They We Our Le La Les Un Une Des Du Ce Cette Ces Son Sa Ses Leur
    Leurs Il Elle Ils Elles Nous
    January February March April May June July August September October November December
    Janvier Février Mars Avril Mai Juin Juillet Août Septembre Octobre Novembre Décembre
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Lundi Mardi Mercredi Jeudi Vendredi Samedi
    Dimanche
    CEO PDG AI IA GPU GPUs TPU CPU API Cloud Data Chips Compute Capacity Group Groupe Inc Corp Ltd
    American Americans British French European Europeans Chinese Japanese Korean Canadian German Indian Saudi
    Emirati Texan Californian Nordic Norwegian Swedish Finnish Irish Dutch Spanish Italian Israeli Taiwanese
    Américain Américaine Américains Américaines Britannique Britanniques Français Française Européen Européenne
    Européens Européennes Chinois Chinoise Japonais Japonaise Allemand Allemande Canadien Canadienne Indien
    Indienne Saoudien Saoudienne Émirati Texan Texane Californien Californienne Norvégien Norvégienne
    Blackwell Hopper Rubin Instinct Grace Trainium Inferentia Maia Cobalt Copilot Foundry Bedrock
    Argentinian Argentin Argentins Argentines Brazilian Brésilien Brésilienne Mexican Mexicain Mexicaine Chilean
    Chilien Chilienne Portuguese Portugais Portugaise Polish Polonais Swiss Austrian Belgian Belge Australian
    Australien Australienne Singaporean Malaysian Indonesian Vietnamese Thai Turkish Turc Turque Qatari
    Emiratis Spanish Espagnol Espagnole Italien Italienne Danish Danois Swedish Suédois Suédoise Finlandais
"""
_PLACES = frozenset(_PLACE_WORDS.split())
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split()) | _PLACES
# Words that end a company's name without naming it: "Vantara Cloud" and "Vantara" are one key.
_SUFFIXES = frozenset(
    {"inc", "corp", "corporation", "ltd", "plc", "sa", "sas", "ag", "gmbh", "llc", "group", "groupe", "cloud", "ai",
     "technologies", "systems", "labs", "computing", "compute", "data", "center", "centers", "centre", "centres"}
)  # fmt: skip


_PLACE_ENDINGS = frozenset({"township", "county", "city", "parish", "village", "borough", "comte", "comté"})
_DESCRIBED = ("-based", "-backed", "-born", "-headquartered", "-owned", "-funded", "-listed", "-traded", "-run", "-led")


def is_place(word: str) -> bool:
    """Whether a capitalised `word` names a place ("Texas", « Royaume » of Royaume-Uni)."""
    return word in _PLACES


def unlisted_names(text: str, key_class: str) -> list[tuple[int, int, str]]:
    """Where `text` names organisations in a slot of `key_class`: (start, end, normalised key), in text order."""
    found: dict[str, tuple[int, int, str]] = {}
    for pattern in _PATTERNS.get(key_class, ()):
        for match in pattern.finditer(text):
            for group in range(1, (match.lastindex or 0) + 1):
                key = normalise(match.group(group)) if match.group(group) else ""
                if key and (key not in found or match.start(group) < found[key][0]):
                    found[key] = (match.start(group), match.end(group), key)
    return sorted(found.values())


def normalise(name: str) -> str:
    """A key for an organisation name, or '' when the name is not one ("Texas", "The", "Blackwell")."""
    words = name.split()
    # "London-based Fluidstack", "Nvidia-backed Lambda": what comes before the name describes it
    described = [i for i, w in enumerate(words) if w.lower().endswith(_DESCRIBED)]
    if described:
        words = words[described[-1] + 1 :]
    while words and words[-1].lower() in _SUFFIXES:
        words.pop()
    if not words or words[0] in _NOT_NAMES or len("".join(words)) < 3:
        return ""
    if words[-1].lower() in _PLACE_ENDINGS:  # "Saline Township", "Shackelford County": a place
        return ""
    return "-".join(w.lower() for w in words)
