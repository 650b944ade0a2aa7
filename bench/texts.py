# SPDX-License-Identifier: MIT
"""Sentences for the synthetic corpus: English and French, topical and generic.

The benchmark needs pages that cost what real pages cost: the claim engine's
prefilter rejects a text that names no party quickly, and reads every sentence
of one that does. So the topical sentences below are built like the dev and
held-out corpora's (tests/corpus/*/cases.txt) — the parties, the triggers and
the values the rules in rules/facets/ look for — with their entities and
figures drawn at random, so that they yield claims; and the generic ones are
ordinary news (sports, economy, weather, other tech), some naming Microsoft or
OpenAI without saying anything about compute, as real tech news does.

Everything is drawn from a `random.Random` passed in: the same seed, the same text.
"""

from __future__ import annotations

import random

LANGS = ("en", "fr")
GENERIC_TOPICS = ("sports", "economy", "weather", "tech")

# fmt: off
FILLERS: dict[str, list[str]] = {
    "provider": ["Oracle", "CoreWeave", "Google Cloud", "Amazon Web Services", "Nvidia", "AMD", "Broadcom",
                 "Cerebras", "Nebius", "Crusoe", "SoftBank"],
    "maker": ["Anthropic", "Mistral AI", "xAI", "Meta", "DeepSeek", "Cohere"],
    "chip": ["Maia 100", "Maia 200", "Maia 300", "Cobalt 200"],
    "mai": ["MAI-1-preview", "MAI-Voice-1", "MAI-Image-1", "MAI-2", "MAI-Voice-2"],
    "place": ["Abilene, Texas", "Lordstown, Ohio", "Saline Township, Michigan", "Milam County, Texas",
              "Dona Ana County, New Mexico", "Wisconsin"],
    "weekday_en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "weekday_fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    "month_en": ["January", "March", "May", "June", "September", "October"],
    "month_fr": ["janvier", "mars", "mai", "juin", "septembre", "octobre"],
    "team_en": ["Arsenal", "Liverpool", "the Boston Celtics", "the Yankees", "Real Madrid", "the Chicago Bears",
                "Manchester City", "the Golden State Warriors"],
    "team_fr": ["le PSG", "l'OM", "l'OL", "le Stade toulousain", "Lille", "Monaco", "le Stade rochelais",
                "Rennes"],
    "city_en": ["London", "Chicago", "Seattle", "Denver", "Atlanta", "Toronto", "Dublin", "Phoenix"],
    "city_fr": ["Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Strasbourg", "Toulouse", "Rennes"],
    "gadget": ["smartphone", "tablet", "smartwatch", "laptop", "e-reader", "games console"],
    "gadget_fr": ["smartphone", "tablette", "montre connectée", "ordinateur portable", "liseuse", "console"],
    "brand": ["Samsung", "Apple", "Sony", "Xiaomi", "Lenovo", "Garmin", "Nintendo"],
}
# fmt: on

TOPICAL_EN = [
    "OpenAI has agreed to buy about ${b} billion of computing power from {provider} over roughly {y} years, "
    "according to people familiar with the matter.",
    "{provider} said on {weekday_en} that it has expanded its agreement with OpenAI by up to ${a} billion, bringing "
    "the total value of its contracts with the ChatGPT maker to about ${b} billion.",
    "Microsoft was OpenAI's exclusive cloud provider from 2019 until {month_en}, when the two companies replaced "
    "that arrangement with a right of first refusal on new capacity.",
    "Under the agreement signed on {weekday_en}, Microsoft no longer has a right of first refusal on OpenAI's new "
    "compute capacity.",
    "OpenAI's API continues to run exclusively on Azure, and Microsoft keeps building OpenAI's models into Copilot.",
    "OpenAI has committed to purchase an incremental ${b} billion of Azure services, the companies said.",
    "Microsoft now holds a stake of roughly {pct}% in OpenAI Group PBC, valued at about ${b} billion.",
    "The Stargate venture with Oracle and SoftBank plans to invest up to ${b} billion over {y} years, starting with "
    "data centres in {place}.",
    "Microsoft unveiled the {chip}, its in-house AI accelerator, which will run part of the Azure workloads from "
    "{year}.",
    "Microsoft AI has released {mai}, a model developed entirely in-house, as the company builds its own family of "
    "models alongside the ones it licenses from OpenAI.",
    "The deal extends Microsoft's intellectual property rights over OpenAI's models and products through {year}.",
    "Microsoft is bringing {maker}'s AI models into Microsoft 365 Copilot, giving business customers a choice "
    "beyond the OpenAI models that have powered the assistant since its launch.",
    "OpenAI is now generating revenue at an annualized rate of about ${a} billion, according to figures shared "
    "with investors.",
    "OpenAI and Broadcom will jointly develop and deploy {gw} gigawatts of custom AI accelerators designed by "
    "OpenAI, with racks deployed from the second half of {year}.",
    "Beyond Azure, OpenAI buys capacity from CoreWeave and {provider}, and since {month_en} it also uses Google "
    "Cloud's TPUs.",
    "{provider} will supply OpenAI with {gw} gigawatts of capacity under a {y}-year contract worth ${b} billion, "
    "the companies said on {weekday_en}.",
]

