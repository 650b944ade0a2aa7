# SPDX-License-Identifier: MIT
"""Corrections: a correction headline states the corrected news; a correction paragraph takes back
what it quotes of an earlier version and states what is true now."""

from __future__ import annotations

import pytest

from rules.engine import Engine


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.load()


@pytest.mark.parametrize(
    "title",
    [
        "Rectificatif : Microsoft ne dispose plus d'un droit de préemption sur les capacités d'OpenAI",
        "Correction: Microsoft no longer holds a right of first refusal on OpenAI's capacity",
    ],
)
def test_a_correction_headline_states_the_news(engine: Engine, title: str) -> None:
    body = "Nous avons corrigé un article publié lundi. We corrected a story published on Monday."
    claims = engine.extract(body, title=title, published="2026-05-12").claims
    assert [(c.facet, c.status) for c in claims if c.facet == "azure.rofr"] == [("azure.rofr", "ended")]


@pytest.mark.parametrize(
    "body",
    [
        "Correction: an earlier version said Microsoft had lost its right of first refusal on OpenAI's capacity.",
        "Rectificatif : nous écrivions lundi que Microsoft avait perdu son droit de préemption sur les capacités "
        "d'OpenAI.",
    ],
)
def test_what_a_correction_quotes_of_an_earlier_version_is_taken_back(engine: Engine, body: str) -> None:
    claims = engine.extract(body, title="OpenAI adds capacity", published="2026-05-12").claims
    assert [c.status for c in claims if c.facet == "azure.rofr"] in ([], ["held"])


@pytest.mark.parametrize(
    "body",
    [
        "Correction, Nov 7: An earlier version of this story said that Microsoft retains a right of first refusal "
        "over new OpenAI capacity. That right was removed under the agreement signed on Oct. 28.",
        "Rectificatif, 7 novembre : nous écrivions que Microsoft conserve un droit de préemption sur les capacités "
        "d'OpenAI. Ce droit a été supprimé par l'accord signé le 28 octobre.",
    ],
)
def test_what_a_correction_says_now_is_news(engine: Engine, body: str) -> None:
    claims = engine.extract(body, title="OpenAI adds capacity", published="2025-11-07").claims
    assert "ended" in [c.status for c in claims if c.facet == "azure.rofr"]
