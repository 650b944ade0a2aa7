# SPDX-License-Identifier: MIT
"""Parties: names the vocabulary does not list (rules.parties) and `--explain` on dropped claims."""

from __future__ import annotations

import pytest

from monitor.judging.baseline import build_baseline
from monitor.judging.check import check_document
from monitor.reading.source import Document
from rules.engine import Engine
from rules.parties import normalise, unlisted_names


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("OpenAI signs a $5 billion compute deal with Fluidstack.", ["fluidstack"]),
        # what describes the name before it is no part of it: "ASX-listed", « coté »
        ("OpenAI signed a compute deal with ASX-listed Kestrelis.", ["kestrelis"]),
        ("OpenAI has signed a GPU rental deal with Nasdaq-listed Vantara Cloud.", ["vantara"]),
        ("Le contrat signé avec Vantara Cloud porte sur 2 GW.", ["vantara"]),
        ("OpenAI louera la capacité de calcul de Kestrelis.", ["kestrelis"]),
        ("OpenAI will run on Kestrelis servers.", ["kestrelis"]),
        ("OpenAI signed compute deals with Fluidstack and Vantara.", ["fluidstack", "vantara"]),
        ("OpenAI a signé des contrats avec Kestrelis et Vantara.", ["kestrelis", "vantara"]),
        # the object of a verb of turning to a supplier
        ("OpenAI has tapped Kestrelis for a GPU rental deal.", ["kestrelis"]),
        ("OpenAI will draw on Vantara Compute for inference.", ["vantara"]),
        ("OpenAI s'est tourné vers Kestrelis pour 2 gigawatts.", ["kestrelis"]),
        ("Le créateur de ChatGPT s'appuiera sur Vantara en Norvège.", ["vantara"]),
        # the subject of a verb of supplying OpenAI, past an apposition
        ("Kestrelis will host OpenAI workloads in Norway.", ["kestrelis"]),
        ("Vantara, a young GPU cloud, signed a contract to supply OpenAI.", ["vantara"]),
        ("La société Kestrelis hébergera les serveurs d'OpenAI.", ["kestrelis"]),
        # a name set beside what it is; renting from it; signing or adding it as a supplier
        ("OpenAI will rent GPUs from Kestrelis, a Norwegian neocloud.", ["kestrelis"]),
        ("OpenAI louera des GPU à Kestrelis.", ["kestrelis"]),
        ("The ChatGPT maker has signed Kestrelis as its newest compute supplier.", ["kestrelis"]),
        ("OpenAI adds Vantara to its growing list of compute suppliers.", ["vantara"]),
        ("OpenAI has struck a capacity agreement with little-known Kestrelis Compute.", ["kestrelis"]),
        ("OpenAI a jeté son dévolu sur Kestrelis, un spécialiste des centres de données.", ["kestrelis"]),
        # a name after its trade; a supplier that signs OpenAI as its tenant or customer
        (
            "GPU cloud provider Lambda has signed OpenAI as the anchor tenant for its Kansas City data centre.",
            ["lambda"],
        ),
        ("Le néocloud Kestrelis fournira des GPU au créateur de ChatGPT.", ["kestrelis"]),
        ("Vantara a signé OpenAI comme premier client de son campus norvégien.", ["vantara"]),
        ("Kestrelis landed OpenAI as its biggest customer.", ["kestrelis"]),
        # a person named beside a role, or signed as a chief, is no supplier
        ("OpenAI hired Fidji Simo, a former Instacart executive.", []),
        ("Microsoft signed Mustafa Suleyman as its AI chief.", []),
        # an investor provides money, not compute; a subject of other verbs is in no slot
        ("Thrive Capital will provide OpenAI with funding.", []),
        ("The Texas site will host OpenAI workloads.", []),
        # a sentence's first capital is in no slot
        ("Fluidstack is growing fast, and OpenAI needs compute.", []),
        # places, months and products are not organisations: « le concepteur de processeurs de Santa Clara »
        ("Le concepteur de processeurs de Santa Clara fournira au créateur de ChatGPT six gigawatts.", []),
        ("OpenAI signed a compute deal with Texas in March.", []),
        ("OpenAI a conclu un accord avec la France.", []),
        ("OpenAI's capacity from Blackwell chips doubles.", []),
    ],
)
def test_unlisted_names_in_provider_slots(text: str, keys: list[str]) -> None:
    assert [key for _, _, key in unlisted_names(text, "provider")] == keys


