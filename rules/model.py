# SPDX-License-Identifier: MIT
"""The claim: what a sentence says about one facet of the relationship.

Shapes follow ../shared/spec/CONTRACT.md (`check --json`). A claim is frozen:
the diff and the known state build new ones rather than edit them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

IN_FORCE = frozenset({"held", "active", "planned"})
NOT_IN_FORCE = frozenset({"ended", "denied"})
STATUSES = IN_FORCE | NOT_IN_FORCE

VALUE_NAMES = frozenset(
    {
        "amount_usd",
        "amount_other",
        "share_pct",
        "capacity_gw",
        "units",
        "rank",
        "until",
        "since",
        "duration_years",
        "names",
    }
)


@dataclass(frozen=True)
class Claim:
    """One facet/key statement read from one sentence.

    `when` is the ISO date (YYYY, YYYY-MM or YYYY-MM-DD) the text places the
    claim at: the publication date unless the sentence dates it explicitly.
    `dated` says whether that date came from the text itself; `past` that the
    text narrates it as history ("back in", « à l'époque »).
    """

    facet: str
    key: str
    status: str
    values: dict[str, Any] = field(default_factory=dict)
    hedged: bool = False
    when: str = ""
    evidence: str = ""
    dated: bool = False
    past: bool = False
    source: str = ""
    rule: str = ""
    basis: str = ""  # the class of the cue that set the status ("continuing": "remains"), '' for none

    def to_json(self) -> dict[str, Any]:
        """The public shape: facet, key, status, values, hedged, when, evidence."""
        return {k: v for k, v in asdict(self).items() if k in _PUBLIC}


_PUBLIC = ("facet", "key", "status", "values", "hedged", "when", "evidence")
