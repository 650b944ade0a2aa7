# SPDX-License-Identifier: MIT
"""What one rule needs to read one trigger's clause: shared by the clause reader and the party binding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rules.loader import Entity, FacetRule, Label
from rules.phrases import Hit
from rules.scan import ScannedSentence

CONTEXT_WINDOW = 10  # sentences of context a rule may ask for, at most


@dataclass(frozen=True)
class ClauseJob:
    """Everything one rule needs to read one trigger's clause."""

    rule: FacetRule
    facets: dict[str, FacetRule]
    entities: dict[str, Entity]
    trigger: Hit[Label]
    triggers: list[Hit[Label]]  # all of this facet's triggers in the sentence
    sentence: ScannedSentence
    inherited_date: Callable[[], str | None]  # the date the paragraph's earlier sentences give, if any
    source: str
    supposing: bool = False  # the previous sentence supposes something: a conditional here goes on supposing
    context: tuple[frozenset[str], ...] = ()  # the entities of the previous sentences, nearest first
    in_reach: frozenset[str] | None = None  # the facets whose parties are in reach (None: all)
    asked: ScannedSentence | None = None  # the question a Q&A answer answers: its verb is the answer's too
    headline: frozenset[str] = frozenset()  # the entities the page's title names
    reach: int = CONTEXT_WINDOW  # how many of `context` a party left unnamed may be sought in (`_paragraph_reach`)
    before: ScannedSentence | None = None  # the sentence before, whose names an opening "The project" takes up
