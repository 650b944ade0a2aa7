# SPDX-License-Identifier: MIT
"""The diff's rules (FACETS.md, "What counts as a change"), on hand-made claims and states."""

from __future__ import annotations

import pytest

from monitor.judging.diff import KnownState, classify, diff, severity
from rules.model import Claim


def known(**values: object) -> KnownState:
    """A state knowing Oracle as an active provider since 2025-06-10, with `values`."""
    state = KnownState.empty("2025-09-11")
    state.apply(Claim("openai.compute_provider", "oracle", "active", dict(values), when="2025-06-10"))
    state.apply(Claim("azure.rofr", "microsoft", "held", when="2025-01-22"))
    state.apply(Claim("openai.chip", "openai", "planned", when="2025-06-10"))
    state.apply(Claim("stargate", "stargate", "active", {"names": ["Oracle", "Texas"]}, when="2025-01-22"))
    state.apply(Claim("microsoft.chip", "microsoft", "active", {"names": ["Maia 100"]}, when="2025-01-22"))
    return state


def claim(
    facet: str = "openai.compute_provider",
    key: str = "oracle",
    status: str = "active",
    when: str = "2025-10-01",
    dated: bool = False,
    past: bool = False,
    **values: object,
) -> Claim:
    return Claim(facet, key, status, dict(values), when=when, dated=dated, past=past)


CASES = [
    ("unknown key is new", claim(key="aws"), {}, "new"),
    ("same status and values is confirmed", claim(amount_usd=3e11), {"amount_usd": 3e11}, "confirmed"),
    ("amount within 2% is confirmed", claim(amount_usd=22.4e9), {"amount_usd": 22.0e9}, "confirmed"),
    ("amount beyond 2% is changed", claim(amount_usd=23e9), {"amount_usd": 22.0e9}, "changed"),
    ("a value where none was known is changed", claim(capacity_gw=4.5), {}, "changed"),
    ("since alone never changes anything", claim(since="2023"), {}, "confirmed"),
    ("a plan's start ahead is a schedule", claim("openai.chip", "openai", "planned", since="2026"), {}, "changed"),
    ("a plan's start past only dates it", claim("openai.chip", "openai", "planned", since="2024"), {}, "confirmed"),
    ("a later start of what is under way is no schedule", claim(status="planned", since="2027"), {}, "confirmed"),
    ("ended against held is reversed", claim("azure.rofr", "microsoft", "ended"), {}, "reversed"),
    ("denied against planned is reversed", claim("openai.chip", "openai", "denied"), {}, "reversed"),
    ("planned becoming active is changed", claim("openai.chip", "openai", "active"), {}, "changed"),
    ("a new name is changed", claim("stargate", "stargate", names=["Abilene"]), {}, "changed"),
    ("known names in another case are confirmed", claim("stargate", "stargate", names=["texas"]), {}, "confirmed"),
    ("a known name's family is confirmed", claim("microsoft.chip", "microsoft", names=["Maia"]), {}, "confirmed"),
    ("a sibling of a known name is changed", claim("microsoft.chip", "microsoft", names=["Maia 200"]), {}, "changed"),
    (
        "a date before the known state is history",
        claim("azure.rofr", "microsoft", "ended", when="2024-12", dated=True),
        {},
        "history",
    ),
    (
        "the same month as the known date is history",
        claim("azure.rofr", "microsoft", "ended", when="2025-01", dated=True),
        {},
        "history",
    ),
    (
        "a new figure for the whole year of the known one is the latest figure",
        claim(amount_usd=40e9, when="2025", dated=True),
        {"amount_usd": 22.0e9},
        "changed",
    ),
    (
        "the known figure told again for its whole year is history",
        claim(amount_usd=22e9, when="2025", dated=True),
        {"amount_usd": 22.0e9},
        "history",
    ),
    (
        "a figure for an earlier year is history",
        claim(amount_usd=40e9, when="2024", dated=True),
        {"amount_usd": 22.0e9},
        "history",
    ),
    (
        "a change of status dated by the known event's year is that event told again",
        claim("azure.rofr", "microsoft", "ended", when="2025", dated=True),
        {},
        "history",
    ),
    (
        "a key never seen, dated by the month the known state dates from, is new",
        claim(key="nvidia", when="2025-09", dated=True),
        {},
        "new",
    ),
    (
        "a key never seen, dated by an earlier month, is history",
        claim(key="nvidia", when="2025-08", dated=True),
        {},
        "history",
    ),
    ("a history cue makes it history", claim("azure.rofr", "microsoft", "ended", past=True), {}, "history"),
    (
        "a history cue under a date after the known state is news: « Le 22 septembre, … avaient signé »",
        claim(key="nvidia", when="2025-09-22", dated=True, past=True),
        {},
        "new",
    ),
    (
        "a history cue under a date before the known state stays history",
        claim(key="nvidia", when="2025-08-22", dated=True, past=True),
        {},
        "history",
    ),
    ("an unknown key dated before the baseline is history", claim(key="aws", when="2024", dated=True), {}, "history"),
    ("an undated claim is never history", claim("azure.rofr", "microsoft", "ended", when="2025-10-01"), {}, "reversed"),
]


