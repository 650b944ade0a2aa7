# SPDX-License-Identifier: MIT
"""The engine's time grows with the text, not faster: n and 4n characters timed in one run.

Texts without full stops are the trap: a page run together into one "sentence" of 200 KB made
every trigger of it look at every cue of it (4.7 s at 200 KB). A ratio, not an absolute time,
so that a slow or busy machine does not fail it: linear is 4, quadratic 16.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from rules.engine import Engine
from rules.text import MAX_SENTENCE, split_sentences

ENGINE = Engine.load()
SMALL = 50_000
RATIO = 6.0


def _fill(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


TEXTS: dict[str, Callable[[int], str]] = {
    "claims without full stops": lambda n: _fill(
        "Microsoft invested in OpenAI and Azure cloud capacity is exclusive and will end, not lost ", n
    ),
    "claims in French without full stops": lambda n: _fill(
        "Microsoft détiendrait 27 % d'OpenAI et l'exclusivité d'Azure prend fin sans être abandonnée ", n
    ),
    "a deal without full stops": lambda n: _fill("Microsoft and OpenAI signed a deal worth money ", n),
    "no spaces": lambda n: "Microsoft OpenAI " + _fill("exclusive,cloud,Azure,not,lost,", n),
    "no spaces at all": lambda n: _fill("MicrosoftOpenAIexclusivecloudAzurenotlost", n),
}


def _time(text: str) -> float:
    best = float("inf")
    for _ in range(2):  # the faster of two runs: a busy machine slows one, a quadratic step both
        start = time.perf_counter()
        ENGINE.extract(text, published="2025-06-01")
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_engine_time_grows_linearly(name: str) -> None:
    small_text, large_text = TEXTS[name](SMALL), TEXTS[name](4 * SMALL)
    small, large = _time(small_text), _time(large_text)
    for _ in range(2):  # a burst of other work on a shared machine: time both again, keep the best
        if large <= RATIO * small + 0.05:
            break
        small, large = min(small, _time(small_text)), min(large, _time(large_text))
    assert large <= RATIO * small + 0.05, f"{name}: {SMALL} chars in {small:.3f} s, {4 * SMALL} in {large:.3f} s"


def test_overlong_sentences_are_cut_at_a_boundary() -> None:
    text = _fill("Microsoft keeps its exclusive cloud, ", 10 * MAX_SENTENCE)
    sentences = split_sentences(text)
    assert len(sentences) >= 10
    assert all(len(s.text) <= MAX_SENTENCE for s in sentences)
    # each piece ends at a comma, never inside a word, and the pieces cover the text in order
    assert all(s.text.endswith(",") for s in sentences[:-1])
    assert all(text[s.start : s.end] == s.text for s in sentences)
    assert all(a.end <= b.start for a, b in zip(sentences, sentences[1:], strict=False))


def test_ordinary_sentences_are_not_cut() -> None:
    sentence = "Microsoft, which " + "has long been OpenAI's largest backer, " * 12 + "keeps its stake."
    assert len(sentence) < MAX_SENTENCE
    assert [s.text for s in split_sentences(sentence)] == [sentence]
