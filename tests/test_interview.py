# SPDX-License-Identifier: MIT
"""Interviews: "we" and "you" stand for the company the lead gives the interviewee a role in (rules.interview).

The texts are written for these tests, in both languages: a lead, then questions and answers in
which the company is never named where the claim is made.
"""

from __future__ import annotations

import pytest

from rules.engine import Engine

INTERVIEW_EN = """\
The chief operating officer of OpenAI spoke to us in San Francisco this week.
Q: How fast is demand growing?
A: Faster than any plan we had.
Q: Who else supplies you now?
A: Several companies. Nscale, which we signed in March, brings capacity online in Norway this summer.
Q: Anything on chips?
A: Not today."""

INTERVIEW_FR = """\
La directrice financière d'OpenAI nous a reçus à Paris.
Quelle est votre priorité cette année ?
Trouver du calcul, partout où il existe.
Avec qui travaillez-vous désormais ?
Avec Nscale, que nous avons retenu en mars pour des capacités en Norvège.
Et les puces ?
Rien à annoncer."""

# The same answer, as far from the lead, in an article that is no interview: "we" is whoever is
# quoted, not the company the lead names.
NOT_AN_INTERVIEW = """\
OpenAI's chief operating officer spoke at a conference this week.
The hall was full. Several cloud firms had stands. Some gave away T-shirts.
"Nscale, which we signed in March, brings capacity online in Norway this summer," one attendee said of his own firm."""


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(("text", "lang"), [(INTERVIEW_EN, "en"), (INTERVIEW_FR, "fr")])
def test_we_in_an_answer_is_the_interviewees_company(engine: Engine, text: str, lang: str) -> None:
    claims = engine.extract(text, published="2026-04-15", lang=lang).claims
    providers = {c.key for c in claims if c.facet == "openai.compute_provider"}
    assert "nscale" in providers


def test_we_outside_an_interview_is_nobody_in_particular(engine: Engine) -> None:
    claims = engine.extract(NOT_AN_INTERVIEW, published="2026-04-15", lang="en").claims
    assert not [c for c in claims if c.facet == "openai.compute_provider" and c.key == "nscale"]


# An interviewer's statement asserts what it says ("Q: Until last week you had first call…"); a
# question proper ("Q: Is Azure still exclusive?") asserts nothing.
PROMPTS_EN = """\
Satya Nadella, Microsoft's chief executive, sat down with us in Redmond.
Q: Until last week you had first call on all of OpenAI's new capacity. What changed?
A: We agreed it was time.
Q: Does Microsoft still hold a right to match rival offers for OpenAI's capacity?
A: I will not go into the contract.
Q: And the chips?
A: Maia is coming along."""

PROMPTS_FR = """\
Laurent Mercier, vice-président de Microsoft, nous a reçus à Paris.
Q : Jusqu'à la semaine dernière, vous disposiez d'un droit de premier refus sur les capacités d'OpenAI. \
Qu'est-ce qui a changé ?
R : Nous avons jugé que c'était le moment.
Q : Les puces ?
R : Maia avance.
Q : Et la suite ?
R : Beaucoup de travail."""

PROMPT_QUESTIONS_ONLY = """\
Satya Nadella, Microsoft's chief executive, sat down with us in Redmond.
Q: Have you lost your right of first refusal on OpenAI's new capacity?
A: I will not go into the contract.
Q: And the chips?
A: Maia is coming along.
Q: Anything else?
A: No."""


@pytest.mark.parametrize(("text", "lang"), [(PROMPTS_EN, "en"), (PROMPTS_FR, "fr")])
def test_an_interviewers_statement_asserts(engine: Engine, text: str, lang: str) -> None:
    claims = engine.extract(text, published="2025-11-10", lang=lang).claims
    assert [c.status for c in claims if c.facet == "azure.rofr"] == ["ended"]


def test_an_interviewers_question_asserts_nothing(engine: Engine) -> None:
    claims = engine.extract(PROMPT_QUESTIONS_ONLY, published="2025-11-10", lang="en").claims
    assert not [c for c in claims if c.facet == "azure.rofr"]
