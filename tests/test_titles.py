# SPDX-License-Identifier: MIT
"""A page's title is read as its first sentence: a correction headline states the corrected news."""

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


def test_a_correction_paragraph_in_the_body_is_still_set_aside(engine: Engine) -> None:
    body = "Correction: an earlier version said Microsoft had lost its right of first refusal on OpenAI's capacity."
    claims = engine.extract(body, title="OpenAI adds capacity", published="2026-05-12").claims
    assert not [c for c in claims if c.facet == "azure.rofr"]
