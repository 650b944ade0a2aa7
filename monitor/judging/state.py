# SPDX-License-Identifier: MIT
"""The known state: the seed baseline, then every change flagged since; and where the relationship stands.

A flagged change joins the known state at once (`record.py` applies it), so the
next article reporting it confirms it instead of flagging it again; across
cycles the stored changes replay here, oldest first.

`known_state(engine, store, as_of="2025-10-01")` answers "what did we know on
1 October 2025?": the seeds published by then, and the changes whose claim is
dated by then (the date the text places it at, not when it was polled).
`standing(state, changes)` is that state as rows an analyst reads: one per facet
and key, with its evidence, its source and how many sources back it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from monitor.judging.baseline import build_baseline
from monitor.judging.diff import Known, KnownState
from monitor.judging.summary import describe_values, facet_label
from rules.engine import Engine
from rules.model import Claim
from storage import Store, StoredChange


def known_state(
    engine: Engine,
    store: Store,
    *,
    as_of: str | None = None,
    baseline: KnownState | None = None,
    changes: list[StoredChange] | None = None,
) -> KnownState:
    """The baseline (built, or a copy of `baseline` when given and not `as_of`), then the changes
    (`changes`, oldest first, when the caller has read them already; else the store's)."""
    state = baseline.copy() if baseline is not None and as_of is None else build_baseline(engine, until=as_of)
    for change in changes if changes is not None else store.changes():
        if change.review == "rejected":
            continue  # an analyst said it was wrong: the claim it rested on no longer counts
        claim = claim_from_json(change.after)
        date = claim.when or change.first_seen[:10]
        if as_of is not None and date[: len(as_of)] > as_of:
            continue
        source = change.sources[0].get("url") or "" if change.sources else ""
        state.apply(replace(claim, source=source), date=date, change_id=change.id, change_kind=change.kind)
    return state


def claim_from_json(payload: dict[str, object]) -> Claim:
    """A claim back from its public JSON shape (`Claim.to_json`)."""
    return Claim(
        facet=str(payload["facet"]),
        key=str(payload["key"]),
        status=str(payload["status"]),
        values=dict(payload.get("values") or {}),  # type: ignore[call-overload]
        hedged=bool(payload.get("hedged")),
        when=str(payload.get("when") or ""),
        evidence=str(payload.get("evidence") or ""),
    )


@dataclass(frozen=True)
class Standing:
    """Where one facet and key stand: the current claim, since when, on what evidence."""

    facet: str
    key: str
    label: str
    status: str
    values: dict[str, Any]
    described: str  # the values in words: "$250 billion, until 2032"
    since: str  # the date of the latest claim that made it so
    evidence: str
    source: str  # a seed file or an article's URL
    sources: int  # how many sources back it (the seeds' citations, or the change's reports)
    hedged: bool
    last_change: dict[str, str] | None  # {"id", "kind"} of the change that made it so; None: the baseline

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def standing(state: KnownState, changes: list[StoredChange]) -> list[Standing]:
    """The state as rows, facet by facet, keys in order; `changes` are those it was built from."""
    by_id = {c.id: c for c in changes}
    return [_row(known, by_id) for _, known in sorted(state.known.items())]


def _row(known: Known, changes: dict[str, StoredChange]) -> Standing:
    claim, latest = known.claim, known.citations[-1] if known.citations else None
    change = changes.get(known.change_id or "")
    return Standing(
        facet=claim.facet, key=claim.key, label=facet_label(claim.facet, claim.key), status=claim.status,
        values=claim.values, described=describe_values(claim.values), since=known.date,
        evidence=latest.evidence if latest else claim.evidence, source=latest.source if latest else "",
        sources=len(change.sources) if change else len(known.citations), hedged=claim.hedged,
        last_change={"id": change.id, "kind": change.kind} if change else None,
    )  # fmt: skip
