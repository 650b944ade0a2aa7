# SPDX-License-Identifier: MIT
"""Who "we" and "you" are in an interview.

In a Q&A with a company's executive the company is seldom named: "Including Cerebras, which we
signed in January", « Jusqu'ici, vous disposiez d'un droit de préemption ». A reader takes "we"
(an answer) and "you" (a question) for the company the lead introduces the interviewee by: "OpenAI's
chief financial officer sat down with…", « Laurent Mercier, vice-président de Microsoft ». The
engine does the same: the company joins, as the nearest context, every sentence of an interview
that speaks in the first or second person.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules.scan import ScannedSentence

# Questions that make a text an interview (a long article may ask one or two).
_QUESTIONS = 3
# Where the lead introduces the interviewee: the title and the first sentences of the body.
_LEAD_SENTENCES = 4
# How near a role a company gives its people (vocab/roles.toml, role `staff`) its name must be
# ("OpenAI's chief financial officer", « vice-présidente de Microsoft chargée de l'IA »).
_ROLE_REACH = 30  # characters between a role and the company's name
_PERSONAL = re.compile(r"\b(?:we|our|ours|you|your|yours|nous|notre|nos|vous|votre|vos)\b")
_US = re.compile(r"\bus\b")  # in the text as written: "US" is the country


def interviewee(sentences: Sequence[ScannedSentence], questions: Sequence[bool]) -> frozenset[str]:
    """The company an interview's lead gives its interviewee a role in; empty when the text is no
    interview, or its lead names no role beside a company."""
    if sum(questions) < _QUESTIONS:
        return frozenset()
    for s in sentences[:_LEAD_SENTENCES]:
        roles = [h.start for h in s.roles("staff")]
        near = [h for h in s.primary if h.label[0] == "entity" and any(abs(h.start - r) <= _ROLE_REACH for r in roles)]
        if near:
            return frozenset({near[0].label[1]})
    return frozenset()


def speaks_for(s: ScannedSentence) -> bool:
    """Does the sentence speak in the first or second person ("we signed", "let us", « vous disposiez »)?"""
    return _PERSONAL.search(s.folded) is not None or _US.search(s.sentence.text) is not None
