# SPDX-License-Identifier: MIT
"""The baseline: the known state read from the seed documents by the same engine as the news.

Seeds are read in the manifest's date order; each seed's claims are compared
with the state built so far, exactly as an article would be, and what is not
history supersedes what was known (a later seed's claim replaces an earlier
one's status and values; names accumulate). History about an unknown key
still enters the baseline: it is knowledge, only old.

    >>> state = build_baseline(Engine.load())
    >>> state.get("azure.exclusivity", "microsoft").claim.status
    'ended'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import InputError
from monitor.judging.diff import KnownState, classify
from rules.engine import Engine
from rules.model import Claim
from seeds import MANIFEST, SEEDS_DIR


@dataclass(frozen=True)
class Seed:
    file: str
    published: str
    lang: str
    title: str


def seed_titles(manifest: Path = MANIFEST) -> dict[str, str]:
    """Each seed file's citation as people read it: « title » (date)."""
    return {seed.file: f"« {seed.title} » ({seed.published})" for seed in load_manifest(manifest)}


def load_manifest(manifest: Path = MANIFEST) -> list[Seed]:
    """The seeds of `manifest`, oldest first."""
    try:
        with manifest.open("rb") as handle:
            entries = tomllib.load(handle).get("seed", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{manifest}: cannot read the seed manifest ({exc})") from None
    seeds = [Seed(e["file"], str(e["published"]), e.get("lang", ""), e.get("title", "")) for e in entries]
    return sorted(seeds, key=lambda s: s.published)


def build_baseline(
    engine: Engine, *, seeds_dir: Path = SEEDS_DIR, manifest: Path | None = None, until: str | None = None
) -> KnownState:
    """The known state after reading every seed in date order (`until`: only the seeds published by that date)."""
    state = KnownState.empty()
    for seed in load_manifest(manifest or seeds_dir / "manifest.toml"):
        if until is not None and seed.published > until:
            continue
        text = (seeds_dir / seed.file).read_text(encoding="utf-8")
        claims = engine.extract(text, published=seed.published, lang=seed.lang or None, source=seed.file).claims
        for claim in claims:
            _absorb(state, claim, seed)
        state.date = max(state.date, seed.published)
    return state


def _absorb(state: KnownState, claim: Claim, seed: Seed) -> None:
    verdict = classify(claim, state)
    if verdict.kind == "history" and verdict.before is not None:
        return  # old news about something known: the later state stands
    state.apply(claim, date=claim.when if claim.dated else seed.published)
