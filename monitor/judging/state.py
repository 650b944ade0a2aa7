# SPDX-License-Identifier: MIT
"""The known state a cycle diffs against: the seed baseline, then every change flagged since.

A flagged change joins the known state at once (`record.py` applies it), so the
next article reporting it confirms it instead of flagging it again; across
cycles the stored changes replay here, oldest first.
"""

from __future__ import annotations

from monitor.judging.baseline import build_baseline
from monitor.judging.diff import KnownState
from rules.engine import Engine
from rules.model import Claim
from storage import Store


def known_state(engine: Engine, store: Store) -> KnownState:
    state = build_baseline(engine)
    for change in store.changes():
        claim = claim_from_json(change.after)
        state.apply(claim, date=claim.when or change.first_seen[:10], change_id=change.id, change_kind=change.kind)
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