@pytest.mark.parametrize(("claim_", "values", "kind"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_classify(claim_: Claim, values: dict[str, object], kind: str) -> None:
    assert classify(claim_, known(**values)).kind == kind


def test_severity_ranks_reversals_highest_and_hedging_one_lower() -> None:
    assert [severity(k, hedged=False) for k in ("reversed", "new", "changed")] == ["critical", "high", "medium"]
    assert [severity(k, hedged=True) for k in ("reversed", "new", "changed")] == ["high", "medium", "low"]


def test_one_change_per_facet_and_key_the_strongest_reading_wins() -> None:
    state = known()
    claims = [
        claim("azure.rofr", "microsoft", "held"),  # a restatement
        claim("azure.rofr", "microsoft", "ended"),  # the news
        claim("azure.rofr", "microsoft", "ended", when="2019", dated=True),  # history
    ]
    changes = diff(claims, state)
    assert [(c.facet, c.kind) for c in changes] == [("azure.rofr", "reversed")]
    assert changes[0].before is not None and changes[0].before.status == "held"
    assert changes[0].summary == "Microsoft's right of first refusal on OpenAI compute: held → ended"


def test_hedged_changes_say_so_and_are_one_severity_lower() -> None:
    hedged = Claim("openai.compute_provider", "aws", "planned", {"amount_usd": 38e9}, hedged=True, when="2025-11-03")
    (change,) = diff([hedged], known())
    assert change.severity == "medium"
    assert change.summary == "OpenAI compute from AWS: new, planned ($38 billion) (reported)"


def test_a_flagged_change_joins_the_known_state() -> None:
    state = known()
    news = claim(key="aws", amount_usd=38e9)
    assert classify(news, state).kind == "new"
    state.apply(news)
    assert classify(news, state).kind == "confirmed"
    assert classify(claim(key="aws", amount_usd=38.5e9), state).kind == "confirmed"


@pytest.mark.parametrize(
    ("basis", "known_status", "kind"),
    [
        ("denied", "active", "confirmed"),  # "OpenAI denied a rumoured deal with Oracle": the deal stays
        ("cancelled", "active", "reversed"),  # "OpenAI cancelled its Oracle contract": it ends
        ("denied", "planned", "reversed"),  # "OpenAI denied it is designing a chip": the plan is denied
    ],
)
def test_a_denial_speaks_of_a_report_not_of_an_end(basis: str, known_status: str, kind: str) -> None:
    facet, key = ("openai.chip", "openai") if known_status == "planned" else ("openai.compute_provider", "oracle")
    denial = Claim(facet, key, "denied", {}, when="2025-10-01", basis=basis)
    assert classify(denial, known()).kind == kind
