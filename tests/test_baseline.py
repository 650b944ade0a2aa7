# SPDX-License-Identifier: MIT
"""The baseline read from the seeds holds every claim of FACETS.md's table, each citing its seed."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.judging.baseline import build_baseline, load_manifest
from monitor.judging.diff import KnownState
from rules.engine import Engine
from seeds import SEEDS_DIR

# (facet, key, status, values that must be there) — the "baseline from the seeds" column of FACETS.md.
EXPECTED = [
    ("azure.exclusivity", "microsoft", "ended", {}),
    ("azure.rofr", "microsoft", "held", {}),
    ("azure.api_exclusivity", "microsoft", "held", {}),
    ("azure.commitment", "microsoft", "held", {}),
    ("microsoft.ip_rights", "microsoft", "held", {}),
    ("microsoft.stake", "microsoft", "active", {"amount_usd": 1e9}),
    ("openai.compute_provider", "coreweave", "active", {}),
    ("openai.compute_provider", "oracle", "active", {}),
    ("openai.compute_provider", "google", "active", {}),
    (
        "stargate",
        "stargate",
        "active",
        {
            "amount_usd": 5e11,
            "duration_years": 4,
            "names": ["OpenAI", "Oracle", "Microsoft", "SoftBank", "Nvidia", "Texas"],
        },
    ),
    ("openai.chip", "openai", "planned", {}),
    ("microsoft.chip", "microsoft", "planned", {}),
    ("microsoft.model", "mai", "active", {"names": ["MAI-1-preview"], "units": 15000, "rank": 24}),
    ("microsoft.model_partner", "open-source", "active", {}),
    ("openai.revenue", "openai", "active", {"amount_usd": 1e10}),
    ("relationship.rivalry", "microsoft", "active", {}),
]


@pytest.fixture(scope="module")
def baseline() -> KnownState:
    return build_baseline(Engine.load())


@pytest.mark.parametrize(("facet", "key", "status", "values"), EXPECTED, ids=[f"{e[0]}/{e[1]}" for e in EXPECTED])
def test_baseline_holds_the_facets_table(
    baseline: KnownState, facet: str, key: str, status: str, values: dict[str, object]
) -> None:
    known = baseline.get(facet, key)
    assert known is not None, f"{facet}/{key} missing from the baseline"
    assert known.claim.status == status
    for name, value in values.items():
        if name == "names":
            assert set(value) <= set(known.claim.values.get("names", []))  # type: ignore[call-overload]
        else:
            assert known.claim.values.get(name) == pytest.approx(value)


def test_every_baseline_claim_cites_a_seed_file_and_its_sentence(baseline: KnownState) -> None:
    for known in baseline.known.values():
        assert known.citations
        for citation in known.citations:
            text = (SEEDS_DIR / citation.source).read_text(encoding="utf-8")
            assert citation.evidence in " ".join(text.split()) or citation.evidence in text


def test_history_in_a_later_seed_does_not_supersede(baseline: KnownState) -> None:
    # Seed 004 (2025-06) says « Depuis 2019, Microsoft détient l'exclusivité »: history, not a reversal.
    exclusivity = baseline.get("azure.exclusivity", "microsoft")
    assert exclusivity is not None and exclusivity.claim.status == "ended"
    assert exclusivity.citations[-1].source == "002_3c529c4dbfaba552.txt"


def test_seeds_are_read_in_date_order_and_ship_with_the_package() -> None:
    seeds = load_manifest()
    assert [s.published for s in seeds] == sorted(s.published for s in seeds)
    assert all((SEEDS_DIR / s.file).is_file() for s in seeds)
    assert Path(SEEDS_DIR, "manifest.toml").is_file()


def test_the_baseline_is_the_same_when_built_twice(baseline: KnownState) -> None:
    again = build_baseline(Engine.load())
    assert {k: v.claim for k, v in again.known.items()} == {k: v.claim for k, v in baseline.known.items()}