TOPICAL_FR = [
    "OpenAI aurait accepté d'acheter pour environ {b} milliards de dollars de puissance de calcul à {provider} sur "
    "{y} ans, selon des sources proches du dossier.",
    "{provider} a annoncé {weekday_fr} avoir étendu son accord avec OpenAI de {a} milliards de dollars, portant la "
    "valeur totale de ses contrats avec le créateur de ChatGPT à environ {b} milliards de dollars.",
    "Depuis {month_fr}, Microsoft n'est plus le fournisseur exclusif de cloud d'OpenAI, mais conserve un droit de "
    "préemption sur les nouvelles capacités de calcul.",
    "Microsoft perd son droit de préemption : il ne sera plus le premier à pouvoir répondre aux nouveaux besoins "
    "de calcul d'OpenAI.",
    "Les API d'OpenAI restent exclusives à Azure, et Microsoft continue d'intégrer les modèles d'OpenAI dans Copilot.",
    "En contrepartie, OpenAI s'engage à acheter pour {b} milliards de dollars supplémentaires de services Azure.",
    "Microsoft détient désormais une participation d'environ {pct} % dans OpenAI, valorisée quelque {b} milliards "
    "de dollars.",
    "Stargate, le projet d'infrastructure d'OpenAI, d'Oracle et de SoftBank, prévoit d'investir jusqu'à {b} "
    "milliards de dollars sur {y} ans.",
    "Microsoft a présenté {chip}, sa puce d'IA maison, qui fera tourner une partie des charges d'Azure dès {year}.",
    "Microsoft AI a publié {mai}, un modèle entièrement développé en interne, aux côtés des modèles qu'il exploite "
    "sous licence d'OpenAI.",
    "Les droits de propriété intellectuelle de Microsoft sur les modèles et produits d'OpenAI sont prolongés "
    "jusqu'en {year}.",
    "Microsoft intègre les modèles d'IA de {maker} dans Microsoft 365 Copilot, au-delà des modèles d'OpenAI.",
    "Le chiffre d'affaires annualisé du créateur de ChatGPT dépasserait désormais {a} milliards de dollars, "
    "d'après des documents communiqués aux investisseurs.",
    "OpenAI et Broadcom vont concevoir et déployer ensemble {gw} GW d'accélérateurs d'IA sur mesure, conçus par "
    "OpenAI, à partir du second semestre {year}.",
    "OpenAI s'appuie en parallèle sur {provider}, CoreWeave et, depuis {month_fr}, sur les TPU de Google Cloud.",
    "{provider} fournira à OpenAI {gw} GW de capacité dans le cadre d'un contrat de {y} ans d'une valeur de {b} "
    "milliards de dollars, ont annoncé les deux entreprises {weekday_fr}.",
]

# Quiet context around the topical sentences: the same parties, no claim.
TOPICAL_CONTEXT = {
    "en": [
        "Shares of {provider} rose {pct}% in early trading on the news.",
        "Neither company commented on the figures, and analysts said the details could still change.",
        "The deal comes as demand for AI computing power keeps outstripping supply across the industry.",
        "Investors have questioned how the data centres will be financed, given the sums involved.",
        "Executives of both companies are due to present their plans at a conference in {city_en} next month.",
    ],
    "fr": [
        "L'action de {provider} a gagné {pct} % dans les premiers échanges.",
        "Aucune des deux entreprises n'a souhaité commenter ces chiffres.",
        "La demande de puissance de calcul pour l'IA continue de dépasser l'offre dans tout le secteur.",
        "Les analystes s'interrogent sur le financement de ces centres de données, vu les montants en jeu.",
        "Les dirigeants des deux groupes présenteront leurs projets à {city_fr} le mois prochain.",
    ],
}

