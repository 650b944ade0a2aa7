# SPDX-License-Identifier: MIT
"""The words users read: counts in the right number, labels that say each word once."""

from __future__ import annotations

import pytest

from monitor.judging.summary import describe_values, facet_label, plural
from monitor.pipeline import CycleReport


@pytest.mark.parametrize(
    ("count", "word", "shown"), [(0, "change", "0 changes"), (1, "change", "1 change"), (2, "feed", "2 feeds"),
                                 (1, "new article", "1 new article"), (1200, "unit", "1,200 units")],
)  # fmt: skip
def test_plural(count: int, word: str, shown: str) -> None:
    assert plural(count, word) == shown


def test_a_cycle_summary_speaks_in_the_right_number() -> None:
    one = CycleReport(feeds_polled=1, articles_new=1, pages_failed=1, changes_flagged=["c"])
    assert one.summary() == "1 feed polled (0 unchanged, 0 failed), 1 new article (1 page failed), 1 change flagged"
    many = CycleReport(feeds_polled=3, feeds_failed=1, articles_new=0, changes_flagged=["a", "b"])
    assert (
        many.summary() == "3 feeds polled (0 unchanged, 1 failed), 0 new articles (0 pages failed), 2 changes flagged"
    )


def test_values_in_the_right_number() -> None:
    assert describe_values({"duration_years": 1, "units": 1}) == "1 year, 1 unit"
    assert describe_values({"duration_years": 2.5}) == "2.5 years"


def test_a_key_ending_with_the_labels_next_word_says_it_once() -> None:
    assert facet_label("microsoft.model_partner", "open-source") == "Microsoft using open-source models"
    assert facet_label("microsoft.model_partner", "anthropic") == "Microsoft using Anthropic models"


def test_no_label_repeats_a_word_at_the_key() -> None:
    from rules.loader import load_rules

    rules = load_rules()
    for facet, rule in rules.facets.items():
        for key in [*rules.entities, "other"]:
            words = facet_label(facet, key).lower().split()
            assert all(a != b for a, b in zip(words, words[1:], strict=False)), (rule.label, key)