def test_unlisted_model_makers() -> None:
    assert [k for _, _, k in unlisted_names("Copilot gains models from Lyraflow.", "model_maker")] == ["lyraflow"]
    assert [k for _, _, k in unlisted_names("Lyraflow's models reach Copilot.", "model_maker")] == ["lyraflow"]
    deal = "Microsoft signed a deal with Lyraflow to bring its models to Copilot."
    assert [k for _, _, k in unlisted_names(deal, "model_maker")] == ["lyraflow"]
    lab = "Copilot will now also use Lyraflow, a French AI lab, for coding."
    assert [k for _, _, k in unlisted_names(lab, "model_maker")] == ["lyraflow"]
    assert unlisted_names("OpenAI hired Fidji Simo, a former Instacart executive.", "model_maker") == []


@pytest.mark.parametrize(
    ("name", "key"),
    [("Fluidstack", "fluidstack"), ("Vantara Cloud Inc", "vantara"), ("Blue Owl", "blue-owl"), ("The", ""),
     ("Kestrel Data Centers", "kestrel"), ("Kestrel Data Centres", "kestrel"),
     ("Wisconsin", ""), ("AI", "")],
)  # fmt: skip
def test_normalise(name: str, key: str) -> None:
    assert normalise(name) == key


def test_a_listed_entity_is_not_an_unlisted_key(engine: Engine) -> None:
    claims = engine.extract("OpenAI signed a compute deal with Oracle Cloud.", published="2025-11-20").claims
    assert {c.key for c in claims if c.facet == "openai.compute_provider"} == {"oracle"}


def _explain(engine: Engine, text: str) -> list[str]:
    document = Document(source="-", text=text, title="", published="2025-11-20", url="")
    result = check_document(document, engine=engine, state=build_baseline(engine), explain=True)
    return [t.verdict + " " + str(t.details) for t in result.trace]


def test_explain_names_the_chip_maker_a_cloud_hosts(engine: Engine) -> None:
    lines = _explain(engine, "OpenAI will tap Nvidia GB200 chips housed in AWS servers under a new contract.")
    assert any("nvidia: a chip maker whose chips run in aws" in line for line in lines)


def test_explain_names_a_contrasted_party(engine: Engine) -> None:
    lines = _explain(engine, "OpenAI's capacity deal with AMD gives buyers an alternative to Nvidia GPUs.")
    assert any("nvidia: set against the deal" in line for line in lines)


def test_explain_names_another_party_as_object(engine: Engine) -> None:
    lines = _explain(engine, "Microsoft will make an investment of $5 billion in Anthropic, OpenAI's rival.")
    assert any("is anthropic's" in line for line in lines)


def test_explain_says_a_question_asserts_nothing(engine: Engine) -> None:
    assert any("a question asserts nothing" in line for line in _explain(engine, "Will Oracle supply OpenAI compute?"))


def test_explain_names_a_reading_dropped_for_another(engine: Engine) -> None:
    # the trigger « Oracle » keys Oracle alone; « capacité » both: one reading is kept, the other says why
    lines = _explain(engine, "OpenAI a signé un accord de capacité avec Oracle et CoreWeave.")
    assert any(line.startswith("claim, as read from trigger") or "dropped:" in line for line in lines)


def test_explain_names_a_claim_the_diff_passed_over(engine: Engine) -> None:
    text = "OpenAI signed a $300 billion compute deal with Oracle.\nOracle already supplies compute to OpenAI."
    document = Document(source="-", text=text, title="", published="2025-11-20", url="")
    result = check_document(document, engine=engine, state=build_baseline(engine), explain=True)
    assert [r.claim.evidence for r in result.passed_over] == ["Oracle already supplies compute to OpenAI."]


def test_explain_names_a_carve_out(engine: Engine) -> None:
    text = (
        "OpenAI's API products will remain exclusive to Azure.\n"
        "OpenAI may also serve US government customers' API needs on any cloud."
    )
    assert any("carve-out" in line for line in _explain(engine, text))