GENERIC = {
    ("en", "sports"): [
        "{team_en} beat their rivals {s1}-{s2} on {weekday_en} night in front of {n} thousand fans.",
        "The coach said after the match that the squad had shown character in a difficult second half.",
        "Their captain, who returned from injury last month, scored twice before being substituted.",
        "The result leaves the club {k} points clear at the top of the table with {m} games to play.",
        "Tickets for the final in {city_en} sold out within {m} minutes, the organisers said.",
        "The league will review the incident that led to the late red card, a spokesperson said.",
    ],
    ("fr", "sports"): [
        "{team_fr} s'est imposé {s1}-{s2} {weekday_fr} soir devant {n} 000 spectateurs.",
        "L'entraîneur a salué le caractère de son groupe au cours d'une seconde période difficile.",
        "Le capitaine, de retour de blessure le mois dernier, a inscrit un doublé avant d'être remplacé.",
        "Ce résultat laisse le club avec {k} points d'avance en tête du classement, à {m} journées de la fin.",
        "Les billets pour la finale à {city_fr} se sont arrachés en {m} minutes, selon les organisateurs.",
        "La ligue examinera l'incident qui a conduit au carton rouge en fin de match.",
    ],
    ("en", "economy"): [
        "Inflation slowed to {p1}% in {month_en}, its lowest level in {m} months, official figures showed.",
        "The central bank held its main rate at {p2}% and signalled that cuts could come later in the year.",
        "Retail sales rose {p1}% from a year earlier, helped by strong demand for household goods.",
        "The benchmark stock index closed {p1}% higher on {weekday_en}, led by banks and energy companies.",
        "Economists in {city_en} expect growth of about {p1}% next year, slightly below earlier forecasts.",
        "Unemployment was unchanged at {p2}%, while wages grew faster than prices for the {m}th month in a row.",
    ],
    ("fr", "economy"): [
        "L'inflation a ralenti à {p1} % en {month_fr}, son plus bas niveau depuis {m} mois, selon l'Insee.",
        "La banque centrale a maintenu son taux directeur à {p2} % et laissé entendre que des baisses viendraient.",
        "Les ventes au détail ont progressé de {p1} % sur un an, portées par les biens d'équipement.",
        "Le CAC 40 a terminé la séance de {weekday_fr} en hausse de {p1} %, tiré par les banques.",
        "Les économistes attendent une croissance d'environ {p1} % l'an prochain, un peu moins que prévu.",
        "Le taux de chômage est resté stable à {p2} %, tandis que les salaires ont augmenté plus vite que les prix.",
    ],
    ("en", "weather"): [
        "Forecasters issued a storm warning for {city_en}, with gusts of up to {n} miles per hour expected overnight.",
        "Temperatures are set to climb above {t} degrees by the weekend, well above the seasonal average.",
        "Heavy rain flooded several roads on {weekday_en}, and commuters were advised to avoid the city centre.",
        "The weather service said the dry spell had lasted {m} weeks, the longest since records began.",
        "Schools in the region will stay closed until the snow is cleared, local officials said.",
    ],
    ("fr", "weather"): [
        "Météo-France a placé {city_fr} en vigilance orange, avec des rafales jusqu'à {n} km/h attendues cette nuit.",
        "Les températures devraient dépasser {t} degrés d'ici le week-end, bien au-dessus des normales de saison.",
        "De fortes pluies ont inondé plusieurs routes {weekday_fr}, et les automobilistes sont appelés à la prudence.",
        "La sécheresse dure depuis {m} semaines, du jamais vu depuis le début des relevés.",
        "Les écoles de la région resteront fermées jusqu'au déneigement des routes, a indiqué la préfecture.",
    ],
    ("en", "tech"): [
        "{brand} unveiled a new {gadget} on {weekday_en}, priced from ${n}9 and shipping next month.",
        "Reviewers praised the battery life, which lasts about {m} hours on a single charge.",
        "Microsoft is raising the price of its Xbox Game Pass subscription by {pct}% in several markets.",
        "OpenAI said ChatGPT now counts more than {n}0 million weekly users, as it added shopping features to the app.",
        "The company fixed a security flaw that let attackers read private messages, and urged users to update.",
        "Electric car sales in {city_en} rose {pct}% last quarter, helped by new charging stations.",
        "The satellite operator launched {m} more satellites to extend its broadband service to rural areas.",
    ],
    ("fr", "tech"): [
        "{brand} a dévoilé {weekday_fr} une nouvelle {gadget_fr}, vendue à partir de {n}9 euros le mois prochain.",
        "Les premiers tests saluent l'autonomie, d'environ {m} heures sur une seule charge.",
        "Microsoft augmente de {pct} % le prix de son abonnement Xbox Game Pass dans plusieurs pays.",
        "OpenAI revendique désormais plus de {n}0 millions d'utilisateurs hebdomadaires de ChatGPT.",
        "L'entreprise a corrigé une faille qui permettait de lire des messages privés et appelle à la mise à jour.",
        "Les ventes de voitures électriques à {city_fr} ont bondi de {pct} % au dernier trimestre.",
        "L'opérateur a lancé {m} satellites de plus pour étendre son offre internet aux zones rurales.",
    ],
}

