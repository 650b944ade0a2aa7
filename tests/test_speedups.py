# SPDX-License-Identifier: MIT
"""The engine's speed-ups for 200 KB without full stops (issue 13, French) change nothing it finds.

Each faster piece is held to the code it replaced, kept here as the reference: the same results on
texts Hypothesis draws (deterministic by default, see tests/test_properties.py's `PROPERTIES_SCALE`)
and on the rule cases.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Generic, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rules.phrases import Hit

T = TypeVar("T")
SCALE = int(os.environ.get("PROPERTIES_SCALE", "1"))
_BASE = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=SCALE == 1, database=None)


def _examples(count: int) -> settings:
    return settings(_BASE, max_examples=count * SCALE)


# --- hits: plain slots, not a frozen dataclass ---------------------------------------------------------


@dataclass(frozen=True)
class _FrozenHit(Generic[T]):
    """`rules.phrases.Hit` as it was."""

    label: T
    start: int
    end: int
    phrase: str


_labels = st.tuples(st.sampled_from(["cue", "trigger", "entity"]), st.sampled_from(["a", "b", ""]), st.just(""))
_hit_fields = st.tuples(_labels, st.integers(0, 5), st.integers(0, 5), st.sampled_from(["x", "y", "~"]))


@_examples(300)
@given(st.lists(_hit_fields, max_size=12))
def test_hits_compare_hash_and_print_as_frozen_ones(fields: list[tuple[tuple[str, str, str], int, int, str]]) -> None:
    new = [Hit(*f) for f in fields]
    old = [_FrozenHit(*f) for f in fields]
    for a, old_a in zip(new, old, strict=True):
        assert hash(a) == hash(old_a)
        assert repr(a) == repr(old_a).replace("_FrozenHit", "Hit")
        assert [a == b for b in new] == [old_a == old_b for old_b in old]
    assert sorted(map(new.index, set(new))) == sorted(map(old.index, set(old)))