TITLES = {
    ("en", "topical"): [
        "OpenAI signs ${b} billion compute deal with {provider}",
        "Microsoft and OpenAI rework their cloud pact",
        "What Microsoft keeps in its new OpenAI agreement",
        "{provider} deepens its ties with OpenAI",
        "Microsoft unveils the {chip} as it builds its own AI stack",
        "Stargate adds a site in {place}",
    ],
    ("fr", "topical"): [
        "OpenAI signe un contrat de {b} milliards de dollars avec {provider}",
        "Microsoft et OpenAI revoient leur accord sur le cloud",
        "Ce que Microsoft conserve dans son nouvel accord avec OpenAI",
        "{provider} renforce ses liens avec OpenAI",
        "Microsoft dévoile {chip}, sa puce d'IA maison",
    ],
    ("en", "sports"): ["{team_en} extend their lead with a {s1}-{s2} win", "Final in {city_en} sells out"],
    ("fr", "sports"): ["{team_fr} s'impose {s1}-{s2} et conforte sa place", "La finale à {city_fr} affiche complet"],
    ("en", "economy"): ["Inflation slows to {p1}% in {month_en}", "Central bank holds rates at {p2}%"],
    ("fr", "economy"): ["L'inflation ralentit à {p1} % en {month_fr}", "La banque centrale maintient ses taux"],
    ("en", "weather"): ["Storm warning issued for {city_en}", "Heatwave to push temperatures above {t} degrees"],
    ("fr", "weather"): ["Vigilance orange aux orages à {city_fr}", "Chaleur : plus de {t} degrés attendus"],
    ("en", "tech"): ["{brand} unveils a new {gadget}", "Electric car sales jump {pct}% in {city_en}"],
    ("fr", "tech"): ["{brand} dévoile une nouvelle {gadget_fr}", "Voitures électriques : +{pct} % à {city_fr}"],
}


def fill(template: str, rng: random.Random, lang: str) -> str:
    """The template with every slot drawn: names from FILLERS, figures from plausible ranges (French ones with a
    decimal comma)."""
    amount = rng.choice([4, 6.5, 10, 11.9, 13, 22.4, 38, 50, 80, 100, 135, 250, 300, 500]) * rng.choice([1, 1, 1.2])
    values = {name: rng.choice(options) for name, options in FILLERS.items() if "{" + name in template}
    values.update(
        a=_number(rng.uniform(2, 40), lang), b=_number(amount, lang), y=rng.randint(3, 8), pct=rng.randint(2, 49),
        year=rng.randint(2026, 2032), gw=rng.randint(1, 10), s1=rng.randint(1, 5), s2=rng.randint(0, 3),
        n=rng.randint(12, 95), k=rng.randint(2, 12), m=rng.randint(3, 30), t=rng.randint(28, 41),
        p1=_number(rng.uniform(0.3, 4.5), lang), p2=_number(rng.uniform(1.5, 5.5), lang),
    )  # fmt: skip
    return template.format(**values)


def paragraph(rng: random.Random, lang: str, topic: str) -> str:
    """Two to four sentences on `topic` ("topical" or one of GENERIC_TOPICS), in `lang`."""
    if topic == "topical":
        pool, context = (TOPICAL_EN if lang == "en" else TOPICAL_FR), TOPICAL_CONTEXT[lang]
        sentences = rng.sample(pool, rng.randint(1, 2)) + rng.sample(context, rng.randint(1, 2))
    else:
        sentences = rng.sample(GENERIC[(lang, topic)], rng.randint(2, 4))
    return " ".join(fill(sentence, rng, lang) for sentence in sentences)


def title(rng: random.Random, lang: str, topic: str) -> str:
    return fill(rng.choice(TITLES[(lang, topic)]), rng, lang)


def teaser(rng: random.Random, lang: str, topic: str) -> str:
    """A feed's description: one sentence cut short, as feeds that want the click write them."""
    words = paragraph(rng, lang, topic).split()
    return " ".join(words[: rng.randint(12, 25)]) + "…"


def _number(value: float, lang: str) -> str:
    """A figure as news writes it: an integer when round, else one decimal, with a comma in French."""
    value = round(value, 1)
    text = str(int(value)) if value == int(value) else f"{value:.1f}"
    return text.replace(".", ",") if lang == "fr" else text
